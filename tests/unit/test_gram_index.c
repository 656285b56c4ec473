#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dugao/cjk_tokenizer.h"
#include "dugao/gram_index.h"
#include "dugao/util.h"

/* A segment kept in memory, as store.c keeps one in search_pages. */
struct page {
	int64_t pid;	/* its pid */
	uint8_t *data;	/* its bytes */
	size_t n;	/* their length */
};

struct seg {
	struct page *pages;	/* in the order written */
	size_t n;		/* how many */
	size_t next;		/* the next page a merge reads */
};

static int keep_page(void *ctx, int64_t pid, const uint8_t *data, size_t n)
{
	struct seg *s = ctx;
	if (s->n && s->pages[s->n - 1].pid >= pid)
		return 7;	/* pids must ascend */
	if (n > GI_PAGE_BYTES + 2)
		return 8;
	s->pages = xrealloc(s->pages, (s->n + 1) * sizeof *s->pages);
	s->pages[s->n].pid = pid;
	s->pages[s->n].data = xmalloc(n ? n : 1);
	memcpy(s->pages[s->n].data, data, n);
	s->pages[s->n++].n = n;
	return 0;
}

static int next_page(void *ctx, const uint8_t **data, size_t *n)
{
	struct seg *s = ctx;
	if (s->next == s->n)
		return 0;
	*data = s->pages[s->next].data;
	*n = s->pages[s->next++].n;
	return 1;
}

static void seg_free(struct seg *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->pages[i].data);
	free(s->pages);
	memset(s, 0, sizeof *s);
}

/* gi_merge_all writes the very pages gi_merge does with every row live (rows 1..nrows),
 * of segs read again from their first page. */
static void check_merge_all(struct seg *segs, int k, uint32_t nrows)
{
	struct gi_source src[8];
	uint32_t *live = xmalloc(nrows * sizeof *live);
	for (uint32_t r = 0; r < nrows; r++)
		live[r] = r + 1;
	struct seg a = { 0 }, b = { 0 };
	struct gi_merged ma, mb;
	for (int s = 0; s < k; s++) {
		segs[s].next = 0;
		src[s] = (struct gi_source){ .next = next_page, .ctx = &segs[s] };
	}
	CHECK_INT(gi_merge(src, k, live, nrows, keep_page, &a, &ma), 0);
	for (int s = 0; s < k; s++)
		segs[s].next = 0;
	CHECK_INT(gi_merge_all(src, k, keep_page, &b, &mb), 0);
	CHECK(ma.bytes == mb.bytes && ma.row_lo == mb.row_lo && ma.row_hi == mb.row_hi && a.n == b.n && a.n > 0);
	for (size_t i = 0; i < a.n && i < b.n; i++)
		CHECK(a.pages[i].pid == b.pages[i].pid && a.pages[i].n == b.pages[i].n &&
		      memcmp(a.pages[i].data, b.pages[i].data, a.pages[i].n) == 0);
	/* segments out of row order are refused */
	struct gi_source back[2] = { src[1], src[0] };
	segs[0].next = segs[1].next = 0;
	struct seg bad = { 0 };
	CHECK(gi_merge_all(back, 2, keep_page, &bad, &mb) == -2);
	seg_free(&a);
	seg_free(&b);
	seg_free(&bad);
	free(live);
}

/* What store.c's lookup reads: from the last page with pid <= lo's to the first with
 * pid >= hi + 1's. */
static int lookup(const struct seg *s, uint64_t lo, uint64_t hi, const uint32_t *rows, size_t nrows, struct gi_vec *out)
{
	size_t from = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->pages[i].pid <= gi_pid(lo, 0))
			from = i;
	struct gi_decoder d = { 0 };
	for (size_t i = from; i < s->n; i++) {
		int rc = gi_decode_page(&d, s->pages[i].pid, s->pages[i].data, s->pages[i].n, lo, hi, rows, nrows, out);
		if (rc < 0) {
			gi_decode_end(&d);
			return -1;
		}
		if (rc > 0 || s->pages[i].pid >= gi_pid(hi + 1, 0))
			break;
	}
	if (gi_decode_end(&d) < 0)
		return -1;
	gi_vec_sort(out);
	return 0;
}

/* The key of a token of the reference tokenizer. */
static uint64_t token_key(const char *t, int len)
{
	uint32_t a, b;
	size_t k = utf8_decode(t, (size_t)len, &a);
	if ((int)k >= len)
		return gi_key_lone(a);
	utf8_decode(t + k, (size_t)len - k, &b);
	return gi_key_pair(a, b);
}

/* Every (key, value) of a text by cjk_tokenize, for checking the build against. */
struct ref {
	uint64_t *key;		/* keys */
	uint64_t *val;		/* row << 32 | position */
	size_t n;		/* how many */
	uint32_t row;		/* the row being tokenized */
	uint32_t pos;		/* the next position */
};

static int ref_token(void *ctx, const char *token, int len, int start, int end)
{
	(void)start;
	(void)end;
	struct ref *r = ctx;
	r->key = xrealloc(r->key, (r->n + 1) * sizeof *r->key);
	r->val = xrealloc(r->val, (r->n + 1) * sizeof *r->val);
	r->key[r->n] = token_key(token, len);
	r->val[r->n++] = (uint64_t)r->row << 32 | r->pos++;
	return 0;
}

static void ref_add(struct ref *r, uint32_t row, const char *text)
{
	r->row = row;
	r->pos = 0;
	cjk_tokenize(text, strlen(text), 0, ref_token, r);
}

/* The reference postings of keys lo..hi in rows (NULL: all), sorted. */
static void ref_get(const struct ref *r, uint64_t lo, uint64_t hi, const uint32_t *rows, size_t nrows, struct gi_vec *out)
{
	out->n = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (r->key[i] < lo || r->key[i] > hi)
			continue;
		bool want = !rows;
		for (size_t j = 0; j < nrows && !want; j++)
			want = rows[j] == (uint32_t)(r->val[i] >> 32);
		if (want)
			gi_vec_push(out, r->val[i]);
	}
	gi_vec_sort(out);
}

static bool same(const struct gi_vec *a, const struct gi_vec *b)
{
	return a->n == b->n && (a->n == 0 || memcmp(a->v, b->v, a->n * sizeof *a->v) == 0);
}

static void test_terms(void)
{
	struct gi_term *t;
	/* one character: every token starting with it */
	CHECK_INT(gi_word_terms("发", strlen("发"), &t), 1);
	CHECK(t[0].lo == gi_key_lone(0x53D1) && t[0].hi == gi_key_prefix_end(0x53D1));
	CHECK(gi_key_pair(0x53D1, 0x5C55) > t[0].lo && gi_key_pair(0x53D1, 0x5C55) <= t[0].hi);
	CHECK(gi_key_lone(0x53D2) > t[0].hi);
	free(t);
	/* a pair of ideographs: its buckets (any, at the start) and its plain key */
	CHECK_INT(gi_word_terms("发展", strlen("发展"), &t), 1);
	CHECK(t[0].lo == gi_key_pair_ctx(0x53D1, 0x5C55, 0) && t[0].hi == gi_key_pair_ctx(0x53D1, 0x5C55, GI_CTX - 1) &&
	      t[0].at == 0 && t[0].lo2 == gi_key_pair(0x53D1, 0x5C55) && t[0].hi2 == t[0].lo2);
	CHECK(gi_key_pair_ctx(0x53D1, 0x5C55, 0) > gi_key_pair(0x53D1, 0x10FFFF) &&
	      gi_key_pair_ctx(0x53D1, 0x9FFF, GI_CTX - 1) < gi_key_prefix_end(0x53D1));
	free(t);
	/* 高质 量发 发展 cover the five characters */
	CHECK_INT(gi_word_terms("高质量发展", strlen("高质量发展"), &t), 3);
	CHECK(t[0].at == 0 && t[1].at == 2 && t[2].at == 3);
	/* 发展 after 量: that bucket, and the plain key */
	CHECK(t[2].lo == gi_key_pair_ctx(0x53D1, 0x5C55, gi_ctx_bucket(0x91CF)) && t[2].hi == t[2].lo &&
	      t[2].lo2 == gi_key_pair(0x53D1, 0x5C55) && t[2].hi2 == t[2].lo2);
	free(t);
	/* after a separator, its bucket too (，folded to ,) */
	CHECK_INT(gi_word_terms("，发展", strlen("，发展"), &t), 2);
	CHECK(t[1].at == 1 && t[1].lo == gi_key_pair_ctx(0x53D1, 0x5C55, gi_ctx_bucket(0x2C)) && t[1].hi == t[1].lo &&
	      t[1].lo2 == gi_key_pair(0x53D1, 0x5C55) && t[1].hi2 == t[1].lo2);
	free(t);
	/* a separator stands alone and never is a prefix; the character before it is exact */
	CHECK_INT(gi_word_terms("发，", strlen("发，"), &t), 2);
	CHECK(t[0].lo == gi_key_lone(0x53D1) && t[0].hi == t[0].lo && t[1].lo == gi_key_lone(0x2C) && t[1].hi == t[1].lo);
	free(t);
	CHECK_INT(gi_word_terms("，发", strlen("，发"), &t), 2);
	CHECK(t[1].at == 1 && t[1].hi == gi_key_prefix_end(0x53D1));
	free(t);
	/* folded as the text is */
	CHECK_INT(gi_word_terms("ＧＤ", strlen("ＧＤ"), &t), 1);
	CHECK(t[0].lo == gi_key_pair('g', 'd') && t[0].hi == t[0].lo && t[0].lo2 > t[0].hi2);
	free(t);
	CHECK_INT(gi_word_terms("", 0, &t), 0);
	free(t);
}

static const char *const texts[] = {
	"要坚持高质量发展，推动ＧＤＰ稳步增长，GDP 增速高于全省。\n哈哈哈哈哈\n\n",
	"改革是发展的动力。高质量 发展要靠改革。\n发展\n",
	"发\n发展发展发展，发\n",
	"一、推动高质量发展\n二、深化改革\n",
};

/* A build of the texts in rows 1.., written and read back, equals cjk_tokenize's
 * tokens; so does a merge of three segments, less the rows removed. */
static void test_round_trip(void)
{
	struct gi_build *b = gi_build_new();
	struct ref ref = { 0 };
	struct seg segs[3] = { 0 };
	uint32_t row = 1;
	for (int s = 0; s < 3; s++) {
		for (int i = 0; i < 4; i++, row++) {
			gi_build_add(b, row, texts[(i + s) % 4], strlen(texts[(i + s) % 4]));
			ref_add(&ref, row, texts[(i + s) % 4]);
		}
		uint32_t lo, hi;
		CHECK(gi_build_rows(b, &lo, &hi) && lo == row - 4 && hi == row - 1);
		size_t bytes = 0;
		CHECK_INT(gi_build_write(b, keep_page, &segs[s], &bytes), 0);
		CHECK(bytes > 0 && !gi_build_rows(b, &lo, &hi));
	}
	uint64_t keys[][2] = {
		{ gi_key_pair(0x53D1, 0x5C55), gi_key_pair(0x53D1, 0x5C55) },	/* 发展 */
		{ gi_key_lone(0x53D1), gi_key_prefix_end(0x53D1) },		/* 发* */
		{ gi_key_lone('\n'), gi_key_lone('\n') },
		{ gi_key_pair('g', 'd'), gi_key_pair('g', 'd') },
		{ gi_key_lone(0x3002), gi_key_lone(0x3002) },			/* 。 */
		{ gi_key_pair(0x54C8, 0x54C8), gi_key_pair(0x54C8, 0x54C8) },	/* 哈哈 */
		{ gi_key_pair(0x4E0D, 0x5B58), gi_key_pair(0x4E0D, 0x5B58) },	/* absent */
	};
	struct gi_vec got = { 0 }, want = { 0 };
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		got.n = 0;
		for (int s = 0; s < 3; s++)
			CHECK_INT(lookup(&segs[s], keys[k][0], keys[k][1], NULL, 0, &got), 0);
		gi_vec_sort(&got);
		ref_get(&ref, keys[k][0], keys[k][1], NULL, 0, &want);
		CHECK(same(&got, &want));
		CHECK(k == 6 ? want.n == 0 : want.n > 0);
	}
	/* only some rows */
	uint32_t some[] = { 2, 5, 11 };
	got.n = 0;
	CHECK_INT(lookup(&segs[0], gi_key_lone(0x53D1), gi_key_prefix_end(0x53D1), some, 3, &got), 0);
	CHECK_INT(lookup(&segs[1], gi_key_lone(0x53D1), gi_key_prefix_end(0x53D1), some, 3, &got), 0);
	CHECK_INT(lookup(&segs[2], gi_key_lone(0x53D1), gi_key_prefix_end(0x53D1), some, 3, &got), 0);
	gi_vec_sort(&got);
	ref_get(&ref, gi_key_lone(0x53D1), gi_key_prefix_end(0x53D1), some, 3, &want);
	CHECK(same(&got, &want) && want.n > 0);

	/* merged, without rows 3, 4 and 9 */
	uint32_t live[] = { 1, 2, 5, 6, 7, 8, 10, 11, 12 };
	struct gi_source src[3];
	for (int s = 0; s < 3; s++)
		src[s] = (struct gi_source){ .next = next_page, .ctx = &segs[s] };
	struct seg merged = { 0 };
	struct gi_merged m;
	CHECK_INT(gi_merge(src, 3, live, 9, keep_page, &merged, &m), 0);
	CHECK(m.bytes > 0 && m.row_lo == 1 && m.row_hi == 12);
	check_merge_all(segs, 3, 12);
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		got.n = 0;
		CHECK_INT(lookup(&merged, keys[k][0], keys[k][1], NULL, 0, &got), 0);
		ref_get(&ref, keys[k][0], keys[k][1], live, 9, &want);
		CHECK(same(&got, &want));
	}
	/* nothing live: nothing written */
	struct seg none = { 0 };
	for (int s = 0; s < 3; s++)
		segs[s].next = 0;
	CHECK_INT(gi_merge(src, 3, NULL, 0, keep_page, &none, &m), 0);
	CHECK(m.bytes == 0 && none.n == 0);
	/* segments out of row order are refused, not merged into a wrong list */
	struct gi_source back[2] = { src[1], src[0] };
	segs[0].next = segs[1].next = 0;
	struct seg bad = { 0 };
	CHECK(gi_merge(back, 2, live, 9, keep_page, &bad, &m) == -2);
	/* damaged pages are an error, not a crash: a header past the end, postings cut
	 * short, a row beyond GI_MAX_ROW */
	struct gi_decoder d = { 0 };
	uint64_t any = UINT64_MAX >> 21;
	uint8_t junk[] = { 0x09, 0x00, 0x05, 0xFF, 0xFF, 0xFF };
	CHECK(gi_decode_page(&d, gi_pid(gi_key_lone(0x53D1), 0), junk, sizeof junk, 0, any, NULL, 0, &got) < 0);
	gi_decode_end(&d);
	uint8_t cut[] = { 0x01, 0x00, 0x03, 0x85 };
	CHECK(gi_decode_page(&d, gi_pid(gi_key_lone(0x53D1), 0), cut, sizeof cut, 0, any, NULL, 0, &got) == 0);
	CHECK(gi_decode_end(&d) < 0);
	uint8_t far[] = { 0x01, 0x00, 0xFF, 0xFF, 0xFF, 0x7F, 0x01, 0x00 };
	CHECK(gi_decode_page(&d, gi_pid(gi_key_lone(0x53D1), 0), far, sizeof far, 0, any, NULL, 0, &got) < 0);
	gi_decode_end(&d);
	seg_free(&bad);
	seg_free(&none);
	seg_free(&merged);
	for (int s = 0; s < 3; s++)
		seg_free(&segs[s]);
	gi_vec_free(&got);
	gi_vec_free(&want);
	free(ref.key);
	free(ref.val);
	gi_build_free(b);
}

/* A key with postings long enough for many pages of its own, next to short ones; and
 * merging such segments. */
static void test_long_postings(void)
{
	struct gi_build *b = gi_build_new();
	struct sbuf t = { 0 };
	for (int i = 0; i < 6000; i++)
		sbuf_puts(&t, i % 10 == 9 ? "哈哈。\n" : "哈哈哈，\n");
	struct seg segs[2] = { 0 };
	for (int s = 0; s < 2; s++) {
		for (uint32_t row = 1; row <= 3; row++)
			gi_build_add(b, (uint32_t)s * 3 + row, t.data, t.len);
		size_t bytes;
		CHECK_INT(gi_build_write(b, keep_page, &segs[s], &bytes), 0);
		CHECK(bytes > 3 * GI_PAGE_BYTES);
	}
	uint64_t haha = gi_key_pair(0x54C8, 0x54C8);
	/* pages that no key starts in, named by the key running on */
	int parts = 0;
	for (size_t i = 0; i < segs[0].n; i++)
		parts += (uint64_t)segs[0].pages[i].pid >> GI_PID_SHIFT == haha && (segs[0].pages[i].pid & 0xFFFFF);
	CHECK(parts > 2);
	/* past its first postings, 哈哈 goes by the character before: 哈 (in a bucket),
	 * or none (plain) */
	uint64_t ctx_lo = gi_key_pair_ctx(0x54C8, 0x54C8, 0), ctx_hi = gi_key_pair_ctx(0x54C8, 0x54C8, GI_CTX - 1);
	struct gi_vec got = { 0 };
	CHECK_INT(lookup(&segs[1], ctx_lo, ctx_hi, NULL, 0, &got), 0);
	CHECK(got.n > 5400);
	CHECK_INT(lookup(&segs[1], haha, haha, NULL, 0, &got), 0);
	gi_vec_sort(&got);
	/* 哈哈哈， holds 哈哈 at 0 and 1 (哈，is lone), 哈哈。 at 0: per row 5400 * 2 + 600 */
	CHECK_INT(got.n, 3 * (5400 * 2 + 600));
	CHECK(got.n && got.v[0] == ((uint64_t)4 << 32 | 0));
	struct gi_source src[2] = { { next_page, &segs[0] }, { next_page, &segs[1] } };
	uint32_t live[] = { 1, 3, 4, 6 };
	struct seg merged = { 0 };
	struct gi_merged m;
	check_merge_all(segs, 2, 6);
	segs[0].next = segs[1].next = 0;
	CHECK_INT(gi_merge(src, 2, live, 4, keep_page, &merged, &m), 0);
	CHECK(m.row_lo == 1 && m.row_hi == 6);
	got.n = 0;
	CHECK_INT(lookup(&merged, haha, haha, NULL, 0, &got), 0);
	CHECK_INT(lookup(&merged, ctx_lo, ctx_hi, NULL, 0, &got), 0);
	CHECK_INT(got.n, 4 * (5400 * 2 + 600));
	got.n = 0;
	CHECK_INT(lookup(&merged, gi_key_lone(0x2C), gi_key_lone(0x2C), NULL, 0, &got), 0);
	CHECK_INT(got.n, 4 * 5400);
	seg_free(&merged);
	seg_free(&segs[0]);
	seg_free(&segs[1]);
	gi_vec_free(&got);
	sbuf_free(&t);
	gi_build_free(b);
}

/* Bytes of a varint. */
static size_t varint_len(uint64_t x)
{
	size_t k = 1;
	for (; x >= 0x80; x >>= 7)
		k++;
	return k;
}

/* The budget a key's postings count (gi_build_bytes): a buffer of its own, 16 bytes
 * at its first posting, doubled whenever a posting comes with len + 16 above it. */
struct budget {
	size_t len;	/* bytes of postings */
	size_t cap;	/* the buffer counted */
	size_t total;	/* what the build counts, summed over the keys */
};

static void budget_add(struct budget *k, size_t n, size_t *total)
{
	if (k->len + 16 > k->cap) {
		*total += k->cap ? k->cap : 16;
		k->cap = k->cap ? 2 * k->cap : 16;
	}
	k->len += n;
}

/* Rows of runs of one letter, of many lengths: a key with long postings of one byte
 * (aa), and one of a posting a row (the run's last letter alone). gi_build_bytes
 * grows by the rule after every row, through many chunks of the build; the same rows
 * built again in the emptied build give the same pages, and the
 * postings read back are all there. */
static void test_budget(void)
{
	enum { ROWS = 300, MAX = 5000 };
	struct gi_build *b = gi_build_new();
	size_t empty = gi_build_bytes(b);
	char *t = xmalloc(MAX);
	memset(t, 'a', MAX);
	struct seg segs[2] = { 0 };
	size_t want = 0;
	for (int s = 0; s < 2; s++) {
		struct budget aa = { 0 }, a = { 0 };
		uint32_t aa_row = 0, a_row = 0;
		size_t total = 0;
		want = 0;
		for (uint32_t row = 1; row <= ROWS; row++) {
			size_t n = 1 + (row * 7919u) % (row % 10 ? 40 : MAX);
			gi_build_add(b, row, t, n);
			if (n > 1) {
				/* aa: a row change at position 0, then deltas of 1 */
				budget_add(&aa, varint_len((uint64_t)(row - aa_row) * 2 + 1) + varint_len(0), &total);
				for (size_t i = 1; i < n - 1; i++)
					budget_add(&aa, 1, &total);
				aa_row = row;
				want += n - 1;
			}
			/* a alone: a row change at position n - 1 */
			budget_add(&a, varint_len((uint64_t)(row - a_row) * 2 + 1) + varint_len(n - 1), &total);
			a_row = row;
			CHECK_INT(gi_build_bytes(b), empty + total + (aa.len ? 2 : 1) * 16);
		}
		size_t bytes;
		CHECK_INT(gi_build_write(b, keep_page, &segs[s], &bytes), 0);
		CHECK_INT(gi_build_bytes(b), empty);
	}
	CHECK(segs[0].n == segs[1].n && segs[0].n > 2);
	for (size_t i = 0; i < segs[0].n && i < segs[1].n; i++)
		CHECK(segs[0].pages[i].pid == segs[1].pages[i].pid && segs[0].pages[i].n == segs[1].pages[i].n &&
		      memcmp(segs[0].pages[i].data, segs[1].pages[i].data, segs[0].pages[i].n) == 0);
	struct gi_vec got = { 0 };
	CHECK_INT(lookup(&segs[1], gi_key_pair('a', 'a'), gi_key_pair('a', 'a'), NULL, 0, &got), 0);
	CHECK_INT(got.n, want);
	CHECK_INT(lookup(&segs[1], gi_key_lone('a'), gi_key_lone('a'), NULL, 0, &got), 0);
	CHECK_INT(got.n, want + ROWS);
	seg_free(&segs[0]);
	seg_free(&segs[1]);
	gi_vec_free(&got);
	free(t);
	gi_build_free(b);
}

/* Rows of random ideographs (nearly every pair a new key) up to chars characters in
 * all, from row *row on. */
static void add_random_rows(struct gi_build *b, uint32_t *row, uint32_t *x, size_t chars)
{
	struct sbuf t = { 0 };
	for (size_t done = 0; done < chars;) {
		sbuf_reset(&t);
		for (int i = 0; i < 20000 && done < chars; i++, done++) {
			char u[4];
			*x = *x * 1103515245u + 12345u;
			sbuf_append(&t, u, utf8_encode(0x4E00 + (*x >> 8) % 0x5000, u));
		}
		gi_build_add(b, (*row)++, t.data, t.len);
	}
	sbuf_free(&t);
}

/* A text of a very large vocabulary: the build's table stays at 8 MB past half full,
 * so 150,000 keys count less than the writer's budget of 16 MB (a table doubled to
 * 16 MB there, 24 MB while it was rehashed, was the whole budget: every later row a
 * segment); past three quarters full it counts 16 MB or more, so the writer flushes
 * it before it grows; and the postings are all there. */
static void test_big_vocabulary(void)
{
	struct gi_build *b = gi_build_new();
	uint32_t row = 1, x = 2026;
	add_random_rows(b, &row, &x, 150000);
	CHECK(gi_build_bytes(b) < 16 << 20);
	add_random_rows(b, &row, &x, 60000);
	CHECK(gi_build_bytes(b) >= 16 << 20);
	struct seg seg = { 0 };
	size_t bytes;
	CHECK_INT(gi_build_write(b, keep_page, &seg, &bytes), 0);
	/* the first row's first pair, found at its place */
	x = 2026;
	uint32_t c[2];
	for (int i = 0; i < 2; i++) {
		x = x * 1103515245u + 12345u;
		c[i] = 0x4E00 + (x >> 8) % 0x5000;
	}
	struct gi_vec got = { 0 };
	CHECK_INT(lookup(&seg, gi_key_pair(c[0], c[1]), gi_key_pair(c[0], c[1]), NULL, 0, &got), 0);
	CHECK(got.n >= 1);
	seg_free(&seg);
	gi_vec_free(&got);
	gi_build_free(b);
}

/* Segments of random rows (sparse: row deltas of several bytes) and texts (a key at a
 * row's start, at position 0, and far apart: position deltas of several bytes; runs of
 * one character: deltas of 1), merged keeping every row: the pages gi_merge writes. */
static void test_merge_random(void)
{
	static const char *const pieces[] = { "发展", "改革", "，", "的", "\n", "哈哈哈哈哈哈", "a", "。", "量" };
	struct gi_build *b = gi_build_new();
	struct seg segs[5] = { 0 };
	struct sbuf t = { 0 };
	uint32_t row = 0;
	unsigned seed = 12345;
	for (int s = 0; s < 5; s++) {
		for (int r = 0; r < 20; r++) {
			seed = seed * 1103515245 + 12345;
			row += 1 + (seed >> 16) % (r % 4 == 0 ? 3000 : 3);
			sbuf_reset(&t);
			int n = (int)((seed >> 8) % 400);
			for (int i = 0; i < n; i++) {
				seed = seed * 1103515245 + 12345;
				unsigned pick = (seed >> 16) % 64;
				/* now and then a long stretch without 发展's pieces */
				for (unsigned f = 0; pick == 0 && f < 300; f++)
					sbuf_puts(&t, "一");
				sbuf_puts(&t, pieces[pick % (sizeof pieces / sizeof *pieces)]);
			}
			gi_build_add(b, row, t.data ? t.data : "", t.len);
		}
		size_t bytes;
		CHECK_INT(gi_build_write(b, keep_page, &segs[s], &bytes), 0);
	}
	check_merge_all(segs, 5, row);
	for (int s = 0; s < 5; s++)
		seg_free(&segs[s]);
	sbuf_free(&t);
	gi_build_free(b);
}

/* One segment of one key's postings, in one page, as written bytes. */
static void seg_of(struct seg *s, uint64_t key, const uint8_t *postings, size_t n)
{
	struct sbuf p = { 0 };
	sbuf_put_varint(&p, 1);	/* the key starts at 0 */
	sbuf_put_varint(&p, key);	/* its delta from 0 */
	sbuf_append(&p, (const char *)postings, n);
	CHECK_INT(keep_page(s, gi_pid(key, 0), (const uint8_t *)p.data, p.len), 0);
	sbuf_free(&p);
}

/* Damaged postings are an error for a merge keeping every row too, not a hang or a
 * crash: a varint too long (where eight bytes are read at once, and where fewer are
 * left), postings with no 0 at their end. */
static void test_merge_damaged(void)
{
	uint64_t key = gi_key_lone(0x53D1);
	/* row 1 at 5, at 7 */
	static const uint8_t good[] = { 0x03, 0x05, 0x04, 0x00 };
	/* row 8 at 0 (a 0 that does not end them), at 2, then 12 bytes of one varint */
	static const uint8_t too_long[] = { 0x11, 0x00, 0x04, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82,
					    0x82, 0x82, 0x82, 0x82, 0x01, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00 };
	static const uint8_t too_long_end[] = { 0x11, 0x00, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82 };
	static const uint8_t no_end[] = { 0x11, 0x00, 0x04, 0x04 };
	static const uint8_t fine[] = { 0x11, 0x00, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00 };
	const struct {
		const uint8_t *p;
		size_t n;
		int rc;
	} cases[] = {
		{ too_long, sizeof too_long, -2 },
		{ too_long_end, sizeof too_long_end, -2 },
		{ no_end, sizeof no_end, -2 },
		{ fine, sizeof fine, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct seg a = { 0 }, z = { 0 }, out = { 0 };
		seg_of(&a, key, good, sizeof good);
		seg_of(&z, key, cases[i].p, cases[i].n);
		struct gi_source src[2] = { { next_page, &a }, { next_page, &z } };
		struct gi_merged m;
		CHECK_INT(gi_merge_all(src, 2, keep_page, &out, &m), cases[i].rc);
		if (cases[i].rc == 0) {
			CHECK(m.row_lo == 1 && m.row_hi == 8);
			struct gi_vec got = { 0 };
			CHECK_INT(lookup(&out, key, key, NULL, 0, &got), 0);
			CHECK_INT(got.n, 2 + 11);
			CHECK(got.n == 13 && got.v[1] == ((uint64_t)1 << 32 | 7) && got.v[2] == ((uint64_t)8 << 32 | 0) &&
			      got.v[12] == ((uint64_t)8 << 32 | 20));
			gi_vec_free(&got);
		}
		seg_free(&a);
		seg_free(&z);
		seg_free(&out);
	}
}

/* Where word starts in seg: the starts that every term's postings (both ranges, at its
 * offset) give. */
static void word_starts(const struct seg *seg, const char *word, struct gi_vec *out)
{
	struct gi_term *t;
	int k = gi_word_terms(word, strlen(word), &t);
	struct gi_vec got = { 0 }, next = { 0 };
	out->n = 0;
	for (int j = 0; j < k; j++) {
		got.n = 0;
		CHECK_INT(lookup(seg, t[j].lo, t[j].hi, NULL, 0, &got), 0);
		if (t[j].lo2 <= t[j].hi2)
			CHECK_INT(lookup(seg, t[j].lo2, t[j].hi2, NULL, 0, &got), 0);
		gi_vec_sort(&got);
		next.n = 0;
		for (size_t i = 0; i < got.n; i++)
			if ((uint32_t)got.v[i] >= t[j].at) {
				uint64_t x = got.v[i] - t[j].at;
				bool keep = j == 0;
				for (size_t m = 0; m < out->n && !keep; m++)
					keep = out->v[m] == x;
				if (keep)
					gi_vec_push(&next, x);
			}
		struct gi_vec swap = *out;
		*out = next;
		next = swap;
	}
	gi_vec_free(&got);
	gi_vec_free(&next);
	free(t);
}

/* A pair common in a build has its postings in later builds under keys by the character
 * before; words find all their occurrences, after any character, a separator or none. */
static void test_context(void)
{
	static const char *const parts[] = { "高质量发展", "经济发展", "，发展", "的发展", "发展", "\n发展", "展发" };
	struct sbuf t = { 0 };
	for (int i = 0; i < 2800; i++)
		sbuf_puts(&t, parts[i % 7]);
	/* the first write finds the pairs common, the second has their buckets; both
	 * merged into one segment */
	struct gi_build *b = gi_build_new();
	struct seg two[2] = { 0 }, seg = { 0 };
	size_t bytes;
	for (uint32_t row = 1; row <= 2; row++) {
		gi_build_add(b, row, t.data, t.len);
		CHECK_INT(gi_build_write(b, keep_page, &two[row - 1], &bytes), 0);
	}
	struct gi_source src[2] = { { next_page, &two[0] }, { next_page, &two[1] } };
	struct gi_merged m;
	CHECK_INT(gi_merge_all(src, 2, keep_page, &seg, &m), 0);
	seg_free(&two[0]);
	seg_free(&two[1]);
	struct gi_vec got = { 0 };
	CHECK_INT(lookup(&seg, gi_key_pair_ctx(0x53D1, 0x5C55, 0), gi_key_pair_ctx(0x53D1, 0x5C55, GI_CTX - 1), NULL, 0,
			 &got), 0);
	CHECK(got.n > 1000);
	static const char *const words[] = { "发展", "高质量发展", "量发展", "经济发展", "的发展", "，发展", "展发展", "发展发", "展高质" };
	for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
		long want = 0;
		for (const char *p = t.data; (p = strstr(p, words[w])); p += strlen(words[w]))
			want += 2;
		word_starts(&seg, words[w], &got);
		CHECK_INT((long)got.n, want);
	}
	gi_vec_free(&got);
	seg_free(&seg);
	sbuf_free(&t);
	gi_build_free(b);
}

static struct gi_vec vec(const uint64_t *v, size_t n)
{
	struct gi_vec out = { 0 };
	for (size_t i = 0; i < n; i++)
		gi_vec_push(&out, v[i]);
	return out;
}

#define R(row, pos) ((uint64_t)(row) << 32 | (pos))

static void test_phrase_and_hits(void)
{
	/* 高质 at 0, 量发 at 2, 发展 at 3: a probe keeps the postings of 发展 three
	 * characters past a start of the word found so far (R(1, 1) has none) */
	uint64_t a[] = { R(1, 4), R(1, 40), R(2, 7) }, c[] = { R(1, 1), R(1, 7), R(1, 43), R(2, 10), R(3, 3) };
	struct gi_probe probe = { .v = a, .n = 3, .shift = 3 };
	struct seg seg = { 0 };
	struct gi_build *pb = gi_build_new();
	/* 发展 in three rows of x at the positions of c */
	for (uint32_t row = 1; row <= 3; row++) {
		struct sbuf t = { 0 };
		for (uint32_t at = 0; at < 50; at++) {
			bool here = false, after = false;
			for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
				here = here || c[i] == R(row, at);
				after = after || (at > 0 && c[i] == R(row, at - 1));
			}
			sbuf_puts(&t, here ? "发" : after ? "展" : "x");
		}
		gi_build_add(pb, row, t.data, t.len);
		sbuf_free(&t);
	}
	size_t bytes;
	CHECK_INT(gi_build_write(pb, keep_page, &seg, &bytes), 0);
	struct gi_vec out = { 0 };
	uint64_t fz = gi_key_pair(0x53D1, 0x5C55);
	struct gi_decoder d = { .probe = &probe };
	for (size_t i = 0; i < seg.n; i++)
		if (gi_decode_page(&d, seg.pages[i].pid, seg.pages[i].data, seg.pages[i].n, fz, fz, NULL, 0, &out) != 0)
			break;
	CHECK_INT(gi_decode_end(&d), 3);
	CHECK(out.n == 3 && out.v[0] == R(1, 7) && out.v[1] == R(1, 43) && out.v[2] == R(2, 10));
	seg_free(&seg);
	gi_build_free(pb);

	/* 哈哈 in 哈哈哈哈哈 (row 1, line 0) and 哈哈 (line 1, from 6): non-overlapping */
	uint64_t h[] = { R(1, 0), R(1, 1), R(1, 2), R(1, 3), R(1, 6) }, nl[] = { R(1, 5), R(1, 8) };
	struct gi_vec hw = vec(h, 5), nv = vec(nl, 2);
	uint32_t len2[] = { 2, 2 };
	CHECK_INT(gi_hits(&hw, len2, 1, NULL, NULL), 3);
	struct gi_hit *hits = NULL;
	CHECK_INT(gi_hits(&hw, len2, 1, &nv, &hits), 3);
	CHECK(hits && hits[0].para == 0 && hits[0].offset == 0 && hits[1].offset == 2 && hits[2].para == 1 &&
	      hits[2].offset == 0 && hits[2].length == 2);
	free(hits);

	/* two words: only lines holding both; ties go to the earlier word */
	uint64_t w1[] = { R(1, 0), R(1, 6), R(2, 3) }, w2[] = { R(1, 0), R(1, 3), R(2, 9) }, nl2[] = { R(1, 5), R(1, 8), R(2, 20) };
	struct gi_vec words[2] = { vec(w1, 3), vec(w2, 3) }, n2 = vec(nl2, 3);
	uint32_t lens[] = { 2, 3 };
	hits = NULL;
	CHECK_INT(gi_hits(words, lens, 2, &n2, &hits), 4);
	/* line 0 of row 1: 0 (word 0, wins the tie), 3 (word 1); line 1: word 0 alone, none;
	 * row 2: 3 and 9 */
	CHECK(hits && hits[0].row == 1 && hits[0].offset == 0 && hits[0].length == 2 && hits[1].offset == 3 &&
	      hits[1].length == 3 && hits[2].row == 2 && hits[2].para == 0 && hits[3].offset == 9);
	free(hits);
	CHECK_INT(gi_hits(words, lens, 2, &n2, NULL), 4);

	gi_vec_free(&out);
	gi_vec_free(&hw);
	gi_vec_free(&nv);
	gi_vec_free(&words[0]);
	gi_vec_free(&words[1]);
	gi_vec_free(&n2);
}

static void test_sort(void)
{
	struct gi_vec v = { 0 };
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < 5000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		gi_vec_push(&v, x >> 16);
	}
	gi_vec_sort(&v);
	bool sorted = true;
	for (size_t i = 1; i < v.n; i++)
		sorted = sorted && v.v[i - 1] <= v.v[i];
	CHECK(sorted && v.n == 5000);
	gi_vec_free(&v);
}

static void test_overlaps(void)
{
	CHECK(!gi_word_overlaps("", 0));
	CHECK(!gi_word_overlaps("发", strlen("发")));
	CHECK(!gi_word_overlaps("发展", strlen("发展")));
	CHECK(!gi_word_overlaps("高质量发展", strlen("高质量发展")));
	CHECK(gi_word_overlaps("哈哈", strlen("哈哈")));
	CHECK(gi_word_overlaps("发展的发展", strlen("发展的发展")));
	CHECK(gi_word_overlaps("abab", 4));
	CHECK(gi_word_overlaps("aabaa", 5));
	CHECK(!gi_word_overlaps("aab", 3));
	/* folded: Ab and aB are the same characters */
	CHECK(gi_word_overlaps("AbaB", 4));
}

int main(void)
{
	test_terms();
	test_round_trip();
	test_long_postings();
	test_budget();
	test_big_vocabulary();
	test_merge_random();
	test_merge_damaged();
	test_context();
	test_phrase_and_hits();
	test_sort();
	test_overlaps();
	return check_done();
}
