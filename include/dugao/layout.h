/* layout: pane geometry for any terminal size, focus, resize. Below 60 columns one
 * pane at a time; down to 1x1 every rectangle stays valid (possibly empty). */
#ifndef DUGAO_LAYOUT_H
#define DUGAO_LAYOUT_H

#include <stdbool.h>

enum pane_id { PANE_OUTLINE, PANE_TEXT, PANE_TERMS, PANE_COUNT };

#define LAYOUT_NARROW_COLS 60	/* below this, one pane at a time */

struct rect {
	int x, y;	/* top-left cell */
	int w, h;	/* size in cells; 0 when not shown */
};

struct layout {
	int cols, rows;			/* the terminal */
	bool shown[PANE_COUNT];		/* panes the user wants (1 2 3 toggle) */
	enum pane_id focus;		/* the pane keys go to */
	int delta[PANE_COUNT];		/* widen/narrow adjustments in columns */
	bool narrow;			/* one pane at a time */
	bool header;			/* a row of pane titles above the panes */
	struct rect pane[PANE_COUNT];	/* where each pane is drawn (w = 0: hidden) */
	int header_row;			/* row of the titles when header */
	struct rect status;		/* the status line */
};

void layout_init(struct layout *l);
/* Recomputes every rectangle for a terminal of cols x rows. */
void layout_compute(struct layout *l, int cols, int rows);
/* Tab / Shift-Tab: dir +1 or -1 among the panes that can take focus. */
void layout_focus_step(struct layout *l, int dir);
/* 1 2 3: shows or hides a pane (narrow: brings it to the front instead). */
void layout_toggle(struct layout *l, enum pane_id p);
/* > and <: widens (cols > 0) or narrows the focused pane. */
void layout_adjust(struct layout *l, int cols);
/* The pane under a cell, or PANE_COUNT. */
enum pane_id layout_pane_at(const struct layout *l, int x, int y);
const char *layout_pane_name(enum pane_id p);

#endif
