/* Fuzz target: import and search, against the one definition of a hit. The first line
 * of the input (up to 8 characters, spaces and quotes taken out: one word) is the
 * query; the rest is a document, imported from a file into an in-memory library. A
 * second query is cut from the longest stored paragraph, so that there are hits.
 * Invariant: store_search and store_search_count give exactly the non-overlapping
 * folded occurrences that fold_find_all finds in the stored non-noise paragraphs, with
 * the same paragraph, offset and length, in text order. This covers the search index
 * (gram_index.c) on any text, and the importer and store end to end. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dugao/decode.h"
#include "dugao/fold.h"
#include "dugao/importer.h"
#include "dugao/normalise.h"
#include "dugao/store.h"
#include "fuzz.h"

struct hit {
	long para;	/* paragraph seq */
	long offset;	/* characters into it */
	long length;	/* characters */
};

struct hits {
	struct hit *v;	/* in text order */
	long n;		/* how many */
	long cap;	/* room */
	long para;	/* paragraph being scanned (the reference side) */
};

static void add(struct hits *h, long para, long offset, long length)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 16;
		h->v = xrealloc(h->v, (size_t)h->cap * sizeof *h->v);
	}
	h->v[h->n++] = (struct hit){ para, offset, length };
}

static void on_found(void *ctx, long offset, long length)
{
	struct hits *h = ctx;
	add(h, h->para, offset, length);
}

struct want_ctx {
	struct hits *hits;	/* what fold_find_all finds */
	const char *word;	/* the query word */
};

static int scan_paragraph(void *ctx, const struct para *p)
{
	struct want_ctx *w = ctx;
	w->hits->para = p->seq;
	fold_find_all(p->text, p->len, w->word, strlen(w->word), on_found, w->hits);
	return 0;
}

static int on_hit(void *ctx, const struct search_hit *h)
{
	add(ctx, h->para, h->offset, h->length);
	return 0;
}

/* The query as the command line would pass it, one word: spaces, quotes, controls and
 * BOMs taken out, at most max characters from character skip on. */
static void make_word(const char *s, size_t n, size_t skip, size_t max, struct sbuf *word)
{
	for (size_t i = 0, chars = 0; i < n && chars < skip + max;) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (cp != ' ' && cp != 0x3000 && cp != '"' && !fuzz_acts_on_terminal(cp) && cp != 0xFEFF) {
			if (chars >= skip)
				sbuf_append(word, s + i, k);
			chars++;
		}
		i += k;
	}
}

/* Searches for word and compares with fold_find_all over the stored paragraphs. */
static void check_query(struct store *st, long id, const char *word)
{
	struct hits want = { 0 }, got = { 0 };
	struct want_ctx w = { .hits = &want, .word = word };
	FUZZ_CHECK(store_each_paragraph(st, id, 0, -1, false, scan_paragraph, &w) == 0);
	long count = store_search_count(st, word, id);
	long listed = store_search(st, word, id, -1, on_hit, &got);
	if (count != want.n || listed != want.n)
		fprintf(stderr, "query '%s': fold_find_all %ld, count %ld, search %ld (%s)\n", word, want.n, count, listed,
			store_error(st));
	FUZZ_CHECK(count == want.n);
	FUZZ_CHECK(listed == want.n);
	for (long i = 0; i < want.n; i++) {
		if (memcmp(&want.v[i], &got.v[i], sizeof want.v[i]) != 0)
			fprintf(stderr, "query '%s', hit %ld: want %ld:%ld+%ld, got %ld:%ld+%ld\n", word, i, want.v[i].para,
				want.v[i].offset, want.v[i].length, got.v[i].para, got.v[i].offset, got.v[i].length);
		FUZZ_CHECK(memcmp(&want.v[i], &got.v[i], sizeof want.v[i]) == 0);
	}
	free(want.v);
	free(got.v);
}

/* The longest stored paragraph: a second query is cut from it, so that it has hits. */
static int longest(void *ctx, const struct para *p)
{
	struct sbuf *b = ctx;
	if (p->len > b->len) {
		sbuf_reset(b);
		sbuf_append(b, p->text, p->len);
	}
	return 0;
}

static char path[64];	/* the document file, one per process */

static void remove_file(void)
{
	unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	if (!nl)
		return 0;
	char err[160];
	struct decoder *d = decoder_new("UTF-8", err, sizeof err);
	struct sbuf raw = { 0 }, word = { 0 };
	decoder_feed(d, data, (size_t)(nl - data), true, &raw);
	decoder_free(d);
	make_word(raw.data ? raw.data : "", raw.len, 0, 8, &word);
	sbuf_free(&raw);

	if (!path[0]) {
		snprintf(path, sizeof path, "/tmp/dugao-fuzz-search-%ld.txt", (long)getpid());
		atexit(remove_file);
	}
	FILE *f = fopen(path, "wb");
	FUZZ_CHECK(f != NULL);
	fwrite(nl + 1, 1, size - (size_t)(nl + 1 - data), f);
	fclose(f);

	struct store *st;
	FUZZ_CHECK(store_open(":memory:", STORE_WRITE, &st, err, sizeof err) == 0);
	struct import_options opt = { 0 };
	struct import_result res;
	import_file(st, path, &opt, &res);
	if (res.status == IMPORT_OK) {
		if (word.len)
			check_query(st, res.id, word.data);
		struct sbuf para = { 0 }, cut = { 0 };
		FUZZ_CHECK(store_each_paragraph(st, res.id, 0, -1, false, longest, &para) == 0);
		size_t chars = utf8_count(para.data ? para.data : "", para.len);
		if (chars) {
			make_word(para.data, para.len, size % chars, 1 + size % 4, &cut);
			if (cut.len)
				check_query(st, res.id, cut.data);
		}
		sbuf_free(&para);
		sbuf_free(&cut);
	}
	store_close(st);
	sbuf_free(&word);
	return 0;
}
