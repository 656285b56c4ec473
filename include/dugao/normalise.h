/* normalise: splits decoded text into lines and makes each harmless for a terminal. */
#ifndef DUGAO_NORMALISE_H
#define DUGAO_NORMALISE_H

#include <stddef.h>

#include "dugao/util.h"

/* Called once per normalised line (no line ending; not NUL-terminated: often the
 * bytes fed, where they lie); a nonzero return stops the feed and is passed back.
 * line_no is the 1-based source line. */
typedef int (*line_fn)(void *ctx, const char *text, size_t len, long line_no);

struct line_splitter;

/* Lines longer than max_bytes are split (at a sentence end where possible), so memory
 * stays bounded whatever the input. */
struct line_splitter *line_splitter_new(line_fn fn, void *ctx, size_t max_bytes);
/* Feeds UTF-8 text (any chunking, CR, LF or CRLF endings). */
int line_splitter_feed(struct line_splitter *s, const char *text, size_t n);
/* Emits the last line if the text did not end with a newline. */
int line_splitter_finish(struct line_splitter *s);
/* Tells the splitter whether normalise_line would change no line of the text to come
 * (and of a line begun in the text fed before) but for its trailing spaces
 * (line_splitter_changed said 0 of it before): lines are then only trimmed. */
void line_splitter_plain(struct line_splitter *s, bool plain);
/* Lines fed so far that normalise_line changed more than by trimming them. */
long line_splitter_changed(const struct line_splitter *s);
void line_splitter_free(struct line_splitter *s);

/* Replaces characters that could act on a terminal (C0 and C1 controls, ESC, DEL,
 * bidi overrides and isolates) so that nothing is dropped but nothing acts; tabs
 * become spaces. Appends the result to out. */
void normalise_line(const char *in, size_t n, struct sbuf *out);

#endif
