/* query: what the user typed into search, split into the words to look for.
 * Unquoted white space (ASCII or the ideographic space) separates words; a word must
 * occur in the paragraph for it to match, so several words mean all of them in one
 * paragraph. Double quotes make what they enclose literal, spaces included, so
 * "高质量 发展" is one phrase with its space; "" inside quotes is a quote itself. Quoted
 * and unquoted parts that touch form one word, as in a shell. */
#ifndef DUGAO_QUERY_H
#define DUGAO_QUERY_H

#include <stddef.h>

/* More words than this are refused: a query, not a text. */
#define QUERY_MAX_WORDS 32

struct query {
	char **words;	/* the words, UTF-8, not yet folded */
	long *chars;	/* characters in each word */
	int nwords;	/* how many */
};

/* Splits s. Returns 0, or -1 with a one-line reason (no words, too many). */
int query_parse(const char *s, struct query *q, char *err, size_t errlen);
void query_free(struct query *q);

#endif
