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
finish
