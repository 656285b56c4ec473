#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dugao/structure.h"
#include "dugao/util.h"

/* Placeholder: the first text line is the title, every other line a paragraph.
 * Replaced by the real outline rules. */
struct structure {
	struct structure_sink sink;	/* where results go */
	char *fallback_title;		/* title when the text has none */
	char *title;			/* the title found */
	long paragraphs;		/* paragraphs delivered, noise excluded */
	long seq;			/* next paragraph seq */
};

struct structure *structure_new(const struct structure_sink *sink, const char *fallback_title)
{
	struct structure *st = xcalloc(1, sizeof *st);
	st->sink = *sink;
	st->fallback_title = xstrdup(fallback_title);
	return st;
}

void structure_prescan_line(struct structure *st, const char *line, size_t len)
{
}

int structure_line(struct structure *st, const char *line, size_t len, bool noise, long line_no)
{
	size_t i = 0;
	while (i < len && (line[i] == ' ' || (i + 3 <= len && !memcmp(line + i, "\xE3\x80\x80", 3))))
		i += line[i] == ' ' ? 1 : 3;
	if (i == len)
		return 0;
	struct para p = { .seq = st->seq++, .kind = PARA_BODY, .text = line + i, .len = len - i,
			  .section = -1, .line = line_no };
	if (noise)
		p.kind = PARA_NOISE;
	else if (!st->title) {
		st->title = xstrndup(line + i, len - i);
		p.kind = PARA_TITLE;
	}
	if (!noise)
		st->paragraphs++;
	return st->sink.paragraph(st->sink.ctx, &p);
}

int structure_finish(struct structure *st)
{
	return st->sink.title(st->sink.ctx, st->title ? st->title : st->fallback_title);
}

long structure_paragraphs(const struct structure *st)
{
	return st->paragraphs;
}

long structure_sections(const struct structure *st)
{
	return 0;
}

void structure_free(struct structure *st)
{
	if (!st)
		return;
	free(st->fallback_title);
	free(st->title);
	free(st);
}
