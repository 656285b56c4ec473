/* hits: the hits of one term, packed into one blob (the store keeps one per term, not
 * one row per hit: a 50 MB document has about a million hits). */
#ifndef DUGAO_HITS_H
#define DUGAO_HITS_H

#include <stdbool.h>
#include <stddef.h>

#include "dugao/util.h"

struct hit {
	long para;		/* paragraph seq */
	long offset;		/* characters into the paragraph */
	long length;		/* characters */
};

/* Packs hits given in text order. */
struct hit_packer {
	struct sbuf buf;	/* the blob so far; empty until the first hit */
	long count;		/* hits packed */
	long para;		/* the last hit's paragraph */
	long offset;		/* the last hit's offset */
};

/* Adds a hit: 0 added, 1 the same place as the last one (ignored), -1 out of text
 * order or negative (not added). */
int hits_pack(struct hit_packer *p, long para, long offset, long length);
void hits_packer_free(struct hit_packer *p);

/* Unpacks a blob into *out (malloc'd, NULL when empty); returns the number of hits,
 * or -1 when the blob is malformed (*out NULL). */
long hits_unpack(const void *blob, size_t n, struct hit **out);

/* Index of the first hit at or after (para, offset) in v[0..n), n when none. */
long hits_lower_bound(const struct hit *v, long n, long para, long offset);

#endif
