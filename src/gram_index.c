#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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
		if (count[(src[0] >> shift) & 0xFFFF] == n)
			continue;	/* one digit for all (a position's high bits): nothing moves */
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

void gi_vec_merge(struct gi_vec *a, const struct gi_vec *b)
{
	if (!b->n)
		return;
	/* in place from the end: a grows (no copy of a big list into fresh pages) */
	size_t i = a->n, j = b->n, k = a->n + b->n;
	if (k > a->cap) {
		a->cap = k;
		a->v = xrealloc(a->v, k * sizeof *a->v);
	}
	while (j > 0)
		a->v[--k] = i > 0 && a->v[i - 1] > b->v[j - 1] ? a->v[--i] : b->v[--j];
	a->n += b->n;
}

void gi_vec_merge_runs(struct gi_vec *v, size_t from, const struct gi_vec *runs, struct gi_vec *scratch)
{
	/* the runs' bounds, from from */
	size_t n = v->n - from, *at = xmalloc((runs->n + 2) * sizeof *at), k = 0;
	at[k++] = 0;
	for (size_t r = 0; r < runs->n; r++)
		if (runs->v[r] > from + at[k - 1] && runs->v[r] < v->n)
			at[k++] = (size_t)runs->v[r] - from;
	at[k] = n;
	if (k > 1) {
		struct gi_vec own = { 0 }, *buf = scratch ? scratch : &own;
		if (buf->cap < n) {
			free(buf->v);
			buf->cap = n;
			buf->v = xmalloc(n * sizeof *buf->v);
		}
		uint64_t *tmp = buf->v, *src = v->v + from, *dst = tmp;
		while (k > 1) {
			size_t m = 0;
			for (size_t r = 0; r < k; r += 2) {
				size_t i = at[r], mid = r + 1 < k ? at[r + 1] : n, end = r + 1 < k ? at[r + 2] : n, j = mid, o = i;
				/* (without a branch on which is less: it is as good as random) */
				while (i < mid && j < end) {
					uint64_t x = src[i], y = src[j];
					bool t = y < x;
					dst[o++] = t ? y : x;
					i += !t;
					j += t;
				}
				while (i < mid)
					dst[o++] = src[i++];
				while (j < end)
					dst[o++] = src[j++];
				at[m++] = at[r];
			}
			at[m] = n;
			k = m;
			uint64_t *t = src;
			src = dst;
			dst = t;
		}
		if (src != v->v + from)
			memcpy(v->v + from, src, n * sizeof *src);
		gi_vec_free(&own);
	}
	free(at);
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

/* get_varint, the one or two bytes most postings take read from one load when eight
 * bytes are there. */
static inline bool get_varint_fast(const uint8_t **p, const uint8_t *end, uint64_t *x)
{
	if (end - *p >= 8) {
		uint64_t w;
		memcpy(&w, *p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);	/* the first byte lowest */
#endif
		/* one byte or two without a branch (which of them is as good as random) */
		uint64_t two = w >> 7 & 1;
		if (!(w & two << 15)) {
			*x = (w & 0x7F) | (w >> 1 & 0x3F80 & -two);
			*p += 1 + two;
			return true;
		}
	}
	return get_varint(p, end, x);
}

/* Appends one posting to an encoding whose last posting was (*row, *pos): the row
 * delta * 2 + 1 and the position when the row changes, else the position delta * 2
 * (0 ends a key's postings in a segment). At most 11 bytes. */
static inline size_t put_posting(uint8_t *p, uint32_t *row, uint32_t *pos, uint32_t r, uint32_t q)
{
	size_t k;
	if (r != *row) {
		k = put_varint(p, (uint64_t)(r - *row) * 2 + 1);
		k += put_varint(p + k, q);
	} else {
		k = put_varint(p, (uint64_t)(q - *pos) * 2);
	}
	*row = r;
	*pos = q;
	return k;
}

/* Which rows a decode keeps: a range, and within it, when list, only those of rows. */
struct gi_row_filter {
	const uint32_t *rows;	/* the rows, ascending, when list */
	size_t n;		/* how many */
	uint32_t lo;		/* the first row kept */
	uint32_t hi;		/* the last */
	bool list;		/* rows are not all of lo..hi */
};

static struct gi_row_filter row_filter(const uint32_t *rows, size_t n)
{
	if (!rows)
		return (struct gi_row_filter){ .lo = 0, .hi = UINT32_MAX };
	if (n == 0)
		return (struct gi_row_filter){ .lo = 1, .hi = 0 };
	return (struct gi_row_filter){ .rows = rows, .n = n, .lo = rows[0], .hi = rows[n - 1],
				    .list = (size_t)(rows[n - 1] - rows[0]) + 1 != n };
}

static inline bool row_kept(const struct gi_row_filter *f, uint32_t r)
{
	if (r < f->lo || r > f->hi)
		return false;
	if (!f->list)
		return true;
	size_t lo = 0, hi = f->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->rows[mid] < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n && f->rows[lo] == r;
}

enum { DEC_MORE, DEC_END, DEC_BAD };

static size_t seek(const uint64_t *v, size_t n, size_t from, uint64_t x);

/* decode_postings for one kind of call (the compiler makes one of each, the tests of
 * the kind out of the loop): listing into ov from *on, or counting into *kept; with a
 * probe or without; listing each posting less lift (lifting). */
static inline __attribute__((always_inline)) int decode_kind(const uint8_t **pp, const uint8_t *end, bool last,
							    struct gi_postings *ps, uint64_t *ov, size_t *on,
							    long *kept, struct gi_probe *probe, uint32_t lift,
							    const bool listing, const bool probing, const bool lifting)
{
	const uint8_t *p = *pp;
	/* the state in locals: this loop is most of a query's time. The position in 64
	 * bits, out of range before the key's first row: a delta before a row, or one past
	 * UINT32_MAX, is then one test. */
	uint32_t row = ps->row;
	uint64_t pos = row ? ps->pos : (uint64_t)1 << 40;
	bool want = ps->want;
	size_t n = listing ? *on : 0;
	long k = 0;
	const uint64_t *pv = probing ? probe->v : NULL;
	size_t pn = probing ? probe->n : 0, pat = probing ? probe->at : 0;
	uint32_t shift = probing ? probe->shift : 0;
	int rc = DEC_MORE;
	while (p < end) {
		const uint8_t *at = p;
		uint64_t v, q;
		if (!get_varint_fast(&p, end, &v)) {
			p = at;
			rc = last ? DEC_BAD : DEC_MORE;
			break;
		}
		if (!(v & 1)) {
			if (v == 0) {
				rc = DEC_END;
				break;
			}
			pos += v >> 1;
			if (pos > UINT32_MAX) {
				rc = DEC_BAD;
				break;
			}
		} else {
			if (!get_varint_fast(&p, end, &q)) {
				p = at;
				rc = last ? DEC_BAD : DEC_MORE;
				break;
			}
			if (row + (v >> 1) >= GI_MAX_ROW || q > UINT32_MAX) {
				rc = DEC_BAD;
				break;
			}
			row += (uint32_t)(v >> 1);
			pos = q;
			want = row_kept(ps->f, row);
		}
		if (!want || (lifting && pos < lift))
			continue;
		uint64_t x = (uint64_t)row << 32 | pos;
		if (probing) {
			/* only where the word may start (postings ascend within a key) */
			if (pos < shift)
				continue;
			uint64_t t = x - shift;
			/* one test a posting, true about once a start (the starts are fewer:
			 * a rare bigram's probing a common one's); a start found is used up */
			if (pat == pn || pv[pat] > t)
				continue;
			if (pv[pat] < t) {
				/* a few steps (the starts are often as dense), then a gallop */
				size_t near = pat + 4 < pn ? pat + 4 : pn;
				do
					pat++;
				while (pat < near && pv[pat] < t);
				if (pat < pn && pv[pat] < t)
					pat = seek(pv, pn, pat + 1, t);
				if (pat == pn || pv[pat] != t)
					continue;
			}
			pat++;
		}
		if (listing)
			ov[n++] = lifting ? x - lift : x;
		else
			k++;
	}
	ps->row = row;
	if (row)
		ps->pos = (uint32_t)pos;
	ps->want = want;
	if (listing)
		*on = n;
	else
		*kept += k;
	if (probing)
		probe->at = pat;
	*pp = p;
	if (rc == DEC_MORE && last && p == end)
		rc = DEC_BAD;	/* no 0 at the end */
	return rc;
}

/* Decodes postings from *p up to end, appending the kept ones to out (less lift, those
 * at positions below lift dropped: gi_decoder's) or counting them in *count when out is
 * NULL, up to the 0 that ends them (DEC_END, *p past it). At the end of the bytes,
 * DEC_MORE with *p at the first posting not complete (last: there are no more bytes, so
 * a cut posting is damage). */
static int decode_postings(const uint8_t **pp, const uint8_t *end, bool last, struct gi_postings *ps, struct gi_vec *out,
			   long *count, struct gi_probe *probe, uint32_t lift)
{
	if (!out)
		return probe ? decode_kind(pp, end, last, ps, NULL, NULL, count, probe, 0, false, true, false) :
			       decode_kind(pp, end, last, ps, NULL, NULL, count, NULL, 0, false, false, false);
	if (out->n + (size_t)(end - *pp) > out->cap) {
		/* at most a posting a byte */
		size_t need = out->n + (size_t)(end - *pp);
		out->cap = need > 2 * out->cap ? need : 2 * out->cap;
		out->v = xrealloc(out->v, out->cap * sizeof *out->v);
	}
	if (lift)
		return probe ? decode_kind(pp, end, last, ps, out->v, &out->n, NULL, probe, lift, true, true, true) :
			       decode_kind(pp, end, last, ps, out->v, &out->n, NULL, NULL, lift, true, false, true);
	return probe ? decode_kind(pp, end, last, ps, out->v, &out->n, NULL, probe, 0, true, true, false) :
		       decode_kind(pp, end, last, ps, out->v, &out->n, NULL, NULL, 0, true, false, false);
}

/* Skips postings from *p up to end, as decode_postings would decode them, following only
 * their row (*row: the last posting's): to the 0 that ends them (DEC_END, *p past it),
 * or DEC_MORE at the end of the bytes with *p at the first posting not complete (last:
 * there are no more bytes, so a cut posting is damage). A merge that keeps every row
 * needs only where a key's postings end and their last row, not their values: eight
 * bytes at a time pass while they hold only position deltas (varints whose first byte
 * is even and not 0), the bulk of a common key's bytes. */
static int skip_postings(const uint8_t **pp, const uint8_t *end, bool last, uint32_t *rowp)
{
	const uint64_t hi = 0x8080808080808080ULL, lo7 = 0x7F7F7F7F7F7F7F7FULL;
	const uint8_t *p = *pp;
	uint32_t row = *rowp;
	int rc = DEC_MORE;
	while (p < end) {
		if (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			w = __builtin_bswap64(w);	/* the first byte lowest */
#endif
			/* bit 7 of each byte: it ends a varint; it starts one (p starts one);
			 * it is odd; it is 0 */
			uint64_t ends = ~w & hi, starts = ends << 8 | 0x80, odd = w << 7 & hi;
			uint64_t zero = ~(((w & lo7) + lo7) | w) & hi;
			uint64_t stop = starts & (odd | zero);
			if (!stop) {
				if (!ends)
					return DEC_BAD;	/* a varint of more than eight bytes */
				p += (63 - __builtin_clzll(ends)) / 8 + 1;	/* past the last varint that ends */
				continue;
			}
			unsigned j = (unsigned)__builtin_ctzll(stop) / 8;	/* the first posting not a delta */
			unsigned c = (unsigned)(w >> 8 * j) & 0xFF;
			uint64_t after = ends >> 8 * j >> 8;	/* where the varints after it end */
			if ((c & 0x81) == 1 && after) {
				/* a row change of one byte, its position ending in the word too
				 * (the usual one; a position of fewer than five bytes is below
				 * 2^32): passed here */
				unsigned len = (unsigned)__builtin_ctzll(after) / 8 + 1;
				if (len < 5 && row + (c >> 1) < GI_MAX_ROW) {
					row += c >> 1;
					p += j + 1 + len;
					continue;
				}
			}
			p += j;
		}
		/* one posting: a position delta, a row change, or the 0 that ends them */
		const uint8_t *at = p;
		uint64_t v, q;
		if (!get_varint(&p, end, &v)) {
			p = at;
			rc = last || end - at >= 10 ? DEC_BAD : DEC_MORE;
			break;
		}
		if (v == 0) {
			rc = DEC_END;
			break;
		}
		if (!(v & 1))
			continue;
		if (!get_varint(&p, end, &q)) {
			p = at;
			rc = last || end - at >= 20 ? DEC_BAD : DEC_MORE;
			break;
		}
		if (row + (v >> 1) >= GI_MAX_ROW || q > UINT32_MAX) {
			rc = DEC_BAD;
			break;
		}
		row += (uint32_t)(v >> 1);
	}
	*rowp = row;
	*pp = p;
	if (rc == DEC_MORE && last && p == end)
		rc = DEC_BAD;	/* no 0 at the end */
	return rc;
}

/* --- the writer: a segment's stream of keys cut into pages (a build and a merge both
 * write through it) --- */

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

struct writer {
	gi_page_fn fn;		/* where pages go */
	void *ctx;		/* for fn */
	int err;		/* fn's first nonzero result */
	uint8_t page[GI_PAGE_BYTES + 16];	/* the page being filled: its header's room, then bytes */
	size_t len;		/* bytes in it, after the header's room */
	size_t first;		/* where its first key starts, SIZE_MAX when none yet */
	uint64_t first_key;	/* that key */
	uint64_t key;		/* the key being written (its postings may run on) */
	bool open;		/* its postings have begun */
	uint32_t cont;		/* pages of the current key without a key of their own */
	uint64_t last_key;	/* the key written before, for deltas */
	uint32_t row;		/* encoding state: the last posting's row */
	uint32_t pos;		/* and position */
	size_t bytes;		/* what the pages hold */
	uint32_t row_lo;	/* the lowest row written, 0 when none */
	uint32_t row_hi;	/* the highest */
};

enum { PAGE_HEAD = 3 };	/* room for the page header, a varint below 2^21 */

/* Sends the page: its header (where its first key starts, + 1; 0 when none), then
 * its bytes; pid by its first key, or, none starting in it, by the key running on. */
static void writer_page_flush(struct writer *w)
{
	if (!w->len)
		return;
	uint8_t head[PAGE_HEAD];
	size_t h = put_varint(head, w->first == SIZE_MAX ? 0 : w->first + 1);
	uint8_t *start = w->page + PAGE_HEAD - h;
	memcpy(start, head, h);
	int64_t pid = w->first != SIZE_MAX ? gi_pid(w->first_key, 0) : gi_pid(w->key, ++w->cont);
	if (w->first != SIZE_MAX)
		w->cont = 0;
	if (w->cont >= 1u << GI_PID_SHIFT)
		w->err = w->err ? w->err : -2;
	if (!w->err)
		w->err = w->fn(w->ctx, pid, start, w->len + h);
	w->bytes += w->len + h;
	w->len = 0;
	w->first = SIZE_MAX;
}

static void __attribute__((noinline)) writer_bytes_slow(struct writer *w, const uint8_t *data, size_t n)
{
	while (n) {
		size_t k = GI_PAGE_BYTES - w->len < n ? GI_PAGE_BYTES - w->len : n;
		memcpy(w->page + PAGE_HEAD + w->len, data, k);
		w->len += k;
		data += k;
		n -= k;
		if (w->len == GI_PAGE_BYTES)
			writer_page_flush(w);
	}
}

/* Appends n bytes to the page, flushed when full; bytes that leave it unfilled (most
 * of a build's keys are a few bytes) without the loop. */
static inline void writer_bytes(struct writer *w, const uint8_t *data, size_t n)
{
	if (n < GI_PAGE_BYTES - w->len) {
		memcpy(w->page + PAGE_HEAD + w->len, data, n);
		w->len += n;
	} else {
		writer_bytes_slow(w, data, n);
	}
}

/* Where up to n bytes go directly when they would leave the page unfilled, else NULL
 * (then writer_bytes). */
static inline uint8_t *writer_room(struct writer *w, size_t n)
{
	return n < GI_PAGE_BYTES - w->len ? w->page + PAGE_HEAD + w->len : NULL;
}

/* Starts key's entry: its delta from the key before. */
static void writer_key_open(struct writer *w, uint64_t key)
{
	if (w->first == SIZE_MAX) {
		w->first = w->len;
		w->first_key = key;
	}
	w->key = key;
	w->cont = 0;
	uint8_t b[10], *p = writer_room(w, sizeof b);
	if (p)
		w->len += put_varint(p, key - w->last_key);
	else
		writer_bytes(w, b, put_varint(b, key - w->last_key));
	w->last_key = key;
	w->open = true;
}

static void writer_key_begin(struct writer *w, uint64_t key)
{
	w->key = key;
	w->open = false;
	w->row = w->pos = 0;
}

/* One posting of the key (its entry opens with the first); false when out of order. */
static bool writer_add(struct writer *w, uint32_t row, uint32_t pos)
{
	if (row < w->row || (row == w->row && pos <= w->pos))
		return false;
	if (!w->open)
		writer_key_open(w, w->key);
	uint8_t b[16], *p = writer_room(w, sizeof b);
	if (p)
		w->len += put_posting(p, &w->row, &w->pos, row, pos);
	else
		writer_bytes(w, b, put_posting(b, &w->row, &w->pos, row, pos));
	if (!w->row_lo || row < w->row_lo)
		w->row_lo = row;
	if (row > w->row_hi)
		w->row_hi = row;
	return true;
}

static void writer_key_end(struct writer *w)
{
	if (w->open)
		writer_bytes(w, (const uint8_t[]){ 0 }, 1);
	w->open = false;
}

static int writer_finish(struct writer *w)
{
	writer_page_flush(w);
	return w->err;
}

/* --- building --- */

/* A key's postings in the build, encoded as the segment holds them, in chunks of the
 * build's arena (16 bytes, 16, 32, ... doubling to CHUNK_MAX), each after a head word:
 * a pointer to the chunk before, and, in the last chunk's, cap_log from bit
 * HEAD_CAP_SHIFT on (the buffer gi_build_bytes counts for the key, 8 << cap_log bytes;
 * in the head, not in the entry, the key a probe compares is the whole word). Postings
 * grow without a realloc's copy, and emptying a build frees a few slabs, not a buffer a
 * key. Every chunk but the last is full (a posting that does not fit fills it, the
 * rest starts the next), so len tells which chunk is the last and what room it has
 * left (chunk_end). */
struct gi_entry {
	uint64_t kw;		/* the key; EMPTY_KEY in a free slot */
	uint8_t *wp;		/* where its next byte goes, in its last chunk */
	uint64_t last;		/* its last posting, row << 32 | position; 0 when none (a
				 * posting's distance from it is below 2^32 only in its row) */
	/* len, the bytes of postings, and lim (while len is below, a posting fits its last
	 * chunk and does not grow the buffer counted: build_posting's fast case), both
	 * less the low 32 bits of wp (modulo 2^32): len is those bits + bias, lim - len is
	 * wlim - those bits, and a posting moves wp alone (entry_len, entry_set) */
	uint32_t bias;		/* len - (uint32_t)wp */
	uint32_t wlim;		/* lim - bias */
};

#define EMPTY_KEY UINT64_MAX

static inline uint32_t entry_len(const struct gi_entry *e)
{
	return (uint32_t)(uintptr_t)e->wp + e->bias;
}

/* Sets wp, len and lim. */
static inline void entry_set(struct gi_entry *e, uint8_t *wp, uint32_t len, uint32_t lim)
{
	e->wp = wp;
	e->bias = len - (uint32_t)(uintptr_t)wp;
	e->wlim = lim - e->bias;
}

/* Whether an entry's key word holds key. */
static inline bool kw_is(uint64_t kw, uint64_t key)
{
	return kw == key;
}

/* A chunk's head word: the pointer (below 2^56: user space addresses, of 64 bits or
 * 32) and cap_log above it. */
enum { HEAD_CAP_SHIFT = 56 };
#define HEAD_PTR ((UINT64_C(1) << HEAD_CAP_SHIFT) - 1)

enum {
	/* chunks from the 8th on are all CHUNK_MAX, 1 KB: a key's last chunk is often
	 * mostly empty when the build is written (with 4 KB, up to a third of big.txt's
	 * slabs: 11 slabs for 13 MB of postings, not 8) */
	CHUNK_LAST = 7,
	CHUNK_MAX = 16 << (CHUNK_LAST - 1),
	CHUNK_HEAD = sizeof(uint64_t),	/* a chunk's head word (its pointer to the one before) */
	SLAB_BYTES = 2 << 20,		/* the arena's pieces */
	/* slabs an emptied build keeps: the kernel zeroes a huge page for each new one
	 * (2f2fbd1: all of them kept raised the peaks) */
	SLABS_KEPT = 2,
	HUGE_BYTES = 2 << 20,		/* a huge page (build_mem) */
	POSTING_MAX = 11,		/* bytes of one posting at most (put_posting) */
	/* a table of more slots than this is not in the core's own cache (1 MB): its slots
	 * are fetched ahead (build_groups) */
	FETCH_SLOTS = 1 << 13,
	/* a table of this many slots (8 MB) or more grows at seven eighths full, not half
	 * (build_new): past three quarters the build counts as over the writer's budget
	 * (gi_build_bytes), which flushes it first. Grown to 16 MB at half full, with the
	 * 8 MB one alive while rehashing, a text of a very large vocabulary (random
	 * ideographs) peaked at 66 MB, and a table of 16 MB alone was the whole budget:
	 * every later row became a segment of its own */
	TABLE_FULL = 1 << 18,
};

struct gi_build {
	struct gi_entry *tab;	/* open addressing, linear probing */
	size_t size;		/* slots, a power of two */
	size_t used;		/* keys held */
	size_t bytes;		/* postings bytes counted (cap_log) */
	uint32_t row_lo;	/* first row, 0 when empty */
	uint32_t row_hi;	/* last row */
	uint64_t *common;	/* COMMON_BITS bits: pairs found common in a write (build_pair) */
	uint8_t **slabs;	/* the arena: slabs of SLAB_BYTES holding the chunks */
	size_t nslabs;		/* slabs in use */
	size_t nkept;		/* slabs held, from the first (>= nslabs): emptying frees all but
				 * SLABS_KEPT; all kept, they held the build's whole size through a
				 * batch's end, when the queue grows (3-4 MB more at the peak of a
				 * 10 MB file then a 50 MB one, 63 MB) */
	size_t slabs_cap;	/* room in slabs */
	uint8_t *free;		/* where the next chunk goes in the last slab */
	uint8_t *end;		/* that slab's end */
	const uint8_t **walk;	/* gi_build_write: a key's chunks, last first */
	size_t walk_cap;	/* room in walk */
};

/* Memory for the table or a slab: aligned to the cache lines (a slot in one), and, from
 * HUGE_BYTES on, to a huge page that the system is asked for: slots and chunks are
 * reached at random, and a page of 4 KB each costs a TLB miss. */
static void *build_mem(size_t n)
{
	void *p;
	if (posix_memalign(&p, n >= HUGE_BYTES ? HUGE_BYTES : 64, n) != 0)
		return xmalloc(n);
#ifdef MADV_HUGEPAGE
	if (n >= HUGE_BYTES)
		madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

static inline size_t chunk_bytes(unsigned c)
{
	return c ? (size_t)16 << (c - 1) : 16;
}

/* How many chunks hold len bytes (every chunk but the last is full): the first
 * CHUNK_LAST hold CHUNK_MAX bytes, each from then on CHUNK_MAX. */
static size_t chunks_of(uint32_t len)
{
	if (len > 16 << (CHUNK_LAST - 1))
		return CHUNK_LAST + (len - (16 << (CHUNK_LAST - 1)) + CHUNK_MAX - 1) / CHUNK_MAX;
	size_t n = 1;
	for (uint32_t have = 16; have < len; have *= 2)
		n++;
	return n;
}

/* The next slab: one kept, or a new one. */
static void __attribute__((noinline)) build_slab(struct gi_build *b)
{
	if (b->nslabs == b->nkept) {
		if (b->nkept == b->slabs_cap) {
			b->slabs_cap = b->slabs_cap ? b->slabs_cap * 2 : 16;
			b->slabs = xrealloc(b->slabs, b->slabs_cap * sizeof *b->slabs);
		}
		b->slabs[b->nkept++] = build_mem(SLAB_BYTES);
	}
	b->free = b->slabs[b->nslabs++];
	b->end = b->free + SLAB_BYTES;
}

/* A new chunk of n bytes after the one whose bytes start at prev (NULL: the first),
 * cap_log in its head; returns where its bytes start. */
static inline uint8_t *build_chunk(struct gi_build *b, size_t n, const uint8_t *prev, unsigned cap_log)
{
	if ((size_t)(b->end - b->free) < CHUNK_HEAD + n)
		build_slab(b);
	uint8_t *p = b->free;
	uint64_t head = (uint64_t)(uintptr_t)prev | (uint64_t)cap_log << HEAD_CAP_SHIFT;
	memcpy(p, &head, CHUNK_HEAD);
	b->free += CHUNK_HEAD + n;
	return p + CHUNK_HEAD;
}

/* The head word of the chunk whose bytes start at start. */
static inline uint64_t chunk_head(const uint8_t *start)
{
	uint64_t head;
	memcpy(&head, start - CHUNK_HEAD, CHUNK_HEAD);
	return head;
}

static inline void chunk_head_set(uint8_t *start, uint64_t head)
{
	memcpy(start - CHUNK_HEAD, &head, CHUNK_HEAD);
}

/* Every slot free: four a step (the size is a power of two, 4,096 or more). */
static void build_clear(struct gi_build *b)
{
	for (size_t i = 0; i < b->size; i += 4) {
		b->tab[i].kw = EMPTY_KEY;
		b->tab[i + 1].kw = EMPTY_KEY;
		b->tab[i + 2].kw = EMPTY_KEY;
		b->tab[i + 3].kw = EMPTY_KEY;
	}
}

static void build_alloc(struct gi_build *b, size_t size)
{
	b->tab = build_mem(size * sizeof *b->tab);
	b->size = size;
	build_clear(b);
}

static void build_class_init(void);
static pthread_once_t build_class_once = PTHREAD_ONCE_INIT;

struct gi_build *gi_build_new(void)
{
	pthread_once(&build_class_once, build_class_init);
	struct gi_build *b = xcalloc(1, sizeof *b);
	build_alloc(b, 1 << 12);
	return b;
}

/* Frees the slabs but the first keep (the build is empty). */
static void free_slabs(struct gi_build *b, size_t keep)
{
	for (size_t i = keep; i < b->nkept; i++)
		free(b->slabs[i]);
	if (b->nkept > keep)
		b->nkept = keep;
	b->nslabs = 0;
}

void gi_build_reset(struct gi_build *b)
{
	if (b->used)
		build_clear(b);
	free_slabs(b, SLABS_KEPT);
	b->free = b->end = NULL;
	b->used = b->bytes = 0;
	b->row_lo = b->row_hi = 0;
}

void gi_build_free(struct gi_build *b)
{
	if (!b)
		return;
	free_slabs(b, 0);
	free(b->tab);
	free(b->common);
	free(b->slabs);
	free(b->walk);
	free(b);
}

size_t gi_build_bytes(const struct gi_build *b)
{
	size_t tab = b->size * sizeof *b->tab;
	/* a full-size table three quarters full counts as the next, twice its size: the
	 * writer flushes the build before the table grows (build_new) */
	if (b->size >= TABLE_FULL && 4 * b->used >= 3 * b->size)
		tab *= 2;
	return b->bytes + b->used * 16 + tab;
}

bool gi_build_rows(const struct gi_build *b, uint32_t *lo, uint32_t *hi)
{
	*lo = b->row_lo;
	*hi = b->row_hi;
	return b->used > 0;
}

/* The hash of a key: its table slot (slot_of, slot_at) and its common bit (common_bit)
 * are bits of the same product. */
static inline uint64_t key_hash(uint64_t key)
{
	return key * 0x9E3779B97F4A7C15ULL;
}

static inline size_t slot_of(uint64_t key, size_t size)
{
	return (size_t)(key_hash(key) >> 32) & (size - 1);
}

static void __attribute__((noinline)) build_grow(struct gi_build *b)
{
	struct gi_entry *old = b->tab;
	size_t n = b->size;
	build_alloc(b, n * 2);
	for (size_t i = 0; i < n; i++)
		if (old[i].kw != EMPTY_KEY) {
			size_t s = slot_of(old[i].kw, b->size);
			while (b->tab[s].kw != EMPTY_KEY)
				s = (s + 1) & (b->size - 1);
			b->tab[s] = old[i];
		}
	free(old);
}

/* Where the last chunk of postings of len bytes ends: the chunks hold 16, 16, 32, ...
 * (the total doubles) to CHUNK_LAST, then CHUNK_MAX each; at a chunk's end exactly
 * the next is not made yet. */
static inline uint32_t chunk_end(uint32_t len)
{
	if (len <= 16)
		return 16;
	if (len <= 16 << CHUNK_LAST)
		return 2u << (31 - __builtin_clz(len - 1));
	return (16 << CHUNK_LAST) + (len - (16 << CHUNK_LAST) + CHUNK_MAX - 1) / CHUNK_MAX * CHUNK_MAX;
}

/* The size of the last chunk of postings of len bytes. */
static inline uint32_t chunk_size(uint32_t len)
{
	uint32_t end = chunk_end(len);
	return end <= 32 ? 16 : end <= 16 << CHUNK_LAST ? end / 2 : CHUNK_MAX;
}

/* e->lim for cap_log and end, where e's last chunk ends (chunk_end): the len from
 * which a posting of two bytes might not fit the last chunk, or any would grow the
 * buffer counted (len + 16 > 8 << cap_log). Below lim - (POSTING_MAX - 2), any
 * posting fits. (A new entry's lim is 0, its first posting's 1: build_posting.) */
static inline uint32_t entry_lim(unsigned cap_log, uint32_t end)
{
	uint64_t grow = ((uint64_t)8 << cap_log) - 15, fit = end - 1;	/* (cap_log >= 1, end >= 16) */
	return (uint32_t)(grow < fit ? grow : fit);
}

/* put_posting after an entry's last posting (row << 32 | position), of x (the same). */
static inline size_t put_posting_at(uint8_t *p, uint64_t *last, uint64_t x)
{
	uint32_t row = (uint32_t)(*last >> 32), pos = (uint32_t)*last;
	*last = x;
	return put_posting(p, &row, &pos, (uint32_t)(x >> 32), (uint32_t)x);
}

/* build_posting when e->len is too near e->lim: the buffer counted may grow (by what
 * a buffer of its own a key, doubled when a posting might not fit, would hold: the
 * chunks hold less, and the segments are the same as with one), and the posting may
 * not fit the last chunk: what does, then a new chunk. */
static void __attribute__((noinline)) build_posting_slow(struct gi_build *b, struct gi_entry *e, uint64_t x)
{
	uint32_t len = entry_len(e);
	uint32_t end = chunk_end(len);
	/* cap_log in the last chunk's head (not 0: build_posting wrote the first) */
	uint8_t *last = e->wp + end - len - chunk_size(len);
	uint64_t head = chunk_head(last);
	unsigned cap_log = (unsigned)(head >> HEAD_CAP_SHIFT);
	if (len + 16 > (size_t)8 << cap_log) {
		b->bytes += (size_t)8 << cap_log;
		cap_log++;
		chunk_head_set(last, head + (UINT64_C(1) << HEAD_CAP_SHIFT));
	}
	size_t room = end - len, n;
	if (room >= POSTING_MAX) {
		n = put_posting_at(e->wp, &e->last, x);
		e->wp += n;
	} else {
		/* (copies of a few bytes by byte, not by calls of memcpy; the new chunk
		 * has room for 16) */
		uint8_t tmp[32];
		n = put_posting_at(tmp, &e->last, x);
		size_t here = n <= room ? n : room;
		for (size_t i = 0; i < here; i++)
			e->wp[i] = tmp[i];
		e->wp += here;
		if (n > room) {
			const uint8_t *start = e->wp - chunk_size(len);
			uint32_t size = chunk_size(end + 1);
			e->wp = build_chunk(b, size, start, cap_log);
			memcpy(e->wp, tmp + room, 16);
			e->wp += n - room;
			end += size;
		}
	}
	entry_set(e, e->wp, len + (uint32_t)n, entry_lim(cap_log, end));
}

/* v (below 2^14) as a varint of one or two bytes at p; returns how many. */
static inline __attribute__((always_inline)) size_t put_small(uint8_t *p, uint32_t v)
{
	if (v < 0x80) {
		p[0] = (uint8_t)v;
		return 1;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* both bytes in one store: v + (v & ~0x7F) + 0x80 is v's low seven bits | 0x80,
	 * then v >> 7 in the byte above (v below 2^14) */
	uint16_t two = (uint16_t)(v + (v & ~0x7Fu) + 0x80);
	memcpy(p, &two, 2);
#else
	p[0] = (uint8_t)(v | 0x80);
	p[1] = (uint8_t)(v >> 7);
#endif
	return 2;
}

/* A new entry for key, whose probe ended at the free slot s (the table grows first
 * when it would be more than half full), with its first posting x: as build_posting
 * would write it (the buffer counted grows from none to 16 bytes; the first chunk, 16
 * bytes, has room; lim 1: the next posting grows the buffer), without its tests. */
static void __attribute__((noinline)) build_new(struct gi_build *b, uint64_t key, size_t s, uint64_t x)
{
	if (2 * (b->used + 1) > b->size && (b->size < TABLE_FULL || 8 * (b->used + 1) > 7 * b->size)) {
		build_grow(b);
		s = slot_of(key, b->size);
		while (b->tab[s].kw != EMPTY_KEY)
			s = (s + 1) & (b->size - 1);
	}
	uint8_t *p = build_chunk(b, 16, NULL, 1);
	uint64_t none = 0;
	size_t k = put_posting_at(p, &none, x);
	b->tab[s] = (struct gi_entry){ .kw = key, .last = x };
	entry_set(&b->tab[s], p + k, (uint32_t)k, 1);
	b->bytes += 16;
	b->used++;
}

/* Appends the posting x (row << 32 | position) to e (put_posting's encoding; its
 * usual cases here). */
static inline __attribute__((always_inline)) void build_posting(struct gi_build *b, struct gi_entry *e, uint64_t x,
								uint32_t row)
{
	uint8_t *p = e->wp;
	uint64_t d = x - e->last;	/* below 2^32 only in the same row (positions < 2^32) */
	size_t k;
	if (d < 0x2000) {
		if (__builtin_expect((int32_t)(e->wlim - (uint32_t)(uintptr_t)p) > 0, 1)) {	/* len < lim */
			k = put_small(p, (uint32_t)d * 2);
			goto done;
		}
	} else {
		uint32_t rows = row - (uint32_t)(e->last >> 32), pos = (uint32_t)x;
		if (rows - 1 < 0x3F && pos < 0x4000 && (int32_t)(e->wlim - (uint32_t)(uintptr_t)p) >= 3) {
			/* a row change of the usual kind: its delta * 2 + 1 in a byte, the
			 * position in one or two, which fit even near the chunk's end (the
			 * test is exact) */
			p[0] = (uint8_t)(rows * 2 + 1);
			k = 1 + put_small(p + 1, pos);
			goto done;
		}
	}
	if (__builtin_expect((int32_t)(e->wlim - (uint32_t)(uintptr_t)p) <= POSTING_MAX - 2, 0)) {
		/* a key's second posting (most keys of a small document get one or two; the
		 * first is build_new's) as build_posting_slow would write it, without its
		 * call and its tests */
		uint32_t len = entry_len(e);
		if (e->wlim + e->bias == 1 && len + POSTING_MAX <= 16) {
			/* the second (only the first leaves lim 1): the buffer counted from 16
			 * bytes to 32; the posting fits the first chunk; lim entry_lim(2, 16) */
			b->bytes += 16;
			uint8_t *first = p - len;
			chunk_head_set(first, chunk_head(first) + (UINT64_C(1) << HEAD_CAP_SHIFT));
			e->wlim = 15 - e->bias;
		} else {
			build_posting_slow(b, e, x);
			return;
		}
	}
	k = put_posting_at(p, &e->last, x);
done:
	e->last = x;
	e->wp = p + k;	/* (len grows with it) */
}

/* Pairs of ideographs with a 1/GI_COMMON_SHARE of the postings of a build that was
 * written (and COMMON_BYTES at least) are common from then on (gi_build_write marks
 * them in a bitmap, by a hash of the key: a few others share their bits, harmless):
 * their later postings go by the character before (gram_index.h). At most
 * GI_COMMON_SHARE pairs a build, the same ones mostly. */
enum { COMMON_BITS = 18, COMMON_BYTES = 64 };

static inline uint32_t common_bit(uint64_t key)
{
	return (uint32_t)(key_hash(key) >> (64 - COMMON_BITS));
}

void gi_build_mark_common(struct gi_build *b, uint64_t key)
{
	uint32_t a = (uint32_t)(key >> 22), low = (uint32_t)(key & 0x3FFFFF), d;
	if (low > 0x110000)
		d = 0x4E00 + (low - 0x110001) / GI_CTX;	/* a bucketed key (gi_key_pair_ctx) */
	else if (low)
		d = low - 1;
	else
		return;	/* a character alone */
	if (!gi_pair_ctx(a, d))
		return;
	if (!b->common)
		b->common = xcalloc((size_t)1 << (COMMON_BITS - 6), sizeof *b->common);
	uint32_t bit = common_bit(gi_key_pair(a, d));
	b->common[bit >> 6] |= (uint64_t)1 << (bit & 63);
}

/* The key of pair (a, d) after character c, with common the build's bitmap (not NULL). */
static inline uint64_t build_pair(const uint64_t *common, uint32_t c, uint32_t a, uint32_t d)
{
	/* the bit first: it is seldom set (its multiplication is the slot's too), and then
	 * whether the pair can be bucketed at all */
	uint64_t key = gi_key_pair(a, d);
	uint32_t bit = common_bit(key);
	if ((common[bit >> 6] >> (bit & 63) & 1) && gi_pair_ctx(a, d))
		return gi_key_pair_ctx(a, d, gi_ctx_bucket(c));
	return key;
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

/* The character at *s (before end), folded, *s moved past it; *sep: whether it is a
 * separator (cjk_separator). */
static inline __attribute__((always_inline)) uint32_t build_char(const uint8_t **s, const uint8_t *end, bool *sep)
{
	const uint8_t *p = *s;
	uint32_t c = p[0];
	if (c < 0x80) {
		*s = p + 1;
		*sep = cjk_separator(c);	/* (a letter folded is one still) */
		return c - 'A' <= 'Z' - 'A' ? c + ('a' - 'A') : c;
	}
	/* three bytes, E1-EF but ED (no overlong, no surrogate): ideographs (never folded
	 * nor separators), CJK and full-width punctuation */
	if (end - p >= 3 && c - 0xE1 <= 0xEF - 0xE1 && c != 0xED && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
		c = (c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
		*s = p + 3;
		if (c - 0x4000 < 0x6000) {
			*sep = false;
			return c;
		}
	} else {
		size_t k = utf8_decode((const char *)p, (size_t)(end - p), &c);
		*s = p + (k ? k : 1);
	}
	c = fold_char(c);
	*sep = cjk_separator(c);
	return c;
}

/* Whether the four bytes read at a character (*w, as they were in memory) start with
 * an ideograph of U+4000-9FFF (lead byte E4-E9, then two bytes 80-BF), the bulk of
 * the text: no folding, never a separator. *w then has the first byte lowest. */
static inline bool build_ideograph(uint32_t *w)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	*w = __builtin_bswap32(*w);
#endif
	return (*w & 0xC0C0FF) - 0x8080E4 <= 0xE9 - 0xE4;
}

/* Characters by class, for build_text_direct: a value is the folded code point, with
 * bit 31 set for a separator. ASCII by its byte; a three-byte character of a page of
 * 64 code points (cp >> 6) where each is itself and no separator (nearly all) as its
 * code point, of one of the few other pages by CLASS_PAGES' values (U+2000-206F,
 * U+3000-303F, U+FE30-FE4F, U+FF00-FF65: punctuation, full-width forms). */
enum { CLASS_SEP = 1u << 31, CLASS_PAGES = 32, CLASS_OWN = 0xFF };
static struct {
	uint32_t ascii[128];			/* an ASCII character's value */
	/* a three-byte character's class by its first two bytes (as cp3): 0 none (a
	 * lead but E1-EF and ED, or no continuation byte: build_char's), 1 plain,
	 * CLASS_OWN folded one by one, else its page in pages */
	uint8_t cls[1 << 16];
	uint32_t pages[CLASS_PAGES + 2][64];	/* the values of those pages (from 2) */
	/* the code point of a three-byte character but its last six bits, by its first
	 * two bytes (the second's upper two bits 10, the first's E0-EF): lead | second << 8
	 * (only 1,024 slots used, in 16 KB of it) */
	uint16_t cp3[1 << 16];
} build_class_tab;

/* The code point of that ideograph (or of any three bytes E0-EF, 80-BF, 80-BF): its
 * upper ten bits by a table (build_class_init), six instructions, not ten. */
static inline uint32_t build_ideograph_cp(uint32_t w)
{
	return build_class_tab.cp3[w & 0xFFFF] | (w >> 16 & 0x3F);
}

enum { BATCH = 1024 };	/* keys in hand for build_groups */

/* Where build_text's keys go: with a table in the cache (FETCH_SLOTS or fewer slots:
 * the bench corpora's few thousand keys, every small import's start), each to its
 * posting at once (build_put: no misses to overlap, no array of keys to fill and read
 * again); else BATCH at a time to build_groups. */
struct build_out {
	struct gi_entry *tab;	/* the table (b->tab, in a register until it grows) */
	size_t mask;		/* its size - 1, in bytes: (size - 1) * sizeof *tab (slot_at) */
	uint64_t x;		/* the next key's posting: row << 32 | position */
	size_t m;		/* keys in hand (batched) */
	uint64_t *keys;		/* those keys */
	uint32_t row;		/* x >> 32 (build_posting's row change, from a register) */
};

_Static_assert(sizeof(struct gi_entry) == 32, "slot_at's shift");

/* slot_of's slot of key as a byte offset into the table, bmask (size - 1) * 32: a shift
 * less than the index times the entry's size. */
static inline size_t slot_at(uint64_t key, size_t bmask)
{
	return (size_t)(key_hash(key) >> 27) & bmask;
}

/* The posting of key at o->x, its entry found in the table (or made). */
static inline __attribute__((always_inline)) void build_put(struct gi_build *b, struct build_out *o, uint64_t key)
{
	size_t at = slot_at(key, o->mask);
	struct gi_entry *e = (struct gi_entry *)((char *)o->tab + at);
	if (__builtin_expect(!kw_is(e->kw, key), 0))
		do {
			if (e->kw == EMPTY_KEY) {
				build_new(b, key, at / sizeof *e, o->x++);
				o->tab = b->tab;
				o->mask = (b->size - 1) * sizeof *e;
				return;
			}
			at = (at + sizeof *e) & o->mask;
			e = (struct gi_entry *)((char *)o->tab + at);
		} while (!kw_is(e->kw, key));
	build_posting(b, e, o->x++, o->row);
}

/* Adds keys[0..m-1], at postings x, x + 1, ...: each key's slot fetched AHEAD keys
 * before its turn (a table bigger than the cache). */
static void build_groups(struct gi_build *b, const uint64_t *keys, size_t m, uint64_t x)
{
	enum { AHEAD = 16 };
	struct build_out o = { .tab = b->tab, .mask = (b->size - 1) * sizeof *b->tab, .x = x, .row = (uint32_t)(x >> 32) };
	size_t i = 0;
	for (; i + AHEAD < m; i++) {	/* (the last AHEAD without a test a key) */
		__builtin_prefetch((char *)o.tab + slot_at(keys[i + AHEAD], o.mask));
		build_put(b, &o, keys[i]);
	}
	for (; i < m; i++)
		build_put(b, &o, keys[i]);
}

/* The batch to build_groups (its keys at o->x on). */
static inline void build_send(struct gi_build *b, struct build_out *o)
{
	build_groups(b, o->keys, o->m, o->x);
	o->x += o->m;
	o->m = 0;
}

/* The next key: its posting (direct), or into the batch, sent when full (unless the
 * caller sends it: room, the run of ideographs, stops where the batch is full). */
static inline __attribute__((always_inline)) void build_emit(struct gi_build *b, struct build_out *o, uint64_t key,
							    const bool direct, const bool room)
{
	if (direct) {
		build_put(b, o, key);
		return;
	}
	o->keys[o->m++] = key;
	if (!room && o->m == BATCH)
		build_send(b, o);
}

/* gi_build_add's tokens (cjk_tokenizer.h) into keys, to build_emit; with common (the
 * build's, hoisted: bucketing) or without. */
static inline __attribute__((always_inline)) void build_text(struct gi_build *b, uint32_t row, const uint8_t *s,
							    const uint8_t *end, const uint64_t *common, const bool direct)
{
	uint64_t keys[BATCH];	/* (unused when direct) */
	struct build_out o = { .tab = b->tab, .mask = (b->size - 1) * sizeof *b->tab, .x = (uint64_t)row << 32, .keys = keys,
			       .row = row };
	bool cur_sep, nxt_sep;
	uint32_t cur = build_char(&s, end, &cur_sep);
	if (s < end) {
		/* the first token: no character before it (no bucket) */
		uint32_t nxt = build_char(&s, end, &nxt_sep);
		build_emit(b, &o, cur_sep || nxt_sep ? gi_key_lone(cur) : gi_key_pair(cur, nxt), direct, false);
		if (s < end) {
			uint32_t before = cur;	/* the character before cur */
			cur = nxt;
			cur_sep = nxt_sep;
			for (;;) {
				if (!cur_sep && end - s > 3 && *s >= 0xE1) {
					/* a run of ideographs after a character that is not a
					 * separator (the next byte may lead one: not after a letter
					 * or digit followed by ASCII): pairs, four bytes read at a
					 * time (one past the character); batched, up to the batch's
					 * end */
					const uint8_t *stop = end - 3;
					if (!direct && (size_t)(stop - s) > 3 * (BATCH - o.m))
						stop = s + 3 * (BATCH - o.m);
					while (s < stop) {
						uint32_t w;
						memcpy(&w, s, 4);
						if (!build_ideograph(&w)) {
							/* a separator of three bytes (，。、 and the like)
							 * then an ideograph: the two lone keys the general
							 * path below gives them, and the run goes on (six
							 * bytes, two keys: batched, stop still ends the
							 * batch) */
							uint32_t f, w2, t = w & 0xFFFFFF;
							if ((!direct && stop - s < 6) || end - s < 7)
								break;
							if (t == 0x8CBCEF)
								f = ',';	/* ， (U+FF0C) folded */
							else if ((t & 0xC0FFFF) == 0x8080E3)
								f = fold_char(0x3000 | (t >> 16 & 0x3F));	/* 。、 and all U+3000-303F */
							else if ((w & 0xC0C0F0) != 0x8080E0 || (w & 0x0F) == 0 || (w & 0x0F) == 0x0D ||
								 !cjk_separator(f = fold_char(build_ideograph_cp(w))))
								break;
							memcpy(&w2, s + 3, 4);
							if (!build_ideograph(&w2))
								break;
							build_emit(b, &o, gi_key_lone(cur), direct, true);
							build_emit(b, &o, gi_key_lone(f), direct, true);
							before = f;
							cur = build_ideograph_cp(w2);
							s += 6;
							continue;
						}
						uint32_t c = build_ideograph_cp(w);
						s += 3;
						build_emit(b, &o, common ? build_pair(common, before, cur, c) : gi_key_pair(cur, c),
							   direct, true);
						before = cur;
						cur = c;
					}
					if (!direct && o.m == BATCH) {
						build_send(b, &o);
						continue;
					}
				}
				if (s >= end)
					break;
				uint32_t c = build_char(&s, end, &nxt_sep);
				if (cur_sep || nxt_sep)
					build_emit(b, &o, gi_key_lone(cur), direct, false);
				else
					build_emit(b, &o, common ? build_pair(common, before, cur, c) : gi_key_pair(cur, c),
						   direct, false);
				before = cur;
				cur = c;
				cur_sep = nxt_sep;
				uint32_t w;
				if (cur_sep && end - s > 3 && (memcpy(&w, s, 4), build_ideograph(&w))) {
					/* a separator, then an ideograph (that a run goes on from) */
					build_emit(b, &o, gi_key_lone(cur), direct, false);
					before = cur;
					cur = build_ideograph_cp(w);
					cur_sep = false;
					s += 3;
				}
			}
		} else {
			cur = nxt;
		}
	}
	build_emit(b, &o, gi_key_lone(cur), direct, false);
	if (!direct && o.m)
		build_send(b, &o);
}


static void build_class_init(void)
{
	for (uint32_t lead = 0xE0; lead <= 0xEF; lead++)
		for (uint32_t b1 = 0x80; b1 <= 0xBF; b1++)
			build_class_tab.cp3[b1 << 8 | lead] = (uint16_t)((lead & 0x0F) << 12 | (b1 & 0x3F) << 6);
	for (uint32_t c = 0; c < 128; c++)
		build_class_tab.ascii[c] = fold_char(c) | (cjk_separator(c) ? CLASS_SEP : 0);
	unsigned np = 1;
	for (uint32_t lead = 0xE1; lead <= 0xEF; lead++)
		for (uint32_t b1 = 0x80; b1 <= 0xBF && lead != 0xED; b1++) {
			uint32_t pg = (lead & 0x0F) << 6 | (b1 & 0x3F);	/* cp >> 6 */
			bool plain = true;
			for (uint32_t c = pg << 6; c < (pg + 1) << 6 && plain; c++)
				plain = fold_char(c) == c && !cjk_separator(c);
			uint8_t *k = &build_class_tab.cls[b1 << 8 | lead];
			if (plain) {
				*k = 1;
				continue;
			}
			if (np == CLASS_PAGES + 1) {
				*k = CLASS_OWN;
				continue;
			}
			*k = (uint8_t)(++np);
			for (uint32_t i = 0; i < 64; i++) {
				uint32_t f = fold_char(pg << 6 | i);
				build_class_tab.pages[np][i] = f | (cjk_separator(f) ? CLASS_SEP : 0);
			}
		}
}

/* The value (build_class_tab) of the character at *s, not an ideograph of
 * build_ideograph, w its first four bytes (all before end), *s moved past it. */
static inline __attribute__((always_inline)) uint32_t build_class(const uint8_t **s, const uint8_t *end, uint32_t w)
{
	uint32_t c = w & 0xFF;
	if (c < 0x80) {
		*s += 1;
		return build_class_tab.ascii[c];
	}
	unsigned k = build_class_tab.cls[w & 0xFFFF];
	if (k && (w & 0xC00000) == 0x800000) {
		*s += 3;
		if (__builtin_expect(k > 1 && k != CLASS_OWN, 1))
			return build_class_tab.pages[k][w >> 16 & 0x3F];
		c = build_ideograph_cp(w);
		if (k == 1)
			return c;
		c = fold_char(c);
		return c | (cjk_separator(c) ? CLASS_SEP : 0);
	}
	bool sep;
	c = build_char(s, end, &sep);
	return c | (sep ? CLASS_SEP : 0);
}

/* build_text with a table in the cache (every key to its posting at once), the text
 * walked in one loop whatever its characters (build_text's leaves its run of
 * ideographs for any other, and takes every character but an ideograph one at a time
 * through build_char): two states, the current character a separator or not, each
 * character's class from its first four bytes (build_ideograph first, then
 * build_class's tables). The same keys as build_text's. */
static inline __attribute__((always_inline)) void build_text_direct(struct gi_build *b, uint32_t row, const uint8_t *s,
								   const uint8_t *end, const uint64_t *common)
{
	struct build_out o = { .tab = b->tab, .mask = (b->size - 1) * sizeof *b->tab, .x = (uint64_t)row << 32, .row = row };
	bool cur_sep, nxt_sep;
	uint32_t cur = build_char(&s, end, &cur_sep), before, c, v, w;
	if (s >= end)
		goto last;
	/* the first token: no character before it (no bucket) */
	c = build_char(&s, end, &nxt_sep);
	build_put(b, &o, cur_sep || nxt_sep ? gi_key_lone(cur) : gi_key_pair(cur, c));
	before = cur;
	cur = c;
	cur_sep = nxt_sep;
	const uint8_t *stop = end - 3;	/* before stop, four bytes are read at s */
	if (end - s < 4)
		goto tail;
	if (nxt_sep)
		goto sep;
run:	/* cur is not a separator: its token a pair unless the next one is */
	while (s < stop) {
		memcpy(&w, s, 4);
		if (__builtin_expect(build_ideograph(&w), 1)) {
			c = build_ideograph_cp(w);
			s += 3;
			build_put(b, &o, common ? build_pair(common, before, cur, c) : gi_key_pair(cur, c));
			before = cur;
			cur = c;
			continue;
		}
		v = build_class(&s, end, w);
		c = v & ~CLASS_SEP;
		if (v & CLASS_SEP) {
			build_put(b, &o, gi_key_lone(cur));
			before = cur;
			cur = c;
			goto sep;
		}
		build_put(b, &o, common ? build_pair(common, before, cur, c) : gi_key_pair(cur, c));
		before = cur;
		cur = c;
	}
	cur_sep = false;
	goto tail;
sep:	/* cur is a separator: its token is itself alone */
	while (s < stop) {
		memcpy(&w, s, 4);
		if (build_ideograph(&w)) {
			c = build_ideograph_cp(w);
			s += 3;
			v = c;
		} else {
			v = build_class(&s, end, w);
			c = v & ~CLASS_SEP;
		}
		build_put(b, &o, gi_key_lone(cur));
		before = cur;
		cur = c;
		if (!(v & CLASS_SEP))
			goto run;
	}
	cur_sep = true;
tail:	/* the last characters (fewer than four bytes) */
	while (s < end) {
		c = build_char(&s, end, &nxt_sep);
		if (cur_sep || nxt_sep)
			build_put(b, &o, gi_key_lone(cur));
		else
			build_put(b, &o, common ? build_pair(common, before, cur, c) : gi_key_pair(cur, c));
		before = cur;
		cur = c;
		cur_sep = nxt_sep;
	}
last:
	build_put(b, &o, gi_key_lone(cur));
}

void gi_build_add(struct gi_build *b, uint32_t row, const char *text, size_t n)
{
	if (n == 0)
		return;
	if (!b->row_lo)
		b->row_lo = row;
	b->row_hi = row;
	const uint8_t *s = (const uint8_t *)text, *end = s + n;
	if (b->size > FETCH_SLOTS) {
		if (b->common)
			build_text(b, row, s, end, b->common, false);
		else
			build_text(b, row, s, end, NULL, false);
	} else {
		if (b->common)
			build_text_direct(b, row, s, end, b->common);
		else
			build_text_direct(b, row, s, end, NULL);
	}
}

/* The key of a sort item, for a table too big to pack a key and its slot in 64 bits
 * (build_sort). */
struct sort_item {
	uint64_t key;	/* the key */
	size_t slot;	/* its entry */
};

static int cmp_item(const void *a, const void *b)
{
	uint64_t x = ((const struct sort_item *)a)->key, y = ((const struct sort_item *)b)->key;
	return x < y ? -1 : x > y;
}

enum {
	KEY_BITS = 43,		/* keys are below 2^43 (gram_index.h) */
	DIGIT_BITS = 13,	/* build_sort's digits: three for the keys of characters below U+20000 */
};

/* The build's keys in order, each as key << sb | its slot (sb: the bits of a slot; n
 * of them, malloc'd), by a radix sort of the keys' bits (DIGIT_BITS at a time, as many
 * as the largest key has; qsort for a few). A table of more than 2^(64 - KEY_BITS)
 * slots (no build store.c writes: its budget is below one of 2^19) goes by sort_item;
 * the ones common in the build are marked common (gi_build_mark_common). */
static uint64_t *build_sort(struct gi_build *b, size_t *np, unsigned *sbp)
{
	unsigned sb = (unsigned)__builtin_ctzll(b->size);
	uint64_t *v = xmalloc((b->used + 1) * sizeof *v), max = 0;
	struct sort_item *items = sb + KEY_BITS > 64 ? xmalloc((b->used + 1) * sizeof *items) : NULL;
	size_t n = 0;
	for (size_t i = 0; i < b->size; i++)
		if (b->tab[i].kw != EMPTY_KEY) {
			const struct gi_entry *e = &b->tab[i];
			uint64_t key = e->kw;
			if (items)
				items[n] = (struct sort_item){ .key = key, .slot = i };
			v[n++] = key << sb | i;
			max |= key;
			if (entry_len(e) >= COMMON_BYTES && (size_t)entry_len(e) * GI_COMMON_SHARE >= b->bytes)
				gi_build_mark_common(b, key);	/* (a bucket's pair is marked already) */
		}
	*np = n;
	*sbp = sb;
	if (items) {
		/* (the slots as values: sb is then unused but by the caller's mask) */
		qsort(items, n, sizeof *items, cmp_item);
		for (size_t i = 0; i < n; i++)
			v[i] = items[i].slot;
		*sbp = 0;
		free(items);
		return v;
	}
	if (n < 256) {
		qsort(v, n, sizeof *v, cmp_u64);
		return v;
	}
	unsigned kb = 64 - (unsigned)__builtin_clzll(max | 1), passes = (kb + DIGIT_BITS - 1) / DIGIT_BITS;
	uint32_t(*count)[1 << DIGIT_BITS] = xcalloc(passes, sizeof *count);
	const uint64_t dmask = (1 << DIGIT_BITS) - 1;
	if (passes == 3) {
		/* (the usual case, its digits counted without a loop over them) */
		for (size_t i = 0; i < n; i++) {
			uint64_t k = v[i] >> sb;
			count[0][k & dmask]++;
			count[1][k >> DIGIT_BITS & dmask]++;
			count[2][k >> 2 * DIGIT_BITS]++;
		}
	} else {
		for (size_t i = 0; i < n; i++)
			for (unsigned d = 0; d < passes; d++)
				count[d][v[i] >> (sb + d * DIGIT_BITS) & dmask]++;
	}
	uint64_t *tmp = xmalloc(n * sizeof *tmp), *src = v, *dst = tmp;
	for (unsigned d = 0; d < passes; d++) {
		unsigned shift = sb + d * DIGIT_BITS;
		uint32_t *c = count[d];
		if (c[src[0] >> shift & dmask] == n)
			continue;	/* one digit for all: nothing moves */
		uint32_t sum = 0;
		for (size_t k = 0; k <= dmask; k++) {
			uint32_t t = c[k];
			c[k] = sum;
			sum += t;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[src[i] >> shift & dmask]++] = src[i];
		uint64_t *t = src;
		src = dst;
		dst = t;
	}
	free(count);
	free(dst);
	return src;
}

int gi_build_write(struct gi_build *b, gi_page_fn fn, void *ctx, size_t *bytes)
{
	size_t n;
	unsigned sb;
	uint64_t *v = build_sort(b, &n, &sb);
	const uint64_t smask = b->size - 1;
	struct writer *w = xcalloc(1, sizeof *w);
	*w = (struct writer){ .fn = fn, .ctx = ctx, .first = SIZE_MAX };
	/* the entries are in slot order, the chunks in the order they were made: a block
	 * of keys at a time, their entries fetched a block ahead, then the chains of
	 * their chunks followed back from the last a step for every key in turn (the
	 * misses of different keys overlap; one key's are one after the other); a key of
	 * one chunk (most of them in real text) needs none */
	enum { BLOCK = 32 };
	size_t off[BLOCK + 1], left[BLOCK], multi[BLOCK];
	const uint8_t *cur[BLOCK];
	for (size_t i = 0; i < BLOCK && i < n; i++)
		__builtin_prefetch(&b->tab[v[i] & smask]);
	for (size_t i0 = 0; i0 < n && !w->err; i0 += BLOCK) {
		size_t m = n - i0 < BLOCK ? n - i0 : BLOCK;
		const uint64_t *vs = v + i0;
		for (size_t k = BLOCK; k < 2 * BLOCK && i0 + k < n; k++)
			__builtin_prefetch(&b->tab[vs[k] & smask]);
		off[0] = 0;
		for (size_t k = 0; k < m; k++) {
			const struct gi_entry *e = &b->tab[vs[k] & smask];
			uint32_t len = entry_len(e);
			size_t nc = len <= 16 ? 0 : chunks_of(len);
			if (!nc)
				__builtin_prefetch(e->wp - len);
			off[k + 1] = off[k] + nc;
		}
		if (off[m] > b->walk_cap) {
			b->walk_cap = off[m] > 2 * b->walk_cap ? off[m] : 2 * b->walk_cap;
			b->walk = xrealloc(b->walk, b->walk_cap * sizeof *b->walk);
		}
		size_t nm = 0;	/* keys of the block still walked, in multi */
		for (size_t k = 0; k < m; k++) {
			if (off[k + 1] == off[k])
				continue;
			const struct gi_entry *e = &b->tab[vs[k] & smask];
			uint32_t len = entry_len(e);
			cur[k] = e->wp + chunk_end(len) - len - chunk_size(len);
			left[k] = off[k + 1] - off[k] - 1;
			b->walk[off[k] + left[k]] = cur[k];
			if (left[k])
				multi[nm++] = k;
		}
		while (nm) {
			for (size_t j = 0; j < nm;) {
				size_t k = multi[j];
				cur[k] = (const uint8_t *)(uintptr_t)(chunk_head(cur[k]) & HEAD_PTR);
				b->walk[off[k] + --left[k]] = cur[k];
				if (left[k])
					j++;
				else
					multi[j] = multi[--nm];	/* (the order of steps is free) */
			}
		}
		for (size_t k = 0; k < m && !w->err; k++) {
			/* the build's encoding is the segment's: its chunks copied, first to last */
			const struct gi_entry *e = &b->tab[vs[k] & smask];
			uint64_t key = sb ? vs[k] >> sb : e->kw;
			uint32_t len = entry_len(e);
			size_t nc = off[k + 1] - off[k];
			uint8_t *p;
			if (!nc && (p = writer_room(w, 10 + 16 + 1))) {
				/* writer_key_open, its one chunk (all 16 bytes copied: the page
				 * has room) and writer_key_end, in place */
				if (w->first == SIZE_MAX) {
					w->first = w->len;
					w->first_key = key;
				}
				w->key = key;
				w->cont = 0;
				size_t h = put_varint(p, key - w->last_key);
				memcpy(p + h, e->wp - len, 16);
				p[h + len] = 0;
				w->len += h + len + 1;
				w->last_key = key;
				continue;
			}
			writer_key_open(w, key);
			if (!nc) {
				writer_bytes(w, e->wp - len, len);
			} else {
				for (size_t c = 0; c + 1 < nc; c++)
					writer_bytes(w, b->walk[off[k] + c],
						     chunk_bytes(c < CHUNK_LAST ? (unsigned)c : CHUNK_LAST));
				writer_bytes(w, b->walk[off[k] + nc - 1],
					     chunk_size(len) - (chunk_end(len) - len));
			}
			writer_key_end(w);
		}
	}
	int rc = writer_finish(w);
	*bytes = w->bytes;
	free(w);
	free(v);
	gi_build_reset(b);
	return rc;
}

/* --- merging --- */

/* One segment being merged: its stream of keys, a page at a time. */
struct cursor {
	struct gi_source src;	/* its pages */
	struct bytes buf;	/* bytes read and not yet used, from at */
	size_t at;		/* the next byte */
	bool eof;		/* no more pages */
	bool done;		/* no more keys */
	uint64_t key;		/* the current key */
};

enum { CURSOR_BYTES = 64 * 1024 };	/* a cursor's buffer: bytes used move to its start seldom */

/* Makes want bytes available from c->at, or as many as are left: 0, -1 on a read error. */
static int cursor_fill(struct cursor *c, size_t want)
{
	while (!c->eof && c->buf.len - c->at < want) {
		if (c->at > 0 && c->buf.len + GI_PAGE_BYTES + 16 > c->buf.cap) {
			memmove(c->buf.data, c->buf.data + c->at, c->buf.len - c->at);
			c->buf.len -= c->at;
			c->at = 0;
		}
		if (!c->buf.cap)
			bytes_reserve(&c->buf, CURSOR_BYTES);
		const uint8_t *data;
		size_t n;
		int rc = c->src.next(c->src.ctx, &data, &n);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			c->eof = true;
			break;
		}
		/* the page's header: read in order, its bytes simply follow the last page's */
		const uint8_t *p = data, *end = data + n;
		uint64_t head;
		if (!get_varint(&p, end, &head))
			return -2;
		bytes_reserve(&c->buf, (size_t)(end - p));
		memcpy(c->buf.data + c->buf.len, p, (size_t)(end - p));
		c->buf.len += (size_t)(end - p);
	}
	return 0;
}

/* Reads the next key's delta: 0, -1 on a read error, -2 on damage (c->done at the end). */
static int cursor_key(struct cursor *c)
{
	int rc = cursor_fill(c, 10);
	if (rc)
		return rc;
	if (c->at == c->buf.len) {
		c->done = true;
		return 0;
	}
	const uint8_t *p = c->buf.data + c->at;
	uint64_t delta;
	if (!get_varint(&p, c->buf.data + c->buf.len, &delta))
		return -2;
	c->at = (size_t)(p - c->buf.data);
	c->key += delta;
	return 0;
}

/* Live rows as a bitmap over [lo, hi]. */
struct live_set {
	uint64_t *bits;	/* one bit a row */
	uint32_t lo;	/* the first row it covers */
	uint32_t hi;	/* the last */
};

static bool live_has(const struct live_set *l, uint32_t r)
{
	return l->bits && r >= l->lo && r <= l->hi && (l->bits[(r - l->lo) >> 6] >> ((r - l->lo) & 63) & 1);
}

/* Copies the current key's postings of c to w, live rows only. */
static int merge_key(struct cursor *c, struct writer *w, const struct live_set *ls, struct gi_vec *tmp)
{
	struct gi_row_filter all = row_filter(NULL, 0);
	struct gi_postings ps = { .f = &all };
	for (;;) {
		int rc = cursor_fill(c, 4096);
		if (rc)
			return rc;
		const uint8_t *p = c->buf.data + c->at, *end = c->buf.data + c->buf.len;
		tmp->n = 0;
		int dec = decode_postings(&p, end, c->eof, &ps, tmp, NULL, NULL, 0);
		if (dec == DEC_BAD)
			return -2;
		c->at = (size_t)(p - c->buf.data);
		for (size_t j = 0; j < tmp->n; j++) {
			uint32_t r = (uint32_t)(tmp->v[j] >> 32);
			if (live_has(ls, r) && !writer_add(w, r, (uint32_t)tmp->v[j]))
				return -2;	/* rows out of order: the segments overlap */
		}
		if (dec == DEC_END)
			return 0;
	}
}

/* Copies the current key's postings of c to w, every row kept: its first posting
 * written again (its row a delta from 0, now from the key's last row in w), the
 * others' bytes as they are (each a delta from the one before), once skipped over to
 * find where they end and the last row. */
static int merge_key_all(struct cursor *c, struct writer *w)
{
	int rc = cursor_fill(c, 32);
	if (rc)
		return rc;
	const uint8_t *p = c->buf.data + c->at, *end = c->buf.data + c->buf.len;
	uint64_t v, q;
	/* the first: a row change (odd), then its position */
	if (!get_varint(&p, end, &v) || !(v & 1) || (v >> 1) >= GI_MAX_ROW || !get_varint(&p, end, &q) ||
	    q > UINT32_MAX)
		return -2;
	uint32_t row = (uint32_t)(v >> 1);
	if (row <= w->row || !writer_add(w, row, (uint32_t)q))
		return -2;	/* rows out of order: the segments overlap */
	c->at = (size_t)(p - c->buf.data);
	for (;;) {
		if ((rc = cursor_fill(c, 4096)) != 0)
			return rc;
		const uint8_t *from = c->buf.data + c->at;
		p = from;
		end = c->buf.data + c->buf.len;
		int dec = skip_postings(&p, end, c->eof, &row);
		if (dec == DEC_BAD)
			return -2;
		/* (the 0 that ends them is the writer's to put) */
		writer_bytes(w, from, (size_t)(p - from) - (dec == DEC_END));
		c->at = (size_t)(p - c->buf.data);
		if (dec == DEC_END)
			break;
	}
	/* the next segment's postings of the key are of later rows: a row change, whose
	 * position is written whole (the position here is not known: none is equal) */
	w->row = row;
	w->pos = UINT32_MAX;
	if (row > w->row_hi)
		w->row_hi = row;
	return 0;
}

/* gi_merge, or with all (live unused) every row kept. */
static int merge(const struct gi_source *src, int k, bool all, const uint32_t *live, size_t nlive, gi_page_fn fn,
		 void *ctx, struct gi_merged *out)
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
	struct writer *w = xcalloc(1, sizeof *w);
	*w = (struct writer){ .fn = fn, .ctx = ctx, .first = SIZE_MAX };
	struct gi_vec tmp = { 0 };
	int err = 0;
	for (int i = 0; i < k && !err; i++) {
		cs[i].src = src[i];
		err = cursor_key(&cs[i]);
	}
	while (!err && !w->err) {
		uint64_t min = EMPTY_KEY;
		for (int i = 0; i < k; i++)
			if (!cs[i].done && cs[i].key < min)
				min = cs[i].key;
		if (min == EMPTY_KEY)
			break;
		writer_key_begin(w, min);
		for (int i = 0; i < k && !err; i++)
			if (!cs[i].done && cs[i].key == min &&
			    (err = all ? merge_key_all(&cs[i], w) : merge_key(&cs[i], w, &ls, &tmp)) == 0)
				err = cursor_key(&cs[i]);
		writer_key_end(w);
	}
	int rc = writer_finish(w);
	if (!err)
		err = rc;
	out->bytes = w->bytes;
	out->row_lo = w->row_lo;
	out->row_hi = w->row_hi;
	for (int i = 0; i < k; i++)
		free(cs[i].buf.data);
	free(cs);
	free(w);
	free(ls.bits);
	gi_vec_free(&tmp);
	return err;
}

int gi_merge(const struct gi_source *src, int k, const uint32_t *live, size_t nlive, gi_page_fn fn, void *ctx,
	     struct gi_merged *out)
{
	return merge(src, k, false, live, nlive, fn, ctx, out);
}

int gi_merge_all(const struct gi_source *src, int k, gi_page_fn fn, void *ctx, struct gi_merged *out)
{
	return merge(src, k, true, NULL, 0, fn, ctx, out);
}

/* --- reading --- */

int gi_decode_page(struct gi_decoder *d, int64_t pid, const uint8_t *data, size_t n, uint64_t lo, uint64_t hi,
		   const uint32_t *rows, size_t nrows, struct gi_vec *out)
{
	if (d->done)
		return 1;
	const uint8_t *p = data, *end = data + n;
	uint64_t head;
	if (!get_varint(&p, end, &head) || head > (uint64_t)(end - p))
		return -1;
	if (!d->started) {
		/* from the first page a key starts in */
		if (head == 0)
			return 0;
		d->started = true;
		d->first = true;
		d->key = (uint64_t)pid >> GI_PID_SHIFT;
		p += head - 1;
	}
	/* what is left of the last page, then this one */
	if (d->at > 0) {
		memmove(d->buf, d->buf + d->at, d->len - d->at);
		d->len -= d->at;
		d->at = 0;
	}
	size_t k = (size_t)(end - p);
	if (d->len + k > d->cap) {
		d->cap = d->len + k > 2 * d->cap ? d->len + k : 2 * d->cap;
		d->buf = xrealloc(d->buf, d->cap);
	}
	memcpy(d->buf + d->len, p, k);
	d->len += k;
	struct gi_row_filter f = row_filter(rows, nrows);
	d->ps.f = &f;
	const uint8_t *q = d->buf + d->at, *stop = d->buf + d->len;
	int rc = 0;
	while (rc == 0) {
		if (!d->in_key) {
			/* a key's delta (the first key is the page's) */
			uint64_t delta;
			const uint8_t *at = q;
			if (q == stop)
				break;
			if (!get_varint(&q, stop, &delta)) {
				q = at;
				break;
			}
			d->key = d->first ? d->key : d->key + delta;
			d->first = false;
			if (d->key > hi) {
				rc = 1;
				break;
			}
			d->in_key = true;
			d->ps = (struct gi_postings){ .f = &f };
			if (d->runs && out && d->key >= lo)
				gi_vec_push(d->runs, out->n);
			if (d->probe)
				d->probe->at = 0;
		}
		bool keep = d->key >= lo;
		size_t had = out ? out->n : 0;
		long counted = 0;
		int dec = decode_postings(&q, stop, false, &d->ps, keep ? out : NULL, &counted, keep ? d->probe : NULL,
					  d->lift);
		if (keep)
			d->count += out ? (long)(out->n - had) : counted;
		if (dec == DEC_BAD)
			rc = -1;
		else if (dec == DEC_END)
			d->in_key = false;
		else if (d->key == hi && d->ps.row > f.hi)
			rc = 1;	/* the last key, past the rows wanted */
		else
			break;	/* more bytes needed */
	}
	d->at = (size_t)(q - d->buf);
	d->ps.f = NULL;
	if (rc)
		d->done = rc > 0;
	return rc;
}

long gi_decode_end(struct gi_decoder *d)
{
	/* the pages ended inside a key that was wanted: cut short */
	bool bad = !d->done && d->in_key;
	long count = d->count;
	free(d->buf);
	memset(d, 0, sizeof *d);
	return bad ? -1 : count;
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
			uint32_t a = cps[i], b = cps[i + 1];
			all[nt] = (struct gi_term){ .lo = gi_key_pair(a, b), .hi = gi_key_pair(a, b), .lo2 = 1, .at = (uint32_t)i };
			if (gi_pair_ctx(a, b)) {
				/* the plain key, and the buckets: any at the word's start (the
				 * character before is not known), else that of the one before
				 * (a separator's too: ，发展 is common) */
				all[nt].lo2 = all[nt].hi2 = all[nt].lo;
				all[nt].lo = gi_key_pair_ctx(a, b, i == 0 ? 0 : gi_ctx_bucket(cps[i - 1]));
				all[nt].hi = i == 0 ? gi_key_pair_ctx(a, b, GI_CTX - 1) : all[nt].lo;
			}
			reach[nt++] = (uint32_t)i + 1;
			if (i + 2 == m)
				break;
		} else {
			bool prefix = i + 1 == m && !cjk_separator(cps[i]);
			all[nt] = (struct gi_term){ .lo = gi_key_lone(cps[i]), .lo2 = 1, .at = (uint32_t)i };
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

bool gi_word_overlaps(const char *word, size_t n)
{
	size_t m = 0;
	uint32_t *cps = xmalloc((n ? n : 1) * sizeof *cps);
	for (size_t i = 0, k; i < n; i += k)
		cps[m++] = next_cp(word, n, i, &k);
	/* the longest border (KMP's failure function at the last character) */
	size_t *fail = xmalloc((m ? m : 1) * sizeof *fail);
	size_t b = 0;
	if (m)
		fail[0] = 0;
	for (size_t i = 1; i < m; i++) {
		while (b && cps[i] != cps[b])
			b = fail[b - 1];
		if (cps[i] == cps[b])
			b++;
		fail[i] = b;
	}
	free(fail);
	free(cps);
	return m > 1 && b > 0;
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
	if (lo == hi)
		return lo;
	/* the first of v[lo..hi-1] >= x (v[hi] is, or hi is n), halving without a branch on
	 * the comparison: as good as random, each one a misprediction */
	const uint64_t *base = v + lo;
	size_t len = hi - lo;
	while (len > 1) {
		size_t half = len / 2;
		base = base[half] < x ? base + half : base;
		len -= half;
	}
	return (size_t)(base - v) + (*base < x);
}

long gi_hits(const struct gi_vec *words, const uint32_t *lens, int nwords, const struct gi_vec *newlines,
	     struct gi_hit **hits)
{
	if (hits)
		*hits = NULL;
	if (nwords <= 0 || nwords > 32)
		return 0;
	/* every occurrence as value << 5 | word, in text order (ties: the earlier word);
	 * one word's list as it is */
	struct gi_vec all = { 0 };
	int sh = nwords > 1 ? 5 : 0;
	if (sh) {
		/* merged: the words' lists are sorted */
		size_t total = 0, at[32] = { 0 };
		for (int w = 0; w < nwords; w++)
			total += words[w].n;
		all.v = xmalloc((total ? total : 1) * sizeof *all.v);
		for (; all.n < total; all.n++) {
			int best = -1;
			for (int w = 0; w < nwords; w++)
				if (at[w] < words[w].n && (best < 0 || words[w].v[at[w]] < words[best].v[at[best]]))
					best = w;
			all.v[all.n] = words[best].v[at[best]++] << 5 | (uint64_t)best;
		}
	}
	const uint64_t *vals = sh ? all.v : words[0].v;
	size_t nvals = sh ? all.n : words[0].n;
	long count = 0;
	size_t nh = 0, caph = 0;
	uint32_t all_words = nwords == 32 ? UINT32_MAX : (1u << nwords) - 1;
	size_t nl = 0, row_first = 0;	/* newline index; the first of its row */
	for (size_t i = 0; i < nvals;) {
		uint64_t v = vals[i] >> sh;
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
		for (; j < nvals && (vals[j] >> sh) < stop; j++)
			seen |= 1u << (sh ? vals[j] & 31 : 0);
		if (!newlines || seen == all_words) {
			uint64_t end = 0;
			for (size_t t = i; t < j; t++) {
				uint64_t at = vals[t] >> sh;
				uint32_t w = sh ? (uint32_t)(vals[t] & 31) : 0;
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

void gi_rows(const struct gi_vec *lists, int k, struct gi_vec *rows)
{
	rows->n = 0;
	size_t *at = xcalloc((size_t)(k ? k : 1), sizeof *at);
	for (;;) {
		uint64_t min = UINT64_MAX;
		for (int j = 0; j < k; j++)
			if (at[j] < lists[j].n && lists[j].v[at[j]] >> 32 < min)
				min = lists[j].v[at[j]] >> 32;
		if (min == UINT64_MAX)
			break;
		gi_vec_push(rows, min);
		/* past every value of that row */
		for (int j = 0; j < k; j++)
			at[j] = seek(lists[j].v, lists[j].n, at[j], (min + 1) << 32);
	}
	free(at);
}
