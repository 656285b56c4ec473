#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "dugao/terms.h"
#include "dugao/util.h"

static const char *const before[] = { "推动", "坚持", "实现", "围绕", "促进", "聚焦", "确保", "谋划" };
static const char *const after[] = { "取得成效", "迈出新步伐", "不断深化", "提供支撑", "形成合力", "走在前列",
				     "开创新局", "见到实效" };

/* The glossaries the tests' extractors read, freed at the end: an extractor only
 * reads its glossary, which must outlive it. */
static struct terms_glossary *glossaries[32];
static size_t nglossaries;

/* An extractor with the glossary at path (NULL or a missing file: none). */
static struct terms *terms_with(const char *path)
{
	struct terms_glossary *g = terms_glossary_load(path);
	CHECK(nglossaries < sizeof glossaries / sizeof *glossaries);
	if (g && nglossaries < sizeof glossaries / sizeof *glossaries)
		glossaries[nglossaries++] = g;
	return terms_new(g);
}

static void feed(struct terms *t, const char *s)
{
	terms_feed(t, s, strlen(s));
}

/* Feeds n sentences that use term between varied neighbours. */
static void feed_uses(struct terms *t, const char *term, int n)
{
	for (int i = 0; i < n; i++) {
		char s[256];
		snprintf(s, sizeof s, "%s%s%s。", before[i % 8], term, after[(i * 3 + 1) % 8]);
		feed(t, s);
	}
}

static const struct term *find(const struct terms *t, const char *text)
{
	for (size_t i = 0; terms_get(t, i); i++)
		if (strcmp(terms_get(t, i)->text, text) == 0)
			return terms_get(t, i);
	return NULL;
}

static size_t index_of(const struct terms *t, const char *text)
{
	for (size_t i = 0; terms_get(t, i); i++)
		if (strcmp(terms_get(t, i)->text, text) == 0)
			return i;
	return (size_t)-1;
}

static const char *kind_of(const struct terms *t, const char *text)
{
	const struct term *x = find(t, text);
	return x ? x->kind : "(absent)";
}

static void test_quoted(void)
{
	struct terms *t = terms_new(NULL);
	feed(t, "扎实做好“六稳”工作，全面落实“六保”任务。");
	feed(t, "坚持“六稳”“六保”，推广“枫桥经验”，学习“枫桥经验”。");
	feed(t, "他说“这是一个很长的句子，不是一个术语”然后走了。");
	feed(t, "围绕「放管服」改革，深化『放管服』改革。");
	feed(t, "“一个定位、两个目标、三大战略、五个前列、很多很多事情”");
	feed(t, "“不忘初心、牢记使命”主题教育，“不忘初心、牢记使命”。");
	feed(t, "“单”字。");
	terms_finish(t);
	CHECK_STR(kind_of(t, "六稳"), "formula");
	CHECK_STR(kind_of(t, "六保"), "formula");
	CHECK_STR(kind_of(t, "枫桥经验"), "quoted");
	CHECK_STR(kind_of(t, "放管服"), "quoted");
	CHECK_STR(kind_of(t, "不忘初心、牢记使命"), "quoted");
	/* the items of a quoted list that look like formulas */
	CHECK_STR(kind_of(t, "三大战略"), "formula");
	CHECK_STR(kind_of(t, "五个前列"), "formula");
	CHECK(!find(t, "很多很多事情"));
	/* a quoted sentence is not a term, nor is one character */
	CHECK(!find(t, "这是一个很长的句子"));
	CHECK(!find(t, "不是一个术语"));
	CHECK(!find(t, "单"));
	terms_free(t);
}

/* A quote is found wherever it begins, whatever the text before and after it: at
 * every byte offset of a paragraph, near its end too (the scan for opening quotes
 * takes sixteen bytes at a time, then the last sixteen for the rest), after near
 * misses (。 、 … and U+200C: E3 80 82, E3 80 81, E2 80 A6, E2 80 8C). */
static void test_quote_places(void)
{
	static const char *const fill[] = { "a", "。", "、", "…", "\xE2\x80\x8C", "发" };
	static const char *const end[] = { "", "a", "。" };
	for (size_t f = 0; f < sizeof fill / sizeof *fill; f++)
		for (int pad = 0; pad < 40; pad++) {
			char s[256] = "";
			for (int i = 0; i < pad; i++)
				strcat(s, fill[f]);
			strcat(s, pad % 2 ? "“放管服”" : "「放管服」");
			strcat(s, end[pad % 3]);
			struct terms *t = terms_new(NULL);
			feed(t, s);
			feed(t, s);
			terms_finish(t);
			CHECK_STR(kind_of(t, "放管服"), "quoted");
			terms_free(t);
		}
}

static void test_formulas(void)
{
	struct terms *t = terms_new(NULL);
	feed_uses(t, "三大攻坚战", 4);
	feed_uses(t, "四条新路", 3);
	/* ordinary counted phrases and ordinals are not formulas */
	feed_uses(t, "三个月", 5);
	feed_uses(t, "两个方面", 4);
	feed_uses(t, "第四条新规", 3);
	feed_uses(t, "十四五", 3);
	terms_finish(t);
	CHECK_STR(kind_of(t, "三大攻坚战"), "formula");
	CHECK_STR(kind_of(t, "四条新路"), "formula");
	CHECK_STR(kind_of(t, "十四五"), "formula");
	CHECK(!find(t, "三大攻坚"));
	CHECK(!find(t, "三个月"));
	CHECK(!find(t, "两个方面"));
	CHECK(!find(t, "四条新规"));
	/* formulas come before phrases */
	CHECK(index_of(t, "三大攻坚战") < index_of(t, "取得成效"));
	terms_free(t);
}

/* 四个意识 after 第 is an ordinal's use (the fourth 意识), not the formula's: with one
 * use of its own it is no formula. The string after 第 is seen once, and must still be
 * counted (count_substrings keeps the nodes of strings led by 第 or a numeral). */
static void test_ordinal_use(void)
{
	struct terms *t = terms_new(NULL);
	feed(t, "第四个意识要牢固树立。");
	feed(t, "第四个意见要认真落实。");
	feed(t, "坚持四个意识不动摇。");
	terms_finish(t);
	CHECK(!find(t, "四个意识"));
	terms_free(t);
}

static void test_phrases(void)
{
	struct terms *t = terms_new(NULL);
	feed_uses(t, "高质量发展", 12);
	feed_uses(t, "山地特色", 6);
	feed_uses(t, "全面建成小康社会", 5);
	/* function characters and words at the edges make no term */
	feed_uses(t, "我们要", 6);
	feed_uses(t, "进一步", 6);
	terms_finish(t);
	CHECK_STR(kind_of(t, "高质量发展"), "phrase");
	CHECK_STR(kind_of(t, "山地特色"), "phrase");
	CHECK_STR(kind_of(t, "全面建成小康社会"), "phrase");
	/* fragments of a longer phrase with the same count are dropped */
	CHECK(!find(t, "高质量发"));
	CHECK(!find(t, "质量发展"));
	CHECK(!find(t, "全面建成小康"));
	CHECK(!find(t, "建成小康社会"));
	CHECK(!find(t, "我们要"));
	CHECK(!find(t, "进一步"));
	/* more uses rank higher */
	CHECK(index_of(t, "高质量发展") < index_of(t, "山地特色"));
	terms_free(t);
}

/* A longer phrase used only a few times beside a much more frequent shorter one is
 * the extension that goes (推动高质量发展 beside 高质量发展). */
static void test_extension_dropped(void)
{
	struct terms *t = terms_new(NULL);
	feed_uses(t, "高质量发展", 16);
	for (int i = 0; i < 3; i++)
		feed(t, i % 2 ? "要坚定推动高质量发展。" : "我们推动高质量发展，");
	terms_finish(t);
	CHECK(find(t, "高质量发展") != NULL);
	CHECK(!find(t, "推动高质量发展"));
	terms_free(t);
}

struct hits {
	long term[8];	/* term index of each hit */
	long off[8];	/* character offset */
	long len[8];	/* character length */
	int n;		/* hits seen */
};

static void on_hit(void *ctx, size_t term, long offset, long length)
{
	struct hits *h = ctx;
	if (h->n < 8) {
		h->term[h->n] = (long)term, h->off[h->n] = offset, h->len[h->n] = length;
	}
	h->n++;
}

/* Shapes that stick together but are no terms: reduplicated verbs, quantifiers,
 * adverbials in 地, a last character that belongs to the next words, a phrase cut
 * after a withheld numeral; their look-alikes stay. */
static void test_not_terms(void)
{
	struct terms *t = terms_new(NULL);
	feed_uses(t, "看一看", 6);
	feed_uses(t, "极少数", 6);
	feed_uses(t, "有计划地", 6);
	feed_uses(t, "示范基地", 6);
	feed_uses(t, "生产基地", 6);
	feed_uses(t, "宅基地", 6);
	feed_uses(t, "党和国家", 12);
	feed_uses(t, "深化健全党和国家", 5);
	for (int i = 0; i < 6; i++) {
		char s[256];
		snprintf(s, sizeof s, "%s市委X届X次全会%s。", before[i % 8], after[(i * 3 + 1) % 8]);
		feed(t, s);
		snprintf(s, sizeof s, "%s×都市圈%s。", before[(i + 3) % 8], after[(i * 5 + 2) % 8]);
		feed(t, s);
	}
	terms_finish(t);
	CHECK(!find(t, "看一看"));
	CHECK(!find(t, "极少数"));
	CHECK(!find(t, "有计划地"));
	CHECK(!find(t, "深化健全党"));
	CHECK(!find(t, "次全会"));
	CHECK(find(t, "示范基地") != NULL);
	CHECK(find(t, "宅基地") != NULL);
	CHECK(find(t, "都市圈") != NULL);
	terms_free(t);
}

/* Words that stick together but are plain words of the text: a manner adverb
 * leading a verb, a light verb or 有 leading its object, a modal (不能, 无法, 决不),
 * 各 leading a noun, a verb with its complement 好, 越来越, a phrase cut after a
 * number in digits (6月底完成), a word the text quotes once but mostly uses
 * plainly, a noun described in 的, a half of 以…为…; their look-alikes stay. */
static void test_plain_words(void)
{
	struct terms *t = terms_new(NULL);
	feed_uses(t, "大力推进", 8);
	feed_uses(t, "严格渔船", 6);
	feed_uses(t, "各位代表", 6);
	feed_uses(t, "组织实施好", 6);
	feed_uses(t, "越来越", 6);
	feed_uses(t, "取得明显成效", 6);
	feed_uses(t, "有专业知识", 6);
	feed_uses(t, "谁也不能", 6);
	feed_uses(t, "决不允许", 6);
	feed_uses(t, "搞特权", 6);
	feed_uses(t, "为支撑", 6);
	feed_uses(t, "及时发布预警信息", 6);
	feed_uses(t, "以人民为中心", 6);
	feed_uses(t, "加快发展", 8);
	feed_uses(t, "山地特色", 6);
	feed_uses(t, "粗放的难题", 6);
	feed_uses(t, "党的领导", 6);
	for (int i = 0; i < 8; i++) {
		char s[256];
		snprintf(s, sizeof s, "（%d月底完成%s，%d山地特色）", i + 3, after[(i * 3 + 1) % 8], i * 7 + 10);
		feed(t, s);
	}
	for (int i = 0; i < 5; i++) {
		char s[256];
		snprintf(s, sizeof s, "%s改善党的%s。", before[(i + 2) % 8], after[(i * 5 + 3) % 8]);
		feed(t, s);
	}
	feed(t, "那时有人闹“革命”，也有人在“双创”示范基地。");
	feed_uses(t, "革命", 12);
	feed_uses(t, "双创", 3);
	terms_finish(t);
	CHECK(!find(t, "大力推进"));
	CHECK(!find(t, "严格渔船"));
	CHECK(!find(t, "各位代表"));
	CHECK(!find(t, "组织实施好"));
	CHECK(!find(t, "越来越"));
	CHECK(!find(t, "取得明显成效"));
	CHECK(!find(t, "有专业知识"));
	CHECK(!find(t, "谁也不能"));
	CHECK(!find(t, "决不允许"));
	CHECK(!find(t, "搞特权"));
	CHECK(!find(t, "为支撑"));
	/* a stop word at the head, and what is left of the phrase without a part of it */
	CHECK(!find(t, "及时发布预警信息"));
	CHECK(!find(t, "时发布预警信息"));
	CHECK(find(t, "以人民为中心") != NULL);
	CHECK(!find(t, "月底完成"));
	CHECK(!find(t, "革命"));
	CHECK(!find(t, "粗放的难题"));
	CHECK(find(t, "党的领导") != NULL);
	CHECK(!find(t, "改善党"));	/* 党 belongs to 的, as in 党的领导 */
	CHECK(find(t, "加快发展") != NULL);
	CHECK(find(t, "山地特色") != NULL);
	CHECK_STR(kind_of(t, "双创"), "quoted");
	terms_free(t);
}

static char *write_glossary(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/dugao-glossary.XXXXXX");
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_glossary_and_scan(void)
{
	char *path = write_glossary("# comment\n高质量\n  高质量发展  \n\nAI大模型\n");
	struct terms *t = terms_with(path);
	feed(t, "一段没有这些词的文字。");
	size_t n = terms_finish(t);
	CHECK(n >= 3);
	CHECK_STR(kind_of(t, "高质量"), "glossary");
	CHECK_STR(kind_of(t, "高质量发展"), "glossary");
	CHECK_STR(kind_of(t, "AI大模型"), "glossary");
	CHECK(!find(t, "# comment"));
	/* glossary terms come first */
	CHECK(index_of(t, "高质量发展") < 3);
	/* non-overlapping, longest first, offsets in characters */
	struct hits h = { 0 };
	const char *s = "推动高质量发展和高质量的AI大模型。";
	terms_scan(t, s, strlen(s), on_hit, &h);
	CHECK_INT(h.n, 3);
	CHECK_STR(terms_get(t, (size_t)h.term[0])->text, "高质量发展");
	CHECK_INT(h.off[0], 2);
	CHECK_INT(h.len[0], 5);
	CHECK_STR(terms_get(t, (size_t)h.term[1])->text, "高质量");
	CHECK_INT(h.off[1], 8);
	CHECK_INT(h.len[1], 3);
	CHECK_STR(terms_get(t, (size_t)h.term[2])->text, "AI大模型");
	CHECK_INT(h.off[2], 12);
	CHECK_INT(h.len[2], 5);
	/* overlapping uses: 高质量高质量发展 gives two hits, not three */
	h.n = 0;
	s = "高质量高质量发展";
	terms_scan(t, s, strlen(s), on_hit, &h);
	CHECK_INT(h.n, 2);
	CHECK_INT(h.off[1], 3);
	CHECK_INT(h.len[1], 5);
	terms_free(t);
	unlink(path);
	/* a missing glossary is no error */
	t = terms_with("/nonexistent/dugao/glossary");
	feed(t, "文字。");
	CHECK_INT(terms_finish(t), 0);
	h.n = 0;
	terms_scan(t, "文字", 6, on_hit, &h);
	CHECK_INT(h.n, 0);
	terms_free(t);
}

/* The matcher's filters of first characters are by a character's low bits: a
 * character that shares them with a term's first one (渀 U+6E00 with 一 U+4E00, 䀀
 * U+4000 with 𠀀 U+20000) is let through and turned away by the exact test; a term
 * past the BMP is found. */
static void test_scan_filters(void)
{
	char *path = write_glossary("一带一路\n\xF0\xA0\x80\x80\xF0\xA0\x80\x81\n");
	struct terms *t = terms_with(path);
	feed(t, "文字。");
	CHECK_INT(terms_finish(t), 2);
	struct hits h = { 0 };
	const char *s = "渀带一路，一带一路，䀀\xF0\xA0\x80\x80\xF0\xA0\x80\x81。一";
	terms_scan(t, s, strlen(s), on_hit, &h);
	CHECK_INT(h.n, 2);
	CHECK_STR(terms_get(t, (size_t)h.term[0])->text, "一带一路");
	CHECK_INT(h.off[0], 5);
	CHECK_INT(h.len[0], 4);
	CHECK_INT(h.off[1], 11);
	CHECK_INT(h.len[1], 2);
	terms_free(t);
	unlink(path);
}

/* The scan steps over characters that lead no term by their bytes, and decodes any
 * other: offsets count an invalid byte, a character of two bytes and one of four as
 * one each, and a term in the last bytes is found. */
static void test_scan_plain(void)
{
	char *path = write_glossary("营商环境\nAI大模型\n路\n");
	struct terms *t = terms_with(path);
	feed(t, "文字。");
	CHECK_INT(terms_finish(t), 3);
	struct hits h = { 0 };
	const char *s = "k\xC3\xA9营商环境\xFF\xE4\xB8营商环境ab，\xF0\xA0\x80\x80" "AI大模型营商环境一路";
	terms_scan(t, s, strlen(s), on_hit, &h);
	CHECK_INT(h.n, 5);
	static const int off[] = { 2, 9, 17, 22, 27 }, len[] = { 4, 4, 5, 4, 1 };
	for (int i = 0; i < 5 && i < h.n; i++) {
		CHECK_INT(h.off[i], off[i]);
		CHECK_INT(h.len[i], len[i]);
	}
	/* a term of one character at the end, after ones that lead none */
	h.n = 0;
	terms_scan(t, "文字a路", 10, on_hit, &h);
	CHECK_INT(h.n, 1);
	CHECK_INT(h.off[0], 3);
	terms_free(t);
	unlink(path);
}

/* A long text: the statistics stop at their sample, quotes and hits do not. */
static void test_long_input(void)
{
	struct terms *t = terms_new(NULL);
	for (int i = 0; i < 20000; i++) {
		char s[256];
		snprintf(s, sizeof s, "%s数字政府建设%s，第%d项。", before[i % 8], after[(i / 8) % 8], i);
		feed(t, s);
	}
	feed(t, "最后提出“三区一园”和“三区一园”。");
	terms_finish(t);
	CHECK(find(t, "数字政府建设") != NULL);
	CHECK_STR(kind_of(t, "三区一园"), "formula");
	terms_free(t);
}

/* Empty input and text without Han characters give no terms and no crash. */
static void test_empty(void)
{
	struct terms *t = terms_new(NULL);
	CHECK_INT(terms_finish(t), 0);
	CHECK(terms_get(t, 0) == NULL);
	terms_free(t);
	t = terms_new(NULL);
	feed(t, "plain ascii text, “” “x” 「」");
	feed(t, "");
	terms_finish(t);
	CHECK(!find(t, "x"));
	terms_free(t);
}

/* The paragraphs kept for the statistics, as fed, until the sample is full; after
 * that none is kept, however short. */
static void test_kept(void)
{
	struct terms *t = terms_new(NULL);
	CHECK(terms_feed(t, "第一段。", strlen("第一段。")));
	CHECK(terms_feed(t, "", 0));
	CHECK(terms_feed(t, "第三段，有“引号”。", strlen("第三段，有“引号”。")));
	CHECK_INT(terms_kept(t), 3);
	size_t len;
	const char *s = terms_kept_text(t, 0, &len);
	CHECK(len == strlen("第一段。") && memcmp(s, "第一段。", len) == 0);
	terms_kept_text(t, 1, &len);
	CHECK_INT(len, 0);
	s = terms_kept_text(t, 2, &len);
	CHECK(len == strlen("第三段，有“引号”。") && memcmp(s, "第三段，有“引号”。", len) == 0);
	char para[3000];
	memset(para, 'a', sizeof para);
	size_t fed = 3;
	while (terms_feed(t, para, sizeof para) && fed < 100000)
		fed++;
	CHECK(fed > 1000 && fed < 100000);	/* a few megabytes kept */
	CHECK_INT(terms_kept(t), fed);
	CHECK(!terms_feed(t, "短。", strlen("短。")));
	CHECK_INT(terms_kept(t), fed);
	s = terms_kept_text(t, fed - 1, &len);
	CHECK(len == sizeof para && s[0] == 'a' && s[len - 1] == 'a');
	terms_finish(t);
	terms_free(t);
}

/* A document of repeated clauses (the statistics merge repeated runs), quoted and
 * numbered terms and phrases, fed to an extractor with the given glossary. */
static struct terms *extract_sample(const char *glossary)
{
	struct terms *t = terms_with(glossary);
	for (int r = 0; r < 3; r++) {
		feed_uses(t, "数字政府建设", 6);
		feed_uses(t, "营商环境", 5);
		feed(t, "坚持“两个毫不动摇”，落实“放管服”改革，建设数字政府建设示范区。");
		feed(t, "三大攻坚战取得成效，三大攻坚战走在前列，推动营商环境持续优化。");
		feed(t, "扎实推进乡村振兴，全面推进乡村振兴，乡村振兴取得新进展。");
	}
	feed(t, "附件：2026年工作要点（第3稿）。");
	terms_finish(t);
	return t;
}

/* Sentences repeated word for word: each run of Han is read once with its copies,
 * and a string found in one run alone is a chain of count_substrings (one node a
 * level, counted with the run's copies, worth no look when its run goes on at
 * either side with no boundary). A whole repeated run is a phrase with every
 * copy's uses (乡村振兴); a piece that always has the same neighbours is none
 * (村振兴, 现代化); a formula at a run's end is one whatever comes before it
 * (三大攻坚战 after 打好: no left entropy is asked of a formula). */
static void test_repeated_runs(void)
{
	struct terms *t = terms_new(NULL);
	feed_uses(t, "高质量发展", 8);
	for (int i = 0; i < 4; i++)
		feed(t, "乡村振兴，要持续推进农业农村现代化。");
	for (int i = 0; i < 3; i++)
		feed(t, "我们要打好三大攻坚战。");
	terms_finish(t);
	CHECK_STR(kind_of(t, "乡村振兴"), "phrase");
	CHECK_STR(kind_of(t, "三大攻坚战"), "formula");
	CHECK_STR(kind_of(t, "高质量发展"), "phrase");
	CHECK(!find(t, "村振兴"));
	CHECK(!find(t, "现代化"));
	CHECK(!find(t, "攻坚战"));
	CHECK(!find(t, "农业农村现代化"));
	/* every copy's uses, replayed in the kept paragraphs */
	long uses[3] = { 0 };
	for (size_t i = 0; i < terms_kept(t); i++) {
		size_t len;
		const char *s = terms_kept_text(t, i, &len);
		struct hits h = { 0 };
		terms_scan(t, s, len, on_hit, &h);
		for (int k = 0; k < h.n && k < 8; k++) {
			const char *x = terms_get(t, (size_t)h.term[k])->text;
			uses[0] += strcmp(x, "乡村振兴") == 0;
			uses[1] += strcmp(x, "三大攻坚战") == 0;
			uses[2] += strcmp(x, "高质量发展") == 0;
		}
	}
	CHECK_INT(uses[0], 4);
	CHECK_INT(uses[1], 3);
	CHECK_INT(uses[2], 8);
	terms_free(t);
}

/* The sample's Han runs are read three bytes at a time while the bytes are a
 * character of U+4E00–U+9FFF: its edges (一 U+4E00, 鿿 U+9FFF), the characters
 * just past them (䷿ U+4DFF, Han as well; ꀀ U+A000, not), bytes that are no
 * character inside a run and a character cut at the sample's end leave the
 * counts of the runs around them alone. */
static void test_han_edges(void)
{
	struct terms *t = terms_new(NULL);
	feed_uses(t, "高质量发展", 8);
	feed(t, "一鿿高质量发展ꀀ䷿高质量发展\xE4\x41\x80高质量发展\xE4\xB8一。");
	feed(t, "高质量发展\xE9\xBF");
	terms_finish(t);
	CHECK_STR(kind_of(t, "高质量发展"), "phrase");
	CHECK(!find(t, "鿿高质量发展"));
	CHECK(!find(t, "高质量发展一"));
	terms_free(t);
}

/* Hits are counted on the distinct Han runs when every candidate is all Han, and on
 * the paragraphs when one is not (a glossary term with Latin letters): both give
 * every other term the same score, so the same hits, and scans the same. */
static void test_hits_by_runs(void)
{
	char *path = write_glossary("甲乙丙丁\n");
	struct terms *a = extract_sample(path);
	unlink(path);
	path = write_glossary("XYZ-9\n");
	struct terms *b = extract_sample(path);
	unlink(path);
	size_t na = 0, nb = 0;
	for (size_t i = 0; terms_get(a, i); i++) {
		const struct term *x = terms_get(a, i);
		if (strcmp(x->kind, "glossary") == 0)
			continue;
		na++;
		const struct term *y = find(b, x->text);
		CHECK(y != NULL);
		if (y) {
			CHECK_STR(y->kind, x->kind);
			CHECK(y->score == x->score);
		}
	}
	for (size_t i = 0; terms_get(b, i); i++)
		nb += strcmp(terms_get(b, i)->kind, "glossary") != 0;
	CHECK(na >= 4);
	CHECK_INT(nb, na);
	CHECK(find(a, "数字政府建设") != NULL);
	CHECK(find(a, "乡村振兴") != NULL);
	CHECK_STR(kind_of(a, "两个毫不动摇"), "formula");
	CHECK_STR(kind_of(a, "放管服"), "quoted");
	terms_free(a);
	terms_free(b);
}

static size_t check_kept_scans(const struct terms *t);

/* Hits are counted on the Han runs but in the paragraphs where a candidate not
 * all Han occurs (GDP增长, 营商环境2.0, taken before 增长率 and 营商环境 there),
 * counted on those paragraphs' texts: the same as counting on every paragraph's
 * text (a glossary term found in each, 。, makes them all so), so the same scores,
 * the glossary's being 1000 + its hits. Mixed paragraphs repeat, and repeat Han
 * runs of paragraphs that are all Han. */
static struct terms *extract_mixed(const char *glossary)
{
	char *path = write_glossary(glossary);
	struct terms *t = terms_with(path);
	unlink(path);
	char s[256];
	for (int r = 0; r < 2; r++) {
		feed_uses(t, "营商环境", 9);
		feed_uses(t, "数字政府建设", 7);
		feed_uses(t, "增长率", 6);
		for (int i = 0; i < 8; i++) {
			snprintf(s, sizeof s, "%s营商环境2.0版，%s数字政府建设，GDP增长率%s。", before[i % 8],
				 before[(i + 3) % 8], after[i % 8]);
			feed(t, s);
			snprintf(s, sizeof s, "营商环境%s，GDP增长%d%%，营商环境2.0%s。", after[(i + 2) % 8], i,
				 after[(i * 5) % 8]);
			feed(t, s);
			snprintf(s, sizeof s, "%sGDP增长率%s。", before[(i + 5) % 8], after[(i + 1) % 8]);
			feed(t, s);
		}
		feed(t, "推动营商环境取得成效。");
	}
	terms_finish(t);
	return t;
}

static void test_hits_mixed(void)
{
	struct terms *a = extract_mixed("GDP增长\n营商环境2.0\n");
	struct terms *b = extract_mixed("GDP增长\n营商环境2.0\n。\n");
	size_t na = 0, nb = 0;
	for (size_t i = 0; terms_get(a, i); i++) {
		const struct term *x = terms_get(a, i), *y = find(b, x->text);
		na++;
		CHECK(y != NULL);
		if (y) {
			CHECK_STR(y->kind, x->kind);
			CHECK(y->score == x->score);
		}
	}
	for (size_t i = 0; terms_get(b, i); i++)
		nb += strcmp(terms_get(b, i)->text, "。") != 0;
	CHECK_INT(nb, na);
	CHECK(find(a, "营商环境") != NULL);
	CHECK(find(a, "数字政府建设") != NULL);
	CHECK(find(a, "增长率") != NULL);
	CHECK(find(a, "GDP增长") && find(a, "GDP增长")->score == 1000 + 48);
	CHECK(find(a, "营商环境2.0") && find(a, "营商环境2.0")->score == 1000 + 32);
	CHECK(check_kept_scans(a) >= 200);
	CHECK(check_kept_scans(b) >= 200);
	terms_free(a);
	terms_free(b);
}

/* A kept paragraph's scan (its text as terms_kept_text gives it) has the hits a
 * scan of the same text elsewhere has: replayed from the choice where it can be,
 * scanned where a term found there then was not chosen (more candidates than
 * the terms kept: 营商环境 is found inside a quoted name left out), and text
 * inside the kept text that is no paragraph scanned. */
static void test_kept_scan(void)
{
	struct terms *t = terms_new(NULL);
	char s[256];
	for (int i = 0; i < 150; i++) {
		snprintf(s, sizeof s, "落实“Q%03d营商环境”要求，推进“Q%03d营商环境”工作。", i, i);
		feed(t, s);
	}
	feed_uses(t, "营商环境", 40);
	feed(t, "");
	size_t n = terms_finish(t);
	CHECK_INT(n, 120);	/* some quoted names left out */
	CHECK(find(t, "Q000营商环境") != NULL);
	CHECK(find(t, "Q149营商环境") == NULL);
	CHECK(find(t, "营商环境") != NULL);
	CHECK(check_kept_scans(t) >= 300);
	terms_forget_kept(t);
	CHECK_INT(terms_kept(t), 0);
	terms_free(t);
	/* every term all Han (hits counted by runs): the same, with numbers of
	 * several digits (one wildcard in a run) before hits in a run and after */
	t = terms_new(NULL);
	static const char names[] = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰";
	for (int i = 0; i < 150; i++) {
		char name[16];
		snprintf(name, sizeof name, "%.3s%.3s", names + 3 * (i % 10), names + 3 * (i / 10));
		snprintf(s, sizeof s, "落实“%s营商环境”要求，推进“%s营商环境”工作%d。", name, name, i);
		feed(t, s);
	}
	feed_uses(t, "营商环境", 40);
	for (int i = 0; i < 20; i++) {
		snprintf(s, sizeof s, "第%d届营商环境大会，%d年营商环境，X营商环境，营商环境%d次营商环境。", 10 + i, 2000 + i, i);
		feed(t, s);
	}
	CHECK_INT(terms_finish(t), 120);
	CHECK(find(t, "营商环境") != NULL);
	CHECK(check_kept_scans(t) >= 300);
	terms_free(t);
	/* and with bytes that are no UTF-8 (each one character to match) */
	t = terms_new(NULL);
	for (int i = 0; i < 20; i++) {
		snprintf(s, sizeof s, "推进营商环境\xE4\xB8营商环境，\xFF\x80营商环境%c营商环境。", 'a' + i);
		feed(t, s);
	}
	feed_uses(t, "营商环境", 10);
	CHECK(terms_finish(t) >= 1);
	CHECK(find(t, "营商环境") != NULL);
	CHECK(check_kept_scans(t) >= 80);
	terms_free(t);
}

/* Scans every kept paragraph as terms_kept_text gives it and a copy, and a text
 * inside the first that is no paragraph, and checks the hits are the same;
 * returns how many. */
static size_t check_kept_scans(const struct terms *t)
{
	size_t hits = 0;
	for (size_t i = 0; i <= terms_kept(t); i++) {
		size_t len;
		const char *k = terms_kept_text(t, i < terms_kept(t) ? i : 0, &len);
		if (i == terms_kept(t))
			k += 3, len -= 3;	/* inside the first one: not a paragraph */
		char *copy = xmalloc(len + 1);
		memcpy(copy, k, len);
		struct hits a = { 0 }, b = { 0 };
		terms_scan(t, k, len, on_hit, &a);
		terms_scan(t, copy, len, on_hit, &b);
		CHECK_INT(a.n, b.n);
		for (int j = 0; j < a.n && j < 8; j++) {
			CHECK_INT(a.term[j], b.term[j]);
			CHECK_INT(a.off[j], b.off[j]);
			CHECK_INT(a.len[j], b.len[j]);
		}
		hits += (size_t)a.n;
		free(copy);
	}
	/* the kept paragraphs out of order give the same hits again */
	for (size_t i = terms_kept(t); i-- > 0;) {
		size_t len;
		const char *k = terms_kept_text(t, i, &len);
		struct hits a = { 0 }, b = { 0 };
		terms_scan(t, k, len, on_hit, &a);
		char *copy = xmalloc(len + 1);
		memcpy(copy, k, len);
		terms_scan(t, copy, len, on_hit, &b);
		CHECK_INT(a.n, b.n);
		for (int j = 0; j < a.n && j < 8; j++)
			CHECK_INT(a.off[j], b.off[j]);
		free(copy);
	}
	return hits;
}

/* What one thread found, to compare with the others. */
struct thread_run {
	char found[4096];	/* the chosen terms with kinds and scores, one a line */
};

static void *extract_in_thread(void *arg)
{
	struct thread_run *r = arg;
	struct terms *t = extract_sample(NULL);
	size_t at = 0;
	for (size_t i = 0; terms_get(t, i) && at < sizeof r->found; i++) {
		const struct term *x = terms_get(t, i);
		int k = snprintf(r->found + at, sizeof r->found - at, "%s %s %.17g\n", x->text, x->kind, x->score);
		at += k > 0 ? (size_t)k : 0;
	}
	terms_free(t);
	return NULL;
}

/* Extractions on several threads at once (the first of the process: the shared
 * tables are made by whichever comes first) choose the same terms. */
static void test_threads(void)
{
	enum { N = 4 };
	pthread_t th[N];
	static struct thread_run runs[N];
	for (int i = 0; i < N; i++)
		CHECK(pthread_create(&th[i], NULL, extract_in_thread, &runs[i]) == 0);
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	CHECK(runs[0].found[0] != 0);
	for (int i = 1; i < N; i++)
		CHECK_STR(runs[i].found, runs[0].found);
}

int main(void)
{
	test_threads();
	test_hits_by_runs();
	test_hits_mixed();
	test_kept();
	test_kept_scan();
	test_quoted();
	test_quote_places();
	test_formulas();
	test_ordinal_use();
	test_phrases();
	test_repeated_runs();
	test_han_edges();
	test_extension_dropped();
	test_not_terms();
	test_plain_words();
	test_glossary_and_scan();
	test_scan_filters();
	test_scan_plain();
	test_long_input();
	test_empty();
	while (nglossaries)
		terms_glossary_free(glossaries[--nglossaries]);
	return check_done();
}
