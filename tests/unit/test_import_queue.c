#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dugao/import_queue.h"
#include "dugao/util.h"

/* Blocks come out in the order they went in; a timed pop on an empty queue times out. */
static void test_order(void)
{
	struct import_queue *q = import_queue_new(100);
	for (int i = 0; i < 3; i++) {
		int *v = xmalloc(sizeof *v);
		*v = i;
		CHECK_INT(import_queue_push(q, v, sizeof *v), 0);
	}
	for (int i = 0; i < 3; i++) {
		void *d;
		size_t n;
		CHECK_INT(import_queue_pop(q, &d, &n, -1), 1);
		CHECK_INT(*(int *)d, i);
		CHECK_INT(n, sizeof(int));
		free(d);
	}
	void *d;
	size_t n;
	CHECK_INT(import_queue_pop(q, &d, &n, 10), 0);
	/* a block bigger than the bound fits when the queue is empty */
	CHECK_INT(import_queue_push(q, xmalloc(500), 500), 0);
	/* closed: what is left comes out, then -1; pushes fail */
	import_queue_close(q);
	CHECK_INT(import_queue_push(q, xmalloc(1), 1), -1);
	CHECK_INT(import_queue_pop(q, &d, &n, -1), 1);
	CHECK_INT(n, 500);
	free(d);
	CHECK_INT(import_queue_pop(q, &d, &n, -1), -1);
	import_queue_free(q);
	/* freed with blocks still in it */
	q = import_queue_new(100);
	import_queue_push(q, xmalloc(10), 10);
	import_queue_free(q);
}

/* A producer thread much faster than the consumer: the bound holds, nothing is lost. */
struct producer {
	struct import_queue *q;	/* where to push */
	int blocks;		/* how many */
	size_t size;		/* bytes each */
};



static void *produce(void *arg)
{
	struct producer *p = arg;
	for (int i = 0; i < p->blocks; i++) {
		unsigned char *b = xmalloc(p->size);
		memset(b, (unsigned char)i, p->size);
		if (import_queue_push(p->q, b, p->size) != 0)
			break;
	}
	import_queue_close(p->q);
	return NULL;
}

static void test_threads(void)
{
	struct producer p = { .q = import_queue_new(1000), .blocks = 2000, .size = 100 };
	pthread_t t;
	CHECK_INT(pthread_create(&t, NULL, produce, &p), 0);
	int got = 0;
	bool in_order = true;
	void *d;
	size_t n;
	while (import_queue_pop(p.q, &d, &n, -1) == 1) {
		in_order = in_order && n == p.size && ((unsigned char *)d)[n - 1] == (unsigned char)got;
		free(d);
		got++;
	}
	pthread_join(t, NULL);
	CHECK_INT(got, p.blocks);
	CHECK(in_order);

	import_queue_free(p.q);
}

/* A producer blocked on a full queue wakes and fails when it is closed. */
static void test_close_wakes(void)
{
	struct producer p = { .q = import_queue_new(10), .blocks = 100, .size = 10 };
	pthread_t t;
	CHECK_INT(pthread_create(&t, NULL, produce, &p), 0);
	void *d;
	size_t n;
	CHECK_INT(import_queue_pop(p.q, &d, &n, -1), 1);
	free(d);
	import_queue_close(p.q);
	pthread_join(t, NULL);	/* returns: the producer's push failed instead of waiting */
	CHECK(1);
	import_queue_free(p.q);
}

/* A producer that counts its pushes. */
struct counted {
	struct import_queue *q;	/* where to push */
	atomic_int pushed;	/* blocks pushed so far */
};

static void *produce_counted(void *arg)
{
	struct counted *c = arg;
	for (int i = 0; i < 5; i++) {
		if (import_queue_push(c->q, xmalloc(10), 10) != 0)
			break;
		atomic_fetch_add(&c->pushed, 1);
	}
	return NULL;
}

/* Waits up to two seconds for the producer to have pushed n blocks. */
static bool pushed_reaches(struct counted *c, int n)
{
	for (int i = 0; i < 2000 && atomic_load(&c->pushed) < n; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	return atomic_load(&c->pushed) == n;
}

/* A producer waiting on a full queue goes on when the bound is raised, up to it. */
static void test_set_max(void)
{
	struct counted c = { .q = import_queue_new(10) };
	atomic_init(&c.pushed, 0);
	pthread_t t;
	CHECK_INT(pthread_create(&t, NULL, produce_counted, &c), 0);
	CHECK(pushed_reaches(&c, 1));
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	CHECK_INT(atomic_load(&c.pushed), 1);	/* the second waits: 20 bytes > 10 */
	import_queue_set_max(c.q, 40);
	CHECK(pushed_reaches(&c, 4));
	nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	CHECK_INT(atomic_load(&c.pushed), 4);	/* the fifth waits: 50 bytes > 40 */
	import_queue_set_max(c.q, 10);
	void *d;
	size_t n;
	for (int i = 0; i < 5; i++) {
		CHECK_INT(import_queue_pop(c.q, &d, &n, 2000), 1);
		free(d);
	}
	pthread_join(t, NULL);
	CHECK_INT(atomic_load(&c.pushed), 5);
	import_queue_free(c.q);
}

int main(void)
{
	test_order();
	test_threads();
	test_close_wakes();
	test_set_max();
	return check_done();
}
