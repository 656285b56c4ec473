/* store: the library in one SQLite file; the only module that speaks SQL. */
#ifndef DUGAO_STORE_H
#define DUGAO_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dugao/model.h"
#include "dugao/shape.h"

struct store;

enum store_mode {
	STORE_READ,	/* the file must exist; nothing is written */
	STORE_WRITE,	/* created (with its directory) when missing */
};

/* The library path: --db, else $DUGAO_DB, else $XDG_DATA_HOME/dugao/library.db, else
 * ~/.local/share/dugao/library.db. Returns a malloc'd string. */
char *store_default_path(void);

/* Opens (and creates or migrates in write mode) the library. On failure returns -1 and
 * writes a one-line reason to err. */
int store_open(const char *path, enum store_mode mode, struct store **out, char *err, size_t errlen);
void store_close(struct store *st);
/* Holds one read transaction over the reads that follow (hold true) or ends it: a
 * statement alone takes and drops the log's read lock each time. Reads in it do not
 * see later writes, even through another connection; for a connection opened to read. */
int store_read_hold(struct store *st, bool hold);
/* The last error, one line. */
const char *store_error(const struct store *st);
/* Keeps few of the library's pages in memory: for a connection that only looks
 * documents up by their bytes (each of the import's workers has one). */
void store_small_cache(struct store *st);
/* The library's file, as opened. */
const char *store_path(const struct store *st);

struct doc_info {
	long id;		/* document id */
	char *title;		/* title as found */
	char *source;		/* path given at import */
	char *encoding;		/* encoding chosen at import */
	char *sha256;		/* of the original bytes */
	char *imported_at;	/* UTC, ISO 8601 */
	long paragraphs;	/* paragraphs, noise excluded */
	long headings;		/* sections */
	long terms;		/* distinct terms */
	long chars;		/* characters of the cleaned text */
	long long bytes;	/* size of the original bytes */
};
void doc_info_clear(struct doc_info *d);

/* --- import: one transaction per document --- */

struct import_meta {
	const char *source;	/* path as given */
	const char *sha256;	/* hex of the original bytes */
	const char *encoding;	/* chosen encoding */
	long long bytes;	/* size of the original bytes */
};

/* Looks for a document with these bytes; 1 and *id if found, 0 if not, -1 on error. */
int store_find_sha(struct store *st, const char *sha256, long *id);
/* Begins the transaction and the document row. replace_id >= 0 deletes that document
 * first (in the same transaction) and reuses its id. */
int store_import_begin(struct store *st, const struct import_meta *m, long replace_id, long *id);
/* Stores original bytes in order: offset is where the last call ended (0 first), and
 * the total stays within the size given to store_import_begin. */
int store_import_original(struct store *st, long long offset, const void *data, size_t n);
int store_import_paragraph(struct store *st, const struct para *p);
int store_import_section(struct store *st, const struct section *s);
int store_import_title(struct store *st, const char *title);
/* A term of the document; *term_id identifies it for store_import_hit. Terms and
 * hits are held in memory and stored at commit, each term with its hits packed in one
 * blob (hits.h); a term without hits is not stored. The same text twice is one term. */
int store_import_term(struct store *st, const char *text, const char *kind, double score, long *term_id);
/* A hit of a term: in text order for each term; the same place twice counts once. */
int store_import_hit(struct store *st, long term_id, long para, long offset, long length);
/* Stores the terms that have hits, the counts, commits. */
int store_import_commit(struct store *st);
void store_import_rollback(struct store *st);

/* A batch: many imports in one transaction, each in its own savepoint, so that one
 * rolled back (a refused file) leaves the others; their search postings are written
 * as one segment at the end. Nothing is visible to others before store_batch_commit.
 * Begin, then imports as above (each commit only releases its savepoint), then
 * commit: -1 when it failed and none of the batch's imports is kept. */
int store_batch_begin(struct store *st);
int store_batch_commit(struct store *st);
void store_batch_rollback(struct store *st);
/* The checkpoint a batch's commit held back, once its files are announced. */
void store_checkpoint(struct store *st);

/* --- queries --- */

/* Resolves DOC: an id, or a unique prefix of a title or of a file name.
 * Returns 0, or -1 with a one-line reason (no match, ambiguous). */
int store_resolve(struct store *st, const char *spec, long *id);
int store_doc_info(struct store *st, long id, struct doc_info *out);
/* Documents in import order. */
int store_each_doc(struct store *st, int (*fn)(void *ctx, const struct doc_info *d), void *ctx);
int store_each_section(struct store *st, long doc, int (*fn)(void *ctx, const struct section *s), void *ctx);
/* The outline without its text, from a compact copy kept at import (a 40,000-section
 * outline in one read), opened without decoding it all (see shape.h). 0, or 1 when it
 * was kept in an older form (or not at all) and could not be converted in the file
 * (a library opened to read): the same call on a writable store converts it. */
int store_section_shape(struct store *st, long doc, struct shape **out);
/* Marker and title of the sections seq from..to of at most a level, in order, in one
 * read (a screen of the outline): fn gets each (malloc'd, taken over). 0, -1 error. */
int store_section_texts(struct store *st, long doc, long from, long to, int max_level,
			void (*fn)(void *ctx, long seq, char *marker, char *title), void *ctx);
/* Marker and title of one section (malloc'd): 1 found, 0 none, -1 error. */
int store_section_text(struct store *st, long doc, long seq, char **marker, char **title);
/* Paragraphs from seq first, at most count (count < 0: all); noise only when asked. */
int store_each_paragraph(struct store *st, long doc, long first, long count, bool with_noise,
			 int (*fn)(void *ctx, const struct para *p), void *ctx);

struct term_row {
	long id;		/* term id */
	const char *text;	/* the term */
	const char *kind;	/* quoted, formula, phrase, glossary */
	long count;		/* hits in the document */
	double score;		/* ranking score */
};
/* Terms of a document, most important first; limit < 0: all. */
int store_each_term(struct store *st, long doc, long limit, int (*fn)(void *ctx, const struct term_row *t), void *ctx);

struct library_term {
	const char *text;	/* the term */
	long docs;		/* documents that have it among their terms */
	long hits;		/* its hits over those documents */
};
/* Terms across the library, the most widely used first; limit < 0: all. */
int store_each_library_term(struct store *st, long limit, int (*fn)(void *ctx, const struct library_term *t), void *ctx);

/* Copies the original bytes (malloc'd) of a document. */
int store_original(struct store *st, long doc, void **data, size_t *n);
int store_delete(struct store *st, long doc);

/* --- search (query.h says what a query means) --- */

struct search_hit {
	long doc;		/* document id */
	const char *title;	/* its title */
	long para;		/* paragraph seq, as the reader and term hits number them */
	long offset;		/* characters into the paragraph */
	long length;		/* characters of the hit */
	const char *section;	/* section path, outermost first joined by " › "; "" before any */
	const char *snippet;	/* one line of the paragraph around the hit, no tabs or controls */
	long snippet_offset;	/* characters into snippet where the hit starts */
};
/* Hits in one document (doc >= 0) or in all, by document id then text order: the
 * non-overlapping occurrences of the query's words in paragraphs holding all of them,
 * noise excluded. At most limit (< 0: all); fn returns nonzero to stop. Returns the
 * number of hits given to fn, or -1. */
long store_search(struct store *st, const char *query, long doc, long limit,
		  int (*fn)(void *ctx, const struct search_hit *h), void *ctx);
/* The exact number of those hits, or -1. */
long store_search_count(struct store *st, const char *query, long doc);
/* Only where those hits are, in one document and paragraphs from..to: the index rows
 * holding them and nothing else (no sections, no text), for stepping through hits in a
 * long document. In text order, or the reverse when backward; fn returns nonzero to
 * stop. Returns the number of hits given to fn, or -1. */
long store_search_places(struct store *st, const char *query, long doc, long from, long to, bool backward,
			 int (*fn)(void *ctx, long para, long offset, long length), void *ctx);

/* --- reading state (the reader) --- */

/* Bounds of a document's paragraph seqs (first > last when empty) and their count
 * (non-noise: the imported count; with noise: counted). Uses the index, no scan. */
int store_para_range(struct store *st, long doc, bool with_noise, long *first, long *last, long *count);
/* Paragraphs before seq `before`, nearest first, at most count. */
int store_each_paragraph_before(struct store *st, long doc, long before, long count, bool with_noise,
				int (*fn)(void *ctx, const struct para *p), void *ctx);
/* Reading position and marks as (paragraph seq, character offset): 1 found, 0 none, -1 error. */
int store_position_get(struct store *st, long doc, long *para, long *offset);
int store_position_set(struct store *st, long doc, long para, long offset);
int store_mark_get(struct store *st, long doc, const char *name, long *para, long *offset);
int store_mark_set(struct store *st, long doc, const char *name, long para, long offset);
/* Reader state by key (malloc'd value, NULL when unset). */
char *store_state_get(struct store *st, const char *key);
int store_state_set(struct store *st, const char *key, const char *value);
/* Hits of one term in paragraphs first_para..last_para, in text order. */
int store_each_hit(struct store *st, long term, long first_para, long last_para,
		   int (*fn)(void *ctx, long para, long offset, long length), void *ctx);
/* The nearest hit of a term after (forward) or before (para, offset): 1 found, 0 none, -1 error. */
int store_hit_near(struct store *st, long term, long para, long offset, bool forward, long *hit_para, long *hit_offset);
/* 1-based rank of the hit at (para, offset) among the term's hits; -1 on error. */
long store_hit_rank(struct store *st, long term, long para, long offset);

#endif
