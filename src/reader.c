#include "config.h"

#include <ctype.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NCURSES_WIDECHAR 1
#include <curses.h>	/* only for the KEY_* codes */

#include "dugao/actions.h"
#include "dugao/draw.h"
#include "dugao/layout.h"
#include "dugao/library.h"
#include "dugao/outline_pane.h"
#include "dugao/reader.h"
#include "dugao/results.h"
#include "dugao/settings.h"
#include "dugao/store.h"
#include "dugao/terms_pane.h"
#include "dugao/text_pane.h"
#include "dugao/util.h"

enum prompt_kind { PROMPT_NONE, PROMPT_SEARCH, PROMPT_GOTO, PROMPT_FILTER, PROMPT_LIBRARY };
enum pending { PENDING_NONE, PENDING_MARK_SET, PENDING_MARK_JUMP };
enum hit_source { HITS_NONE, HITS_SEARCH, HITS_TERM };

struct reader {
	struct store *st;		/* the library, opened to read */
	struct store *wst;		/* and to write, on the first write (st when it was opened so) */
	char *path;			/* its file, for that */
	bool writable;			/* positions and marks can be saved, as far as is known */
	bool scripted;			/* keys from a script, screen to stdout */
	struct settings set;		/* the config file */
	struct layout lay;		/* pane geometry and focus */
	long doc;			/* the document open, -1 none */
	char *title;			/* its title */
	struct outline_pane *ol;	/* its outline */
	struct text_pane *tp;		/* its text */
	struct terms_pane *tm;		/* its terms */
	struct library *lib;		/* the document list when shown, else NULL */
	struct results *res;		/* the library's search hits when shown, else NULL */
	bool help;			/* the help overlay is up */
	long help_scroll;		/* its first row */
	char msg[300];			/* the message on the status line */
	bool msg_error;			/* shown as an error */
	bool have_back;			/* a place to go back to */
	long back_seq, back_off;	/* where the last jump came from */
	enum pending pending;		/* a key that waits for a letter (m, ') */
	enum prompt_kind prompt;	/* a line being typed on the status line */
	int prompt_dir;			/* search direction of the prompt */
	struct sbuf line;		/* what has been typed */
	long origin_seq, origin_off;	/* where the search prompt began */
	char **history;			/* searches, oldest first */
	size_t nhistory;		/* how many */
	size_t history_at;		/* browsing position (nhistory: the new line) */
	char *search;			/* the search that n/N repeat */
	int search_dir;			/* its direction */
	enum hit_source hits;		/* what n/N step through */
	bool have_hit;			/* the last hit stepped to */
	long hit_seq, hit_off;		/* and where it is */
	long saved_seq, saved_off;	/* the position last written to the store */
	long terms_span;		/* the section the terms pane was counted for, -2 none */
	bool held;			/* the last screen drawn was not sent (keys typed ahead) */
	bool quit;			/* leave the loop */
};

static volatile sig_atomic_t got_signal;	/* SIGINT, SIGTERM or SIGHUP arrived */

static void on_signal(int sig)
{
	got_signal = sig;
}

static void on_fatal(int sig)
{
	/* restore the terminal before the default action (core, message) takes place */
	draw_close();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
}

static void message(struct reader *r, bool error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void message(struct reader *r, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof r->msg, fmt, ap);
	va_end(ap);
	r->msg_error = error;
}

/* A store error while reading: the terminal comes back first, then one line. */
static void fatal(struct reader *r, const char *what)
{
	draw_close();
	fprintf(stderr, "dugao: %s\n", what && *what ? what : store_error(r->st));
	exit(EXIT_FAILURE);
}

static void check(struct reader *r, int rc)
{
	if (rc < 0)
		fatal(r, r->tp ? text_pane_error(r->tp) : store_error(r->st));
}

/* Reads held in one transaction while keys are being handled (store_read_hold): the
 * log's read lock taken once, not per statement. Never while waiting for a key, and
 * never on a connection that also writes. */
static void hold_reads(struct reader *r, bool hold)
{
	if (r->st && r->st != r->wst)
		store_read_hold(r->st, hold);
}

/* The library opened for writing: a reading that moves nowhere never opens it (the
 * checkpoint and the log files a writer makes and removes cost a tenth of an opening).
 * NULL when it cannot be written. */
static struct store *writer(struct reader *r)
{
	hold_reads(r, false);	/* so that the reading connection sees what is written */
	if (!r->wst && r->writable) {
		char err[700];
		if (store_open(r->path, STORE_WRITE, &r->wst, err, sizeof err) != 0)
			r->writable = false;
	}
	return r->wst;
}

static void save_position(struct reader *r)
{
	if (r->doc < 0 || !r->tp || !r->writable)
		return;
	long seq, off;
	text_pane_position(r->tp, &seq, &off);
	if (seq == r->saved_seq && off == r->saved_off)
		return;
	struct store *w = writer(r);
	if (w && store_position_set(w, r->doc, seq, off) == 0) {
		r->saved_seq = seq;
		r->saved_off = off;
		/* the library list shows how far each document has been read */
		char key[40], v[16];
		snprintf(key, sizeof key, "progress:%ld", r->doc);
		snprintf(v, sizeof v, "%d", text_pane_percent(r->tp));
		store_state_set(w, key, v);
	}
}

static void close_doc(struct reader *r)
{
	save_position(r);
	text_pane_free(r->tp);
	outline_pane_free(r->ol);
	terms_pane_free(r->tm);
	free(r->title);
	r->tp = NULL;
	r->ol = NULL;
	r->tm = NULL;
	r->title = NULL;
	r->doc = -1;
	r->have_back = r->have_hit = false;
	r->hits = HITS_NONE;
}

/* The text gets a column of margin on each side when there is room. */
static struct rect text_rect(const struct reader *r)
{
	struct rect t = r->lay.pane[PANE_TEXT];
	if (t.w >= 16) {
		t.x += 1;
		t.w -= 2;
	}
	return t;
}

static void apply_size(struct reader *r)
{
	int w, h;
	draw_size(&w, &h);
	layout_compute(&r->lay, w, h);
	struct rect t = text_rect(r);
	/* a hidden text pane keeps its last size, and with it the position */
	if (r->tp && t.w > 0 && t.h > 0)
		check(r, text_pane_set_size(r->tp, t.w, t.h));
}

static void update_section_terms(struct reader *r);

static void follow(struct reader *r)
{
	if (!r->tp)
		return;
	long seq, off;
	text_pane_position(r->tp, &seq, &off);
	outline_pane_set_position(r->ol, seq, off, r->lay.focus != PANE_OUTLINE);
	update_section_terms(r);
}

static int open_doc(struct reader *r, long id)
{
	close_doc(r);
	struct doc_info d;
	if (store_doc_info(r->st, id, &d) < 0)
		return -1;
	r->title = xstrdup(d.title);
	doc_info_clear(&d);
	r->doc = id;
	r->ol = outline_pane_new(r->st, id, r->title, r->set.ambiguous);
	r->tm = terms_pane_new(r->st, id, r->set.ambiguous);
	if (!r->ol || !r->tm)
		return -1;
	r->tp = text_pane_new(r->st, id, r->set.ambiguous);
	text_pane_set_sections(r->tp, outline_pane_shape(r->ol));
	struct shape *sh;
	if (outline_pane_shape_old(r->ol) && writer(r) && store_section_shape(r->wst, id, &sh) >= 0)
		shape_free(sh);	/* converted in the file, once: later openings read it as it is */
	apply_size(r);
	long seq = 0, off = 0;
	int found = store_position_get(r->st, id, &seq, &off);
	if (found < 0)
		return -1;
	r->saved_seq = found ? seq : -1;
	r->saved_off = found ? off : -1;
	check(r, found ? text_pane_goto(r->tp, seq, off) : text_pane_start(r->tp));
	if (r->writable) {
		/* written only when it changes: a write costs a sync at close */
		char v[32];
		snprintf(v, sizeof v, "%ld", id);
		char *last = store_state_get(r->st, "last_doc");
		if ((!last || strcmp(last, v) != 0) && writer(r))
			store_state_set(r->wst, "last_doc", v);
		free(last);
	}
	follow(r);
	return 0;
}

static void open_library(struct reader *r)
{
	library_free(r->lib);
	r->lib = library_new(r->st, r->set.ambiguous);
	if (!r->lib)
		fatal(r, NULL);
	if (r->doc >= 0)
		library_select(r->lib, r->doc);
}

static void open_results(struct reader *r, const char *query)
{
	if (!*query)
		return;
	struct results *res = results_new(r->st, query, 1000);
	if (!res) {
		message(r, true, "%s", store_error(r->st));
		return;
	}
	if (results_count(res) == 0) {
		message(r, true, "no hits in the library: %s", query);
		results_free(res);
		return;
	}
	results_free(r->res);
	r->res = res;
}

static void close_results(struct reader *r)
{
	results_free(r->res);
	r->res = NULL;
}

/* --- jumps --- */

static void jump_to(struct reader *r, long seq, long off, bool show)
{
	long cs, co;
	text_pane_position(r->tp, &cs, &co);
	r->have_back = true;
	r->back_seq = cs;
	r->back_off = co;
	check(r, show ? text_pane_show(r->tp, seq, off) : text_pane_goto(r->tp, seq, off));
}

static void jump_section(struct reader *r, long i)
{
	struct shape *sh = outline_pane_shape(r->ol);
	if (i < 0 || (size_t)i >= shape_count(sh))
		return;
	struct section_shape s = shape_section(sh, (size_t)i);
	jump_to(r, s.para, s.offset, false);
}

static void next_section(struct reader *r, int dir, bool top)
{
	long seq, off;
	text_pane_position(r->tp, &seq, &off);
	long i = outline_pane_next(r->ol, seq, off, dir, top);
	if (i < 0) {
		message(r, false, dir > 0 ? "no section after this one" : "no section before this one");
		return;
	}
	jump_section(r, i);
}

static void go_back(struct reader *r)
{
	if (!r->have_back) {
		message(r, false, "no jump to go back from");
		return;
	}
	jump_to(r, r->back_seq, r->back_off, false);
}

static void mark_letter(struct reader *r, int key)
{
	enum pending p = r->pending;
	r->pending = PENDING_NONE;
	if (key == 27)
		return;	/* Esc: no mark after all */
	if (p == PENDING_MARK_JUMP && (key == '\'' || key == '`')) {
		go_back(r);
		return;
	}
	if (key >= 0x80 || !isalpha(key)) {
		message(r, true, "a mark is a letter (a-z, A-Z)");
		return;
	}
	char name[2] = { (char)key, 0 };
	long seq, off;
	if (p == PENDING_MARK_SET) {
		text_pane_position(r->tp, &seq, &off);
		if (!writer(r) || store_mark_set(r->wst, r->doc, name, seq, off) < 0)
			message(r, true, "mark %s not kept: %s", name, r->wst ? store_error(r->wst) : "the library is read-only");
		else
			message(r, false, "mark %s set", name);
		return;
	}
	int rc = store_mark_get(r->st, r->doc, name, &seq, &off);
	if (rc < 0)
		fatal(r, NULL);
	if (rc == 0)
		message(r, true, "no mark %s", name);
	else
		jump_to(r, seq, off, false);
}

/* --- hits: search and terms --- */

static void show_rank(struct reader *r)
{
	long total = text_pane_count_search(r->tp);
	long rank = text_pane_search_rank(r->tp, r->hit_seq, r->hit_off);
	if (total < 0)
		fatal(r, text_pane_error(r->tp));
	if (rank > 0)
		message(r, false, "/%s %ld/%ld", r->search, rank, total);
	else
		message(r, false, "/%s %ld hits", r->search, total);
}

static void step_hit(struct reader *r, int dir)
{
	long seq, off, hs, ho;
	if (r->have_hit) {
		seq = r->hit_seq;
		off = r->hit_off;
	} else {
		text_pane_position(r->tp, &seq, &off);
		if (dir > 0)
			off--;	/* a hit at the very top counts as the next one */
	}
	bool wrapped = false;
	int rc;
	if (r->hits == HITS_SEARCH) {
		int d = dir * r->search_dir;
		rc = text_pane_find(r->tp, seq, off, d, &hs, &ho);
		if (rc == 0) {
			wrapped = true;
			rc = text_pane_find(r->tp, d > 0 ? -1 : 0x7fffffffL, d > 0 ? -1 : 0, d, &hs, &ho);
		}
		check(r, rc);
		if (rc == 0) {
			message(r, true, "not found: %s", r->search);
			return;
		}
		jump_to(r, hs, ho, true);
		r->have_hit = true;
		r->hit_seq = hs;
		r->hit_off = ho;
		show_rank(r);
		if (wrapped) {
			char rank[sizeof r->msg];	/* not r->msg itself: printing into its own source */
			snprintf(rank, sizeof rank, "%s", r->msg);
			message(r, false, "%s · %s", rank, d > 0 ? "from the top" : "from the bottom");
		}
		return;
	}
	if (r->hits == HITS_TERM) {
		const char *text = NULL;
		long term = terms_pane_chosen(r->tm, &text);
		if (term < 0) {
			message(r, false, "no term chosen: Enter on a term lights it");
			return;
		}
		rc = store_hit_near(r->st, term, seq, off, dir > 0, &hs, &ho);
		if (rc == 0) {
			wrapped = true;
			rc = store_hit_near(r->st, term, dir > 0 ? -1 : 0x7fffffffL, dir > 0 ? -1 : 0, dir > 0, &hs, &ho);
		}
		if (rc < 0)
			fatal(r, NULL);
		if (rc == 0) {
			message(r, true, "no hits of %s", text);
			return;
		}
		jump_to(r, hs, ho, true);
		r->have_hit = true;
		r->hit_seq = hs;
		r->hit_off = ho;
		long rank = store_hit_rank(r->st, term, hs, ho);
		message(r, false, "%s %ld/%ld%s", text, rank, terms_pane_chosen_count(r->tm),
			wrapped ? (dir > 0 ? " · from the top" : " · from the bottom") : "");
		return;
	}
	message(r, false, "nothing to step through: / searches, Enter in the terms lights a term");
}

static int outline_hit(void *ctx, long para, long offset, long length)
{
	(void)length;
	outline_pane_add_hit(ctx, para, offset);
	return 0;
}

static void update_terms(struct reader *r)
{
	struct tp_term lit[STYLE_TERM_COUNT];
	size_t n = terms_pane_lit(r->tm, lit, STYLE_TERM_COUNT);
	text_pane_set_terms(r->tp, lit, n);
	/* the outline shows where they fall */
	outline_pane_clear_hits(r->ol);
	for (size_t i = 0; i < n; i++)
		if (store_each_hit(r->st, lit[i].id, 0, 0x7fffffffL, outline_hit, r->ol) < 0)
			fatal(r, NULL);
}

/* The terms pane restricted to the section being read follows the reading. */
static void update_section_terms(struct reader *r)
{
	if (!r->tm || !terms_pane_section_only(r->tm))
		return;
	long fp, fo, tp, to;
	outline_pane_current_span(r->ol, &fp, &fo, &tp, &to);
	if (r->terms_span == fp * 4096 + fo)
		return;
	r->terms_span = fp * 4096 + fo;
	if (terms_pane_set_section(r->tm, r->st, fp, fo, tp, to) < 0)
		fatal(r, NULL);
}

/* --- the prompt --- */

static void prompt_start(struct reader *r, enum prompt_kind kind, int dir)
{
	r->prompt = kind;
	r->prompt_dir = dir;
	sbuf_reset(&r->line);
	sbuf_puts(&r->line, "");
	r->history_at = r->nhistory;
	text_pane_position(r->tp, &r->origin_seq, &r->origin_off);
	r->msg[0] = '\0';
}

/* Incremental search: the view moves to the first hit from where the prompt began. */
static void prompt_search_update(struct reader *r)
{
	text_pane_set_search(r->tp, r->line.data);
	if (!r->line.len) {
		check(r, text_pane_goto(r->tp, r->origin_seq, r->origin_off));
		return;
	}
	long hs, ho;
	int rc = text_pane_find(r->tp, r->origin_seq, r->prompt_dir > 0 ? r->origin_off - 1 : r->origin_off,
				r->prompt_dir, &hs, &ho);
	if (rc == 0)
		rc = text_pane_find(r->tp, r->prompt_dir > 0 ? -1 : 0x7fffffffL, r->prompt_dir > 0 ? -1 : 0,
				    r->prompt_dir, &hs, &ho);
	check(r, rc);
	if (rc == 0) {
		check(r, text_pane_goto(r->tp, r->origin_seq, r->origin_off));
		message(r, true, "not found");
		return;
	}
	r->msg[0] = '\0';
	check(r, text_pane_goto(r->tp, r->origin_seq, r->origin_off));
	check(r, text_pane_show(r->tp, hs, ho));
	r->have_hit = true;
	r->hit_seq = hs;
	r->hit_off = ho;
}

static void prompt_commit(struct reader *r)
{
	enum prompt_kind kind = r->prompt;
	r->prompt = PROMPT_NONE;
	char *text = xstrdup(r->line.data ? r->line.data : "");
	if (kind == PROMPT_FILTER) {
		r->msg[0] = '\0';
		if (*text)
			message(r, false, "terms holding %s: %zu (F and Esc show all)", text, terms_pane_shown(r->tm));
		free(text);
		return;
	}
	if (kind == PROMPT_LIBRARY) {
		open_results(r, text);
		free(text);
		return;
	}
	if (kind == PROMPT_GOTO) {
		char *end;
		long n = strtol(text, &end, 10);
		if (*text && *end == '%' && !end[1]) {
			/* a share of the document, measured in paragraphs */
			check(r, text_pane_start(r->tp));
			long first, last, count;
			if (store_para_range(r->st, r->doc, text_pane_noise(r->tp), &first, &last, &count) < 0)
				fatal(r, NULL);
			long seq = first + (last - first) * (n < 0 ? 0 : n > 100 ? 100 : n) / 100;
			jump_to(r, seq, 0, false);
		} else if (*text && !*end && n > 0) {
			long i = outline_pane_nth_top(r->ol, n);
			if (i < 0)
				message(r, true, "there is no top-level section %ld", n);
			else
				jump_section(r, i);
		} else if (*text) {
			message(r, true, "go to: a number N (the Nth top-level section) or N%%");
		}
		free(text);
		return;
	}
	if (!*text) {
		/* an empty search repeats the last one, as in less and vim */
		free(text);
		if (!r->search) {
			text_pane_set_search(r->tp, NULL);
			return;
		}
		text = xstrdup(r->search);
		text_pane_set_search(r->tp, text);
		r->search_dir = r->prompt_dir;
		r->hits = HITS_SEARCH;
		free(text);
		step_hit(r, 1);
		return;
	}
	if (!r->nhistory || strcmp(r->history[r->nhistory - 1], text) != 0) {
		r->history = xrealloc(r->history, (r->nhistory + 1) * sizeof *r->history);
		r->history[r->nhistory++] = xstrdup(text);
	}
	free(r->search);
	r->search = text;
	r->search_dir = r->prompt_dir;
	r->hits = HITS_SEARCH;
	if (r->have_hit && !r->msg_error) {
		long cs, co;
		text_pane_position(r->tp, &cs, &co);
		r->have_back = true;
		r->back_seq = r->origin_seq;
		r->back_off = r->origin_off;
		show_rank(r);
	}
}

static void prompt_key(struct reader *r, int key)
{
	if (key == 27) {
		if (r->prompt == PROMPT_SEARCH) {
			text_pane_set_search(r->tp, r->search);
			check(r, text_pane_goto(r->tp, r->origin_seq, r->origin_off));
		}
		if (r->prompt == PROMPT_FILTER)
			terms_pane_set_filter(r->tm, NULL);
		r->prompt = PROMPT_NONE;
		r->msg[0] = '\0';
		return;
	}
	if (key == '\n' || key == '\r' || key == (KEYC_SPECIAL | KEY_ENTER)) {
		prompt_commit(r);
		return;
	}
	bool changed = false;
	if (key == (KEYC_SPECIAL | KEY_BACKSPACE) || key == 127 || key == 8) {
		if (r->line.len == 0) {
			prompt_key(r, 27);
			return;
		}
		size_t n = r->line.len;
		while (n > 0 && ((unsigned char)r->line.data[n - 1] & 0xC0) == 0x80)
			n--;
		r->line.len = n ? n - 1 : 0;
		r->line.data[r->line.len] = '\0';
		changed = true;
	} else if (key == KEYC_CTRL('u')) {
		sbuf_reset(&r->line);
		sbuf_puts(&r->line, "");
		changed = true;
	} else if ((key == (KEYC_SPECIAL | KEY_UP) || key == (KEYC_SPECIAL | KEY_DOWN)) && r->prompt == PROMPT_SEARCH) {
		if (key == (KEYC_SPECIAL | KEY_UP) && r->history_at > 0)
			r->history_at--;
		else if (key == (KEYC_SPECIAL | KEY_DOWN) && r->history_at < r->nhistory)
			r->history_at++;
		sbuf_reset(&r->line);
		sbuf_puts(&r->line, r->history_at < r->nhistory ? r->history[r->history_at] : "");
		changed = true;
	} else if (!(key & KEYC_SPECIAL) && key >= 0x20 && key != 0x7F && !(key >= 0x80 && key < 0xA0)) {
		char buf[4];
		sbuf_append(&r->line, buf, utf8_encode((uint32_t)key, buf));
		changed = true;
	}
	if (changed && r->prompt == PROMPT_SEARCH)
		prompt_search_update(r);
	if (changed && r->prompt == PROMPT_FILTER) {
		terms_pane_set_filter(r->tm, r->line.data);
		message(r, false, "%zu of %zu", terms_pane_shown(r->tm), terms_pane_count(r->tm));
	}
}

/* --- dispatch --- */

static int list_page(const struct reader *r)
{
	int h = r->lay.rows - 2;
	return h > 1 ? h - 1 : 1;
}

/* Actions of a list (outline, terms, library): true when handled. */
static bool list_action(struct reader *r, enum action a, void (*step)(void *, long), void (*step_to)(void *, bool), void *pane)
{
	switch (a) {
	case ACT_LINE_DOWN: step(pane, 1); return true;
	case ACT_LINE_UP: step(pane, -1); return true;
	case ACT_HALF_DOWN: step(pane, list_page(r) / 2); return true;
	case ACT_HALF_UP: step(pane, -list_page(r) / 2); return true;
	case ACT_PAGE_DOWN: step(pane, list_page(r)); return true;
	case ACT_PAGE_UP: step(pane, -list_page(r)); return true;
	case ACT_START: step_to(pane, false); return true;
	case ACT_END: step_to(pane, true); return true;
	default: return false;
	}
}

static void ol_move(void *p, long d) { outline_pane_move(p, d); }
static void ol_move_to(void *p, bool e) { outline_pane_move_to(p, e); }
static void tm_move(void *p, long d) { terms_pane_move(p, d); }
static void tm_move_to(void *p, bool e) { terms_pane_move_to(p, e); }
static void lib_move(void *p, long d) { library_move(p, d); }
static void lib_move_to(void *p, bool e) { library_move_to(p, e); }

static void outline_activate(struct reader *r)
{
	long i = outline_pane_selected(r->ol);
	if (i < 0)
		jump_to(r, -1, 0, false);
	else
		jump_section(r, i);
	follow(r);
	if (r->lay.narrow)
		layout_toggle(&r->lay, PANE_TEXT);
}

static void terms_activate(struct reader *r)
{
	if (terms_pane_count(r->tm) == 0)
		return;
	if (!terms_pane_toggle(r->tm)) {
		message(r, true, "%d terms lit already: Enter on one turns it off, x clears all", STYLE_TERM_COUNT);
		return;
	}
	update_terms(r);
	const char *text;
	if (terms_pane_chosen(r->tm, &text) >= 0) {
		r->hits = HITS_TERM;
		r->have_hit = false;
		message(r, false, "%s lit: n/N step through its hits", text);
	}
}

static void library_open_selected(struct reader *r)
{
	long id = library_selected(r->lib);
	if (id < 0)
		return;
	library_free(r->lib);
	r->lib = NULL;
	if (id != r->doc && open_doc(r, id) < 0)
		fatal(r, NULL);
}

static void res_move(void *p, long d) { results_move(p, d); }
static void res_move_to(void *p, bool e) { results_move_to(p, e); }

/* Opens the document of the hit under the cursor at the hit, lit as a search. */
static void results_open_selected(struct reader *r)
{
	const struct result *h = results_selected(r->res);
	if (!h)
		return;
	long doc = h->doc, para = h->para, offset = h->offset;
	char *hit = xstrdup(h->hit);
	close_results(r);
	if (doc != r->doc && open_doc(r, doc) < 0)
		fatal(r, NULL);
	free(r->search);
	r->search = hit;
	r->search_dir = 1;
	r->hits = HITS_SEARCH;
	text_pane_set_search(r->tp, hit);
	jump_to(r, para, offset, true);
	r->have_hit = true;
	r->hit_seq = para;
	r->hit_off = offset;
	show_rank(r);
}

static void do_action(struct reader *r, enum action a)
{
	if (r->help) {
		if (a == ACT_LINE_DOWN || a == ACT_PAGE_DOWN || a == ACT_HALF_DOWN)
			r->help_scroll += a == ACT_LINE_DOWN ? 1 : list_page(r);
		else if (a == ACT_LINE_UP || a == ACT_PAGE_UP || a == ACT_HALF_UP)
			r->help_scroll -= a == ACT_LINE_UP ? 1 : list_page(r);
		else if (a == ACT_START)
			r->help_scroll = 0;
		else
			r->help = false;
		if (r->help_scroll < 0)
			r->help_scroll = 0;
		if (r->help_scroll > ACT_COUNT - 2)
			r->help_scroll = ACT_COUNT - 2;
		return;
	}
	if (r->res) {
		if (list_action(r, a, res_move, res_move_to, r->res))
			return;
		if (a == ACT_ACTIVATE)
			results_open_selected(r);
		else if (a == ACT_QUIT || a == ACT_CLEAR || a == ACT_SEARCH_LIBRARY)
			close_results(r);
		else if (a == ACT_HELP)
			r->help = true, r->help_scroll = 0;
		return;
	}
	if (r->lib) {
		if (list_action(r, a, lib_move, lib_move_to, r->lib))
			return;
		if (a == ACT_ACTIVATE) {
			library_open_selected(r);
		} else if (a == ACT_QUIT || a == ACT_LIBRARY || a == ACT_CLEAR) {
			library_free(r->lib);
			r->lib = NULL;
			if (r->doc < 0)
				r->quit = true;
		} else if (a == ACT_HELP) {
			r->help = true;
			r->help_scroll = 0;
		}
		return;
	}
	if (r->lay.focus == PANE_OUTLINE) {
		if (list_action(r, a, ol_move, ol_move_to, r->ol))
			return;
		switch (a) {
		case ACT_ACTIVATE: outline_activate(r); return;
		case ACT_FOLD_TOGGLE: outline_pane_fold(r->ol, 0); return;
		case ACT_FOLD_CLOSE: outline_pane_fold(r->ol, -1); return;
		case ACT_FOLD_OPEN: outline_pane_fold(r->ol, 1); return;
		case ACT_FOLD_LESS: outline_pane_levels(r->ol, -1); return;
		case ACT_FOLD_MORE: outline_pane_levels(r->ol, 1); return;
		default: break;
		}
	} else if (r->lay.focus == PANE_TERMS) {
		if (list_action(r, a, tm_move, tm_move_to, r->tm))
			return;
		if (a == ACT_ACTIVATE) {
			terms_activate(r);
			return;
		}
		if (a == ACT_SEARCH) {
			do_action(r, ACT_FILTER_TERMS);
			return;
		}
	}
	switch (a) {
	case ACT_LINE_DOWN: check(r, text_pane_scroll(r->tp, 1)); r->have_hit = false; break;
	case ACT_LINE_UP: check(r, text_pane_scroll(r->tp, -1)); r->have_hit = false; break;
	case ACT_HALF_DOWN: check(r, text_pane_page(r->tp, 1, true)); r->have_hit = false; break;
	case ACT_HALF_UP: check(r, text_pane_page(r->tp, -1, true)); r->have_hit = false; break;
	case ACT_PAGE_DOWN: check(r, text_pane_page(r->tp, 1, false)); r->have_hit = false; break;
	case ACT_PAGE_UP: check(r, text_pane_page(r->tp, -1, false)); r->have_hit = false; break;
	case ACT_START: jump_to(r, -1, 0, false); break;
	case ACT_END: {
		long cs, co;
		text_pane_position(r->tp, &cs, &co);
		r->have_back = true;
		r->back_seq = cs;
		r->back_off = co;
		check(r, text_pane_end(r->tp));
		break;
	}
	case ACT_NEXT_SECTION: next_section(r, 1, false); break;
	case ACT_PREV_SECTION: next_section(r, -1, false); break;
	case ACT_NEXT_TOP: next_section(r, 1, true); break;
	case ACT_PREV_TOP: next_section(r, -1, true); break;
	case ACT_GOTO: prompt_start(r, PROMPT_GOTO, 1); break;
	case ACT_BACK: go_back(r); break;
	case ACT_MARK_SET: r->pending = PENDING_MARK_SET; break;
	case ACT_MARK_JUMP: r->pending = PENDING_MARK_JUMP; break;
	case ACT_SEARCH: prompt_start(r, PROMPT_SEARCH, 1); break;
	case ACT_SEARCH_BACK: prompt_start(r, PROMPT_SEARCH, -1); break;
	case ACT_HIT_NEXT: step_hit(r, 1); break;
	case ACT_HIT_PREV: step_hit(r, -1); break;
	case ACT_CLEAR:
		terms_pane_clear(r->tm);
		update_terms(r);
		text_pane_set_search(r->tp, NULL);
		r->hits = HITS_NONE;
		r->have_hit = false;
		r->msg[0] = '\0';
		break;
	case ACT_FILTER_TERMS:
		if (r->lay.pane[PANE_TERMS].w <= 0)
			layout_toggle(&r->lay, PANE_TERMS), apply_size(r);
		r->lay.focus = PANE_TERMS;
		prompt_start(r, PROMPT_FILTER, 1);
		terms_pane_set_filter(r->tm, NULL);
		break;
	case ACT_SECTION_TERMS:
		r->terms_span = -2;
		check(r, terms_pane_set_section(r->tm, r->st, terms_pane_section_only(r->tm) ? -1 : 0, 0, -1, 0));
		update_section_terms(r);
		message(r, false, terms_pane_section_only(r->tm) ? "terms of this section only (s: all)" : "terms of the whole document");
		break;
	case ACT_SEARCH_LIBRARY: prompt_start(r, PROMPT_LIBRARY, 1); break;
	case ACT_NOISE:
		check(r, text_pane_set_noise(r->tp, !text_pane_noise(r->tp)));
		message(r, false, text_pane_noise(r->tp) ? "noise lines shown (dimmed)" : "noise lines hidden");
		break;
	case ACT_FOCUS_NEXT: layout_focus_step(&r->lay, 1); apply_size(r); break;
	case ACT_FOCUS_PREV: layout_focus_step(&r->lay, -1); apply_size(r); break;
	case ACT_TOGGLE_OUTLINE: layout_toggle(&r->lay, PANE_OUTLINE); apply_size(r); break;
	case ACT_TOGGLE_TEXT: layout_toggle(&r->lay, PANE_TEXT); apply_size(r); break;
	case ACT_TOGGLE_TERMS: layout_toggle(&r->lay, PANE_TERMS); apply_size(r); break;
	case ACT_WIDEN: layout_adjust(&r->lay, 2); apply_size(r); break;
	case ACT_NARROW: layout_adjust(&r->lay, -2); apply_size(r); break;
	case ACT_LIBRARY: open_library(r); break;
	case ACT_HELP: r->help = true; r->help_scroll = 0; break;
	case ACT_REDRAW: apply_size(r); break;
	case ACT_QUIT: r->quit = true; break;
	case ACT_ACTIVATE:
	case ACT_FOLD_TOGGLE:
	case ACT_FOLD_CLOSE:
	case ACT_FOLD_OPEN:
	case ACT_FOLD_LESS:
	case ACT_FOLD_MORE:
	case ACT_NONE:
	case ACT_COUNT:
		break;
	}
}

static void handle_key(struct reader *r, int key)
{
	if (key == (KEYC_SPECIAL | KEY_RESIZE)) {
		apply_size(r);
		return;
	}
	if (r->prompt != PROMPT_NONE) {
		prompt_key(r, key);
		follow(r);
		return;
	}
	if (r->pending != PENDING_NONE && !r->lib && !r->res && !r->help) {
		mark_letter(r, key);
		follow(r);
		return;
	}
	enum action a = keymap_lookup(key);
	if (a == ACT_NONE) {
		if (!r->help && !r->lib && !r->res && key != 27) {
			char name[16];
			message(r, false, "%s: no action (H or F1 for help)", keyc_name(key, name, sizeof name));
		} else if (r->help) {
			r->help = false;
		}
		return;
	}
	if (a != ACT_CLEAR && !r->help)
		r->msg_error = false, r->msg[0] = '\0';
	if (!r->tp && !r->lib && a != ACT_QUIT)
		return;
	do_action(r, a);
	if (!r->lib && !r->res && !r->help)
		follow(r);
}

static void handle_mouse(struct reader *r, const struct input *in)
{
	if (r->help) {
		r->help = false;
		return;
	}
	if (r->res) {
		int top = r->lay.header ? 1 : 0;
		if (in->kind == INPUT_CLICK && results_click(r->res, in->y - top))
			results_open_selected(r);
		else if (in->kind != INPUT_CLICK)
			results_move(r->res, in->kind == INPUT_WHEEL_DOWN ? 1 : -1);
		return;
	}
	if (r->lib) {
		int top = r->lay.header ? 1 : 0;
		if (in->kind == INPUT_CLICK && library_click(r->lib, in->y - top))
			library_open_selected(r);
		else if (in->kind != INPUT_CLICK)
			library_move(r->lib, in->kind == INPUT_WHEEL_DOWN ? 3 : -3);
		return;
	}
	enum pane_id p = layout_pane_at(&r->lay, in->x, in->y);
	if (p == PANE_COUNT)
		return;
	int row = in->y - r->lay.pane[p].y;
	if (in->kind != INPUT_CLICK) {
		int d = in->kind == INPUT_WHEEL_DOWN ? 3 : -3;
		if (p == PANE_TEXT) {
			check(r, text_pane_scroll(r->tp, d));
			r->have_hit = false;
		} else if (p == PANE_OUTLINE) {
			outline_pane_move(r->ol, d);
		} else {
			terms_pane_move(r->tm, d);
		}
		follow(r);
		return;
	}
	r->lay.focus = p;
	if (p == PANE_OUTLINE && outline_pane_click(r->ol, row))
		outline_activate(r);
	else if (p == PANE_TERMS && terms_pane_click(r->tm, row))
		terms_activate(r);
	follow(r);
}

/* --- drawing --- */

static void render_help(struct reader *r, const struct rect *area)
{
	struct sbuf b = { 0 };
	for (int y = 0; y < area->h; y++) {
		long a = r->help_scroll + 1 + y;
		if (a >= ACT_COUNT)
			break;
		char keys[96];
		keymap_describe((enum action)a, keys, sizeof keys);
		sbuf_reset(&b);
		sbuf_printf(&b, " %-18s %s", keys, action_info((enum action)a)->help);
		draw_text(area->y + y, area->x, area->w, b.data, b.len, STYLE_TEXT);
		draw_text(area->y + y, area->x + 1, 18, keys, strlen(keys), STYLE_HEADING1);
	}
	sbuf_free(&b);
}

static void render_header(struct reader *r)
{
	const struct layout *l = &r->lay;
	if (!l->header)
		return;
	draw_hline(l->header_row, 0, l->cols);
	if (r->lib || r->res || r->help) {
		const char *t = r->help ? " help " : r->res ? " search the library " : " library ";
		draw_text(l->header_row, 1, l->cols - 1, t, strlen(t), STYLE_PANE_FOCUS);
		return;
	}
	for (int i = 0; i < PANE_COUNT; i++) {
		const struct rect *p = &l->pane[i];
		if (p->w <= 0)
			continue;
		char t[32];
		int n = snprintf(t, sizeof t, " %s ", layout_pane_name((enum pane_id)i));
		draw_text(l->header_row, p->x + (p->w > 1 ? 1 : 0), p->w - 1, t, (size_t)n,
			  l->focus == (enum pane_id)i ? STYLE_PANE_FOCUS : STYLE_PANE_TITLE);
		if (p->x + p->w < l->cols) {
			draw_tee_down(l->header_row, p->x + p->w);
			draw_vline(p->y, p->x + p->w, p->h);
		}
	}
}

static void render_status(struct reader *r)
{
	const struct rect *s = &r->lay.status;
	if (s->h <= 0 || s->w <= 0)
		return;
	draw_fill(s->y, 0, s->w, STYLE_STATUS);
	struct sbuf b = { 0 };
	if (r->prompt != PROMPT_NONE) {
		sbuf_puts(&b, r->prompt == PROMPT_GOTO ? "go to section: " : r->prompt == PROMPT_FILTER ? "filter terms: " :
			  r->prompt == PROMPT_LIBRARY ? "search the library: " : r->prompt_dir > 0 ? "/" : "?");
		sbuf_puts(&b, r->line.data ? r->line.data : "");
		if (r->msg[0]) {
			sbuf_puts(&b, "  ·  ");
			sbuf_puts(&b, r->msg);
		}
		/* keep the end of a long line in view: it is where the typing happens */
		size_t w = wrap_width(b.data, b.len, r->set.ambiguous);
		size_t skip = 0;
		while (w >= (size_t)s->w && skip < b.len) {
			uint32_t cp;
			size_t k = utf8_decode(b.data + skip, b.len - skip, &cp);
			w -= (size_t)wrap_char_width(cp, r->set.ambiguous);
			skip += k;
		}
		draw_text(s->y, 0, s->w, b.data + skip, b.len - skip, STYLE_STATUS);
		sbuf_free(&b);
		return;
	}
	char pct[16] = "";
	if (r->res && !r->help)
		sbuf_printf(&b, "%s: %zu%s hits · Enter opens · q returns", results_query(r->res), results_count(r->res),
			    results_more(r->res) ? "+" : "");
	else if (r->lib)
		sbuf_printf(&b, "%zu documents · Enter opens · q %s", library_count(r->lib), r->doc >= 0 ? "returns" : "quits");
	else if (r->help)
		sbuf_puts(&b, "keys · j/k scroll · any other key closes");
	else if (r->tp) {
		char path[256];
		outline_pane_path(r->ol, path, sizeof path);
		sbuf_puts(&b, path[0] ? path : r->title);
		snprintf(pct, sizeof pct, "%d%%", text_pane_percent(r->tp));
	}
	struct sbuf right = { 0 };
	if (r->pending != PENDING_NONE)
		sbuf_puts(&right, r->pending == PENDING_MARK_SET ? "mark: " : "go to mark: ");
	if (pct[0])
		sbuf_puts(&right, pct);
	if (r->msg[0]) {
		if (right.len)
			sbuf_puts(&right, "  ·  ");
		sbuf_puts(&right, r->msg);
	}
	int rw = right.len ? (int)wrap_width(right.data, right.len, r->set.ambiguous) : 0;
	int lw = s->w - rw - (rw ? 5 : 0);
	int x = 0;
	if (lw >= 6 && b.len) {
		x = draw_text(s->y, 0, lw, b.data, b.len, STYLE_STATUS);
		if (rw) {
			draw_text(s->y, x, 5, "  ·  ", 7, STYLE_STATUS);
			x += 5;
		}
	}
	if (right.len)
		draw_text(s->y, x, s->w - x, right.data, right.len, r->msg_error ? STYLE_MESSAGE : STYLE_STATUS);
	sbuf_free(&right);
	sbuf_free(&b);
}

/* paint false: no drawing, only what drawing changes besides the screen (each pane's
 * cursor kept in view of its height), for a screen that would not be sent: the next
 * one is then the same as if this one had been drawn. */
static void render(struct reader *r, bool paint)
{
	if (paint) {
		draw_erase();
		render_header(r);
	}
	const struct layout *l = &r->lay;
	int top = l->header ? 1 : 0;
	struct rect full = { 0, top, l->cols, l->rows - 1 - top };
	if (full.h < 0)
		full.h = 0;
	if (r->help) {
		if (paint)
			render_help(r, &full);
	} else if (r->res) {
		(paint ? results_render : results_fit)(r->res, &full);
	} else if (r->lib) {
		(paint ? library_render : library_fit)(r->lib, &full);
	} else if (r->tp) {
		struct rect t = text_rect(r);
		if (paint) {
			text_pane_render(r->tp, &t);
			outline_pane_render(r->ol, &l->pane[PANE_OUTLINE], l->focus == PANE_OUTLINE);
			terms_pane_render(r->tm, &l->pane[PANE_TERMS], l->focus == PANE_TERMS);
		} else {
			text_pane_fit(r->tp, &t);
			outline_pane_fit(r->ol, &l->pane[PANE_OUTLINE]);
			terms_pane_fit(r->tm, &l->pane[PANE_TERMS]);
		}
	}
	if (paint)
		render_status(r);
}

/* Keys typed ahead (a paste, a held key, keys sent at once): the screen is drawn and
 * sent only when the reader has caught up, as less and vim do; until then only what
 * drawing would change besides the screen is done (render), so the state is the same.
 * A script's screens likewise: only the one it ends on is drawn. */
static bool input_pending(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The screen drawn and sent to the terminal. */
static void paint(struct reader *r)
{
	render(r, true);
	draw_refresh();
	r->held = false;
}

static void show(struct reader *r)
{
	static double shown_at;	/* when the terminal was last brought up to date */
	if (r->scripted) {
		render(r, false);	/* drawn at the end, or before a key that may quit */
		return;
	}
	/* a held key still shows where it is going, ten times a second */
	double t = now_ms();
	if (shown_at == 0)
		shown_at = t;	/* the count starts with the first screen */
	if (!input_pending() || t - shown_at >= 100) {
		paint(r);
		shown_at = t;
	} else {
		render(r, false);
		draw_hold();	/* a resize touched the window: not sent by the next read */
		r->held = true;
	}
}

/* --- scripts --- */

/* One step of a script: a key, a mouse event or a resize. */
struct script_step {
	struct input in;	/* key or mouse */
	int resize_w, resize_h;	/* a resize when > 0 */
};

/* A key that can end the reader: the screen a script ends on is the one before it. */
static bool may_quit(const struct script_step *s)
{
	if (s->resize_w > 0 || s->in.kind != INPUT_KEY)
		return false;
	enum action a = keymap_lookup(s->in.key);
	return a == ACT_QUIT || a == ACT_LIBRARY || a == ACT_CLEAR;
}

static int parse_script(const char *s, struct script_step **out, size_t *n, char *err, size_t errlen)
{
	*out = NULL;
	*n = 0;
	while (*s) {
		if (*s == '\n') {
			s++;
			continue;
		}
		struct script_step st = { .in = { .kind = INPUT_KEY } };
		int a, b, len = 0;
		char name[16];
		if (*s == '<' && sscanf(s, "<%15[A-Za-z]:%d,%d>%n", name, &a, &b, &len) == 3 && len > 0) {
			st.in.x = a;
			st.in.y = b;
			if (strcmp(name, "Click") == 0)
				st.in.kind = INPUT_CLICK;
			else if (strcmp(name, "WheelUp") == 0)
				st.in.kind = INPUT_WHEEL_UP;
			else if (strcmp(name, "WheelDown") == 0)
				st.in.kind = INPUT_WHEEL_DOWN;
			else
				len = 0;
		} else if (*s == '<' && sscanf(s, "<Resize:%dx%d>%n", &a, &b, &len) == 2 && len > 0) {
			if (a < 1 || b < 1 || a > 1000 || b > 1000) {
				snprintf(err, errlen, "--script: a resize needs a size from 1x1 to 1000x1000");
				free(*out);
				return -1;
			}
			st.resize_w = a;
			st.resize_h = b;
		}
		if (len > 0) {
			s += len;
		} else {
			const char *before = s;
			int key = keyc_parse(&s);
			size_t span = strcspn(before + 1, "<> ");
			if (*before == '<' && s == before + 1 && before[1 + span] == '>' && span > 0) {
				snprintf(err, errlen, "--script: unknown key name %.*s", (int)span + 2, before);
				free(*out);
				return -1;
			}
			st.in.key = key;
		}
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = st;
	}
	return 0;
}

static void run_input(struct reader *r, const struct input *in)
{
	if (in->kind == INPUT_KEY)
		handle_key(r, in->key);
	else if (in->kind != INPUT_NONE)
		handle_mouse(r, in);
}

/* --- the whole --- */

static int pick_document(struct reader *r, const char *spec, long *id)
{
	*id = -1;
	if (spec) {
		if (store_resolve(r->st, spec, id) < 0) {
			fprintf(stderr, "dugao: %s\n", store_error(r->st));
			return -1;
		}
		return 0;
	}
	char *last = store_state_get(r->st, "last_doc");
	if (last) {
		struct doc_info d;
		long v = strtol(last, NULL, 10);
		free(last);
		if (store_doc_info(r->st, v, &d) == 0) {
			doc_info_clear(&d);
			*id = v;
			return 0;
		}
	}
	struct library *lib = library_new(r->st, r->set.ambiguous);
	if (!lib) {
		fprintf(stderr, "dugao: %s\n", store_error(r->st));
		return -1;
	}
	size_t n = library_count(lib);
	if (n == 0) {
		library_free(lib);
		fprintf(stderr, "dugao: the library is empty; import a document first (dugao import FILE)\n");
		return -1;
	}
	if (n == 1)
		*id = library_selected(lib);
	library_free(lib);
	return 0;
}

/* The writer last: the last connection to close checkpoints the log and removes it. */
static void close_stores(struct reader *r)
{
	if (r->wst != r->st)
		store_close(r->st);
	store_close(r->wst);
	r->st = r->wst = NULL;
	free(r->path);
	r->path = NULL;
}

int reader_run(const struct reader_options *opt)
{
	struct reader r = { .doc = -1, .saved_seq = -1, .terms_span = -2 };
	r.scripted = opt->script != NULL;
	char *path = opt->db ? xstrdup(opt->db) : store_default_path();
	char err[700];
	if (access(path, F_OK) != 0) {
		fprintf(stderr, "dugao: %s: no library here yet; import a document first (dugao import FILE)\n", path);
		free(path);
		return EXIT_FAILURE;
	}
	/* read first; written when something is to be kept (writer). A library that needs
	 * an upgrade is opened to write at once, which upgrades it. */
	r.path = path;
	r.writable = true;
	if (store_open(path, STORE_READ, &r.st, err, sizeof err) != 0) {
		char err_write[700];
		if (store_open(path, STORE_WRITE, &r.st, err_write, sizeof err_write) != 0) {
			fprintf(stderr, "dugao: %s\n", err);
			free(path);
			return EXIT_FAILURE;
		}
		r.wst = r.st;
	}
	hold_reads(&r, true);
	keymap_init();
	settings_load(&r.set, opt->config);
	draw_set_ambiguous(r.set.ambiguous);
	for (size_t i = 0; i < r.set.nerrors; i++)
		fprintf(stderr, "dugao: %s\n", r.set.errors[i]);
	struct script_step *steps = NULL;
	size_t nsteps = 0;
	if (r.scripted && parse_script(opt->script, &steps, &nsteps, err, sizeof err) < 0) {
		fprintf(stderr, "dugao: %s\n", err);
		close_stores(&r);
		settings_free(&r.set);
		return 2;
	}
	long id;
	if (pick_document(&r, opt->doc, &id) < 0) {
		free(steps);
		close_stores(&r);
		settings_free(&r.set);
		return EXIT_FAILURE;
	}
	int rc = r.scripted ? draw_open_virtual(opt->width, opt->height, err, sizeof err)
			    : draw_open_terminal(err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "dugao: %s\n", err);
		free(steps);
		close_stores(&r);
		settings_free(&r.set);
		return EXIT_FAILURE;
	}
	if (!r.scripted)
		install_signals();
	layout_init(&r.lay);
	apply_size(&r);
	if (id >= 0) {
		if (open_doc(&r, id) < 0)
			fatal(&r, NULL);
	} else {
		open_library(&r);
	}
	if (r.set.nerrors)
		message(&r, true, "%s%s", r.set.errors[0], r.set.nerrors > 1 ? " (and more)" : "");
	show(&r);
	if (r.scripted) {
		for (size_t i = 0; i < nsteps && !r.quit; i++) {
			hold_reads(&r, true);	/* again after a write */
			if (may_quit(&steps[i]))
				paint(&r);
			if (steps[i].resize_w > 0)
				draw_resize_virtual(steps[i].resize_w, steps[i].resize_h), handle_key(&r, KEYC_SPECIAL | KEY_RESIZE);
			else
				run_input(&r, &steps[i].in);
			if (!r.quit)
				show(&r);
		}
		if (!r.quit)
			paint(&r);
		draw_dump(stdout, opt->attrs);
	} else {
		while (!r.quit && !got_signal) {
			if (!input_pending())
				hold_reads(&r, false);	/* waiting: another process may be importing */
			struct input in = draw_read(r.held ? 10 : r.msg[0] ? 4000 : 1000);
			hold_reads(&r, true);
			if (in.kind == INPUT_NONE) {
				/* what was pending made no key (a mouse release, say): the
				 * screen held for it is sent now */
				if (r.held)
					paint(&r);
				save_position(&r);	/* idle: a good moment to keep the place */
				continue;
			}
			run_input(&r, &in);
			if (!r.quit)
				show(&r);
		}
	}
	free(steps);
	close_doc(&r);
	library_free(r.lib);
	results_free(r.res);
	for (size_t i = 0; i < r.nhistory; i++)
		free(r.history[i]);
	free(r.history);
	free(r.search);
	sbuf_free(&r.line);
	draw_close();
	close_stores(&r);
	settings_free(&r.set);
	if (got_signal)
		return 128 + got_signal;
	return 0;
}
