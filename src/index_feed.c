/* index_feed: gi_build_add on a thread, one row in hand (index_feed.h). The writer's
 * own work on a row (its paragraphs into SQLite) takes about as long as the row's
 * postings, so one row in hand keeps both busy; a deeper queue would only hold more
 * text in memory. */
#include "dugao/index_feed.h"

#include <pthread.h>
#include <stdlib.h>

#include "dugao/gram_index.h"
#include "dugao/util.h"

struct index_feed {
	struct gi_build *gi;	/* the build */
	pthread_t thread;	/* adds the row in hand */
	bool threaded;		/* the thread runs (else index_feed_add adds itself) */
	pthread_mutex_t lock;	/* guards what follows */
	pthread_cond_t changed;	/* a row was handed or added, or the feed stops */
	bool busy;		/* a row is in hand: the thread owns gi until it is added */
	bool stop;		/* the thread is to end */
	uint32_t row;		/* the row in hand */
	struct sbuf text;	/* its text */
	size_t bytes_before;	/* gi_build_bytes when it was handed */
};

static void *feed_main(void *arg)
{
	struct index_feed *f = arg;
	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (!f->busy && !f->stop)
			pthread_cond_wait(&f->changed, &f->lock);
		if (!f->busy)
			break;
		pthread_mutex_unlock(&f->lock);
		gi_build_add(f->gi, f->row, f->text.data ? f->text.data : "", f->text.len);
		pthread_mutex_lock(&f->lock);
		f->busy = false;
		pthread_cond_broadcast(&f->changed);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

struct index_feed *index_feed_new(void)
{
	struct index_feed *f = xcalloc(1, sizeof *f);
	f->gi = gi_build_new();
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->changed, NULL);
	f->threaded = pthread_create(&f->thread, NULL, feed_main, f) == 0;
	return f;
}

/* Waits, holding the lock, until no row is in hand. */
static void wait_idle(struct index_feed *f)
{
	while (f->busy)
		pthread_cond_wait(&f->changed, &f->lock);
}

void index_feed_free(struct index_feed *f)
{
	if (!f)
		return;
	if (f->threaded) {
		pthread_mutex_lock(&f->lock);
		f->stop = true;
		pthread_cond_broadcast(&f->changed);
		pthread_mutex_unlock(&f->lock);
		pthread_join(f->thread, NULL);
	}
	pthread_cond_destroy(&f->changed);
	pthread_mutex_destroy(&f->lock);
	gi_build_free(f->gi);
	sbuf_free(&f->text);
	free(f);
}

void index_feed_add(struct index_feed *f, uint32_t row, const char *text, size_t n)
{
	if (!f->threaded) {
		gi_build_add(f->gi, row, text, n);
		return;
	}
	pthread_mutex_lock(&f->lock);
	wait_idle(f);
	sbuf_reset(&f->text);
	sbuf_append(&f->text, text, n);
	f->row = row;
	f->bytes_before = gi_build_bytes(f->gi);
	f->busy = true;
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_unlock(&f->lock);
}

struct gi_build *index_feed_wait(struct index_feed *f)
{
	pthread_mutex_lock(&f->lock);
	wait_idle(f);
	pthread_mutex_unlock(&f->lock);
	return f->gi;
}

size_t index_feed_bytes(struct index_feed *f)
{
	pthread_mutex_lock(&f->lock);
	size_t bytes = f->busy ? f->bytes_before : gi_build_bytes(f->gi);
	pthread_mutex_unlock(&f->lock);
	return bytes;
}

bool index_feed_rows(struct index_feed *f)
{
	pthread_mutex_lock(&f->lock);
	uint32_t lo, hi;
	bool rows = f->busy || gi_build_rows(f->gi, &lo, &hi);
	pthread_mutex_unlock(&f->lock);
	return rows;
}
