#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/structure.h"
#include "dugao/util.h"

/*
 * structure: from cleaned lines to title, metadata, paragraphs and the outline.
 *
 * Lines become paragraphs (one a line, or joined when the prescan finds the text
 * hard-wrapped). Paragraphs wait in a small window: first until the title block is
 * decided, then so that a paragraph opening with 首先 can see whether a 其次 follows.
 * Memory is bounded by that window, whatever the document size.
 *
 * Headings are found by a table of marker styles (一、 （一） 1． 一是 第一， …). Each
 * style says whether it may open a paragraph (or stand alone as a line) and whether
 * it may run inside one. Levels come from the order in which styles nest: a stack of
 * styles, where a style already on the stack pops back to its level and a new style
 * goes one deeper. Items inside a paragraph are children of the section holding it.
 *
 * A heading line with no number (前言, 结束语, a section name) is told from the short
 * lines around a document's text in two steps: its own shape when it is analysed
 * (plain_shape), then its neighbours when it leaves the window (plain_confirmed).
 * Numbers that are note marks (…。①…, the notes after 注释：) are no list items.
 */

#define WINDOW 16		/* paragraphs held back so a 首先 can see its 其次 */
#define HEAD_MAX 40		/* paragraphs searched for the title block */
#define PARA_MAX (256 * 1024)	/* a joined (hard-wrapped) paragraph is cut here */
#define DEPTH_MAX 16		/* outline levels kept on the stack */
#define STANDALONE_MAX 100	/* characters of a heading line without a full stop */
#define OPEN_MAX 50		/* characters of a first sentence that may be a heading */
#define TITLE_MAX 60		/* characters of a stored heading title */
#define INLINE_MAX 64		/* enumeration items kept per paragraph */
#define TITLE_LINES_MAX 3	/* lines a broken title may be joined from */
#define PLAIN_MAX 30		/* characters of a heading line with no number */
#define WIDTH_BUCKETS 512	/* line widths the prescan counts */

/* ------------------------------------------------------------------ */
/* Marker styles */

enum style {
	ST_NONE = -1,
	ST_CN_DUN,		/* 一、 */
	ST_CN_PAREN,		/* （一） (一) */
	ST_AR_DOT,		/* 1. 1． */
	ST_AR_DUN,		/* 1、 */
	ST_AR_PAREN,		/* （1） (1) */
	ST_CIRCLED_PAREN,	/* ⑴ */
	ST_CIRCLED,		/* ① */
	ST_DI_PART,		/* 第一部分 */
	ST_DI_CHAPTER,		/* 第一章 */
	ST_DI_SECTION,		/* 第一节 */
	ST_DI_ARTICLE,		/* 第一条 */
	ST_DI_TOPIC,		/* 第一个问题： 第一个方面 第一点 第一件事 */
	ST_DI_COMMA,		/* 第一， */
	ST_SHI,			/* 一是 */
	ST_YAO,			/* 一要 */
	ST_SEQ,			/* 首先 其次 再次 最后 */
	ST_QI,			/* 其一， 其二、 */
	ST_BARE,		/* 一 alone on a line */
	ST_ATTACH,		/* 附件 附件1 */
	ST_PLAIN,		/* a heading line with no number: 结束语 */
	ST_COUNT
};

struct marker_style {
	const char *name;	/* a sample marker, for reading the table */
	bool opens;		/* may stand alone as a line or open a paragraph */
	bool inside;		/* may run inside a paragraph (一是…。二是…。) */
	bool enumerates;	/* an enumeration word: a heading even when its first sentence is long */
};

static const struct marker_style styles[ST_COUNT] = {
	[ST_CN_DUN] = { "一、", true, true, false },
	[ST_CN_PAREN] = { "（一）", true, true, false },
	[ST_AR_DOT] = { "1．", true, true, false },
	[ST_AR_DUN] = { "1、", true, true, false },
	[ST_AR_PAREN] = { "（1）", true, true, false },
	[ST_CIRCLED_PAREN] = { "⑴", true, true, false },
	[ST_CIRCLED] = { "①", true, true, false },
	[ST_DI_PART] = { "第一部分", true, false, true },
	[ST_DI_CHAPTER] = { "第一章", true, false, true },
	[ST_DI_SECTION] = { "第一节", true, false, true },
	[ST_DI_ARTICLE] = { "第一条", true, false, true },
	[ST_DI_TOPIC] = { "第一个问题：", true, false, true },
	[ST_DI_COMMA] = { "第一，", true, true, true },
	[ST_SHI] = { "一是", true, true, true },
	[ST_YAO] = { "一要", true, true, true },
	[ST_SEQ] = { "首先，", true, true, true },
	[ST_QI] = { "其一，", true, true, true },
	[ST_BARE] = { "一", true, false, false },
	[ST_ATTACH] = { "附件1", true, false, false },
	[ST_PLAIN] = { "", true, false, false },
};

enum num_kind {
	NUM_CN,			/* 一 二十八 */
	NUM_AR,			/* 1 12 (ASCII or full-width digits) */
	NUM_CIRCLED,		/* ① … ⑳ */
	NUM_CIRCLED_PAREN,	/* ⑴ … ⒇ */
	NUM_WORD,		/* one of the words in suffix[]; its number is its place */
};

/* How a style is written. A style may have several patterns (（一） and (一)). */
struct pattern {
	enum style style;	/* the style this writes */
	const char *prefix;	/* before the number: "", "（", "(", "第" */
	enum num_kind num;	/* the kind of number */
	const char *suffix[6];	/* one of these follows the number (NULL ends; none: nothing) */
	bool need_sep;		/* a separator or the end of the text must follow */
	bool eat_punct;		/* a following ，：、 belongs to the marker */
	bool word;		/* a word of one to three characters comes before the separator */
};

static const struct pattern patterns[] = {
	{ ST_CN_DUN, "", NUM_CN, { "、", "．" }, false, false, false },
	{ ST_CN_PAREN, "（", NUM_CN, { "）" }, false, false, false },
	{ ST_CN_PAREN, "(", NUM_CN, { ")" }, false, false, false },
	{ ST_AR_DOT, "", NUM_AR, { "．", "." }, false, false, false },
	{ ST_AR_DUN, "", NUM_AR, { "、" }, false, false, false },
	{ ST_AR_PAREN, "（", NUM_AR, { "）" }, false, false, false },
	{ ST_AR_PAREN, "(", NUM_AR, { ")" }, false, false, false },
	{ ST_CIRCLED_PAREN, "", NUM_CIRCLED_PAREN, { NULL }, false, false, false },
	{ ST_CIRCLED, "", NUM_CIRCLED, { NULL }, false, false, false },
	{ ST_DI_PART, "第", NUM_CN, { "部分" }, true, true, false },
	{ ST_DI_CHAPTER, "第", NUM_CN, { "章" }, true, true, false },
	{ ST_DI_SECTION, "第", NUM_CN, { "节" }, true, true, false },
	{ ST_DI_ARTICLE, "第", NUM_CN, { "条" }, true, true, false },
	{ ST_DI_TOPIC, "第", NUM_CN, { "个问题", "个方面", "方面", "点", "件事" }, true, true, false },
	{ ST_DI_TOPIC, "第", NUM_CN, { "个" }, true, true, true },	/* 第一个阶段， 第二个层面： */
	{ ST_DI_COMMA, "第", NUM_CN, { "，", "、", "：", ",", ":" }, false, false, false },
	{ ST_SHI, "", NUM_CN, { "是" }, false, true, false },
	{ ST_YAO, "", NUM_CN, { "要" }, false, true, false },
	{ ST_SEQ, "", NUM_WORD, { "首先", "其次", "再次", "最后" }, false, true, false },
	{ ST_QI, "其", NUM_CN, { "，", "、", "：" }, false, false, false },
};

/* The number the word 最后 gets: it continues any earlier item. */
#define SEQ_LAST 4

/* ------------------------------------------------------------------ */
/* Characters */

static inline uint32_t cp_at(const char *s, size_t n, size_t i, size_t *len)
{
	uint32_t cp = 0;
	if (i >= n) {
		*len = 0;
		return 0;
	}
	*len = utf8_decode(s + i, n - i, &cp);
	return cp;
}

/* The character that ends at byte i (0 when i is the start). */
static inline uint32_t cp_before(const char *s, size_t i, size_t *len)
{
	if (i == 0) {
		*len = 0;
		return 0;
	}
	/* ASCII and the three-byte characters of Chinese text first, as the walk below
	 * and utf8_decode read them */
	const unsigned char *u = (const unsigned char *)s;
	unsigned char c = u[i - 1];
	if (c < 0x80) {
		*len = 1;
		return c;
	}
	if (i >= 3 && u[i - 3] >= 0xE1 && u[i - 3] <= 0xEF && u[i - 3] != 0xED && (u[i - 2] & 0xC0) == 0x80 &&
	    (c & 0xC0) == 0x80) {
		*len = 3;
		return utf8_cp3(s + i - 3);
	}
	size_t j = i - 1;
	while (j > 0 && i - j < 4 && ((unsigned char)s[j] & 0xC0) == 0x80)
		j--;
	uint32_t cp;
	utf8_decode(s + j, i - j, &cp);
	*len = i - j;
	return cp;
}

static bool is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == 0x3000 || cp == 0xA0 || cp == 0xFEFF;
}

/* 一 二 三 四 五 六 七 八 九 十 百 零 〇 两 (a switch: a few comparisons, not fourteen) */
static inline bool is_cn_digit(uint32_t cp)
{
	switch (cp) {
	case 0x4E00: case 0x4E8C: case 0x4E09: case 0x56DB: case 0x4E94: case 0x516D: case 0x4E03:
	case 0x516B: case 0x4E5D: case 0x5341: case 0x767E: case 0x96F6: case 0x3007: case 0x4E24:
		return true;
	default:
		return false;
	}
}

static int cn_digit_value(uint32_t cp)
{
	switch (cp) {
	case 0x4E00: return 1;	/* 一 */
	case 0x4E8C: return 2;	/* 二 */
	case 0x4E24: return 2;	/* 两 */
	case 0x4E09: return 3;	/* 三 */
	case 0x56DB: return 4;	/* 四 */
	case 0x4E94: return 5;	/* 五 */
	case 0x516D: return 6;	/* 六 */
	case 0x4E03: return 7;	/* 七 */
	case 0x516B: return 8;	/* 八 */
	case 0x4E5D: return 9;	/* 九 */
	default: return 0;	/* 零 〇 */
	}
}

static bool is_ar_digit(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19);
}

static inline bool is_terminator(uint32_t cp)
{
	return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == 0xFF1B || cp == '!' || cp == '?' || cp == ';';
}

/* The lanes of the sixteen bytes at s that are ASCII or E2, E3 or EF (next_punct_lead). */
static inline u8x16 punct_leads16(const char *s)
{
	u8x16 b = u8x16_load(s);
	return (u8x16)(b < 0x80) | (u8x16)((b & 0xFE) == 0xE2) | (u8x16)(b == 0xEF);
}

/* The first byte at or after i (n if none) that is ASCII or E2, E3 or EF: the first
 * byte of every punctuation mark the scans look for (a terminator, ，：” 」 ）), never a
 * continuation byte, so that a scan by characters would stop on it too. Sixteen bytes
 * at a time (Chinese text is mostly other three-byte characters), the last ones by the
 * sixteen that end the text, those looked at already left out. */
static inline size_t next_punct_lead(const char *s, size_t i, size_t n)
{
	while (i + 16 <= n) {
		u8x16 hit = punct_leads16(s + i);
		if (u8x16_any(hit))
			return i + u8x16_first(hit);
		i += 16;
	}
	if (i < n && n >= 16)
		return n - 16 + u8x16_first(punct_leads16(s + n - 16) & u8x16_last(n - i));	/* n when none */
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80 || c == 0xE2 || c == 0xE3 || c == 0xEF)
			break;
		i++;
	}
	return i;
}

/* Punctuation a heading title does not keep at its end. */
static bool is_trailing_punct(uint32_t cp)
{
	return is_terminator(cp) || is_space(cp) || cp == 0xFF1A || cp == 0xFF0C || cp == 0x3001 || cp == ':' ||
	       cp == ',' || cp == '.';
}

/* Bytes of lit when s holds it at i, else 0. Byte by byte: most calls fail at the
 * first byte, and lit is short. */
static size_t starts(const char *s, size_t n, size_t i, const char *lit)
{
	size_t l = 0;
	for (; lit[l]; l++)
		if (i + l >= n || s[i + l] != lit[l])
			return 0;
	return l;
}

static bool contains(const char *s, size_t n, const char *lit)
{
	return memmem(s, n, lit, strlen(lit)) != NULL;
}

static bool contains_any(const char *s, size_t n, const char *const *lits)
{
	for (; *lits; lits++)
		if (contains(s, n, *lits))
			return true;
	return false;
}

static inline bool ends_with(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n >= l && memcmp(s + n - l, lit, l) == 0;
}

/* The first bytes of a space (　 E3, no-break space C2, FEFF EF): most text is past
 * at its first byte, without decoding it. */
static const unsigned char space_lead[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, [0xE3] = 1, [0xC2] = 1, [0xEF] = 1,
};

static __attribute__((noinline)) size_t skip_spaces_from(const char *s, size_t n, size_t i)
{
	size_t l;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (!space_lead[c])
			break;
		if (c == 0xE3 && i + 2 < n && s[i + 1] == '\x80' && s[i + 2] == '\x80') {
			i += 3;	/* 　 (E3 80 80), the indent of most paragraphs: not decoded */
			continue;
		}
		if (!is_space(cp_at(s, n, i, &l)))
			break;
		i += l;
	}
	return i;
}

/* Past the spaces at i: inline, the test of the first byte that ends most calls. */
static inline size_t skip_spaces(const char *s, size_t n, size_t i)
{
	return i < n && !space_lead[(unsigned char)s[i]] ? i : skip_spaces_from(s, n, i);
}

static size_t trim_end(const char *s, size_t n)
{
	size_t l;
	while (n > 0 && is_space(cp_before(s, n, &l)))
		n -= l;
	return n;
}

static size_t trim_punct_end(const char *s, size_t start, size_t n)
{
	size_t l;
	while (n > start && is_trailing_punct(cp_before(s, n, &l)))
		n -= l;
	return n;
}

static long chars(const char *s, size_t n)
{
	return (long)utf8_count(s, n);
}

/* Byte length of the first max characters of s. */
static size_t cut_chars(const char *s, size_t n, size_t max)
{
	return utf8_offset(s, n, max);
}

/* ------------------------------------------------------------------ */
/* Numbers and markers */

/* A Chinese numeral at i (一 十一 二十八 一百零五); returns the bytes used. */
static size_t parse_cn_num(const char *s, size_t n, size_t i, int *val)
{
	size_t j = i, l;
	int total = 0, cur = 0, count = 0;
	uint32_t cp;
	while (count < 5 && (cp = cp_at(s, n, j, &l)) && is_cn_digit(cp)) {
		if (cp == 0x5341) {		/* 十 */
			total += (cur ? cur : 1) * 10;
			cur = 0;
		} else if (cp == 0x767E) {	/* 百 */
			total += (cur ? cur : 1) * 100;
			cur = 0;
		} else {
			cur = cn_digit_value(cp);
		}
		j += l;
		count++;
	}
	*val = total + cur;
	return *val > 0 ? j - i : 0;
}

static size_t parse_ar_num(const char *s, size_t n, size_t i, int *val)
{
	size_t j = i, l;
	int v = 0, count = 0;
	uint32_t cp;
	while ((cp = cp_at(s, n, j, &l)) && is_ar_digit(cp)) {
		if (++count > 3)
			return 0;
		v = v * 10 + (int)(cp >= 0xFF10 ? cp - 0xFF10 : cp - '0');
		j += l;
	}
	*val = v;
	return count && v > 0 ? j - i : 0;
}

/* A marker found in a paragraph. */
struct mark {
	enum style style;	/* its style */
	int num;		/* its number (1 for 一、 （一） 首先) */
	size_t at;		/* byte offset of the marker in the paragraph */
	size_t mlen;		/* bytes of the marker */
	size_t tat;		/* byte offset of the title */
	size_t tlen;		/* bytes of the title (cut to TITLE_MAX characters) */
	long tchars;		/* characters of the title */
	bool standalone;	/* the marker and title are the whole paragraph */
	bool keep;		/* accepted as a heading */
	bool long_first;	/* refused only for its long first sentence: a list may still take it */
	bool weak;		/* inside a paragraph after a comma, not a full stop */
};

static bool is_marker_sep(uint32_t cp)
{
	return cp == 0 || is_space(cp) || cp == 0xFF0C || cp == 0xFF1A || cp == 0x3001 || cp == ',' || cp == ':' ||
	       cp == 0xFF0E || cp == '.' || is_terminator(cp);
}

/* Bytes of the word of one to three Han characters at byte j (阶段 in 第一个阶段，). Out
 * of line, as the other rare paths below: match_marker and the scans stay small. */
static __attribute__((noinline)) size_t topic_word(const char *s, size_t n, size_t j)
{
	size_t i = j, l;
	uint32_t cp;
	for (int w = 0; w < 3 && (cp = cp_at(s, n, i, &l)) >= 0x4E00 && cp <= 0x9FFF; w++)
		i += l;
	return i - j;
}

/* Which patterns may match from the character they start with: a pattern with a
 * prefix starts with the prefix's first character, the others with their number. Made
 * once by patterns_init. */
#define NPATTERNS (sizeof patterns / sizeof patterns[0])
_Static_assert(NPATTERNS <= 32, "pattern masks are 32 bits");
static struct {
	uint32_t by_num[NUM_WORD];	/* patterns of no prefix that start with a number of each kind */
	uint32_t first_cp[16];	/* first characters of prefixes and of number words */
	uint32_t first_mask[16];	/* the patterns that start with each */
	size_t nfirst;		/* entries in those two */
	unsigned char first_at[0x10000];	/* 1 + the index of each BMP first_cp there, else 0 */
} starts_with;

static void starts_with_add(uint32_t cp, size_t p)
{
	size_t k = 0;
	while (k < starts_with.nfirst && starts_with.first_cp[k] != cp)
		k++;
	if (k == starts_with.nfirst) {
		if (k == sizeof starts_with.first_cp / sizeof *starts_with.first_cp || cp >= 0x10000)
			abort();	/* the patterns table outgrew this one */
		starts_with.first_cp[starts_with.nfirst++] = cp;
		starts_with.first_at[cp] = (unsigned char)(k + 1);
	}
	starts_with.first_mask[k] |= 1u << p;
}

static void advert_build(void);

/* The characters an item inside a paragraph may start with (find_inline): a Chinese
 * digit, 第 首 其 再 最, a digit, （ (, ① to ⑳ or ⑴ to ⒇; one bit a BMP character, made
 * by patterns_build. */
static uint64_t item_leads[0x10000 / 64];

static inline bool item_lead(uint32_t cp)
{
	return cp < 0x10000 && (item_leads[cp / 64] >> (cp % 64) & 1);
}

static void patterns_build(void)
{
	/* 一 二 三 四 五 六 七 八 九 十 百 零 〇 两 (is_cn_digit), 第 首 其 再 最, （ ( */
	static const uint32_t leads[] = { 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D,
					  0x5341, 0x767E, 0x96F6, 0x3007, 0x4E24, 0x7B2C, 0x9996, 0x5176, 0x518D,
					  0x6700, 0xFF08, '(' };
	for (size_t k = 0; k < sizeof leads / sizeof *leads; k++)
		item_leads[leads[k] / 64] |= 1ull << (leads[k] % 64);
	/* the digits (is_ar_digit), ASCII and full-width; ① to ⑳ and ⑴ to ⒇ */
	for (uint32_t k = 0; k < 10; k++) {
		item_leads[('0' + k) / 64] |= 1ull << ('0' + k) % 64;
		item_leads[(0xFF10 + k) / 64] |= 1ull << (0xFF10 + k) % 64;
	}
	for (uint32_t cp = 0x2460; cp <= 0x2487; cp++)
		item_leads[cp / 64] |= 1ull << (cp % 64);
	for (size_t p = 0; p < NPATTERNS; p++) {
		const struct pattern *pt = &patterns[p];
		uint32_t cp;
		if (pt->prefix[0]) {
			utf8_decode(pt->prefix, strlen(pt->prefix), &cp);
			starts_with_add(cp, p);
			continue;
		}
		if (pt->num != NUM_WORD) {
			starts_with.by_num[pt->num] |= 1u << p;
			continue;
		}
		for (int w = 0; pt->suffix[w]; w++) {
			utf8_decode(pt->suffix[w], strlen(pt->suffix[w]), &cp);
			starts_with_add(cp, p);
		}
	}
	advert_build();
}

/* starts_with, made once whatever thread asks first (an import parses on two). */
static void patterns_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, patterns_build);
}

/* The patterns that may match text starting with cp (a superset of those that do).
 * After patterns_init (structure_new calls it). */
static uint32_t patterns_starting(uint32_t cp)
{
	uint32_t mask = 0;
	if (is_cn_digit(cp))
		mask |= starts_with.by_num[NUM_CN];
	if (is_ar_digit(cp))
		mask |= starts_with.by_num[NUM_AR];
	if (cp >= 0x2460 && cp <= 0x2473)
		mask |= starts_with.by_num[NUM_CIRCLED];
	if (cp >= 0x2474 && cp <= 0x2487)
		mask |= starts_with.by_num[NUM_CIRCLED_PAREN];
	if (cp < 0x10000 && starts_with.first_at[cp])
		mask |= starts_with.first_mask[starts_with.first_at[cp] - 1];
	return mask;
}

/* The marker written at byte i of s, if any (whatever may follow it). */
static bool match_marker(const char *s, size_t n, size_t i, struct mark *m)
{
	/* Most patterns read their number at i or just past a prefix: the character there
	 * and the numbers read there are kept for the patterns after (the same answers,
	 * read once), and a number is read only from a character that can start one. */
	size_t l0, cp_j = i, cn_j = SIZE_MAX, ar_j = SIZE_MAX, cn_k = 0, ar_k = 0;
	int cn_num = 0, ar_num = 0;
	uint32_t cp_i = cp_at(s, n, i, &l0);
	/* the patterns in their order, those that cannot start with cp_i left out */
	for (uint32_t left = patterns_starting(cp_i); left; left &= left - 1) {
		size_t p = (size_t)__builtin_ctz(left);
		const struct pattern *pt = &patterns[p];
		size_t j = i, l, k;
		int num = 0;
		if (!(k = starts(s, n, j, pt->prefix)) && pt->prefix[0])
			continue;
		j += k;
		uint32_t cp;
		if (j == cp_j)
			cp = cp_i, l = l0;
		else
			cp = cp_at(s, n, j, &l);
		switch (pt->num) {
		case NUM_CN:
			if (!is_cn_digit(cp)) {
				k = 0;	/* what parse_cn_num would say */
				break;
			}
			if (cn_j != j) {
				cn_j = j;
				cn_k = parse_cn_num(s, n, j, &cn_num);
			}
			k = cn_k, num = cn_num;
			break;
		case NUM_AR:
			if (!is_ar_digit(cp)) {
				k = 0;
				break;
			}
			if (ar_j != j) {
				ar_j = j;
				ar_k = parse_ar_num(s, n, j, &ar_num);
			}
			k = ar_k, num = ar_num;
			break;
		case NUM_CIRCLED:
			k = cp >= 0x2460 && cp <= 0x2473 ? l : 0;
			num = (int)(cp - 0x2460) + 1;
			break;
		case NUM_CIRCLED_PAREN:
			k = cp >= 0x2474 && cp <= 0x2487 ? l : 0;
			num = (int)(cp - 0x2474) + 1;
			break;
		case NUM_WORD:
			k = 0;
			for (int w = 0; pt->suffix[w] && !k; w++)
				if ((k = starts(s, n, j, pt->suffix[w])))
					num = w + 1;
			break;
		}
		if (!k)
			continue;
		j += k;
		if (pt->num != NUM_WORD && pt->suffix[0]) {
			k = 0;
			for (int w = 0; pt->suffix[w] && !k; w++)
				k = starts(s, n, j, pt->suffix[w]);
			if (!k)
				continue;
			j += k;
		}
		if (pt->word && !(k = topic_word(s, n, j)))
			continue;
		j += pt->word ? k : 0;
		uint32_t next = cp_at(s, n, j, &l);
		/* Guards against numbers that are not numbering. */
		if ((pt->style == ST_AR_DOT || pt->style == ST_AR_DUN) && (is_ar_digit(next) || next == '%'))
			continue;	/* 1.5 10、20 */
		if (pt->style == ST_CN_DUN && is_cn_digit(next))
			continue;	/* 一、二季度 */
		if (pt->style == ST_YAO && (next == 0x7D20 || next == 0x4EF6 || next == 0x70B9 || next == 0x6C42))
			continue;	/* 三要素 四要件 三要点 要求 */
		if ((pt->style == ST_SHI || pt->style == ST_YAO) && num > 20)
			continue;
		if (pt->need_sep && !is_marker_sep(next))
			continue;	/* 第一节课 第一条高铁 */
		if (pt->eat_punct && (next == 0xFF0C || next == 0xFF1A || next == 0x3001 || next == ',' || next == ':'))
			j += l;
		m->style = pt->style;
		m->num = num;
		m->at = i;
		m->mlen = j - i;
		return true;
	}
	return false;
}

/* Where the first sentence after byte i ends (at its terminator, or n). The
 * terminators are 。 (E3 80 82), ！ ？ ； (EF BC 81, 9F, 9B) and ! ? ;: looked for at
 * the bytes that may start one, which a walk by characters from i lands on too. */
static size_t sentence_end(const char *s, size_t n, size_t i)
{
	const unsigned char *u = (const unsigned char *)s;
	for (;; i++) {
		i = next_punct_lead(s, i, n);
		if (i >= n)
			return n;
		unsigned char c = u[i];
		if (c == '!' || c == '?' || c == ';')
			return i;
		if (i + 2 < n && ((c == 0xE3 && u[i + 1] == 0x80 && u[i + 2] == 0x82) ||
				  (c == 0xEF && u[i + 1] == 0xBC && (u[i + 2] == 0x81 || u[i + 2] == 0x9F || u[i + 2] == 0x9B))))
			return i;
		/* past a run of other ASCII here, not by a scan a byte */
		while (c < 0x80 && i + 1 < n && (c = u[i + 1]) < 0x80 && c != '!' && c != '?' && c != ';')
			i++;
	}
}

/* Fills the title of m, which ends at byte end; long titles are cut at a comma. */
static void set_title(struct mark *m, const char *s, size_t end)
{
	m->tat = skip_spaces(s, end, m->at + m->mlen);
	size_t e = trim_punct_end(s, m->tat, end);
	size_t len = e - m->tat;
	long tchars = chars(s + m->tat, len);
	if (tchars > TITLE_MAX) {
		size_t cut = cut_chars(s + m->tat, len, TITLE_MAX), l;
		size_t c = cut;
		while (c > 0) {
			uint32_t cp = cp_before(s + m->tat, c, &l);
			if (cp == 0xFF0C || cp == 0x3001 || cp == 0xFF1B)
				break;
			c -= l;
		}
		if (c > 0 && chars(s + m->tat, c) >= TITLE_MAX / 3)
			cut = trim_punct_end(s + m->tat, 0, c);
		len = cut;
		tchars = chars(s + m->tat, len);
	}
	m->tlen = len;
	m->tchars = tchars;
}

/* ------------------------------------------------------------------ */
/* Line classes used around the title */

/* Words of adverts and watermarks: one strong word, or two weak ones, make a line
 * that cannot be the title (clean marks such lines as noise; this only keeps the
 * title rule safe on its own). */
static const char *const advert_strong[] = {
	"QQ", "qq", "微信", "公众号", "禁止外传", "仅供", "订阅", "倒卖", "http", "www.", "扫码", "咨询", "微博", NULL
};
static const char *const advert_weak[] = {
	"整理", "会员", "资料", "举报", "下载", "免费", "关注", "转载", "版权", "广告", "群", "分享", NULL
};

/* The words of both lists as looks_advert looks for them, made once by advert_build
 * (with the patterns). A word of three bytes or more is looked for where its first
 * three bytes are (key), found by a hash of them in a table of bits; a shorter one
 * where its first byte is. */
#define ADVERT_WORDS 32
static struct {
	const char *word[ADVERT_WORDS];	/* the words, strong ones first */
	size_t len[ADVERT_WORDS];	/* their bytes */
	uint32_t key[ADVERT_WORDS];	/* their first three bytes, the first lowest (0 if shorter) */
	size_t nstrong;			/* words of advert_strong */
	size_t n;			/* words in all */
	uint64_t keys[4096 / 64];	/* bit advert_hash(key) of every key */
	uint64_t short_first[4];	/* bit of the first byte of every shorter word */
} advert;

static inline unsigned advert_hash(uint32_t key)
{
	return (key * 0x9E3779B1u) >> 20;
}

static void advert_build(void)
{
	const char *const *lists[] = { advert_strong, advert_weak };
	for (size_t l = 0; l < 2; l++) {
		for (const char *const *p = lists[l]; *p; p++) {
			size_t k = advert.n++, len = strlen(*p);
			const unsigned char *w = (const unsigned char *)*p;
			if (k >= ADVERT_WORDS || len < 2 || (w[0] & 0xC0) == 0x80)
				abort();	/* the lists outgrew the table, or hold a word it cannot look for */
			advert.word[k] = *p;
			advert.len[k] = len;
			if (len >= 3) {
				advert.key[k] = (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16;
				unsigned h = advert_hash(advert.key[k]);
				advert.keys[h / 64] |= 1ull << (h % 64);
			} else {
				advert.short_first[w[0] / 64] |= 1ull << (w[0] % 64);
			}
		}
		if (l == 0)
			advert.nstrong = advert.n;
	}
}

/* One strong word, or two weak ones. One pass over the line, the same as a search for
 * each word through all of it: a word is looked at only where its first bytes are (no
 * word starts with a continuation byte). */
static bool looks_advert(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t weak = 0;	/* one bit a weak word found */
	for (size_t i = 0; i + 1 < n; i++) {
		unsigned char c = s[i];
		if ((c & 0xC0) == 0x80)
			continue;
		uint32_t key = 0;
		bool maybe = advert.short_first[c / 64] >> (c % 64) & 1;
		if (i + 3 <= n) {
			key = (uint32_t)c | (uint32_t)s[i + 1] << 8 | (uint32_t)s[i + 2] << 16;
			unsigned h = advert_hash(key);
			maybe |= advert.keys[h / 64] >> (h % 64) & 1;
		}
		if (!maybe)
			continue;
		for (size_t k = 0; k < advert.n; k++) {
			if (advert.len[k] >= 3 ? advert.key[k] != key : advert.word[k][0] != (char)c)
				continue;
			if (advert.len[k] > n - i || memcmp(s + i, advert.word[k], advert.len[k]))
				continue;
			if (k < advert.nstrong)
				return true;
			weak |= 1u << (k - advert.nstrong);
		}
	}
	return __builtin_popcount(weak) >= 2;
}

/* A digit of a date, or the X and × that stand for one in anonymised texts. */
static bool is_date_digit(uint32_t cp)
{
	return is_ar_digit(cp) || is_cn_digit(cp) || cp == 'X' || cp == 'x' || cp == 0xD7 || cp == 0xFF38;
}

/* A full date: 2020年1月5日, （2026年1月15日）, 二〇一七年十月十八日, 2020年X月X日.
 * Returns its bytes, 0 if none. */
static size_t match_date(const char *s, size_t n, size_t i)
{
	size_t j = i, l, k;
	uint32_t cp = cp_at(s, n, j, &l);
	if (cp == 0xFF08 || cp == '(')
		j += l;
	int digits = 0;
	while ((cp = cp_at(s, n, j, &l)) && is_date_digit(cp))
		j += l, digits++;
	if (digits < 2)
		return 0;
	if ((k = starts(s, n, j, "年"))) {
		j += k;
		digits = 0;
		while ((cp = cp_at(s, n, j, &l)) && is_date_digit(cp))
			j += l, digits++;
		if (!digits || !(k = starts(s, n, j, "月")))
			return 0;
		j += k;
		digits = 0;
		while ((cp = cp_at(s, n, j, &l)) && is_date_digit(cp))
			j += l, digits++;
		if (digits && (k = starts(s, n, j, "日")))
			j += k;
	} else if (cp == '-' || cp == '.' || cp == '/') {
		/* 2026-01-22 */
		for (int part = 0; part < 2; part++) {
			if (!((cp = cp_at(s, n, j, &l)) == '-' || cp == '.' || cp == '/'))
				return 0;
			j += l;
			digits = 0;
			while ((cp = cp_at(s, n, j, &l)) && is_ar_digit(cp))
				j += l, digits++;
			if (!digits)
				return 0;
		}
	} else {
		return 0;
	}
	cp = cp_at(s, n, j, &l);
	if (cp == 0xFF09 || cp == ')')
		j += l;
	return j - i;
}

static bool is_date_line(const char *s, size_t n)
{
	size_t k = match_date(s, n, 0);
	return k && skip_spaces(s, n, k) == n;
}

static const char *const meta_labels[] = {
	"来源：", "作者：", "时间：", "日期：", "发布时间：", "发布日期：", "出处：", "原文链接", "【法宝引证码】",
	"责任编辑", "编辑：", "字号", NULL
};

/* Subtitle, date, source, document number: the metadata around a title. */
static bool is_meta_line(const char *s, size_t n)
{
	long c = chars(s, n);
	if (starts(s, n, 0, "——") || starts(s, n, 0, "--") || starts(s, n, 0, "―"))
		return c <= 100;
	if (is_date_line(s, n))
		return true;
	if (match_date(s, n, 0) && c <= 60 && !contains(s, n, "。"))
		return true;	/* 2026年1月14日在…会议上 */
	for (const char *const *p = meta_labels; *p; p++)
		if (starts(s, n, 0, *p))
			return true;
	if (contains(s, n, "原文链接") || (contains(s, n, "http") && c <= 200))
		return true;
	if (c <= 30 && (contains(s, n, "〔") || contains(s, n, "[")) && ends_with(s, n, "号"))
		return true;	/* 包府办发〔2022〕43号 */
	return false;
}

static const char *const doc_kinds[] = {
	"报告", "讲话", "发言", "意见", "通知", "方案", "总结", "要点", "办法", "决定", "规定", "致辞", "纲要",
	"规划", "计划", "条例", "公告", "通报", "批复", "函", "稿", NULL
};

static bool is_top_word(const char *s, size_t n);

/* A line naming the speaker: 习近平, 广东省省长 孟凡利. */
static bool is_name_line(const char *s, size_t n)
{
	if (is_top_word(s, n))
		return false;
	long c = chars(s, n);
	for (const char *const *p = doc_kinds; *p; p++)
		if (ends_with(s, n, *p))
			return false;
	if (contains(s, n, "，") || contains(s, n, "。") || contains(s, n, "、"))
		return false;
	if (c >= 2 && c <= 4)
		return true;
	if (c <= 24) {
		size_t l;
		for (size_t i = 0; i < n; i += l)
			if (is_space(cp_at(s, n, i, &l)) && i > 0)
				return true;
	}
	return false;
}

static const char *const salutation_words[] = {
	"同志", "代表", "委员", "朋友", "来宾", "女士", "先生", "同学", "老师", "各位", "大家", "领导", "同仁", NULL
};

/* 同志们： 各位代表： 同志们，朋友们： */
static bool is_salutation(const char *s, size_t n)
{
	if (!(ends_with(s, n, "：") || ends_with(s, n, ":")))
		return false;
	return chars(s, n) <= 30 && !contains(s, n, "。") && contains_any(s, n, salutation_words);
}

/* Short lines of a web page's frame: 下载 打印 【字号： 】 */
static bool is_chrome(const char *s, size_t n)
{
	if (chars(s, n) <= 2)
		return true;
	return starts(s, n, 0, "【") && !contains(s, n, "】");
}

/* A 【…】 banner line. */
static bool is_banner(const char *s, size_t n)
{
	return starts(s, n, 0, "【") && contains(s, n, "】");
}

/* An addressee line in the head of an official paper: 各旗、县、区人民政府，…单位： */
static bool is_addressee(const char *s, size_t n)
{
	return (ends_with(s, n, "：") || ends_with(s, n, ":")) && chars(s, n) >= 5 && chars(s, n) <= 120 &&
	       !contains(s, n, "。") && !is_chrome(s, n);
}

static bool has_sentence_end(const char *s, size_t n)
{
	return contains(s, n, "。") || contains(s, n, "！") || contains(s, n, "？");
}

/* ------------------------------------------------------------------ */
/* Heading lines without a number */

/* Section names that head a top-level section wherever they stand, also spaced out
 * (前　言). */
static const char *const top_words[] = {
	"前言", "引言", "序言", "导言", "导语", "绪论", "结束语", "结语", "尾声", "后记", "附录", NULL
};

static bool is_top_word(const char *s, size_t n)
{
	char buf[32];
	size_t k = 0, l;
	if (n < 6 || n >= sizeof buf)
		return false;
	for (size_t i = 0; i < n; i += l) {
		uint32_t cp = cp_at(s, n, i, &l);
		if (!l)
			return false;
		if (!is_space(cp)) {
			memcpy(buf + k, s + i, l);
			k += l;
		}
	}
	buf[k] = 0;
	for (const char *const *p = top_words; *p; p++)
		if (strcmp(buf, *p) == 0)
			return true;
	return false;
}

/* Does the text end as a line cut short, or a phrase leading into the next line? Its
 * last characters: 的 和 与 及 或 并 而 在 对 把 被 将 从 向 以 们, 指出 强调 认为 表示
 * 如下 以下. Compared as characters: this runs on every heading line. */
static bool open_ending(const char *s, size_t n)
{
	size_t l, l2;
	uint32_t last = cp_before(s, n, &l);
	switch (last) {
	case 0x7684: case 0x548C: case 0x4E0E: case 0x53CA: case 0x6216: case 0x5E76: case 0x800C: case 0x5728:
	case 0x5BF9: case 0x628A: case 0x88AB: case 0x5C06: case 0x4ECE: case 0x5411: case 0x4EE5: case 0x4EEC:
		return true;
	case 0x51FA: case 0x8C03: case 0x4E3A: case 0x793A: case 0x4E0B:
		break;
	default:
		return false;
	}
	uint32_t before = cp_before(s, n - l, &l2);
	return (last == 0x51FA && before == 0x6307) || (last == 0x8C03 && before == 0x5F3A) ||
	       (last == 0x4E3A && before == 0x8BA4) || (last == 0x793A && before == 0x8868) ||
	       (last == 0x4E0B && (before == 0x5982 || before == 0x4EE5));
}

/* Characters a heading line never holds: sentence ends, label and value, formulas. */
static bool plain_refused(uint32_t cp)
{
	switch (cp) {
	case 0x3002: case 0xFF01: case 0xFF1F: case 0xFF1B: case 0xFF1A: case 0xFF1D: case 0xFF0B: case 0xFF05:
	case 0xF7: case 0xD7: case '!': case '?': case ';': case ':': case '=': case '+': case '%': case '/':
	case '@': case '#': case '|':
		return true;
	default:
		return false;
	}
}

/* Words of a salutation, said to the hearers, not a heading. */
static const char *const plain_vocatives[] = { "同志们", "朋友们", "各位", NULL };

/* The closing formulas of a letter or a speech. */
static const char *const closings[] = { "特此", "此致", "敬礼", "谢谢", NULL };

/* Shaped like a heading line with no number (结束语, 展望前行的路，更感天地广阔): short,
 * no sentence end, mostly Chinese, not a list item, a quotation, a date, a name with a
 * title or a formula. Whether it is a heading depends on its neighbours (plain_confirmed). */
static __attribute__((noinline)) bool plain_shape(const char *s, size_t n)
{
	if (n > PLAIN_MAX * 4)
		return false;	/* most paragraphs end here */
	size_t l, ll;
	uint32_t first = cp_at(s, n, 0, &l), last = cp_before(s, n, &ll);
	if (is_trailing_punct(last) || is_ar_digit(first) || last == 0xFF09 || last == ')' || last == 0x3011 ||
	    last == ']')
		return false;	/* and most short ones here: a sentence, a salutation, a year, a note */
	/* brackets and notes, list bullets and dashes */
	static const uint32_t bad_first[] = { 0xFF08, '(', 0x3010, '[', 0xFF3B, 0x3014, 0x3008, '<', 0x2014, 0x2015,
					      '-', 0xB7, 0x2022, 0x25CF, 0x25A0, 0x25A1, 0x25C6, 0x25C7, 0x2605,
					      0x2606, 0x203B, '*', 0xFF0A, '>', 0x2192, 0 };
	for (const uint32_t *b = bad_first; *b; b++)
		if (first == *b)
			return false;
	/* a whole line in quotes or book-title marks */
	if ((first == 0x201C && last == 0x201D) || (first == 0x2018 && last == 0x2019) ||
	    (first == 0x300C && last == 0x300D) || (first == 0x300E && last == 0x300F) ||
	    (first == 0x300A && last == 0x300B))
		return false;
	const unsigned char *u = (const unsigned char *)s;
	long han = 0, other = 0;
	bool spaced = false;
	for (size_t i = 0; i < n; i += l) {
		if (u[i] >= 0xE4 && u[i] <= 0xE9 && i + 2 < n) {
			han++;	/* U+4000 to U+9FFF: Han characters (and a few hexagrams) */
			l = 3;
			continue;
		}
		uint32_t cp = cp_at(s, n, i, &l);
		if (!l || plain_refused(cp))
			return false;
		if (is_space(cp))
			spaced = spaced || i > 0;	/* 某省省长 张三, 某某委员会 某某局 */
		else
			other++;
	}
	if (han <= 3 && is_top_word(s, n))
		return true;
	return !spaced && han >= 3 && han >= 2 * other && han + other <= PLAIN_MAX && !open_ending(s, n);
}

/* A line of verse: two halves of five or seven characters, in the old language (no 的):
 * 长风破浪会有时，直挂云帆济沧海, not 看清前进的方向，坚定发展的信心. */
static bool is_verse(const char *s, size_t n)
{
	size_t l;
	long half[3] = { 0 };
	int k = 0;
	for (size_t i = 0; i < n; i += l) {
		uint32_t cp = cp_at(s, n, i, &l);
		if (!l)
			return false;
		if (cp == 0xFF0C || cp == 0x3001) {
			if (++k > 1)
				return false;
		} else {
			half[k]++;
		}
	}
	return k == 1 && half[0] == half[1] && (half[0] == 5 || half[0] == 7) && !contains(s, n, "的");
}

/* The rest of plain_shape, asked only of a line whose neighbours would make it a
 * heading: no closing formula, verse, salutation, metadata, advert or banner. */
static bool plain_words_ok(const char *s, size_t n)
{
	for (const char *const *p = closings; *p; p++)
		if (starts(s, n, 0, *p))
			return false;
	if (is_verse(s, n))
		return false;
	return !contains_any(s, n, plain_vocatives) && !is_meta_line(s, n) && !looks_advert(s, n) &&
	       !is_banner(s, n);
}

/* ------------------------------------------------------------------ */
/* Paragraphs waiting in the window */

struct text_block;

struct item {
	char *text;			/* the paragraph, NUL-terminated, in block */
	struct text_block *block;	/* the block holding text */
	size_t len;			/* bytes in text */
	long line;			/* 1-based source line where it starts */
	bool noise;			/* marked by clean */
	bool blank_before;		/* a blank line (or noise) came before it */
	enum para_kind kind;		/* decided kind */
	bool fixed;			/* kind decided by the title block */
	struct mark open;		/* a heading opening the paragraph (style ST_NONE if none) */
	struct mark *inl;		/* enumeration items inside it */
	size_t ninl;			/* items in inl */
	bool plain;			/* shaped like a heading line with no number */
	int attach_next;		/* a list of attachments (附件：1．…): the number its next item
					 * would have, 0 when no numbered item may follow */
	bool attach_list;		/* it is such a list */
};

/* One level of the outline stack. */
struct level {
	long seq;		/* its section seq */
	enum style style;	/* marker style at this level */
	int num;		/* its number */
	enum style alias;	/* a numbered style whose place a heading with no number took */
	bool here;		/* pushed by the paragraph being emitted */
	bool leaf;		/* a numbered heading after it is its sibling, not its child */
};

struct structure {
	struct structure_sink sink;	/* where results go */
	char *fallback_title;		/* title when the text has none */
	char *title;			/* the title found, or NULL */
	long paragraphs;		/* paragraphs delivered, noise excluded */
	long seq;			/* next paragraph seq */
	long sections;			/* next section seq */
	/* prescan */
	long lines;			/* non-blank lines seen */
	long indented;			/* of which start with indentation */
	long widths[2][WIDTH_BUCKETS];	/* non-blank lines per width: in columns, in characters */
	long open_ends;			/* lines that do not end a sentence */
	bool analysed;			/* the prescan figures were turned into the two below */
	bool hard_wrapped;		/* lines are cut at a fixed width: join them */
	bool indent_starts;		/* and paragraphs start with an indent: other lines go on */
	int wrap_width;			/* the width lines are cut at */
	int wrap_measure;		/* 0: cut at a number of columns, 1: of characters */
	/* line joining */
	struct sbuf pend;		/* a paragraph being joined from wrapped lines */
	long pend_line;			/* its first line */
	bool pend_open;			/* its last line was full: the next may continue it */
	bool pend_blank;		/* blank_before for it */
	bool blank;			/* a blank line came since the last paragraph */
	bool noise_open;		/* the last line was noise and ran to the full width */
	/* window */
	struct item *win;		/* paragraphs not yet delivered: winbuf + win0 */
	size_t nwin;			/* how many */
	struct item *winbuf;		/* the allocation; the oldest leave by win0++, not a memmove */
	size_t win0;			/* items of winbuf before win (delivered) */
	size_t capwin;			/* items allocated in winbuf */
	bool head_done;			/* the title block is decided */
	/* outline */
	struct level stack[DEPTH_MAX];	/* open sections, outermost first */
	int depth;			/* levels in use */
	int last_num[ST_COUNT];		/* number of the last heading of each style */
	struct level cont[DEPTH_MAX];	/* the stack at the last list item inside the last paragraph */
	int cont_depth;			/* its depth; 0 when the last paragraph had no such item */
	bool in_notes;			/* past a line heading the notes (注释：): numbered notes follow */
	int attach_next;		/* inside a list of attachments: the number of its next item */
	bool after_body;		/* the last paragraph delivered (noise aside) is text that ends a
					 * sentence or a numbered heading line */
	int failed;			/* a sink returned nonzero */
	/* the window's texts */
	struct text_block *oldest;	/* the blocks in use, oldest first */
	struct text_block *newest;	/* the block new texts go to */
	struct text_block *spare;	/* an emptied block kept for the next one needed */
};

struct structure *structure_new(const struct structure_sink *sink, const char *fallback_title)
{
	patterns_init();	/* match_marker's tables, before any line */
	struct structure *st = xcalloc(1, sizeof *st);
	st->sink = *sink;
	st->fallback_title = xstrdup(fallback_title ? fallback_title : "");
	st->blank = true;
	return st;
}

/* ------------------------------------------------------------------ */
/* Prescan: is the text hard-wrapped? */

static size_t strip_line(const char *line, size_t len, size_t *start, bool *indented)
{
	size_t i = skip_spaces(line, len, 0);
	*start = i;
	*indented = i > 0;
	return trim_end(line, len);
}

/* The width of a line of valid UTF-8 in columns (w[0]) and in characters (w[1]); an
 * indent counts as the two full-width spaces it usually is. Counted on the bytes: a
 * character is a byte that is no continuation byte; it is wide (two columns from
 * U+1100 up: enough for telling full lines from short ones) when it starts with E2 to
 * F4, or with E1 84 and above. */
static void line_widths(const char *str, size_t n, bool indented, long w[2])
{
	const unsigned char *s = (const unsigned char *)str;
	long chars = 0, wide = 0;
	size_t i = 0;
	/* sixteen bytes at a time: the continuation bytes (10xxxxxx) and the wide leads (E2
	 * and above) of each lane counted in a byte of their own, summed every 255 steps;
	 * the last bytes by the sixteen that end the line, those counted already left out.
	 * A line with an E1 lead (U+1000-U+1FFF, rare, whose width depends on the byte after
	 * it) is counted again below. */
	if (n >= 16) {
		u8x16 e1 = { 0 };
		while (i + 16 <= n) {
			u8x16 cont = { 0 }, big = { 0 };
			size_t stop = n - i > 255 * 16 ? i + 255 * 16 : n, from = i;
			for (; i + 16 <= stop; i += 16) {
				u8x16 b = u8x16_load(s + i);
				e1 |= (u8x16)(b == 0xE1);
				cont -= (u8x16)((b & 0xC0) == 0x80);	/* -1 in each lane that is one */
				big -= (u8x16)(b >= 0xE2);
			}
			chars += (long)(i - from) - u8x16_sum(cont);
			wide += u8x16_sum(big);
		}
		if (i < n) {
			u8x16 b = u8x16_load(s + n - 16);
			u8x16 left = u8x16_last(n - i);	/* the lanes not counted */
			e1 |= (u8x16)(b == 0xE1) & left;
			chars += (long)(n - i) - u8x16_sum((u8x16)((b & 0xC0) == 0x80) & left & 1);
			wide += u8x16_sum((u8x16)(b >= 0xE2) & left & 1);
		}
		if (!u8x16_any(e1)) {
			w[0] = chars + wide + (indented ? 4 : 0);
			w[1] = chars + (indented ? 2 : 0);
			return;
		}
		chars = wide = 0, i = 0;
	}
	/* eight bytes at a time (a short line, or one with an E1) while no E0 or E1 leads
	 * (U+0800-U+1FFF) are in them: a wide one starts with 111xxxxx */
	for (; i + 8 <= n; i += 8) {
		uint64_t b;
		memcpy(&b, s + i, 8);
		uint64_t top3 = b & b << 1 & b << 2 & 0x8080808080808080ull;
		uint64_t e0 = (b ^ 0xE0E0E0E0E0E0E0E0ull) & 0xFEFEFEFEFEFEFEFEull;	/* 0 for E0 and E1 */
		if ((e0 - 0x0101010101010101ull) & ~e0 & 0x8080808080808080ull)
			break;	/* an E0 or E1 (1110000x) byte: bytewise from here */
		uint64_t cont = b & ~(b << 1) & 0x8080808080808080ull;
		chars += 8 - (long)(((cont >> 7) * 0x0101010101010101ull) >> 56);
		wide += (long)(((top3 >> 7) * 0x0101010101010101ull) >> 56);
	}
	for (; i < n; i++) {
		unsigned char c = s[i];
		chars += (c & 0xC0) != 0x80;
		wide += c >= 0xE2 || (c == 0xE1 && i + 1 < n && s[i + 1] >= 0x84);
	}
	w[0] = chars + wide + (indented ? 4 : 0);
	w[1] = chars + (indented ? 2 : 0);
}

static int line_width(const char *s, size_t n, bool indented, int measure)
{
	long w[2];
	line_widths(s, n, indented, w);
	return w[measure ? 1 : 0] < INT_MAX ? (int)w[measure ? 1 : 0] : INT_MAX;
}

long structure_prescan_line(struct structure *st, const char *line, size_t len)
{
	size_t start;
	bool ind;
	size_t end = strip_line(line, len, &start, &ind);
	if (start >= end)
		return 0;
	st->lines++;
	st->indented += ind;
	long w[2];
	line_widths(line + start, end - start, ind, w);
	for (int m = 0; m < 2; m++)
		st->widths[m][w[m] < WIDTH_BUCKETS ? w[m] : WIDTH_BUCKETS - 1]++;
	size_t l;
	uint32_t last = cp_before(line + start, end - start, &l);
	if (!is_terminator(last) && last != 0x201D && last != 0xFF1A)
		st->open_ends++;
	return w[1] - (ind ? 2 : 0);
}

/* Hard-wrapped: most lines are cut at one width and many do not end a sentence. The
 * width is counted in columns or in characters, whichever the lines agree on more. */
static void analyse_prescan(struct structure *st)
{
	st->analysed = true;
	if (st->lines < 8)
		return;
	int best = 0, measure = 0;
	long best_n = 0;
	for (int m = 0; m < 2; m++) {
		int slack = m ? 2 : 4;
		for (int w = m ? 15 : 30; w < WIDTH_BUCKETS - 1; w++) {
			long n = 0;
			for (int d = 0; d <= slack; d++)
				n += st->widths[m][w - d];
			if (n > best_n || (n == best_n && m == measure))
				best = w, best_n = n, measure = m;
		}
	}
	/* The width is the commonest one in that window (first lines with an indent and
	 * lines with hanging punctuation come out a little wider). */
	int slack = measure ? 2 : 4, mode = best;
	for (int d = 1; d <= slack; d++)
		if (st->widths[measure][best - d] > st->widths[measure][mode])
			mode = best - d;
	best = mode;
	if (best_n * 2 >= st->lines && st->open_ends * 3 >= st->lines) {
		st->hard_wrapped = true;
		st->wrap_width = best;
		st->wrap_measure = measure;
		/* Indentation tells paragraphs apart only when some lines have it and most do not. */
		st->indent_starts = st->indented * 10 >= st->lines && st->indented * 10 <= st->lines * 7;
	}
}

/* ------------------------------------------------------------------ */
/* Reading a paragraph */

/* An enumeration item inside a paragraph may follow these (or the start). */
static bool at_sentence_start(const char *s, size_t i)
{
	size_t l;
	uint32_t cp = cp_before(s, i, &l);
	if (cp == 0 || is_terminator(cp) || cp == 0xFF1A || cp == ':')
		return true;
	if (cp == 0x201D || cp == 0x300D || cp == 0xFF09) {	/* ” 」 ） after a full stop */
		uint32_t before = cp_before(s, i - l, &l);
		return is_terminator(before);
	}
	return false;
}

/* The text of a footnote: 见…, 参见…, 引自…, or a source ending with its page number or
 * edition (no search through the text: most numbered paragraphs are no notes). */
static bool is_note_text(const char *s, size_t n)
{
	static const char *const lead[] = { "见", "参见", "详见", "引自", "转引自", "摘自", NULL };
	for (const char *const *p = lead; *p; p++)
		if (starts(s, n, 0, *p))
			return true;
	n = trim_punct_end(s, 0, n);
	size_t l, l2;
	uint32_t last = cp_before(s, n, &l), before = l ? cp_before(s, n - l, &l2) : 0;
	return (last == 0x9875 && is_date_digit(before)) ||	/* 第35页, not 网站首页 */
	       (last == 0x7248 && before == 0x5E74);		/* 某某出版社2001年版 */
}

/* Styles that number notes as well as lists: ① ⑴ （1） 1． 1、 */
static bool note_style(enum style s)
{
	return s == ST_CIRCLED || s == ST_CIRCLED_PAREN || s == ST_AR_PAREN || s == ST_AR_DOT || s == ST_AR_DUN;
}

/* A line that heads a document's notes (注释：): numbered paragraphs after it are notes. */
static bool is_notes_header(const char *s, size_t n)
{
	static const char *const words[] = { "注释", "注", "注解", "脚注", "尾注", "附注", "参考文献", NULL };
	if (!(starts(s, n, 0, "注") || starts(s, n, 0, "脚") || starts(s, n, 0, "尾") || starts(s, n, 0, "附") ||
	      starts(s, n, 0, "参")))
		return false;	/* most lines: one byte or two compared */
	n = trim_punct_end(s, 0, n);
	for (const char *const *p = words; *p; p++)
		if (strlen(*p) == n && memcmp(s, *p, n) == 0)
			return true;
	return false;
}

/* The heading a paragraph opens with, if it has one. */
static void find_opening(struct item *it)
{
	const char *s = it->text;
	size_t n = it->len;
	struct mark *m = &it->open;
	m->style = ST_NONE;
	size_t l, k;
	int num;
	/* 一 alone on a line */
	if ((k = parse_cn_num(s, n, 0, &num)) && k == n && chars(s, n) <= 3) {
		*m = (struct mark){ .style = ST_BARE, .num = num, .at = 0, .mlen = n, .tat = n, .tlen = 0,
				    .standalone = true, .keep = true };
		return;
	}
	/* 附件 附件1 附件2：名词解释 */
	if ((k = starts(s, n, 0, "附件"))) {
		size_t j = k;
		uint32_t c = cp_at(s, n, j, &l);
		size_t r = skip_spaces(s, n, j + l);
		if ((c == 0xFF1A || c == ':') && r < n) {
			/* 附件：1．… 2．…, 附件：… : a notice listing its attachments, which
			 * come after its signature under a 附件 line of their own (a 附件：
			 * alone on its line may be either: attachments_follow decides) */
			it->attach_list = true;
			it->attach_next = parse_ar_num(s, n, r, &num) ? num + 1 : 0;
			return;
		}
		if ((k = parse_ar_num(s, n, j, &num)) || (k = parse_cn_num(s, n, j, &num)))
			j += k;
		uint32_t cp = cp_at(s, n, j, &l);
		if (cp == 0xFF1A || cp == ':')
			j += l;
		size_t rest = skip_spaces(s, n, j);
		if (chars(s + rest, n - rest) <= 40 && !has_sentence_end(s + rest, n - rest) &&
		    (rest == n || is_space(cp_at(s, n, j, &l)) || cp == 0xFF1A || cp == ':' || j > 6)) {
			*m = (struct mark){ .style = ST_ATTACH, .num = num, .at = 0, .mlen = j,
					    .standalone = true, .keep = true };
			set_title(m, s, n);
			return;
		}
	}
	if (!match_marker(s, n, 0, m) || !styles[m->style].opens) {
		m->style = ST_NONE;
		return;
	}
	size_t tstart = skip_spaces(s, n, m->at + m->mlen);
	size_t end = sentence_end(s, n, tstart);
	if (note_style(m->style) && is_note_text(s + tstart, end - tstart)) {
		m->style = ST_NONE;	/* ①见《…》第二卷，某某出版社，第12页 */
		return;
	}
	size_t after = end;
	if (after < n) {
		cp_at(s, n, after, &l);
		after += l;
	}
	while (after < n) {	/* closing quotes or brackets after the full stop */
		uint32_t cp = cp_at(s, n, after, &l);
		if (!(is_space(cp) || cp == 0x201D || cp == 0x300D || cp == 0xFF09 || is_terminator(cp)))
			break;
		after += l;
	}
	m->standalone = after >= n;
	long first = chars(s + tstart, end - tstart);
	if (m->standalone)
		m->keep = first <= STANDALONE_MAX || styles[m->style].enumerates;
	else if (first <= OPEN_MAX || styles[m->style].enumerates)
		m->keep = true;
	else {
		/* A long first sentence: a heading only when it is a short phrase before a colon. */
		size_t c = tstart;
		while (c < end) {
			uint32_t cp = cp_at(s, n, c, &l);
			if (cp == 0xFF1A || cp == ':')
				break;
			c += l;
		}
		if (c < end && chars(s + tstart, c - tstart) <= 20) {
			end = c;
			m->keep = true;
		}
	}
	m->long_first = !m->keep;
	set_title(m, s, end);
	if (m->style == ST_SEQ)
		m->keep = false;	/* decided when it is delivered, by what follows */
}

/* Is the list item found[a] inside a paragraph part of a list? A neighbour numbered
 * next to it, or it continues the paragraph's own opening item (二是…。三是…). An
 * item after a comma (weak) needs a neighbour that starts a sentence. 首先/其次/最后
 * count only when the list starts with 首先 and goes in order. */
static bool inline_kept(const struct item *it, const struct mark *found, const bool *weak, size_t nf, size_t a)
{
	const struct mark *m = &found[a];
	if (m->style == ST_SEQ) {
		/* A paragraph opening with 首先 (or 第一) starts the list itself; inside, a
		 * 第一 may start it too; 最后 follows whatever came before. */
		bool opens = (it->open.style == ST_SEQ || it->open.style == ST_DI_COMMA) && it->open.num == 1;
		int prev = opens ? 1 : 0, count = opens ? 1 : 0;
		for (size_t b = 0; b < nf; b++) {
			bool seq = found[b].style == ST_SEQ;
			if (!(seq || (found[b].style == ST_DI_COMMA && found[b].num == 1 && count == 0)) || weak[b])
				continue;
			int num = seq && found[b].num == SEQ_LAST ? prev + 1 : found[b].num;
			if (count == 0 && num != 1)
				return false;
			if (num <= prev && b <= a)
				return false;
			prev = num;
			count++;
		}
		return count >= 2 && !weak[a];
	}
	if (m->style == ST_DI_COMMA && m->num == 1 && !weak[a])
		for (size_t b = a + 1; b < nf; b++)
			if (found[b].style == ST_SEQ && !weak[b] && found[b].num == 2)
				return true;	/* 第一，…。其次，… */
	if (!weak[a] && it->open.style == m->style && it->open.keep && m->num == it->open.num + 1)
		return true;
	for (size_t b = 0; b < nf; b++) {
		if (b == a || found[b].style != m->style || (weak[a] && weak[b]))
			continue;
		int d = found[b].num - m->num;
		if (d == 1 || (d == -1 && !weak[a]))
			return true;
	}
	return false;
}

/* Does the sentence before byte at (which ends with a full stop) announce a list:
 * 如下, 以下, 下列, 包括, or a count (三点, 两个方面, 几项, 5条)? */
static bool announces(const char *s, size_t at)
{
	size_t l, j = at;
	cp_before(s, j, &l);
	j -= l;
	size_t from = j;
	uint32_t cp;
	while (from > 0 && (cp = cp_before(s, from, &l)) && !is_terminator(cp) && cp != 0xFF1A && cp != ':')
		from -= l;
	static const char *const words[] = { "如下", "以下", "下列", "包括", "分别", NULL };
	if (contains_any(s + from, j - from, words))
		return true;
	static const uint32_t measures[] = { 0x4E2A, 0x9879, 0x6761, 0x70B9, 0x4EF6, 0x79CD, 0x7C7B, 0x65B9, 0x5927,
					     0x6279, 0x6B65, 0x5C42, 0 };	/* 个 项 条 点 件 种 类 方 大 批 步 层 */
	for (size_t i = from; i < j; i += l) {
		cp = cp_at(s, j, i, &l);
		bool count = (is_cn_digit(cp) && cp != 0x4E00 && cp != 0x96F6 && cp != 0x3007) || is_ar_digit(cp) ||
			     cp == 0x51E0;	/* 几 */
		if (!count)
			continue;
		size_t k = i + l, kl;
		uint32_t nx;
		while ((nx = cp_at(s, j, k, &kl)) && (is_cn_digit(nx) || is_ar_digit(nx)))
			k += kl;
		for (const uint32_t *m = measures; *m; m++)
			if (nx == *m)
				return true;
	}
	return false;
}

/* Drops the numbers that are note marks, not list items: a numbered list (not 一是 or
 * 第一，) whose first item comes right after a full stop, when it neither goes on from
 * the paragraph's opening item nor follows a sentence that announces it (…的论断。①这
 * 一论断…). Returns the items left. */
static __attribute__((noinline)) size_t drop_notes(const struct item *it, struct mark *found, const bool *stop, size_t nf)
{
	bool note[INLINE_MAX] = { false };
	for (size_t a = 0; a < nf; a++) {
		enum style sty = found[a].style;
		bool first = true;
		for (size_t b = 0; b < a && first; b++)
			first = found[b].style != sty;
		if (!first || !stop[a] || styles[sty].enumerates ||
		    (it->open.style == sty && found[a].num == it->open.num + 1) || announces(it->text, found[a].at))
			continue;
		for (size_t b = a; b < nf; b++)
			note[b] = note[b] || found[b].style == sty;
	}
	size_t kept = 0;
	for (size_t a = 0; a < nf; a++)
		if (!note[a])
			found[kept++] = found[a];
	return kept;
}

/* Enumeration items inside the paragraph: 一是…。二是…。 */
static void find_inline(struct item *it)
{
	const char *s = it->text;
	size_t n = it->len, l;
	struct mark found[INLINE_MAX];
	bool weak[INLINE_MAX], stop[INLINE_MAX];
	size_t nf = 0;
	size_t i = 0;
	if (it->open.style != ST_NONE)
		i = it->open.tat + it->open.tlen;
	/* An item follows a sentence end, a colon, a comma or a closing ” 」 ）. The scan
	 * looks for those by their first byte (ASCII punctuation, E2, E3 or EF: always the
	 * first byte of a character in valid UTF-8) and tries the character after each,
	 * starting with the character before i. */
	static const unsigned char may_lead[256] = {
		['!'] = 1, ['?'] = 1, [';'] = 1, [':'] = 1, [0xE2] = 1, [0xE3] = 1, [0xEF] = 1,
	};
	if (i > 0) {
		cp_before(s, i, &l);
		i -= l;
	}
	while (i < n && nf < INLINE_MAX) {
		if (!may_lead[(unsigned char)s[i]]) {
			/* past a run of other ASCII (digits, letters) here, not by a scan a byte */
			while (++i < n && (unsigned char)s[i] < 0x80 && !may_lead[(unsigned char)s[i]])
				;
			i = next_punct_lead(s, i, n);
			continue;
		}
		uint32_t prev = 0, cp;	/* prev: 0 for a wanted mark of three bytes, until an item may follow it */
		size_t at = i;		/* where that mark is */
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			prev = c;	/* ! ? ; : */
			i++;
		} else if (i + 2 < n && ((unsigned char)s[i + 1] & 0xC0) == 0x80 && ((unsigned char)s[i + 2] & 0xC0) == 0x80) {
			/* E2, E3 or EF and two continuation bytes: most punctuation is none of
			 * those looked for, told by its bytes (what utf8_decode would read) */
			unsigned char b1 = (unsigned char)s[i + 1], b2 = (unsigned char)s[i + 2];
			bool wanted = c == 0xEF ? b1 == 0xBC && (1ull << (b2 & 0x3F) & (1ull << 0x01 | 1ull << 0x1F | 1ull << 0x1B |
											1ull << 0x1A | 1ull << 0x0C | 1ull << 0x09)) :
					c == 0xE3 ? b1 == 0x80 && (b2 == 0x82 || b2 == 0x8D) : b1 == 0x80 && b2 == 0x9D;
			i += 3;
			if (!wanted)
				continue;	/* not ！？；：，） 。」 or ” */
		} else {
			i += utf8_decode(s + i, n - i, &prev);
			if (!(is_terminator(prev) || prev == 0xFF1A || prev == ':' || prev == 0xFF0C || prev == 0x201D ||
			      prev == 0x300D || prev == 0xFF09))
				continue;
		}
		/* (the first two ways found only those: ! ? ; : and the wanted) */
		if (i >= n)
			continue;
		utf8_decode(s + i, n - i, &cp);
		if (!item_lead(cp))
			continue;	/* not 一 第 首 其 再 最, a digit, （ or ① ⑴ */
		if (!prev)	/* the mark, decoded only now (most are followed by no item) */
			prev = utf8_cp3(s + at);
		uint32_t before = prev;	/* what cp_before(s, i) reads */
		bool after_comma = before == 0xFF0C;
		if (i == 0 || !(at_sentence_start(s, i) || after_comma))
			continue;
		struct mark m;
		if (!match_marker(s, n, i, &m) || !styles[m.style].inside)
			continue;
		/* A bare number right after a closing quote or bracket is a note mark (…。”①). */
		if (!styles[m.style].enumerates && (before == 0x201D || before == 0x300D || before == 0xFF09))
			continue;
		size_t tstart = skip_spaces(s, n, m.at + m.mlen);
		size_t end = sentence_end(s, n, tstart);
		if (end == tstart)
			continue;
		set_title(&m, s, end);
		if (m.tlen == 0)
			continue;
		m.standalone = false;
		m.keep = false;
		m.weak = after_comma;
		stop[nf] = before == 0x3002 || before == 0xFF01 || before == 0xFF1F || before == '!' || before == '?';
		found[nf++] = m;
	}
	if (nf)
		nf = drop_notes(it, found, stop, nf);
	if (!nf)
		return;
	for (size_t a = 0; a < nf; a++)
		weak[a] = found[a].weak;
	/* All candidates are kept: the last one may still be taken up by the next paragraph. */
	for (size_t a = 0; a < nf; a++)
		found[a].keep = inline_kept(it, found, weak, nf, a);
	it->inl = xmalloc(nf * sizeof *it->inl);
	memcpy(it->inl, found, nf * sizeof *found);
	it->ninl = nf;
}

static void analyse_item(struct item *it)
{
	it->open.style = ST_NONE;
	it->kind = PARA_BODY;
	if (it->noise) {
		it->kind = PARA_NOISE;
		return;
	}
	if (is_date_line(it->text, it->len)) {
		it->kind = PARA_META;
		return;
	}
	find_opening(it);
	if (it->attach_list)
		return;
	if (it->open.style != ST_NONE && it->open.keep && it->open.standalone)
		it->kind = PARA_HEADING;
	find_inline(it);
	if (it->open.style == ST_NONE && is_salutation(it->text, it->len))
		it->kind = PARA_SALUTATION;
	else if (it->open.style == ST_NONE && !it->ninl)
		it->plain = plain_shape(it->text, it->len);
}

/* Paragraph texts are kept in blocks, one after the other: paragraphs leave the window
 * in the order they came, so a block is given back once the last of its texts has left,
 * without a malloc and a free for every paragraph. */
struct text_block {
	struct text_block *next;	/* the next newer block */
	size_t cap;			/* bytes of data */
	size_t used;			/* bytes given out */
	size_t live;			/* texts in it that are still held */
	char data[];			/* the texts, each NUL-terminated */
};

#define TEXT_BLOCK (64 * 1024)	/* bytes of a block (more for a longer paragraph) */

/* A copy of a followed by b, NUL-terminated, for an item; *block is set to its block. */
static char *text_keep(struct structure *st, const char *a, size_t na, const char *b, size_t nb,
		       struct text_block **block)
{
	struct text_block *k = st->newest;
	size_t need = na + nb + 1;
	if (k && k->live == 0)
		k->used = 0;	/* every text in it has left */
	if (!k || k->cap - k->used < need) {
		size_t cap = need > TEXT_BLOCK ? need : TEXT_BLOCK;
		if (st->spare && st->spare->cap >= cap) {
			k = st->spare;
			st->spare = NULL;
		} else {
			k = xmalloc(sizeof *k + cap);
			k->cap = cap;
		}
		k->used = k->live = 0;
		k->next = NULL;
		if (st->newest)
			st->newest->next = k;
		else
			st->oldest = k;
		st->newest = k;
	}
	char *t = k->data + k->used;
	memcpy(t, a, na);
	memcpy(t + na, b, nb);
	t[na + nb] = 0;
	k->used += need;
	k->live++;
	*block = k;
	return t;
}

/* A text of block has left: the oldest blocks that hold no more are given back (one
 * kept as the spare). */
static void text_release(struct structure *st, struct text_block *block)
{
	block->live--;
	while (st->oldest != st->newest && st->oldest->live == 0) {
		struct text_block *o = st->oldest;
		st->oldest = o->next;
		if (!st->spare || o->cap > st->spare->cap) {
			free(st->spare);
			st->spare = o;
		} else {
			free(o);
		}
	}
}

static void item_free(struct structure *st, struct item *it)
{
	text_release(st, it->block);
	free(it->inl);
}

/* ------------------------------------------------------------------ */
/* The title block */

/* Could this line be (a piece of) the title? */
static bool title_like(const struct item *it)
{
	const char *s = it->text;
	size_t n = it->len;
	long c = chars(s, n);
	if (it->noise || c < 4 || c > 80 || it->open.style != ST_NONE)
		return false;
	if (has_sentence_end(s, n) || ends_with(s, n, "：") || ends_with(s, n, ":"))
		return false;
	return !looks_advert(s, n) && !is_banner(s, n) && !is_chrome(s, n) && !is_meta_line(s, n);
}

/* Does this paragraph end the title block? */
static bool ends_head(const struct item *it)
{
	if (it->noise)
		return false;
	const char *s = it->text;
	size_t n = it->len;
	if (looks_advert(s, n) || is_meta_line(s, n) || is_banner(s, n) || is_chrome(s, n))
		return false;
	if (it->open.style != ST_NONE && it->open.keep)
		return true;
	if (is_salutation(s, n) || is_addressee(s, n))
		return true;
	return (has_sentence_end(s, n) && chars(s, n) >= 8) || chars(s, n) > 80;
}

/* Is item i between two advert lines of one block (no blank line between them)? */
static bool inside_advert_block(const struct item *w, size_t nw, size_t i)
{
	bool before = false, after = false;
	for (size_t j = i; j > 0 && !w[j].blank_before && !before; j--)
		before = !w[j - 1].noise && looks_advert(w[j - 1].text, w[j - 1].len);
	for (size_t j = i + 1; j < nw && !w[j].blank_before && !after; j++)
		after = !w[j].noise && looks_advert(w[j].text, w[j].len);
	return before && after;
}

static bool same_text(const struct item *a, const struct item *b)
{
	return a->len == b->len && memcmp(a->text, b->text, a->len) == 0;
}

/* A subtitle broken over lines ends with one of these. */
static bool subtitle_done(const char *s, size_t n)
{
	static const char *const ends[] = { "讲话", "报告", "发言", "致辞", "上", "稿", "会议", "说明", "）", ")", NULL };
	for (const char *const *p = ends; *p; p++)
		if (ends_with(s, n, *p))
			return true;
	return false;
}

/* Decides title, metadata and salutation among the first nhead paragraphs. */
static void resolve_head(struct structure *st, size_t nhead)
{
	struct item *w = st->win;
	st->head_done = true;
	/* Join a subtitle broken over lines (——2026年1月26日在广东省第十四届 / 人民代表大会…上). */
	for (size_t i = 0; i + 1 < nhead; i++) {
		struct item *a = &w[i], *b = &w[i + 1];
		if (a->noise || b->noise || b->blank_before || !starts(a->text, a->len, 0, "——") ||
		    subtitle_done(a->text, a->len) || has_sentence_end(b->text, b->len) || chars(b->text, b->len) > 40 ||
		    b->open.style != ST_NONE)
			continue;
		struct text_block *old = a->block;
		a->text = text_keep(st, a->text, a->len, b->text, b->len, &a->block);
		a->len += b->len;
		text_release(st, old);
		item_free(st, b);
		memmove(b, b + 1, (st->nwin - i - 2) * sizeof *w);
		st->nwin--;
		nhead--;
	}
	/* The title is the last title-like line before the body, skipping metadata. */
	size_t t = nhead;
	for (size_t i = nhead; i-- > 0;) {
		struct item *it = &w[i];
		if (it->noise)
			continue;
		if (title_like(it) && !inside_advert_block(w, nhead, i) && !is_name_line(it->text, it->len)) {
			t = i;
			break;
		}
		if (it->kind == PARA_SALUTATION || is_addressee(it->text, it->len) || is_meta_line(it->text, it->len) ||
		    is_top_word(it->text, it->len) ||
		    is_name_line(it->text, it->len) || is_chrome(it->text, it->len) || looks_advert(it->text, it->len) ||
		    is_banner(it->text, it->len))
			continue;
		break;	/* a body line: no title before it */
	}
	size_t first = t, last = t;
	if (t < nhead) {
		/* The same title twice (an official paper's header): keep the first. */
		if (t > 0 && same_text(&w[t - 1], &w[t]) && !w[t].blank_before) {
			w[t].kind = PARA_META;
			w[t].fixed = true;
			first = last = --t;
		}
		/* A title broken over lines, when a subtitle or date follows it. */
		size_t next = last + 1;
		while (next < nhead && w[next].noise)
			next++;
		bool meta_follows = next < nhead && is_meta_line(w[next].text, w[next].len);
		long total = chars(w[t].text, w[t].len);
		while (meta_follows && first > 0 && last - first + 1 < TITLE_LINES_MAX && !w[first].blank_before &&
		       title_like(&w[first - 1]) && !looks_advert(w[first - 1].text, w[first - 1].len) &&
		       total + chars(w[first - 1].text, w[first - 1].len) <= 60) {
			first--;
			total += chars(w[first].text, w[first].len);
		}
		struct sbuf b = { 0 };
		for (size_t i = first; i <= last; i++) {
			if (i > first)
				sbuf_puts(&b, " ");
			sbuf_append(&b, w[i].text, w[i].len);
			w[i].kind = PARA_TITLE;
			w[i].fixed = true;
		}
		st->title = sbuf_take(&b);
	}
	if (nhead < st->nwin && w[nhead].open.style == ST_NONE && !w[nhead].noise &&
	    (is_salutation(w[nhead].text, w[nhead].len) || is_addressee(w[nhead].text, w[nhead].len))) {
		w[nhead].kind = PARA_SALUTATION;
		w[nhead].fixed = true;
	}
	for (size_t i = 0; i < nhead; i++) {
		struct item *it = &w[i];
		if (it->noise || it->fixed)
			continue;
		if (t < nhead && i < first) {
			it->kind = PARA_META;	/* banners, web-page frame, adverts before the title */
			it->fixed = true;
			continue;
		}
		if (it->kind == PARA_SALUTATION || (i + 1 == nhead && is_addressee(it->text, it->len) &&
						    it->open.style == ST_NONE)) {
			it->kind = PARA_SALUTATION;
			it->fixed = true;
		} else if (it->open.style == ST_NONE && !ends_head(it) && !is_top_word(it->text, it->len) &&
			   (is_meta_line(it->text, it->len) || is_name_line(it->text, it->len) ||
			    is_chrome(it->text, it->len) || is_banner(it->text, it->len))) {
			it->kind = PARA_META;
			it->fixed = true;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Delivering paragraphs and sections */

/* Styles that number one list between them: 首先，其次，第三，… */
static enum style family(enum style s)
{
	return s == ST_SEQ ? ST_DI_COMMA : s;
}

/* Does a heading of style s stand at this level (or at the one it took the place of)? */
static bool same_family(const struct level *lv, enum style s)
{
	return family(lv->style) == family(s) || (lv->alias != ST_NONE && family(lv->alias) == family(s));
}

/* 一是/一要 items and sections such as 前言 are leaves: a numbered heading does not go under them. */
static bool is_leaf(const struct level *lv)
{
	return lv->style == ST_SHI || lv->style == ST_YAO || lv->leaf;
}

/* Places a heading of style s on the stack, searching it from index base up (inside a
 * paragraph, only the items of that paragraph); returns its level. */
static int place(struct level *stack, int *depth, int base, enum style s, int num, bool inside)
{
	int k = -1;
	for (int i = *depth - 1; i >= base; i--)
		if (same_family(&stack[i], s)) {
			k = i;
			break;
		}
	if (!inside && !styles[s].enumerates)
		while (*depth > base && is_leaf(&stack[*depth - 1]))
			(*depth)--;
	if (s == ST_ATTACH)
		k = 0;
	else if (k >= 0 && inside && num == 1 && stack[k].num >= 1)
		k = -1;		/* 一是 again inside one paragraph: a new list, one deeper */
	if (k < 0)
		k = *depth < DEPTH_MAX ? *depth : DEPTH_MAX - 1;
	*depth = k + 1;
	stack[k] = (struct level){ .style = s, .num = num, .seq = -1, .here = true, .alias = ST_NONE };
	return k + 1;
}

/* The numbered heading opening a paragraph after the oldest one, before any other
 * line shaped like a heading with no number; NULL if none is in the window. */
static const struct mark *next_opening(const struct structure *st)
{
	for (size_t j = 1; j < st->nwin; j++) {
		const struct item *o = &st->win[j];
		if (o->noise)
			continue;
		if (o->open.style != ST_NONE && o->open.keep)
			return &o->open;
		if (o->plain)
			return NULL;
	}
	return NULL;
}

/* Places a heading line with no number. It is the sibling of one before it with no
 * number; a 前言 or 结束语 stands at the top; the first one stands at the top too. One
 * that a list numbered from 1 follows, in a style open below some section, heads that
 * list in the place of that section (关于加强党的建设 / （一）… after 二、 / （二）: the
 * place of 二、). Any other goes beside the deepest section open (list items and leaves
 * aside), taking its place as an unnumbered （三） after （二） does, so that a heading
 * numbered after that one is its sibling; but under a top-level section with no
 * subsection yet, it is the first subsection. */
static __attribute__((noinline)) void place_plain(struct structure *st, bool top)
{
	struct level *stack = st->stack;
	int d = st->depth, k = -1;
	for (int i = d - 1; i >= 0 && k < 0 && !top; i--)
		if (stack[i].style == ST_PLAIN)
			k = i;
	while (k < 0 && d > 0 &&
	       (is_leaf(&stack[d - 1]) || (styles[stack[d - 1].style].inside && styles[stack[d - 1].style].enumerates)))
		d--;
	const struct mark *h = k < 0 && !top ? next_opening(st) : NULL;
	if (h && h->num == 1)
		for (int i = d - 1; i >= 1 && k < 0; i--)
			if (same_family(&stack[i], h->style))
				k = i - 1;
	if (k < 0)
		k = top || d == 0 ? 0 : d == 1 ? 1 : d - 1;
	struct level lv = { .style = ST_PLAIN, .seq = -1, .here = true, .alias = ST_NONE, .leaf = top };
	if (k < d) {	/* in the place of that section: its style goes on beside it */
		lv.alias = stack[k].style == ST_PLAIN ? stack[k].alias : stack[k].style;
		lv.num = stack[k].num;
	}
	st->depth = k + 1;
	stack[k] = lv;
}

static int deliver_section(struct structure *st, const struct item *it, long para, const struct mark *m,
			   struct level *stack, int depth, bool inside)
{
	long seq = st->sections++;
	stack[depth - 1].seq = seq;
	/* NUL-terminated copies, on the stack when they fit (titles are cut short) */
	char mbuf[64], tbuf[256];
	char *marker = m->mlen < sizeof mbuf ? mbuf : xmalloc(m->mlen + 1);
	char *title = m->tlen < sizeof tbuf ? tbuf : xmalloc(m->tlen + 1);
	memcpy(marker, it->text + m->at, m->mlen);
	marker[m->mlen] = 0;
	memcpy(title, it->text + m->tat, m->tlen);
	title[m->tlen] = 0;
	struct section sec = {
		.seq = seq,
		.parent = depth >= 2 ? stack[depth - 2].seq : -1,
		.level = depth,
		.marker = marker,
		.title = title,
		.para = para,
		.offset = m->at ? chars(it->text, m->at) : 0,
		.length = chars(it->text + m->at, m->tat - m->at) + m->tchars,	/* marker, spaces, title */
		.in_paragraph = inside,
	};
	int rc = st->sink.section ? st->sink.section(st->sink.ctx, &sec) : 0;
	if (marker != mbuf)
		free(marker);
	if (title != tbuf)
		free(title);
	return rc;
}

/* Characters of a first sentence short enough to head its paragraph on its own word
 * (其次，讲讲队伍建设问题。) */
#define SEQ_SHORT 20

/* Does the 首先/其次/… opening the paragraph stand apart by its comma (其次，…), not
 * run into a word (再次强调…: again)? */
static bool seq_separated(const struct item *it)
{
	size_t l;
	uint32_t sep = cp_before(it->text, it->open.at + it->open.mlen, &l);
	return sep == 0xFF0C || sep == 0xFF1A || sep == 0x3001 || sep == ',' || sep == ':';
}

/* Is the 首先 that opens w[i] followed by 其次/再次/最后 (in the paragraph itself or
 * opening the next ones), or does it continue a list (首先 or 第一, in a section open
 * or as the last item of the paragraph before)? A 其次， or 再次， with no list before
 * it (its 首先 left unsaid) counts when the list goes on after it, or when its first
 * sentence is short, a heading's; a 最后 alone closes an argument more often. */
static bool seq_confirmed(const struct structure *st, size_t i)
{
	const struct item *it = &st->win[i];
	for (size_t k = 0; k < it->ninl && it->open.num == 1; k++)
		if (it->inl[k].style == ST_SEQ && it->inl[k].keep)
			return true;
	for (int d = st->depth - 1; d >= 0; d--)
		if (same_family(&st->stack[d], ST_SEQ))
			return st->stack[d].num < it->open.num;
	for (int d = st->cont_depth - 1; d >= 0 && it->open.num > 1; d--)
		if (same_family(&st->cont[d], ST_SEQ))
			return st->cont[d].num < it->open.num;
	if (it->open.num == SEQ_LAST)
		return false;
	for (size_t j = i + 1; j < st->nwin; j++) {
		const struct item *o = &st->win[j];
		if (o->open.style == ST_SEQ && o->open.num > it->open.num && (it->open.num == 1 || seq_separated(o)))
			return true;
		if (o->open.style != ST_NONE && o->open.keep)
			break;
	}
	if (it->open.num == 1 || it->open.standalone || !seq_separated(it))
		return false;
	long title = chars(it->text + it->open.tat, it->open.tlen);
	size_t body = sentence_end(it->text, it->len, it->open.tat), l;
	if (body < it->len)
		cp_at(it->text, it->len, body, &l), body += l;	/* past its 。 */
	long rest = chars(it->text + body, it->len - body);
	return title <= SEQ_SHORT && rest >= 2 * title && rest >= 20;
}

/* A numbered item refused for its long first sentence still belongs to a list whose
 * neighbours are headings: the one numbered just before it, or the next one coming. */
static bool list_continues(const struct structure *st, const struct mark *m)
{
	if (st->last_num[m->style] == m->num - 1)
		return true;	/* numbering may run on across parents */
	int next = m->num + 1;
	for (size_t j = 1; j < st->nwin; j++) {
		const struct mark *o = &st->win[j].open;
		if (o->style != m->style || o->num != next)
			continue;
		if (o->keep || !o->long_first)
			return o->keep;
		next++;		/* a run of long items: look further */
	}
	return false;
}

/* Is the paragraph nothing but a lead-in and the list of style s, one phrase an item
 * (我今天讲三点：一、…；二、…；三、…。), with the next paragraph opening a section
 * numbered 1 in another style (第一个问题，…) and a later one opening its number 2?
 * Then the list names what follows. (一是/一要 items are leaves, not sections.) */
static bool list_announces(const struct structure *st, enum style s)
{
	const struct item *it = &st->win[0];
	size_t j = 1;
	while (j < st->nwin && st->win[j].noise)
		j++;
	if (j >= st->nwin)
		return false;
	const struct mark *h = &st->win[j].open;
	enum style x = h->style;
	if (x == ST_NONE || x == ST_SHI || x == ST_YAO || !h->keep || h->num != 1 || family(x) == family(s))
		return false;
	bool second = false;
	for (j++; j < st->nwin && !second; j++)
		second = st->win[j].open.style == x && st->win[j].open.num == 2 && st->win[j].open.keep;
	if (!second)
		return false;
	/* Each item starts where the one before ends (after its 。 or ；); the first after a colon. */
	size_t at = 0, l;
	for (size_t k = 0; k < it->ninl; k++) {
		const struct mark *m = &it->inl[k];
		if (m->style != s)
			continue;
		uint32_t before = cp_before(it->text, m->at, &l);
		if (at ? m->at != at : (m->num != 1 || !(before == 0xFF1A || before == ':')))
			return false;
		at = sentence_end(it->text, it->len, m->tat + m->tlen);
		if (at < it->len)
			cp_at(it->text, it->len, at, &l), at += l;
	}
	return at && skip_spaces(it->text, it->len, at) == it->len;
}

/* A list inside the oldest paragraph that only previews headings coming in the next
 * paragraphs (我讲四点：第一，…；第二，…) is no heading itself: one of its items
 * comes again, same marker and title, opening a paragraph in the window, or the list
 * announces them (list_announces). */
static void drop_previews(struct structure *st)
{
	struct item *it = &st->win[0];
	for (size_t k = 0; k < it->ninl; k++)
		if (it->inl[k].keep && list_announces(st, it->inl[k].style))
			for (size_t d = 0; d < it->ninl; d++)
				if (it->inl[d].style == it->inl[k].style)
					it->inl[d].keep = false;
	for (size_t k = 0; k < it->ninl; k++) {
		const struct mark *m = &it->inl[k];
		bool again = false;
		for (size_t j = 1; j < st->nwin && !again; j++) {
			const struct item *o = &st->win[j];
			const struct mark *h = &o->open;
			if (h->style != m->style || h->num != m->num)
				continue;
			size_t cmp = cut_chars(o->text + h->tat, h->tlen, 8);
			again = cmp == cut_chars(it->text + m->tat, m->tlen, 8) &&
				memcmp(o->text + h->tat, it->text + m->tat, cmp) == 0;
		}
		if (!again)
			continue;
		for (size_t d = 0; d < it->ninl; d++)
			if (it->inl[d].style == m->style)
				it->inl[d].keep = false;
	}
}

/* A list item ending a paragraph on its own (…。一是X。) counts when the next
 * paragraph goes on with the list (二是Y。…): a break that a hard wrap or a writer put
 * in the middle of the list. */
static void revive_last_items(struct structure *st)
{
	struct item *it = &st->win[0];
	const struct item *next = NULL;
	for (size_t j = 1; j < st->nwin && !next; j++)
		if (!st->win[j].noise)
			next = &st->win[j];
	if (!next || next->open.style == ST_NONE)
		return;
	for (size_t k = it->ninl; k-- > 0;) {
		struct mark *m = &it->inl[k];
		if (m->style != next->open.style)
			continue;
		if (!m->keep && !m->weak && m->num + 1 == next->open.num)
			m->keep = true;
		break;	/* only the last item of that style */
	}
}

/* Places the heading opening a paragraph. When it goes on with the list that ran inside
 * the paragraph before (…一是a。 / 二是b。…), it takes that list's level, unless the
 * outline has a list of its own that it continues. */
static void place_opening(struct structure *st, const struct mark *m)
{
	bool outer = false;
	for (int d = st->depth - 1; d >= 0 && !outer; d--)
		outer = same_family(&st->stack[d], m->style) && st->stack[d].num == m->num - 1;
	int c = st->cont_depth;
	if (!outer && c > 0 && same_family(&st->cont[c - 1], m->style) && st->cont[c - 1].num == m->num - 1) {
		memcpy(st->stack, st->cont, (size_t)c * sizeof *st->stack);
		st->depth = c;
		for (int d = 0; d < c; d++)
			st->stack[d].here = false;
	}
	place(st->stack, &st->depth, 0, m->style, m->num, false);
}

/* Does a heading line end as if cut before its rest (，、： or 的)? */
static bool cut_short(const char *s, size_t n)
{
	size_t l;
	return is_trailing_punct(cp_before(s, n, &l)) || open_ending(s, n);
}

/* Does the text end a sentence (before closing quotes and brackets)? */
static bool ends_sentence(const char *s, size_t n)
{
	size_t l;
	uint32_t cp;
	while ((cp = cp_before(s, n, &l)) == 0x201D || cp == 0x2019 || cp == 0x300D || cp == 0x300F || cp == 0xFF09 ||
	       cp == ')' || cp == 0x300B)
		n -= l;
	return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == '!' || cp == '?' || cp == 0x2026;
}

/* Characters before the first punctuation of the text (a body paragraph opens with a
 * clause; one character and a colon, 是：, goes on from a line cut before it). */
static long first_clause(const char *s, size_t n)
{
	size_t l;
	long c = 0;
	for (size_t i = 0; i < n; i += l, c++) {
		uint32_t cp = cp_at(s, n, i, &l);
		if (!l || is_trailing_punct(cp) || cp == 0x3002)
			break;
	}
	return c;
}

/* Is the oldest paragraph, shaped like a heading line with no number, one? It stands
 * between paragraphs: text that ended a sentence or a numbered heading line (not 附件)
 * before it (anything for 前言 or 结束语) and, after it, longer text that opens with a clause, or a heading numbered
 * 1 (（一）, 一是) that starts a list under it. */
static __attribute__((noinline)) bool plain_confirmed(const struct structure *st, bool top)
{
	const struct item *it = &st->win[0], *next = NULL;
	for (size_t j = 1; j < st->nwin && !next; j++)
		if (!st->win[j].noise)
			next = &st->win[j];
	if (!next || next->fixed || (!top && !st->after_body) || !plain_words_ok(it->text, it->len))
		return false;
	const struct mark *h = &next->open;
	if (h->style != ST_NONE)
		return h->keep && h->num == 1 && h->style != ST_ATTACH && h->style != ST_BARE;
	return next->kind == PARA_BODY && has_sentence_end(next->text, next->len) &&
	       chars(next->text, next->len) > chars(it->text, it->len) && first_clause(next->text, next->len) >= 2;
}

/* Is the oldest paragraph, a line 附件： alone, a list of the attachments rather than
 * the start of one? Its first item (1．…) follows, or an attachment line of its own
 * comes later (附件 / 附件1). */
static bool attachments_follow(const struct structure *st)
{
	bool first = true;
	for (size_t j = 1; j < st->nwin; j++) {
		const struct item *o = &st->win[j];
		if (o->noise)
			continue;
		if (first && (o->open.style == ST_AR_DOT || o->open.style == ST_AR_DUN) && o->open.num == 1)
			return true;
		first = false;
		if (o->open.style == ST_ATTACH)
			return true;
	}
	return false;
}

/* Delivers the oldest paragraph of the window with its sections. */
static int emit_first(struct structure *st)
{
	struct item *it = &st->win[0];
	long para = st->seq++;
	int rc = 0;
	if (it->open.style == ST_SEQ && !it->fixed && seq_confirmed(st, 0)) {
		it->open.keep = true;
		if (it->open.standalone)
			it->kind = PARA_HEADING;
	}
	if (it->open.long_first && !it->fixed && list_continues(st, &it->open)) {
		it->open.keep = true;
		if (it->open.standalone)
			it->kind = PARA_HEADING;
	}
	bool top = false;
	if (!it->noise && !it->fixed && it->len <= 16 && is_notes_header(it->text, it->len))
		st->in_notes = true;
	if (it->plain && !it->fixed && !it->noise && it->open.style == ST_NONE &&
	    plain_confirmed(st, (top = is_top_word(it->text, it->len)))) {
		it->open = (struct mark){ .style = ST_PLAIN, .standalone = true, .keep = true };
		set_title(&it->open, it->text, it->len);
		it->kind = PARA_HEADING;
	}
	if (!it->noise && !it->fixed) {
		/* the items of a list of attachments (附件：1．… / 2．…) are no headings */
		if (it->open.style == ST_ATTACH && it->open.num == 0 && it->open.tlen == 0 &&
		    (ends_with(it->text, it->len, "：") || ends_with(it->text, it->len, ":")) &&
		    attachments_follow(st)) {
			it->attach_list = true;
			it->attach_next = 1;
			it->open.keep = false;
			it->kind = PARA_BODY;
		}
		if (it->attach_list) {
			st->attach_next = it->attach_next;
		} else if (st->attach_next && it->open.num == st->attach_next && it->open.standalone &&
			   (it->open.style == ST_AR_DOT || it->open.style == ST_AR_DUN)) {
			st->attach_next++;
			it->open.keep = false;
			it->ninl = 0;
			it->kind = PARA_BODY;
		} else {
			st->attach_next = 0;
		}
	}
	if (st->in_notes && !it->noise) {
		/* numbered notes are no headings; a heading of another kind ends the notes */
		if (it->open.style != ST_NONE && it->open.keep && !note_style(it->open.style)) {
			st->in_notes = false;
		} else {
			it->open.keep = false;
			it->ninl = 0;
			if (it->kind == PARA_HEADING)
				it->kind = PARA_BODY;
		}
	}
	if (it->fixed || it->noise)
		it->open.keep = false;
	if (!it->fixed && !it->noise) {
		drop_previews(st);
		revive_last_items(st);
	}
	for (int d = 0; d < st->depth; d++)
		st->stack[d].here = false;
	if (it->open.style == ST_PLAIN) {
		place_plain(st, top);
		rc = deliver_section(st, it, para, &it->open, st->stack, st->depth, false);
	} else if (it->open.style != ST_NONE && it->open.keep) {
		place_opening(st, &it->open);
		st->last_num[it->open.style] = it->open.num;
		rc = deliver_section(st, it, para, &it->open, st->stack, st->depth, false);
	}
	long section = st->depth > 0 ? st->stack[st->depth - 1].seq : -1;
	if (!it->noise) {
		st->cont_depth = 0;
		st->after_body = (it->kind == PARA_BODY && ends_sentence(it->text, it->len)) ||
				 (it->kind == PARA_HEADING && it->open.style != ST_ATTACH && it->open.style != ST_PLAIN &&
				  !cut_short(it->text, it->len));
	}
	if (rc == 0 && it->ninl && !it->fixed) {
		struct level local[DEPTH_MAX];
		int depth = st->depth;
		memcpy(local, st->stack, (size_t)depth * sizeof *local);	/* the levels in use */
		int base = depth > 0 && local[depth - 1].here ? depth - 1 : depth;
		for (size_t k = 0; k < it->ninl && rc == 0; k++) {
			if (!it->inl[k].keep)
				continue;
			place(local, &depth, base, it->inl[k].style, it->inl[k].num, true);
			rc = deliver_section(st, it, para, &it->inl[k], local, depth, true);
			memcpy(st->cont, local, (size_t)depth * sizeof *local);
			st->cont_depth = depth;
		}
	}
	if (rc == 0) {
		struct para p = { .seq = para, .kind = it->kind, .text = it->text, .len = it->len,
				  .section = section, .line = it->line };
		if (!it->noise)
			st->paragraphs++;
		rc = st->sink.paragraph ? st->sink.paragraph(st->sink.ctx, &p) : 0;
	}
	item_free(st, it);
	st->win0++;
	st->win++;
	st->nwin--;
	if (rc)
		st->failed = rc;
	return rc;
}

/* A paragraph is complete: it joins the window, and the oldest leave it. */
static int add_paragraph(struct structure *st, const char *text, size_t len, long line, bool noise, bool blank_before)
{
	if (st->failed)
		return st->failed;
	if (st->win0 + st->nwin == st->capwin) {
		if (st->win0 > 0 && st->win0 >= st->nwin) {
			/* as much room before the window as in it: moved to the front, a
			 * move every so many paragraphs */
			memmove(st->winbuf, st->win, st->nwin * sizeof *st->win);
		} else {
			st->capwin = st->capwin ? 2 * st->capwin : 16;
			st->winbuf = xrealloc(st->winbuf, st->capwin * sizeof *st->winbuf);
			if (st->win0)
				memmove(st->winbuf, st->winbuf + st->win0, st->nwin * sizeof *st->win);
		}
		st->win0 = 0;
		st->win = st->winbuf;
	}
	struct item *it = &st->win[st->nwin++];
	*it = (struct item){ .len = len, .line = line, .noise = noise, .blank_before = blank_before };
	it->text = text_keep(st, text, len, "", 0, &it->block);
	analyse_item(it);
	if (!st->head_done) {
		if (ends_head(it))
			resolve_head(st, st->nwin - 1);
		else if (st->nwin >= HEAD_MAX)
			resolve_head(st, st->nwin);
		else
			return 0;
	}
	while (st->nwin > WINDOW)
		if (emit_first(st))
			return st->failed;
	return 0;
}

static int flush_pending(struct structure *st)
{
	if (!st->pend.len)
		return 0;
	int rc = add_paragraph(st, st->pend.data, st->pend.len, st->pend_line, false, st->pend_blank);
	sbuf_reset(&st->pend);
	st->pend_open = false;
	return rc;
}

int structure_line(struct structure *st, const char *line, size_t len, bool noise, long line_no)
{
	if (!st->analysed)
		analyse_prescan(st);
	size_t start;
	bool ind;
	size_t end = strip_line(line, len, &start, &ind);
	if (start >= end) {
		st->blank = true;
		st->noise_open = false;
		return flush_pending(st);
	}
	const char *s = line + start;
	size_t n = end - start;
	/* In hard-wrapped text, the rest of a wrapped advert line is noise too. */
	if (!noise && st->noise_open && !ind) {
		struct mark m;
		noise = !(match_marker(s, n, 0, &m) && styles[m.style].opens);
	}
	st->noise_open = false;
	if (noise) {
		int rc = flush_pending(st);
		if (rc == 0)
			rc = add_paragraph(st, s, n, line_no, true, st->blank);
		st->blank = true;	/* noise separates like a blank line */
		size_t l;
		uint32_t last = cp_before(s, n, &l);
		if (st->hard_wrapped && !is_terminator(last) && last != 0x3011 && last != 0xFF09 && last != 0x201D)
			st->noise_open = line_width(s, n, ind, st->wrap_measure) >=
					 st->wrap_width - (st->wrap_measure ? 3 : 6);
		return rc;
	}
	if (!st->hard_wrapped) {
		bool blank = st->blank;
		st->blank = false;
		return add_paragraph(st, s, n, line_no, false, blank);
	}
	/* Hard-wrapped text: a line continues the paragraph when the previous line ran to
	 * the full width, and this one is not indented and does not open with a marker. Where
	 * paragraphs start indented, a list word (一是, 第一，) or a number that may be a note
	 * mark (① ⑴ （1）) at the start of a line that is not indented is part of the
	 * running text. */
	struct mark m;
	bool marker = match_marker(s, n, 0, &m) && styles[m.style].opens &&
		      !(st->indent_starts && ((styles[m.style].inside && styles[m.style].enumerates) ||
					      m.style == ST_CIRCLED || m.style == ST_CIRCLED_PAREN ||
					      m.style == ST_AR_PAREN));
	if (st->pend.len && st->pend_open && !ind && !marker && st->pend.len + n < PARA_MAX) {
		size_t l;
		uint32_t a = cp_before(st->pend.data, st->pend.len, &l), b = cp_at(s, n, 0, &l);
		if (a < 0x80 && b < 0x80 && a != ' ' && a != '-')
			sbuf_puts(&st->pend, " ");
		sbuf_append(&st->pend, s, n);
	} else {
		int rc = flush_pending(st);
		if (rc)
			return rc;
		sbuf_append(&st->pend, s, n);
		st->pend_line = line_no;
		st->pend_blank = st->blank;
	}
	st->blank = false;
	int w = line_width(s, n, ind, st->wrap_measure), slack = st->wrap_measure ? 3 : 6;
	size_t l;
	uint32_t last = cp_before(s, n, &l);
	st->pend_open = w >= st->wrap_width - slack && !(is_terminator(last) && w < st->wrap_width - slack / 3);
	return 0;
}

int structure_finish(struct structure *st)
{
	int rc = flush_pending(st);
	if (rc == 0 && !st->head_done)
		resolve_head(st, st->nwin);
	while (rc == 0 && st->nwin > 0)
		rc = emit_first(st);
	if (rc)
		return rc;
	if (!st->sink.title)
		return 0;
	return st->sink.title(st->sink.ctx, st->title ? st->title : st->fallback_title);
}

long structure_paragraphs(const struct structure *st)
{
	return st->paragraphs;
}

long structure_sections(const struct structure *st)
{
	return st->sections;
}

void structure_free(struct structure *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nwin; i++)
		free(st->win[i].inl);
	while (st->oldest) {
		struct text_block *o = st->oldest;
		st->oldest = o->next;
		free(o);
	}
	free(st->spare);
	free(st->winbuf);
	sbuf_free(&st->pend);
	free(st->fallback_title);
	free(st->title);
	free(st);
}
