/* index_feed: gi_build_add on a thread, a few rows in hand (index_feed.h). The
 * writer's own work on a row (its paragraphs into SQLite) takes longer than the row's
 * postings, but three busy threads share two cores: with one row in hand the writer
 * waited for the thread whenever it was off its core (245 waits, 0.1 to 0.2 s of the
 * 3,000 small documents' 2.1 s). FEED_ROWS of up to 64 KB of text are little memory.
 * The thread, faster than the writer, slept after every row and was woken for the next
 * (a document of its own, for small ones): it is woken once FEED_WAKE rows are in hand
 * (or the build is waited for), then adds all that are. */
#include "dugao/index_feed.h"

#include <pthread.h>
#include <stdlib.h>

#include "dugao/gram_index.h"
#include "dugao/util.h"

enum {
	FEED_ROWS = 4,
	FEED_WAKE = 2,	/* rows in hand that wake the thread (below FEED_ROWS: a writer
			 * waiting for room has woken it) */
};

/* A row in hand. */
struct feed_row {
	uint32_t row;		/* its id */
	struct sbuf text;	/* its text */
};

struct index_feed {
	struct gi_build *gi;	/* the build */
	pthread_t thread;	/* adds the rows in hand */
	bool threaded;		/* the thread runs (else index_feed_add adds itself) */
	pthread_mutex_t lock;	/* guards what follows */
	pthread_cond_t changed;	/* a row was handed or added, or the feed stops */
	bool stop;		/* the thread is to end */
	size_t wake;		/* rows in hand that the thread waits for: FEED_WAKE, 1 while
				 * the build is waited for (index_feed_wait) */
	struct feed_row rows[FEED_ROWS];	/* the rows in hand, a ring from first */
	size_t first;		/* the oldest, which the thread adds (it owns gi meanwhile) */
	size_t n;		/* how many */
	size_t bytes;		/* gi_build_bytes with the rows added so far, while n > 0 */
};

/* Signals changed once f->lock is let go, then takes it again (f->lock held): a
 * thread woken while the lock is held wakes only to wait for it, a second switch. */
static void wake_after(struct index_feed *f)
{
	pthread_mutex_unlock(&f->lock);
	pthread_cond_broadcast(&f->changed);
	pthread_mutex_lock(&f->lock);
}

static void *feed_main(void *arg)
{
	struct index_feed *f = arg;
	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (f->n < f->wake && !f->stop)
			pthread_cond_wait(&f->changed, &f->lock);
		if (!f->n)
			break;
		while (f->n) {	/* every row in hand, then sleep */
			/* the writer fills only the slots after the n in hand: this one stays put */
			struct feed_row *r = &f->rows[f->first];
			pthread_mutex_unlock(&f->lock);
			gi_build_add(f->gi, r->row, r->text.data ? r->text.data : "", r->text.len);
			size_t bytes = gi_build_bytes(f->gi);
			pthread_mutex_lock(&f->lock);
			f->bytes = bytes;
			f->first = (f->first + 1) % FEED_ROWS;
			f->n--;
			/* woken after the lock is let go, so that a writer waiting for room
			 * does not wake only to wait for the lock (wake_after) */
			wake_after(f);
		}
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

struct index_feed *index_feed_new(void)
{
	struct index_feed *f = xcalloc(1, sizeof *f);
	f->gi = gi_build_new();
	f->wake = FEED_WAKE;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->changed, NULL);
	f->threaded = pthread_create(&f->thread, NULL, feed_main, f) == 0;
	return f;
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
	for (size_t i = 0; i < FEED_ROWS; i++)
		sbuf_free(&f->rows[i].text);
	free(f);
}

void index_feed_add(struct index_feed *f, uint32_t row, struct sbuf *text)
{
	if (!f->threaded) {
		gi_build_add(f->gi, row, text->data ? text->data : "", text->len);
		sbuf_reset(text);
		return;
	}
	pthread_mutex_lock(&f->lock);
	while (f->n == FEED_ROWS)
		pthread_cond_wait(&f->changed, &f->lock);
	if (!f->n)	/* the thread is idle: the build is as the writer left it */
		f->bytes = gi_build_bytes(f->gi);
	/* the text changes hands, not bytes: a copy under the lock kept the thread,
	 * done with a row, waiting for the lock (2.7 waits a small document) */
	struct feed_row *r = &f->rows[(f->first + f->n) % FEED_ROWS];
	struct sbuf spare = r->text;
	r->text = *text;
	r->row = row;
	f->n++;
	bool wake = f->n >= f->wake;	/* (a thread woken for fewer sleeps again) */
	pthread_mutex_unlock(&f->lock);
	if (wake)
		pthread_cond_broadcast(&f->changed);
	sbuf_reset(&spare);
	*text = spare;
}

struct gi_build *index_feed_wait(struct index_feed *f)
{
	pthread_mutex_lock(&f->lock);
	if (f->n) {
		/* the thread may sleep with fewer than FEED_WAKE rows in hand */
		f->wake = 1;
		pthread_cond_broadcast(&f->changed);
		while (f->n)
			pthread_cond_wait(&f->changed, &f->lock);
		f->wake = FEED_WAKE;
	}
	pthread_mutex_unlock(&f->lock);
	return f->gi;
}

size_t index_feed_bytes(struct index_feed *f)
{
	pthread_mutex_lock(&f->lock);
	size_t bytes = f->n ? f->bytes : gi_build_bytes(f->gi);
	pthread_mutex_unlock(&f->lock);
	return bytes;
}

bool index_feed_rows(struct index_feed *f)
{
	pthread_mutex_lock(&f->lock);
	uint32_t lo, hi;
	bool rows = f->n || gi_build_rows(f->gi, &lo, &hi);
	pthread_mutex_unlock(&f->lock);
	return rows;
}
