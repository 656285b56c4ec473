/* results: the hits of a search over the whole library as a list (document title,
 * section path, a snippet with the hit marked) to open one from. Reads the store
 * once through store_search; never calls curses. */
#ifndef DUGAO_RESULTS_H
#define DUGAO_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "dugao/layout.h"
#include "dugao/store.h"
#include "dugao/wrap.h"

/* One hit as the list keeps it. */
struct result {
	long doc;		/* document id */
	char *title;		/* its title */
	char *section;		/* section path, "" before any */
	char *snippet;		/* the line around the hit */
	long snippet_offset;	/* characters into snippet where the hit starts */
	long para, offset;	/* where the hit is */
	long length;		/* characters of the hit */
	char *hit;		/* the text of the hit, as written */
};

struct results;

/* The first limit hits of query in the library; NULL and store_error() on failure
 * (a query with no words, a store error). */
struct results *results_new(struct store *st, const char *query, long limit);
void results_free(struct results *res);
size_t results_count(const struct results *res);
/* True when there were more hits than the list holds. */
bool results_more(const struct results *res);
const char *results_query(const struct results *res);
void results_move(struct results *res, long delta);
void results_move_to(struct results *res, bool end);
bool results_click(struct results *res, int row);
/* The hit under the cursor, NULL when there is none. */
const struct result *results_selected(const struct results *res);
/* The cursor kept in view of r's height, as drawing does (see outline_pane_fit). */
void results_fit(struct results *res, const struct rect *r);
void results_render(struct results *res, const struct rect *r);

#endif
