/* draw: the only module that writes text to curses. Colours and attributes come from
 * named styles; NO_COLOR and monochrome terminals get bold, reverse, dim and underline.
 * No control character ever reaches the terminal: draw replaces any it is given. */
#ifndef DUGAO_DRAW_H
#define DUGAO_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "dugao/wrap.h"

/* X(ID, config name, fg, bg, monochrome attributes) */
#define DUGAO_STYLES(X) \
	X(TEXT, "text", -1, -1, 0) \
	X(TITLE, "title", -1, -1, DRAW_BOLD) \
	X(META, "meta", -1, -1, DRAW_DIM) \
	X(HEADING1, "heading1", 3, -1, DRAW_BOLD) \
	X(HEADING2, "heading2", 6, -1, DRAW_BOLD) \
	X(HEADING3, "heading3", 2, -1, DRAW_UNDERLINE) \
	X(NOISE, "noise", -1, -1, DRAW_DIM) \
	X(SEARCH, "search", 0, 3, DRAW_REVERSE) \
	X(TERM1, "term1", 0, 6, DRAW_REVERSE) \
	X(TERM2, "term2", 0, 2, DRAW_REVERSE | DRAW_BOLD) \
	X(TERM3, "term3", 0, 5, DRAW_UNDERLINE | DRAW_BOLD) \
	X(TERM4, "term4", 0, 4, DRAW_UNDERLINE) \
	X(BORDER, "border", 4, -1, 0) \
	X(PANE_TITLE, "pane-title", -1, -1, 0) \
	X(PANE_FOCUS, "pane-focus", -1, -1, DRAW_BOLD | DRAW_REVERSE) \
	X(CURRENT, "current", 3, -1, DRAW_BOLD) \
	X(CURSOR, "cursor", -1, -1, DRAW_REVERSE) \
	X(STATUS, "status", -1, -1, DRAW_REVERSE) \
	X(MESSAGE, "message", -1, -1, DRAW_REVERSE | DRAW_BOLD) \
	X(DIM, "dim", -1, -1, DRAW_DIM)

enum draw_style {
#define X(id, name, fg, bg, mono) STYLE_##id,
	DUGAO_STYLES(X)
#undef X
	STYLE_COUNT
};

enum {
	DRAW_BOLD = 1,		/* attribute bits for styles */
	DRAW_REVERSE = 2,
	DRAW_DIM = 4,
	DRAW_UNDERLINE = 8,
};

#define STYLE_TERM_COUNT 4	/* term highlight colours, STYLE_TERM1.. */

/* A run of bytes drawn in a style other than the base one. */
struct draw_span {
	size_t start;		/* byte offset in the text */
	size_t end;		/* byte offset just past it */
	enum draw_style style;	/* how it is drawn */
};

/* Input from the terminal or a script. */
enum input_kind { INPUT_NONE, INPUT_KEY, INPUT_CLICK, INPUT_WHEEL_UP, INPUT_WHEEL_DOWN };
struct input {
	enum input_kind kind;	/* what happened */
	int key;		/* the key (actions.h codes) for INPUT_KEY */
	int x, y;		/* screen cell of a mouse event */
};

/* Style names for the config file. */
enum draw_style draw_style_by_name(const char *name);	/* STYLE_COUNT if unknown */
/* Overrides a style: fg and bg are colour numbers (-1 default), attrs DRAW_* bits. */
void draw_style_set(enum draw_style s, int fg, int bg, int attrs);
/* Ambiguous width for every measure draw makes. */
void draw_set_ambiguous(enum wrap_ambiguous amb);

/* A live terminal on stdin/stdout; -1 with errno-free reason in err. */
int draw_open_terminal(char *err, size_t errlen);
/* A virtual screen of w x h for scripted mode: the same code draws, nothing is shown. */
int draw_open_virtual(int w, int h, char *err, size_t errlen);
/* Restores the terminal; safe to call twice and from a fatal-signal handler. */
void draw_close(void);
bool draw_is_open(void);
void draw_size(int *w, int *h);
/* Virtual screen: changes its size (a scripted resize). */
void draw_resize_virtual(int w, int h);

void draw_erase(void);
/* Fills cols cells at (row, col) with spaces in a style. */
void draw_fill(int row, int col, int cols, enum draw_style style);
/* Writes text clipped to cols columns; returns the columns used. */
int draw_text(int row, int col, int cols, const char *s, size_t n, enum draw_style style);
/* Same, with spans overriding the style of parts of the text. */
int draw_spans(int row, int col, int cols, const char *s, size_t n, enum draw_style base,
	       const struct draw_span *spans, size_t nspans);
/* Box-drawing lines in the border style (ASCII when the terminal lacks them). */
void draw_hline(int row, int col, int cols);
void draw_vline(int row, int col, int rows);
void draw_tee_down(int row, int col);
void draw_refresh(void);
/* What was drawn since the last refresh is not sent when input is read next (wgetch
 * refreshes a changed window first): for keys typed ahead. The next draw_erase marks
 * the whole screen again, so the next refresh sends everything that changed. */
void draw_hold(void);
/* Next input, waiting at most timeout_ms (-1 forever); INPUT_NONE on timeout/signal. */
struct input draw_read(int timeout_ms);
/* Prints the virtual screen as text, one line per row, trailing spaces cut. With
 * attrs, an empty line and then one row of attribute digits per screen row follow:
 * per cell the hex sum of bold 1, reverse 2, dim 4, underline 8, '.' for none. */
void draw_dump(FILE *out, bool attrs);

#endif
