#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "dugao/import_queue.h"
#include "dugao/util.h"

/* One block waiting in the queue. */
struct block {
	void *data;		/* owned by the queue until popped */
	size_t len;		/* bytes counted against the bound */
	struct block *next;	/* the next younger block */
};

struct import_queue {
	pthread_mutex_t lock;	/* guards everything below */
	pthread_cond_t not_empty;	/* a block came, or the queue closed */
	pthread_cond_t not_full;	/* bytes went, or the queue closed */
	struct block *head;	/* oldest block */
	struct block *tail;	/* youngest block */
	size_t bytes;		/* bytes of the blocks held */
	size_t max;		/* bound on bytes */
	bool closed;		/* import_queue_close was called */
};

struct import_queue *import_queue_new(size_t max_bytes)
{
	struct import_queue *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	/* a monotonic clock for the timed pop: a change of the wall clock must not stall it */
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->not_empty, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&q->not_full, NULL);
	q->max = max_bytes;
	return q;
}

void import_queue_free(struct import_queue *q)
{
	if (!q)
		return;
	for (struct block *b = q->head, *next; b; b = next) {
		next = b->next;
		free(b->data);
		free(b);
	}
	pthread_cond_destroy(&q->not_empty);
	pthread_cond_destroy(&q->not_full);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

void import_queue_set_max(struct import_queue *q, size_t max_bytes)
{
	pthread_mutex_lock(&q->lock);
	q->max = max_bytes;
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

int import_queue_push(struct import_queue *q, void *data, size_t len)
{
	struct block *b = xmalloc(sizeof *b);
	*b = (struct block){ .data = data, .len = len };
	pthread_mutex_lock(&q->lock);
	/* an empty queue takes any block, so that one bigger than the bound cannot wait forever */
	while (!q->closed && q->head && len > 0 && q->bytes + len > q->max)
		pthread_cond_wait(&q->not_full, &q->lock);
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		free(data);
		free(b);
		return -1;
	}
	if (q->tail)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	q->bytes += len;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int import_queue_pop(struct import_queue *q, void **data, size_t *len, int timeout_ms)
{
	struct timespec until;
	if (timeout_ms >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&q->lock);
	while (!q->head && !q->closed) {
		if (timeout_ms < 0)
			pthread_cond_wait(&q->not_empty, &q->lock);
		else if (pthread_cond_timedwait(&q->not_empty, &q->lock, &until) == ETIMEDOUT && !q->head && !q->closed) {
			pthread_mutex_unlock(&q->lock);
			return 0;
		}
	}
	struct block *b = q->head;
	if (!b) {
		pthread_mutex_unlock(&q->lock);
		return -1;
	}
	q->head = b->next;
	if (!q->head)
		q->tail = NULL;
	q->bytes -= b->len;
	pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->lock);
	*data = b->data;
	*len = b->len;
	free(b);
	return 1;
}

void import_queue_close(struct import_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}
