#!/bin/sh
# A library of schema 10 (library-schema10.sql: sections a row each, terms a row each
# with their hits) upgrades to schema 11 when first read: each document's terms in one
# row of term_lists in the terms pane's order with the same hits, its sections a byte
# each in section_marks (a row of section_apart for the one whose text its paragraph
# does not hold), the old tables gone; outline, terms, search and rm as before.
. "$top_srcdir/tests/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "SKIP: the sqlite3 command-line tool is absent (Debian: sqlite3)"
	exit 77
fi
q() { sqlite3 "$DUGAO_DB" "$1"; }

sqlite3 "$DUGAO_DB" <"$top_srcdir/tests/cli/library-schema10.sql" || fail "cannot make the schema-10 library"
q "INSERT INTO positions VALUES (1, 5, 2, '2026-01-01T00:00:00Z'); INSERT INTO marks VALUES (1, 'a', 6, 1);"
# what the old layout holds, read with SQL
old_outline=$(q "SELECT s.level || char(9) || coalesce(s.marker, substr(p.text, s.offset + 1, s.marker_chars)) || char(9) ||
	coalesce(s.title, substr(p.text, s.offset + s.marker_chars + 1, s.length - s.marker_chars))
	FROM sections s JOIN paragraphs p ON p.id = (s.doc << 32) + s.para WHERE s.doc = 1 ORDER BY s.seq")
old_terms=$(q "SELECT text || char(9) || count || char(9) || kind FROM terms WHERE doc = 1 AND count > 0
	ORDER BY score DESC, count DESC, text")
old_hits=$(q "SELECT hex(hits) FROM terms WHERE doc = 1 ORDER BY score DESC, count DESC, text" | tr -d '\n')
nterms=$(q "SELECT count(*) FROM terms WHERE doc = 1")
old_search=$(q "SELECT count(*) FROM paragraphs WHERE id >> 32 = 1 AND kind != 5 AND text LIKE '%网格化管理%'")
expect_eq "the old library has 8 sections and 3 terms" "$(q "SELECT (SELECT count(*) FROM sections), (SELECT count(*) FROM terms)")" "8|3"

expect_status "upgrade by reading" 0 "$DUGAO" list
expect_eq "schema 11 or later" "$(q "SELECT user_version >= 11 FROM pragma_user_version")" 1
expect_eq "integrity" "$(q "PRAGMA integrity_check")" ok
expect_eq "foreign keys" "$(q "PRAGMA foreign_key_check")" ""
expect_eq "old tables and index gone" \
	"$(q "SELECT count(*) FROM sqlite_master WHERE name IN ('sections', 'terms', 'terms_rank', 'sqlite_autoindex_terms_1')")" 0
expect_eq "outline kept" "$("$DUGAO" outline --tsv 1 | tail -n +2)" "$old_outline"
expect_eq "the heading of its own text" "$("$DUGAO" outline --tsv 1 | sed -n 5p)" "$(printf '3\t一是\t便民服务中心建成投用')"
expect_eq "a byte a section, one apart" "$(q "SELECT length(marks), (SELECT group_concat(seq) FROM section_apart) FROM section_marks WHERE doc = 1")" "8|3"
expect_eq "terms kept, in order" "$("$DUGAO" terms --tsv 1)" "$old_terms"
expect_eq "a row of terms a document" "$(q "SELECT count(*) FROM term_lists")" 1
# the hits blob: a count, count + 1 offsets (4 bytes each), then each term's hits as before
expect_eq "hits kept, in the terms' order" \
	"$(q "SELECT hex(substr(hits, 4 * ($nterms + 2) + 1)) FROM term_lists WHERE doc = 1")" "$old_hits"
expect_eq "search" "$("$DUGAO" search --count 网格化管理 | awk '{ print ($1 >= n) }' n="$old_search")" 1
expect_eq "reading position kept" "$(q "SELECT para, offset FROM positions WHERE doc = 1")" "5|2"
expect_eq "export keeps the heading of its own text" \
	"$("$DUGAO" export --format json 1 | grep -c '"marker": "一是", "title": "便民服务中心建成投用", "paragraph": 6')" 1

# a new import writes the same layout; rm and --replace leave nothing behind
other="$TMP/另一篇.txt"
printf '另一篇新文章\n\n一、发展\n“新质生产力”是关键，“新质生产力”要培育。\n二、改革\n改革开放是关键。\n' >"$other"
expect_status "import" 0 "$DUGAO" import "$other"
expect_eq "new outline" "$("$DUGAO" outline --tsv 2 | tail -n +2)" "$(printf '1\t一、\t发展\n1\t二、\t改革')"
expect_eq "new marks" "$(q "SELECT hex(marks) FROM section_marks WHERE doc = 2")" 0202
expect_status "replace" 0 "$DUGAO" import --replace "$other"
expect_eq "replaced, not doubled" "$(q "SELECT count(*) FROM section_marks WHERE doc = 2")" 1
expect_status "rm" 0 "$DUGAO" rm 1
expect_eq "rows of the removed document gone" \
	"$(q "SELECT (SELECT count(*) FROM term_lists WHERE doc = 1) + (SELECT count(*) FROM section_marks WHERE doc = 1) + (SELECT count(*) FROM section_apart WHERE doc = 1)")" 0
expect_eq "terms of a removed document" "$("$DUGAO" terms --tsv 1 2>/dev/null)" ""
expect_eq "integrity after" "$(q "PRAGMA integrity_check")" ok
finish
