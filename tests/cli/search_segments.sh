#!/bin/sh
# The index's segments are merged as imports add them: sixty imports, one document
# each, leave a handful of segments (not sixty, nor one per level left side by side),
# and every hit is still found after the merges.
. "$top_srcdir/tests/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "SKIP: the sqlite3 command-line tool is absent (Debian: sqlite3)"
	exit 77
fi
i=1
while [ $i -le 60 ]; do
	f="$TMP/doc$i.txt"
	printf '第%d篇文章\n\n一、发展和改革\n' $i >"$f"
	# documents of two sizes in turns, so that segments of several levels alternate
	n=$((i % 2 ? 1 : 300))
	j=0
	while [ $j -lt $n ]; do
		printf '发展是第一要务，改革是第%d个动力，第%d段。\n' $i $j
		j=$((j + 1))
	done >>"$f"
	"$DUGAO" import "$f" >"$TMP/import" 2>&1 || fail "import $i: $(cat "$TMP/import")"
	i=$((i + 1))
done
segments=$(sqlite3 "$DUGAO_DB" "SELECT count(*) FROM search_segments")
[ "$segments" -le 8 ] || fail "60 imports left $segments segments"
# 30 documents of one paragraph and 30 of 300, each also with its heading's 发展
expect_eq "every hit found after the merges" "$("$DUGAO" search --count 发展)" $((30 * 2 + 30 * 301))
expect_eq "a phrase too" "$("$DUGAO" search --count 改革是第17个)" 1
expect_eq "integrity" "$(sqlite3 "$DUGAO_DB" "PRAGMA integrity_check")" ok

# A big segment is not written again for the sake of small ones: a library of one long
# document, then forty short ones imported one at a time, keeps the long one's segment
# as it was (merges take eight of its size), and still finds every hit.
export DUGAO_DB="$TMP/big.db"
f="$TMP/long.txt"
printf '长篇文章\n\n' >"$f"
j=0
while [ $j -lt 6000 ]; do
	printf '发展是第%d个动力，改革是第%d段。\n' $j $((j * 7))
	j=$((j + 1))
done >>"$f"
"$DUGAO" import "$f" >"$TMP/import" 2>&1 || fail "import of the long document: $(cat "$TMP/import")"
big=$(sqlite3 "$DUGAO_DB" "SELECT id FROM search_segments WHERE bytes >= 131072")
[ -n "$big" ] || fail "the long document's segment is small: $(sqlite3 "$DUGAO_DB" "SELECT bytes FROM search_segments")"
i=1
while [ $i -le 40 ]; do
	printf '第%d篇短文\n\n发展和改革，第%d次。\n' $i $i >"$TMP/short$i.txt"
	"$DUGAO" import "$TMP/short$i.txt" >"$TMP/import" 2>&1 || fail "import $i: $(cat "$TMP/import")"
	i=$((i + 1))
done
expect_eq "the long document's segment not written again" \
	"$(sqlite3 "$DUGAO_DB" "SELECT count(*) FROM search_segments WHERE id = '$big'")" 1
segments=$(sqlite3 "$DUGAO_DB" "SELECT count(*) FROM search_segments")
[ "$segments" -le 9 ] || fail "41 imports left $segments segments"
expect_eq "every hit found beside it" "$("$DUGAO" search --count 发展)" $((6000 + 40))
expect_eq "a phrase of the long one" "$("$DUGAO" search --count 第5999个动力)" 1
expect_eq "integrity of that library" "$(sqlite3 "$DUGAO_DB" "PRAGMA integrity_check")" ok
finish
