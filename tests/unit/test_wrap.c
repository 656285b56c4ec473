/* Unit tests of wrap: widths, break opportunities and the Chinese line-breaking rules. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unigbrk.h>
#include <uniwidth.h>

#include "check.h"
#include "dugao/util.h"
#include "dugao/wrap.h"

/* Wraps text and joins the lines with '|' (indent shown as '>' per column). */
static char *wrapped(const char *text, int width, int first_indent, int indent, enum wrap_ambiguous amb)
{
	struct wrap_options opt = { .width = width, .first_indent = first_indent, .indent = indent, .ambiguous = amb };
	struct wrap_line *l;
	size_t n = wrap_paragraph(text, strlen(text), &opt, &l);
	struct sbuf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_puts(&b, "|");
		for (int k = 0; k < l[i].indent; k++)
			sbuf_puts(&b, ">");
		sbuf_append(&b, text + l[i].start, l[i].end - l[i].start);
	}
	free(l);
	return sbuf_take(&b);
}

#define CHECK_WRAP(text, width, want)                                                   \
	do {                                                                            \
		char *got_ = wrapped(text, width, 0, 0, WRAP_NARROW);                   \
		CHECK_STR(got_, want);                                                  \
		free(got_);                                                             \
	} while (0)

static int width_of(const char *s, enum wrap_ambiguous amb)
{
	return (int)wrap_width(s, strlen(s), amb);
}

static void test_widths(void)
{
	/* CJK wide, ASCII, digits, full-width forms */
	CHECK_INT(width_of("中文", WRAP_NARROW), 4);
	CHECK_INT(width_of("abc", WRAP_NARROW), 3);
	CHECK_INT(width_of("2024", WRAP_NARROW), 4);
	CHECK_INT(width_of("ＡＢ１２", WRAP_NARROW), 8);
	CHECK_INT(width_of("，。", WRAP_NARROW), 4);
	CHECK_INT(width_of("　", WRAP_NARROW), 2);
	CHECK_INT(width_of("ｶ", WRAP_NARROW), 1);	/* half-width katakana */
	/* combining marks take no column */
	CHECK_INT(width_of("e\xcc\x81", WRAP_NARROW), 1);
	CHECK_INT(wrap_char_width(0x0301, WRAP_WIDE), 0);
	CHECK_INT(wrap_char_width(0x200B, WRAP_NARROW), 0);
	/* emoji */
	CHECK_INT(wrap_char_width(0x1F600, WRAP_NARROW), 2);
	CHECK_INT(width_of("👍🏽", WRAP_NARROW), 4);
	CHECK_INT(width_of("🇨🇳", WRAP_NARROW), 2);
	/* ambiguous: “”…—·§ follow the setting */
	CHECK_INT(width_of("“”…—·§", WRAP_NARROW), 6);
	CHECK_INT(width_of("“”…—·§", WRAP_WIDE), 12);
	CHECK_INT(wrap_char_width(0x2460, WRAP_WIDE), 2);	/* ① */
	/* not ambiguous: Cyrillic Ж is A, but Arabic and Latin a are not */
	CHECK_INT(wrap_char_width(0x0416, WRAP_WIDE), 2);
	CHECK_INT(wrap_char_width(0x0627, WRAP_WIDE), 1);
	CHECK_INT(wrap_char_width('a', WRAP_WIDE), 1);
	CHECK_INT(wrap_char_width(0x4E2D, WRAP_WIDE), 2);
	/* controls are drawn as a replacement of one column */
	CHECK_INT(wrap_char_width(0x01, WRAP_NARROW), 1);
	CHECK_INT(wrap_char_width(0x00, WRAP_NARROW), 1);
	CHECK_INT(wrap_char_width(0x9B, WRAP_NARROW), 1);
	CHECK_INT(width_of("", WRAP_NARROW), 0);
}

static void test_cut(void)
{
	CHECK_INT(wrap_cut("中文字", 9, 5, WRAP_NARROW), 6);
	CHECK_INT(wrap_cut("中文字", 9, 1, WRAP_NARROW), 0);
	CHECK_INT(wrap_cut("ae\xcc\x81x", 5, 2, WRAP_NARROW), 4);	/* é kept whole */
	CHECK_INT(wrap_cut("abc", 3, 10, WRAP_NARROW), 3);
	CHECK_INT(wrap_cut("……", 6, 1, WRAP_WIDE), 0);
	CHECK_INT(wrap_cut("🇨🇳🇨🇳", 16, 3, WRAP_NARROW), 8);
}

static void test_basic(void)
{
	CHECK_WRAP("", 10, "");
	CHECK_WRAP("我们要加快发展", 6, "我们要|加快发|展");
	CHECK_WRAP("我们要加快发展", 14, "我们要加快发展");
	CHECK_WRAP("我们要加快发展", 13, "我们要加快发|展");
	/* Latin words and numbers are not split; the space at the break is dropped */
	CHECK_WRAP("hello world", 8, "hello|world");
	CHECK_WRAP("增长12.5%以上", 8, "增长|12.5%以|上");
	CHECK_WRAP("到2035年基本实现", 8, "到2035年|基本实现");
	CHECK_WRAP("到2035年基本实现", 6, "到2035|年基本|实现");
	CHECK_WRAP("建设GDP大省", 6, "建设|GDP大|省");
	CHECK_WRAP("见www.gov.cn网站", 12, "见www.gov.cn|网站");
	CHECK_WRAP("见www.gov.cn网站", 8, "见|www.gov.|cn网站");
	CHECK_WRAP("e.g.abc", 3, "e.|g.a|bc");
	/* a run longer than the line is cut at grapheme boundaries */
	CHECK_WRAP("abcdefghij", 4, "abcd|efgh|ij");
	CHECK_WRAP("ae\xcc\x81\xcc\x82" "bcd", 2, "ae\xcc\x81\xcc\x82|bc|d");
}

static void test_punctuation(void)
{
	/* a closing mark that does not fit takes the character before it down */
	CHECK_WRAP("我们要发展，要前进。", 10, "我们要发|展，要前|进。");
	CHECK_WRAP("这是第一句。这是第二句", 10, "这是第一|句。这是第|二句");
	CHECK_WRAP("一二三四》五", 8, "一二三|四》五");
	CHECK_WRAP("一二三四”五", 8, "一二三|四”五");
	CHECK_WRAP("一二三四：五", 8, "一二三|四：五");
	CHECK_WRAP("一二三四！五", 8, "一二三|四！五");
	CHECK_WRAP("一二三四、五", 8, "一二三|四、五");
	CHECK_WRAP("一二三四）五", 8, "一二三|四）五");
	/* an opening mark never ends a line */
	CHECK_WRAP("一二三（四五）", 8, "一二三|（四五）");
	CHECK_WRAP("一二三《四五》", 8, "一二三|《四五》");
	/* UAX #14 (15.0) keeps “ and ” with both neighbours (LB19) */
	CHECK_WRAP("一二三“四五”", 7, "一二|三“四|五”");
	CHECK_WRAP("一二三「四五」", 8, "一二三|「四五」");
	/* —— and …… stay whole, and …… never starts a line */
	CHECK_WRAP("一二三四——五", 9, "一二三四|——五");
	CHECK_WRAP("一二三四……", 8, "一二三|四……");
	CHECK_WRAP("一二三……", 6, "一二|三……");
	CHECK_WRAP("一二三四――五", 9, "一二三四|――五");	/* U+2015, as GBK converters give */
	/* with spaces: the mark after a space still may not start a line */
	CHECK_WRAP("ab cd ”ef", 5, "ab|cd ”e|f");
	CHECK_WRAP("ab “ cd", 4, "ab|“ cd");
	/* nowhere to pull back to: the cut moves one cluster earlier */
	CHECK_WRAP("abcd。", 4, "abc|d。");
	CHECK_WRAP("abc(d", 4, "abc|(d");
	/* half-width punctuation */
	CHECK_WRAP("一二三四.五", 8, "一二三|四.五");
}

static void test_indent(void)
{
	char *s = wrapped("我们要加快发展的思路", 10, 4, 0, WRAP_NARROW);
	CHECK_STR(s, ">>>>我们要|加快发展的|思路");
	free(s);
	s = wrapped("我们要加快发展的思路", 10, 0, 2, WRAP_NARROW);
	CHECK_STR(s, "我们要加快|>>发展的思|>>路");
	free(s);
	/* an indent wider than the line shrinks to leave room for one wide character */
	s = wrapped("中文", 3, 8, 8, WRAP_NARROW);
	CHECK_STR(s, ">中|>文");
	free(s);
	struct wrap_options opt = { .width = 10, .first_indent = 4 };
	struct wrap_line *l;
	CHECK_INT(wrap_paragraph("", 0, &opt, &l), 1);
	CHECK_INT(l[0].width, 4);
	CHECK_INT(l[0].indent, 4);
	free(l);
}

static void test_ambiguous(void)
{
	char *s = wrapped("一二“三”", 6, 0, 0, WRAP_WIDE);
	CHECK_STR(s, "一|二|“三”");
	free(s);
	s = wrapped("一二“三”", 6, 0, 0, WRAP_NARROW);
	CHECK_STR(s, "一|二“三”");
	free(s);
}

static void test_keep_spaces(void)
{
	const char *t = "aa bb  cc dd";
	struct wrap_options opt = { .width = 5, .keep_spaces = true };
	struct wrap_line *l;
	size_t n = wrap_paragraph(t, strlen(t), &opt, &l);
	struct sbuf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		CHECK(l[i].width <= 5);
		CHECK(i == 0 || l[i].start == l[i - 1].end);
		sbuf_append(&b, t + l[i].start, l[i].end - l[i].start);
	}
	CHECK_STR(b.data, t);
	CHECK_INT(n, 3);
	sbuf_free(&b);
	free(l);
}

static void test_breaks(void)
{
	const char *t = "我们，“发展”";
	size_t n = strlen(t);
	unsigned char p[64];
	wrap_breaks(t, n, p);
	CHECK_INT(p[0], WRAP_BREAK_NO);
	CHECK_INT(p[3], WRAP_BREAK_YES);	/* 我|们 */
	CHECK_INT(p[6], WRAP_BREAK_NO);		/* ， is CL in UAX #14 already */
	const char *u = "a …b";
	wrap_breaks(u, strlen(u), p);
	CHECK_INT(p[2], WRAP_BREAK_CLOSE);	/* UAX #14 allows SP ÷ IN */
	const char *v = "a “ b";
	wrap_breaks(v, strlen(v), p);
	CHECK_INT(p[6], WRAP_BREAK_OPEN);	/* UAX #14 allows QU SP ÷ AL */
	const char *w = "a\xe2\x80\xa8 b";	/* U+2028 then a space */
	wrap_breaks(w, strlen(w), p);
	CHECK_INT(p[4], WRAP_BREAK_MUST);
	CHECK_INT(p[5], WRAP_BREAK_YES);	/* UAX #14 LB18: after leading spaces */
	CHECK(wrap_is_closing(0x3002) && wrap_is_closing(0x2026) && !wrap_is_closing(0x4E2D));
	CHECK(wrap_is_opening(0x300A) && wrap_is_opening(0x201C) && !wrap_is_opening(0x201D));
}

/* Whether s[0..n) is one grapheme cluster (u8_grapheme_next mishandles flags). */
static bool one_cluster(const uint8_t *s, size_t n)
{
	char gb[64];
	if (n > sizeof gb)
		return false;
	u8_grapheme_breaks(s, n, gb);
	for (size_t i = 1; i < n; i++)
		if (gb[i])
			return false;
	return true;
}

/* Every width from 1 to 40 on mixed text: no line too wide unless it is one grapheme,
 * lines in order and covering the text with only spaces left out, no closing mark
 * at a line start and no opening one at a line end (below 10 columns a run such as
 * 路？……“十 can be wider than the line, and the rules give way to the width). */
static void test_all_widths(void)
{
	const char *t = "　　第二个问题：加快发展的思路要更加清晰。我们要如何加快发展？要走什么样的道路？……"
			"“十四五”时期，GDP年均增长6.5%以上——这是《规划》提出的目标（见附件1）。"
			"Latin words stay whole: internationalization, e\xcc\x81te\xcc\x81, 👍🏽 and 🇨🇳.";
	size_t n = strlen(t);
	for (int width = 1; width <= 40; width++) {
		for (int amb = 0; amb < 2; amb++) {
			struct wrap_options opt = { .width = width, .first_indent = 4, .indent = 0, .ambiguous = amb };
			struct wrap_line *l;
			size_t nl = wrap_paragraph(t, n, &opt, &l);
			size_t prev_end = 0;
			for (size_t i = 0; i < nl; i++) {
				const uint8_t *a = (const uint8_t *)t + l[i].start, *e = (const uint8_t *)t + l[i].end;
				bool one = a < e && one_cluster(a, (size_t)(e - a));
				CHECK(l[i].width <= width || one);
				if (!(l[i].width <= width || one))
					fprintf(stderr, "width %d: line %.*s\n", width, (int)(l[i].end - l[i].start), t + l[i].start);
				CHECK_INT(l[i].width, l[i].indent + (int)wrap_width(t + l[i].start, l[i].end - l[i].start, amb));
				CHECK(l[i].start >= prev_end && l[i].end >= l[i].start);
				for (size_t k = prev_end; k < l[i].start; k++)
					CHECK(t[k] == ' ');
				if (l[i].start < l[i].end && i > 0 && width >= 10) {
					uint32_t cp;
					utf8_decode(t + l[i].start, n - l[i].start, &cp);
					CHECK(!wrap_is_closing(cp));
					if (wrap_is_closing(cp))
						fprintf(stderr, "width %d: line %.*s\n", width, (int)(l[i].end - l[i].start), t + l[i].start);
					size_t k = l[i].end - 1;
					while ((t[k] & 0xC0) == 0x80)
						k--;
					utf8_decode(t + k, l[i].end - k, &cp);
					CHECK(!wrap_is_opening(cp));
				}
				prev_end = l[i].end;
			}
			CHECK_INT(prev_end, n);
			free(l);
		}
	}
}

/* wrap_char_width answers ASCII and the CJK Unified Ideographs block itself: as uc_width. */
static void test_fast_widths(void)
{
	for (uint32_t cp = 0x20; cp <= 0x9FFF; cp = cp == 0x7E ? 0x4E00 : cp + 1)
		for (int amb = 0; amb < 2; amb++)
			CHECK_INT(wrap_char_width(cp, amb), uc_width(cp, "UTF-8"));
}

int main(void)
{
	test_fast_widths();
	test_widths();
	test_cut();
	test_basic();
	test_punctuation();
	test_indent();
	test_ambiguous();
	test_keep_spaces();
	test_breaks();
	test_all_widths();
	return check_done();
}
