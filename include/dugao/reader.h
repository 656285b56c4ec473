/* reader: the full-screen reader's main loop: opens the document, dispatches actions
 * from the key map to the panes, draws, keeps the reading position in the store,
 * restores the terminal on signals and fatal errors. Also the scripted mode. */
#ifndef DUGAO_READER_H
#define DUGAO_READER_H

#include <stdbool.h>

struct reader_options {
	const char *db;		/* library path, NULL for the default */
	const char *doc;	/* DOC as typed, NULL: the last one read (or the library) */
	const char *script;	/* keys to run without a terminal, NULL for a live terminal */
	int width, height;	/* size of the scripted screen */
	bool attrs;		/* scripted: the attributes of every cell follow the screen */
	const char *config;	/* config file, NULL for the default */
};

/* Runs the reader; returns the exit status. */
int reader_run(const struct reader_options *opt);

#endif
