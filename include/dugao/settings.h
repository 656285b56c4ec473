/* settings: the config file $XDG_CONFIG_HOME/dugao/config (else ~/.config/dugao/config):
 *   bind KEY ACTION      e.g. bind <C-j> line-down, bind J next-chapter
 *   unbind KEY
 *   color STYLE FG [BG] [bold|reverse|dim|underline|normal]...
 *   ambiguous wide|narrow
 * Lines starting with # are comments; a bad line is reported with its line number
 * and skipped. */
#ifndef DUGAO_SETTINGS_H
#define DUGAO_SETTINGS_H

#include <stddef.h>

#include "dugao/wrap.h"

struct settings {
	enum wrap_ambiguous ambiguous;	/* width of East Asian ambiguous characters */
	char *path;			/* the file read, NULL when there was none */
	char **errors;			/* "PATH:LINE: why", one per bad line */
	size_t nerrors;			/* how many */
};

/* The default config path (malloc'd). */
char *settings_default_path(void);
/* Reads the file (path NULL: the default), binding keys and setting styles as it goes;
 * a missing file is not an error. Returns the number of bad lines. */
int settings_load(struct settings *s, const char *path);
/* Parses one line (for tests); 0 ok, -1 with the reason in why. */
int settings_line(struct settings *s, char *line, char *why, size_t whylen);
void settings_free(struct settings *s);

#endif
