#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "dugao/import_queue.h"
#include "dugao/util.h"

/* One block waiting in a lane. */
struct block {
	void *data;		/* owned by the queue until popped */
	size_t len;		/* bytes counted against the bound */
	struct block *next;	/* the next younger block */
};

struct import_lane {
	struct import_queue *q;	/* the queue it belongs to (its lock guards the fields below) */
	struct block *head;	/* oldest block */
	struct block *tail;	/* youngest block */
	size_t bytes;		/* bytes of its blocks */
	int poppers;		/* consumers waiting for a block of it */
	int pushers;		/* producers waiting for room in it */
};

struct import_queue {
	pthread_mutex_t lock;	/* guards everything below, and every lane's fields */
	pthread_cond_t not_empty;	/* a block came, or the queue closed */
	pthread_cond_t not_full;	/* bytes went, the lane read changed, or the queue closed */
	size_t bytes;		/* bytes of the blocks held in all lanes */
	size_t max;		/* bound on bytes */
	struct import_lane *reading;	/* the lane popped last (the consumer's), or NULL */
	int pushers;		/* producers waiting for room, in any lane */
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

void import_queue_close(struct import_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_broadcast(&q->not_empty);
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

struct import_lane *import_lane_new(struct import_queue *q)
{
	struct import_lane *l = xcalloc(1, sizeof *l);
	l->q = q;
	return l;
}

void import_lane_free(struct import_lane *l)
{
	if (!l)
		return;
	struct import_queue *q = l->q;
	pthread_mutex_lock(&q->lock);
	q->bytes -= l->bytes;
	if (q->reading == l)
		q->reading = NULL;
	pthread_cond_broadcast(&q->not_full);
	pthread_mutex_unlock(&q->lock);
	for (struct block *b = l->head, *next; b; b = next) {
		next = b->next;
		free(b->data);
		free(b);
	}
	free(l);
}

/* Whether a block of len bytes must wait before it goes into lane l (q locked). An
 * empty lane being read takes any block, and an empty queue any, so that one bigger
 * than the bound cannot wait forever. */
static bool must_wait(const struct import_lane *l, size_t len)
{
	const struct import_queue *q = l->q;
	if (q->closed || len == 0)
		return false;
	if (q->reading == l)
		return l->head && l->bytes + len > q->max;
	return q->bytes > 0 && q->bytes + len > q->max;
}

int import_lane_push(struct import_lane *l, void *data, size_t len)
{
	struct import_queue *q = l->q;
	struct block *b = xmalloc(sizeof *b);
	*b = (struct block){ .data = data, .len = len };
	pthread_mutex_lock(&q->lock);
	while (must_wait(l, len)) {
		q->pushers++, l->pushers++;
		pthread_cond_wait(&q->not_full, &q->lock);
		q->pushers--, l->pushers--;
	}
	if (q->closed) {
		pthread_mutex_unlock(&q->lock);
		free(data);
		free(b);
		return -1;
	}
	if (l->tail)
		l->tail->next = b;
	else
		l->head = b;
	l->tail = b;
	l->bytes += len;
	q->bytes += len;
	/* only a consumer waiting for this lane is woken (a wake-up costs a thread
	 * switch, and the consumer waits for one lane while the others fill), once the
	 * lock is let go: woken before, it would wait for the lock, a second switch */
	bool wake = l->poppers > 0;
	pthread_mutex_unlock(&q->lock);
	if (wake)
		pthread_cond_broadcast(&q->not_empty);
	return 0;
}

int import_lane_pop(struct import_lane *l, void **data, size_t *len, int timeout_ms)
{
	struct import_queue *q = l->q;
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
	if (q->reading != l) {
		/* a producer of this lane may wait on the other lanes' bytes: no longer */
		q->reading = l;
		pthread_cond_broadcast(&q->not_full);
	}
	while (!l->head && !q->closed) {
		l->poppers++;
		int rc = timeout_ms < 0 ? pthread_cond_wait(&q->not_empty, &q->lock)
					: pthread_cond_timedwait(&q->not_empty, &q->lock, &until);
		l->poppers--;
		if (rc == ETIMEDOUT && !l->head && !q->closed) {
			pthread_mutex_unlock(&q->lock);
			return 0;
		}
	}
	struct block *b = l->head;
	if (!b) {
		pthread_mutex_unlock(&q->lock);
		return -1;
	}
	l->head = b->next;
	if (!l->head)
		l->tail = NULL;
	l->bytes -= b->len;
	q->bytes -= b->len;
	/* producers waiting for room are woken once half of it is free (of the bound on
	 * all, or of this lane's), not at every block: a wake-up may take the consumer's
	 * core, and the producer would then fill the room a block at a time */
	bool wake = (q->pushers && q->bytes <= q->max / 2) || (l->pushers && l->bytes <= q->max / 2);
	pthread_mutex_unlock(&q->lock);
	if (wake)
		pthread_cond_broadcast(&q->not_full);
	*data = b->data;
	*len = b->len;
	free(b);
	return 1;
}
