#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dugao/cjk_tokenizer.h"
#include "dugao/fold.h"
#include "dugao/util.h"

/* One decoded character of the text being tokenized. */
struct cjk_char {
	uint32_t cp;	/* folded code point */
	int start;	/* byte offset in the text */
	int end;	/* byte offset just past it */
};

static void next_char(const char *text, size_t n, size_t at, struct cjk_char *c)
{
	uint32_t cp;
	size_t k = utf8_decode(text + at, n - at, &cp);
	c->cp = fold_char(cp);
	c->start = (int)at;
	c->end = (int)(at + (k ? k : 1));
}

bool cjk_separator(uint32_t cp)
{
	return cp <= 0x2F || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) || (cp >= 0x7B && cp <= 0x7F) ||
	       (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
	       (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
	       (cp >= 0xFF5B && cp <= 0xFF65);
}

int cjk_tokenize(const char *text, size_t n, int query, cjk_token_fn fn, void *ctx)
{
	if (n == 0)
		return 0;
	struct cjk_char cur, nxt;
	next_char(text, n, 0, &cur);
	bool covered = false;
	for (bool first = true;; first = false) {
		bool more = (size_t)cur.end < n;
		if (more)
			next_char(text, n, (size_t)cur.end, &nxt);
		char tok[8];
		int len = (int)utf8_encode(cur.cp, tok);
		int end = cur.end;
		bool pair = more && !cjk_separator(cur.cp) && !cjk_separator(nxt.cp);
		if (pair) {
			len += (int)utf8_encode(nxt.cp, tok + len);
			end = nxt.end;
		}
		/* The query form stops once the last character is covered: a bigram
		 * ending there, or the last character alone (cjk_query_prefix). */
		if (query && !more && !first && covered)
			break;
		int rc = fn(ctx, tok, len, cur.start, end);
		if (rc)
			return rc;
		if (!more)
			break;
		covered = pair;
		cur = nxt;
	}
	return 0;
}

bool cjk_query_prefix(const char *word, size_t n)
{
	uint32_t last = 0, before = '\n';
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode(word + i, n - i, &cp);
		before = last;
		last = fold_char(cp);
		i += k ? k : 1;
	}
	if (n == 0 || cjk_separator(last))
		return false;
	return n == utf8_offset(word, n, 1) || cjk_separator(before);
}

/* --- the FTS5 tokenizer --- */

/* The state FTS5 hands back to the callback. */
struct fts5_cb {
	void *ctx;	/* FTS5's context */
	int (*token)(void *, int, const char *, int, int, int);	/* FTS5's xToken */
};

static int fts5_emit(void *ctx, const char *token, int len, int start, int end)
{
	struct fts5_cb *cb = ctx;
	return cb->token(cb->ctx, 0, token, len, start, end);
}

static int tok_create(void *user, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)user;
	(void)argv;
	if (argc > 0)
		return SQLITE_ERROR;
	/* No state: any non-NULL pointer will do. */
	static int stateless;
	*out = (Fts5Tokenizer *)&stateless;
	return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *t)
{
	(void)t;
}

static int tok_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
			int (*token)(void *, int, const char *, int, int, int))
{
	(void)t;
	struct fts5_cb cb = { .ctx = ctx, .token = token };
	if (n <= 0)
		return SQLITE_OK;
	return cjk_tokenize(text, (size_t)n, (flags & FTS5_TOKENIZE_QUERY) != 0, fts5_emit, &cb);
}

/* --- dugao_hits --- */

/* A word instance waiting for its paragraph to end. */
struct pending {
	int word;	/* index of the word */
	int offset;	/* character offset in the row */
};

/* The hits of one row as they are found. */
struct hits {
	int list;		/* 1: collect triples, 0: count */
	sqlite3_int64 count;	/* hits so far */
	struct sbuf out;	/* int32 triples when listing */
};

static void hit(struct hits *h, int para, int offset, int length)
{
	h->count++;
	if (h->list) {
		int32_t t[3] = { para, offset, length };
		sbuf_append(&h->out, (const char *)t, sizeof t);
	}
}

/* Keeps the leftmost of overlapping instances (they come sorted by offset). */
static void flush_paragraph(struct hits *h, const struct pending *p, int n, const int *lens, int para, int para_start)
{
	int end = -1;
	for (int i = 0; i < n; i++) {
		if (p[i].offset < end)
			continue;
		hit(h, para, p[i].offset - para_start, lens[p[i].word]);
		end = p[i].offset + lens[p[i].word];
	}
}

static void hits_fn(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	if (argc < 3) {
		sqlite3_result_error(ctx, CJK_HITS_FUNCTION ": (list, paragraphs, lengths...)", -1);
		return;
	}
	struct hits h = { .list = sqlite3_value_int(argv[0]) };
	int paras = sqlite3_value_int(argv[1]);
	int nwords = argc - 2;
	if (nwords > 64 || (h.list == 1 && !paras)) {
		sqlite3_result_error(ctx, CJK_HITS_FUNCTION ": bad arguments", -1);
		return;
	}
	int lens[64];
	for (int i = 0; i < nwords; i++)
		lens[i] = sqlite3_value_int(argv[i + 2]);
	int ninst = 0;
	int rc = api->xInstCount(fts, &ninst);
	if (h.list == 2 && !paras && nwords == 1) {
		/* one word that cannot overlap itself: every instance is a hit */
		if (rc == SQLITE_OK)
			sqlite3_result_int64(ctx, ninst);
		else
			sqlite3_result_error_code(ctx, rc);
		return;
	}
	struct pending *pend = ninst ? malloc((size_t)ninst * sizeof *pend) : NULL;
	if (rc != SQLITE_OK || (ninst && !pend)) {
		free(pend);
		sqlite3_result_error_code(ctx, rc != SQLITE_OK ? rc : SQLITE_NOMEM);
		return;
	}
	int npend = 0, para = 0, para_start = 0;
	uint64_t seen = 0, all = nwords == 64 ? UINT64_MAX : ((uint64_t)1 << nwords) - 1;
	for (int i = 0; i < ninst; i++) {
		int phrase, col, off;
		if ((rc = api->xInst(fts, i, &phrase, &col, &off)) != SQLITE_OK)
			break;
		if (paras && phrase == 0) {
			if (seen == all)
				flush_paragraph(&h, pend, npend, lens, para, para_start);
			npend = 0;
			seen = 0;
			para++;
			para_start = off + 1;
			continue;
		}
		int w = phrase - (paras ? 1 : 0);
		if (w < 0 || w >= nwords)
			continue;
		pend[npend++] = (struct pending){ .word = w, .offset = off };
		seen |= (uint64_t)1 << w;
	}
	if (!paras && rc == SQLITE_OK)
		flush_paragraph(&h, pend, npend, lens, 0, 0);
	free(pend);
	if (rc != SQLITE_OK)
		sqlite3_result_error_code(ctx, rc);
	else if (h.list)
		sqlite3_result_blob(ctx, h.out.data ? h.out.data : "", (int)h.out.len, SQLITE_TRANSIENT);
	else
		sqlite3_result_int64(ctx, h.count);
	sbuf_free(&h.out);
}

int cjk_tokenizer_register(fts5_api *api)
{
	static fts5_tokenizer tok = { tok_create, tok_delete, tok_tokenize };
	int rc = api->xCreateTokenizer(api, CJK_TOKENIZER_NAME, NULL, &tok, NULL);
	if (rc == SQLITE_OK)
		rc = api->xCreateFunction(api, CJK_HITS_FUNCTION, NULL, hits_fn, NULL);
	return rc;
}
