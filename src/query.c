#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/query.h"
#include "dugao/util.h"

static bool is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0x3000;
}

static void add_word(struct query *q, struct sbuf *w)
{
	q->words = xrealloc(q->words, (size_t)(q->nwords + 1) * sizeof *q->words);
	q->chars = xrealloc(q->chars, (size_t)(q->nwords + 1) * sizeof *q->chars);
	q->chars[q->nwords] = (long)utf8_count(w->data, w->len);
	q->words[q->nwords++] = sbuf_take(w);
}

int query_parse(const char *s, struct query *q, char *err, size_t errlen)
{
	memset(q, 0, sizeof *q);
	struct sbuf w = { 0 };
	bool quoted = false;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (cp == '"') {
			if (quoted && s[i + 1] == '"') {
				sbuf_append(&w, "\"", 1);
				i += 2;
				continue;
			}
			quoted = !quoted;
		} else if (!quoted && is_space(cp)) {
			if (w.len)
				add_word(q, &w);
		} else {
			sbuf_append(&w, s + i, k);
		}
		i += k;
	}
	if (w.len)
		add_word(q, &w);
	sbuf_free(&w);
	if (q->nwords == 0 || q->nwords > QUERY_MAX_WORDS) {
		snprintf(err, errlen, q->nwords ? "a query of at most %d words" : "nothing to search for",
			 QUERY_MAX_WORDS);
		query_free(q);
		return -1;
	}
	return 0;
}

void query_free(struct query *q)
{
	for (int i = 0; i < q->nwords; i++)
		free(q->words[i]);
	free(q->words);
	free(q->chars);
	memset(q, 0, sizeof *q);
}
