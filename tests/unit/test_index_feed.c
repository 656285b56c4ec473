/* index_feed: rows handed to the feed's thread make the same segment as rows added
 * directly, whether the feed is waited for between rows or not (then several are in
 * hand), and what it reports without waiting is what the build held before the rows
 * in hand. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "dugao/gram_index.h"
#include "dugao/index_feed.h"
#include "dugao/util.h"

/* A segment's pages, concatenated with their ids. */
static int keep_page(void *ctx, int64_t pid, const uint8_t *data, size_t n)
{
	struct sbuf *out = ctx;
	sbuf_append(out, (const char *)&pid, sizeof pid);
	sbuf_append(out, (const char *)data, n);
	return 0;
}

/* Row i's text: Chinese, Latin and digits, different every row. */
static void row_text(struct sbuf *t, unsigned i)
{
	static const char *const words[] = { "发展", "改革", "高质量发展", "Reform ", "２０２６年", "，", "人民", "。\n" };
	sbuf_reset(t);
	unsigned x = i * 2654435761u;
	for (unsigned k = 0; k < 200 + i % 300; k++) {
		x = x * 1103515245u + 12345u;
		sbuf_append(t, words[(x >> 16) % 8], strlen(words[(x >> 16) % 8]));
	}
}

static void written(struct gi_build *b, struct sbuf *out)
{
	size_t bytes = 0;
	sbuf_reset(out);
	CHECK_INT(gi_build_write(b, keep_page, out, &bytes), 0);
	CHECK(bytes > 0);
}

int main(void)
{
	enum { ROWS = 300 };
	struct sbuf t = { 0 }, direct = { 0 }, fed = { 0 };
	struct gi_build *b = gi_build_new();
	for (unsigned i = 1; i <= ROWS; i++) {
		row_text(&t, i);
		gi_build_add(b, i, t.data, t.len);
	}
	size_t direct_bytes = gi_build_bytes(b);
	written(b, &direct);

	for (int waiting = 0; waiting < 2; waiting++) {
		struct index_feed *f = index_feed_new();
		CHECK(!index_feed_rows(f));
		CHECK_INT(index_feed_bytes(f), gi_build_bytes(index_feed_wait(f)));
		size_t seen = 0;	/* what index_feed_bytes said last */
		for (unsigned i = 1; i <= ROWS; i++) {
			row_text(&t, i);
			size_t before = waiting ? gi_build_bytes(index_feed_wait(f)) : 0;
			index_feed_add(f, i, &t);
			CHECK_INT(t.len, 0);
			/* without waiting: the bytes before the rows in hand, never less than
			 * before; waited for, the bytes before this row, or after it once added */
			size_t now = index_feed_bytes(f);
			CHECK(now >= seen);
			seen = now;
			if (waiting)
				CHECK(now == before || now == gi_build_bytes(index_feed_wait(f)));
			CHECK(index_feed_rows(f));
		}
		struct gi_build *fb = index_feed_wait(f);
		CHECK_INT(gi_build_bytes(fb), direct_bytes);
		CHECK(seen <= direct_bytes);
		uint32_t lo, hi;
		CHECK(gi_build_rows(fb, &lo, &hi));
		CHECK_INT(lo, 1);
		CHECK_INT(hi, ROWS);
		written(fb, &fed);
		CHECK_INT(fed.len, direct.len);
		CHECK(fed.len == direct.len && memcmp(fed.data, direct.data, fed.len) == 0);
		/* emptied by its user, the build is reused */
		gi_build_reset(fb);
		CHECK(!index_feed_rows(f));
		row_text(&t, 7);
		index_feed_add(f, ROWS + 1, &t);
		CHECK(gi_build_rows(index_feed_wait(f), &lo, &hi) && lo == ROWS + 1 && hi == ROWS + 1);
		index_feed_free(f);
	}
	/* freed with a row still in hand: the thread finishes it first */
	struct index_feed *f = index_feed_new();
	row_text(&t, 1);
	index_feed_add(f, 1, &t);
	index_feed_free(f);
	index_feed_free(NULL);

	gi_build_free(b);
	sbuf_free(&t);
	sbuf_free(&direct);
	sbuf_free(&fed);
	return check_done();
}
