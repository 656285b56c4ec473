#!/bin/sh
# The import pipeline (a worker parses the next files while the main thread stores):
# files with the same bytes in one command, whether the first is stored or refused,
# refusals in order between them, --replace of the same bytes twice, and many copies
# across batches, all as one file after another would give them.
. "$top_srcdir/tests/lib.sh"

cat >"$TMP/a.txt" <<'TEXT'
关于开展读书月活动的通知

一、活动目标
每个单位组织一次读书分享。
二、工作要求
（一）按时完成。
（二）注重实效。
TEXT
cp "$TMP/a.txt" "$TMP/b.txt"
printf '\n\n   \n\n' >"$TMP/blank.txt"
cp "$TMP/blank.txt" "$TMP/blank2.txt"
head -c 3000 /dev/zero >"$TMP/zeros.bin"
cat >"$TMP/f.txt" <<'TEXT'
在读书分享会上的发言

同志们：
一是多读书。二是读好书。三是好读书。
TEXT

expect_status "a mixed list" 1 "$DUGAO" import "$TMP/a.txt" "$TMP/b.txt" "$TMP/blank.txt" "$TMP/blank2.txt" \
	"$TMP/zeros.bin" "$TMP/f.txt" "$TMP/a.txt"
expect_eq "lines printed" "$(wc -l <"$TMP/out")" 4
expect_eq "the first: imported" "$(sed -n 1p "$TMP/out" | cut -f1,2)" "$(printf '1\t关于开展读书月活动的通知')"
expect_eq "its copy: already there" "$(sed -n 2p "$TMP/out")" \
	"$(printf '1\t关于开展读书月活动的通知\talready in the library (same bytes); nothing done, --replace re-parses')"
expect_eq "the next new file: the next id" "$(sed -n 3p "$TMP/out" | cut -f1,2)" "$(printf '2\t在读书分享会上的发言')"
expect_eq "the first again: already there" "$(sed -n 4p "$TMP/out" | cut -f1)" 1
expect_eq "refusals, in order" "$(cat "$TMP/err")" "dugao: $TMP/blank.txt: no text in it (only blank lines, adverts or watermarks)
dugao: $TMP/blank2.txt: no text in it (only blank lines, adverts or watermarks)
dugao: $TMP/zeros.bin: not a text file: binary data (NUL byte at byte 0)"
expect_eq "documents" "$("$DUGAO" list --tsv | wc -l)" 2

"$DUGAO" cat 1 >"$TMP/cat1"
expect_status "--replace of the same bytes twice" 0 "$DUGAO" import --replace "$TMP/a.txt" "$TMP/b.txt"
expect_eq "both re-parsed into the one document" "$(cut -f1 "$TMP/out" | tr '\n' ' ')" "1 1 "
expect_eq "documents after --replace" "$("$DUGAO" list --tsv | wc -l)" 2
"$DUGAO" cat 1 | cmp -s - "$TMP/cat1" && echo "ok: the re-parsed text is the same" || fail "--replace changed the text"

# many copies of three files, across batches (1,024 files each): three documents
mkdir "$TMP/many"
for i in $(seq 1 1100); do
	case $((i % 3)) in
	0) cp "$TMP/a.txt" "$TMP/many/$i.txt" ;;
	1) cp "$TMP/f.txt" "$TMP/many/$i.txt" ;;
	2) printf '第%s号通知\n\n内容一。\n' "$((i % 2))" >"$TMP/many/$i.txt" ;;
	esac
done
rm -f "$DUGAO_DB"*
expect_status "1100 copies of a few files" 0 "$DUGAO" import "$TMP"/many/*.txt
expect_eq "lines printed" "$(wc -l <"$TMP/out")" 1100
expect_eq "new documents" "$(grep -vc 'already in the library' "$TMP/out")" 4
expect_eq "documents" "$("$DUGAO" list --tsv | wc -l)" 4
expect_eq "ids in the order of first appearance" "$(grep -v 'already' "$TMP/out" | cut -f1 | tr '\n' ' ')" "1 2 3 4 "

finish
