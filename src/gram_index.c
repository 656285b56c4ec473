#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dugao/cjk_tokenizer.h"
#include "dugao/fold.h"
#include "dugao/gram_index.h"
#include "dugao/util.h"

/* --- values and varints --- */

void gi_vec_push(struct gi_vec *v, uint64_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->v = xrealloc(v->v, v->cap * sizeof *v->v);
	}
	v->v[v->n++] = x;
}

void gi_vec_free(struct gi_vec *v)
{
	free(v->v);
	memset(v, 0, sizeof *v);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* LSD radix sort by 16-bit digits, as many as the largest value needs. */
static void sort_u64(uint64_t *v, size_t n)
{
	if (n < 2)
		return;
	uint64_t max = 0;
	bool sorted = true;
	for (size_t i = 0; i < n; i++) {
		if (v[i] > max)
			max = v[i];
		if (i && v[i] < v[i - 1])
			sorted = false;
	}
	if (sorted)
		return;
	if (n < 512) {
		qsort(v, n, sizeof *v, cmp_u64);
		return;
	}
	uint64_t *tmp = xmalloc(n * sizeof *tmp), *src = v, *dst = tmp;
	size_t *count = xmalloc(65536 * sizeof *count);
	for (int shift = 0; shift < 64 && (max >> shift); shift += 16) {
		memset(count, 0, 65536 * sizeof *count);
		for (size_t i = 0; i < n; i++)
			count[(src[i] >> shift) & 0xFFFF]++;
		size_t sum = 0;
		for (size_t d = 0; d < 65536; d++) {
			size_t c = count[d];
			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i] >> shift) & 0xFFFF]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	free(tmp);
	free(count);
}

void gi_vec_sort(struct gi_vec *v)
{
	sort_u64(v->v, v->n);
}

static inline size_t put_varint(uint8_t *p, uint64_t x)
{
	size_t k = 0;
	while (x >= 0x80) {
		p[k++] = (uint8_t)(x | 0x80);
		x >>= 7;
	}
	p[k++] = (uint8_t)x;
	return k;
}

/* One varint at *p (before end); false when cut short or too long. */
static inline bool get_varint(const uint8_t **p, const uint8_t *end, uint64_t *x)
{
	uint64_t v = 0;
	for (int shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t c = *(*p)++;
		v |= (uint64_t)(c & 0x7F) << shift;
		if (!(c & 0x80)) {
			*x = v;
			return true;
		}
	}
	return false;
}

/* Appends one posting to an encoding whose last posting was (*row, *pos). */
static inline size_t put_posting(uint8_t *p, uint32_t *row, uint32_t *pos, uint32_t r, uint32_t q)
{
	size_t k;
	if (r != *row) {
		p[0] = 0;
		k = 1 + put_varint(p + 1, r - *row);
		k += put_varint(p + k, q);
	} else {
		k = put_varint(p, q - *pos);
	}
	*row = r;
	*pos = q;
	return k;
}

/* Whether row r is in rows (ascending; NULL: all). */
static bool row_wanted(const uint32_t *rows, size_t n, uint32_t r)
{
	if (!rows)
		return true;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rows[mid] < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && rows[lo] == r;
}

/* Decodes postings from state (*row, *pos), appending the wanted ones to out.
 * false when damaged. */
static bool decode_postings(const uint8_t *p, const uint8_t *end, uint32_t *row, uint32_t *pos, const uint32_t *rows,
			    size_t nrows, struct gi_vec *out)
{
	bool want = *row && row_wanted(rows, nrows, *row);
	while (p < end) {
		uint64_t v;
		if (!get_varint(&p, end, &v))
			return false;
		if (v == 0) {
			uint64_t d, q;
			if (!get_varint(&p, end, &d) || !get_varint(&p, end, &q) || d == 0 || *row + d >= GI_MAX_ROW ||
			    q > UINT32_MAX)
				return false;
			*row += (uint32_t)d;
			*pos = (uint32_t)q;
			want = row_wanted(rows, nrows, *row);
		} else {
			if (!*row || *pos + v > UINT32_MAX)
				return false;
			*pos += (uint32_t)v;
		}
		if (want)
			gi_vec_push(out, (uint64_t)*row << 32 | *pos);
	}
	return true;
}

/* --- the page writer (a build and a merge both write through it) --- */

/* A byte buffer written in place. */
struct bytes {
	uint8_t *data;	/* contents */
	size_t len;	/* bytes used */
	size_t cap;	/* allocated */
};

static inline void bytes_reserve(struct bytes *b, size_t extra)
{
	if (b->len + extra <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

static void bytes_append(struct bytes *b, const void *data, size_t n)
{
	bytes_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
}

struct writer {
	gi_page_fn fn;		/* where pages go */
	void *ctx;		/* for fn */
	int err;		/* fn's first nonzero result */
	struct sbuf page;	/* the page of many keys being filled */
	uint64_t page_key;	/* its first key */
	uint64_t page_last;	/* its last key */
	uint64_t key;		/* the key being written */
	struct bytes posts;	/* its postings not yet in a page */
	uint32_t row;		/* encoding state: the last posting's row */
	uint32_t pos;		/* and position */
	uint32_t part;		/* parts of the key written so far */
	size_t bytes;		/* what the pages hold */
	uint32_t row_lo;	/* the lowest row written, 0 when none */
	uint32_t row_hi;	/* the highest */
};

static void writer_emit(struct writer *w, int64_t pid, const void *data, size_t n)
{
	if (w->err)
		return;
	w->err = w->fn(w->ctx, pid, data, n);
	w->bytes += n;
}

static void writer_page_flush(struct writer *w)
{
	if (w->page.len)
		writer_emit(w, gi_pid(w->page_key, 0), w->page.data, w->page.len);
	sbuf_reset(&w->page);
}

static void writer_key_begin(struct writer *w, uint64_t key)
{
	w->key = key;
	w->posts.len = 0;
	w->row = w->pos = 0;
	w->part = 0;
}

/* A key's pages of its own: the page of many keys before it is closed first, so that
 * no such page spans it. */
static void writer_part_of(struct writer *w, const uint8_t *data, size_t n)
{
	if (w->part == 0)
		writer_page_flush(w);
	if (++w->part >= 1u << GI_PID_SHIFT) {
		w->err = w->err ? w->err : -2;
		return;
	}
	writer_emit(w, gi_pid(w->key, w->part), data, n);
}

static void writer_part(struct writer *w)
{
	writer_part_of(w, w->posts.data, w->posts.len);
	w->posts.len = 0;
}

/* One posting of the key; false when out of order. */
static bool writer_add(struct writer *w, uint32_t row, uint32_t pos)
{
	if (row < w->row || (row == w->row && pos <= w->pos))
		return false;
	bytes_reserve(&w->posts, 16);
	w->posts.len += put_posting(w->posts.data + w->posts.len, &w->row, &w->pos, row, pos);
	if (!w->row_lo || row < w->row_lo)
		w->row_lo = row;
	if (row > w->row_hi)
		w->row_hi = row;
	if (w->posts.len >= GI_PART_BYTES)
		writer_part(w);
	return true;
}

static void writer_key_end(struct writer *w)
{
	if (w->part) {
		if (w->posts.len)
			writer_part(w);
		return;
	}
	if (!w->posts.len)
		return;
	if (w->posts.len > GI_BIG_BYTES) {
		writer_part(w);
		return;
	}
	uint8_t head[24];
	bool open = w->page.len > 0;
	size_t k = put_varint(head, open ? w->key - w->page_last : 0);
	k += put_varint(head + k, w->posts.len);
	if (open && w->page.len + k + w->posts.len > GI_PAGE_BYTES) {
		writer_page_flush(w);
		open = false;
		k = put_varint(head, 0);
		k += put_varint(head + k, w->posts.len);
	}
	if (!open)
		w->page_key = w->key;
	w->page_last = w->key;
	sbuf_append(&w->page, (const char *)head, k);
	sbuf_append(&w->page, (const char *)w->posts.data, w->posts.len);
	w->posts.len = 0;
}

/* A key's whole postings as encoded from state 0 (a build's): copied into pages of
 * many keys, or cut between postings into pages of its own. */
static void writer_key_raw(struct writer *w, uint64_t key, const uint8_t *data, size_t n, uint32_t row, uint32_t pos)
{
	writer_key_begin(w, key);
	if (n <= GI_BIG_BYTES) {
		bytes_append(&w->posts, data, n);
		w->row = row;
		w->pos = pos;
		writer_key_end(w);
		return;
	}
	const uint8_t *p = data, *end = data + n, *start = data;
	while (p < end) {
		int varints = *p == 0 ? 3 : 1;
		for (int v = 0; v < varints && p < end; v++) {
			while (p < end && (*p & 0x80))
				p++;
			p++;
		}
		if (p - start >= GI_PART_BYTES || p >= end) {
			writer_part_of(w, start, (size_t)((p < end ? p : end) - start));
			start = p;
		}
	}
}

static int writer_finish(struct writer *w)
{
	writer_page_flush(w);
	sbuf_free(&w->page);
	free(w->posts.data);
	return w->err;
}

/* --- building --- */

/* A key's postings in the build. */
struct gi_entry {
	uint64_t key;	/* the key, EMPTY_KEY in a free slot */
	uint8_t *buf;	/* its postings, encoded */
	uint32_t len;	/* bytes used */
	uint32_t cap;	/* bytes allocated */
	uint32_t row;	/* row of its last posting, 0 when none */
	uint32_t pos;	/* position of its last posting */
};

#define EMPTY_KEY UINT64_MAX

struct gi_build {
	struct gi_entry *tab;	/* open addressing, linear probing */
	size_t size;		/* slots, a power of two */
	size_t used;		/* keys held */
	size_t bytes;		/* postings bytes allocated */
	uint32_t row_lo;	/* first row, 0 when empty */
	uint32_t row_hi;	/* last row */
};

static void build_alloc(struct gi_build *b, size_t size)
{
	b->tab = xmalloc(size * sizeof *b->tab);
	for (size_t i = 0; i < size; i++)
		b->tab[i].key = EMPTY_KEY;
	b->size = size;
}

struct gi_build *gi_build_new(void)
{
	struct gi_build *b = xcalloc(1, sizeof *b);
	build_alloc(b, 1 << 12);
	return b;
}

void gi_build_reset(struct gi_build *b)
{
	for (size_t i = 0; i < b->size; i++)
		if (b->tab[i].key != EMPTY_KEY) {
			free(b->tab[i].buf);
			b->tab[i].key = EMPTY_KEY;
		}
	b->used = b->bytes = 0;
	b->row_lo = b->row_hi = 0;
}

void gi_build_free(struct gi_build *b)
{
	if (!b)
		return;
	gi_build_reset(b);
	free(b->tab);
	free(b);
}

size_t gi_build_bytes(const struct gi_build *b)
{
	return b->bytes + b->used * 16 + b->size * sizeof *b->tab;
}

bool gi_build_rows(const struct gi_build *b, uint32_t *lo, uint32_t *hi)
{
	*lo = b->row_lo;
	*hi = b->row_hi;
	return b->used > 0;
}

static inline size_t slot_of(uint64_t key, size_t size)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & (size - 1);
}

static void build_grow(struct gi_build *b)
{
	struct gi_entry *old = b->tab;
	size_t n = b->size;
	build_alloc(b, n * 2);
	for (size_t i = 0; i < n; i++)
		if (old[i].key != EMPTY_KEY) {
			size_t s = slot_of(old[i].key, b->size);
			while (b->tab[s].key != EMPTY_KEY)
				s = (s + 1) & (b->size - 1);
			b->tab[s] = old[i];
		}
	free(old);
}

static inline void build_posting(struct gi_build *b, uint64_t key, uint32_t row, uint32_t pos)
{
	size_t s = slot_of(key, b->size);
	struct gi_entry *e;
	for (;;) {
		e = &b->tab[s];
		if (e->key == key)
			break;
		if (e->key == EMPTY_KEY) {
			if (2 * (b->used + 1) > b->size) {
				build_grow(b);
				build_posting(b, key, row, pos);
				return;
			}
			*e = (struct gi_entry){ .key = key };
			b->used++;
			break;
		}
		s = (s + 1) & (b->size - 1);
	}
	if (e->len + 16 > e->cap) {
		uint32_t cap = e->cap ? e->cap * 2 : 16;
		e->buf = xrealloc(e->buf, cap);
		b->bytes += cap - e->cap;
		e->cap = cap;
	}
	e->len += (uint32_t)put_posting(e->buf + e->len, &e->row, &e->pos, row, pos);
}

/* One character at text[i]: folded code point and its byte length. */
static inline uint32_t next_cp(const char *text, size_t n, size_t i, size_t *k)
{
	const unsigned char *s = (const unsigned char *)text + i;
	if (s[0] < 0x80) {
		*k = 1;
		return fold_char(s[0]);
	}
	/* CJK ideographs, the bulk of the text: no folding, never a separator */
	if (s[0] >= 0xE4 && s[0] <= 0xE9 && n - i >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*k = 3;
		return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
	}
	uint32_t cp;
	*k = utf8_decode(text + i, n - i, &cp);
	if (!*k)
		*k = 1;
	return fold_char(cp);
}

/* Adds keys[0..m-1], at positions from pos on, looking a few keys ahead so that the
 * slots are in the cache by the time they are probed. */
static void build_keys(struct gi_build *b, const uint64_t *keys, size_t m, uint32_t row, uint32_t pos)
{
	enum { AHEAD = 8 };
	for (size_t i = 0; i < m; i++) {
		if (i + AHEAD < m)
			__builtin_prefetch(&b->tab[slot_of(keys[i + AHEAD], b->size)]);
		build_posting(b, keys[i], row, pos + (uint32_t)i);
	}
}

void gi_build_add(struct gi_build *b, uint32_t row, const char *text, size_t n)
{
	if (n == 0)
		return;
	if (!b->row_lo)
		b->row_lo = row;
	b->row_hi = row;
	enum { BATCH = 4096 };
	uint64_t keys[BATCH];
	size_t k, m = 0;
	uint32_t pos = 0;
	uint32_t cur = next_cp(text, n, 0, &k);
	bool cur_sep = cjk_separator(cur);
	for (size_t i = k;;) {
		if (m == BATCH) {
			build_keys(b, keys, m, row, pos);
			pos += BATCH;
			m = 0;
		}
		if (i >= n) {
			keys[m++] = gi_key_lone(cur);
			break;
		}
		uint32_t nxt = next_cp(text, n, i, &k);
		/* (CJK ideographs, the bulk of the text, are never separators) */
		bool nxt_sep = nxt >= 0x4000 && nxt < 0xA000 ? false : cjk_separator(nxt);
		keys[m++] = cur_sep || nxt_sep ? gi_key_lone(cur) : gi_key_pair(cur, nxt);
		cur = nxt;
		cur_sep = nxt_sep;
		i += k;
	}
	build_keys(b, keys, m, row, pos);
}

/* The key of a sort item (key << 21 | entry's slot is too short for a big table). */
struct sort_item {
	uint64_t key;	/* the key */
	size_t slot;	/* its entry */
};

static int cmp_item(const void *a, const void *b)
{
	uint64_t x = ((const struct sort_item *)a)->key, y = ((const struct sort_item *)b)->key;
	return x < y ? -1 : x > y;
}

int gi_build_write(struct gi_build *b, gi_page_fn fn, void *ctx, size_t *bytes)
{
	struct sort_item *items = xmalloc((b->used + 1) * sizeof *items);
	size_t n = 0;
	for (size_t i = 0; i < b->size; i++)
		if (b->tab[i].key != EMPTY_KEY)
			items[n++] = (struct sort_item){ .key = b->tab[i].key, .slot = i };
	/* keys below 2^43: by 11-bit digits when many, else qsort */
	if (n >= 4096) {
		struct sort_item *tmp = xmalloc(n * sizeof *tmp), *src = items, *dst = tmp;
		size_t count[2048];
		for (int shift = 0; shift < 44; shift += 11) {
			memset(count, 0, sizeof count);
			for (size_t i = 0; i < n; i++)
				count[(src[i].key >> shift) & 2047]++;
			size_t sum = 0;
			for (size_t d = 0; d < 2048; d++) {
				size_t c = count[d];
				count[d] = sum;
				sum += c;
			}
			for (size_t i = 0; i < n; i++)
				dst[count[(src[i].key >> shift) & 2047]++] = src[i];
			struct sort_item *t = src;
			src = dst;
			dst = t;
		}
		if (src != items)
			memcpy(items, src, n * sizeof *items);
		free(tmp);
	} else {
		qsort(items, n, sizeof *items, cmp_item);
	}
	struct writer w = { .fn = fn, .ctx = ctx };
	for (size_t i = 0; i < n && !w.err; i++) {
		struct gi_entry *e = &b->tab[items[i].slot];
		writer_key_raw(&w, e->key, e->buf, e->len, e->row, e->pos);
	}
	int rc = writer_finish(&w);
	*bytes = w.bytes;
	free(items);
	gi_build_reset(b);
	return rc;
}

/* --- merging --- */

/* One segment being merged: its current page and place in it. */
struct cursor {
	struct gi_source src;	/* its pages */
	uint8_t *page;		/* a copy of the current page */
	size_t n;		/* its length */
	size_t cap;		/* allocated */
	int64_t pid;		/* its pid */
	size_t at;		/* next entry in a page of many keys */
	bool done;		/* no more keys */
	uint64_t key;		/* the current key */
	bool own;		/* the key has pages of its own (the current page is its first) */
	const uint8_t *post;	/* its postings in a page of many keys */
	size_t post_len;	/* their length */
};

/* Reads the next page: 1, 0 at the end, -1 on error. */
static int cursor_page(struct cursor *c)
{
	const uint8_t *data;
	size_t n;
	int rc = c->src.next(c->src.ctx, &c->pid, &data, &n);
	if (rc != 1)
		return rc;
	if (n > c->cap) {
		c->cap = n;
		c->page = xrealloc(c->page, n);
	}
	if (n)
		memcpy(c->page, data, n);
	c->n = n;
	c->at = 0;
	return 1;
}

/* Moves to the next key, reading a page when the current one is used up: 0, -1 on a
 * read error, -2 on a damaged page. */
static int cursor_key(struct cursor *c, bool need_page)
{
	for (;;) {
		if (need_page) {
			int rc = cursor_page(c);
			if (rc <= 0) {
				c->done = true;
				return rc;
			}
			need_page = false;
			if (c->pid & ((1 << GI_PID_SHIFT) - 1)) {
				c->key = (uint64_t)c->pid >> GI_PID_SHIFT;
				c->own = true;
				return (c->pid & ((1 << GI_PID_SHIFT) - 1)) == 1 ? 0 : -2;
			}
			c->own = false;
			c->key = (uint64_t)c->pid >> GI_PID_SHIFT;
		}
		if (c->at >= c->n) {
			need_page = true;
			continue;
		}
		const uint8_t *p = c->page + c->at, *end = c->page + c->n;
		uint64_t delta, len;
		if (!get_varint(&p, end, &delta) || !get_varint(&p, end, &len) || len > (size_t)(end - p))
			return -2;
		c->key += delta;
		c->post = p;
		c->post_len = (size_t)len;
		c->at = (size_t)(p - c->page) + (size_t)len;
		return 0;
	}
}

/* Live rows as a bitmap over [lo, hi]. */
struct live_set {
	uint64_t *bits;	/* one bit a row */
	uint32_t lo;	/* the first row it covers */
	uint32_t hi;	/* the last */
};

static bool live_has(const struct live_set *l, uint32_t r)
{
	return r >= l->lo && r <= l->hi && (l->bits[(r - l->lo) >> 6] >> ((r - l->lo) & 63) & 1);
}

int gi_merge(const struct gi_source *src, int k, const uint32_t *live, size_t nlive, gi_page_fn fn, void *ctx,
	     struct gi_merged *out)
{
	memset(out, 0, sizeof *out);
	struct live_set ls = { 0 };
	if (nlive) {
		ls.lo = live[0];
		ls.hi = live[nlive - 1];
		ls.bits = xcalloc(((size_t)(ls.hi - ls.lo) >> 6) + 1, sizeof *ls.bits);
		for (size_t i = 0; i < nlive; i++)
			ls.bits[(live[i] - ls.lo) >> 6] |= (uint64_t)1 << ((live[i] - ls.lo) & 63);
	}
	struct cursor *cs = xcalloc((size_t)k, sizeof *cs);
	struct writer w = { .fn = fn, .ctx = ctx };
	struct gi_vec tmp = { 0 };
	int err = 0;
	for (int i = 0; i < k && !err; i++) {
		cs[i].src = src[i];
		err = cursor_key(&cs[i], true);
	}
	while (!err && !w.err) {
		uint64_t min = EMPTY_KEY;
		for (int i = 0; i < k; i++)
			if (!cs[i].done && cs[i].key < min)
				min = cs[i].key;
		if (min == EMPTY_KEY)
			break;
		writer_key_begin(&w, min);
		for (int i = 0; i < k && !err; i++) {
			struct cursor *c = &cs[i];
			if (c->done || c->key != min)
				continue;
			uint32_t row = 0, pos = 0;
			bool more = true;
			while (more && !err) {
				const uint8_t *p = c->own ? c->page : c->post;
				size_t n = c->own ? c->n : c->post_len;
				tmp.n = 0;
				if (!decode_postings(p, p + n, &row, &pos, NULL, 0, &tmp)) {
					err = -2;
					break;
				}
				for (size_t j = 0; j < tmp.n && !err; j++) {
					uint32_t r = (uint32_t)(tmp.v[j] >> 32);
					if (live_has(&ls, r) && !writer_add(&w, r, (uint32_t)tmp.v[j]))
						err = -2;	/* rows out of order: the segments overlap */
				}
				if (!c->own) {
					err = err ? err : cursor_key(c, false);
					more = false;
				} else {
					uint32_t part = (uint32_t)(c->pid & ((1 << GI_PID_SHIFT) - 1));
					int rc = cursor_page(c);
					if (rc <= 0) {
						c->done = true;
						err = rc;
						more = false;
					} else if ((c->pid & ((1 << GI_PID_SHIFT) - 1)) && (uint64_t)c->pid >> GI_PID_SHIFT == min) {
						if ((c->pid & ((1 << GI_PID_SHIFT) - 1)) != part + 1)
							err = -2;
					} else {
						/* the next key's page: read as a fresh one */
						more = false;
						c->own = (c->pid & ((1 << GI_PID_SHIFT) - 1)) != 0;
						c->key = (uint64_t)c->pid >> GI_PID_SHIFT;
						if (c->own && (c->pid & ((1 << GI_PID_SHIFT) - 1)) != 1)
							err = -2;
						else if (!c->own)
							err = cursor_key(c, false);
					}
				}
			}
		}
		writer_key_end(&w);
	}
	int rc = writer_finish(&w);
	if (!err)
		err = rc;
	out->bytes = w.bytes;
	out->row_lo = w.row_lo;
	out->row_hi = w.row_hi;
	for (int i = 0; i < k; i++)
		free(cs[i].page);
	free(cs);
	free(ls.bits);
	gi_vec_free(&tmp);
	return err;
}

/* --- reading --- */

int gi_decode_page(struct gi_decoder *d, int64_t pid, const uint8_t *data, size_t n, uint64_t lo, uint64_t hi,
		   const uint32_t *rows, size_t nrows, struct gi_vec *out)
{
	uint64_t key = (uint64_t)pid >> GI_PID_SHIFT;
	uint32_t part = (uint32_t)(pid & ((1 << GI_PID_SHIFT) - 1));
	const uint8_t *p = data, *end = data + n;
	if (part) {
		if (key < lo || key > hi)
			return 0;
		if (part == 1 || d->key != key || d->part + 1 != part) {
			if (part != 1)
				return -1;
			d->row = d->pos = 0;
		}
		d->key = key;
		d->part = part;
		return decode_postings(p, end, &d->row, &d->pos, rows, nrows, out) ? 0 : -1;
	}
	d->part = 0;
	while (p < end) {
		uint64_t delta, len;
		if (!get_varint(&p, end, &delta) || !get_varint(&p, end, &len) || len > (size_t)(end - p))
			return -1;
		key += delta;
		if (key > hi)
			break;
		if (key >= lo) {
			uint32_t row = 0, pos = 0;
			if (!decode_postings(p, p + len, &row, &pos, rows, nrows, out))
				return -1;
		}
		p += len;
	}
	return 0;
}

/* --- queries --- */

int gi_word_terms(const char *word, size_t n, struct gi_term **terms)
{
	*terms = NULL;
	size_t m = 0, cap = 0;
	uint32_t *cps = NULL;
	for (size_t i = 0; i < n;) {
		size_t k;
		uint32_t cp = next_cp(word, n, i, &k);
		if (m == cap) {
			cap = cap ? cap * 2 : 16;
			cps = xrealloc(cps, cap * sizeof *cps);
		}
		cps[m++] = cp;
		i += k;
	}
	if (m == 0) {
		free(cps);
		return 0;
	}
	/* the query form's tokens: one per character, up to the one covering the last */
	struct gi_term *all = xmalloc(m * sizeof *all);
	uint32_t *reach = xmalloc(m * sizeof *reach);
	size_t nt = 0;
	for (size_t i = 0; i < m; i++) {
		bool pair = i + 1 < m && !cjk_separator(cps[i]) && !cjk_separator(cps[i + 1]);
		if (pair) {
			all[nt] = (struct gi_term){ .lo = gi_key_pair(cps[i], cps[i + 1]), .at = (uint32_t)i };
			all[nt].hi = all[nt].lo;
			reach[nt++] = (uint32_t)i + 1;
			if (i + 2 == m)
				break;
		} else {
			bool prefix = i + 1 == m && !cjk_separator(cps[i]);
			all[nt] = (struct gi_term){ .lo = gi_key_lone(cps[i]), .at = (uint32_t)i };
			all[nt].hi = prefix ? gi_key_prefix_end(cps[i]) : all[nt].lo;
			reach[nt++] = (uint32_t)i;
		}
	}
	/* a cover: the token at the first character not yet covered, or the last token */
	struct gi_term *out = xmalloc(nt * sizeof *out);
	int k = 0;
	uint32_t covered = 0;	/* characters 0..covered-1 are covered */
	for (size_t t = 0; t < nt; t++) {
		bool last = t + 1 == nt;
		if (all[t].at >= covered || (last && reach[t] >= covered)) {
			out[k++] = all[t];
			covered = reach[t] + 1;
		}
	}
	free(all);
	free(reach);
	free(cps);
	*terms = out;
	return k;
}

/* The first index >= from with v[i] >= x (galloping). */
static size_t seek(const uint64_t *v, size_t n, size_t from, uint64_t x)
{
	size_t step = 1, lo = from, hi = from;
	while (hi < n && v[hi] < x) {
		lo = hi + 1;
		hi += step;
		step *= 2;
	}
	if (hi > n)
		hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void gi_phrase(const struct gi_vec *lists, const struct gi_term *terms, int k, struct gi_vec *out)
{
	out->n = 0;
	if (k <= 0)
		return;
	int s = 0;
	for (int j = 1; j < k; j++)
		if (lists[j].n < lists[s].n)
			s = j;
	size_t *at = xcalloc((size_t)k, sizeof *at);
	for (size_t i = 0; i < lists[s].n; i++) {
		uint64_t v = lists[s].v[i];
		if ((uint32_t)v < terms[s].at)
			continue;
		uint64_t start = v - terms[s].at;
		bool ok = true;
		for (int j = 0; j < k && ok; j++) {
			if (j == s)
				continue;
			uint64_t want = start + terms[j].at;
			at[j] = seek(lists[j].v, lists[j].n, at[j], want);
			ok = at[j] < lists[j].n && lists[j].v[at[j]] == want;
		}
		if (ok)
			gi_vec_push(out, start);
	}
	free(at);
}

long gi_hits(const struct gi_vec *words, const uint32_t *lens, int nwords, const struct gi_vec *newlines,
	     struct gi_hit **hits)
{
	if (hits)
		*hits = NULL;
	if (nwords <= 0 || nwords > 32)
		return 0;
	/* every occurrence as value << 5 | word, in text order (ties: the earlier word) */
	struct gi_vec all = { 0 };
	for (int w = 0; w < nwords; w++)
		for (size_t i = 0; i < words[w].n; i++)
			gi_vec_push(&all, words[w].v[i] << 5 | (uint64_t)w);
	gi_vec_sort(&all);
	long count = 0;
	size_t nh = 0, caph = 0;
	uint32_t all_words = nwords == 32 ? UINT32_MAX : (1u << nwords) - 1;
	size_t nl = 0, row_first = 0;	/* newline index; the first of its row */
	for (size_t i = 0; i < all.n;) {
		uint64_t v = all.v[i] >> 5;
		uint32_t row = (uint32_t)(v >> 32);
		/* the stretch holding it: its line, or (no newlines) its row */
		uint64_t stop;
		uint32_t para = 0, para_start = 0;
		if (newlines) {
			while (nl < newlines->n && newlines->v[nl] < v) {
				nl++;
				if (nl < newlines->n && newlines->v[nl] >> 32 != newlines->v[nl - 1] >> 32)
					row_first = nl;
			}
			if (nl < newlines->n && newlines->v[nl] >> 32 == row) {
				if (nl > row_first) {
					para = (uint32_t)(nl - row_first);
					para_start = (uint32_t)newlines->v[nl - 1] + 1;
				}
				stop = newlines->v[nl];
			} else {
				stop = ((uint64_t)row + 1) << 32;	/* no line end: the rest of the row */
			}
		} else {
			stop = ((uint64_t)row + 1) << 32;
		}
		size_t j = i;
		uint32_t seen = 0;
		while (j < all.n && (all.v[j] >> 5) < stop)
			seen |= 1u << (all.v[j++] & 31);
		if (!newlines || seen == all_words) {
			uint64_t end = 0;
			for (size_t t = i; t < j; t++) {
				uint64_t at = all.v[t] >> 5;
				uint32_t w = (uint32_t)(all.v[t] & 31);
				if (at < end)
					continue;
				end = at + lens[w];
				count++;
				if (hits && newlines) {
					if (nh == caph) {
						caph = caph ? caph * 2 : 64;
						*hits = xrealloc(*hits, caph * sizeof **hits);
					}
					(*hits)[nh++] = (struct gi_hit){ .row = row,
									 .para = para,
									 .offset = (uint32_t)at - para_start,
									 .length = lens[w] };
				}
			}
		}
		i = j;
	}
	gi_vec_free(&all);
	return count;
}
