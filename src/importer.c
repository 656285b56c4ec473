#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dugao/clean.h"
#include "dugao/decode.h"
#include "dugao/importer.h"
#include "dugao/normalise.h"
#include "dugao/sha256.h"
#include "dugao/structure.h"
#include "dugao/terms.h"
#include "dugao/util.h"

#define CHUNK (1 << 20)			/* bytes read at a time */
#define SAMPLE (1 << 20)		/* bytes the encoding is guessed from */
#define MAX_LINE (64 * 1024)		/* longer lines are split, so memory stays bounded */
#define WHOLE_MAX (8 << 20)		/* files up to this size are read, decoded and split once */
#define HOLD_MAX (16 << 20)		/* bytes of lines held; a small file whose text outgrows it is streamed */

/* Term extraction during an import: the terms are chosen from the paragraphs the
 * extractor keeps (the whole of most documents), their hits found in those, then in
 * each later paragraph as it comes, so that no paragraph is read back from the store. */
struct term_run {
	long *ids;		/* store handle of each chosen term */
	size_t n;		/* terms chosen */
	long *kept;		/* seq of each paragraph the extractor kept */
	size_t nkept;		/* how many */
	size_t capkept;		/* kept allocated */
	long para;		/* paragraph being scanned */
	bool chosen;		/* the terms are chosen: paragraphs are scanned, not fed */
	bool failed;		/* storing a hit failed */
};

/* Everything one import carries between the pipeline's callbacks. */
struct run {
	struct store *st;		/* the library */
	struct clean *clean;		/* noise rules */
	struct structure *structure;	/* outline rules */
	struct terms *terms;		/* term extraction */
	struct term_run tr;		/* its progress */
	struct import_result *res;	/* what the caller gets */
	volatile sig_atomic_t *stop;	/* set: stop at the next line (import_options) */
	bool failed;			/* a store call failed: stop */
};

static void refuse(struct import_result *res, const char *path, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void refuse(struct import_result *res, const char *path, const char *fmt, ...)
{
	char why[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	res->status = IMPORT_REFUSED;
	/* a file name may hold newlines or escape sequences: the message stays one harmless line */
	struct sbuf p = { 0 };
	sbuf_put_printable(&p, path, strlen(path));
	snprintf(res->why, sizeof res->why, "%s: %s", p.data, why);
	sbuf_free(&p);
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
	snprintf(r->res->title, sizeof r->res->title, "%s", title);
	return store_import_title(r->st, title) == 0 ? 0 : (r->failed = true, -1);
}

static int on_section(void *ctx, const struct section *s)
{
	struct run *r = ctx;
	return store_import_section(r->st, s) == 0 ? 0 : (r->failed = true, -1);
}

static int terms_paragraph(struct run *r, const struct para *p);

static int on_paragraph(void *ctx, const struct para *p)
{
	struct run *r = ctx;
	if (p->kind != PARA_NOISE && r->terms && terms_paragraph(r, p) != 0)
		return r->failed = true, -1;
	return store_import_paragraph(r->st, p) == 0 ? 0 : (r->failed = true, -1);
}

static int on_prescan_line(void *ctx, const char *text, size_t len, long line_no)
{
	struct run *r = ctx;
	if (r->stop && *r->stop)
		return -1;
	clean_prescan_line(r->clean, text, len);
	structure_prescan_line(r->structure, text, len);
	return 0;
}

static int on_line(void *ctx, const char *text, size_t len, long line_no)
{
	struct run *r = ctx;
	if (r->stop && *r->stop)
		return -1;
	bool noise = clean_is_noise(r->clean, text, len);
	return structure_line(r->structure, text, len, noise, line_no);
}

/* One pass over the file: decodes it and feeds lines to fn; with keep set, also
 * stores the original bytes. Returns 0, or -1 with res->why set. */
static int pass(int fd, const char *path, long long size, const struct decode_guess *g, line_fn fn,
		struct run *r, bool keep, size_t *invalid, long long *first_invalid)
{
	char err[160];
	struct decoder *dec = decoder_new(g->encoding, err, sizeof err);
	if (!dec) {
		refuse(r->res, path, "%s", err);
		return -1;
	}
	struct line_splitter *lines = line_splitter_new(fn, r, MAX_LINE);
	unsigned char *buf = xmalloc(CHUNK);
	struct sbuf text = { 0 };
	long long at = 0;
	int rc = 0;
	if (lseek(fd, 0, SEEK_SET) != 0) {
		refuse(r->res, path, "cannot read it again: %s", strerror(errno));
		rc = -1;
	}
	while (rc == 0) {
		ssize_t got = read(fd, buf, CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			refuse(r->res, path, "read error at byte %lld: %s", at, strerror(errno));
			rc = -1;
			break;
		}
		if (at + got > size) {
			refuse(r->res, path, "the file grew while it was being imported");
			rc = -1;
			break;
		}
		if (keep && store_import_original(r->st, at, buf, (size_t)got) != 0) {
			refuse(r->res, path, "%s", store_error(r->st));
			rc = -1;
			break;
		}
		size_t skip = at < (long long)g->bom_len ? (size_t)((long long)g->bom_len - at) : 0;
		if (skip > (size_t)got)
			skip = (size_t)got;
		at += got;
		bool final = got == 0;
		sbuf_reset(&text);
		decoder_feed(dec, buf + skip, (size_t)got - skip, final, &text);
		if (line_splitter_feed(lines, text.data ? text.data : "", text.len) != 0 ||
		    (final && line_splitter_finish(lines) != 0)) {
			if (r->failed)
				refuse(r->res, path, "%s", store_error(r->st));
			else
				refuse(r->res, path, "import stopped");
			rc = -1;
		}
		if (final)
			break;
	}
	if (rc == 0 && at != size) {
		refuse(r->res, path, "the file shrank while it was being imported");
		rc = -1;
	}
	*invalid = decoder_invalid(dec);
	*first_invalid = decoder_first_invalid(dec);
	sbuf_free(&text);
	free(buf);
	line_splitter_free(lines);
	decoder_free(dec);
	return rc;
}

/* A small file's lines, normalised once and kept for the second pass. Each line comes
 * after a separator: '\n' when it starts a source line, '\r' when it goes on with one
 * cut at MAX_LINE (normalised text holds no control characters). */
struct held {
	struct run *r;		/* the import */
	const char *path;	/* the file, for messages */
	struct sbuf text;	/* the lines, each after its separator */
	long line_no;		/* source line of the last line held */
	bool full;		/* the lines outgrew HOLD_MAX: the file is streamed instead */
};

static int hold_line(void *ctx, const char *text, size_t len, long line_no)
{
	struct held *h = ctx;
	if (h->text.len + len + 1 > HOLD_MAX) {
		h->full = true;
		return 1;
	}
	/* the splitter numbers lines one by one; a cut piece keeps the number */
	char sep = line_no == h->line_no ? '\r' : '\n';
	h->line_no = line_no;
	sbuf_append(&h->text, &sep, 1);
	sbuf_append(&h->text, text, len);
	return on_prescan_line(h->r, text, len, line_no);
}

/* The first pass over a file held in memory: decodes the bytes, keeps the lines,
 * prescans them, and stores the original bytes. Returns 0, or -1 with res->why set. */
static int hold(struct run *r, const char *path, const unsigned char *raw, size_t size, const struct decode_guess *g,
		const struct decode_text *kept, struct held *h, size_t *invalid, long long *first_invalid)
{
	char err[160];
	struct decoder *dec = decoder_new(g->encoding, err, sizeof err);
	if (!dec) {
		refuse(r->res, path, "%s", err);
		return -1;
	}
	/* in the pieces the streaming pass would write: the store keeps one row a piece */
	for (size_t at = 0; at < size; at += CHUNK)
		if (store_import_original(r->st, (long long)at, raw + at, size - at < CHUNK ? size - at : CHUNK) != 0) {
			refuse(r->res, path, "%s", store_error(r->st));
			decoder_free(dec);
			return -1;
		}
	struct line_splitter *lines = line_splitter_new(hold_line, h, MAX_LINE);
	struct sbuf text = { 0 };
	int rc = 0;
	if (kept->text.len > 0) {
		/* the guess decoded it all already */
		if (line_splitter_feed(lines, kept->text.data, kept->text.len) != 0 || line_splitter_finish(lines) != 0) {
			if (!h->full)
				refuse(r->res, path, "import stopped");
			rc = -1;
		}
		*invalid = kept->invalid;
		*first_invalid = kept->first_invalid;
		line_splitter_free(lines);
		decoder_free(dec);
		return rc;
	}
	for (size_t at = g->bom_len < size ? g->bom_len : size;; at += CHUNK) {
		size_t n = size - at < CHUNK ? size - at : CHUNK;
		bool final = at + n == size;
		sbuf_reset(&text);
		decoder_feed(dec, raw + at, n, final, &text);
		if (line_splitter_feed(lines, text.data ? text.data : "", text.len) != 0 ||
		    (final && line_splitter_finish(lines) != 0)) {
			if (!h->full)
				refuse(r->res, path, "import stopped");
			rc = -1;
		}
		if (final || rc)
			break;
	}
	*invalid = decoder_invalid(dec);
	*first_invalid = decoder_first_invalid(dec);
	sbuf_free(&text);
	line_splitter_free(lines);
	decoder_free(dec);
	return rc;
}

/* The second pass over the held lines. Returns 0, or -1 with res->why set. */
static int replay(struct held *h)
{
	char *p = h->text.data, *end = p + h->text.len;
	long line_no = 0;
	while (p < end) {
		line_no += *p == '\n';
		char *s = p + 1;
		char *e = memchr(s, '\n', (size_t)(end - s));
		if (!e)
			e = end;
		char *cut = memchr(s, '\r', (size_t)(e - s));
		if (cut)
			e = cut;
		/* each line NUL-terminated in place, as the splitter gives them */
		char sep = *e;
		*e = 0;
		int rc = on_line(h->r, s, (size_t)(e - s), line_no);
		*e = sep;
		if (rc != 0) {
			if (h->r->failed)
				refuse(h->r->res, h->path, "%s", store_error(h->r->st));
			else
				refuse(h->r->res, h->path, "import stopped");
			return -1;
		}
		p = e;
	}
	return 0;
}

static void on_hit(void *ctx, size_t term, long offset, long length)
{
	struct run *r = ctx;
	if (!r->tr.failed && store_import_hit(r->st, r->tr.ids[term], r->tr.para, offset, length) != 0)
		r->tr.failed = true;
}

static int scan_paragraph(struct run *r, long seq, const char *text, size_t len)
{
	if (r->tr.n == 0)
		return 0;
	r->tr.para = seq;
	terms_scan(r->terms, text, len, on_hit, r);
	return r->tr.failed ? -1 : 0;
}

/* Chooses the terms and finds their hits in the paragraphs kept so far. */
static int choose_terms(struct run *r)
{
	r->tr.chosen = true;
	r->tr.n = terms_finish(r->terms);
	r->tr.ids = xcalloc(r->tr.n ? r->tr.n : 1, sizeof *r->tr.ids);
	for (size_t i = 0; i < r->tr.n; i++) {
		const struct term *t = terms_get(r->terms, i);
		if (store_import_term(r->st, t->text, t->kind, t->score, &r->tr.ids[i]) != 0)
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

static int store_terms(struct run *r)
{
	return r->tr.chosen ? 0 : choose_terms(r);
}

/* First read: size, identity, and the first keep bytes: a sample to guess the
 * encoding from, or the whole of a small file (expect is its size as fstat saw it). */
static int survey(int fd, const char *path, struct import_result *res, size_t keep, size_t expect, long long *size,
		  char sha[65], unsigned char **sample, size_t *sample_len)
{
	struct sha256 h;
	sha256_init(&h);
	/* one byte more than expected, so that the end of the file is seen without growing */
	size_t cap = expect < keep ? expect + 1 : keep, n = 0;
	unsigned char *keep_buf = xmalloc(cap), *buf = NULL;
	*sample = keep_buf;
	*sample_len = 0;
	*size = 0;
	for (;;) {
		unsigned char *to = buf;
		size_t room = CHUNK;
		if (n < keep) {
			if (n == cap) {
				cap = cap < keep / 2 ? 2 * cap : keep;
				*sample = keep_buf = xrealloc(keep_buf, cap);
			}
			to = keep_buf + n;
			room = cap - n < CHUNK ? cap - n : CHUNK;
		} else if (!buf) {
			to = buf = xmalloc(CHUNK);
		}
		ssize_t got = read(fd, to, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			refuse(res, path, "read error at byte %lld: %s", *size, strerror(errno));
			free(buf);
			return -1;
		}
		if (got == 0)
			break;
		sha256_update(&h, to, (size_t)got);
		if (to != buf)
			n += (size_t)got;
		*size += got;
	}
	*sample_len = n;
	sha256_final_hex(&h, sha);
	free(buf);
	return 0;
}

void import_file(struct store *st, const char *path, const struct import_options *opt, struct import_result *res)
{
	memset(res, 0, sizeof *res);
	res->id = -1;
	/* O_NONBLOCK: opening a FIFO nobody writes to must not hang; a regular file ignores it */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		refuse(res, path, "%s", strerror(errno));
		return;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0 || S_ISDIR(sb.st_mode) || !S_ISREG(sb.st_mode)) {
		refuse(res, path, S_ISDIR(sb.st_mode) ? "is a directory" : "not a regular file");
		close(fd);
		return;
	}
	long long size;
	char sha[65];
	unsigned char *sample = NULL;
	size_t sample_len;
	struct run r = { .st = st, .res = res, .stop = opt->stop };
	char *title = NULL;
	bool begun = false;
	struct decode_text kept = { .first_invalid = -1 };	/* the text the guess decoded, if it is all of it */
	size_t keep = sb.st_size <= WHOLE_MAX ? WHOLE_MAX : SAMPLE;
	if (survey(fd, path, res, keep, (size_t)sb.st_size, &size, sha, &sample, &sample_len) != 0)
		goto out;
	if (size == 0) {
		refuse(res, path, "empty file");
		goto out;
	}
	/* A bad --encoding is an error even for bytes the library already has. */
	if (opt->encoding && !decode_supported(opt->encoding)) {
		refuse(res, path, "unknown encoding '%s'", opt->encoding);
		goto out;
	}
	long existing;
	int found = store_find_sha(st, sha, &existing);
	if (found < 0) {
		refuse(res, path, "%s", store_error(st));
		goto out;
	}
	if (found && !opt->replace) {
		struct doc_info d;
		res->status = IMPORT_SAME;
		res->id = existing;
		if (store_doc_info(st, existing, &d) == 0) {
			snprintf(res->title, sizeof res->title, "%s", d.title);
			snprintf(res->encoding, sizeof res->encoding, "%s", d.encoding);
			res->paragraphs = d.paragraphs, res->headings = d.headings, res->terms = d.terms;
			doc_info_clear(&d);
		}
		goto out;
	}
	struct decode_guess g;
	bool whole = (long long)sample_len == size;
	if (opt->encoding) {
		memset(&g, 0, sizeof g);
		snprintf(g.encoding, sizeof g.encoding, "%s", opt->encoding);
		snprintf(g.reason, sizeof g.reason, "given with --encoding");
	} else if (decode_guess_keep(sample, sample_len < SAMPLE ? sample_len : SAMPLE,
				     (long long)(sample_len < SAMPLE ? sample_len : SAMPLE) == size, &g,
				     whole ? &kept : NULL) != 0) {
		refuse(res, path, "not a text file: %s", g.reason);
		goto out;
	}
	snprintf(res->encoding, sizeof res->encoding, "%s", g.encoding);

	title = fallback_title(path);
	struct structure_sink sink = { .ctx = &r, .title = on_title, .section = on_section, .paragraph = on_paragraph };
	r.clean = clean_new();
	r.structure = structure_new(&sink, title);
	/* DUGAO_NO_TERMS: a benchmark switch (bench/import.sh), to measure what term
	 * extraction adds to an import */
	r.terms = getenv("DUGAO_NO_TERMS") ? NULL : terms_new(opt->glossary);
	struct import_meta meta = { .source = path, .sha256 = sha, .encoding = g.encoding, .bytes = size };
	if (store_import_begin(st, &meta, found ? existing : -1, &res->id) != 0) {
		refuse(res, path, "%s", store_error(st));
		goto out;
	}
	begun = true;
	size_t invalid;
	long long first_invalid;
	if (whole) {
		/* a small file, all in memory: decoded and split once, its lines kept for the
		 * second pass */
		struct held h = { .r = &r, .path = path };
		int rc = hold(&r, path, sample, sample_len, &g, &kept, &h, &invalid, &first_invalid);
		sbuf_free(&kept.text);
		free(sample);
		sample = NULL;
		if (rc == 0)
			rc = replay(&h);
		sbuf_free(&h.text);
		if (rc != 0 && h.full) {
			/* its text outgrows what is held (a file of control characters, each made
			 * three bytes): streamed like a big one, the prescan begun again */
			clean_free(r.clean);
			r.clean = clean_new();
			structure_free(r.structure);
			r.structure = structure_new(&sink, title);
			rc = pass(fd, path, size, &g, on_prescan_line, &r, false, &invalid, &first_invalid) != 0 ||
			     pass(fd, path, size, &g, on_line, &r, false, &invalid, &first_invalid) != 0;	/* the original is stored */
		}
		if (rc != 0)
			goto out;
	} else if (pass(fd, path, size, &g, on_prescan_line, &r, false, &invalid, &first_invalid) != 0 ||
		   pass(fd, path, size, &g, on_line, &r, true, &invalid, &first_invalid) != 0) {
		goto out;
	}
	if (structure_finish(r.structure) != 0) {
		refuse(res, path, "%s", store_error(st));
		goto out;
	}
	res->paragraphs = structure_paragraphs(r.structure);
	res->headings = structure_sections(r.structure);
	if (res->paragraphs == 0) {
		refuse(res, path, "no text in it (only blank lines, adverts or watermarks)");
		goto out;
	}
	if (r.terms && store_terms(&r) != 0) {
		refuse(res, path, "%s", store_error(st));
		goto out;
	}
	if (store_import_commit(st) != 0) {
		begun = false;
		refuse(res, path, "%s", store_error(st));
		goto out;
	}
	begun = false;
	struct doc_info d;
	if (store_doc_info(st, res->id, &d) == 0) {
		res->terms = d.terms;
		doc_info_clear(&d);
	}
	res->status = IMPORT_OK;
	if (invalid) {
		struct sbuf p = { 0 };
		sbuf_put_printable(&p, path, strlen(path));
		snprintf(res->why, sizeof res->why, "%s: %zu invalid %s sequence%s replaced with U+FFFD (first at byte %lld)",
			 p.data, invalid, g.encoding, invalid == 1 ? "" : "s", first_invalid + (long long)g.bom_len);
		sbuf_free(&p);
	}
out:
	if (begun)
		store_import_rollback(st);
	if (res->status == IMPORT_REFUSED)
		res->id = -1;
	terms_free(r.terms);
	free(r.tr.ids);
	free(r.tr.kept);
	structure_free(r.structure);
	clean_free(r.clean);
	free(title);
	free(sample);
	sbuf_free(&kept.text);
	close(fd);
}
