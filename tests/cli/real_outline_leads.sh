#!/bin/sh
# The rules that read a heading from its neighbours, on the real documents of
# ../shared/corpus/real: lead phrases in a run under a numbered heading (a short phrase
# ending in 。 that opens each paragraph), a 其次 whose 首先 is left unsaid, a notice's
# list of attachments (附件：).
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
# lines LEVEL MARKER TITLE of the headings between the one whose marker is $1 and the next of level <= $2
under() { awk -F'\t' -v m="$1" -v l="$2" 'on && $1 <= l { exit } on { print } $2 == m { on = 1 }' "$TMP/o.tsv"; }

outline_of '01_*.txt'
# The five tasks of （一）, each a lead phrase over its paragraph; the 一是…五是 of the
# fourth run inside its paragraph, so they are its children.
under "（一）" 2 >"$TMP/one"
expect_eq "01 (一): lead phrases at level 3" "$(awk -F'\t' '$1 == 3 && $2 == ""' "$TMP/one" | wc -l | tr -d ' ')" "5"
expect_eq "01 (一): 一是…五是 under the fourth" "$(awk -F'\t' '$1 == 4 && $2 ~ /是$/' "$TMP/one" | wc -l | tr -d ' ')" "5"
expect_eq "01 (一): the first lead phrase right after it" "$(head -n 1 "$TMP/one" | cut -f1,2)" "3	"
# Under 一、 and 二、 there are no numbered sections to divide: nothing at level 3.
expect_eq "01 nothing deeper under 一、 and 二、" "$(under "一、" 1 | awk -F'\t' '$1 > 2' | wc -l | tr -d ' ')" "0"

outline_of '02_*.txt'
# A scrap of a line (the 2.5 of PM2.5) does not break the run of （十）.
expect_eq "02 (十): three lead phrases" "$(under "（十）" 2 | awk -F'\t' '$2 == ""' | wc -l | tr -d ' ')" "3"
expect_eq "02 no lead phrase in the attachments" "$(under "附件1" 0 | awk -F'\t' '$2 == ""' | wc -l | tr -d ' ')" "0"

outline_of '04_*.txt'
expect_eq "04 一、: ten lead phrases at level 2" "$(under "一、" 1 | awk -F'\t' '$1 == 2 && $2 == ""' | wc -l | tr -d ' ')" "10"

outline_of '06_*.txt'
expect_eq "06 其次 under the second question" "$(count '$1 == 2 && $2 == "其次，"')" "1"

outline_of '10_*.txt'
expect_eq "10 the list 附件： is no heading" "$(count '$2 ~ /^附件[:：]/')" "0"
expect_eq "10 the attachment itself is" "$(count '$1 == 1 && $2 == "附件"')" "1"

# Documents with no lead phrases get none: speeches, opinions, a notice, work points.
for p in '05_*.txt' '07_*.txt' '08_*.txt' '10_*.txt' '2017*.txt'; do
	outline_of "$p"
	expect_eq "$p: no heading without a marker" "$(count '$2 == ""')" "0"
done
finish
