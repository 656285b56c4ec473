/* decode: encoding detection and conversion of file bytes to UTF-8 with iconv. */
#ifndef DUGAO_DECODE_H
#define DUGAO_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "dugao/util.h"

struct decode_guess {
	char encoding[32];	/* iconv name of the chosen encoding: UTF-8, GB18030, BIG5, UTF-16LE, ... */
	size_t bom_len;		/* bytes of byte-order mark to skip at the start */
	char reason[160];	/* why it was chosen (or why the bytes were refused), for the user */
};

/* Chooses the encoding of a file from a sample of its first bytes; complete says the
 * sample is the whole file. Returns 0, or -1 when the bytes are not text (reason says
 * why, e.g. "binary data (NUL bytes) at byte 12"). */
int decode_guess(const unsigned char *sample, size_t n, bool complete, struct decode_guess *out);

/* A text decoded while guessing. */
struct decode_text {
	struct sbuf text;		/* UTF-8, invalid sequences replaced; empty when not kept */
	size_t invalid;			/* sequences replaced */
	long long first_invalid;	/* byte offset of the first, -1 if none */
	bool raw;			/* the sample itself is the text (valid UTF-8 without a BOM) */
	bool plain;			/* the text (kept or raw) holds nothing that normalise_line
					 * changes but trailing spaces (false when not sure) */
};

/* decode_guess, and when the guess decoded all of a complete sample with the encoding
 * it chose (a small file in GB18030), that text in keep, the same as a decoder
 * would give; keep->text is left empty otherwise. A complete sample of valid UTF-8
 * is not copied: keep->raw says that its bytes are the text. */
int decode_guess_keep(const unsigned char *sample, size_t n, bool complete, struct decode_guess *out,
		      struct decode_text *keep);

/* Canonical iconv name for a user-given encoding name (gbk → GB18030 is NOT done:
 * the user's choice is kept), or NULL when iconv cannot convert from it. */
bool decode_supported(const char *encoding);

struct decoder;

/* A streaming converter from encoding to UTF-8; NULL (with err filled) if iconv
 * lacks the encoding. */
struct decoder *decoder_new(const char *encoding, char *err, size_t errlen);
/* Converts n bytes and appends UTF-8 to out. A sequence cut at the end of in is kept
 * for the next call; with final set it becomes U+FFFD. Invalid sequences become
 * U+FFFD and are counted. */
void decoder_feed(struct decoder *d, const unsigned char *in, size_t n, bool final, struct sbuf *out);
/* Whether the text given so far holds nothing that normalise_line changes but trailing
 * spaces, as far as the decoder can tell (GB18030 and Big5 read by their tables, no
 * control byte but LF and CR among them); false when not sure. */
bool decoder_plain(const struct decoder *d);
/* The caller will not ask decoder_plain (a second pass over a text a first one found
 * plain): the bytes are not looked at for control bytes, and decoder_plain says false. */
void decoder_plain_known(struct decoder *d);
/* Number of invalid sequences replaced so far. */
size_t decoder_invalid(const struct decoder *d);
/* Byte offset in the input of the first invalid sequence, or -1. */
long long decoder_first_invalid(const struct decoder *d);
void decoder_free(struct decoder *d);

#endif
