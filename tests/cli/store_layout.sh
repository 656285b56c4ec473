#!/bin/sh
# The storage of schemas 8 and 13: a library of schema 5 upgrades with its text (hidden
# lines too), outline, original bytes, reading position and marks intact; paragraphs
# are packed into rows of para_blocks; sections keep no text their paragraph holds; rm
# leaves no paragraph or original bytes behind. A new library has 16 KB pages; an old
# one keeps its own.
. "$top_srcdir/tests/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "SKIP: the sqlite3 command-line tool is absent (Debian: sqlite3)"
	exit 77
fi
q() { sqlite3 "$DUGAO_DB" "$1"; }

sqlite3 "$DUGAO_DB" <"$top_srcdir/tests/cli/library-schema5.sql" || fail "cannot make the schema-5 library"
q "INSERT INTO positions VALUES (1, 3, 2, '2026-01-01T00:00:00Z'); INSERT INTO marks VALUES (1, 'a', 4, 1);"
# a hidden line, which the upgrade keeps where it stood
q "UPDATE paragraphs SET kind = 'noise' WHERE doc = 1 AND seq = 4"
# what the old layout holds, read with SQL
old_text=$(q "SELECT text FROM paragraphs WHERE doc = 1 AND kind != 'noise' ORDER BY seq")
old_all=$(q "SELECT text FROM paragraphs WHERE doc = 1 ORDER BY seq")
expect_eq "the old library has noise" "$(q "SELECT count(*) > 0 FROM paragraphs WHERE doc = 1 AND kind = 'noise'")" 1
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
expect_eq "noise kept" "$("$DUGAO" cat --all 1)" "$old_all"
expect_eq "outline kept" "$("$DUGAO" outline --tsv 1 | tail -n +2)" "$old_outline"
expect_eq "original bytes kept" "$(q "SELECT hex(bytes) FROM originals WHERE id BETWEEN 1 << 32 AND (1 << 32) + 4294967295")" "$old_original"
expect_eq "upgraded sections hold no text of their paragraph" "$(q "SELECT count(*) FROM section_apart")" 0
expect_eq "a byte a section" "$(q "SELECT length(marks) FROM section_marks WHERE doc = 1")" "$(echo "$old_outline" | wc -l)"
expect_eq "no rows of sections" "$(q "SELECT count(*) FROM sqlite_master WHERE name = 'sections'")" 0
expect_eq "no table of a row a paragraph" "$(q "SELECT count(*) FROM sqlite_master WHERE tbl_name = 'paragraphs'")" 0

# a new import: the same layout, its outline read back from the paragraphs
expect_eq "new outline" "$("$DUGAO" outline --tsv 3 | tail -n +2)" "$(printf '1\t一、\t发展\n1\t二、\t改革')"
expect_eq "new sections hold no text of their paragraph" "$(q "SELECT count(*) FROM section_apart WHERE doc = 3")" 0
expect_eq "new sections' marks" "$(q "SELECT hex(marks) FROM section_marks WHERE doc = 3")" 0202
expect_eq "kinds" "$("$DUGAO" export --format json 3 | grep -o '"kind": "[a-z]*"' | cut -d'"' -f4 | paste -sd,)" "title,heading,body,heading,body"
expect_eq "five paragraphs in one row" "$(q "SELECT count(*) FROM para_blocks WHERE id >> 32 = 3")" 1

# --replace and rm remove the rows keyed by document
expect_status "replace" 0 "$DUGAO" import --replace "$other"
expect_eq "replaced, not doubled" "$(q "SELECT count(*) FROM para_blocks WHERE id >> 32 = 3")" 1
expect_eq "replaced: five paragraphs" "$("$DUGAO" cat --all 3 | wc -l)" 5
expect_status "rm" 0 "$DUGAO" rm 1
expect_eq "paragraphs gone" "$(q "SELECT count(*) FROM para_blocks WHERE id >> 32 = 1")" 0
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
