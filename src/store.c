#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "dugao/cjk_tokenizer.h"
#include "dugao/fold.h"
#include "dugao/hits.h"
#include "dugao/query.h"
#include "dugao/store.h"
#include "dugao/util.h"

/* Bump with a new entry in migrations[] whenever the schema changes. */
#define SCHEMA_VERSION 6

static const char *const migrations[SCHEMA_VERSION] = {
	/* 0 -> 1 */
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY,"
	"  source TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL UNIQUE,"
	"  encoding TEXT NOT NULL,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  imported_at TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  chars INTEGER NOT NULL DEFAULT 0,"
	"  paragraphs INTEGER NOT NULL DEFAULT 0,"
	"  headings INTEGER NOT NULL DEFAULT 0,"
	"  terms INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE originals ("
	"  doc INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
	"  bytes BLOB NOT NULL);"
	"CREATE TABLE paragraphs ("
	"  id INTEGER PRIMARY KEY,"
	"  doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  section INTEGER NOT NULL,"
	"  line INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  UNIQUE (doc, seq));"
	"CREATE TABLE sections ("
	"  doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  parent INTEGER NOT NULL,"
	"  level INTEGER NOT NULL,"
	"  marker TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  para INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL,"
	"  length INTEGER NOT NULL,"
	"  in_paragraph INTEGER NOT NULL,"
	"  PRIMARY KEY (doc, seq)) WITHOUT ROWID;"
	"CREATE TABLE terms ("
	"  id INTEGER PRIMARY KEY,"
	"  doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  text TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  score REAL NOT NULL,"
	"  count INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (doc, text));"
	"CREATE TABLE term_hits ("
	"  term INTEGER NOT NULL REFERENCES terms(id) ON DELETE CASCADE,"
	"  para INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL,"
	"  length INTEGER NOT NULL,"
	"  PRIMARY KEY (term, para, offset)) WITHOUT ROWID;"
	"CREATE TABLE positions ("
	"  doc INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
	"  para INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL,"
	"  read_at TEXT NOT NULL);"
	"CREATE TABLE marks ("
	"  doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL,"
	"  para INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL,"
	"  PRIMARY KEY (doc, name)) WITHOUT ROWID;"
	"CREATE TABLE state ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL) WITHOUT ROWID;",
	/* 1 -> 2: the search index, one row per document (see cjk_tokenizer.h); it holds
	 * positions only, the text stays in paragraphs. migrate() fills it. */
	"CREATE VIRTUAL TABLE search_index USING fts5(text, content='', columnsize=0, detail=full,"
	"  tokenize='" CJK_TOKENIZER_NAME "');"
	/* An upgrade indexes every document in one transaction: a larger in-memory hash
	 * flushes less often (an import of one document never reaches it). */
	"INSERT INTO search_index (search_index, rank) VALUES ('hashsize', 33554432);",
	/* 2 -> 3: punctuation stands alone in the index (cjk_tokenizer.h); migrate()
	 * fills it again */
	"DROP TABLE search_index;"
	"CREATE VIRTUAL TABLE search_index USING fts5(text, content='', columnsize=0, detail=full,"
	"  tokenize='" CJK_TOKENIZER_NAME "');"
	"INSERT INTO search_index (search_index, rank) VALUES ('hashsize', 33554432);",
	/* 3 -> 4: the outline's shape (no text) in one row per document, so that the reader
	 * opens a document of 40,000 sections without reading their titles; migrate()
	 * fills it */
	"CREATE TABLE IF NOT EXISTS outline_shapes ("
	"  doc INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
	"  shape BLOB NOT NULL);",
	/* 4 -> 5: index rows of whole paragraphs up to INDEX_ROW_BYTES, so that neither an
	 * import nor a search holds a whole document; a smaller in-memory hash bounds an
	 * import's memory. migrate() fills it again. */
	"DROP TABLE search_index;"
	"CREATE VIRTUAL TABLE search_index USING fts5(text, content='', columnsize=0, detail=full,"
	"  tokenize='" CJK_TOKENIZER_NAME "');"
	"INSERT INTO search_index (search_index, rank) VALUES ('hashsize', 8388608);"
	/* an import commits one small segment per document: merging 8 at a time, not 4,
	 * rewrites the index less often (a fifth less written over 3,000 documents) */
	"INSERT INTO search_index (search_index, rank) VALUES ('automerge', 8);"
	/* which document and first paragraph each index row holds: index rowids stay
	 * dense (small deltas in the index), and a document's rows are contiguous */
	"DROP TABLE IF EXISTS search_rows;"
	"CREATE TABLE search_rows ("
	"  id INTEGER PRIMARY KEY,"
	"  doc INTEGER NOT NULL,"
	"  first INTEGER NOT NULL);"
	"CREATE INDEX search_rows_doc ON search_rows (doc, id);",
	/* 5 -> 6: the hits of a term packed into one blob in its row (hits.h), not one
	 * row each; migrate() packs the old rows and drops term_hits */
	"ALTER TABLE terms ADD COLUMN hits BLOB;",
};

/* Every statement the store runs more than once, prepared on first use. */
enum stmt_id {
	Q_FIND_SHA,
	Q_DOC_INSERT,
	Q_DOC_REUSE,
	Q_ORIGINAL_INSERT,
	Q_PARA_INSERT,
	Q_SECTION_INSERT,
	Q_TITLE_SET,
	Q_TERM_INSERT,
	Q_IMPORT_PARAS,
	Q_INDEX_TEXT,
	Q_INDEX_ADD,
	Q_INDEX_DELETE,
	Q_INDEX_ROW_ADD,
	Q_INDEX_ROWS,
	Q_INDEX_ROWS_DELETE,
	Q_INDEX_ROW_GET,
	Q_SEARCH_PARA,
	Q_DOC_INFO,
	Q_DOC_LIST,
	Q_SECTIONS,
	Q_SECTION_SHAPE_ROWS,
	Q_SECTION_SHAPE_GET,
	Q_SECTION_SHAPE_SET,
	Q_SECTION_TEXT,
	Q_PARAS,
	Q_PARAS_ALL,
	Q_TERMS,
	Q_LIBRARY_TERMS,
	Q_ORIGINAL,
	Q_PARA_RANGE,
	Q_PARA_RANGE_ALL,
	Q_PARAS_BEFORE,
	Q_PARAS_BEFORE_ALL,
	Q_POS_GET,
	Q_POS_SET,
	Q_MARK_GET,
	Q_MARK_SET,
	Q_STATE_GET,
	Q_STATE_SET,
	Q_TERM_HITS,
	Q_COUNT
};

static const char *const stmt_sql[Q_COUNT] = {
	[Q_FIND_SHA] = "SELECT id FROM documents WHERE sha256 = ?1",
	[Q_DOC_INSERT] = "INSERT INTO documents (source, sha256, encoding, imported_at, bytes) "
			 "VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?4)",
	[Q_DOC_REUSE] = "UPDATE documents SET source = ?1, sha256 = ?2, encoding = ?3, bytes = ?4, "
			"imported_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?5",
	[Q_ORIGINAL_INSERT] = "INSERT INTO originals (doc, bytes) VALUES (?1, zeroblob(?2))",
	[Q_PARA_INSERT] = "INSERT INTO paragraphs (doc, seq, kind, section, line, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_SECTION_INSERT] = "INSERT INTO sections (doc, seq, parent, level, marker, title, para, offset, length, in_paragraph) "
			     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[Q_TITLE_SET] = "UPDATE documents SET title = ?2 WHERE id = ?1",
	[Q_TERM_INSERT] = "INSERT INTO terms (doc, text, kind, score, count, hits) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[Q_IMPORT_PARAS] = "SELECT seq, kind, section, line, text FROM paragraphs WHERE doc = ?1 AND kind != 'noise' ORDER BY seq",
	/* search: the text of a document as the index sees it, and its upkeep */
	[Q_INDEX_TEXT] = "SELECT seq, kind = 'noise', text FROM paragraphs WHERE doc = ?1 ORDER BY seq",
	[Q_INDEX_ADD] = "INSERT INTO search_index (rowid, text) VALUES (?1, ?2)",
	[Q_INDEX_DELETE] = "INSERT INTO search_index (search_index, rowid, text) VALUES ('delete', ?1, ?2)",
	[Q_INDEX_ROW_ADD] = "INSERT INTO search_rows (doc, first) VALUES (?1, ?2)",
	[Q_INDEX_ROWS] = "SELECT id, first FROM search_rows WHERE doc = ?1 ORDER BY id",
	[Q_INDEX_ROWS_DELETE] = "DELETE FROM search_rows WHERE doc = ?1",
	[Q_INDEX_ROW_GET] = "SELECT doc, first FROM search_rows WHERE id = ?1",
	[Q_SEARCH_PARA] = "SELECT text FROM paragraphs WHERE doc = ?1 AND seq = ?2",
	[Q_DOC_INFO] = "SELECT id, title, source, encoding, sha256, imported_at, paragraphs, headings, terms, chars, bytes "
		       "FROM documents WHERE id = ?1",
	[Q_DOC_LIST] = "SELECT id, title, source, encoding, sha256, imported_at, paragraphs, headings, terms, chars, bytes "
		       "FROM documents ORDER BY id",
	[Q_SECTIONS] = "SELECT seq, parent, level, marker, title, para, offset, length, in_paragraph "
		       "FROM sections WHERE doc = ?1 ORDER BY seq",
	[Q_SECTION_SHAPE_ROWS] = "SELECT seq, parent, level, para, offset, length, in_paragraph "
				 "FROM sections WHERE doc = ?1 ORDER BY seq",
	[Q_SECTION_SHAPE_GET] = "SELECT shape FROM outline_shapes WHERE doc = ?1",
	[Q_SECTION_SHAPE_SET] = "INSERT OR REPLACE INTO outline_shapes (doc, shape) VALUES (?1, ?2)",
	[Q_SECTION_TEXT] = "SELECT marker, title FROM sections WHERE doc = ?1 AND seq = ?2",
	[Q_PARAS] = "SELECT seq, kind, section, line, text FROM paragraphs WHERE doc = ?1 AND seq >= ?2 "
		    "AND kind != 'noise' ORDER BY seq LIMIT ?3",
	[Q_PARAS_ALL] = "SELECT seq, kind, section, line, text FROM paragraphs WHERE doc = ?1 AND seq >= ?2 "
			"ORDER BY seq LIMIT ?3",
	[Q_TERMS] = "SELECT id, text, kind, count, score FROM terms WHERE doc = ?1 AND count > 0 "
		    "ORDER BY score DESC, count DESC, text LIMIT ?2",
	[Q_LIBRARY_TERMS] = "SELECT text, count(*), sum(count) FROM terms WHERE count > 0 GROUP BY text "
			    "ORDER BY count(*) DESC, sum(count) DESC, text LIMIT ?1",
	[Q_ORIGINAL] = "SELECT bytes FROM originals WHERE doc = ?1",
	/* reader: paragraph bounds, paging backwards, reading state, term hits */
	/* the ends by the (doc, seq) index, never a scan: documents can hold 50 MB */
	[Q_PARA_RANGE] = "SELECT (SELECT seq FROM paragraphs WHERE doc = ?1 AND kind != 'noise' ORDER BY seq LIMIT 1), "
			 "(SELECT seq FROM paragraphs WHERE doc = ?1 AND kind != 'noise' ORDER BY seq DESC LIMIT 1), "
			 "(SELECT paragraphs FROM documents WHERE id = ?1)",
	[Q_PARA_RANGE_ALL] = "SELECT (SELECT seq FROM paragraphs WHERE doc = ?1 ORDER BY seq LIMIT 1), "
			     "(SELECT seq FROM paragraphs WHERE doc = ?1 ORDER BY seq DESC LIMIT 1), "
			     "(SELECT count(*) FROM paragraphs WHERE doc = ?1)",
	[Q_PARAS_BEFORE] = "SELECT seq, kind, section, line, text FROM paragraphs WHERE doc = ?1 AND seq < ?2 "
			   "AND kind != 'noise' ORDER BY seq DESC LIMIT ?3",
	[Q_PARAS_BEFORE_ALL] = "SELECT seq, kind, section, line, text FROM paragraphs WHERE doc = ?1 AND seq < ?2 "
			       "ORDER BY seq DESC LIMIT ?3",
	[Q_POS_GET] = "SELECT para, offset FROM positions WHERE doc = ?1",
	[Q_POS_SET] = "INSERT INTO positions (doc, para, offset, read_at) "
		      "VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ','now')) "
		      "ON CONFLICT (doc) DO UPDATE SET para = excluded.para, offset = excluded.offset, read_at = excluded.read_at",
	[Q_MARK_GET] = "SELECT para, offset FROM marks WHERE doc = ?1 AND name = ?2",
	[Q_MARK_SET] = "INSERT OR REPLACE INTO marks (doc, name, para, offset) VALUES (?1, ?2, ?3, ?4)",
	[Q_STATE_GET] = "SELECT value FROM state WHERE key = ?1",
	[Q_STATE_SET] = "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
	[Q_TERM_HITS] = "SELECT hits FROM terms WHERE id = ?1",
};

/* A term of the import in progress, stored at commit with its hits. */
struct import_term {
	char *text;		/* the term */
	char *kind;		/* quoted, formula, phrase, glossary */
	double score;		/* ranking score */
	struct hit_packer hits;	/* its hits so far */
};

/* The unpacked hits of one term, kept while the library is unchanged: the text pane
 * asks for one paragraph's hits at a time. */
struct hit_cache {
	bool used;		/* holds a term */
	long term;		/* term id */
	unsigned int version;	/* the library's data version when read */
	struct hit *v;		/* its hits in text order */
	long n;			/* how many */
};

#define HIT_CACHE 4		/* terms whose hits are kept: as many as can be lit at once */

struct store {
	sqlite3 *db;			/* the connection */
	char *path;			/* library file */
	sqlite3_stmt *stmts[Q_COUNT];	/* prepared statements, by stmt_id */
	char error[512];		/* the last error, one line */
	/* the import in progress */
	long doc;			/* its document id, -1 when none */
	sqlite3_blob *original;		/* open handle on its original bytes */
	long paragraphs;		/* non-noise paragraphs so far */
	long sections;			/* sections so far */
	long long chars;		/* characters of non-noise paragraphs */
	struct index_row *row;		/* its search index row being filled */
	struct import_term *terms;	/* its terms, stored at commit */
	size_t nterms;			/* how many */
	struct hit_cache hit_cache[HIT_CACHE];	/* unpacked hits of the terms read last */
	unsigned int hit_cache_next;	/* the entry to reuse next */
};

static int fail(struct store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct store *st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->error, sizeof st->error, fmt, ap);
	va_end(ap);
	return -1;
}

/* Turns SQLite's errors into what a user can act on. */
static int fail_db(struct store *st, const char *what)
{
	int code = sqlite3_extended_errcode(st->db);
	const char *msg = sqlite3_errmsg(st->db);
	switch (code & 0xFF) {
	case SQLITE_FULL:
		return fail(st, "%s: the disk or the library is full (%s)", st->path, what);
	case SQLITE_READONLY:
		return fail(st, "%s: the library is read-only (%s)", st->path, what);
	case SQLITE_NOTADB:
		return fail(st, "%s: not a dugao library (not an SQLite database)", st->path);
	case SQLITE_CORRUPT:
		return fail(st, "%s: the library is damaged (%s)", st->path, msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return fail(st, "%s: the library is busy in another process (%s)", st->path, what);
	default:
		return fail(st, "%s: %s: %s", st->path, what, msg);
	}
}

const char *store_error(const struct store *st)
{
	return st->error;
}

static sqlite3_stmt *stmt(struct store *st, enum stmt_id id)
{
	if (!st->stmts[id] && sqlite3_prepare_v3(st->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
						 &st->stmts[id], NULL) != SQLITE_OK) {
		fail_db(st, "preparing a query");
		return NULL;
	}
	sqlite3_reset(st->stmts[id]);
	sqlite3_clear_bindings(st->stmts[id]);
	return st->stmts[id];
}

static int exec(struct store *st, const char *sql, const char *what)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail_db(st, what);
	return 0;
}

/* Runs a statement that returns no rows (or whose rows are not wanted). */
static int step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail_db(st, what);
}

char *store_default_path(void)
{
	struct sbuf b = { 0 };
	const char *env = getenv("DUGAO_DB");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	if (env && *env)
		sbuf_puts(&b, env);
	else if (xdg && *xdg == '/')
		sbuf_printf(&b, "%s/dugao/library.db", xdg);
	else
		sbuf_printf(&b, "%s/.local/share/dugao/library.db", home && *home ? home : ".");
	return sbuf_take(&b);
}

/* mkdir -p of the directory holding path. */
static int make_parent_dirs(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = dir + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			if (mkdir(dir, 0755) != 0 && errno != EEXIST)
				rc = -1;
			*p = '/';
		}
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			rc = -1;
	}
	free(dir);
	return rc;
}

static int pragma_int(struct store *st, const char *sql, int *value)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return fail_db(st, "reading the library");
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*value = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail_db(st, "reading the library");
}

/* --- the search index (see cjk_tokenizer.h) --- */

/* A document is indexed in rows of whole paragraphs, each row up to about
 * INDEX_ROW_BYTES of text: its paragraphs in seq order, each followed by "\n", noise
 * (and any gap in the seqs) as an empty paragraph, so the n-th line of a row is
 * paragraph seq (first + n). search_rows gives each row's document and first seq; a
 * document's rows have consecutive rowids, in text order. Deleting a row needs
 * exactly the text it was added with: it is made again from the stored paragraphs,
 * cut where search_rows says the rows begin. */
enum { INDEX_ROW_BYTES = 64 * 1024 };

/* The index row being built (an import, or a delete making the rows again). */
struct index_row {
	long doc;		/* its document */
	long first;		/* seq of its first paragraph */
	long next;		/* seq after its last paragraph */
	bool open;		/* it holds a paragraph */
	sqlite3_int64 id;	/* its rowid (a delete: known; an add: given at flush) */
	enum stmt_id op;	/* Q_INDEX_ADD or Q_INDEX_DELETE */
	struct sbuf text;	/* its text */
};

/* Adds or removes the row built so far and starts an empty one. */
static int index_row_flush(struct store *st, struct index_row *r)
{
	if (!r->open)
		return 0;
	r->open = false;
	sqlite3_stmt *s;
	if (r->op == Q_INDEX_ADD) {
		if (!(s = stmt(st, Q_INDEX_ROW_ADD)))
			return -1;
		sqlite3_bind_int64(s, 1, r->doc);
		sqlite3_bind_int64(s, 2, r->first);
		if (step_done(st, s, "updating the search index") != 0)
			return -1;
		r->id = sqlite3_last_insert_rowid(st->db);
	}
	if (!(s = stmt(st, r->op)))
		return -1;
	sqlite3_bind_int64(s, 1, r->id);
	sqlite3_bind_text(s, 2, r->text.data ? r->text.data : "", (int)r->text.len, SQLITE_STATIC);
	int rc = step_done(st, s, "updating the search index");
	sbuf_reset(&r->text);
	return rc;
}

/* One paragraph (in seq order) into the row; an add sends a full row to the index. */
static int index_row_add(struct store *st, struct index_row *r, long seq, bool noise, const char *text, size_t len)
{
	if (r->open && seq < r->next)
		return fail(st, "paragraph %ld out of order for the search index", seq);
	if (!r->open) {
		r->first = r->next = seq;
		r->open = true;
		sbuf_reset(&r->text);
	}
	for (; r->next < seq; r->next++)
		sbuf_append(&r->text, "\n", 1);
	if (!noise) {
		size_t at = r->text.len;
		sbuf_append(&r->text, text, len);
		/* a newline inside a paragraph would end it early: keep it one line */
		for (char *p = r->text.data + at; (p = memchr(p, '\n', r->text.len - (size_t)(p - r->text.data))); p++)
			*p = ' ';
	}
	sbuf_append(&r->text, "\n", 1);
	r->next = seq + 1;
	return r->op == Q_INDEX_ADD && r->text.len >= INDEX_ROW_BYTES ? index_row_flush(st, r) : 0;
}

static void index_row_free(struct store *st)
{
	if (st->row)
		sbuf_free(&st->row->text);
	free(st->row);
	st->row = NULL;
}

/* Where a document's index rows begin (a delete): rowids and first seqs, malloc'd. */
static int index_row_starts(struct store *st, long doc, sqlite3_int64 **ids, long **firsts, size_t *n)
{
	*ids = NULL, *firsts = NULL, *n = 0;
	sqlite3_stmt *s = stmt(st, Q_INDEX_ROWS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = xrealloc(*ids, cap * sizeof **ids);
			*firsts = xrealloc(*firsts, cap * sizeof **firsts);
		}
		(*ids)[*n] = sqlite3_column_int64(s, 0);
		(*firsts)[(*n)++] = (long)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail_db(st, "reading the search index");
}

/* Adds (Q_INDEX_ADD) or removes (Q_INDEX_DELETE) a document's index rows, made from
 * its stored paragraphs. */
static int index_doc(struct store *st, long doc, enum stmt_id op)
{
	struct index_row r = { .doc = doc, .op = op };
	sqlite3_int64 *ids = NULL;
	long *firsts = NULL;
	size_t nrows = 0, row = 0;
	if (op == Q_INDEX_DELETE && index_row_starts(st, doc, &ids, &firsts, &nrows) != 0)
		return -1;
	sqlite3_stmt *s = stmt(st, Q_INDEX_TEXT);
	int rc = SQLITE_DONE, err = s ? 0 : -1;
	if (s)
		sqlite3_bind_int64(s, 1, doc);
	while (!err && (op == Q_INDEX_ADD || row < nrows) && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		long seq = (long)sqlite3_column_int64(s, 0);
		if (op == Q_INDEX_DELETE) {
			/* a paragraph before the first row (none, normally) was never indexed */
			if (seq < firsts[0])
				continue;
			if (row + 1 < nrows && seq >= firsts[row + 1]) {
				err = index_row_flush(st, &r);
				row++;
			}
			r.id = ids[row];
		}
		if (!err)
			err = index_row_add(st, &r, seq, sqlite3_column_int(s, 1), (const char *)sqlite3_column_blob(s, 2),
					    (size_t)sqlite3_column_bytes(s, 2));
	}
	if (s)
		sqlite3_reset(s);
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = fail_db(st, "reading paragraphs for the search index");
	if (!err)
		err = index_row_flush(st, &r);
	if (!err && op == Q_INDEX_DELETE) {
		if (!(s = stmt(st, Q_INDEX_ROWS_DELETE)))
			err = -1;
		else {
			sqlite3_bind_int64(s, 1, doc);
			err = step_done(st, s, "updating the search index");
		}
	}
	sbuf_free(&r.text);
	free(ids);
	free(firsts);
	return err ? -1 : 0;
}

/* Fills the index for a library that had none (the schema 1 -> 2 upgrade). */
static int index_all(struct store *st)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM documents ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return fail_db(st, "building the search index");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (index_doc(st, (long)sqlite3_column_int64(s, 0), Q_INDEX_ADD) != 0)
			break;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? -1 : fail_db(st, "building the search index");
}

/* The tokenizer and dugao_hits live in each connection, so every open registers them. */
static int register_search(struct store *st)
{
	fts5_api *api = NULL;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
		return fail(st, "%s: this SQLite has no FTS5, which search needs", st->path);
	sqlite3_bind_pointer(s, 1, &api, "fts5_api_ptr", NULL);
	sqlite3_step(s);
	sqlite3_finalize(s);
	if (!api || cjk_tokenizer_register(api) != SQLITE_OK)
		return fail(st, "%s: cannot set up the search tokenizer", st->path);
	return 0;
}

/* The outline's shape: a format byte, then per section (in seq order) seq, parent,
 * level, para, offset, length and in_paragraph, each as the difference from the
 * previous section's, zigzag-encoded in LEB128: about 8 bytes a section, a quarter of
 * fixed-width numbers, and so a quarter of the pages read at open. */
enum { SHAPE_FIELDS = 7, SHAPE_FORMAT = 'z' };

static void shape_put(struct sbuf *b, long v)
{
	unsigned long long u = ((unsigned long long)v << 1) ^ (unsigned long long)(v < 0 ? -1LL : 0);
	char c[10];
	size_t k = 0;
	do {
		c[k++] = (char)((u & 0x7f) | (u > 0x7f ? 0x80 : 0));
		u >>= 7;
	} while (u);
	sbuf_append(b, c, k);
}

/* One number at *p (before end); false when the blob is cut short. */
static bool shape_get(const unsigned char **p, const unsigned char *end, long *v)
{
	unsigned long long u = 0;
	for (int shift = 0; *p < end && shift < 64; shift += 7) {
		unsigned char c = *(*p)++;
		u |= (unsigned long long)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = (long)(u >> 1) ^ -(long)(u & 1);
			return true;
		}
	}
	return false;
}

/* Writes the shape of one document from its sections (import, upgrade). */
static int shape_doc(struct store *st, long doc)
{
	sqlite3_stmt *s = stmt(st, Q_SECTION_SHAPE_ROWS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	struct sbuf b = { 0 };
	sbuf_append(&b, (char[]){ SHAPE_FORMAT }, 1);
	long prev[SHAPE_FIELDS] = { 0 };
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		for (int i = 0; i < SHAPE_FIELDS; i++) {
			long v = (long)sqlite3_column_int64(s, i);
			shape_put(&b, v - prev[i]);
			prev[i] = v;
		}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		sbuf_free(&b);
		return fail_db(st, "storing the outline");
	}
	s = stmt(st, Q_SECTION_SHAPE_SET);
	if (!s) {
		sbuf_free(&b);
		return -1;
	}
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_blob(s, 2, b.data, (int)b.len, SQLITE_STATIC);
	rc = step_done(st, s, "storing the outline");
	sbuf_free(&b);
	return rc;
}

static int shape_all(struct store *st)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM documents ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return fail_db(st, "storing the outlines");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (shape_doc(st, (long)sqlite3_column_int64(s, 0)) != 0)
			break;
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? -1 : fail_db(st, "storing the outlines");
}

/* 5 -> 6: the rows of term_hits packed into one blob per term; a term without
 * hits goes, as an import would have dropped it. */
static int pack_old_hits(struct store *st)
{
	sqlite3_stmt *s, *u = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT term, para, offset, length FROM term_hits ORDER BY term, para, offset", -1,
			       &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "UPDATE terms SET count = ?2, hits = ?3 WHERE id = ?1", -1, &u, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return fail_db(st, "upgrading the term hits");
	}
	struct hit_packer p = { 0 };
	long term = -1;
	int rc;
	bool failed = false;
	for (;;) {
		rc = sqlite3_step(s);
		long t = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
		if (t != term && p.count > 0) {
			sqlite3_bind_int64(u, 1, term);
			sqlite3_bind_int64(u, 2, p.count);
			sqlite3_bind_blob(u, 3, p.buf.data, (int)p.buf.len, SQLITE_STATIC);
			if (step_done(st, u, "upgrading the term hits") != 0) {
				failed = true;
				break;
			}
			hits_packer_free(&p);
		}
		if (rc != SQLITE_ROW)
			break;
		term = t;
		/* in (para, offset) order by the key; a negative number is damage, left out */
		hits_pack(&p, (long)sqlite3_column_int64(s, 1), (long)sqlite3_column_int64(s, 2),
			  (long)sqlite3_column_int64(s, 3));
	}
	hits_packer_free(&p);
	sqlite3_finalize(s);
	sqlite3_finalize(u);
	if (failed || rc != SQLITE_DONE)
		return failed ? -1 : fail_db(st, "upgrading the term hits");
	return exec(st, "DELETE FROM terms WHERE hits IS NULL; DROP TABLE term_hits;", "upgrading the term hits");
}

static int migrate(struct store *st, enum store_mode mode)
{
	int version = 0;
	if (pragma_int(st, "PRAGMA user_version", &version) != 0)
		return -1;
	if (version > SCHEMA_VERSION)
		return fail(st, "%s: made by a newer dugao (schema %d, this one knows %d); not touched",
			    st->path, version, SCHEMA_VERSION);
	if (version == SCHEMA_VERSION)
		return 0;
	if (version == 0) {
		/* A file with tables but no version is someone else's database. */
		int tables = 0;
		if (pragma_int(st, "SELECT count(*) FROM sqlite_master", &tables) != 0)
			return -1;
		if (tables > 0)
			return fail(st, "%s: an SQLite database that is not a dugao library; not touched", st->path);
	}
	if (mode == STORE_READ)
		return fail(st, "%s: the library needs an upgrade (schema %d to %d); run an import to upgrade it",
			    st->path, version, SCHEMA_VERSION);
	if (exec(st, "BEGIN IMMEDIATE", "upgrading the library") != 0)
		return -1;
	for (int v = version; v < SCHEMA_VERSION; v++)
		if (exec(st, migrations[v], "upgrading the library") != 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	if (version < 5 && index_all(st) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (version < 4 && shape_all(st) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (version < 6 && pack_old_hits(st) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
	if (exec(st, sql, "upgrading the library") != 0 || exec(st, "COMMIT", "upgrading the library") != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int store_open(const char *path, enum store_mode mode, struct store **out, char *err, size_t errlen)
{
	struct store *st = xcalloc(1, sizeof *st);
	st->path = xstrdup(path);
	st->doc = -1;
	*out = NULL;
	struct stat sb;
	int exists = stat(path, &sb) == 0;
	if (exists && S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a library file", path);
		goto fail;
	}
	if (!exists && mode == STORE_READ) {
		snprintf(err, errlen, "%s: no library here yet; import a document first (dugao import FILE)", path);
		goto fail;
	}
	if (!exists && make_parent_dirs(path) != 0) {
		snprintf(err, errlen, "%s: cannot create its directory: %s", path, strerror(errno));
		goto fail;
	}
	int flags = mode == STORE_READ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/* one connection, one thread: no per-call mutex (the reader reads 40,000 outline rows) */
	flags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the library: %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 1);
	int dummy;
	if (pragma_int(st, "PRAGMA schema_version", &dummy) != 0) {
		snprintf(err, errlen, "%s", st->error);
		goto fail;
	}
	if (exec(st, "PRAGMA foreign_keys = ON", "setting up the library") != 0 || register_search(st) != 0 ||
	    migrate(st, mode) != 0) {
		snprintf(err, errlen, "%s", st->error);
		goto fail;
	}
	/* WAL lets a reader stay open while another process imports. Only after migrate
	 * has checked the file: switching rewrites the header of someone else's database. */
	if (mode == STORE_WRITE) {
		if (exec(st, "PRAGMA journal_mode = WAL", "setting up the library") != 0) {
			snprintf(err, errlen, "%s", st->error);
			goto fail;
		}
		exec(st, "PRAGMA synchronous = NORMAL", "setting up the library");
		/* a checkpoint every 32 MB of log, not 4: pages that every import rewrites
		 * (index and table ends) reach the library file less often */
		exec(st, "PRAGMA wal_autocheckpoint = 8192", "setting up the library");
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->doc >= 0)
		store_import_rollback(st);
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(st->stmts[i]);
	for (int i = 0; i < HIT_CACHE; i++)
		free(st->hit_cache[i].v);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

void doc_info_clear(struct doc_info *d)
{
	free(d->title);
	free(d->source);
	free(d->encoding);
	free(d->sha256);
	free(d->imported_at);
	memset(d, 0, sizeof *d);
}

/* --- import --- */

int store_find_sha(struct store *st, const char *sha256, long *id)
{
	sqlite3_stmt *s = stmt(st, Q_FIND_SHA);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, sha256, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*id = (long)sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
		return 1;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail_db(st, "looking up the document");
}

/* Clears what a re-parse rebuilds; the reading position and marks stay. */
static int clear_parsed(struct store *st, long doc)
{
	static const char *const tables[] = { "originals", "paragraphs", "sections", "terms", "outline_shapes" };
	if (index_doc(st, doc, Q_INDEX_DELETE) != 0)
		return -1;
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "DELETE FROM %s WHERE doc = %ld", tables[i], doc);
		if (exec(st, sql, "replacing the document") != 0)
			return -1;
	}
	return 0;
}

int store_import_begin(struct store *st, const struct import_meta *m, long replace_id, long *id)
{
	if (st->doc >= 0)
		return fail(st, "an import is already in progress");
	if (exec(st, "BEGIN IMMEDIATE", "starting the import") != 0)
		return -1;
	sqlite3_stmt *s;
	if (replace_id >= 0) {
		if (clear_parsed(st, replace_id) != 0 || !(s = stmt(st, Q_DOC_REUSE)))
			goto fail;
		sqlite3_bind_int64(s, 5, replace_id);
	} else if (!(s = stmt(st, Q_DOC_INSERT))) {
		goto fail;
	}
	sqlite3_bind_text(s, 1, m->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, m->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, m->encoding, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, m->bytes);
	if (step_done(st, s, "adding the document") != 0)
		goto fail;
	st->doc = replace_id >= 0 ? replace_id : (long)sqlite3_last_insert_rowid(st->db);
	st->paragraphs = st->sections = 0;
	st->chars = 0;
	st->row = xcalloc(1, sizeof *st->row);
	*st->row = (struct index_row){ .doc = st->doc, .op = Q_INDEX_ADD };
	if (!(s = stmt(st, Q_ORIGINAL_INSERT)))
		goto fail;
	sqlite3_bind_int64(s, 1, st->doc);
	sqlite3_bind_int64(s, 2, m->bytes);
	if (step_done(st, s, "storing the original bytes") != 0)
		goto fail;
	if (m->bytes > 0 && sqlite3_blob_open(st->db, "main", "originals", "bytes", st->doc, 1, &st->original) != SQLITE_OK) {
		fail_db(st, "storing the original bytes");
		goto fail;
	}
	*id = st->doc;
	return 0;
fail:
	st->doc = 0;	/* so that rollback runs */
	store_import_rollback(st);
	return -1;
}

int store_import_original(struct store *st, long long offset, const void *data, size_t n)
{
	if (!st->original || n == 0)
		return 0;
	if (n > INT_MAX || offset > INT_MAX - (long long)n ||
	    offset + (long long)n > sqlite3_blob_bytes(st->original))
		return fail(st, "the file changed size while it was being imported");
	if (sqlite3_blob_write(st->original, data, (int)n, (int)offset) != SQLITE_OK)
		return fail_db(st, "storing the original bytes");
	return 0;
}

int store_import_paragraph(struct store *st, const struct para *p)
{
	sqlite3_stmt *s = stmt(st, Q_PARA_INSERT);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, st->doc);
	sqlite3_bind_int64(s, 2, p->seq);
	sqlite3_bind_text(s, 3, para_kind_name(p->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, p->section);
	sqlite3_bind_int64(s, 5, p->line);
	sqlite3_bind_text(s, 6, p->text, (int)p->len, SQLITE_STATIC);
	if (step_done(st, s, "storing a paragraph") != 0 ||
	    index_row_add(st, st->row, p->seq, p->kind == PARA_NOISE, p->text, p->len) != 0)
		return -1;
	if (p->kind != PARA_NOISE) {
		st->paragraphs++;
		st->chars += (long long)utf8_count(p->text, p->len);
	}
	return 0;
}

int store_import_section(struct store *st, const struct section *sec)
{
	sqlite3_stmt *s = stmt(st, Q_SECTION_INSERT);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, st->doc);
	sqlite3_bind_int64(s, 2, sec->seq);
	sqlite3_bind_int64(s, 3, sec->parent);
	sqlite3_bind_int(s, 4, sec->level);
	sqlite3_bind_text(s, 5, sec->marker ? sec->marker : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, sec->title ? sec->title : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, sec->para);
	sqlite3_bind_int64(s, 8, sec->offset);
	sqlite3_bind_int64(s, 9, sec->length);
	sqlite3_bind_int(s, 10, sec->in_paragraph);
	if (step_done(st, s, "storing a heading") != 0)
		return -1;
	st->sections++;
	return 0;
}

int store_import_title(struct store *st, const char *title)
{
	sqlite3_stmt *s = stmt(st, Q_TITLE_SET);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, st->doc);
	sqlite3_bind_text(s, 2, title, -1, SQLITE_STATIC);
	return step_done(st, s, "storing the title");
}

int store_import_term(struct store *st, const char *text, const char *kind, double score, long *term_id)
{
	if (st->doc < 0)
		return fail(st, "no import in progress");
	/* the same text twice is one term with the higher score (a document has ~120) */
	for (size_t i = 0; i < st->nterms; i++)
		if (strcmp(st->terms[i].text, text) == 0) {
			if (score > st->terms[i].score)
				st->terms[i].score = score;
			*term_id = (long)i;
			return 0;
		}
	st->terms = xrealloc(st->terms, (st->nterms + 1) * sizeof *st->terms);
	st->terms[st->nterms] = (struct import_term){ .text = xstrdup(text), .kind = xstrdup(kind), .score = score };
	*term_id = (long)st->nterms++;
	return 0;
}

int store_import_hit(struct store *st, long term_id, long para, long offset, long length)
{
	if (term_id < 0 || (size_t)term_id >= st->nterms)
		return fail(st, "storing a term hit: no term %ld", term_id);
	if (hits_pack(&st->terms[term_id].hits, para, offset, length) < 0)
		return fail(st, "storing a term hit: %ld:%ld is out of text order", para, offset);
	return 0;
}

static void import_terms_free(struct store *st)
{
	for (size_t i = 0; i < st->nterms; i++) {
		free(st->terms[i].text);
		free(st->terms[i].kind);
		hits_packer_free(&st->terms[i].hits);
	}
	free(st->terms);
	st->terms = NULL;
	st->nterms = 0;
}

/* Stores the import's terms that have hits, each with its hits in one blob; *stored
 * gets how many. */
static int import_terms_flush(struct store *st, long *stored)
{
	*stored = 0;
	for (size_t i = 0; i < st->nterms; i++) {
		const struct import_term *t = &st->terms[i];
		if (t->hits.count == 0)
			continue;
		sqlite3_stmt *s = stmt(st, Q_TERM_INSERT);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, st->doc);
		sqlite3_bind_text(s, 2, t->text, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, t->kind, -1, SQLITE_STATIC);
		sqlite3_bind_double(s, 4, t->score);
		sqlite3_bind_int64(s, 5, t->hits.count);
		sqlite3_bind_blob(s, 6, t->hits.buf.data, (int)t->hits.buf.len, SQLITE_STATIC);
		if (step_done(st, s, "storing a term") != 0)
			return -1;
		++*stored;
	}
	return 0;
}

static void read_para(sqlite3_stmt *s, struct para *p)
{
	p->seq = (long)sqlite3_column_int64(s, 0);
	int kind = para_kind_from_name((const char *)sqlite3_column_text(s, 1));
	p->kind = kind < 0 ? PARA_BODY : (enum para_kind)kind;
	p->section = (long)sqlite3_column_int64(s, 2);
	p->line = (long)sqlite3_column_int64(s, 3);
	p->text = (const char *)sqlite3_column_text(s, 4);
	p->len = (size_t)sqlite3_column_bytes(s, 4);
	if (!p->text)
		p->text = "";
}

/* Runs a paragraph query and hands each row to fn; its own statement, so that fn may
 * write to the store meanwhile. */
static int each_para_rows(struct store *st, sqlite3_stmt *s, int (*fn)(void *, const struct para *), void *ctx)
{
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct para p;
		read_para(s, &p);
		int r = fn(ctx, &p);
		if (r) {
			sqlite3_reset(s);
			return r;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail_db(st, "reading paragraphs");
}

int store_import_each_paragraph(struct store *st, int (*fn)(void *ctx, const struct para *p), void *ctx)
{
	sqlite3_stmt *s = stmt(st, Q_IMPORT_PARAS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, st->doc);
	return each_para_rows(st, s, fn, ctx);
}

int store_import_commit(struct store *st)
{
	if (st->doc < 0)
		return fail(st, "no import in progress");
	if (st->original) {
		sqlite3_blob_close(st->original);
		st->original = NULL;
	}
	long terms;
	if (import_terms_flush(st, &terms) != 0) {
		store_import_rollback(st);
		return -1;
	}
	char sql[512];
	snprintf(sql, sizeof sql,
		 "UPDATE documents SET paragraphs = %ld, headings = %ld, chars = %lld,"
		 " terms = %ld WHERE id = %ld;",
		 st->paragraphs, st->sections, st->chars, terms, st->doc);
	if (index_row_flush(st, st->row) != 0 || shape_doc(st, st->doc) != 0 || exec(st, sql, "finishing the import") != 0 ||
	    exec(st, "COMMIT", "finishing the import") != 0) {
		store_import_rollback(st);
		return -1;
	}
	st->doc = -1;
	index_row_free(st);
	import_terms_free(st);
	return 0;
}

void store_import_rollback(struct store *st)
{
	if (st->original) {
		sqlite3_blob_close(st->original);
		st->original = NULL;
	}
	index_row_free(st);
	import_terms_free(st);
	if (st->doc >= 0 && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->doc = -1;
}

/* --- queries --- */

static char *column_dup(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	return xstrdup(t ? (const char *)t : "");
}

static void read_doc(sqlite3_stmt *s, struct doc_info *d)
{
	d->id = (long)sqlite3_column_int64(s, 0);
	d->title = column_dup(s, 1);
	d->source = column_dup(s, 2);
	d->encoding = column_dup(s, 3);
	d->sha256 = column_dup(s, 4);
	d->imported_at = column_dup(s, 5);
	d->paragraphs = (long)sqlite3_column_int64(s, 6);
	d->headings = (long)sqlite3_column_int64(s, 7);
	d->terms = (long)sqlite3_column_int64(s, 8);
	d->chars = (long)sqlite3_column_int64(s, 9);
	d->bytes = sqlite3_column_int64(s, 10);
}

int store_doc_info(struct store *st, long id, struct doc_info *out)
{
	memset(out, 0, sizeof *out);
	sqlite3_stmt *s = stmt(st, Q_DOC_INFO);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		read_doc(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? fail(st, "no document %ld", id) : fail_db(st, "reading a document");
}

int store_each_doc(struct store *st, int (*fn)(void *ctx, const struct doc_info *d), void *ctx)
{
	sqlite3_stmt *s = stmt(st, Q_DOC_LIST);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct doc_info d;
		read_doc(s, &d);
		int r = fn(ctx, &d);
		doc_info_clear(&d);
		if (r) {
			sqlite3_reset(s);
			return r;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail_db(st, "listing documents");
}

/* Candidates for a DOC argument, collected by store_resolve. */
struct resolve {
	const char *spec;	/* what the user typed */
	size_t len;		/* its length */
	long exact;		/* a document whose title is exactly spec, or -1 */
	long title_match;	/* the last title-prefix match */
	int title_matches;	/* how many titles start with spec */
	long file_match;	/* the last file-name-prefix match */
	int file_matches;	/* how many file names start with spec */
};

static int resolve_one(void *ctx, const struct doc_info *d)
{
	struct resolve *r = ctx;
	const char *base = strrchr(d->source, '/');
	base = base ? base + 1 : d->source;
	if (strcmp(d->title, r->spec) == 0)
		r->exact = d->id;
	if (strncmp(d->title, r->spec, r->len) == 0)
		r->title_match = d->id, r->title_matches++;
	if (strncmp(base, r->spec, r->len) == 0)
		r->file_match = d->id, r->file_matches++;
	return 0;
}

int store_resolve(struct store *st, const char *spec, long *id)
{
	char *end;
	errno = 0;
	long n = strtol(spec, &end, 10);
	if (*spec && *end == '\0' && errno == 0) {
		struct doc_info d;
		if (store_doc_info(st, n, &d) == 0) {
			doc_info_clear(&d);
			*id = n;
			return 0;
		}
	}
	struct resolve r = { .spec = spec, .len = strlen(spec), .exact = -1 };
	if (r.len == 0)
		return fail(st, "an empty document name");
	if (store_each_doc(st, resolve_one, &r) != 0)
		return -1;
	if (r.exact >= 0)
		*id = r.exact;
	else if (r.title_matches == 1)
		*id = r.title_match;
	else if (r.title_matches == 0 && r.file_matches == 1)
		*id = r.file_match;
	else if (r.title_matches > 1 || r.file_matches > 1)
		return fail(st, "%s: matches %d documents; give more of the title or the id (see dugao list)",
			    spec, r.title_matches > 1 ? r.title_matches : r.file_matches);
	else
		return fail(st, "%s: no such document (see dugao list)", spec);
	return 0;
}

int store_each_section(struct store *st, long doc, int (*fn)(void *ctx, const struct section *s), void *ctx)
{
	sqlite3_stmt *s = stmt(st, Q_SECTIONS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct section sec = {
			.seq = (long)sqlite3_column_int64(s, 0),
			.parent = (long)sqlite3_column_int64(s, 1),
			.level = sqlite3_column_int(s, 2),
			.marker = (const char *)sqlite3_column_text(s, 3),
			.title = (const char *)sqlite3_column_text(s, 4),
			.para = (long)sqlite3_column_int64(s, 5),
			.offset = (long)sqlite3_column_int64(s, 6),
			.length = (long)sqlite3_column_int64(s, 7),
			.in_paragraph = sqlite3_column_int(s, 8) != 0,
		};
		int r = fn(ctx, &sec);
		if (r) {
			sqlite3_reset(s);
			return r;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail_db(st, "reading the outline");
}

/* A number of the outline in 32 bits (a larger one is damage: kept at the limit). */
static int32_t shape_i32(long v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static struct section_shape shape_of(const long v[SHAPE_FIELDS])
{
	return (struct section_shape){ .seq = shape_i32(v[0]), .parent = shape_i32(v[1]),
				       .level = (uint8_t)(v[2] < 0 ? 0 : v[2] > 255 ? 255 : v[2]), .para = shape_i32(v[3]),
				       .offset = shape_i32(v[4]), .length = shape_i32(v[5]), .in_paragraph = v[6] != 0 };
}

/* Decodes a shape blob into *out (exactly as many as it holds: each number ends in a
 * byte below 0x80, SHAPE_FIELDS of them a section). False for a format this code does
 * not know or a damaged blob. */
static bool shape_decode(const unsigned char *p, size_t len, struct section_shape **out, size_t *n)
{
	const unsigned char *end = p + len;
	if (p == end || *p++ != SHAPE_FORMAT)
		return false;
	size_t numbers = 0;
	for (const unsigned char *q = p; q < end; q++)
		numbers += *q < 0x80;
	if (numbers % SHAPE_FIELDS)
		return false;
	*out = xmalloc((numbers / SHAPE_FIELDS + 1) * sizeof **out);
	long v[SHAPE_FIELDS] = { 0 };
	while (p < end) {
		for (int i = 0; i < SHAPE_FIELDS; i++) {
			long d;
			if (!shape_get(&p, end, &d)) {
				free(*out);
				*out = NULL;
				*n = 0;
				return false;
			}
			v[i] += d;
		}
		(*out)[(*n)++] = shape_of(v);
	}
	return true;
}

/* Sections read some other way, as a shape: from an older form of the blob or from the
 * rows. When the library can be written and nobody else is writing, the shape is kept
 * in its new form, so that a document is converted once, when first read. */
static struct shape *shape_convert(struct store *st, long doc, const struct section_shape *secs, size_t n)
{
	struct sbuf b = { 0 };
	shape_encode(secs, n, &b);
	if (!sqlite3_db_readonly(st->db, "main") && sqlite3_get_autocommit(st->db)) {
		sqlite3_stmt *s = stmt(st, Q_SECTION_SHAPE_SET);
		if (s) {
			sqlite3_busy_timeout(st->db, 0);
			sqlite3_bind_int64(s, 1, doc);
			sqlite3_bind_blob(s, 2, b.data, (int)b.len, SQLITE_STATIC);
			step_done(st, s, "keeping the outline");	/* a failure only costs time */
			sqlite3_busy_timeout(st->db, 5000);	/* as store_open set it */
		}
	}
	return shape_open((unsigned char *)sbuf_take(&b), b.len);
}

int store_section_shape(struct store *st, long doc, struct shape **out)
{
	*out = NULL;
	struct section_shape *secs = NULL;
	size_t n = 0;
	/* the blob straight into a buffer of ours: one copy, not two */
	sqlite3_blob *h;
	if (sqlite3_blob_open(st->db, "main", "outline_shapes", "shape", doc, 0, &h) == SQLITE_OK) {
		int len = sqlite3_blob_bytes(h);
		unsigned char *blob = xmalloc((size_t)len + 1);
		int rc = sqlite3_blob_read(h, blob, len, 0);
		sqlite3_blob_close(h);
		if (rc == SQLITE_OK && len > 0 && blob[0] != SHAPE_FORMAT) {
			*out = shape_open(blob, (size_t)len);
			if (*out)
				return 0;
		} else {
			/* the form before: read whole, then converted */
			if (rc == SQLITE_OK && shape_decode(blob, (size_t)len, &secs, &n)) {
				free(blob);
				*out = shape_convert(st, doc, secs, n);
				free(secs);
				return *out ? 0 : fail(st, "%s: the outline of document %ld is damaged", st->path, doc);
			}
			free(blob);
		}
	}
	/* no shape kept (a read-only library not yet upgraded), or one this code cannot
	 * read: the rows still tell */
	sqlite3_stmt *s = stmt(st, Q_SECTION_SHAPE_ROWS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			secs = xrealloc(secs, cap * sizeof *secs);
		}
		long v[SHAPE_FIELDS];
		for (int i = 0; i < SHAPE_FIELDS; i++)
			v[i] = (long)sqlite3_column_int64(s, i);
		secs[n++] = shape_of(v);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(secs);
		return fail_db(st, "reading the outline");
	}
	*out = shape_convert(st, doc, secs, n);
	free(secs);
	return *out ? 0 : fail(st, "%s: the outline of document %ld cannot be read", st->path, doc);
}

int store_section_text(struct store *st, long doc, long seq, char **marker, char **title)
{
	*marker = *title = NULL;
	sqlite3_stmt *s = stmt(st, Q_SECTION_TEXT);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_int64(s, 2, seq);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*marker = xstrdup((const char *)sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
		*title = xstrdup((const char *)sqlite3_column_text(s, 1) ? (const char *)sqlite3_column_text(s, 1) : "");
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail_db(st, "reading a heading");
	return rc == SQLITE_ROW;
}

int store_each_paragraph(struct store *st, long doc, long first, long count, bool with_noise,
			 int (*fn)(void *ctx, const struct para *p), void *ctx)
{
	sqlite3_stmt *s = stmt(st, with_noise ? Q_PARAS_ALL : Q_PARAS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_int64(s, 2, first);
	sqlite3_bind_int64(s, 3, count);
	return each_para_rows(st, s, fn, ctx);
}

int store_each_term(struct store *st, long doc, long limit, int (*fn)(void *ctx, const struct term_row *t), void *ctx)
{
	sqlite3_stmt *s = stmt(st, Q_TERMS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_int64(s, 2, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct term_row t = {
			.id = (long)sqlite3_column_int64(s, 0),
			.text = (const char *)sqlite3_column_text(s, 1),
			.kind = (const char *)sqlite3_column_text(s, 2),
			.count = (long)sqlite3_column_int64(s, 3),
			.score = sqlite3_column_double(s, 4),
		};
		int r = fn(ctx, &t);
		if (r) {
			sqlite3_reset(s);
			return r;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail_db(st, "reading terms");
}

int store_each_library_term(struct store *st, long limit, int (*fn)(void *ctx, const struct library_term *t), void *ctx)
{
	sqlite3_stmt *s = stmt(st, Q_LIBRARY_TERMS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, limit);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct library_term t = {
			.text = (const char *)sqlite3_column_text(s, 0),
			.docs = (long)sqlite3_column_int64(s, 1),
			.hits = (long)sqlite3_column_int64(s, 2),
		};
		int r = fn(ctx, &t);
		if (r) {
			sqlite3_reset(s);
			return r;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail_db(st, "reading the library's terms");
}

int store_original(struct store *st, long doc, void **data, size_t *n)
{
	sqlite3_stmt *s = stmt(st, Q_ORIGINAL);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? fail(st, "no document %ld", doc) : fail_db(st, "reading the original");
	}
	*n = (size_t)sqlite3_column_bytes(s, 0);
	*data = xmalloc(*n);
	if (*n)
		memcpy(*data, sqlite3_column_blob(s, 0), *n);
	sqlite3_reset(s);
	return 0;
}

int store_delete(struct store *st, long doc)
{
	char sql[96];
	snprintf(sql, sizeof sql, "DELETE FROM documents WHERE id = %ld", doc);
	if (exec(st, "BEGIN IMMEDIATE", "removing the document") != 0)
		return -1;
	if (index_doc(st, doc, Q_INDEX_DELETE) != 0 || exec(st, sql, "removing the document") != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return exec(st, "COMMIT", "removing the document");
}

/* --- search --- */

/* Whether two occurrences of word can overlap: a proper prefix that is also a suffix
 * (after folding; on whole UTF-8 characters, a byte border is a character border). */
static bool search_self_overlaps(const char *word)
{
	struct sbuf f = { 0 };
	fold_text(word, strlen(word), &f);
	bool overlaps = false;
	for (size_t k = 1; k < f.len && !overlaps; k++)
		overlaps = memcmp(f.data, f.data + f.len - k, k) == 0;
	sbuf_free(&f);
	return overlaps;
}

/* The statement for a parsed query: the FTS5 match expression goes in ?1, the document
 * (when doc >= 0) in ?2. paras adds the paragraph end as phrase 0 (see dugao_hits).
 * Only the rows holding paragraphs from..to of that document (the document's rows
 * are consecutive, in text order), in descending order when desc. */
static sqlite3_stmt *search_stmt_range(struct store *st, const struct query *q, bool list, bool paras, long doc,
				       long from, long to, bool desc)
{
	struct sbuf match = { 0 }, sql = { 0 };
	if (paras)
		sbuf_puts(&match, "\"\n\"");
	for (int i = 0; i < q->nwords; i++) {
		sbuf_puts(&match, match.len ? " AND \"" : "\"");
		for (const char *p = q->words[i]; *p; p++)
			sbuf_append(&match, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
		/* a last character alone may open a bigram in the text (cjk_tokenizer.h) */
		sbuf_puts(&match, cjk_query_prefix(q->words[i], strlen(q->words[i])) ? "\"*" : "\"");
	}
	/* (an auxiliary function cannot sit inside an aggregate: the caller sums) */
	int mode = list ? 1 : q->nwords == 1 && !paras && !search_self_overlaps(q->words[0]) ? 2 : 0;
	sbuf_printf(&sql, "SELECT rowid, %s(search_index, %d, %d", CJK_HITS_FUNCTION, mode, paras);
	for (int i = 0; i < q->nwords; i++)
		sbuf_printf(&sql, ", %ld", q->chars[i]);
	sbuf_puts(&sql, ")");
	sbuf_puts(&sql, " FROM search_index WHERE search_index MATCH ?1");
	if (doc >= 0)
		/* a row holds paragraphs first.. up to the next row's first */
		sbuf_puts(&sql, " AND rowid BETWEEN coalesce((SELECT max(id) FROM search_rows WHERE doc = ?2 AND first <= ?3),"
			  " (SELECT min(id) FROM search_rows WHERE doc = ?2))"
			  " AND (SELECT max(id) FROM search_rows WHERE doc = ?2 AND first <= ?4)");
	if (list)
		sbuf_puts(&sql, desc ? " ORDER BY rowid DESC" : " ORDER BY rowid");
	sqlite3_stmt *s = NULL;
	if (sqlite3_prepare_v2(st->db, sql.data, -1, &s, NULL) != SQLITE_OK) {
		fail_db(st, "searching");
	} else {
		sqlite3_bind_text(s, 1, match.data, (int)match.len, SQLITE_TRANSIENT);
		if (doc >= 0) {
			sqlite3_bind_int64(s, 2, doc);
			sqlite3_bind_int64(s, 3, from);
			sqlite3_bind_int64(s, 4, to);
		}
	}
	sbuf_free(&match);
	sbuf_free(&sql);
	return s;
}

/* The whole document (or library). */
static sqlite3_stmt *search_stmt(struct store *st, const struct query *q, bool list, bool paras, long doc)
{
	return search_stmt_range(st, q, list, paras, doc, LONG_MIN, LONG_MAX, false);
}

static int parse_query(struct store *st, const char *query, struct query *q)
{
	char err[128];
	if (query_parse(query, q, err, sizeof err) != 0)
		return fail(st, "%s", err);
	return 0;
}

/* Collects the one token of a query word (search_vocab_count). */
struct one_token {
	char token[16];	/* the token, NUL-terminated */
	int tokens;	/* how many the word gave */
};

static int one_token(void *ctx, const char *token, int len, int start, int end)
{
	(void)start;
	(void)end;
	struct one_token *t = ctx;
	if (t->tokens++ == 0 && len < (int)sizeof t->token) {
		memcpy(t->token, token, (size_t)len);
		t->token[len] = '\0';
	}
	return 0;
}

/* The library-wide count of a word that is one index term which cannot overlap itself
 * (two characters, or one punctuation mark): the term's occurrences, counted by
 * fts5vocab from the position lists without building instances. 1 when counted, 0 when
 * the word is not such a term, -1 on error. */
static int search_vocab_count(struct store *st, const char *word, long *count)
{
	struct one_token t = { .tokens = 0 };
	cjk_tokenize(word, strlen(word), 1, one_token, &t);
	if (t.tokens != 1 || strlen(t.token) == 0 || cjk_query_prefix(word, strlen(word)) || search_self_overlaps(word))
		return 0;
	if (exec(st, "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_vocab USING fts5vocab(main, search_index, row)",
		 "searching") != 0)
		return -1;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT cnt FROM temp.search_vocab WHERE term = ?1", -1, &s, NULL) != SQLITE_OK)
		return fail_db(st, "searching");
	sqlite3_bind_text(s, 1, t.token, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	*count = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 1 : fail_db(st, "searching");
}

long store_search_count(struct store *st, const char *query, long doc)
{
	struct query q;
	if (parse_query(st, query, &q) != 0)
		return -1;
	long vocab = 0;
	int fast = doc < 0 && q.nwords == 1 ? search_vocab_count(st, q.words[0], &vocab) : 0;
	if (fast != 0) {
		query_free(&q);
		return fast < 0 ? -1 : vocab;
	}
	sqlite3_stmt *s = search_stmt(st, &q, false, q.nwords > 1, doc);
	query_free(&q);
	if (!s)
		return -1;
	long count = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		count += (long)sqlite3_column_int64(s, 1);
	if (rc != SQLITE_DONE)
		count = fail_db(st, "searching");
	sqlite3_finalize(s);
	return count;
}

/* What store_search keeps about the document whose hits it is giving. */
struct search_doc {
	long id;			/* document id, -1 before the first */
	struct doc_info info;		/* title and the rest */
	struct section *sections;	/* its outline, strings owned */
	size_t nsections;		/* how many */
	long para;			/* seq of the paragraph in text, -1 when none */
	struct sbuf text;		/* that paragraph */
};

static int search_collect_section(void *ctx, const struct section *s)
{
	struct search_doc *d = ctx;
	d->sections = xrealloc(d->sections, (d->nsections + 1) * sizeof *d->sections);
	struct section *c = &d->sections[d->nsections++];
	*c = *s;
	c->marker = xstrdup(s->marker ? s->marker : "");
	c->title = xstrdup(s->title ? s->title : "");
	return 0;
}

static void search_doc_clear(struct search_doc *d)
{
	for (size_t i = 0; i < d->nsections; i++) {
		free((char *)d->sections[i].marker);
		free((char *)d->sections[i].title);
	}
	free(d->sections);
	d->sections = NULL;
	d->nsections = 0;
	if (d->info.title)
		doc_info_clear(&d->info);
	d->para = -1;
}

/* The innermost section holding (para, offset) is the last one that starts before it;
 * its path names each level by its marker, or its title when it has none. */
static void search_section_path(const struct search_doc *d, long para, long offset, struct sbuf *out)
{
	sbuf_reset(out);
	sbuf_puts(out, "");
	long at = -1;
	for (size_t i = 0; i < d->nsections; i++)
		if (d->sections[i].para < para || (d->sections[i].para == para && d->sections[i].offset <= offset))
			at = (long)i;
	const struct section *chain[64];
	int depth = 0;
	while (at >= 0 && depth < 64) {
		chain[depth++] = &d->sections[at];
		long parent = d->sections[at].parent;
		at = -1;
		for (size_t i = 0; i < d->nsections; i++)
			if (d->sections[i].seq == parent)
				at = (long)i;
	}
	while (depth-- > 0) {
		const char *name = chain[depth]->marker[0] ? chain[depth]->marker : chain[depth]->title;
		size_t n = strlen(name);
		if (utf8_count(name, n) > 12)
			n = utf8_offset(name, n, 12);
		sbuf_append(out, name, n);
		if (depth)
			sbuf_puts(out, " › ");
	}
}

/* A line around the hit: some characters before, the hit, more after, "…" where cut. */
static void search_snippet(const char *text, size_t n, long offset, long length, struct sbuf *out, long *hit_at)
{
	enum { BEFORE = 10, AFTER = 20 };
	long chars = (long)utf8_count(text, n);
	long from = offset > BEFORE ? offset - BEFORE : 0;
	long to = offset + length + AFTER < chars ? offset + length + AFTER : chars;
	sbuf_reset(out);
	sbuf_puts(out, "");
	*hit_at = offset - from;
	if (from > 0) {
		sbuf_puts(out, "…");
		(*hit_at)++;
	}
	size_t a = utf8_offset(text, n, (size_t)from), b = utf8_offset(text, n, (size_t)to);
	for (size_t i = a; i < b; i++)
		sbuf_append(out, (unsigned char)text[i] < 0x20 || text[i] == 0x7f ? " " : text + i, 1);
	if (to < chars)
		sbuf_puts(out, "…");
}

long store_search(struct store *st, const char *query, long doc, long limit,
		  int (*fn)(void *ctx, const struct search_hit *h), void *ctx)
{
	struct query q;
	if (parse_query(st, query, &q) != 0)
		return -1;
	sqlite3_stmt *s = search_stmt(st, &q, true, true, doc);
	query_free(&q);
	if (!s)
		return -1;
	struct search_doc d = { .id = -1, .para = -1 };
	struct sbuf path = { 0 }, snippet = { 0 };
	long given = 0;
	int rc = SQLITE_DONE, err = 0;
	bool stop = false;
	while (!stop && !err && (limit < 0 || given < limit) && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		long id, first;
		sqlite3_stmt *rs = stmt(st, Q_INDEX_ROW_GET);
		if (!rs) {
			err = -1;
			break;
		}
		sqlite3_bind_int64(rs, 1, sqlite3_column_int64(s, 0));
		if ((rc = sqlite3_step(rs)) != SQLITE_ROW) {
			sqlite3_reset(rs);
			err = rc == SQLITE_DONE ? fail(st, "the search index names a row it does not have") : fail_db(st, "searching");
			break;
		}
		id = (long)sqlite3_column_int64(rs, 0);
		first = (long)sqlite3_column_int64(rs, 1);
		sqlite3_reset(rs);
		const int32_t *t = sqlite3_column_blob(s, 1);
		size_t n = (size_t)sqlite3_column_bytes(s, 1) / (3 * sizeof *t);
		if (id != d.id) {
			search_doc_clear(&d);
			d.id = id;
			if (store_doc_info(st, id, &d.info) != 0 || store_each_section(st, id, search_collect_section, &d) != 0) {
				err = -1;
				break;
			}
		}
		for (size_t i = 0; i < n && (limit < 0 || given < limit); i++) {
			long para = first + t[3 * i], offset = t[3 * i + 1], length = t[3 * i + 2];
			if (para != d.para) {
				sqlite3_stmt *ps = stmt(st, Q_SEARCH_PARA);
				if (!ps) {
					err = -1;
					break;
				}
				sqlite3_bind_int64(ps, 1, id);
				sqlite3_bind_int64(ps, 2, para);
				sbuf_reset(&d.text);
				sbuf_puts(&d.text, "");
				if (sqlite3_step(ps) == SQLITE_ROW)
					sbuf_append(&d.text, (const char *)sqlite3_column_blob(ps, 0), (size_t)sqlite3_column_bytes(ps, 0));
				sqlite3_reset(ps);
				d.para = para;
			}
			struct search_hit h = { .doc = id, .title = d.info.title, .para = para, .offset = offset, .length = length };
			search_section_path(&d, para, offset, &path);
			search_snippet(d.text.data, d.text.len, offset, length, &snippet, &h.snippet_offset);
			h.section = path.data;
			h.snippet = snippet.data;
			given++;
			if ((stop = fn(ctx, &h) != 0))
				break;
		}
	}
	if (!stop && !err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = fail_db(st, "searching");
	sqlite3_finalize(s);
	search_doc_clear(&d);
	sbuf_free(&d.text);
	sbuf_free(&path);
	sbuf_free(&snippet);
	return err ? -1 : given;
}

long store_search_places(struct store *st, const char *query, long doc, long from, long to, bool backward,
			 int (*fn)(void *ctx, long para, long offset, long length), void *ctx)
{
	struct query q;
	if (parse_query(st, query, &q) != 0)
		return -1;
	sqlite3_stmt *s = search_stmt_range(st, &q, true, true, doc, from, to, backward);
	query_free(&q);
	if (!s)
		return -1;
	long given = 0;
	int rc, err = 0;
	bool stop = false;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		sqlite3_stmt *rs = stmt(st, Q_INDEX_ROW_GET);
		if (!rs) {
			err = -1;
			break;
		}
		sqlite3_bind_int64(rs, 1, sqlite3_column_int64(s, 0));
		if ((rc = sqlite3_step(rs)) != SQLITE_ROW) {
			sqlite3_reset(rs);
			err = rc == SQLITE_DONE ? fail(st, "the search index names a row it does not have") : fail_db(st, "searching");
			break;
		}
		long first = (long)sqlite3_column_int64(rs, 1);
		sqlite3_reset(rs);
		const int32_t *t = sqlite3_column_blob(s, 1);
		long n = sqlite3_column_bytes(s, 1) / (long)(3 * sizeof *t);
		for (long k = 0; k < n && !stop; k++) {
			long i = backward ? n - 1 - k : k;
			long para = first + t[3 * i];
			if (para < from || para > to)
				continue;
			given++;
			stop = fn(ctx, para, t[3 * i + 1], t[3 * i + 2]) != 0;
		}
	}
	if (!stop && !err && rc != SQLITE_DONE)
		err = fail_db(st, "searching");
	sqlite3_finalize(s);
	return err ? -1 : given;
}

/* --- reading state: the reader's queries --- */

int store_para_range(struct store *st, long doc, bool with_noise, long *first, long *last, long *count)
{
	sqlite3_stmt *s = stmt(st, with_noise ? Q_PARA_RANGE_ALL : Q_PARA_RANGE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		bool empty = sqlite3_column_type(s, 0) == SQLITE_NULL;
		*first = empty ? 0 : (long)sqlite3_column_int64(s, 0);
		*last = empty ? -1 : (long)sqlite3_column_int64(s, 1);
		*count = (long)sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : fail_db(st, "reading paragraphs");
}

int store_each_paragraph_before(struct store *st, long doc, long before, long count, bool with_noise,
				int (*fn)(void *ctx, const struct para *p), void *ctx)
{
	sqlite3_stmt *s = stmt(st, with_noise ? Q_PARAS_BEFORE_ALL : Q_PARAS_BEFORE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_int64(s, 2, before);
	sqlite3_bind_int64(s, 3, count);
	return each_para_rows(st, s, fn, ctx);
}

/* A (para, offset) pair from a one-row query: 1 found, 0 none, -1 error. */
static int place_row(struct store *st, sqlite3_stmt *s, long *para, long *offset)
{
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*para = (long)sqlite3_column_int64(s, 0);
		*offset = (long)sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : fail_db(st, "reading the reading state");
}

int store_position_get(struct store *st, long doc, long *para, long *offset)
{
	sqlite3_stmt *s = stmt(st, Q_POS_GET);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	return place_row(st, s, para, offset);
}

int store_position_set(struct store *st, long doc, long para, long offset)
{
	sqlite3_stmt *s = stmt(st, Q_POS_SET);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_int64(s, 2, para);
	sqlite3_bind_int64(s, 3, offset);
	return step_done(st, s, "saving the reading position");
}

int store_mark_get(struct store *st, long doc, const char *name, long *para, long *offset)
{
	sqlite3_stmt *s = stmt(st, Q_MARK_GET);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	return place_row(st, s, para, offset);
}

int store_mark_set(struct store *st, long doc, const char *name, long para, long offset)
{
	sqlite3_stmt *s = stmt(st, Q_MARK_SET);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, para);
	sqlite3_bind_int64(s, 4, offset);
	return step_done(st, s, "saving a mark");
}

char *store_state_get(struct store *st, const char *key)
{
	sqlite3_stmt *s = stmt(st, Q_STATE_GET);
	if (!s)
		return NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	char *v = NULL;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = column_dup(s, 0);
	sqlite3_reset(s);
	return v;
}

int store_state_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = stmt(st, Q_STATE_SET);
	if (!s)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	return step_done(st, s, "saving the reader state");
}

/* The hits of a term, unpacked, from the cache while the library is unchanged;
 * NULL on error. A term that is not there has none. */
static const struct hit_cache *term_hits(struct store *st, long term)
{
	sqlite3_stmt *s = stmt(st, Q_TERM_HITS);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, term);
	int rc = sqlite3_step(s);
	/* read while the statement holds the library: the version of what it sees */
	unsigned int version = 0;
	sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &version);
	struct hit_cache *c = NULL;
	for (int i = 0; i < HIT_CACHE && !c; i++)
		if (st->hit_cache[i].used && st->hit_cache[i].term == term && st->hit_cache[i].version == version)
			c = &st->hit_cache[i];
	if (!c) {
		c = &st->hit_cache[st->hit_cache_next++ % HIT_CACHE];
		free(c->v);
		*c = (struct hit_cache){ .term = term, .version = version };
		if (rc == SQLITE_ROW) {
			/* the blob's pages are read only now, on a miss */
			c->n = hits_unpack(sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0), &c->v);
			if (c->n < 0) {
				c->n = 0;
				sqlite3_reset(s);
				fail(st, "%s: the library is damaged (the hits of term %ld)", st->path, term);
				return NULL;
			}
		}
		c->used = rc == SQLITE_ROW || rc == SQLITE_DONE;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		fail_db(st, "reading term hits");
		return NULL;
	}
	return c;
}

int store_each_hit(struct store *st, long term, long first_para, long last_para,
		   int (*fn)(void *ctx, long para, long offset, long length), void *ctx)
{
	const struct hit_cache *c = term_hits(st, term);
	if (!c)
		return -1;
	long from = hits_lower_bound(c->v, c->n, first_para, LONG_MIN), to = from;
	while (to < c->n && c->v[to].para <= last_para)
		to++;
	if (to == from)
		return 0;
	/* a copy: fn may read the store, which may reuse the cache entry */
	struct hit *v = xmalloc((size_t)(to - from) * sizeof *v);
	memcpy(v, c->v + from, (size_t)(to - from) * sizeof *v);
	int r = 0;
	for (long i = 0; i < to - from && !r; i++)
		r = fn(ctx, v[i].para, v[i].offset, v[i].length);
	free(v);
	return r;
}

int store_hit_near(struct store *st, long term, long para, long offset, bool forward, long *hit_para, long *hit_offset)
{
	const struct hit_cache *c = term_hits(st, term);
	if (!c)
		return -1;
	long i = hits_lower_bound(c->v, c->n, para, offset);
	if (forward)
		while (i < c->n && c->v[i].para == para && c->v[i].offset == offset)
			i++;
	else
		i--;
	if (i < 0 || i >= c->n)
		return 0;
	*hit_para = c->v[i].para;
	*hit_offset = c->v[i].offset;
	return 1;
}

long store_hit_rank(struct store *st, long term, long para, long offset)
{
	const struct hit_cache *c = term_hits(st, term);
	return c ? hits_lower_bound(c->v, c->n, para, offset) + 1 : -1;
}
