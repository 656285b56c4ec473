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

	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), 0);
	return check_done();
}
