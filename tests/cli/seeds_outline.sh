#!/bin/sh
# The outline of the five seed documents, scored against the expected outlines with
# ../shared/tools/outline-score: precision and recall at least 0.95, every title right.
. "$top_srcdir/tests/lib.sh"
need_shared

seeds="$DUGAO_SHARED/corpus/seeds"
expected="$DUGAO_SHARED/fixtures/outlines"
score="$DUGAO_SHARED/tools/outline-score"
pairs=""
for f in "$seeds"/*.txt; do
	base=$(basename "$f" .txt)
	if ! "$DUGAO" import "$f" >"$TMP/out" 2>"$TMP/err"; then
		fail "import $base: $(cat "$TMP/err")"
		continue
	fi
	id=$(cut -f1 "$TMP/out")
	"$DUGAO" outline --tsv "$id" >"$TMP/$base.tsv" || fail "outline $base"
	pairs="$pairs $expected/$base.tsv $TMP/$base.tsv"
done
[ -n "$pairs" ] || fail "no seeds found in $seeds"

# shellcheck disable=SC2086  # the pairs are file names without spaces
python3 "$score" $pairs >"$TMP/score" || fail "outline-score failed"
cat "$TMP/score"
total=$(grep '^total' "$TMP/score")
precision=$(echo "$total" | sed -n 's/.*precision \([0-9.]*\).*/\1/p')
recall=$(echo "$total" | sed -n 's/.*recall \([0-9.]*\).*/\1/p')
titles=$(echo "$total" | sed -n 's/.*titles \([0-9]*\/[0-9]*\).*/\1/p')
awk -v p="$precision" 'BEGIN { exit !(p >= 0.95) }' && echo "ok: precision $precision" ||
	fail "precision $precision < 0.95"
awk -v r="$recall" 'BEGIN { exit !(r >= 0.95) }' && echo "ok: recall $recall" || fail "recall $recall < 0.95"
n=${titles#*/}
expect_eq "every title right" "$titles" "$n/$n"
grep -q 'title WRONG' "$TMP/score" && fail "a title is wrong"
finish
