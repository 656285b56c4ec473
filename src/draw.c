#include "config.h"

#include <errno.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include "dugao/actions.h"
#include "dugao/draw.h"
#include "dugao/util.h"

/* A style as configured. */
struct style_def {
	const char *name;	/* config name */
	int fg, bg;		/* colour numbers, -1 for the terminal's default */
	int mono;		/* DRAW_* bits used without colour */
	int attrs;		/* DRAW_* bits added with colour (from the config), -1 = none set */
};

static struct style_def styles[STYLE_COUNT] = {
#define X(id, name, fg, bg, mono) [STYLE_##id] = { name, fg, bg, mono, -1 },
	DUGAO_STYLES(X)
#undef X
};

/* The open screen. */
static struct {
	SCREEN *screen;			/* curses screen, NULL when closed */
	FILE *out, *in;			/* streams of a virtual screen, else NULL */
	bool virtual;			/* scripted mode */
	bool colour;			/* colours in use (a colour terminal and no NO_COLOR) */
	bool utf8;			/* the locale is UTF-8: Unicode box lines allowed */
	enum wrap_ambiguous amb;	/* width of ambiguous characters */
	attr_t attr[STYLE_COUNT];	/* attributes per style */
	short pair[STYLE_COUNT];	/* colour pair per style, 0 for none */
} scr;

enum draw_style draw_style_by_name(const char *name)
{
	for (int i = 0; i < STYLE_COUNT; i++)
		if (strcmp(styles[i].name, name) == 0)
			return (enum draw_style)i;
	return STYLE_COUNT;
}

void draw_style_set(enum draw_style s, int fg, int bg, int attrs)
{
	if (s >= STYLE_COUNT)
		return;
	styles[s].fg = fg;
	styles[s].bg = bg;
	styles[s].attrs = attrs;
	if (attrs >= 0)
		styles[s].mono = attrs ? attrs : styles[s].mono;
}

void draw_set_ambiguous(enum wrap_ambiguous amb)
{
	scr.amb = amb;
}

static attr_t attrs_of(int bits)
{
	attr_t a = A_NORMAL;
	if (bits & DRAW_BOLD)
		a |= A_BOLD;
	if (bits & DRAW_REVERSE)
		a |= A_REVERSE;
	if (bits & DRAW_DIM)
		a |= A_DIM;
	if (bits & DRAW_UNDERLINE)
		a |= A_UNDERLINE;
	return a;
}

/* Colours follow the terminal's defaults; NO_COLOR (any value) turns them off. */
static void setup_styles(void)
{
	const char *nc = getenv("NO_COLOR");
	scr.colour = !(nc && *nc) && has_colors();
	if (scr.colour) {
		start_color();
		use_default_colors();
	}
	for (int i = 0; i < STYLE_COUNT; i++) {
		struct style_def *d = &styles[i];
		scr.pair[i] = 0;
		if (scr.colour && (d->fg >= 0 || d->bg >= 0) && d->fg < COLORS && d->bg < COLORS &&
		    i + 1 < COLOR_PAIRS) {
			init_pair((short)(i + 1), (short)d->fg, (short)d->bg);
			scr.pair[i] = (short)(i + 1);
			/* reverse-style highlights keep their meaning with colour too */
			scr.attr[i] = attrs_of(d->attrs >= 0 ? d->attrs : d->mono & ~(DRAW_REVERSE | DRAW_UNDERLINE));
		} else {
			scr.attr[i] = attrs_of(d->attrs > 0 ? d->attrs : d->mono);
		}
	}
}

static void setup_common(void)
{
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	leaveok(stdscr, TRUE);
	curs_set(0);
	const char *cs = nl_langinfo(CODESET);
	scr.utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	setup_styles();
}

int draw_open_terminal(char *err, size_t errlen)
{
	if (!isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the reader needs a terminal (stdout is not a tty); try dugao cat");
		return -1;
	}
	if (!isatty(STDIN_FILENO)) {
		snprintf(err, errlen, "the reader needs a terminal (stdin is not a tty); try dugao cat");
		return -1;
	}
	const char *term = getenv("TERM");
	if (!term || !*term || strcmp(term, "dumb") == 0) {
		snprintf(err, errlen, "the reader needs a terminal that can move the cursor (TERM=%s); try dugao cat",
			 term ? term : "");
		return -1;
	}
	scr.screen = newterm(NULL, stdout, stdin);
	if (!scr.screen) {
		snprintf(err, errlen, "cannot use the terminal type '%s'; try TERM=xterm-256color", term);
		return -1;
	}
	scr.virtual = false;
	setup_common();
	set_escdelay(25);
	mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	return 0;
}

int draw_open_virtual(int w, int h, char *err, size_t errlen)
{
	scr.out = fopen("/dev/null", "w");
	scr.in = fopen("/dev/null", "r");
	if (!scr.out || !scr.in) {
		snprintf(err, errlen, "/dev/null: %s", strerror(errno));
		return -1;
	}
	/* the type only matters for attributes; the screen is never shown */
	static const char *const types[] = { "xterm-256color", "xterm", "vt100", "ansi", "dumb" };
	for (size_t i = 0; i < sizeof types / sizeof *types && !scr.screen; i++)
		scr.screen = newterm(types[i], scr.out, scr.in);
	if (!scr.screen) {
		snprintf(err, errlen, "no usable terminal description (terminfo) for the scripted screen");
		return -1;
	}
	scr.virtual = true;
	setup_common();
	resizeterm(h, w);
	return 0;
}

void draw_resize_virtual(int w, int h)
{
	if (scr.screen && scr.virtual)
		resizeterm(h, w);
}

bool draw_is_open(void)
{
	return scr.screen != NULL;
}

void draw_close(void)
{
	if (!scr.screen)
		return;
	if (!scr.virtual) {
		curs_set(1);
		mousemask(0, NULL);
	}
	endwin();
	delscreen(scr.screen);
	scr.screen = NULL;
	if (scr.out)
		fclose(scr.out);
	if (scr.in)
		fclose(scr.in);
	scr.out = scr.in = NULL;
}

void draw_size(int *w, int *h)
{
	if (!scr.screen) {
		*w = *h = 0;
		return;
	}
	getmaxyx(stdscr, *h, *w);
}

void draw_erase(void)
{
	werase(stdscr);
}

static void put_cell(int row, int col, const wchar_t *wc, enum draw_style style)
{
	cchar_t cc;
	if (setcchar(&cc, wc, scr.attr[style], scr.pair[style], NULL) == OK)
		mvwadd_wch(stdscr, row, col, &cc);
}

void draw_fill(int row, int col, int cols, enum draw_style style)
{
	static const wchar_t sp[] = L" ";
	int w, h;
	draw_size(&w, &h);
	if (row < 0 || row >= h)
		return;
	for (int c = col < 0 ? 0 : col; c < col + cols && c < w; c++)
		put_cell(row, c, sp, style);
}

/* Characters that would act on the terminal or reorder text: never written. */
static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0);
}

static bool is_invisible_format(uint32_t cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x2028 || cp == 0x2029;
}

static enum draw_style style_at(size_t pos, enum draw_style base, const struct draw_span *spans, size_t nspans)
{
	enum draw_style s = base;
	for (size_t i = 0; i < nspans; i++)
		if (pos >= spans[i].start && pos < spans[i].end)
			s = spans[i].style;	/* later spans win */
	return s;
}

int draw_spans(int row, int col, int cols, const char *s, size_t n, enum draw_style base,
	       const struct draw_span *spans, size_t nspans)
{
	int w, h;
	draw_size(&w, &h);
	if (row < 0 || row >= h || col >= w || cols <= 0)
		return 0;
	if (col + cols > w)
		cols = w - col;
	int used = 0;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t pos = i;
		i += utf8_decode(s + i, n - i, &cp);
		if (is_invisible_format(cp))
			continue;
		wchar_t wc[CCHARW_MAX + 1] = { 0 };
		int cw;
		if (is_control(cp)) {
			wc[0] = 0xFFFD;	/* visible, harmless */
			cw = 1;
		} else {
			wc[0] = (wchar_t)cp;
			int ours = wrap_char_width(cp, scr.amb);
			cw = wcwidth(wc[0]);
			if (cw < 0 || (cw == 0 && ours > 0)) {
				wc[0] = 0xFFFD;
				cw = 1;
			} else if (cw == 0) {
				continue;	/* a lone combining mark: attached below when it follows a base */
			} else if (cw != ours && ours == 2 && cw == 1) {
				cw = 1;	/* ambiguous-wide terminal: pad below */
			}
			/* combining marks that follow join this cell */
			int k = 1;
			while (i < n && k < CCHARW_MAX) {
				uint32_t next;
				size_t len = utf8_decode(s + i, n - i, &next);
				if (is_control(next) || wrap_char_width(next, scr.amb) != 0 || wcwidth((wchar_t)next) != 0)
					break;
				if (!is_invisible_format(next))
					wc[k++] = (wchar_t)next;
				i += len;
			}
			if (ours == 2 && cw == 1) {
				if (used + 2 > cols)
					break;
				put_cell(row, col + used, wc, style_at(pos, base, spans, nspans));
				draw_fill(row, col + used + 1, 1, style_at(pos, base, spans, nspans));
				used += 2;
				continue;
			}
		}
		if (used + cw > cols) {
			/* a wide character that does not fit: leave its cell blank */
			if (used < cols)
				draw_fill(row, col + used, cols - used, base);
			used = cols;
			break;
		}
		put_cell(row, col + used, wc, style_at(pos, base, spans, nspans));
		used += cw;
	}
	return used;
}

int draw_text(int row, int col, int cols, const char *s, size_t n, enum draw_style style)
{
	return draw_spans(row, col, cols, s, n, style, NULL, 0);
}

static const char *line_char(int which)
{
	static const char *const uni[] = { "─", "│", "┬" };
	static const char *const ascii[] = { "-", "|", "+" };
	return scr.utf8 && scr.amb == WRAP_NARROW ? uni[which] : ascii[which];
}

void draw_hline(int row, int col, int cols)
{
	const char *c = line_char(0);
	for (int i = 0; i < cols; i++)
		draw_text(row, col + i, 1, c, strlen(c), STYLE_BORDER);
}

void draw_vline(int row, int col, int rows)
{
	const char *c = line_char(1);
	for (int i = 0; i < rows; i++)
		draw_text(row + i, col, 1, c, strlen(c), STYLE_BORDER);
}

void draw_tee_down(int row, int col)
{
	const char *c = line_char(2);
	draw_text(row, col, 1, c, strlen(c), STYLE_BORDER);
}

void draw_refresh(void)
{
	if (scr.screen && !scr.virtual)
		wrefresh(stdscr);
}

void draw_hold(void)
{
	if (scr.screen && !scr.virtual)
		untouchwin(stdscr);
}

struct input draw_read(int timeout_ms)
{
	struct input in = { .kind = INPUT_NONE };
	if (!scr.screen || scr.virtual)
		return in;
	wtimeout(stdscr, timeout_ms);
	wint_t wc;
	int rc = wget_wch(stdscr, &wc);
	if (rc == ERR)
		return in;
	if (rc == KEY_CODE_YES && wc == KEY_MOUSE) {
		MEVENT ev;
		if (getmouse(&ev) != OK)
			return in;
		in.x = ev.x;
		in.y = ev.y;
		if (ev.bstate & BUTTON4_PRESSED)
			in.kind = INPUT_WHEEL_UP;
		else if (ev.bstate & BUTTON5_PRESSED)
			in.kind = INPUT_WHEEL_DOWN;
		else if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
			in.kind = INPUT_CLICK;
		return in;
	}
	in.kind = INPUT_KEY;
	in.key = rc == KEY_CODE_YES ? (int)(KEYC_SPECIAL | wc) : (int)wc;
	if (in.key == 127 || in.key == 8)
		in.key = KEYC_SPECIAL | KEY_BACKSPACE;
	return in;
}

static void dump_attrs(FILE *out, int w, int h)
{
	fputc('\n', out);
	for (int r = 0; r < h; r++) {
		for (int c = 0; c < w; c++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1];
			attr_t a = 0;
			short pair;
			if (mvwin_wch(stdscr, r, c, &cc) != OK || getcchar(&cc, wc, &a, &pair, NULL) == ERR)
				a = 0;
			int bits = (a & A_BOLD ? 1 : 0) | (a & A_REVERSE ? 2 : 0) | (a & A_DIM ? 4 : 0) | (a & A_UNDERLINE ? 8 : 0);
			fputc(bits ? "0123456789abcdef"[bits] : '.', out);
		}
		fputc('\n', out);
	}
}

void draw_dump(FILE *out, bool attrs)
{
	int w, h;
	draw_size(&w, &h);
	struct sbuf line = { 0 };
	for (int r = 0; r < h; r++) {
		sbuf_reset(&line);
		for (int c = 0; c < w; c++) {
			cchar_t cc;
			wchar_t wc[CCHARW_MAX + 1];
			attr_t a;
			short pair;
			if (mvwin_wch(stdscr, r, c, &cc) != OK || getcchar(&cc, wc, &a, &pair, NULL) == ERR) {
				sbuf_puts(&line, " ");
				continue;
			}
			char buf[4];
			for (int k = 0; k < CCHARW_MAX && wc[k]; k++)
				sbuf_append(&line, buf, utf8_encode((uint32_t)wc[k], buf));
			if (!wc[0])
				sbuf_puts(&line, " ");
			if (wc[0] && wcwidth(wc[0]) == 2)
				c++;	/* the second cell of a wide character */
		}
		size_t n = line.len;
		while (n > 0 && line.data[n - 1] == ' ')
			n--;
		fwrite(line.data ? line.data : "", 1, n, out);
		fputc('\n', out);
	}
	sbuf_free(&line);
	if (attrs)
		dump_attrs(out, w, h);
}
