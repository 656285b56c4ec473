/* importer: runs one file through decode, normalise, clean, structure and terms into the store. */
#ifndef DUGAO_IMPORTER_H
#define DUGAO_IMPORTER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "dugao/store.h"

struct import_options {
	const char *encoding;	/* forced encoding, NULL to detect */
	bool replace;		/* re-parse a document whose bytes are already in the library */
	const char *glossary;	/* user glossary file, NULL for none */
	volatile sig_atomic_t *stop;	/* NULL, or set (by a signal handler in this thread) to stop the file: it is refused */
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

/* Imports a list of files, in order, through two threads: a worker parses the next
 * files (decode, structure, terms) while the caller's thread stores this one. Only the
 * caller's thread touches the store. files (and opt's strings) must outlive it. */
struct importer;
struct importer *importer_new(struct store *st, const struct import_options *opt, char *const *files, size_t nfiles);
/* Imports the next file of the list. Never exits; errors land in result->why. */
void importer_next(struct importer *im, struct import_result *result);
/* The caller's thread will take no records for a while (busy: ending a batch, with its
 * segment, commit and merges), or takes them again: the worker may queue more records
 * meanwhile, so that it goes on parsing. */
void importer_store_busy(struct importer *im, bool busy);
/* Stops the worker; files not imported yet are dropped. */
void importer_free(struct importer *im);

/* One file (an importer of one). Never exits; errors land in result->why. */
void import_file(struct store *st, const char *path, const struct import_options *opt, struct import_result *result);

#endif
