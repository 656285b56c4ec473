/* text_pane: the text of one document wrapped for the pane, read from the store as it
 * comes into view. Only a window of paragraphs around the view is kept (memory stays
 * small whatever the document's size). The reading position is a paragraph seq and a
 * character offset, never a screen row, so it survives resizing. */
#ifndef DUGAO_TEXT_PANE_H
#define DUGAO_TEXT_PANE_H

#include <stdbool.h>
#include <stddef.h>

#include "dugao/draw.h"
#include "dugao/layout.h"
#include "dugao/model.h"
#include "dugao/shape.h"
#include "dugao/store.h"
#include "dugao/wrap.h"

struct text_pane;

/* A term lit in the text: its id in the store and its style. */
struct tp_term {
	long id;		/* term id */
	enum draw_style style;	/* STYLE_TERM1.. */
};

struct text_pane *text_pane_new(struct store *st, long doc, enum wrap_ambiguous amb);
void text_pane_free(struct text_pane *tp);
/* Sections of the document in seq order (owned by the caller, kept alive), for headings. */
void text_pane_set_sections(struct text_pane *tp, struct shape *sh);
/* Width and height of the text area; re-wraps and keeps the reading position. */
int text_pane_set_size(struct text_pane *tp, int width, int height);
/* Moves: lines (negative up); pages (half: half a page); start and end. */
int text_pane_scroll(struct text_pane *tp, long lines);
int text_pane_page(struct text_pane *tp, int dir, bool half);
int text_pane_start(struct text_pane *tp);
int text_pane_end(struct text_pane *tp);
/* Puts the line holding character offset of paragraph seq at the top (clamped at the end). */
int text_pane_goto(struct text_pane *tp, long seq, long offset);
/* Like goto, but does nothing when the place is already on screen, and keeps some
 * context above it otherwise. */
int text_pane_show(struct text_pane *tp, long seq, long offset);
/* The reading position: the first character of the top line. */
void text_pane_position(const struct text_pane *tp, long *seq, long *offset);
/* The position at the bottom of the view (for the section the reader is in). */
int text_pane_percent(struct text_pane *tp);
bool text_pane_at_end(struct text_pane *tp);
/* Noise paragraphs shown (dimmed) or hidden. */
int text_pane_set_noise(struct text_pane *tp, bool show);
bool text_pane_noise(const struct text_pane *tp);
/* Highlights: the terms lit, and the search pattern (NULL or "" for none). */
int text_pane_set_terms(struct text_pane *tp, const struct tp_term *terms, size_t n);
int text_pane_set_search(struct text_pane *tp, const char *pattern);
/* Finds the next (dir > 0) or previous occurrence of the search pattern strictly
 * after/before (seq, offset); 1 and the place if found, 0 if none, -1 on error.
 * Reads the store paragraph by paragraph, not the whole document at once. */
int text_pane_find(struct text_pane *tp, long seq, long offset, int dir, long *hit_seq, long *hit_offset);
/* Counts every hit of the search pattern in the document (reads it once, paragraph by
 * paragraph, keeping only per-paragraph counts); -1 on error. */
long text_pane_count_search(struct text_pane *tp);
/* 1-based rank of the hit at (seq, offset) among all hits after a count, 0 if unknown. */
long text_pane_search_rank(const struct text_pane *tp, long seq, long offset);
/* The paragraphs a screen shows read in, as drawing does (see outline_pane_fit). */
void text_pane_fit(struct text_pane *tp, const struct rect *r);
/* Draws the pane into its rectangle (draw calls only). */
void text_pane_render(struct text_pane *tp, const struct rect *r);
/* The paragraph and offset at a row of the view (for a mouse click). */
bool text_pane_place_at_row(struct text_pane *tp, int row, long *seq, long *offset);
/* Paragraphs in the window and the document's paragraph seq range (for tests, benches). */
size_t text_pane_cached(const struct text_pane *tp);
const char *text_pane_error(const struct text_pane *tp);

#endif
