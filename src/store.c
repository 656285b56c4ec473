#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "dugao/fold.h"
#include "dugao/gram_index.h"
#include "dugao/index_feed.h"
#include "dugao/hits.h"
#include "dugao/query.h"
#include "dugao/store.h"
#include "dugao/util.h"

/* Bump with a new entry in migrations[] whenever the schema changes. */
#define SCHEMA_VERSION 13
#define LIBRARY_PAGE_SIZE "16384"	/* bytes a page, for a new library (migrate) */

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
	/* 1 -> 2, 2 -> 3: an FTS5 search index, dropped by 8 -> 9 */
	"",
	"",
	/* 3 -> 4: the outline's shape (no text) in one row per document, so that the reader
	 * opens a document of 40,000 sections without reading their titles; migrate()
	 * fills it */
	"CREATE TABLE IF NOT EXISTS outline_shapes ("
	"  doc INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
	"  shape BLOB NOT NULL);",
	/* 4 -> 5: FTS5 rows of whole paragraphs, dropped by 8 -> 9 */
	"",
	/* 5 -> 6: the hits of a term packed into one blob in its row (hits.h), not one
	 * row each; migrate() packs the old rows and drops term_hits */
	"ALTER TABLE terms ADD COLUMN hits BLOB;",
	/* 6 -> 7: dugao's own search index, made again by 8 -> 9 */
	"",
	/* 7 -> 8: less to write per paragraph and section. Paragraphs keyed by
	 * doc << 32 | seq, so no (doc, seq) index; kind as its enum para_kind number.
	 * A section leaves marker and title NULL when its paragraph holds them at its
	 * offset (nearly always): marker_chars splits the two. The original bytes in
	 * chunks keyed doc << 32 | n, written once each (not a zeroblob rewritten). The
	 * tables keyed by rowid go by hand when a document does (store_delete).
	 * migrate() converts each table still in the old layout (layout_all). */
	"",
	/* 8 -> 9: dugao's own bigram index (gram_index.h) in place of FTS5, which cost a
	 * quarter of an import; migrate() drops the FTS5 table (search_drop_fts5) and
	 * fills the new one. search_rows: which document and first paragraph each index
	 * row holds; AUTOINCREMENT, as a removed row's postings stay in the segments until
	 * a merge purges them. search_segments: the segments, in row order. search_pages:
	 * their pages of at most 4 KB, inline in the table's leaves (a WITHOUT ROWID
	 * table would spill them to overflow pages, a fifth of them unused), keyed
	 * segment << 32 | n; search_keys: each page's pid, so that a key is one seek. */
	"DROP TABLE IF EXISTS search_rows;"
	"DROP TABLE IF EXISTS search_segments;"
	"DROP TABLE IF EXISTS search_pages;"
	"CREATE TABLE search_rows ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  doc INTEGER NOT NULL,"
	"  first INTEGER NOT NULL);"
	"CREATE INDEX search_rows_doc ON search_rows (doc, id);"
	"CREATE TABLE search_segments ("
	"  id INTEGER PRIMARY KEY,"
	"  level INTEGER NOT NULL,"
	"  row_lo INTEGER NOT NULL,"
	"  row_hi INTEGER NOT NULL,"
	"  bytes INTEGER NOT NULL);"
	"CREATE TABLE search_pages ("
	"  id INTEGER PRIMARY KEY,"
	"  data BLOB NOT NULL);"
	"CREATE TABLE search_keys ("
	"  seg INTEGER NOT NULL,"
	"  pid INTEGER NOT NULL,"
	"  n INTEGER NOT NULL,"
	"  PRIMARY KEY (seg, pid)) WITHOUT ROWID;",
	/* 9 -> 10: the terms pane's list read from an index that holds all it shows, not
	 * from rows that each carry a term's packed hits (a page or more a term): a tenth
	 * of the reader's opening */
	"CREATE INDEX IF NOT EXISTS terms_rank ON terms (doc, score DESC, count DESC, text, kind, id);",
	/* 10 -> 11: less to write per term and section (layout11 converts): a row a
	 * document for each, not a row (and index entries) a term or section.
	 * term_lists: a document's terms in rank order (score DESC, count DESC, text) in
	 * one blob, which the terms pane reads whole (a few KB), and their hits in a
	 * second blob with an offset a term, so that a term's hits are read alone; a
	 * term's id is doc << 32 | rank; its text is unique in its document because the
	 * import makes it so. Sections: the outline's shape holds their numbers, and
	 * section_marks a byte each (in shape order): how many characters of the heading
	 * in its paragraph are the marker, or SECTION_APART when the paragraph does not
	 * hold marker and title, which section_apart then does. */
	"",
	/* 11 -> 12: common pairs of ideographs (发展) under keys by the character before
	 * them too (gram_index.h), which a dugao before would not read. The index of an
	 * older library is read as it is: its pairs are all under their plain keys. */
	"",
	/* 12 -> 13: a document's paragraphs packed into rows of para_blocks, up to
	 * BLOCK_PARAS or about BLOCK_BYTES of text a row (block_put), not one row each: a
	 * row's cost to insert and log was most of what storing a short paragraph cost
	 * (big.txt: 588,000 rows, a third of the main thread). Keyed doc << 32 | seq of
	 * the row's first paragraph, the rest following in seq order. migrate() packs the
	 * old rows (blocks_all) and drops the table last. */
	"CREATE TABLE para_blocks ("
	"  id INTEGER PRIMARY KEY,"
	"  data BLOB NOT NULL);",
};

/* 7 -> 8, per table: a query that is 1 when the table has the old layout, and the SQL
 * that converts it. */
static const char *const layout8[][2] = {
	{ "SELECT count(*) FROM pragma_table_info('paragraphs') WHERE name = 'seq'",
	"CREATE TABLE paragraphs7 ("
	"  id INTEGER PRIMARY KEY,"
	"  kind INTEGER NOT NULL,"
	"  section INTEGER NOT NULL,"
	"  line INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  doc INTEGER AS (id >> 32),"
	"  seq INTEGER AS (id & 4294967295));"
	"INSERT INTO paragraphs7 (id, kind, section, line, text)"
	"  SELECT (doc << 32) + seq, CASE kind WHEN 'title' THEN 0 WHEN 'meta' THEN 1 WHEN 'salutation' THEN 2"
	"  WHEN 'heading' THEN 3 WHEN 'noise' THEN 5 ELSE 4 END, section, line, text"
	"  FROM paragraphs ORDER BY doc, seq;"
	"DROP TABLE paragraphs;"
	"ALTER TABLE paragraphs7 RENAME TO paragraphs;" },
	{ "SELECT count(*) = 0 FROM pragma_table_info('sections') WHERE name = 'marker_chars'",
	"CREATE TABLE sections7 ("
	"  doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  parent INTEGER NOT NULL,"
	"  level INTEGER NOT NULL,"
	"  para INTEGER NOT NULL,"
	"  offset INTEGER NOT NULL,"
	"  length INTEGER NOT NULL,"
	"  in_paragraph INTEGER NOT NULL,"
	"  marker_chars INTEGER NOT NULL,"
	"  marker TEXT,"
	"  title TEXT,"
	"  PRIMARY KEY (doc, seq)) WITHOUT ROWID;"
	"INSERT INTO sections7"
	"  SELECT s.doc, s.seq, s.parent, s.level, s.para, s.offset, s.length, s.in_paragraph, length(s.marker),"
	"  CASE WHEN held THEN NULL ELSE s.marker END, CASE WHEN held THEN NULL ELSE s.title END"
	"  FROM (SELECT *, coalesce((SELECT substr(text, offset + 1, length) = marker || title"
	"    AND length(marker) + length(title) = length"
	"    FROM paragraphs p WHERE p.id = (sections.doc << 32) + sections.para), 0) AS held FROM sections) s"
	"  ORDER BY s.doc, s.seq;"
	"DROP TABLE sections;"
	"ALTER TABLE sections7 RENAME TO sections;" },
	{ "SELECT count(*) FROM pragma_table_info('originals') WHERE name = 'doc'",
	"CREATE TABLE originals7 ("
	"  id INTEGER PRIMARY KEY,"
	"  bytes BLOB NOT NULL);"
	"INSERT INTO originals7 (id, bytes) SELECT doc << 32, bytes FROM originals ORDER BY doc;"
	"DROP TABLE originals;"
	"ALTER TABLE originals7 RENAME TO originals;" },
};

/* Every statement the store runs more than once, prepared on first use. */
enum stmt_id {
	Q_FIND_SHA,
	Q_DOC_NEXT_ID,
	Q_DOC_INSERT,
	Q_DEFER_FOREIGN_KEYS,
	Q_DOC_REUSE,
	Q_ORIGINAL_INSERT,
	Q_BLOCK_INSERT,
	Q_SECTION_APART_ADD,
	Q_SECTION_MARKS_SET,
	Q_BEGIN,
	Q_COMMIT,
	Q_SAVEPOINT,
	Q_RELEASE,
	Q_DOC_FINISH,
	Q_TERM_INSERT,
	Q_INDEX_ROW_ADD,
	Q_INDEX_ROWS,
	Q_INDEX_ROWS_ALL,
	Q_INDEX_ROWS_SPAN,
	Q_INDEX_ROWS_DELETE,
	Q_INDEX_LIVE,
	Q_INDEX_SEGS,
	Q_INDEX_SEG_ADD,
	Q_INDEX_SEG_SET,
	Q_INDEX_SEG_DROP,
	Q_INDEX_SEG_EMPTY,
	Q_INDEX_PAGE_ADD,
	Q_INDEX_KEY_ADD,
	Q_INDEX_PAGES_DROP,
	Q_INDEX_KEYS_DROP,
	Q_INDEX_LOOKUP,
	Q_INDEX_KEY_PAGES,
	Q_INDEX_PAGES,
	Q_INDEX_COMMON,
	Q_DOC_INFO,
	Q_DOC_LIST,
	Q_SECTION_APART,
	Q_SECTION_SHAPE_ROWS,
	Q_SECTION_SHAPE_GET,
	Q_SECTION_MARKS_LEN,
	Q_SECTION_SHAPE_SET,
	Q_BLOCKS_FROM,
	Q_BLOCK_AT,
	Q_TERMS,
	Q_LIBRARY_TERMS,
	Q_ORIGINAL,
	Q_DOC_PARAGRAPHS,
	Q_BLOCKS_BEFORE,
	Q_POS_GET,
	Q_POS_SET,
	Q_MARK_GET,
	Q_MARK_SET,
	Q_STATE_GET,
	Q_STATE_SET,
	Q_COUNT
};

/* A document's rows of paragraphs (schema 13) are one rowid range, doc << 32 | seq of
 * each row's first paragraph, read without an index. BLOCK_HOLDING(?2): the key of the
 * row holding paragraph ?2 (the last to start at or before it). */
#define BLOCKS_OF_DOC_END "(?1 << 32) + 4294967295"
#define BLOCK_HOLDING(seq) "(SELECT id FROM para_blocks WHERE id BETWEEN ?1 << 32 AND (?1 << 32) + max(min(" seq \
	", 4294967295), 0) ORDER BY id DESC LIMIT 1)"
/* kind is stored as its enum para_kind number: noise is 5 in every library */
_Static_assert(PARA_NOISE == 5 && PARA_BODY == 4 && PARA_TITLE == 0, "stored paragraph kinds");

static const char *const stmt_sql[Q_COUNT] = {
	[Q_FIND_SHA] = "SELECT id FROM documents WHERE sha256 = ?1",
	/* a new document's id: the largest plus one, as a row inserted without one gets */
	[Q_DOC_NEXT_ID] = "SELECT ifnull(max(id), 0) + 1 FROM documents",
	[Q_DOC_INSERT] = "INSERT INTO documents (id, source, sha256, encoding, imported_at, bytes) "
			 "VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%SZ','now'), ?5)",
	/* until the commit: a new document's row comes last (store_import_commit) */
	[Q_DEFER_FOREIGN_KEYS] = "PRAGMA defer_foreign_keys = ON",
	[Q_DOC_REUSE] = "UPDATE documents SET source = ?1, sha256 = ?2, encoding = ?3, bytes = ?4, "
			"imported_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?5",
	[Q_ORIGINAL_INSERT] = "INSERT INTO originals (id, bytes) VALUES (?1, ?2)",
	[Q_BLOCK_INSERT] = "INSERT INTO para_blocks (id, data) VALUES (?1, ?2)",
	[Q_SECTION_APART_ADD] = "INSERT INTO section_apart (doc, seq, marker, title) VALUES (?1, ?2, ?3, ?4)",
	[Q_SECTION_MARKS_SET] = "INSERT OR REPLACE INTO section_marks (doc, marks) VALUES (?1, ?2)",
	/* an import's transaction and its last write to the document row, prepared once:
	 * a library of small documents runs them thousands of times */
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	/* an import inside a batch (store_batch_begin): its own savepoint */
	[Q_SAVEPOINT] = "SAVEPOINT import_file",
	[Q_RELEASE] = "RELEASE import_file",
	[Q_DOC_FINISH] = "UPDATE documents SET title = coalesce(?2, title), paragraphs = ?3, headings = ?4, chars = ?5, "
			 "terms = ?6 WHERE id = ?1",
	[Q_TERM_INSERT] = "INSERT INTO term_lists (doc, terms, hits) VALUES (?1, ?2, ?3)",
	/* search: the index's upkeep */
	[Q_INDEX_ROW_ADD] = "INSERT INTO search_rows (doc, first) VALUES (?1, ?2)",
	[Q_INDEX_ROWS] = "SELECT id, ?1, first FROM search_rows WHERE doc = ?1 ORDER BY id",
	[Q_INDEX_ROWS_ALL] = "SELECT id, doc, first FROM search_rows ORDER BY id",
	/* (three queries: each of min, max and count(*) alone is one seek or a count of
	 * the b-tree's cells, together a scan) */
	[Q_INDEX_ROWS_SPAN] = "SELECT (SELECT min(id) FROM search_rows), (SELECT max(id) FROM search_rows), "
			      "(SELECT count(*) FROM search_rows)",
	[Q_INDEX_ROWS_DELETE] = "DELETE FROM search_rows WHERE doc = ?1",
	[Q_INDEX_LIVE] = "SELECT id FROM search_rows WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
	[Q_INDEX_SEGS] = "SELECT id, level, row_lo, row_hi, bytes FROM search_segments ORDER BY row_lo",
	[Q_INDEX_SEG_ADD] = "INSERT INTO search_segments (level, row_lo, row_hi, bytes) VALUES (0, ?1, ?2, 0)",
	[Q_INDEX_SEG_SET] = "UPDATE search_segments SET level = ?2, row_lo = ?3, row_hi = ?4, bytes = ?5 WHERE id = ?1",
	[Q_INDEX_SEG_DROP] = "DELETE FROM search_segments WHERE id = ?1",
	/* a segment none of whose rows is left */
	[Q_INDEX_SEG_EMPTY] = "SELECT NOT EXISTS (SELECT 1 FROM search_rows WHERE id BETWEEN ?1 AND ?2)",
	[Q_INDEX_PAGE_ADD] = "INSERT INTO search_pages (id, data) VALUES ((?1 << 32) + ?3, ?4)",
	[Q_INDEX_KEY_ADD] = "INSERT INTO search_keys (seg, pid, n) VALUES (?1, ?2, ?3)",
	[Q_INDEX_PAGES_DROP] = "DELETE FROM search_pages WHERE id BETWEEN ?1 << 32 AND (?1 << 32) + 4294967295",
	[Q_INDEX_KEYS_DROP] = "DELETE FROM search_keys WHERE seg = ?1",
	/* the keys whose postings run on to a t-th page of their own in a segment of t * ?1
	 * pages or more (t >= 1): about 1/?1 of its postings or more */
	[Q_INDEX_COMMON] = "SELECT DISTINCT k.pid >> 20 FROM search_keys k JOIN (SELECT seg, max(1, count(*) / ?1) AS t "
			   "FROM search_keys GROUP BY seg) s ON k.seg = s.seg WHERE (k.pid & 1048575) = s.t",
	/* the pages holding keys ?2..?3 (as pids, ?3 the first after): from the last page
	 * at or before the first key to the first page at or after ?3 (gram_index.h) */
	[Q_INDEX_LOOKUP] = "SELECT k.pid, p.data FROM search_keys k, search_pages p WHERE k.seg = ?1 "
			   "AND k.pid >= ifnull((SELECT max(pid) FROM search_keys WHERE seg = ?1 AND pid <= ?2), 0) "
			   "AND k.pid <= ifnull((SELECT min(pid) FROM search_keys WHERE seg = ?1 AND pid >= ?3), ?3) "
			   "AND p.id = (?1 << 32) + k.n ORDER BY k.pid",
	/* about how many pages keys ?2..?3 fill (as pids, ?3 the first after) */
	[Q_INDEX_KEY_PAGES] = "SELECT count(*) FROM search_keys WHERE seg = ?1 AND pid >= ?2 AND pid < ?3",
	/* a whole segment (a merge): its pages in the order written, which is pid order
	 * (a merge reads only their bytes: one range of search_pages, not a seek a page) */
	[Q_INDEX_PAGES] = "SELECT data FROM search_pages WHERE id BETWEEN ?1 << 32 AND (?1 << 32) + 4294967295 "
			  "ORDER BY id",
	[Q_DOC_INFO] = "SELECT id, title, source, encoding, sha256, imported_at, paragraphs, headings, terms, chars, bytes "
		       "FROM documents WHERE id = ?1",
	[Q_DOC_LIST] = "SELECT id, title, source, encoding, sha256, imported_at, paragraphs, headings, terms, chars, bytes "
		       "FROM documents ORDER BY id",
	/* the sections whose paragraph does not hold their text */
	[Q_SECTION_APART] = "SELECT seq, marker, title FROM section_apart WHERE doc = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
	/* the sections' rows of a library before schema 11 (its upgrade) */
	[Q_SECTION_SHAPE_ROWS] = "SELECT seq, parent, level, para, offset, length, in_paragraph "
				 "FROM sections WHERE doc = ?1 ORDER BY seq",
	[Q_SECTION_SHAPE_GET] = "SELECT shape FROM outline_shapes WHERE doc = ?1",
	/* (length of a blob reads no more than its row's first page) */
	[Q_SECTION_MARKS_LEN] = "SELECT length(marks) FROM section_marks WHERE doc = ?1",
	[Q_SECTION_SHAPE_SET] = "INSERT OR REPLACE INTO outline_shapes (doc, shape) VALUES (?1, ?2)",
	/* paragraphs: the rows from the one holding ?2 on, and the one holding ?2 */
	[Q_BLOCKS_FROM] = "SELECT id, data FROM para_blocks WHERE id BETWEEN ifnull(" BLOCK_HOLDING("?2") ", ?1 << 32) "
			  "AND " BLOCKS_OF_DOC_END " ORDER BY id",
	[Q_BLOCK_AT] = "SELECT id, data FROM para_blocks WHERE id = " BLOCK_HOLDING("?2"),
	/* a document's terms in rank order, and all the library's (term_list_*) */
	[Q_TERMS] = "SELECT terms FROM term_lists WHERE doc = ?1",
	[Q_LIBRARY_TERMS] = "SELECT terms FROM term_lists",
	/* the original bytes in chunks keyed doc << 32 | n, in order */
	[Q_ORIGINAL] = "SELECT bytes FROM originals WHERE id BETWEEN ?1 << 32 AND (?1 << 32) + 4294967295 ORDER BY id",
	/* reader: paragraph bounds, paging backwards (the rows starting before ?2, last
	 * first), reading state, term hits */
	[Q_DOC_PARAGRAPHS] = "SELECT paragraphs FROM documents WHERE id = ?1",
	[Q_BLOCKS_BEFORE] = "SELECT id, data FROM para_blocks WHERE id BETWEEN ?1 << 32 AND "
			    "(?1 << 32) + max(min(?2, 4294967296), 0) - 1 ORDER BY id DESC",
	[Q_POS_GET] = "SELECT para, offset FROM positions WHERE doc = ?1",
	[Q_POS_SET] = "INSERT INTO positions (doc, para, offset, read_at) "
		      "VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ','now')) "
		      "ON CONFLICT (doc) DO UPDATE SET para = excluded.para, offset = excluded.offset, read_at = excluded.read_at",
	[Q_MARK_GET] = "SELECT para, offset FROM marks WHERE doc = ?1 AND name = ?2",
	[Q_MARK_SET] = "INSERT OR REPLACE INTO marks (doc, name, para, offset) VALUES (?1, ?2, ?3, ?4)",
	[Q_STATE_GET] = "SELECT value FROM state WHERE key = ?1",
	[Q_STATE_SET] = "INSERT OR REPLACE INTO state (key, value) VALUES (?1, ?2)",
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

/* The older form of the outline's shape (see shape_number): its format byte and numbers
 * per section. */
enum { SHAPE_FIELDS = 7, SHAPE_FORMAT = 'z' };

/* A section's byte of section_marks (schema 11) when its paragraph does not hold its
 * text (or its marker is that long): section_apart holds marker and title. */
enum { SECTION_APART = 255 };

/* A row of para_blocks holds up to BLOCK_PARAS paragraphs of consecutive seqs in
 * BLOCK_BYTES at most (but a longer paragraph alone): four rows and their cells' heads
 * fill a page of 16 KB (a row of 4,200 bytes left a quarter of each page unused), and
 * reading one paragraph reads 4 KB. */
enum { BLOCK_PARAS = 64, BLOCK_BYTES = 4000 };

/* A row of para_blocks read: its paragraphs point into data. */
struct para_block {
	long doc;		/* its document, -1 when it holds none */
	unsigned char *data;	/* a copy of the row's blob, each text NUL-terminated in it */
	size_t cap;		/* data allocated */
	struct para *p;		/* its paragraphs, in seq order */
	size_t n;		/* how many */
	size_t cap_p;		/* p allocated */
};

struct store {
	sqlite3 *db;			/* the connection */
	char *path;			/* library file */
	sqlite3_stmt *stmts[Q_COUNT];	/* prepared statements, by stmt_id */
	char error[512];		/* the last error, one line */
	/* the import in progress */
	long doc;			/* its document id, -1 when none */
	char *new_row;			/* a new document's row, written at commit: source, sha256 and
					 * encoding, each NUL-terminated; NULL when the row is there */
	long long new_bytes;		/* and its size */
	char *title;			/* its title, written at commit; NULL: the row's stays */
	long long original_bytes;	/* the size of its original bytes */
	long long original_at;		/* how many of them are stored */
	long original_chunks;		/* in how many rows */
	struct sbuf block;		/* its paragraphs not yet stored, packed (block_put) */
	sqlite3_int64 block_id;		/* doc << 32 | seq of the first of them */
	long block_n;			/* how many */
	struct section *pending;	/* its sections whose paragraph is to come (marker and title
					 * in pending_text) */
	size_t *pending_at;		/* where each one's marker is in pending_text, its title next */
	size_t npending;		/* how many */
	size_t pending_cap;		/* allocated */
	struct sbuf pending_text;	/* their markers and titles, each NUL-terminated; emptied
					 * when none is pending (a malloc each was 3% of the writer's
					 * work on the 50 MB file's 415,000 sections) */
	struct shape_builder shape;	/* its outline's shape (shape.h), built as sections come */
	bool shape_unordered;		/* a section came out of seq order: loose holds them all */
	struct section_shape *loose;	/* then its sections in the order they came */
	size_t nloose;			/* how many */
	size_t loose_cap;		/* allocated */
	struct sbuf marks;		/* its section_marks byte of each section stored, in that order */
	long paragraphs;		/* non-noise paragraphs so far */
	long sections;			/* sections so far */
	long long chars;		/* characters of non-noise paragraphs */
	struct index_row *row;		/* its search index row being filled */
	struct index_feed *feed;	/* search index postings not yet in a segment; NULL none yet */
	bool batch;			/* a batch's transaction is open: the imports are made in it */
	bool savepoint;			/* the import in progress has a savepoint in the batch (--replace) */
	bool hold_checkpoint;		/* a batch is committing: its checkpoint waits for store_checkpoint */
	int wal_frames;			/* frames in the log after the last commit */
	int checkpoint_frames;		/* frames of log that make a checkpoint (CHECKPOINT_BYTES) */
	struct checkpointer *checkpointer;	/* the thread that checkpoints; NULL: not started yet */
	bool checkpoint_inline;		/* it could not start: checkpoints run on this thread */
	bool gi_mixed;			/* gi holds rows of imports before the one in progress */
	uint32_t import_row_hi;		/* the last search row the import in progress added, 0 none */
	struct import_term *terms;	/* its terms, stored at commit */
	size_t nterms;			/* how many */
	size_t terms_cap;		/* allocated */
	size_t *term_slots;		/* its terms by text: open addressing, index + 1 (0 empty) */
	size_t term_slots_cap;		/* slots, a power of two at least twice nterms */
	struct hit_cache hit_cache[HIT_CACHE];	/* unpacked hits of the terms read last */
	unsigned int hit_cache_next;	/* the entry to reuse next */
	struct shape *texts_shape;	/* the outline store_section_texts read last, NULL none */
	long texts_doc;			/* its document */
	unsigned int texts_version;	/* the library's data version when read */
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

const char *store_path(const struct store *st)
{
	return st->path;
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

/* 256 KB: the look-ups of a worker touch a page or two of the index on the bytes'
 * SHA-256, a random one each time, which would fill SQLite's default 2 MB */
void store_small_cache(struct store *st)
{
	exec(st, "PRAGMA cache_size = -256", "setting up the library");
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

/* --- the search index (see gram_index.h, cjk_tokenizer.h) --- */

/* A document is indexed in rows of whole paragraphs, each row up to about
 * INDEX_ROW_BYTES of text: its paragraphs in seq order, each followed by "\n", noise
 * (and any gap in the seqs) as an empty paragraph, so the n-th line of a row is
 * paragraph seq (first + n). search_rows gives each row's document and first seq; a
 * document's rows have consecutive ids, in text order. An import adds its rows'
 * postings to an in-memory build (st->feed) that becomes a segment at commit, or every
 * INDEX_BUILD_BYTES of a long import; segments merge INDEX_MERGE of a size or more at a
 * time (index_maintain). Removing
 * a document removes its search_rows: searches keep only live rows, merges purge. */
enum {
	INDEX_ROW_BYTES = 64 * 1024,
	INDEX_BUILD_BYTES = 16 * 1024 * 1024,
	INDEX_MERGE = 8,
	INDEX_MERGE_MAX = 64,	/* the most segments one merge reads */
	/* what the build may grow per byte of a file: a batch's postings are written
	 * before an import that could take the build past INDEX_BUILD_BYTES (memory, not
	 * correctness: the flush then waits for the import's end). Measured: 5 to 31 on
	 * the bench corpora and the seeds, a table doubling included. The bound of 128 (a
	 * character a byte, postings of ten bytes in buffers twice their use) wrote a
	 * segment every three files of 100 KB, 500 for 100 MB, all to be merged. */
	INDEX_GROWTH = 48,
};

/* The index row being built. */
struct index_row {
	long doc;		/* its document */
	long first;		/* seq of its first paragraph */
	long next;		/* seq after its last paragraph */
	bool open;		/* it holds a paragraph */
	struct sbuf text;	/* its text */
};

/* Where the pages of a segment being written go. */
struct index_pages {
	struct store *st;	/* the store */
	sqlite3_int64 seg;	/* the segment's id */
	sqlite3_int64 n;	/* pages written */
};

static int index_page_add(void *ctx, int64_t pid, const uint8_t *data, size_t n)
{
	struct index_pages *ip = ctx;
	if (ip->n > UINT32_MAX)
		return fail(ip->st, "%s: a search index segment too large", ip->st->path);
	for (enum stmt_id id = Q_INDEX_PAGE_ADD; id <= Q_INDEX_KEY_ADD; id++) {
		sqlite3_stmt *s = stmt(ip->st, id);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, ip->seg);
		sqlite3_bind_int64(s, 2, pid);
		sqlite3_bind_int64(s, 3, ip->n);
		if (id == Q_INDEX_PAGE_ADD)
			sqlite3_bind_blob(s, 4, data, (int)n, SQLITE_STATIC);
		if (step_done(ip->st, s, "updating the search index") != 0)
			return -1;
	}
	ip->n++;
	return 0;
}

/* A segment's level: by its size, a factor of 8 a level from 128 KB. */
static int index_level(size_t bytes)
{
	int level = 0;
	for (size_t b = bytes; b >= 128 * 1024; b /= 8)
		level++;
	return level;
}

static int index_seg_set(struct store *st, sqlite3_int64 seg, int level, uint32_t lo, uint32_t hi, size_t bytes)
{
	sqlite3_stmt *s = stmt(st, Q_INDEX_SEG_SET);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, seg);
	sqlite3_bind_int(s, 2, level);
	sqlite3_bind_int64(s, 3, lo);
	sqlite3_bind_int64(s, 4, hi);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)bytes);
	return step_done(st, s, "updating the search index");
}

static int index_seg_drop(struct store *st, sqlite3_int64 seg)
{
	static const enum stmt_id drops[] = { Q_INDEX_PAGES_DROP, Q_INDEX_KEYS_DROP, Q_INDEX_SEG_DROP };
	for (size_t i = 0; i < sizeof drops / sizeof *drops; i++) {
		sqlite3_stmt *s = stmt(st, drops[i]);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, seg);
		if (step_done(st, s, "updating the search index") != 0)
			return -1;
	}
	return 0;
}

/* A new segment of level 0 over rows lo..hi; its id in *seg. */
static int index_seg_add(struct store *st, uint32_t lo, uint32_t hi, sqlite3_int64 *seg)
{
	sqlite3_stmt *s = stmt(st, Q_INDEX_SEG_ADD);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, lo);
	sqlite3_bind_int64(s, 2, hi);
	if (step_done(st, s, "updating the search index") != 0)
		return -1;
	*seg = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* The in-memory postings with every row handed to them (NULL: none yet). */
static struct gi_build *index_build(struct store *st)
{
	return st->feed ? index_feed_wait(st->feed) : NULL;
}

/* Empties the in-memory postings. */
static void index_build_reset(struct store *st)
{
	struct gi_build *gi = index_build(st);
	if (gi)
		gi_build_reset(gi);
}

/* Writes the in-memory postings as a new segment. */
static int index_build_flush(struct store *st)
{
	uint32_t lo, hi;
	struct gi_build *gi = index_build(st);
	if (!gi || !gi_build_rows(gi, &lo, &hi))
		return 0;
	struct index_pages ip = { .st = st };
	size_t bytes = 0;
	if (index_seg_add(st, lo, hi, &ip.seg) != 0) {
		gi_build_reset(gi);
		return -1;
	}
	if (gi_build_write(gi, index_page_add, &ip, &bytes) != 0)
		return -1;
	return index_seg_set(st, ip.seg, index_level(bytes), lo, hi, bytes);
}

/* One segment as search_segments gives it. */
struct index_seg {
	sqlite3_int64 id;	/* its id */
	int level;		/* its level */
	uint32_t lo;		/* its first row */
	uint32_t hi;		/* its last row */
	size_t bytes;		/* what its pages hold */
};

/* The segments in row order, malloc'd. */
static int index_segs(struct store *st, struct index_seg **segs, size_t *n)
{
	*segs = NULL;
	*n = 0;
	sqlite3_stmt *s = stmt(st, Q_INDEX_SEGS);
	if (!s)
		return -1;
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*segs = xrealloc(*segs, cap * sizeof **segs);
		}
		(*segs)[(*n)++] = (struct index_seg){ .id = sqlite3_column_int64(s, 0),
						      .level = sqlite3_column_int(s, 1),
						      .lo = (uint32_t)sqlite3_column_int64(s, 2),
						      .hi = (uint32_t)sqlite3_column_int64(s, 3),
						      .bytes = (size_t)sqlite3_column_int64(s, 4) };
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(*segs);
		*segs = NULL;
		return fail_db(st, "reading the search index");
	}
	return 0;
}

/* A segment being merged: its pages from their own statement. */
static int index_next_page(void *ctx, const uint8_t **data, size_t *n)
{
	sqlite3_stmt *s = ctx;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	*data = sqlite3_column_blob(s, 0);
	*n = (size_t)sqlite3_column_bytes(s, 0);
	return 1;
}

/* Merges segs[0..k-1] (consecutive in row order) into one, purging removed rows. */
static int index_merge(struct store *st, const struct index_seg *segs, int k)
{
	uint32_t *live = NULL;
	size_t nlive = 0, cap = 0;
	sqlite3_stmt *s = stmt(st, Q_INDEX_LIVE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, segs[0].lo);
	sqlite3_bind_int64(s, 2, segs[k - 1].hi);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nlive == cap) {
			cap = cap ? cap * 2 : 256;
			live = xrealloc(live, cap * sizeof *live);
		}
		live[nlive++] = (uint32_t)sqlite3_column_int64(s, 0);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		free(live);
		return fail_db(st, "reading the search index");
	}
	struct gi_source src[INDEX_MERGE_MAX];
	sqlite3_stmt *pages[INDEX_MERGE_MAX] = { 0 };
	int err = 0;
	for (int i = 0; i < k && !err; i++) {
		if (sqlite3_prepare_v2(st->db, stmt_sql[Q_INDEX_PAGES], -1, &pages[i], NULL) != SQLITE_OK) {
			err = fail_db(st, "merging the search index");
			break;
		}
		sqlite3_bind_int64(pages[i], 1, segs[i].id);
		src[i] = (struct gi_source){ .next = index_next_page, .ctx = pages[i] };
	}
	struct index_pages ip = { .st = st };
	struct gi_merged m;
	if (!err && (err = index_seg_add(st, segs[0].lo, segs[k - 1].hi, &ip.seg)) == 0) {
		/* every row of the range live (no document removed from it, the usual case):
		 * the postings' bytes copied, not decoded and written again */
		bool all = nlive == (size_t)(segs[k - 1].hi - segs[0].lo) + 1;
		int r = all ? gi_merge_all(src, k, index_page_add, &ip, &m) :
			      gi_merge(src, k, live, nlive, index_page_add, &ip, &m);
		if (r == -2)
			err = fail(st, "%s: the search index is damaged (a segment cannot be read)", st->path);
		else if (r == -1)
			err = fail_db(st, "merging the search index");
		else
			err = r;
	}
	for (int i = 0; i < k; i++)
		sqlite3_finalize(pages[i]);
	free(live);
	if (err)
		return -1;
	if (m.bytes == 0)
		err = index_seg_drop(st, ip.seg);
	else
		err = index_seg_set(st, ip.seg, index_level(m.bytes), m.row_lo, m.row_hi, m.bytes);
	for (int i = 0; i < k && !err; i++)
		err = index_seg_drop(st, segs[i].id);
	return err;
}

/* Keeps the segments few: drops those with no live row left, and merges segments of one
 * level (by size: index_level) INDEX_MERGE at a time, so that a posting is written again
 * about once for each factor of 8 its segment grows by: for the lowest level L where
 * there is one, the first run of consecutive segments of level L or below (up to
 * INDEX_MERGE_MAX of them) that holds INDEX_MERGE of level L; the smaller ones in it
 * come along. (A batch leaves dozens of small segments, all merged at its end in one
 * pass, not eight at a time and then again; a big segment is written again only with
 * seven others of its size, not with a few small ones: a rule of two of a level in
 * eight wrote a 1 GB import's biggest segment seven times.) */
static int index_maintain(struct store *st)
{
	for (;;) {
		struct index_seg *segs;
		size_t n;
		if (index_segs(st, &segs, &n) != 0)
			return -1;
		int err = 0;
		bool again = false;
		for (size_t i = 0; i < n && !err; i++) {
			sqlite3_stmt *s = stmt(st, Q_INDEX_SEG_EMPTY);
			if (!s) {
				err = -1;
				break;
			}
			sqlite3_bind_int64(s, 1, segs[i].lo);
			sqlite3_bind_int64(s, 2, segs[i].hi);
			bool empty = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0);
			sqlite3_reset(s);
			if (empty) {
				err = index_seg_drop(st, segs[i].id);
				again = true;
			}
		}
		int top = 0;
		for (size_t i = 0; i < n; i++) {
			/* (the level stored by a dugao before this rule may be more than its size's) */
			segs[i].level = index_level(segs[i].bytes);
			top = segs[i].level > top ? segs[i].level : top;
		}
		for (int level = 0; !err && !again && level <= top; level++) {
			for (size_t i = 0; !err && !again && i < n;) {
				size_t j = i;
				int at_level = 0;
				for (; j < n && j - i < INDEX_MERGE_MAX && segs[j].level <= level; j++)
					at_level += segs[j].level == level;
				if (at_level >= INDEX_MERGE) {
					err = index_merge(st, segs + i, (int)(j - i));
					again = true;
				}
				i = j > i ? j : i + 1;
			}
		}
		free(segs);
		if (err || !again)
			return err;
	}
}

/* The pairs the library's index holds as common, for a new build to bucket from its
 * first row (gi_build_mark_common): a process that imports one document would learn
 * them only from builds of its own, and never write a bucket. */
static int index_learn_common(struct store *st)
{
	sqlite3_stmt *s = stmt(st, Q_INDEX_COMMON);
	if (!s)
		return -1;
	sqlite3_bind_int(s, 1, GI_COMMON_SHARE);
	struct gi_build *gi = index_build(st);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		gi_build_mark_common(gi, (uint64_t)sqlite3_column_int64(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail_db(st, "reading the search index");
}

/* Adds the row built so far to search_rows and its postings to the build. */
static int index_row_flush(struct store *st, struct index_row *r)
{
	if (!r->open)
		return 0;
	r->open = false;
	sqlite3_stmt *s = stmt(st, Q_INDEX_ROW_ADD);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, r->doc);
	sqlite3_bind_int64(s, 2, r->first);
	if (step_done(st, s, "updating the search index") != 0)
		return -1;
	sqlite3_int64 id = sqlite3_last_insert_rowid(st->db);
	if (id >= GI_MAX_ROW)
		return fail(st, "%s: the search index is full (%lld rows)", st->path, (long long)id);
	if (!st->feed && (st->feed = index_feed_new()) && index_learn_common(st) != 0)
		return -1;
	/* by the build's size before the rows in hand, if any: a segment a few rows late
	 * (at most FEED_ROWS of 64 KB), and no wait for them. Postings of earlier imports
	 * of a batch are never written inside this one's savepoint (its rollback would
	 * lose them): they wait for its end (batch_flush) */
	if (index_feed_bytes(st->feed) > INDEX_BUILD_BYTES && !st->gi_mixed && index_build_flush(st) != 0)
		return -1;
	index_feed_add(st->feed, (uint32_t)id, &r->text);
	st->import_row_hi = (uint32_t)id;
	return 0;
}

/* One paragraph (in seq order) into the row; a full row goes to the index. */
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
	return r->text.len >= INDEX_ROW_BYTES ? index_row_flush(st, r) : 0;
}

/* The import's last row, its segment, and merges. */
static int index_commit(struct store *st)
{
	if (index_row_flush(st, st->row) != 0 || index_build_flush(st) != 0)
		return -1;
	return index_maintain(st);
}

/* Drops the import's row being filled. */
static void index_row_drop(struct store *st)
{
	if (st->row)
		sbuf_free(&st->row->text);
	free(st->row);
	st->row = NULL;
}

/* Drops the import's row and postings (also after a commit: nothing left then). */
static void index_row_free(struct store *st)
{
	index_row_drop(st);
	index_build_reset(st);
}

/* index_doc's callback and its context */
struct index_doc {
	struct store *st;	/* the library */
	struct index_row r;	/* the row being filled */
};

static int index_doc_para(void *ctx, const struct para *p)
{
	struct index_doc *d = ctx;
	return index_row_add(d->st, &d->r, p->seq, p->kind == PARA_NOISE, p->text, p->len) != 0 ? -1 : 0;
}

static int paras_walk(struct store *st, long doc, long from, long count, bool with_noise, bool backward,
		      int (*fn)(void *ctx, const struct para *p), void *ctx);

/* Indexes a document from its stored paragraphs (an upgrade). */
static int index_doc(struct store *st, long doc)
{
	struct index_doc d = { .st = st, .r = { .doc = doc } };
	int err = paras_walk(st, doc, 0, -1, true, false, index_doc_para, &d) != 0 ? -1 : index_row_flush(st, &d.r);
	sbuf_free(&d.r.text);
	return err;
}

/* Removes a document from the index: its rows (their postings go at the next merge). */
static int index_remove(struct store *st, long doc)
{
	sqlite3_stmt *s = stmt(st, Q_INDEX_ROWS_DELETE);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	return step_done(st, s, "updating the search index");
}

/* Libraries of schemas 2 to 6 hold an FTS5 index made with a tokenizer named "dugao";
 * dropping it needs a tokenizer of that name, though none ever runs. */
static int fts5_tok_create(void *user, const char **argv, int argc, Fts5Tokenizer **out)
{
	(void)user;
	(void)argv;
	(void)argc;
	static int stateless;
	*out = (Fts5Tokenizer *)&stateless;
	return SQLITE_OK;
}

static void fts5_tok_delete(Fts5Tokenizer *t)
{
	(void)t;
}

static int fts5_tok_tokenize(Fts5Tokenizer *t, void *ctx, int flags, const char *text, int n,
			     int (*token)(void *, int, const char *, int, int, int))
{
	(void)t, (void)ctx, (void)flags, (void)text, (void)n, (void)token;
	return SQLITE_OK;
}

static int search_drop_fts5(struct store *st)
{
	int present = 0;
	if (pragma_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'search_index'", &present) != 0)
		return -1;
	if (!present)
		return 0;
	fts5_api *api = NULL;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT fts5(?1)", -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_pointer(s, 1, &api, "fts5_api_ptr", NULL);
		sqlite3_step(s);
		sqlite3_finalize(s);
	}
	static fts5_tokenizer tok = { fts5_tok_create, fts5_tok_delete, fts5_tok_tokenize };
	if (!api || api->xCreateTokenizer(api, "dugao", NULL, &tok, NULL) != SQLITE_OK)
		return fail(st, "%s: this SQLite has no FTS5, which dropping the old search index needs", st->path);
	return exec(st, "DROP TABLE search_index", "upgrading the search index");
}

/* Builds the index for every document (the upgrade to schema 7). */
static int index_all(struct store *st)
{
	if (search_drop_fts5(st) != 0)
		return -1;
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM documents ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return fail_db(st, "building the search index");
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (index_doc(st, (long)sqlite3_column_int64(s, 0)) != 0)
			break;
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		index_build_reset(st);
		return rc == SQLITE_ROW ? -1 : fail_db(st, "building the search index");
	}
	return index_build_flush(st) != 0 || index_maintain(st) != 0 ? -1 : 0;
}

/* The older form of the outline's shape, still read (shape_decode): a format byte,
 * then per section (in seq order) seq, parent, level, para, offset, length and
 * in_paragraph, each as the difference from the previous section's, zigzag-encoded in
 * LEB128. */

static struct section_shape shape_of(const long v[SHAPE_FIELDS]);

static struct section_shape shape_of_section(const struct section *sec)
{
	long f[SHAPE_FIELDS] = { sec->seq, sec->parent, sec->level, sec->para, sec->offset, sec->length, sec->in_paragraph };
	return shape_of(f);
}

/* One section at the end of a shape being built (*v of *n, *cap allocated). */
static void shape_push(struct section_shape **v, size_t *n, size_t *cap, const struct section *sec)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = shape_of_section(sec);
}

/* Stores a shape blob (shape_encode's form) as a document's outline; frees it. */
static int shape_store_blob(struct store *st, long doc, struct sbuf *b)
{
	sqlite3_stmt *s = stmt(st, Q_SECTION_SHAPE_SET);
	int rc = -1;
	if (s) {
		sqlite3_bind_int64(s, 1, doc);
		sqlite3_bind_blob(s, 2, b->data ? b->data : "", (int)b->len, SQLITE_STATIC);
		rc = step_done(st, s, "storing the outline");
	}
	sbuf_free(b);
	return rc;
}

/* Stores the shape of a document's sections (in seq order) in the form shape.h reads. */
static int shape_store(struct store *st, long doc, const struct section_shape *secs, size_t n)
{
	struct sbuf b = { 0 };
	shape_encode(secs, n, &b);
	return shape_store_blob(st, doc, &b);
}

/* Stores the shape the import in progress built. */
static int shape_store_built(struct store *st)
{
	struct sbuf b = { 0 };
	shape_builder_finish(&st->shape, &b);
	return shape_store_blob(st, st->doc, &b);
}

/* Writes the shape of one document from its sections (upgrade). */
static int shape_doc(struct store *st, long doc)
{
	sqlite3_stmt *s = stmt(st, Q_SECTION_SHAPE_ROWS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	struct section_shape *secs = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct section sec = { .seq = (long)sqlite3_column_int64(s, 0), .parent = (long)sqlite3_column_int64(s, 1),
				       .level = sqlite3_column_int(s, 2), .para = (long)sqlite3_column_int64(s, 3),
				       .offset = (long)sqlite3_column_int64(s, 4), .length = (long)sqlite3_column_int64(s, 5),
				       .in_paragraph = sqlite3_column_int(s, 6) != 0 };
		shape_push(&secs, &n, &cap, &sec);
	}
	sqlite3_reset(s);
	rc = rc == SQLITE_DONE ? shape_store(st, doc, secs, n) : fail_db(st, "storing the outline");
	free(secs);
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

/* 10 -> 11 (migrations[10] says why): the tables of sections' text, filled from the
 * rows; each document's terms and their hits in one row of term_lists. A section's
 * byte is at its place in seq order, as in its shape (made from the same rows, or by
 * the import). */
static const char layout11_sections[] =
	"CREATE TABLE section_marks ("
	"  doc INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
	"  marks BLOB NOT NULL);"
	"CREATE TABLE section_apart ("
	"  doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  marker TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  PRIMARY KEY (doc, seq)) WITHOUT ROWID;"
	/* held: the paragraph has the text (marker or title NULL, as Q_SECTIONS read it) */
	"INSERT INTO section_apart SELECT doc, seq,"
	"  CASE WHEN held THEN substr(ifnull(text, ''), max(offset, 0) + 1, max(marker_chars, 0)) ELSE marker END,"
	"  CASE WHEN held THEN substr(ifnull(text, ''), max(offset, 0) + max(marker_chars, 0) + 1,"
	"    max(length - max(marker_chars, 0), 0)) ELSE title END"
	"  FROM (SELECT s.*, p.text, s.marker IS NULL OR s.title IS NULL AS held"
	"    FROM sections s LEFT JOIN paragraphs p ON p.id = (s.doc << 32) + s.para)"
	"  WHERE NOT held OR marker_chars NOT BETWEEN 0 AND 254 ORDER BY doc, seq;";
static const char layout11_terms[] =
	"DROP TABLE sections;"
	"CREATE TABLE term_lists ("
	"  doc INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,"
	"  terms BLOB NOT NULL,"
	"  hits BLOB NOT NULL);";

static void term_put_u32(struct sbuf *b, uint32_t v);
static void term_list_put(struct sbuf *b, const char *text, const char *kind, double score, long long count);
static int term_list_store(struct store *st, long doc, const struct sbuf *terms, const struct sbuf *hits);

/* 10 -> 11: each document's terms rows into its row of term_lists (as an import
 * writes it), then the table goes. */
static int layout11_term_lists(struct store *st)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT doc, text, kind, score, count, hits FROM terms WHERE hits IS NOT NULL "
			       "ORDER BY doc, score DESC, count DESC, text", -1, &s, NULL) != SQLITE_OK)
		return fail_db(st, "upgrading the terms");
	struct sbuf terms = { 0 }, offsets = { 0 }, data = { 0 };
	long doc = -1;
	uint32_t n = 0;
	int rc;
	bool failed = false;
	for (;;) {
		rc = sqlite3_step(s);
		long d = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
		if (d != doc && doc >= 0) {
			struct sbuf hits = { 0 };
			term_put_u32(&hits, n);
			sbuf_append(&hits, offsets.data, offsets.len);
			term_put_u32(&hits, (uint32_t)data.len);
			if (data.len)
				sbuf_append(&hits, data.data, data.len);
			failed = data.len > UINT32_MAX || term_list_store(st, doc, &terms, &hits) != 0;
			sbuf_free(&hits);
			if (failed)
				break;
			sbuf_reset(&terms);
			sbuf_reset(&offsets);
			sbuf_reset(&data);
			n = 0;
		}
		if (rc != SQLITE_ROW)
			break;
		doc = d;
		const char *text = (const char *)sqlite3_column_text(s, 1), *kind = (const char *)sqlite3_column_text(s, 2);
		term_list_put(&terms, text ? text : "", kind ? kind : "", sqlite3_column_double(s, 3),
			      sqlite3_column_int64(s, 4));
		term_put_u32(&offsets, (uint32_t)data.len);
		if (sqlite3_column_bytes(s, 5) > 0)
			sbuf_append(&data, sqlite3_column_blob(s, 5), (size_t)sqlite3_column_bytes(s, 5));
		n++;
	}
	sqlite3_finalize(s);
	sbuf_free(&terms);
	sbuf_free(&offsets);
	sbuf_free(&data);
	if (failed || rc != SQLITE_DONE)
		return failed ? -1 : fail_db(st, "upgrading the terms");
	return exec(st, "DROP TABLE terms", "upgrading the terms");
}

static int layout11(struct store *st)
{
	sqlite3_stmt *s = NULL, *ins = NULL;
	if (exec(st, layout11_sections, "upgrading the outlines") != 0)
		return -1;
	if (sqlite3_prepare_v2(st->db, "SELECT doc, CASE WHEN (marker IS NULL OR title IS NULL) AND marker_chars BETWEEN 0 AND 254 "
			       "THEN marker_chars ELSE 255 END FROM sections ORDER BY doc, seq", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "INSERT INTO section_marks (doc, marks) VALUES (?1, ?2)", -1, &ins, NULL) != SQLITE_OK) {
		sqlite3_finalize(s);
		return fail_db(st, "upgrading the outlines");
	}
	_Static_assert(SECTION_APART == 255, "the byte of a section apart");
	struct sbuf marks = { 0 };
	long doc = -1;
	int rc;
	bool failed = false;
	for (;;) {
		rc = sqlite3_step(s);
		long d = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : -1;
		if (d != doc && doc >= 0) {
			sqlite3_bind_int64(ins, 1, doc);
			sqlite3_bind_blob(ins, 2, marks.data ? marks.data : "", (int)marks.len, SQLITE_STATIC);
			if (step_done(st, ins, "upgrading the outlines") != 0) {
				failed = true;
				break;
			}
			sbuf_reset(&marks);
		}
		if (rc != SQLITE_ROW)
			break;
		doc = d;
		char c = (char)sqlite3_column_int(s, 1);
		sbuf_append(&marks, &c, 1);
	}
	sbuf_free(&marks);
	sqlite3_finalize(s);
	sqlite3_finalize(ins);
	if (failed || rc != SQLITE_DONE)
		return failed ? -1 : fail_db(st, "upgrading the outlines");
	return exec(st, layout11_terms, "upgrading the terms") != 0 ? -1 : layout11_term_lists(st);
}

/* 7 -> 8: the tables still in the old layout to the new one (paragraphs first: the
 * sections' conversion reads them). */
static int layout_all(struct store *st)
{
	for (size_t i = 0; i < sizeof layout8 / sizeof *layout8; i++) {
		int old = 0;
		if (pragma_int(st, layout8[i][0], &old) != 0)
			return -1;
		if (old && exec(st, layout8[i][1], "upgrading the library") != 0)
			return -1;
	}
	return 0;
}

static int block_add(struct store *st, sqlite3_int64 id, int kind, long section, long line, const char *text,
		     size_t len);
static int block_flush(struct store *st);

/* 12 -> 13: the paragraphs' rows (in the layout of schema 8) packed into para_blocks;
 * the old table is dropped once every step that reads it has run. */
static int blocks_all(struct store *st)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, "SELECT id, kind, section, line, text FROM paragraphs ORDER BY id", -1, &s, NULL) !=
	    SQLITE_OK)
		return fail_db(st, "upgrading the paragraphs");
	int rc, err = 0;
	while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(s, 1);
		err = block_add(st, sqlite3_column_int64(s, 0), kind < 0 || kind >= PARA_KIND_COUNT ? PARA_BODY : kind,
				(long)sqlite3_column_int64(s, 2), (long)sqlite3_column_int64(s, 3),
				(const char *)sqlite3_column_blob(s, 4), (size_t)sqlite3_column_bytes(s, 4));
	}
	if (!err && rc != SQLITE_DONE)
		err = fail_db(st, "upgrading the paragraphs");
	sqlite3_finalize(s);
	if (!err)
		err = block_flush(st);
	st->block_n = 0;
	sbuf_reset(&st->block);
	return err;
}

/* Brings the schema up to date: 0 when it was, 2 when it upgraded it, -1 on error, or 1
 * when it is older and the library was opened only to read (store_open then upgrades it
 * through a writing connection). */
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
		/* a new library: pages of 16 KB, not 4, make a quarter of the log frames, writes
		 * and checkpoint copies for the same text (an import writes ~4x its input);
		 * only an empty file takes it, so an old library keeps its size */
		if (mode == STORE_WRITE && exec(st, "PRAGMA page_size = " LIBRARY_PAGE_SIZE, "setting up the library") != 0)
			return -1;
	}
	if (mode == STORE_READ) {
		fail(st, "%s: the library needs an upgrade (schema %d to %d)", st->path, version, SCHEMA_VERSION);
		return 1;
	}
	if (exec(st, "BEGIN IMMEDIATE", "upgrading the library") != 0)
		return -1;
	for (int v = version; v < SCHEMA_VERSION; v++)
		if (exec(st, migrations[v], "upgrading the library") != 0) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return -1;
		}
	/* before the steps below, which read the tables in their new layout */
	if (version < 8 && layout_all(st) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (version < 13 && blocks_all(st) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (version < 9 && index_all(st) != 0) {
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
	/* last: it reads the sections' rows and the terms the steps above wrote */
	if (version < 11 && layout11(st) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	if (version < 13 && exec(st, "DROP TABLE paragraphs", "upgrading the library") != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
	if (exec(st, sql, "upgrading the library") != 0 || exec(st, "COMMIT", "upgrading the library") != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 2;
}

/* A checkpoint every 32 MB of log, not 4: pages that every import rewrites (index and
 * table ends) reach the library file less often. */
enum { CHECKPOINT_BYTES = 32 << 20 };

/* A checkpoint (copying the log into the library file: a third of an import's writes
 * and reads, and a wait for the disk) runs on a thread with a connection of its own,
 * so that the import goes on meanwhile: SQLite lets a checkpoint run beside the
 * writer, copying the frames committed when it began. Between checkpoints the thread
 * starts the disk on what the log and the library file hold (flush_files): a
 * checkpoint syncs both, and with hundreds of MB unwritten (a big file's one
 * transaction) that sync waited ~0.3 s on the disk, with nothing else to do. */
struct checkpointer {
	pthread_t thread;	/* runs checkpointer_main */
	pthread_mutex_t lock;	/* guards wanted and stop */
	pthread_cond_t wake;	/* signalled when either is set */
	pthread_cond_t idle;	/* signalled when a checkpoint is done */
	bool wanted;		/* a checkpoint is due */
	bool running;		/* one is being made */
	bool stop;		/* the store is closing */
	sqlite3 *db;		/* its connection to the library */
	char *path;		/* the library file */
	int fd[2];		/* the library file and its log, read-only, for flush_files; -1: not open */
};

/* How often the files' new pages are handed to the disk. */
enum { FLUSH_MS = 25 };

/* Starts the disk writing the pages of the library and its log that are not on it yet,
 * without waiting (Linux; elsewhere the checkpoint's sync does it all). */
static void flush_files(struct checkpointer *c)
{
#ifdef SYNC_FILE_RANGE_WRITE
	for (int i = 0; i < 2; i++) {
		if (c->fd[i] < 0) {
			char log[PATH_MAX];
			snprintf(log, sizeof log, "%s%s", c->path, i ? "-wal" : "");
			c->fd[i] = open(log, O_RDONLY | O_CLOEXEC);
		}
		if (c->fd[i] >= 0)
			sync_file_range(c->fd[i], 0, 0, SYNC_FILE_RANGE_WRITE);
	}
#else
	(void)c;
#endif
}

static void *checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->wanted && !c->stop) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += FLUSH_MS * 1000000L;
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
			if (pthread_cond_timedwait(&c->wake, &c->lock, &until) == ETIMEDOUT) {
				pthread_mutex_unlock(&c->lock);
				flush_files(c);
				pthread_mutex_lock(&c->lock);
			}
		}
		/* one still due at close is left to the closing writer's own checkpoint */
		if (c->stop)
			break;
		c->wanted = false;
		c->running = true;
		pthread_mutex_unlock(&c->lock);
		sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&c->lock);
		c->running = false;
		pthread_cond_broadcast(&c->idle);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static void checkpointer_free(struct checkpointer *c)
{
	sqlite3_close(c->db);
	for (int i = 0; i < 2; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	free(c->path);
	pthread_cond_destroy(&c->wake);
	pthread_cond_destroy(&c->idle);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* The thread, with its connection open and the log found; NULL when it cannot be. */
static struct checkpointer *checkpointer_start(const char *path)
{
	if (!sqlite3_threadsafe())
		return NULL;
	struct checkpointer *c = xcalloc(1, sizeof *c);
	c->path = xstrdup(path);
	c->fd[0] = c->fd[1] = -1;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_cond_init(&c->idle, NULL);
	/* (reading the header opens the log: a connection that never read checkpoints nothing) */
	if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(c->db, "PRAGMA schema_version", NULL, NULL, NULL) != SQLITE_OK ||
	    pthread_create(&c->thread, NULL, checkpointer_main, c) != 0) {
		checkpointer_free(c);
		return NULL;
	}
	return c;
}

static void checkpointer_stop(struct checkpointer *c)
{
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	checkpointer_free(c);
}

/* Log frames past which the writer copies the rest itself (CHECKPOINT_BYTES times
 * this): the log starts again from its head only when a writer begins and all of it
 * is copied, which a checkpoint beside a writer that commits a batch a second seldom
 * leaves, and a 155 MB import grew it to 700 MB (each page read looks it up). */
enum { CHECKPOINT_LOG_MAX = 4 };

/* The store's checkpointer, started at the first call; NULL when it cannot start (then
 * checkpoints run on this thread). */
static struct checkpointer *checkpointer_of(struct store *st)
{
	if (!st->checkpointer && !st->checkpoint_inline &&
	    !(st->checkpointer = checkpointer_start(st->path)))
		st->checkpoint_inline = true;
	return st->checkpointer;
}

/* Asks for a checkpoint of the log: on the checkpointer's thread, or on this one when
 * the thread could not start or the log is past its bound (then after the thread's). */
static void checkpoint_soon(struct store *st)
{
	struct checkpointer *c = checkpointer_of(st);
	if (c) {
		pthread_mutex_lock(&c->lock);
		if (st->wal_frames < CHECKPOINT_LOG_MAX * st->checkpoint_frames) {
			c->wanted = true;
			pthread_cond_signal(&c->wake);
			pthread_mutex_unlock(&c->lock);
			return;
		}
		while (c->wanted || c->running)
			pthread_cond_wait(&c->idle, &c->lock);
		pthread_mutex_unlock(&c->lock);
	}
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* SQLite's wal_autocheckpoint, except while a batch commits: that checkpoint comes
 * after the batch's lines are printed (store_checkpoint), so a kill in between does
 * not leave a batch stored but unannounced. */
static int on_wal_commit(void *ctx, sqlite3 *db, const char *name, int frames)
{
	(void)db;
	(void)name;
	struct store *st = ctx;
	st->wal_frames = frames;
	if (!st->hold_checkpoint && frames >= st->checkpoint_frames)
		checkpoint_soon(st);
	return SQLITE_OK;
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
	int migrated = -1;
	if (exec(st, "PRAGMA foreign_keys = ON", "setting up the library") != 0 || (migrated = migrate(st, mode)) < 0) {
		snprintf(err, errlen, "%s", st->error);
		goto fail;
	}
	if (migrated == 1) {
		/* A library of an older dugao opened only to read: upgrade it once, so that
		 * reading after an update needs no import first. */
		struct store *w;
		char why[512];
		snprintf(err, errlen, "%s", st->error);
		/* closed first: the writer, as the last connection, checkpoints its log */
		store_close(st);
		if (store_open(path, STORE_WRITE, &w, why, sizeof why) != 0) {
			size_t at = strlen(err);
			snprintf(err + at, errlen - at, ", and it cannot be upgraded here: %s", why);
			return -1;
		}
		store_close(w);
		return store_open(path, mode, out, err, errlen);
	}
	/* WAL lets a reader stay open while another process imports. Only after migrate
	 * has checked the file: switching rewrites the header of someone else's database. */
	if (mode == STORE_WRITE) {
		if (exec(st, "PRAGMA journal_mode = WAL", "setting up the library") != 0) {
			snprintf(err, errlen, "%s", st->error);
			goto fail;
		}
		exec(st, "PRAGMA synchronous = NORMAL", "setting up the library");
		int page_size = 4096;
		pragma_int(st, "PRAGMA page_size", &page_size);
		st->checkpoint_frames = CHECKPOINT_BYTES / (page_size > 0 ? page_size : 4096);
		sqlite3_wal_hook(st->db, on_wal_commit, st);
		/* the journals of a batch's savepoints in memory, not spilled to a temporary
		 * file past 64 KB: they hold the pages an import changed that were there
		 * before it (a few dozen), and a temporary file's writes cost CPU */
		exec(st, "PRAGMA temp_store = MEMORY", "setting up the library");
		/* SQLite's own default, not Debian's (SECURE_DELETE, every freed page zeroed: a
		 * merge frees the pages of the segments it read, 6% more writes in an import of
		 * 175 MB), nor FAST: that zeroes each new page and freed cell in memory, 8% of
		 * the writer thread's instructions (memset from zeroPage and freeSpace). What a
		 * removal frees is overwritten by later writes, as with SQLite's default. */
		exec(st, "PRAGMA secure_delete = OFF", "setting up the library");
		/* a log that grew past 64 MB (an upgrade, a big file) is cut back once it is
		 * checkpointed: a reader that opens first scans the whole log file */
		exec(st, "PRAGMA journal_size_limit = 67108864", "setting up the library");
		if (migrated == 2)
			exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", "setting up the library");
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

int store_read_hold(struct store *st, bool hold)
{
	if (hold == !sqlite3_get_autocommit(st->db))
		return 0;
	return exec(st, hold ? "BEGIN" : "COMMIT", "reading the library");
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->doc >= 0 || st->batch)
		store_batch_rollback(st);
	for (int i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(st->stmts[i]);
	for (int i = 0; i < HIT_CACHE; i++)
		free(st->hit_cache[i].v);
	shape_free(st->texts_shape);
	index_feed_free(st->feed);
	/* closed before the writer, which as the last connection checkpoints what is left */
	if (st->checkpointer)
		checkpointer_stop(st->checkpointer);
	sqlite3_close(st->db);
	sbuf_free(&st->block);
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

/* The rows keyed doc << 32 | n, which no foreign key removes. */
static int delete_doc_rows(struct store *st, long doc, const char *what)
{
	char sql[256];
	snprintf(sql, sizeof sql, "DELETE FROM para_blocks WHERE id BETWEEN %ld << 32 AND (%ld << 32) + 4294967295;"
		 "DELETE FROM originals WHERE id BETWEEN %ld << 32 AND (%ld << 32) + 4294967295;", doc, doc, doc, doc);
	return exec(st, sql, what);
}

/* Removes a document's rows, in the transaction open: its search rows (their postings
 * go at the next merge; AUTOINCREMENT gives their ids to no later row), its row, with
 * what refers to it, and its rows keyed by document. */
static int doc_remove(struct store *st, long doc, const char *what)
{
	char sql[96];
	snprintf(sql, sizeof sql, "DELETE FROM documents WHERE id = %ld", doc);
	return index_remove(st, doc) != 0 || exec(st, sql, what) != 0 || delete_doc_rows(st, doc, what) != 0 ? -1 : 0;
}

/* Runs a prepared statement that takes no parameters and returns no rows. */
static int run_stmt(struct store *st, enum stmt_id id, const char *what)
{
	sqlite3_stmt *s = stmt(st, id);
	return s ? step_done(st, s, what) : -1;
}

/* Clears what a re-parse rebuilds; the reading position and marks stay. All of a new
 * document's rows but its own, which it does not have before its commit. */
static int clear_parsed(struct store *st, long doc, const char *what)
{
	static const char *const tables[] = { "section_marks", "section_apart", "term_lists", "outline_shapes" };
	if (index_remove(st, doc) != 0)
		return -1;
	for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "DELETE FROM %s WHERE doc = %ld", tables[i], doc);
		if (exec(st, sql, what) != 0)
			return -1;
	}
	return delete_doc_rows(st, doc, what);
}

int store_import_begin(struct store *st, const struct import_meta *m, long replace_id, long *id)
{
	if (st->doc >= 0)
		return fail(st, "an import is already in progress");
	st->import_row_hi = 0;
	st->gi_mixed = false;
	/* from the first import on, so that it flushes the files (flush_files) */
	checkpointer_of(st);
	if (st->batch) {
		if (sqlite3_get_autocommit(st->db))
			return fail(st, "%s: the batch of imports was rolled back by an error before this file", st->path);
		/* the batch's postings so far go to a segment now, outside this import's
		 * savepoint, when its own might take the build past its budget */
		if (st->feed && index_feed_rows(st->feed)) {
			/* (without waiting for the rows in hand: a few rows late at most) */
			if (index_feed_bytes(st->feed) + INDEX_GROWTH * (size_t)m->bytes > INDEX_BUILD_BYTES &&
			    index_build_flush(st) != 0) {
				/* the build is lost: so is the batch (its commit says so) */
				sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
				index_build_reset(st);
				return -1;
			}
			st->gi_mixed = index_feed_rows(st->feed);
		}
	}
	/* In a batch, a new document's rows are removed by hand if its import fails
	 * (doc_remove), not rolled back to a savepoint: a savepoint copies every page the
	 * import changes that was there before it (the tables' last pages, 16 KB each)
	 * into its journal, a tenth of storing a small document. Replacing a document
	 * needs one, to bring the old back. */
	st->savepoint = st->batch && replace_id >= 0;
	if (!st->batch && run_stmt(st, Q_BEGIN, "starting the import") != 0)
		return -1;
	if (!st->batch && run_stmt(st, Q_DEFER_FOREIGN_KEYS, "starting the import") != 0)
		goto fail;
	if (st->savepoint && run_stmt(st, Q_SAVEPOINT, "starting the import") != 0)
		return -1;
	sqlite3_stmt *s;
	if (replace_id >= 0) {
		if (clear_parsed(st, replace_id, "replacing the document") != 0 || !(s = stmt(st, Q_DOC_REUSE)))
			goto fail;
		sqlite3_bind_int64(s, 5, replace_id);
		sqlite3_bind_text(s, 1, m->source, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, m->sha256, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, m->encoding, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, m->bytes);
		if (step_done(st, s, "adding the document") != 0)
			goto fail;
		st->doc = replace_id;
	} else {
		/* A new document's row is written at commit, with its counts, not here and
		 * updated then: written here, its page was the first of a long import's log
		 * and rewritten at the end, and SQLite then checksums the log again from
		 * there at commit (big.txt: 200 MB read back and summed, a tenth of the
		 * writer's work). Its id is taken now; its other rows refer to it before
		 * (foreign keys deferred to the commit, Q_DEFER_FOREIGN_KEYS). */
		if (!(s = stmt(st, Q_DOC_NEXT_ID)))
			goto fail;
		int rc = sqlite3_step(s);
		st->doc = rc == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : 0;
		sqlite3_reset(s);
		if (rc != SQLITE_ROW) {
			fail_db(st, "adding the document");
			goto fail;
		}
		size_t ls = strlen(m->source) + 1, lh = strlen(m->sha256) + 1, le = strlen(m->encoding) + 1;
		st->new_row = xmalloc(ls + lh + le);
		memcpy(st->new_row, m->source, ls);
		memcpy(st->new_row + ls, m->sha256, lh);
		memcpy(st->new_row + ls + lh, m->encoding, le);
		st->new_bytes = m->bytes;
	}
	st->paragraphs = st->sections = 0;
	st->chars = 0;
	st->row = xcalloc(1, sizeof *st->row);
	*st->row = (struct index_row){ .doc = st->doc };
	st->original_bytes = m->bytes;
	st->original_at = 0;
	st->original_chunks = 0;
	shape_builder_free(&st->shape);
	st->shape_unordered = false;
	*id = st->doc;
	return 0;
fail:
	st->doc = 0;	/* so that rollback runs */
	store_import_rollback(st);
	return -1;
}

/* The original bytes of a small document in rows of at most ORIGINAL_ROW bytes, which
 * pack the table's pages (eight a 16 KB page, two a 4 KB one), not one row of 7-24 KB
 * each, of which a 16 KB page holds one and a part unused (a sixth of the table);
 * pieces from ORIGINAL_WHOLE bytes on (a long document) stay one row. */
enum { ORIGINAL_ROW = 2016, ORIGINAL_WHOLE = 64 << 10 };

int store_import_original(struct store *st, long long offset, const void *data, size_t n)
{
	if (st->doc < 0)
		return fail(st, "no import in progress");
	if (n == 0)
		return 0;
	/* in order, each byte written once */
	if (offset != st->original_at || n > INT_MAX || (long long)n > st->original_bytes - offset)
		return fail(st, "the file changed size while it was being imported");
	sqlite3_stmt *s = stmt(st, Q_ORIGINAL_INSERT);
	if (!s)
		return -1;
	/* a piece of a few KB in rows of ORIGINAL_ROW; a longer one in one row, whose
	 * overflow pages SQLite fills */
	size_t chunk = n < ORIGINAL_WHOLE ? ORIGINAL_ROW : n;
	for (size_t at = 0; at < n;) {
		size_t k = n - at > chunk ? chunk : n - at;
		sqlite3_bind_int64(s, 1, ((sqlite3_int64)st->doc << 32) + st->original_chunks);
		sqlite3_bind_blob(s, 2, (const char *)data + at, (int)k, SQLITE_STATIC);
		if (step_done(st, s, "storing the original bytes") != 0)
			return -1;
		at += k;
		st->original_at += (long long)k;
		st->original_chunks++;
	}
	return 0;
}

/* Whether the paragraph text holds the section's marker and title at its offset, so
 * that the store need not; *marker_chars splits the two. */
static bool section_in_text(const struct section *sec, const char *text, size_t len, long *marker_chars)
{
	const char *m = sec->marker ? sec->marker : "", *t = sec->title ? sec->title : "";
	size_t ml = strlen(m), tl = strlen(t);
	*marker_chars = (long)utf8_count(m, ml);
	if (!text || sec->offset < 0 || sec->length < *marker_chars)
		return false;
	size_t a = utf8_offset(text, len, (size_t)sec->offset);
	/* the bytes there are marker and title: then their characters are the section's
	 * (counted, not walked a character at a time: sections_flush was 10% of the main
	 * thread's work, now 7%) */
	return ml + tl <= len - a && memcmp(text + a, m, ml) == 0 && memcmp(text + a + ml, t, tl) == 0 &&
	       utf8_count(t, tl) == (size_t)(sec->length - *marker_chars);
}

/* Marker and title of a section whose row left them to its paragraph. */
static void section_from_text(const char *text, size_t len, long offset, long length, long marker_chars,
			      struct sbuf *marker, struct sbuf *title)
{
	if (offset < 0)
		offset = 0;
	if (marker_chars < 0)
		marker_chars = 0;
	if (length < marker_chars)
		length = marker_chars;
	size_t a = utf8_offset(text, len, (size_t)offset), b = utf8_offset(text, len, (size_t)(offset + marker_chars));
	size_t c = utf8_offset(text, len, (size_t)(offset + length));
	sbuf_reset(marker);
	sbuf_append(marker, text + a, b - a);
	sbuf_reset(title);
	sbuf_append(title, text + b, c - b);
}

/* Stores a section's text, its numbers being in the shape: its byte of section_marks,
 * and a row of section_apart unless its paragraph holds marker and title (text: the
 * paragraph's, NULL when unknown). */
static int section_insert(struct store *st, const struct section *sec, const char *text, size_t len)
{
	long marker_chars;
	bool held = section_in_text(sec, text, len, &marker_chars);
	char mark = (char)(held && marker_chars < SECTION_APART ? marker_chars : SECTION_APART);
	sbuf_append(&st->marks, &mark, 1);
	if ((unsigned char)mark != SECTION_APART)
		return 0;
	sqlite3_stmt *s = stmt(st, Q_SECTION_APART_ADD);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, st->doc);
	sqlite3_bind_int64(s, 2, sec->seq);
	sqlite3_bind_text(s, 3, sec->marker ? sec->marker : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, sec->title ? sec->title : "", -1, SQLITE_STATIC);
	return step_done(st, s, "storing a heading");
}

/* Stores the pending sections of paragraphs up to seq (text: paragraph seq's), all of
 * them when seq < 0. */
static int sections_flush(struct store *st, long seq, const char *text, size_t len)
{
	size_t done = 0;
	int rc = 0;
	for (; done < st->npending && rc == 0; done++) {
		struct section sec = st->pending[done];
		if (seq >= 0 && sec.para > seq)
			break;
		sec.marker = st->pending_text.data + st->pending_at[done];
		sec.title = sec.marker + strlen(sec.marker) + 1;
		rc = section_insert(st, &sec, sec.para == seq ? text : NULL, len);
	}
	if (done) {
		memmove(st->pending, st->pending + done, (st->npending - done) * sizeof *st->pending);
		memmove(st->pending_at, st->pending_at + done, (st->npending - done) * sizeof *st->pending_at);
		st->npending -= done;
		if (!st->npending)
			sbuf_reset(&st->pending_text);
	}
	return rc;
}

static void sections_free(struct store *st)
{
	free(st->pending);
	st->pending = NULL;
	free(st->pending_at);
	st->pending_at = NULL;
	sbuf_free(&st->pending_text);
	st->npending = st->pending_cap = 0;
	shape_builder_free(&st->shape);
	free(st->loose);
	st->loose = NULL;
	st->nloose = st->loose_cap = 0;
	st->shape_unordered = false;
	sbuf_free(&st->marks);
}

/* zigzag: a signed number as an unsigned one, small either side of 0 (a section -1) */
static unsigned long long zigzag(long v)
{
	return ((unsigned long long)v << 1) ^ (unsigned long long)(v >> (sizeof v * 8 - 1));
}

static long unzigzag(unsigned long long u)
{
	return (long)(u >> 1) ^ -(long)(u & 1);
}

/* Appends a paragraph to a row of para_blocks being made: its kind, section and line,
 * its text's bytes, the text and a NUL (read in place as a C string). */
static void block_put(struct sbuf *b, int kind, long section, long line, const char *text, size_t len)
{
	sbuf_put_varint(b, (unsigned long long)kind);
	sbuf_put_varint(b, zigzag(section));
	sbuf_put_varint(b, zigzag(line));
	sbuf_put_varint(b, len);
	sbuf_append(b, text, len);
	sbuf_append(b, "", 1);
}

/* Stores the row of paragraphs being made, if any. */
static int block_flush(struct store *st)
{
	if (st->block_n == 0)
		return 0;
	st->block_n = 0;
	sqlite3_stmt *s = stmt(st, Q_BLOCK_INSERT);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, st->block_id);
	sqlite3_bind_blob(s, 2, st->block.data, (int)st->block.len, SQLITE_STATIC);
	int rc = step_done(st, s, "storing paragraphs");
	sbuf_reset(&st->block);
	return rc;
}

static size_t varint_size(unsigned long long v)
{
	size_t k = 1;
	for (; v > 0x7f; v >>= 7)
		k++;
	return k;
}

/* Adds paragraph id (doc << 32 | seq) to the row being made, which is stored first
 * when the paragraph does not follow its last or would take it past BLOCK_BYTES. */
static int block_add(struct store *st, sqlite3_int64 id, int kind, long section, long line, const char *text,
		     size_t len)
{
	size_t size = varint_size((unsigned long long)kind) + varint_size(zigzag(section)) + varint_size(zigzag(line)) +
		      varint_size(len) + len + 1;
	if (st->block_n > 0 && (id != st->block_id + st->block_n || st->block.len + size > BLOCK_BYTES) &&
	    block_flush(st) != 0)
		return -1;
	if (st->block_n == 0)
		st->block_id = id;
	block_put(&st->block, kind, section, line, text, len);
	if (++st->block_n == BLOCK_PARAS)
		return block_flush(st);
	return 0;
}

int store_import_paragraph(struct store *st, const struct para *p)
{
	if (p->seq < 0 || p->seq > 0xffffffffL)
		return fail(st, "paragraph %ld: out of range", p->seq);
	if (p->len > INT_MAX / 2)
		return fail(st, "paragraph %ld: too long", p->seq);
	int kind = (unsigned)p->kind < PARA_KIND_COUNT ? (int)p->kind : PARA_BODY;
	if (block_add(st, ((sqlite3_int64)st->doc << 32) + p->seq, kind, p->section, p->line, p->text, p->len) != 0 ||
	    (st->npending && sections_flush(st, p->seq, p->text, p->len) != 0) ||
	    index_row_add(st, st->row, p->seq, p->kind == PARA_NOISE, p->text, p->len) != 0)
		return -1;
	if (p->kind != PARA_NOISE) {
		st->paragraphs++;
		st->chars += (long long)utf8_count(p->text, p->len);
	}
	return 0;
}

/* The first section out of seq order: those the builder holds (seq == index) go to
 * loose, where all the others follow. */
static void sections_loosen(struct store *st)
{
	struct sbuf b = { 0 };
	size_t n = st->shape.n;
	shape_builder_finish(&st->shape, &b);
	struct shape *sh = shape_open((unsigned char *)sbuf_take(&b), b.len);
	st->loose_cap = n + 64;
	st->loose = xrealloc(st->loose, st->loose_cap * sizeof *st->loose);
	for (size_t i = 0; sh && i < n && i < shape_count(sh); i++)
		st->loose[st->nloose++] = shape_section(sh, i);
	shape_free(sh);
	st->shape_unordered = true;
}

/* Sorts by seq the sections that came out of order (ties kept as they came). */
static int loose_cmp(const void *a, const void *b)
{
	const struct section_shape *x = *(struct section_shape *const *)a, *y = *(struct section_shape *const *)b;
	return x->seq != y->seq ? (x->seq < y->seq ? -1 : 1) : (x < y ? -1 : x > y);
}

/* Stores the shape and the marks of sections that came out of seq order, sorted by seq:
 * each mark is at its section's place in loose (sections are stored as they came). */
static int sections_unordered_store(struct store *st, struct sbuf *marks)
{
	size_t n = st->nloose;
	if (st->marks.len != n)
		return fail(st, "storing the outline: %zu sections, %zu stored", n, st->marks.len);
	const struct section_shape **by = xmalloc((n ? n : 1) * sizeof *by);
	for (size_t i = 0; i < n; i++)
		by[i] = &st->loose[i];
	qsort(by, n, sizeof *by, loose_cmp);
	struct section_shape *v = xmalloc((n ? n : 1) * sizeof *v);
	sbuf_reset(marks);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && by[i]->seq == by[i - 1]->seq)
			rc = fail(st, "storing the outline: section %ld given twice", (long)by[i]->seq);
		v[i] = *by[i];
		sbuf_append(marks, st->marks.data + (by[i] - st->loose), 1);
	}
	free(by);
	rc = rc ? rc : shape_store(st, st->doc, v, n);
	free(v);
	return rc;
}

/* Stores the import's outline: its shape and its sections' marks. */
static int sections_store(struct store *st)
{
	struct sbuf sorted = { 0 };
	int rc = st->shape_unordered ? sections_unordered_store(st, &sorted) : shape_store_built(st);
	const struct sbuf *m = st->shape_unordered ? &sorted : &st->marks;
	sqlite3_stmt *s = rc ? NULL : stmt(st, Q_SECTION_MARKS_SET);
	if (s) {
		sqlite3_bind_int64(s, 1, st->doc);
		sqlite3_bind_blob(s, 2, m->data ? m->data : "", (int)m->len, SQLITE_STATIC);
		rc = step_done(st, s, "storing the outline");
	} else {
		rc = -1;
	}
	sbuf_free(&sorted);
	return rc;
}

/* A section comes before its paragraph: it waits for that paragraph's text. */
int store_import_section(struct store *st, const struct section *sec)
{
	if (st->doc < 0)
		return fail(st, "no import in progress");
	if (st->npending == st->pending_cap) {
		st->pending_cap = st->pending_cap ? st->pending_cap * 2 : 8;
		st->pending = xrealloc(st->pending, st->pending_cap * sizeof *st->pending);
		st->pending_at = xrealloc(st->pending_at, st->pending_cap * sizeof *st->pending_at);
	}
	st->pending_at[st->npending] = st->pending_text.len;
	const char *marker = sec->marker ? sec->marker : "", *title = sec->title ? sec->title : "";
	sbuf_append(&st->pending_text, marker, strlen(marker) + 1);
	sbuf_append(&st->pending_text, title, strlen(title) + 1);
	struct section *c = &st->pending[st->npending++];
	*c = *sec;
	c->marker = c->title = NULL;	/* in pending_text */
	/* the builder takes sections in seq order from 0; any other order is sorted at
	 * the end (sections_unordered_store) */
	if (!st->shape_unordered && sec->seq != (long)st->shape.n)
		sections_loosen(st);
	if (st->shape_unordered) {
		if (st->nloose == st->loose_cap) {
			st->loose_cap = st->loose_cap ? st->loose_cap * 2 : 64;
			st->loose = xrealloc(st->loose, st->loose_cap * sizeof *st->loose);
		}
		st->loose[st->nloose++] = shape_of_section(sec);
	} else {
		struct section_shape sh = shape_of_section(sec);
		shape_builder_add(&st->shape, &sh);
	}
	st->sections++;
	return 0;
}

int store_import_title(struct store *st, const char *title)
{
	if (st->doc < 0)
		return fail(st, "no import in progress");
	free(st->title);
	st->title = xstrdup(title);
	return 0;
}

/* FNV-1a, for the import's terms by text */
static size_t term_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ h >> 29);
}

int store_import_term(struct store *st, const char *text, const char *kind, double score, long *term_id)
{
	if (st->doc < 0)
		return fail(st, "no import in progress");
	/* the same text twice is one term with the higher score, found by its hash (the
	 * store keeps no index of a document's terms by text: they are unique here) */
	if (2 * (st->nterms + 1) > st->term_slots_cap) {
		free(st->term_slots);
		st->term_slots_cap = st->term_slots_cap ? st->term_slots_cap * 2 : 256;
		st->term_slots = xcalloc(st->term_slots_cap, sizeof *st->term_slots);
		for (size_t i = 0; i < st->nterms; i++) {
			size_t h = term_hash(st->terms[i].text) & (st->term_slots_cap - 1);
			while (st->term_slots[h])
				h = (h + 1) & (st->term_slots_cap - 1);
			st->term_slots[h] = i + 1;
		}
	}
	size_t h = term_hash(text) & (st->term_slots_cap - 1);
	for (; st->term_slots[h]; h = (h + 1) & (st->term_slots_cap - 1)) {
		struct import_term *t = &st->terms[st->term_slots[h] - 1];
		if (strcmp(t->text, text) == 0) {
			if (score > t->score)
				t->score = score;
			*term_id = (long)(st->term_slots[h] - 1);
			return 0;
		}
	}
	if (st->nterms == st->terms_cap) {
		st->terms_cap = st->terms_cap ? st->terms_cap * 2 : 64;
		st->terms = xrealloc(st->terms, st->terms_cap * sizeof *st->terms);
	}
	st->terms[st->nterms] = (struct import_term){ .text = xstrdup(text), .kind = xstrdup(kind), .score = score };
	st->term_slots[h] = st->nterms + 1;
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
	st->nterms = st->terms_cap = 0;
	free(st->term_slots);
	st->term_slots = NULL;
	st->term_slots_cap = 0;
}

/* The terms pane's order: score, then count, both highest first, then text (as SQLite
 * compares it: bytes). */
static int import_term_rank(const void *a, const void *b)
{
	const struct import_term *x = *(struct import_term *const *)a, *y = *(struct import_term *const *)b;
	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->hits.count != y->hits.count)
		return x->hits.count > y->hits.count ? -1 : 1;
	return strcmp(x->text, y->text);
}

/* --- a document's terms in one row of term_lists (schema 11): its terms blob holds, in
 * rank order, each term's text and kind (a varint length, then the bytes), score (8
 * bytes, little-endian) and count (varint); its hits blob a u32 count n, n + 1 u32
 * offsets into what follows, and each term's hits (hits.h) between two of them. A
 * term's id is doc << 32 | rank. --- */

static void term_put_u32(struct sbuf *b, uint32_t v)
{
	char c[4] = { (char)v, (char)(v >> 8), (char)(v >> 16), (char)(v >> 24) };
	sbuf_append(b, c, 4);
}

static uint32_t term_get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One term of a terms blob, its strings in the blob (not NUL-terminated). */
struct term_entry {
	const char *text;	/* the term */
	size_t text_len;	/* its bytes */
	const char *kind;	/* its kind */
	size_t kind_len;	/* its bytes */
	double score;		/* ranking score */
	long long count;	/* hits */
};

static void term_list_put(struct sbuf *b, const char *text, const char *kind, double score, long long count)
{
	size_t tl = strlen(text), kl = strlen(kind);
	sbuf_put_varint(b, tl);
	sbuf_append(b, text, tl);
	sbuf_put_varint(b, kl);
	sbuf_append(b, kind, kl);
	uint64_t bits;
	memcpy(&bits, &score, sizeof bits);
	char c[8];
	for (int i = 0; i < 8; i++)
		c[i] = (char)(bits >> (8 * i));
	sbuf_append(b, c, 8);
	sbuf_put_varint(b, (unsigned long long)count);
}

/* The term at *p (before end), *p moved past it; false at the end or on damage. */
static bool term_list_next(const unsigned char **p, const unsigned char *end, struct term_entry *e)
{
	unsigned long long tl, kl, count;
	if (!varint_get(p, end, &tl) || tl > (size_t)(end - *p))
		return false;
	e->text = (const char *)*p;
	e->text_len = (size_t)tl;
	*p += tl;
	if (!varint_get(p, end, &kl) || kl > (size_t)(end - *p))
		return false;
	e->kind = (const char *)*p;
	e->kind_len = (size_t)kl;
	*p += kl;
	if (end - *p < 8)
		return false;
	uint64_t bits = 0;
	for (int i = 0; i < 8; i++)
		bits |= (uint64_t)(*p)[i] << (8 * i);
	memcpy(&e->score, &bits, sizeof bits);
	*p += 8;
	if (!varint_get(p, end, &count))
		return false;
	e->count = (long long)count;
	return true;
}

/* Bytes of hits up to which a document's are copied into one buffer to be stored (a
 * small document: one statement); more are written term by term (import_terms_flush). */
enum { TERM_HITS_COPIED = 256 << 10 };

/* Stores a document's terms and hits blobs (nothing when it has no terms). */
static int term_list_store(struct store *st, long doc, const struct sbuf *terms, const struct sbuf *hits)
{
	if (terms->len == 0)
		return 0;
	sqlite3_stmt *s = stmt(st, Q_TERM_INSERT);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_blob(s, 2, terms->data, (int)terms->len, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, hits->data, (int)hits->len, SQLITE_STATIC);
	return step_done(st, s, "storing the terms");
}

/* Stores the import's terms that have hits, in rank order, in one row; *stored gets
 * how many. */
static int import_terms_flush(struct store *st, long *stored)
{
	*stored = 0;
	const struct import_term **by = xmalloc((st->nterms ? st->nterms : 1) * sizeof *by);
	size_t n = 0;
	for (size_t i = 0; i < st->nterms; i++)
		if (st->terms[i].hits.count > 0)
			by[n++] = &st->terms[i];
	qsort(by, n, sizeof *by, import_term_rank);
	struct sbuf terms = { 0 }, hits = { 0 };
	size_t data = 0;
	term_put_u32(&hits, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		term_list_put(&terms, by[i]->text, by[i]->kind, by[i]->score, by[i]->hits.count);
		term_put_u32(&hits, (uint32_t)data);
		data += by[i]->hits.buf.len;
	}
	term_put_u32(&hits, (uint32_t)data);
	int rc;
	if (data > UINT32_MAX || hits.len + data > INT_MAX) {
		rc = fail(st, "storing the terms: their hits are too many");
	} else if (data <= TERM_HITS_COPIED) {
		for (size_t i = 0; i < n; i++)
			sbuf_append(&hits, by[i]->hits.buf.data, by[i]->hits.buf.len);
		rc = term_list_store(st, st->doc, &terms, &hits);
	} else {
		/* a long document's hits (a million, megabytes) written from each term's
		 * packer into the row, not copied into one buffer first */
		sqlite3_stmt *s = stmt(st, Q_TERM_INSERT);
		sqlite3_blob *b = NULL;
		rc = -1;
		if (s) {
			sqlite3_bind_int64(s, 1, st->doc);
			sqlite3_bind_blob(s, 2, terms.data, (int)terms.len, SQLITE_STATIC);
			sqlite3_bind_zeroblob(s, 3, (int)(hits.len + data));
			rc = step_done(st, s, "storing the terms");
		}
		if (rc == 0 && sqlite3_blob_open(st->db, "main", "term_lists", "hits", st->doc, 1, &b) != SQLITE_OK)
			rc = fail_db(st, "storing the terms");
		int at = (int)hits.len;
		if (rc == 0 && sqlite3_blob_write(b, hits.data, at, 0) != SQLITE_OK)
			rc = fail_db(st, "storing the terms");
		for (size_t i = 0; i < n && rc == 0; i++) {
			if (sqlite3_blob_write(b, by[i]->hits.buf.data, (int)by[i]->hits.buf.len, at) != SQLITE_OK)
				rc = fail_db(st, "storing the terms");
			at += (int)by[i]->hits.buf.len;
		}
		sqlite3_blob_close(b);
	}
	free(by);
	sbuf_free(&terms);
	sbuf_free(&hits);
	*stored = rc ? 0 : (long)n;
	return rc;
}

static void block_free(struct para_block *b)
{
	free(b->data);
	free(b->p);
	*b = (struct para_block){ .doc = -1 };
}

/* Unpacks the row of para_blocks that s is on (id, data) into b. Returns 0, or -1
 * when the row is damaged (a library written by something else). */
static int block_read(struct store *st, struct para_block *b, sqlite3_stmt *s)
{
	sqlite3_int64 id = sqlite3_column_int64(s, 0);
	size_t len = (size_t)sqlite3_column_bytes(s, 1);
	if (len + 1 > b->cap) {
		b->cap = len + 1 > 2 * b->cap ? len + 1 : 2 * b->cap;
		free(b->data);
		b->data = xmalloc(b->cap);
	}
	if (len)
		memcpy(b->data, sqlite3_column_blob(s, 1), len);
	b->doc = (long)(id >> 32);
	b->n = 0;
	const unsigned char *p = b->data, *end = b->data + len;
	long seq = (long)(id & 0xffffffff);
	while (p < end) {
		unsigned long long kind, section, line, n;
		if (!varint_get(&p, end, &kind) || !varint_get(&p, end, &section) || !varint_get(&p, end, &line) ||
		    !varint_get(&p, end, &n) || n >= (unsigned long long)(end - p) || p[n] != 0) {
			b->n = 0;
			b->doc = -1;
			return fail(st, "%s: damaged paragraphs (document %ld, paragraph %ld)", st->path, (long)(id >> 32), seq);
		}
		if (b->n == b->cap_p) {
			b->cap_p = b->cap_p ? 2 * b->cap_p : BLOCK_PARAS;
			b->p = xrealloc(b->p, b->cap_p * sizeof *b->p);
		}
		b->p[b->n++] = (struct para){ .seq = seq++, .kind = kind < PARA_KIND_COUNT ? (enum para_kind)kind : PARA_BODY,
					      .section = unzigzag(section), .line = unzigzag(line),
					      .text = (const char *)p, .len = (size_t)n };
		p += n + 1;
	}
	return 0;
}

/* Paragraph seq of doc into *p, from b when b holds it, else from its row, read into b.
 * Returns 1, 0 when there is none, -1 on an error. */
static int para_at(struct store *st, struct para_block *b, long doc, long seq, const struct para **p)
{
	if (b->doc != doc || b->n == 0 || seq < b->p[0].seq || seq > b->p[b->n - 1].seq) {
		sqlite3_stmt *s = stmt(st, Q_BLOCK_AT);
		if (!s)
			return -1;
		sqlite3_bind_int64(s, 1, doc);
		sqlite3_bind_int64(s, 2, seq);
		int rc = sqlite3_step(s);
		int err = rc == SQLITE_ROW ? block_read(st, b, s) : rc == SQLITE_DONE ? 0 : fail_db(st, "reading paragraphs");
		sqlite3_reset(s);
		if (err)
			return -1;
		if (rc == SQLITE_DONE)
			b->n = 0;
	}
	if (b->n == 0 || seq < b->p[0].seq || seq > b->p[b->n - 1].seq)
		return 0;
	*p = &b->p[seq - b->p[0].seq];
	return 1;
}

/* A new document's row (store_import_begin), first thing at commit: its counts but
 * the terms' are known (Q_DOC_FINISH writes them all, as for a replaced document). */
static int new_row_insert(struct store *st)
{
	if (!st->new_row)
		return 0;
	sqlite3_stmt *s = stmt(st, Q_DOC_INSERT);
	if (!s)
		return -1;
	const char *source = st->new_row, *sha256 = source + strlen(source) + 1, *encoding = sha256 + strlen(sha256) + 1;
	sqlite3_bind_int64(s, 1, st->doc);
	sqlite3_bind_text(s, 2, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, encoding, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, st->new_bytes);
	int rc = step_done(st, s, "adding the document");
	sqlite3_clear_bindings(s);
	if (rc == 0) {
		free(st->new_row);
		st->new_row = NULL;	/* (kept on a failure: the rollback removes by hand) */
	}
	return rc;
}

int store_import_commit(struct store *st)
{
	if (st->doc < 0)
		return fail(st, "no import in progress");
	if (new_row_insert(st) != 0) {
		store_import_rollback(st);
		return -1;
	}
	long terms;
	if (block_flush(st) != 0 || import_terms_flush(st, &terms) != 0) {
		store_import_rollback(st);
		return -1;
	}
	sqlite3_stmt *fin = stmt(st, Q_DOC_FINISH);
	if (fin) {
		sqlite3_bind_int64(fin, 1, st->doc);
		if (st->title)
			sqlite3_bind_text(fin, 2, st->title, -1, SQLITE_STATIC);
		sqlite3_bind_int64(fin, 3, st->paragraphs);
		sqlite3_bind_int64(fin, 4, st->sections);
		sqlite3_bind_int64(fin, 5, st->chars);
		sqlite3_bind_int64(fin, 6, terms);
	}
	/* in a batch, the postings stay in the build: one segment at the batch's end */
	if ((st->batch ? index_row_flush(st, st->row) : index_commit(st)) != 0 || sections_flush(st, -1, NULL, 0) != 0 ||
	    sections_store(st) != 0 ||
	    !fin || step_done(st, fin, "finishing the import") != 0 ||
	    ((!st->batch || st->savepoint) && run_stmt(st, st->batch ? Q_RELEASE : Q_COMMIT, "finishing the import") != 0)) {
		store_import_rollback(st);
		return -1;
	}
	st->doc = -1;
	st->gi_mixed = false;
	if (st->batch)
		index_row_drop(st);
	else
		index_row_free(st);
	import_terms_free(st);
	sections_free(st);
	free(st->title);
	st->title = NULL;
	return 0;
}

/* After an import of a batch is rolled back, the postings of its rows stay in the
 * build with those of the imports before it (gi_mixed): they are harmless, as no live
 * row has those ids (searches and merges keep only live rows), as long as no later row
 * is given them. AUTOINCREMENT's counter was rolled back too: set it past them. */
static int index_rows_retire(struct store *st, uint32_t hi)
{
	char sql[320];
	snprintf(sql, sizeof sql, "UPDATE sqlite_sequence SET seq = max(seq, %u) WHERE name = 'search_rows';"
		 "INSERT INTO sqlite_sequence (name, seq) SELECT 'search_rows', %u "
		 "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'search_rows')", hi, hi);
	return exec(st, sql, "updating the search index");
}

void store_import_rollback(struct store *st)
{
	/* a new document's row is not there yet (new_row_insert keeps new_row until it
	 * is): what refers to its id goes by hand (clear_parsed), with its other rows */
	bool new_doc = st->new_row != NULL;
	free(st->new_row);
	st->new_row = NULL;
	st->block_n = 0;
	sbuf_reset(&st->block);
	free(st->title);
	st->title = NULL;
	sections_free(st);
	index_row_drop(st);
	import_terms_free(st);
	bool keep_gi = false;
	if (st->doc >= 0 && !sqlite3_get_autocommit(st->db)) {
		if (!st->batch)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		else if (!st->savepoint &&
			 (st->doc == 0 || (new_doc ? clear_parsed : doc_remove)(st, st->doc, "dropping a failed import") == 0))
			keep_gi = st->gi_mixed;
		else if (st->savepoint &&
			 sqlite3_exec(st->db, "ROLLBACK TO import_file; RELEASE import_file", NULL, NULL, NULL) == SQLITE_OK &&
			 (!st->gi_mixed || !st->import_row_hi || index_rows_retire(st, st->import_row_hi) == 0))
			keep_gi = st->gi_mixed;
		else if (!sqlite3_get_autocommit(st->db))
			/* the batch cannot go on safely: all of it goes, and its commit says so */
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	/* the build holds only this import's rows, or the whole batch was rolled back */
	if (!keep_gi)
		index_build_reset(st);
	st->doc = -1;
	st->gi_mixed = false;
}

int store_batch_begin(struct store *st)
{
	if (st->doc >= 0 || st->batch)
		return fail(st, "an import is already in progress");
	if (run_stmt(st, Q_BEGIN, "starting the import") != 0)
		return -1;
	if (run_stmt(st, Q_DEFER_FOREIGN_KEYS, "starting the import") != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	st->batch = true;
	return 0;
}

void store_checkpoint(struct store *st)
{
	if (st->wal_frames >= st->checkpoint_frames)
		checkpoint_soon(st);
}

int store_batch_commit(struct store *st)
{
	if (!st->batch)
		return 0;
	if (st->doc >= 0)
		store_import_rollback(st);
	st->batch = false;
	if (sqlite3_get_autocommit(st->db)) {
		/* an error rolled it all back; st->error says which */
		index_build_reset(st);
		if (!st->error[0])
			fail(st, "%s: the batch of imports was rolled back", st->path);
		return -1;
	}
	/* the batch's postings in one segment (or the last of a few), then the merges */
	st->hold_checkpoint = true;
	int rc = index_build_flush(st) != 0 || index_maintain(st) != 0 || run_stmt(st, Q_COMMIT, "finishing the import") != 0;
	st->hold_checkpoint = false;
	if (rc) {
		index_build_reset(st);
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

void store_batch_rollback(struct store *st)
{
	if (st->doc >= 0)
		store_import_rollback(st);
	if (st->batch && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	index_build_reset(st);
	st->batch = false;
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

/* The form shape.c reads with its blocks kept apart, in outline_blocks. */
enum { SHAPE_APART = 'c' };

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
			long long d;
			if (!shape_number(&p, end, &d)) {
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

/* Where a shape kept apart fetches its blocks from (shape_open_apart). */
struct shape_source {
	struct store *st;	/* the library */
	long doc;		/* the document */
	sqlite3_stmt *get;	/* its blocks, prepared on the first */
};

static int shape_fetch(void *ctx, size_t block, struct sbuf *out)
{
	struct shape_source *src = ctx;
	if (!src->get && sqlite3_prepare_v3(src->st->db, "SELECT data FROM outline_blocks WHERE doc = ?1 AND block = ?2", -1,
					    SQLITE_PREPARE_PERSISTENT, &src->get, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(src->get, 1, src->doc);
	sqlite3_bind_int64(src->get, 2, (sqlite3_int64)block);
	int rc = sqlite3_step(src->get);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(src->get, 0) > 0)
		sbuf_append(out, sqlite3_column_blob(src->get, 0), (size_t)sqlite3_column_bytes(src->get, 0));
	sqlite3_reset(src->get);
	return rc == SQLITE_ROW ? 0 : -1;
}

static void shape_release(void *ctx)
{
	struct shape_source *src = ctx;
	sqlite3_finalize(src->get);
	free(src);
}

/* Runs one statement with up to three bound values (blobs by pointer and length). */
static bool shape_run(struct store *st, const char *sql, long a, long b, const void *data, size_t len)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return false;
	int n = sqlite3_bind_parameter_count(s);
	if (n >= 1)
		sqlite3_bind_int64(s, 1, a);
	if (n >= 2 && data)
		sqlite3_bind_blob(s, 2, data, (int)len, SQLITE_STATIC);
	else if (n >= 2)
		sqlite3_bind_int64(s, 2, b);
	if (n >= 3)
		sqlite3_bind_blob(s, 3, data, (int)len, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE;
}

/* Keeps a shape (a blob shape_encode made) with its blocks apart, when the library can
 * be written and nobody else is writing (never waiting for that: it only saves time).
 * The table of blocks is made by the first conversion. */
static bool shape_keep(struct store *st, long doc, const unsigned char *blob, size_t len)
{
	size_t head_len, nblocks;
	if (sqlite3_db_readonly(st->db, "main") || !sqlite3_get_autocommit(st->db))
		return false;
	unsigned char *head = shape_head(blob, len, &head_len, &nblocks);
	if (!head)
		return false;
	sqlite3_busy_timeout(st->db, 0);
	bool ok = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
	ok = ok && sqlite3_exec(st->db, "CREATE TABLE IF NOT EXISTS outline_blocks ("
				"  doc INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
				"  block INTEGER NOT NULL,"
				"  data BLOB NOT NULL,"
				"  PRIMARY KEY (doc, block)) WITHOUT ROWID", NULL, NULL, NULL) == SQLITE_OK;
	ok = ok && shape_run(st, "DELETE FROM outline_blocks WHERE doc = ?1", doc, 0, NULL, 0);
	sqlite3_stmt *ins = NULL;
	ok = ok && sqlite3_prepare_v2(st->db, "INSERT INTO outline_blocks (doc, block, data) VALUES (?1, ?2, ?3)", -1, &ins,
				      NULL) == SQLITE_OK;
	for (size_t b = 0; ok && b < nblocks; b++) {
		size_t from, to;
		shape_block_span(blob, len, head_len, b, &from, &to);
		sqlite3_bind_int64(ins, 1, doc);
		sqlite3_bind_int64(ins, 2, (sqlite3_int64)b);
		sqlite3_bind_blob(ins, 3, blob + from, (int)(to - from), SQLITE_STATIC);
		ok = sqlite3_step(ins) == SQLITE_DONE;
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	ok = ok && shape_run(st, "INSERT OR REPLACE INTO outline_shapes (doc, shape) VALUES (?1, ?2)", doc, 0, head, head_len);
	ok = ok && sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
	if (!ok && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_busy_timeout(st->db, 5000);	/* as store_open set it */
	free(head);
	return ok;
}

/* Sections read some other way, as a shape: from an older form of the blob or from the
 * rows; kept in the current form when the library can be written (shape_keep), so that
 * a document is converted once, when first read. */
static struct shape *shape_convert(struct store *st, long doc, const struct section_shape *secs, size_t n, bool *kept)
{
	struct sbuf b = { 0 };
	shape_encode(secs, n, &b);
	*kept = shape_keep(st, doc, (const unsigned char *)b.data, b.len);
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
		if (rc == SQLITE_OK && len > 0 && blob[0] == SHAPE_APART) {
			/* the blocks are read as they are needed */
			struct shape_source *src = xcalloc(1, sizeof *src);
			src->st = st;
			src->doc = doc;
			*out = shape_open_apart(blob, (size_t)len, shape_fetch, shape_release, src);
			if (*out)
				return 0;
		} else if (rc == SQLITE_OK && len > 0 && blob[0] != SHAPE_FORMAT) {
			/* whole: read as it is, kept apart from now on */
			bool kept = shape_keep(st, doc, blob, (size_t)len);
			*out = shape_open(blob, (size_t)len);
			if (*out)
				return !kept;
		} else {
			/* the form before: read whole, then converted */
			if (rc == SQLITE_OK && shape_decode(blob, (size_t)len, &secs, &n)) {
				free(blob);
				bool kept;
				*out = shape_convert(st, doc, secs, n, &kept);
				free(secs);
				return !*out ? fail(st, "%s: the outline of document %ld is damaged", st->path, doc) : !kept;
			}
			free(blob);
		}
	}
	/* since schema 11 the shape is the only copy of the outline's numbers (an upgrade
	 * writes the missing ones): a document without one has no outline */
	if (sqlite3_blob_open(st->db, "main", "outline_shapes", "shape", doc, 0, &h) == SQLITE_OK) {
		sqlite3_blob_close(h);
		return fail(st, "%s: the outline of document %ld is damaged", st->path, doc);
	}
	struct sbuf b = { 0 };
	shape_encode(NULL, 0, &b);
	*out = shape_open((unsigned char *)sbuf_take(&b), b.len);
	return !*out ? fail(st, "%s: the outline of document %ld cannot be read", st->path, doc) : 0;
}

/* The outline of a document for reading its headings' text, kept while the library
 * is unchanged (the outline pane asks a screen at a time); NULL on error. A document
 * without one has an empty outline. */
static struct shape *texts_shape(struct store *st, long doc)
{
	/* a step begins a read, so that the data version is the file's */
	sqlite3_stmt *s = stmt(st, Q_SECTION_MARKS_LEN);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, doc);
	int rc = sqlite3_step(s);
	unsigned int version = 0;
	sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &version);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		fail_db(st, "reading the outline");
		return NULL;
	}
	if (st->texts_shape && st->texts_doc == doc && st->texts_version == version)
		return st->texts_shape;
	shape_free(st->texts_shape);
	st->texts_shape = NULL;
	struct shape *sh;
	if (store_section_shape(st, doc, &sh) < 0)
		return NULL;
	st->texts_shape = sh;
	st->texts_doc = doc;
	st->texts_version = version;
	return sh;
}

/* Sections of a document with seq from..to and level <= max_level, in order, whole
 * (their text from section_marks and the paragraphs, or section_apart): fn gets each,
 * its strings valid during the call; a nonzero return stops and is returned. */
static int sections_walk(struct store *st, long doc, long from, long to, int max_level,
			 int (*fn)(void *ctx, const struct section *s), void *ctx)
{
	struct shape *sh = texts_shape(st, doc);
	if (!sh)
		return -1;
	size_t n = shape_count(sh), lo = 0, hi = n;
	/* the first at or after from: seq is the index but in damaged or old outlines */
	if (from >= 0 && (size_t)from < n && shape_section(sh, (size_t)from).seq == from) {
		lo = (size_t)from;
	} else {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (shape_section(sh, mid).seq < from)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	if (lo >= n)
		return 0;
	/* the marks of the sections from lo on, up to to at most (seq grows at least by 1) */
	if (to < from)
		return 0;
	size_t span = n - lo;
	if (from >= 0 && (unsigned long)(to - from) < span)
		span = (size_t)(to - from) + 1;
	unsigned char *marks = xcalloc(span + 1, 1);
	int got = 0;
	sqlite3_blob *b;
	if (sqlite3_blob_open(st->db, "main", "section_marks", "marks", doc, 0, &b) == SQLITE_OK) {
		int len = sqlite3_blob_bytes(b);
		got = len > (int)lo ? (len - (int)lo < (int)span ? len - (int)lo : (int)span) : 0;
		if (got > 0 && sqlite3_blob_read(b, marks, got, (int)lo) != SQLITE_OK)
			got = 0;
		sqlite3_blob_close(b);
	}
	sqlite3_stmt *apart = stmt(st, Q_SECTION_APART);
	struct para_block block = { .doc = -1 };	/* the row of the last heading's paragraph */
	if (!apart) {
		free(marks);
		return -1;
	}
	sqlite3_bind_int64(apart, 1, doc);
	sqlite3_bind_int64(apart, 2, from);
	sqlite3_bind_int64(apart, 3, to);
	int arc = sqlite3_step(apart);
	struct sbuf text = { 0 }, marker = { 0 }, title = { 0 };
	long text_para = -1;
	bool have_text = false;
	/* parents are kept as indexes: the same as seqs while every seq is its index */
	bool dense = lo == 0;
	int r = 0;
	for (size_t i = lo; i < n && r == 0; i++) {
		struct section_shape ss = shape_section(sh, i);
		dense = dense && ss.seq == (int32_t)i;
		if (ss.seq > to)
			break;
		if (ss.level > max_level)
			continue;
		struct section sec = {
			.seq = ss.seq, .parent = ss.parent, .level = ss.level, .para = ss.para,
			.offset = ss.offset, .length = ss.length, .in_paragraph = ss.in_paragraph,
		};
		if (!dense && ss.parent >= 0 && (size_t)ss.parent < n)
			sec.parent = shape_section(sh, (size_t)ss.parent).seq;
		long k = (long)(i - lo);
		unsigned mark = k < got ? marks[k] : SECTION_APART;
		while (arc == SQLITE_ROW && sqlite3_column_int64(apart, 0) < ss.seq)
			arc = sqlite3_step(apart);
		if (mark == SECTION_APART && arc == SQLITE_ROW && sqlite3_column_int64(apart, 0) == ss.seq) {
			sec.marker = (const char *)sqlite3_column_text(apart, 1);
			sec.title = (const char *)sqlite3_column_text(apart, 2);
		} else {
			/* held by the paragraph (or, were it gone, empty) */
			if (!have_text || text_para != sec.para) {
				sbuf_reset(&text);
				const struct para *p;
				int prc = para_at(st, &block, doc, sec.para, &p);
				if (prc < 0) {
					r = -1;
					break;
				}
				if (prc == 1)
					sbuf_append(&text, p->text, p->len);
				text_para = sec.para;
				have_text = true;
			}
			section_from_text(text.data ? text.data : "", text.len, sec.offset, sec.length,
					  mark == SECTION_APART ? 0 : (long)mark, &marker, &title);
			sec.marker = marker.data ? marker.data : "";
			sec.title = title.data ? title.data : "";
		}
		if (!sec.marker)
			sec.marker = "";
		if (!sec.title)
			sec.title = "";
		r = fn(ctx, &sec);
	}
	if (r == 0 && arc != SQLITE_ROW && arc != SQLITE_DONE)
		r = fail_db(st, "reading the outline");
	sqlite3_reset(apart);
	block_free(&block);
	free(marks);
	sbuf_free(&text);
	sbuf_free(&marker);
	sbuf_free(&title);
	return r;
}

int store_each_section(struct store *st, long doc, int (*fn)(void *ctx, const struct section *s), void *ctx)
{
	return sections_walk(st, doc, LONG_MIN, LONG_MAX, INT_MAX, fn, ctx);
}

/* store_section_texts' callback and its context */
struct section_texts {
	void (*fn)(void *ctx, long seq, char *marker, char *title);	/* the caller's */
	void *ctx;							/* its context */
};

static int section_texts_one(void *ctx, const struct section *s)
{
	struct section_texts *t = ctx;
	t->fn(t->ctx, s->seq, xstrdup(s->marker), xstrdup(s->title));
	return 0;
}

int store_section_texts(struct store *st, long doc, long from, long to, int max_level,
			void (*fn)(void *ctx, long seq, char *marker, char *title), void *ctx)
{
	struct section_texts t = { fn, ctx };
	return sections_walk(st, doc, from, to, max_level, section_texts_one, &t) < 0 ? -1 : 0;
}

/* The one section store_section_text asks for. */
struct one_heading {
	char *marker, *title;	/* its text, NULL until found */
};

static void got_one_heading(void *ctx, long seq, char *marker, char *title)
{
	struct one_heading *h = ctx;
	(void)seq;
	h->marker = marker;
	h->title = title;
}

int store_section_text(struct store *st, long doc, long seq, char **marker, char **title)
{
	struct one_heading h = { NULL, NULL };
	int rc = store_section_texts(st, doc, seq, seq, 127, got_one_heading, &h);
	*marker = h.marker;
	*title = h.title;
	return rc < 0 ? -1 : h.title != NULL;
}

/* The paragraphs of doc after (backward: before) seq from, count of them at most (< 0:
 * all), noise left out unless with_noise, to fn; the rows are read into a copy, so fn
 * may use the store meanwhile. Returns 0, fn's nonzero return, or -1. */
static int paras_walk(struct store *st, long doc, long from, long count, bool with_noise, bool backward,
		      int (*fn)(void *ctx, const struct para *p), void *ctx)
{
	sqlite3_stmt *s = stmt(st, backward ? Q_BLOCKS_BEFORE : Q_BLOCKS_FROM);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	sqlite3_bind_int64(s, 2, from);
	struct para_block b = { .doc = -1 };
	long given = 0;
	int rc = SQLITE_DONE, r = 0;
	while (r == 0 && given != count && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (block_read(st, &b, s) != 0) {
			r = -1;
			break;
		}
		for (size_t i = 0; i < b.n && r == 0 && given != count; i++) {
			const struct para *p = &b.p[backward ? b.n - 1 - i : i];
			if ((backward ? p->seq >= from : p->seq < from) || (!with_noise && p->kind == PARA_NOISE))
				continue;
			given++;
			r = fn(ctx, p);
		}
	}
	sqlite3_reset(s);
	block_free(&b);
	if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = fail_db(st, "reading paragraphs");
	return r;
}

int store_each_paragraph(struct store *st, long doc, long first, long count, bool with_noise,
			 int (*fn)(void *ctx, const struct para *p), void *ctx)
{
	return paras_walk(st, doc, first, count, with_noise, false, fn, ctx);
}

int store_each_term(struct store *st, long doc, long limit, int (*fn)(void *ctx, const struct term_row *t), void *ctx)
{
	sqlite3_stmt *s = stmt(st, Q_TERMS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? 0 : fail_db(st, "reading terms");
	}
	/* a copy: fn may read the store */
	size_t len = (size_t)sqlite3_column_bytes(s, 0);
	unsigned char *blob = xmalloc(len + 1);
	if (len)
		memcpy(blob, sqlite3_column_blob(s, 0), len);
	sqlite3_reset(s);
	const unsigned char *p = blob, *end = blob + len;
	struct sbuf text = { 0 }, kind = { 0 };
	struct term_entry e;
	int r = 0;
	for (long rank = 0; limit != 0 && p < end && r == 0; rank++) {
		if (!term_list_next(&p, end, &e)) {
			r = fail(st, "%s: the library is damaged (the terms of document %ld)", st->path, doc);
			break;
		}
		if (e.count <= 0)
			continue;
		sbuf_reset(&text);
		sbuf_append(&text, e.text, e.text_len);
		sbuf_reset(&kind);
		sbuf_append(&kind, e.kind, e.kind_len);
		struct term_row t = {
			.id = (long)(((unsigned long)doc << 32) + (unsigned long)rank),
			.text = text.data ? text.data : "",
			.kind = kind.data ? kind.data : "",
			.count = (long)e.count,
			.score = e.score,
		};
		r = fn(ctx, &t);
		if (limit > 0)
			limit--;
	}
	free(blob);
	sbuf_free(&text);
	sbuf_free(&kind);
	return r;
}

/* A term of the library, or one document's mention of it. */
struct library_tally {
	const char *text;	/* the term, in the arena */
	size_t len;		/* its bytes */
	long docs;		/* documents that have it */
	long long hits;		/* its hits over them */
};

/* Text as SQLite's BINARY compares it: bytes, then the shorter first. */
static int tally_text_cmp(const struct library_tally *a, const struct library_tally *b)
{
	int c = memcmp(a->text, b->text, a->len < b->len ? a->len : b->len);
	return c ? c : a->len < b->len ? -1 : a->len > b->len;
}

static int tally_by_text(const void *a, const void *b)
{
	return tally_text_cmp(a, b);
}

/* the most documents first, then the most hits, then text */
static int tally_by_rank(const void *a, const void *b)
{
	const struct library_tally *x = a, *y = b;
	if (x->docs != y->docs)
		return x->docs > y->docs ? -1 : 1;
	if (x->hits != y->hits)
		return x->hits > y->hits ? -1 : 1;
	return tally_text_cmp(x, y);
}

int store_each_library_term(struct store *st, long limit, int (*fn)(void *ctx, const struct library_term *t), void *ctx)
{
	sqlite3_stmt *s = stmt(st, Q_LIBRARY_TERMS);
	if (!s)
		return -1;
	/* every document's terms with hits, their text in one arena (offsets until the
	 * arena stops moving) */
	struct sbuf arena = { 0 };
	struct library_tally *v = NULL;
	size_t n = 0, cap = 0;
	int rc;
	bool damaged = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_blob(s, 0), *end = p + sqlite3_column_bytes(s, 0);
		struct term_entry e;
		while (p && p < end) {
			if (!term_list_next(&p, end, &e)) {
				damaged = true;
				break;
			}
			if (e.count <= 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				v = xrealloc(v, cap * sizeof *v);
			}
			v[n++] = (struct library_tally){ (const char *)(uintptr_t)arena.len, e.text_len, 1, e.count };
			sbuf_append(&arena, e.text, e.text_len);
		}
	}
	sqlite3_reset(s);
	int r = 0;
	if (rc != SQLITE_DONE)
		r = fail_db(st, "reading the library's terms");
	else if (damaged)
		r = fail(st, "%s: the library is damaged (the terms of a document)", st->path);
	const char *base = arena.data ? arena.data : "";
	for (size_t i = 0; i < n; i++)
		v[i].text = base + (uintptr_t)v[i].text;
	/* one entry a text: its documents and hits summed */
	size_t m = 0;
	if (r == 0 && n) {
		qsort(v, n, sizeof *v, tally_by_text);
		for (size_t i = 0; i < n; i++)
			if (m && tally_text_cmp(&v[m - 1], &v[i]) == 0) {
				v[m - 1].docs++;
				v[m - 1].hits += v[i].hits;
			} else {
				v[m++] = v[i];
			}
		qsort(v, m, sizeof *v, tally_by_rank);
	}
	struct sbuf text = { 0 };
	for (size_t i = 0; i < m && r == 0 && (limit < 0 || (long)i < limit); i++) {
		sbuf_reset(&text);
		sbuf_append(&text, v[i].text, v[i].len);
		struct library_term t = { .text = text.data ? text.data : "", .docs = v[i].docs, .hits = (long)v[i].hits };
		r = fn(ctx, &t);
	}
	sbuf_free(&text);
	sbuf_free(&arena);
	free(v);
	return r;
}

int store_original(struct store *st, long doc, void **data, size_t *n)
{
	sqlite3_stmt *s = stmt(st, Q_ORIGINAL);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	struct sbuf b = { 0 };
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		sbuf_append(&b, sqlite3_column_blob(s, 0), (size_t)sqlite3_column_bytes(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		sbuf_free(&b);
		return fail_db(st, "reading the original");
	}
	if (!b.data) {
		/* no chunks: an empty original, or no such document */
		struct doc_info d;
		if (store_doc_info(st, doc, &d) != 0)
			return -1;
		doc_info_clear(&d);
	}
	*n = b.len;
	*data = b.data ? sbuf_take(&b) : xmalloc(1);
	return 0;
}

int store_delete(struct store *st, long doc)
{
	if (exec(st, "BEGIN IMMEDIATE", "removing the document") != 0)
		return -1;
	if (doc_remove(st, doc, "removing the document") != 0 || index_maintain(st) != 0) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return exec(st, "COMMIT", "removing the document");
}

/* --- search --- */

static int parse_query(struct store *st, const char *query, struct query *q)
{
	char err[128];
	if (query_parse(query, q, err, sizeof err) != 0)
		return fail(st, "%s", err);
	return 0;
}

/* The index rows a search reads, ascending, with each one's document and first seq. */
struct search_rows {
	uint32_t *id;	/* row ids */
	long *doc;	/* their documents */
	long *first;	/* their first paragraphs */
	size_t n;	/* how many */
};

static void search_rows_free(struct search_rows *r)
{
	free(r->id);
	free(r->doc);
	free(r->first);
	memset(r, 0, sizeof *r);
}

/* The ids of the live rows when they are all of those from the first to the last (no
 * document removed since the last merge purged one): 1, 0 when they are not, -1. */
static int search_rows_span(struct store *st, struct search_rows *r)
{
	sqlite3_stmt *s = stmt(st, Q_INDEX_ROWS_SPAN);
	if (!s)
		return -1;
	int rc = sqlite3_step(s);
	sqlite3_int64 lo = sqlite3_column_int64(s, 0), hi = sqlite3_column_int64(s, 1), n = sqlite3_column_int64(s, 2);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return fail_db(st, "searching");
	if (n > 0 && (lo < 1 || hi >= GI_MAX_ROW || hi - lo + 1 != n))
		return 0;
	r->id = xmalloc((size_t)(n ? n : 1) * sizeof *r->id);
	for (sqlite3_int64 i = 0; i < n; i++)
		r->id[i] = (uint32_t)(lo + i);
	r->n = (size_t)n;
	return 1;
}

/* The live rows of the library (doc < 0), or those of doc holding paragraphs from..to
 * (a row holds paragraphs first up to the next row's first). With ids_only, the
 * library's rows without their documents and paragraphs (a count): when they are one
 * run of ids, not read a row at a time (2 ms of a count at 1 GB, 22,000 rows). */
static int search_rows_load(struct store *st, long doc, long from, long to, bool ids_only, struct search_rows *r)
{
	memset(r, 0, sizeof *r);
	if (doc < 0 && ids_only) {
		int span = search_rows_span(st, r);
		if (span != 0)
			return span < 0 ? -1 : 0;
	}
	sqlite3_stmt *s = stmt(st, doc >= 0 ? Q_INDEX_ROWS : Q_INDEX_ROWS_ALL);
	if (!s)
		return -1;
	if (doc >= 0)
		sqlite3_bind_int64(s, 1, doc);
	size_t cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (r->n == cap) {
			cap = cap ? cap * 2 : 64;
			r->id = xrealloc(r->id, cap * sizeof *r->id);
			r->doc = xrealloc(r->doc, cap * sizeof *r->doc);
			r->first = xrealloc(r->first, cap * sizeof *r->first);
		}
		r->id[r->n] = (uint32_t)sqlite3_column_int64(s, 0);
		r->doc[r->n] = (long)sqlite3_column_int64(s, 1);
		r->first[r->n++] = (long)sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		search_rows_free(r);
		return fail_db(st, "searching");
	}
	if (doc >= 0) {
		size_t k = 0;
		for (size_t i = 0; i < r->n; i++)
			if (r->first[i] <= to && (i + 1 == r->n || r->first[i + 1] > from)) {
				r->id[k] = r->id[i];
				r->doc[k] = r->doc[i];
				r->first[k++] = r->first[i];
			}
		r->n = k;
	}
	return 0;
}

/* Index of row id in r (it is there: postings were kept only for r's rows). */
static size_t search_row_at(const struct search_rows *r, uint32_t id)
{
	size_t lo = 0, hi = r->n;
	while (lo + 1 < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->id[mid] <= id)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* A count's lookup of many pages shares some segments with a second thread (the
 * machine has two cores; a common bigram's postings at 1 GB are 700 pages, 2 million
 * postings, most of a phrase's time): the segments at the end, in row order, holding
 * at most half its pages, read ahead on this thread, which then decodes the others
 * and, done, any shared segment the second thread has not taken (when it has found
 * no core free, all of them: a busy machine costs the copy of their pages). */
enum { LOOKUP_SHARED_PAGES = 64 };

/* A list of keys' postings is sorted a segment at a time by merging them when there are
 * at most this many keys (a pair's buckets; a prefix's keys are often more). */
enum { LOOKUP_MERGE_RUNS = 64 };

/* Pages of segments read ahead, for a second thread to decode. */
struct lookup_pages {
	int64_t *pid;		/* each page's pid */
	size_t *at;		/* where its bytes start in data */
	size_t *seg_end;	/* past each segment's last page */
	size_t n;		/* pages */
	size_t nseg;		/* segments */
	uint8_t *data;		/* the pages' bytes */
	size_t len;		/* bytes used */
	size_t size;		/* allocated (the pages counted, ahead: no copy as it grows) */
};

/* The shared segments of a count, decoded by whichever thread takes each first. */
struct lookup_job {
	struct lookup_pages pages;	/* their pages */
	uint64_t lo;			/* keys lo.. */
	uint64_t hi;			/* ..hi */
	const uint32_t *rows;		/* the rows kept */
	size_t nrows;			/* how many */
	struct gi_probe probe;		/* the probe, copied for each segment (its state is a decoder's) */
	bool probed;			/* there is a probe */
	atomic_size_t next;		/* the next segment not taken */
	long *count;			/* each segment's postings kept, -1 when a page is damaged */
};

/* Decodes shared segments until none is left untaken. */
static void lookup_job_work(struct lookup_job *j)
{
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->pages.nseg)
			return;
		struct gi_probe probe = { .v = j->probe.v, .n = j->probe.n, .shift = j->probe.shift };
		struct gi_decoder d = { .probe = j->probed ? &probe : NULL };
		int bad = 0;
		for (size_t k = i ? j->pages.seg_end[i - 1] : 0; k < j->pages.seg_end[i] && bad == 0; k++) {
			size_t end = k + 1 < j->pages.n ? j->pages.at[k + 1] : j->pages.len;
			bad = gi_decode_page(&d, j->pages.pid[k], j->pages.data + j->pages.at[k], end - j->pages.at[k],
					     j->lo, j->hi, j->rows, j->nrows, NULL);
		}
		long n = gi_decode_end(&d);
		j->count[i] = bad < 0 ? -1 : n;
	}
}

static void *lookup_job_run(void *arg)
{
	lookup_job_work(arg);
	return NULL;
}

static void lookup_job_free(struct lookup_job *j)
{
	free(j->pages.pid);
	free(j->pages.at);
	free(j->pages.seg_end);
	free(j->pages.data);
	free(j->count);
}

/* The statement that gives the pages of keys lo..hi of segment seg, bound; NULL on
 * an error. */
static sqlite3_stmt *lookup_stmt(struct store *st, sqlite3_int64 seg, uint64_t lo, uint64_t hi)
{
	sqlite3_stmt *s = stmt(st, Q_INDEX_LOOKUP);
	if (s) {
		sqlite3_bind_int64(s, 1, seg);
		sqlite3_bind_int64(s, 2, gi_pid(lo, 0));
		sqlite3_bind_int64(s, 3, gi_pid(hi + 1, 0));
	}
	return s;
}

/* Reads the pages of keys lo..hi of segment seg into p. */
static int lookup_read(struct store *st, sqlite3_int64 seg, uint64_t lo, uint64_t hi, struct lookup_pages *p, size_t *cap)
{
	sqlite3_stmt *s = lookup_stmt(st, seg, lo, hi);
	if (!s)
		return -1;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (p->n == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			p->pid = xrealloc(p->pid, *cap * sizeof *p->pid);
			p->at = xrealloc(p->at, *cap * sizeof *p->at);
		}
		size_t n = (size_t)sqlite3_column_bytes(s, 1);
		if (p->len + n > p->size) {
			p->size = p->len + n > 2 * p->size ? p->len + n : 2 * p->size;
			p->data = xrealloc(p->data, p->size);
		}
		p->pid[p->n] = sqlite3_column_int64(s, 0);
		p->at[p->n++] = p->len;
		if (n)
			memcpy(p->data + p->len, sqlite3_column_blob(s, 1), n);
		p->len += n;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : fail_db(st, "searching");
}

/* Which segments (from *first on) a second thread decodes for a lookup of seg_pages
 * pages a segment: none (*first = nsegs) unless they are many; only segments whose
 * rows the lookup keeps whole, as their pages are read to the end. */
static void lookup_share(const struct index_seg *segs, size_t nsegs, const long *seg_pages, const uint32_t *rows,
			 size_t nrows, size_t *first)
{
	*first = nsegs;
	if (!seg_pages || !nrows)
		return;
	long total = 0, shared = 0;
	for (size_t i = 0; i < nsegs; i++)
		total += seg_pages[i];
	if (total < LOOKUP_SHARED_PAGES)
		return;
	for (size_t i = nsegs; i > 0; i--) {
		const struct index_seg *g = &segs[i - 1];
		if (g->lo < rows[0] || g->hi > rows[nrows - 1] || shared + seg_pages[i - 1] > total / 2)
			break;
		shared += seg_pages[i - 1];
		*first = i - 1;
	}
	if (shared < LOOKUP_SHARED_PAGES / 4)
		*first = nsegs;
}

/* The postings of keys lo..hi in the rows (ascending) of every segment that may hold
 * them, sorted into out; or, out NULL, only their number in *count. seg_pages (or
 * NULL): about how many pages they take in each segment, for a second thread. */
static int search_lookup(struct store *st, const struct index_seg *segs, size_t nsegs, uint64_t lo, uint64_t hi,
			 const uint32_t *rows, size_t nrows, struct gi_vec *out, long *count, struct gi_probe *probe,
			 const long *seg_pages)
{
	if (out)
		out->n = 0;
	else
		*count = 0;
	if (!nrows)
		return 0;
	/* (counts only: a list's postings would be copied, and the thread's allocations
	 * are fresh pages to fault in) */
	size_t first;
	lookup_share(segs, nsegs, out ? NULL : seg_pages, rows, nrows, &first);
	struct lookup_job job = { .lo = lo, .hi = hi, .rows = rows, .nrows = nrows, .probed = probe != NULL };
	atomic_init(&job.next, 0);
	if (probe)
		job.probe = (struct gi_probe){ .v = probe->v, .n = probe->n, .shift = probe->shift };
	pthread_t thread;
	bool started = false;
	if (first < nsegs) {
		job.pages.seg_end = xmalloc((nsegs - first) * sizeof *job.pages.seg_end);
		job.count = xcalloc(nsegs - first, sizeof *job.count);
		size_t cap = 0;
		for (size_t i = first; i < nsegs; i++)
			job.pages.size += ((size_t)seg_pages[i] + 2) * (GI_PAGE_BYTES + 8);
		job.pages.data = xmalloc(job.pages.size);
		for (size_t i = first; i < nsegs; i++) {
			if (lookup_read(st, segs[i].id, lo, hi, &job.pages, &cap) != 0) {
				lookup_job_free(&job);
				return -1;
			}
			job.pages.seg_end[job.pages.nseg++] = job.pages.n;
		}
		started = pthread_create(&thread, NULL, lookup_job_run, &job) == 0;
	}
	int err = 0;
	struct gi_vec runs = { 0 }, scratch = { 0 };
	for (size_t i = 0; i < first && !err; i++) {
		if (segs[i].hi < rows[0] || segs[i].lo > rows[nrows - 1])
			continue;
		sqlite3_stmt *s = lookup_stmt(st, segs[i].id, lo, hi);
		if (!s) {
			err = -1;
			break;
		}
		/* a list of several keys: each key's postings merged with the others' of the
		 * segment (the segments' rows ascend), or, too many, sorted at the end */
		size_t from = out ? out->n : 0;
		runs.n = 0;
		struct gi_decoder d = { .probe = probe, .runs = out && lo < hi ? &runs : NULL };
		int rc, bad = 0;
		/* (until the decoder wants no more: the rest of a long key's rows) */
		while (bad == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
			bad = gi_decode_page(&d, sqlite3_column_int64(s, 0), sqlite3_column_blob(s, 1),
					     (size_t)sqlite3_column_bytes(s, 1), lo, hi, rows, nrows, out);
		sqlite3_reset(s);
		long n = gi_decode_end(&d);
		if (bad < 0 || n < 0)
			err = fail(st, "%s: the search index is damaged (a page cannot be read)", st->path);
		else if (bad == 0 && rc != SQLITE_DONE)
			err = fail_db(st, "searching");
		else if (!out)
			*count += n;
		else if (runs.n > 1 && runs.n <= LOOKUP_MERGE_RUNS)
			gi_vec_merge_runs(out, from, &runs, &scratch);
	}
	gi_vec_free(&runs);
	gi_vec_free(&scratch);
	if (first < nsegs) {
		/* the shared segments the second thread has not taken (all, without it) */
		lookup_job_work(&job);
		if (started)
			pthread_join(thread, NULL);
		for (size_t i = 0; i < job.pages.nseg && !err; i++)
			if (job.count[i] < 0)
				err = fail(st, "%s: the search index is damaged (a page cannot be read)", st->path);
			else
				*count += job.count[i];
	}
	lookup_job_free(&job);
	if (!err && out)
		gi_vec_sort(out);
	return err;
}

/* A search under way: the query, the rows it reads, the segments. */
struct search {
	struct query q;			/* the parsed query */
	struct search_rows rows;	/* the rows searched */
	struct index_seg *segs;		/* the segments, in row order */
	size_t nsegs;			/* how many */
};

static void search_end(struct search *s)
{
	query_free(&s->q);
	search_rows_free(&s->rows);
	free(s->segs);
	memset(s, 0, sizeof *s);
}

/* Parses the query and finds the rows of doc's paragraphs from..to (doc < 0: the
 * library) and the segments; ids_only: a count, that needs not the rows' documents. */
static int search_begin(struct store *st, const char *query, long doc, long from, long to, bool ids_only,
			struct search *s)
{
	memset(s, 0, sizeof *s);
	if (parse_query(st, query, &s->q) != 0)
		return -1;
	if (search_rows_load(st, doc, from, to, ids_only, &s->rows) != 0 ||
	    (s->rows.n && index_segs(st, &s->segs, &s->nsegs) != 0)) {
		search_end(s);
		return -1;
	}
	return 0;
}

/* About how many pages keys lo..hi fill in segment seg, or -1. */
static long index_key_pages(struct store *st, sqlite3_int64 seg, uint64_t lo, uint64_t hi)
{
	sqlite3_stmt *q = stmt(st, Q_INDEX_KEY_PAGES);
	if (!q)
		return -1;
	sqlite3_bind_int64(q, 1, seg);
	sqlite3_bind_int64(q, 2, gi_pid(lo, 0));
	sqlite3_bind_int64(q, 3, gi_pid(hi + 1, 0));
	int rc = sqlite3_step(q);
	long n = rc == SQLITE_ROW ? (long)sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return rc == SQLITE_ROW ? n : fail_db(st, "searching");
}

/* About how many pages hold keys lo..hi in the segments of rows: which lookup to make
 * first, and whether to share it with a second thread; seg_pages[i]: those of segment i. */
static long search_pages_of(struct store *st, const struct search *s, uint64_t lo, uint64_t hi, const uint32_t *rows,
			    size_t nrows, long *seg_pages)
{
	long pages = 0;
	for (size_t i = 0; i < s->nsegs; i++) {
		seg_pages[i] = 0;
		if (!nrows || s->segs[i].hi < rows[0] || s->segs[i].lo > rows[nrows - 1])
			continue;
		if ((seg_pages[i] = index_key_pages(st, s->segs[i].id, lo, hi)) < 0)
			return -1;
		pages += seg_pages[i];
	}
	return pages;
}

/* order[0..k-1]: the lookups 0..k-1 by their pages, fewest first (ties as they come). */
static void order_by_pages(int *order, const long *pages, int k)
{
	for (int j = 0; j < k; j++) {
		order[j] = j;
		for (int i = j; i > 0 && pages[order[i]] < pages[order[i - 1]]; i--) {
			int t = order[i];
			order[i] = order[i - 1];
			order[i - 1] = t;
		}
	}
}

/* Both ranges of a term's keys (gi_term: lo2..hi2, when there is one, a bucketed
 * pair's plain key) into out, or counted in *count, as search_lookup does one;
 * seg_pages, seg_pages2: each range's pages in each segment (or NULL). A pair's
 * buckets for some of the rows (a first page of hits) are looked up one at a time:
 * a lookup of several keys reads each but the last to its end, past the rows. */
static int search_term(struct store *st, const struct search *s, const struct gi_term *t, const uint32_t *rows,
		       size_t nrows, struct gi_vec *out, long *count, struct gi_probe *probe, const long *seg_pages,
		       const long *seg_pages2)
{
	bool each = t->hi > t->lo && t->hi - t->lo < GI_CTX && nrows < s->rows.n;
	uint64_t part[GI_CTX + 1][2];
	int np = 0;
	for (uint64_t k = t->lo; each && k <= t->hi; k++, np++)
		part[np][0] = part[np][1] = k;
	if (!each) {
		part[np][0] = t->lo;
		part[np++][1] = t->hi;
	}
	if (t->lo2 <= t->hi2) {
		part[np][0] = t->lo2;
		part[np++][1] = t->hi2;
	}
	struct gi_vec more = { 0 };
	int err = 0;
	for (int i = 0; i < np && !err; i++) {
		long n = 0;
		const long *pages = i == 0 && !each ? seg_pages : i == np - 1 && t->lo2 <= t->hi2 ? seg_pages2 : NULL;
		err = search_lookup(st, s->segs, s->nsegs, part[i][0], part[i][1], rows, nrows, i && out ? &more : out,
				    i ? &n : count, probe, pages);
		if (!err && i && out)
			gi_vec_merge(out, &more);
		else if (!err && i)
			*count += n;
	}
	gi_vec_free(&more);
	return err;
}

/* A term's pages (both ranges) in the segments of rows; seg_pages[i], seg_pages2[i]:
 * each range's in segment i. */
static long search_term_pages(struct store *st, const struct search *s, const struct gi_term *t, const uint32_t *rows,
			      size_t nrows, long *seg_pages, long *seg_pages2)
{
	long pages = search_pages_of(st, s, t->lo, t->hi, rows, nrows, seg_pages), more = 0;
	if (pages >= 0 && t->lo2 <= t->hi2)
		more = search_pages_of(st, s, t->lo2, t->hi2, rows, nrows, seg_pages2);
	return pages < 0 || more < 0 ? -1 : pages + more;
}

/* Where one word occurs in rows: the lookup of fewest pages first, then each of the
 * others keeping only the postings where the word may still start, so that a common
 * bigram (发展 in 高质量发展) is never held whole. With count (a word of several
 * lookups), the last lookup only counts: the occurrences' number in *count, out left
 * empty. */
static int search_word(struct store *st, const struct search *s, const char *word, const uint32_t *rows, size_t nrows,
		       struct gi_vec *out, long *count)
{
	struct gi_term *terms;
	int k = gi_word_terms(word, strlen(word), &terms);
	long *pages = xcalloc((size_t)(k ? k : 1), sizeof *pages);
	/* each term's pages in each segment, of its first range, then of its second */
	size_t per = s->nsegs ? s->nsegs : 1;
	long *seg_pages = xcalloc((size_t)(k ? k : 1) * 2 * per, sizeof *seg_pages);
	int *order = xcalloc((size_t)(k ? k : 1), sizeof *order);
	int err = 0;
	for (int j = 0; j < k && !err; j++) {
		long *tp = seg_pages + (size_t)j * 2 * per;
		if ((pages[j] = search_term_pages(st, s, &terms[j], rows, nrows, tp, tp + per)) < 0)
			err = -1;
	}
	order_by_pages(order, pages, k);
	if (count)
		*count = 0;
	/* out: where the word may start, so far */
	struct gi_vec found = { 0 };
	out->n = 0;
	for (int j = 0; j < k && !err; j++) {
		const struct gi_term *t = &terms[order[j]];
		const long *tp = seg_pages + (size_t)order[j] * 2 * per;
		struct gi_probe probe = { .v = out->v, .n = out->n, .shift = t->at };
		if (count && j && j == k - 1) {
			/* (one start a posting: a position holds one token) */
			err = search_term(st, s, t, rows, nrows, NULL, count, &probe, tp, tp + per);
			out->n = 0;
			break;
		}
		err = search_term(st, s, t, rows, nrows, &found, NULL, j ? &probe : NULL, tp, tp + per);
		/* the starts, in place, then found becomes out */
		size_t n = 0;
		for (size_t i = 0; !err && i < found.n; i++)
			if ((uint32_t)found.v[i] >= t->at && (!n || found.v[n - 1] != found.v[i] - t->at))
				found.v[n++] = found.v[i] - t->at;
		found.n = err ? 0 : n;
		struct gi_vec swap = *out;
		*out = found;
		found = swap;
		if (out->n == 0)
			break;	/* no occurrence */
	}
	gi_vec_free(&found);
	free(pages);
	free(seg_pages);
	free(order);
	free(terms);
	return err;
}

/* A count of a word of several lookups over every row (search_quick_count's), a
 * segment at a time: segments hold disjoint rows, so one segment's lookups (the first
 * listed, the next ones probing it, the last counted, fewest pages first as in
 * search_word) need no other segment's postings. This thread reads the pages of
 * every lookup of a segment ahead, the biggest segments first, and each segment read
 * is decoded by whichever thread takes it first: a second thread, started once there
 * are pages enough to share, and this one once all are read (decoding is most of a
 * phrase's count: 高质量发展's 350 pages at 1 GB, 700,000 postings). */

/* The pages read ahead are copied into blocks that never move: the second thread
 * decodes the segments read while more are (a buffer grown by realloc would move, and
 * its copy take fresh memory: a page fault for each 4 KB). */
enum { WORD_BLOCK_BYTES = 1 << 20 };

struct word_block {
	struct word_block *next;	/* the block before */
	size_t used;			/* bytes of data used */
	size_t size;			/* bytes of data */
	uint8_t data[];			/* the pages */
};

/* One page read ahead. */
struct word_page {
	int64_t pid;		/* its pid */
	const uint8_t *data;	/* its bytes, in a block */
	size_t n;		/* how many */
};

/* One segment's pages for a word's count. */
struct word_seg {
	struct word_page *page;	/* its lookups' pages: unit 2 * term + range (a term's two ranges) */
	size_t n;		/* how many */
	size_t cap;		/* allocated */
	size_t *unit_at;	/* where each unit's pages start */
	size_t *unit_end;	/* and end */
	bool empty;		/* a lookup has no posting here: the others were not read */
	long count;		/* the word's occurrences in it, -1 when a page is damaged */
};

/* A lookup of at most this many pages in a segment is counted as soon as it is read:
 * none there, the segment holds no occurrence, and its other lookups are not read
 * (发展龘: 展龘's page, not 发展's 700). */
enum { WORD_PEEK_PAGES = 4 };

/* The segments of a word's count, shared by two threads. */
struct word_job {
	const struct gi_term *terms;	/* the word's lookups */
	int k;				/* how many (more than one) */
	const uint32_t *rows;		/* the rows counted, ascending */
	size_t nrows;			/* how many */
	struct word_seg *segs;		/* the segments, biggest first */
	size_t nseg;			/* how many */
	struct word_block *blocks;	/* where their pages are, the last first */
	pthread_mutex_t lock;		/* guards ready and stop */
	pthread_cond_t more;		/* signalled as they change */
	size_t ready;			/* the segments whose pages are read */
	bool stop;			/* no more will be: reading failed */
	atomic_size_t next;		/* the next segment not taken */
};

/* What one thread decodes into, kept from segment to segment. */
struct word_scratch {
	struct gi_vec found;	/* a lookup's postings */
	struct gi_vec starts;	/* where the word may start, so far */
	struct gi_vec runs;	/* where each key's postings start in found */
	struct gi_vec merge;	/* where they are merged */
	struct gi_vec more;	/* a pair's plain key's postings, merged into found */
	int *order;		/* the lookups, fewest pages first */
	long *pages;		/* each lookup's pages */
};

/* Reads the pages of keys lo..hi of segment seg into g, as one more unit. */
static int word_read(struct store *st, struct word_job *j, sqlite3_int64 seg, uint64_t lo, uint64_t hi,
		     struct word_seg *g, size_t unit)
{
	sqlite3_stmt *s = lookup_stmt(st, seg, lo, hi);
	if (!s)
		return -1;
	int rc;
	g->unit_at[unit] = g->n;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (g->n == g->cap) {
			g->cap = g->cap ? g->cap * 2 : 64;
			g->page = xrealloc(g->page, g->cap * sizeof *g->page);
		}
		size_t n = (size_t)sqlite3_column_bytes(s, 1);
		struct word_block *b = j->blocks;
		if (!b || b->size - b->used < n) {
			size_t size = n > WORD_BLOCK_BYTES ? n : WORD_BLOCK_BYTES;
			b = xmalloc(sizeof *b + size);
			*b = (struct word_block){ .next = j->blocks, .size = size };
			j->blocks = b;
		}
		if (n)
			memcpy(b->data + b->used, sqlite3_column_blob(s, 1), n);
		g->page[g->n++] = (struct word_page){ .pid = sqlite3_column_int64(s, 0), .data = b->data + b->used, .n = n };
		b->used += n;
	}
	sqlite3_reset(s);
	g->unit_end[unit] = g->n;
	return rc == SQLITE_DONE ? 0 : fail_db(st, "searching");
}

/* Decodes unit u of segment g (keys lo..hi) into out, as where the word starts (term at
 * offset at), or counts its postings in *n; false when a page is damaged. */
static bool word_unit(const struct word_job *j, const struct word_seg *g, size_t u, uint64_t lo, uint64_t hi,
		      struct gi_vec *out, uint32_t at, struct gi_vec *runs, struct gi_probe *probe, long *n)
{
	struct gi_decoder d = { .probe = probe, .runs = runs, .lift = out ? at : 0 };
	int bad = 0;
	for (size_t i = g->unit_at[u]; i < g->unit_end[u] && bad == 0; i++)
		bad = gi_decode_page(&d, g->page[i].pid, g->page[i].data, g->page[i].n, lo, hi, j->rows, j->nrows, out);
	*n = gi_decode_end(&d);
	return bad >= 0 && *n >= 0;
}

/* The word's occurrences in one segment, or -1 when a page is damaged. */
static long word_seg_count(const struct word_job *j, const struct word_seg *p, struct word_scratch *w)
{
	if (p->empty)
		return 0;
	int k = j->k, *order = w->order;
	long *pages = w->pages;
	for (int t = 0; t < k; t++)
		pages[t] = (long)(p->unit_end[2 * t] - p->unit_at[2 * t] + p->unit_end[2 * t + 1] - p->unit_at[2 * t + 1]);
	order_by_pages(order, pages, k);
	w->starts.n = 0;
	for (int i = 0; i < k; i++) {
		const struct gi_term *t = &j->terms[order[i]];
		size_t u = 2 * (size_t)order[i];
		bool two = t->lo2 <= t->hi2;
		struct gi_probe probe = { .v = w->starts.v, .n = w->starts.n, .shift = t->at };
		long n, more = 0;
		if (i == k - 1) {
			/* (one start a posting: a position holds one token) */
			if (!word_unit(j, p, u, t->lo, t->hi, NULL, 0, NULL, &probe, &n) ||
			    (two && !word_unit(j, p, u + 1, t->lo2, t->hi2, NULL, 0, NULL, &probe, &more)))
				return -1;
			return n + more;
		}
		/* the starts (one a posting: a position holds one token) */
		w->found.n = 0;
		w->runs.n = 0;
		if (!word_unit(j, p, u, t->lo, t->hi, &w->found, t->at, t->lo < t->hi ? &w->runs : NULL, i ? &probe : NULL,
			       &n))
			return -1;
		if (two && t->lo == t->hi) {
			/* a pair's bucket and its plain key (mostly the fewer): the plain's
			 * merged in place from the end, through no copy of the bucket's */
			w->more.n = 0;
			if (!word_unit(j, p, u + 1, t->lo2, t->hi2, &w->more, t->at, NULL, i ? &probe : NULL, &more))
				return -1;
			gi_vec_merge(&w->found, &w->more);
		} else if (two) {
			if (!w->runs.n)
				gi_vec_push(&w->runs, 0);
			gi_vec_push(&w->runs, w->found.n);
			if (!word_unit(j, p, u + 1, t->lo2, t->hi2, &w->found, t->at, NULL, i ? &probe : NULL, &more))
				return -1;
		}
		/* each key's ascend: merged, or, too many keys, sorted */
		if (w->runs.n > LOOKUP_MERGE_RUNS)
			gi_vec_sort(&w->found);
		else if (w->runs.n > 1)
			gi_vec_merge_runs(&w->found, 0, &w->runs, &w->merge);
		struct gi_vec swap = w->starts;
		w->starts = w->found;
		w->found = swap;
		if (w->starts.n == 0)
			return 0;	/* no occurrence */
	}
	return 0;
}

/* Counts segments until none is left untaken. */
static void word_job_work(struct word_job *j)
{
	struct word_scratch w = { .order = xmalloc((size_t)j->k * sizeof *w.order),
				  .pages = xmalloc((size_t)j->k * sizeof *w.pages) };
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->nseg)
			break;
		pthread_mutex_lock(&j->lock);
		while (j->ready <= i && !j->stop)
			pthread_cond_wait(&j->more, &j->lock);
		bool ready = j->ready > i;
		pthread_mutex_unlock(&j->lock);
		if (!ready)
			break;
		j->segs[i].count = word_seg_count(j, &j->segs[i], &w);
	}
	gi_vec_free(&w.found);
	gi_vec_free(&w.starts);
	gi_vec_free(&w.runs);
	gi_vec_free(&w.merge);
	gi_vec_free(&w.more);
	free(w.order);
	free(w.pages);
}

static void *word_job_run(void *arg)
{
	word_job_work(arg);
	return NULL;
}

/* Whether the rows searched hold every row of the segments they fall in, so that a
 * lookup reads each one's pages to the end (a document's rows: search_lookup stops
 * after them, which reading ahead cannot). */
static bool search_rows_whole(const struct search *s)
{
	const uint32_t *rows = s->rows.id;
	size_t n = s->rows.n;
	for (size_t i = 0; i < s->nsegs && n; i++)
		if (s->segs[i].hi >= rows[0] && s->segs[i].lo <= rows[n - 1] &&
		    (s->segs[i].lo < rows[0] || s->segs[i].hi > rows[n - 1]))
			return false;
	return true;
}

/* The occurrences in every row of word, whose lookups are terms (k > 1), in *count
 * (search_rows_whole). */
static int search_word_count(struct store *st, const struct search *s, const struct gi_term *terms, int k, long *count)
{
	*count = 0;
	const uint32_t *rows = s->rows.id;
	size_t nrows = s->rows.n;
	if (!nrows)
		return 0;
	struct word_job job = { .terms = terms, .k = k, .rows = rows, .nrows = nrows };
	atomic_init(&job.next, 0);
	pthread_mutex_init(&job.lock, NULL);
	pthread_cond_init(&job.more, NULL);
	/* the segments holding rows, biggest first */
	size_t *which = xmalloc((s->nsegs ? s->nsegs : 1) * sizeof *which);
	for (size_t i = 0; i < s->nsegs; i++) {
		if (s->segs[i].hi < rows[0] || s->segs[i].lo > rows[nrows - 1])
			continue;
		size_t at = job.nseg++;
		for (; at > 0 && s->segs[which[at - 1]].bytes < s->segs[i].bytes; at--)
			which[at] = which[at - 1];
		which[at] = i;
	}
	job.segs = xcalloc(job.nseg ? job.nseg : 1, sizeof *job.segs);
	int err = 0;
	/* the order a segment's lookups are read in: fewest pages first in the biggest */
	int *order = xmalloc((size_t)k * sizeof *order);
	long *key_pages = xcalloc((size_t)k, sizeof *key_pages);
	for (int t = 0; t < k && !err; t++) {
		sqlite3_int64 id = job.nseg ? s->segs[which[0]].id : 0;
		long a = job.nseg ? index_key_pages(st, id, terms[t].lo, terms[t].hi) : 0;
		long b = job.nseg && terms[t].lo2 <= terms[t].hi2 ? index_key_pages(st, id, terms[t].lo2, terms[t].hi2) : 0;
		err = a < 0 || b < 0 ? -1 : 0;
		key_pages[t] = a + b;
	}
	order_by_pages(order, key_pages, k);
	/* the second thread started at once when the biggest segment's pages are enough
	 * (it is running when they are read) and its first lookup is no peek, else once
	 * the pages read are */
	long biggest = 0;
	for (int t = 0; t < k; t++)
		biggest += key_pages[t];
	pthread_t thread;
	bool started = !err && job.nseg > 1 && biggest >= LOOKUP_SHARED_PAGES / 2 &&
		       key_pages[order[0]] > WORD_PEEK_PAGES && pthread_create(&thread, NULL, word_job_run, &job) == 0;
	size_t pages = 0;
	for (size_t i = 0; i < job.nseg && !err; i++) {
		struct word_seg *p = &job.segs[i];
		sqlite3_int64 id = s->segs[which[i]].id;
		p->unit_at = xcalloc(2 * (size_t)k, sizeof *p->unit_at);
		p->unit_end = xcalloc(2 * (size_t)k, sizeof *p->unit_end);
		for (int j = 0; j < k && !err && !p->empty; j++) {
			int t = order[j];
			err = word_read(st, &job, id, terms[t].lo, terms[t].hi, p, 2 * (size_t)t);
			if (!err && terms[t].lo2 <= terms[t].hi2)
				err = word_read(st, &job, id, terms[t].lo2, terms[t].hi2, p, 2 * (size_t)t + 1);
			size_t u = 2 * (size_t)t, few = p->unit_end[u] - p->unit_at[u] + p->unit_end[u + 1] - p->unit_at[u + 1];
			long a = 0, b = 0;
			p->empty = !err && j + 1 < k && few <= WORD_PEEK_PAGES &&
				   word_unit(&job, p, u, terms[t].lo, terms[t].hi, NULL, 0, NULL, NULL, &a) &&
				   word_unit(&job, p, u + 1, terms[t].lo2, terms[t].hi2, NULL, 0, NULL, NULL, &b) && a + b == 0;
		}
		pages += p->n;
		pthread_mutex_lock(&job.lock);
		job.ready = err ? job.ready : i + 1;
		job.stop = err != 0;
		pthread_cond_signal(&job.more);
		pthread_mutex_unlock(&job.lock);
		if (!started && !err && i + 1 < job.nseg && pages >= LOOKUP_SHARED_PAGES / 2)
			started = pthread_create(&thread, NULL, word_job_run, &job) == 0;
	}
	/* the segments the second thread has not taken (all, without it) */
	if (!err)
		word_job_work(&job);
	if (started)
		pthread_join(thread, NULL);
	for (size_t i = 0; i < job.nseg; i++) {
		if (!err && job.segs[i].count < 0)
			err = fail(st, "%s: the search index is damaged (a page cannot be read)", st->path);
		else
			*count += job.segs[i].count;
		free(job.segs[i].page);
		free(job.segs[i].unit_at);
		free(job.segs[i].unit_end);
	}
	while (job.blocks) {
		struct word_block *b = job.blocks;
		job.blocks = b->next;
		free(b);
	}
	free(job.segs);
	free(which);
	free(order);
	free(key_pages);
	pthread_cond_destroy(&job.more);
	pthread_mutex_destroy(&job.lock);
	return err;
}

/* The count of a word that cannot overlap itself (no characters that start it also end
 * it), over every row: the postings of its one lookup, or those of its last lookup
 * where the others put a start, none listed. 1 when counted, 0 when the word is not
 * such. */
static int search_quick_count(struct store *st, const struct search *s, const char *word, long *count)
{
	if (gi_word_overlaps(word, strlen(word)))
		return 0;
	struct gi_term *terms;
	int k = gi_word_terms(word, strlen(word), &terms);
	int rc = 0;
	if (k == 1) {
		size_t per = s->nsegs ? s->nsegs : 1;
		long *seg_pages = xcalloc(2 * per, sizeof *seg_pages);
		rc = search_term_pages(st, s, &terms[0], s->rows.id, s->rows.n, seg_pages, seg_pages + per) < 0 ? -1 :
		     search_term(st, s, &terms[0], s->rows.id, s->rows.n, NULL, count, NULL, seg_pages, seg_pages + per);
		free(seg_pages);
	} else if (k > 1 && search_rows_whole(s)) {
		rc = search_word_count(st, s, terms, k, count);
	} else if (k > 1) {
		struct gi_vec starts = { 0 };
		rc = search_word(st, s, word, s->rows.id, s->rows.n, &starts, count);
		gi_vec_free(&starts);
	}
	free(terms);
	return rc < 0 ? -1 : k > 0;
}

/* The hits in rows i..j-1 of the search: their number, or -1. Hits are those in
 * paragraphs holding every word; a list (hits, in row and text order) or several
 * words read the paragraph ends, one word only counted needs not. */
static long search_hits(struct store *st, const struct search *s, size_t i, size_t j, struct gi_hit **hits)
{
	if (hits)
		*hits = NULL;
	const uint32_t *rows = s->rows.id + i;
	size_t nrows = j - i;
	int nwords = s->q.nwords;
	bool paras = hits || nwords > 1;
	long count = 0;
	if (!paras && i == 0 && j == s->rows.n) {
		int quick = search_quick_count(st, s, s->q.words[0], &count);
		if (quick)
			return quick < 0 ? -1 : count;
	}
	struct gi_vec *words = xcalloc((size_t)nwords, sizeof *words), nl = { 0 };
	uint32_t *lens = xcalloc((size_t)nwords, sizeof *lens);
	int err = 0;
	bool none = nrows == 0;
	for (int w = 0; w < nwords && !err && !none; w++) {
		lens[w] = (uint32_t)s->q.chars[w];
		err = search_word(st, s, s->q.words[w], rows, nrows, &words[w], NULL);
		none = words[w].n == 0 && (paras || nwords == 1);
	}
	if (!err && !none && paras) {
		/* the line ends of the rows holding a word */
		struct gi_vec hit_rows = { 0 };
		gi_rows(words, nwords, &hit_rows);
		uint32_t *ids = xmalloc((hit_rows.n ? hit_rows.n : 1) * sizeof *ids);
		size_t nids = 0;
		for (size_t k = 0; k < hit_rows.n; k++)
			ids[nids++] = (uint32_t)hit_rows.v[k];
		err = search_lookup(st, s->segs, s->nsegs, gi_key_lone('\n'), gi_key_lone('\n'), ids, nids, &nl, NULL, NULL,
				    NULL);
		free(ids);
		gi_vec_free(&hit_rows);
	}
	if (!err && !none)
		count = gi_hits(words, lens, nwords, paras ? &nl : NULL, hits);
	for (int w = 0; w < nwords; w++)
		gi_vec_free(&words[w]);
	free(words);
	free(lens);
	gi_vec_free(&nl);
	return err ? -1 : count;
}

/* A count reads each page of its lookups once: through a small page cache, whose
 * buffers are used again, not SQLite's 2 MB of fresh memory, whose page faults were a
 * quarter of the reading (0.8 ms of 3 for 高质量发展 at 1 GB). */
enum { SEARCH_COUNT_CACHE_KB = 512 };

long store_search_count(struct store *st, const char *query, long doc)
{
	int cache = 0;
	char sql[64];
	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", SEARCH_COUNT_CACHE_KB);
	bool small = pragma_int(st, "PRAGMA cache_size", &cache) == 0 && exec(st, sql, "searching") == 0;
	/* one read transaction, not one a statement (their locks were 0.3 ms at 1 GB) */
	bool hold = sqlite3_get_autocommit(st->db) && store_read_hold(st, true) == 0;
	struct search s;
	long count = -1;
	if (search_begin(st, query, doc, LONG_MIN, LONG_MAX, true, &s) == 0) {
		count = search_hits(st, &s, 0, s.rows.n, NULL);
		search_end(&s);
	}
	if (hold && store_read_hold(st, false) != 0)
		count = -1;
	snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", cache);
	if (small && exec(st, sql, "searching") != 0)
		count = -1;
	return count;
}

/* What store_search keeps about the document whose hits it is giving. */
struct search_doc {
	long id;			/* document id, -1 before the first */
	struct doc_info info;		/* title and the rest */
	struct section *sections;	/* its outline, strings owned */
	size_t nsections;		/* how many */
	size_t cap;			/* sections allocated */
	long para;			/* seq of the paragraph in text, -1 when none */
	struct sbuf text;		/* that paragraph */
};

static int search_collect_section(void *ctx, const struct section *s)
{
	struct search_doc *d = ctx;
	if (d->nsections == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->sections = xrealloc(d->sections, d->cap * sizeof *d->sections);
	}
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
	d->nsections = d->cap = 0;
	if (d->info.title)
		doc_info_clear(&d->info);
	d->para = -1;
}

/* The index of the last section of d (in document order, so in (para, offset) order
 * too) that starts at or before paragraph para, character offset; -1 if none. */
static long search_section_at(const struct search_doc *d, long para, long offset)
{
	size_t lo = 0, hi = d->nsections;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct section *s = &d->sections[mid];
		if (s->para < para || (s->para == para && s->offset <= offset))
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* The innermost section holding (para, offset) is the last one that starts before it;
 * its path names each level by its marker, or its title when it has none. */
static void search_section_path(const struct search_doc *d, long para, long offset, struct sbuf *out)
{
	sbuf_reset(out);
	sbuf_puts(out, "");
	long at = search_section_at(d, para, offset);
	const struct section *chain[64];
	int depth = 0;
	while (at >= 0 && depth < 64) {
		chain[depth++] = &d->sections[at];
		at = section_find_seq(d->sections, d->nsections, d->sections[at].parent);
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
	struct search s;
	if (search_begin(st, query, doc, LONG_MIN, LONG_MAX, false, &s) != 0)
		return -1;
	struct search_doc d = { .id = -1, .para = -1 };
	struct para_block block = { .doc = -1 };	/* the row of the last hit's paragraph */
	struct sbuf path = { 0 }, snippet = { 0 };
	long given = 0;
	int err = 0;
	bool stop = false;
	/* with a limit, rows a window at a time (16, then 8 times more), so that a first
	 * page of hits reads little of the index */
	for (size_t i = 0, w = limit < 0 ? s.rows.n : 16; i < s.rows.n && !stop && !err; i += w, w *= 8) {
		size_t j = w < s.rows.n - i ? i + w : s.rows.n;
		struct gi_hit *hits;
		long n = search_hits(st, &s, i, j, &hits);
		if (n < 0)
			err = -1;
		for (long k = 0; k < n && !stop && !err; k++) {
			if (limit >= 0 && given >= limit) {
				stop = true;
				break;
			}
			size_t r = search_row_at(&s.rows, hits[k].row);
			long id = s.rows.doc[r], para = s.rows.first[r] + hits[k].para;
			long offset = hits[k].offset, length = hits[k].length;
			if (id != d.id) {
				search_doc_clear(&d);
				d.id = id;
				if (store_doc_info(st, id, &d.info) != 0 ||
				    store_each_section(st, id, search_collect_section, &d) != 0) {
					err = -1;
					break;
				}
			}
			if (para != d.para) {
				const struct para *p;
				int prc = para_at(st, &block, id, para, &p);
				if (prc < 0) {
					err = -1;
					break;
				}
				sbuf_reset(&d.text);
				sbuf_puts(&d.text, "");
				if (prc == 1)
					sbuf_append(&d.text, p->text, p->len);
				d.para = para;
			}
			struct search_hit h = { .doc = id, .title = d.info.title, .para = para, .offset = offset, .length = length };
			search_section_path(&d, para, offset, &path);
			search_snippet(d.text.data, d.text.len, offset, length, &snippet, &h.snippet_offset);
			h.section = path.data;
			h.snippet = snippet.data;
			given++;
			stop = fn(ctx, &h) != 0;
		}
		free(hits);
		if (limit >= 0 && given >= limit)
			stop = true;
	}
	search_end(&s);
	search_doc_clear(&d);
	block_free(&block);
	sbuf_free(&d.text);
	sbuf_free(&path);
	sbuf_free(&snippet);
	return err ? -1 : given;
}

long store_search_places(struct store *st, const char *query, long doc, long from, long to, bool backward,
			 int (*fn)(void *ctx, long para, long offset, long length), void *ctx)
{
	struct search s;
	if (search_begin(st, query, doc, from, to, false, &s) != 0)
		return -1;
	struct gi_hit *hits;
	long n = search_hits(st, &s, 0, s.rows.n, &hits), given = 0;
	for (long k = 0; k < n; k++) {
		long i = backward ? n - 1 - k : k;
		long para = s.rows.first[search_row_at(&s.rows, hits[i].row)] + hits[i].para;
		if (para < from || para > to)
			continue;
		given++;
		if (fn(ctx, para, hits[i].offset, hits[i].length) != 0)
			break;
	}
	free(hits);
	search_end(&s);
	return n < 0 ? -1 : given;
}

/* --- reading state: the reader's queries --- */

static int took_seq(void *ctx, const struct para *p)
{
	*(long *)ctx = p->seq;
	return 0;
}

int store_para_range(struct store *st, long doc, bool with_noise, long *first, long *last, long *count)
{
	/* the ends from the first and the last rows, never a scan: documents can hold 50 MB */
	*first = 0, *last = -1, *count = 0;
	long lo = -1, hi = -1;
	if (paras_walk(st, doc, 0, 1, with_noise, false, took_seq, &lo) != 0 ||
	    paras_walk(st, doc, 4294967296L, 1, with_noise, true, took_seq, &hi) != 0)
		return -1;
	if (lo < 0)
		return 0;
	*first = lo, *last = hi;
	if (with_noise) {
		/* the import numbers every paragraph, noise too: the seqs leave no gap */
		*count = hi - lo + 1;
		return 0;
	}
	sqlite3_stmt *s = stmt(st, Q_DOC_PARAGRAPHS);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, doc);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*count = (long)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail_db(st, "reading paragraphs");
}

int store_each_paragraph_before(struct store *st, long doc, long before, long count, bool with_noise,
				int (*fn)(void *ctx, const struct para *p), void *ctx)
{
	return paras_walk(st, doc, before, count, with_noise, true, fn, ctx);
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
	/* the term's hits alone out of its document's blob: the offsets of its rank, then
	 * its bytes (a blob handle reads only the pages it needs) */
	long doc = (long)((unsigned long)term >> 32);
	uint32_t rank = (uint32_t)term;
	sqlite3_blob *b = NULL;
	int rc = term < 0 ? SQLITE_ERROR : sqlite3_blob_open(st->db, "main", "term_lists", "hits", doc, 0, &b);
	/* read while the handle holds the library: the version of what it sees */
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
		unsigned char head[8];
		int len = rc == SQLITE_OK ? sqlite3_blob_bytes(b) : 0;
		bool damaged = false;
		if (len >= 4 && sqlite3_blob_read(b, head, 4, 0) == SQLITE_OK) {
			uint32_t n = term_get_u32(head);
			long long at = 4 + 4 * (long long)rank, data = 4 + 4 * ((long long)n + 1);
			if (rank < n && data <= len && sqlite3_blob_read(b, head, 8, (int)at) == SQLITE_OK) {
				uint32_t lo = term_get_u32(head), hi = term_get_u32(head + 4);
				unsigned char *blob = NULL;
				damaged = lo > hi || data + hi > len;
				if (!damaged && hi > lo) {
					blob = xmalloc(hi - lo);
					damaged = sqlite3_blob_read(b, blob, (int)(hi - lo), (int)(data + lo)) != SQLITE_OK;
				}
				if (!damaged)
					c->n = hits_unpack(blob, hi - lo, &c->v);
				free(blob);
				damaged = damaged || c->n < 0;
			} else {
				damaged = rank < n;
			}
		} else {
			damaged = len > 0;
		}
		if (damaged) {
			c->n = 0;
			sqlite3_blob_close(b);
			fail(st, "%s: the library is damaged (the hits of term %ld)", st->path, term);
			return NULL;
		}
		/* a term that is not there (no row: its document has none) has none */
		c->used = true;
	}
	sqlite3_blob_close(b);
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
