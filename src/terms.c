/* terms: the key terms of one document, found without a dictionary.
 *
 * Four sources, merged and ranked in terms_finish:
 *  - quoted terms: short text inside “” 「」 『』 ‘’ (a quoted sentence is not a term);
 *  - numbered formulas: a numeral, a measure word or marker and a short tail
 *    (四个意识, 三大攻坚战, 十四五), quoted or repeated;
 *  - phrases: repeated runs of Han characters that stick together (every split of
 *    the phrase explains most uses of one side) and combine freely with their
 *    neighbours (left and right neighbour entropy);
 *  - the user's glossary, whose terms are always looked for.
 * Statistics come from one trie of every substring (up to DEPTH characters) of the
 * first SAMPLE_CHARS Han characters, whose children give right neighbours and whose
 * suffix links give left ones, so memory stays bounded however long the document
 * is; quotes are collected into a bounded table from the paragraphs fed, which a
 * caller stops once the sample is full (terms_feed). */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dugao/terms.h"
#include "dugao/util.h"

#define MIN_LEN 2		/* shortest term, characters */
#define MAX_LEN 8		/* longest statistical phrase or formula, characters */
#define MIN_PHRASE 3		/* shortest statistical phrase (not a formula), characters */
#define DEPTH (MAX_LEN + 1)	/* trie depth: one more for the neighbours of the longest */
#define MAX_QUOTE 10		/* longest quoted term, characters */
#define SAMPLE_CHARS (1 << 17)	/* Han characters the statistics are taken from */
#define SAMPLE_BYTES (4 << 20)	/* text kept to check the final counts on */
#define MAX_QUOTED 20000	/* distinct quoted strings remembered */
#define MAX_TERMS 120		/* terms kept per document */

/* Every substring (up to DEPTH characters) of the sample, as a trie built level by
 * level: the children of a node have consecutive ids, sorted by character, so a
 * child is found by binary search and no hash table is needed. Right neighbours of
 * a string are its node's children; left neighbours are the nodes whose string
 * minus its first character is it (found by suffix links). */
struct trie_node {
	uint32_t parent;	/* parent node; 0 is the root */
	uint32_t count;		/* occurrences of the node's string */
	uint32_t suffix;	/* the node of the string without its first character */
	uint32_t kids;		/* its first child */
	uint32_t nkids;		/* how many children it has */
	uint32_t at;		/* where in the trie's text its string occurs (first use) */
	uint8_t depth;		/* characters of its string (its last one, on the edge into it,
				 * is text[at + depth - 1]) */
	uint8_t first_cls;	/* CLS_* bits of its first character (read without the text) */
	uint8_t last_cls;	/* and of its last one */
};

struct trie {
	struct trie_node *node;	/* the nodes, one array: a node's fields are read together */
	uint32_t n;		/* nodes used, root included */
	uint32_t cap;		/* nodes allocated */
	uint32_t *look;		/* the nodes worth a look as a phrase or formula, in id order
				 * (noted as they are made: look_worth) */
	uint32_t nlook;		/* how many */
	uint32_t *mark;		/* per node, 0 but while collect_stats or held_pairs marks nodes
				 * in it (each clears what it set: one array zeroed once, or
				 * the thread's slots) */
	uint32_t *text;		/* the sample's distinct Han runs, each ended by a 0 */
	uint32_t *weight;	/* per position of text: copies of its run in the sample */
	size_t ntext;		/* positions of text */
	uint32_t nruns;		/* runs in text */
	bool whole;		/* text holds all of the sample (SAMPLE_CHARS cut none) */
	uint32_t *occ;		/* per run of the sample (every copy), in its order: its run in text */
	uint32_t *occ_at;	/* where it begins in the sample (bytes), OCC_NUMBER set when it
				 * has a number of several digits (one wildcard in text) */
	size_t nocc;		/* runs of the sample */
	size_t capocc;		/* runs allocated */
	bool odd;		/* the sample has a U+FFFD (maybe bytes that are no UTF-8) */
};

#define OCC_NUMBER (1u << 31)

/* A string seen inside quotes. */
struct quoted {
	char *text;		/* the inner text, UTF-8 */
	uint32_t seen;		/* times seen quoted */
};

/* One candidate while choosing. */
struct cand {
	char *text;		/* UTF-8 */
	uint32_t cps[MAX_QUOTE + 1];	/* the characters, when short enough */
	int len;		/* characters */
	long raw;		/* occurrences in the sample (overlapping) */
	long hits;		/* non-overlapping hits in the sample with the current set */
	uint32_t quoted;	/* times seen quoted */
	const char *kind;	/* quoted, formula, phrase or glossary */
	double quality;		/* for phrases: cohesion times freedom, 0..~3 */
	double score;		/* ranking score */
	uint32_t node;		/* the trie node of its text when all Han, else 0 */
	bool stat;		/* found by the statistics, not only inside quotes */
	bool dropped;		/* left out */
	uint32_t id;		/* its index in the list before the ranking sorts it */
};

#define PAIR_BITS 14		/* a matcher's filter of character pairs has 2^PAIR_BITS bits */
#define LEAD_SLOTS (1 << 13)	/* bits of its filters of first characters (small: a
				 * matcher is made for each round of the counts, and
				 * every bit is cleared first) */

/* The matcher: terms grouped by first character, longest first. */
struct matcher {
	uint32_t *first;	/* open-addressing keys: first character + 1, 0 empty */
	uint32_t *start;	/* per slot: index into order */
	uint32_t *num;		/* per slot: how many terms start with that character */
	uint32_t nslot;		/* slots, a power of two */
	uint32_t *order;	/* term indices sorted by first character, then length */
	uint32_t *bytes;	/* per term: length in bytes */
	uint32_t *chars;	/* per term: length in characters */
	uint32_t *lead;		/* per term: its first character */
	uint64_t *head;		/* per term: its first 8 bytes (zeros past its end), as loaded */
	uint64_t *mask;		/* per term: which bytes of head are its */
	uint64_t bmp[LEAD_SLOTS / 64];	/* lead_slot of the characters some term starts with */
	uint64_t pair[(1 << PAIR_BITS) / 64];	/* pair_slot of the first two characters of a
						 * term that has two valid ones (most): a
						 * cheap first test */
	uint64_t one[LEAD_SLOTS / 64];	/* lead_slot of the first character of every other term */
};

struct terms {
	const uint8_t *cls;	/* per BMP character: CLS_* bits (char_classes) */
	struct trie fwd;	/* substrings read forwards */
	bool sample_full;	/* the sample has its SAMPLE_BYTES */
	struct quoted *q;	/* quoted strings, open addressing on the text */
	uint32_t nq;		/* quoted strings stored */
	uint32_t qslots;	/* size of q, a power of two */
	char *const *glossary;	/* the user's terms (the caller's glossary, read only) */
	size_t nglossary;	/* how many */
	struct sbuf sample;	/* the first SAMPLE_BYTES of text, paragraphs split by '\n' */
	size_t *ends;		/* where each kept paragraph ends in sample (its '\n') */
	size_t nkept;		/* paragraphs kept in sample */
	size_t capkept;		/* ends allocated */
	struct term *chosen;	/* the result of terms_finish */
	size_t nchosen;		/* how many */
	struct matcher m;	/* finds the chosen terms */
	struct replay *replay;	/* the kept paragraphs' hits found while choosing, or NULL */
};

/* The hits of the chosen terms in the kept paragraphs, as the last count of
 * terms_finish found them: a paragraph none of whose hits then was of a term not
 * chosen has the same hits with the chosen terms (the greedy scan takes the same
 * terms at the same places when the only terms gone are ones it never took there),
 * so terms_scan gives them again without a scan. */
struct replay {
	uint32_t *unit;		/* per kept paragraph: 1 + its unit, 0 when scanned */
	uint32_t *first;	/* per unit (a distinct paragraph, or a kept one when the hits
				 * were counted by runs): where its hits begin; one more at the end */
	uint32_t *term;		/* each hit's chosen term, or REPLAY_SCAN and a scan's index */
	uint32_t *offset;	/* and its character offset */
	uint32_t *scan;		/* per scan of a run (one whose hits cannot be given again): its
				 * first byte and its end in the paragraph, and the characters
				 * before it, three values a scan */
	size_t nscan;		/* scans */
	size_t capscan;		/* scans allocated */
	size_t next;		/* the kept paragraph after the one terms_scan found last: the
				 * next it is given, as a rule (they are scanned in order) */
};

#define REPLAY_SCAN (1u << 31)

/* Natural logarithm of x > 0, here so the module needs no libm (the build does not
 * link it): ln x = e·ln 2 + 2·atanh((m−1)/(m+1)) with m in [√½, √2), error < 1e-10. */
static double ln(double x)
{
	uint64_t b;
	memcpy(&b, &x, sizeof b);
	int e = (int)((b >> 52) & 0x7FF) - 1023;
	b = (b & ~(0x7FFull << 52)) | (1023ull << 52);
	double m;
	memcpy(&m, &b, sizeof m);
	if (m > 1.4142135623730951)
		m /= 2, e++;
	double z = (m - 1) / (m + 1), z2 = z * z;
	double s = z * (2 + z2 * (2.0 / 3 + z2 * (2.0 / 5 + z2 * (2.0 / 7 + z2 * (2.0 / 9 + z2 * (2.0 / 11 + z2 * 2.0 / 13))))));
	return s + e * 0.6931471805599453;
}

/* --- characters --- */

/* utf8_decode with the common cases inline: ASCII and three-byte sequences whose
 * lead byte admits no overlong form or surrogate (E1–EC, EE–EF: most Han). */
static inline size_t decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (n && s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (n >= 3) {
		/* a lead byte E1–EF but ED, two continuation bytes (80–BF): few branches */
		unsigned b0 = s[0], b1 = s[1] ^ 0x80u, b2 = s[2] ^ 0x80u;
		if (b0 - 0xE1u < 15 && b0 != 0xED && (b1 | b2) < 0x40) {
			*cp = (b0 & 0x0F) << 12 | b1 << 6 | b2;
			return 3;
		}
	}
	return utf8_decode(str, n, cp);
}

static bool is_han(uint32_t c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || c == 0x3007 ||
	       (c >= 0x20000 && c <= 0x2FFFF) || (c >= 0xF900 && c <= 0xFAFF);
}

/* Characters that rarely begin or end a term: particles, pronouns, conjunctions,
 * prepositions, adverbs, verbs that lead a clause (有, 搞, 闹). A stop list of function characters, not a dictionary;
 * each side leaves out characters that often begin (和平, 对外, 以人民为中心) or
 * end (原则, 土地, 成就) real terms. */
#define STOP_BOTH "的了是在要把而并也将从这那其之于让被又还更很我你他她它们即且或但已由给啊吗呢吧么"
#define STOP_START STOP_BOTH "过得等上下中性个些不各有搞闹"
#define STOP_END STOP_BOTH "和与及对为以着不一个有些说来去到中上下各好"
/* Common function words that are not terms even though they stick together. */
static const char *const stop_words[] = {
	"进一步", "一方面", "另一方面", "各方面", "一系列", "一些", "一定", "一切", "不断", "已经", "正在",
	"进行", "通过", "同时", "目前", "当前", "今年", "去年", "明年", "今天", "我们", "他们", "大家",
	"这个", "那个", "这些", "那些", "这样", "那样", "什么", "怎么", "如何", "因此", "所以", "但是",
	"而且", "并且", "以及", "还是", "就是", "也是", "都是", "只有", "只要", "必须", "能够", "可以",
	"应该", "需要", "没有", "不是", "问题", "方面", "工作", "情况", "进一步加强", "同志们", "总的来说",
	"与此同时", "实际上", "事实上", "有的", "一个", "一年", "一次", "为此", "对此", "特别是", "尤其是",
	"比如", "例如", "包括", "以上", "以下", "左右", "之一", "之间", "上述", "有关", "相关", "各级",
	"越来越", "无法", "不能", "决不",
	/* adverbs of manner, which lead a verb (大力推进, 严格渔船[管理]), never a term */
	"大力", "持续", "扎实", "切实", "认真", "严肃", "严厉", "严格", "坚决", "深入", "全力", "着力",
	"努力", "逐步", "稳步", "继续", "及时", "牢牢",
	/* light verbs, which lead an object (取得明显成效, 抓好工作落实), never a term */
	"推动", "抓好", "做好", "搞好", "取得", "具有", "进入",
};

enum {
	CLS_STOP_START = 1,	/* rarely begins a term */
	CLS_STOP_END = 2,	/* rarely ends a term */
	CLS_BOUNDARY = 4,	/* a neighbour that marks a word boundary, like punctuation */
	CLS_NUMERAL = 8,	/* a numeral */
	CLS_MARKER = 16,	/* joins a numeral to a formula's tail */
	CLS_COUNT_TAIL = 32,	/* after a numeral, makes an ordinary counted phrase */
	CLS_SENTENCE = 64,	/* makes quoted text a sentence rather than a term */
	CLS_QUANTITY = 128,	/* a quantity or degree: phrases made only of these are quantifiers */
};

/* The wildcard that stands for placeholder characters in the statistics. */
#define PLACEHOLDER 0xFFFC

/* Quantity and degree characters (大多数, 极少数, 大部分). */
#define QUANTITY "大多少数部分绝极半"
/* Conjunctions, and 的, a single character before them is joined by (党和国家,
 * 党的领导): 和 与 及 同 的, as characters (not_a_term tries each for every phrase). */
static const uint32_t conjunctions[] = { 0x548C, 0x4E0E, 0x53CA, 0x540C, 0x7684 };

#define NUMERALS "一二三四五六七八九十两百千万〇"
/* 第, which makes an ordinal of what follows, as the numerals make part of a
 * number of it (ORDINAL_PRE). */
#define ORDINAL_FIRST 0x7B2C
/* Measure words and markers that join a numeral to the tail of a formula. */
#define MARKERS "个大项条张化型位种类块件点篇场支色重新好"
/* Tails that make an ordinary counted phrase (三个月, 两个方面, 五年). */
#define COUNT_TAILS "年月日天次时期人名多余些倍岁家级是方部分中届号层批周轮份元亿万斤亩米秒刻字句条遍趟声样回问事"
/* Punctuation that makes quoted text a sentence or a clause, and every quote mark
 * (a quote inside a quote). */
#define SENTENCE_PUNCT "。，；：？！,;:?!…\t\n“”「」『』‘’"

/* Neighbours that end a word as surely as punctuation: particles (加快发展的). */
#define BOUNDARY "的了着和与及等之是在把被"

static void cls_init(uint8_t *cls)
{
	static const struct {
		const char *set;	/* characters */
		uint8_t bit;		/* class they get */
	} sets[] = { { STOP_START, CLS_STOP_START }, { STOP_END, CLS_STOP_END }, { BOUNDARY, CLS_BOUNDARY },
		     { NUMERALS, CLS_NUMERAL }, { MARKERS, CLS_MARKER }, { COUNT_TAILS, CLS_COUNT_TAIL },
		     { SENTENCE_PUNCT, CLS_SENTENCE }, { QUANTITY, CLS_QUANTITY } };
	for (size_t k = 0; k < sizeof sets / sizeof *sets; k++) {
		size_t n = strlen(sets[k].set);
		for (size_t i = 0; i < n;) {
			uint32_t c;
			i += utf8_decode(sets[k].set + i, n - i, &c);
			if (c < 65536)
				cls[c] |= sets[k].bit;
		}
	}
	cls[PLACEHOLDER] |= CLS_BOUNDARY;	/* a withheld name is a different word each time */
}

/* Whether c is in the class bit (every class holds BMP characters only). */
static bool cls_is(const uint8_t *cls, uint32_t c, uint8_t bit)
{
	return c < 65536 && (cls[c] & bit);
}

static uint32_t str_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

#define NSTOP (sizeof stop_words / sizeof *stop_words)
#define STOP_SLOTS 256	/* a power of two, more than twice NSTOP */
_Static_assert(2 * NSTOP < STOP_SLOTS, "STOP_SLOTS too small");

/* Whether a node of depth n, count uses and first and last classes first, last can
 * be a phrase or formula (the tests of collect_stats that need no more than these),
 * with no branch: seen twice, of a term's length, and led by a numeral or else of
 * three characters or more, seen three times, beginning and ending with no stop
 * character. */
static inline bool look_worth(uint32_t n, uint32_t count, uint8_t first, uint8_t last)
{
	bool phrase = (n >= 3) & (count >= 3) & !(first & CLS_STOP_START) & !(last & CLS_STOP_END);
	return (count >= 2) & (n - MIN_LEN <= MAX_LEN - MIN_LEN) & (!!(first & CLS_NUMERAL) | phrase);
}

/* Above every character the trie's text holds (is_han's, PLACEHOLDER, and the 0
 * that ends a run). */
#define TEXT_CHARS 0x30000

/* Tables shared by every extraction (an import makes one per document, maybe on
 * another thread): filled once (pthread_once), only read after. */
static struct {
	uint8_t cls[TEXT_CHARS];	/* per character below TEXT_CHARS: CLS_* bits (only BMP ones
					 * have any), and CLS_BOUNDARY at 0, a run's end in the
					 * trie's text (count_substrings reads its characters here
					 * with no test of their range) */
	double ln_small[256];		/* ln c for the common small counts */
	double clogc_small[256];	/* c·ln c for them */
	const char *stop[STOP_SLOTS];	/* the stop words, open addressing on str_hash */
	uint64_t stop_first[65536 / 64];	/* BMP characters some stop word begins with */
	uint64_t stop_last[65536 / 64];	/* and ends with */
	uint64_t run[65536 / 64];	/* BMP characters that join a run of count_substrings: Han,
					 * placeholders and digits */
	uint64_t worth[DEPTH + 1];	/* per level: look_worth as level_nodes reads it */
	/* per byte, its part of a Han character of U+4E00–U+9FFF read by
	 * count_substrings in its loop of Han runs: as a lead byte E4–E9 (the
	 * character's top bits), as the first and as the second continuation
	 * byte (80–BF); any other byte HAN_NONE, which puts the sum out of that
	 * range */
	uint32_t han_lead[256], han_mid[256], han_last[256];
} tables;

#define HAN_NONE (1u << 24)	/* three of them add up to no overflow */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* The placeholders (is_digit's comment): × X x * Ｘ ｘ ＊ ○ ◯ □, and the wildcard itself. */
static const uint32_t placeholders[] = { 0xD7, 'X', 'x', '*', 0xFF38, 0xFF58, 0xFF0A, 0x25CB, 0x25EF, 0x25A1, PLACEHOLDER };

/* Per thread, per character (every one is below 2^ENTRY_CHAR), two arrays one
 * after the other: 0 but while first_entries uses them, or the first the trie's
 * mark (per node; collect_stats), each clearing what it set. Mapped, not
 * allocated: its pages are zero till touched, and most characters are never met
 * (the Han of a document fill a few dozen pages of each megabyte; a mark, a page
 * per thousand nodes). */
#define SLOTS_BYTES ((size_t)2 * sizeof(uint32_t) << ENTRY_CHAR)
static _Thread_local uint32_t *thread_slots;
static pthread_key_t slots_key;	/* unmaps a thread's slots when it ends */
static bool slots_keyed;	/* slots_key was made */

static void slots_unmap(void *p);

static void tables_init(void)
{
	slots_keyed = pthread_key_create(&slots_key, slots_unmap) == 0;
	cls_init(tables.cls);
	tables.cls[0] = CLS_BOUNDARY;	/* a run's end: for flat_before and flat_after */
	/* the BMP characters of is_han and is_digit, by their ranges, and the
	 * placeholders (a test of each of the 65,536 took as long as a small
	 * document's terms) */
	static const uint32_t runs[][2] = { { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xF900, 0xFAFF }, { 0x3007, 0x3007 },
					    { '0', '9' }, { 0xFF10, 0xFF19 } };
	for (size_t r = 0; r < sizeof runs / sizeof *runs; r++)
		for (uint32_t c = runs[r][0]; c <= runs[r][1]; c++)
			tables.run[c / 64] |= 1ull << (c % 64);
	for (size_t r = 0; r < sizeof placeholders / sizeof *placeholders; r++)
		tables.run[placeholders[r] / 64] |= 1ull << (placeholders[r] % 64);
	for (uint32_t b = 0; b < 256; b++) {
		bool cont = b >= 0x80 && b < 0xC0;
		tables.han_lead[b] = b >= 0xE4 && b <= 0xE9 ? (b - 0xE0) << 12 : HAN_NONE;
		tables.han_mid[b] = cont ? (b - 0x80) << 6 : HAN_NONE;
		tables.han_last[b] = cont ? b - 0x80 : HAN_NONE;
	}
	/* a bit by the count (0: below 2, 1: 2, 2: more) times 16 and the classes
	 * look_worth reads (CLS_NUMERAL and CLS_STOP_START of the first character,
	 * CLS_STOP_END of the last) */
	for (uint32_t k = 1; k <= DEPTH; k++)
		for (uint32_t q = 0; q < 3; q++)
			for (uint8_t b = 0; b < 16; b++)
				tables.worth[k] |= (uint64_t)look_worth(k, q + 1, b & (CLS_NUMERAL | CLS_STOP_START),
									b & CLS_STOP_END) << (q * 16 + b);
	for (int c = 1; c < 256; c++) {
		tables.ln_small[c] = ln(c);
		tables.clogc_small[c] = c * tables.ln_small[c];
	}
	for (size_t i = 0; i < NSTOP; i++) {
		uint32_t h = str_hash(stop_words[i], strlen(stop_words[i])) & (STOP_SLOTS - 1);
		while (tables.stop[h])
			h = (h + 1) & (STOP_SLOTS - 1);
		tables.stop[h] = stop_words[i];
		size_t n = strlen(stop_words[i]), from = n;
		uint32_t c;
		utf8_decode(stop_words[i], n, &c);
		tables.stop_first[c / 64] |= 1ull << (c % 64);
		while (((unsigned char)stop_words[i][--from] & 0xC0) == 0x80)
			;
		utf8_decode(stop_words[i] + from, n - from, &c);
		tables.stop_last[c / 64] |= 1ull << (c % 64);
	}
}

/* The class table: terms_new has made the tables. */
static const uint8_t *char_classes(void)
{
	pthread_once(&tables_once, tables_init);
	return tables.cls;
}

static bool has_cls(const struct terms *t, uint32_t c, uint8_t bit)
{
	return cls_is(t->cls, c, bit);
}

/* --- trie --- */

static void trie_init(struct trie *t)
{
	memset(t, 0, sizeof *t);
	t->n = 1;	/* the root, made by trie_reserve */
}

static void trie_free(struct trie *t)
{
	free(t->node);
	free(t->look);
	if (t->mark != thread_slots)
		free(t->mark);	/* (the slots are the thread's: collect_stats) */
	free(t->text);
	free(t->weight);
	free(t->occ);
	free(t->occ_at);
}

/* Room for n more nodes. */
static void trie_reserve(struct trie *t, size_t n)
{
	if (t->n + n <= t->cap)
		return;
	bool empty = t->cap == 0;
	if (empty)
		t->cap = 1024;
	while (t->n + n > t->cap)
		t->cap *= 2;
	t->node = xrealloc(t->node, t->cap * sizeof *t->node);
	t->look = xrealloc(t->look, t->cap * sizeof *t->look);
	if (empty)
		memset(&t->node[0], 0, sizeof t->node[0]);
}

/* The child of parent along cp; 0 when absent. */
static inline uint32_t trie_child(const struct trie *t, uint32_t parent, uint32_t cp)
{
	uint32_t lo = t->node[parent].kids, hi = lo + t->node[parent].nkids, d = t->node[parent].depth;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (t->text[t->node[mid].at + d] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->node[parent].kids + t->node[parent].nkids && t->text[t->node[lo].at + d] == cp ? lo : 0;
}

static uint32_t trie_find(const struct trie *t, const uint32_t *s, int n)
{
	uint32_t v = 0;
	for (int i = 0; i < n && (i == 0 || v); i++)
		v = trie_child(t, v, s[i]);
	return v;
}

static inline long trie_count(const struct trie *t, const uint32_t *s, int n)
{
	uint32_t v = trie_find(t, s, n);
	return v ? t->node[v].count : 0;
}

/* The count of s (n characters) when trie_count has none: a string seen once has
 * no node (count_substrings), but it would have one, of count 1, were its two
 * pieces of n − 1 characters seen twice or more. */
static long seen_once(const struct trie *t, const uint32_t *s, int n)
{
	if (n < 2 || trie_count(t, s, n - 1) < 2 || trie_count(t, s + 1, n - 1) < 2)
		return 0;
	long c = 0;
	for (size_t i = 0; i + (size_t)n <= t->ntext; i++)
		if (t->text[i] == s[0] && memcmp(t->text + i, s, (size_t)n * sizeof *s) == 0)
			c += t->weight[i];
	return c;
}

/* c·ln c of a count: most are small, from a table. */
static double clogc(uint32_t c)
{
	return c < 256 ? tables.clogc_small[c] : c * ln(c);
}

/* Adds up, in id order, the c·ln c of the left neighbours of the nodes asked for
 * (want: 1 + where their sum goes in sum, else 0); the right ones are summed when
 * asked, a node's children being consecutive. A neighbour in the boundary class
 * counts like punctuation, as if every use were different. */
static void trie_left_sums(const struct trie *t, const uint32_t *want, double *sum)
{
	const struct trie_node *node = t->node;
	/* a node wanted is a phrase, three characters or more: its left neighbours
	 * have four, and the nodes are in the order of their depth (made level by
	 * level), so the search starts at the first of four characters */
	uint32_t lo = 1, hi = t->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (node[mid].depth < MIN_PHRASE + 1)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (uint32_t v = lo; v < t->n; v++) {
		uint32_t k = want[node[v].suffix];
		if (k && node[v].parent && !(node[v].first_cls & CLS_BOUNDARY))
			sum[k - 1] += clogc(node[v].count);
	}
}

/* ln of node v's count. */
static double trie_ln_count(const struct trie *t, uint32_t v)
{
	uint32_t c = t->node[v].count;
	return c < 256 ? tables.ln_small[c] : ln(c);
}

/* Entropy of what follows node v: occurrences at a run's edge count as all
 * different, and so do boundary neighbours. */
static double trie_entropy(const struct trie *t, uint32_t v)
{
	double n = t->node[v].count;
	if (n <= 0)
		return 0;
	double sum = 0;
	/* a boundary neighbour adds 0 (the sum stays exactly as it was): no branch */
	for (uint32_t u = t->node[v].kids, end = u + t->node[v].nkids; u < end; u++) {
		double c = clogc(t->node[u].count);
		sum += t->node[u].last_cls & CLS_BOUNDARY ? 0.0 : c;
	}
	return trie_ln_count(t, v) - sum / n;
}

/* --- quotes --- */

static bool formula_shape(const uint8_t *cls, const uint32_t *s, int n, bool quoted);

static void quoted_add(struct terms *t, const char *s, size_t n)
{
	if (t->nq * 2 >= t->qslots) {
		if (t->nq >= MAX_QUOTED)
			return;
		uint32_t old = t->qslots;
		struct quoted *oq = t->q;
		t->qslots = old ? old * 2 : 256;
		t->q = xcalloc(t->qslots, sizeof *t->q);
		for (uint32_t i = 0; i < old; i++)
			if (oq[i].text) {
				uint32_t h = str_hash(oq[i].text, strlen(oq[i].text)) & (t->qslots - 1);
				while (t->q[h].text)
					h = (h + 1) & (t->qslots - 1);
				t->q[h] = oq[i];
			}
		free(oq);
	}
	uint32_t h = str_hash(s, n) & (t->qslots - 1);
	for (; t->q[h].text; h = (h + 1) & (t->qslots - 1))
		if (strlen(t->q[h].text) == n && memcmp(t->q[h].text, s, n) == 0) {
			t->q[h].seen++;
			return;
		}
	t->q[h].text = xstrndup(s, n);
	t->q[h].seen = 1;
	t->nq++;
}

static uint32_t closing_quote(uint32_t c)
{
	switch (c) {
	case 0x201C: return 0x201D;	/* “ ” */
	case 0x300C: return 0x300D;	/* 「 」 */
	case 0x300E: return 0x300F;	/* 『 』 */
	case 0x2018: return 0x2019;	/* ‘ ’ */
	default: return 0;
	}
}

/* Quoted items: the whole text when short; the items of a short list
 * (“一个定位、两个目标、三大战略”) when the whole is too long. */
static void quoted_span(struct terms *t, const char *s, size_t n, int chars)
{
	if (chars >= MIN_LEN && chars <= MAX_QUOTE) {
		quoted_add(t, s, n);
		return;
	}
	size_t from = 0;
	for (size_t i = 0; i <= n;) {
		uint32_t c = 0;
		size_t k = i < n ? utf8_decode(s + i, n - i, &c) : 0;
		if (i == n || c == 0x3001) {	/* 、 */
			uint32_t item[MAX_LEN];
			int m = 0;
			for (size_t j = from; j < i && m <= MAX_LEN;) {
				uint32_t d;
				j += utf8_decode(s + j, i - j, &d);
				if (m < MAX_LEN)
					item[m] = d;
				m++;
			}
			/* an item of a list counts when it has the shape of a formula */
			if (m >= MIN_LEN && m <= MAX_LEN && (from > 0 || i < n) && formula_shape(t->cls, item, m, false))
				quoted_add(t, s + from, i - from);
			from = i + k;
		}
		if (i == n)
			break;
		i += k;
	}
}

/* The lanes of the sixteen positions from u on (two bytes more are read) where an
 * opening quote may begin: a lead E2 or E3 (which never continues a character),
 * then 80, then a third byte of one of the quotes' (scan_quotes tells which). */
static inline u8x16 quote_lanes(const unsigned char *u)
{
	u8x16 b0 = u8x16_load(u), b1 = u8x16_load(u + 1), b2 = u8x16_load(u + 2);
	return ((b0 & 0xFE) == 0xE2) & (b1 == 0x80) & ((b2 == 0x9C) | (b2 == 0x98) | (b2 == 0x8C) | (b2 == 0x8E));
}

/* The first position from i on where an opening quote may begin, or len: sixteen
 * at a time, the last ones by sixteen that end the text (only the lanes from i on),
 * not byte by byte; most text has none, and stops at every 。 、 … (E2 or E3 80)
 * took more than the scan. */
static size_t quote_lead(const unsigned char *u, size_t i, size_t len)
{
	for (; i + 18 <= len; i += 16) {
		u8x16 m = quote_lanes(u + i);
		if (u8x16_any(m))
			return i + u8x16_first(m);
	}
	if (len >= 18 && i + 2 < len) {
		size_t base = len - 18;	/* below i (the loop ended), by fewer than 16 */
		u8x16 m = quote_lanes(u + base) & u8x16_last(16 - (i - base));
		return u8x16_any(m) ? base + u8x16_first(m) : len;
	}
	for (; i + 2 < len; i++)
		if ((u[i] & 0xFE) == 0xE2 && u[i + 1] == 0x80 &&
		    (u[i + 2] == 0x9C || u[i + 2] == 0x98 || u[i + 2] == 0x8C || u[i + 2] == 0x8E))
			return i;
	return len;
}

static void scan_quotes(struct terms *t, const char *text, size_t len)
{
	const unsigned char *u = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		i = quote_lead(u, i, len);
		if (i == len)
			break;
		/* the opening quotes “ ‘ (E2 80 9C, E2 80 98) and 「 『 (E3 80 8C, E3 80 8E),
		 * told by their bytes; any other place quote_lead stops at is stepped over */
		uint32_t c = 0;
		if (len - i >= 3 && u[i + 1] == 0x80) {
			if (u[i] == 0xE2 && (u[i + 2] == 0x9C || u[i + 2] == 0x98))
				c = 0x2000 | u[i + 2] % 0x40;
			else if (u[i] == 0xE3 && (u[i + 2] == 0x8C || u[i + 2] == 0x8E))
				c = 0x3000 | u[i + 2] % 0x40;
		}
		uint32_t close = closing_quote(c);
		if (!close) {
			i++;
			continue;
		}
		i += 3;
		size_t j = i;
		int chars = 0;
		bool ok = false, has_text = false;
		while (j < len && chars <= 4 * MAX_QUOTE) {
			uint32_t d;
			size_t kd = utf8_decode(text + j, len - j, &d);
			if (d == close) {
				ok = true;
				break;
			}
			if (has_cls(t, d, CLS_SENTENCE))
				break;
			if (is_han(d) || (d >= '0' && d <= '9') || (d >= 'A' && d <= 'Z') || (d >= 'a' && d <= 'z'))
				has_text = true;
			j += kd;
			chars++;
		}
		if (ok && has_text)
			quoted_span(t, text + i, j - i, chars);
	}
}

/* --- feeding --- */

/* The user's terms, one a line; a line led by # is a comment. */
struct terms_glossary {
	char **term;	/* each term, trimmed */
	size_t n;	/* how many */
};

struct terms_glossary *terms_glossary_load(const char *path)
{
	FILE *f = path ? fopen(path, "r") : NULL;
	if (!f)
		return NULL;
	struct terms_glossary *g = xcalloc(1, sizeof *g);
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		size_t n = strcspn(line, "\r\n");
		while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		size_t b = strspn(line, " \t");
		if (n <= b || line[b] == '#')
			continue;
		g->term = xrealloc(g->term, (g->n + 1) * sizeof *g->term);
		g->term[g->n++] = xstrndup(line + b, n - b);
	}
	fclose(f);
	return g;
}

void terms_glossary_free(struct terms_glossary *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n; i++)
		free(g->term[i]);
	free(g->term);
	free(g);
}

struct terms *terms_new(const struct terms_glossary *glossary)
{
	struct terms *t = xcalloc(1, sizeof *t);
	t->cls = char_classes();
	trie_init(&t->fwd);
	if (glossary) {
		t->glossary = glossary->term;
		t->nglossary = glossary->n;
	}
	return t;
}

bool terms_feed(struct terms *t, const char *text, size_t len)
{
	scan_quotes(t, text, len);
	if (t->sample_full)
		return false;
	if (t->sample.len + len + 1 > SAMPLE_BYTES) {
		t->sample_full = true;
		return false;
	}
	/* room for a short document's whole (64 KB with its NUL): not copied as it grows */
	if (!t->sample.cap)
		sbuf_grow(&t->sample, (64 << 10) - 1);
	if (t->nkept == t->capkept) {
		t->capkept = t->capkept ? t->capkept * 2 : 256;
		t->ends = xrealloc(t->ends, t->capkept * sizeof *t->ends);
	}
	sbuf_append(&t->sample, text, len);
	t->ends[t->nkept++] = t->sample.len;
	sbuf_append(&t->sample, "\n", 1);
	return true;
}

size_t terms_kept(const struct terms *t)
{
	return t->nkept;
}

const char *terms_kept_text(const struct terms *t, size_t i, size_t *len)
{
	size_t from = i ? t->ends[i - 1] + 1 : 0;
	*len = t->ends[i] - from;
	return t->sample.data + from;
}

static void replay_free(struct terms *t);

void terms_forget_kept(struct terms *t)
{
	replay_free(t);
	sbuf_free(&t->sample);
	free(t->ends);
	t->ends = NULL;
	t->nkept = t->capkept = 0;
	t->sample_full = true;
}

/* Characters that stand for a withheld name or number (省委×届×次全会, X市): they
 * join the Han run as one wildcard, so what follows them is not taken for the start
 * of a run (次全会), and no candidate holds them. A number written in digits is
 * one wildcard too (6月底完成: 月底完成 follows a number, as 次全会 does). */
static bool is_digit(uint32_t c)
{
	return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19);	/* and ０–９ */
}

/* An entry of count_substrings: (node << ENTRY_NODE | character << ENTRY_CHAR |
 * position); a position is below 2^18 (SAMPLE_CHARS), so is every character, and a
 * node below 2^28 (DEPTH nodes a position at most). */
#define ENTRY_CHAR 18
#define ENTRY_NODE 36
#define ENTRY_POS ((1u << ENTRY_CHAR) - 1)
_Static_assert(SAMPLE_CHARS + 2 <= 1 << ENTRY_CHAR, "positions must fit an entry");
_Static_assert((uint64_t)(SAMPLE_CHARS + 2) * (DEPTH + 1) < 1ull << (64 - ENTRY_NODE), "nodes must fit an entry");
/* count_substrings' node at a position: the node's id, a bit above it (every id
 * fits 28 bits) set when the node was seen twice or more, and one below that set
 * when it is a chain's (a node of one position whose run the sample has twice or
 * more: see count_substrings) */
#define TAG_TWO 31
#define TAG_CHAIN 30
#define TAG_NODE ((1u << TAG_CHAIN) - 1)

/* Insertion sort of n entries from j on, the ones before j being in order. */
static inline void insertion_sort(uint64_t *e, size_t j, size_t n)
{
	for (; j < n; j++) {
		uint64_t x = e[j];
		size_t k = j;
		for (; k > 0 && e[k - 1] > x; k--)
			e[k] = e[k - 1];
		e[k] = x;
	}
}

/* Sorts the entries of one group (one node), whose equal characters are in the
 * order of their positions already: nothing when all of it is in order (often: one
 * next character), insertion for a few; for some more, one pass by the top bits of
 * the character less the smallest into as many buckets as entries or so, then
 * insertion over what is left out of order; for many (the first level), two passes
 * of a radix sort on the character (every one is below 2^18) through tmp. */
static void sort_entries(uint64_t *e, size_t n, uint64_t *tmp)
{
	size_t j = 1;
	while (j < n && e[j - 1] <= e[j])
		j++;
	if (j >= n)
		return;
	if (n <= 32) {
		insertion_sort(e, j, n);
		return;
	}
	if (n <= 256) {
		uint32_t lo = UINT32_MAX, hi = 0;
		for (j = 0; j < n; j++) {
			uint32_t c = (uint32_t)(e[j] >> ENTRY_CHAR) & ENTRY_POS;
			lo = c < lo ? c : lo;
			hi = c > hi ? c : hi;
		}
		int bits = 32 - __builtin_clz(hi - lo), b = 32 - __builtin_clz((uint32_t)n - 1);	/* hi > lo */
		b = b < bits ? b : bits;
		int shift = bits - b;
		uint32_t bucket[257];
		memset(bucket, 0, ((1u << b) + 1) * sizeof *bucket);
		for (j = 0; j < n; j++)
			bucket[((((uint32_t)(e[j] >> ENTRY_CHAR) & ENTRY_POS) - lo) >> shift) + 1]++;
		for (uint32_t x = 1; x <= 1u << b; x++)
			bucket[x] += bucket[x - 1];
		for (j = 0; j < n; j++)
			tmp[bucket[(((uint32_t)(e[j] >> ENTRY_CHAR) & ENTRY_POS) - lo) >> shift]++] = e[j];
		memcpy(e, tmp, n * sizeof *e);
		insertion_sort(e, 1, n);
		return;
	}
	/* both passes' buckets counted in one reading */
	uint32_t low[513] = { 0 }, high[513] = { 0 };
	for (j = 0; j < n; j++) {
		low[((e[j] >> ENTRY_CHAR) & 511) + 1]++;
		high[((e[j] >> (ENTRY_CHAR + 9)) & 511) + 1]++;
	}
	for (int b = 1; b <= 512; b++)
		low[b] += low[b - 1], high[b] += high[b - 1];
	for (j = 0; j < n; j++)
		tmp[low[(e[j] >> ENTRY_CHAR) & 511]++] = e[j];
	for (j = 0; j < n; j++)
		e[high[(tmp[j] >> (ENTRY_CHAR + 9)) & 511]++] = tmp[j];
}

/* The distinct runs of the sample while it is read: each run is looked up when it
 * ends and a repeated one is dropped (its first copy counted once more), so a
 * repeated sentence or clause is counted once with its weight, which leaves every
 * count as it was (no string crosses a run's end). */
struct runs {
	uint32_t *slot;		/* open addressing on the run's characters: 1 + kept run, 0 empty */
	size_t nslot;		/* slots, a power of two, more than twice the kept runs */
	uint32_t *start;	/* per kept run: where it is in the text */
	uint32_t *size;		/* per kept run: its characters */
	uint32_t *copies;	/* per kept run: how often the sample has it */
	uint32_t *hash;		/* per kept run: the hash of its characters (placed again when grown) */
	size_t n;		/* kept runs */
	size_t cap;		/* kept runs allocated */
	uint32_t lone;		/* 1 + the kept run of a lone wildcard, 0 till there is one */
};

/* Ends the run text[from..*n) (not empty) with hash h: a new one stays, followed by
 * a 0; a repeated one is taken back off the text. Returns the kept run's index. */
static uint32_t runs_end(struct runs *r, uint32_t *text, size_t from, size_t *n, uint32_t h)
{
	uint32_t m = (uint32_t)(*n - from);
	size_t k = h & (r->nslot - 1);
	for (; r->slot[k]; k = (k + 1) & (r->nslot - 1)) {
		uint32_t x = r->slot[k] - 1;
		const uint32_t *a = text + r->start[x], *b = text + from;
		/* the first characters compared here: a run of one (a number's
		 * wildcard, often) needs no call */
		if (r->size[x] == m && a[0] == b[0] && (m == 1 || memcmp(a + 1, b + 1, (m - 1) * sizeof *text) == 0)) {
			r->copies[x]++;
			*n = from;
			return x;
		}
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->start = xrealloc(r->start, r->cap * sizeof *r->start);
		r->size = xrealloc(r->size, r->cap * sizeof *r->size);
		r->copies = xrealloc(r->copies, r->cap * sizeof *r->copies);
		r->hash = xrealloc(r->hash, r->cap * sizeof *r->hash);
	}
	r->start[r->n] = (uint32_t)from, r->size[r->n] = m, r->copies[r->n] = 1, r->hash[r->n] = h;
	r->slot[k] = (uint32_t)++r->n;
	text[(*n)++] = 0;
	if (2 * r->n >= r->nslot) {
		/* grown: every kept run placed again by its characters' hash */
		r->nslot *= 2;
		free(r->slot);
		r->slot = xcalloc(r->nslot, sizeof *r->slot);
		for (size_t x = 0; x < r->n; x++) {
			size_t j = r->hash[x] & (r->nslot - 1);
			while (r->slot[j])
				j = (j + 1) & (r->nslot - 1);
			r->slot[j] = (uint32_t)(x + 1);
		}
	}
	return (uint32_t)r->n - 1;
}

/* The hash of a run of one wildcard (count_substrings' FNV-1a of its characters). */
#define LONE_HASH ((2166136261u ^ PLACEHOLDER) * 16777619u)

/* runs_end, with the run of a lone wildcard (a number, mostly: a list's (1), a
 * year's digits between other characters) told at once once kept (its hash
 * first: one compare for any other run): the index and copies runs_end's
 * lookup would give. */
static inline uint32_t run_close(struct runs *r, uint32_t *text, size_t from, size_t *n, uint32_t h)
{
	bool lone = h == LONE_HASH && *n - from == 1 && text[from] == PLACEHOLDER;
	if (lone && r->lone) {
		r->copies[r->lone - 1]++;
		*n = from;
		return r->lone - 1;
	}
	uint32_t x = runs_end(r, text, from, n, h);
	if (lone)
		r->lone = x + 1;
	return x;
}

static void occ_grow(struct trie *f)
{
	f->capocc = f->capocc ? 2 * f->capocc : 1024;
	f->occ = xrealloc(f->occ, f->capocc * sizeof *f->occ);
	f->occ_at = xrealloc(f->occ_at, f->capocc * sizeof *f->occ_at);
}

/* Notes a run read from the sample: its kept run x, where it begins (at: bytes,
 * OCC_NUMBER set when a number in it is one wildcard). */
static inline void occ_put(struct trie *f, uint32_t x, uint32_t at)
{
	if (f->nocc == f->capocc)
		occ_grow(f);
	f->occ[f->nocc] = x, f->occ_at[f->nocc++] = at;
}

/* The number of copies of the run at each position of the kept text (n positions). */
static uint32_t *runs_weights(struct runs *r, size_t n)
{
	/* the runs one after another from 0 to n, each with its 0: filled eight
	 * positions at a time (few loops, each guessed), what passes a run's 0
	 * being the next run's, filled after */
	uint32_t *weight = xmalloc((n + 8) * sizeof *weight);
	for (size_t x = 0; x < r->n; x++) {
		uint32_t v = r->copies[x], *p = weight + r->start[x], *end = p + r->size[x] + 1;
		for (; p < end; p += 8)
			for (int k = 0; k < 8; k++)
				p[k] = v;
	}
	free(r->slot);
	free(r->start);
	free(r->size);
	free(r->copies);
	free(r->hash);
	return weight;
}

/* Whether a node of a term's length at position i alone, whose run is repeated
 * (every use of its string is a copy of that run), with a first character of
 * class first, is sure to be passed over by collect_stats for what is before it:
 * its run goes on before it with no boundary (one left neighbour, of its count: a
 * left entropy of 0) and it cannot be a formula (led by a numeral: no left
 * entropy is asked of one). The same for every node of a chain. */
static inline bool flat_before(const uint32_t *text, uint32_t i, uint8_t first)
{
	uint32_t b = i ? text[i - 1] : 0;	/* (0 at the start: a boundary in tables.cls) */
	return !(tables.cls[b] & CLS_BOUNDARY) && !(first & CLS_NUMERAL);
}

/* And for what is after it, d (0 at its run's end): its run goes on with no
 * boundary (one child, of its count: a right entropy of 0). */
static inline bool flat_after(uint32_t d)
{
	return !(tables.cls[d] & CLS_BOUNDARY);	/* (0 a boundary there) */
}

/* A chain of level_nodes: its node (whose position, count and first character
 * are the chain's), CHAIN_FLAT set when it is flat_before. */
#define CHAIN_FLAT (1u << 31)
/* What follows the last chain: a parent above every node (they are fewer than
 * 2^28), which ends chain_nodes' loop with no test of the end. */
#define CHAIN_END (~CHAIN_FLAT)

/* What the making of one level's nodes reads and writes, for chain_nodes. */
struct level {
	struct trie_node *node;	/* the trie's nodes */
	uint32_t w;		/* the id of the next node made */
	uint32_t *look;		/* the nodes worth a look */
	uint32_t nlook;		/* how many */
	uint64_t worth;		/* look_worth of this level (level_nodes) */
	const uint32_t *at_last;	/* the text from k − 1 on: at a position, the last character
				 * of its string of this level, and the one after */
	const uint32_t *prev;	/* per position: its node of the level before */
	uint32_t *cur;		/* and of this level */
	uint32_t *put;		/* where the next level's next chain goes */
	uint8_t k;		/* the level */
};

/* Makes the nodes of the chains from ch on whose parents come before gpar (up to
 * CHAIN_END), and returns where it stopped: a chain is one position whose run is
 * repeated (its count is its weight, 2 or more), the only child of its parent,
 * which has the same position, count and first character.
 * looks and push as for level_nodes. Inline, so that each use is made for its
 * constants, into functions of their own (few registers for many values). */
static inline __attribute__((always_inline)) const uint32_t *chain_nodes(struct level *lv, const uint32_t *ch,
									 uint32_t gpar, bool looks, bool push)
{
	struct trie_node *node = lv->node;
	uint32_t w = lv->w, *look = lv->look + lv->nlook;	/* where the next look goes */
	const uint32_t *at_last = lv->at_last, *prev = lv->prev;
	uint32_t *cur = lv->cur, *put = lv->put;
	uint64_t worth = lv->worth;
	uint8_t k = lv->k;
	struct trie_node *x = &node[w];
	for (uint32_t v; ((v = *ch) & ~CHAIN_FLAT) < gpar; ch++, w++, x++) {
		uint32_t parent = v & ~CHAIN_FLAT;
		struct trie_node *up = &node[parent];
		/* read before anything is written (else read again after each store) */
		uint32_t i = up->at, count = up->count, c = at_last[i], d = at_last[i + 1];
		uint32_t suffix = prev[i + 1] & TAG_NODE;
		uint8_t last = tables.cls[c], first = up->first_cls;
		cur[i] = w | 1u << TAG_TWO | 1u << TAG_CHAIN;
		x->parent = parent, x->count = count, x->at = i;
		x->suffix = suffix;
		x->kids = x->nkids = 0;
		x->depth = k;
		x->first_cls = first, x->last_cls = last;
		up->kids = w, up->nkids = 1;
		if (looks && !(v & CHAIN_FLAT) && !flat_after(d)) {
			*look = w;
			look += (worth >> ((1 + (count >= 3)) * 16 +
					   ((first & (CLS_NUMERAL | CLS_STOP_START)) | (last & CLS_STOP_END)))) & 1;
		}
		if (push) {
			*put = w | (v & CHAIN_FLAT);
			put += d != 0;
		}
	}
	lv->w = w, lv->nlook = (uint32_t)(look - lv->look), lv->put = put;
	return ch;
}

static __attribute__((noinline)) const uint32_t *chain_nodes_looks(struct level *lv, const uint32_t *ch, uint32_t gpar)
{
	return chain_nodes(lv, ch, gpar, true, true);
}

static __attribute__((noinline)) const uint32_t *chain_nodes_last(struct level *lv, const uint32_t *ch, uint32_t gpar)
{
	return chain_nodes(lv, ch, gpar, false, false);
}

/* Makes the nodes of level k from its entries (*nlivep of them, grouped by node
 * and character) and its chains' (as CHAIN_FLAT says, in the order of their
 * parents, then CHAIN_END; none at the top), and notes in cur each position's
 * node (TAG_TWO set when seen twice, TAG_CHAIN when a chain's; 0 for a string
 * seen once, not top, but one led by an ordinal's character: no node is made for
 * it, see count_substrings); prev holds the level before's. A
 * node of one position seen twice or more (its run is repeated) begins or goes on
 * a chain: its child at the next level is put in next (when push, and its run
 * goes on), not among the entries. top: k is 1; looks: k is a term's length, and
 * the nodes worth a look are noted; push: k is a term's length too (chains begin
 * at the second level, made from every entry of the first), and only the entries
 * of nodes of several are left in e, in order (*nlivep of them): the filter of
 * the next level keeps no other (one seen once, or a chain's). Inline, so that
 * each use is made for its constants. Returns how many it put in next. */
static inline __attribute__((always_inline)) size_t level_nodes(struct trie *f, uint64_t *e, size_t *nlivep,
							       const uint32_t *chain, uint32_t *next,
							       const uint32_t *text, const uint32_t *weight,
							       const uint32_t *prev, uint32_t *cur, int k, bool top,
							       bool looks, bool push, bool pairs)
{
	uint32_t w = f->n, nlook = f->nlook, *look = f->look;
	struct trie_node *node = f->node;
	uint64_t worth = tables.worth[k];	/* look_worth for this level */
	size_t nlive = *nlivep, nkeep = 0;
	struct level lv = { node, w, look, nlook, worth, text + k - 1, prev, cur, next, (uint8_t)k };
	/* the chains end with CHAIN_END (not at the top, which has none) */
	const uint32_t *ch = chain;
	uint32_t *put = next;
	/* (e has room for one more; no node is 2^28 − 1, so the parent read
	 * there is above every chain's, and no group's) */
	e[nlive] = UINT64_MAX;
	for (size_t j = 0;;) {
		/* the parent of the next group of entries, and the chains whose
		 * parents come before it */
		uint32_t gpar = (uint32_t)(e[j] >> ENTRY_NODE);
		if (!top && (*ch & ~CHAIN_FLAT) < gpar) {
			lv.w = w, lv.nlook = nlook, lv.put = put;
			ch = looks ? chain_nodes_looks(&lv, ch, gpar) : chain_nodes_last(&lv, ch, gpar);
			w = lv.w, nlook = lv.nlook, put = lv.put;
		}
		if (j >= nlive)
			break;
		uint64_t y = e[j], g = y >> ENTRY_CHAR;	/* an entry, its node and character */
		uint32_t i = (uint32_t)y & ENTRY_POS, count = 0;
		uint32_t parent = top ? 0 : (uint32_t)(g >> (ENTRY_NODE - ENTRY_CHAR)), c = (uint32_t)g & ENTRY_POS;
		size_t j0 = j;
		/* each position's node, marked as seen twice (the mark taken off after
		 * when not: a count below 2 is a group of one entry, i); the group ends
		 * at the last entry at the latest (e[nlive] is no group's) */
		do {
			uint32_t p = (uint32_t)y & ENTRY_POS;
			count += weight[p];
			cur[p] = w | 1u << TAG_TWO;
			if (push)
				e[nkeep++] = y;	/* never passes j */
			y = e[++j];
		} while (y >> ENTRY_CHAR == g);
		/* one entry seen twice or more: a chain begins (not at the top, whose
		 * next level is made from every entry) */
		bool one = j == j0 + 1, starts = !top && one && count >= 2;
		nkeep -= push & one;	/* kept by the filter only in a group of several */
		if (!top && one && count < 2 &&
		    (pairs || (!(node[parent].first_cls & CLS_NUMERAL) && text[i] != ORDINAL_FIRST))) {
			cur[i] = 0;	/* stale at every level, as a node of this one seen once */
			continue;
		}
		cur[i] = w | (uint32_t)(count >= 2) << TAG_TWO | (uint32_t)starts << TAG_CHAIN;
		/* node w: the children of one node are made one after the other */
		struct trie_node *x = &node[w], *up = &node[parent];
		uint8_t last = tables.cls[c], first = top ? last : up->first_cls;
		x->parent = parent, x->count = count, x->at = i;
		/* the string one character on is one shorter: made the level before */
		x->suffix = top ? 0 : prev[i + 1] & TAG_NODE;
		x->kids = x->nkids = 0;
		x->depth = (uint8_t)k;
		x->first_cls = first, x->last_cls = last;
		up->kids += w & (0u - (up->nkids++ == 0));	/* the first child (kids is 0 till then), with no branch */
		/* a chain that begins: no look when sure to be passed over */
		bool flat = starts && flat_before(text, i, first);
		if (looks && !(flat || (starts && flat_after(text[i + k])))) {
			look[nlook] = w;
			nlook += (uint32_t)(worth >> (((count >= 2) + (count >= 3)) * 16 +
						      ((first & (CLS_NUMERAL | CLS_STOP_START)) | (last & CLS_STOP_END)))) & 1;
		}
		if (push) {
			*put = w | (flat ? CHAIN_FLAT : 0);
			put += starts & (text[i + k] != 0);
		}
		w++;
	}
	f->n = w, f->nlook = nlook;
	if (push)
		*nlivep = nkeep;
	return push ? (size_t)(put - next) : 0;
}

static void slots_unmap(void *p)
{
	munmap(p, SLOTS_BYTES);
}

/* This thread's slots, or NULL when none can be had. */
static uint32_t *char_slots(void)
{
	if (!thread_slots && slots_keyed) {
		void *p = mmap(NULL, SLOTS_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		if (pthread_setspecific(slots_key, p) != 0) {
			munmap(p, SLOTS_BYTES);
			return NULL;
		}
		thread_slots = p;
	}
	return thread_slots;
}

/* The entries of the first level (its positions but the runs' ends, as
 * (character, position)) put in e in order, sorted by character then position;
 * returns how many. By a count of each character in the slots and a place for
 * each: two passes over the text, where a sort by radix reads and writes every
 * entry twice more (or by sort_entries when there are no slots). With the slots,
 * the first level's nodes are made on the way (*made set), as level_nodes makes
 * them from the entries: each character's weighted count in the second array of
 * slots, then its node's cur value, which the second pass writes (and 0 in
 * prev, as a 0 at every position was their start: count_substrings), counting
 * on the way in place (n + 2), per node x of the first level, at x, the
 * positions i of a pair of the second level (text[i] and text[i + 1] both seen
 * twice or more) whose first is x's (count_substrings, at the second level). tmp
 * (n + 1) and chars (n + 1) are scratch. */
static size_t first_entries(struct trie *f, const uint32_t *text, const uint32_t *weight, size_t n, uint64_t *e,
			    uint64_t *tmp, uint32_t *chars, uint32_t *cur, uint32_t *prev, uint32_t *place, bool *made)
{
	uint32_t *slot = char_slots();
	size_t nlive = 0;
	*made = false;
	if (!slot) {
		for (size_t i = 0; i < n; i++)
			if (text[i])
				e[nlive++] = (uint64_t)text[i] << ENTRY_CHAR | i;
		sort_entries(e, nlive, tmp);
		return nlive;
	}
	uint32_t *wsum = slot + ((size_t)1 << ENTRY_CHAR);	/* each character's count (weights) */
	/* each character's count, the runs' ends (0) too, its count with the
	 * weights, and the characters met, in e as entries of their first
	 * position (an entry is written at every position, and kept when its
	 * character is new) */
	size_t d = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = text[i];
		e[d] = (uint64_t)c << ENTRY_CHAR | i;
		wsum[c] += weight[i];
		d += slot[c]++ == 0;
	}
	sort_entries(e, d, tmp);
	/* each character's node, in their order (the root's children), and its
	 * first place; the runs' ends after all, their cur value 0 */
	struct trie_node *node = f->node;
	uint32_t w = f->n;
	for (size_t x = 0; x < d; x++) {
		uint32_t c = (uint32_t)(e[x] >> ENTRY_CHAR), k = slot[c];
		chars[x] = c;
		if (!c)
			continue;
		slot[c] = (uint32_t)nlive;
		nlive += k;
		uint32_t count = wsum[c];
		struct trie_node *v = &node[w];
		uint8_t cls = tables.cls[c];
		v->parent = 0, v->count = count, v->at = (uint32_t)e[x] & ENTRY_POS;
		v->suffix = 0;
		v->kids = v->nkids = 0;
		v->depth = 1;
		v->first_cls = cls, v->last_cls = cls;
		wsum[c] = w | (uint32_t)(count >= 2) << TAG_TWO;
		w++;
	}
	node[0].kids = w > f->n ? f->n : 0;
	node[0].nkids = w - f->n;
	memset(place, 0, ((size_t)(w - f->n) + 1) * sizeof *place);
	uint32_t lo = f->n;	/* (the first level's first node: 1) */
	f->n = w;
	slot[0] = (uint32_t)nlive;
	wsum[0] = 0;
	/* the pair of i − 1 and i (before: cur[i − 1], 0 before the first) */
	uint32_t before = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = text[i], here = wsum[c], keep = (before & here) >> TAG_TWO;
		e[slot[c]++] = (uint64_t)c << ENTRY_CHAR | i;
		cur[i] = here;
		prev[i] = 0;
		place[keep * ((before & TAG_NODE) - lo + 1)] += keep;
		before = here;
	}
	for (size_t x = 0; x < d; x++)
		slot[chars[x]] = wsum[chars[x]] = 0;
	slot[0] = 0;
	*made = true;
	return nlive;
}

/* Counts the substrings of the sample's Han runs level by level (Apriori): a
 * string of k characters is counted only where both its (k−1)-character pieces
 * occur twice or more, since otherwise it occurs once and can be no candidate.
 * Strings seen once add nothing to an entropy (1·ln 1 = 0), so the statistics
 * are exact while most long substrings are never stored. Nor is a string seen
 * once (two thirds of the pairs counted in real text, a third of the strings of
 * three characters) unless it begins with 第 or a numeral (ordinal_uses counts
 * those): it adds nothing to an entropy, and a candidate has a count of three
 * or more, its pieces too; of the counts looked up, those of not_a_term compare
 * a count of 1 or 0 with more than 2, the raw count of a quoted text is at least
 * the times it was quoted, and a text not quoted (the glossary's) is counted by
 * seen_once; a candidate's own node (held_pairs) gives the pieces its text
 * gives. */
static void count_substrings(struct terms *t)
{
	struct trie *f = &t->fwd;
	/* a character takes a byte at least */
	size_t cap = (t->sample.len < SAMPLE_CHARS ? t->sample.len : SAMPLE_CHARS) + 1, n = 0;
	uint32_t *text = xmalloc(cap * sizeof *text);
	const char *s = t->sample.data ? t->sample.data : "";
	const unsigned char *u = (const unsigned char *)s;
	size_t at = 0, len = t->sample.len;
	/* raw: positions as the text would have them with every run kept (the
	 * sample's cut); from: where the run being read began; h: its hash */
	size_t raw = 0, from = 0;
	uint32_t h = 2166136261u;
	size_t number_end = SIZE_MAX;	/* just after the last digit read */
	/* where the run being read began (bytes), with OCC_NUMBER when a number
	 * in it is one wildcard (the sample is below 2^31 bytes) */
	uint32_t run_at = 0;
	bool odd = false;	/* a U+FFFD read */
	/* room for a run every 40 bytes, about what texts have (distinct ones:
	 * fewer), so that most tables never grow */
	struct runs r = { .nslot = 256 };
	while (r.nslot < len / 20)
		r.nslot *= 2;
	r.slot = xcalloc(r.nslot, sizeof *r.slot);
	r.cap = r.nslot / 2;
	r.start = xmalloc(r.cap * sizeof *r.start);
	r.size = xmalloc(r.cap * sizeof *r.size);
	r.copies = xmalloc(r.cap * sizeof *r.copies);
	r.hash = xmalloc(r.cap * sizeof *r.hash);
	while (at < len && raw + 1 < cap) {
		uint32_t c;
		/* most of it: runs of Han of U+4E00–U+9FFF, three bytes led by E4–E9,
		 * read in a loop of their own as far as the cut leaves room */
		if (u[at] - 0xE4u < 6) {
			size_t room = cap - 1 - raw, most = (len - at) / 3;
			uint32_t *q = text + n, *q_end = q + (room < most ? room : most);
			const unsigned char *p = u + at;
			while (q < q_end) {
				/* the character by three look-ups: in U+4E00–U+9FFF only
				 * when its bytes are a lead E4–E9 and two continuations
				 * (any other byte adds HAN_NONE), lead E4 below B8 too */
				uint32_t d = tables.han_lead[p[0]] + tables.han_mid[p[1]] + tables.han_last[p[2]];
				if (d - 0x4E00u >= 0x5200u)
					break;
				*q++ = d;
				h = (h ^ d) * 16777619u;
				p += 3;
			}
			if (q > text + n) {
				size_t got = (size_t)(q - (text + n));
				run_at = n == from ? (uint32_t)at : run_at;
				n += got, raw += got, at += 3 * got;
				continue;
			}
		}
		size_t was = at;
		if (u[at] < 0x80) {
			c = u[at++];	/* ASCII (as decode takes it): a digit, X x *, or a run's end */
		} else if (len - at >= 3 && u[at] == 0xE3 && u[at + 1] == 0x80 && (u[at + 2] ^ 0x80u) < 0x40 &&
			   u[at + 2] != 0x87) {
			/* CJK punctuation, U+3000–U+303F but 〇 (U+3007): no Han, no
			 * placeholder, no digit, told by its bytes */
			at += 3;
			if (n > from) {
				raw++;	/* a run ends */
				occ_put(f, run_close(&r, text, from, &n, h), run_at);
				from = n, h = 2166136261u;
			}
			continue;
		} else {
			at += decode(s + at, len - at, &c);
			odd |= c == 0xFFFD;
		}
		if (c < 65536 ? !(tables.run[c / 64] >> (c % 64) & 1) : !is_han(c)) {
			/* no Han, placeholder or digit (most here: punctuation) */
			if (n > from) {
				raw++;	/* a run ends */
				occ_put(f, run_close(&r, text, from, &n, h), run_at);
				from = n, h = 2166136261u;
			}
			continue;
		}
		if (is_digit(c)) {
			bool more = was == number_end;	/* the number goes on: one wildcard */
			number_end = at;
			if (more) {
				run_at |= OCC_NUMBER;
				continue;
			}
			c = PLACEHOLDER;
		} else if (!is_han(c)) {
			c = PLACEHOLDER;
		}
		run_at = n == from ? (uint32_t)was : run_at;
		text[n++] = c, raw++;
		h = (h ^ c) * 16777619u;
	}
	f->whole = at >= len;
	f->odd = odd;
	if (n > from)
		occ_put(f, run_close(&r, text, from, &n, h), run_at);
	f->nruns = (uint32_t)r.n;
	uint32_t *weight = runs_weights(&r, n);
	f->text = text, f->weight = weight, f->ntext = n;
	trie_reserve(f, 4 * n);	/* more nodes than most documents have: no copy */
	/* the node at each position of the level before and of this one, with
	 * TAG_TWO set when it was seen twice or more: a node made before the level
	 * began is stale (ids grow level by level), so neither array is cleared
	 * after it starts as 0 (by first_entries, with the first level's nodes,
	 * or here) */
	uint32_t *prev_base = xmalloc((n + 2) * sizeof *prev_base), *cur_base = xmalloc((n + 2) * sizeof *cur_base);
	/* each with a 0 before position 0, read as the node before the first one (a
	 * run's start), and one after the last */
	uint32_t *prev = prev_base + 1, *cur = cur_base + 1;
	prev[-1] = cur[-1] = prev[n] = cur[n] = 0;
	/* the positions alive, as entries (the node of the string so far, the next
	 * character, the position): grouped by node, sorted inside each group */
	uint64_t *e = xmalloc((n + 1) * sizeof *e), *tmp = xmalloc((n + 1) * sizeof *tmp);
	uint32_t *bad = xmalloc((n + 1) * sizeof *bad);	/* entries found out of order */
	bool made;	/* the first level's nodes made by first_entries */
	uint32_t *place = xmalloc((n + 2) * sizeof *place);	/* per node of the first level: where its entries go */
	size_t nlive = first_entries(f, text, weight, n, e, tmp, bad, cur, prev, place, &made);
	if (!made) {
		memset(prev, 0, n * sizeof *prev);
		memset(cur, 0, n * sizeof *cur);
	}
	/* the chains of this level and of the next (level_nodes): a position of a
	 * repeated run is kept at every level its run reaches (each string of the
	 * run is seen twice or more), so a node of one position whose count is 2 or
	 * more has one child, along its run, at each level after till the run ends:
	 * made from its parent (whose position it has) with no entry to filter or
	 * group */
	uint32_t *spare = xmalloc((n + 2) * sizeof *spare);
	uint32_t *chain = spare, *chain_next = place;	/* place is free from the second level on */
	size_t nchain = 0;
	for (int k = 1; k <= DEPTH && (nlive || nchain); k++) {
		/* each run of one node and one character is a new node; the children of
		 * a node are made one after the other, in the order of their characters */
		trie_reserve(f, nlive + nchain);
		uint32_t lo = k == 1 ? 1 : f->n;	/* the level's first node (after the root) */
		/* made by first_entries or a copy of level_nodes for the first level,
		 * one for the levels with nodes worth a look, one for the last */
		size_t nnext;
		if (k > 1)
			chain[nchain] = CHAIN_END;	/* (nchain is below n + 1: a chain a position) */
		if (k == 1 && made)
			nnext = 0;
		else if (k == 1)
			nnext = level_nodes(f, e, &nlive, NULL, NULL, text, weight, prev, cur, k, true, false, false,
					    false);
		else if (k == 2)
			nnext = level_nodes(f, e, &nlive, chain, chain_next, text, weight, prev, cur, k, false, true,
					    true, true);
		else if (k <= MAX_LEN)
			nnext = level_nodes(f, e, &nlive, chain, chain_next, text, weight, prev, cur, k, false, true,
					    true, false);
		else
			nnext = level_nodes(f, e, &nlive, chain, NULL, text, weight, prev, cur, k, false, false,
					    false, false);
		if (k == DEPTH)
			break;
		uint32_t *was = chain;
		chain = chain_next, chain_next = was;
		nchain = nnext;
		if (k == 1) {
			/* the second level, whose groups are big (every use of a common
			 * character), with no sort: i is kept on the rules below when
			 * text[i] and text[i+1] were both seen twice; taken as p − 1 for
			 * each entry p of the first level in its order (by character,
			 * then position), the entries of one character come in the order
			 * of the next one, then of their positions, and are put at their
			 * character's place */
			uint32_t nodes = f->n - lo;
			/* counted in the order of positions, not of the entries (cur
			 * read in order): every i + 1 of a character is an entry's
			 * p, and where text[i + 1] is a run's end, cur[i + 1] is 0 (so is
			 * cur[i] at one, a node of this level elsewhere); the text ends
			 * with a run's end. By first_entries, when it made the nodes. */
			if (!made) {
				memset(place, 0, ((size_t)nodes + 1) * sizeof *place);
				for (size_t i = 0; i + 1 < n; i++) {
					uint32_t before = cur[i], keep = (before & cur[i + 1]) >> TAG_TWO;
					place[keep * ((before & TAG_NODE) - lo + 1)] += keep;
				}
			}
			for (uint32_t x = 1; x <= nodes; x++)
				place[x] += place[x - 1];
			size_t kept = place[nodes];
			/* the entry of p − 1 is p's (whose character it is, p > 0 when
			 * kept), its position one less, under the node before */
			for (size_t j = 0; j < nlive; j++) {
				uint32_t p = (uint32_t)e[j] & ENTRY_POS, before = (cur - 1)[p], here = before & TAG_NODE;
				if ((before & cur[p]) >> TAG_TWO)
					tmp[place[here - lo]++] = (uint64_t)here << ENTRY_NODE | (e[j] - 1);
			}
			uint64_t *y = e;
			e = tmp, tmp = y;
			nlive = kept;
			uint32_t *x = prev;
			prev = cur, cur = x;
			continue;
		}
		/* a string seen once has no longer string to count, nor has one whose
		 * piece one character on was seen once (Apriori; the entries left are
		 * those of nodes of several, none a chain's: level_nodes): every entry is
		 * written and only the kept ones are counted (no branch to mispredict;
		 * the writing never passes the reading). The entries stay grouped by
		 * their node (in its order), each group in the order of positions: one
		 * whose next characters are not in order either is noted where it
		 * shows among all the entries (the first kept one from there on, in
		 * the same group if out of order), not only the kept ones, so that no
		 * entry waits for the one before it to be kept or not */
		size_t kept = 0, nbad = 0;
		uint64_t last = 0;
		for (size_t j = 0; j < nlive; j++) {
			/* cur[i + 1] is stale when below lo (made at an earlier level) */
			uint32_t i = (uint32_t)e[j] & ENTRY_POS, here = cur[i], next = cur[i + 1];
			bool keep = ((here & next) >> TAG_TWO) & ((next & TAG_NODE) >= lo);
			uint64_t x = (uint64_t)(here & TAG_NODE) << ENTRY_NODE | (uint64_t)text[i + k] << ENTRY_CHAR | i;
			e[kept] = x;
			bad[nbad] = (uint32_t)kept;
			nbad += x < last;
			last = x;
			kept += keep;
		}
		/* then each group noted sorted by the next character */
		for (size_t b = 0, done = 0; b < nbad; b++) {
			size_t lo_j = bad[b], hi_j = lo_j + 1;
			if (lo_j < done || lo_j >= kept)
				continue;
			uint64_t g = e[lo_j] >> ENTRY_NODE;
			while (lo_j > 0 && e[lo_j - 1] >> ENTRY_NODE == g)
				lo_j--;
			while (hi_j < kept && e[hi_j] >> ENTRY_NODE == g)
				hi_j++;
			sort_entries(e + lo_j, hi_j - lo_j, tmp);
			done = hi_j;
		}
		nlive = kept;
		uint32_t *x = prev;
		prev = cur, cur = x;
	}
	free(spare);
	free(place);
	free(bad);
	free(tmp);
	free(e);
	free(cur_base);
	free(prev_base);
}

/* --- choosing --- */

/* The UTF-8 text of the n characters s; off (not NULL: n + 1 of them) gets where
 * each character begins in it, and its length. */
static char *cps_text(const uint32_t *s, int n, size_t *off)
{
	char *out = xmalloc((size_t)n * 4 + 1);
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		uint32_t c = s[i];
		if (off)
			off[i] = k;
		if (c - 0x800 < 0xD800 - 0x800 || c - 0xE000 < 0x10000 - 0xE000) {
			/* most (the trie's Han): three bytes, here */
			out[k] = (char)(0xE0 | c >> 12);
			out[k + 1] = (char)(0x80 | (c >> 6 & 0x3F));
			out[k + 2] = (char)(0x80 | (c & 0x3F));
			k += 3;
		} else {
			k += utf8_encode(c, out + k);
		}
	}
	if (off)
		off[n] = k;
	out[k] = 0;
	return out;
}

/* Whether the n bytes at s are a stop word (a hash set in the tables). */
static inline bool stop_lookup(const char *s, size_t n)
{
	const char *const *slot = tables.stop;
	for (uint32_t h = str_hash(s, n) & (STOP_SLOTS - 1); slot[h]; h = (h + 1) & (STOP_SLOTS - 1))
		if (strncmp(slot[h], s, n) == 0 && slot[h][n] == 0)
			return true;
	return false;
}

/* Whether the set of BMP characters set (bits) has c. */
static bool in_set(const uint64_t *set, uint32_t c)
{
	return c < 65536 && (set[c / 64] >> (c % 64) & 1);
}

/* Whether the phrase of the n characters s (n >= 2; text, their cps_text, its
 * characters beginning at off) is a stop word, begins or ends with one, or holds
 * a pronoun (我们 你们 他们 大家 自己, by their two characters: 摆在我们面前 is a
 * clause, not a term); *head gets the
 * characters of the longest stop word shorter than it that it begins with, 0 if
 * none. */
static bool stop_phrase(const char *text, const uint32_t *s, int n, const size_t *off, int *head)
{
	/* (none when no stop word begins with its first character: most) */
	bool first = in_set(tables.stop_first, s[0]), stop = first && stop_lookup(text, off[n]);
	for (int i = 1; i < n && !stop; i++) {
		uint32_t c = s[i], last = s[i - 1];
		stop = (c == 0x4EEC && (last == 0x6211 || last == 0x4F60 || last == 0x4ED6)) ||
		       (c == 0x5BB6 && last == 0x5927) || (c == 0x5DF1 && last == 0x81EA);
	}
	/* every shorter head and tail, by whole characters, when a stop word begins
	 * (ends) with its first (last) character */
	*head = 0;
	if (first)
		for (int i = 1; i < n; i++)
			if (stop_lookup(text, off[i]))
				*head = i;
	stop |= *head > 0;
	if (!stop && in_set(tables.stop_last, s[n - 1]))
		for (int i = n - 1; i > 0 && !stop; i--)
			stop = stop_lookup(text + off[i], off[n] - off[i]);
	return stop;
}

/* Cohesion: at every split, the share of the rarer side's uses that the whole
 * explains; the minimum over the splits. */
static double cohesion(const struct trie *f, uint32_t v, int n, long count)
{
	/* the pieces are nodes already: the first k characters an ancestor, the rest
	 * k suffix links on */
	uint32_t head[DEPTH + 1];
	for (uint32_t u = v, d = (uint32_t)n; u; u = f->node[u].parent)
		head[d--] = u;
	double worst = 1;
	uint32_t tail = v;
	for (int k = 1; k < n; k++) {
		tail = f->node[tail].suffix;
		long a = f->node[head[k]].count, b = f->node[tail].count;
		long m = a < b ? a : b;
		double c = m > 0 ? (double)count / (double)m : 0;
		if (c < worst)
			worst = c;
	}
	return worst;
}

/* Entropy of what precedes node v, from the sum of its left neighbours' c·ln c; as
 * on the right, run edges count as all different. */
static double left_entropy(const struct trie *t, uint32_t v, double sum)
{
	double n = t->node[v].count;
	return n > 0 ? trie_ln_count(t, v) - sum / n : 0;
}

/* What makes an ordinal or a part of a number of what follows: 第 and the numerals. */
#define ORDINAL_PRE "第" NUMERALS
#define NORDINAL 16	/* characters in ORDINAL_PRE */

/* The nodes of ORDINAL_PRE's characters (0 for one the sample lacks), found once
 * for every ordinal_uses of a document. */
static void ordinal_nodes(const struct trie *f, uint32_t *node)
{
	static const char pre[] = ORDINAL_PRE;
	int k = 0;
	for (size_t i = 0; i < sizeof pre - 1 && k < NORDINAL; k++) {
		uint32_t c;
		i += utf8_decode(pre + i, sizeof pre - 1 - i, &c);
		node[k] = trie_child(f, 0, c);
	}
}

/* Occurrences of s preceded by 第 or by another numeral: ordinal or part of a number
 * (pre: ordinal_nodes). */
static long ordinal_uses(const struct trie *f, const uint32_t *pre, const uint32_t *s, int n)
{
	if (n + 1 > DEPTH)
		return 0;
	long k = 0;
	for (int i = 0; i < NORDINAL; i++) {
		uint32_t v = pre[i];
		for (int j = 0; j < n && v; j++)
			v = trie_child(f, v, s[j]);
		k += v ? f->node[v].count : 0;
	}
	return k;
}

/* Numeral-led shape: numerals, then a marker and a tail, or a plan name (十四五),
 * or a tail alone; quoted says whether the text was seen inside quotes. */
static bool formula_shape(const uint8_t *cls, const uint32_t *s, int n, bool quoted)
{
	int i = 0;
	while (i < n && cls_is(cls, s[i], CLS_NUMERAL))
		i++;
	if (i == 0 || n > MAX_LEN)
		return false;
	if (i == n)	/* 十四五, 三二一: all numerals */
		return n == 3 && (quoted || (s[0] == 0x5341 && s[2] == 0x4E94));	/* 十X五 */
	if (s[0] == 0x4E00 && !quoted) {	/* 一: only 一X一Y (一带一路) unquoted */
		return n == 4 && s[2] == 0x4E00;
	}
	if (quoted)
		return true;
	if (i > 2)
		return false;
	if (cls_is(cls, s[i], CLS_MARKER)) {
		int tail = n - i - 1;
		return tail >= 1 && tail <= 5 && !cls_is(cls, s[i + 1], CLS_COUNT_TAIL | CLS_NUMERAL);
	}
	return false;
}

static int cmp_score(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->hits != y->hits)
		return x->hits > y->hits ? -1 : 1;
	return strcmp(x->text, y->text);
}

/* The candidate list while choosing. */
struct cands {
	struct cand *v;		/* candidates */
	size_t n;		/* used */
	size_t cap;		/* allocated */
	uint32_t *slot;		/* open addressing on the text: index + 1, 0 empty */
	size_t nslot;		/* slots, a power of two, at least twice n */
};

/* The candidate whose text is the n bytes at s, or NULL. */
static struct cand *cands_lookup(const struct cands *c, const char *s, size_t n)
{
	if (!c->nslot)
		return NULL;
	for (size_t h = str_hash(s, n) & (c->nslot - 1); c->slot[h]; h = (h + 1) & (c->nslot - 1)) {
		struct cand *x = &c->v[c->slot[h] - 1];
		if (strncmp(x->text, s, n) == 0 && x->text[n] == 0)
			return x;
	}
	return NULL;
}

static struct cand *cands_find(struct cands *c, const char *text)
{
	return cands_lookup(c, text, strlen(text));
}

/* Places candidate i, whose text has bl bytes, in the slots. */
static void cands_index(struct cands *c, size_t i, size_t bl)
{
	size_t h = str_hash(c->v[i].text, bl) & (c->nslot - 1);
	while (c->slot[h])
		h = (h + 1) & (c->nslot - 1);
	c->slot[h] = (uint32_t)(i + 1);
}

/* A new candidate, the text of bl bytes, of no characters yet. */
static struct cand *cands_new(struct cands *c, char *text, size_t bl, const char *kind)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	if (2 * (c->n + 1) > c->nslot) {
		free(c->slot);
		c->nslot = c->nslot ? c->nslot * 2 : 256;
		c->slot = xcalloc(c->nslot, sizeof *c->slot);
		for (size_t i = 0; i < c->n; i++)
			cands_index(c, i, strlen(c->v[i].text));
	}
	struct cand *x = &c->v[c->n];
	memset(x, 0, sizeof *x);
	x->id = (uint32_t)c->n;
	x->text = text;
	x->kind = kind;
	cands_index(c, c->n++, bl);
	return x;
}

/* A new candidate of the n characters s (at most MAX_QUOTE + 1), whose
 * cps_text is text (bl bytes). */
static struct cand *cands_add_cps(struct cands *c, char *text, size_t bl, const char *kind, const uint32_t *s, int n)
{
	struct cand *x = cands_new(c, text, bl, kind);
	memcpy(x->cps, s, (size_t)n * sizeof *s);
	x->len = n;
	return x;
}

static struct cand *cands_add(struct cands *c, char *text, const char *kind)
{
	size_t bl = strlen(text);
	struct cand *x = cands_new(c, text, bl, kind);
	for (size_t i = 0; i < bl;) {
		uint32_t cp;
		i += utf8_decode(text + i, bl - i, &cp);
		if (x->len <= MAX_QUOTE)
			x->cps[x->len] = cp;
		x->len++;
	}
	return x;
}

static bool memchr_cp(const uint32_t *s, int n, uint32_t c)
{
	for (int i = 0; i < n; i++)
		if (s[i] == c)
			return true;
	return false;
}

/* Shapes that stick together and combine freely but are not terms:
 *  - a reduplicated verb, X一X, X了X, X不X (讲一讲, 看了看, 是不是);
 *  - a quantifier made only of quantity characters (大多数, 大部分);
 *  - an adverbial in 地 (有步骤地, 毫不动摇地): four characters or more ending in 地
 *    where no shorter ending in 地 (用地, 基地, 根据地) is used more widely than the
 *    whole, so the 地 belongs to this phrase alone;
 *  - a phrase ending in one character that belongs to what follows: nearly always
 *    followed by the same conjunction or 的, which its last character takes more
 *    often than the character before it (改革并完善党 before 和国家: 党和 is far
 *    more frequent than 善党; 改善党 before 的领导; 远大理想 before 和 stays,
 *    理想 is a word);
 *  - a phrase after a withheld numeral (×届×次全会): mostly right after a
 *    placeholder and starting with what counts follow (次, 届, 年);
 *  - a noun with a modifier of two characters or more in 的 (粗放的难题): a
 *    description, not a name (党的领导, 党的十九大 stay);
 *  - 以 or 为 and two characters, a half of 以…为… (以强烈[的], [以…]为支撑);
 *    longer ones may be names (以人民为中心, 为人民服务). */
static bool not_a_term(const struct terms *t, uint32_t v, const uint32_t *s, int n)
{
	const struct trie *f = &t->fwd;
	long count = f->node[v].count;
	if (n == 3 && s[0] == s[2] && (s[1] == 0x4E00 || s[1] == 0x4E86 || s[1] == 0x4E0D))	/* 一 了 不 */
		return true;
	for (int j = 2; j < n - 1; j++)
		if (s[j] == 0x7684)	/* 的 */
			return true;
	if (n == 3 && (s[0] == 0x4EE5 || s[0] == 0x4E3A))	/* 以 为 */
		return true;
	int k = 0;
	while (k < n && has_cls(t, s[k], CLS_QUANTITY))
		k++;
	if (k == n)
		return true;
	uint32_t x[DEPTH] = { PLACEHOLDER };
	if (n + 1 <= DEPTH && has_cls(t, s[0], CLS_COUNT_TAIL)) {
		memcpy(x + 1, s, (size_t)n * sizeof *s);
		if (trie_count(f, x, n + 1) * 2 >= count)
			return true;
	}
	if (n >= 4 && s[n - 1] == 0x5730) {	/* 地 */
		bool word = false;
		for (int m = 2; m < n && !word; m++)
			word = trie_count(f, s + n - m, m) * 2 >= count * 3;
		if (!word)
			return true;
	}
	for (size_t q = 0; q < sizeof conjunctions / sizeof *conjunctions; q++) {
		uint32_t r = conjunctions[q], w = trie_child(f, v, r);
		if (w && f->node[w].count * 4 >= count * 3) {
			uint32_t pair[2] = { s[n - 1], r };
			if (trie_count(f, pair, 2) >= 2 * trie_count(f, s + n - 2, 2))
				return true;
		}
	}
	return false;
}

/* Statistical phrases and unquoted formulas from the forward trie. */
static void collect_stats(struct terms *t, struct cands *c)
{
	struct trie *f = &t->fwd;
	/* first the tests that need no left entropy, in node order: what passes
	 * them waits (a formula decided), and only its left sums are made */
	uint32_t *wait = xmalloc((f->n + 1) * sizeof *wait), nwait = 0;
	double *wait_rh = xmalloc((f->n + 1) * sizeof *wait_rh);	/* their right entropies */
	/* 1 + where in wait; the thread's slots when they are that many (all 0
	 * between uses, as first_entries leaves them), not an array zeroed for each
	 * document */
	uint32_t *slots = char_slots();
	uint32_t *left = f->mark = slots && f->n < 1u << ENTRY_CHAR ? slots : xcalloc(f->n + 1, sizeof *left);
	uint32_t pre[NORDINAL];
	ordinal_nodes(f, pre);
	/* what can be no phrase went before its string is spelt out, as the nodes
	 * were made (look_worth: most fail) */
	const uint32_t *look = f->look, nlook = f->nlook;
	for (uint32_t j = 0; j < nlook; j++) {
		uint32_t v = look[j];
		int n = f->node[v].depth;
		long count = f->node[v].count;
		/* a formula needs 0.5 of right entropy; a phrase (three uses or more)
		 * needs 0.6·ln 3 > 0.5 of both: most strings go here, being followed
		 * by one and the same character (every time, and not a boundary: an
		 * entropy of 0, told without working it out) */
		const struct trie_node *only = &f->node[f->node[v].kids];
		if (f->node[v].nkids == 1 && only->count == f->node[v].count && !(only->last_cls & CLS_BOUNDARY))
			continue;
		double rh = trie_entropy(f, v);
		if (rh < 0.5)
			continue;
		const uint32_t *s = f->text + f->node[v].at;
		if (memchr_cp(s, n, PLACEHOLDER))
			continue;
		if (has_cls(t, s[0], CLS_NUMERAL) && formula_shape(t->cls, s, n, false)) {
			long clean = count - ordinal_uses(f, pre, s, n);
			if (clean >= 2 && rh >= 0.5 && !has_cls(t, s[n - 1], CLS_STOP_END))
				wait[nwait++] = v;
			continue;
		}
		/* years and numbers (一九五七年), counted things (三个月) */
		if (n < 3 || count < 3 ||
		    (has_cls(t, s[0], CLS_NUMERAL) &&
		     (has_cls(t, s[1], CLS_NUMERAL) || s[1] == 0x4E2A /* 个 */ ||
		      (has_cls(t, s[1], CLS_COUNT_TAIL) && s[1] != 0x4E2D /* 中 */))))
			continue;
		if (has_cls(t, s[0], CLS_STOP_START) || has_cls(t, s[n - 1], CLS_STOP_END))
			continue;
		wait_rh[nwait] = rh;
		wait[nwait++] = v;
		left[v] = nwait;
	}
	double *lsum = xcalloc(nwait + 1, sizeof *lsum);
	trie_left_sums(f, left, lsum);
	/* phrases left out for the stop word they begin with, and its length */
	uint32_t *cut = NULL, *cut_len = NULL, ncut = 0;
	for (uint32_t k = 0; k < nwait; k++) {
		uint32_t v = wait[k];
		int n = f->node[v].depth;
		long count = f->node[v].count;
		const uint32_t *s = f->text + f->node[v].at;
		if (!left[v]) {
			size_t off[DEPTH + 1];
			char *text = cps_text(s, n, off);
			struct cand *x = cands_add_cps(c, text, off[n], "formula", s, n);
			x->stat = true;
			x->node = v;
			x->raw = count;
			x->quality = 1;
			continue;
		}
		double rh = wait_rh[k];
		double lh = left_entropy(f, v, lsum[k]);
		double h = lh < rh ? lh : rh;
		/* with few uses the entropy cannot be high: ask for most of what it can be */
		double need = 0.6 * trie_ln_count(f, v);
		if (need > 0.9)
			need = 0.9;
		if (h < need)
			continue;
		double coh = cohesion(f, v, n, count);
		if (coh < 0.5 || not_a_term(t, v, s, n))
			continue;
		size_t off[DEPTH + 1];
		char *text = cps_text(s, n, off);
		int m;
		if (stop_phrase(text, s, n, off, &m)) {
			if (m >= 2) {
				cut = xrealloc(cut, (ncut + 1) * sizeof *cut);
				cut_len = xrealloc(cut_len, (ncut + 1) * sizeof *cut_len);
				cut[ncut] = v, cut_len[ncut++] = (uint32_t)m;
			}
			free(text);
			continue;
		}
		struct cand *x = cands_add_cps(c, text, off[n], "phrase", s, n);
		x->stat = true;
		x->node = v;
		x->raw = count;
		x->quality = coh * (h > 2 ? 2 : h);
	}
	/* such a phrase without the first characters of its stop word is a cut word
	 * (及时发布预警信息: 时发布预警信息) where the phrase holds nearly all its uses */
	for (uint32_t k = 0; k < ncut; k++) {
		uint32_t v = cut[k], u = v;
		for (uint32_t j = 1; j < cut_len[k] && u; j++) {
			u = f->node[u].suffix;
			if (!u || (long)f->node[v].count * 10 < (long)f->node[u].count * 9)
				break;
			char *piece = cps_text(f->text + f->node[u].at, f->node[u].depth, NULL);
			struct cand *x = cands_find(c, piece);
			if (x && strcmp(x->kind, "phrase") == 0)
				x->dropped = true;
			free(piece);
		}
	}
	free(cut);
	free(cut_len);
	free(lsum);
	for (uint32_t k = 0; k < nwait; k++)
		left[wait[k]] = 0;	/* f->mark cleared for held_pairs */
	free(wait_rh);
	free(wait);
}

static void collect_quoted(struct terms *t, struct cands *c)
{
	for (uint32_t i = 0; i < t->qslots; i++) {
		struct quoted *q = &t->q[i];
		if (!q->text)
			continue;
		struct cand *x = cands_find(c, q->text);
		if (!x)
			x = cands_add(c, xstrdup(q->text), "quoted");
		x->quoted = q->seen;
		if (x->len <= MAX_LEN && (has_cls(t, x->cps[0], CLS_NUMERAL) || x->cps[0] == 0x53CC /* 双 */) &&
		    formula_shape(t->cls, x->cps, x->len, true))
			x->kind = "formula";
		else if (strcmp(x->kind, "phrase") == 0)
			x->kind = "quoted";
	}
}

/* How much a kind is trusted: the user's word, then what the text marks itself
 * (quotes, numbered formulas), then statistics. */
static int kind_class(const struct cand *x)
{
	if (strcmp(x->kind, "glossary") == 0)
		return 2;
	return strcmp(x->kind, "phrase") != 0;
}

/* One candidate held in a longer one. */
struct pair {
	uint32_t in;		/* the shorter candidate */
	uint32_t out;		/* the longer one that holds it */
};

/* What orders the longer candidates holding one shorter one. */
struct pair_order {
	const struct cands *c;	/* the candidates */
	bool use_hits;		/* by hits, else by raw counts */
};

/* The shorter candidate first, then the longer ones that hold it, most used first:
 * the one that explains most of its uses decides, whatever order the candidates
 * were found in. */
static int cmp_pair_uses(const void *a, const void *b, void *ctx)
{
	const struct pair *x = a, *y = b;
	const struct pair_order *o = ctx;
	if (x->in != y->in)
		return x->in < y->in ? -1 : 1;
	const struct cand *u = &o->c->v[x->out], *w = &o->c->v[y->out];
	long cu = o->use_hits ? u->hits : u->raw, cw = o->use_hits ? w->hits : w->raw;
	if (cu != cw)
		return cu > cw ? -1 : 1;
	return strcmp(u->text, w->text);
}

/* Every pair where one candidate holds another, each once, in cmp_pair_uses order:
 * every piece of every candidate looked up among the candidates. */
static struct pair *held_pairs(const struct cands *c, const struct trie *f, bool use_hits, size_t *np)
{
	struct pair *p = NULL;
	size_t n = 0, cap = 0;
	/* per node: 1 + the candidate whose text it is; every piece of an all-Han
	 * candidate with a node is a node (a string's pieces are counted before it),
	 * reached by parent and suffix links, so such a candidate needs no lookup */
	uint32_t *cand_of = f->mark;	/* all 0 (collect_stats) */
	for (size_t j = 0; j < c->n; j++)
		if (c->v[j].node)
			cand_of[c->v[j].node] = (uint32_t)j + 1;
	for (size_t j = 0; j < c->n; j++) {
		uint32_t v = c->v[j].node;
		if (v) {
			for (uint32_t end = v; end; end = f->node[end].parent)
				for (uint32_t u = end == v ? f->node[end].suffix : end; u; u = f->node[u].suffix) {
					if (!cand_of[u])
						continue;
					if (n == cap) {
						cap = cap ? cap * 2 : 256;
						p = xrealloc(p, cap * sizeof *p);
					}
					p[n++] = (struct pair){ cand_of[u] - 1, (uint32_t)j };
				}
			continue;
		}
		const char *s = c->v[j].text;
		size_t bl = strlen(s);
		for (size_t from = 0; from < bl; from += utf8_decode(s + from, bl - from, &(uint32_t){ 0 })) {
			int chars = 0;
			for (size_t to = from; to < bl;) {
				to += utf8_decode(s + to, bl - to, &(uint32_t){ 0 });
				if (++chars >= c->v[j].len)
					break;	/* the whole is not a piece */
				struct cand *a = cands_lookup(c, s + from, to - from);
				if (!a)
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 256;
					p = xrealloc(p, cap * sizeof *p);
				}
				p[n++] = (struct pair){ (uint32_t)(a - c->v), (uint32_t)j };
			}
		}
	}
	for (size_t j = 0; j < c->n; j++)
		cand_of[c->v[j].node] = 0;	/* f->mark left as it was */
	if (n)
		qsort_r(p, n, sizeof *p, cmp_pair_uses, &(struct pair_order){ c, use_hits });
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || p[i].in != p[k - 1].in || p[i].out != p[k - 1].out)
			p[k++] = p[i];
	*np = k;
	return p;
}

/* For each pair where one candidate holds another, drops one of them.
 * By raw counts (before the scan settles): the shorter when the longer explains at
 * least half its uses (高质量发 beside 高质量发展), else the longer
 * (推动高质量发展 beside 高质量发展); a candidate of a stronger kind stays.
 * By hits (as the scan counts them, longest first): the shorter when the longer
 * has at least 90% of its hits, unless only the longer is a phrase. */
static void drop_fragments(struct cands *c, struct pair *p, size_t np, bool use_hits)
{
	/* by raw counts they are in order already (held_pairs) */
	if (np && use_hits)
		qsort_r(p, np, sizeof *p, cmp_pair_uses, &(struct pair_order){ c, use_hits });
	for (size_t k = 0; k < np; k++) {
		struct cand *a = &c->v[p[k].in], *b = &c->v[p[k].out];
		if (a->dropped || b->dropped || b->len <= a->len)
			continue;
		int ka = kind_class(a), kb = kind_class(b);
		double ca = use_hits ? a->hits : a->raw, cb = use_hits ? b->hits : b->raw;
		bool fragment = cb >= (use_hits ? 0.9 : 0.5) * ca;
		struct cand *loser;
		if (use_hits)
			loser = !fragment ? NULL : ka > kb ? b : a;
		else if (ka == kb)
			loser = fragment ? a : b;
		else if (ka < kb)
			loser = fragment ? a : NULL;
		else
			loser = b;
		if (loser && kind_class(loser) < 2)
			loser->dropped = true;
	}
}

static void rank(struct cand *x)
{
	double h = ln(1.0 + (double)x->hits) / 0.6931471805599453;
	if (strcmp(x->kind, "glossary") == 0)
		x->score = 1000 + x->hits;
	else if (strcmp(x->kind, "formula") == 0)
		x->score = 4 + 2 * h;
	else if (strcmp(x->kind, "quoted") == 0)
		x->score = x->quoted >= 2 ? 3 + 2 * h : 1 + h / 2;
	else
		x->score = h * (0.5 + x->quality / 2) * (x->len >= 4 ? 1.2 : 1.0);
}

static void matcher_build(struct matcher *m, const struct term *terms, size_t n);
static void matcher_free(struct matcher *m);

/* The filter slot of the characters c and d. */
static inline uint32_t pair_slot(uint32_t c, uint32_t d)
{
	return (c * 0x9E3779B1u ^ d * 0x85EBCA77u) >> (32 - PAIR_BITS);
}

/* The filter slot of a first character c (characters far apart share one). */
static inline uint32_t lead_slot(uint32_t c)
{
	return c & (LEAD_SLOTS - 1);
}

/* Whether the filter of first characters has c. */
static inline bool lead_may(const uint64_t *set, uint32_t c)
{
	uint32_t x = lead_slot(c);
	return set[x / 64] >> (x % 64) & 1;
}

/* Whether a term may begin at a character c followed by d (0 at the end): false
 * for nearly every character that leads no term or leads one with another second
 * character, so the exact test behind it is seldom taken. */
static inline bool matcher_may(const struct matcher *m, uint32_t c, uint32_t d)
{
	uint32_t p = pair_slot(c, d);
	if (m->pair[p / 64] >> (p % 64) & 1)
		return true;
	return lead_may(m->one, c);
}
static void match(const struct matcher *m, const struct term *terms, const char *text, size_t len,
		  term_hit_fn fn, void *ctx);

/* The texts hits are counted on, each once, with its number of copies. */
struct distinct {
	const char **text;	/* each text */
	uint32_t *len;		/* its bytes */
	uint32_t *copies;	/* how many times the sample has it */
	size_t n;		/* distinct texts */
	uint32_t *unit;		/* per kept paragraph: its distinct text (when held) */
};

/* A hash of n bytes taken eight at a time, for long texts (str_hash is for short
 * ones): only finds equal texts, so its value may differ between machines. */
static uint32_t text_hash(const char *s, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ n, w;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ w) * 0xFF51AFD7ED558CCDull;
	return (uint32_t)(h ^ h >> 32);
}

/* The distinct texts of the kept paragraphs, or of those only (not NULL) marks. */
static void distinct_paragraphs(const struct terms *t, const bool *only, struct distinct *d)
{
	size_t nslot = 16;
	while (nslot < 2 * t->nkept)
		nslot *= 2;
	uint32_t *slot = xcalloc(nslot, sizeof *slot);	/* 1 + index into text */
	d->text = xmalloc((t->nkept + 1) * sizeof *d->text);
	d->len = xmalloc((t->nkept + 1) * sizeof *d->len);
	d->copies = xmalloc((t->nkept + 1) * sizeof *d->copies);
	d->unit = xmalloc((t->nkept + 1) * sizeof *d->unit);
	d->n = 0;
	for (size_t i = 0; i < t->nkept; i++) {
		if (only && !only[i]) {
			d->unit[i] = UINT32_MAX;
			continue;
		}
		size_t len;
		const char *s = terms_kept_text(t, i, &len);
		size_t k = text_hash(s, len) & (nslot - 1);
		for (; slot[k]; k = (k + 1) & (nslot - 1)) {
			size_t j = slot[k] - 1;
			if (d->len[j] == len && memcmp(s, d->text[j], len) == 0)
				break;
		}
		if (slot[k]) {
			d->copies[slot[k] - 1]++;
			d->unit[i] = slot[k] - 1;
			continue;
		}
		d->unit[i] = (uint32_t)d->n;
		d->text[d->n] = s;
		d->len[d->n] = (uint32_t)len;
		d->copies[d->n] = 1;
		slot[k] = (uint32_t)++d->n;
	}
	free(slot);
}

static void distinct_free(struct distinct *d)
{
	free(d->text);
	free(d->len);
	free(d->copies);
	free(d->unit);
}

/* Whether every character of s is Han (no placeholder either). */
static bool all_han(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t c;
		i += decode(s + i, n - i, &c);
		if (!is_han(c))
			return false;
	}
	return true;
}

/* How common a byte is in Chinese text, roughly: 0 for Latin letters and the
 * lead bytes of Latin-1, Greek and Cyrillic, 1 for ASCII signs, 2 for digits, 3
 * for the rest (the bytes of Han and of punctuation, spaces). */
static int byte_rank(unsigned char b)
{
	if (((b | 0x20) >= 'a' && (b | 0x20) <= 'z') || (b >= 0xC2 && b <= 0xDF))
		return 0;
	if (b > ' ' && b < 0x80)
		return b >= '0' && b <= '9' ? 2 : 1;
	return 3;
}

/* The byte of s (n bytes, n > 0) to look for first: a rare one; SIZE_MAX when
 * every byte is common in Chinese text (Han and punctuation: 五统一、一开放). */
static size_t rare_byte(const char *s, size_t n)
{
	size_t j = 0;
	for (size_t i = 1; i < n; i++)
		if (byte_rank((unsigned char)s[i]) < byte_rank((unsigned char)s[j]))
			j = i;
	return byte_rank((unsigned char)s[j]) < 3 ? j : SIZE_MAX;
}

/* Where the n bytes of pat (n > 0) first occur in s (len bytes) at or after from,
 * as strstr finds them, or SIZE_MAX: found by its rare byte pat[j] (rare_byte)
 * with memchr, which passes over most of the text many bytes at a time, or with
 * memmem when it has none (j SIZE_MAX: memchr would stop every few hundred bytes
 * or more often, and memmem skips by the pattern's length). Either takes a third
 * of strstr's instructions or less here. */
static size_t find_from(const char *s, size_t len, size_t from, const char *pat, size_t n, size_t j)
{
	if (j == SIZE_MAX) {
		const char *h = from < len ? memmem(s + from, len - from, pat, n) : NULL;
		return h ? (size_t)(h - s) : SIZE_MAX;
	}
	for (size_t q = from + j; q < len; q++) {
		const char *h = memchr(s + q, pat[j], len - q);
		if (!h)
			break;
		q = (size_t)(h - s);
		if (q + (n - j) <= len && memcmp(s + q - j, pat, n) == 0)
			return q - j;
	}
	return SIZE_MAX;
}

/* The first kept paragraph ending at or after sample position at (nkept: none). */
static size_t first_ending_at(const struct terms *t, size_t at)
{
	size_t lo = 0, hi = t->nkept;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->ends[mid] < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Marks in mark the kept paragraphs that the n bytes at sample position at touch. */
static void mark_paragraphs(const struct terms *t, size_t at, size_t n, bool *mark)
{
	for (size_t lo = first_ending_at(t, at); lo < t->nkept; lo++) {
		mark[lo] = true;
		if (t->ends[lo] + 1 >= at + n)
			break;
	}
}

/* Per run of the trie's text: its copies in the kept paragraphs but those other
 * marks. */
static uint32_t *run_copies(const struct terms *t, const bool *other)
{
	const struct trie *f = &t->fwd;
	uint32_t *rw = xcalloc((size_t)f->nruns + 1, sizeof *rw);
	for (size_t o = 0, p = 0; o < f->nocc; o++) {
		size_t at = f->occ_at[o] & ~OCC_NUMBER;
		while (p < t->nkept && t->ends[p] < at)
			p++;
		rw[f->occ[o]] += p < t->nkept && !other[p];
	}
	return rw;
}

/* The hits of the last count, unit by unit (a distinct paragraph, or a run of the
 * trie's text), each as the candidate it is of: a unit none of whose hits was of
 * a candidate dropped since gives the same hits again without a scan, since the
 * greedy scan takes the same terms at the same places when the only terms gone
 * are ones it never took there. */
struct hit_log {
	uint32_t *first;	/* per unit: where its hits begin in cand; one more at the end */
	uint32_t *cand;		/* the candidate (index in the list) of each hit */
	uint32_t *offset;	/* the character offset of each hit in its unit */
	size_t n;		/* hits */
	size_t cap;		/* hits allocated */
	size_t units;		/* units */
	size_t capunits;	/* first allocated */
};

static void hit_log_free(struct hit_log *l)
{
	free(l->first);
	free(l->cand);
	free(l->offset);
}

static void hit_log_put(struct hit_log *l, uint32_t cand, uint32_t offset)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->cand = xrealloc(l->cand, l->cap * sizeof *l->cand);
		l->offset = xrealloc(l->offset, l->cap * sizeof *l->offset);
	}
	l->offset[l->n] = offset;
	l->cand[l->n++] = cand;
}

/* Begins unit u (they come in order; the one before ends here). */
static inline void hit_log_unit(struct hit_log *l, size_t u)
{
	if (u + 2 > l->capunits) {
		l->capunits = l->capunits ? 2 * l->capunits : 256;
		while (u + 2 > l->capunits)
			l->capunits *= 2;
		l->first = xrealloc(l->first, l->capunits * sizeof *l->first);
	}
	l->first[u] = (uint32_t)l->n;
	l->units = u + 1;
}

/* Whether unit u of the last count (old, NULL when none) holds no hit of a
 * candidate dropped since; if so, its hits are counted again (weight each) and
 * logged in now. */
static bool hit_log_again(const struct hit_log *old, size_t u, struct cands *c, uint32_t weight, struct hit_log *now)
{
	if (!old || u >= old->units)
		return false;
	for (uint32_t k = old->first[u]; k < old->first[u + 1]; k++)
		if (c->v[old->cand[k]].dropped)
			return false;
	for (uint32_t k = old->first[u]; k < old->first[u + 1]; k++) {
		c->v[old->cand[k]].hits += weight;
		hit_log_put(now, old->cand[k], old->offset[k]);
	}
	return true;
}

/* What count_hit adds to. */
struct hit_count {
	struct cand **live;	/* the candidate of each matcher term */
	struct cand *base;	/* the candidate list, for their indices */
	uint32_t copies;	/* copies of the paragraph being matched */
	struct hit_log *log;	/* where the hits are logged */
};

static void count_hit(void *ctx, size_t term, long offset, long length)
{
	struct hit_count *h = ctx;
	(void)length;
	h->live[term]->hits += h->copies;
	hit_log_put(h->log, (uint32_t)(h->live[term] - h->base), (uint32_t)offset);
}

/* The greedy scan of match over the trie's text, by characters, adding each run's
 * copies to the hits: when every candidate is all Han, a hit lies inside one Han
 * run and the scan starts each run afresh, so the distinct runs give the hits the
 * kept paragraphs give, in a fraction of the text (a repeated clause is one run
 * however many paragraphs hold it). The terms are tried in the matcher's order and
 * compared by their characters (cps, from off), as match compares their bytes.
 * A run is scanned only when the last count's (old) cannot give its hits; every
 * run's hits are logged in now. Each run counts its copies in the sample, or
 * rw[run] of them (rw not NULL): a run none of whose copies counts is skipped. */
static void match_runs(const struct matcher *m, const uint32_t *cps, const uint32_t *off, const struct trie *f,
		       const uint32_t *rw, struct cand **live, struct cands *c, const struct hit_log *old,
		       struct hit_log *now)
{
	const uint32_t *text = f->text;
	size_t n = f->ntext, u = 0;
	for (size_t i = 0; i < n; u++) {
		/* the run from i to its 0 */
		size_t run = i;
		uint32_t weight = rw ? rw[u] : f->weight[i];
		hit_log_unit(now, u);
		if (!weight || hit_log_again(old, u, c, weight, now)) {
			while (text[i])
				i++;
			i++;
			continue;
		}
		while (text[i]) {
			uint32_t ch = text[i];
			/* a run ends with a 0, so text[i + 1] is there */
			if (lead_may(m->bmp, ch) && matcher_may(m, ch, text[i + 1])) {
				uint32_t h = (ch * 2654435761u) & (m->nslot - 1);
				for (; m->first[h] && m->first[h] != ch + 1; h = (h + 1) & (m->nslot - 1))
					;
				for (uint32_t j = 0; m->first[h] && j < m->num[h]; j++) {
					uint32_t ti = m->order[m->start[h] + j], l = m->chars[ti];
					if (l <= n - i && memcmp(text + i, cps + off[ti], l * sizeof *text) == 0) {
						live[ti]->hits += weight;
						hit_log_put(now, (uint32_t)(live[ti] - c->v), (uint32_t)(i - run));
						i += l;
						goto next;
					}
				}
			}
			i++;
		next:;
		}
		i++;	/* its 0 */
	}
}

/* Counts non-overlapping hits of the live candidates over the sample text: each
 * distinct paragraph of d matched once, or (d NULL) each distinct run of the
 * trie's, or both (rw not NULL: each run counted rw[run] times, the copies in the
 * paragraphs d does not hold; the runs are the first units, d's after them); a
 * unit whose hits the last count (log, units 0 before the first) gives is not
 * matched again. The log is replaced by this count's. */
static void count_hits(const struct trie *f, const struct distinct *d, const uint32_t *rw, struct cands *c,
		       struct hit_log *log)
{
	size_t n = 0;
	struct cand **live = xcalloc(c->n + 1, sizeof *live);
	struct term *tv = xcalloc(c->n + 1, sizeof *tv);
	for (size_t i = 0; i < c->n; i++)
		if (!c->v[i].dropped) {
			c->v[i].hits = 0;
			tv[n].text = c->v[i].text;
			live[n++] = &c->v[i];
		}
	struct matcher m;
	matcher_build(&m, tv, n);
	struct hit_log now = { 0 }, *old = log->units ? log : NULL;
	if (!d || rw) {
		/* each term's characters, one after another */
		uint32_t *off = xmalloc((n + 1) * sizeof *off), total = 0;
		for (size_t i = 0; i < n; i++) {
			off[i] = total;
			total += m.chars[i];
		}
		uint32_t *cps = xmalloc(((size_t)total + 1) * sizeof *cps);
		for (size_t i = 0; i < n; i++) {
			const char *s = tv[i].text;
			for (size_t k = 0, b = m.bytes[i], j = off[i]; k < b && j < off[i] + m.chars[i]; j++)
				k += decode(s + k, b - k, &cps[j]);
		}
		match_runs(&m, cps, off, f, rw, live, c, old, &now);
		free(cps);
		free(off);
	}
	for (size_t i = 0, base = rw ? f->nruns : 0; d && i < d->n; i++) {
		hit_log_unit(&now, base + i);
		if (hit_log_again(old, base + i, c, d->copies[i], &now))
			continue;
		struct hit_count h = { live, c->v, d->copies[i], &now };
		match(&m, tv, d->text[i], d->len[i], count_hit, &h);
	}
	if (now.units)
		now.first[now.units] = (uint32_t)now.n;	/* the end of the last unit */
	matcher_free(&m);
	free(tv);
	free(live);
	hit_log_free(log);
	*log = now;
}

/* The replay of the kept paragraphs (d) from the last count's hits (log, one unit
 * per distinct paragraph), whose candidates are chosen as chosen_of says. */
static void replay_make(struct terms *t, const struct distinct *d, const struct hit_log *log, const uint32_t *chosen_of)
{
	struct replay *r = xmalloc(sizeof *r);
	r->unit = xcalloc(t->nkept + 1, sizeof *r->unit);
	r->first = xmalloc((d->n + 1) * sizeof *r->first);
	r->term = xmalloc((log->n + 1) * sizeof *r->term);
	r->offset = xmalloc((log->n + 1) * sizeof *r->offset);
	r->scan = NULL;
	r->nscan = r->capscan = 0;
	r->next = 0;
	bool *whole = xcalloc(d->n + 1, sizeof *whole);	/* per distinct paragraph: replayed */
	uint32_t n = 0;
	for (size_t u = 0; u < d->n; u++) {
		r->first[u] = n;
		if (u >= log->units)
			continue;
		bool all = true;
		for (uint32_t k = log->first[u]; all && k < log->first[u + 1]; k++)
			all = chosen_of[log->cand[k]] != 0;
		if (!all)
			continue;
		whole[u] = true;
		for (uint32_t k = log->first[u]; k < log->first[u + 1]; k++) {
			r->term[n] = chosen_of[log->cand[k]] - 1;
			r->offset[n++] = log->offset[k];
		}
	}
	r->first[d->n] = n;
	for (size_t i = 0; i < t->nkept; i++)
		r->unit[i] = whole[d->unit[i]] ? d->unit[i] + 1 : 0;
	free(whole);
	t->replay = r;
}

/* The characters of n bytes of whole characters as match counts them: with no
 * U+FFFD in the text (odd false: valid UTF-8), the bytes that begin one, eight at a
 * time; else one decode at a time. */
static size_t utf8_chars(const char *s, size_t n, bool odd)
{
	size_t chars = 0, i = 0;
	if (odd) {
		for (uint32_t c; i < n; chars++)
			i += decode(s + i, n - i, &c);
		return chars;
	}
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		/* a byte 10xxxxxx continues a character: 0 after this, any other not */
		w = (w & 0xC0C0C0C0C0C0C0C0ull) ^ 0x8080808080808080ull;
		/* the 0s counted by a product (popcount is a call without -mpopcnt) */
		chars += (size_t)(((((w | w << 1) & 0x8080808080808080ull) >> 7) * 0x0101010101010101ull) >> 56);
	}
	for (; i < n; i++)
		chars += ((unsigned char)s[i] & 0xC0) != 0x80;
	return chars;
}

/* Adds a hit to r's n (cap allocated). */
static inline void replay_put(struct replay *r, size_t *n, size_t *cap, uint32_t term, uint32_t offset)
{
	if (*n == *cap) {
		*cap *= 2;
		r->term = xrealloc(r->term, *cap * sizeof *r->term);
		r->offset = xrealloc(r->offset, *cap * sizeof *r->offset);
	}
	r->term[*n] = term;
	r->offset[(*n)++] = offset;
}

/* The replay of the kept paragraphs from the last count's hits by runs (log, one
 * unit per run of the trie's text), whose candidates are chosen as chosen_of says:
 * no hit crosses a run's end, so a paragraph's hits are those of its runs, in
 * order, each moved by where its run begins (f->occ, in characters as match counts
 * them); a run some hit of which is of a term not chosen, or has a number of
 * several digits (one character in the run: its offsets are not the text's), is
 * scanned instead. A paragraph other marks (other not NULL) was counted whole, as
 * its distinct text in d (the unit after the runs): its hits are that unit's when
 * all are of chosen terms, else it is scanned whole. */
static void replay_runs(struct terms *t, const struct hit_log *log, const uint32_t *chosen_of, const bool *other,
			const struct distinct *d)
{
	const struct trie *f = &t->fwd;
	bool *whole = xcalloc(log->units + 1, sizeof *whole);	/* per run: its hits all chosen */
	for (size_t u = 0; u < log->units; u++) {
		bool all = true;
		for (uint32_t k = log->first[u]; all && k < log->first[u + 1]; k++)
			all = chosen_of[log->cand[k]] != 0;
		whole[u] = all;
	}
	struct replay *r = xmalloc(sizeof *r);
	r->unit = xcalloc(t->nkept + 1, sizeof *r->unit);
	r->first = xmalloc((t->nkept + 1) * sizeof *r->first);
	r->scan = NULL;
	r->nscan = r->capscan = 0;
	r->next = 0;
	size_t n = 0, cap = 256, o = 0;
	r->term = xmalloc(cap * sizeof *r->term);
	r->offset = xmalloc(cap * sizeof *r->offset);
	for (uint32_t p = 0; p < t->nkept; p++) {
		r->first[p] = (uint32_t)n;
		size_t len, from = o;
		const char *text = terms_kept_text(t, p, &len);
		size_t start = (size_t)(text - t->sample.data);
		while (o < f->nocc && (f->occ_at[o] & ~OCC_NUMBER) < start + len)
			o++;
		if (other && other[p]) {
			size_t x = f->nruns + (size_t)d->unit[p];
			if (x >= log->units || !whole[x])
				continue;
			for (uint32_t k = log->first[x]; k < log->first[x + 1]; k++)
				replay_put(r, &n, &cap, chosen_of[log->cand[k]] - 1, log->offset[k]);
			r->unit[p] = p + 1;
			continue;
		}
		/* the characters before each run, counted as match counts them */
		size_t i = 0, chars = 0;
		for (size_t j = from; j < o; j++) {
			uint32_t x = f->occ[j];
			size_t at = (f->occ_at[j] & ~OCC_NUMBER) - start;
			bool again = x < log->units && whole[x], none = again && log->first[x] == log->first[x + 1];
			if (none)
				continue;
			chars += utf8_chars(text + i, at - i, f->odd);
			i = at;
			if (again && !(f->occ_at[j] & OCC_NUMBER)) {
				for (uint32_t k = log->first[x]; k < log->first[x + 1]; k++)
					replay_put(r, &n, &cap, chosen_of[log->cand[k]] - 1,
						   (uint32_t)(chars + log->offset[k]));
				continue;
			}
			/* scanned up to the next run: only a run of this paragraph
			 * (not marked other) holds hits, each whole in one */
			if (r->nscan == r->capscan) {
				r->capscan = r->capscan ? 2 * r->capscan : 64;
				r->scan = xrealloc(r->scan, 3 * r->capscan * sizeof *r->scan);
			}
			uint32_t *sc = r->scan + 3 * r->nscan;
			sc[0] = (uint32_t)at;
			sc[1] = (uint32_t)(j + 1 < o ? (f->occ_at[j + 1] & ~OCC_NUMBER) - start : len);
			sc[2] = (uint32_t)chars;
			replay_put(r, &n, &cap, REPLAY_SCAN | (uint32_t)r->nscan++, (uint32_t)chars);
		}
		r->unit[p] = p + 1;
	}
	r->first[t->nkept] = (uint32_t)n;
	free(whole);
	t->replay = r;
}

static void replay_free(struct terms *t)
{
	if (!t->replay)
		return;
	free(t->replay->unit);
	free(t->replay->first);
	free(t->replay->term);
	free(t->replay->offset);
	free(t->replay->scan);
	free(t->replay);
	t->replay = NULL;
}

size_t terms_finish(struct terms *t)
{
	if (t->chosen)
		return t->nchosen;	/* chosen already: the statistics are gone */
	struct cands c = { 0 };
	count_substrings(t);
	collect_stats(t, &c);
	collect_quoted(t, &c);
	for (size_t i = 0; i < t->nglossary; i++) {
		struct cand *x = cands_find(&c, t->glossary[i]);
		if (!x)
			x = cands_add(&c, xstrdup(t->glossary[i]), "glossary");
		x->kind = "glossary";
	}
	/* counts for quoted and glossary text: from the tries when it is all Han,
	 * else by looking through the sample (such terms are few); the paragraphs
	 * where a candidate not all Han occurs are marked (other): only there may
	 * the hits differ from those of the Han runs (a candidate counted already
	 * is the statistics', all Han: the trie holds Han and placeholders, and no
	 * candidate of it a placeholder) */
	bool *other = xcalloc(t->nkept + 1, sizeof *other), any_other = false;
	/* the sample as a string (as strstr would see it: up to a NUL) */
	const char *nul = t->sample.data ? memchr(t->sample.data, 0, t->sample.len) : NULL;
	size_t searched = nul ? (size_t)(nul - t->sample.data) : t->sample.len;
	for (size_t i = 0; i < c.n; i++) {
		struct cand *x = &c.v[i];
		if (x->raw)
			continue;
		bool han = x->len <= MAX_LEN;
		for (int k = 0; han && k < x->len; k++)
			han = is_han(x->cps[k]);
		if (han) {
			/* a string seen once may not be in the tries (its count
			 * matters only when it was not quoted) */
			x->raw = trie_count(&t->fwd, x->cps, x->len);
			if (!x->raw && !x->quoted)
				x->raw = seen_once(&t->fwd, x->cps, x->len);
			if (x->raw < (long)x->quoted)
				x->raw = x->quoted;
			continue;
		}
		size_t n = strlen(x->text), j = rare_byte(x->text, n);
		bool not_han = !all_han(x->text);
		for (size_t at = 0; n && (at = find_from(t->sample.data, searched, at, x->text, n, j)) != SIZE_MAX; at += n) {
			x->raw++;
			if (not_han)
				mark_paragraphs(t, at, n, other);
			any_other |= not_han;
		}
	}
	/* a word quoted now and then but mostly used plainly is only stressed
	 * (闹“革命”, 24 uses): its quotes do not make it a term */
	for (size_t i = 0; i < c.n; i++) {
		struct cand *x = &c.v[i];
		if (!x->stat && strcmp(x->kind, "quoted") == 0 && (long)x->quoted * 8 < x->raw)
			x->dropped = true;
	}
	/* the nodes of the other all-Han candidates, for held_pairs */
	for (size_t i = 0; i < c.n; i++) {
		struct cand *x = &c.v[i];
		bool han = !x->node && x->len <= DEPTH;
		for (int k = 0; han && k < x->len; k++)
			han = is_han(x->cps[k]);
		if (han)
			x->node = trie_find(&t->fwd, x->cps, x->len);
	}
	/* the pairs once: the candidates stay, only their order changes with the counts */
	size_t np;
	struct pair *pairs = held_pairs(&c, &t->fwd, false, &np);
	drop_fragments(&c, pairs, np, false);
	/* settle: hits as the scan will count them, then fragments by those hits;
	 * counted on the distinct Han runs but in the paragraphs marked other,
	 * counted on their distinct texts, or on every paragraph's when the runs do
	 * not hold all of the sample */
	bool runs = t->fwd.whole;
	struct distinct d = { 0 };
	uint32_t *rw = NULL;
	if (!runs) {
		distinct_paragraphs(t, NULL, &d);
	} else if (any_other) {
		distinct_paragraphs(t, other, &d);
		rw = run_copies(t, other);
	}
	struct hit_log log = { 0 };
	for (int round = 0; round < 4; round++) {
		count_hits(&t->fwd, !runs || any_other ? &d : NULL, rw, &c, &log);
		size_t before = 0, after = 0;
		for (size_t i = 0; i < c.n; i++)
			before += !c.v[i].dropped;
		drop_fragments(&c, pairs, np, true);
		for (size_t i = 0; i < c.n; i++) {
			struct cand *x = &c.v[i];
			/* a candidate the text no longer shows on its own */
			if (!x->dropped && x->hits == 0 && strcmp(x->kind, "glossary") != 0)
				x->dropped = true;
			after += !x->dropped;
		}
		if (after == before)
			break;
	}
	free(pairs);
	for (size_t i = 0; i < c.n; i++)
		rank(&c.v[i]);
	if (c.n)
		qsort(c.v, c.n, sizeof *c.v, cmp_score);
	t->chosen = xcalloc(MAX_TERMS + t->nglossary + 1, sizeof *t->chosen);
	/* per candidate (by its index before the sort): 1 + its chosen term, 0 if none */
	uint32_t *chosen_of = xcalloc(c.n + 1, sizeof *chosen_of);
	for (size_t i = 0; i < c.n; i++) {
		struct cand *x = &c.v[i];
		bool keep = !x->dropped && (t->nchosen < MAX_TERMS || strcmp(x->kind, "glossary") == 0);
		if (keep) {
			t->chosen[t->nchosen++] = (struct term){ .text = x->text, .kind = x->kind, .score = x->score };
			chosen_of[x->id] = (uint32_t)t->nchosen;
			x->text = NULL;
		}
		free(x->text);
	}
	if (!runs)
		replay_make(t, &d, &log, chosen_of);
	else
		replay_runs(t, &log, chosen_of, any_other ? other : NULL, &d);
	free(chosen_of);
	free(other);
	free(rw);
	hit_log_free(&log);
	distinct_free(&d);
	free(c.v);
	free(c.slot);
	matcher_build(&t->m, t->chosen, t->nchosen);
	/* the statistics are done with: the rest of a long import runs without them */
	trie_free(&t->fwd);
	memset(&t->fwd, 0, sizeof t->fwd);
	for (uint32_t i = 0; i < t->qslots; i++)
		free(t->q[i].text);
	free(t->q);
	t->q = NULL;
	t->nq = t->qslots = 0;
	return t->nchosen;
}

const struct term *terms_get(const struct terms *t, size_t i)
{
	return i < t->nchosen ? &t->chosen[i] : NULL;
}

/* --- matching --- */

static int cmp_first_len(const void *a, const void *b, void *ctx)
{
	const struct matcher *m = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (m->lead[x] != m->lead[y])
		return m->lead[x] < m->lead[y] ? -1 : 1;
	if (m->bytes[x] != m->bytes[y])
		return m->bytes[x] > m->bytes[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void matcher_build(struct matcher *m, const struct term *terms, size_t n)
{
	memset(m, 0, sizeof *m);
	m->nslot = 16;
	while (m->nslot < 2 * n + 2)
		m->nslot *= 2;
	/* every array in one block, the 8-byte ones first (matcher_free frees head) */
	m->head = xmalloc(2 * (n + 1) * sizeof *m->head + (3 * (size_t)m->nslot + 5 * (n + 1)) * sizeof *m->first);
	m->mask = m->head + n + 1;
	m->first = (uint32_t *)(m->mask + n + 1);
	m->start = m->first + m->nslot;
	m->num = m->start + m->nslot;
	m->order = m->num + m->nslot;
	m->bytes = m->order + n + 1;
	m->chars = m->bytes + n + 1;
	m->lead = m->chars + n + 1;
	/* only the keys are read before written (start and num of a slot, and an
	 * array's entries past the terms', never) */
	memset(m->first, 0, m->nslot * sizeof *m->first);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		size_t b = strlen(terms[i].text);
		if (b >= 8) {
			/* (most: three characters or more) */
			memcpy(&m->head[i], terms[i].text, 8);
			m->mask[i] = UINT64_MAX;
		} else {
			unsigned char head[8] = { 0 }, mask[8] = { 0 };
			memcpy(head, terms[i].text, b);
			memset(mask, 0xFF, b);
			memcpy(&m->head[i], head, 8);
			memcpy(&m->mask[i], mask, 8);
		}
		m->bytes[i] = (uint32_t)b;
		/* a term of ASCII and of the characters decode takes three bytes at a
		 * time (valid UTF-8, as nearly all are): its characters, first and second
		 * counted in one walk; any other by the general calls below */
		uint32_t fast[2] = { 0, 0 };
		size_t nfast = 0, at = 0;
		while (at < b) {
			const char *s = terms[i].text + at;
			const unsigned char *u = (const unsigned char *)s;
			size_t step = u[0] < 0x80 ? 1
				      : b - at >= 3 && u[0] - 0xE1u < 15 && u[0] != 0xED && ((u[1] ^ 0x80u) | (u[2] ^ 0x80u)) < 0x40
					      ? 3
					      : 0;
			if (!step)
				break;
			/* (only the first two characters are needed; the rest are counted) */
			if (nfast < 2)
				fast[nfast] = step == 1 ? u[0] : utf8_cp3(s);
			nfast++;
			at += step;
		}
		bool valid = at == b;
		m->chars[i] = (uint32_t)(valid ? nfast : utf8_count(terms[i].text, b));
		m->lead[i] = 0;
		if (b) {
			size_t k1 = valid ? (fast[0] < 0x80 ? 1 : 3) : utf8_decode(terms[i].text, b, &m->lead[i]), k2 = 0;
			if (valid)
				m->lead[i] = fast[0];
			m->order[k++] = (uint32_t)i;
			/* the filter by two characters when both are valid UTF-8 (the text
			 * holding these bytes decodes to them), else by the first alone */
			uint32_t c = m->lead[i], d = 0;
			char enc[8];
			bool two;
			if (valid) {
				two = nfast >= 2;
				d = fast[1];
			} else {
				two = k1 < b && utf8_encode(c, enc) == k1 && memcmp(enc, terms[i].text, k1) == 0;
				if (two) {
					k2 = utf8_decode(terms[i].text + k1, b - k1, &d);
					two = utf8_encode(d, enc) == k2 && memcmp(enc, terms[i].text + k1, k2) == 0;
				}
			}
			if (two) {
				uint32_t p = pair_slot(c, d);
				m->pair[p / 64] |= 1ull << (p % 64);
			} else {
				m->one[lead_slot(c) / 64] |= 1ull << (lead_slot(c) % 64);
			}
		}
	}
	if (k <= 128) {
		/* few (as a rule): by insertion on keys in cmp_first_len's order
		 * (a term's bytes are below 2^22: a glossary line's or fewer, and
		 * the terms fewer than 2^20) */
		uint64_t key[128];
		for (size_t j = 0; j < k; j++) {
			uint32_t x = m->order[j];
			uint64_t v = (uint64_t)m->lead[x] << 42 | (uint64_t)(0x3FFFFF - m->bytes[x]) << 20 | x, y;
			size_t at = j;
			for (; at > 0 && (y = key[at - 1]) > v; at--)
				key[at] = y;
			key[at] = v;
		}
		for (size_t j = 0; j < k; j++)
			m->order[j] = (uint32_t)(key[j] & 0xFFFFF);
	} else {
		qsort_r(m->order, k, sizeof *m->order, cmp_first_len, m);
	}
	for (size_t i = 0; i < k;) {
		uint32_t c = m->lead[m->order[i]];
		size_t j = i + 1;
		while (j < k && m->lead[m->order[j]] == c)
			j++;
		uint32_t h = (c * 2654435761u) & (m->nslot - 1);
		while (m->first[h])
			h = (h + 1) & (m->nslot - 1);
		m->first[h] = c + 1;
		m->start[h] = (uint32_t)i;
		m->num[h] = (uint32_t)(j - i);
		m->bmp[lead_slot(c) / 64] |= 1ull << (lead_slot(c) % 64);
		i = j;
	}
}

static void matcher_free(struct matcher *m)
{
	free(m->head);	/* the block of every array (matcher_build) */
}

/* From p (before e), the characters the filter of first characters (bmp) tells
 * lead no term, ASCII or of three bytes as decode takes them, each from its bytes
 * in one step: skipped, and counted in *chars. Returns where the first other one
 * begins: one that may lead a term (*c, and its *k bytes), or one decode must take
 * (*k 0: of other bytes, or in the last two), or e. */
static inline const char *skip_unled(const uint64_t *bmp, const char *p, const char *e, long *chars, uint32_t *c,
				     size_t *k)
{
	const unsigned char *s = (const unsigned char *)p;
	long n = 0;
	*k = 0;
	for (; e - (const char *)s >= 3; n++) {
		unsigned b0 = s[0];
		if (b0 < 0x80) {
			if (lead_may(bmp, b0)) {
				*c = b0, *k = 1;
				break;
			}
			s++;
			continue;
		}
		unsigned b1 = s[1] ^ 0x80u, b2 = s[2] ^ 0x80u;
		if (b0 - 0xE1u >= 15 || b0 == 0xED || (b1 | b2) >= 0x40)
			break;
		uint32_t x = (b0 & 0x0Fu) << 12 | b1 << 6 | b2;
		if (lead_may(bmp, x)) {
			*c = x, *k = 3;
			break;
		}
		s += 3;
	}
	*chars += n;
	return (const char *)s;
}

static void match(const struct matcher *m, const struct term *terms, const char *text, size_t len,
		  term_hit_fn fn, void *ctx)
{
	if (!m->order)
		return;
	long chars = 0;
	/* c (k bytes) at i, and d (kd bytes) after it, decoded once each */
	uint32_t c = 0;
	size_t i = 0, k = len ? decode(text, len, &c) : 0;
	while (i < len) {
		/* most characters lead no term: told by the table of first characters
		 * before the one after is decoded for the filter of pairs */
		if (!lead_may(m->bmp, c)) {
			i += k;
			chars++;
			const char *at = skip_unled(m->bmp, text + i, text + len, &chars, &c, &k);
			i = (size_t)(at - text);
			if (at == text + len)
				break;
			if (!k)
				k = decode(at, len - i, &c);
			continue;
		}
		uint32_t d = 0;
		size_t kd = k < len - i ? decode(text + i + k, len - i - k, &d) : 0;
		if (matcher_may(m, c, d)) {
			uint32_t h = (c * 2654435761u) & (m->nslot - 1);
			for (; m->first[h] && m->first[h] != c + 1; h = (h + 1) & (m->nslot - 1))
				;
			if (m->first[h]) {
				/* the first 8 bytes compared at once: most terms are no longer */
				uint64_t x = 0;
				bool whole = len - i >= 8;
				if (whole)
					memcpy(&x, text + i, 8);
				for (uint32_t j = 0; j < m->num[h]; j++) {
					uint32_t ti = m->order[m->start[h] + j];
					size_t n = m->bytes[ti];
					if (n > len - i || (whole && (x & m->mask[ti]) != m->head[ti]))
						continue;
					if (whole ? n <= 8 || memcmp(text + i + 8, terms[ti].text + 8, n - 8) == 0
						  : memcmp(text + i, terms[ti].text, n) == 0) {
						long l = m->chars[ti];
						fn(ctx, ti, chars, l);
						i += n;
						chars += l;
						if (i < len)
							k = decode(text + i, len - i, &c);
						goto next;
					}
				}
			}
		}
		i += k;
		chars++;
		c = d, k = kd;
	next:;
	}
}

/* The kept paragraph whose text (terms_kept_text) is the len bytes at text; false
 * for other text. The one after the last found (guess) is tried first. */
static bool kept_index(const struct terms *t, const char *text, size_t len, size_t guess, size_t *index)
{
	uintptr_t p = (uintptr_t)text, base = (uintptr_t)t->sample.data;
	if (!t->nkept || p < base || p - base >= t->sample.len)
		return false;
	size_t at = p - base, lo;
	if (guess < t->nkept && (guess ? t->ends[guess - 1] + 1 : 0) == at)
		lo = guess;
	else
		lo = first_ending_at(t, at);
	size_t from = lo ? t->ends[lo - 1] + 1 : 0;
	if (lo == t->nkept || from != at || t->ends[lo] - from != len)
		return false;
	*index = lo;
	return true;
}

/* A scan of part of a paragraph: its hits passed on, moved by the characters before it. */
struct moved {
	term_hit_fn fn;		/* the caller's */
	void *ctx;		/* and its context */
	long chars;		/* characters before the part */
};

static void moved_hit(void *ctx, size_t term, long offset, long length)
{
	struct moved *mv = ctx;
	mv->fn(mv->ctx, term, offset + mv->chars, length);
}

void terms_scan(const struct terms *t, const char *text, size_t len, term_hit_fn fn, void *ctx)
{
	size_t i;
	struct replay *r = t->replay;	/* its guess moves on; the hits do not change */
	if (r && kept_index(t, text, len, r->next, &i)) {
		r->next = i + 1;
		if (r->unit[i]) {
			uint32_t u = r->unit[i] - 1;
			for (uint32_t k = r->first[u]; k < r->first[u + 1]; k++) {
				if (!(r->term[k] & REPLAY_SCAN)) {
					fn(ctx, r->term[k], r->offset[k], t->m.chars[r->term[k]]);
					continue;
				}
				const uint32_t *sc = r->scan + 3 * (r->term[k] & ~REPLAY_SCAN);
				struct moved mv = { fn, ctx, sc[2] };
				match(&t->m, t->chosen, text + sc[0], sc[1] - sc[0], moved_hit, &mv);
			}
			return;
		}
	}
	match(&t->m, t->chosen, text, len, fn, ctx);
}

void terms_free(struct terms *t)
{
	if (!t)
		return;
	trie_free(&t->fwd);
	for (uint32_t i = 0; i < t->qslots; i++)
		free(t->q[i].text);
	free(t->q);
	for (size_t i = 0; i < t->nchosen; i++)
		free((char *)t->chosen[i].text);
	free(t->chosen);
	sbuf_free(&t->sample);
	free(t->ends);
	replay_free(t);
	matcher_free(&t->m);
	free(t);
}
