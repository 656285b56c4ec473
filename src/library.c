#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/draw.h"
#include "dugao/library.h"
#include "dugao/util.h"

struct lib_item {
	long id;		/* document id */
	char *title;		/* its title */
	char date[11];		/* import date, YYYY-MM-DD */
	long chars;		/* size in characters */
	int progress;		/* percent read, -1 never opened */
};

struct library {
	struct store *st;		/* the library file */
	struct lib_item *items;		/* documents in import order */
	size_t n;			/* how many */
	size_t cursor;			/* the row under the cursor */
	size_t scroll;			/* the first row shown */
	int height;			/* rows at the last render */
	enum wrap_ambiguous amb;	/* width of ambiguous characters */
};

static int collect(void *ctx, const struct doc_info *d)
{
	struct library *lib = ctx;
	lib->items = xrealloc(lib->items, (lib->n + 1) * sizeof *lib->items);
	struct lib_item *it = &lib->items[lib->n++];
	*it = (struct lib_item){ .id = d->id, .title = xstrdup(d->title), .chars = d->chars, .progress = -1 };
	snprintf(it->date, sizeof it->date, "%.10s", d->imported_at);
	return 0;
}

struct library *library_new(struct store *st, enum wrap_ambiguous amb)
{
	struct library *lib = xcalloc(1, sizeof *lib);
	lib->st = st;
	lib->amb = amb;
	if (store_each_doc(st, collect, lib) < 0) {
		library_free(lib);
		return NULL;
	}
	for (size_t i = 0; i < lib->n; i++) {
		long para, offset, first, last, count;
		char key[40];
		snprintf(key, sizeof key, "progress:%ld", lib->items[i].id);
		char *saved = store_state_get(st, key);
		if (saved) {
			lib->items[i].progress = atoi(saved);
			free(saved);
		} else if (store_position_get(st, lib->items[i].id, &para, &offset) == 1 &&
		    store_para_range(st, lib->items[i].id, false, &first, &last, &count) == 0) {
			long span = last - first + 1;
			lib->items[i].progress = span > 0 ? (int)(100 * (para - first + 1) / span) : 100;
			if (lib->items[i].progress > 100)
				lib->items[i].progress = 100;
			if (lib->items[i].progress < 0)
				lib->items[i].progress = 0;
		}
	}
	return lib;
}

void library_free(struct library *lib)
{
	if (!lib)
		return;
	for (size_t i = 0; i < lib->n; i++)
		free(lib->items[i].title);
	free(lib->items);
	free(lib);
}

size_t library_count(const struct library *lib)
{
	return lib->n;
}

size_t library_read_count(const struct library *lib)
{
	size_t k = 0;
	for (size_t i = 0; i < lib->n; i++)
		k += lib->items[i].progress >= 0;
	return k;
}

static void keep_in_view(struct library *lib)
{
	size_t h = lib->height > 0 ? (size_t)lib->height : 1;
	if (lib->cursor < lib->scroll)
		lib->scroll = lib->cursor;
	else if (lib->cursor >= lib->scroll + h)
		lib->scroll = lib->cursor - h + 1;
	/* no empty rows at the bottom while there are rows above */
	if (lib->scroll + h > lib->n)
		lib->scroll = lib->n > h ? lib->n - h : 0;
}

void library_select(struct library *lib, long doc)
{
	for (size_t i = 0; i < lib->n; i++)
		if (lib->items[i].id == doc)
			lib->cursor = i;
	keep_in_view(lib);
}

void library_move(struct library *lib, long delta)
{
	if (lib->n == 0)
		return;
	long c = (long)lib->cursor + delta;
	lib->cursor = c < 0 ? 0 : c >= (long)lib->n ? lib->n - 1 : (size_t)c;
	keep_in_view(lib);
}

void library_move_to(struct library *lib, bool end)
{
	lib->cursor = end && lib->n ? lib->n - 1 : 0;
	keep_in_view(lib);
}

bool library_click(struct library *lib, int row)
{
	size_t r = lib->scroll + (size_t)(row < 0 ? 0 : row);
	if (row < 0 || r >= lib->n)
		return false;
	lib->cursor = r;
	return true;
}

long library_selected(const struct library *lib)
{
	return lib->n ? lib->items[lib->cursor].id : -1;
}

void library_fit(struct library *lib, const struct rect *r)
{
	if (r->w <= 0 || r->h <= 0)
		return;
	lib->height = r->h;
	keep_in_view(lib);
}

void library_render(struct library *lib, const struct rect *r)
{
	if (r->w <= 0 || r->h <= 0)
		return;
	library_fit(lib, r);
	if (lib->n == 0) {
		static const char none[] = "The library is empty: dugao import FILE";
		draw_text(r->y, r->x, r->w, none, sizeof none - 1, STYLE_DIM);
		return;
	}
	for (int y = 0; y < r->h && lib->scroll + (size_t)y < lib->n; y++) {
		size_t i = lib->scroll + (size_t)y;
		const struct lib_item *it = &lib->items[i];
		char size[24], prog[16], right[80];
		if (it->chars >= 10000)
			snprintf(size, sizeof size, "%.1f万字", (double)it->chars / 10000.0);
		else
			snprintf(size, sizeof size, "%ld字", it->chars);
		if (it->progress < 0)
			snprintf(prog, sizeof prog, "  -");
		else
			snprintf(prog, sizeof prog, "%3d%%", it->progress);
		snprintf(right, sizeof right, " %s %8s %4s", it->date, size, prog);
		int rw = (int)wrap_width(right, strlen(right), lib->amb);
		enum draw_style st = i == lib->cursor ? STYLE_CURSOR : STYLE_TEXT;
		if (st == STYLE_CURSOR)
			draw_fill(r->y + y, r->x, r->w, st);
		if (r->w > rw + 8) {
			draw_text(r->y + y, r->x, r->w - rw, it->title, strlen(it->title), st);
			draw_text(r->y + y, r->x + r->w - rw, rw, right, strlen(right), st);
		} else {
			draw_text(r->y + y, r->x, r->w, it->title, strlen(it->title), st);
		}
	}
}
