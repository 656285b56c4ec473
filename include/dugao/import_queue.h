/* import_queue: bounded FIFOs of blocks between threads (the import pipeline). A queue
 * has lanes, one a file: each lane is a FIFO of its own, and one bound on bytes covers
 * them all. The consumer reads one lane at a time (the file it stores); a producer
 * pushing to that lane is held only by that lane's bytes, so that producers ahead
 * cannot fill the bound while the consumer waits for the lane it reads. */
#ifndef DUGAO_IMPORT_QUEUE_H
#define DUGAO_IMPORT_QUEUE_H

#include <stddef.h>

struct import_queue;
struct import_lane;

/* A queue whose lanes hold at most max_bytes of blocks in all (the lane being read up
 * to max_bytes of its own; one bigger block still fits in an empty lane). */
struct import_queue *import_queue_new(size_t max_bytes);
/* Frees the queue; its lanes must be freed first. */
void import_queue_free(struct import_queue *q);
/* A new bound on bytes (pushes waiting go on when it is higher). */
void import_queue_set_max(struct import_queue *q, size_t max_bytes);
/* No more blocks: waiting pushes fail, pops take what is left, then get -1. */
void import_queue_close(struct import_queue *q);

/* A new, empty lane of q. */
struct import_lane *import_lane_new(struct import_queue *q);
/* Frees the lane and the blocks still in it (with free()). */
void import_lane_free(struct import_lane *l);
/* Adds a block at the end of the lane; the queue owns data from then on (NULL with len
 * 0 is a valid block). Counts len bytes against the bound, waiting while it is reached:
 * the lane's own bytes when it is the lane being read, else the bytes of all lanes.
 * Returns 0, or -1 when the queue was closed (data is freed). */
int import_lane_push(struct import_lane *l, void *data, size_t len);
/* Takes the lane's oldest block, waiting at most timeout_ms (< 0: no limit); the lane
 * is the one being read from then on (until another lane is popped or it is freed).
 * Returns 1 with the block, 0 when the time ran out, -1 when the queue is closed and
 * the lane empty. */
int import_lane_pop(struct import_lane *l, void **data, size_t *len, int timeout_ms);

#endif
