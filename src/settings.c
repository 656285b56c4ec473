#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/actions.h"
#include "dugao/draw.h"
#include "dugao/settings.h"
#include "dugao/util.h"

char *settings_default_path(void)
{
	struct sbuf b = { 0 };
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg && *xdg == '/')
		sbuf_printf(&b, "%s/dugao/config", xdg);
	else
		sbuf_printf(&b, "%s/.config/dugao/config", home && *home ? home : ".");
	return sbuf_take(&b);
}

/* Splits line into at most max whitespace-separated words, in place. */
static int split(char *line, char **w, int max)
{
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

static int parse_key(const char *word, int *key)
{
	const char *s = word;
	int k = keyc_parse(&s);
	if (k < 0 || *s)
		return -1;
	*key = k;
	return 0;
}

static int parse_colour(const char *w, int *c)
{
	static const char *const names[] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white" };
	if (strcmp(w, "default") == 0) {
		*c = -1;
		return 0;
	}
	for (int i = 0; i < 8; i++)
		if (strcmp(w, names[i]) == 0) {
			*c = i;
			return 0;
		}
	char *end;
	errno = 0;
	long v = strtol(w, &end, 10);
	if (*w && !*end && !errno && v >= 0 && v <= 255) {
		*c = (int)v;
		return 0;
	}
	return -1;
}

static int parse_attr(const char *w, int *bits)
{
	static const struct {
		const char *name;	/* in the config */
		int bit;		/* DRAW_* */
	} attrs[] = { { "bold", DRAW_BOLD }, { "reverse", DRAW_REVERSE }, { "dim", DRAW_DIM },
		      { "underline", DRAW_UNDERLINE }, { "normal", 0 } };
	for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++)
		if (strcmp(w, attrs[i].name) == 0) {
			*bits |= attrs[i].bit;
			return 0;
		}
	return -1;
}

int settings_line(struct settings *s, char *line, char *why, size_t whylen)
{
	/* only whole-line comments, so that "bind # ..." can name the # key */
	const char *first = line + strspn(line, " \t");
	if (*first == '#')
		return 0;
	char *w[8];
	int n = split(line, w, 7);
	if (n == 0)
		return 0;
	if (strcmp(w[0], "bind") == 0) {
		int key;
		if (n != 3) {
			snprintf(why, whylen, "bind needs a KEY and an ACTION");
			return -1;
		}
		if (parse_key(w[1], &key) != 0) {
			snprintf(why, whylen, "'%s' is not a key (a character, or <Enter>, <C-d>, <F1>...)", w[1]);
			return -1;
		}
		enum action a = action_by_name(w[2]);
		if (a == ACT_NONE) {
			snprintf(why, whylen, "unknown action '%s' (see dugao(1), KEYS)", w[2]);
			return -1;
		}
		keymap_bind(key, a);
	} else if (strcmp(w[0], "unbind") == 0) {
		int key;
		if (n != 2 || parse_key(w[1], &key) != 0) {
			snprintf(why, whylen, "unbind needs one KEY");
			return -1;
		}
		keymap_bind(key, ACT_NONE);
	} else if (strcmp(w[0], "color") == 0 || strcmp(w[0], "colour") == 0) {
		if (n < 3) {
			snprintf(why, whylen, "color needs a STYLE and a colour");
			return -1;
		}
		enum draw_style st = draw_style_by_name(w[1]);
		if (st == STYLE_COUNT) {
			snprintf(why, whylen, "unknown style '%s'", w[1]);
			return -1;
		}
		int fg, bg = -1, bits = 0, i = 3;
		if (parse_colour(w[2], &fg) != 0) {
			snprintf(why, whylen, "'%s' is not a colour (a name, default, or 0-255)", w[2]);
			return -1;
		}
		if (i < n && parse_colour(w[i], &bg) == 0)
			i++;
		for (; i < n; i++)
			if (parse_attr(w[i], &bits) != 0) {
				snprintf(why, whylen, "'%s' is not a colour or an attribute", w[i]);
				return -1;
			}
		draw_style_set(st, fg, bg, bits);
	} else if (strcmp(w[0], "ambiguous") == 0) {
		if (n == 2 && strcmp(w[1], "wide") == 0)
			s->ambiguous = WRAP_WIDE;
		else if (n == 2 && strcmp(w[1], "narrow") == 0)
			s->ambiguous = WRAP_NARROW;
		else {
			snprintf(why, whylen, "ambiguous is wide or narrow");
			return -1;
		}
	} else {
		snprintf(why, whylen, "unknown setting '%s' (bind, unbind, color, ambiguous)", w[0]);
		return -1;
	}
	return 0;
}

int settings_load(struct settings *s, const char *path)
{
	s->path = path ? xstrdup(path) : settings_default_path();
	FILE *f = fopen(s->path, "r");
	if (!f) {
		if (errno != ENOENT) {
			s->errors = xrealloc(s->errors, (s->nerrors + 1) * sizeof *s->errors);
			struct sbuf b = { 0 };
			sbuf_printf(&b, "%s: %s", s->path, strerror(errno));
			s->errors[s->nerrors++] = sbuf_take(&b);
		}
		return (int)s->nerrors;
	}
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		char why[200];
		if (settings_line(s, line, why, sizeof why) != 0) {
			s->errors = xrealloc(s->errors, (s->nerrors + 1) * sizeof *s->errors);
			struct sbuf b = { 0 };
			sbuf_printf(&b, "%s:%ld: %s; line skipped", s->path, lineno, why);
			s->errors[s->nerrors++] = sbuf_take(&b);
		}
	}
	free(line);
	fclose(f);
	return (int)s->nerrors;
}

void settings_free(struct settings *s)
{
	for (size_t i = 0; i < s->nerrors; i++)
		free(s->errors[i]);
	free(s->errors);
	free(s->path);
	memset(s, 0, sizeof *s);
}
