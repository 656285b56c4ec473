/* util: allocation that never returns NULL, a growable byte buffer, UTF-8 helpers. */
#ifndef DUGAO_UTIL_H
#define DUGAO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable NUL-terminated byte buffer. */
struct sbuf {
	char *data;	/* NUL-terminated contents, NULL until the first append */
	size_t len;	/* bytes used, NUL excluded */
	size_t cap;	/* bytes allocated */
};

/* Makes room for extra more bytes and the NUL (sbuf_append's rare path). */
void sbuf_grow(struct sbuf *b, size_t extra);

/* Inline: the pipeline appends a few bytes at a time, millions of times. */
static inline void sbuf_append(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		sbuf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);
/* Hands the contents to the caller (never NULL) and empties the buffer. */
char *sbuf_take(struct sbuf *b);
/* Appends v as an unsigned LEB128 varint (seven bits a byte, low first). */
static inline void sbuf_put_varint(struct sbuf *b, unsigned long long v)
{
	if (b->len + 10 + 1 > b->cap)
		sbuf_grow(b, 10);
	unsigned char *p = (unsigned char *)b->data + b->len;
	for (; v > 0x7f; v >>= 7)
		*p++ = (unsigned char)(v | 0x80);
	*p++ = (unsigned char)v;
	b->len = (size_t)(p - (unsigned char *)b->data);
	b->data[b->len] = '\0';
}
/* Reads such a varint at *p (before end) into *v, *p moved past it; false when cut
 * short or longer than 64 bits (*v then unset). */
bool varint_get(const unsigned char **p, const unsigned char *end, unsigned long long *v);
/* Appends n bytes of s (a file name, say) so that printing them can neither act on a
 * terminal nor break a line: C0 and C1 controls, DEL, bidi controls and bytes that are
 * not UTF-8 become \xNN or \u{NNNN}; a backslash stays as it is. */
void sbuf_put_printable(struct sbuf *b, const char *s, size_t n);

/* utf8_decode for any sequence; utf8_decode inlines the common ones. */
size_t utf8_decode_any(const char *s, size_t n, uint32_t *cp);

/* The code point of the three bytes at s, a lead E0-EF and two continuation bytes
 * (not checked: the caller has told them). */
static inline uint32_t utf8_cp3(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (uint32_t)(s[2] & 0x3F);
}

/* Decodes one UTF-8 character at s (n bytes available) into *cp and returns its
 * length; an invalid or cut sequence gives U+FFFD and length 1 (n == 0: length 0). s
 * must be valid after normalise, so callers use this mostly on clean text. Inline for
 * ASCII and the three-byte sequences of Chinese text: the pipeline calls it for every
 * character. */
static inline size_t utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (n >= 1 && s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	/* E1-EC, EE, EF: no overlong (E0) nor surrogate (ED) to check for */
	if (n >= 3 && s[0] >= 0xE1 && s[0] != 0xED && s[0] <= 0xEF && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		*cp = utf8_cp3(str);
		return 3;
	}
	return utf8_decode_any(str, n, cp);
}
/* Sixteen bytes as the lanes of a vector (GCC vector extensions: SSE2 on x86-64, plain
 * code elsewhere), for scans of text sixteen bytes at a time. A comparison of two gives
 * 0xFF in each lane where it holds, 0 in the others. */
typedef unsigned char u8x16 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));	/* the same bytes as two words */

static inline u8x16 u8x16_load(const void *p)
{
	u8x16 v;
	memcpy(&v, p, 16);
	return v;
}

/* Whether any lane of m is not zero. */
static inline bool u8x16_any(u8x16 m)
{
	u64x2 x = (u64x2)m;
	return (x[0] | x[1]) != 0;
}

/* The first lane of m that is not zero, 16 if none. */
static inline size_t u8x16_first(u8x16 m)
{
	u64x2 x = (u64x2)m;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return x[0] ? (size_t)__builtin_ctzll(x[0]) / 8 : x[1] ? 8 + (size_t)__builtin_ctzll(x[1]) / 8 : 16;
#else
	return x[0] ? (size_t)__builtin_clzll(x[0]) / 8 : x[1] ? 8 + (size_t)__builtin_clzll(x[1]) / 8 : 16;
#endif
}

/* The last k lanes (0 < k < 16): of the sixteen bytes that end a text, those past the
 * bytes a scan sixteen at a time looked at already (k is what was left). */
static inline u8x16 u8x16_last(size_t k)
{
	static const u8x16 lane = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	return (u8x16)(lane >= (unsigned char)(16 - k));
}

/* The sum of the lanes of x, each at most 255. */
static inline long u8x16_sum(u8x16 x)
{
	u64x2 c = (u64x2)x;
	c = (c & 0x00FF00FF00FF00FFull) + (c >> 8 & 0x00FF00FF00FF00FFull);	/* pairs of lanes */
	c = c * 0x0001000100010001ull >> 48;	/* the four 16-bit sums of each word */
	return (long)(c[0] + c[1]);
}

/* Encodes cp into out (4 bytes room), returns the length. */
size_t utf8_encode(uint32_t cp, char *out);
/* Number of characters (code points) in the first n bytes of s. */
size_t utf8_count(const char *s, size_t n);
/* Byte offset of the character with index chars in s (clamped to n). */
size_t utf8_offset(const char *s, size_t n, size_t chars);

#endif
