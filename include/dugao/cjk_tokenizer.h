/* cjk_tokenizer: the FTS5 tokenizer and the hit-counting function behind search.
 *
 * A document is indexed as FTS5 rows of whole paragraphs (about 64 KB each, store.c):
 * the paragraphs in order (noise as empty paragraphs), each followed by "\n". The tokenizer emits exactly one token per
 * character, so a token's position is the character's offset in that text:
 *   - a character followed by another, neither a separator (punctuation, space, "\n"):
 *     the folded bigram of both;
 *   - any other character (a separator, or one before a separator): itself, folded.
 * Punctuation thus never makes bigrams of its own, which keeps the index smaller than
 * the text and its build fast (few distinct terms). A query word is tokenized the same
 * way up to the token that covers its last character; when that token is the last
 * character alone and it is not a separator, the document may hold a bigram starting
 * with it, so the phrase's last token is a prefix (cjk_query_prefix). Exact adjacency
 * comes from the position lists; counts and offsets need no text scan.
 * Folding is fold_char (Latin case, full-width forms), the same as every other search. */
#ifndef DUGAO_CJK_TOKENIZER_H
#define DUGAO_CJK_TOKENIZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* The names the store uses in SQL. */
#define CJK_TOKENIZER_NAME "dugao"
#define CJK_HITS_FUNCTION "dugao_hits"

/* Calls fn for each token of text: the token's bytes, and the byte range of the text it
 * stands for. query selects the query form (it ends with the token covering the last
 * character). Stops at and returns fn's first nonzero result. */
typedef int (*cjk_token_fn)(void *ctx, const char *token, int len, int start, int end);
int cjk_tokenize(const char *text, size_t n, int query, cjk_token_fn fn, void *ctx);

/* Punctuation, spaces and controls (of folded text): characters that stand alone. */
bool cjk_separator(uint32_t cp);
/* Whether the query phrase for word (n bytes) must end in a prefix token ("…"*). */
bool cjk_query_prefix(const char *word, size_t n);

/* Registers the tokenizer and the auxiliary function dugao_hits on one connection.
 *
 * dugao_hits(table, list, paragraphs, len1, ..., lenK): for a query whose phrases are,
 * when paragraphs is 1, the paragraph end "\n" followed by the K words (K words only
 * when 0), with len_i the characters of word i. Hits are the non-overlapping
 * occurrences of the words taken left to right (ties: the earlier word), and with
 * paragraphs only those in paragraphs holding every word. Returns the number of hits
 * when list is 0, or 2 for one word that cannot overlap itself (then every instance
 * is a hit); when list is 1 (needs paragraphs), a blob of int32 triples (paragraph
 * seq, character offset in the paragraph, length) in text order. */
int cjk_tokenizer_register(fts5_api *api);

#endif
