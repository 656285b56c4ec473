#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dugao/draw.h"
#include "dugao/results.h"
#include "dugao/util.h"

struct results {
	char *query;		/* as typed */
	struct result *hits;	/* in document order */
	size_t n;		/* how many */
	long limit;		/* the most kept */
	bool more;		/* the store had more */
	size_t cursor;		/* the hit under the cursor */
	size_t scroll;		/* the first hit shown */
	int height;		/* rows at the last render */
};

enum { ROWS_PER_HIT = 2 };	/* where it is, then the snippet */

static int collect(void *ctx, const struct search_hit *h)
{
	struct results *res = ctx;
	if ((long)res->n >= res->limit) {
		res->more = true;
		return 1;
	}
	res->hits = xrealloc(res->hits, (res->n + 1) * sizeof *res->hits);
	const char *sn = h->snippet ? h->snippet : "";
	size_t len = strlen(sn);
	size_t b = utf8_offset(sn, len, (size_t)(h->snippet_offset > 0 ? h->snippet_offset : 0));
	size_t e = b + utf8_offset(sn + b, len - b, (size_t)(h->length > 0 ? h->length : 0));
	res->hits[res->n++] = (struct result){
		.doc = h->doc, .title = xstrdup(h->title ? h->title : ""), .section = xstrdup(h->section ? h->section : ""),
		.snippet = xstrdup(sn), .snippet_offset = h->snippet_offset, .para = h->para, .offset = h->offset,
		.length = h->length, .hit = xstrndup(sn + b, e - b),
	};
	return 0;
}

struct results *results_new(struct store *st, const char *query, long limit)
{
	struct results *res = xcalloc(1, sizeof *res);
	res->query = xstrdup(query);
	res->limit = limit;
	/* one more than kept tells whether there are more */
	if (store_search(st, query, -1, limit + 1, collect, res) < 0) {
		results_free(res);
		return NULL;
	}
	return res;
}

void results_free(struct results *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->n; i++) {
		free(res->hits[i].title);
		free(res->hits[i].section);
		free(res->hits[i].snippet);
		free(res->hits[i].hit);
	}
	free(res->hits);
	free(res->query);
	free(res);
}

size_t results_count(const struct results *res)
{
	return res->n;
}

bool results_more(const struct results *res)
{
	return res->more;
}

const char *results_query(const struct results *res)
{
	return res->query;
}

static void keep_in_view(struct results *res)
{
	size_t h = res->height >= ROWS_PER_HIT ? (size_t)res->height / ROWS_PER_HIT : 1;
	if (res->cursor < res->scroll)
		res->scroll = res->cursor;
	else if (res->cursor >= res->scroll + h)
		res->scroll = res->cursor - h + 1;
}

void results_move(struct results *res, long delta)
{
	if (res->n == 0)
		return;
	/* list moves count rows: a hit takes two */
	if (delta > 1 || delta < -1)
		delta /= ROWS_PER_HIT;
	long c = (long)res->cursor + delta;
	res->cursor = c < 0 ? 0 : c >= (long)res->n ? res->n - 1 : (size_t)c;
	keep_in_view(res);
}

void results_move_to(struct results *res, bool end)
{
	res->cursor = end && res->n ? res->n - 1 : 0;
	keep_in_view(res);
}

bool results_click(struct results *res, int row)
{
	if (row < 0)
		return false;
	size_t i = res->scroll + (size_t)row / ROWS_PER_HIT;
	if (i >= res->n)
		return false;
	res->cursor = i;
	return true;
}

const struct result *results_selected(const struct results *res)
{
	return res->n ? &res->hits[res->cursor] : NULL;
}

void results_fit(struct results *res, const struct rect *r)
{
	if (r->w <= 0 || r->h <= 0)
		return;
	res->height = r->h;
	keep_in_view(res);
}

void results_render(struct results *res, const struct rect *r)
{
	if (r->w <= 0 || r->h <= 0)
		return;
	results_fit(res, r);
	struct sbuf line = { 0 };
	for (int y = 0; y + 1 <= r->h && res->scroll + (size_t)(y / ROWS_PER_HIT) < res->n; y += ROWS_PER_HIT) {
		size_t i = res->scroll + (size_t)(y / ROWS_PER_HIT);
		const struct result *h = &res->hits[i];
		bool cur = i == res->cursor;
		if (cur)
			draw_fill(r->y + y, r->x, r->w, STYLE_CURSOR);
		/* the document, then where in it */
		int x = draw_text(r->y + y, r->x + 1, r->w - 1, h->title, strlen(h->title), cur ? STYLE_CURSOR : STYLE_HEADING1);
		if (h->section[0] && x + 4 < r->w) {
			sbuf_reset(&line);
			sbuf_printf(&line, " › %s", h->section);
			draw_text(r->y + y, r->x + 1 + x, r->w - 1 - x, line.data, line.len, cur ? STYLE_CURSOR : STYLE_DIM);
		}
		if (y + 1 >= r->h)
			break;
		/* the snippet with the hit marked */
		size_t len = strlen(h->snippet);
		size_t b = utf8_offset(h->snippet, len, (size_t)(h->snippet_offset > 0 ? h->snippet_offset : 0));
		size_t e = b + strlen(h->hit);
		struct draw_span span = { b, e, STYLE_SEARCH };
		if (r->w > 3)
			draw_spans(r->y + y + 1, r->x + 3, r->w - 3, h->snippet, len, STYLE_TEXT, &span, 1);
	}
	sbuf_free(&line);
}
