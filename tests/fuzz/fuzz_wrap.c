/* Fuzz target: display-column measurement and line breaking.
 * The first four bytes choose the options; the rest, made into valid normalised
 * UTF-8 as the store holds it, is the paragraph.
 * Invariants: at least one line; lines cover the text in order, whole characters,
 * with only spaces between one line's end and the next one's start; each width is
 * its indent (the one asked for, shrunk only where it leaves less than two columns)
 * plus the columns of its text; no line is wider than the width unless it
 * holds a single grapheme; wrap_cut keeps whole graphemes within the columns. */
#include "config.h"

#include <string.h>
#include <unigbrk.h>

#include "dugao/decode.h"
#include "dugao/normalise.h"
#include "dugao/wrap.h"
#include "fuzz.h"

static bool char_boundary(const char *s, size_t n, size_t at)
{
	return at == 0 || at == n || ((unsigned char)s[at] & 0xC0) != 0x80;
}

/* Whether s[start..end) is one grapheme cluster. */
static bool one_grapheme(const char *s, size_t start, size_t end)
{
	const uint8_t *p = (const uint8_t *)s + start, *e = (const uint8_t *)s + end;
	return start < end && u8_grapheme_next(p, e) == e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	struct wrap_options opt = {
		.width = 1 + data[0] % 160,
		.first_indent = data[1] % 9,
		.indent = data[2] % 9,
		.ambiguous = data[3] & 1 ? WRAP_WIDE : WRAP_NARROW,
	};
	char err[160];
	struct decoder *d = decoder_new("UTF-8", err, sizeof err);
	FUZZ_CHECK(d != NULL);
	struct sbuf raw = { 0 }, text = { 0 };
	decoder_feed(d, data + 4, size - 4, true, &raw);
	decoder_free(d);
	normalise_line(raw.data ? raw.data : "", raw.len, &text);
	sbuf_free(&raw);
	const char *s = text.data ? text.data : "";
	size_t n = text.len;

	struct wrap_line *lines = NULL;
	size_t count = wrap_paragraph(s, n, &opt, &lines);
	FUZZ_CHECK(count >= 1 && lines != NULL);
	size_t prev_end = 0;
	for (size_t i = 0; i < count; i++) {
		const struct wrap_line *l = &lines[i];
		FUZZ_CHECK(l->start >= prev_end && l->start <= l->end && l->end <= n);
		FUZZ_CHECK(char_boundary(s, n, l->start) && char_boundary(s, n, l->end));
		/* only the spaces dropped at a break lie between two lines */
		for (size_t k = prev_end; k < l->start; k++)
			FUZZ_CHECK(s[k] == ' ');
		/* an indent shrinks only to leave room for one wide character */
		int want = i == 0 ? opt.first_indent : opt.indent;
		int room = opt.width - 2 > 0 ? opt.width - 2 : 0;
		FUZZ_CHECK(l->indent == (want < room ? want : room));
		FUZZ_CHECK((size_t)l->width == (size_t)l->indent + wrap_width(s + l->start, l->end - l->start, opt.ambiguous));
		FUZZ_CHECK(l->width <= opt.width || one_grapheme(s, l->start, l->end) || l->start == l->end);
		FUZZ_CHECK(i == 0 || l->start < l->end);
		prev_end = l->end;
	}
	for (size_t k = prev_end; k < n; k++)
		FUZZ_CHECK(s[k] == ' ');
	free(lines);

	int cols = data[0] % 40;
	size_t kept = wrap_cut(s, n, cols, opt.ambiguous);
	FUZZ_CHECK(kept <= n && char_boundary(s, n, kept));
	FUZZ_CHECK(wrap_width(s, kept, opt.ambiguous) <= (size_t)cols);
	/* what is cut off starts a new grapheme */
	if (kept > 0 && kept < n) {
		const uint8_t *b = (const uint8_t *)s;
		const uint8_t *g = b;
		while (g < b + kept)
			g = u8_grapheme_next(g, b + n);
		FUZZ_CHECK(g == b + kept);
	}
	sbuf_free(&text);
	return 0;
}
