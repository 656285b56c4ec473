/* terms_pane: the document's key terms with counts; Enter lights a term in the text
 * (each lit term its own colour) and makes it the one n/N step through. */
#ifndef DUGAO_TERMS_PANE_H
#define DUGAO_TERMS_PANE_H

#include <stdbool.h>
#include <stddef.h>

#include "dugao/layout.h"
#include "dugao/store.h"
#include "dugao/text_pane.h"
#include "dugao/wrap.h"

struct terms_pane;

struct terms_pane *terms_pane_new(struct store *st, long doc, enum wrap_ambiguous amb);
void terms_pane_free(struct terms_pane *tm);
size_t terms_pane_count(struct terms_pane *tm);
/* Rows shown after the filter and the section restriction. */
size_t terms_pane_shown(struct terms_pane *tm);
/* Shows only the terms holding text (folded as search folds; NULL or "": all). */
void terms_pane_set_filter(struct terms_pane *tm, const char *text);
bool terms_pane_filtered(const struct terms_pane *tm);
/* Shows only the terms with hits from (from_para, from_off) up to (to_para, to_off)
 * excluded (to_para < 0: the end), counting those; from_para < 0 shows them all again. */
int terms_pane_set_section(struct terms_pane *tm, struct store *st, long from_para, long from_off, long to_para, long to_off);
bool terms_pane_section_only(const struct terms_pane *tm);
void terms_pane_move(struct terms_pane *tm, long delta);
void terms_pane_move_to(struct terms_pane *tm, bool end);
bool terms_pane_click(struct terms_pane *tm, int row);
/* Lights or unlights the term under the cursor; returns false when all colours are
 * taken. The term lit last is the chosen one. */
bool terms_pane_toggle(struct terms_pane *tm);
void terms_pane_clear(struct terms_pane *tm);
/* The lit terms for the text pane (n of them into out, at most max). */
size_t terms_pane_lit(const struct terms_pane *tm, struct tp_term *out, size_t max);
/* The chosen term: its id (-1 when none) and text. */
long terms_pane_chosen(const struct terms_pane *tm, const char **text);
/* Hits of the chosen term in the document, 0 when none is chosen. */
long terms_pane_chosen_count(const struct terms_pane *tm);
/* The cursor kept in view of r's height, as drawing does (see outline_pane_fit). */
void terms_pane_fit(struct terms_pane *tm, const struct rect *r);
void terms_pane_render(struct terms_pane *tm, const struct rect *r, bool focused);

#endif
