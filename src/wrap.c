/* wrap: widths from libunistring's uc_width, break opportunities from its UAX #14
 * (u8_possible_linebreaks) and grapheme clusters from its UAX #29
 * (u8_grapheme_breaks), with the Chinese tailoring described in wrap.h. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unigbrk.h>
#include <unilbrk.h>
#include <unistr.h>
#include <uniwidth.h>

#include "dugao/util.h"
#include "dugao/wrap.h"

/* A closed range of code points. */
struct cp_range {
	uint32_t first;	/* first code point */
	uint32_t last;	/* last code point, included */
};

/* East_Asian_Width=A from EastAsianWidth-15.0.0.txt (ranges merged). Generated with:
 * python3 -c 'rs=[]
 * for l in open("/usr/share/unicode/EastAsianWidth.txt"):
 *  l=l.split("#")[0].strip()
 *  if not l or l.split(";")[1].strip()!="A": continue
 *  a,_,b=l.split(";")[0].partition(".."); a=int(a,16); b=int(b,16) if b else a
 *  if rs and rs[-1][1]+1==a: rs[-1][1]=b
 *  else: rs.append([a,b])
 * print(rs)'
 * tests/unit/test_unicode_conformance checks it against the file installed. */
static const struct cp_range ambiguous[] = {
	{ 0x00A1, 0x00A1 }, { 0x00A4, 0x00A4 }, { 0x00A7, 0x00A8 }, { 0x00AA, 0x00AA },
	{ 0x00AD, 0x00AE }, { 0x00B0, 0x00B4 }, { 0x00B6, 0x00BA }, { 0x00BC, 0x00BF },
	{ 0x00C6, 0x00C6 }, { 0x00D0, 0x00D0 }, { 0x00D7, 0x00D8 }, { 0x00DE, 0x00E1 },
	{ 0x00E6, 0x00E6 }, { 0x00E8, 0x00EA }, { 0x00EC, 0x00ED }, { 0x00F0, 0x00F0 },
	{ 0x00F2, 0x00F3 }, { 0x00F7, 0x00FA }, { 0x00FC, 0x00FC }, { 0x00FE, 0x00FE },
	{ 0x0101, 0x0101 }, { 0x0111, 0x0111 }, { 0x0113, 0x0113 }, { 0x011B, 0x011B },
	{ 0x0126, 0x0127 }, { 0x012B, 0x012B }, { 0x0131, 0x0133 }, { 0x0138, 0x0138 },
	{ 0x013F, 0x0142 }, { 0x0144, 0x0144 }, { 0x0148, 0x014B }, { 0x014D, 0x014D },
	{ 0x0152, 0x0153 }, { 0x0166, 0x0167 }, { 0x016B, 0x016B }, { 0x01CE, 0x01CE },
	{ 0x01D0, 0x01D0 }, { 0x01D2, 0x01D2 }, { 0x01D4, 0x01D4 }, { 0x01D6, 0x01D6 },
	{ 0x01D8, 0x01D8 }, { 0x01DA, 0x01DA }, { 0x01DC, 0x01DC }, { 0x0251, 0x0251 },
	{ 0x0261, 0x0261 }, { 0x02C4, 0x02C4 }, { 0x02C7, 0x02C7 }, { 0x02C9, 0x02CB },
	{ 0x02CD, 0x02CD }, { 0x02D0, 0x02D0 }, { 0x02D8, 0x02DB }, { 0x02DD, 0x02DD },
	{ 0x02DF, 0x02DF }, { 0x0300, 0x036F }, { 0x0391, 0x03A1 }, { 0x03A3, 0x03A9 },
	{ 0x03B1, 0x03C1 }, { 0x03C3, 0x03C9 }, { 0x0401, 0x0401 }, { 0x0410, 0x044F },
	{ 0x0451, 0x0451 }, { 0x2010, 0x2010 }, { 0x2013, 0x2016 }, { 0x2018, 0x2019 },
	{ 0x201C, 0x201D }, { 0x2020, 0x2022 }, { 0x2024, 0x2027 }, { 0x2030, 0x2030 },
	{ 0x2032, 0x2033 }, { 0x2035, 0x2035 }, { 0x203B, 0x203B }, { 0x203E, 0x203E },
	{ 0x2074, 0x2074 }, { 0x207F, 0x207F }, { 0x2081, 0x2084 }, { 0x20AC, 0x20AC },
	{ 0x2103, 0x2103 }, { 0x2105, 0x2105 }, { 0x2109, 0x2109 }, { 0x2113, 0x2113 },
	{ 0x2116, 0x2116 }, { 0x2121, 0x2122 }, { 0x2126, 0x2126 }, { 0x212B, 0x212B },
	{ 0x2153, 0x2154 }, { 0x215B, 0x215E }, { 0x2160, 0x216B }, { 0x2170, 0x2179 },
	{ 0x2189, 0x2189 }, { 0x2190, 0x2199 }, { 0x21B8, 0x21B9 }, { 0x21D2, 0x21D2 },
	{ 0x21D4, 0x21D4 }, { 0x21E7, 0x21E7 }, { 0x2200, 0x2200 }, { 0x2202, 0x2203 },
	{ 0x2207, 0x2208 }, { 0x220B, 0x220B }, { 0x220F, 0x220F }, { 0x2211, 0x2211 },
	{ 0x2215, 0x2215 }, { 0x221A, 0x221A }, { 0x221D, 0x2220 }, { 0x2223, 0x2223 },
	{ 0x2225, 0x2225 }, { 0x2227, 0x222C }, { 0x222E, 0x222E }, { 0x2234, 0x2237 },
	{ 0x223C, 0x223D }, { 0x2248, 0x2248 }, { 0x224C, 0x224C }, { 0x2252, 0x2252 },
	{ 0x2260, 0x2261 }, { 0x2264, 0x2267 }, { 0x226A, 0x226B }, { 0x226E, 0x226F },
	{ 0x2282, 0x2283 }, { 0x2286, 0x2287 }, { 0x2295, 0x2295 }, { 0x2299, 0x2299 },
	{ 0x22A5, 0x22A5 }, { 0x22BF, 0x22BF }, { 0x2312, 0x2312 }, { 0x2460, 0x24E9 },
	{ 0x24EB, 0x254B }, { 0x2550, 0x2573 }, { 0x2580, 0x258F }, { 0x2592, 0x2595 },
	{ 0x25A0, 0x25A1 }, { 0x25A3, 0x25A9 }, { 0x25B2, 0x25B3 }, { 0x25B6, 0x25B7 },
	{ 0x25BC, 0x25BD }, { 0x25C0, 0x25C1 }, { 0x25C6, 0x25C8 }, { 0x25CB, 0x25CB },
	{ 0x25CE, 0x25D1 }, { 0x25E2, 0x25E5 }, { 0x25EF, 0x25EF }, { 0x2605, 0x2606 },
	{ 0x2609, 0x2609 }, { 0x260E, 0x260F }, { 0x261C, 0x261C }, { 0x261E, 0x261E },
	{ 0x2640, 0x2640 }, { 0x2642, 0x2642 }, { 0x2660, 0x2661 }, { 0x2663, 0x2665 },
	{ 0x2667, 0x266A }, { 0x266C, 0x266D }, { 0x266F, 0x266F }, { 0x269E, 0x269F },
	{ 0x26BF, 0x26BF }, { 0x26C6, 0x26CD }, { 0x26CF, 0x26D3 }, { 0x26D5, 0x26E1 },
	{ 0x26E3, 0x26E3 }, { 0x26E8, 0x26E9 }, { 0x26EB, 0x26F1 }, { 0x26F4, 0x26F4 },
	{ 0x26F6, 0x26F9 }, { 0x26FB, 0x26FC }, { 0x26FE, 0x26FF }, { 0x273D, 0x273D },
	{ 0x2776, 0x277F }, { 0x2B56, 0x2B59 }, { 0x3248, 0x324F }, { 0xE000, 0xF8FF },
	{ 0xFE00, 0xFE0F }, { 0xFFFD, 0xFFFD }, { 0x1F100, 0x1F10A }, { 0x1F110, 0x1F12D },
	{ 0x1F130, 0x1F169 }, { 0x1F170, 0x1F18D }, { 0x1F18F, 0x1F190 }, { 0x1F19B, 0x1F1AC },
	{ 0xE0100, 0xE01EF }, { 0xF0000, 0xFFFFD }, { 0x100000, 0x10FFFD },
};

static bool in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < r[mid].first)
			hi = mid;
		else if (cp > r[mid].last)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* u8_mbtouc, with a well-formed three-byte sequence (a Chinese character) decoded here:
 * the wrapping of a paragraph decodes each character three times. */
static inline int decode(ucs4_t *cp, const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xF0) == 0xE0 && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 && (c != 0xE0 || s[1] >= 0xA0) &&
	    (c != 0xED || s[1] < 0xA0)) {
		*cp = (ucs4_t)(c & 0x0F) << 12 | (ucs4_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
		return 3;
	}
	return u8_mbtouc(cp, s, n);
}

int wrap_char_width(uint32_t cp, enum wrap_ambiguous amb)
{
	/* the common cases first, as uc_width has them (test_wrap checks every one) */
	if (cp >= 0x4E00 && cp <= 0x9FFF)
		return 2;
	if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
		return 1;
	if (cp < 0x7F)
		return 1;
	int w = uc_width(cp, "UTF-8");
	if (w < 0)
		return 1;
	if (w == 1 && amb == WRAP_WIDE && cp >= 0xA1 && in_ranges(cp, ambiguous, sizeof ambiguous / sizeof *ambiguous))
		return 2;
	/* Newer than libunistring's tables: everything in these blocks is wide. */
	if (w == 1 && ((cp >= 0x1F000 && cp <= 0x1FAFF) || (cp >= 0x1AFF0 && cp <= 0x1B2FF)) &&
	    uc_is_general_category(cp, UC_CATEGORY_Cn))
		return 2;
	return w;
}

size_t wrap_width(const char *s, size_t n, enum wrap_ambiguous amb)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + n;
	size_t w = 0;
	while (p < end) {
		ucs4_t cp;
		int l = decode(&cp, p, (size_t)(end - p));
		w += (size_t)wrap_char_width(cp, amb);
		p += l;
	}
	return w;
}

/* Marks that may not start a line: Chinese full-width closing punctuation, the
 * half-width forms of it and the ASCII ones UAX #14 already keeps (cheap to list). */
static const struct cp_range closing[] = {
	{ 0x0021, 0x0021 }, { 0x0029, 0x0029 }, { 0x002C, 0x002C }, { 0x002E, 0x002E },
	{ 0x003A, 0x003B }, { 0x003F, 0x003F }, { 0x005D, 0x005D }, { 0x007D, 0x007D },
	{ 0x2019, 0x2019 }, { 0x201D, 0x201D }, { 0x2025, 0x2026 }, { 0x203C, 0x203C },
	{ 0x2047, 0x2049 }, { 0x22EF, 0x22EF }, { 0x3001, 0x3002 }, { 0x3009, 0x3009 },
	{ 0x300B, 0x300B }, { 0x300D, 0x300D }, { 0x300F, 0x300F }, { 0x3011, 0x3011 },
	{ 0x3015, 0x3015 }, { 0x3017, 0x3017 }, { 0x3019, 0x3019 }, { 0x301B, 0x301B },
	{ 0x301E, 0x301F }, { 0xFE50, 0xFE52 }, { 0xFE54, 0xFE57 }, { 0xFE5A, 0xFE5A },
	{ 0xFE5C, 0xFE5C }, { 0xFE5E, 0xFE5E }, { 0xFF01, 0xFF01 }, { 0xFF09, 0xFF09 },
	{ 0xFF0C, 0xFF0C }, { 0xFF0E, 0xFF0E }, { 0xFF1A, 0xFF1B }, { 0xFF1F, 0xFF1F },
	{ 0xFF3D, 0xFF3D }, { 0xFF5D, 0xFF5D }, { 0xFF60, 0xFF61 }, { 0xFF63, 0xFF64 },
};

/* Marks that may not end a line. */
static const struct cp_range opening[] = {
	{ 0x0028, 0x0028 }, { 0x005B, 0x005B }, { 0x007B, 0x007B }, { 0x2018, 0x2018 },
	{ 0x201C, 0x201C }, { 0x3008, 0x3008 }, { 0x300A, 0x300A }, { 0x300C, 0x300C },
	{ 0x300E, 0x300E }, { 0x3010, 0x3010 }, { 0x3014, 0x3014 }, { 0x3016, 0x3016 },
	{ 0x3018, 0x3018 }, { 0x301A, 0x301A }, { 0x301D, 0x301D }, { 0xFE59, 0xFE59 },
	{ 0xFE5B, 0xFE5B }, { 0xFE5D, 0xFE5D }, { 0xFF08, 0xFF08 }, { 0xFF3B, 0xFF3B },
	{ 0xFF5B, 0xFF5B }, { 0xFF5F, 0xFF5F }, { 0xFF62, 0xFF62 },
};

bool wrap_is_closing(uint32_t cp)
{
	if (cp > 0x301F && cp < 0xFE50)
		return false;	/* none in between: Chinese characters asked at once */
	return in_ranges(cp, closing, sizeof closing / sizeof *closing);
}

bool wrap_is_opening(uint32_t cp)
{
	if (cp > 0x301D && cp < 0xFE59)
		return false;
	return in_ranges(cp, opening, sizeof opening / sizeof *opening);
}

/* Dashes and ellipses written doubled (——, ……, and the forms GBK converters and
 * typists use for them) that must stay on one line. */
static bool is_doubled_mark(uint32_t cp)
{
	switch (cp) {
	case 0x2014: case 0x2015: case 0x2025: case 0x2026: case 0x22EF:
	case 0x2500: case 0x2501: case 0x2E3A: case 0x2E3B: case 0xFE31:
		return true;
	}
	return false;
}

/* UAX #14 mandatory break characters (BK, CR, LF, NL). */
static bool is_hard_break(uint32_t cp)
{
	return cp == 0x0A || cp == 0x0B || cp == 0x0C || cp == 0x0D || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

/* Scratch space for one segment: libunistring's answer for "a" + segment. */
struct scratch {
	uint8_t *text;	/* "a" then the segment */
	char *brk;	/* libunistring's break codes for text */
	size_t cap;	/* bytes allocated in each */
};

/* UAX #14 for one segment ending at a mandatory break (or the text's end). The
 * segment is prefixed with a letter because libunistring, unlike UAX #14 (LB18), never
 * breaks after spaces at the start of a text; the letter takes no part in any rule
 * that looks past spaces, so the segment's own breaks are the rules' answer. */
static void segment_breaks(const uint8_t *s, size_t n, char *out, struct scratch *sc)
{
	if (n + 1 > sc->cap) {
		sc->cap = n + 1 > 2 * sc->cap ? n + 1 : 2 * sc->cap;
		sc->text = xrealloc(sc->text, sc->cap);
		sc->brk = xrealloc(sc->brk, sc->cap);
	}
	sc->text[0] = 'a';
	memcpy(sc->text + 1, s, n);
	u8_possible_linebreaks(sc->text, n + 1, "UTF-8", sc->brk);
	memcpy(out, sc->brk + 1, n);
}

/* Fills p with wrap_break codes; gb[i] nonzero where a grapheme cluster starts. */
static void compute_breaks(const uint8_t *s, size_t n, const char *gb, unsigned char *p)
{
	char *lb = xmalloc(n ? n : 1);
	struct scratch sc = { 0 };
	/* Split at mandatory breaks, so no segment needs the text before it. */
	size_t seg = 0;
	for (size_t i = 0; i < n;) {
		ucs4_t cp;
		int l = decode(&cp, s + i, n - i);
		i += (size_t)l;
		if (is_hard_break(cp) && !(cp == 0x0D && i < n && s[i] == 0x0A)) {
			segment_breaks(s + seg, i - seg, lb + seg, &sc);
			seg = i;
		}
	}
	if (seg < n)
		segment_breaks(s + seg, n - seg, lb + seg, &sc);
	free(sc.text);
	free(sc.brk);

	uint32_t base = 0;		/* the last character before i that is not a mark */
	uint32_t prev = 0;		/* the character before i */
	uint32_t last_solid = 0;	/* the last character before i that is not a space */
	bool after_hard = false;	/* prev was a mandatory break */
	for (size_t i = 0; i < n;) {
		ucs4_t cp;
		int l = decode(&cp, s + i, n - i);
		unsigned char v = WRAP_BREAK_NO;
		if (i == 0)
			v = WRAP_BREAK_NO;
		else if (after_hard)
			v = WRAP_BREAK_MUST;
		else if (lb[i] == UC_BREAK_POSSIBLE || lb[i] == UC_BREAK_HYPHENATION) {
			if (!gb[i])
				v = WRAP_BREAK_CLUSTER;
			else if ((base == '.' || base == ',' || base == ':' || base == ';') && cp < 0x80 && isalpha((int)cp))
				v = WRAP_BREAK_NO;	/* UAX #14 LB29, which libunistring 1.0 lacks: www.gov.cn */
			else if (wrap_is_closing(cp))
				v = WRAP_BREAK_CLOSE;
			else if (wrap_is_opening(last_solid))
				v = WRAP_BREAK_OPEN;
			else if (cp == prev && is_doubled_mark(cp))
				v = WRAP_BREAK_DASH;
			else
				v = WRAP_BREAK_YES;
		}
		p[i] = v;
		for (int k = 1; k < l; k++)
			p[i + (size_t)k] = WRAP_BREAK_NO;
		after_hard = is_hard_break(cp) && !(cp == 0x0D && i + 1 < n && s[i + 1] == 0x0A);
		prev = cp;
		if (gb[i])
			base = cp;
		if (cp != ' ')
			last_solid = cp;
		i += (size_t)l;
	}
	free(lb);
}

void wrap_breaks(const char *s, size_t n, unsigned char *p)
{
	if (n == 0)
		return;
	char *gb = xmalloc(n);
	u8_grapheme_breaks((const uint8_t *)s, n, gb);
	compute_breaks((const uint8_t *)s, n, gb, p);
	free(gb);
}

/* Width of the cluster [i, j). */
static int cluster_width(const uint8_t *s, size_t i, size_t j, enum wrap_ambiguous amb)
{
	int w = 0;
	while (i < j) {
		ucs4_t cp;
		int l = decode(&cp, s + i, j - i);
		w += wrap_char_width(cp, amb);
		i += (size_t)l;
	}
	return w;
}

size_t wrap_cut(const char *str, size_t n, int cols, enum wrap_ambiguous amb)
{
	/* u8_grapheme_next looks at pairs only and so splits a run of regional
	 * indicators (flags) wrongly in libunistring 1.0; u8_grapheme_breaks does not. */
	char small[256];
	char *gb = n < sizeof small ? small : xmalloc(n + 1);
	const uint8_t *s = (const uint8_t *)str;
	u8_grapheme_breaks(s, n, gb);
	gb[n] = 1;
	size_t i = 0;
	int w = 0;
	while (i < n) {
		size_t j = i + 1;
		while (!gb[j])
			j++;
		int cw = cluster_width(s, i, j, amb);
		if (w + cw > cols)
			break;
		w += cw;
		i = j;
	}
	if (gb != small)
		free(gb);
	return i;
}

/* Where to cut a run with no break opportunity that reaches i: at i, or up to two
 * clusters earlier if that keeps a closing mark from starting the next line and an
 * opening one from ending this one. */
static size_t emergency_cut(const uint8_t *s, size_t len, const char *gb, size_t start, size_t i)
{
	size_t cut = i;
	for (int tries = 0; tries < 3 && cut > start; tries++) {
		size_t before = cut - 1;
		while (before > start && !gb[before])
			before--;
		ucs4_t next, last;
		u8_mbtouc(&next, s + cut, len - cut);
		u8_mbtouc(&last, s + before, cut - before);
		if (!wrap_is_closing(next) && !wrap_is_opening(last))
			return cut;
		cut = before;
	}
	return i;
}

/* Lines being built by wrap_paragraph. */
struct line_list {
	struct wrap_line *v;	/* the lines */
	size_t n;		/* how many */
	size_t cap;		/* allocated */
};

static void add_line(struct line_list *l, size_t start, size_t end, int width, int indent)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = (struct wrap_line){ .start = start, .end = end, .width = width + indent, .indent = indent };
}

/* An indent that still leaves room for one wide character. */
static int fit_indent(int indent, int width)
{
	if (indent > width - 2)
		indent = width - 2;
	return indent < 0 ? 0 : indent;
}

size_t wrap_paragraph(const char *text, size_t len, const struct wrap_options *opt, struct wrap_line **lines)
{
	const uint8_t *s = (const uint8_t *)text;
	int width = opt->width < 1 ? 1 : opt->width;
	bool keep = opt->keep_spaces;
	struct line_list out = { 0 };
	int indent = fit_indent(opt->first_indent, width);
	if (len == 0) {
		add_line(&out, 0, 0, 0, indent);
		*lines = out.v;
		return out.n;
	}
	char *gb = xmalloc(2 * len + 1);
	unsigned char *p = (unsigned char *)gb + len + 1;
	u8_grapheme_breaks(s, len, gb);
	gb[len] = 1;
	compute_breaks(s, len, gb, p);

	int avail = width - indent;
	size_t start = 0;		/* the line being filled is [start, i) */
	int w_line = 0;			/* its width, trailing spaces included */
	int w_trim = 0;			/* its width without trailing spaces */
	size_t trim_end = 0;		/* the end of its last non-space cluster */
	size_t bk = 0;			/* its last break opportunity (none when == start) */
	int bk_full = 0, bk_trim = 0;	/* w_line and w_trim at bk */
	size_t bk_trim_end = 0;		/* trim_end at bk */
	size_t prev_cl = 0;		/* the start of the last cluster on the line */
	int w_prev = 0;			/* w_line at prev_cl */
	for (size_t i = 0; i < len;) {
		size_t j = i + 1;
		while (!gb[j])
			j++;
		int cw = cluster_width(s, i, j, opt->ambiguous);
		bool space = j == i + 1 && s[i] == ' ';
		if (i > start && p[i] == WRAP_BREAK_MUST) {
			add_line(&out, start, i, w_line, indent);
			indent = fit_indent(opt->indent, width);
			avail = width - indent;
			start = bk = trim_end = prev_cl = i;
			w_line = w_trim = w_prev = 0;
		} else if (i > start && p[i] == WRAP_BREAK_YES) {
			bk = i;
			bk_full = w_line;
			bk_trim = w_trim;
			bk_trim_end = trim_end;
		}
		bool fits = (space && !keep) || w_line + cw <= avail;
		if (!fits && i > start) {
			size_t cut, end;
			int w_cut, w_end;
			if (bk > start) {
				cut = bk;
				w_cut = bk_full;
				end = keep ? bk : bk_trim_end;
				w_end = keep ? bk_full : bk_trim;
			} else {
				/* No break opportunity on the line: cut the run at a grapheme
				 * boundary, one cluster earlier if that keeps a closing mark from
				 * starting the next line or an opening one from ending this one. */
				cut = emergency_cut(s, len, gb, start, i);
				w_cut = cut == i ? w_line : cut == prev_cl ? w_prev : (int)wrap_width(text + start, cut - start, opt->ambiguous);
				end = cut;
				w_end = w_cut;
				if (!keep)
					while (end > start && s[end - 1] == ' ' && gb[end - 1]) {
						end--;
						w_end--;
					}
			}
			/* a line of nothing but the spaces before a break is no line */
			if (end > start || keep) {
				add_line(&out, start, end, w_end, indent);
				indent = fit_indent(opt->indent, width);
				avail = width - indent;
			}
			w_line -= w_cut;
			w_trim = trim_end > cut ? w_trim - w_cut : 0;
			if (trim_end < cut)
				trim_end = cut;
			w_prev = prev_cl >= cut ? w_prev - w_cut : 0;
			if (prev_cl < cut)
				prev_cl = cut;
			start = bk = cut;
			if (w_line > avail) {
				/* the run carried over was measured against a wider first line
				 * (a smaller indent): measure it again against this one */
				i = prev_cl = trim_end = cut;
				w_line = w_trim = w_prev = 0;
			}
			continue;	/* the cluster at i again, on the new line */
		}
		w_prev = w_line;
		prev_cl = i;
		w_line += cw;
		if (!space) {
			w_trim = w_line;
			trim_end = j;
		}
		i = j;
	}
	if (keep)
		add_line(&out, start, len, w_line, indent);
	else
		add_line(&out, start, trim_end, w_trim, indent);
	free(gb);
	*lines = out.v;
	return out.n;
}
