#!/bin/sh
# dugao search on a small document: words, phrases, folding, formats, exit codes, and
# the index kept right through --replace, rm and the upgrade from a schema-5 library.
. "$top_srcdir/tests/lib.sh"

doc="$TMP/讲话.txt"
cat >"$doc" <<'TEXT'
在全县经济工作会议上的讲话

同志们：
一、推动高质量发展
要坚持高质量发展，推动ＧＤＰ稳步增长，GDP 增速高于全省。
哈哈哈哈哈
二、深化改革
改革是发展的动力。高质量 发展要靠改革。
TEXT
other="$TMP/另一篇.txt"
printf '另一篇文章\n\n发展是第一要务，改革开放是关键。\n' >"$other"

expect_status "import" 0 "$DUGAO" import "$doc" "$other"
count() { "$DUGAO" search --count "$@" 2>"$TMP/err"; }

expect_eq "two characters" "$(count 发展)" "5"
expect_eq "one document" "$(count --doc 1 发展)" "4"
expect_eq "one character" "$(count --doc 1 展)" "4"
expect_eq "a phrase" "$(count 高质量发展)" "2"
expect_eq "quotes keep the space" "$(count '"高质量 发展"')" "1"
expect_eq "words: all in one paragraph" "$(count 改革 发展)" "6"
expect_eq "words in no common paragraph" "$(count 哈哈 改革)" "0"
expect_eq "non-overlapping" "$(count 哈哈)" "2"
expect_eq "case and width fold" "$(count gdp)" "2"
expect_eq "full-width query" "$(count ＧＤＰ)" "2"
expect_status "nothing found" 1 "$DUGAO" search 没有的词
expect_status "nothing found --count" 1 "$DUGAO" search --count 没有的词
expect_eq "--count 0" "$(cat "$TMP/out")" "0"
expect_status "no query" 2 "$DUGAO" search
expect_status "empty phrase" 2 "$DUGAO" search '""'
expect_status "unknown DOC" 1 "$DUGAO" search --doc 99 发展
expect_status "bad --limit" 2 "$DUGAO" search --limit x 发展

expect_status "--tsv" 0 "$DUGAO" search --tsv --doc 1 高质量发展
expect_eq "--tsv rows" "$(cat "$TMP/out")" "$(printf '1\t2\t4\t一、推动【高质量发展】\n1\t3\t3\t要坚持【高质量发展】，推动ＧＤＰ稳步增长，GDP 增速高于全…')"
expect_status "--limit" 0 "$DUGAO" search --tsv --limit 2 发展
expect_eq "--limit rows" "$(wc -l <"$TMP/out")" "2"
expect_status "human format" 0 "$DUGAO" search 改革
grep -q "在全县经济工作会议上的讲话" "$TMP/out" && echo "ok: title shown" || fail "no title: $(cat "$TMP/out")"
grep -q "【改革】" "$TMP/out" && echo "ok: hit marked" || fail "no mark: $(cat "$TMP/out")"

# the index follows the library
expect_status "--replace re-parses" 0 "$DUGAO" import --replace "$doc"
expect_eq "re-parsed, indexed once" "$(count 发展)" "5"
expect_status "rm" 0 "$DUGAO" rm 2
expect_eq "removed document gone" "$(count 改革)" "3"

# a library of schema 5 (an FTS5 index made by dugao of that schema, from the two
# documents above) is upgraded when first opened, even to read: the old index dropped, a new one built
if command -v sqlite3 >/dev/null; then
	rm -f "$DUGAO_DB" "$DUGAO_DB-wal" "$DUGAO_DB-shm"
	sqlite3 "$DUGAO_DB" <"$top_srcdir/tests/cli/library-schema5.sql" || fail "cannot make the schema-5 library"
	expect_eq "reading upgrades a schema-5 library" "$(count --doc 1 发展)" "4"
	expect_status "upgrade by import" 0 "$DUGAO" import "$doc"
	expect_eq "old document indexed" "$(count --doc 1 发展)" "4"
	expect_eq "the library indexed" "$(count 发展)" "5"
	expect_eq "a phrase after the upgrade" "$(count 高质量发展)" "2"
	expect_eq "the old index dropped" "$(sqlite3 "$DUGAO_DB" "SELECT count(*) FROM sqlite_master WHERE name LIKE 'search_index%'")" "0"
fi
finish
