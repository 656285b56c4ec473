#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/draw.h"
#include "dugao/fold.h"
#include "dugao/terms_pane.h"
#include "dugao/util.h"

struct term_item {
	long id;		/* term id in the store */
	char *text;		/* the term */
	long count;		/* hits in the document */
	int lit;		/* 0, or 1 + the colour it is lit in */
	char *folded;		/* the term folded, for the filter; NULL until one is set */
	long in_section;	/* hits in the section, when the list is of one section */
};

struct terms_pane {
	struct term_item *items;	/* terms, most important first */
	size_t n;			/* how many */
	size_t *vis;			/* the rows shown: item indexes passing the filter */
	size_t nvis;			/* how many */
	char *filter;			/* folded filter text, NULL for none */
	bool section;			/* only the terms with hits in one section */
	size_t cursor;			/* the row under the cursor (index into vis) */
	size_t scroll;			/* the first row shown */
	int height;			/* rows at the last render */
	long chosen;			/* index of the term n/N step through, -1 none */
	enum wrap_ambiguous amb;	/* width of ambiguous characters */
	struct store *st;		/* the library, for the rest of the list */
	long doc;			/* the document */
	bool partial;			/* only the first TERMS_FIRST read, nothing changed yet */
};

/* The list holds the TERMS_ALL most important terms; the first screen needs a few of
 * them, the rest is read when anything else is asked of the list. */
enum { TERMS_ALL = 500, TERMS_FIRST = 64 };

static int collect(void *ctx, const struct term_row *t)
{
	struct terms_pane *tm = ctx;
	if ((tm->n & (tm->n - 1)) == 0)
		tm->items = xrealloc(tm->items, (tm->n ? 2 * tm->n : 1) * sizeof *tm->items);
	tm->items[tm->n++] = (struct term_item){ t->id, xstrdup(t->text ? t->text : ""), t->count, 0, NULL, 0 };
	return 0;
}

/* A term folded for the filter, made when a filter first needs it. */
static const char *folded(struct term_item *t)
{
	if (!t->folded) {
		struct sbuf f = { 0 };
		fold_text(t->text, strlen(t->text), &f);
		sbuf_puts(&f, "");
		t->folded = f.data;
	}
	return t->folded;
}

/* The rows shown: terms holding the filter text and, for one section, hits in it. */
static void refilter(struct terms_pane *tm)
{
	size_t keep = tm->nvis ? tm->vis[tm->cursor] : 0;
	tm->vis = xrealloc(tm->vis, (tm->n + 1) * sizeof *tm->vis);
	tm->nvis = 0;
	tm->cursor = 0;
	for (size_t i = 0; i < tm->n; i++) {
		if (tm->filter && !strstr(folded(&tm->items[i]), tm->filter))
			continue;
		if (tm->section && tm->items[i].in_section == 0)
			continue;
		if (i <= keep)
			tm->cursor = tm->nvis;	/* the cursor stays on its term or the one before */
		tm->vis[tm->nvis++] = i;
	}
	tm->scroll = 0;
}

struct terms_pane *terms_pane_new(struct store *st, long doc, enum wrap_ambiguous amb)
{
	struct terms_pane *tm = xcalloc(1, sizeof *tm);
	tm->chosen = -1;
	tm->amb = amb;
	tm->st = st;
	tm->doc = doc;
	if (store_each_term(st, doc, TERMS_FIRST, collect, tm) < 0) {
		terms_pane_free(tm);
		return NULL;
	}
	tm->partial = tm->n == TERMS_FIRST;
	refilter(tm);
	return tm;
}

static void free_items(struct term_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].text);
		free(items[i].folded);
	}
	free(items);
}

/* The whole list, read before anything but the first screen uses it: until then the
 * cursor and the first row are at the top, nothing lit, filtered or counted. */
static void complete(struct terms_pane *tm)
{
	if (!tm->partial)
		return;
	struct terms_pane all = { .n = 0 };
	if (store_each_term(tm->st, tm->doc, TERMS_ALL, collect, &all) < 0) {
		free_items(all.items, all.n);
		return;	/* the first terms stay */
	}
	free_items(tm->items, tm->n);
	tm->items = all.items;
	tm->n = all.n;
	tm->partial = false;
	refilter(tm);
}

void terms_pane_free(struct terms_pane *tm)
{
	if (!tm)
		return;
	free_items(tm->items, tm->n);
	free(tm->vis);
	free(tm->filter);
	free(tm);
}

size_t terms_pane_count(struct terms_pane *tm)
{
	complete(tm);
	return tm->n;
}

size_t terms_pane_shown(struct terms_pane *tm)
{
	complete(tm);
	return tm->nvis;
}

void terms_pane_set_filter(struct terms_pane *tm, const char *text)
{
	complete(tm);
	free(tm->filter);
	tm->filter = NULL;
	if (text && *text) {
		struct sbuf f = { 0 };
		fold_text(text, strlen(text), &f);
		sbuf_puts(&f, "");
		tm->filter = f.data;
	}
	refilter(tm);
}

bool terms_pane_filtered(const struct terms_pane *tm)
{
	return tm->filter != NULL;
}

/* Counts the hits of one term inside the section's span. */
struct span_count {
	long from_para, from_off, to_para, to_off;	/* the span, the end excluded (to_para < 0: to the end) */
	long count;					/* hits inside */
};

static int count_in_span(void *ctx, long para, long offset, long length)
{
	struct span_count *c = ctx;
	(void)length;
	if ((para > c->from_para || (para == c->from_para && offset >= c->from_off)) &&
	    (c->to_para < 0 || para < c->to_para || (para == c->to_para && offset < c->to_off)))
		c->count++;
	return 0;
}

int terms_pane_set_section(struct terms_pane *tm, struct store *st, long from_para, long from_off, long to_para, long to_off)
{
	complete(tm);
	tm->section = from_para >= 0;
	for (size_t i = 0; i < tm->n && tm->section; i++) {
		struct span_count c = { from_para, from_off, to_para, to_off, 0 };
		if (store_each_hit(st, tm->items[i].id, from_para, to_para < 0 ? 0x7fffffffL : to_para, count_in_span, &c) < 0)
			return -1;
		tm->items[i].in_section = c.count;
	}
	refilter(tm);
	return 0;
}

bool terms_pane_section_only(const struct terms_pane *tm)
{
	return tm->section;
}

static void keep_in_view(struct terms_pane *tm)
{
	size_t h = tm->height > 0 ? (size_t)tm->height : 1;
	if (tm->cursor < tm->scroll)
		tm->scroll = tm->cursor;
	else if (tm->cursor >= tm->scroll + h)
		tm->scroll = tm->cursor - h + 1;
	/* no empty rows at the bottom while there are rows above */
	if (tm->scroll + h > tm->nvis)
		tm->scroll = tm->nvis > h ? tm->nvis - h : 0;
}

void terms_pane_move(struct terms_pane *tm, long delta)
{
	complete(tm);
	if (tm->nvis == 0)
		return;
	long c = (long)tm->cursor + delta;
	tm->cursor = c < 0 ? 0 : c >= (long)tm->nvis ? tm->nvis - 1 : (size_t)c;
	keep_in_view(tm);
}

void terms_pane_move_to(struct terms_pane *tm, bool end)
{
	complete(tm);
	tm->cursor = end && tm->nvis ? tm->nvis - 1 : 0;
	keep_in_view(tm);
}

bool terms_pane_click(struct terms_pane *tm, int row)
{
	complete(tm);
	size_t r = tm->scroll + (size_t)(row < 0 ? 0 : row);
	if (row < 0 || r >= tm->nvis)
		return false;
	tm->cursor = r;
	return true;
}

bool terms_pane_toggle(struct terms_pane *tm)
{
	complete(tm);
	if (tm->nvis == 0)
		return true;
	size_t at = tm->vis[tm->cursor];
	struct term_item *t = &tm->items[at];
	if (t->lit) {
		t->lit = 0;
		if (tm->chosen == (long)at)
			tm->chosen = -1;
		return true;
	}
	bool used[STYLE_TERM_COUNT] = { false };
	for (size_t i = 0; i < tm->n; i++)
		if (tm->items[i].lit)
			used[tm->items[i].lit - 1] = true;
	for (int c = 0; c < STYLE_TERM_COUNT; c++)
		if (!used[c]) {
			t->lit = c + 1;
			tm->chosen = (long)at;
			return true;
		}
	return false;
}

void terms_pane_clear(struct terms_pane *tm)
{
	complete(tm);
	for (size_t i = 0; i < tm->n; i++)
		tm->items[i].lit = 0;
	tm->chosen = -1;
}

size_t terms_pane_lit(const struct terms_pane *tm, struct tp_term *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < tm->n && k < max; i++)
		if (tm->items[i].lit)
			out[k++] = (struct tp_term){ tm->items[i].id, (enum draw_style)(STYLE_TERM1 + tm->items[i].lit - 1) };
	return k;
}

long terms_pane_chosen(const struct terms_pane *tm, const char **text)
{
	if (tm->chosen < 0)
		return -1;
	if (text)
		*text = tm->items[tm->chosen].text;
	return tm->items[tm->chosen].id;
}

long terms_pane_chosen_count(const struct terms_pane *tm)
{
	return tm->chosen < 0 ? 0 : tm->items[tm->chosen].count;
}

void terms_pane_fit(struct terms_pane *tm, const struct rect *r)
{
	if (r->w <= 0 || r->h <= 0)
		return;
	if (tm->scroll + (size_t)r->h > tm->n)
		complete(tm);	/* a screen taller than the first terms */
	tm->height = r->h;
	keep_in_view(tm);
}

void terms_pane_render(struct terms_pane *tm, const struct rect *r, bool focused)
{
	if (r->w <= 0 || r->h <= 0)
		return;
	terms_pane_fit(tm, r);
	if (tm->nvis == 0) {
		const char *none = tm->n == 0 ? "(no terms)" : tm->filter ? "(no term matches)" : "(none in this section)";
		draw_text(r->y, r->x, r->w, none, strlen(none), STYLE_DIM);
		return;
	}
	for (int y = 0; y < r->h && tm->scroll + (size_t)y < tm->nvis; y++) {
		size_t i = tm->scroll + (size_t)y;
		const struct term_item *t = &tm->items[tm->vis[i]];
		enum draw_style st = t->lit ? (enum draw_style)(STYLE_TERM1 + t->lit - 1) : STYLE_TEXT;
		if (focused && i == tm->cursor) {
			st = STYLE_CURSOR;
			draw_fill(r->y + y, r->x, r->w, st);
		}
		char count[24];
		int cn = snprintf(count, sizeof count, "%ld", tm->section ? t->in_section : t->count);
		int room = r->w - cn - 1;
		if (room < 1) {
			draw_text(r->y + y, r->x, r->w, t->text, strlen(t->text), st);
			continue;
		}
		draw_text(r->y + y, r->x, room, t->text, strlen(t->text), st);
		draw_text(r->y + y, r->x + r->w - cn, cn, count, (size_t)cn, focused && i == tm->cursor ? st : STYLE_DIM);
	}
}
