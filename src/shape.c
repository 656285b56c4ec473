#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dugao/shape.h"

/* The blob: SHAPE_FORMAT; the count of sections (LEB128); a byte per section (level
 * up to 127, in_paragraph in the top bit); per block an index entry of INDEX_ENTRY
 * bytes (where its data starts in the data area, then the paragraph and the offset of
 * its first section, all 32-bit little-endian); then the blocks: per section seq,
 * parent, para, offset and length, each as the difference from the previous section
 * of the block (from 0 for the first), zigzag-encoded in LEB128. SHAPE_APART is the
 * same without the blocks, which the store keeps apart (a row each) and the shape
 * fetches one at a time: a document opens reading its levels, its index and a block or
 * two, not its whole outline. */
enum { SHAPE_FORMAT = 'b', SHAPE_APART = 'c', INDEX_ENTRY = 12, CACHED = 4 };

/* A decoded block. */
struct block {
	long no;				/* block number, -1 for none */
	struct section_shape s[SHAPE_BLOCK];	/* its sections */
};

struct shape {
	unsigned char *blob;		/* the whole blob (owned) */
	size_t n;			/* sections */
	const unsigned char *levels;	/* n bytes: level, in_paragraph in the top bit */
	const unsigned char *index;	/* nblocks entries of INDEX_ENTRY bytes */
	const unsigned char *data;	/* the blocks */
	size_t data_len;		/* bytes of data */
	size_t nblocks;			/* blocks */
	struct block cache[CACHED];	/* blocks decoded lately */
	unsigned next;			/* the cache slot to reuse next */
	int (*fetch)(void *ctx, size_t block, struct sbuf *out);	/* a block kept apart, NULL: in data */
	void (*release)(void *ctx);	/* frees ctx with the shape */
	void *ctx;			/* for them */
	struct sbuf got;		/* the block fetched last */
};

static void put_s(struct sbuf *b, long long v)
{
	sbuf_put_varint(b, ((unsigned long long)v << 1) ^ (unsigned long long)(v < 0 ? -1LL : 0));
}

bool shape_number(const unsigned char **p, const unsigned char *end, long long *v)
{
	unsigned long long u;
	if (*p < end && **p < 0x80) {	/* most differences fit in a byte */
		u = *(*p)++;
	} else if (!varint_get(p, end, &u)) {
		return false;
	}
	*v = (long long)(u >> 1) ^ -(long long)(u & 1);
	return true;
}

static void put32(unsigned char *p, int64_t v)
{
	uint32_t u = (uint32_t)(v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v);
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(u >> (8 * i));
}

static int32_t get32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* Index of the section with this seq among the first n (seqs ascend), -1 if none. */
static long index_of_seq(const struct section_shape *secs, size_t n, long seq)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (secs[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && secs[lo].seq == seq ? (long)lo : -1;
}

/* Appends one section whose parent is already an index (-1: none). */
static void builder_put(struct shape_builder *b, const struct section_shape *s, long parent)
{
	unsigned level = s->level > 127 ? 127 : s->level;
	sbuf_append(&b->levels, (char[]){ (char)(level | (s->in_paragraph ? 0x80 : 0)) }, 1);
	if (b->n % SHAPE_BLOCK == 0) {
		unsigned char e[INDEX_ENTRY];
		put32(e, (int64_t)b->data.len);
		put32(e + 4, s->para);
		put32(e + 8, s->offset);
		sbuf_append(&b->index, (const char *)e, sizeof e);
		memset(b->prev, 0, sizeof b->prev);
	}
	long long v[5] = { s->seq, parent, s->para, s->offset, s->length };
	for (int f = 0; f < 5; f++) {
		put_s(&b->data, v[f] - b->prev[f]);
		b->prev[f] = v[f];
	}
	b->n++;
}

void shape_builder_add(struct shape_builder *b, const struct section_shape *s)
{
	builder_put(b, s, s->parent >= 0 && s->parent < (long)b->n ? s->parent : -1);
}

void shape_builder_finish(struct shape_builder *b, struct sbuf *out)
{
	sbuf_append(out, (char[]){ SHAPE_FORMAT }, 1);
	sbuf_put_varint(out, b->n);
	sbuf_append(out, b->levels.data ? b->levels.data : "", b->levels.len);
	sbuf_append(out, b->index.data ? b->index.data : "", b->index.len);
	sbuf_append(out, b->data.data ? b->data.data : "", b->data.len);
	shape_builder_free(b);
}

void shape_builder_free(struct shape_builder *b)
{
	sbuf_free(&b->levels);
	sbuf_free(&b->index);
	sbuf_free(&b->data);
	memset(b, 0, sizeof *b);
}

void shape_encode(const struct section_shape *secs, size_t n, struct sbuf *out)
{
	struct shape_builder b = { 0 };
	for (size_t i = 0; i < n; i++) {
		const struct section_shape *s = &secs[i];
		long parent = s->parent < 0 ? -1 : s->parent < (long)i && secs[s->parent].seq == s->parent
						       ? s->parent : index_of_seq(secs, i, s->parent);
		builder_put(&b, s, parent);
	}
	shape_builder_finish(&b, out);
}

/* Opens either form; fetch NULL for the whole one. */
static struct shape *open_form(unsigned char *blob, size_t len, int format)
{
	const unsigned char *p = blob, *end = blob + len;
	unsigned long long n;
	if (len < 1 || *p++ != format || !varint_get(&p, end, &n) || n > (size_t)(end - p)) {
		free(blob);
		return NULL;
	}
	struct shape *sh = xcalloc(1, sizeof *sh);
	sh->blob = blob;
	sh->n = (size_t)n;
	sh->levels = p;
	p += n;
	sh->nblocks = (sh->n + SHAPE_BLOCK - 1) / SHAPE_BLOCK;
	if (sh->nblocks > (size_t)(end - p) / INDEX_ENTRY) {
		shape_free(sh);
		return NULL;
	}
	sh->index = p;
	sh->data = p + sh->nblocks * INDEX_ENTRY;
	sh->data_len = (size_t)(end - sh->data);
	for (int c = 0; c < CACHED; c++)
		sh->cache[c].no = -1;
	return sh;
}

struct shape *shape_open(unsigned char *blob, size_t len)
{
	return open_form(blob, len, SHAPE_FORMAT);
}

struct shape *shape_open_apart(unsigned char *head, size_t len, int (*fetch)(void *ctx, size_t block, struct sbuf *out),
			       void (*release)(void *ctx), void *ctx)
{
	struct shape *sh = open_form(head, len, SHAPE_APART);
	if (!sh) {
		release(ctx);
		return NULL;
	}
	sh->data_len = 0;
	sh->fetch = fetch;
	sh->release = release;
	sh->ctx = ctx;
	return sh;
}

unsigned char *shape_head(const unsigned char *blob, size_t len, size_t *head_len, size_t *nblocks)
{
	const unsigned char *p = blob, *end = blob + len;
	unsigned long long n;
	if (len < 1 || *p++ != SHAPE_FORMAT || !varint_get(&p, end, &n) || n > (size_t)(end - p))
		return NULL;
	*nblocks = ((size_t)n + SHAPE_BLOCK - 1) / SHAPE_BLOCK;
	p += n;
	if (*nblocks > (size_t)(end - p) / INDEX_ENTRY)
		return NULL;
	*head_len = (size_t)(p - blob) + *nblocks * INDEX_ENTRY;
	unsigned char *head = xmalloc(*head_len);
	memcpy(head, blob, *head_len);
	head[0] = SHAPE_APART;
	return head;
}

void shape_block_span(const unsigned char *blob, size_t len, size_t head_len, size_t b, size_t *from, size_t *to)
{
	size_t nblocks = 0, data_len = len - head_len;
	const unsigned char *p = blob + 1, *end = blob + len;
	unsigned long long n;
	if (varint_get(&p, end, &n))
		nblocks = ((size_t)n + SHAPE_BLOCK - 1) / SHAPE_BLOCK;
	const unsigned char *index = blob + head_len - nblocks * INDEX_ENTRY;
	uint32_t a = b < nblocks ? (uint32_t)get32(index + b * INDEX_ENTRY) : (uint32_t)data_len;
	uint32_t z = b + 1 < nblocks ? (uint32_t)get32(index + (b + 1) * INDEX_ENTRY) : (uint32_t)data_len;
	*from = head_len + (a > data_len ? data_len : a);
	*to = head_len + (z > data_len ? data_len : z < a ? a : z);
}

void shape_free(struct shape *sh)
{
	if (!sh)
		return;
	if (sh->release)
		sh->release(sh->ctx);
	sbuf_free(&sh->got);
	free(sh->blob);
	free(sh);
}

size_t shape_count(const struct shape *sh)
{
	return sh->n;
}

int shape_level(const struct shape *sh, size_t i)
{
	return sh->levels[i] & 0x7f;
}

const unsigned char *shape_levels(const struct shape *sh)
{
	return sh->levels;
}

/* Where block b's data starts (kept inside the data however damaged). */
static size_t block_start(const struct shape *sh, size_t b)
{
	if (b >= sh->nblocks)
		return sh->data_len;
	uint32_t at = (uint32_t)get32(sh->index + b * INDEX_ENTRY);
	return at > sh->data_len ? sh->data_len : at;
}

/* Block b decoded; a damaged block decodes to what it holds, the rest zeros. */
static const struct section_shape *block(struct shape *sh, size_t b)
{
	for (int c = 0; c < CACHED; c++)
		if (sh->cache[c].no == (long)b)
			return sh->cache[c].s;
	struct block *k = &sh->cache[sh->next++ % CACHED];
	k->no = (long)b;
	const unsigned char *p, *end;
	if (sh->fetch) {
		sbuf_reset(&sh->got);
		if (sh->fetch(sh->ctx, b, &sh->got) < 0)
			sbuf_reset(&sh->got);	/* read as a damaged block: zeros */
		p = sh->got.data ? (const unsigned char *)sh->got.data : (const unsigned char *)"";
		end = p + sh->got.len;
	} else {
		size_t start = block_start(sh, b), stop = block_start(sh, b + 1);
		p = sh->data + start;
		end = sh->data + (stop > start ? stop : start);
	}
	size_t first = b * SHAPE_BLOCK, count = sh->n - first < SHAPE_BLOCK ? sh->n - first : SHAPE_BLOCK;
	long long v[5] = { 0 };
	for (size_t i = 0; i < count; i++) {
		for (int f = 0; f < 5; f++) {
			long long d;
			v[f] += shape_number(&p, end, &d) ? d : 0;
		}
		unsigned char lv = sh->levels[first + i];
		k->s[i] = (struct section_shape){
			.seq = (int32_t)v[0],
			.parent = v[1] >= -1 && v[1] < (long long)(first + i) ? (int32_t)v[1] : -1,
			.para = (int32_t)v[2],
			.offset = (int32_t)v[3],
			.length = (int32_t)v[4],
			.level = lv & 0x7f,
			.in_paragraph = lv >> 7,
		};
	}
	return k->s;
}

struct section_shape shape_section(struct shape *sh, size_t i)
{
	return block(sh, i / SHAPE_BLOCK)[i % SHAPE_BLOCK];
}

static int place_cmp(long para_a, long off_a, long para_b, long off_b)
{
	if (para_a != para_b)
		return para_a < para_b ? -1 : 1;
	return off_a < off_b ? -1 : off_a > off_b;
}

long shape_at(struct shape *sh, long para, long offset)
{
	/* the last block starting at or before the place, then the last section in it */
	size_t lo = 0, hi = sh->nblocks;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const unsigned char *e = sh->index + mid * INDEX_ENTRY;
		if (place_cmp(get32(e + 4), get32(e + 8), para, offset) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return -1;
	size_t b = lo - 1, first = b * SHAPE_BLOCK;
	const struct section_shape *s = block(sh, b);
	size_t count = sh->n - first < SHAPE_BLOCK ? sh->n - first : SHAPE_BLOCK;
	lo = 0;
	hi = count;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (place_cmp(s[mid].para, s[mid].offset, para, offset) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)(first + lo) - 1;
}

size_t shape_from_para(struct shape *sh, long para)
{
	/* the first block starting in para or later: the answer is in the block before it
	 * or is its first section */
	size_t lo = 0, hi = sh->nblocks;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (get32(sh->index + mid * INDEX_ENTRY + 4) < para)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	size_t b = lo - 1, first = b * SHAPE_BLOCK;
	const struct section_shape *s = block(sh, b);
	size_t count = sh->n - first < SHAPE_BLOCK ? sh->n - first : SHAPE_BLOCK;
	for (size_t i = 0; i < count; i++)
		if (s[i].para >= para)
			return first + i;
	return first + count;
}
