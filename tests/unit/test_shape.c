/* shape: sections come back as they went in whatever block they fall in; finding by
 * place and by paragraph agrees with a plain scan; damaged blobs are refused or read
 * without crashing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dugao/shape.h"
#include "dugao/util.h"

/* An outline of n sections, several a paragraph, levels 1-4, seq == index. */
static struct section_shape *make(size_t n)
{
	struct section_shape *s = xcalloc(n + 1, sizeof *s);
	long para = 3;
	int stack[8] = { -1 };
	for (size_t i = 0; i < n; i++) {
		int level = i == 0 ? 1 : 1 + (int)((i * 7 + i / 3) % 4);
		if (level > s[i - (i > 0)].level + 1)
			level = s[i - (i > 0)].level + 1;
		if (i % 3 != 1)
			para += 1 + (long)(i % 5) * 40000;	/* differences of one byte and of three */
		stack[level - 1] = (int)i;
		s[i] = (struct section_shape){ .seq = (int32_t)i, .parent = level > 1 ? stack[level - 2] : -1,
					       .para = (int32_t)para, .offset = (int32_t)(i % 3 == 1 ? 7 : 0),
					       .length = (int32_t)(3 + i % 11), .level = (uint8_t)level,
					       .in_paragraph = i % 3 == 1 };
	}
	return s;
}

static struct shape *encoded(const struct section_shape *s, size_t n)
{
	struct sbuf b = { 0 };
	shape_encode(s, n, &b);
	size_t len = b.len;
	return shape_open((unsigned char *)sbuf_take(&b), len);
}

static void test_roundtrip(size_t n)
{
	struct section_shape *s = make(n);
	struct shape *sh = encoded(s, n);
	CHECK(sh != NULL);
	if (!sh)
		return;
	CHECK_INT(shape_count(sh), n);
	/* out of order, so that blocks are evicted and decoded again */
	for (size_t k = 0; k < n; k++) {
		size_t i = (k * 7919) % n;
		struct section_shape g = shape_section(sh, i);
		CHECK(memcmp(&g, &s[i], sizeof g) == 0 || (g.seq == s[i].seq && g.parent == s[i].parent &&
							   g.para == s[i].para && g.offset == s[i].offset &&
							   g.length == s[i].length && g.level == s[i].level &&
							   g.in_paragraph == s[i].in_paragraph));
		CHECK_INT(shape_level(sh, i), s[i].level);
	}
	/* finding agrees with a scan, between sections and on them */
	for (size_t i = 0; i < n; i++) {
		for (int d = -1; d <= 1; d++) {
			long para = s[i].para + d, off = s[i].offset;
			long want = -1;
			for (size_t j = 0; j < n; j++)
				if (s[j].para < para || (s[j].para == para && s[j].offset <= off))
					want = (long)j;
			CHECK_INT(shape_at(sh, para, off), want);
			size_t first = n;
			for (size_t j = 0; j < n; j++)
				if (s[j].para >= para) {
					first = j;
					break;
				}
			CHECK_INT(shape_from_para(sh, para), first);
		}
	}
	CHECK_INT(shape_at(sh, 0, 0), -1);
	CHECK_INT(shape_from_para(sh, 0x7fffffff), n);
	shape_free(sh);
	free(s);
}

/* The blocks of a blob, fetched from it as a store would from its rows. */
struct apart {
	const unsigned char *blob;	/* the whole blob */
	size_t len, head_len;		/* its bytes, its head's */
	int fetched;			/* blocks fetched */
	int released;			/* release calls */
};

static int apart_fetch(void *ctx, size_t b, struct sbuf *out)
{
	struct apart *a = ctx;
	size_t from, to;
	shape_block_span(a->blob, a->len, a->head_len, b, &from, &to);
	sbuf_append(out, (const char *)a->blob + from, to - from);
	a->fetched++;
	return 0;
}

static void apart_release(void *ctx)
{
	((struct apart *)ctx)->released++;
}

static void test_apart(size_t n)
{
	struct section_shape *s = make(n);
	struct sbuf b = { 0 };
	shape_encode(s, n, &b);
	struct apart a = { (const unsigned char *)b.data, b.len, 0, 0, 0 };
	size_t nblocks;
	unsigned char *head = shape_head(a.blob, a.len, &a.head_len, &nblocks);
	CHECK(head != NULL);
	if (!head)
		return;
	CHECK_INT(nblocks, (n + SHAPE_BLOCK - 1) / SHAPE_BLOCK);
	CHECK(a.head_len < b.len || n == 0);
	struct shape *sh = shape_open_apart(head, a.head_len, apart_fetch, apart_release, &a);
	CHECK(sh != NULL);
	if (!sh)
		return;
	CHECK_INT(shape_count(sh), n);
	CHECK_INT(a.fetched, 0);	/* opening reads no block */
	for (size_t k = 0; k < n; k++) {
		size_t i = (k * 7919) % n;
		struct section_shape g = shape_section(sh, i);
		CHECK(g.seq == s[i].seq && g.parent == s[i].parent && g.para == s[i].para && g.offset == s[i].offset &&
		      g.length == s[i].length && g.level == s[i].level && g.in_paragraph == s[i].in_paragraph);
	}
	if (n > 0)
		CHECK_INT(shape_at(sh, s[n - 1].para, s[n - 1].offset), (long)n - 1);
	shape_free(sh);
	CHECK_INT(a.released, 1);
	/* a head that is not one: refused, the source released */
	a.released = 0;
	CHECK(shape_open_apart((unsigned char *)xstrdup("b\001"), 2, apart_fetch, apart_release, &a) == NULL);
	CHECK_INT(a.released, 1);
	sbuf_free(&b);
	free(s);
}

static void test_parents(void)
{
	/* a parent given as a seq is kept as an index; one that does not come first is dropped */
	struct section_shape s[3] = {
		{ .seq = 10, .parent = -1, .level = 1, .para = 1 },
		{ .seq = 12, .parent = 10, .level = 2, .para = 2 },
		{ .seq = 13, .parent = 13, .level = 2, .para = 3 },
	};
	struct shape *sh = encoded(s, 3);
	CHECK(sh != NULL);
	if (!sh)
		return;
	CHECK_INT(shape_section(sh, 1).parent, 0);
	CHECK_INT(shape_section(sh, 1).seq, 12);
	CHECK_INT(shape_section(sh, 2).parent, -1);
	shape_free(sh);
}

/* Built a section at a time: the same blob as shape_encode's, read back whole. */
static void test_builder(size_t n)
{
	struct section_shape *s = make(n);
	struct shape_builder bld = { 0 };
	for (size_t i = 0; i < n; i++)
		shape_builder_add(&bld, &s[i]);
	struct sbuf built = { 0 }, whole = { 0 };
	shape_builder_finish(&bld, &built);
	CHECK_INT(bld.n, 0);
	shape_encode(s, n, &whole);
	CHECK(built.len == whole.len && memcmp(built.data, whole.data, whole.len) == 0);
	size_t len = built.len;
	struct shape *sh = shape_open((unsigned char *)sbuf_take(&built), len);
	CHECK(sh != NULL);
	for (size_t i = 0; sh && i < n; i++) {
		struct section_shape got = shape_section(sh, i);
		const struct section_shape *want = &s[i];
		if (got.seq != want->seq || got.parent != want->parent || got.para != want->para ||
		    got.offset != want->offset || got.length != want->length || got.level != want->level ||
		    got.in_paragraph != want->in_paragraph) {
			CHECK_INT(got.seq, want->seq);
			CHECK_INT(got.parent, want->parent);
			CHECK_INT(got.para, want->para);
			CHECK_INT(got.level, want->level);
			break;
		}
	}
	shape_free(sh);
	sbuf_free(&whole);
	free(s);
}

static void test_damage(void)
{
	struct section_shape *s = make(300);
	struct sbuf b = { 0 };
	shape_encode(s, 300, &b);
	/* another format, an empty blob, a count larger than the blob: refused */
	CHECK(shape_open((unsigned char *)xstrdup("z\001\002"), 3) == NULL);
	CHECK(shape_open(xmalloc(1), 0) == NULL);
	unsigned char *big = xmalloc(4);
	memcpy(big, "b\377\377\003", 4);
	CHECK(shape_open(big, 4) == NULL);
	/* cut anywhere or scribbled on: opened or refused, and read without crashing */
	for (size_t cut = 0; cut < b.len; cut += 37) {
		unsigned char *c = xmalloc(b.len);
		memcpy(c, b.data, b.len);
		if (cut % 2)
			memset(c + cut, 0xff, b.len - cut < 16 ? b.len - cut : 16);
		struct shape *sh = shape_open(c, cut % 2 ? b.len : cut);
		if (sh) {
			for (size_t i = 0; i < shape_count(sh); i++)
				(void)shape_section(sh, i);
			(void)shape_at(sh, 5000, 0);
			(void)shape_from_para(sh, 5000);
			shape_free(sh);
		}
	}
	sbuf_free(&b);
	free(s);
}

int main(void)
{
	test_roundtrip(1);
	test_roundtrip(63);
	test_roundtrip(64);
	test_roundtrip(65);
	test_roundtrip(1000);
	test_parents();
	test_builder(1);
	test_builder(64);
	test_builder(1000);
	test_damage();
	test_apart(1);
	test_apart(64);
	test_apart(1000);
	struct shape *none = encoded(NULL, 0);
	CHECK(none && shape_count(none) == 0 && shape_at(none, 5, 0) == -1 && shape_from_para(none, 5) == 0);
	shape_free(none);
	return check_done();
}
