#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/clean.h"
#include "dugao/util.h"

/*
 * Rules, all general (none names a site or a document):
 *  - watermark phrases (仅供学习, 禁止外传, 会员资料, 倒卖 …) in a line of at most 80
 *    characters;
 *  - contact promotions: QQ, 微信, 公众号, 扫码 … with a number or a call to act
 *    (咨询, 关注, 添加 …), in a short line that is not a sentence (no 。) and not a heading;
 *  - subscription and membership offers (订阅, 会员, 立享 …) in such a line;
 *  - links (http, www.) in a line that is not a sentence, and citation headers;
 *  - web-page chrome: a line made only of words like 下载 打印 全屏 收藏 【字号：
 *    加大 还原 减小 相关报道：;
 *  - a short line repeated three times or more in the document (site banners);
 *  - block context: near the top or the bottom, a short line that is no sentence and no
 *    heading, with noise directly above and below it in the same block of lines
 *    (no blank line between), is part of that advert (a brand line such as 酷乐文行).
 */

enum line_class {
	CLASS_BLANK,	/* nothing but spaces */
	CLASS_NOISE,	/* noise by its own content */
	CLASS_WEAK,	/* short, no sentence, no heading: noise only inside an advert block */
	CLASS_TEXT,	/* anything else */
	CLASS_SHORT,	/* classify_in without weak: maybe CLASS_WEAK, maybe CLASS_TEXT (never stored) */
};

#define WINDOW 64		/* lines at the top and at the bottom that block rules see */
#define REPEAT_SLOTS 65536	/* distinct short lines counted; more are not (bounded memory) */
#define REPEAT_MIN 3		/* a line seen this often is a banner */
#define REPEAT_MAX_CHARS 50	/* longer lines are text even when repeated */
#define MARK_LINES_MAX (32L << 20)	/* lines whose prescan marks are kept (8 MB); later ones are classified again */
#define DEFER_FROM 16384L	/* from this line on (about the megabyte of text past which the importer streams
				 * a file instead of holding it) the prescan leaves classify to the second pass */
#define CLASS_UNKNOWN 0xFF	/* a window_line's class not asked yet (its text is in the ring) */

struct repeat_slot {
	uint64_t hash;		/* hash of the line, 0 for an empty slot */
	uint32_t count;		/* times seen */
};

struct window_line {
	unsigned char cls;	/* enum line_class of the line */
	uint64_t hash;		/* its repeat hash, 0 when not counted */
};

struct clean {
	struct repeat_slot *slots;	/* open addressing, at most half full, allocated on use */
	size_t cap;			/* slots allocated: a power of two up to 2 * REPEAT_SLOTS */
	size_t used;			/* slots taken, at most REPEAT_SLOTS */
	long lines;			/* lines prescanned */
	long seen;			/* lines asked about in the second pass */
	struct window_line head[WINDOW];	/* the first lines */
	struct window_line tail[WINDOW];	/* the last lines, a ring indexed by line % WINDOW */
	unsigned char *marks;		/* two bits a prescanned line: noise by its content, counted as a repeat */
	size_t marks_cap;		/* bytes of marks allocated */
	struct sbuf *ring;		/* from line DEFER_FROM on: the text of the last WINDOW lines, by
					 * line % WINDOW, for the classes of the tail window */
	uint64_t *banners;		/* after the prescan: the hashes counted REPEAT_MIN times, sorted */
	size_t nbanners;		/* how many */
	bool counted;			/* banners is made (the counts are final) */
};

struct clean *clean_new(void)
{
	return xcalloc(1, sizeof(struct clean));
}

void clean_free(struct clean *c)
{
	if (!c)
		return;
	free(c->slots);
	free(c->marks);
	for (size_t i = 0; c->ring && i < WINDOW; i++)
		sbuf_free(&c->ring[i]);
	free(c->ring);
	free(c->banners);
	free(c);
}

/* ---- looking at one line -------------------------------------------------------- */

static bool starts(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);
	return n >= k && !memcmp(s, word, k);
}

/* Skips leading ASCII, no-break and ideographic spaces. */
static size_t skip_space(const char *s, size_t n)
{
	size_t i = 0;
	for (;;) {
		if (i < n && s[i] == ' ')
			i++;
		else if (i + 3 <= n && !memcmp(s + i, "\xE3\x80\x80", 3))
			i += 3;
		else if (i + 2 <= n && !memcmp(s + i, "\xC2\xA0", 2))
			i += 2;
		else
			return i;
	}
}

static bool is_cn_digit(uint32_t cp)
{
	return (cp == 0x4E00 || cp == 0x4E8C || cp == 0x4E09 || cp == 0x56DB || cp == 0x4E94 ||
				       cp == 0x516D || cp == 0x4E03 || cp == 0x516B || cp == 0x4E5D || cp == 0x5341 ||
				       cp == 0x96F6 || cp == 0x3007);
}

/* Whether the line opens like a heading or an enumeration (一、 （一） 1． 第一 ① 一是):
 * such a line is never taken for an advert by the weaker rules. */
static bool heading_like(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	size_t k = utf8_decode(s, n, &cp);
	if (!n)
		return false;
	if ((cp >= 0x2460 && cp <= 0x24FF) || (cp >= 0x2776 && cp <= 0x2793))	/* ① ⑴ ⒈ ❶ */
		return true;
	bool open = cp == '(' || cp == 0xFF08;
	if (open)
		i = k;
	else if (cp != 0x7B2C /* 第 */ && !(cp >= '0' && cp <= '9') && !(cp >= 0xFF10 && cp <= 0xFF19) && !is_cn_digit(cp))
		return false;	/* what the two tests below find of most lines: no 第, no digit */
	if (starts(s + i, n - i, "第"))
		return true;
	size_t digits = 0;
	while (i < n) {
		k = utf8_decode(s + i, n - i, &cp);
		if ((cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19) || is_cn_digit(cp))
			i += k, digits++;
		else
			break;
	}
	if (!digits || i >= n)
		return false;
	utf8_decode(s + i, n - i, &cp);
	if (open)
		return cp == ')' || cp == 0xFF09;
	return cp == 0x3001 || cp == 0xFF0E || cp == '.' || cp == 0xFF0C || cp == 0x662F /* 是 */ ||
	       cp == 0x8981 /* 要 */ || cp == 0x6765 /* 来 */ || cp == 0x5B57 /* 字 */;
}

static const char *const watermarks[] = {
	"仅供学习", "仅供参考学习", "禁止外传", "严禁外传", "请勿外传", "不得外传", "用后删除", "阅后删除",
	"仅供内部交流", "违者后果自负", "倒卖", "会员资料", "会员群", "免费QQ群", "版权所有", "版权归",
	"转载请注明", "未经授权", "侵权必究", "更多资料", "资料下载", "下载地址", "引证码", NULL,
};

static const char *const channels[] = {
	"QQ", "ＱＱ", "qq", "微信", "公众号", "订阅号", "VX", "vx", "V信", "扫码", "扫一扫", "二维码", "加群", "群号",
	"客服", NULL,
};

static const char *const calls[] = {
	"咨询", "关注", "添加", "加入", "搜索", "订阅", "扫", "联系", "免费", "获取", "领取", "进群", "私信", "：", ":",
	"整理", NULL,
};

static const char *const offers[] = {
	"订阅", "会员", "立享", "充值", "VIP", "vip", "限时", "优惠", "特价", "原价", NULL,
};

/* what an offer gives: with one of offers, the line sells something */
static const char *const offer_terms[] = { "资料", "权益", "立享", "免费", "赠送", "名额", "限时", NULL };

static const char *const links[] = { "http://", "https://", "www.", "WWW.", NULL };

static const char *const chrome[] = {
	"下载", "打印", "全屏", "收藏", "关闭", "关闭窗口", "打印本页", "打印此页", "字号", "加大", "还原", "减小",
	"放大", "缩小", "默认", "大", "中", "小", "分享", "分享到", "返回顶部", "返回", "上一篇", "下一篇",
	"相关报道", "相关链接", "相关新闻", "相关阅读", "相关文章", "责任编辑", "扫一扫在手机打开当前页", NULL,
};

/* Roles of characters in the rules below (set by pairs_build): classify hashes the
 * pairs that start with a keyword's first character, chrome_only drops a word whose
 * first character starts no chrome word. */
enum role {
	ROLE_FIRST = 1,		/* first character of a keyword */
	ROLE_TITLE_FIRST = 2,	/* first character of a title word */
	ROLE_SENTENCE = 4,	/* 。 */
	ROLE_CLAUSE = 8,	/* ；！？： */
	ROLE_CHROME_FIRST = 16,	/* first character of a chrome word */
};

static unsigned char roles[0x10000];

/* roles again, indexed by the key of a character's three bytes (key3): classify's
 * scan of four three-byte characters at once looks their roles up without decoding
 * them. */
static unsigned char roles3[0x10000];

/* The key of the three bytes of w (the first in its low byte) when they are a lead
 * E0-EF and two continuation bytes: the varying bits of the three, taken by one shift
 * and xor, give each of the 65,536 such sequences its own key (no other shift below 24
 * does). */
static inline unsigned key3(uint64_t w)
{
	return (unsigned)((w ^ w >> 6) & 0xFFFF);
}

/* Gives cp (below 0x10000) the role, in both tables: the bytes that classify decodes
 * to cp (a lead E0-EF with its low four bits, two continuation bytes with six each)
 * have its key in roles3. */
static void role_add(uint32_t cp, unsigned role)
{
	roles[cp] |= (unsigned char)role;
	uint64_t w = (0xE0 | cp >> 12) | (0x80 | (cp >> 6 & 0x3F)) << 8 | (0x80 | (cp & 0x3F)) << 16;
	roles3[key3(w)] |= (unsigned char)role;
}

/* Length of the separator at s (between chrome words), 0 if none: one of
 * " []|/:" or 【 】 ： 、 ｜ 　 (E3 80 90, E3 80 91, EF BC 9A, E3 80 81, EF BD 9C, E3 80 80). */
static inline size_t chrome_sep(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	if (c == ' ' || c == '[' || c == ']' || c == '|' || c == '/' || c == ':')
		return 1;
	if (n < 3)
		return 0;
	if (c == 0xE3)
		return s[1] == 0x80 && (s[2] == 0x90 || s[2] == 0x91 || s[2] == 0x81 || s[2] == 0x80) ? 3 : 0;
	if (c == 0xEF)
		return (s[1] == 0xBC && s[2] == 0x9A) || (s[1] == 0xBD && s[2] == 0x9C) ? 3 : 0;
	return 0;
}

/* Bytes of each chrome word, and of the longest (a longer word is none of them); set by
 * pairs_init. */
static size_t chrome_len[sizeof chrome / sizeof *chrome];
static size_t chrome_longest;

/* Whether the line is made only of web-page chrome words between spaces and brackets
 * (after pairs_init). */
static bool chrome_only(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t sep = chrome_sep(s + i, n - i);
		if (sep) {
			i += sep;
			continue;
		}
		/* every chrome word starts with a three-byte character of ROLE_CHROME_FIRST:
		 * a word that does not is none of them (most lines' first) */
		const unsigned char *u = (const unsigned char *)s + i;
		if (n - i < 3 || (u[0] & 0xF0) != 0xE0 || !(roles[utf8_cp3(s + i)] & ROLE_CHROME_FIRST))
			return false;
		size_t j = i;
		while (j < n && !chrome_sep(s + j, n - j))
			if (++j - i > chrome_longest)
				return false;
		bool known = false;
		for (size_t w = 0; chrome[w] && !known; w++)
			known = chrome_len[w] == j - i && !memcmp(s + i, chrome[w], j - i);
		if (!known)
			return false;
		i = j;
	}
	/* no word at all: a line of lone brackets left over from a page */
	return true;
}

/* Longest run of ASCII or full-width digits (QQ and phone numbers). */
static size_t digit_run(const char *s, size_t n)
{
	size_t best = 0, run = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_decode(s + i, n - i, &cp);
		if ((cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19))
			run++;
		else
			run = 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* Words of a title or a salutation: a short line with one is never a brand line. */
static const char *const title_words[] = {
	"讲话", "报告", "发言", "会议", "通知", "意见", "决定", "方案", "总结", "致辞", "纪要", "规划", "要点", "：", NULL,
};

/* A prefilter: one bit per hashed pair of the first two characters of every keyword
 * of the rules above (of two or more characters). A line with none of these pairs
 * cannot hold a keyword, and most lines have none, so the many memmem calls are made
 * for few lines; any keyword a line holds sets the flag, so the rules decide as
 * without the prefilter. A table of character roles says which characters start a
 * keyword, so that few pairs are hashed at all. */
static uint64_t pair_bits[65536 / 64];
static uint64_t title_bits[65536 / 64];	/* the same for title_words */

static unsigned pair_hash(uint32_t a, uint32_t b)
{
	return (((a * 0x9E3779B1u) ^ b) * 0x85EBCA6Bu) >> 16;
}

static void pairs_add(uint64_t *bits, unsigned role, const char *const *words)
{
	for (const char *const *w = words; *w; w++) {
		size_t n = strlen(*w);
		uint32_t a, b;
		size_t k = utf8_decode(*w, n, &a);
		if (k >= n)
			continue;	/* one character: only ever asked for with a longer word */
		utf8_decode(*w + k, n - k, &b);
		unsigned h = pair_hash(a, b);
		bits[h / 64] |= 1ull << (h % 64);
		if (a < 0x10000)
			role_add(a, role);
	}
}

/* What has_any_seen needs of the words of a list, worked out once by pairs_init. */
#define KEYWORDS_MAX 32
struct keywords {
	const char *const *words;	/* the list, NULL-terminated */
	size_t len[KEYWORDS_MAX];	/* bytes of each word */
	int bit[KEYWORDS_MAX];		/* bit of its first pair in a line's sig; -1 for one character */
};

static struct keywords kw_watermarks = { .words = watermarks }, kw_channels = { .words = channels },
		       kw_calls = { .words = calls }, kw_offers = { .words = offers },
		       kw_offer_terms = { .words = offer_terms }, kw_links = { .words = links },
		       kw_titles = { .words = title_words };

_Static_assert(sizeof watermarks / sizeof *watermarks <= KEYWORDS_MAX && sizeof channels / sizeof *channels <= KEYWORDS_MAX &&
	       sizeof calls / sizeof *calls <= KEYWORDS_MAX && sizeof offers / sizeof *offers <= KEYWORDS_MAX &&
	       sizeof offer_terms / sizeof *offer_terms <= KEYWORDS_MAX && sizeof links / sizeof *links <= KEYWORDS_MAX &&
	       sizeof title_words / sizeof *title_words <= KEYWORDS_MAX, "a keyword list outgrew struct keywords");

static void keywords_init(struct keywords *kw)
{
	for (size_t w = 0; kw->words[w]; w++) {
		size_t k = strlen(kw->words[w]);
		uint32_t a, b;
		size_t l = utf8_decode(kw->words[w], k, &a);
		kw->len[w] = k;
		kw->bit[w] = -1;
		if (l < k) {
			utf8_decode(kw->words[w] + l, k - l, &b);
			kw->bit[w] = (int)(pair_hash(a, b) % 64);
		}
	}
}

static void pairs_build(void)
{
	struct keywords *kws[] = { &kw_watermarks, &kw_channels, &kw_calls, &kw_offers, &kw_offer_terms, &kw_links,
				   &kw_titles };
	for (size_t l = 0; l < sizeof kws / sizeof *kws; l++)
		keywords_init(kws[l]);
	for (size_t w = 0; chrome[w]; w++) {
		uint32_t a;
		utf8_decode(chrome[w], strlen(chrome[w]), &a);
		role_add(a, ROLE_CHROME_FIRST);	/* each a three-byte character (chrome_only) */
		chrome_len[w] = strlen(chrome[w]);
		if (chrome_len[w] > chrome_longest)
			chrome_longest = chrome_len[w];
	}
	const char *const *lists[] = { watermarks, channels, calls, offers, offer_terms, links };
	for (size_t l = 0; l < sizeof lists / sizeof *lists; l++)
		pairs_add(pair_bits, ROLE_FIRST, lists[l]);
	pairs_add(title_bits, ROLE_TITLE_FIRST, title_words);
	role_add(0x3002, ROLE_SENTENCE);
	role_add(0xFF1B, ROLE_CLAUSE), role_add(0xFF01, ROLE_CLAUSE), role_add(0xFF1F, ROLE_CLAUSE);
	role_add(0xFF1A, ROLE_CLAUSE);
}

/* The tables above, made once whatever thread asks first (an import parses on two). */
static void pairs_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, pairs_build);
}

/* has_any for a line whose keyword pairs were seen: sig has bit (hash % 64) of every
 * pair hashed in it, so a word whose first pair has no bit there is not looked for. */
static bool has_any_seen(const char *s, size_t n, const struct keywords *kw, uint64_t sig)
{
	for (size_t w = 0; kw->words[w]; w++) {
		if (kw->bit[w] >= 0 && !(sig >> kw->bit[w] & 1))
			continue;
		if (memmem(s, n, kw->words[w], kw->len[w]))
			return true;
	}
	return false;
}

/* What classify learnt of a line besides its class, so that repeat_hash need not
 * work it out again. */
struct line_facts {
	size_t at;	/* bytes of leading space */
	size_t chars;	/* characters after them; SIZE_MAX when not counted (more than 100) */
	int heading;	/* heading_like of the text after them; -1 when not asked */
};

/* heading_like of the line, asked once. */
static bool facts_heading(struct line_facts *f, const char *s, size_t n)
{
	if (f->heading < 0)
		f->heading = heading_like(s, n);
	return f->heading;
}

/* The class of a line, and f filled. weak: CLASS_WEAK is told from CLASS_TEXT; else
 * the pairs that start a title word are not hashed (whether a line is noise by its own
 * content does not depend on them), and a line that may be weak (short, no sentence,
 * no clause) is CLASS_SHORT. */
static inline __attribute__((always_inline)) enum line_class classify_in(const char *line, size_t len,
									 struct line_facts *f, bool weak)
{
	/* the roles after which a pair of characters is hashed */
	const unsigned lead = weak ? ROLE_FIRST | ROLE_TITLE_FIRST : ROLE_FIRST;
	size_t at = skip_space(line, len);
	const char *s = line + at;
	size_t n = len - at;
	*f = (struct line_facts){ .at = at, .chars = SIZE_MAX, .heading = -1 };
	if (n == 0)
		return CLASS_BLANK;
	if (n > 4 * 100)
		return CLASS_TEXT;	/* longer than any rule looks at, in any character width */
	if (n > 300 && utf8_count(s, n) > 100)
		return CLASS_TEXT;	/* the same, counted faster than by the scan below */
	pairs_init();
	size_t chars = 0;
	bool maybe = false;		/* a keyword may be in the line */
	bool maybe_title = false;	/* a title word may be */
	unsigned seen = 0;		/* roles of the characters seen */
	unsigned prev_role = 0;		/* role of the character before */
	uint32_t prev = 0;
	uint64_t sig = 0;		/* the pairs hashed, one bit each (has_any_seen) */
	for (size_t i = 0; i < n; chars++) {
		if (chars > 100)
			return CLASS_TEXT;	/* longer than any rule below looks at */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* Four three-byte characters at once, the bulk of Chinese text: the same
		 * characters as four steps below decode (lead E0-EF, then two continuation
		 * bytes: the lines are valid UTF-8, normalised, so an E0 or ED lead here
		 * starts no overlong or surrogate), the same pairs and roles, while no step
		 * of the four would find the line too long. */
		if (chars + 3 <= 100 && i + 12 <= n) {
			uint64_t a, a4;	/* bytes 0-7 and 4-11 */
			memcpy(&a, s + i, 8);
			memcpy(&a4, s + i + 4, 8);
			if ((a & 0xC0F0C0C0F0C0C0F0ull) == 0x80E08080E08080E0ull &&
			    (a4 >> 32 & 0xC0C0F0C0u) == 0x8080E080u) {
				/* the roles by the characters' keys (key3 of bytes 0, 3, 6, 9) */
				uint64_t x = a ^ a >> 6, x4 = a4 ^ a4 >> 6;
				unsigned r0 = roles3[x & 0xFFFF], r1 = roles3[x >> 24 & 0xFFFF];
				unsigned r2 = roles3[x4 >> 16 & 0xFFFF], r3 = roles3[x4 >> 40 & 0xFFFF];
				seen |= r0 | r1 | r2 | r3;
				if ((prev_role | r0 | r1 | r2) & lead) {
					/* a pair to hash: the characters themselves (seldom) */
					uint32_t c0 = utf8_cp3(s + i), c1 = utf8_cp3(s + i + 3), c2 = utf8_cp3(s + i + 6),
						 c3 = utf8_cp3(s + i + 9);
#define PAIR(x, y)									\
	do {										\
		unsigned h_ = pair_hash(x, y);						\
		sig |= 1ull << (h_ % 64);						\
		maybe |= pair_bits[h_ / 64] >> (h_ % 64) & 1;				\
		if (weak)								\
			maybe_title |= title_bits[h_ / 64] >> (h_ % 64) & 1;		\
	} while (0)
					if (prev_role & lead)
						PAIR(prev, c0);
					if (r0 & lead)
						PAIR(c0, c1);
					if (r1 & lead)
						PAIR(c1, c2);
					if (r2 & lead)
						PAIR(c2, c3);
#undef PAIR
				}
				/* prev is read only after a character of such a role */
				if (r3 & lead)
					prev = utf8_cp3(s + i + 9);
				prev_role = r3;
				i += 12;
				chars += 3;	/* and the loop's one */
				continue;
			}
		}
#endif
		uint32_t cp;
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80 && !(prev_role & lead)) {
			/* a run of ASCII (tags, numbers) in a loop of its own: no pair is hashed
			 * in it until a character of a first role (Q V h w…) comes, and the steps
			 * below would find the line too long at the same character */
			for (;;) {
				prev_role = roles[c];
				seen |= prev_role;
				prev = c;
				i++;
				if (i >= n || chars + 1 > 100 || (prev_role & lead) ||
				    (c = (unsigned char)s[i]) >= 0x80)
					break;
				chars++;
			}
			continue;
		}
		if (c < 0x80) {
			cp = c;
			i++;
		} else if ((c & 0xF0) == 0xE0 && i + 2 < n && ((unsigned char)s[i + 1] & 0xC0) == 0x80 &&
			   ((unsigned char)s[i + 2] & 0xC0) == 0x80) {
			/* as above: one three-byte character of valid UTF-8 */
			cp = utf8_cp3(s + i);
			i += 3;
		} else {
			i += utf8_decode(s + i, n - i, &cp);
		}
		if (prev_role & lead) {
			unsigned h = pair_hash(prev, cp);
			sig |= 1ull << (h % 64);
			maybe |= pair_bits[h / 64] >> (h % 64) & 1;
			if (weak)
				maybe_title |= title_bits[h / 64] >> (h % 64) & 1;
		}
		prev_role = cp < 0x10000 ? roles[cp] : 0;
		seen |= prev_role;
		prev = cp;
	}
	f->chars = chars;
	bool sentence = seen & ROLE_SENTENCE;	/* a 。 */
	bool clause = seen & ROLE_CLAUSE;	/* a ；！？ or ： */
	/* heading_like is asked only where a rule needs it (repeat_hash asks the rest) */
	if (maybe && chars <= 80 && has_any_seen(s, n, &kw_watermarks, sig))
		return CLASS_NOISE;
	if (chars <= 40 && chrome_only(s, n))
		return CLASS_NOISE;
	if (maybe && !sentence && !facts_heading(f, s, n)) {
		if (chars <= 60 && has_any_seen(s, n, &kw_channels, sig) &&
		    (digit_run(s, n) >= 5 || has_any_seen(s, n, &kw_calls, sig)))
			return CLASS_NOISE;
		if (chars <= 40 && has_any_seen(s, n, &kw_offers, sig) && has_any_seen(s, n, &kw_offer_terms, sig))
			return CLASS_NOISE;
		if (chars <= 100 && has_any_seen(s, n, &kw_links, sig))
			return CLASS_NOISE;
	}
	if (!sentence && !clause && chars <= 16) {
		if (!weak)
			return CLASS_SHORT;
		if (!facts_heading(f, s, n) && !(maybe_title && has_any_seen(s, n, &kw_titles, sig)))
			return CLASS_WEAK;
	}
	return CLASS_TEXT;
}

/* Most lines are told without the title words: only a short one with no sentence
 * needs them, and is classified again with them (its facts anew). */
static enum line_class classify(const char *line, size_t len, struct line_facts *f)
{
	enum line_class cls = classify_in(line, len, f, false);
	return cls == CLASS_SHORT ? classify_in(line, len, f, true) : cls;
}

/* classify for whether the line is noise by its own content only: CLASS_WEAK comes
 * out as CLASS_TEXT. */
static enum line_class classify_noise(const char *line, size_t len, struct line_facts *f)
{
	enum line_class cls = classify_in(line, len, f, false);
	return cls == CLASS_SHORT ? CLASS_TEXT : cls;
}

/* ---- repeats ---------------------------------------------------------------------- */

/* The hash a line is counted under, 0 when it is not counted (blank, long or a heading).
 * f: what classify learnt of the line (its character count is the same as utf8_count's
 * in valid UTF-8, which normalised lines are), or NULL. */
static uint64_t repeat_hash(const char *line, size_t len, enum line_class cls, struct line_facts *f)
{
	struct line_facts none;
	if (!f) {
		none = (struct line_facts){ .at = skip_space(line, len), .chars = SIZE_MAX, .heading = -1 };
		f = &none;
	}
	const char *s = line + f->at;
	size_t n = len - f->at;
	/* (a line of no more bytes than REPEAT_MAX_CHARS has no more characters: not counted) */
	if (cls == CLASS_BLANK || n > 4 * REPEAT_MAX_CHARS ||
	    (f->chars != SIZE_MAX ? f->chars : n > REPEAT_MAX_CHARS ? utf8_count(s, n) : n) > REPEAT_MAX_CHARS ||
	    facts_heading(f, s, n))
		return 0;
	/* eight bytes a step (the last ones padded with zeros, the length mixed in first),
	 * each step a multiply and a fold of the high half, and a final mix: the slots are
	 * told by the low bits */
	uint64_t h = 14695981039346656037u ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15u;
		h ^= h >> 32;
	}
	if (i < n) {
		uint64_t w = 0;
		memcpy(&w, s + i, n - i);
		h = (h ^ w) * 0x9E3779B97F4A7C15u;
		h ^= h >> 32;
	}
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9u;
	h ^= h >> 32;
	return h ? h : 1;
}

/* Doubles the table (it starts small: most documents have few distinct short lines,
 * a small one a hundred or two, and the table is zeroed when made). */
static void grow(struct clean *c)
{
	size_t cap = c->cap ? 2 * c->cap : 256;
	struct repeat_slot *slots = xcalloc(cap, sizeof *slots);
	for (size_t i = 0; i < c->cap; i++) {
		if (!c->slots[i].hash)
			continue;
		size_t j = c->slots[i].hash & (cap - 1);
		while (slots[j].hash)
			j = (j + 1) & (cap - 1);
		slots[j] = c->slots[i];
	}
	free(c->slots);
	c->slots = slots;
	c->cap = cap;
}

static struct repeat_slot *slot_of(struct clean *c, uint64_t h, bool insert)
{
	if (!c->slots) {
		if (!insert)
			return NULL;
		grow(c);
	}
	size_t mask = c->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		if (c->slots[i].hash == h)
			return &c->slots[i];
		if (c->slots[i].hash == 0) {
			if (!insert || c->used >= REPEAT_SLOTS)
				return NULL;
			if (2 * (c->used + 1) > c->cap) {
				grow(c);
				return slot_of(c, h, insert);
			}
			c->used++;
			c->slots[i].hash = h;
			return &c->slots[i];
		}
	}
}

static int compare_hash(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The number of banners (lines counted REPEAT_MIN times), once the counts are final. */
static size_t banners(struct clean *c)
{
	if (!c->counted) {
		/* The second pass only asks, and most lines are no banner: the few hashes
		 * that are make a small sorted array, searched without the cache misses of
		 * the big table. */
		c->counted = true;
		for (size_t i = 0; i < c->cap; i++)
			if (c->slots[i].hash && c->slots[i].count >= REPEAT_MIN) {
				c->banners = xrealloc(c->banners, (c->nbanners + 1) * sizeof *c->banners);
				c->banners[c->nbanners++] = c->slots[i].hash;
			}
		if (c->nbanners)
			qsort(c->banners, c->nbanners, sizeof *c->banners, compare_hash);
	}
	return c->nbanners;
}

static bool repeated(struct clean *c, uint64_t h)
{
	if (!h || !banners(c))
		return false;
	size_t lo = 0, hi = c->nbanners;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->banners[mid] < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->nbanners && c->banners[lo] == h;
}

/* ---- the passes --------------------------------------------------------------------- */

/* A line of a long document in the prescan (a big file's prescan runs before anything
 * else can): only what the counts need, its text kept in the ring. The second pass
 * classifies the lines outside the windows as they come, those of the tail window from
 * the ring. Returns CLASS_BLANK or CLASS_TEXT, all repeat_hash asks of a class. */
static __attribute__((noinline)) enum line_class defer_line(struct clean *c, const char *line, size_t len,
							     long chars, struct line_facts *f)
{
	*f = (struct line_facts){ .at = skip_space(line, len), .chars = chars < 0 ? SIZE_MAX : (size_t)chars,
				  .heading = -1 };
	if (!c->ring)
		c->ring = xcalloc(WINDOW, sizeof *c->ring);
	struct sbuf *r = &c->ring[c->lines % WINDOW];
	sbuf_reset(r);
	sbuf_append(r, line, len);
	return f->at == len ? CLASS_BLANK : CLASS_TEXT;
}

/* Counts a prescanned line: its repeat hash h, its marks (noise: noise by its content,
 * as far as the prescan asked) and its place in the windows (cls: its class, or
 * CLASS_UNKNOWN). */
static inline void prescan_count(struct clean *c, uint64_t h, unsigned noise, unsigned char cls)
{
	if (h) {
		struct repeat_slot *sl = slot_of(c, h, true);
		if (sl && sl->count < UINT32_MAX)
			sl->count++;
	}
	/* what the second pass needs of a line outside the windows, so that it does not
	 * classify it again */
	if (c->lines < MARK_LINES_MAX) {
		size_t at = (size_t)c->lines / 4;
		if (at >= c->marks_cap) {
			size_t cap = c->marks_cap ? 2 * c->marks_cap : 256;	/* 1,024 lines; most have fewer */
			c->marks = xrealloc(c->marks, cap);
			memset(c->marks + c->marks_cap, 0, cap - c->marks_cap);
			c->marks_cap = cap;
		}
		unsigned bits = noise | (h != 0) << 1;
		c->marks[at] |= (unsigned char)(bits << (c->lines % 4 * 2));
	}
	struct window_line w = { .cls = cls, .hash = h };
	if (c->lines < WINDOW)
		c->head[c->lines] = w;
	c->tail[c->lines % WINDOW] = w;
	c->lines++;
}

void clean_prescan_line(struct clean *c, const char *line, size_t len)
{
	clean_prescan_line_chars(c, line, len, -1);
}

void clean_prescan_line_chars(struct clean *c, const char *line, size_t len, long chars)
{
	if (c->counted) {
		/* asked before the prescan ended: the counts go on */
		c->counted = false;
		free(c->banners);
		c->banners = NULL;
		c->nbanners = 0;
	}
	struct line_facts f;
	if (c->lines >= DEFER_FROM) {
		/* its noise bit left clear: the second pass asks */
		enum line_class cls = defer_line(c, line, len, chars, &f);
		prescan_count(c, repeat_hash(line, len, cls, &f), 0, CLASS_UNKNOWN);
		return;
	}
	enum line_class cls = classify(line, len, &f);
	prescan_count(c, repeat_hash(line, len, cls, &f), cls == CLASS_NOISE, (unsigned char)cls);
}

/* What the prescan saw at line i, when i is in a window; false otherwise. */
static bool window_at(struct clean *c, long i, struct window_line *w)
{
	if (i < 0 || i >= c->lines)
		return false;
	if (i < WINDOW) {
		*w = c->head[i];
	} else if (i >= c->lines - WINDOW) {
		struct window_line *t = &c->tail[i % WINDOW];
		if (t->cls == CLASS_UNKNOWN) {
			/* a deferred line: the ring still holds it (no later line took its slot) */
			struct line_facts f;
			const struct sbuf *r = &c->ring[i % WINDOW];
			t->cls = (unsigned char)classify(r->data ? r->data : "", r->len, &f);
		}
		*w = *t;
	} else {
		return false;
	}
	return true;
}

/* Whether the line at i is noise without block context. */
static bool noise_alone(struct clean *c, const struct window_line *w)
{
	return w->cls == CLASS_NOISE || repeated(c, w->hash);
}

/* Walks from line i in direction step over weak lines: whether noise closes the run
 * before a blank line, a text line or the end of the window. */
static bool noise_beyond(struct clean *c, long i, int step)
{
	struct window_line w;
	for (long j = i + step; window_at(c, j, &w); j += step) {
		if (noise_alone(c, &w))
			return true;
		if (w.cls != CLASS_WEAK)
			return false;
	}
	return false;
}

bool clean_is_noise(struct clean *c, const char *line, size_t len)
{
	long i = c->seen++;
	struct window_line w;
	if (!window_at(c, i, &w)) {
		/* outside the windows (or no prescan): the line's own content decides, as the
		 * prescan marked it; a line counted as a repeat is hashed again (it is short) */
		if (i < c->lines && i < MARK_LINES_MAX) {
			unsigned bits = c->marks[i / 4] >> (i % 4 * 2) & 3;
			if (i >= DEFER_FROM) {
				/* not classified by the prescan: now, once (outside the windows,
				 * only noise by its content counts: CLASS_WEAK is not told) */
				struct line_facts f;
				enum line_class cls = classify_noise(line, len, &f);
				return cls == CLASS_NOISE ||
				       ((bits & 2) && banners(c) && repeated(c, repeat_hash(line, len, cls, &f)));
			}
			return (bits & 1) || ((bits & 2) && banners(c) && repeated(c, repeat_hash(line, len, CLASS_TEXT, NULL)));
		}
		struct line_facts f;
		w.cls = (unsigned char)classify(line, len, &f);
		w.hash = repeat_hash(line, len, (enum line_class)w.cls, &f);
		return noise_alone(c, &w);
	}
	if (noise_alone(c, &w))
		return true;
	return w.cls == CLASS_WEAK && noise_beyond(c, i, -1) && noise_beyond(c, i, +1);
}
