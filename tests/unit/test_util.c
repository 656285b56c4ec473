#include "config.h"

#include <stdlib.h>

#include "check.h"
#include "dugao/sha256.h"
#include "dugao/util.h"

static void test_sbuf(void)
{
	struct sbuf b = { 0 };
	sbuf_puts(&b, "读稿");
	sbuf_printf(&b, "-%d-", 42);
	sbuf_append(&b, "xyz", 2);
	CHECK_STR(b.data, "读稿-42-xy");
	CHECK_INT(b.len, strlen("读稿-42-xy"));
	sbuf_reset(&b);
	CHECK_STR(b.data, "");
	char *s = sbuf_take(&b);
	CHECK_STR(s, "");
	free(s);
	CHECK(b.data == NULL);
	for (int i = 0; i < 1000; i++)
		sbuf_puts(&b, "发展");
	CHECK_INT(b.len, 6000);
	sbuf_free(&b);
}

static void test_utf8(void)
{
	uint32_t cp;
	CHECK_INT(utf8_decode("A", 1, &cp), 1);
	CHECK_INT(cp, 'A');
	CHECK_INT(utf8_decode("读", 3, &cp), 3);
	CHECK_INT(cp, 0x8BFB);
	CHECK_INT(utf8_decode("\xF0\x9F\x98\x80", 4, &cp), 4);
	CHECK_INT(cp, 0x1F600);
	/* cut, overlong, surrogate and stray bytes all give U+FFFD, one byte at a time */
	CHECK_INT(utf8_decode("\xE8\xAF", 2, &cp), 1);
	CHECK_INT(cp, 0xFFFD);
	CHECK_INT(utf8_decode("\xC0\x80", 2, &cp), 1);
	CHECK_INT(cp, 0xFFFD);
	CHECK_INT(utf8_decode("\xED\xA0\x80", 3, &cp), 1);
	CHECK_INT(cp, 0xFFFD);
	CHECK_INT(utf8_decode("\x80", 1, &cp), 1);
	CHECK_INT(cp, 0xFFFD);

	char out[4];
	CHECK_INT(utf8_encode(0x8BFB, out), 3);
	CHECK(memcmp(out, "读", 3) == 0);
	CHECK_INT(utf8_encode(0xD800, out), 3);	/* a surrogate is replaced */
	CHECK(memcmp(out, "\xEF\xBF\xBD", 3) == 0);

	const char *s = "一是a发展";
	CHECK_INT(utf8_count(s, strlen(s)), 5);
	CHECK_INT(utf8_offset(s, strlen(s), 2), 6);
	CHECK_INT(utf8_offset(s, strlen(s), 3), 7);
	CHECK_INT(utf8_offset(s, strlen(s), 99), strlen(s));
}

/* The inline fast paths agree with the general decoder on every two- and three-byte
 * input, and the word-at-a-time count with a byte-at-a-time one. */
static void test_utf8_fast_paths(void)
{
	long bad = 0;
	for (unsigned a = 0; a < 256; a++)
		for (unsigned b = 0; b < 256; b++)
			for (unsigned c = 0; c < 256; c += (a >= 0xE0 && a <= 0xEF) ? 1 : 255) {
				char s[3] = { (char)a, (char)b, (char)c };
				for (size_t n = 1; n <= 3; n++) {
					uint32_t x, y;
					size_t k = utf8_decode(s, n, &x), l = utf8_decode_any(s, n, &y);
					bad += k != l || x != y;
				}
			}
	CHECK_INT(bad, 0);
	uint32_t cp;
	CHECK_INT(utf8_decode("", 0, &cp), 0);
	CHECK_INT(cp, 0xFFFD);
	char mixed[300];
	for (size_t i = 0; i < sizeof mixed; i++)
		mixed[i] = (char)(i * 37 + 11);
	for (size_t start = 0; start < 9; start++)
		for (size_t n = 0; start + n <= sizeof mixed; n += 13) {
			size_t want = 0;
			for (size_t i = start; i < start + n; i++)
				want += ((unsigned char)mixed[i] & 0xC0) != 0x80;
			bad += utf8_count(mixed + start, n) != want;
		}
	CHECK_INT(bad, 0);
	/* long texts: the sixteen-byte count sums its lanes every 255 steps */
	size_t big = 3 * 255 * 16 + 40;
	char *text = malloc(big);
	for (size_t i = 0; i < big; i++)
		text[i] = (char)(i % 4001 ? 0x80 + i % 64 : 0x61);	/* nearly all continuation bytes: full lanes */
	size_t lens[] = { 255 * 16 - 1, 255 * 16, 255 * 16 + 1, 255 * 16 + 17, 2 * 255 * 16, big - 1, big };
	for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
		size_t want = 0;
		for (size_t i = 1; i < lens[k]; i++)
			want += ((unsigned char)text[i] & 0xC0) != 0x80;
		bad += utf8_count(text + 1, lens[k] - 1) != want;
	}
	free(text);
	CHECK_INT(bad, 0);
}

/* The sixteen-byte lanes: the first lane set, any, and sums, against loops over the
 * bytes (the order of the lanes is the order of the bytes in memory). */
static void test_u8x16(void)
{
	long bad = 0;
	unsigned char b[16];
	for (unsigned t = 0; t < 20000; t++) {
		for (size_t k = 0; k < 16; k++)
			b[k] = (unsigned char)((t * 2654435761u >> (k % 8 * 4)) + k * 17);
		u8x16 v = u8x16_load(b);
		u8x16 m = (u8x16)(v == (unsigned char)(t & 0xFF)) | (u8x16)(v < (unsigned char)(t % 7));
		size_t first = 16;
		long sum = 0;
		for (size_t k = 16; k-- > 0;)
			if (b[k] == (t & 0xFF) || b[k] < t % 7)
				first = k;
		for (size_t k = 0; k < 16; k++)
			sum += b[k];
		bad += u8x16_first(m) != first || u8x16_any(m) != (first < 16) || u8x16_sum(v) != sum;
	}
	CHECK_INT(bad, 0);
	u8x16 ones = u8x16_load("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF");
	CHECK_INT(u8x16_sum(ones), 16 * 255);
	CHECK_INT(u8x16_first(ones), 0);
	u8x16 last = u8x16_load("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1");
	CHECK_INT(u8x16_first(last), 15);
	CHECK(!u8x16_any(last - last));
	CHECK_INT(u8x16_first(last - last), 16);
}

static void sha_of(const char *data, size_t n, size_t chunk, char hex[65])
{
	struct sha256 h;
	sha256_init(&h);
	for (size_t i = 0; i < n; i += chunk)
		sha256_update(&h, data + i, n - i < chunk ? n - i : chunk);
	sha256_final_hex(&h, hex);
}

static void test_sha256(void)
{
	char hex[65];
	sha_of("", 0, 1, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha_of("abc", 3, 1, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	for (size_t chunk = 1; chunk < 70; chunk += 7) {
		sha_of(two, strlen(two), chunk, hex);
		CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	}
	char *million = malloc(1000000);
	memset(million, 'a', 1000000);
	sha_of(million, 1000000, 4096, hex);
	CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

int main(void)
{
	test_sbuf();
	test_utf8();
	test_utf8_fast_paths();
	test_u8x16();
	test_sha256();
	/* the same vectors the other way (portable, or the SHA instructions) */
	bool hw = sha256_hardware(true);
	sha256_hardware(!hw);
	test_sha256();
	sha256_hardware(true);
	return check_done();
}
