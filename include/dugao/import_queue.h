/* import_queue: a bounded FIFO of blocks between two threads (the import pipeline). */
#ifndef DUGAO_IMPORT_QUEUE_H
#define DUGAO_IMPORT_QUEUE_H

#include <stddef.h>

struct import_queue;

/* A queue that holds at most max_bytes of blocks (one bigger block still fits alone). */
struct import_queue *import_queue_new(size_t max_bytes);
/* Frees the queue and the blocks still in it (with free()). */
void import_queue_free(struct import_queue *q);

/* Adds a block at the end; the queue owns data from then on (NULL with len 0 is a
 * valid block). Counts len bytes against the bound, waiting while it is reached.
 * Returns 0, or -1 when the queue was closed (data is freed). */
int import_queue_push(struct import_queue *q, void *data, size_t len);
/* Takes the oldest block, waiting at most timeout_ms (< 0: no limit). Returns 1 with
 * the block, 0 when the time ran out, -1 when the queue is closed and empty. */
int import_queue_pop(struct import_queue *q, void **data, size_t *len, int timeout_ms);
/* A new bound on bytes (pushes waiting go on when it is higher). */
void import_queue_set_max(struct import_queue *q, size_t max_bytes);
/* No more blocks: waiting pushes fail, pops take what is left, then get -1. */
void import_queue_close(struct import_queue *q);

#endif
