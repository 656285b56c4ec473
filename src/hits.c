/* hits: a term's hits as one blob.
 *
 * The blob is a format byte (1), then per hit three unsigned LEB128 varints: the
 * paragraph's distance from the last hit's, the offset (from the paragraph's start
 * when the paragraph changed or for the first hit, else from the last hit's offset)
 * and the length. Hits of a term sit mostly a few paragraphs apart at short
 * offsets: three or four bytes a hit. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "dugao/hits.h"

#define HITS_FORMAT 1

static size_t put_varint(unsigned char *out, unsigned long v)
{
	size_t n = 0;
	while (v >= 0x80) {
		out[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (unsigned char)v;
	return n;
}

/* Reads a varint at *p (before end); false when cut short or too long. */
static bool get_varint(const unsigned char **p, const unsigned char *end, unsigned long *v)
{
	unsigned long x = 0;
	for (int shift = 0; *p < end && shift < 63; shift += 7) {
		unsigned char b = *(*p)++;
		x |= (unsigned long)(b & 0x7F) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

int hits_pack(struct hit_packer *p, long para, long offset, long length)
{
	if (para < 0 || offset < 0 || length < 0)
		return -1;
	bool first = p->count == 0;
	if (!first && (para < p->para || (para == p->para && offset < p->offset)))
		return -1;
	if (!first && para == p->para && offset == p->offset)
		return 1;
	unsigned char b[3 * 10 + 1];
	size_t n = 0;
	if (first)
		b[n++] = HITS_FORMAT;
	n += put_varint(b + n, (unsigned long)(first ? para : para - p->para));
	n += put_varint(b + n, (unsigned long)(first || para != p->para ? offset : offset - p->offset));
	n += put_varint(b + n, (unsigned long)length);
	sbuf_append(&p->buf, (const char *)b, n);
	p->count++;
	p->para = para;
	p->offset = offset;
	return 0;
}

void hits_packer_free(struct hit_packer *p)
{
	sbuf_free(&p->buf);
	*p = (struct hit_packer){ 0 };
}

long hits_unpack(const void *blob, size_t n, struct hit **out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	const unsigned char *p = blob, *end = p + n;
	if (*p++ != HITS_FORMAT)
		return -1;
	/* a hit takes three bytes at least */
	size_t cap = (n - 1) / 3;
	struct hit *v = xmalloc((cap ? cap : 1) * sizeof *v);
	long k = 0, para = 0, offset = 0;
	while (p < end) {
		unsigned long dp, off, len;
		if ((size_t)k == cap || !get_varint(&p, end, &dp) || !get_varint(&p, end, &off) ||
		    !get_varint(&p, end, &len) || dp > (unsigned long)LONG_MAX - (unsigned long)para ||
		    off > LONG_MAX / 2 || len > LONG_MAX / 2) {
			free(v);
			return -1;
		}
		bool restart = k == 0 || dp > 0;
		para += (long)dp;
		offset = restart ? (long)off : offset + (long)off;
		if (offset > LONG_MAX / 2) {
			free(v);
			return -1;
		}
		v[k++] = (struct hit){ para, offset, (long)len };
	}
	if (k == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	return k;
}

long hits_lower_bound(const struct hit *v, long n, long para, long offset)
{
	long lo = 0, hi = n;
	while (lo < hi) {
		long mid = lo + (hi - lo) / 2;
		if (v[mid].para < para || (v[mid].para == para && v[mid].offset < offset))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
