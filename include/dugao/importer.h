/* importer: runs one file through decode, normalise, clean, structure and terms into the store. */
#ifndef DUGAO_IMPORTER_H
#define DUGAO_IMPORTER_H

#include <signal.h>
#include <stdbool.h>

#include "dugao/store.h"

struct import_options {
	const char *encoding;	/* forced encoding, NULL to detect */
	bool replace;		/* re-parse a document whose bytes are already in the library */
	const char *glossary;	/* user glossary file, NULL for none */
	volatile sig_atomic_t *stop;	/* NULL, or set (by a signal handler) to stop the file: it is refused */
};

enum import_status {
	IMPORT_OK,		/* imported */
	IMPORT_SAME,		/* the same bytes were already in the library: nothing done */
	IMPORT_REFUSED,		/* the file was refused; the library is unchanged */
};

struct import_result {
	enum import_status status;	/* what happened */
	long id;			/* document id (new, replaced or existing) */
	char title[512];		/* the title found */
	char encoding[32];		/* the encoding used */
	char why[512];			/* the reason when refused, or a warning ("3 invalid sequences…") */
	long paragraphs;		/* paragraphs, noise excluded */
	long headings;			/* sections */
	long terms;			/* distinct terms */
};

/* Never exits; errors land in result->why. */
void import_file(struct store *st, const char *path, const struct import_options *opt, struct import_result *result);

#endif
