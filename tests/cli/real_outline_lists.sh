#!/bin/sh
# Lists and list words on the real documents of ../shared/corpus/real: a 其次 whose 首先
# is left unsaid, a notice's list of attachments (附件：), and paragraphs that open with a
# phrase bold in print (扎实有效去产能。…), which stay body text.
. "$top_srcdir/tests/lib.sh"
need_shared
real="$DUGAO_SHARED/corpus/real"
[ -d "$real" ] || { echo "SKIP: $real is absent"; exit 77; }

# outline_of PATTERN: the outline (headings only) of the one document named so, in $TMP/o.tsv.
outline_of() {
	f=$(ls "$real"/$1 2>/dev/null | head -n 1)
	[ -n "$f" ] || { echo "SKIP: no $1 in $real"; exit 77; }
	"$DUGAO" import "$f" >"$TMP/imp" 2>"$TMP/err" || fail "import $1: $(cat "$TMP/err")"
	"$DUGAO" outline --tsv "$(cut -f1 "$TMP/imp")" | tail -n +2 >"$TMP/o.tsv" || fail "outline $1"
}
count() { awk -F'\t' "$1" "$TMP/o.tsv" | wc -l | tr -d ' '; }

outline_of '06_*.txt'
expect_eq "06 其次 under the second question" "$(count '$1 == 2 && $2 == "其次，"')" "1"

outline_of '10_*.txt'
expect_eq "10 the list 附件： is no heading" "$(count '$2 ~ /^附件[:：]/')" "0"
expect_eq "10 the attachment itself is" "$(count '$1 == 1 && $2 == "附件"')" "1"

# No heading without a marker: the work reports' runs of paragraphs opening with a phrase
# bold in print under （一）… (01-04), speeches, opinions, a notice, work points.
for p in '01_*.txt' '02_*.txt' '03_*.txt' '04_*.txt' '05_*.txt' '07_*.txt' '08_*.txt' '10_*.txt' '2017*.txt'; do
	outline_of "$p"
	expect_eq "$p: no heading without a marker" "$(count '$2 == ""')" "0"
done
finish
