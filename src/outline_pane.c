#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/draw.h"
#include "dugao/outline_pane.h"
#include "dugao/util.h"

struct outline_pane {
	struct store *st;	/* the library, for headings as they come into view */
	long doc;		/* the document */
	struct shape *sh;	/* sections in document order, decoded as they are needed */
	bool shape_old;		/* the store keeps it in an older form */
	size_t n;		/* how many */
	struct heading *text;	/* per section: marker and title, NULL until shown */
	int32_t *read;		/* the sections whose text was read, to free */
	size_t nread;		/* how many */
	char *title;		/* the document title, the root row */
	const unsigned char *lv;	/* per section: its level (shape_levels, mask 0x7f) */
	uint8_t *fold;		/* per section: 0 as levels says, FOLD_OPEN, FOLD_SHUT; NULL: all 0 */
	long cursor;		/* the row under the cursor: its section, -1 for the title */
	long scroll;		/* the first row shown, so; n: past the last (until kept in view) */
	int height;		/* rows of the pane at the last render */
	int levels;		/* deepest level shown by fold-less/more */
	long current;		/* the section the reader is in, -1 before the first */
	long *hits;		/* per section: lit-term hits in it and its subsections, NULL: none lit */
	long hits_total;	/* all of them (shown on the title row) */
	enum wrap_ambiguous amb;	/* width of ambiguous characters */
};

enum { FOLD_OPEN = 1, FOLD_SHUT = 2 };

/* The text of a heading. */
struct heading {
	char *marker;	/* numbering as written, may be "" */
	char *title;	/* the heading after it */
};

static int level_of(const struct outline_pane *ol, long i)
{
	return shape_level(ol->sh, (size_t)i);
}

/* Sections whose headings are being read (read_headings). */
struct wanted {
	struct outline_pane *ol;	/* the pane */
	const long *idx;		/* their indexes, ascending */
	const long *seq;		/* and seqs */
	size_t n;			/* how many */
};

static void keep_heading(struct outline_pane *ol, long i, char *marker, char *title)
{
	struct heading *h = &ol->text[i];
	h->marker = marker;
	h->title = title;
	if ((ol->nread & (ol->nread - 1)) == 0)
		ol->read = xrealloc(ol->read, (ol->nread ? ol->nread * 2 : 16) * sizeof *ol->read);
	ol->read[ol->nread++] = (int32_t)i;
}

static void got_heading(void *ctx, long seq, char *marker, char *title)
{
	struct wanted *w = ctx;
	for (size_t k = 0; k < w->n; k++)
		if (w->seq[k] == seq && !w->ol->text[w->idx[k]].title) {
			keep_heading(w->ol, w->idx[k], marker, title);
			return;
		}
	free(marker);	/* a section between them that is not wanted */
	free(title);
}

/* Marker and title of the sections at idx (ascending) not read yet, in one read of
 * their span; one not found has none. */
static void read_headings(struct outline_pane *ol, const long *idx, size_t n)
{
	long seq[n ? n : 1], want[n ? n : 1];
	size_t k = 0;
	int level = 1;
	for (size_t j = 0; j < n; j++)
		if (idx[j] >= 0 && !ol->text[idx[j]].title) {
			want[k] = idx[j];
			seq[k++] = shape_section(ol->sh, (size_t)idx[j]).seq;
			if (level_of(ol, idx[j]) > level)
				level = level_of(ol, idx[j]);
		}
	if (k == 0)
		return;
	struct wanted w = { ol, want, seq, k };
	store_section_texts(ol->st, ol->doc, seq[0], seq[k - 1], level, got_heading, &w);
	for (size_t j = 0; j < k; j++)
		if (!ol->text[want[j]].title)
			keep_heading(ol, want[j], xstrdup(""), xstrdup(""));
}

/* Marker and title of section i: read on first use, since an outline can hold
 * tens of thousands of headings of which a screenful is shown (read_headings reads a
 * screen's at once). The table is calloc'd: pages of headings never shown are never
 * touched. */
static const struct heading *full(struct outline_pane *ol, long i)
{
	if (!ol->text[i].title)
		read_headings(ol, &i, 1);
	return &ol->text[i];
}

static long parent_index(const struct outline_pane *ol, long i)
{
	return shape_section(ol->sh, (size_t)i).parent;
}


/* Parents are the nearest section before with a lower level: a section has children
 * when the next one is deeper. */
static bool has_children(const struct outline_pane *ol, long i)
{
	return (size_t)i + 1 < ol->n && level_of(ol, i + 1) > level_of(ol, i);
}

static bool is_open(const struct outline_pane *ol, long i)
{
	int f = ol->fold ? ol->fold[i] : 0;
	return f ? f == FOLD_OPEN : level_of(ol, i) < ol->levels;
}

/* Rows are the title (-1) and the sections not inside a closed one, in order; they are
 * found from the levels as they are needed, never listed: the outline of a long
 * document is opened and jumped through without a pass over every section. A section
 * is inside its enclosing ones by level (the nearest before it at a lower level, as
 * the rows have always followed the levels). */
static int lev(const struct outline_pane *ol, long i)
{
	return ol->lv[i] & 0x7f;
}

/* Bytes of w (levels, top bits masked off) below x (1..127): their top bits set. */
static uint64_t bytes_below(uint64_t w, int x)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	w &= ~highs;
	return (w - ones * (uint64_t)x) & ~w & highs;
}

/* The nearest section before i at a level below x, -1 if none. Eight levels at a time:
 * a section inside a long run of deeper ones looks back past all of them. */
static long before_below(const struct outline_pane *ol, long i, int x)
{
	long j = i - 1;
	while (j >= 7) {
		uint64_t w;
		memcpy(&w, ol->lv + j - 7, 8);
		if (bytes_below(w, x))
			break;
		j -= 8;
	}
	while (j >= 0 && lev(ol, j) >= x)
		j--;
	return j;
}

/* The first section from j on at level x or above (below x + 1), n if none. */
static long from_at_most(const struct outline_pane *ol, long j, int x)
{
	long n = (long)ol->n;
	while (j + 8 <= n) {
		uint64_t w;
		memcpy(&w, ol->lv + j, 8);
		if (bytes_below(w, x + 1))
			break;
		j += 8;
	}
	while (j < n && lev(ol, j) > x)
		j++;
	return j;
}

/* The row showing section i: i, or the outermost closed section enclosing it. */
static long row_for(const struct outline_pane *ol, long i)
{
	long r = i;
	for (long a = i;;) {
		int l = lev(ol, a);
		if (!ol->fold && l <= ol->levels)
			break;	/* as the levels say, every section enclosing a is open */
		a = before_below(ol, a, l);
		if (a < 0)
			break;
		if (!is_open(ol, a))
			r = a;
	}
	return r;
}

/* The row after row i, n after the last. */
static long next_row(const struct outline_pane *ol, long i)
{
	if (i < 0)
		return 0;	/* the first section, or n: none */
	if (!has_children(ol, i) || is_open(ol, i))
		return i + 1;
	return from_at_most(ol, i + 1, lev(ol, i));	/* past what the closed section holds */
}

/* The row before row i (or before n: the last), -1 the title when i is the first. */
static long prev_row(const struct outline_pane *ol, long i)
{
	return i <= 0 ? -1 : row_for(ol, i - 1);
}

/* Rows from row a down to row b (or n: the end), a <= b, counted up to cap. */
static long rows_between(const struct outline_pane *ol, long a, long b, long cap)
{
	long k = 0;
	while (a < b && k < cap) {
		a = next_row(ol, a);
		k++;
	}
	return k;
}

/* k rows up from row i (or from n), stopping at the title. */
static long rows_up(const struct outline_pane *ol, long i, long k)
{
	while (k-- > 0 && i >= 0)
		i = prev_row(ol, i);
	return i;
}

/* The row showing section i or, when it is hidden, its nearest shown ancestor (the
 * shape's parents), the title if none. */
static long row_of_section(const struct outline_pane *ol, long i)
{
	for (long k = i; k >= 0; k = parent_index(ol, k))
		if (row_for(ol, k) == k)
			return k;
	return -1;
}

/* After folds or levels changed: the cursor stays on its section, or on the nearest
 * shown ancestor; the first row shown keeps its number (scroll_row), as in a list of
 * rows made again. */
static void rebuild_rows(struct outline_pane *ol, long scroll_row)
{
	ol->cursor = row_of_section(ol, ol->cursor);
	long r = -1;
	for (long k = 0; k < scroll_row && r < (long)ol->n; k++)
		r = next_row(ol, r);
	ol->scroll = r;
}

struct outline_pane *outline_pane_new(struct store *st, long doc, const char *title, enum wrap_ambiguous amb)
{
	struct outline_pane *ol = xcalloc(1, sizeof *ol);
	ol->title = xstrdup(title ? title : "");
	ol->amb = amb;
	ol->current = -1;
	ol->levels = 2;
	ol->st = st;
	ol->doc = doc;
	int rc = store_section_shape(st, doc, &ol->sh);
	if (rc < 0) {
		outline_pane_free(ol);
		return NULL;
	}
	ol->shape_old = rc > 0;
	ol->n = shape_count(ol->sh);
	ol->lv = shape_levels(ol->sh);
	ol->text = xcalloc(ol->n + 1, sizeof *ol->text);
	ol->cursor = ol->scroll = -1;
	return ol;
}

void outline_pane_free(struct outline_pane *ol)
{
	if (!ol)
		return;
	for (size_t k = 0; k < ol->nread; k++) {
		free(ol->text[ol->read[k]].marker);
		free(ol->text[ol->read[k]].title);
	}
	free(ol->read);
	free(ol->text);
	shape_free(ol->sh);
	free(ol->title);
	free(ol->fold);
	free(ol->hits);
	free(ol);
}

struct shape *outline_pane_shape(const struct outline_pane *ol)
{
	return ol->sh;
}

bool outline_pane_shape_old(const struct outline_pane *ol)
{
	return ol->shape_old;
}

static int place_cmp(long seq_a, long off_a, long seq_b, long off_b)
{
	if (seq_a != seq_b)
		return seq_a < seq_b ? -1 : 1;
	return off_a < off_b ? -1 : off_a > off_b;
}

/* The last section starting at or before (seq, offset), -1 if none. */
static long section_at(const struct outline_pane *ol, long seq, long offset)
{
	return shape_at(ol->sh, seq, offset);
}

/* Counted in rows, a screen's worth at most: a jump far away costs no more. */
static void keep_in_view(struct outline_pane *ol)
{
	long h = ol->height > 0 ? ol->height : 1, end = (long)ol->n;
	if (ol->cursor < ol->scroll)
		ol->scroll = ol->cursor;
	else if (rows_between(ol, ol->scroll, ol->cursor, h) >= h)
		ol->scroll = rows_up(ol, ol->cursor, h - 1 - (h > 4 ? h / 3 : 0));
	/* no empty rows at the bottom while there are rows above */
	if (rows_between(ol, ol->scroll, end, h) < h)
		ol->scroll = rows_between(ol, -1, end, h + 1) > h ? rows_up(ol, end, h) : -1;
}

void outline_pane_set_position(struct outline_pane *ol, long seq, long offset, bool follow)
{
	ol->current = section_at(ol, seq, offset);
	if (follow) {
		ol->cursor = row_of_section(ol, ol->current);
		keep_in_view(ol);
	}
}

long outline_pane_current(const struct outline_pane *ol)
{
	return ol->current;
}

bool outline_pane_current_span(const struct outline_pane *ol, long *from_para, long *from_off, long *to_para, long *to_off)
{
	long i = ol->current;
	for (struct section_shape s; i >= 0 && (s = shape_section(ol->sh, (size_t)i)).in_paragraph && s.parent >= 0;)
		i = s.parent;	/* 一是… inside a paragraph is too small to be worth a list */
	size_t j = (size_t)(i + 1);
	while (i >= 0 && j < ol->n && level_of(ol, (long)j) > level_of(ol, i))
		j++;
	struct section_shape from = i >= 0 ? shape_section(ol->sh, (size_t)i) : (struct section_shape){ 0 };
	struct section_shape to = j < ol->n ? shape_section(ol->sh, j) : (struct section_shape){ .para = -1 };
	*from_para = from.para;
	*from_off = from.offset;
	*to_para = to.para;
	*to_off = to.offset;
	return i >= 0;
}

void outline_pane_clear_hits(struct outline_pane *ol)
{
	free(ol->hits);
	ol->hits = NULL;
	ol->hits_total = 0;
}

void outline_pane_add_hit(struct outline_pane *ol, long para, long offset)
{
	if (!ol->hits)
		ol->hits = xcalloc(ol->n + 1, sizeof *ol->hits);
	ol->hits_total++;
	for (long k = section_at(ol, para, offset); k >= 0; k = parent_index(ol, k))
		ol->hits[k]++;
}

/* A short name for a section in the path: its marker without trailing punctuation,
 * or the start of its title. */
static void short_name(const struct heading *s, struct sbuf *out)
{
	const char *m = s->marker;
	size_t n = strlen(m);
	static const char *const trail[] = { "、", "：", "，", "。", ".", "．", ":", " ", "\u3000" };
	for (bool cut = true; cut && n > 0;) {
		cut = false;
		for (size_t i = 0; i < sizeof trail / sizeof *trail; i++) {
			size_t k = strlen(trail[i]);
			if (n >= k && memcmp(m + n - k, trail[i], k) == 0) {
				n -= k;
				cut = true;
			}
		}
	}
	if (n > 0) {
		sbuf_append(out, m, n);
		return;
	}
	size_t len = strlen(s->title);
	sbuf_append(out, s->title, utf8_offset(s->title, len, 10));
	if (utf8_count(s->title, len) > 10)
		sbuf_puts(out, "…");
}

void outline_pane_path(struct outline_pane *ol, char *buf, size_t len)
{
	long chain[32];
	int depth = 0;
	for (long k = ol->current; k >= 0 && depth < 32; k = parent_index(ol, k))
		chain[depth++] = k;
	struct sbuf b = { 0 };
	for (int i = depth - 1; i >= 0; i--) {
		if (i != depth - 1)
			sbuf_puts(&b, " › ");
		short_name(full(ol, chain[i]), &b);
	}
	snprintf(buf, len, "%s", b.data ? b.data : "");
	sbuf_free(&b);
}

long outline_pane_next(const struct outline_pane *ol, long seq, long offset, int dir, bool top_level)
{
	long at = section_at(ol, seq, offset);	/* sections before this one need no look */
	if (dir > 0) {
		for (size_t i = (size_t)(at + 1); i < ol->n; i++)
			if ((!top_level || level_of(ol, (long)i) == 1) &&
			    place_cmp(shape_section(ol->sh, i).para, shape_section(ol->sh, i).offset, seq, offset) > 0)
				return (long)i;
		return -1;
	}
	for (long i = at; i >= 0; i--)
		if ((!top_level || level_of(ol, i) == 1) &&
		    place_cmp(shape_section(ol->sh, (size_t)i).para, shape_section(ol->sh, (size_t)i).offset, seq, offset) < 0)
			return i;
	return -1;
}

long outline_pane_nth_top(const struct outline_pane *ol, long nth)
{
	for (size_t i = 0; i < ol->n; i++)
		if (level_of(ol, (long)i) == 1 && --nth == 0)
			return (long)i;
	return -1;
}

void outline_pane_move(struct outline_pane *ol, long delta)
{
	long c = ol->cursor, end = (long)ol->n;
	for (; delta > 0 && next_row(ol, c) < end; delta--)
		c = next_row(ol, c);
	for (; delta < 0 && c >= 0; delta++)
		c = prev_row(ol, c);
	ol->cursor = c;
	keep_in_view(ol);
}

void outline_pane_move_to(struct outline_pane *ol, bool end)
{
	ol->cursor = end ? prev_row(ol, (long)ol->n) : -1;
	keep_in_view(ol);
}

long outline_pane_selected(const struct outline_pane *ol)
{
	return ol->cursor;
}

bool outline_pane_click(struct outline_pane *ol, int row)
{
	if (row < 0)
		return false;
	long c = ol->scroll;
	for (int k = 0; k < row && c < (long)ol->n; k++)
		c = next_row(ol, c);
	if (c >= (long)ol->n)
		return false;
	ol->cursor = c;
	return true;
}

void outline_pane_fold(struct outline_pane *ol, int how)
{
	long i = ol->cursor;
	if (i < 0)
		return;
	if (how < 0 && (!has_children(ol, i) || !is_open(ol, i))) {
		long p = parent_index(ol, i);
		ol->cursor = p < 0 ? -1 : row_of_section(ol, p);
		keep_in_view(ol);
		return;
	}
	if (!has_children(ol, i))
		return;
	long scroll_row = rows_between(ol, -1, ol->scroll, LONG_MAX);
	if (!ol->fold)
		ol->fold = xcalloc(ol->n + 1, sizeof *ol->fold);
	ol->fold[i] = (how == 0 ? !is_open(ol, i) : how > 0) ? FOLD_OPEN : FOLD_SHUT;
	rebuild_rows(ol, scroll_row);
	keep_in_view(ol);
}

void outline_pane_levels(struct outline_pane *ol, int delta)
{
	int deepest = 1;
	for (size_t i = 0; i < ol->n; i++)
		if (level_of(ol, (long)i) > deepest)
			deepest = level_of(ol, (long)i);
	long scroll_row = rows_between(ol, -1, ol->scroll, LONG_MAX);
	ol->levels += delta;
	if (ol->levels < 1)
		ol->levels = 1;
	if (ol->levels > deepest)
		ol->levels = deepest;
	free(ol->fold);	/* every section as the levels say */
	ol->fold = NULL;
	rebuild_rows(ol, scroll_row);
	keep_in_view(ol);
}

void outline_pane_fit(struct outline_pane *ol, const struct rect *r)
{
	if (r->w <= 0 || r->h <= 0)
		return;
	ol->height = r->h;
	keep_in_view(ol);
}

void outline_pane_render(struct outline_pane *ol, const struct rect *r, bool focused)
{
	if (r->w <= 0 || r->h <= 0)
		return;
	outline_pane_fit(ol, r);
	long cur_row = row_of_section(ol, ol->current);
	bool wide = ol->amb == WRAP_WIDE;
	struct sbuf line = { 0 };
	long shown[r->h], nshown = 0;	/* the headings of the screen, read at once */
	for (long row = ol->scroll; nshown < r->h && row < (long)ol->n; row = next_row(ol, row))
		shown[nshown++] = row;
	read_headings(ol, shown, (size_t)nshown);
	long row = ol->scroll;
	for (int y = 0; y < r->h && row < (long)ol->n; y++, row = next_row(ol, row)) {
		long i = row;
		sbuf_reset(&line);
		enum draw_style st = STYLE_TEXT;
		if (i < 0) {
			sbuf_puts(&line, ol->title);
			st = STYLE_TITLE;
		} else {
			const struct heading *s = full(ol, i);
			for (int l = 1; l < level_of(ol, i) && l < 8; l++)
				sbuf_puts(&line, " ");
			if (has_children(ol, i))
				sbuf_puts(&line, is_open(ol, i) ? (wide ? "-" : "▾") : (wide ? "+" : "▸"));
			else
				sbuf_puts(&line, " ");
			sbuf_puts(&line, s->marker);
			sbuf_puts(&line, s->title);
		}
		if (i >= 0 && row == cur_row && ol->current >= 0)
			st = STYLE_CURRENT;
		if (focused && row == ol->cursor) {
			st = STYLE_CURSOR;
			draw_fill(r->y + y, r->x, r->w, st);
		}
		/* where the lit terms fall: their hits in the section and below it, at the right */
		int room = r->w;
		long h = !ol->hits ? 0 : i < 0 ? ol->hits_total : ol->hits[i];
		if (h > 0) {
			char count[24];
			int cn = snprintf(count, sizeof count, "%ld", h);
			if (r->w > cn + 4) {
				room = r->w - cn - 1;
				draw_text(r->y + y, r->x + room + 1, cn, count, (size_t)cn, st == STYLE_CURSOR ? st : STYLE_SEARCH);
			}
		}
		int used = draw_text(r->y + y, r->x, room, line.data, line.len, st);
		/* a cut row ends with … so that the reader knows there is more */
		int ew = wrap_char_width(0x2026, ol->amb);
		if (used >= room && wrap_width(line.data, line.len, ol->amb) > (size_t)room && room > ew) {
			size_t keep = wrap_cut(line.data, line.len, room - ew, ol->amb);
			draw_fill(r->y + y, r->x, room, st == STYLE_CURSOR ? st : STYLE_TEXT);
			int u = draw_text(r->y + y, r->x, room - ew, line.data, keep, st);
			draw_text(r->y + y, r->x + u, ew, "…", strlen("…"), st);
		}
	}
	sbuf_free(&line);
}
