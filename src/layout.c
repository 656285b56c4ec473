#include "config.h"

#include "dugao/layout.h"

static int clamp(int v, int lo, int hi)
{
	if (hi < lo)
		hi = lo;
	return v < lo ? lo : v > hi ? hi : v;
}

const char *layout_pane_name(enum pane_id p)
{
	static const char *const names[] = { "outline", "text", "terms" };
	return p < PANE_COUNT ? names[p] : "";
}

void layout_init(struct layout *l)
{
	*l = (struct layout){ .focus = PANE_TEXT };
	for (int i = 0; i < PANE_COUNT; i++)
		l->shown[i] = true;
}

static int visible_count(const struct layout *l)
{
	int n = 0;
	for (int i = 0; i < PANE_COUNT; i++)
		n += l->shown[i];
	return n;
}

void layout_compute(struct layout *l, int cols, int rows)
{
	l->cols = cols < 0 ? 0 : cols;
	l->rows = rows < 0 ? 0 : rows;
	for (int i = 0; i < PANE_COUNT; i++)
		l->pane[i] = (struct rect){ 0 };
	if (visible_count(l) == 0)
		l->shown[PANE_TEXT] = true;
	l->narrow = l->cols < LAYOUT_NARROW_COLS;
	if (!l->narrow && !l->shown[l->focus])
		for (int i = 0; i < PANE_COUNT; i++)
			if (l->shown[(l->focus + i) % PANE_COUNT]) {
				l->focus = (enum pane_id)((l->focus + i) % PANE_COUNT);
				break;
			}
	l->status = (struct rect){ 0, l->rows - 1, l->cols, l->rows > 0 ? 1 : 0 };
	l->header = l->rows >= 3;
	l->header_row = 0;
	int top = l->header ? 1 : 0;
	int body = l->rows - 1 - top;
	if (body <= 0 || l->cols <= 0)
		return;
	if (l->narrow) {
		l->pane[l->focus] = (struct rect){ 0, top, l->cols, body };
		return;
	}
	/* the side panes get their width, the text the rest; one column between panes */
	int want[PANE_COUNT] = {
		clamp(l->cols / 4 + l->delta[PANE_OUTLINE], 8, l->cols / 2),
		0,
		clamp(l->cols / 6 + l->delta[PANE_TERMS], 8, l->cols / 2),
	};
	int n = visible_count(l), sep = n - 1;
	int avail = l->cols - sep;
	if (l->shown[PANE_TEXT]) {
		int side = (l->shown[PANE_OUTLINE] ? want[PANE_OUTLINE] : 0) + (l->shown[PANE_TERMS] ? want[PANE_TERMS] : 0);
		int text_min = clamp(20 + l->delta[PANE_TEXT], 20, avail);
		if (avail - side < text_min && side > 0) {
			/* shrink the sides in proportion so that the text keeps its minimum */
			int room = avail - text_min;
			if (room < 0)
				room = 0;
			for (int i = 0; i < PANE_COUNT; i += 2)
				if (l->shown[i])
					want[i] = want[i] * room / side;
			side = (l->shown[PANE_OUTLINE] ? want[PANE_OUTLINE] : 0) + (l->shown[PANE_TERMS] ? want[PANE_TERMS] : 0);
		}
		want[PANE_TEXT] = avail - side;
	} else if (n == 2) {
		want[PANE_TERMS] = avail - want[PANE_OUTLINE];
	} else {
		for (int i = 0; i < PANE_COUNT; i += 2)
			if (l->shown[i])
				want[i] = avail;
	}
	int x = 0;
	for (int i = 0; i < PANE_COUNT; i++) {
		if (!l->shown[i])
			continue;
		l->pane[i] = (struct rect){ x, top, want[i] > 0 ? want[i] : 0, body };
		x += want[i] + 1;
	}
}

void layout_focus_step(struct layout *l, int dir)
{
	for (int i = 1; i <= PANE_COUNT; i++) {
		enum pane_id p = (enum pane_id)(((int)l->focus + dir * i + 2 * PANE_COUNT) % PANE_COUNT);
		if (l->narrow || l->shown[p]) {
			l->focus = p;
			break;
		}
	}
	layout_compute(l, l->cols, l->rows);
}

void layout_toggle(struct layout *l, enum pane_id p)
{
	if (l->narrow) {
		l->shown[p] = true;
		l->focus = p;
	} else {
		l->shown[p] = !l->shown[p];
		if (l->shown[p])
			l->focus = p;
	}
	layout_compute(l, l->cols, l->rows);
}

void layout_adjust(struct layout *l, int cols)
{
	if (l->focus == PANE_TEXT) {
		/* the text grows by taking from both sides */
		l->delta[PANE_OUTLINE] -= cols;
		l->delta[PANE_TERMS] -= cols;
		l->delta[PANE_TEXT] = 0;
	} else {
		l->delta[l->focus] += cols;
	}
	for (int i = 0; i < PANE_COUNT; i++)
		l->delta[i] = clamp(l->delta[i], -l->cols, l->cols);
	layout_compute(l, l->cols, l->rows);
	/* keep the deltas inside what the geometry can honour, so < undoes > at once */
	if (!l->narrow)
		for (int i = 0; i < PANE_COUNT; i += 2) {
			int base = l->cols / (i == PANE_OUTLINE ? 4 : 6);
			if (l->shown[i] && l->pane[i].w > 0)
				l->delta[i] = clamp(l->delta[i], 8 - base, l->pane[i].w - base);
		}
}

enum pane_id layout_pane_at(const struct layout *l, int x, int y)
{
	for (int i = 0; i < PANE_COUNT; i++) {
		const struct rect *r = &l->pane[i];
		if (r->w > 0 && x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
			return (enum pane_id)i;
	}
	return PANE_COUNT;
}
