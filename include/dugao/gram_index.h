/* gram_index: dugao's own search index of character bigrams, without SQL (store.c
 * keeps its pages in plain tables).
 *
 * Tokens are those of cjk_tokenizer.h: one per character of a row's text, the folded
 * bigram of the character and the next, or the character alone before or at a
 * separator. A token is a 64-bit key, (cp1 << 22) | (cp2 + 1) for a bigram and cp << 22
 * for a lone character, so the keys that start with one character (the prefix a
 * query's last lone character stands for) are one contiguous range.
 *
 * An import adds rows of text to an in-memory build: a hash from key to its postings,
 * (row, position) pairs encoded as varints: row delta * 2 + 1 and the position when
 * the row changes, else the position delta * 2. Writing it gives a segment: one stream
 * of the keys in order, each its delta from the key before, its postings and a 0,
 * cut into pages of GI_PAGE_BYTES whatever it holds (so every page is full, and one
 * fills a 4 KB SQLite page, stored inline). A page starts with where its first key
 * starts (+ 1; 0 when a key's postings fill all of it); its page id (pid) is that key
 * << GI_PID_SHIFT, or, none starting in it, the key running on << GI_PID_SHIFT | n for
 * its n-th such page. So pids ascend with the stream, and keys lo..hi are in the pages
 * from the last whose pid is <= lo's to the first whose pid is >= hi + 1's: one seek.
 *
 * A common pair of CJK ideographs (发展: 2 million postings at 1 GB) has most of its
 * postings under keys of their own by the character before them, hashed into
 * GI_CTX buckets (gi_key_pair_ctx, keys above every plain pair's of the same first
 * character): a phrase's pair after a known character (发展 in 高质量发展, after 量)
 * reads its bucket and the plain key, about a sixth of the postings. A pair is
 * common once a build written had many of its postings; the plain key keeps those
 * from before, and those at a row's start. An index made
 * before the buckets (schema 10) has only plain keys, and is read the same way.
 * Segments over consecutive row ranges merge into one (postings concatenate in row
 * order), dropping rows that are no longer live.
 *
 * A decoded posting is a value row << 32 | position, so lists sort and intersect as
 * plain integers. Row ids are >= 1 and below GI_MAX_ROW. */
#ifndef DUGAO_GRAM_INDEX_H
#define DUGAO_GRAM_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	GI_PID_SHIFT = 20,		/* bits for n, the pages a key's postings run on to */
	GI_PAGE_BYTES = 4000,		/* the bytes of a page after its header (at most 2) */
	GI_MAX_ROW = 1 << 26,		/* row ids stay below (gi_hits packs a word index) */
	GI_COMMON_SHARE = 2048,		/* a pair with this share of the postings is common */
};

static inline uint64_t gi_key_pair(uint32_t a, uint32_t b)
{
	return (uint64_t)a << 22 | (b + 1);
}

static inline uint64_t gi_key_lone(uint32_t a)
{
	return (uint64_t)a << 22;
}

/* The last key starting with character a. */
static inline uint64_t gi_key_prefix_end(uint32_t a)
{
	return (uint64_t)a << 22 | 0x3FFFFF;
}

enum {
	GI_CTX_BITS = 4,		/* a bucketed pair's buckets: 16 */
	GI_CTX = 1 << GI_CTX_BITS,
};

/* Whether pair (a, b) can have bucketed keys: two CJK unified ideographs. */
static inline bool gi_pair_ctx(uint32_t a, uint32_t b)
{
	return a - 0x4E00 < 0x5200 && b - 0x4E00 < 0x5200;
}

/* The bucket of a pair after character c. */
static inline uint32_t gi_ctx_bucket(uint32_t c)
{
	return (uint32_t)(c * 2654435761u) >> (32 - GI_CTX_BITS);
}

/* The key of pair (a, b) (gi_pair_ctx) after a character of the bucket: past every
 * plain pair's low bits (at most 0x110000), below 0x3FFFFF (gi_key_prefix_end). */
static inline uint64_t gi_key_pair_ctx(uint32_t a, uint32_t b, uint32_t bucket)
{
	return (uint64_t)a << 22 | (0x110001 + (uint64_t)(b - 0x4E00) * GI_CTX + bucket);
}

static inline int64_t gi_pid(uint64_t key, uint32_t part)
{
	return (int64_t)(key << GI_PID_SHIFT | part);
}

/* A growable list of values (row << 32 | position). */
struct gi_vec {
	uint64_t *v;	/* the values */
	size_t n;	/* how many */
	size_t cap;	/* allocated */
};

void gi_vec_push(struct gi_vec *v, uint64_t x);
void gi_vec_free(struct gi_vec *v);
/* Sorts ascending (a radix sort; nothing to do when already sorted). */
void gi_vec_sort(struct gi_vec *v);
/* Merges b (sorted) into a (sorted). */
void gi_vec_merge(struct gi_vec *a, const struct gi_vec *b);
/* Sorts v from index from on, runs of it sorted: they start at from and at the
 * indexes in runs (ascending), merged two by two, through scratch (kept by the caller
 * from one call to the next, or NULL). */
void gi_vec_merge_runs(struct gi_vec *v, size_t from, const struct gi_vec *runs, struct gi_vec *scratch);

/* Where written pages go, in ascending pid order; nonzero stops the writing. */
typedef int (*gi_page_fn)(void *ctx, int64_t pid, const uint8_t *data, size_t n);

/* --- building --- */

struct gi_build;

struct gi_build *gi_build_new(void);
void gi_build_free(struct gi_build *b);
/* Indexes the text of one row (UTF-8, n bytes); rows come in ascending order. */
void gi_build_add(struct gi_build *b, uint32_t row, const char *text, size_t n);
/* Bytes the build holds (flush a segment past a budget). */
size_t gi_build_bytes(const struct gi_build *b);
/* The rows it holds; false when empty. */
bool gi_build_rows(const struct gi_build *b, uint32_t *lo, uint32_t *hi);
/* Writes the build as one segment, then empties it (also on error). *bytes: what the
 * pages hold. Returns fn's nonzero result, or 0. */
int gi_build_write(struct gi_build *b, gi_page_fn fn, void *ctx, size_t *bytes);
/* Empties it (a rolled-back import). */
void gi_build_reset(struct gi_build *b);
/* Takes the pair of key (plain or bucketed, of two ideographs; others are ignored) as
 * common from now on, as writing a build where it was would: a new build learns the
 * library's common pairs so that its first rows are bucketed too. */
void gi_build_mark_common(struct gi_build *b, uint64_t key);

/* --- merging --- */

/* A segment's pages in ascending pid order (the order written): 1 with a page (valid
 * until the next call), 0 at the end, -1 on error. A merge reads only their bytes, in
 * order (the stream of keys goes on from page to page), so no pid is asked for. */
typedef int (*gi_next_page_fn)(void *ctx, const uint8_t **data, size_t *n);

struct gi_source {
	gi_next_page_fn next;	/* gives its pages */
	void *ctx;		/* for next */
};

/* The result of a merge. */
struct gi_merged {
	size_t bytes;		/* what its pages hold, 0 when nothing was live */
	uint32_t row_lo;	/* its first row */
	uint32_t row_hi;	/* its last row */
};

/* Merges k segments of consecutive row ranges, given oldest (lowest rows) first, into
 * one, keeping only the rows in live (ascending). Returns 0, fn's nonzero result, -1
 * when a page could not be read, or -2 when one is damaged. */
int gi_merge(const struct gi_source *src, int k, const uint32_t *live, size_t nlive, gi_page_fn fn, void *ctx,
	     struct gi_merged *out);
/* gi_merge keeping every row (none was removed): most of the postings' bytes copied as
 * they are, not decoded and written again; the same pages. */
int gi_merge_all(const struct gi_source *src, int k, gi_page_fn fn, void *ctx, struct gi_merged *out);

/* --- reading --- */

/* Decoding one key's postings, possibly a piece at a time. */
struct gi_row_filter;
struct gi_postings {
	uint32_t row;				/* the last posting's row, 0 before the first */
	uint32_t pos;				/* and position */
	const struct gi_row_filter *f;		/* the rows kept */
	bool want;				/* the current row is kept */
};

/* A filter of postings: only x with x - shift in v (sorted) are kept. */
struct gi_probe {
	const uint64_t *v;	/* the values */
	size_t n;		/* how many */
	size_t at;		/* where the last was found */
	uint32_t shift;		/* subtracted first */
};

/* Decoding the pages of one segment that a lookup reads (store.c's Q_INDEX_LOOKUP),
 * a page at a time; zero it first. */
struct gi_decoder {
	uint8_t *buf;		/* bytes not yet decoded, from at */
	size_t len;		/* bytes in buf */
	size_t cap;		/* allocated */
	size_t at;		/* the next byte */
	uint64_t key;		/* the key being read */
	bool started;		/* a page with a key starting in it was read */
	bool first;		/* the next key is the page's */
	bool in_key;		/* inside its postings */
	bool done;		/* nothing more is wanted */
	struct gi_postings ps;	/* decoding state of the key */
	long count;		/* postings kept */
	struct gi_probe *probe;	/* NULL, or only postings it holds are kept */
	struct gi_vec *runs;	/* NULL, or where each key's postings start in out (out->n) */
	uint32_t lift;		/* 0, or postings are listed less it, those at positions below it
				 * dropped: where a word starts, from its token at offset lift */
};

/* Decodes the postings of keys lo..hi in the next page (pages in pid order) into out
 * (NULL: only counts them), only those of rows in rows (ascending; NULL: every row).
 * Returns 0, 1 when no later page is wanted, -1 when the page is damaged. */
int gi_decode_page(struct gi_decoder *d, int64_t pid, const uint8_t *data, size_t n, uint64_t lo, uint64_t hi,
		   const uint32_t *rows, size_t nrows, struct gi_vec *out);
/* How many postings were kept, or -1 when the pages ended inside one; empties d. */
long gi_decode_end(struct gi_decoder *d);

/* --- queries --- */

/* One key lookup of a query word: keys lo..hi and lo2..hi2, at character offset at of
 * the word. */
struct gi_term {
	uint64_t lo;	/* first key */
	uint64_t hi;	/* last key (lo, or a prefix's or buckets' range) */
	uint64_t lo2;	/* a second range (a bucketed pair's plain key), none when above hi2 */
	uint64_t hi2;	/* its last key */
	uint32_t at;	/* offset of the token in the word */
};

/* The lookups that find word (n bytes, not yet folded): tokens of the query form that
 * together cover every character (a word's occurrence is exactly where they all sit at
 * their offsets: a posting x of term j is an occurrence at x - at; store.c intersects
 * them with gi_probe). Returns how many, terms malloc'd; 0 for an empty word. */
int gi_word_terms(const char *word, size_t n, struct gi_term **terms);

/* Whether word (n bytes, not yet folded) can overlap itself: some characters that
 * start it also end it (a proper border), so that its occurrences, not its
 * non-overlapping hits, are what its postings count. */
bool gi_word_overlaps(const char *word, size_t n);

/* The rows the lists (sorted) hold, ascending, once each. */
void gi_rows(const struct gi_vec *lists, int k, struct gi_vec *rows);

/* One hit: the paragraph (index of the line in its row), offset and length in chars. */
struct gi_hit {
	uint32_t row;		/* index row */
	uint32_t para;		/* line of the row */
	uint32_t offset;	/* characters into that line */
	uint32_t length;	/* characters */
};

/* The hits of words (occurrence lists, sorted; lens their lengths in characters): the
 * non-overlapping occurrences taken left to right (ties: the earlier word). With
 * newlines (the "\n" positions of the rows concerned), hits are only those in lines
 * holding every word, and they are listed; without, the row is one stretch and hits
 * are only counted. Returns the count; *hits (malloc'd, row and text order) when
 * newlines and hits are given. At most 32 words. */
long gi_hits(const struct gi_vec *words, const uint32_t *lens, int nwords, const struct gi_vec *newlines,
	     struct gi_hit **hits);

#endif
