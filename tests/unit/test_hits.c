#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dugao/hits.h"

/* Packs and unpacks: text order kept, the same place once, out of order refused. */
static void test_round_trip(void)
{
	struct hit_packer p = { 0 };
	CHECK_INT(hits_pack(&p, 0, 0, 2), 0);
	CHECK_INT(hits_pack(&p, 0, 0, 2), 1);		/* the same place again */
	CHECK_INT(hits_pack(&p, 0, 5, 3), 0);
	CHECK_INT(hits_pack(&p, 0, 4, 3), -1);		/* before the last one */
	CHECK_INT(hits_pack(&p, 7, 1, 2), 0);		/* a later paragraph starts afresh */
	CHECK_INT(hits_pack(&p, 6, 9, 2), -1);
	CHECK_INT(hits_pack(&p, 9, -1, 2), -1);		/* negative */
	CHECK_INT(hits_pack(&p, 100000, 300, 200), 0);	/* numbers of several bytes */
	CHECK_INT(p.count, 4);
	struct hit *v;
	long n = hits_unpack(p.buf.data, p.buf.len, &v);
	CHECK_INT(n, 4);
	if (n == 4) {
		long want[4][3] = { { 0, 0, 2 }, { 0, 5, 3 }, { 7, 1, 2 }, { 100000, 300, 200 } };
		for (int i = 0; i < 4; i++) {
			CHECK_INT(v[i].para, want[i][0]);
			CHECK_INT(v[i].offset, want[i][1]);
			CHECK_INT(v[i].length, want[i][2]);
		}
		/* the first at or after a place */
		CHECK_INT(hits_lower_bound(v, n, 0, 0), 0);
		CHECK_INT(hits_lower_bound(v, n, 0, 1), 1);
		CHECK_INT(hits_lower_bound(v, n, 0, 6), 2);
		CHECK_INT(hits_lower_bound(v, n, 7, LONG_MIN), 2);
		CHECK_INT(hits_lower_bound(v, n, 200000, 0), 4);
	}
	free(v);
	/* a hit takes three or four bytes */
	CHECK(p.buf.len <= 1 + 4 * 3 + 4);
	hits_packer_free(&p);
	CHECK_INT(p.count, 0);
	/* nothing packed: nothing to unpack */
	CHECK_INT(hits_unpack(NULL, 0, &v), 0);
	CHECK(v == NULL);
}

/* A damaged blob is refused, never read past its end. */
static void test_damaged(void)
{
	struct hit *v;
	CHECK_INT(hits_unpack("\x02\x00\x00\x01", 4, &v), -1);	/* unknown format */
	CHECK(v == NULL);
	CHECK_INT(hits_unpack("\x01\x00\x00", 3, &v), -1);	/* cut in a hit */
	CHECK_INT(hits_unpack("\x01\x80\x80", 3, &v), -1);	/* cut in a number */
	unsigned char long_number[16] = { 1 };
	memset(long_number + 1, 0xFF, 14);
	long_number[15] = 1;
	CHECK_INT(hits_unpack(long_number, sizeof long_number, &v), -1);	/* past 63 bits */
	CHECK_INT(hits_unpack("\x01", 1, &v), 0);		/* a format byte alone */
	CHECK(v == NULL);
	/* every cut of a good blob is refused or gives a prefix of its hits */
	struct hit_packer p = { 0 };
	for (long i = 0; i < 50; i++)
		hits_pack(&p, i * 3, i * 7, 2 + i % 3);
	for (size_t cut = 0; cut < p.buf.len; cut++) {
		long n = hits_unpack(p.buf.data, cut, &v);
		CHECK(n >= -1 && n < 50);
		for (long i = 0; i < n; i++)
			CHECK(v[i].para == i * 3 && v[i].offset == i * 7);
		free(v);
	}
	hits_packer_free(&p);
}

int main(void)
{
	test_round_trip();
	test_damaged();
	return check_done();
}
