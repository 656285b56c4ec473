#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dugao/decode.h"
#include "dugao/normalise.h"

/* A traditional and a simplified passage written for this test. */
static const char *const trad =
	"同志們：今年我們要繼續加強社區服務，關心困難群眾的生活，推動各項工作取得新的進展。"
	"一是要完善服務網絡，二是要提高服務質量，三是要加強隊伍建設。希望大家團結一致，"
	"認真負責，把這些工作做實做好，讓居民真正感受到變化。";
static const char *const simp =
	"同志们：今年我们要继续加强社区服务，关心困难群众的生活，推动各项工作取得新的进展。"
	"一是要完善服务网络，二是要提高服务质量，三是要加强队伍建设。希望大家团结一致，"
	"认真负责，把这些工作做实做好，让居民真正感受到变化。";

/* text converted from UTF-8 with iconv; *n gets the length */
static unsigned char *encode(const char *to, const char *text, size_t *n)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	if (cd == (iconv_t)-1)
		abort();
	size_t left = strlen(text), room = 4 * left + 16;
	unsigned char *out = malloc(room);
	char *ip = (char *)text, *op = (char *)out;
	if (iconv(cd, &ip, &left, &op, &room) == (size_t)-1)
		abort();
	iconv_close(cd);
	*n = (size_t)(op - (char *)out);
	return out;
}

static const char *guess(const void *s, size_t n, bool complete, struct decode_guess *g)
{
	return decode_guess(s, n, complete, g) == 0 ? g->encoding : NULL;
}

/* Decodes in one piece, or in pieces of step bytes; returns the UTF-8 (caller frees). */
static char *decode(const char *enc, const void *in, size_t n, size_t step, size_t *invalid, long long *first)
{
	char err[160];
	struct decoder *d = decoder_new(enc, err, sizeof err);
	if (!d)
		return NULL;
	struct sbuf out = { 0 };
	const unsigned char *p = in;
	size_t at = 0;
	while (step && at + step < n) {
		decoder_feed(d, p + at, step, false, &out);
		at += step;
	}
	decoder_feed(d, p + at, n - at, true, &out);
	if (invalid)
		*invalid = decoder_invalid(d);
	if (first)
		*first = decoder_first_invalid(d);
	decoder_free(d);
	return sbuf_take(&out);
}

static void test_boms(void)
{
	struct decode_guess g;
	CHECK_STR(guess("\xEF\xBB\xBFok", 5, true, &g), "UTF-8");
	CHECK_INT(g.bom_len, 3);
	CHECK_STR(guess("\xFF\xFEo\0k\0", 6, true, &g), "UTF-16LE");
	CHECK_INT(g.bom_len, 2);
	CHECK_STR(guess("\xFE\xFF\0o\0k", 6, true, &g), "UTF-16BE");
	CHECK_STR(guess("\xFF\xFE\0\0o\0\0\0", 8, true, &g), "UTF-32LE");
	CHECK_INT(g.bom_len, 4);
	CHECK_STR(guess("\0\0\xFE\xFF\0\0\0o", 8, true, &g), "UTF-32BE");
	CHECK(strstr(g.reason, "byte-order mark") != NULL);
}

static void test_chinese_encodings(void)
{
	struct decode_guess g;
	size_t n;
	unsigned char *b;

	CHECK_STR(guess(simp, strlen(simp), true, &g), "UTF-8");
	CHECK_STR(guess("plain ascii\n", 12, true, &g), "UTF-8");

	b = encode("GB18030", simp, &n);
	CHECK_STR(guess(b, n, true, &g), "GB18030");
	free(b);
	b = encode("GBK", simp, &n);
	CHECK_STR(guess(b, n, true, &g), "GB18030");
	free(b);
	/* the trap: Big5 bytes also decode without error as GB18030 */
	b = encode("BIG5", trad, &n);
	CHECK_STR(guess(b, n, true, &g), "BIG5");
	CHECK(strstr(g.reason, "GB18030") != NULL);
	free(b);
	/* traditional text in GB18030 is still GB18030 */
	b = encode("GB18030", trad, &n);
	CHECK_STR(guess(b, n, true, &g), "GB18030");
	free(b);

	/* UTF-16 and UTF-32 without a byte-order mark */
	b = encode("UTF-16LE", simp, &n);
	CHECK_STR(guess(b, n, true, &g), "UTF-16LE");
	CHECK_INT(g.bom_len, 0);
	free(b);
	b = encode("UTF-16BE", "Line one\nline two\n", &n);
	CHECK_STR(guess(b, n, true, &g), "UTF-16BE");
	free(b);
	b = encode("UTF-32LE", simp, &n);
	CHECK_STR(guess(b, n, true, &g), "UTF-32LE");
	free(b);
}

static void test_cut_samples(void)
{
	struct decode_guess g;
	size_t len = strlen(simp);
	/* a sample that stops inside a character is still UTF-8 when the file goes on */
	CHECK_STR(guess(simp, len - 1, false, &g), "UTF-8");
	CHECK_STR(guess(simp, len - 2, false, &g), "UTF-8");
	size_t n;
	unsigned char *b = encode("GB18030", simp, &n);
	CHECK_STR(guess(b, n - 1, false, &g), "GB18030");
	free(b);
	b = encode("UTF-16LE", simp, &n);
	CHECK_STR(guess(b, n - 1, true, &g), "UTF-16LE");	/* odd length */
	free(b);
	/* a few bad bytes in a long UTF-8 text: still UTF-8 */
	char *mixed = malloc(4 * strlen(simp) + 8);
	strcpy(mixed, simp);
	strcat(mixed, "\xFF");
	strcat(mixed, simp);
	strcat(mixed, simp);
	CHECK_STR(guess(mixed, strlen(mixed), true, &g), "UTF-8");
	CHECK(strstr(g.reason, "1 invalid") != NULL);
	free(mixed);
}

static void test_binary(void)
{
	struct decode_guess g;
	CHECK(decode_guess((const unsigned char *)"\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16, true, &g) == -1);
	CHECK(strstr(g.reason, "PNG") != NULL);
	CHECK(decode_guess((const unsigned char *)"\x7F" "ELF\x02\x01\x01\0\0\0", 10, true, &g) == -1);
	CHECK(strstr(g.reason, "ELF") != NULL);
	CHECK(decode_guess((const unsigned char *)"PK\x03\x04\x14\0\0\0", 8, true, &g) == -1);
	/* NULs that fit no UTF-16 or UTF-32 pattern */
	unsigned char junk[4096];
	unsigned x = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245 + 12345;
		junk[i] = (unsigned char)(x >> 16);
	}
	CHECK(decode_guess(junk, sizeof junk, true, &g) == -1);
	CHECK(g.reason[0] != 0);
	/* control bytes without NULs */
	unsigned char ctl[256];
	for (size_t i = 0; i < sizeof ctl; i++)
		ctl[i] = (unsigned char)(1 + i % 26);
	CHECK(decode_guess(ctl, sizeof ctl, true, &g) == -1);
	CHECK(strstr(g.reason, "control") != NULL);
	/* escape sequences are hostile text, not binary */
	const char *esc = "\x1B[31mred\x1B[0m \x1B]0;title\x07 text\n";
	CHECK_STR(guess(esc, strlen(esc), true, &g), "UTF-8");
	/* an empty sample is not refused here (the importer says "empty file") */
	CHECK(decode_guess((const unsigned char *)"", 0, true, &g) == 0);
}

static void test_decoder(void)
{
	size_t invalid, n;
	long long first;
	char *s;

	s = decode("UTF-8", "a\xFF" "b\xE4\xB8", 5, 0, &invalid, &first);
	CHECK_STR(s, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
	CHECK_INT(invalid, 2);
	CHECK_INT(first, 1);
	free(s);
	/* overlong, surrogate, beyond U+10FFFF: each invalid */
	s = decode("UTF-8", "\xC0\xAF|\xED\xA0\x80|\xF4\x90\x80\x80", 11, 0, &invalid, NULL);
	CHECK(strncmp(s, "\xEF\xBF\xBD\xEF\xBF\xBD|", 7) == 0);
	CHECK(invalid >= 4);
	free(s);

	/* every chunking gives the same text */
	const char *encs[] = { "UTF-8", "GB18030", "BIG5", "UTF-16LE", "UTF-16BE", "UTF-32LE" };
	for (size_t e = 0; e < sizeof encs / sizeof *encs; e++) {
		const char *text = !strcmp(encs[e], "BIG5") ? trad : simp;
		unsigned char *b = encode(encs[e], text, &n);
		for (size_t step = 0; step < 8; step++) {
			s = decode(encs[e], b, n, step, &invalid, NULL);
			CHECK_STR(s, text);
			CHECK_INT(invalid, 0);
			free(s);
		}
		/* cut at the end: one replacement, counted */
		s = decode(encs[e], b, n - 1, 3, &invalid, &first);
		CHECK(s && strlen(s) >= 3 && !strcmp(s + strlen(s) - 3, "\xEF\xBF\xBD"));
		CHECK_INT(invalid, 1);
		CHECK(first >= 0 && first < (long long)n);
		free(s);
		free(b);
	}

	/* a GB18030 four-byte sequence split every way */
	size_t m;
	unsigned char *b = encode("GB18030", "x\xC3\xA9y\xF0\x9F\x98\x80z", &m);	/* é and an emoji */
	for (size_t step = 1; step < 6; step++) {
		s = decode("GB18030", b, m, step, &invalid, NULL);
		CHECK_STR(s, "x\xC3\xA9y\xF0\x9F\x98\x80z");
		CHECK_INT(invalid, 0);
		free(s);
	}
	free(b);

	/* invalid GB18030 bytes: replaced, counted at the right offset, the rest kept */
	s = decode("GB18030", "ab\x80\xFF" "cd", 6, 1, &invalid, &first);
	CHECK_STR(s, "ab\xEF\xBF\xBD\xEF\xBF\xBD" "cd");
	CHECK_INT(invalid, 2);
	CHECK_INT(first, 2);
	free(s);

	/* UTF-16 of odd length: the last byte is one replacement, no crash */
	s = decode("UTF-16LE", "a\0b\0c", 5, 0, &invalid, NULL);
	CHECK_STR(s, "ab\xEF\xBF\xBD");
	CHECK_INT(invalid, 1);
	free(s);
	/* an unpaired surrogate */
	s = decode("UTF-16LE", "a\0\x00\xD8" "b\0", 6, 1, &invalid, NULL);
	CHECK_STR(s, "a\xEF\xBF\xBD" "b");
	free(s);

	char err[160];
	CHECK(decoder_new("NO-SUCH-ENCODING", err, sizeof err) == NULL);
	CHECK(strstr(err, "NO-SUCH-ENCODING") != NULL);
	CHECK(!decode_supported("NO-SUCH-ENCODING"));
	CHECK(decode_supported("gbk"));
	CHECK(decode_supported("utf8"));
}

/* A long valid text through the fast path, to catch a quadratic slip. */
static void test_large(void)
{
	size_t len = strlen(simp), copies = 20000;
	char *big = malloc(len * copies + 1);
	for (size_t i = 0; i < copies; i++)
		memcpy(big + i * len, simp, len);
	big[len * copies] = 0;
	size_t invalid;
	char *s = decode("UTF-8", big, len * copies, 1 << 20, &invalid, NULL);
	CHECK(s && strlen(s) == len * copies && !memcmp(s, big, len * copies));
	CHECK_INT(invalid, 0);
	free(s);
	free(big);
}

/* A two-byte decoder writes into the room its output buffer has and grows it when
 * full: after text already there, with little or much room, the output is the same
 * as in a buffer of its own, and the buffer grows as appending that output would. */
static void test_room(void)
{
	size_t n1;
	unsigned char *one = encode("GB18030", simp, &n1);
	size_t n = 0;
	unsigned char *in = malloc(40 * (n1 + 8));
	for (int i = 0; i < 40; i++) {
		memcpy(in + n, one, n1), n += n1;
		memcpy(in + n, i % 3 ? "ab\r\n" : "\x81\x30\xFF\x81\x30\x81\x30\n", i % 3 ? 4 : 8);
		n += i % 3 ? 4 : 8;
	}
	size_t invalid;
	char *want = decode("GB18030", in, n, 0, &invalid, NULL);
	CHECK(want != NULL && invalid > 0);
	size_t wlen = want ? strlen(want) : 0;
	for (size_t pre = 0; pre < 700; pre += 7) {
		for (int cap = 0; cap < 3; cap++) {
			char err[160];
			struct decoder *d = decoder_new("GB18030", err, sizeof err);
			struct sbuf out = { 0 }, like = { 0 };
			for (size_t i = 0; i < pre; i++)
				sbuf_append(&out, "x", 1), sbuf_append(&like, "x", 1);
			if (cap)
				sbuf_grow(&out, cap == 1 ? 300 : 5000), sbuf_grow(&like, cap == 1 ? 300 : 5000);
			for (size_t at = 0, step = 1 + pre % 613; at < n; at += step)
				decoder_feed(d, in + at, n - at < step ? n - at : step, at + step >= n, &out);
			sbuf_append(&like, want, wlen);
			CHECK(out.len == pre + wlen && !memcmp(out.data + pre, want, wlen) && out.data[out.len] == 0);
			CHECK_INT(out.cap, like.cap);
			sbuf_free(&out);
			sbuf_free(&like);
			decoder_free(d);
		}
	}
	free(want);
	free(in);
	free(one);
}

/* What the guess keeps is what a decoder gives, invalid sequences and all; it keeps
 * nothing for UTF-8, a partial sample or a refusal. */
static void test_guess_keep(void)
{
	struct decode_guess g;
	struct decode_text kept = { .first_invalid = -1 };
	size_t n;
	unsigned char *gb = encode("GB18030", simp, &n);
	size_t nbig5;
	unsigned char *big5 = encode("BIG5", trad, &nbig5);
	unsigned char *bad = malloc(n + 2);
	memcpy(bad, gb, 20);
	bad[20] = 0xFF;		/* invalid in GB18030 */
	memcpy(bad + 21, gb + 20, n - 20);
	bad[n + 1] = 0x81;	/* a sequence cut by the end */
	const struct {
		const unsigned char *s;	/* the bytes */
		size_t n;		/* their number */
		bool complete;		/* the whole file */
		bool keeps;		/* a text is kept */
		bool raw;		/* the bytes are the text */
	} cases[] = {
		{ gb, n, true, true, false }, { bad, n + 2, true, true, false }, { gb, n, false, false, false },
		{ (const unsigned char *)simp, strlen(simp), true, false, true },
		{ (const unsigned char *)simp, strlen(simp), false, false, false },
		{ (const unsigned char *)simp, strlen(simp) - 1, true, false, false },	/* its last character cut */
		{ (const unsigned char *)"\xEF\xBB\xBF" "abc", 6, true, false, false },	/* a BOM is no text */
		{ big5, nbig5, true, false, false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		CHECK(decode_guess_keep(cases[i].s, cases[i].n, cases[i].complete, &g, &kept) == 0);
		CHECK((kept.text.len > 0) == cases[i].keeps);
		CHECK(kept.raw == cases[i].raw);
		if (!cases[i].keeps)
			continue;
		size_t invalid = 0;
		long long first = -2;
		char *want = decode(g.encoding, cases[i].s, cases[i].n, 0, &invalid, &first);
		CHECK_STR(kept.text.data, want);
		CHECK_INT(kept.invalid, invalid);
		CHECK_INT(kept.first_invalid, first);
		if (cases[i].s == bad) {
			CHECK_INT(kept.invalid, 2);
			CHECK_INT(kept.first_invalid, 20);
		}
		free(want);
	}
	unsigned char junk[4096];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(0x80 + (i * 97) % 0x7F);
	decode_guess_keep(junk, sizeof junk, true, &g, &kept);
	CHECK(kept.text.len == 0 || g.encoding[0]);
	sbuf_free(&kept.text);
	free(bad);
	free(gb);
	free(big5);
}

/* A text by iconv alone, as the decoder's contract says: an invalid sequence is one
 * U+FFFD and one byte skipped, a sequence cut by the end one U+FFFD. */
static char *by_iconv(const char *enc, const unsigned char *in, size_t n, size_t *invalid)
{
	iconv_t cd = iconv_open("UTF-8", enc);
	if (cd == (iconv_t)-1)
		abort();
	struct sbuf out = { 0 };
	char buf[256];
	char *ip = (char *)in;
	size_t left = n;
	*invalid = 0;
	while (left > 0) {
		char *op = buf;
		size_t room = sizeof buf;
		size_t r = iconv(cd, &ip, &left, &op, &room);
		sbuf_append(&out, buf, (size_t)(op - buf));
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		sbuf_append(&out, "\xEF\xBF\xBD", 3);
		(*invalid)++;
		if (errno == EINVAL)
			break;
		ip++, left--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	iconv_close(cd);
	if (!out.data)
		sbuf_append(&out, "", 0);
	return sbuf_take(&out);
}

/* The decoder's own reading of GB18030 and Big5 agrees with iconv on every two-byte
 * code, on four-byte codes, and on random text and bytes, in one piece and in pieces. */
static void test_two_byte_encodings(const char *enc)
{
	unsigned char *in = malloc(1 << 16);
	size_t n = 0;
	for (unsigned lead = 0x81; lead <= 0xFE; lead++)
		for (unsigned trail = 0x30; trail <= 0xFF; trail++) {
			in[n++] = (unsigned char)lead;
			in[n++] = (unsigned char)trail;
		}
	unsigned seed = 12345;
	long bad = 0;
	for (int round = 0; round < 60; round++) {
		if (round > 0) {
			/* random mixtures: ASCII, two-byte, four-byte codes, stray bytes, cut ends */
			n = 0;
			size_t len = 200 + round * 37;
			while (n < len) {
				seed = seed * 1103515245 + 12345;
				unsigned r = seed >> 8;
				switch (r % 6) {
				case 0: in[n++] = (unsigned char)(0x20 + r % 0x5F); break;
				case 1: in[n++] = (unsigned char)(r >> 4); break;
				case 2: case 3:
					in[n++] = (unsigned char)(0xB0 + r % 0x40);
					in[n++] = (unsigned char)(0xA1 + (r >> 6) % 0x5E);
					break;
				case 4:
					in[n++] = (unsigned char)(0x81 + r % 4);
					in[n++] = (unsigned char)(0x30 + (r >> 3) % 10);
					in[n++] = (unsigned char)(0x81 + (r >> 7) % 0x7E);
					in[n++] = (unsigned char)(0x30 + (r >> 14) % 10);
					break;
				default: in[n++] = (unsigned char)(0x81 + r % 0x7E); break;
				}
			}
		}
		size_t want_invalid;
		char *want = by_iconv(enc, in, n, &want_invalid);
		for (size_t step = 0; step < 8; step += 3) {
			size_t got_invalid = 0;
			char *got = decode(enc, in, n, step, &got_invalid, NULL);
			bad += strcmp(got, want) != 0 || got_invalid != want_invalid;
			free(got);
		}
		free(want);
	}
	CHECK_INT(bad, 0);
	free(in);
}

/* Invalid UTF-8 in mostly valid text is counted as the Unicode standard's maximal
 * subparts, one each: an overlong E0 80 80 three, a surrogate ED A0 80 three, F4 90 80
 * 80 (past U+10FFFF) four, a lead before ASCII one, C0 AF two, and a sequence cut by the
 * end of the text one when the text is complete (none when more may follow). */
static void test_utf8_counts(void)
{
	static char buf[8192];
	size_t n = 0;
	for (int i = 0; i < 1000; i++, n += 6)
		memcpy(buf + n, "中文", 6);
	static const char mix[] = "\xE0\x80\x80" "中" "\xED\xA0\x80" "文" "\xF4\x90\x80\x80" "中" "\xC2" "a"
				  "\xC0\xAF" "中文" "\xF0\x9F\x98";
	memcpy(buf + n, mix, sizeof mix - 1);
	n += sizeof mix - 1;
	struct decode_guess g;
	CHECK_STR(guess(buf, n, true, &g), "UTF-8");
	CHECK_STR(g.reason, "UTF-8 except 14 invalid sequences");
	CHECK_STR(guess(buf, n, false, &g), "UTF-8");
	CHECK_STR(g.reason, "UTF-8 except 13 invalid sequences");
}

/* Whether normalise_line changes any line of text (split at LF and CR) more than by
 * trimming its trailing spaces. */
static bool any_line_changed(const char *text, size_t n)
{
	struct sbuf out = { 0 };
	bool changed = false;
	for (size_t i = 0; i <= n && !changed;) {
		size_t e = i;
		while (e < n && text[e] != '\n' && text[e] != '\r')
			e++;
		sbuf_reset(&out);
		normalise_line(text + i, e - i, &out);
		/* the same bytes but the trailing spaces */
		size_t m = e - i;
		for (;;) {
			if (m >= 1 && text[i + m - 1] == ' ')
				m--;
			else if (m >= 2 && !memcmp(text + i + m - 2, "\xC2\xA0", 2))
				m -= 2;
			else if (m >= 3 && !memcmp(text + i + m - 3, "\xE3\x80\x80", 3))
				m -= 3;
			else
				break;
		}
		changed = out.len != m || memcmp(out.data, text + i, m) != 0;
		i = e + 1;
	}
	sbuf_free(&out);
	return changed;
}

/* keep->plain: set only for valid UTF-8 kept raw that normalise_line leaves as it is
 * (but trailing spaces), and for such text whenever the characters that it changes are
 * absent: random texts of them, their neighbours and plain Chinese, at every place
 * (the sixteen-byte steps and the bytes after them). */
static void test_plain(void)
{
	static const char *const pieces[] = {
		"发展", "，", "。", "“", "”", "—", "…", "、", "《", "\t", "\x1B", "\x7F", "\x01", " ", "\n", "\r\n",
		"\xC2\x85", "\xC2\x9F", "\xC2\xA0", "\xC2\xB7", "\xD8\x9C", "\xD8\x9B", "\xE2\x80\x8B",
		"\xE2\x80\x8C", "\xE2\x80\x8E", "\xE2\x80\xA8", "\xE2\x80\xAE", "\xE2\x80\xAF",
		"\xE2\x81\xA0", "\xE2\x81\xA5", "\xE2\x81\xA6", "\xE2\x81\xAF", "\xE2\x81\xB0",
		"\xEF\xBB\xBF", "\xEF\xBB\xBE", "\xEF\xBF\xB9", "\xEF\xBF\xBB", "\xEF\xBF\xBC",
		"\xEF\xBF\xBD", "\xEF\xBC\x8C", "\xE0\xA4\x85", "\xED\x9F\xBF", "\xF0\x9F\x98\x80",
		"\xE3\x80\x80", "a", "12",
	};
	size_t np = sizeof pieces / sizeof *pieces;
	uint32_t state = 12345;
	long plain = 0, not_plain = 0;
	for (int round = 0; round < 4000; round++) {
		struct sbuf t = { 0 };
		state = state * 1103515245u + 12345u;
		size_t parts = 1 + (state >> 16) % 40;
		for (size_t k = 0; k < parts; k++) {
			state = state * 1103515245u + 12345u;
			/* mostly Chinese, now and then one of the others */
			size_t pick = (state >> 16) % 4 ? (state >> 20) % 3 : (state >> 18) % np;
			sbuf_puts(&t, pieces[pick]);
		}
		struct decode_guess g;
		struct decode_text kept = { .first_invalid = -1 };
		if (decode_guess_keep((const unsigned char *)t.data, t.len, true, &g, &kept) == 0 && kept.raw) {
			bool changed = any_line_changed(t.data, t.len);
			CHECK(kept.plain == !changed);
			plain += kept.plain;
			not_plain += !kept.plain;
		} else {
			CHECK(!kept.plain);
		}
		sbuf_free(&kept.text);
		sbuf_free(&t);
	}
	CHECK(plain > 100 && not_plain > 100);
	/* the same texts in GB18030, long enough for the guess to choose it: its text kept
	 * is plain only when nothing in it changes (the characters of four bytes, converted
	 * by iconv, and control bytes make it not plain) */
	plain = not_plain = 0;
	for (int round = 0; round < 1000; round++) {
		struct sbuf t = { 0 };
		sbuf_puts(&t, simp);
		state = state * 1103515245u + 12345u;
		size_t parts = 1 + (state >> 16) % 20;
		for (size_t k = 0; k < parts; k++) {
			state = state * 1103515245u + 12345u;
			size_t pick = (state >> 16) % 4 ? (state >> 20) % 3 : (state >> 18) % np;
			if (strchr(pieces[pick], '\xEF') || strchr(pieces[pick], '\xC2') || strchr(pieces[pick], '\xD8'))
				continue;	/* BOM-like, C1 and U+061C: not all in GB18030; tried above */
			sbuf_puts(&t, pieces[pick]);
		}
		sbuf_puts(&t, simp);
		size_t n;
		unsigned char *gb = encode("GB18030", t.data, &n);
		struct decode_guess g;
		struct decode_text kept = { .first_invalid = -1 };
		CHECK(decode_guess_keep(gb, n, true, &g, &kept) == 0 && !strcmp(g.encoding, "GB18030"));
		CHECK(kept.text.len == t.len && !memcmp(kept.text.data, t.data, t.len));
		bool changed = any_line_changed(t.data, t.len);
		CHECK(!(kept.plain && changed));
		plain += kept.plain;
		not_plain += !kept.plain;
		/* a decoder fed in pieces (the cut codes carried) says the same of the text
		 * so far, and the pieces after a piece that is not plain leave it so */
		char err[160];
		struct decoder *d = decoder_new("GB18030", err, sizeof err);
		struct sbuf text = { 0 };
		bool was = true;
		for (size_t at = 0, step = 1 + round % 97; at < n; at += step) {
			size_t k = n - at < step ? n - at : step;
			decoder_feed(d, gb + at, k, at + k == n, &text);
			bool now = decoder_plain(d);
			CHECK(!(now && !was));
			CHECK(!(now && any_line_changed(text.data, text.len)));
			was = now;
		}
		CHECK(text.len == t.len && !memcmp(text.data, t.data, t.len));
		CHECK(was == kept.plain);
		decoder_free(d);
		sbuf_free(&text);
		sbuf_free(&kept.text);
		sbuf_free(&t);
		free(gb);
	}
	CHECK(plain > 100 && not_plain > 100);
}

int main(void)
{
	test_plain();
	test_two_byte_encodings("GB18030");
	test_two_byte_encodings("BIG5");
	test_guess_keep();
	test_boms();
	test_chinese_encodings();
	test_cut_samples();
	test_binary();
	test_decoder();
	test_large();
	test_room();
	test_utf8_counts();
	return check_done();
}
