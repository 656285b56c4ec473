/* fold: the case and width folding every search uses, so that they all agree.
 * Folding maps code point to code point (full-width ASCII to ASCII, Latin upper to
 * lower case), so character offsets in folded text equal those in the original. */
#ifndef DUGAO_FOLD_H
#define DUGAO_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "dugao/util.h"

/* (inline: the index build folds every character of the text) */
static inline uint32_t fold_char(uint32_t cp)
{
	if (cp - 0xFF01 <= 0xFF5E - 0xFF01)	/* full-width ASCII */
		cp -= 0xFEE0;
	else if (cp == 0x3000)
		cp = ' ';
	if (cp - 'A' <= 'Z' - 'A')
		cp += 'a' - 'A';
	return cp;
}
/* Appends the folded form of n bytes of UTF-8 to out. */
void fold_text(const char *s, size_t n, struct sbuf *out);

/* Non-overlapping occurrences of needle in text, both folded first, left to right;
 * fn gets the character offset and length of each. Returns how many. */
typedef void (*fold_hit_fn)(void *ctx, long offset, long length);
long fold_find_all(const char *text, size_t n, const char *needle, size_t needle_len, fold_hit_fn fn, void *ctx);

#endif
