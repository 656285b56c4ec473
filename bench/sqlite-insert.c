/* sqlite-insert: the plain-SQLite baseline of bench/import.sh, as issue 3 states it:
 * the same text inserted into a plain SQLite table, one row per paragraph (non-blank
 * line), all in one transaction, with SQLite's defaults. It reads UTF-8 files (the
 * benchmark converts its corpus once) and prints nothing; the script times it.
 *
 *   sqlite-insert LIBRARY FILE...
 *
 * A benchmark tool, not part of dugao: it speaks SQL itself. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static int fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite-insert: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: sqlite-insert LIBRARY FILE...\n");
		return 2;
	}
	sqlite3 *db = NULL;
	sqlite3_stmt *insert = NULL;
	if (sqlite3_open(argv[1], &db) != SQLITE_OK)
		return fail(db, argv[1]);
	if (sqlite3_exec(db, "CREATE TABLE paragraph (id INTEGER PRIMARY KEY, doc INTEGER, text TEXT); BEGIN",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO paragraph (doc, text) VALUES (?1, ?2)", -1, &insert, NULL) != SQLITE_OK)
		return fail(db, argv[1]);
	char *line = NULL;
	size_t cap = 0;
	for (int i = 2; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		if (!f) {
			perror(argv[i]);
			return 1;
		}
		ssize_t n;
		while ((n = getline(&line, &cap, f)) > 0) {
			while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				n--;
			if (strspn(line, " \t") == (size_t)n)
				continue;	/* a blank line is no paragraph */
			sqlite3_bind_int(insert, 1, i - 1);
			sqlite3_bind_text(insert, 2, line, (int)n, SQLITE_STATIC);
			if (sqlite3_step(insert) != SQLITE_DONE)
				return fail(db, argv[i]);
			sqlite3_reset(insert);
		}
		fclose(f);
	}
	free(line);
	sqlite3_finalize(insert);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return fail(db, "commit");
	return sqlite3_close(db) == SQLITE_OK ? 0 : fail(db, "close");
}
