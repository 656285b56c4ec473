/* fold, the search tokenizer and query parsing: the pieces every search agrees on. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dugao/cjk_tokenizer.h"
#include "dugao/fold.h"
#include "dugao/query.h"
#include "dugao/util.h"

/* Tokens joined by '|'; offsets checked to cover whole characters. */
struct toks {
	struct sbuf s;		/* the tokens */
	const char *text;	/* what was tokenized */
	size_t n;		/* its bytes */
	int bad_range;		/* ranges that did not fit */
};

static int collect(void *ctx, const char *token, int len, int start, int end)
{
	struct toks *t = ctx;
	if (t->s.len)
		sbuf_append(&t->s, "|", 1);
	sbuf_append(&t->s, token, (size_t)len);
	if (start < 0 || end <= start || (size_t)end > t->n)
		t->bad_range++;
	return 0;
}

static char *tokens(const char *text, int query)
{
	struct toks t = { .text = text, .n = strlen(text) };
	cjk_tokenize(text, t.n, query, collect, &t);
	CHECK_INT(t.bad_range, 0);
	sbuf_puts(&t.s, "");
	return sbuf_take(&t.s);
}

#define CHECK_TOKENS(text, query, want)                    \
	do {                                               \
		char *got_ = tokens(text, query);          \
		CHECK_STR(got_, want);                     \
		free(got_);                                \
	} while (0)

/* Offsets of fold_find_all, as "offset:length," */
static void record(void *ctx, long offset, long length)
{
	sbuf_printf(ctx, "%ld:%ld,", offset, length);
}

static char *find(const char *text, const char *needle, long *count)
{
	struct sbuf s = { 0 };
	*count = fold_find_all(text, strlen(text), needle, strlen(needle), record, &s);
	sbuf_puts(&s, "");
	return sbuf_take(&s);
}

static void test_fold(void)
{
	CHECK_INT(fold_char('A'), 'a');
	CHECK_INT(fold_char('z'), 'z');
	CHECK_INT(fold_char(0xFF21), 'a');	/* Ａ */
	CHECK_INT(fold_char(0xFF41), 'a');	/* ａ */
	CHECK_INT(fold_char(0xFF11), '1');	/* １ */
	CHECK_INT(fold_char(0x3000), ' ');	/* ideographic space */
	CHECK_INT(fold_char(0x4E2D), 0x4E2D);	/* 中 */
	CHECK_INT(fold_char(0xFF0C), ',');	/* ， full-width comma folds too */
	struct sbuf b = { 0 };
	fold_text("ＧＤＰ增长Ｘ", strlen("ＧＤＰ增长Ｘ"), &b);
	CHECK_STR(b.data, "gdp增长x");
	sbuf_free(&b);

	long n;
	char *s = find("哈哈哈哈哈", "哈哈", &n);
	CHECK_INT(n, 2);	/* non-overlapping, left to right */
	CHECK_STR(s, "0:2,2:2,");
	free(s);
	s = find("推动ＧＤＰ和gdp增长", "Gdp", &n);
	CHECK_INT(n, 2);
	CHECK_STR(s, "2:3,6:3,");	/* offsets in characters of the original */
	free(s);
	s = find("发展", "", &n);
	CHECK_INT(n, 0);
	free(s);
}

static void test_tokenizer(void)
{
	/* one token per character: bigram, or the character alone at a paragraph end */
	CHECK_TOKENS("发展", 0, "发展|展");
	CHECK_TOKENS("发展a\n好", 0, "发展|展a|a|\n|好");
	CHECK_TOKENS("Ａb", 0, "ab|b");
	CHECK_TOKENS("\n\n", 0, "\n|\n");
	/* the query form: bigrams only, or the one character */
	CHECK_TOKENS("发展", 1, "发展");
	CHECK_TOKENS("高质量", 1, "高质|质量");
	CHECK_TOKENS("发", 1, "发");
	CHECK_TOKENS("\n", 1, "\n");
	CHECK_TOKENS("ＧDp", 1, "gd|dp");
	CHECK_TOKENS("", 0, "");
	/* punctuation and spaces stand alone, and so does a character before them */
	CHECK_TOKENS("发展，好。", 0, "发展|展|,|好|。");
	CHECK_TOKENS("GDP 增长", 0, "gd|dp|p| |增长|长");
	CHECK_TOKENS("展，好", 1, "展|,|好");
	CHECK_TOKENS("发展，", 1, "发展|展|,");
	CHECK_TOKENS("“发展”", 1, "\xe2\x80\x9c|发展|展|\xe2\x80\x9d");
	CHECK(cjk_separator(0x3002) && cjk_separator(',') && cjk_separator('\n') && !cjk_separator(0x4E2D) && !cjk_separator('7'));
	/* a cut UTF-8 sequence still gives tokens inside the text */
	CHECK_TOKENS("a\xe5\x8f", 0, "a\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd");
}

static void test_query(void)
{
	struct query q;
	char err[128];
	CHECK_INT(query_parse("发展 改革", &q, err, sizeof err), 0);
	CHECK_INT(q.nwords, 2);
	CHECK_STR(q.words[0], "发展");
	CHECK_STR(q.words[1], "改革");
	CHECK_INT(q.chars[1], 2);
	query_free(&q);
	CHECK_INT(query_parse("\"高质量 发展\"", &q, err, sizeof err), 0);
	CHECK_INT(q.nwords, 1);
	CHECK_STR(q.words[0], "高质量 发展");
	CHECK_INT(q.chars[0], 6);
	query_free(&q);
	CHECK_INT(query_parse("高质量\xe3\x80\x80发展", &q, err, sizeof err), 0);	/* U+3000 separates */
	CHECK_INT(q.nwords, 2);
	query_free(&q);
	CHECK_INT(query_parse("a\"b c\"d \"x\"\"y\"", &q, err, sizeof err), 0);
	CHECK_INT(q.nwords, 2);
	CHECK_STR(q.words[0], "ab cd");
	CHECK_STR(q.words[1], "x\"y");
	query_free(&q);
	CHECK_INT(query_parse("\"unclosed phrase", &q, err, sizeof err), 0);
	CHECK_STR(q.words[0], "unclosed phrase");
	query_free(&q);
	CHECK_INT(query_parse("  \"\" ", &q, err, sizeof err), -1);
	CHECK_INT(q.nwords, 0);
	struct sbuf many = { 0 };
	for (int i = 0; i <= QUERY_MAX_WORDS; i++)
		sbuf_puts(&many, "词 ");
	CHECK_INT(query_parse(many.data, &q, err, sizeof err), -1);
	sbuf_free(&many);
}

int main(void)
{
	test_fold();
	test_tokenizer();
	test_query();
	return check_done();
}
