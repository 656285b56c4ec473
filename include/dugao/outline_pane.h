/* outline_pane: the section tree of a document with folding, a cursor, and the
 * section the reader is in (marked and kept in view). Reads the outline's shape once
 * and each heading's text when it is first shown; never calls curses. */
#ifndef DUGAO_OUTLINE_PANE_H
#define DUGAO_OUTLINE_PANE_H

#include <stdbool.h>
#include <stddef.h>

#include "dugao/layout.h"
#include "dugao/model.h"
#include "dugao/shape.h"
#include "dugao/store.h"
#include "dugao/wrap.h"

struct outline_pane;

/* Loads the sections of doc; title is the root row. NULL and store_error() on failure. */
struct outline_pane *outline_pane_new(struct store *st, long doc, const char *title, enum wrap_ambiguous amb);
void outline_pane_free(struct outline_pane *ol);
/* All sections in document order, without their text (valid while the pane lives). */
struct shape *outline_pane_shape(const struct outline_pane *ol);
/* The store keeps the outline in an older form, read more slowly (converted in memory):
 * store_section_shape on a writable store converts it for good. */
bool outline_pane_shape_old(const struct outline_pane *ol);

/* The reading position moved: updates the current section; follow moves the cursor to it. */
void outline_pane_set_position(struct outline_pane *ol, long seq, long offset, bool follow);
/* Index of the current section, -1 before the first. */
long outline_pane_current(const struct outline_pane *ol);
/* The span of the section being read (an enumeration inside a paragraph counts as its
 * enclosing section): from its heading to the next heading at its level or above
 * (to_para -1: the end). False before the first section (the span is then the start). */
bool outline_pane_current_span(const struct outline_pane *ol, long *from_para, long *from_off, long *to_para, long *to_off);
/* Where lit terms fall: hits are added one by one and shown as counts beside each
 * section (its subsections included) and the total beside the title. */
void outline_pane_clear_hits(struct outline_pane *ol);
void outline_pane_add_hit(struct outline_pane *ol, long para, long offset);
/* The section path of the current section ("第二个问题 › 一是") into buf. */
void outline_pane_path(struct outline_pane *ol, char *buf, size_t len);

/* Section to jump to from (seq, offset): next or previous at any level, or at top level.
 * -1 when there is none. */
long outline_pane_next(const struct outline_pane *ol, long seq, long offset, int dir, bool top_level);
/* The Nth (1-based) top-level section, -1 if none. */
long outline_pane_nth_top(const struct outline_pane *ol, long nth);

/* Cursor moves (rows), page moves, start/end. */
void outline_pane_move(struct outline_pane *ol, long delta);
void outline_pane_move_to(struct outline_pane *ol, bool end);
/* The section under the cursor: its index, -1 for the title row. */
long outline_pane_selected(const struct outline_pane *ol);
/* Selects the row at a screen row of the pane (mouse); false if none. */
bool outline_pane_click(struct outline_pane *ol, int row);
/* Folding: toggle, close (or go to the parent), open; levels shown one less/more. */
void outline_pane_fold(struct outline_pane *ol, int how);	/* 0 toggle, -1 close, +1 open */
void outline_pane_levels(struct outline_pane *ol, int delta);
/* What drawing into r changes besides the screen: the cursor kept in view of r's
 * height. For a screen that is not drawn (keys typed ahead), so that the next one is
 * the same as if every screen had been. */
void outline_pane_fit(struct outline_pane *ol, const struct rect *r);
/* Draws into r; focused shows the cursor. */
void outline_pane_render(struct outline_pane *ol, const struct rect *r, bool focused);

#endif
