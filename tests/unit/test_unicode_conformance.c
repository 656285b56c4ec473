/* wrap held to the Unicode Character Database's own files, as Debian's unicode-data
 * package installs them under /usr/share/unicode ($DUGAO_UNICODE_DIR overrides):
 * - EastAsianWidth.txt: every code point's width, under both ambiguous settings;
 * - auxiliary/LineBreakTest.txt: break opportunities, where the only disagreements
 *   allowed are breaks that dugao's Chinese rules remove (listed by rule and counted);
 * - auxiliary/GraphemeBreakTest.txt: no break, cut or wrapped line splits a cluster.
 * Each prints "N passed, N failed"; skipped (77) when the directory is absent.
 * The files may be newer than libunistring's tables (Unicode 15.0 against 14.0 in
 * libunistring 1.0): characters libunistring does not know are counted and listed,
 * never silently skipped. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unictype.h>
#include <unigbrk.h>
#include <unistr.h>
#include <unistring/version.h>

#include "dugao/util.h"
#include "dugao/wrap.h"

#define NCP 0x110000

static const char *dir;

static FILE *open_ucd(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		printf("%s: cannot open\n", path);
	return f;
}

/* Prints the first line of a UCD file (its name and Unicode version). */
static void print_version(FILE *f)
{
	char line[256];
	if (fgets(line, sizeof line, f))
		printf("%s", line);
	rewind(f);
}

/* Parses "XXXX" or "XXXX..YYYY" at the start of a line. */
static bool parse_range(const char *line, uint32_t *a, uint32_t *b)
{
	char *end;
	unsigned long x = strtoul(line, &end, 16);
	if (end == line)
		return false;
	*a = *b = (uint32_t)x;
	if (end[0] == '.' && end[1] == '.')
		*b = (uint32_t)strtoul(end + 2, NULL, 16);
	return *a <= *b && *b < NCP;
}

/* --- EastAsianWidth.txt --- */

enum eaw_rule {
	RULE_FILE,		/* the width the file gives */
	RULE_CONTROL,		/* Cc: 1, drawn as a replacement */
	RULE_ZERO,		/* Mn, Me, Cf: 0 */
	RULE_JAMO,		/* conjoining Hangul vowels and finals: 0 */
	RULE_SPACING_MN,	/* Mn that libunistring draws as spacing: 1 */
	RULE_UNASSIGNED,	/* not a character: the file's default N is not compared */
	RULE_NEWER,		/* assigned after libunistring's Unicode version */
	RULE_COUNT
};

static const char *const rule_names[RULE_COUNT] = {
	"width from the file (W/F 2, A by the setting, others 1)",
	"controls (Cc) count 1: drawn as a replacement",
	"combining and format characters (Mn, Me, Cf) count 0",
	"conjoining Hangul vowels and final consonants (Hangul_Syllable_Type V, T) count 0",
	"Mn that libunistring treats as spacing (U+0CBF U+0CC6 U+11A07 U+11A08 U+11C3F) count 1",
	"unassigned in this UCD, outside the file's W defaults: not compared (libunistring widens East Asian blocks)",
	"assigned after libunistring's Unicode version, width differs from this file's (listed above; not failures)",
};

/* Lists characters newer than libunistring whose width differs, as ranges; a call
 * with c == NCP flushes the last range. */
static void note_newer(uint32_t c, const char *gc, char eaw, int got, int want)
{
	static uint32_t first, last;
	static char key[32], have;
	char k[32];
	snprintf(k, sizeof k, "%s %c %d %d", gc, eaw == 'n' ? 'N' : eaw, got, want);
	if (have && (c != last + 1 || strcmp(k, key) != 0)) {
		printf("EastAsianWidth: U+%04X..U+%04X (gc, eaw, dugao, file: %s) are newer than libunistring %d.%d\n",
		       first, last, key, _libunistring_version >> 16, (_libunistring_version >> 8) & 0xFF);
		have = 0;
	}
	if (c == NCP)
		return;
	if (!have) {
		first = c;
		snprintf(key, sizeof key, "%s", k);
		have = 1;
	}
	last = c;
}

static int east_asian_width(void)
{
	char *eaw = xcalloc(NCP, 1);	/* 'N', 'A', 'W', 'F', 'H', 'n' (Na) */
	char *gc = xcalloc(NCP, 3);	/* general category, two letters; "" unassigned */
	bool *listed = xcalloc(NCP, sizeof *listed);
	bool *jamo = xcalloc(NCP, sizeof *jamo);
	memset(eaw, 'N', NCP);
	/* The defaults the file states in its header for unlisted code points. */
	static const uint32_t wide_defaults[][2] = {
		{ 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xF900, 0xFAFF },
		{ 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
	};
	for (size_t i = 0; i < sizeof wide_defaults / sizeof *wide_defaults; i++)
		for (uint32_t c = wide_defaults[i][0]; c <= wide_defaults[i][1]; c++) {
			eaw[c] = 'W';
			listed[c] = true;
		}
	FILE *f = open_ucd("EastAsianWidth.txt");
	FILE *u = open_ucd("UnicodeData.txt");
	FILE *h = open_ucd("HangulSyllableType.txt");
	if (!f || !u || !h)
		return 1;
	print_version(f);
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		uint32_t a, b;
		char *semi = strchr(line, ';');
		if (line[0] == '#' || !semi || !parse_range(line, &a, &b))
			continue;
		char v = semi[1] == 'N' && semi[2] == 'a' ? 'n' : semi[1];
		for (uint32_t c = a; c <= b; c++) {
			eaw[c] = v;
			listed[c] = true;
		}
	}
	uint32_t first = 0;
	while (fgets(line, sizeof line, u)) {
		uint32_t a, b;
		if (!parse_range(line, &a, &b))
			continue;
		char *name = strchr(line, ';');
		char *cat = name ? strchr(name + 1, ';') : NULL;
		if (!cat)
			continue;
		if (strstr(name, ", First>")) {
			first = a;
			continue;
		}
		uint32_t from = strstr(name, ", Last>") ? first : a;
		for (uint32_t c = from; c <= a; c++)
			memcpy(gc + 3 * c, cat + 1, 2);
	}
	while (fgets(line, sizeof line, h)) {
		uint32_t a, b;
		char *semi = strchr(line, ';');
		if (line[0] == '#' || !semi || !parse_range(line, &a, &b))
			continue;
		if (strncmp(semi, "; V ", 4) == 0 || strncmp(semi, "; T ", 4) == 0)
			for (uint32_t c = a; c <= b; c++)
				jamo[c] = true;
	}
	fclose(f);
	fclose(u);
	fclose(h);

	long passed = 0, failed = 0, by_rule[RULE_COUNT] = { 0 }, differ[RULE_COUNT] = { 0 };
	for (uint32_t c = 0; c < NCP; c++) {
		if (c >= 0xD800 && c <= 0xDFFF)
			continue;	/* surrogates are not characters of UTF-8 text */
		const char *g = gc + 3 * c;
		bool assigned = g[0] != 0;
		enum eaw_rule rule = RULE_FILE;
		int want[2];
		bool compare = true;
		for (int amb = 0; amb < 2; amb++)
			want[amb] = eaw[c] == 'W' || eaw[c] == 'F' ? 2 : eaw[c] == 'A' && amb == WRAP_WIDE ? 2 : 1;
		if (!assigned && !listed[c]) {
			rule = RULE_UNASSIGNED;
			compare = false;
		} else if (strcmp(g, "Cc") == 0) {
			rule = RULE_CONTROL;
			want[0] = want[1] = 1;
		} else if (c == 0x0CBF || c == 0x0CC6 || c == 0x11A07 || c == 0x11A08 || c == 0x11C3F) {
			rule = RULE_SPACING_MN;
			want[0] = want[1] = 1;
		} else if (strcmp(g, "Mn") == 0 || strcmp(g, "Me") == 0 || strcmp(g, "Cf") == 0) {
			rule = RULE_ZERO;
			want[0] = want[1] = 0;
		} else if (jamo[c]) {
			rule = RULE_JAMO;
			want[0] = want[1] = 0;
		}
		int got0 = wrap_char_width(c, WRAP_NARROW), got1 = wrap_char_width(c, WRAP_WIDE);
		if (compare && (got0 != want[0] || got1 != want[1]) && assigned &&
		    uc_is_general_category(c, UC_CATEGORY_Cn)) {
			/* Newer than libunistring: it gives 1 (dugao widens emoji and kana). */
			rule = RULE_NEWER;
			note_newer(c, g, eaw[c], got0, want[0]);
		}
		by_rule[rule]++;
		if (!compare || rule == RULE_NEWER)
			continue;
		int file_narrow = eaw[c] == 'W' || eaw[c] == 'F' ? 2 : 1;
		if (want[0] != file_narrow)
			differ[rule]++;
		if (got0 == want[0] && got1 == want[1]) {
			passed++;
		} else {
			failed++;
			if (failed <= 40)
				printf("EastAsianWidth: U+%04X gc %s eaw %c: got %d/%d, want %d/%d (%s)\n", c, assigned ? g : "unassigned",
				       eaw[c] == 'n' ? 'N' : eaw[c], got0, got1, want[0], want[1], rule_names[rule]);
		}
	}
	note_newer(NCP, "", 0, 0, 0);
	printf("EastAsianWidth.txt: code points by rule (how many the rule gives another width than the file's):\n");
	for (int r = 0; r < RULE_COUNT; r++)
		printf("  %7ld (%ld differ)  %s\n", by_rule[r], r == RULE_NEWER ? by_rule[r] : differ[r], rule_names[r]);
	printf("EastAsianWidth.txt: %ld passed, %ld failed\n", passed, failed);
	free(eaw);
	free(gc);
	free(listed);
	free(jamo);
	return failed > 0;
}

/* --- the two break tests share a parser --- */

/* One test case: code points with the expected break before each. */
struct ucd_case {
	uint32_t cp[128];	/* the code points */
	bool brk[129];		/* brk[i]: a break before cp[i] (brk[n] at the end) */
	size_t n;		/* how many code points */
	char text[600];		/* as UTF-8 */
	size_t off[129];	/* byte offset of each code point, off[n] the length */
	const char *line;	/* the test line, for messages */
};

static bool parse_case(char *line, struct ucd_case *c)
{
	char *hash = strchr(line, '#');
	if (hash)
		*hash = 0;
	c->n = 0;
	c->line = line;
	size_t len = 0;
	for (char *p = line; *p;) {
		if (strncmp(p, "\xc3\xb7", 2) == 0 || strncmp(p, "\xc3\x97", 2) == 0) {
			if (c->n > 127)
				return false;
			c->brk[c->n] = p[1] == '\xb7';
			p += 2;
		} else if (*p == ' ' || *p == '\t' || *p == '\n') {
			p++;
		} else {
			char *end;
			c->cp[c->n] = (uint32_t)strtoul(p, &end, 16);
			if (end == p)
				return false;
			p = end;
			c->off[c->n] = len;
			len += utf8_encode(c->cp[c->n], c->text + len);
			c->n++;
		}
	}
	c->off[c->n] = len;
	c->text[len] = 0;
	return c->n > 0;
}

/* --- LineBreakTest.txt --- */

static const char *const tailor_names[] = {
	[WRAP_BREAK_CLUSTER] = "inside a grapheme cluster (before a combining mark, ZWJ or emoji modifier that UAX #14 lets start a line)",
	[WRAP_BREAK_CLOSE] = "a line would start with a closing mark (，。、；：？！）》」』”’… and the like)",
	[WRAP_BREAK_OPEN] = "a line would end with an opening mark (（《「『“‘ and the like)",
	[WRAP_BREAK_DASH] = "inside —— or ……",
};

/* Where libunistring 1.0 (UAX #14 of Unicode 14, with its own choices) and the
 * 15.0 test file disagree; each is counted and listed, the test fails on any other. */
enum deviation {
	DEV_NONE,
	DEV_LB20,	/* U+FFFC (CB) */
	DEV_LB25,	/* numbers: the file uses UAX #14's Example 7 regular expression */
	DEV_LB29,	/* IS × (AL|HL) beyond ASCII letters */
	DEV_SPACES,	/* LB14 / LB16 when spaces come between */
	DEV_LB30A,	/* regional indicators with a mark between */
	DEV_COUNT
};

static const char *const deviation_names[DEV_COUNT] = {
	"",
	"LB20: libunistring 1.0 gives U+FFFC OBJECT REPLACEMENT (CB) no break opportunities of its own",
	"LB25: the test file uses the number regular expression of UAX #14 Example 7, libunistring the plain LB25 pairs (it keeps more together)",
	"LB29 IS x (AL|HL): libunistring 1.0 lacks it; dugao restores it for ASCII letters (www.gov.cn), not for other letters and symbols",
	"LB14 OP SP* x, LB16 (CL|CP) SP* x NS: libunistring applies them only without the spaces",
	"LB30a: regional indicators with a combining mark between them",
};

/* The rule and the Line_Break classes the test file's comment gives for the break
 * before code point i (classes of the last non-CM code point before it and of it). */
static void comment_rule(const char *comment, size_t i, char *rule, char *before, char *at)
{
	char cls[130][16] = { { 0 } }, rules[130][16] = { { 0 } };
	size_t k = 0;
	for (const char *p = comment; (p = strchr(p, '[')) && k < 130; k++) {
		sscanf(p + 1, "%15[0-9.]", rules[k]);
		const char *open = strchr(p, '(');
		if (!open)
			break;
		sscanf(open + 1, "%15[A-Za-z0-9_]", cls[k]);
		p = strchr(open, ')');
		if (!p)
			break;
	}
	snprintf(rule, 16, "%s", i < k ? rules[i] : "");
	snprintf(at, 16, "%s", i < k ? cls[i] : "");
	size_t b = i;
	while (b > 0 && b - 1 < k && (strncmp(cls[b - 1], "CM", 2) == 0 || strcmp(cls[b - 1], "ZWJ") == 0))
		b--;
	snprintf(before, 16, "%s", b > 0 && b - 1 < k ? cls[b - 1] : "");
}

static bool class_in(const char *cls, const char *const *set)
{
	for (; *set; set++)
		if (strncmp(cls, *set, strlen(*set)) == 0)
			return true;
	return false;
}

static enum deviation classify(const char *comment, size_t i, bool dugao_breaks)
{
	char rule[16], before[16], at[16];
	comment_rule(comment, i, rule, before, at);
	static const char *const num_before[] = { "CL", "CP", "IS", "SY", "PO", "PR", NULL };
	static const char *const num_after[] = { "PO", "PR", "OP", "NU", NULL };
	if (!dugao_breaks && strncmp(rule, "20.", 3) == 0)
		return DEV_LB20;
	if (!dugao_breaks && strcmp(rule, "999.0") == 0 && class_in(before, num_before) && class_in(at, num_after))
		return DEV_LB25;
	if (dugao_breaks && strcmp(rule, "29.0") == 0)
		return DEV_LB29;
	if (dugao_breaks && (strcmp(rule, "14.0") == 0 || strcmp(rule, "16.0") == 0))
		return DEV_SPACES;
	if (dugao_breaks && strncmp(rule, "30.1", 4) == 0)
		return DEV_LB30A;
	return DEV_NONE;
}

static int line_break_test(void)
{
	FILE *f = open_ucd("auxiliary/LineBreakTest.txt");
	if (!f)
		return 1;
	print_version(f);
	char line[4096], copy[4096];
	long passed = 0, failed = 0, tailored_cases = 0, tailored[WRAP_BREAK_DASH + 1] = { 0 };
	struct sbuf listing[WRAP_BREAK_DASH + 1] = { { 0 } }, dev_listing[DEV_COUNT] = { { 0 } };
	long deviations[DEV_COUNT] = { 0 }, deviation_cases = 0;
	struct ucd_case c;
	while (fgets(line, sizeof line, f)) {
		snprintf(copy, sizeof copy, "%s", line);
		copy[strcspn(copy, "\n")] = 0;
		if (line[0] == '#' || !parse_case(line, &c))
			continue;
		unsigned char p[600];
		wrap_breaks(c.text, c.off[c.n], p);
		bool ok = true, any_tailored = false, any_deviation = false;
		const char *comment = strchr(copy, '#');
		for (size_t i = 1; i < c.n; i++) {
			unsigned char v = p[c.off[i]];
			bool got = v == WRAP_BREAK_YES || v == WRAP_BREAK_MUST;
			if (got == c.brk[i])
				continue;
			if (c.brk[i] && v >= WRAP_BREAK_CLUSTER && v <= WRAP_BREAK_DASH) {
				tailored[v]++;
				sbuf_printf(&listing[v], "  %s\n", copy);
				any_tailored = true;
				continue;
			}
			enum deviation d = comment ? classify(comment, i, got) : DEV_NONE;
			if (d != DEV_NONE) {
				deviations[d]++;
				sbuf_printf(&dev_listing[d], "  %s (%s before U+%04X)\n", copy, got ? "breaks" : "no break", c.cp[i]);
				any_deviation = true;
				continue;
			}
			ok = false;
			printf("LineBreakTest: %s: %s before U+%04X\n", copy, got ? "dugao breaks" : "dugao does not break",
			       c.cp[i]);
		}
		if (!ok)
			failed++;
		else if (any_deviation)
			deviation_cases++;
		else
			passed++;
		if (ok && any_tailored)
			tailored_cases++;
	}
	fclose(f);
	printf("LineBreakTest.txt: breaks removed by dugao's rules, by rule, with the cases:\n");
	for (int r = WRAP_BREAK_CLUSTER; r <= WRAP_BREAK_DASH; r++) {
		printf("  %ld: %s\n%s", tailored[r], tailor_names[r], listing[r].data ? listing[r].data : "");
		sbuf_free(&listing[r]);
	}
	printf("LineBreakTest.txt: where libunistring %d.%d deviates from UAX #14 of the file, by rule, with the cases:\n",
	       _libunistring_version >> 16, (_libunistring_version >> 8) & 0xFF);
	for (int d = DEV_LB20; d < DEV_COUNT; d++) {
		printf("  %ld: %s\n%s", deviations[d], deviation_names[d], dev_listing[d].data ? dev_listing[d].data : "");
		sbuf_free(&dev_listing[d]);
	}
	printf("LineBreakTest.txt: %ld tailored cases (passed, a break removed by dugao's rules)\n", tailored_cases);
	printf("LineBreakTest.txt: %ld cases disagree only where libunistring deviates (listed above, not counted as passed)\n",
	       deviation_cases);
	printf("LineBreakTest.txt: %ld passed, %ld failed\n", passed, failed);
	return failed > 0;
}

/* --- GraphemeBreakTest.txt --- */

/* Whether byte offset at is a cluster boundary of the case. */
static bool boundary(const struct ucd_case *c, size_t at)
{
	for (size_t i = 0; i <= c->n; i++)
		if (c->off[i] == at)
			return i == 0 || i == c->n || c->brk[i];
	return false;
}

static int grapheme_break_test(void)
{
	FILE *f = open_ucd("auxiliary/GraphemeBreakTest.txt");
	if (!f)
		return 1;
	print_version(f);
	char line[4096], copy[4096];
	long passed = 0, failed = 0;
	struct ucd_case c;
	while (fgets(line, sizeof line, f)) {
		snprintf(copy, sizeof copy, "%s", line);
		copy[strcspn(copy, "\n")] = 0;
		if (line[0] == '#' || !parse_case(line, &c))
			continue;
		size_t len = c.off[c.n];
		bool ok = true;
		/* the break opportunities */
		unsigned char p[600];
		wrap_breaks(c.text, len, p);
		for (size_t i = 1; i < c.n; i++)
			if ((p[c.off[i]] == WRAP_BREAK_YES || p[c.off[i]] == WRAP_BREAK_MUST) && !c.brk[i])
				ok = false;
		/* cuts at every number of columns, both settings */
		int total = (int)wrap_width(c.text, len, WRAP_WIDE);
		for (int cols = 0; cols <= total; cols++)
			for (int amb = 0; amb < 2; amb++)
				if (!boundary(&c, wrap_cut(c.text, len, cols, amb)))
					ok = false;
		/* wrapped lines at every width, spaces kept or not */
		for (int width = 1; width <= total + 1; width++)
			for (int keep = 0; keep < 2; keep++) {
				struct wrap_options opt = { .width = width, .keep_spaces = keep };
				struct wrap_line *l;
				size_t nl = wrap_paragraph(c.text, len, &opt, &l);
				for (size_t k = 0; k < nl; k++)
					if (!boundary(&c, l[k].start) || !boundary(&c, l[k].end))
						ok = false;
				free(l);
			}
		if (ok) {
			passed++;
		} else {
			failed++;
			printf("GraphemeBreakTest: %s: a cluster is split\n", copy);
		}
	}
	fclose(f);
	printf("GraphemeBreakTest.txt: %ld passed, %ld failed\n", passed, failed);
	return failed > 0;
}

int main(void)
{
	dir = getenv("DUGAO_UNICODE_DIR");
	if (!dir || !*dir)
		dir = "/usr/share/unicode";
	char probe[512];
	snprintf(probe, sizeof probe, "%s/EastAsianWidth.txt", dir);
	FILE *f = fopen(probe, "r");
	if (!f) {
		printf("SKIP: %s is absent (Debian: apt-get install unicode-data)\n", probe);
		return 77;
	}
	fclose(f);
	printf("libunistring %d.%d (its tables: Unicode 14.0 in 1.0, 15.0 in 1.1)\n", _libunistring_version >> 16,
	       (_libunistring_version >> 8) & 0xFF);
	int rc = east_asian_width();
	rc |= line_break_test();
	rc |= grapheme_break_test();
	return rc ? 1 : 0;
}
