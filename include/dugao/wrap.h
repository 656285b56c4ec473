/* wrap: display-column measurement and line breaking with Chinese rules.
 * Widths come from libunistring (uc_width) and break opportunities from its UAX #14
 * implementation, tailored: no line starts with ，。、；：？！）》」』”’… and none ends
 * with （《「『“‘; —— and …… are never split; Latin words and numbers stay whole.
 * Punctuation never hangs past the edge: when a closing mark does not fit, the line
 * breaks before the character in front of it, which goes down with it. A run with no
 * break opportunity that is wider than the line (a long URL) is cut at grapheme
 * boundaries, moved back one cluster when that keeps the punctuation rules. */
#ifndef DUGAO_WRAP_H
#define DUGAO_WRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum wrap_ambiguous {
	WRAP_NARROW,	/* East Asian ambiguous characters (“”…—·) take one column */
	WRAP_WIDE,	/* they take two, for terminals set up that way */
};

/* Columns one code point takes, from libunistring's uc_width (Unicode 14.0 in
 * libunistring 1.0) with these documented exceptions:
 * - controls (C0, DEL, C1, NUL included) count 1: the draw module shows a replacement;
 * - combining marks (Mn, Me), format characters (Cf) and the conjoining Hangul vowels and
 *   final consonants (U+1160..11FF, U+D7B0..D7FF) count 0; a few Mn that libunistring
 *   treats as spacing (e.g. U+0CBF) count 1;
 * - East Asian ambiguous characters (EastAsianWidth.txt "A": “”‘’…—·§①) count 1, or 2
 *   with WRAP_WIDE. dugao keeps its own table of them (Unicode 15.0): libunistring's
 *   "CJK encoding" mode widens every character in U+00A1..FF60 (Cyrillic, Arabic,
 *   box drawing), which is wrong for today's terminals, and GB18030 does not even
 *   enable it;
 * - code points libunistring does not know yet in the emoji planes (U+1F000..1FAFF)
 *   and the kana blocks (U+1AFF0..1B2FF) count 2, like every emoji and kana there:
 *   too wide is safe, too narrow overflows the screen.
 * Emoji are 2 (East_Asian_Width W). A grapheme cluster's width is the sum of its
 * code points': an emoji ZWJ sequence may be counted wider than a terminal draws it,
 * never narrower. */
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
	bool keep_spaces;		/* spaces at a break stay at the end of the line and
					 * count against the width (fold's exact round trip);
					 * off, they hang past the edge and end excludes them */
};

/* Breaks a paragraph into lines that fit; *lines is malloc'd (free it), the return
 * value is the count (at least 1, even for empty text). No line is wider than
 * width unless a single unbreakable piece (one grapheme) is. */
size_t wrap_paragraph(const char *text, size_t len, const struct wrap_options *opt, struct wrap_line **lines);

/* Cuts s at most cols columns wide without splitting a grapheme; returns the bytes kept. */
size_t wrap_cut(const char *s, size_t n, int cols, enum wrap_ambiguous amb);

/* Where a line may start: UAX #14 (libunistring) with dugao's tailoring. The values
 * above WRAP_BREAK_MUST say which rule removed a break UAX #14 allows. */
enum wrap_break {
	WRAP_BREAK_NO,		/* no break here (UAX #14) */
	WRAP_BREAK_YES,		/* a line may start here */
	WRAP_BREAK_MUST,	/* a line starts here: after LF, CR, VT, FF, NEL, U+2028/2029 */
	WRAP_BREAK_CLUSTER,	/* would split a grapheme cluster (space + combining mark) */
	WRAP_BREAK_CLOSE,	/* the line would start with ，。、；：？！）》」』”’… or the like */
	WRAP_BREAK_OPEN,	/* the line before would end with （《「『“‘ or the like */
	WRAP_BREAK_DASH,	/* inside —— or …… (two equal dashes or ellipses) */
};

/* Fills p[0..n-1] (p[i] for the position before byte i; bytes inside a character get
 * WRAP_BREAK_NO, and so does p[0]). Linear in n. */
void wrap_breaks(const char *s, size_t n, unsigned char *p);
/* Whether cp may not start a line / may not end one (the Chinese rules above). */
bool wrap_is_closing(uint32_t cp);
bool wrap_is_opening(uint32_t cp);

#endif
