#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dugao/normalise.h"

/* Lines collected as "NO:text|" so whole splits compare as one string. */
struct lines {
	struct sbuf all;	/* every line seen */
	long count;		/* lines seen */
	size_t longest;		/* longest line in bytes */
};

static int collect(void *ctx, const char *text, size_t len, long line_no)
{
	struct lines *l = ctx;
	sbuf_printf(&l->all, "%ld:", line_no);
	sbuf_append(&l->all, text, len);
	sbuf_append(&l->all, "|", 1);
	l->count++;
	if (len > l->longest)
		l->longest = len;
	return 0;
}

/* Splits text fed in pieces of step bytes (0: one piece); caller frees the result. */
static char *split(const char *text, size_t n, size_t step, size_t max, struct lines *l)
{
	memset(l, 0, sizeof *l);
	struct line_splitter *s = line_splitter_new(collect, l, max);
	size_t at = 0;
	while (step && at + step < n) {
		line_splitter_feed(s, text + at, step);
		at += step;
	}
	line_splitter_feed(s, text + at, n - at);
	line_splitter_finish(s);
	line_splitter_free(s);
	return sbuf_take(&l->all);
}

static void test_line_ends(void)
{
	const char *text = "一\n二\r\n三\r四\n\n五";
	for (size_t step = 0; step < 5; step++) {
		struct lines l;
		char *got = split(text, strlen(text), step, 1024, &l);
		CHECK_STR(got, "1:一|2:二|3:三|4:四|5:|6:五|");
		free(got);
	}
	/* CR at the end of a piece, LF at the start of the next: one line end */
	struct lines l;
	char *got = split("a\r\nb\r", 5, 2, 1024, &l);
	CHECK_STR(got, "1:a|2:b|");
	free(got);
	got = split("\r\r\n\n", 4, 1, 1024, &l);
	CHECK_STR(got, "1:|2:|3:|");
	free(got);
}

static void test_long_lines(void)
{
	/* a sentence end near the limit is where the line is cut */
	struct sbuf t = { 0 };
	for (int i = 0; i < 40; i++)
		sbuf_puts(&t, "我们要坚持稳中求进。");	/* 30 bytes a sentence */
	struct lines l;
	char *whole = split(t.data, t.len, 0, 256, &l);
	CHECK(l.count > 4);
	CHECK(l.longest <= 256);
	/* every piece ends with 。 but perhaps the last */
	CHECK(strstr(whole, "求|") == NULL);
	for (size_t step = 1; step < 40; step += 7) {
		char *pieces = split(t.data, t.len, step, 256, &l);
		CHECK_STR(pieces, whole);
		free(pieces);
	}
	free(whole);

	/* no punctuation at all: cut at a character boundary, nothing lost */
	sbuf_reset(&t);
	for (int i = 0; i < 300; i++)
		sbuf_puts(&t, i % 3 ? "中" : "a");
	whole = split(t.data, t.len, 0, 100, &l);
	CHECK(l.longest <= 100);
	struct sbuf joined = { 0 };
	for (char *p = whole; *p;) {
		char *colon = strchr(p, ':'), *bar = strchr(colon, '|');
		sbuf_append(&joined, colon + 1, (size_t)(bar - colon - 1));
		CHECK(strncmp(p, "1:", 2) == 0);	/* the pieces keep the source line */
		p = bar + 1;
	}
	CHECK_STR(joined.data, t.data);
	for (size_t step = 1; step < 12; step += 5) {
		char *pieces = split(t.data, t.len, step, 100, &l);
		CHECK_STR(pieces, whole);
		free(pieces);
	}
	free(whole);
	sbuf_free(&joined);
	sbuf_free(&t);
}

static char *norm(const char *in, size_t n)
{
	struct sbuf out = { 0 };
	normalise_line(in, n, &out);
	return sbuf_take(&out);
}

static void test_normalise_line(void)
{
	char *s;
	s = norm("\x1B[31m红\x1B[0m", 12);
	CHECK_STR(s, "\xEF\xBF\xBD[31m红\xEF\xBF\xBD[0m");
	free(s);
	/* OSC: neither ESC nor BEL survives, the text does */
	const char *osc = "前\x1B]0;title\x07后\x1B]8;;http://x\x1B\\link";
	s = norm(osc, strlen(osc));
	CHECK(strchr(s, 0x1B) == NULL && strchr(s, 0x07) == NULL);
	CHECK(strstr(s, "title") && strstr(s, "link") && strstr(s, "前") && strstr(s, "后"));
	free(s);
	/* C1 controls as characters (U+009B is CSI) and DEL */
	s = norm("a\xC2\x9B" "2Jb\x7F", 7);
	CHECK_STR(s, "a\xEF\xBF\xBD" "2Jb\xEF\xBF\xBD");
	free(s);
	/* NUL, tab, vertical tab */
	s = norm("x\0y\tz\vw", 7);
	CHECK_STR(s, "x\xEF\xBF\xBDy z w");
	free(s);
	/* bidi overrides and isolates replaced; BOM and zero-width space removed */
	s = norm("a\xE2\x80\xAE" "b\xE2\x81\xA6" "c\xEF\xBB\xBF" "d\xE2\x80\x8B" "e", 17);
	CHECK_STR(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "cde");
	free(s);
	/* the three-byte fast path lets none of them through: line separator, word joiner,
	 * interlinear annotation, next to safe neighbours (€ ⁰ full-width forms) */
	s = norm("\xE2\x82\xAC" "a\xE2\x80\xA8" "b\xE2\x81\xA0" "c\xEF\xBF\xB9" "d\xE2\x81\xB0（ｘ）", 28);
	CHECK_STR(s, "\xE2\x82\xAC" "a b" "c\xEF\xBF\xBD" "d\xE2\x81\xB0（ｘ）");
	free(s);
	/* trailing spaces trimmed (ASCII, ideographic, no-break); leading ones kept */
	s = norm("\xE3\x80\x80\xE3\x80\x80正文  \xE3\x80\x80\xC2\xA0 \t", 21);
	CHECK_STR(s, "\xE3\x80\x80\xE3\x80\x80正文");
	free(s);
	/* invalid bytes never pass through */
	s = norm("a\xFF\xE4\xB8", 4);
	CHECK_STR(s, "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	free(s);
	/* ordinary text is untouched, U+FFFD itself included */
	const char *plain = "同志们：（一）1．“三农”工作，\xEF\xBF\xBD ok!";
	s = norm(plain, strlen(plain));
	CHECK_STR(s, plain);
	free(s);
	/* appends: what out held stays */
	struct sbuf out = { 0 };
	sbuf_puts(&out, "x ");
	normalise_line("  ", 2, &out);
	CHECK_STR(out.data, "x ");
	sbuf_free(&out);
}

/* Every character from U+0800 to U+FFFF (surrogates aside) between two letters: the
 * few that act are replaced, spaced or dropped, all others kept as they are. */
static void test_every_bmp_character(void)
{
	long bad = 0;
	for (uint32_t cp = 0x800; cp < 0x10000; cp++) {
		if (cp >= 0xD800 && cp <= 0xDFFF)
			continue;
		char in[5] = { 'a' }, want[8] = { 'a' };
		size_t k = utf8_encode(cp, in + 1);
		in[1 + k] = 'b';
		size_t w = 1;
		if (cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x206F) ||
		    (cp >= 0xFFF9 && cp <= 0xFFFB)) {
			memcpy(want + w, "\xEF\xBF\xBD", 3);
			w += 3;
		} else if (cp == 0x2028 || cp == 0x2029) {
			want[w++] = ' ';
		} else if (cp != 0x200B && cp != 0x2060 && cp != 0xFEFF) {
			memcpy(want + w, in + 1, k);
			w += k;
		}
		want[w++] = 'b';
		struct sbuf out = { 0 };
		normalise_line(in, k + 2, &out);
		bad += out.len != w || memcmp(out.data, want, w) != 0;
		sbuf_free(&out);
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	test_every_bmp_character();
	test_line_ends();
	test_long_lines();
	test_normalise_line();
	return check_done();
}
