#include "config.h"

#include <stdlib.h>
#include <string.h>

#define NCURSES_WIDECHAR 1
#include <curses.h>	/* only for the KEY_* codes */

#include "dugao/actions.h"
#include "dugao/util.h"

static const struct action_info table[ACT_COUNT] = {
	[ACT_NONE] = { "none", "", "" },
#define X(id, name, keys, help) [ACT_##id] = { name, keys, help },
	DUGAO_ACTIONS(X)
#undef X
};

const struct action_info *action_info(enum action a)
{
	return &table[a < ACT_COUNT ? a : ACT_NONE];
}

enum action action_by_name(const char *name)
{
	for (int a = 1; a < ACT_COUNT; a++)
		if (strcmp(table[a].name, name) == 0)
			return (enum action)a;
	return ACT_NONE;
}

/* Named keys: the spelling in key names and their code. */
struct named_key {
	const char *name;	/* between < and > */
	int key;		/* the code */
};

static const struct named_key named[] = {
	{ "Enter", '\n' }, { "Tab", '\t' }, { "S-Tab", KEYC_SPECIAL | KEY_BTAB }, { "Esc", 27 },
	{ "Space", ' ' }, { "lt", '<' }, { "gt", '>' }, { "BS", KEYC_SPECIAL | KEY_BACKSPACE },
	{ "Del", KEYC_SPECIAL | KEY_DC }, { "Down", KEYC_SPECIAL | KEY_DOWN }, { "Up", KEYC_SPECIAL | KEY_UP },
	{ "Left", KEYC_SPECIAL | KEY_LEFT }, { "Right", KEYC_SPECIAL | KEY_RIGHT },
	{ "PgDn", KEYC_SPECIAL | KEY_NPAGE }, { "PgUp", KEYC_SPECIAL | KEY_PPAGE },
	{ "Home", KEYC_SPECIAL | KEY_HOME }, { "End", KEYC_SPECIAL | KEY_END },
	{ "Resize", KEYC_SPECIAL | KEY_RESIZE },
};

int keyc_parse(const char **sp)
{
	const char *s = *sp;
	if (!*s)
		return -1;
	if (*s == '<') {
		const char *end = strchr(s, '>');
		if (end && end > s + 1) {
			size_t n = (size_t)(end - s - 1);
			const char *in = s + 1;
			int key = -1;
			for (size_t i = 0; i < sizeof named / sizeof *named; i++)
				if (strlen(named[i].name) == n && strncmp(named[i].name, in, n) == 0)
					key = named[i].key;
			if (key < 0 && n == 3 && (in[0] == 'C' || in[0] == 'c') && in[1] == '-' &&
			    ((in[2] >= 'a' && in[2] <= 'z') || (in[2] >= 'A' && in[2] <= 'Z')))
				key = KEYC_CTRL(in[2]);
			if (key < 0 && (in[0] == 'F') && n >= 2 && n <= 3) {
				int f = 0;
				for (size_t i = 1; i < n; i++)
					f = in[i] >= '0' && in[i] <= '9' ? f * 10 + in[i] - '0' : -100;
				if (f >= 1 && f <= 12)
					key = KEYC_SPECIAL | KEY_F(f);
			}
			if (key >= 0) {
				*sp = end + 1;
				return key;
			}
		}
	}
	uint32_t cp;
	size_t k = utf8_decode(s, strlen(s), &cp);
	*sp = s + k;
	return (int)cp;
}

const char *keyc_name(int key, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof named / sizeof *named; i++)
		if (named[i].key == key) {
			snprintf(buf, len, "%s", strcmp(named[i].name, "lt") == 0 ? "<" :
				 strcmp(named[i].name, "gt") == 0 ? ">" : named[i].name);
			return buf;
		}
	if (key >= 1 && key < 32)
		snprintf(buf, len, "C-%c", key + 'a' - 1);
	else if ((key & KEYC_SPECIAL) && (key & ~KEYC_SPECIAL) >= KEY_F(1) && (key & ~KEYC_SPECIAL) <= KEY_F(12))
		snprintf(buf, len, "F%d", (key & ~KEYC_SPECIAL) - KEY_F(0));
	else if (key & KEYC_SPECIAL)
		snprintf(buf, len, "key-%d", key & ~KEYC_SPECIAL);
	else {
		char u[5] = { 0 };
		utf8_encode((uint32_t)key, u);
		snprintf(buf, len, "%s", u);
	}
	return buf;
}

/* One binding; a small table is fast enough for a few dozen keys. */
struct binding {
	int key;		/* the key */
	enum action action;	/* what it does */
};

static struct binding *bindings;	/* the key map */
static size_t nbindings;		/* entries used */

void keymap_bind(int key, enum action a)
{
	for (size_t i = 0; i < nbindings; i++)
		if (bindings[i].key == key) {
			bindings[i].action = a;
			return;
		}
	bindings = xrealloc(bindings, (nbindings + 1) * sizeof *bindings);
	bindings[nbindings++] = (struct binding){ key, a };
}

void keymap_init(void)
{
	free(bindings);
	bindings = NULL;
	nbindings = 0;
	for (int a = 1; a < ACT_COUNT; a++)
		for (const char *s = table[a].keys; *s;) {
			if (*s == ' ') {
				s++;
				continue;
			}
			int key = keyc_parse(&s);
			if (key < 0)
				break;
			keymap_bind(key, (enum action)a);
		}
	/* terminals differ in what Enter and Backspace send */
	keymap_bind('\r', ACT_ACTIVATE);
	keymap_bind(KEYC_SPECIAL | KEY_ENTER, ACT_ACTIVATE);
}

enum action keymap_lookup(int key)
{
	for (size_t i = 0; i < nbindings; i++)
		if (bindings[i].key == key)
			return bindings[i].action;
	return ACT_NONE;
}

void keymap_describe(enum action a, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < nbindings && used + 1 < len; i++) {
		if (bindings[i].action != a || bindings[i].key == '\r' ||
		    bindings[i].key == (KEYC_SPECIAL | KEY_ENTER))
			continue;
		char name[16];
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", keyc_name(bindings[i].key, name, sizeof name));
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* roff needs backslashes doubled and a leading ' or . escaped. */
static void roff_puts(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else if (*s == '\'' || *s == '`' || *s == '.')
			fprintf(out, "\\&%c", *s);
		else
			fputc(*s, out);
	}
}

void actions_print_man(FILE *out)
{
	for (int a = 1; a < ACT_COUNT; a++) {
		fputs(".TP\n.B \"", out);
		int first = 1;
		for (const char *s = table[a].keys; *s;) {
			if (*s == ' ') {
				s++;
				continue;
			}
			char name[16];
			int key = keyc_parse(&s);
			if (key < 0)
				break;
			if (!first)
				fputs(", ", out);
			first = 0;
			roff_puts(out, keyc_name(key, name, sizeof name));
		}
		fputs("\"\n", out);
		roff_puts(out, table[a].help);
		fputs(" (", out);
		roff_puts(out, table[a].name);
		fputs(")\n", out);
	}
}
