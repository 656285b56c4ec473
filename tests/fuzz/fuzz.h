/* Shared by the fuzz targets: the invariants every stage of the import pipeline must
 * keep whatever the input, and a failure that libFuzzer (or the replay driver) sees. */
#ifndef DUGAO_FUZZ_H
#define DUGAO_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dugao/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with a message: libFuzzer saves the input, the replay driver fails. */
#define FUZZ_CHECK(cond)                                                               \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                       \
		}                                                                      \
	} while (0)

/* Whether n bytes are well-formed UTF-8 (no overlongs, surrogates or cut sequences). */
static inline bool fuzz_valid_utf8(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		/* utf8_decode gives U+FFFD with length 1 for bad bytes; a real U+FFFD is 3 bytes. */
		if (k == 0 || (cp == 0xFFFD && k != 3))
			return false;
		i += k;
	}
	return true;
}

/* Whether a code point could act on a terminal: C0 and C1 controls, DEL, and the
 * bidi overrides and isolates that reorder what is shown. */
static inline bool fuzz_acts_on_terminal(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Text the pipeline hands on must be valid UTF-8 that cannot act on a terminal. */
static inline bool fuzz_safe_text(const char *s, size_t n)
{
	if (!fuzz_valid_utf8(s, n))
		return false;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_decode(s + i, n - i, &cp);
		if (fuzz_acts_on_terminal(cp))
			return false;
	}
	return true;
}

/* A tiny deterministic generator, so a chunking chosen from the input replays exactly. */
static inline uint32_t fuzz_rand(uint32_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 17;
	*state ^= *state << 5;
	return *state;
}

#endif
