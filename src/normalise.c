#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dugao/normalise.h"

/* Placeholder splitter; replaced by the real normaliser. */
struct line_splitter {
	line_fn fn;		/* receiver of lines */
	void *ctx;		/* its context */
	size_t max_bytes;	/* split lines longer than this */
	struct sbuf line;	/* the line being collected */
	struct sbuf clean;	/* scratch for normalise_line */
	long line_no;		/* source line of the line being collected */
	bool after_cr;		/* the previous byte was CR */
};

struct line_splitter *line_splitter_new(line_fn fn, void *ctx, size_t max_bytes)
{
	struct line_splitter *s = xcalloc(1, sizeof *s);
	s->fn = fn, s->ctx = ctx, s->max_bytes = max_bytes, s->line_no = 1;
	return s;
}

static int emit(struct line_splitter *s)
{
	sbuf_reset(&s->clean);
	normalise_line(s->line.data ? s->line.data : "", s->line.len, &s->clean);
	int r = s->fn(s->ctx, s->clean.data ? s->clean.data : "", s->clean.len, s->line_no);
	sbuf_reset(&s->line);
	return r;
}

int line_splitter_feed(struct line_splitter *s, const char *text, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c == '\n' && s->after_cr) {
			s->after_cr = false;
			continue;
		}
		s->after_cr = c == '\r';
		if (c == '\n' || c == '\r') {
			int r = emit(s);
			s->line_no++;
			if (r)
				return r;
			continue;
		}
		sbuf_append(&s->line, &c, 1);
	}
	return 0;
}

int line_splitter_finish(struct line_splitter *s)
{
	return s->line.len ? emit(s) : 0;
}

void line_splitter_free(struct line_splitter *s)
{
	if (!s)
		return;
	sbuf_free(&s->line);
	sbuf_free(&s->clean);
	free(s);
}

void normalise_line(const char *in, size_t n, struct sbuf *out)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(in + i, n - i, &cp);
		if (cp == '\t')
			sbuf_append(out, " ", 1);
		else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
			 (cp >= 0x2066 && cp <= 0x2069))
			sbuf_append(out, "\xEF\xBF\xBD", 3);
		else
			sbuf_append(out, in + i, k);
		i += k;
	}
}
