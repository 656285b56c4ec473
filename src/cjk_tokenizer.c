#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/cjk_tokenizer.h"
#include "dugao/fold.h"
#include "dugao/util.h"

/* One decoded character of the text being tokenized. */
struct cjk_char {
	uint32_t cp;	/* folded code point */
	int start;	/* byte offset in the text */
	int end;	/* byte offset just past it */
};

static void next_char(const char *text, size_t n, size_t at, struct cjk_char *c)
{
	uint32_t cp;
	size_t k = utf8_decode(text + at, n - at, &cp);
	c->cp = fold_char(cp);
	c->start = (int)at;
	c->end = (int)(at + (k ? k : 1));
}

int cjk_tokenize(const char *text, size_t n, int query, cjk_token_fn fn, void *ctx)
{
	if (n == 0)
		return 0;
	struct cjk_char cur, nxt;
	next_char(text, n, 0, &cur);
	bool covered = false;
	for (bool first = true;; first = false) {
		bool more = (size_t)cur.end < n;
		if (more)
			next_char(text, n, (size_t)cur.end, &nxt);
		char tok[8];
		int len = (int)utf8_encode(cur.cp, tok);
		int end = cur.end;
		bool pair = more && !cjk_separator(cur.cp) && !cjk_separator(nxt.cp);
		if (pair) {
			len += (int)utf8_encode(nxt.cp, tok + len);
			end = nxt.end;
		}
		/* The query form stops once the last character is covered: a bigram
		 * ending there, or the last character alone (cjk_query_prefix). */
		if (query && !more && !first && covered)
			break;
		int rc = fn(ctx, tok, len, cur.start, end);
		if (rc)
			return rc;
		if (!more)
			break;
		covered = pair;
		cur = nxt;
	}
	return 0;
}
