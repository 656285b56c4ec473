/* Fuzz target: encoding detection and streaming conversion on arbitrary bytes.
 * Invariants: the guess is well-formed; the output is valid UTF-8; converting in
 * random chunks gives exactly what converting in one piece gives (the importer reads
 * 1 MB at a time, so a sequence cut at a chunk edge must not change the text). */
#include "config.h"

#include <string.h>

#include "dugao/decode.h"
#include "fuzz.h"

/* Encodings tried besides the guessed one; one is picked per input. */
static const char *const encodings[] = { "UTF-8", "GB18030", "BIG5", "UTF-16LE", "UTF-16BE", "UTF-32LE" };

struct decoded {
	struct sbuf text;	/* UTF-8 produced */
	size_t invalid;		/* sequences replaced */
	long long first;	/* offset of the first, or -1 */
};

/* Converts in pieces whose sizes come from state; a state of 0 means one piece. */
static void decode_all(const char *enc, const uint8_t *in, size_t n, uint32_t state, struct decoded *out)
{
	char err[160];
	memset(out, 0, sizeof *out);
	struct decoder *d = decoder_new(enc, err, sizeof err);
	FUZZ_CHECK(d != NULL);
	size_t at = 0;
	while (state && at < n) {
		size_t piece = 1 + fuzz_rand(&state) % (fuzz_rand(&state) % 2 ? 7 : 300);
		if (piece > n - at)
			piece = n - at;
		decoder_feed(d, in + at, piece, false, &out->text);
		at += piece;
	}
	decoder_feed(d, in + at, n - at, true, &out->text);
	out->invalid = decoder_invalid(d);
	out->first = decoder_first_invalid(d);
	decoder_free(d);
	FUZZ_CHECK(fuzz_valid_utf8(out->text.data ? out->text.data : "", out->text.len));
	FUZZ_CHECK((out->invalid == 0) == (out->first < 0));
	FUZZ_CHECK(out->first < (long long)n);
}

static void same_both_ways(const char *enc, const uint8_t *in, size_t n, uint32_t seed)
{
	struct decoded whole, pieces;
	decode_all(enc, in, n, 0, &whole);
	decode_all(enc, in, n, seed | 1, &pieces);
	FUZZ_CHECK(whole.text.len == pieces.text.len);
	FUZZ_CHECK(whole.text.len == 0 || memcmp(whole.text.data, pieces.text.data, whole.text.len) == 0);
	FUZZ_CHECK(whole.invalid == pieces.invalid);
	FUZZ_CHECK(whole.first == pieces.first);
	sbuf_free(&whole.text);
	sbuf_free(&pieces.text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seed = (uint32_t)size * 2654435761u;
	if (size)
		seed ^= data[0] | (uint32_t)data[size - 1] << 8;

	struct decode_guess g;
	memset(&g, 0x55, sizeof g);
	/* A sample that is only part of the file must not crash the guess either. */
	decode_guess(data, size / 2, false, &g);
	memset(&g, 0x55, sizeof g);
	int rc = decode_guess(data, size, true, &g);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(memchr(g.reason, 0, sizeof g.reason) != NULL);
	if (rc == 0) {
		FUZZ_CHECK(memchr(g.encoding, 0, sizeof g.encoding) != NULL && g.encoding[0]);
		FUZZ_CHECK(g.bom_len <= size && g.bom_len <= 4);
		FUZZ_CHECK(decode_supported(g.encoding));
		same_both_ways(g.encoding, data + g.bom_len, size - g.bom_len, seed);
	} else {
		FUZZ_CHECK(g.reason[0] != 0);
	}
	same_both_ways(encodings[seed % (sizeof encodings / sizeof *encodings)], data, size, seed);
	return 0;
}
