/* actions: every user action declared once (name, default keys, help text); key
 * dispatch, the help overlay, the config file and the man page's key list all come
 * from this table. */
#ifndef DUGAO_ACTIONS_H
#define DUGAO_ACTIONS_H

#include <stdbool.h>
#include <stdio.h>

/* X(ID, name, default keys separated by spaces, help text) */
#define DUGAO_ACTIONS(X) \
	X(LINE_DOWN, "line-down", "j <Down> <C-n> <C-e>", "one line down (in a list: the next row)") \
	X(LINE_UP, "line-up", "k <Up> <C-p> <C-y>", "one line up (in a list: the previous row)") \
	X(HALF_DOWN, "half-page-down", "<C-d>", "half a page down") \
	X(HALF_UP, "half-page-up", "<C-u>", "half a page up") \
	X(PAGE_DOWN, "page-down", "<Space> <PgDn> f <C-f>", "one page down") \
	X(PAGE_UP, "page-up", "b <PgUp> <C-b>", "one page up") \
	X(START, "start", "g <Home>", "the start of the document") \
	X(END, "end", "G <End>", "the end of the document") \
	X(NEXT_SECTION, "next-section", "]", "the next section at any level") \
	X(PREV_SECTION, "prev-section", "[", "the previous section at any level") \
	X(NEXT_TOP, "next-chapter", "}", "the next top-level section") \
	X(PREV_TOP, "prev-chapter", "{", "the previous top-level section") \
	X(GOTO, "goto", ":", "go to the Nth top-level section (type N and Enter), or to N% with N%") \
	X(BACK, "back", "`", "back to where you jumped from (also '')") \
	X(MARK_SET, "mark-set", "m", "set a mark: m and a letter (kept in the library)") \
	X(MARK_JUMP, "mark-jump", "'", "jump to a mark: ' and a letter") \
	X(ACTIVATE, "activate", "<Enter>", "outline: jump to the section; terms: highlight the term; library: open") \
	X(FOLD_TOGGLE, "fold-toggle", "o", "outline: open or close the section under the cursor") \
	X(FOLD_CLOSE, "fold-close", "h <Left>", "outline: close the section, or go to its parent") \
	X(FOLD_OPEN, "fold-open", "l <Right>", "outline: open the section") \
	X(FOLD_LESS, "fold-less", "-", "outline: show one level less") \
	X(FOLD_MORE, "fold-more", "+ =", "outline: show one level more") \
	X(SEARCH, "search", "/", "search forward, highlighting as you type (in the terms: filter them)") \
	X(SEARCH_BACK, "search-back", "?", "search backward") \
	X(HIT_NEXT, "next-hit", "n", "the next hit of the search or the chosen term") \
	X(HIT_PREV, "prev-hit", "N", "the previous hit") \
	X(CLEAR, "clear", "x <Esc>", "clear highlights and the message") \
	X(FILTER_TERMS, "filter-terms", "F", "terms: show those holding what you type (Enter keeps it, Esc drops it)") \
	X(SECTION_TERMS, "section-terms", "s", "terms: only those of the section being read, counted there (again: all)") \
	X(SEARCH_LIBRARY, "search-library", "S", "search the whole library: a list of hits, Enter opens one") \
	X(NOISE, "toggle-noise", "a", "show or hide noise lines (adverts, watermarks), dimmed") \
	X(FOCUS_NEXT, "focus-next", "<Tab>", "focus the next pane") \
	X(FOCUS_PREV, "focus-prev", "<S-Tab>", "focus the previous pane") \
	X(TOGGLE_OUTLINE, "toggle-outline", "1", "show or hide the outline") \
	X(TOGGLE_TEXT, "toggle-text", "2", "show or hide the text") \
	X(TOGGLE_TERMS, "toggle-terms", "3", "show or hide the terms") \
	X(WIDEN, "widen", ">", "widen the focused pane") \
	X(NARROW, "narrow", "<lt>", "narrow the focused pane") \
	X(LIBRARY, "library", "L", "the document list") \
	X(HELP, "help", "H <F1>", "this help") \
	X(REDRAW, "redraw", "<C-l>", "redraw the screen") \
	X(QUIT, "quit", "q Q", "quit (in the library or help: close it)")

enum action {
	ACT_NONE,
#define X(id, name, keys, help) ACT_##id,
	DUGAO_ACTIONS(X)
#undef X
	ACT_COUNT
};

struct action_info {
	const char *name;	/* as used in the config file */
	const char *keys;	/* default keys, space-separated key names */
	const char *help;	/* one line for the help overlay and the man page */
};

/* Keys: Unicode code points for characters, KEYC_SPECIAL | a curses KEY_* code for
 * the others, so that the two never collide. */
#define KEYC_SPECIAL 0x40000000
#define KEYC_CTRL(c) ((c) & 0x1f)

const struct action_info *action_info(enum action a);
/* The action with this name, ACT_NONE if unknown. */
enum action action_by_name(const char *name);

/* Parses one key name (j, <Down>, <C-d>, <Space>, <F1>, <lt>) at *s, advancing it;
 * -1 if it is not a key name. */
int keyc_parse(const char **s);
/* The name of a key, for help; buf of 16 bytes at least. */
const char *keyc_name(int key, char *buf, size_t len);

/* The key map: defaults from the table, then rebinds from the config file. */
void keymap_init(void);
void keymap_bind(int key, enum action a);
enum action keymap_lookup(int key);
/* The keys bound to an action, for help, as "j, Down" (the defaults if rebinds left none). */
void keymap_describe(enum action a, char *buf, size_t len);

/* Prints the man page's KEYS section (roff) from the table. */
void actions_print_man(FILE *out);

#endif
