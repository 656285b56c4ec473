/* Fuzz target: term extraction and the hit scan over the paragraphs of a text.
 * The input is made into what the importer hands the terms module (valid UTF-8 after
 * normalise, one paragraph a line).
 * Invariants: each term is non-empty valid UTF-8 of a known kind with a finite score;
 * hits name a chosen term, lie inside the paragraph, and come in order without
 * overlapping. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "dugao/decode.h"
#include "dugao/normalise.h"
#include "dugao/terms.h"
#include "fuzz.h"

struct scan {
	size_t terms;	/* terms chosen */
	long chars;	/* characters in the paragraph */
	long end;	/* end of the previous hit */
};

static void on_hit(void *ctx, size_t term, long offset, long length)
{
	struct scan *s = ctx;
	FUZZ_CHECK(term < s->terms);
	FUZZ_CHECK(length > 0 && offset >= s->end && offset + length <= s->chars);
	s->end = offset + length;
}

/* Calls fn on each normalised line of text. */
static void each_paragraph(const struct sbuf *text, void (*fn)(void *ctx, const char *p, size_t n), void *ctx)
{
	struct sbuf line = { 0 };
	size_t at = 0;
	while (at < text->len) {
		const char *nl = memchr(text->data + at, '\n', text->len - at);
		size_t n = nl ? (size_t)(nl - (text->data + at)) : text->len - at;
		sbuf_reset(&line);
		normalise_line(text->data + at, n, &line);
		fn(ctx, line.data ? line.data : "", line.len);
		at += n + 1;
	}
	sbuf_free(&line);
}

static void feed(void *ctx, const char *p, size_t n)
{
	terms_feed(ctx, p, n);
}

struct scan_ctx {
	struct terms *t;	/* the extractor */
	size_t n;		/* terms chosen */
};

static void scan(void *ctx, const char *p, size_t n)
{
	struct scan_ctx *c = ctx;
	struct scan s = { .terms = c->n, .chars = (long)utf8_count(p, n), .end = 0 };
	terms_scan(c->t, p, n, on_hit, &s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[160];
	struct decoder *d = decoder_new("UTF-8", err, sizeof err);
	FUZZ_CHECK(d != NULL);
	struct sbuf text = { 0 };
	decoder_feed(d, data, size, true, &text);
	decoder_free(d);

	struct terms *t = terms_new(NULL);
	each_paragraph(&text, feed, t);
	size_t n = terms_finish(t);
	for (size_t i = 0; i < n; i++) {
		const struct term *term = terms_get(t, i);
		FUZZ_CHECK(term && term->text && term->text[0]);
		FUZZ_CHECK(fuzz_safe_text(term->text, strlen(term->text)));
		FUZZ_CHECK(term->kind && (!strcmp(term->kind, "quoted") || !strcmp(term->kind, "formula") ||
					  !strcmp(term->kind, "phrase") || !strcmp(term->kind, "glossary")));
		FUZZ_CHECK(isfinite(term->score));
	}
	struct scan_ctx c = { .t = t, .n = n };
	each_paragraph(&text, scan, &c);
	terms_free(t);
	sbuf_free(&text);
	return 0;
}
