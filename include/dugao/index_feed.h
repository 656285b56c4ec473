/* index_feed: a search index build (gram_index.h) that adds rows on a thread of its
 * own, so that the import's writer goes on with its SQLite writes meanwhile. A few
 * rows are in hand at a time: handing one more waits for the oldest. */
#ifndef DUGAO_INDEX_FEED_H
#define DUGAO_INDEX_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "dugao/util.h"

struct index_feed;
struct gi_build;

/* A feed with an empty build of its own. Without a thread (one could not start) rows
 * are added by the caller. */
struct index_feed *index_feed_new(void);
/* Waits for the rows in hand, then frees the build and the feed. */
void index_feed_free(struct index_feed *f);

/* Hands row's text to the thread, waiting while the rows in hand are many: the feed
 * takes text's buffer and leaves text empty (with a buffer of its own to reuse). */
void index_feed_add(struct index_feed *f, uint32_t row, struct sbuf *text);
/* The build with every row handed in it; the caller may use it until the next add. */
struct gi_build *index_feed_wait(struct index_feed *f);
/* gi_build_bytes of the build without waiting: before the rows in hand, if any. */
size_t index_feed_bytes(struct index_feed *f);
/* Whether the build holds a row (or one is in hand), without waiting. */
bool index_feed_rows(struct index_feed *f);

#endif
