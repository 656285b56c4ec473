/* terms: key terms of a document (quoted, numbered formulas, statistical phrases, glossary). */
#ifndef DUGAO_TERMS_H
#define DUGAO_TERMS_H

#include <stdbool.h>
#include <stddef.h>

struct term {
	const char *text;	/* the term, UTF-8 */
	const char *kind;	/* quoted, formula, phrase or glossary */
	double score;		/* ranking score, higher first */
};

struct terms;
struct terms_glossary;

/* The user's glossary, read once for many documents (an import's): NULL when path is
 * NULL or names no file it can read, which is an empty glossary. */
struct terms_glossary *terms_glossary_load(const char *path);
void terms_glossary_free(struct terms_glossary *g);
/* glossary may be NULL; it must outlive the terms, which only read it (threads may
 * share one). */
struct terms *terms_new(const struct terms_glossary *glossary);
/* Feeds the text of one body paragraph (heading and title text too); memory stays
 * bounded. The paragraphs of the first few megabytes are kept (the sample the
 * statistics come from); returns whether this one was. Once one is not, the choice
 * cannot change much: a caller may choose (terms_finish), scan the kept paragraphs
 * and scan the rest as they come, without feeding them. */
bool terms_feed(struct terms *t, const char *text, size_t len);
/* The paragraphs kept, in the order fed. */
size_t terms_kept(const struct terms *t);
const char *terms_kept_text(const struct terms *t, size_t i, size_t *len);
/* Frees the kept paragraphs, once chosen and scanned; none is kept after. */
void terms_forget_kept(struct terms *t);
/* Chooses the terms; returns how many. Once: the statistics are freed after (a
 * second call returns the same number). */
size_t terms_finish(struct terms *t);
const struct term *terms_get(const struct terms *t, size_t i);

/* Reports every non-overlapping hit of the chosen terms in one paragraph, with
 * character offset and length. */
typedef void (*term_hit_fn)(void *ctx, size_t term, long offset, long length);
void terms_scan(const struct terms *t, const char *text, size_t len, term_hit_fn fn, void *ctx);
void terms_free(struct terms *t);

#endif
