/* shape: the outline of a document without its text, in the form the store keeps (one
 * blob a document), read without decoding it all. Levels take a byte a section; the
 * rest (seq, parent, paragraph, offset, length) goes in blocks of SHAPE_BLOCK sections,
 * each found by a fixed-width index that also holds where its first section starts.
 * Opening a document of 400,000 sections reads the blob and decodes a block or two:
 * the reader's first screen needs the section it is in and the rows of the outline
 * around it, and rows follow from the levels alone (parents are the nearest section
 * before with a lower level, as the structure module makes them). */
#ifndef DUGAO_SHAPE_H
#define DUGAO_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dugao/util.h"

/* One section without its text: 24 bytes. */
struct section_shape {
	int32_t seq;		/* order in the document from 0 */
	int32_t parent;		/* index of the enclosing section, -1 at top level */
	int32_t para;		/* seq of the paragraph holding the heading */
	int32_t offset;		/* character offset of the marker in that paragraph */
	int32_t length;		/* characters of marker and title in that paragraph */
	uint8_t level;		/* depth in the tree, 1 for top level */
	bool in_paragraph;	/* an enumeration running inside a paragraph */
};

enum { SHAPE_BLOCK = 64 };

struct shape;

/* A blob built one section at a time, in the bytes shape_encode makes: a few bytes a
 * section held, not a section_shape's 24 (a 50 MB document has 1.2 million). */
struct shape_builder {
	struct sbuf levels;	/* a byte a section */
	struct sbuf index;	/* an index entry a block */
	struct sbuf data;	/* the blocks */
	long long prev[5];	/* the numbers of the block's previous section */
	size_t n;		/* sections added */
};
/* Adds the next section: its seq must be its index (the n-th added has seq n), its
 * parent a seq before it (any other: none). */
void shape_builder_add(struct shape_builder *b, const struct section_shape *s);
/* Appends the blob to out and empties the builder. */
void shape_builder_finish(struct shape_builder *b, struct sbuf *out);
void shape_builder_free(struct shape_builder *b);
/* Appends the blob of n sections in seq order; parent is read as a seq (-1: none) and
 * kept as an index (a parent that is missing or not before its child: -1). */
void shape_encode(const struct section_shape *secs, size_t n, struct sbuf *out);
/* One zigzag LEB128 number of a shape at *p (before end), *p moved past it; false when
 * the blob is cut short (also the older form the store converts). */
bool shape_number(const unsigned char **p, const unsigned char *end, long long *v);
/* Reads a blob made by shape_encode, taking it over (malloc'd; freed with the shape,
 * or at once on failure). NULL when it is not one: another format, or damaged. */
struct shape *shape_open(unsigned char *blob, size_t len);
/* The form whose blocks are kept apart: the head of a blob shape_encode made (count,
 * levels, index; malloc'd, *head_len bytes, NULL if it is not one), and where block b
 * of that blob lies, bytes [*from, *to). */
unsigned char *shape_head(const unsigned char *blob, size_t len, size_t *head_len, size_t *nblocks);
void shape_block_span(const unsigned char *blob, size_t len, size_t head_len, size_t b, size_t *from, size_t *to);
/* Opens such a head (taken over); fetch appends block b's bytes to out (0, or -1: read
 * as damaged); release(ctx) when the shape is freed, or at once on failure. */
struct shape *shape_open_apart(unsigned char *head, size_t len, int (*fetch)(void *ctx, size_t block, struct sbuf *out),
			       void (*release)(void *ctx), void *ctx);
void shape_free(struct shape *sh);
size_t shape_count(const struct shape *sh);
/* Level of section i, without decoding its block. */
int shape_level(const struct shape *sh, size_t i);
/* All the levels at once, a byte a section (in_paragraph in the top bit: mask 0x7f). */
const unsigned char *shape_levels(const struct shape *sh);
/* Section i (i < shape_count), decoded with its block (a few blocks are kept). */
struct section_shape shape_section(struct shape *sh, size_t i);
/* The last section starting at or before (para, offset), -1 if none. */
long shape_at(struct shape *sh, long para, long offset);
/* The first section whose heading is in paragraph para or later (shape_count if none). */
size_t shape_from_para(struct shape *sh, long para);

#endif
