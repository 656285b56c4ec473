/* cjk_tokenizer: the tokens of the search index (gram_index.h builds its keys the same
 * way; this is the reference form, with the tokens' text and byte ranges).
 *
 * A document is indexed in rows of whole paragraphs (about 64 KB each, store.c): the
 * paragraphs in order (noise as empty paragraphs), each followed by "\n". There is
 * exactly one token per character, so a token's position is the character's offset in
 * that text:
 *   - a character followed by another, neither a separator (punctuation, space, "\n"):
 *     the folded bigram of both;
 *   - any other character (a separator, or one before a separator): itself, folded.
 * Punctuation thus never makes bigrams of its own, which keeps the index smaller than
 * the text and its build fast (few distinct terms). A query word is tokenized the same
 * way up to the token that covers its last character; when that token is the last
 * character alone and it is not a separator, the text may hold a bigram starting with
 * it, so it matches every token that starts with that character. Exact adjacency comes
 * from the position lists; counts and offsets need no text scan.
 * Folding is fold_char (Latin case, full-width forms), the same as every other search. */
#ifndef DUGAO_CJK_TOKENIZER_H
#define DUGAO_CJK_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Calls fn for each token of text: the token's bytes, and the byte range of the text it
 * stands for. query selects the query form (it ends with the token covering the last
 * character). Stops at and returns fn's first nonzero result. */
typedef int (*cjk_token_fn)(void *ctx, const char *token, int len, int start, int end);
int cjk_tokenize(const char *text, size_t n, int query, cjk_token_fn fn, void *ctx);

/* Punctuation, spaces and controls (of folded text): characters that stand alone:
 * ASCII but letters and digits, U+2000-206F, U+3000-303F, U+FE30-FE4F and the
 * full-width forms of ASCII punctuation, FF00-FF65's. (Inline, ASCII by a bit mask:
 * the index build asks for every character but ideographs.) */
static inline bool cjk_separator(uint32_t cp)
{
	/* ASCII's separators, a bit a character: 0-0x7F but 0-9 (0x30-0x39), A-Z and a-z */
	const uint64_t lo = ~(0x3FFULL << 0x30), hi = ~(0x3FFFFFFULL << 1 | 0x3FFFFFFULL << 0x21);
	if (cp < 0x2000)
		return cp < 0x80 && ((cp < 0x40 ? lo >> cp : hi >> (cp - 0x40)) & 1);
	return cp <= 0x206F || cp - 0x3000 < 0x40 || cp - 0xFE30 < 0x20 || cp - 0xFF00 < 0x10 || cp - 0xFF1A < 7 ||
	       cp - 0xFF3B < 6 || cp - 0xFF5B < 11;
}

#endif
