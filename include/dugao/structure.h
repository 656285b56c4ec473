/* structure: title, metadata, salutation, paragraphs and the outline of a document. */
#ifndef DUGAO_STRUCTURE_H
#define DUGAO_STRUCTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "dugao/model.h"

/* Where the results go, in document order. The sections a paragraph holds are
 * delivered before the paragraph itself; a nonzero return stops the import. */
struct structure_sink {
	void *ctx;	/* passed back to every callback */
	int (*title)(void *ctx, const char *title);		/* exactly once, by structure_finish */
	int (*section)(void *ctx, const struct section *s);
	int (*paragraph)(void *ctx, const struct para *p);
};

struct structure;

/* fallback_title is the title when the text has none (the file name without its extension). */
struct structure *structure_new(const struct structure_sink *sink, const char *fallback_title);
/* First pass over every line: statistics such as hard wrapping and indentation.
 * Returns the characters of the line without its leading and trailing spaces (0 for a
 * blank line). */
long structure_prescan_line(struct structure *st, const char *line, size_t len);
/* Second pass, in order; noise lines come through too (marked) so that they keep their place. */
int structure_line(struct structure *st, const char *line, size_t len, bool noise, long line_no);
/* Flushes what is pending and delivers the title. */
int structure_finish(struct structure *st);
/* Counts so far. */
long structure_paragraphs(const struct structure *st);
long structure_sections(const struct structure *st);
void structure_free(struct structure *st);

#endif
