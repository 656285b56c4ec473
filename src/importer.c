#include "config.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dugao/clean.h"
#include "dugao/decode.h"
#include "dugao/import_queue.h"
#include "dugao/importer.h"
#include "dugao/normalise.h"
#include "dugao/sha256.h"
#include "dugao/structure.h"
#include "dugao/terms.h"
#include "dugao/util.h"

/* The import is a pipeline: two worker threads (one on a machine of one core; they
 * yield to the main thread, WORKER_NICE) and the main thread. Each worker takes the
 * next file handed over, reads and hashes it (survey), looks its bytes up in the
 * library (a read-only connection of its own), and parses the new ones (decode,
 * normalise, clean, structure, terms); it hands what it finds to the main thread as
 * records in the file's own lane of a bounded queue, so that it goes on with the next
 * files (or the later part of a big one) while the main thread stores this one, also
 * while the main thread ends a batch (its segment, commit and merges). The main thread
 * does everything that writes to the store, in the order of the files given: it reads
 * only the lane of the file it stores, and a worker filling that lane waits only on
 * that lane's bytes, never on the files ahead (which would wait for it). It looks each
 * file up again when its turn comes: that look-up decides. A file too big to hold
 * (past WHOLE_MAX, streamed in two passes) waits to be parsed until every file before
 * it is, and no file is taken until it is parsed, so that memory stays about as with
 * one worker, and in order (the main thread waits for the earliest). The parsing
 * modules' lazily built tables are made once (pthread_once) or under a lock. */

#define CHUNK (1 << 20)			/* bytes read at a time */
#define SAMPLE (1 << 20)		/* bytes the encoding is guessed from */
#define MAX_LINE (64 * 1024)		/* longer lines are split, so memory stays bounded */
#define WHOLE_MAX (8 << 20)		/* files up to this size are read, decoded and split once */
#define HOLD_MAX (16 << 20)		/* bytes of decoded text held; a small file whose text outgrows it is streamed */
#define BLOCK (64 << 10)		/* records handed over at a time: one lock for many */
#define QUEUE_BYTES (4 << 20)		/* records waiting for the store at most: memory stays bounded */
/* The bound while the main thread ends a batch: the build of postings it just wrote
 * out is empty, and the workers parse on instead of waiting (the merges at a batch's
 * end took 10 s of a 1 GB import, the worker stopped after 4 MB of records). 8 MB,
 * not 12: lanes may hold twice the bound, and with two workers a 10 MB file then the
 * 50 MB one peaked at 70 MB */
#define QUEUE_BYTES_BUSY (8 << 20)
/* Files handed to the workers ahead of the one being stored: one reads each when it comes
 * to it, so they hold no bytes; how far it runs ahead is QUEUE_BYTES' bound */
#define AHEAD_FILES 256
#define WORKERS 2			/* parsing threads at most (fewer cores: one a core) */
/* Two workers run at this lower priority (nice): with them, the main thread and the
 * index feed are the slower side, and four busy threads share the two cores, so the
 * store's threads get a core whenever they can run and the workers take the rest (two
 * workers at nice 0 -> 5: the 3,000 small bench documents 1.95 -> 1.81 s, 100 MB of
 * the search corpus 3.18 -> 3.04 s; at nice 0 they gained nothing over one worker) */
#define WORKER_NICE 5

/* What a worker hands over; each file's records end with REC_END, REC_REFUSE or REC_KNOWN. */
enum rec_type {
	REC_BEGIN,	/* struct rec_begin: parsing begins, the encoding is known */
	REC_ORIGINAL,	/* long long offset, then the original bytes */
	REC_TITLE,	/* the title, NUL-terminated */
	REC_SECTION,	/* struct section, then marker and title, each NUL-terminated */
	REC_PARAGRAPH,	/* struct para, then its text and a NUL */
	REC_TERM,	/* double score, then text and kind, each NUL-terminated */
	REC_HITS,	/* long paragraph seq, then a struct rec_hit for each hit in it */
	REC_END,	/* struct rec_end: the file is parsed */
	REC_REFUSE,	/* the reason, NUL-terminated ("" when the file was cancelled) */
	REC_KNOWN,	/* the file's last: the library had its bytes at survey, it was not parsed */
};

/* A record's head; its payload follows, the whole padded to 8 bytes. */
struct rec {
	uint32_t type;	/* enum rec_type */
	uint32_t len;	/* bytes of payload */
};

struct rec_begin {
	char encoding[32];	/* the encoding used */
};

/* A hit in a paragraph's REC_HITS: a paragraph is cut at 256 KB (structure.c), so its
 * offsets fit 32 bits; a long document's million hits go over in 12 bytes each, a
 * record a paragraph, not in a record each of 40. */
struct rec_hit {
	uint32_t term;		/* index of the term among the file's REC_TERMs */
	uint32_t offset;	/* characters into the paragraph */
	uint32_t length;	/* characters of the hit */
};

struct rec_end {
	long paragraphs;		/* paragraphs, noise excluded */
	long headings;			/* sections */
	size_t invalid;			/* invalid sequences replaced */
	long long first_invalid;	/* byte of the first, BOM included */
};

/* A file on its way through the pipeline; the main thread owns it. The worker that
 * takes it fills in what its survey finds before the file's first record, and the main
 * thread reads that after taking the record. */
struct job {
	const char *path;	/* as given */
	bool force;		/* parsed whatever the look-up at survey finds */
	unsigned long ticket;	/* its place in the order files are handed over (and taken) */
	struct job *next_todo;	/* the next file handed over, while neither is taken */
	int fd;			/* open for the worker's reads, -1 when not opened */
	long long size;		/* bytes at survey */
	char sha[65];		/* their SHA-256 */
	unsigned char *sample;	/* the first bytes, or all of a small file (the worker's) */
	size_t sample_len;	/* bytes in sample */
	bool submitted;		/* handed to a worker: records for it will come */
	atomic_bool cancel;	/* the main thread needs no more records of it */
	struct import_lane *lane;	/* its records, in order */
	char *block;		/* the block of its records being read (the main thread's) */
	size_t block_len;	/* its bytes */
	size_t block_at;	/* where the next record starts */
};

/* A parsing thread. */
struct worker {
	struct importer *im;	/* the pipeline */
	pthread_t thread;	/* the thread */
	bool busy;		/* it took a file and is parsing it (im->lock) */
	unsigned long ticket;	/* that file's ticket (im->lock) */
	bool yield;		/* runs at a lower priority than the main thread */
	bool big;		/* its file is a big one (im->lock) */
};

struct importer {
	struct store *st;		/* the library: the main thread's only */
	struct import_options opt;	/* as given */
	char *const *files;		/* the files, in order */
	size_t nfiles;			/* how many */
	bool encoding_ok;		/* opt.encoding is one iconv knows */
	bool no_terms;			/* DUGAO_NO_TERMS is set */
	struct terms_glossary *glossary;	/* opt.glossary's terms, read once for every file */
	struct job **jobs;		/* each file's job while handed over and not done, else NULL */
	size_t next;			/* the file importer_next imports next */
	size_t handed;			/* files handed to the workers so far */
	unsigned long tickets;		/* jobs handed over so far, again ones included */
	pthread_mutex_t lock;		/* guards the jobs to take, closing, big and the workers' busy, ticket, big */
	pthread_cond_t changed;		/* a job was handed over, a worker parsed its file, or closing */
	struct job *todo_head;		/* the oldest job handed over and not taken */
	struct job *todo_tail;		/* the youngest */
	bool closing;			/* the workers take no more jobs */
	int big;			/* workers with a big file to parse: while any, no job is taken */
	struct import_queue *done;	/* lanes of records for the main thread, one a job */
	struct worker workers[WORKERS];	/* the parsing threads */
	size_t nworkers;		/* how many were started */
	int start_error;		/* none started: why not (an errno) */
	long *term_ids;			/* store handle of each REC_TERM of the file being stored */
	size_t nterm_ids;		/* how many */
	size_t cap_term_ids;		/* allocated */
};

static void refuse(struct import_result *res, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Formats a refusal: "PATH: why", the path made printable. */
static void refuse_why(char *out, size_t outlen, const char *path, const char *fmt, va_list ap)
{
	char why[400];
	vsnprintf(why, sizeof why, fmt, ap);
	/* a file name may hold newlines or escape sequences: the message stays one harmless line */
	struct sbuf p = { 0 };
	sbuf_put_printable(&p, path, strlen(path));
	snprintf(out, outlen, "%s: %s", p.data, why);
	sbuf_free(&p);
}

static void refuse(struct import_result *res, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	refuse_why(res->why, sizeof res->why, path, fmt, ap);
	va_end(ap);
	res->status = IMPORT_REFUSED;
}

/* --- the worker: parsing --- */

/* Term extraction during an import: the terms are chosen from the paragraphs the
 * extractor keeps (the whole of most documents), their hits found in those, then in
 * each later paragraph as it comes, so that no paragraph is read back. */
struct term_run {
	size_t n;		/* terms chosen */
	long *kept;		/* seq of each paragraph the extractor kept */
	size_t nkept;		/* how many */
	size_t capkept;		/* kept allocated */
	struct sbuf hits;	/* the hits found in the paragraph being scanned, as struct rec_hit */
	bool chosen;		/* the terms are chosen: paragraphs are scanned, not fed */
};

/* Everything the parse of one file carries between the pipeline's callbacks. */
struct run {
	struct importer *im;		/* the pipeline */
	struct job *job;		/* the file */
	struct clean *clean;		/* noise rules */
	struct structure *structure;	/* outline rules */
	struct terms *terms;		/* term extraction */
	struct term_run tr;		/* its progress */
	struct sbuf out;		/* records not yet handed over */
	struct held *listing;		/* a held text whose lines the prescan lists, or NULL */
	bool gone;			/* the file was cancelled or the queue closed: stop */
	char why[512];			/* the refusal, when the survey or the parse refuses the file */
};

static void run_refuse(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void run_refuse(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	refuse_why(r->why, sizeof r->why, r->job->path, fmt, ap);
	va_end(ap);
}

/* Hands the records so far to the main thread. */
static int flush(struct run *r)
{
	if (r->out.len == 0 || r->gone)
		return r->gone ? -1 : 0;
	/* what is allocated beyond the records goes back, so that the queue's bound on
	 * their bytes bounds its memory */
	size_t len = r->out.len, cap = r->out.cap;
	char *data = sbuf_take(&r->out);
	if (cap - len > 4096)
		data = xrealloc(data, len);
	if (import_lane_push(r->job->lane, data, len) != 0)
		r->gone = true;
	return r->gone ? -1 : 0;
}

/* Room for a record of n bytes: a block is allocated whole, and handed over before a
 * record would make it grow (to twice the size, half of it unused). */
static int reserve(struct run *r, size_t n)
{
	if (r->out.len > 0 && r->out.len + n + 1 > r->out.cap && flush(r) != 0)
		return -1;
	if (!r->out.data) {
		r->out.cap = BLOCK;
		r->out.data = xmalloc(r->out.cap);
		r->out.data[0] = 0;
	}
	return 0;
}

/* Adds a record of head and up to two more pieces; -1 when the file is gone. */
static int put(struct run *r, enum rec_type type, const void *head, size_t hlen, const void *a, size_t alen,
	       const void *b, size_t blen)
{
	if (r->gone || atomic_load_explicit(&r->job->cancel, memory_order_relaxed)) {
		r->gone = true;
		return -1;
	}
	static const char zeros[8];
	struct rec h = { .type = type, .len = (uint32_t)(hlen + alen + blen) };
	if (reserve(r, sizeof h + h.len + 8) != 0)
		return -1;
	sbuf_append(&r->out, (const char *)&h, sizeof h);
	if (hlen)
		sbuf_append(&r->out, head, hlen);
	if (alen)
		sbuf_append(&r->out, a, alen);
	if (blen)
		sbuf_append(&r->out, b, blen);
	/* each record starts 8-aligned, so that its head is read in place */
	sbuf_append(&r->out, zeros, (8 - r->out.len % 8) % 8);
	return 0;
}

static bool wanted(struct run *r);

/* A block for a REC_ORIGINAL of up to CHUNK bytes, read into in place (its bytes at
 * ORIGINAL_AT), not copied there from another buffer. */
#define ORIGINAL_AT (sizeof(struct rec) + sizeof(long long))
static char *original_block(void)
{
	return xmalloc((ORIGINAL_AT + CHUNK + 7) & ~(size_t)7);
}

/* Hands over a block with n bytes at ORIGINAL_AT (of original_block, or allocated to
 * size); the block is the queue's then, or freed. */
static int push_original(struct run *r, char *b, long long offset, size_t n)
{
	if (flush(r) != 0 || !wanted(r)) {
		free(b);
		return -1;
	}
	struct rec h = { .type = REC_ORIGINAL, .len = (uint32_t)(sizeof offset + n) };
	size_t len = (sizeof h + h.len + 7) & ~(size_t)7;
	memset(b + ORIGINAL_AT + n, 0, len - ORIGINAL_AT - n);	/* the padding */
	memcpy(b, &h, sizeof h);
	memcpy(b + sizeof h, &offset, sizeof offset);
	/* a last, shorter piece of original_block: what is allocated beyond it goes back
	 * (the queue bounds the bytes it holds) */
	if (n + 4096 < CHUNK)
		b = xrealloc(b, len);
	if (import_lane_push(r->job->lane, b, len) != 0)
		r->gone = true;
	return r->gone ? -1 : 0;
}

/* Original bytes held elsewhere: a block of their own, allocated to size (a 1 MB piece
 * appended to the records would double their buffer, and what the queue holds with it). */
static int put_original(struct run *r, long long offset, const unsigned char *data, size_t n)
{
	char *b = xmalloc((ORIGINAL_AT + n + 7) & ~(size_t)7);
	memcpy(b + ORIGINAL_AT, data, n);
	return push_original(r, b, offset, n);
}

/* The file's last record, handed over at once. */
static void put_end(struct run *r, enum rec_type type, const void *payload, size_t len)
{
	if (r->gone)
		return;
	/* cancelled or not, the main thread waits for this record */
	struct rec h = { .type = type, .len = (uint32_t)len };
	static const char zeros[8];
	if (reserve(r, sizeof h + len + 8) != 0)
		return;
	sbuf_append(&r->out, (const char *)&h, sizeof h);
	sbuf_append(&r->out, payload, len);
	sbuf_append(&r->out, zeros, (8 - r->out.len % 8) % 8);
	flush(r);
}

/* The file name without directory and extension: the title of a text without one. */
static char *fallback_title(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	/* the name becomes the title shown everywhere: nothing in it may act on a terminal */
	struct sbuf t = { 0 };
	sbuf_put_printable(&t, base, n);
	return sbuf_take(&t);
}

static int on_title(void *ctx, const char *title)
{
	struct run *r = ctx;
	return put(r, REC_TITLE, title, strlen(title) + 1, NULL, 0, NULL, 0);
}

static int on_section(void *ctx, const struct section *s)
{
	struct run *r = ctx;
	const char *marker = s->marker ? s->marker : "", *title = s->title ? s->title : "";
	return put(r, REC_SECTION, s, sizeof *s, marker, strlen(marker) + 1, title, strlen(title) + 1);
}

static int terms_paragraph(struct run *r, const struct para *p);

static int on_paragraph(void *ctx, const struct para *p)
{
	struct run *r = ctx;
	if (p->kind != PARA_NOISE && r->terms && terms_paragraph(r, p) != 0)
		return -1;
	return put(r, REC_PARAGRAPH, p, sizeof *p, p->text, p->len, "", 1);
}

/* Whether the main thread still wants the file (checked a line at a time). */
static bool wanted(struct run *r)
{
	if (!r->gone && atomic_load_explicit(&r->job->cancel, memory_order_relaxed))
		r->gone = true;
	return !r->gone;
}

static void list_line(struct held *h, const char *text, size_t len, long line_no);

static int on_prescan_line(void *ctx, const char *text, size_t len, long line_no)
{
	struct run *r = ctx;
	if (!wanted(r))
		return -1;
	if (r->listing)
		list_line(r->listing, text, len, line_no);
	/* the characters the structure counts are the ones clean's repeats count (the
	 * lines are normalised: the same spaces lead and none trail) */
	long chars = structure_prescan_line(r->structure, text, len);
	clean_prescan_line_chars(r->clean, text, len, chars);
	return 0;
}

static int on_line(void *ctx, const char *text, size_t len, long line_no)
{
	struct run *r = ctx;
	if (!wanted(r))
		return -1;
	bool noise = clean_is_noise(r->clean, text, len);
	return structure_line(r->structure, text, len, noise, line_no);
}

/* A callback failed: that happens only to a file that is gone (put says so). */
static void stopped(struct run *r)
{
	r->gone = true;
}

/* One pass over the file: decodes it and feeds lines to fn; with keep set, also hands
 * over the original bytes (a big file's with its prescan, which hands over nothing
 * else: the main thread stores them meanwhile, not idle until the second pass).
 * *plain: in, the lines need no normalising but trimming (a first pass over the same
 * bytes found none that did); out, this pass found none. Returns 0, or -1 (r->why set
 * unless the file is gone). */
static int pass(struct run *r, const struct decode_guess *g, line_fn fn, bool keep, bool *plain, size_t *invalid,
		long long *first_invalid)
{
	int fd = r->job->fd;
	long long size = r->job->size;
	char err[160];
	struct decoder *dec = decoder_new(g->encoding, err, sizeof err);
	if (!dec) {
		run_refuse(r, "%s", err);
		return -1;
	}
	struct line_splitter *lines = line_splitter_new(fn, r, MAX_LINE);
	bool known = *plain;	/* plain throughout, from a first pass */
	line_splitter_plain(lines, known);
	if (known)
		decoder_plain_known(dec);	/* not asked: its scan for control bytes is not made */
	/* with keep, each piece is read into the block that hands it over */
	unsigned char *buf = keep ? NULL : xmalloc(CHUNK);
	char *block = NULL;
	struct sbuf text = { 0 };
	long long at = 0;
	int rc = 0;
	if (lseek(fd, 0, SEEK_SET) != 0) {
		run_refuse(r, "cannot read it again: %s", strerror(errno));
		rc = -1;
	}
	while (rc == 0) {
		if (keep && !block) {
			block = original_block();
			buf = (unsigned char *)block + ORIGINAL_AT;
		}
		ssize_t got = read(fd, buf, CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			run_refuse(r, "read error at byte %lld: %s", at, strerror(errno));
			rc = -1;
			break;
		}
		if (at + got > size) {
			run_refuse(r, "the file grew while it was being imported");
			rc = -1;
			break;
		}
		long long piece = at;	/* the offset of what was read */
		size_t skip = at < (long long)g->bom_len ? (size_t)((long long)g->bom_len - at) : 0;
		if (skip > (size_t)got)
			skip = (size_t)got;
		at += got;
		bool final = got == 0;
		sbuf_reset(&text);
		decoder_feed(dec, buf + skip, (size_t)got - skip, final, &text);
		/* a first pass: plain while the decoder says the text so far is */
		if (!known)
			line_splitter_plain(lines, decoder_plain(dec));
		if (line_splitter_feed(lines, text.data ? text.data : "", text.len) != 0 ||
		    (final && line_splitter_finish(lines) != 0)) {
			stopped(r);
			rc = -1;
		}
		/* the piece is handed over once decoded (the main thread frees it) */
		if (rc == 0 && keep && got > 0) {
			rc = push_original(r, block, piece, (size_t)got);
			block = NULL;
		}
		if (final)
			break;
	}
	if (rc == 0 && at != size) {
		run_refuse(r, "the file shrank while it was being imported");
		rc = -1;
	}
	*invalid = decoder_invalid(dec);
	*first_invalid = decoder_first_invalid(dec);
	*plain = line_splitter_changed(lines) == 0;
	sbuf_free(&text);
	if (keep)
		free(block);
	else
		free(buf);
	line_splitter_free(lines);
	decoder_free(dec);
	return rc;
}

/* A line the first pass gave, for the second. */
struct line_at {
	uint64_t at;		/* where it starts in the held text, or LINE_COPY | where in copies */
	uint32_t len;		/* its bytes */
	uint32_t line_no;	/* its source line */
};
#define LINE_COPY (1ull << 63)
#define LIST_MAX (2 << 20)	/* bytes of lines (and of copies) listed at most: a text of more is split again */

/* A small file's text, decoded once and kept for the second pass, which takes its
 * lines as the first pass listed them (or splits it again when they were too many to
 * list): its lines go to the passes where they lie in it, not copied. */
struct held {
	const char *text;	/* the decoded text: the file's bytes, the guess's text or own */
	size_t len;		/* its bytes */
	struct sbuf own;	/* the text when decoded here */
	bool plain;		/* no line to normalise but by trimming (the guess, or the first pass, says) */
	bool full;		/* the text outgrew HOLD_MAX: the file is streamed instead */
	bool listed;		/* lines holds every line the first pass gave */
	struct line_at *lines;	/* the lines given so far */
	size_t nlines;		/* how many */
	size_t cap_lines;	/* allocated */
	struct sbuf copies;	/* the lines that lie elsewhere than in text (normalised, or cut) */
};

/* Lists a line of the first pass over a held text (h->listed false: the list is
 * given up, too long). */
static __attribute__((noinline)) void list_line(struct held *h, const char *text, size_t len, long line_no)
{
	if (!h->listed)
		return;
	struct line_at a = { .len = (uint32_t)len, .line_no = (uint32_t)line_no };
	uintptr_t t = (uintptr_t)text, from = (uintptr_t)h->text;
	if (h->text && t >= from && t - from <= h->len && len <= h->len - (t - from)) {
		a.at = t - from;
	} else {
		a.at = LINE_COPY | h->copies.len;
		sbuf_append(&h->copies, text, len);
	}
	if (h->nlines == h->cap_lines) {
		h->cap_lines = h->cap_lines ? 2 * h->cap_lines : 256;
		h->lines = xrealloc(h->lines, h->cap_lines * sizeof *h->lines);
	}
	h->lines[h->nlines++] = a;
	if (h->nlines * sizeof *h->lines > LIST_MAX || h->copies.len > LIST_MAX || len > UINT32_MAX || line_no < 0 ||
	    line_no > UINT32_MAX) {
		h->listed = false;
		free(h->lines);
		h->lines = NULL;
		h->nlines = h->cap_lines = 0;
		sbuf_free(&h->copies);
	}
}

/* Splits the held text, feeding its lines to fn. Returns 0, or -1 (the file is gone). */
static int split_held(struct run *r, struct held *h, line_fn fn, bool first)
{
	struct line_splitter *lines = line_splitter_new(fn, r, MAX_LINE);
	line_splitter_plain(lines, h->plain);
	int rc = 0;
	if (line_splitter_feed(lines, h->text ? h->text : "", h->len) != 0 || line_splitter_finish(lines) != 0) {
		stopped(r);
		rc = -1;
	}
	if (first)
		h->plain = line_splitter_changed(lines) == 0;
	line_splitter_free(lines);
	return rc;
}

/* The first pass over the held text, its lines listed for the second. */
static int prescan_held(struct run *r, struct held *h)
{
	h->listed = true;
	r->listing = h;
	int rc = split_held(r, h, on_prescan_line, true);
	r->listing = NULL;
	return rc;
}

/* The first pass over a file held in memory: decodes the bytes (unless the guess did,
 * or found them valid UTF-8: then its text, or the bytes themselves, are held),
 * prescans the lines, and hands over the original bytes. Returns 0, or -1. */
static int hold(struct run *r, const unsigned char *raw, size_t size, const struct decode_guess *g,
		const struct decode_text *kept, struct held *h, size_t *invalid, long long *first_invalid)
{
	/* the guess decoded it all already, or found it valid UTF-8 (its bytes); else a
	 * decoder, refused before anything is handed over */
	bool decoded = kept->text.len > 0 || kept->raw;
	char err[160];
	struct decoder *dec = decoded ? NULL : decoder_new(g->encoding, err, sizeof err);
	if (!decoded && !dec) {
		run_refuse(r, "%s", err);
		return -1;
	}
	/* in the pieces the streaming pass would write: the store keeps one row a piece */
	for (size_t at = 0; at < size; at += CHUNK) {
		if (put_original(r, (long long)at, raw + at, size - at < CHUNK ? size - at : CHUNK) != 0) {
			decoder_free(dec);
			return -1;
		}
	}
	if (decoded) {
		h->text = kept->raw ? (const char *)raw : kept->text.data;
		h->len = kept->raw ? size : kept->text.len;
		h->plain = kept->plain;
		*invalid = kept->invalid;
		*first_invalid = kept->first_invalid;
		return prescan_held(r, h);
	}
	for (size_t at = g->bom_len < size ? g->bom_len : size;; at += CHUNK) {
		size_t n = size - at < CHUNK ? size - at : CHUNK;
		bool final = at + n == size;
		decoder_feed(dec, raw + at, n, final, &h->own);
		if (h->own.len > HOLD_MAX) {
			h->full = true;
			break;
		}
		if (final)
			break;
	}
	*invalid = decoder_invalid(dec);
	*first_invalid = decoder_first_invalid(dec);
	h->plain = decoder_plain(dec);
	decoder_free(dec);
	if (h->full)
		return -1;
	h->text = h->own.data;
	h->len = h->own.len;
	return prescan_held(r, h);
}

/* The second pass over the held text: its lines as listed, or split again. Returns 0,
 * or -1. */
static int replay(struct run *r, struct held *h)
{
	if (!h->listed)
		return split_held(r, h, on_line, false);
	const struct line_at *a = h->lines;
	for (size_t i = 0; i < h->nlines; i++) {
		const char *text = a[i].at & LINE_COPY ? h->copies.data + (a[i].at & ~LINE_COPY) : h->text + a[i].at;
		if (on_line(r, text, a[i].len, a[i].line_no) != 0) {
			stopped(r);
			return -1;
		}
	}
	return 0;
}

static void on_hit(void *ctx, size_t term, long offset, long length)
{
	struct run *r = ctx;
	struct rec_hit h = { .term = (uint32_t)term, .offset = (uint32_t)offset, .length = (uint32_t)length };
	sbuf_append(&r->tr.hits, (const char *)&h, sizeof h);
}

static int scan_paragraph(struct run *r, long seq, const char *text, size_t len)
{
	if (r->tr.n == 0)
		return 0;
	sbuf_reset(&r->tr.hits);
	terms_scan(r->terms, text, len, on_hit, r);
	if (r->tr.hits.len == 0)
		return 0;
	return put(r, REC_HITS, &seq, sizeof seq, r->tr.hits.data, r->tr.hits.len, NULL, 0);
}

/* Chooses the terms and finds their hits in the paragraphs kept so far. */
static int choose_terms(struct run *r)
{
	r->tr.chosen = true;
	r->tr.n = terms_finish(r->terms);
	for (size_t i = 0; i < r->tr.n; i++) {
		const struct term *t = terms_get(r->terms, i);
		if (put(r, REC_TERM, &t->score, sizeof t->score, t->text, strlen(t->text) + 1, t->kind,
			strlen(t->kind) + 1) != 0)
			return -1;
	}
	for (size_t i = 0; i < r->tr.nkept; i++) {
		size_t len;
		const char *text = terms_kept_text(r->terms, i, &len);
		if (scan_paragraph(r, r->tr.kept[i], text, len) != 0)
			return -1;
	}
	/* the rest of a long document is scanned as it comes */
	terms_forget_kept(r->terms);
	free(r->tr.kept);
	r->tr.kept = NULL;
	r->tr.nkept = r->tr.capkept = 0;
	return 0;
}

/* A paragraph for the terms: fed while they are being chosen, scanned after. */
static int terms_paragraph(struct run *r, const struct para *p)
{
	if (!r->tr.chosen) {
		if (terms_feed(r->terms, p->text, p->len)) {
			if (r->tr.nkept == r->tr.capkept) {
				r->tr.capkept = r->tr.capkept ? 2 * r->tr.capkept : 256;
				r->tr.kept = xrealloc(r->tr.kept, r->tr.capkept * sizeof *r->tr.kept);
			}
			r->tr.kept[r->tr.nkept++] = p->seq;
			return 0;
		}
		/* the sample is full: choose now, scan the rest as it comes */
		if (choose_terms(r) != 0)
			return -1;
	}
	return scan_paragraph(r, p->seq, p->text, p->len);
}

/* Parses one file into records. Returns 0 with end filled, or -1 (r->why says why
 * unless the file is gone). */
static int parse_file(struct run *r, struct rec_end *end)
{
	struct job *job = r->job;
	const struct import_options *opt = &r->im->opt;
	unsigned char *sample = job->sample;
	size_t sample_len = job->sample_len;
	long long size = job->size;
	job->sample = NULL;
	struct decode_text kept = { .first_invalid = -1 };	/* the text the guess decoded, if it is all of it */
	struct decode_guess g;
	bool whole = (long long)sample_len == size;
	char *title = NULL;
	int rc = -1;
	if (opt->encoding) {
		memset(&g, 0, sizeof g);
		snprintf(g.encoding, sizeof g.encoding, "%s", opt->encoding);
		snprintf(g.reason, sizeof g.reason, "given with --encoding");
	} else if (decode_guess_keep(sample, sample_len < SAMPLE ? sample_len : SAMPLE,
				     (long long)(sample_len < SAMPLE ? sample_len : SAMPLE) == size, &g,
				     whole ? &kept : NULL) != 0) {
		run_refuse(r, "not a text file: %s", g.reason);
		goto out;
	}
	struct rec_begin b = { 0 };
	snprintf(b.encoding, sizeof b.encoding, "%s", g.encoding);
	if (put(r, REC_BEGIN, &b, sizeof b, NULL, 0, NULL, 0) != 0)
		goto out;

	title = fallback_title(job->path);
	struct structure_sink sink = { .ctx = r, .title = on_title, .section = on_section, .paragraph = on_paragraph };
	r->clean = clean_new();
	r->structure = structure_new(&sink, title);
	/* DUGAO_NO_TERMS: a benchmark switch (bench/import.sh), to measure what term
	 * extraction adds to an import */
	r->terms = r->im->no_terms ? NULL : terms_new(r->im->glossary);
	size_t invalid;
	long long first_invalid;
	if (whole) {
		/* a small file, all in memory: decoded and split once, its lines kept for the
		 * second pass */
		struct held h = { 0 };
		int hrc = hold(r, sample, sample_len, &g, &kept, &h, &invalid, &first_invalid);
		if (!kept.raw || hrc != 0) {
			/* the bytes are not the text held: not needed any more */
			free(sample);
			sample = NULL;
		}
		if (hrc == 0)
			hrc = replay(r, &h);
		sbuf_free(&h.own);
		free(h.lines);
		sbuf_free(&h.copies);
		sbuf_free(&kept.text);
		free(sample);
		sample = NULL;
		if (hrc != 0 && h.full) {
			/* its text outgrows what is held (a file of invalid bytes, each made
			 * three): streamed like a big one, the prescan begun again */
			clean_free(r->clean);
			r->clean = clean_new();
			structure_free(r->structure);
			r->structure = structure_new(&sink, title);
			bool plain = false;
			hrc = pass(r, &g, on_prescan_line, false, &plain, &invalid, &first_invalid) != 0 ||
			      pass(r, &g, on_line, false, &plain, &invalid, &first_invalid) != 0;	/* the original is handed over */
		}
		if (hrc != 0)
			goto out;
	} else {
		bool plain = false;
		if (pass(r, &g, on_prescan_line, true, &plain, &invalid, &first_invalid) != 0 ||
		    pass(r, &g, on_line, false, &plain, &invalid, &first_invalid) != 0)
			goto out;
	}
	if (structure_finish(r->structure) != 0) {
		stopped(r);
		goto out;
	}
	end->paragraphs = structure_paragraphs(r->structure);
	end->headings = structure_sections(r->structure);
	if (end->paragraphs == 0) {
		run_refuse(r, "no text in it (only blank lines, adverts or watermarks)");
		goto out;
	}
	if (r->terms && !r->tr.chosen && choose_terms(r) != 0) {
		stopped(r);
		goto out;
	}
	end->invalid = invalid;
	end->first_invalid = first_invalid + (long long)g.bom_len;
	rc = 0;
out:
	terms_free(r->terms);
	free(r->tr.kept);
	sbuf_free(&r->tr.hits);
	structure_free(r->structure);
	clean_free(r->clean);
	free(title);
	free(sample);
	sbuf_free(&kept.text);
	return rc;
}

static int survey(struct run *r, struct store **lib, bool *lib_tried);

/* The next job handed over, in order, waiting for one; NULL once the pipeline closes. */
static struct job *take(struct worker *w)
{
	struct importer *im = w->im;
	pthread_mutex_lock(&im->lock);
	/* none taken while a big file is parsed (wait_turn) */
	while ((!im->todo_head || im->big > 0) && !im->closing)
		pthread_cond_wait(&im->changed, &im->lock);
	struct job *job = im->closing ? NULL : im->todo_head;
	if (job) {
		im->todo_head = job->next_todo;
		if (!im->todo_head)
			im->todo_tail = NULL;
		/* taken and marked busy at once: a big file behind it sees it (wait_turn) */
		w->busy = true;
		w->ticket = job->ticket;
	}
	pthread_mutex_unlock(&im->lock);
	return job;
}

/* Hands the memory every thread's arena holds free back to the system, around a big
 * file's parse: each thread's arena keeps what it freed, which the other worker's
 * parse cannot use (a 10 MB file then a 50 MB one peaked at 70 MB). */
static void give_back_freed(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* The worker's file is parsed (its records all made, if not all handed over). */
static void parsed(struct worker *w)
{
	struct importer *im = w->im;
	pthread_mutex_lock(&im->lock);
	bool big = w->big;
	w->busy = false;
	if (w->big)
		im->big--, w->big = false;
	pthread_cond_broadcast(&im->changed);
	pthread_mutex_unlock(&im->lock);
	if (big)
		give_back_freed();
}

/* A big file (streamed, two passes) waits until every file handed over before it is
 * parsed, and no file is taken from then until it is parsed: its memory (50 MB for 50
 * MB) is about the import's, as with one worker (a later file taken before goes on),
 * and the worker with the file the main thread waits for never waits for a later one. */
static void wait_turn(struct worker *w)
{
	struct importer *im = w->im;
	pthread_mutex_lock(&im->lock);
	/* no file is taken from now on (but the one another worker may hold goes on) */
	im->big++, w->big = true;
	for (;;) {
		bool before = false;
		for (size_t k = 0; k < WORKERS; k++)
			before = before || (im->workers[k].busy && im->workers[k].ticket < w->ticket);
		if (!before || im->closing)
			break;
		pthread_cond_wait(&im->changed, &im->lock);
	}
	pthread_mutex_unlock(&im->lock);
	give_back_freed();
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct importer *im = w->im;
#if defined(__linux__) && defined(SYS_gettid)
	/* Linux gives each thread a nice value of its own; an unprivileged one cannot
	 * take it back, which this thread, ended with its import, never needs */
	if (w->yield)
		setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WORKER_NICE);
#endif
	struct store *lib = NULL;	/* the worker's look-ups, opened at the first */
	bool lib_tried = false;		/* its opening was tried */
	struct job *job;
	while ((job = take(w))) {
		struct run r = { .im = im, .job = job };
		struct rec_end end = { 0 };
		/* a file dropped before it began is not read */
		int found = wanted(&r) ? survey(&r, &lib, &lib_tried) : -1;
		if (found == 0 && (long long)job->sample_len != job->size)
			wait_turn(w);
		int rc = found == 0 ? parse_file(&r, &end) : -1;
		/* parsed: a big file behind it may begin while its last record waits for room */
		parsed(w);
		if (found == 1) {
			put_end(&r, REC_KNOWN, "", 0);
		} else if (rc == 0 && !r.gone) {
			put_end(&r, REC_END, &end, sizeof end);
		} else {
			/* a cancelled file too ends with its last record: the main thread counts
			 * on one for each file it handed over */
			r.gone = false;
			put_end(&r, REC_REFUSE, r.why, strlen(r.why) + 1);
		}
		sbuf_free(&r.out);
	}
	store_close(lib);
	return NULL;
}

/* --- the worker's survey --- */

/* First read: size, identity, and the first keep bytes: a sample to guess the
 * encoding from, or the whole of a small file (expect is its size as fstat saw it). */
static int survey_read(struct run *r, size_t keep, size_t expect)
{
	struct job *job = r->job;
	struct sha256 h;
	sha256_init(&h);
	/* one byte more than expected, so that the end of the file is seen without growing */
	size_t cap = expect < keep ? expect + 1 : keep, n = 0;
	unsigned char *keep_buf = xmalloc(cap), *buf = NULL;
	job->sample = keep_buf;
	job->size = 0;
	for (;;) {
		unsigned char *to = buf;
		size_t room = CHUNK;
		if (n < keep) {
			if (n == cap) {
				cap = cap < keep / 2 ? 2 * cap : keep;
				job->sample = keep_buf = xrealloc(keep_buf, cap);
			}
			to = keep_buf + n;
			room = cap - n < CHUNK ? cap - n : CHUNK;
		} else if (!buf) {
			to = buf = xmalloc(CHUNK);
		}
		ssize_t got = read(job->fd, to, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			run_refuse(r, "read error at byte %lld: %s", job->size, strerror(errno));
			free(buf);
			return -1;
		}
		if (got == 0)
			break;
		sha256_update(&h, to, (size_t)got);
		if (to != buf)
			n += (size_t)got;
		job->size += got;
	}
	job->sample_len = n;
	sha256_final_hex(&h, job->sha);
	free(buf);
	return 0;
}

static void job_free(struct job *job)
{
	if (!job)
		return;
	if (job->fd >= 0)
		close(job->fd);
	free(job->sample);
	import_lane_free(job->lane);
	free(job->block);
	free(job);
}

/* Surveys a file on the worker: opens, reads and hashes it, and looks its bytes up
 * in the library (*lib: the worker's connection, opened here at the first look-up,
 * once: *lib_tried). Returns 0 to parse it, 1 when the library has its bytes, -1 when
 * it is refused (r->why). */
static int survey(struct run *r, struct store **lib, bool *lib_tried)
{
	struct importer *im = r->im;
	struct job *job = r->job;
	/* O_NONBLOCK: opening a FIFO nobody writes to must not hang; a regular file ignores it */
	job->fd = open(job->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (job->fd < 0) {
		run_refuse(r, "%s", strerror(errno));
		return -1;
	}
	struct stat sb;
	if (fstat(job->fd, &sb) != 0 || S_ISDIR(sb.st_mode) || !S_ISREG(sb.st_mode)) {
		run_refuse(r, S_ISDIR(sb.st_mode) ? "is a directory" : "not a regular file");
		return -1;
	}
	size_t keep = sb.st_size <= WHOLE_MAX ? WHOLE_MAX : SAMPLE;
	if (survey_read(r, keep, (size_t)sb.st_size) != 0)
		return -1;
	if (job->size == 0) {
		run_refuse(r, "empty file");
		return -1;
	}
	/* A bad --encoding is an error even for bytes the library already has. */
	if (im->opt.encoding && !im->encoding_ok) {
		run_refuse(r, "unknown encoding '%s'", im->opt.encoding);
		return -1;
	}
	/* Bytes the library has are not parsed. The look-up is made again when the file's
	 * turn comes (import_one), and that one decides: a file earlier in the pipeline
	 * may have the same bytes, or a batch with them may be rolled back. (A library
	 * the worker cannot read: every file is parsed, and the main thread decides.) */
	if (im->opt.replace || job->force)
		return 0;
	char err[256];
	if (!*lib_tried && store_open(store_path(im->st), STORE_READ, lib, err, sizeof err) != 0)
		*lib = NULL;
	/* two workers' look-ups filled 2 MB of cache each: the peak of a mix of small and
	 * big files went from 58 to 63-65 MB in one run of two */
	if (!*lib_tried && *lib)
		store_small_cache(*lib);
	*lib_tried = true;
	long existing;
	return *lib && store_find_sha(*lib, job->sha, &existing) == 1 ? 1 : 0;
}

/* --- the main thread: store --- */

/* Hands file i to the workers; force: to be parsed whatever the look-up at survey finds. */
static void hand_over(struct importer *im, size_t i, bool force)
{
	struct job *job = xcalloc(1, sizeof *job);
	im->jobs[i] = job;
	job->path = im->files[i];
	job->force = force;
	job->fd = -1;
	atomic_init(&job->cancel, false);
	job->submitted = true;
	job->lane = import_lane_new(im->done);
	pthread_mutex_lock(&im->lock);
	job->ticket = im->tickets++;
	if (im->todo_tail)
		im->todo_tail->next_todo = job;
	else
		im->todo_head = job;
	im->todo_tail = job;
	pthread_cond_broadcast(&im->changed);
	pthread_mutex_unlock(&im->lock);
}

/* Hands over the files after the one being stored, so that the workers have the next
 * to read and parse. */
static void hand_ahead(struct importer *im)
{
	while (im->handed < im->nfiles && im->handed <= im->next + AHEAD_FILES)
		hand_over(im, im->handed++, false);
}

/* The next record of the job's file, waiting for it (in the job's lane); NULL when the
 * queue is closed (never while a file handed over lacks its last record) or, with
 * give_up, when a signal came meanwhile. *fresh tells that a new block was taken (the
 * signal flag is looked at between blocks). */
static const struct rec *next_rec(struct importer *im, struct job *job, const char **payload, bool *fresh,
				  bool give_up)
{
	*fresh = false;
	while (job->block_at >= job->block_len) {
		free(job->block);
		job->block = NULL;
		job->block_len = job->block_at = 0;
		void *data;
		size_t len;
		/* a timed wait, so that a signal is seen while the worker is busy */
		int rc = import_lane_pop(job->lane, &data, &len, 100);
		*fresh = true;
		if (rc < 0)
			return NULL;
		if (rc == 1) {
			job->block = data;
			job->block_len = len;
		} else if (give_up && im->opt.stop && *im->opt.stop) {
			return NULL;
		}
	}
	const struct rec *h = (const struct rec *)(job->block + job->block_at);
	*payload = (const char *)(h + 1);
	job->block_at += (sizeof *h + h->len + 7) & ~(size_t)7;
	return h;
}

/* Drops the records of a file handed over, up to its last. */
static void discard(struct importer *im, struct job *job)
{
	if (!job->submitted)
		return;
	atomic_store(&job->cancel, true);
	const char *pl;
	bool fresh;
	for (;;) {
		const struct rec *h = next_rec(im, job, &pl, &fresh, false);
		/* each of the three ends a file (REC_KNOWN: one known at survey, which a
		 * restart drops too) */
		if (!h || h->type == REC_END || h->type == REC_REFUSE || h->type == REC_KNOWN)
			break;
	}
	job->submitted = false;
}

/* File i was not parsed, its bytes being in the library at survey, and they are gone
 * now (its batch was rolled back): the files after it are dropped from the pipeline
 * and handed over again, it first, to be parsed whatever the look-up says. */
static void restart(struct importer *im, size_t i)
{
	for (size_t j = i; j < im->handed; j++)
		if (im->jobs[j] && im->jobs[j]->submitted)
			atomic_store(&im->jobs[j]->cancel, true);
	for (size_t j = i; j < im->handed; j++) {
		if (im->jobs[j])
			discard(im, im->jobs[j]);
		job_free(im->jobs[j]);
		im->jobs[j] = NULL;
	}
	im->handed = i + 1;
	hand_over(im, i, true);
	hand_ahead(im);
}

/* The look-up that decides, once the survey has hashed file i (its first record came):
 * 0 to store it (*found: a document with its bytes to replace, or -1), 1 when the
 * library has it (res says so), -1 on an error (res says why). */
static int look_up(struct importer *im, struct job *job, struct import_result *res, long *found)
{
	struct store *st = im->st;
	long existing;
	int rc = store_find_sha(st, job->sha, &existing);
	*found = rc == 1 ? existing : -1;
	if (rc < 0) {
		refuse(res, job->path, "%s", store_error(st));
		return -1;
	}
	if (!rc || im->opt.replace)
		return 0;
	struct doc_info d;
	res->status = IMPORT_SAME;
	res->id = existing;
	if (store_doc_info(st, existing, &d) == 0) {
		snprintf(res->title, sizeof res->title, "%s", d.title);
		snprintf(res->encoding, sizeof res->encoding, "%s", d.encoding);
		res->paragraphs = d.paragraphs, res->headings = d.headings, res->terms = d.terms;
		doc_info_clear(&d);
	}
	return 1;
}

/* Stores file i from the worker's records. */
static void import_one(struct importer *im, size_t i, struct import_result *res)
{
	struct store *st = im->st;
	struct job *job = im->jobs[i];
	bool begun = false, failed = false;
	long found = -1;
	im->nterm_ids = 0;
	for (;;) {
		const char *pl;
		bool fresh;
		const struct rec *h = next_rec(im, job, &pl, &fresh, !failed);
		/* Ctrl-C or TERM: the file in progress is dropped (the caller stops) */
		if (!failed && (!h || (fresh && im->opt.stop && *im->opt.stop))) {
			refuse(res, job->path, "import stopped");
			failed = true;
			atomic_store(&job->cancel, true);
		}
		if (!h) {
			/* its records up to the last are dropped, so that the next file's come next */
			discard(im, job);
			break;
		}
		if (h->type == REC_KNOWN) {
			job->submitted = false;
			if (failed)
				break;
			int rc = look_up(im, job, res, &found);
			if (rc != 0)
				break;
			/* gone since the survey (a batch with them was rolled back): parsed now */
			restart(im, i);
			job = im->jobs[i];
			continue;
		}
		if (h->type == REC_END || h->type == REC_REFUSE) {
			job->submitted = false;
			if (failed)
				break;
			if (h->type == REC_REFUSE) {
				if (pl[0]) {
					res->status = IMPORT_REFUSED;
					snprintf(res->why, sizeof res->why, "%s", pl);
				} else {
					refuse(res, job->path, "import stopped");
				}
				break;
			}
			struct rec_end end;
			memcpy(&end, pl, sizeof end);
			res->paragraphs = end.paragraphs;
			res->headings = end.headings;
			begun = false;
			if (store_import_commit(st) != 0) {
				refuse(res, job->path, "%s", store_error(st));
				break;
			}
			struct doc_info d;
			if (store_doc_info(st, res->id, &d) == 0) {
				res->terms = d.terms;
				doc_info_clear(&d);
			}
			res->status = IMPORT_OK;
			if (end.invalid) {
				struct sbuf p = { 0 };
				sbuf_put_printable(&p, job->path, strlen(job->path));
				snprintf(res->why, sizeof res->why,
					 "%s: %zu invalid %s sequence%s replaced with U+FFFD (first at byte %lld)", p.data,
					 end.invalid, res->encoding, end.invalid == 1 ? "" : "s", end.first_invalid);
				sbuf_free(&p);
			}
			break;
		}
		if (failed)
			continue;
		int rc = 0;
		switch ((enum rec_type)h->type) {
		case REC_BEGIN: {
			int known = look_up(im, job, res, &found);
			if (known != 0) {
				/* the library has it, or cannot say: its other records are dropped */
				atomic_store(&job->cancel, true);
				discard(im, job);
				return;
			}
			const struct rec_begin *b = (const struct rec_begin *)pl;
			snprintf(res->encoding, sizeof res->encoding, "%s", b->encoding);
			struct import_meta meta = { .source = job->path, .sha256 = job->sha, .encoding = res->encoding,
						    .bytes = job->size };
			rc = store_import_begin(st, &meta, found, &res->id);
			begun = rc == 0;
			break;
		}
		case REC_ORIGINAL: {
			long long offset;
			memcpy(&offset, pl, sizeof offset);
			rc = store_import_original(st, offset, pl + sizeof offset, h->len - sizeof offset);
			break;
		}
		case REC_TITLE:
			snprintf(res->title, sizeof res->title, "%s", pl);
			rc = store_import_title(st, pl);
			break;
		case REC_SECTION: {
			struct section s;
			memcpy(&s, pl, sizeof s);
			s.marker = pl + sizeof s;
			s.title = s.marker + strlen(s.marker) + 1;
			rc = store_import_section(st, &s);
			break;
		}
		case REC_PARAGRAPH: {
			struct para p;
			memcpy(&p, pl, sizeof p);
			p.text = pl + sizeof p;
			rc = store_import_paragraph(st, &p);
			break;
		}
		case REC_TERM: {
			double score;
			memcpy(&score, pl, sizeof score);
			const char *text = pl + sizeof score, *kind = text + strlen(text) + 1;
			if (im->nterm_ids == im->cap_term_ids) {
				im->cap_term_ids = im->cap_term_ids ? 2 * im->cap_term_ids : 256;
				im->term_ids = xrealloc(im->term_ids, im->cap_term_ids * sizeof *im->term_ids);
			}
			rc = store_import_term(st, text, kind, score, &im->term_ids[im->nterm_ids++]);
			break;
		}
		case REC_HITS: {
			long para;
			memcpy(&para, pl, sizeof para);
			const char *hit = pl + sizeof para, *end = pl + h->len;
			for (; rc == 0 && hit < end; hit += sizeof(struct rec_hit)) {
				struct rec_hit x;
				memcpy(&x, hit, sizeof x);
				rc = x.term < im->nterm_ids ? store_import_hit(st, im->term_ids[x.term], para, x.offset, x.length)
							    : -1;
			}
			break;
		}
		default:
			break;
		}
		if (rc != 0) {
			refuse(res, job->path, "%s", store_error(st));
			failed = true;
			/* a failed store_import_begin has rolled back already */
			if (h->type == REC_BEGIN)
				begun = false;
			atomic_store(&job->cancel, true);
		}
	}
	if (begun && res->status != IMPORT_OK)
		store_import_rollback(st);
}

/* Cores this process may run on. */
static size_t cores(void)
{
#ifdef CPU_COUNT
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return (size_t)CPU_COUNT(&set);
#endif
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (size_t)n : 1;
}

struct importer *importer_new(struct store *st, const struct import_options *opt, char *const *files, size_t nfiles)
{
	struct importer *im = xcalloc(1, sizeof *im);
	im->st = st;
	im->opt = *opt;
	im->files = files;
	im->nfiles = nfiles;
	im->jobs = xcalloc(nfiles ? nfiles : 1, sizeof *im->jobs);
#ifdef M_TRIM_THRESHOLD
	/* each document's few hundred KB of tables kept for the next one, not handed back
	 * to the kernel and faulted in again (80,000 page faults over 3,000 documents); 4
	 * MB, not 8: each thread has an arena that keeps that much (100 MB of the search
	 * corpus with two workers: a peak of 57-63 MB at 8, 44-48 MB at 4, 3% slower) */
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
	im->encoding_ok = !opt->encoding || decode_supported(opt->encoding);
	im->no_terms = getenv("DUGAO_NO_TERMS") != NULL;
	im->glossary = terms_glossary_load(opt->glossary);
	pthread_mutex_init(&im->lock, NULL);
	pthread_cond_init(&im->changed, NULL);
	im->done = import_queue_new(QUEUE_BYTES);
	/* one worker a core, beside the main thread (which stores about half as fast as one
	 * parses), and no more than there are files */
	size_t want = cores();
	if (want > WORKERS)
		want = WORKERS;
	if (want > nfiles)
		want = nfiles ? nfiles : 1;
	/* the workers take no signals: the main thread's handler sees them, and its wait
	 * for records looks at the flag */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (size_t k = 0; k < want; k++) {
		struct worker *w = &im->workers[im->nworkers];
		w->im = im;
		w->yield = want > 1;
		int rc = pthread_create(&w->thread, NULL, worker_main, w);
		if (rc != 0) {
			im->start_error = rc;
			break;
		}
		im->nworkers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return im;
}

void importer_next(struct importer *im, struct import_result *res)
{
	memset(res, 0, sizeof *res);
	res->id = -1;
	size_t i = im->next;
	if (i >= im->nfiles) {
		refuse(res, "", "no file left to import");
		return;
	}
	if (!im->nworkers) {
		refuse(res, im->files[i], "cannot start the import thread: %s", strerror(im->start_error));
		im->next++;
		return;
	}
	/* this file and the next are handed over before it is stored: parsed meanwhile */
	hand_ahead(im);
	import_one(im, i, res);
	if (res->status == IMPORT_REFUSED)
		res->id = -1;
	job_free(im->jobs[i]);
	im->jobs[i] = NULL;
	im->next++;
}

void importer_store_busy(struct importer *im, bool busy)
{
	import_queue_set_max(im->done, busy ? QUEUE_BYTES_BUSY : QUEUE_BYTES);
}

void importer_free(struct importer *im)
{
	if (!im)
		return;
	for (size_t j = im->next; j < im->handed; j++)
		if (im->jobs[j])
			atomic_store(&im->jobs[j]->cancel, true);
	pthread_mutex_lock(&im->lock);
	im->closing = true;
	pthread_cond_broadcast(&im->changed);
	pthread_mutex_unlock(&im->lock);
	import_queue_close(im->done);
	for (size_t k = 0; k < im->nworkers; k++)
		pthread_join(im->workers[k].thread, NULL);
	/* the lanes before their queue */
	for (size_t j = 0; j < im->nfiles; j++)
		job_free(im->jobs[j]);
	free(im->jobs);
	free(im->term_ids);
	terms_glossary_free(im->glossary);
	import_queue_free(im->done);
	pthread_cond_destroy(&im->changed);
	pthread_mutex_destroy(&im->lock);
	free(im);
}

void import_file(struct store *st, const char *path, const struct import_options *opt, struct import_result *res)
{
	char *files[] = { (char *)path };
	struct importer *im = importer_new(st, opt, files, 1);
	importer_next(im, res);
	importer_free(im);
}
