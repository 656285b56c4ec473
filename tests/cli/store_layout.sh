#!/bin/sh
# The storage of schema 8: a library of schema 5 upgrades with its text, outline,
# original bytes, reading position and marks intact; sections keep no text their
# paragraph holds; rm leaves no paragraph or original bytes behind. A new library has
# 16 KB pages; an old one keeps its own.
. "$top_srcdir/tests/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "SKIP: the sqlite3 command-line tool is absent (Debian: sqlite3)"
	exit 77
fi
q() { sqlite3 "$DUGAO_DB" "$1"; }

sqlite3 "$DUGAO_DB" <"$top_srcdir/tests/cli/library-schema5.sql" || fail "cannot make the schema-5 library"
q "INSERT INTO positions VALUES (1, 3, 2, '2026-01-01T00:00:00Z'); INSERT INTO marks VALUES (1, 'a', 4, 1);"
# what the old layout holds, read with SQL
old_text=$(q "SELECT text FROM paragraphs WHERE doc = 1 AND kind != 'noise' ORDER BY seq")
old_noise=$(q "SELECT count(*) FROM paragraphs WHERE kind = 'noise'")
old_outline=$(q "SELECT level || char(9) || marker || char(9) || title FROM sections WHERE doc = 1 ORDER BY seq")
old_original=$(q "SELECT hex(bytes) FROM originals WHERE doc = 1")
expect_eq "the old library has an outline" "$(q "SELECT count(*) > 0 FROM sections WHERE doc = 1")" 1

other="$TMP/另一篇.txt"
printf '另一篇新文章\n\n一、发展\n发展是第一要务。\n二、改革\n改革开放是关键。\n' >"$other"
expect_status "upgrade by import" 0 "$DUGAO" import "$other"
expect_eq "schema 8 or later" "$(q "SELECT user_version >= 8 FROM pragma_user_version")" 1
expect_eq "integrity" "$(q "PRAGMA integrity_check")" ok
expect_eq "foreign keys" "$(q "PRAGMA foreign_key_check")" ""
expect_eq "reading position kept" "$(q "SELECT para, offset FROM positions WHERE doc = 1")" "3|2"
expect_eq "mark kept" "$(q "SELECT para, offset FROM marks WHERE doc = 1 AND name = 'a'")" "4|1"
expect_eq "text kept" "$("$DUGAO" cat 1)" "$old_text"
expect_eq "noise kept" "$(q "SELECT count(*) FROM paragraphs WHERE kind = 5")" "$old_noise"
expect_eq "outline kept" "$("$DUGAO" outline --tsv 1 | tail -n +2)" "$old_outline"
expect_eq "original bytes kept" "$(q "SELECT hex(bytes) FROM originals WHERE id BETWEEN 1 << 32 AND (1 << 32) + 4294967295")" "$old_original"
expect_eq "upgraded sections hold no text of their paragraph" "$(q "SELECT count(*) FROM section_apart")" 0
expect_eq "a byte a section" "$(q "SELECT length(marks) FROM section_marks WHERE doc = 1")" "$(echo "$old_outline" | wc -l)"
expect_eq "no rows of sections" "$(q "SELECT count(*) FROM sqlite_master WHERE name = 'sections'")" 0
expect_eq "no (doc, seq) index on paragraphs" "$(q "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'paragraphs' AND type = 'index'")" 0

# a new import: the same layout, its outline read back from the paragraphs
expect_eq "new outline" "$("$DUGAO" outline --tsv 3 | tail -n +2)" "$(printf '1\t一、\t发展\n1\t二、\t改革')"
expect_eq "new sections hold no text of their paragraph" "$(q "SELECT count(*) FROM section_apart WHERE doc = 3")" 0
expect_eq "new sections' marks" "$(q "SELECT hex(marks) FROM section_marks WHERE doc = 3")" 0202
expect_eq "kinds as numbers" "$(q "SELECT group_concat(kind, ',') FROM (SELECT kind FROM paragraphs WHERE doc = 3 ORDER BY seq)")" "0,3,4,3,4"

# --replace and rm remove the rows keyed by document
expect_status "replace" 0 "$DUGAO" import --replace "$other"
expect_eq "replaced, not doubled" "$(q "SELECT count(*) FROM paragraphs WHERE doc = 3")" 5
expect_status "rm" 0 "$DUGAO" rm 1
expect_eq "paragraphs gone" "$(q "SELECT count(*) FROM paragraphs WHERE doc = 1")" 0
expect_eq "original bytes gone" "$(q "SELECT count(*) FROM originals WHERE id >> 32 = 1")" 0
expect_eq "position gone" "$(q "SELECT count(*) FROM positions WHERE doc = 1")" 0
expect_eq "the other document stays" "$("$DUGAO" cat 3 | head -n 1)" "另一篇新文章"

# pages: an upgraded library keeps the size it was made with, a new one has 16 KB
expect_eq "old library keeps its page size" "$(q "PRAGMA page_size")" 4096
new_db="$TMP/new.db"
expect_status "new library" 0 "$DUGAO" --db "$new_db" import "$other"
expect_eq "new library has 16 KB pages" "$(sqlite3 "$new_db" "PRAGMA page_size")" 16384
expect_eq "new library integrity" "$(sqlite3 "$new_db" "PRAGMA integrity_check")" ok
finish
