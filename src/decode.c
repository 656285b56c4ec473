#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dugao/decode.h"

/* ---- the streaming decoder ------------------------------------------------------ */

/* What the guess counts of a text: a two-byte decoder given one counts the characters
 * as it gives them, instead of a second pass over what it wrote (see read_as). */
struct tally {
	size_t chars;		/* characters, ASCII included */
	size_t nonascii;	/* characters above U+007F, U+FFFD excluded */
	size_t common;		/* of those, frequent Chinese characters and punctuation */
	size_t texty;		/* characters plausible in a text file */
	size_t rare;		/* non-ASCII ones of those that are not frequent */
};

static void tally_cp(struct tally *t, uint32_t cp);
static void tally_text(struct tally *t, const char *s, size_t n);
static void common_init(void);

/* What read_as counts of each BMP code point, so that it counts without branches. */
enum {
	CP_COMMON = 1,		/* in the lists of frequent characters (the guess, below) */
	CP_TEXTY = 2,		/* in texty_ranges (the guess, below) */
	CP_REPLACED = 4,	/* U+FFFD: an invalid sequence, counted apart */
};
static unsigned char cp_class[0x10000];

struct dbcs;

struct decoder {
	iconv_t cd;			/* conversion to UTF-8; (iconv_t)-1 for the UTF-8 fast path */
	char encoding[32];		/* its name, to give cd back to the pool; "" for a name too long */
	const struct dbcs *dbcs;	/* GB18030, Big5: two-byte codes from its tables, the rest by iconv */
	struct tally *tally;		/* set (GB18030, Big5 only): every character given is counted here */
	bool write;			/* with tally: the characters of the table are written too */
	bool other;			/* dbcs: a character was converted by iconv, not the table */
	bool acted;			/* dbcs: a control byte was read (not LF, CR): normalise acts on it */
	size_t unit;			/* bytes skipped after an invalid sequence (2 for UTF-16, 4 for UTF-32) */
	unsigned char pending[16];	/* an incomplete sequence carried to the next feed */
	size_t npending;		/* bytes in pending */
	long long offset;		/* stream offset of the first byte not yet converted (pending[0]) */
	size_t invalid;			/* sequences replaced */
	long long first_invalid;	/* offset of the first invalid sequence, -1 if none */
};

static bool is_utf8_name(const char *e)
{
	return !strcasecmp(e, "UTF-8") || !strcasecmp(e, "UTF8");
}

/* Bytes in one code unit of the encoding: an invalid sequence skips one unit, so that
 * UTF-16 and UTF-32 stay aligned after a bad code unit. */
static size_t unit_of(const char *e)
{
	if (!strncasecmp(e, "UTF-16", 6) || !strncasecmp(e, "UTF16", 5) || !strncasecmp(e, "UCS-2", 5) ||
	    !strncasecmp(e, "UNICODE", 7))
		return 2;
	if (!strncasecmp(e, "UTF-32", 6) || !strncasecmp(e, "UTF32", 5) || !strncasecmp(e, "UCS-4", 5))
		return 4;
	return 1;
}

/* Converters kept open after use: opening one loads its module and sets up its tables,
 * which costs more than converting a small file, and an import of many files (or the
 * guess, which tries several encodings) would open the same few again and again. */
#define POOL 8

static struct pooled {
	char encoding[32];	/* the name it was opened with */
	iconv_t cd;		/* an open converter to UTF-8, in its initial state */
} pool[POOL];
static size_t npool;		/* entries of pool in use */
/* guards pool and npool: an import parses on two threads (an iconv_t is used by one
 * thread at a time: taken out of the pool, used, put back) */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

static void pool_close_all(void) __attribute__((destructor));

static void pool_close_all(void)
{
	pthread_mutex_lock(&pool_lock);
	while (npool > 0)
		iconv_close(pool[--npool].cd);
	pthread_mutex_unlock(&pool_lock);
}

static iconv_t cd_open(const char *encoding)
{
	pthread_mutex_lock(&pool_lock);
	for (size_t i = npool; i-- > 0;)
		if (!strcmp(pool[i].encoding, encoding)) {
			iconv_t cd = pool[i].cd;
			pool[i] = pool[--npool];
			pthread_mutex_unlock(&pool_lock);
			return cd;
		}
	pthread_mutex_unlock(&pool_lock);
	return iconv_open("UTF-8", encoding);
}

static void cd_close(const char *encoding, iconv_t cd)
{
	if (strlen(encoding) >= sizeof pool[0].encoding) {
		iconv_close(cd);
		return;
	}
	iconv(cd, NULL, NULL, NULL, NULL);	/* back to the initial shift state */
	iconv_t old = (iconv_t)-1;
	pthread_mutex_lock(&pool_lock);
	if (npool == POOL)
		old = pool[--npool].cd;
	snprintf(pool[npool].encoding, sizeof pool[npool].encoding, "%s", encoding);
	pool[npool++].cd = cd;
	pthread_mutex_unlock(&pool_lock);
	if (old != (iconv_t)-1)
		iconv_close(old);
}

/* Two-byte codes of GB18030 and Big5: lead byte 81-FE, trail 40-FE (a superset of both). */
#define DB_LEADS 126
#define DB_TRAILS 191
/* Where the tables keep a code: lead bytes 80-FF by their low seven bits, every trail
 * byte, so that no byte needs a range check (the leads 80 and FF and the trails outside
 * 40-FE hold 0). */
#define DB_INDEX(lead, trail) (((size_t)(lead) & 0x7F) << 8 | (size_t)(trail))
/* In a table: a two-byte code that iconv refuses as an invalid sequence (EILSEQ)
 * without reading past it. A surrogate, which no code converts to. */
#define DB_REFUSED 0xD800

/* The encodings whose ASCII and two-byte codes the decoder reads itself. */
static struct dbcs {
	const char *encoding;			/* iconv name */
	int state;				/* 0 table not built, 1 ready, -1 unavailable */
	bool keeps;				/* normalise_line keeps every character of the table
						 * as it is (normalise_changes says no to each) */
	uint16_t table[128 * 256];		/* code point of each two-byte code as iconv converts
						 * it, at DB_INDEX; DB_REFUSED for a code it refuses; 0
						 * for one it takes outside the BMP or otherwise
						 * (dbcs_convert asks iconv for those) */
	uint32_t utf8[128 * 256];		/* the same code point as its three bytes of UTF-8
						 * (the first lowest) with its cp_class in the top
						 * byte; 0 when it takes fewer bytes */
} dbcs_encodings[] = { { .encoding = "GB18030" }, { .encoding = "BIG5" } };

static bool normalise_changes(const unsigned char *s, size_t n, size_t j);

/* guards the tables' state while one is filled: the import parses on two threads */
static pthread_mutex_t dbcs_lock = PTHREAD_MUTEX_INITIALIZER;

/* Fills the table from iconv, once; false if iconv cannot, or reads ASCII or a
 * two-byte code otherwise than as one character (the decoder then uses iconv for
 * everything). Called with dbcs_lock held. */
static bool dbcs_ready(struct dbcs *db)
{
	if (db->state)
		return db->state > 0;
	db->state = -1;
	iconv_t cd = iconv_open("UTF-32LE", db->encoding);
	if (cd == (iconv_t)-1)
		return false;
	/* every code in one call: each converts to one character, or stops the call */
	enum { CODES = DB_LEADS * DB_TRAILS };
	unsigned char *in = xmalloc(2 * CODES);
	uint32_t *cps = xmalloc(CODES * sizeof *cps);
	bool ok = true;
	/* ASCII first: it must come out as itself */
	for (unsigned c = 0; c < 0x80; c++)
		in[c] = (unsigned char)c;
	char *ip = (char *)in, *op = (char *)cps;
	size_t left = 0x80, room = 0x80 * 4;
	ok = iconv(cd, &ip, &left, &op, &room) != (size_t)-1 && left == 0 && room == 0;
	for (unsigned c = 0; ok && c < 0x80; c++)
		ok = cps[c] == c;
	for (size_t k = 0; k < CODES; k++) {
		in[2 * k] = (unsigned char)(0x81 + k / DB_TRAILS);
		in[2 * k + 1] = (unsigned char)(0x40 + k % DB_TRAILS);
	}
	size_t k = 0;
	while (ok && k < CODES) {
		ip = (char *)in + 2 * k, op = (char *)cps + 4 * k;
		left = 2 * (CODES - k), room = 4 * (CODES - k);
		size_t r = iconv(cd, &ip, &left, &op, &room);
		int err = errno;
		size_t done = (size_t)(ip - (char *)in) / 2;
		/* not one character per code: do not trust the table */
		ok = (size_t)(ip - (char *)in) % 2 == 0 && (size_t)(op - (char *)cps) == 4 * done;
		for (size_t j = k; ok && j < done; j++) {
			uint32_t cp = cps[j];
			if (cp > 0 && cp < 0x10000 && !(cp >= 0xD800 && cp <= 0xDFFF))
				db->table[DB_INDEX(0x81 + j / DB_TRAILS, 0x40 + j % DB_TRAILS)] = (uint16_t)cp;
		}
		k = done;
		if (r != (size_t)-1)
			break;
		/* a code iconv refuses (7F as trail among them): read as invalid without
		 * iconv, the same way (its trail is 40-FE, never the start of a longer
		 * sequence, so the refusal does not depend on what follows) */
		if (ok && err == EILSEQ)
			db->table[DB_INDEX(0x81 + k / DB_TRAILS, 0x40 + k % DB_TRAILS)] = DB_REFUSED;
		k++;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	iconv_close(cd);
	free(in);
	free(cps);
	if (!ok) {
		memset(db->table, 0, sizeof db->table);
		return false;
	}
	common_init();	/* cp_class */
	db->keeps = true;
	for (size_t j = 0; j < sizeof db->table / sizeof *db->table; j++) {
		uint32_t cp = db->table[j];
		/* the blocks normalise_changes may say yes to, asked by their UTF-8 */
		if (cp && cp != DB_REFUSED &&
		    (cp < 0xA0 || cp == 0x61C || (cp >= 0x2000 && cp < 0x2070) || cp == 0xFEFF || cp >= 0xFFF9)) {
			char u[4];
			size_t l = utf8_encode(cp, u);
			if (normalise_changes((const unsigned char *)u, l, 0))
				db->keeps = false;
		}
		if (cp >= 0x800 && cp != DB_REFUSED)
			db->utf8[j] = (0xE0 | cp >> 12) | (0x80 | (cp >> 6 & 0x3F)) << 8 | (0x80 | (cp & 0x3F)) << 16 |
				      (uint32_t)cp_class[cp] << 24;
	}
	db->state = 1;
	return true;
}

/* The tables for an encoding the decoder reads itself, NULL for the others. */
static const struct dbcs *dbcs_table(const char *encoding)
{
	for (size_t i = 0; i < sizeof dbcs_encodings / sizeof *dbcs_encodings; i++)
		if (!strcasecmp(encoding, dbcs_encodings[i].encoding)) {
			/* a lock a decoder: the tables are read only once ready, and the lock
			 * orders that after their filling */
			pthread_mutex_lock(&dbcs_lock);
			bool ready = dbcs_ready(&dbcs_encodings[i]);
			pthread_mutex_unlock(&dbcs_lock);
			return ready ? &dbcs_encodings[i] : NULL;
		}
	return NULL;
}

bool decode_supported(const char *encoding)
{
	if (!encoding || !*encoding)
		return false;
	if (is_utf8_name(encoding))
		return true;
	iconv_t cd = cd_open(encoding);
	if (cd == (iconv_t)-1)
		return false;
	cd_close(encoding, cd);
	return true;
}

struct decoder *decoder_new(const char *encoding, char *err, size_t errlen)
{
	iconv_t cd = (iconv_t)-1;
	if (!is_utf8_name(encoding)) {
		cd = cd_open(encoding);
		if (cd == (iconv_t)-1) {
			snprintf(err, errlen, "unknown encoding '%s'", encoding);
			return NULL;
		}
	}
	struct decoder *d = xcalloc(1, sizeof *d);
	d->cd = cd;
	if (strlen(encoding) < sizeof d->encoding)
		memcpy(d->encoding, encoding, strlen(encoding) + 1);
	d->dbcs = cd == (iconv_t)-1 ? NULL : dbcs_table(encoding);
	d->unit = unit_of(encoding);
	d->first_invalid = -1;
	return d;
}

static void bad(struct decoder *d, long long at, struct sbuf *out)
{
	if (d->first_invalid < 0)
		d->first_invalid = at;
	d->invalid++;
	if (d->tally)
		tally_cp(d->tally, 0xFFFD);
	sbuf_append(out, "\xEF\xBF\xBD", 3);
}

/* Length of the UTF-8 sequence at s (n bytes available): > 0 when valid; 0 when it is
 * a valid but cut prefix; -k when the first k bytes are an invalid maximal subpart
 * (one U+FFFD each, as the Unicode standard recommends). */
static inline long utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;	/* range of the second byte */
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;	/* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;	/* nothing above U+10FFFF */
	} else
		return -1;
	for (size_t i = 1; i < len; i++) {
		if (i >= n)
			return 0;
		unsigned char b = s[i];
		if (i == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80)
			return -(long)i;
	}
	return (long)len;
}

/* From i on, past ASCII (eight bytes at a time) and the three-byte sequences that need
 * no range check beyond their continuation bytes (not E0: overlongs, not ED:
 * surrogates): the bulk of Chinese text. Returns where a byte needs a closer look (n
 * at the end); *multi counts the sequences passed. */
static inline size_t utf8_easy(const unsigned char *s, size_t n, size_t i, size_t *multi)
{
	for (;;) {
		while (i + 8 <= n) {
			uint64_t w;
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ull)
				break;
			i += 8;
		}
		if (i >= n)
			return n;
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
		} else if (c >= 0xE1 && c <= 0xEF && c != 0xED && i + 2 < n && (s[i + 1] & 0xC0) == 0x80 &&
			   (s[i + 2] & 0xC0) == 0x80) {
			(*multi)++;
			i += 3;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* and more of them, four at once, the same as four steps of this one:
			 * leads E0-EF whose low four bits are neither 0 nor D, two continuation
			 * bytes after each (tried after one, so that a text of other bytes, a
			 * GB18030 sample's, pays nothing for it) */
			size_t four = 0;
			while (i + 12 <= n) {
				uint64_t a;
				uint32_t b;
				memcpy(&a, s + i, 8);
				memcpy(&b, s + i + 8, 4);
				if ((a & 0xC0F0C0C0F0C0C0F0ull) != 0x80E08080E08080E0ull || (b & 0xC0C0F0C0u) != 0x8080E080u ||
				    ((1u << (a & 0xF) | 1u << (a >> 24 & 0xF) | 1u << (a >> 48 & 0xF) | 1u << (b >> 8 & 0xF)) &
				     (1u | 1u << 0xD)))
					break;
				four++;
				i += 12;
			}
			*multi += 4 * four;
#endif
		} else {
			return i;
		}
	}
}

/* The fast path: UTF-8 is validated and copied in runs, without iconv. Returns the
 * bytes consumed; less than n only when a cut sequence ends in and final is unset. */
static size_t utf8_convert(struct decoder *d, const unsigned char *in, size_t n, bool final, long long base,
			   struct sbuf *out)
{
	size_t i = 0, run = 0, multi = 0;
	while (i < n) {
		if ((i = utf8_easy(in, n, i, &multi)) >= n)
			break;
		long k = utf8_seq(in + i, n - i);
		if (k > 0) {
			i += (size_t)k;
			continue;
		}
		if (k == 0 && !final) {
			sbuf_append(out, (const char *)in + run, i - run);
			return i;
		}
		sbuf_append(out, (const char *)in + run, i - run);
		bad(d, base + (long long)i, out);
		i += k == 0 ? n - i : (size_t)-k;
		run = i;
	}
	sbuf_append(out, (const char *)in + run, i - run);
	return n;
}

/* The same contract through iconv. */
static size_t iconv_convert(struct decoder *d, const unsigned char *in, size_t n, bool final, long long base,
			    struct sbuf *out)
{
	char buf[64 * 1024];
	char *ip = (char *)in;
	size_t left = n;
	while (left > 0) {
		char *op = buf;
		size_t room = sizeof buf;
		size_t r = iconv(d->cd, &ip, &left, &op, &room);
		sbuf_append(out, buf, (size_t)(op - buf));
		if (d->tally)
			tally_text(d->tally, buf, (size_t)(op - buf));
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		long long at = base + (ip - (char *)in);
		if (errno == EINVAL) {
			if (!final)
				return n - left;
			/* a sequence cut by the end of the text: one replacement for it all */
			bad(d, at, out);
			left = 0;
			break;
		}
		bad(d, at, out);
		size_t skip = d->unit < left ? d->unit : left;
		ip += skip, left -= skip;
		iconv(d->cd, NULL, NULL, NULL, NULL);
	}
	return n;
}

/* Counts the characters of UTF-8 text written other than by the table (what iconv
 * wrote, U+FFFD), for a decoder that counts (see read_as). */
static void tally_text(struct tally *t, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_decode(s + i, n - i, &cp);
		tally_cp(t, cp);
	}
}

/* The common run of dbcs_convert: ASCII and the two-byte codes of the table, from
 * in[i] on, up to stop (the trail byte may be at stop, never at n); stops at the
 * first other code. write: the characters go to buf at *o; count: they are counted
 * in *t. Inlined with constant flags, so that each loop has no test it does not need. */
static inline __attribute__((always_inline)) size_t dbcs_run(const struct dbcs *db, const unsigned char *in,
							     size_t i, size_t stop, size_t n, char *buf, size_t *o,
							     struct tally *t, bool write, bool count)
{
	size_t w = *o;
	struct tally c = *t;	/* in locals: buf is char, and would alias *t */
	/* what a character of each cp_class adds to nonascii, common, texty and rare, in
	 * four 16-bit lanes of one word (a run reads fewer than 65536 characters) */
	static const uint64_t lanes[8] = {
		[0] = 1, [CP_COMMON] = 1 | 1ull << 16, [CP_TEXTY] = 1 | 1ull << 32 | 1ull << 48,
		[CP_COMMON | CP_TEXTY] = 1 | 1ull << 16 | 1ull << 32,
		[CP_REPLACED] = 0, [CP_REPLACED | CP_COMMON] = 1ull << 16,
		[CP_REPLACED | CP_TEXTY] = 1ull << 32 | 1ull << 48,
		[CP_REPLACED | CP_COMMON | CP_TEXTY] = 1ull << 16 | 1ull << 32,
	};
	uint64_t acc = 0;
	while (i < stop) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* two two-byte codes of the table at once, the bulk of Chinese text: the
		 * same as two steps below (stop <= n). Byte-swapped, the four bytes hold
		 * the codes' DB_INDEX in their low fifteen bits of each half. */
		while (i + 4 <= stop) {
			uint32_t x;
			memcpy(&x, in + i, 4);
			x = __builtin_bswap32(x);
			if ((x & 0x80008000u) != 0x80008000u)
				break;
			uint32_t e0 = db->utf8[x >> 16 & 0x7FFF], e1 = db->utf8[x & 0x7FFF];
			if (!e0 || !e1)
				break;
			if (count) {
				c.chars += 2;
				acc += lanes[e0 >> 24] + lanes[e1 >> 24];
			}
			if (write) {
				memcpy(buf + w, &e0, 4);
				memcpy(buf + w + 3, &e1, 4);
				w += 6;
			}
			i += 4;
		}
		if (i >= stop)
			break;
#endif
		unsigned char b = in[i];
		if (b >= 0x80) {
			if (i + 1 >= n)
				break;
			size_t k = DB_INDEX(b, in[i + 1]);
			uint32_t e = db->utf8[k];
			if (e) {
				/* the common case: three bytes of UTF-8, its class beside them */
				if (count) {
					c.chars++;
					acc += lanes[e >> 24];
				}
				if (write) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
					memcpy(buf + w, &e, 4);	/* the fourth byte is overwritten or past the end */
#else
					buf[w] = (char)(e & 0xFF);
					buf[w + 1] = (char)(e >> 8 & 0xFF);
					buf[w + 2] = (char)(e >> 16 & 0xFF);
#endif
					w += 3;
				}
			} else {
				uint16_t cp = db->table[k];
				if (!cp || cp == DB_REFUSED)
					break;
				if (count) {
					/* tally_cp for a code point in the BMP above ASCII */
					c.chars++;
					acc += lanes[cp_class[cp]];
				}
				if (write) {
					if (cp >= 0x800) {	/* no surrogates in the table */
						buf[w] = (char)(0xE0 | cp >> 12);
						buf[w + 1] = (char)(0x80 | (cp >> 6 & 0x3F));
						buf[w + 2] = (char)(0x80 | (cp & 0x3F));
						w += 3;
					} else
						w += utf8_encode(cp, buf + w);
				}
			}
			i += 2;
			/* the ASCII after it (a line end after a closing bracket), at once */
			if (i >= stop || (b = in[i]) >= 0x80)
				continue;
		}
		/* a run of ASCII (a line end, digits), at once */
		do {
			if (count) {
				c.chars++;
				c.texty += (b >= 0x20 && b < 0x7F) || b == '\n' || b == '\r' || b == '\t';
			}
			if (write)
				buf[w++] = (char)b;
			i++;
		} while (i < stop && (b = in[i]) < 0x80);
	}
	c.nonascii += acc & 0xFFFF, c.common += acc >> 16 & 0xFFFF;
	c.texty += acc >> 32 & 0xFFFF, c.rare += acc >> 48;
	*o = w;
	*t = c;
	return i;
}

/* GB18030 or Big5 the way iconv_convert reads them, at several times its speed: ASCII
 * and the two-byte codes that make up Chinese text come from d->dbcs (which iconv filled);
 * anything else (four-byte codes, invalid or cut sequences) takes one step of iconv
 * itself, with room for one character, so the output and the invalid sequences are
 * exactly iconv's. A decoder that counts (d->tally) counts every character it gives,
 * and writes those of the table only when d->write is set. */
static size_t dbcs_convert(struct decoder *d, const unsigned char *in, size_t n, bool final, long long base,
			 struct sbuf *out)
{
	const struct dbcs *db = d->dbcs;
	/* the run writes straight into out while out has room (no copy); when out is
	 * nearly full, through buf and sbuf_append, so that out grows when and as it did */
	char buf[16 * 1024];
	struct tally none = { 0 }, *t = d->tally ? d->tally : &none;
	bool count = d->tally != NULL, write = !count || d->write;
	size_t i = 0;
	while (i < n) {
		/* a run stops while the room has space for what it writes: at most three
		 * bytes for every two read, one for one, and a byte past the last */
		size_t room = out->cap - out->len;
		bool direct = write && out->data && room >= 256;
		char *dst = direct ? out->data + out->len : buf;
		size_t avail = (direct ? room - 1 : sizeof buf) - 8;
		size_t stop = n - i < avail / 2 ? n : i + avail / 2;
		size_t o = 0;
		if (count && write)
			i = dbcs_run(db, in, i, stop, n, dst, &o, t, true, true);
		else if (count)
			i = dbcs_run(db, in, i, stop, n, dst, &o, t, false, true);
		else
			i = dbcs_run(db, in, i, stop, n, dst, &o, t, true, false);
		if (direct) {
			out->len += o;
			out->data[out->len] = '\0';
		} else
			sbuf_append(out, buf, o);
		if (i >= n)
			break;
		if (i >= stop)
			continue;
		if (i + 1 < n && db->table[DB_INDEX(in[i], in[i + 1])] == DB_REFUSED) {
			/* what iconv would say of it, without asking: invalid, one unit skipped */
			bad(d, base + (long long)i, out);
			i += d->unit < n - i ? d->unit : n - i;
			continue;
		}
		char *ip = (char *)in + i, *op = buf;
		size_t left = n - i, room1 = 4;
		size_t r = iconv(d->cd, &ip, &left, &op, &room1);
		int err = errno;
		o = (size_t)(op - buf);
		if (count)
			tally_text(t, buf, o);
		if (ip > (char *)in + i) {
			d->other = true;
			if (write)
				sbuf_append(out, buf, o);
			i = (size_t)(ip - (char *)in);
			continue;
		}
		sbuf_append(out, buf, o);
		if (r != (size_t)-1 || err == E2BIG) {	/* no progress with room for a character: let iconv have the rest */
			d->other = true;
			return i + iconv_convert(d, in + i, n - i, final, base + (long long)i, out);
		}
		if (err == EINVAL) {
			if (!final)
				return i;
			bad(d, base + (long long)i, out);	/* cut by the end of the text */
			return n;
		}
		bad(d, base + (long long)i, out);
		i += d->unit < n - i ? d->unit : n - i;
		iconv(d->cd, NULL, NULL, NULL, NULL);
	}
	sbuf_append(out, buf, 0);	/* out allocated and ended by a NUL, as when the last run went through buf */
	return n;
}

static size_t convert(struct decoder *d, const unsigned char *in, size_t n, bool final, long long base,
		      struct sbuf *out)
{
	if (d->cd == (iconv_t)-1)
		return utf8_convert(d, in, n, final, base, out);
	if (d->dbcs)
		return dbcs_convert(d, in, n, final, base, out);
	return iconv_convert(d, in, n, final, base, out);
}

/* Whether c is a control byte but LF and CR, or DEL: one that normalise changes. */
static inline bool acted_on(unsigned char c)
{
	return (c < 0x20 && c != '\n' && c != '\r') || c == 0x7F;
}

/* The lanes of b that hold such a byte (acted_on): told by three comparisons and a
 * minimum, not by a test of each other byte. */
static inline u8x16 controls16(u8x16 b)
{
	return ((u8x16)(b < 0x20) & ~((u8x16)(b == '\n') | (u8x16)(b == '\r'))) | (u8x16)(b == 0x7F);
}

/* Whether the bytes hold a control byte but LF and CR, or DEL: 32 at a time. */
static bool has_control(const unsigned char *s, size_t n)
{
	size_t at = 0;
	for (; at + 32 <= n; at += 32) {
		u8x16 b = u8x16_load(s + at), c = u8x16_load(s + at + 16);
		if (u8x16_any(controls16(b) | controls16(c)))
			return true;
	}
	for (; at < n; at++)
		if (acted_on(s[at]))
			return true;
	return false;
}

void decoder_feed(struct decoder *d, const unsigned char *in, size_t n, bool final, struct sbuf *out)
{
	/* a two-byte encoding's control bytes are ASCII's (its other bytes are 0x30 and
	 * above, never 0x7F): looked for until one is found (decoder_plain); not in the
	 * guess's readings (tally: it looks for them itself) */
	if (d->dbcs && !d->tally && !d->acted)
		d->acted = has_control(in, n);
	if (d->npending) {
		/* Finish the cut sequence with a few new bytes; once it is resolved the rest
		 * is converted from in directly, so joined may stop anywhere. */
		unsigned char joined[sizeof d->pending];
		size_t had = d->npending;
		size_t take = n < sizeof joined - had ? n : sizeof joined - had;
		memcpy(joined, d->pending, had);
		memcpy(joined + had, in, take);
		size_t used = convert(d, joined, had + take, final && take == n, d->offset, out);
		if (used < had && take < n) {
			/* a sequence longer than joined (only odd stateful encodings): give up on it */
			used += convert(d, joined + used, had - used, true, d->offset + (long long)used, out);
		}
		d->offset += (long long)used;
		if (used < had) {
			/* still cut: every new byte is in joined; keep waiting */
			d->npending = had + take - used;
			memmove(d->pending, joined + used, d->npending);
			return;
		}
		d->npending = 0;
		in += used - had, n -= used - had;
	}
	size_t used = convert(d, in, n, final, d->offset, out);
	d->offset += (long long)used;
	if (used < n && n - used > sizeof d->pending) {
		/* a cut sequence longer than any we know (odd stateful encodings): replace it */
		convert(d, in + used, n - used, true, d->offset, out);
		d->offset += (long long)(n - used);
		used = n;
	}
	if (used < n) {
		d->npending = n - used;
		memcpy(d->pending, in + used, d->npending);
	}
}

bool decoder_plain(const struct decoder *d)
{
	return d->dbcs && d->dbcs->keeps && !d->other && !d->acted;
}

void decoder_plain_known(struct decoder *d)
{
	d->acted = true;	/* as if a control byte had been read: none is looked for */
}

size_t decoder_invalid(const struct decoder *d)
{
	return d->invalid;
}

long long decoder_first_invalid(const struct decoder *d)
{
	return d->first_invalid;
}

void decoder_free(struct decoder *d)
{
	if (!d)
		return;
	if (d->cd != (iconv_t)-1 && d->encoding[0])
		cd_close(d->encoding, d->cd);
	else if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	free(d);
}

/* ---- the guess ------------------------------------------------------------------ */

/* The ~750 most frequent characters of modern Chinese text, simplified, then the
 * traditional forms of those that differ. Text decoded with the right encoding is
 * mostly made of them; Big5 read as GB18030 (or the reverse) gives valid but rare
 * characters. A frequency signal only, not a dictionary. */
static const char common_chars[] =
	"的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于"
	"着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还"
	"进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情"
	"明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或"
	"新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员"
	"解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太"
	"量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基"
	"眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交"
	"规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济"
	"车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调"
	"深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越"
	"器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历"
	"首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投某案黑维"
	"革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧"
	"黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值"
	"仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印"
	"晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财"
	"环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担"
	"州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善"
	"這個們來為國說時會對於著過發後裡種經麼學現當沒動還進樣開從實軍無與長機關點業將兩"
	"間問並應戰頭體見產話內給門兒東聲員論處義幾認條氣題爾別變總電數報結務場計資許統區"
	"隊決馬書則聽卻達強難權設記類據邊張該規萬覺術領確傳師觀讓識帶導爭運飛風幹聯組濟車"
	"親極辦議證轉準遠單羅愛擊備連調質團價黨華級離況亞請際約復線斷滿視須寫稱嗎輕農裝廣"
	"顯標談圖歷醫專費號盡較語僅隨選紅響雖勢參眾構節維劃敵陳態護興驗責營夠嚴續講終緊黃"
	"絕項圍織鬥雙紀採舉殺蘇訴細願錢網熱屬臉職樂剛狀獨彈創錯蘭試腦預誰陽繼驚傷藥適衛險"
	"陸習勞財環納歡獲負雲遊龍樹層衝範異漢簡擔靜積餘檢靈協佔徵揮勝階審堅";


/* CJK punctuation that only the right encoding produces. */
static const char common_punct[] = "，。、；：？！“”‘’（）《》【】—…·「」『』　";

/* Characters a text file is made of (anything else suggests the wrong encoding), as
 * ranges of code points, first and last. */
static const struct {
	uint16_t first;	/* first code point of the range */
	uint16_t last;	/* last code point of the range */
} texty_ranges[] = {
	{ '\t', '\n' }, { '\r', '\r' }, { 0x20, 0x7E }, { 0xA0, 0x24F }, { 0x2000, 0x206F }, { 0x3000, 0x303F },
	{ 0x3400, 0x9FFF }, { 0xF900, 0xFAFF }, { 0xFF00, 0xFFEF },
};

/* cp_class: the ranges filled whole, then the characters of the two lists above
 * marked (not every code point of the BMP tested against each range and list). */
static void common_build(void)
{
	for (size_t r = 0; r < sizeof texty_ranges / sizeof *texty_ranges; r++)
		memset(cp_class + texty_ranges[r].first, CP_TEXTY,
		       (size_t)(texty_ranges[r].last - texty_ranges[r].first) + 1);
	const char *lists[] = { common_chars, common_punct };
	for (size_t l = 0; l < 2; l++) {
		const char *s = lists[l];
		size_t n = strlen(s);
		for (size_t i = 0; i < n;) {
			uint32_t cp;
			i += utf8_decode(s + i, n - i, &cp);
			if (cp < 0x10000)
				cp_class[cp] |= CP_COMMON;
		}
	}
	cp_class[0xFFFD] = CP_REPLACED;
}

/* cp_class, made once whatever thread asks first. */
static void common_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, common_build);
}

static void tally_cp(struct tally *t, uint32_t cp)
{
	t->chars++;
	if (cp < 0x80) {
		/* ASCII: texty_ranges without the table */
		t->texty += (cp >= 0x20 && cp < 0x7F) || cp == '\n' || cp == '\r' || cp == '\t';
		return;
	}
	unsigned c = cp < 0x10000 ? cp_class[cp] : 0;	/* nothing above the BMP is texty */
	t->nonascii += !(c & CP_REPLACED);
	t->common += c & CP_COMMON;
	t->texty += c >> 1 & 1;
	t->rare += (c & (CP_COMMON | CP_TEXTY)) == CP_TEXTY;
}

/* How a candidate encoding reads the sample. */
struct reading {
	const char *encoding;	/* the candidate */
	size_t chars;		/* characters decoded, ASCII included */
	size_t nonascii;	/* characters above U+007F */
	size_t common;		/* of those, frequent Chinese characters and punctuation */
	size_t texty;		/* characters plausible in a text file */
	size_t texty_rare;	/* of those, non-ASCII ones that are not frequent */
	size_t invalid;		/* invalid sequences */
	double score;		/* plausibility, higher is better */
};

/* Bytes a reading that may stop early is fed at a time (read_as's beat): small, so
 * that a small file's losing reading stops soon (a step costs a call). */
#define READ_STEP 256

/* Decodes the sample as r->encoding and measures it. A cut sequence at the end of a
 * partial sample is not held against it. The text decoded is left in *out (with its
 * invalid sequences) when out is given. With beat, it stops once score_chinese could
 * not end above *beat even if every two bytes left were a frequent character: Big5
 * and UTF-8 readings of GB18030 text lose that way early, and the choice is the same
 * as after reading them whole (the loser's share in the reason is that of
 * the part read). */
static void read_as(struct reading *r, const unsigned char *s, size_t n, bool complete, struct decode_text *out,
		    const double *beat)
{
	char err[160];
	struct decoder *d = decoder_new(r->encoding, err, sizeof err);
	if (!d) {
		r->score = -1e9;
		return;
	}
	struct sbuf text = { 0 };
	/* a text kept starts with room for all of it in the usual case (two bytes make at
	 * most three), not grown and copied on the way */
	if (out && d->dbcs)
		sbuf_grow(&text, n + n / 2);
	/* the two-byte encodings count as they decode (a text not kept is not even
	 * written); the others' text is counted below */
	struct tally counted = { 0 };
	if (d->dbcs) {
		d->tally = &counted;
		d->write = out != NULL;
	}
	/* counted in locals: the compiler keeps them in registers, not in *r */
	size_t chars = 0, nonascii = 0, common = 0, texty = 0, rare = 0, i = 0;
	for (size_t fed = 0, step = beat ? READ_STEP : n;;) {
		size_t k = n - fed < step ? n - fed : step;
		decoder_feed(d, s + fed, k, complete && fed + k == n, &text);
		fed += k;
		/* the characters written whole (the decoder never cuts one) */
		const char *t = text.data;
		while (!d->tally && i < text.len) {
			if ((unsigned char)t[i] < 0x80) {
				/* ASCII: texty_ranges without the table */
				unsigned char c = (unsigned char)t[i++];
				chars++;
				texty += (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\r' || c == '\t';
				continue;
			}
			uint32_t cp;
			i += utf8_decode(t + i, text.len - i, &cp);
			chars++;
			unsigned c = cp < 0x10000 ? cp_class[cp] : 0;	/* nothing above the BMP is texty */
			nonascii += !(c & CP_REPLACED);
			common += c & CP_COMMON;
			texty += c >> 1 & 1;
			rare += (c & (CP_COMMON | CP_TEXTY)) == CP_TEXTY;
		}
		if (fed == n)
			break;
		/* the best end: a frequent character every two bytes left (and held back):
		 * none takes fewer in any of the three encodings, being above ASCII */
		double left = (double)((n - fed + d->npending + 1) / 2), bad = (double)decoder_invalid(d);
		double most = ((double)(common + counted.common) + left - 3.0 * bad) /
			      ((double)(nonascii + counted.nonascii) + bad + left);
		if (beat && most <= *beat)
			break;
	}
	r->invalid = decoder_invalid(d);
	if (out) {
		sbuf_free(&out->text);
		out->text = text;
		out->invalid = r->invalid;
		out->first_invalid = decoder_first_invalid(d);
		/* the table's characters, ASCII and U+FFFD: nothing to normalise but the
		 * control bytes (the caller's) */
		out->plain = d->dbcs && d->dbcs->keeps && !d->other;
	}
	decoder_free(d);
	r->chars += chars + counted.chars, r->nonascii += nonascii + counted.nonascii;
	r->common += common + counted.common, r->texty += texty + counted.texty, r->texty_rare += rare + counted.rare;
	if (!out)
		sbuf_free(&text);
}

/* Scores a reading of a text without NULs: the share of frequent characters among the
 * non-ASCII ones, with invalid sequences counted heavily against it. */
static void score_chinese(struct reading *r)
{
	double total = (double)(r->nonascii + r->invalid);
	r->score = total > 0 ? ((double)r->common - 3.0 * (double)r->invalid) / total : 0;
}

/* Scores a reading of a text with NULs (UTF-16/32): ASCII text and frequent characters
 * count fully, other plausible characters half. */
static void score_wide(struct reading *r)
{
	double total = (double)(r->chars + r->invalid);
	double good = (double)r->texty - 0.5 * (double)(r->texty_rare);
	r->score = total > 0 ? (good - 3.0 * (double)r->invalid) / total : 0;
}

/* utf8_seq's reading as a table, for a stretch of bytes that are not plainly UTF-8 (a
 * GB18030 text's): one step a byte and no branch. A byte's class: */
enum {
	U8_ASCII, U8_CONT_8, U8_CONT_9, U8_CONT_AB,	/* 00-7F; continuation bytes 80-8F, 90-9F, A0-BF */
	U8_BAD,						/* C0, C1, F5-FF: never in UTF-8 */
	U8_LEAD2, U8_E0, U8_LEAD3, U8_ED, U8_F0, U8_LEAD4, U8_F4,	/* C2-DF, E0, E1-EF but ED, ED, F0, F1-F3, F4 */
	U8_CLASSES
};

static const unsigned char u8_class[256] = {
	[0x80 ... 0x8F] = U8_CONT_8, [0x90 ... 0x9F] = U8_CONT_9, [0xA0 ... 0xBF] = U8_CONT_AB,
	[0xC0 ... 0xC1] = U8_BAD, [0xC2 ... 0xDF] = U8_LEAD2, [0xE0] = U8_E0, [0xE1 ... 0xEC] = U8_LEAD3,
	[0xED] = U8_ED, [0xEE ... 0xEF] = U8_LEAD3, [0xF0] = U8_F0, [0xF1 ... 0xF3] = U8_LEAD4, [0xF4] = U8_F4,
	[0xF5 ... 0xFF] = U8_BAD,
};

/* The states: between sequences, or inside one waiting for so many continuation bytes
 * (the first of them in a narrower range after E0, ED, F0 and F4). A step's entry: the
 * next state in bits 0-2, invalid sequences ended in bits 3-4, a sequence completed in
 * bit 5. A byte that does not go on with a sequence ends it as one invalid sequence
 * (utf8_seq's -k) and is read again from U8_START, as utf8_survey does. */
enum { U8_START, U8_NEED1, U8_NEED2, U8_NEED3, U8_AFTER_E0, U8_AFTER_ED, U8_AFTER_F0, U8_AFTER_F4, U8_STATES };
#define U8_INVALID (1 << 3)
#define U8_DONE (1 << 5)
static unsigned char u8_step[U8_STATES][U8_CLASSES];
/* Two steps at once, by the classes of two bytes: the next state in bits 0-2, the
 * invalid sequences the two ended in bits 3-5, the sequences they completed in bits
 * 6-7 (a step ends at most two invalid sequences and completes at most one). */
static unsigned char u8_step2[U8_STATES][U8_CLASSES * U8_CLASSES];
static pthread_once_t u8_once = PTHREAD_ONCE_INIT;

static void u8_build(void)
{
	/* from U8_START, and what a byte that does not go on with a sequence does */
	static const unsigned char start[U8_CLASSES] = {
		[U8_ASCII] = U8_START, [U8_CONT_8] = U8_START | U8_INVALID, [U8_CONT_9] = U8_START | U8_INVALID,
		[U8_CONT_AB] = U8_START | U8_INVALID, [U8_BAD] = U8_START | U8_INVALID, [U8_LEAD2] = U8_NEED1,
		[U8_E0] = U8_AFTER_E0, [U8_LEAD3] = U8_NEED2, [U8_ED] = U8_AFTER_ED, [U8_F0] = U8_AFTER_F0,
		[U8_LEAD4] = U8_NEED3, [U8_F4] = U8_AFTER_F4,
	};
	/* the classes that go on with each state, and where they lead */
	static const struct {
		unsigned fits;		/* one bit a class */
		unsigned char next;	/* the entry when it fits */
	} inside[U8_STATES] = {
		[U8_NEED1] = { 1u << U8_CONT_8 | 1u << U8_CONT_9 | 1u << U8_CONT_AB, U8_START | U8_DONE },
		[U8_NEED2] = { 1u << U8_CONT_8 | 1u << U8_CONT_9 | 1u << U8_CONT_AB, U8_NEED1 },
		[U8_NEED3] = { 1u << U8_CONT_8 | 1u << U8_CONT_9 | 1u << U8_CONT_AB, U8_NEED2 },
		[U8_AFTER_E0] = { 1u << U8_CONT_AB, U8_NEED1 },
		[U8_AFTER_ED] = { 1u << U8_CONT_8 | 1u << U8_CONT_9, U8_NEED1 },
		[U8_AFTER_F0] = { 1u << U8_CONT_9 | 1u << U8_CONT_AB, U8_NEED2 },
		[U8_AFTER_F4] = { 1u << U8_CONT_8, U8_NEED2 },
	};
	for (unsigned c = 0; c < U8_CLASSES; c++) {
		u8_step[U8_START][c] = start[c];
		for (unsigned st = 1; st < U8_STATES; st++)
			u8_step[st][c] = inside[st].fits >> c & 1 ? inside[st].next : (unsigned char)(start[c] + U8_INVALID);
	}
	for (unsigned st = 0; st < U8_STATES; st++)
		for (unsigned a = 0; a < U8_CLASSES; a++)
			for (unsigned b = 0; b < U8_CLASSES; b++) {
				unsigned e1 = u8_step[st][a], e2 = u8_step[e1 & 7][b];
				u8_step2[st][a * U8_CLASSES + b] =
					(unsigned char)((e2 & 7) | ((e1 >> 3 & 3) + (e2 >> 3 & 3)) << 3 | ((e1 >> 5) + (e2 >> 5)) << 6);
			}
}

/* Whether the bytes are UTF-8 throughout (a sequence cut by the end of a partial sample
 * allowed); counts the multibyte sequences and the invalid ones, up to where plainly
 * not UTF-8 (invalid * 4 > multi) is sure whatever the rest holds. From byte from on, a
 * character boundary before which the bytes are valid and hold multi0 sequences: the
 * same counts as from the start (no early end could come before it: none invalid). */
static void utf8_survey_from(const unsigned char *s, size_t n, size_t from, size_t multi0, bool complete,
			     size_t *multi, size_t *invalid)
{
	pthread_once(&u8_once, u8_build);
	*multi = multi0;
	*invalid = 0;
	unsigned st = U8_START;
	for (size_t i = from; i < n;) {
		if (st == U8_START) {
			if ((i = utf8_easy(s, n, i, multi)) >= n)
				break;
			/* the rest could add at most one sequence per two bytes (the easy ones
			 * passed unchecked change no verdict: with this true, invalid * 4 > multi
			 * stays true and invalid * 100 <= multi false whatever the rest holds) */
			if (*invalid * 4 > *multi + (n - i) / 2 + 1)
				break;
		}
		/* sixteen bytes by the table (and on to the end of a sequence begun), then
		 * the easy ones again */
		size_t stop = n - i < 16 ? n : i + 16, done = 0, bad = 0;
		/* two bytes a step (u8_step2), then one */
		for (; i + 2 <= stop; i += 2) {
			unsigned e = u8_step2[st][u8_class[s[i]] * U8_CLASSES + u8_class[s[i + 1]]];
			st = e & 7;
			bad += e >> 3 & 7;
			done += e >> 6;
		}
		for (; i < n && (i < stop || st != U8_START); i++) {
			unsigned e = u8_step[st][u8_class[s[i]]];
			st = e & 7;
			bad += e >> 3 & 3;
			done += e >> 5;
		}
		*multi += done;
		*invalid += bad;
	}
	if (st != U8_START && complete)
		(*invalid)++;	/* a sequence cut by the end of the text */
}


/* Whether the character at s[j] is one that normalise_line changes, in text that is
 * valid UTF-8: a control byte but LF and CR (tabs become spaces), DEL; a C1 control
 * (C2 80-C2 9F), U+061C; the zero-width, bidi and separator characters of U+2000-206F
 * that fate_of names; the BOM and the annotation controls (U+FEFF, U+FFF9-FFFB). */
static bool normalise_changes(const unsigned char *s, size_t n, size_t j)
{
	unsigned char c = s[j];
	if (c < 0x80)
		return acted_on(c);
	if (j + 1 >= n)
		return false;
	unsigned char b1 = s[j + 1];
	if (c == 0xC2)
		return b1 < 0xA0;
	if (c == 0xD8)
		return b1 == 0x9C;
	if (j + 2 >= n || (c != 0xE2 && c != 0xEF))
		return false;
	unsigned char b2 = s[j + 2];
	if (c == 0xE2 && b1 == 0x80)
		return b2 == 0x8B || b2 == 0x8E || b2 == 0x8F || (b2 >= 0xA8 && b2 <= 0xAE);
	if (c == 0xE2 && b1 == 0x81)
		return b2 == 0xA0 || (b2 >= 0xA6 && b2 <= 0xAF);
	if (c == 0xEF && b1 == 0xBB)
		return b2 == 0xBF;
	if (c == 0xEF && b1 == 0xBF)
		return b2 >= 0xB9 && b2 <= 0xBB;
	return false;
}

/* Whether valid UTF-8 text holds a character of two or three bytes that
 * normalise_line changes (normalise_changes). Sixteen bytes at a time past those with
 * no lead it may say yes to: E2 80, E2 81, EF BB, EF BF (by the byte after each: most
 * E2s are dashes and quotes of E2 80, looked at one by one), C2, D8. */
static bool normalise_odd(const unsigned char *s, size_t n, size_t at)
{
	for (; at + 17 <= n; at += 16) {
		u8x16 b = u8x16_load(s + at), b1 = u8x16_load(s + at + 1);
		u8x16 near = (u8x16)(((b == 0xE2) & ((b1 & 0xFE) == 0x80)) | ((b == 0xEF) & ((b1 | 4) == 0xBF)) |
				     (b == 0xC2) | (b == 0xD8));
		if (!u8x16_any(near))
			continue;
		/* the lanes set, one by one (each 0xFF), by the two words of near */
		u64x2 w = (u64x2)near;
		for (size_t h = 0; h < 2; h++)
			for (uint64_t x = w[h]; x;) {
				size_t k = (size_t)__builtin_ctzll(x) / 8;
				x &= ~(0xFFull << 8 * k);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
				k = 7 - k;
#endif
				if (normalise_changes(s, n, at + 8 * h + k))
					return true;
			}
	}
	for (; at < n; at++)
		if (normalise_changes(s, n, at))
			return true;
	return false;
}

/* Control bytes that no text has (ESC, BEL and BS are let through: a text full of
 * terminal escapes is hostile, not binary, and normalise disarms it); made once. */
static unsigned char is_control[256];
static pthread_once_t control_once = PTHREAD_ONCE_INIT;

static void control_build(void)
{
	for (unsigned c = 0; c < 256; c++)
		is_control[c] = (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' &&
				 c != 0x1B && c != 0x07 && c != 0x08) || c == 0x7F;
}

/* The start of a text that is plainly UTF-8, sixteen bytes at a time: ASCII, and
 * three-byte sequences led by E1-EC, EE or EF (no closer look needed), each byte told
 * a continuation byte exactly when one of the two before it leads. Returns where the
 * stretch ends, a character boundary; *scanned (at or past it) is where the bytes
 * looked at end, *multi the sequences before the boundary, *controls the control
 * bytes (is_control) before *scanned, *acts whether those hold a control byte but LF
 * and CR, or DEL, and *odd whether they hold a character that normalise_changes names
 * (not looked for once *acts is set: either makes the text not plain). The caller
 * goes on from there: its scans, with what they would have found. */
static size_t utf8_prefix(const unsigned char *s, size_t n, size_t *scanned, size_t *multi, size_t *controls,
			  bool *acts, bool *odd)
{
	size_t at = 0, leads = 0, steps = 0;
	u8x16 count = { 0 };	/* leads a lane, summed before they reach 255 */
	while (at + 17 <= n) {
		u8x16 b = u8x16_load(s + at), b1 = u8x16_load(s + at + 1), p1, p2;
		if (at) {
			p1 = u8x16_load(s + at - 1);
			p2 = u8x16_load(s + at - 2);
		} else {
			unsigned char head[18] = { 0 };	/* nothing before the text */
			memcpy(head + 2, s, 16);
			p1 = u8x16_load(head + 1);
			p2 = u8x16_load(head);
		}
		u8x16 top = b & 0xC0;
		u8x16 lead = (u8x16)((b & 0xF0) == 0xE0);
		u8x16 led = (u8x16)((p1 & 0xF0) == 0xE0) | (u8x16)((p2 & 0xF0) == 0xE0);
		/* a continuation byte where none is led or none where one is, another lead, or
		 * E0 or ED (whose second bytes need a closer look) */
		u8x16 bad = ((u8x16)(top == 0x80) ^ led) | ((u8x16)(top == 0xC0) & ~lead) | (u8x16)(b == 0xE0) |
			    (u8x16)(b == 0xED);
		u8x16 ctl = controls16(b);
		/* as normalise_odd (its C2 and D8 are other leads, above) */
		u8x16 near = (u8x16)(((b == 0xE2) & ((b1 & 0xFE) == 0x80)) | ((b == 0xEF) & ((b1 | 4) == 0xBF)));
		if (u8x16_any(bad | ctl | near)) {
			if (u8x16_any(bad))
				break;
			if (u8x16_any(ctl)) {
				*acts = true;
				for (size_t j = at; j < at + 16; j++)
					*controls += is_control[s[j]];
			}
			/* the lanes that may start one, in order (most blocks of Chinese text
			 * with one have a quote or a dash, and only that) */
			for (u8x16 m = near; !*acts && !*odd && u8x16_any(m);) {
				size_t k = u8x16_first(m);
				*odd = normalise_changes(s, n, at + k);
				m[k] = 0;
			}
		}
		count -= lead;
		if (++steps == 255) {
			leads += (size_t)u8x16_sum(count);
			count = (u8x16){ 0 };
			steps = 0;
		}
		at += 16;
	}
	leads += (size_t)u8x16_sum(count);
	*scanned = at;
	/* a character begun before at may go on past it (its bytes there not looked at) */
	size_t p = at;
	if (at >= 1 && (s[at - 1] & 0xF0) == 0xE0)
		p = at - 1;
	else if (at >= 2 && (s[at - 2] & 0xF0) == 0xE0)
		p = at - 2;
	*multi = leads - (p < at);
	return p;
}

/* Formats that are never text, by their first bytes. */
static const char *binary_magic(const unsigned char *s, size_t n)
{
	static const struct {
		const char *magic;	/* first bytes */
		size_t len;		/* their number */
		const char *what;	/* for the message */
	} magics[] = {
		{ "\x7F" "ELF", 4, "an ELF executable" },
		{ "\x89PNG\r\n\x1A\n", 8, "a PNG image" },
		{ "\xFF\xD8\xFF", 3, "a JPEG image" },
		{ "GIF87a", 6, "a GIF image" },
		{ "GIF89a", 6, "a GIF image" },
		{ "%PDF-", 5, "a PDF document" },
		{ "PK\x03\x04", 4, "a zip archive (or a .docx/.xlsx/.epub)" },
		{ "\x1F\x8B", 2, "gzip-compressed data" },
		{ "BZh", 3, NULL },	/* too common a text start to trust alone */
		{ "\xFD" "7zXZ\0", 6, "xz-compressed data" },
		{ "7z\xBC\xAF\x27\x1C", 6, "a 7-Zip archive" },
		{ "Rar!\x1A\x07", 6, "a RAR archive" },
		{ "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, "an OLE file (an old .doc or .xls)" },
		{ "SQLite format 3", 16, "an SQLite database" },
		{ "\xCA\xFE\xBA\xBE", 4, "a Mach-O or Java class file" },
		{ "\xCF\xFA\xED\xFE", 4, "a Mach-O executable" },
		{ "\x28\xB5\x2F\xFD", 4, "zstd-compressed data" },
	};
	for (size_t i = 0; i < sizeof magics / sizeof *magics; i++)
		if (magics[i].what && n >= magics[i].len && !memcmp(s, magics[i].magic, magics[i].len))
			return magics[i].what;
	if (n >= 12 && !memcmp(s, "RIFF", 4))
		return "a RIFF file (audio, video or image)";
	return NULL;
}

static void set(struct decode_guess *out, const char *enc, size_t bom, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set(struct decode_guess *out, const char *enc, size_t bom, const char *fmt, ...)
{
	snprintf(out->encoding, sizeof out->encoding, "%s", enc);
	out->bom_len = bom;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof out->reason, fmt, ap);
	va_end(ap);
}

#define SCORE_SAMPLE (64 * 1024)	/* bytes the candidates are scored on: plenty for a share */

static int guess_wide(const unsigned char *s, size_t n, bool complete, size_t first_nul, struct decode_guess *out)
{
	struct reading r[] = { { .encoding = "UTF-16LE" }, { .encoding = "UTF-16BE" },
			       { .encoding = "UTF-32LE" }, { .encoding = "UTF-32BE" } };
	size_t best = 0;
	for (size_t i = 0; i < sizeof r / sizeof *r; i++) {
		read_as(&r[i], s, n, complete, NULL, NULL);
		score_wide(&r[i]);
		if (r[i].score > r[best].score)
			best = i;
	}
	if (r[best].chars < 2 || r[best].score < 0.6) {
		set(out, "", 0, "binary data (NUL byte at byte %zu)", first_nul);
		return -1;
	}
	set(out, r[best].encoding, 0, "NUL bytes in the pattern of %s without a byte-order mark", r[best].encoding);
	return 0;
}

int decode_guess(const unsigned char *s, size_t n, bool complete, struct decode_guess *out)
{
	return decode_guess_keep(s, n, complete, out, NULL);
}

int decode_guess_keep(const unsigned char *s, size_t n, bool complete, struct decode_guess *out, struct decode_text *keep)
{
	memset(out, 0, sizeof *out);
	if (keep) {
		sbuf_reset(&keep->text);
		keep->raw = keep->plain = false;
	}
	common_init();
	/* byte-order marks, longest first (UTF-32LE starts like UTF-16LE) */
	if (n >= 4 && !memcmp(s, "\xFF\xFE\0\0", 4)) {
		set(out, "UTF-32LE", 4, "UTF-32LE byte-order mark");
		return 0;
	}
	if (n >= 4 && !memcmp(s, "\0\0\xFE\xFF", 4)) {
		set(out, "UTF-32BE", 4, "UTF-32BE byte-order mark");
		return 0;
	}
	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
		set(out, "UTF-8", 3, "UTF-8 byte-order mark");
		return 0;
	}
	if (n >= 4 && !memcmp(s, "\x84\x31\x95\x33", 4)) {
		set(out, "GB18030", 4, "GB18030 byte-order mark");
		return 0;
	}
	if (n >= 2 && !memcmp(s, "\xFF\xFE", 2)) {
		set(out, "UTF-16LE", 2, "UTF-16LE byte-order mark");
		return 0;
	}
	if (n >= 2 && !memcmp(s, "\xFE\xFF", 2)) {
		set(out, "UTF-16BE", 2, "UTF-16BE byte-order mark");
		return 0;
	}
	const char *magic = binary_magic(s, n);
	if (magic) {
		set(out, "", 0, "%s", magic);
		return -1;
	}
	size_t scored = n < SCORE_SAMPLE ? n : SCORE_SAMPLE;
	bool scored_complete = complete && scored == n;
	const unsigned char *nul = memchr(s, 0, n);
	if (nul) {
		if (guess_wide(s, scored, scored_complete, (size_t)(nul - s), out) == 0)
			return 0;
		/* a few stray NULs in a text (normalise makes them harmless) are not binary */
		size_t nuls = 0;
		for (const unsigned char *p = nul; p; p = memchr(p + 1, 0, n - (size_t)(p + 1 - s)))
			nuls++;
		if (nuls * 1000 > n)
			return -1;
		memset(out, 0, sizeof *out);
	}
	/* control bytes that no text has (controls); acts: a control byte that
	 * normalise_line changes (acted_on); odd: a character of more bytes that it
	 * changes (normalise_changes; UTF-8) */
	pthread_once(&control_once, control_build);
	size_t controls = 0, at, multi0;
	bool acts = false, odd = false;
	/* the plainly UTF-8 start of the text (all of most UTF-8 texts, nothing of others),
	 * its control bytes counted with it */
	size_t from = utf8_prefix(s, n, &at, &multi0, &controls, &acts, &odd), scanned = at;
	/* sixteen bytes at a time past those with no byte below 0x20 but LF and CR (one a
	 * line) and no 7F */
	for (; at + 16 <= n; at += 16) {
		u8x16 b = u8x16_load(s + at);
		if (!u8x16_any(controls16(b)))
			continue;
		acts = true;
		for (size_t j = at; j < at + 16; j++)
			controls += is_control[s[j]];
	}
	for (; at < n; at++) {
		controls += is_control[s[at]];
		acts = acts || acted_on(s[at]);
	}
	if (controls > 8 && controls * 20 > n) {
		set(out, "", 0, "binary data (%zu control bytes in the first %zu)", controls, n);
		return -1;
	}
	size_t multi, invalid;
	utf8_survey_from(s, n, from, multi0, complete, &multi, &invalid);
	if (invalid == 0) {
		/* the bytes are the text: a decoder would copy them as they are */
		if (keep) {
			keep->raw = complete;
			keep->plain = complete && !acts && !odd && !normalise_odd(s, n, scanned);
		}
		if (multi == 0)
			set(out, "UTF-8", 0, "ASCII only");
		else
			set(out, "UTF-8", 0, "valid UTF-8");
		return 0;
	}
	if (multi >= 10 && invalid * 100 <= multi) {
		set(out, "UTF-8", 0, "UTF-8 except %zu invalid sequence%s", invalid, invalid == 1 ? "" : "s");
		return 0;
	}
	struct reading r[] = { { .encoding = "GB18030" }, { .encoding = "BIG5" }, { .encoding = "UTF-8" } };
	size_t best = 0;
	/* the text read as GB18030 (the usual winner) when it is the whole file; the others
	 * are only counted, and the caller decodes a Big5 winner itself */
	struct decode_text texts[3] = { { .first_invalid = -1 }, { .first_invalid = -1 }, { .first_invalid = -1 } };
	bool whole = keep && scored_complete;
	for (size_t i = 0; i < sizeof r / sizeof *r; i++) {
		if (i == 2 && invalid * 4 > multi) {
			r[i].score = -1e9;	/* plainly not UTF-8: no need to read it so */
			continue;
		}
		/* (the first is read whole: it is kept, and the others must beat it) */
		read_as(&r[i], s, scored, scored_complete, whole && i == 0 ? &texts[i] : NULL, i ? &r[best].score : NULL);
		score_chinese(&r[i]);
		if (r[i].score > r[best].score)
			best = i;
	}
	if (whole) {
		sbuf_free(&keep->text);
		texts[best].plain = texts[best].plain && !acts;	/* GB18030's control bytes are ASCII's */
		*keep = texts[best];
		texts[best] = (struct decode_text){ 0 };
		for (size_t i = 0; i < 3; i++)
			sbuf_free(&texts[i].text);
	}
	struct reading *b = &r[best];
	double bad_share = (double)b->invalid / (double)(b->nonascii + b->invalid + 1);
	if (bad_share > 0.3) {
		set(out, "", 0, "not text in UTF-8, GB18030 or Big5 (%.0f%% invalid sequences even as %s); try --encoding",
		    100 * bad_share, b->encoding);
		if (keep)
			sbuf_free(&keep->text);
		return -1;
	}
	struct reading *other = best == 1 ? &r[0] : &r[1];
	double pct = b->nonascii ? 100.0 * (double)b->common / (double)b->nonascii : 0;
	double other_pct = other->nonascii ? 100.0 * (double)other->common / (double)other->nonascii : 0;
	set(out, b->encoding, 0, "not UTF-8; %.0f%% common Chinese characters as %s, %.0f%% as %s", pct, b->encoding,
	    other_pct, other->encoding);
	return 0;
}
