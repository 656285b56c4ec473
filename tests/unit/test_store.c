#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "dugao/store.h"
#include "dugao/util.h"

static char dir[] = "/tmp/dugao-store-XXXXXX";
static char path[256];

static int count_docs(void *ctx, const struct doc_info *d)
{
	(*(int *)ctx)++;
	return 0;
}

static int collect_text(void *ctx, const struct para *p)
{
	sbuf_append(ctx, p->text, p->len);
	sbuf_puts(ctx, "|");
	return 0;
}

static int collect_sections(void *ctx, const struct section *s)
{
	sbuf_printf(ctx, "%d %s %s %ld/%ld;", s->level, s->marker, s->title, s->para, s->parent);
	return 0;
}

static int collect_terms(void *ctx, const struct term_row *t)
{
	sbuf_printf(ctx, "%s=%ld;", t->text, t->count);
	return 0;
}

/* Imports a small document through the store API; returns its id. */
static long import_doc(struct store *st, const char *sha, const char *source, const char *title, bool commit)
{
	struct import_meta m = { .source = source, .sha256 = sha, .encoding = "UTF-8", .bytes = 6 };
	long id = -1;
	CHECK_INT(store_import_begin(st, &m, -1, &id), 0);
	CHECK_INT(store_import_original(st, 0, "abcdef", 6), 0);
	CHECK(store_import_original(st, 4, "abcdef", 6) != 0);	/* past the declared size */
	struct para title_para = { .seq = 0, .kind = PARA_TITLE, .text = title, .len = strlen(title), .section = -1, .line = 1 };
	struct para noise = { .seq = 1, .kind = PARA_NOISE, .text = "广告", .len = 6, .section = -1, .line = 2 };
	struct section s1 = { .seq = 0, .parent = -1, .level = 1, .marker = "一、", .title = "总体要求", .para = 2, .length = 6 };
	struct para heading = { .seq = 2, .kind = PARA_HEADING, .text = "一、总体要求", .len = strlen("一、总体要求"), .section = 0, .line = 3 };
	struct section s2 = { .seq = 1, .parent = 0, .level = 2, .marker = "一是", .title = "抓发展", .para = 3, .length = 5 };
	struct para body = { .seq = 3, .kind = PARA_BODY, .text = "一是抓发展。高质量发展。", .len = strlen("一是抓发展。高质量发展。"), .section = 1, .line = 4 };
	CHECK_INT(store_import_paragraph(st, &title_para), 0);
	CHECK_INT(store_import_paragraph(st, &noise), 0);
	CHECK_INT(store_import_section(st, &s1), 0);
	CHECK_INT(store_import_paragraph(st, &heading), 0);
	CHECK_INT(store_import_section(st, &s2), 0);
	CHECK_INT(store_import_paragraph(st, &body), 0);
	CHECK_INT(store_import_title(st, title), 0);
	long t1, t2, t3;
	CHECK_INT(store_import_term(st, "高质量发展", "phrase", 2.0, &t1), 0);
	CHECK_INT(store_import_term(st, "发展", "phrase", 1.0, &t2), 0);
	CHECK_INT(store_import_term(st, "没有", "phrase", 3.0, &t3), 0);
	CHECK_INT(store_import_hit(st, t1, 3, 6, 5), 0);
	CHECK_INT(store_import_hit(st, t2, 3, 2, 2), 0);
	CHECK_INT(store_import_hit(st, t2, 3, 9, 2), 0);
	if (commit)
		CHECK_INT(store_import_commit(st), 0);
	else
		store_import_rollback(st);
	return id;
}

/* A library of its own, NAME.db in dir, with the import of a document of bytes bytes
 * begun (*id). */
static struct store *begin_own(const char *name, const char *sha, long long bytes, long *id)
{
	char file[300], source[300], err[512];
	snprintf(file, sizeof file, "%s/%s.db", dir, name);
	snprintf(source, sizeof source, "/x/%s.txt", name);
	struct store *st = NULL;
	CHECK_INT(store_open(file, STORE_WRITE, &st, err, sizeof err), 0);
	struct import_meta m = { .source = source, .sha256 = sha, .encoding = "UTF-8", .bytes = bytes };
	*id = -1;
	CHECK_INT(store_import_begin(st, &m, -1, id), 0);
	return st;
}

/* The layout of schema 8: paragraphs by doc << 32 | seq, sections whose text their
 * paragraph holds (or not), the original bytes in chunks, and their removal. */
static void test_layout(void)
{
	long id;
	struct store *st = begin_own("layout", "dddd", 5, &id);
	CHECK_INT(store_import_original(st, 0, "abc", 3), 0);
	CHECK(store_import_original(st, 1, "xy", 2) != 0);	/* not where the last chunk ended */
	CHECK_INT(store_import_original(st, 3, "de", 2), 0);
	CHECK(store_import_original(st, 5, "f", 1) != 0);	/* past the declared size */
	const char *body = "（一）加强领导。一是要抓落实，二是抓检查。";
	struct para p0 = { .seq = 0, .kind = PARA_TITLE, .text = "标题", .len = strlen("标题"), .section = -1, .line = 1 };
	struct para p1 = { .seq = 1, .kind = PARA_BODY, .text = body, .len = strlen(body), .section = 2, .line = 3 };
	struct para p2 = { .seq = 2, .kind = PARA_NOISE, .text = "广告", .len = strlen("广告"), .section = 2, .line = 4 };
	/* held by the paragraph at offset 0; not held (the text says 一是要抓落实); held at 15 */
	struct section s0 = { .seq = 0, .parent = -1, .level = 1, .marker = "（一）", .title = "加强领导", .para = 1, .length = 7 };
	struct section s1 = { .seq = 1, .parent = 0, .level = 2, .marker = "一是", .title = "抓落实", .para = 1, .offset = 8,
			      .length = 6, .in_paragraph = true };
	struct section s2 = { .seq = 2, .parent = 0, .level = 2, .marker = "二是", .title = "抓检查", .para = 1, .offset = 15,
			      .length = 5, .in_paragraph = true };
	/* a section whose paragraph never comes keeps its own text */
	struct section s3 = { .seq = 3, .parent = -1, .level = 1, .marker = "二、", .title = "尾声", .para = 7, .length = 4 };
	CHECK_INT(store_import_paragraph(st, &p0), 0);
	CHECK_INT(store_import_section(st, &s0), 0);
	CHECK_INT(store_import_section(st, &s1), 0);
	CHECK_INT(store_import_section(st, &s2), 0);
	CHECK_INT(store_import_paragraph(st, &p1), 0);
	CHECK_INT(store_import_paragraph(st, &p2), 0);
	CHECK_INT(store_import_section(st, &s3), 0);
	CHECK_INT(store_import_commit(st), 0);

	struct sbuf b = { 0 };
	CHECK_INT(store_each_section(st, id, collect_sections, &b), 0);
	CHECK_STR(b.data, "1 （一） 加强领导 1/-1;2 一是 抓落实 1/0;2 二是 抓检查 1/0;1 二、 尾声 7/-1;");
	char *marker, *title;
	CHECK_INT(store_section_text(st, id, 0, &marker, &title), 1);
	CHECK_STR(marker, "（一）");
	CHECK_STR(title, "加强领导");
	free(marker);
	free(title);
	CHECK_INT(store_section_text(st, id, 1, &marker, &title), 1);
	CHECK_STR(title, "抓落实");
	free(marker);
	free(title);
	CHECK_INT(store_section_text(st, id, 2, &marker, &title), 1);
	CHECK_STR(marker, "二是");
	CHECK_STR(title, "抓检查");
	free(marker);
	free(title);
	CHECK_INT(store_section_text(st, id, 9, &marker, &title), 0);

	long first, last, count;
	CHECK_INT(store_para_range(st, id, false, &first, &last, &count), 0);
	CHECK(first == 0 && last == 1 && count == 2);
	CHECK_INT(store_para_range(st, id, true, &first, &last, &count), 0);
	CHECK(first == 0 && last == 2 && count == 3);
	sbuf_reset(&b);
	CHECK_INT(store_each_paragraph_before(st, id, 3, 5, true, collect_text, &b), 0);
	CHECK_STR(b.data, "广告|" "（一）加强领导。一是要抓落实，二是抓检查。|标题|");
	sbuf_reset(&b);
	/* bounds far outside the seqs read nothing of another document */
	CHECK_INT(store_each_paragraph(st, id, -5, 1, false, collect_text, &b), 0);
	CHECK_INT(store_each_paragraph(st, id, 1L << 40, 1, true, collect_text, &b), 0);
	CHECK_INT(store_each_paragraph_before(st, id, -1, 5, true, collect_text, &b), 0);
	CHECK_STR(b.data, "标题|");

	void *orig;
	size_t n;
	CHECK_INT(store_original(st, id, &orig, &n), 0);
	CHECK_INT(n, 5);
	CHECK(memcmp(orig, "abcde", 5) == 0);
	free(orig);

	CHECK_INT(store_delete(st, id), 0);
	sbuf_reset(&b);
	CHECK_INT(store_each_paragraph(st, id, 0, -1, true, collect_text, &b), 0);
	CHECK_INT(store_each_section(st, id, collect_sections, &b), 0);
	CHECK_INT(b.len, 0);
	CHECK(store_original(st, id, &orig, &n) != 0);
	sbuf_free(&b);
	store_close(st);
}

static int collect_hit(void *ctx, long para, long offset, long length)
{
	sbuf_printf(ctx, "%ld:%ld+%ld;", para, offset, length);
	return 0;
}

static void collect_heading(void *ctx, long seq, char *marker, char *title)
{
	sbuf_printf(ctx, "%ld %s %s;", seq, marker, title);
	free(marker);
	free(title);
}

/* The ids of a document's first terms, in the order listed. */
struct term_ids {
	long id[8];	/* their ids */
	int n;		/* how many */
};

static int list_ids(void *ctx, const struct term_row *r)
{
	struct term_ids *t = ctx;
	if (t->n < 8)
		t->id[t->n++] = r->id;
	return 0;
}

/* Schema 11: sections given out of seq order (and with a gap) are read back in seq
 * order with their text; the same seq twice fails the import. Terms come back in rank
 * order whatever order they were given in, each with its own hits by its id. */
/* The text of paragraph i of test_blocks' document: lengths from a few bytes to past a
 * row of para_blocks (BLOCK_BYTES) alone. */
static void block_text(int i, struct sbuf *t)
{
	sbuf_reset(t);
	sbuf_printf(t, "第%d段", i);
	int reps = i % 50 == 7 ? 1500 : i % 9 == 0 ? 300 : i % 3;
	for (int k = 0; k < reps; k++)
		sbuf_puts(t, "发展");
}

/* Paragraphs are stored packed into rows: reading from any paragraph, forwards and
 * backwards, with and without noise, and a heading's text, cross the rows' ends. */
static void test_blocks(void)
{
	long id;
	struct store *st = begin_own("blocks", "eeee", 1, &id);
	CHECK_INT(store_import_original(st, 0, "x", 1), 0);
	enum { N = 400 };
	struct sbuf t = { 0 }, want = { 0 }, got = { 0 };
	for (int i = 0; i < N; i++) {
		block_text(i, &t);
		if (i == 250) {
			struct section s = { .seq = 0, .parent = -1, .level = 1, .marker = "第250段", .title = "",
					     .para = 250, .length = 4 };
			s.title = t.data + strlen("第250段");
			CHECK_INT(store_import_section(st, &s), 0);
		}
		struct para p = { .seq = i, .kind = i % 5 == 4 ? PARA_NOISE : PARA_BODY, .text = t.data, .len = t.len,
				  .section = i >= 250 ? 0 : -1, .line = i + 1 };
		CHECK_INT(store_import_paragraph(st, &p), 0);
	}
	CHECK_INT(store_import_commit(st), 0);

	/* from each of a few places, forwards and backwards: 37 of them, noise left out or not */
	long starts[] = { 0, 1, 63, 64, 65, 199, 250, 396, 399 };
	for (size_t k = 0; k < sizeof starts / sizeof *starts; k++)
		for (int noise = 0; noise < 2; noise++)
			for (int step = 1; step >= -1; step -= 2) {
				sbuf_reset(&want);
				sbuf_puts(&want, "");
				int given = 0;
				for (long i = step > 0 ? starts[k] : starts[k] - 1; i >= 0 && i < N && given < 37; i += step) {
					if (!noise && i % 5 == 4)
						continue;
					block_text((int)i, &t);
					sbuf_append(&want, t.data, t.len);
					sbuf_puts(&want, "|");
					given++;
				}
				sbuf_reset(&got);
				sbuf_puts(&got, "");
				if (step > 0)
					CHECK_INT(store_each_paragraph(st, id, starts[k], 37, noise, collect_text, &got), 0);
				else
					CHECK_INT(store_each_paragraph_before(st, id, starts[k], 37, noise, collect_text, &got), 0);
				CHECK_STR(got.data, want.data);
			}
	long first, last, count;
	CHECK_INT(store_para_range(st, id, true, &first, &last, &count), 0);
	CHECK(first == 0 && last == N - 1 && count == N);
	CHECK_INT(store_para_range(st, id, false, &first, &last, &count), 0);
	CHECK(first == 0 && last == N - 2 && count == N - N / 5);
	char *marker, *title;
	CHECK_INT(store_section_text(st, id, 0, &marker, &title), 1);
	CHECK_STR(marker, "第250段");
	block_text(250, &t);
	CHECK_STR(title, t.data + strlen("第250段"));
	free(marker);
	free(title);
	sbuf_free(&t);
	sbuf_free(&want);
	sbuf_free(&got);
	store_close(st);
}

static void test_order(void)
{
	char file[300], err[512];
	snprintf(file, sizeof file, "%s/order.db", dir);
	struct store *st;
	CHECK_INT(store_open(file, STORE_WRITE, &st, err, sizeof err), 0);
	struct import_meta m = { .source = "/x/order.txt", .sha256 = "eeee", .encoding = "UTF-8", .bytes = 0 };
	long id = -1;
	CHECK_INT(store_import_begin(st, &m, -1, &id), 0);
	const char *body = "一是抓落实，二是抓检查，三是抓考核。";
	struct para p0 = { .seq = 0, .kind = PARA_HEADING, .text = "一、总体", .len = strlen("一、总体"), .section = 0 };
	struct para p1 = { .seq = 1, .kind = PARA_BODY, .text = body, .len = strlen(body), .section = 0 };
	struct section s0 = { .seq = 0, .parent = -1, .level = 1, .marker = "一、", .title = "总体", .para = 0, .length = 4 };
	struct section s1 = { .seq = 1, .parent = 0, .level = 2, .marker = "一是", .title = "抓落实", .para = 1, .length = 5,
			      .in_paragraph = true };
	struct section s2 = { .seq = 2, .parent = 0, .level = 2, .marker = "二是", .title = "抓检查", .para = 1, .offset = 6,
			      .length = 5, .in_paragraph = true };
	/* its own text: the paragraph says 三是抓考核 */
	struct section s5 = { .seq = 5, .parent = 0, .level = 2, .marker = "三是", .title = "考核", .para = 1, .offset = 12,
			      .length = 5, .in_paragraph = true };
	CHECK_INT(store_import_section(st, &s0), 0);
	CHECK_INT(store_import_paragraph(st, &p0), 0);
	CHECK_INT(store_import_section(st, &s2), 0);
	CHECK_INT(store_import_section(st, &s5), 0);
	CHECK_INT(store_import_section(st, &s1), 0);
	CHECK_INT(store_import_paragraph(st, &p1), 0);
	long t[3];
	CHECK_INT(store_import_term(st, "抓检查", "phrase", 1.0, &t[0]), 0);
	CHECK_INT(store_import_term(st, "抓考核", "phrase", 1.0, &t[1]), 0);
	CHECK_INT(store_import_term(st, "抓落实", "quoted", 2.0, &t[2]), 0);
	long again;
	CHECK_INT(store_import_term(st, "抓检查", "phrase", 3.0, &again), 0);	/* the same term, a higher score */
	CHECK_INT(again, t[0]);
	CHECK_INT(store_import_hit(st, t[0], 1, 8, 3), 0);
	CHECK_INT(store_import_hit(st, t[1], 1, 14, 3), 0);
	CHECK_INT(store_import_hit(st, t[2], 1, 2, 3), 0);
	CHECK_INT(store_import_commit(st), 0);

	struct sbuf b = { 0 };
	CHECK_INT(store_each_section(st, id, collect_sections, &b), 0);
	CHECK_STR(b.data, "1 一、 总体 0/-1;2 一是 抓落实 1/0;2 二是 抓检查 1/0;2 三是 考核 1/0;");
	sbuf_reset(&b);
	CHECK_INT(store_section_texts(st, id, 2, 9, 2, collect_heading, &b), 0);
	CHECK_STR(b.data, "2 二是 抓检查;5 三是 考核;");
	sbuf_reset(&b);
	CHECK_INT(store_section_texts(st, id, 0, 9, 1, collect_heading, &b), 0);
	CHECK_STR(b.data, "0 一、 总体;");
	char *marker, *title;
	CHECK_INT(store_section_text(st, id, 3, &marker, &title), 0);	/* the gap */
	CHECK_INT(store_section_text(st, id, 5, &marker, &title), 1);
	CHECK_STR(title, "考核");
	free(marker);
	free(title);

	/* rank: score, then count, then text; ids follow it, hits stay with their term */
	sbuf_reset(&b);
	CHECK_INT(store_each_term(st, id, -1, collect_terms, &b), 0);
	CHECK_STR(b.data, "抓检查=1;抓落实=1;抓考核=1;");
	sbuf_reset(&b);
	CHECK_INT(store_each_term(st, id, 1, collect_terms, &b), 0);
	CHECK_STR(b.data, "抓检查=1;");
	sbuf_reset(&b);
	struct term_ids ids = { .n = 0 };
	CHECK_INT(store_each_term(st, id, -1, list_ids, &ids), 0);
	CHECK_INT(ids.n, 3);
	for (int i = 0; i < 3; i++)
		CHECK_INT(store_each_hit(st, ids.id[i], 0, 9, collect_hit, &b), 0);
	CHECK_STR(b.data, "1:8+3;1:2+3;1:14+3;");
	long hp, ho;
	CHECK_INT(store_hit_near(st, ids.id[1], 0, 0, true, &hp, &ho), 1);
	CHECK(hp == 1 && ho == 2);
	CHECK_INT(store_hit_near(st, ids.id[0] + 7, 0, 0, true, &hp, &ho), 0);	/* no such term: no hits */

	/* a term of 200,000 hits (their blob past the size copied into one buffer) and a
	 * small one after it: each keeps its own */
	struct import_meta m3 = { .source = "/x/many.txt", .sha256 = "9999", .encoding = "UTF-8", .bytes = 100000 };
	CHECK_INT(store_import_begin(st, &m3, -1, &id), 0);
	/* original bytes in pieces of a few KB (in rows of 2 KB) and of 70 KB (one row) */
	char *bytes = xmalloc(100000);
	for (int i = 0; i < 100000; i++)
		bytes[i] = (char)(i * 7 + i / 251);
	CHECK_INT(store_import_original(st, 0, bytes, 9999), 0);
	CHECK_INT(store_import_original(st, 9999, bytes + 9999, 70000), 0);
	CHECK_INT(store_import_original(st, 79999, bytes + 79999, 20001), 0);
	long many, few;
	CHECK_INT(store_import_term(st, "发展", "phrase", 2.0, &many), 0);
	CHECK_INT(store_import_term(st, "改革", "phrase", 1.0, &few), 0);
	for (long i = 0; i < 200000; i++)
		CHECK_INT(store_import_hit(st, many, i / 100, (i % 100) * 3, 2), 0);
	CHECK_INT(store_import_hit(st, few, 7, 1, 2), 0);
	CHECK_INT(store_import_commit(st), 0);
	void *orig;
	size_t norig;
	CHECK_INT(store_original(st, id, &orig, &norig), 0);
	CHECK_INT(norig, 100000);
	CHECK(memcmp(orig, bytes, 100000) == 0);
	free(orig);
	free(bytes);
	struct term_ids big = { .n = 0 };
	CHECK_INT(store_each_term(st, id, -1, list_ids, &big), 0);
	CHECK_INT(big.n, 2);
	CHECK_INT(store_hit_rank(st, big.id[0], 1999, 297), 200000);
	sbuf_reset(&b);
	CHECK_INT(store_each_hit(st, big.id[0], 1999, 1999, collect_hit, &b), 0);
	CHECK(strncmp(b.data, "1999:0+2;1999:3+2;", 18) == 0 && strstr(b.data, "1999:297+2;") != NULL);
	long semis = 0;
	for (size_t i = 0; i < b.len; i++)
		semis += b.data[i] == ';';
	CHECK_INT(semis, 100);
	sbuf_reset(&b);
	CHECK_INT(store_each_hit(st, big.id[1], 0, 9, collect_hit, &b), 0);
	CHECK_STR(b.data, "7:1+2;");

	/* the same seq twice is refused, and leaves nothing */
	struct import_meta m2 = { .source = "/x/twice.txt", .sha256 = "ffff", .encoding = "UTF-8", .bytes = 0 };
	CHECK_INT(store_import_begin(st, &m2, -1, &id), 0);
	CHECK_INT(store_import_section(st, &s1), 0);
	CHECK_INT(store_import_section(st, &s0), 0);
	CHECK_INT(store_import_section(st, &s1), 0);
	CHECK_INT(store_import_paragraph(st, &p0), 0);
	CHECK(store_import_commit(st) != 0);
	long found;
	CHECK_INT(store_find_sha(st, "ffff", &found), 0);
	CHECK_INT(store_import_begin(st, &m2, -1, &id), 0);
	CHECK_INT(store_import_section(st, &s0), 0);
	CHECK_INT(store_import_section(st, &s0), 0);
	CHECK_INT(store_import_paragraph(st, &p0), 0);
	CHECK(store_import_commit(st) != 0);
	CHECK(strstr(store_error(st), "twice") != NULL);
	CHECK_INT(store_find_sha(st, "ffff", &found), 0);
	sbuf_free(&b);
	store_close(st);
}

/* A batch: imports in savepoints of one transaction. One rolled back after a row of
 * its text went to the search index's build leaves the others and their hits whole,
 * and no later row, in this process or another, takes its row's id. */
static void test_batch(void)
{
	char file[300], err[512];
	snprintf(file, sizeof file, "%s/batch.db", dir);
	struct store *st;
	CHECK_INT(store_open(file, STORE_WRITE, &st, err, sizeof err), 0);
	CHECK_INT(store_batch_begin(st), 0);
	CHECK(store_batch_begin(st) != 0);	/* one at a time */
	long a = import_doc(st, "batch-a", "/x/a.txt", "甲文件", true);
	/* about 100 KB: its first row (64 KB) goes to the build before the rollback */
	const char *text = "首要任务是高质量发展，一是抓落实。";
	struct import_meta m = { .source = "/x/long.txt", .sha256 = "batch-b", .encoding = "UTF-8", .bytes = 6 };
	long b;
	CHECK_INT(store_import_begin(st, &m, -1, &b), 0);
	for (long seq = 0; seq < 2000; seq++) {
		struct para p = { .seq = seq, .kind = PARA_BODY, .text = text, .len = strlen(text), .section = -1, .line = seq + 1 };
		CHECK_INT(store_import_paragraph(st, &p), 0);
	}
	store_import_rollback(st);
	long c = import_doc(st, "batch-c", "/x/c.txt", "丙文件", true);
	long found;
	CHECK_INT(store_find_sha(st, "batch-c", &found), 1);	/* seen within the batch */
	CHECK_INT(store_find_sha(st, "batch-b", &found), 0);
	CHECK_INT(store_batch_commit(st), 0);
	int docs = 0;
	CHECK_INT(store_each_doc(st, count_docs, &docs), 0);
	CHECK_INT(docs, 2);
	CHECK(a > 0 && c > a);
	CHECK_INT(store_search_count(st, "高质量发展", -1), 2);
	CHECK_INT(store_search_count(st, "首要任务", -1), 0);
	CHECK_INT(store_search_count(st, "高质量发展", c), 1);
	store_close(st);
	/* another process, no batch */
	CHECK_INT(store_open(file, STORE_WRITE, &st, err, sizeof err), 0);
	long d = import_doc(st, "batch-d", "/x/d.txt", "丁文件", true);
	CHECK_INT(store_search_count(st, "高质量发展", -1), 3);
	CHECK_INT(store_search_count(st, "高质量发展", d), 1);
	CHECK_INT(store_search_count(st, "首要任务", -1), 0);
	CHECK_INT(store_search_count(st, "抓落实", -1), 0);
	/* a batch whose one import fails after a row that refers to the document's row
	 * (a section whose text its paragraph does not hold: section_apart), which a new
	 * document has only from its commit: the failed import's rows all go, and the
	 * batch commits */
	CHECK_INT(store_batch_begin(st), 0);
	struct import_meta e = { .source = "/x/e.txt", .sha256 = "batch-e", .encoding = "UTF-8", .bytes = 6 };
	long eid;
	CHECK_INT(store_import_begin(st, &e, -1, &eid), 0);
	struct section apart = { .seq = 0, .parent = -1, .level = 1, .marker = "一、", .title = "不在文中", .para = 0, .length = 6 };
	CHECK_INT(store_import_section(st, &apart), 0);
	struct para p0 = { .seq = 0, .kind = PARA_HEADING, .text = text, .len = strlen(text), .section = 0, .line = 1 };
	CHECK_INT(store_import_paragraph(st, &p0), 0);
	store_import_rollback(st);
	/* the same with the row itself refused at commit (bytes the library has) */
	struct import_meta again = { .source = "/x/a2.txt", .sha256 = "batch-a", .encoding = "UTF-8", .bytes = 6 };
	CHECK_INT(store_import_begin(st, &again, -1, &eid), 0);
	CHECK_INT(store_import_section(st, &apart), 0);
	CHECK_INT(store_import_paragraph(st, &p0), 0);
	CHECK(store_import_commit(st) != 0);
	CHECK_INT(store_batch_commit(st), 0);
	docs = 0;
	CHECK_INT(store_each_doc(st, count_docs, &docs), 0);
	CHECK_INT(docs, 3);
	store_close(st);
}

int main(void)
{
	char err[512];
	struct store *st;
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/sub/dir/library.db", dir);

	CHECK(store_open(path, STORE_READ, &st, err, sizeof err) != 0);	/* nothing there yet */
	CHECK(strstr(err, "no library") != NULL);
	CHECK_INT(store_open(path, STORE_WRITE, &st, err, sizeof err), 0);

	long a = import_doc(st, "aaaa", "/x/报告.txt", "政府工作报告", true);
	long b = import_doc(st, "bbbb", "/x/speech.txt", "在全区大会上的讲话", true);
	long gone = import_doc(st, "cccc", "/x/gone.txt", "回滚的文档", false);
	CHECK(a > 0 && b > a);
	CHECK(gone > 0);
	int docs = 0;
	CHECK_INT(store_each_doc(st, count_docs, &docs), 0);
	CHECK_INT(docs, 2);	/* the rolled-back import left nothing */

	long id = -1;
	CHECK_INT(store_find_sha(st, "aaaa", &id), 1);
	CHECK_INT(id, a);
	CHECK_INT(store_find_sha(st, "cccc", &id), 0);

	struct doc_info d;
	CHECK_INT(store_doc_info(st, a, &d), 0);
	CHECK_STR(d.title, "政府工作报告");
	CHECK_INT(d.paragraphs, 3);	/* noise not counted */
	CHECK_INT(d.headings, 2);
	CHECK_INT(d.terms, 2);		/* 没有 had no hits and was dropped */
	CHECK_INT(d.bytes, 6);
	doc_info_clear(&d);

	struct sbuf b1 = { 0 };
	CHECK_INT(store_each_paragraph(st, a, 0, -1, false, collect_text, &b1), 0);
	CHECK_STR(b1.data, "政府工作报告|一、总体要求|一是抓发展。高质量发展。|");
	sbuf_reset(&b1);
	CHECK_INT(store_each_paragraph(st, a, 1, 2, true, collect_text, &b1), 0);
	CHECK_STR(b1.data, "广告|一、总体要求|");
	sbuf_reset(&b1);
	CHECK_INT(store_each_section(st, a, collect_sections, &b1), 0);
	CHECK_STR(b1.data, "1 一、 总体要求 2/-1;2 一是 抓发展 3/0;");
	sbuf_reset(&b1);
	CHECK_INT(store_each_term(st, a, -1, collect_terms, &b1), 0);
	CHECK_STR(b1.data, "高质量发展=1;发展=2;");
	sbuf_free(&b1);

	void *orig;
	size_t n;
	CHECK_INT(store_original(st, a, &orig, &n), 0);
	CHECK_INT(n, 6);
	CHECK(memcmp(orig, "abcdef", 6) == 0);
	free(orig);

	/* DOC names: id, title prefix, file-name prefix; ambiguity and absence are errors */
	CHECK_INT(store_resolve(st, "政府", &id), 0);
	CHECK_INT(id, a);
	CHECK_INT(store_resolve(st, "speech", &id), 0);
	CHECK_INT(id, b);
	char num[16];
	snprintf(num, sizeof num, "%ld", b);
	CHECK_INT(store_resolve(st, num, &id), 0);
	CHECK_INT(id, b);
	CHECK(store_resolve(st, "不存在", &id) != 0);
	CHECK(strstr(store_error(st), "no such document") != NULL);

	/* replace keeps the id and rebuilds the rest */
	struct import_meta m = { .source = "/x/报告.txt", .sha256 = "aaaa", .encoding = "GB18030", .bytes = 0 };
	CHECK_INT(store_import_begin(st, &m, a, &id), 0);
	CHECK_INT(id, a);
	CHECK_INT(store_import_title(st, "新标题"), 0);
	CHECK_INT(store_import_commit(st), 0);
	CHECK_INT(store_doc_info(st, a, &d), 0);
	CHECK_STR(d.title, "新标题");
	CHECK_STR(d.encoding, "GB18030");
	CHECK_INT(d.paragraphs, 0);
	doc_info_clear(&d);

	CHECK_INT(store_delete(st, b), 0);
	docs = 0;
	CHECK_INT(store_each_doc(st, count_docs, &docs), 0);
	CHECK_INT(docs, 1);
	store_close(st);

	/* read mode works on the existing file */
	CHECK_INT(store_open(path, STORE_READ, &st, err, sizeof err), 0);
	store_close(st);

	/* a non-SQLite file is refused and left alone */
	char junk[300];
	snprintf(junk, sizeof junk, "%s/junk.db", dir);
	FILE *f = fopen(junk, "w");
	fputs("this is not a database, just some text that must stay as it is\n", f);
	fclose(f);
	CHECK(store_open(junk, STORE_WRITE, &st, err, sizeof err) != 0);
	CHECK(strstr(err, "not a dugao library") != NULL);
	f = fopen(junk, "r");
	char line[128] = "";
	CHECK(fgets(line, sizeof line, f) != NULL);
	fclose(f);
	CHECK_STR(line, "this is not a database, just some text that must stay as it is\n");

	test_layout();
	test_blocks();
	test_order();
	test_batch();

	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
	return check_done();
}
