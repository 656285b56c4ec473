#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/fold.h"
#include "dugao/query.h"
#include "dugao/text_pane.h"
#include "dugao/util.h"

/* One paragraph in the window, wrapped for the current width. */
struct tp_para {
	long seq;			/* paragraph seq in the document */
	enum para_kind kind;		/* what it is */
	char *text;			/* its text (a copy) */
	size_t len;			/* bytes of text */
	size_t skip;			/* leading blanks not drawn: the indent is ours */
	struct wrap_line *lines;	/* wrapped lines, byte offsets into text */
	size_t nlines;			/* how many */
	int blank;			/* empty rows before it (before headings) */
	enum draw_style base;		/* style of the whole paragraph */
	bool center;			/* title and meta lines are centred */
	struct draw_span *spans;	/* headings in the text, term and search hits */
	size_t nspans;			/* how many */
};

struct text_pane {
	struct store *st;		/* the library */
	long doc;			/* the document shown */
	enum wrap_ambiguous amb;	/* width of ambiguous characters */
	struct shape *sh;		/* the outline, for heading levels (not owned), NULL: none */
	size_t nsecs;			/* sections in it */
	int width, height;		/* the text area */
	bool noise;			/* noise paragraphs shown */
	long first_seq, last_seq;	/* seq range of the paragraphs shown */
	struct tp_para *p;		/* the window: consecutive shown paragraphs */
	size_t n, cap;			/* used and allocated */
	size_t ti;			/* top of the view: paragraph index in p */
	int tr;				/* and row inside it */
	struct tp_term *terms;		/* terms lit */
	size_t nterms;			/* how many */
	char *search;			/* the search pattern lit, NULL for none */
	long *hit_seq;			/* after a count: paragraphs holding hits, in order */
	long *hit_before;		/* hits before each of them (prefix sums) */
	size_t nhit;			/* paragraphs with hits */
	long hit_total;			/* all hits, -1 before a count */
	int indexed;			/* search answered by the index: 1 yes, 0 no, -1 not known yet */
	char err[300];			/* the last store error */
};

/* Paragraphs read from the store at a time: two at first, twice as many each time more
 * are needed for the same screen, up to CHUNK_MAX. A jump wraps few beyond the screen
 * (a speech's paragraph fills several rows), a list of short lines takes few reads. */
enum { CHUNK = 2, CHUNK_MAX = 16 };

static int rows_of(const struct tp_para *p)
{
	return p->blank + (int)p->nlines;
}

static bool at_start(const struct text_pane *tp)
{
	return tp->n == 0 || tp->p[0].seq <= tp->first_seq;
}

static bool at_end_window(const struct text_pane *tp)
{
	return tp->n == 0 || tp->p[tp->n - 1].seq >= tp->last_seq;
}

static int store_err(struct text_pane *tp)
{
	snprintf(tp->err, sizeof tp->err, "%s", store_error(tp->st));
	return -1;
}

const char *text_pane_error(const struct text_pane *tp)
{
	return tp->err;
}

static void para_free(struct tp_para *p)
{
	free(p->text);
	free(p->lines);
	free(p->spans);
}

static void clear_window(struct text_pane *tp)
{
	for (size_t i = 0; i < tp->n; i++)
		para_free(&tp->p[i]);
	tp->n = 0;
	tp->ti = 0;
	tp->tr = 0;
}

/* Index of the first section whose paragraph is seq or later. */
static size_t first_section_at(const struct text_pane *tp, long seq)
{
	return tp->sh ? shape_from_para(tp->sh, seq) : 0;
}

static enum draw_style heading_style(int level)
{
	return level <= 1 ? STYLE_HEADING1 : level == 2 ? STYLE_HEADING2 : STYLE_HEADING3;
}

static void add_span(struct tp_para *p, size_t start, size_t end, enum draw_style style)
{
	if (end <= start)
		return;
	p->spans = xrealloc(p->spans, (p->nspans + 1) * sizeof *p->spans);
	p->spans[p->nspans++] = (struct draw_span){ start, end, style };
}

/* Character offsets to byte spans. */
static void add_char_span(struct tp_para *p, long offset, long length, enum draw_style style)
{
	if (offset < 0 || length <= 0)
		return;
	size_t b = utf8_offset(p->text, p->len, (size_t)offset);
	size_t e = b + utf8_offset(p->text + b, p->len - b, (size_t)length);
	add_span(p, b, e, style);
}

/* Context for collecting hits into a paragraph's spans. */
struct span_ctx {
	struct tp_para *p;	/* the paragraph */
	enum draw_style style;	/* the style of the hits */
};

static int term_hit(void *ctx, long para, long offset, long length)
{
	struct span_ctx *c = ctx;
	(void)para;
	add_char_span(c->p, offset, length, c->style);
	return 0;
}

static void search_hit(void *ctx, long offset, long length)
{
	struct span_ctx *c = ctx;
	add_char_span(c->p, offset, length, c->style);
}

/* Headings first, then terms, then the search: later spans are drawn on top. */
static void compute_spans(struct text_pane *tp, struct tp_para *p)
{
	free(p->spans);
	p->spans = NULL;
	p->nspans = 0;
	if (p->kind != PARA_HEADING && p->kind != PARA_TITLE)
		for (size_t i = first_section_at(tp, p->seq); i < tp->nsecs; i++) {
			struct section_shape sec = shape_section(tp->sh, i);
			if (sec.para != p->seq)
				break;
			add_char_span(p, sec.offset, sec.length, heading_style(sec.level));
		}
	for (size_t t = 0; t < tp->nterms; t++) {
		struct span_ctx c = { p, tp->terms[t].style };
		if (store_each_hit(tp->st, tp->terms[t].id, p->seq, p->seq, term_hit, &c) < 0)
			store_err(tp);
	}
	if (tp->search && *tp->search) {
		struct span_ctx c = { p, STYLE_SEARCH };
		fold_find_all(p->text, p->len, tp->search, strlen(tp->search), search_hit, &c);
	}
}

static void wrap_para(struct text_pane *tp, struct tp_para *p)
{
	free(p->lines);
	int first = p->kind == PARA_BODY ? 4 : 0;
	struct wrap_options opt = {
		.width = tp->width > 0 ? tp->width : 1,
		.first_indent = first < tp->width ? first : 0,
		.indent = 0,
		.ambiguous = tp->amb,
	};
	p->nlines = wrap_paragraph(p->text + p->skip, p->len - p->skip, &opt, &p->lines);
	for (size_t i = 0; i < p->nlines; i++) {
		p->lines[i].start += p->skip;
		p->lines[i].end += p->skip;
	}
}

static void prepare(struct text_pane *tp, struct tp_para *out, const struct para *in)
{
	*out = (struct tp_para){ .seq = in->seq, .kind = in->kind };
	out->text = xstrndup(in->text, in->len);
	out->len = in->len;
	/* the indent is drawn by us: blanks the source put in front are not kept */
	while (out->skip < out->len) {
		if (out->text[out->skip] == ' ' || out->text[out->skip] == '\t')
			out->skip++;
		else if (out->len - out->skip >= 3 && memcmp(out->text + out->skip, "\u3000", 3) == 0)
			out->skip += 3;
		else
			break;
	}
	size_t si = first_section_at(tp, in->seq);
	struct section_shape sec = si < tp->nsecs ? shape_section(tp->sh, si) : (struct section_shape){ .para = -1 };
	bool opens_section = sec.para == in->seq && !sec.in_paragraph && sec.offset <= 2;
	int level = opens_section ? sec.level : 1;
	switch (in->kind) {
	case PARA_TITLE:
		out->base = STYLE_TITLE;
		out->center = true;
		break;
	case PARA_META:
		out->base = STYLE_META;
		out->center = true;
		break;
	case PARA_HEADING:
		out->base = heading_style(level);
		break;
	case PARA_NOISE:
		out->base = STYLE_NOISE;
		break;
	default:
		out->base = STYLE_TEXT;
	}
	out->blank = (in->kind == PARA_HEADING || (opens_section && level <= 1)) && in->seq != tp->first_seq ? 1 : 0;
	wrap_para(tp, out);
	compute_spans(tp, out);
}

/* Collects paragraphs from the store into a temporary list. */
struct load_ctx {
	struct text_pane *tp;	/* the pane */
	struct tp_para *got;	/* prepared paragraphs in the order the store gave them */
	size_t n;		/* how many */
};

static int load_one(void *ctx, const struct para *p)
{
	struct load_ctx *c = ctx;
	c->got = xrealloc(c->got, (c->n + 1) * sizeof *c->got);
	prepare(c->tp, &c->got[c->n++], p);
	return 0;
}

static void reserve(struct text_pane *tp, size_t extra)
{
	if (tp->n + extra > tp->cap) {
		tp->cap = (tp->n + extra) * 2;
		tp->p = xrealloc(tp->p, tp->cap * sizeof *tp->p);
	}
}

/* Appends up to count paragraphs from seq from (or after the window's last). */
static int load_after_from(struct text_pane *tp, long from, long count)
{
	struct load_ctx c = { tp, NULL, 0 };
	if (store_each_paragraph(tp->st, tp->doc, from, count, tp->noise, load_one, &c) < 0) {
		free(c.got);
		return store_err(tp);
	}
	reserve(tp, c.n);
	memcpy(tp->p + tp->n, c.got, c.n * sizeof *c.got);
	tp->n += c.n;
	free(c.got);
	return (int)c.n;
}

static int load_after(struct text_pane *tp, long count)
{
	return load_after_from(tp, tp->n ? tp->p[tp->n - 1].seq + 1 : tp->first_seq, count);
}

static int load_before_seq(struct text_pane *tp, long before, long count)
{
	struct load_ctx c = { tp, NULL, 0 };
	if (store_each_paragraph_before(tp->st, tp->doc, before, count, tp->noise, load_one, &c) < 0) {
		free(c.got);
		return store_err(tp);
	}
	reserve(tp, c.n);
	memmove(tp->p + c.n, tp->p, tp->n * sizeof *tp->p);
	for (size_t i = 0; i < c.n; i++)
		tp->p[c.n - 1 - i] = c.got[i];	/* the store gave them nearest first */
	tp->n += c.n;
	if (tp->n > c.n)
		tp->ti += c.n;
	free(c.got);
	return (int)c.n;
}

static long rows_from_top(const struct text_pane *tp)
{
	if (tp->n == 0)
		return 0;
	long r = rows_of(&tp->p[tp->ti]) - tp->tr;
	for (size_t i = tp->ti + 1; i < tp->n; i++)
		r += rows_of(&tp->p[i]);
	return r;
}

static long rows_before_top(const struct text_pane *tp)
{
	long r = tp->tr;
	for (size_t i = 0; i < tp->ti && i < tp->n; i++)
		r += rows_of(&tp->p[i]);
	return r;
}

static int ensure_below(struct text_pane *tp, long need)
{
	for (long chunk = CHUNK; !at_end_window(tp) && rows_from_top(tp) < need; chunk += chunk < CHUNK_MAX ? chunk : 0) {
		int got = load_after(tp, chunk);
		if (got <= 0)
			return got;
	}
	return 0;
}

static int ensure_above(struct text_pane *tp, long need)
{
	for (long chunk = CHUNK; !at_start(tp) && rows_before_top(tp) < need; chunk += chunk < CHUNK_MAX ? chunk : 0) {
		int got = load_before_seq(tp, tp->p[0].seq, chunk);
		if (got <= 0)
			return got;
	}
	return 0;
}

/* Drops paragraphs far from the view, so memory does not grow with the document. */
static void trim(struct text_pane *tp)
{
	long keep_above = 2L * tp->height + 8, keep_below = 3L * tp->height + 8;
	long above = rows_before_top(tp) - tp->tr;
	size_t drop = 0;
	while (drop < tp->ti && above - rows_of(&tp->p[drop]) >= keep_above)
		above -= rows_of(&tp->p[drop++]);
	if (drop) {
		for (size_t i = 0; i < drop; i++)
			para_free(&tp->p[i]);
		memmove(tp->p, tp->p + drop, (tp->n - drop) * sizeof *tp->p);
		tp->n -= drop;
		tp->ti -= drop;
	}
	long below = rows_from_top(tp);
	while (tp->n > tp->ti + 1 && below - rows_of(&tp->p[tp->n - 1]) >= keep_below) {
		below -= rows_of(&tp->p[tp->n - 1]);
		para_free(&tp->p[--tp->n]);
	}
}

static void advance(struct text_pane *tp, long n)
{
	while (n > 0 && tp->n) {
		long r = rows_of(&tp->p[tp->ti]) - tp->tr;
		if (n < r) {
			tp->tr += (int)n;
			return;
		}
		if (tp->ti + 1 >= tp->n) {
			tp->tr = rows_of(&tp->p[tp->ti]) - 1;
			return;
		}
		n -= r;
		tp->ti++;
		tp->tr = 0;
	}
}

static void retreat(struct text_pane *tp, long m)
{
	while (m > 0 && tp->n) {
		if (m <= tp->tr) {
			tp->tr -= (int)m;
			return;
		}
		if (tp->ti == 0) {
			tp->tr = 0;
			return;
		}
		m -= tp->tr + 1;
		tp->ti--;
		tp->tr = rows_of(&tp->p[tp->ti]) - 1;
	}
}

/* At the end the last line stays at the bottom: no empty screen after the text. */
static int clamp_end(struct text_pane *tp)
{
	if (ensure_below(tp, tp->height) < 0)
		return -1;
	long below = rows_from_top(tp);
	if (at_end_window(tp) && below < tp->height) {
		long need = tp->height - below;
		if (ensure_above(tp, need) < 0)
			return -1;
		long before = rows_before_top(tp);
		retreat(tp, need < before ? need : before);
	}
	return 0;
}

static int range_refresh(struct text_pane *tp)
{
	long count;
	if (store_para_range(tp->st, tp->doc, tp->noise, &tp->first_seq, &tp->last_seq, &count) < 0)
		return store_err(tp);
	return 0;
}

struct text_pane *text_pane_new(struct store *st, long doc, enum wrap_ambiguous amb)
{
	struct text_pane *tp = xcalloc(1, sizeof *tp);
	tp->st = st;
	tp->doc = doc;
	tp->amb = amb;
	tp->width = 40;
	tp->height = 10;
	tp->hit_total = -1;
	tp->indexed = -1;
	range_refresh(tp);
	return tp;
}

void text_pane_free(struct text_pane *tp)
{
	if (!tp)
		return;
	clear_window(tp);
	free(tp->p);
	free(tp->terms);
	free(tp->search);
	free(tp->hit_seq);
	free(tp->hit_before);
	free(tp);
}

void text_pane_set_sections(struct text_pane *tp, struct shape *sh)
{
	tp->sh = sh;
	tp->nsecs = sh ? shape_count(sh) : 0;
}

/* The top as (seq, character offset), offset -1 when the top row is a blank one. */
static void top_place(const struct text_pane *tp, long *seq, long *offset)
{
	if (tp->n == 0) {
		*seq = tp->first_seq;
		*offset = 0;
		return;
	}
	const struct tp_para *p = &tp->p[tp->ti];
	*seq = p->seq;
	int line = tp->tr - p->blank;
	if (line < 0)
		*offset = -1;
	else if (line == 0)
		*offset = 0;
	else
		*offset = (long)utf8_count(p->text, p->lines[line].start);
}

void text_pane_position(const struct text_pane *tp, long *seq, long *offset)
{
	top_place(tp, seq, offset);
	if (*offset < 0)
		*offset = 0;
}

/* The row inside p holding character offset (-1: the blank row before it). */
static int row_of(const struct tp_para *p, long offset)
{
	if (offset < 0)
		return 0;
	size_t b = utf8_offset(p->text, p->len, (size_t)offset);
	size_t line = 0;
	while (line + 1 < p->nlines && p->lines[line + 1].start <= b)
		line++;
	return p->blank + (int)line;
}

static int goto_place(struct text_pane *tp, long seq, long offset, bool clamp);

int text_pane_goto(struct text_pane *tp, long seq, long offset)
{
	return goto_place(tp, seq, offset, true);
}

/* clamp: no empty rows after the end. A resize does not clamp, so that the reading
 * position stays exactly where it was whatever sizes it goes through. */
static int goto_place(struct text_pane *tp, long seq, long offset, bool clamp)
{
	if (tp->first_seq > tp->last_seq)
		return 0;	/* an empty document */
	if (seq < tp->first_seq) {
		seq = tp->first_seq;
		offset = 0;
	}
	if (seq > tp->last_seq)
		return text_pane_end(tp);
	size_t i = 0;
	if (tp->n && tp->p[0].seq <= seq && seq <= tp->p[tp->n - 1].seq) {
		while (tp->p[i].seq < seq)
			i++;
	} else {
		clear_window(tp);
		if (load_after_from(tp, seq, CHUNK) < 0)
			return -1;
		if (tp->n == 0)
			return text_pane_end(tp);
	}
	if (tp->p[i].seq != seq)
		offset = 0;	/* a hidden noise paragraph: the next one shown */
	tp->ti = i;
	tp->tr = row_of(&tp->p[i], offset);
	/* what is above is read when scrolling up needs it, not on every jump */
	if ((clamp ? clamp_end(tp) : ensure_below(tp, tp->height)) < 0)
		return -1;
	trim(tp);
	return 0;
}

int text_pane_show(struct text_pane *tp, long seq, long offset)
{
	/* on screen already? */
	size_t i = tp->ti;
	int r = tp->tr;
	for (int row = 0; row < tp->height && i < tp->n; row++) {
		const struct tp_para *p = &tp->p[i];
		if (p->seq == seq && r >= p->blank && r == row_of(p, offset))
			return 0;
		if (++r >= rows_of(p)) {
			i++;
			r = 0;
		}
	}
	if (text_pane_goto(tp, seq, offset) < 0)
		return -1;
	return text_pane_scroll(tp, -(tp->height / 3));
}

int text_pane_scroll(struct text_pane *tp, long lines)
{
	if (tp->n == 0 && text_pane_goto(tp, tp->first_seq, 0) < 0)
		return -1;
	if (lines > 0) {
		if (ensure_below(tp, lines + tp->height) < 0)
			return -1;
		if (at_end_window(tp)) {
			long room = rows_from_top(tp) - tp->height;
			if (room < 0)
				room = 0;
			if (lines > room)
				lines = room;
		}
		advance(tp, lines);
	} else if (lines < 0) {
		if (ensure_above(tp, -lines) < 0)
			return -1;
		retreat(tp, -lines);
	}
	if (ensure_below(tp, tp->height) < 0)
		return -1;
	trim(tp);
	return 0;
}

int text_pane_page(struct text_pane *tp, int dir, bool half)
{
	long n = half ? tp->height / 2 : tp->height - 1;
	if (n < 1)
		n = 1;
	return text_pane_scroll(tp, dir * n);
}

int text_pane_start(struct text_pane *tp)
{
	return text_pane_goto(tp, tp->first_seq, 0);
}

int text_pane_end(struct text_pane *tp)
{
	if (tp->first_seq > tp->last_seq)
		return 0;
	if (!(tp->n && at_end_window(tp))) {
		clear_window(tp);
		if (load_before_seq(tp, tp->last_seq + 1, CHUNK) < 0)
			return -1;
		if (tp->n == 0)
			return 0;
	}
	tp->ti = tp->n - 1;
	tp->tr = rows_of(&tp->p[tp->ti]) - 1;
	if (ensure_above(tp, tp->height) < 0)
		return -1;
	retreat(tp, tp->height - 1);
	trim(tp);
	return 0;
}

int text_pane_set_size(struct text_pane *tp, int width, int height)
{
	if (width < 1)
		width = 1;
	if (height < 1)
		height = 1;
	if (width == tp->width && height == tp->height)
		return 0;
	long seq, offset;
	top_place(tp, &seq, &offset);
	bool had = tp->n > 0;
	bool rewrap = width != tp->width;
	tp->width = width;
	tp->height = height;
	if (rewrap)
		for (size_t i = 0; i < tp->n; i++)
			wrap_para(tp, &tp->p[i]);
	if (!had)
		return 0;
	return goto_place(tp, seq, offset, false);
}

bool text_pane_at_end(struct text_pane *tp)
{
	ensure_below(tp, tp->height + 1);
	return at_end_window(tp) && rows_from_top(tp) <= tp->height;
}

int text_pane_percent(struct text_pane *tp)
{
	if (tp->n == 0 || text_pane_at_end(tp))
		return 100;
	const struct tp_para *p = &tp->p[tp->ti];
	double span = (double)(tp->last_seq - tp->first_seq + 1);
	double at = (double)(p->seq - tp->first_seq) + (double)tp->tr / rows_of(p);
	int pct = (int)(100.0 * at / span);
	return pct > 99 ? 99 : pct < 0 ? 0 : pct;
}

int text_pane_set_noise(struct text_pane *tp, bool show)
{
	if (show == tp->noise)
		return 0;
	long seq, offset;
	top_place(tp, &seq, &offset);
	tp->noise = show;
	tp->nhit = 0;
	tp->hit_total = -1;
	tp->indexed = -1;
	clear_window(tp);
	if (range_refresh(tp) < 0)
		return -1;
	return text_pane_goto(tp, seq, offset);
}

bool text_pane_noise(const struct text_pane *tp)
{
	return tp->noise;
}

static void respan_all(struct text_pane *tp)
{
	for (size_t i = 0; i < tp->n; i++)
		compute_spans(tp, &tp->p[i]);
}

int text_pane_set_terms(struct text_pane *tp, const struct tp_term *terms, size_t n)
{
	free(tp->terms);
	tp->terms = n ? xmalloc(n * sizeof *terms) : NULL;
	if (n)
		memcpy(tp->terms, terms, n * sizeof *terms);
	tp->nterms = n;
	respan_all(tp);
	return 0;
}

int text_pane_set_search(struct text_pane *tp, const char *pattern)
{
	free(tp->search);
	tp->search = pattern && *pattern ? xstrdup(pattern) : NULL;
	tp->nhit = 0;
	tp->hit_total = -1;
	tp->indexed = -1;
	respan_all(tp);
	return 0;
}

/* Whether the store's index finds exactly what the scan finds: the pattern is one
 * search word as typed (no spaces or quotes, which a query reads differently), and
 * noise, which the index leaves out, is hidden. The index then answers in
 * milliseconds where a scan of a 50 MB document takes a second or two. */
static bool search_indexed(struct text_pane *tp)
{
	if (tp->indexed < 0) {
		struct query q;
		char err[128];
		tp->indexed = 0;
		if (query_parse(tp->search, &q, err, sizeof err) == 0) {
			tp->indexed = q.nwords == 1 && strcmp(q.words[0], tp->search) == 0;
			query_free(&q);
		}
	}
	return tp->indexed && !tp->noise;
}

/* State of a search through the store. */
struct find_ctx {
	const char *pattern;	/* what is sought */
	long seq, offset;	/* strictly after/before this place */
	int dir;		/* +1 forward, -1 backward */
	bool found;		/* a hit was found */
	long hit_seq, hit_offset;	/* where */
	long last_seq;		/* the last paragraph looked at, to continue from */
	long cand;		/* the best hit in the current paragraph, -1 none */
};

/* The nearest indexed hit strictly after/before a place (fn of store_search_places). */
static int find_place(void *ctx, long para, long offset, long length)
{
	struct find_ctx *c = ctx;
	(void)length;
	if (c->dir > 0 ? para > c->seq || (para == c->seq && offset > c->offset)
		       : para < c->seq || (para == c->seq && offset < c->offset)) {
		c->found = true;
		c->hit_seq = para;
		c->hit_offset = offset;
		return 1;
	}
	return 0;
}

static void find_hit(void *ctx, long offset, long length)
{
	struct find_ctx *c = ctx;
	(void)length;
	bool same = c->last_seq == c->seq;
	if (c->dir > 0) {
		if (c->cand < 0 && (!same || offset > c->offset))
			c->cand = offset;
	} else if (!same || offset < c->offset) {
		c->cand = offset;	/* the last one before wins */
	}
}

static int find_para(void *ctx, const struct para *p)
{
	struct find_ctx *c = ctx;
	c->last_seq = p->seq;
	c->cand = -1;
	fold_find_all(p->text, p->len, c->pattern, strlen(c->pattern), find_hit, c);
	if (c->cand >= 0) {
		c->found = true;
		c->hit_seq = p->seq;
		c->hit_offset = c->cand;
		return 1;
	}
	return 0;
}

int text_pane_find(struct text_pane *tp, long seq, long offset, int dir, long *hit_seq, long *hit_offset)
{
	if (!tp->search)
		return 0;
	struct find_ctx c = { .pattern = tp->search, .seq = seq, .offset = offset, .dir = dir, .last_seq = -2 };
	if (search_indexed(tp)) {
		long rc = dir > 0 ? store_search_places(tp->st, tp->search, tp->doc, seq, LONG_MAX, false, find_place, &c)
				  : store_search_places(tp->st, tp->search, tp->doc, LONG_MIN, seq, true, find_place, &c);
		if (rc < 0)
			return store_err(tp);
		*hit_seq = c.hit_seq;
		*hit_offset = c.hit_offset;
		return c.found;
	}
	long from = dir > 0 ? seq : seq + 1;
	for (;;) {
		c.last_seq = -2;
		int rc = dir > 0 ? store_each_paragraph(tp->st, tp->doc, from, 256, tp->noise, find_para, &c)
				 : store_each_paragraph_before(tp->st, tp->doc, from, 256, tp->noise, find_para, &c);
		if (rc < 0)
			return store_err(tp);
		if (c.found) {
			*hit_seq = c.hit_seq;
			*hit_offset = c.hit_offset;
			return 1;
		}
		if (c.last_seq == -2)
			return 0;	/* no more paragraphs */
		from = dir > 0 ? c.last_seq + 1 : c.last_seq;
	}
}

/* k more hits in paragraph seq (paragraphs come in order, a paragraph maybe in pieces). */
static void count_hits(struct text_pane *tp, long seq, long k)
{
	if (tp->nhit && tp->hit_seq[tp->nhit - 1] == seq) {
		tp->hit_total += k;
		return;
	}
	if ((tp->nhit & (tp->nhit - 1)) == 0) {
		size_t cap = tp->nhit ? tp->nhit * 2 : 64;
		tp->hit_seq = xrealloc(tp->hit_seq, cap * sizeof *tp->hit_seq);
		tp->hit_before = xrealloc(tp->hit_before, cap * sizeof *tp->hit_before);
	}
	tp->hit_seq[tp->nhit] = seq;
	tp->hit_before[tp->nhit++] = tp->hit_total;
	tp->hit_total += k;
}

static int count_para(void *ctx, const struct para *p)
{
	struct text_pane *tp = ctx;
	long k = fold_find_all(p->text, p->len, tp->search, strlen(tp->search), NULL, NULL);
	if (k > 0)
		count_hits(tp, p->seq, k);
	return 0;
}

static int count_place(void *ctx, long para, long offset, long length)
{
	(void)offset;
	(void)length;
	count_hits(ctx, para, 1);
	return 0;
}

long text_pane_count_search(struct text_pane *tp)
{
	if (tp->hit_total >= 0)
		return tp->hit_total;	/* counted since the pattern or the noise changed */
	tp->nhit = 0;
	tp->hit_total = 0;
	if (!tp->search)
		return 0;
	if (search_indexed(tp)) {
		if (store_search_places(tp->st, tp->search, tp->doc, LONG_MIN, LONG_MAX, false, count_place, tp) < 0) {
			tp->hit_total = -1;
			return store_err(tp);
		}
		return tp->hit_total;
	}
	if (store_each_paragraph(tp->st, tp->doc, tp->first_seq, -1, tp->noise, count_para, tp) < 0) {
		tp->hit_total = -1;
		return store_err(tp);
	}
	return tp->hit_total;
}

static void count_before(void *ctx, long offset, long length)
{
	long *c = ctx;
	(void)length;
	if (offset < c[1])
		c[0]++;
}

long text_pane_search_rank(const struct text_pane *tp, long seq, long offset)
{
	if (tp->hit_total <= 0 || !tp->search)
		return 0;
	size_t lo = 0, hi = tp->nhit;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (tp->hit_seq[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= tp->nhit || tp->hit_seq[lo] != seq)
		return 0;
	long c[2] = { 0, offset };
	for (size_t i = 0; i < tp->n; i++)
		if (tp->p[i].seq == seq)
			fold_find_all(tp->p[i].text, tp->p[i].len, tp->search, strlen(tp->search), count_before, c);
	return tp->hit_before[lo] + c[0] + 1;
}

/* Draws one row of a paragraph. */
static void render_row(const struct text_pane *tp, const struct tp_para *p, int k, const struct rect *r, int row)
{
	int line = k - p->blank;
	if (line < 0)
		return;
	const struct wrap_line *L = &p->lines[line];
	int x = r->x + L->indent;
	if (p->center) {
		int w = L->width - L->indent;
		x = r->x + (w < r->w ? (r->w - w) / 2 : 0);
	}
	int cols = r->x + r->w - x;
	if (cols <= 0)
		return;
	/* spans are kept in paragraph offsets; draw wants them relative to the line */
	struct draw_span local[64];
	size_t nl = 0;
	for (size_t i = 0; i < p->nspans && nl < sizeof local / sizeof *local; i++) {
		const struct draw_span *s = &p->spans[i];
		if (s->end <= L->start || s->start >= L->end)
			continue;
		local[nl++] = (struct draw_span){ s->start > L->start ? s->start - L->start : 0, s->end - L->start, s->style };
	}
	(void)tp;
	draw_spans(row, x, cols, p->text + L->start, L->end - L->start, p->base, local, nl);
}

void text_pane_fit(struct text_pane *tp, const struct rect *r)
{
	if (r->w <= 0 || r->h <= 0)
		return;
	ensure_below(tp, tp->height);
}

void text_pane_render(struct text_pane *tp, const struct rect *r)
{
	if (r->w <= 0 || r->h <= 0)
		return;
	text_pane_fit(tp, r);
	size_t i = tp->ti;
	int k = tp->tr;
	for (int row = 0; row < r->h && i < tp->n; row++) {
		render_row(tp, &tp->p[i], k, r, r->y + row);
		if (++k >= rows_of(&tp->p[i])) {
			i++;
			k = 0;
		}
	}
}

bool text_pane_place_at_row(struct text_pane *tp, int row, long *seq, long *offset)
{
	size_t i = tp->ti;
	int k = tp->tr;
	for (int r = 0; i < tp->n; r++) {
		const struct tp_para *p = &tp->p[i];
		if (r == row) {
			*seq = p->seq;
			int line = k - p->blank;
			*offset = line <= 0 ? 0 : (long)utf8_count(p->text, p->lines[line].start);
			return true;
		}
		if (++k >= rows_of(p)) {
			i++;
			k = 0;
		}
	}
	return false;
}

size_t text_pane_cached(const struct text_pane *tp)
{
	return tp->n;
}
