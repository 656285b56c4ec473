#!/bin/sh
# A library of schema 5 (the hits of a term one row each, in term_hits) is upgraded by
# the next import: every term keeps its count, the hits are packed into blobs (a row a
# document since schema 11), and the reader lights and steps through them exactly as
# after a fresh import (the same screens as terms_search.sh).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3 tool to make the old library"; exit 77; }
sqlite3 "$DUGAO_DB" <"$top_srcdir/tests/ui/library-terms-schema5.sql" || { echo "FAIL: cannot make the schema-5 library"; exit 1; }
rows=$(sqlite3 "$DUGAO_DB" "SELECT t.text || ' ' || count(*) FROM term_hits h JOIN terms t ON t.id = h.term GROUP BY t.id ORDER BY t.text")
expect_status "reading upgrades a schema-5 library" 0 "$DUGAO" terms 1
printf '另一篇文章\n\n发展是第一要务，改革开放是关键。\n' >"$TMP/另一篇.txt"
expect_status "upgrade by import" 0 "$DUGAO" import "$TMP/另一篇.txt"
expect_eq "term_hits dropped" "$(sqlite3 "$DUGAO_DB" "SELECT count(*) FROM sqlite_master WHERE name = 'term_hits'")" 0
"$DUGAO" terms --tsv 1 >"$TMP/terms" || fail "terms after the upgrade"
expect_eq "counts kept" "$(awk -F'\t' '{ print $1 " " $2 }' "$TMP/terms" | LC_ALL=C sort)" "$(echo "$rows" | LC_ALL=C sort)"
expect_eq "the terms rows to a row a document" "$(sqlite3 "$DUGAO_DB" "SELECT (SELECT count(*) FROM term_lists) = (SELECT count(*) FROM documents WHERE terms > 0), (SELECT count(*) FROM sqlite_master WHERE name = 'terms')")" "1|0"
cp "$DUGAO_DB" "$TMP/pristine.db"
screen term-outline-80x14 80x14 '<Tab>jjj<Enter>nn'
screen term-section-80x12 80x12 '}}s'
finish
