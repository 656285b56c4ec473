#!/bin/sh
# The ten real documents of ../shared/corpus/real: they all import, and their outlines
# have the properties a careful reader checked by hand (titles, attachments, levels,
# no body sentences taken for headings).
. "$top_srcdir/tests/lib.sh"
need_shared
real="$DUGAO_SHARED/corpus/real"
[ -d "$real" ] || { echo "SKIP: $real is absent"; exit 77; }

# import FILE: imports it and leaves its outline in $TMP/o.tsv; prints nothing.
outline_of() {
	if ! "$DUGAO" import "$1" >"$TMP/imp" 2>"$TMP/err"; then
		fail "import $(basename "$1"): $(cat "$TMP/err")"
		: >"$TMP/o.tsv"
		return
	fi
	"$DUGAO" outline --tsv "$(cut -f1 "$TMP/imp")" >"$TMP/o.tsv" || fail "outline $(basename "$1")"
}

title_of() { sed -n '1s/^#title\t//p' "$TMP/o.tsv"; }
headings() { tail -n +2 "$TMP/o.tsv"; }
count() { headings | awk -F'\t' "$1" | wc -l | tr -d ' '; }

for f in "$real"/*.txt; do
	name=$(basename "$f")
	outline_of "$f"
	headings >"$TMP/h.tsv"
	[ -s "$TMP/h.tsv" ] || fail "$name: no headings"
	# Levels start at 1 and never jump by more than one.
	bad=$(awk -F'\t' 'NR == 1 && $1 != 1 { print NR": "$0 } NR > 1 && $1 > prev + 1 { print NR": "$0 } { prev = $1 }' "$TMP/h.tsv")
	[ -z "$bad" ] && echo "ok: $name: levels step by one" || fail "$name: level jumps: $bad"
	# Only a bare numeral or an attachment line has an empty title.
	bad=$(awk -F'\t' '$3 == "" && $2 !~ /^附件/ && $2 !~ /^[一二三四五六七八九十]+$/' "$TMP/h.tsv")
	[ -z "$bad" ] && echo "ok: $name: titles present" || fail "$name: empty titles: $bad"
	# Body numbers are not numbering: no marker without a title text after a year or a
	# decimal (2020年…, 1.5%, the stray PM2.5 subscripts of 02).
	bad=$(awk -F'\t' '$3 ~ /^(年|%|[0-9])/ && $2 ~ /[0-9]/' "$TMP/h.tsv")
	[ -z "$bad" ] && echo "ok: $name: no numbers taken for markers" || fail "$name: $bad"
	# Sentences opening with a year are body text, never a heading without a marker.
	bad=$(awk -F'\t' '$2 == "" && $3 ~ /^[0-9]+年/' "$TMP/h.tsv")
	[ -z "$bad" ] && echo "ok: $name: no year sentences as headings" || fail "$name: $bad"
	# No heading title runs on as a whole paragraph.
	bad=$(awk -F'\t' 'length($3) > 3 * 61' "$TMP/h.tsv")
	[ -z "$bad" ] && echo "ok: $name: titles are short" || fail "$name: long titles: $bad"
	case "$name" in
	01_*)
		expect_eq "01 title" "$(title_of)" "2017年中央政府工作报告"
		expect_eq "01 top level" "$(count '$1 == 1')" "3"
		expect_eq "01 一是…八是 under 一、" "$(count '$1 == 2 && $2 ~ /是$/')" "13"
		;;
	02_*)
		expect_eq "02 title" "$(title_of)" "政府工作报告"
		expect_eq "02 附件1 and 附件2 at the top" "$(count '$1 == 1 && $2 ~ /^附件[12]$/')" "2"
		expect_eq "02 the 十件民生实事 under 附件1" "$(count '$1 == 2 && $2 ~ /、$/')" "10"
		;;
	03_*)
		expect_eq "03 title (not the web page's frame)" "$(title_of)" "2026年浙江省政府工作报告"
		;;
	04_*)
		expect_eq "04 title joined from two lines" "$(title_of)" "决胜全面建成小康社会 夺取新时代中国特色社会主义伟大胜利"
		expect_eq "04 thirteen parts" "$(count '$1 == 1')" "13"
		;;
	05_*)
		expect_eq "05 title" "$(title_of)" "目前的形势和任务"
		expect_eq "05 three parts" "$(count '$1 == 1 && $2 ~ /^第/ && $2 ~ /部分/')" "3"
		expect_eq "05 a preview list is not repeated" "$(count '$2 == "第一，"')" "1"
		;;
	06_*)
		expect_eq "06 three questions" "$(count '$1 == 1 && $2 ~ /^第/ && $2 ~ /个问题/')" "3"
		;;
	07_*)
		expect_eq "07 bare numerals are the parts" "$(count '$1 == 1 && $3 == ""')" "5"
		;;
	08_*)
		expect_eq "08 title" "$(title_of)" "中共中央 国务院关于实施乡村振兴战略的意见"
		expect_eq "08 twelve parts" "$(count '$1 == 1')" "12"
		;;
	10_*)
		case "$(title_of)" in
		包头市人民政府办公室关于印发*的通知) echo "ok: 10 title (not the 北大法宝 header)" ;;
		*) fail "10 title: $(title_of)" ;;
		esac
		expect_eq "10 the 90 numbered items" "$(count '$2 ~ /^[0-9]+．$/')" "90"
		;;
	2017*)
		expect_eq "09 title is the file name" "$(title_of)" "2017渔业渔政工作要点"
		expect_eq "09 eight parts" "$(count '$1 == 1')" "8"
		expect_eq "09 （一）…（二十八） run on" "$(count '$1 == 2')" "28"
		;;
	esac
done

# The GBK original of 07 reads the same as its UTF-8 copy.
gbk=$(ls "$real"/*.gbk 2>/dev/null | head -n 1)
if [ -n "$gbk" ]; then
	outline_of "${gbk%.gbk}.txt"
	cp "$TMP/o.tsv" "$TMP/utf8.tsv"
	outline_of "$gbk"
	cmp -s "$TMP/o.tsv" "$TMP/utf8.tsv" && echo "ok: GBK and UTF-8 copies give one outline" ||
		fail "GBK outline differs from the UTF-8 one"
fi
finish
