/* wrap: display-column measurement and line breaking with Chinese rules.
 * Widths come from libunistring (uc_width) and break opportunities from its UAX #14
 * implementation, tailored: no line starts with ，。、；：？！）》」』”’… and none ends
 * with （《「『“‘; —— and …… are never split; Latin words and numbers stay whole. */
#ifndef DUGAO_WRAP_H
#define DUGAO_WRAP_H

#include <stddef.h>
#include <stdint.h>

enum wrap_ambiguous {
	WRAP_NARROW,	/* East Asian ambiguous characters (“”…—·) take one column */
	WRAP_WIDE,	/* they take two, for terminals set up that way */
};

/* Columns one code point takes: 0 for combining marks and other zero-width
 * characters, 2 for wide and full-width ones; controls count as 1 (they are drawn
 * as a visible replacement). */
int wrap_char_width(uint32_t cp, enum wrap_ambiguous amb);
/* Columns of n bytes of UTF-8. */
size_t wrap_width(const char *s, size_t n, enum wrap_ambiguous amb);

struct wrap_line {
	size_t start;	/* byte offset of the line in the paragraph */
	size_t end;	/* byte offset just past it (trailing spaces at a break excluded) */
	int width;	/* display columns, indent included */
	int indent;	/* columns of indent before it */
};

struct wrap_options {
	int width;			/* columns available, at least 1 */
	int first_indent;		/* columns before the first line (4 for two full-width spaces) */
	int indent;			/* columns before the other lines */
	enum wrap_ambiguous ambiguous;	/* width of ambiguous characters */
};

/* Breaks a paragraph into lines that fit; *lines is malloc'd (free it), the return
 * value is the count (at least 1, even for empty text). No line is wider than
 * width unless a single unbreakable piece (one grapheme) is. */
size_t wrap_paragraph(const char *text, size_t len, const struct wrap_options *opt, struct wrap_line **lines);

/* Cuts s at most cols columns wide without splitting a grapheme; returns the bytes kept. */
size_t wrap_cut(const char *s, size_t n, int cols, enum wrap_ambiguous amb);

#endif
