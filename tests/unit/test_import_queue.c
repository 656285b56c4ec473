#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dugao/import_queue.h"
#include "dugao/util.h"

/* Blocks come out in the order they went in; a timed pop on an empty lane times out. */
static void test_order(void)
{
	struct import_queue *q = import_queue_new(100);
	struct import_lane *l = import_lane_new(q);
	for (int i = 0; i < 3; i++) {
		int *v = xmalloc(sizeof *v);
		*v = i;
		CHECK_INT(import_lane_push(l, v, sizeof *v), 0);
	}
	for (int i = 0; i < 3; i++) {
		void *d;
		size_t n;
		CHECK_INT(import_lane_pop(l, &d, &n, -1), 1);
		CHECK_INT(*(int *)d, i);
		CHECK_INT(n, sizeof(int));
		free(d);
	}
	void *d;
	size_t n;
	CHECK_INT(import_lane_pop(l, &d, &n, 10), 0);
	/* a block bigger than the bound fits when the lane is empty */
	CHECK_INT(import_lane_push(l, xmalloc(500), 500), 0);
	/* closed: what is left comes out, then -1; pushes fail */
	import_queue_close(q);
	CHECK_INT(import_lane_push(l, xmalloc(1), 1), -1);
	CHECK_INT(import_lane_pop(l, &d, &n, -1), 1);
	CHECK_INT(n, 500);
	free(d);
	CHECK_INT(import_lane_pop(l, &d, &n, -1), -1);
	import_lane_free(l);
	import_queue_free(q);
	/* a lane freed with blocks still in it gives their bytes back */
	q = import_queue_new(100);
	l = import_lane_new(q);
	struct import_lane *other = import_lane_new(q);
	import_lane_push(l, xmalloc(90), 90);
	import_lane_free(l);
	CHECK_INT(import_lane_push(other, xmalloc(90), 90), 0);	/* would wait if the 90 were still counted */
	import_lane_free(other);
	import_queue_free(q);
}

/* A producer pushing blocks numbered from 0 to one lane. */
struct producer {
	struct import_lane *lane;	/* where to push */
	int blocks;			/* how many */
	size_t size;			/* bytes each */
	bool close;			/* closes the queue after the last */
	struct import_queue *q;		/* the lane's queue (for close) */
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	for (int i = 0; i < p->blocks; i++) {
		unsigned char *b = xmalloc(p->size);
		memset(b, (unsigned char)i, p->size);
		if (import_lane_push(p->lane, b, p->size) != 0)
			break;
	}
	if (p->close)
		import_queue_close(p->q);
	return NULL;
}

/* Pops a lane to its end (p->blocks); whether they came whole and in order. A block
 * that does not come in two seconds closes the queue (a producer waits forever: the
 * test fails instead of hanging). */
static bool drain(struct producer *p, struct import_queue *q, int *got)
{
	bool in_order = true;
	void *d;
	size_t n;
	*got = 0;
	while (*got < p->blocks) {
		int rc = import_lane_pop(p->lane, &d, &n, 2000);
		if (rc != 1) {
			import_queue_close(q);
			break;
		}
		in_order = in_order && n == p->size && ((unsigned char *)d)[n - 1] == (unsigned char)*got;
		free(d);
		(*got)++;
	}
	return in_order;
}

/* A producer thread much faster than the consumer: the bound holds, nothing is lost. */
static void test_threads(void)
{
	struct import_queue *q = import_queue_new(1000);
	struct producer p = { .lane = import_lane_new(q), .blocks = 2000, .size = 100, .close = true, .q = q };
	pthread_t t;
	CHECK_INT(pthread_create(&t, NULL, produce, &p), 0);
	int got;
	CHECK(drain(&p, q, &got));
	void *d;
	size_t n;
	CHECK_INT(import_lane_pop(p.lane, &d, &n, -1), -1);
	pthread_join(t, NULL);
	CHECK_INT(got, p.blocks);
	import_lane_free(p.lane);
	import_queue_free(q);
}

/* Two producers ahead of the consumer, each on its lane, the two lanes together far
 * over the bound: the consumer reads one lane, then the other, each whole and in
 * order, and neither producer waits forever (the lane read is bound only by its own
 * bytes; the other's producer goes on once its lane is read). */
static void test_lanes(void)
{
	struct import_queue *q = import_queue_new(1000);
	struct producer a = { .lane = import_lane_new(q), .blocks = 500, .size = 100 };
	struct producer b = { .lane = import_lane_new(q), .blocks = 500, .size = 100 };
	pthread_t ta, tb;
	/* b first, so that it fills the bound before a begins */
	CHECK_INT(pthread_create(&tb, NULL, produce, &b), 0);
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	CHECK_INT(pthread_create(&ta, NULL, produce, &a), 0);
	int got;
	CHECK(drain(&a, q, &got));
	CHECK_INT(got, a.blocks);
	pthread_join(ta, NULL);
	CHECK(drain(&b, q, &got));
	CHECK_INT(got, b.blocks);
	pthread_join(tb, NULL);
	import_lane_free(a.lane);
	import_lane_free(b.lane);
	import_queue_free(q);
}

/* A producer that counts its pushes to a lane. */
struct counted {
	struct import_lane *lane;	/* where to push */
	int blocks;			/* how many */
	atomic_int pushed;		/* blocks pushed so far */
	atomic_int failed;		/* pushes that failed (the queue closed) */
};

static void *produce_counted(void *arg)
{
	struct counted *c = arg;
	for (int i = 0; i < c->blocks; i++) {
		if (import_lane_push(c->lane, xmalloc(10), 10) != 0) {
			atomic_fetch_add(&c->failed, 1);
			break;
		}
		atomic_fetch_add(&c->pushed, 1);
	}
	return NULL;
}

static void counted_start(struct counted *c, struct import_lane *lane, int blocks, pthread_t *t)
{
	c->lane = lane;
	c->blocks = blocks;
	atomic_init(&c->pushed, 0);
	atomic_init(&c->failed, 0);
	CHECK_INT(pthread_create(t, NULL, produce_counted, c), 0);
}

/* Waits up to two seconds for the producer to have pushed n blocks, then 20 ms more
 * (so that a push past n would have happened); whether exactly n are. */
static bool pushed_reaches(struct counted *c, int n)
{
	for (int i = 0; i < 2000 && atomic_load(&c->pushed) < n; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	return atomic_load(&c->pushed) == n;
}

/* Pops n blocks of lane l of q; one that does not come in two seconds fails the test
 * and closes the queue (the producers stop instead of hanging the test). */
static void pop_n(struct import_queue *q, struct import_lane *l, int n)
{
	void *d;
	size_t len;
	for (int i = 0; i < n; i++) {
		int rc = import_lane_pop(l, &d, &len, 2000);
		CHECK_INT(rc, 1);
		if (rc != 1) {
			import_queue_close(q);
			return;
		}
		free(d);
	}
}

/* A producer waiting on a full queue goes on when the bound is raised, up to it. */
static void test_set_max(void)
{
	struct import_queue *q = import_queue_new(10);
	struct import_lane *l = import_lane_new(q);
	struct counted c;
	pthread_t t;
	counted_start(&c, l, 5, &t);
	CHECK(pushed_reaches(&c, 1));	/* the second waits: 20 bytes > 10 */
	import_queue_set_max(q, 40);
	CHECK(pushed_reaches(&c, 4));	/* the fifth waits: 50 bytes > 40 */
	import_queue_set_max(q, 10);
	pop_n(q, l, 5);
	pthread_join(t, NULL);
	CHECK_INT(atomic_load(&c.pushed), 5);
	import_lane_free(l);
	import_queue_free(q);
}

/* The lane being read is held by its own bytes only; the others by the bytes of all. */
static void test_bounds(void)
{
	struct import_queue *q = import_queue_new(20);
	struct import_lane *a = import_lane_new(q), *b = import_lane_new(q);
	void *d;
	size_t n;
	/* b, not read, fills the bound: its third block waits */
	struct counted cb;
	pthread_t tb;
	counted_start(&cb, b, 4, &tb);
	CHECK(pushed_reaches(&cb, 2));
	/* a becomes the lane read (nothing in it yet) */
	CHECK_INT(import_lane_pop(a, &d, &n, 0), 0);
	/* a's producer is not held by b's 20 bytes, only by a's own: two go, the third waits */
	struct counted ca;
	pthread_t ta;
	counted_start(&ca, a, 4, &ta);
	CHECK(pushed_reaches(&ca, 2));
	CHECK_INT(atomic_load(&cb.pushed), 2);	/* b still waits: 40 bytes held */
	/* a block of a taken: a's third goes (a holds 20 again), b still waits */
	pop_n(q, a, 1);
	CHECK(pushed_reaches(&ca, 3));
	CHECK_INT(atomic_load(&cb.pushed), 2);
	pop_n(q, a, 3);
	pthread_join(ta, NULL);
	CHECK_INT(atomic_load(&ca.pushed), 4);
	/* a is empty, but still the lane read: b is held by the bound on all (20 held) */
	CHECK_INT(atomic_load(&cb.pushed), 2);
	/* a freed: b is not read, and 20 bytes are held, so it still waits... */
	import_lane_free(a);
	CHECK(pushed_reaches(&cb, 2));
	/* ...until it is read: then its own bound lets the rest in as it drains */
	pop_n(q, b, 4);
	pthread_join(tb, NULL);
	CHECK_INT(atomic_load(&cb.pushed), 4);
	/* b, the lane read, holds 20; a new lane's push waits on the bytes of all */
	import_lane_push(b, xmalloc(10), 10);
	import_lane_push(b, xmalloc(10), 10);
	struct import_lane *c = import_lane_new(q);
	struct counted cc;
	pthread_t tc;
	counted_start(&cc, c, 1, &tc);
	CHECK(pushed_reaches(&cc, 0));
	/* closed: the waiting push fails instead of waiting forever */
	import_queue_close(q);
	pthread_join(tc, NULL);
	CHECK_INT(atomic_load(&cc.failed), 1);
	pop_n(q, b, 2);
	CHECK_INT(import_lane_pop(b, &d, &n, -1), -1);
	import_lane_free(b);
	import_lane_free(c);
	import_queue_free(q);
}

/* A producer blocked on a full queue wakes and fails when it is closed. */
static void test_close_wakes(void)
{
	struct import_queue *q = import_queue_new(10);
	struct producer p = { .lane = import_lane_new(q), .blocks = 100, .size = 10, .q = q };
	pthread_t t;
	CHECK_INT(pthread_create(&t, NULL, produce, &p), 0);
	void *d;
	size_t n;
	CHECK_INT(import_lane_pop(p.lane, &d, &n, -1), 1);
	free(d);
	import_queue_close(q);
	pthread_join(t, NULL);	/* returns: the producer's push failed instead of waiting */
	CHECK(1);
	import_lane_free(p.lane);
	import_queue_free(q);
}

int main(void)
{
	test_order();
	test_threads();
	test_lanes();
	test_set_max();
	test_bounds();
	test_close_wakes();
	return check_done();
}
