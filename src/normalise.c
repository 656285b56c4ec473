#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dugao/normalise.h"

struct line_splitter {
	line_fn fn;		/* receiver of lines */
	void *ctx;		/* its context */
	size_t max_bytes;	/* split lines longer than this */
	struct sbuf line;	/* the line being collected, never more than max_bytes */
	struct sbuf clean;	/* scratch for normalise_line */
	long line_no;		/* source line of the line being collected */
	bool after_cr;		/* the previous byte was CR: an LF now ends nothing */
	bool plain;		/* the text needs no normalising: lines are only trimmed */
	long changed;		/* lines normalise_line changed (more than trimmed) */
};

struct line_splitter *line_splitter_new(line_fn fn, void *ctx, size_t max_bytes)
{
	struct line_splitter *s = xcalloc(1, sizeof *s);
	s->fn = fn, s->ctx = ctx, s->line_no = 1;
	s->max_bytes = max_bytes < 16 ? 16 : max_bytes;
	return s;
}

static size_t keep_run(const char *in, size_t n, size_t i);
static size_t trim_end(const char *s, size_t n);

/* A line that normalise_line would only trim goes to fn where it lies (most lines of
 * most texts): neither scanned nor copied in a plain text, scanned but not copied in
 * another. */
static int emit_text(struct line_splitter *s, const char *text, size_t len)
{
	if (s->plain || keep_run(text, len, 0) == len)
		return s->fn(s->ctx, text, trim_end(text, len), s->line_no);
	s->changed++;
	sbuf_reset(&s->clean);
	normalise_line(text, len, &s->clean);
	return s->fn(s->ctx, s->clean.data ? s->clean.data : "", s->clean.len, s->line_no);
}

static int emit(struct line_splitter *s, size_t len)
{
	return emit_text(s, s->line.data ? s->line.data : "", len);
}

/* Where to cut a full line buffer: after the last sentence end (。！？；) in its last
 * quarter, else at the last character boundary. */
static size_t cut_point(const char *p, size_t n)
{
	size_t floor = n - n / 4;
	for (size_t i = n; i >= 3 && i - 3 >= floor; i--) {
		const unsigned char *c = (const unsigned char *)p + i - 3;
		if ((c[0] == 0xE3 && c[1] == 0x80 && c[2] == 0x82) ||				/* 。 */
		    (c[0] == 0xEF && c[1] == 0xBC && (c[2] == 0x81 || c[2] == 0x9F || c[2] == 0x9B)))	/* ！？； */
			return i;
	}
	size_t i = n;
	while (i > n - 3 && i > 1 && ((unsigned char)p[i] & 0xC0) == 0x80)
		i--;
	/* p[n] is the first byte that did not fit: the cut is before a character start */
	return i;
}

/* Appends a piece of one line; a line that would pass max_bytes is cut first, at a
 * point that depends only on the line's bytes, never on how the text was chunked. */
static int add(struct line_splitter *s, const char *text, size_t n)
{
	while (n > 0) {
		size_t room = s->max_bytes - s->line.len;
		if (n <= room) {
			sbuf_append(&s->line, text, n);
			return 0;
		}
		sbuf_append(&s->line, text, room);
		text += room, n -= room;
		/* the line is full and more of it follows: cut it. The byte after the buffer
		 * is needed to tell a character boundary, so look at text[0] too. */
		sbuf_append(&s->line, text, 1);
		size_t cut = cut_point(s->line.data, s->max_bytes);
		s->line.len--;
		s->line.data[s->line.len] = 0;
		int r = emit(s, cut);
		size_t rest = s->line.len - cut;
		memmove(s->line.data, s->line.data + cut, rest);
		s->line.len = rest;
		s->line.data[rest] = 0;
		if (r)
			return r;
	}
	return 0;
}

int line_splitter_feed(struct line_splitter *s, const char *text, size_t n)
{
	size_t i = 0;
	if (n && s->after_cr && text[0] == '\n')
		i = 1;
	s->after_cr = false;
	/* the first CR at or after i, once searched (NULL: none): most texts hold none, and
	 * one search of the text tells so, not one of every line */
	const char *cr = NULL;
	bool cr_known = false;
	while (i < n) {
		/* the next line end: the first LF or CR */
		const char *lf = memchr(text + i, '\n', n - i);
		size_t end = lf ? (size_t)(lf - text) : n;
		if (!cr_known || (cr && cr < text + i)) {
			cr = memchr(text + i, '\r', n - i);
			cr_known = true;
		}
		if (cr && cr < text + end)
			end = (size_t)(cr - text);
		int r;
		if (s->line.len == 0 && end < n && end - i <= s->max_bytes) {
			/* a whole line in this piece of text: normalised from where it is */
			r = emit_text(s, text + i, end - i);
		} else {
			r = add(s, text + i, end - i);
			if (r)
				return r;
			if (end == n)
				break;
			r = emit(s, s->line.len);
		}
		sbuf_reset(&s->line);
		s->line_no++;
		if (r)
			return r;
		i = end + 1;
		if (text[end] == '\r') {
			if (i == n)
				s->after_cr = true;
			else if (text[i] == '\n')
				i++;
		}
	}
	return 0;
}

int line_splitter_finish(struct line_splitter *s)
{
	int r = s->line.len ? emit(s, s->line.len) : 0;
	sbuf_reset(&s->line);
	return r;
}

void line_splitter_plain(struct line_splitter *s, bool plain)
{
	s->plain = plain;
}

long line_splitter_changed(const struct line_splitter *s)
{
	return s->changed;
}

void line_splitter_free(struct line_splitter *s)
{
	if (!s)
		return;
	sbuf_free(&s->line);
	sbuf_free(&s->clean);
	free(s);
}

/* What becomes of a code point: kept, replaced by U+FFFD, a space, or dropped. */
enum fate { KEEP, REPLACE, SPACE, DROP };

static enum fate fate_of(uint32_t cp)
{
	if (cp == '\t' || cp == '\v' || cp == '\f')
		return SPACE;
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return REPLACE;		/* C0 (NUL, ESC, BEL…), DEL and C1 (CSI, OSC…) */
	if (cp < 0x61C)
		return KEEP;
	switch (cp) {
	case 0x061C:			/* Arabic letter mark */
	case 0x200E: case 0x200F:	/* left-to-right and right-to-left marks */
		return REPLACE;
	case 0x2028: case 0x2029:	/* line and paragraph separators */
		return SPACE;
	case 0x200B:			/* zero-width space */
	case 0x2060:			/* word joiner */
	case 0xFEFF:			/* a byte-order mark inside the text */
		return DROP;		/* invisible, and they would break search */
	}
	if ((cp >= 0x202A && cp <= 0x202E) ||	/* bidi embeddings and overrides */
	    (cp >= 0x2066 && cp <= 0x2069) ||	/* bidi isolates */
	    (cp >= 0x206A && cp <= 0x206F) ||	/* deprecated format controls */
	    (cp >= 0xFFF9 && cp <= 0xFFFB))	/* interlinear annotation */
		return REPLACE;
	return KEEP;
}

/* Whether a three-byte character needs no change, by the low four bits of its first
 * byte (E0-EF) and the low six bits of its second, as they lie in the bytes: the index
 * is the two bytes read as a little-endian word, masked by 0x3F0F. Every character led
 * by E3-EC or EE (all CJK ideographs); led by E2 but the bidi and zero-width controls
 * and separators of E2 80 and E2 81; led by EF but EF BB (the BOM) and EF BF (the
 * annotation controls, U+FFFD); none led by E0, E1 or ED (looked at closely). */
#define SAFE_ROW(b)                                                                     \
	[(b) << 8 | 0x2] = (b) > 1, [(b) << 8 | 0x3 ...(b) << 8 | 0xC] = 1, [(b) << 8 | 0xE] = 1, \
	[(b) << 8 | 0xF] = (b) != 0x3B && (b) != 0x3F
#define SAFE_ROW4(b) SAFE_ROW(b), SAFE_ROW((b) + 1), SAFE_ROW((b) + 2), SAFE_ROW((b) + 3)
#define SAFE_ROW16(b) SAFE_ROW4(b), SAFE_ROW4((b) + 4), SAFE_ROW4((b) + 8), SAFE_ROW4((b) + 12)
static const unsigned char safe_pair[0x3F10] = { SAFE_ROW16(0), SAFE_ROW16(16), SAFE_ROW16(32), SAFE_ROW16(48) };
#undef SAFE_ROW16
#undef SAFE_ROW4
#undef SAFE_ROW

/* The first byte at or after i (n if none) of a character that normalise_line changes:
 * what it keeps as it is, it passes here. */
static size_t keep_run(const char *in, size_t n, size_t i)
{
	/* What a first byte says: 1 printable ASCII, kept; 3 a three-byte character that
	 * cannot need a change when well formed (every CJK ideograph and most
	 * punctuation); 2 the same but for a few second bytes: E2 80 and E2 81 hold the
	 * bidi and zero-width controls and the separators (U+2000-207F), EF BB the BOM
	 * and EF BF the annotation controls and U+FFFD (the full-width forms, EF BC and
	 * EF BD, are safe); 0 a closer look. */
	static const unsigned char first[256] = {
		[0x20 ... 0x7E] = 1, [0xE3 ... 0xEC] = 3, [0xEE] = 3, [0xE2] = 2, [0xEF] = 2,
	};
	while (i < n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* four three-byte characters at once (the bulk of Chinese text), each told by
		 * safe_pair */
		if (i + 12 <= n) {
			uint64_t a;
			uint32_t b;
			memcpy(&a, in + i, 8);
			memcpy(&b, in + i + 8, 4);
			if ((a & 0xC0F0C0C0F0C0C0F0ull) == 0x80E08080E08080E0ull && (b & 0xC0C0F0C0u) == 0x8080E080u &&
			    (safe_pair[a & 0x3F0F] & safe_pair[a >> 24 & 0x3F0F] & safe_pair[a >> 48 & 0x3F0F] &
			     safe_pair[b >> 8 & 0x3F0F])) {
				i += 12;
				continue;
			}
		}
#endif
		unsigned char c = (unsigned char)in[i];
		unsigned kind = first[c];
		if (kind == 1) {
			i++;
			continue;
		}
		if (kind >= 2 && i + 2 < n && ((unsigned char)in[i + 1] & 0xC0) == 0x80 &&
		    ((unsigned char)in[i + 2] & 0xC0) == 0x80) {
			unsigned char b = (unsigned char)in[i + 1];
			if (kind == 3 || (c == 0xE2 ? b > 0x81 : b != 0xBB && b != 0xBF)) {
				i += 3;
				continue;
			}
		}
		uint32_t cp;
		size_t k = utf8_decode(in + i, n - i, &cp);
		enum fate f = cp == 0xFFFD && k != 3 ? REPLACE : fate_of(cp);
		if (f != KEEP)
			return i;
		i += k;
	}
	return n;
}

/* n less the trailing spaces of s: ASCII, no-break and ideographic. */
static size_t trim_end(const char *s, size_t n)
{
	while (n > 0) {
		if (s[n - 1] == ' ')
			n--;
		else if (n >= 2 && !memcmp(s + n - 2, "\xC2\xA0", 2))
			n -= 2;
		else if (n >= 3 && !memcmp(s + n - 3, "\xE3\x80\x80", 3))
			n -= 3;
		else
			break;
	}
	return n;
}

void normalise_line(const char *in, size_t n, struct sbuf *out)
{
	size_t start = out->len;
	for (size_t i = 0;;) {
		size_t run = i;
		i = keep_run(in, n, i);
		sbuf_append(out, in + run, i - run);
		if (i == n)
			break;
		/* a character to change (keep_run decoded it too: rare) */
		uint32_t cp;
		size_t k = utf8_decode(in + i, n - i, &cp);
		enum fate f = cp == 0xFFFD && k != 3 ? REPLACE : fate_of(cp);
		if (f == REPLACE)
			sbuf_append(out, "\xEF\xBF\xBD", 3);
		else if (f == SPACE)
			sbuf_append(out, " ", 1);
		i += k;
	}
	/* trailing spaces: ASCII, no-break and ideographic */
	out->len = start + trim_end(out->data + start, out->len - start);
	out->data[out->len] = 0;
}
