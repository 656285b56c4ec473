#!/bin/sh
# Hostile and broken input beyond the basic bad-input cases (tests/cli/bad_input.sh):
# mixed encodings, odd-length UTF-16, 100,000 headings, markers on every line and
# nested deep, 1 MB lines, bidi and zero-width characters, file names that try to break
# a line or act on a terminal, files that are not files, and files that grow, shrink
# or disappear while they are imported. Each must end in a sensible import or a clear
# one-line refusal: no crash, no hang, no change to what the library already held.
# docs/reliability.md lists the cases.
. "$top_srcdir/tests/lib.sh"

esc=$(printf '\033')
# bytes a terminal acts on, as grep -E patterns over raw bytes (LC_ALL=C)
c1=$(printf '\302[\200-\237]')
bidi=$(printf '\342\200[\252-\256]|\342\201[\246-\251]')

# importing FILE... → status in $st, stdout in $TMP/out, stderr in $TMP/err; fails on a
# hang, a crash, a sanitizer report, or an error that is not one line per file.
importing() {
	what=$1
	shift
	timeout 120 "$DUGAO" import "$@" >"$TMP/out" 2>"$TMP/err"
	st=$?
	if [ "$st" -eq 124 ]; then
		fail "$what: import hung (killed after 120 s)"
	elif [ "$st" -gt 2 ]; then
		fail "$what: import died with status $st: $(head -c 300 "$TMP/err")"
	elif grep -q -E 'Sanitizer|runtime error|LeakSanitizer' "$TMP/err"; then
		fail "$what: sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$TMP/err")"
	elif [ "$(wc -l <"$TMP/err")" -gt "$#" ] || grep -q -v '^dugao: ' "$TMP/err"; then
		fail "$what: stderr is not one 'dugao: ' line per file: $(head -c 300 "$TMP/err")"
	else
		echo "ok: $what: status $st $(head -n 1 "$TMP/err")"
	fi
}

# safe WHAT FILE: FILE is valid UTF-8 with nothing a terminal would act on.
safe() {
	if ! iconv -f UTF-8 -t UTF-8 "$2" >/dev/null 2>&1; then
		fail "$1: output is not valid UTF-8"
	elif [ "$(tr -cd '\000-\010\013-\037\177' <"$2" | wc -c)" -ne 0 ]; then
		fail "$1: output carries C0 control bytes"
	elif LC_ALL=C grep -q -E "$c1|$bidi" "$2"; then
		fail "$1: output carries C1 controls or bidi overrides"
	else
		echo "ok: $1: output is safe for a terminal"
	fi
}

# outline_sane WHAT DOC: levels start at 1 and never go more than one deeper at a time;
# there is a line per heading that list counts.
outline_sane() {
	"$DUGAO" outline --tsv "$2" >"$TMP/outline" 2>"$TMP/err" || fail "$1: outline failed: $(cat "$TMP/err")"
	bad=$(awk -F'\t' 'NR > 1 { if ($1 < 1 || $1 > prev + 1) { print NR": "$0; exit } prev = $1 }' prev=0 "$TMP/outline")
	[ -z "$bad" ] && echo "ok: $1: outline levels nest" || fail "$1: outline level jumps at line $bad"
	want=$("$DUGAO" list --tsv | awk -F'\t' -v id="$2" '$1 == id { print $5 }')
	expect_eq "$1: outline lines = headings" "$(($(wc -l <"$TMP/outline") - 1))" "$want"
	safe "$1 (outline)" "$TMP/outline"
}

# the id the last successful import printed
last_id() {
	tail -n 1 "$TMP/out" | cut -f1
}

# --- a document that every later case must leave alone ---
cat >"$TMP/base.txt" <<'TEXT'
关于街道秋季读书活动的安排

一、活动时间
九月至十一月，每周六上午。
二、活动地点
社区书屋和街道文化站。
TEXT
importing "baseline" "$TMP/base.txt"
"$DUGAO" cat 1 >"$TMP/base.cat"
"$DUGAO" outline --tsv 1 >"$TMP/base.outline"

# --- mixed encodings in one file: UTF-8, then GB18030, then Big5 ---
{
	printf '混合编码的文件\n第一段是UTF-8文字。\n'
	printf '第二段是GB18030文字。\n' | iconv -f UTF-8 -t GB18030
	printf '第三段是繁體文字。\n' | iconv -f UTF-8 -t BIG5
	printf '第四段又回到UTF-8。\n'
} >"$TMP/mixed.txt"
importing "mixed encodings" "$TMP/mixed.txt"
if [ "$st" -eq 0 ]; then
	"$DUGAO" cat "$(last_id)" >"$TMP/cat"
	safe "mixed encodings" "$TMP/cat"
	grep -q '第一段' "$TMP/cat" || grep -q '第二段' "$TMP/cat" || fail "mixed encodings: neither part survived"
fi

# --- UTF-16 of odd length: the stray last byte becomes U+FFFD with a warning ---
{
	printf '\377\376'
	printf '奇数长度的UTF-16\n第一章 总则\n' | iconv -f UTF-8 -t UTF-16LE
	printf 'A'
} >"$TMP/odd16.txt"
importing "UTF-16LE of odd length" "$TMP/odd16.txt"
expect_eq "odd UTF-16 imports" "$st" 0
"$DUGAO" cat "$(last_id)" >"$TMP/cat" 2>/dev/null
grep -q '第一章 总则' "$TMP/cat" && echo "ok: odd UTF-16 text kept" || fail "odd UTF-16 lost its text: $(head -c 200 "$TMP/cat")"
safe "odd UTF-16" "$TMP/cat"
{
	printf '奇数长度，无字节序标记\n' | iconv -f UTF-8 -t UTF-16BE
	printf 'B'
} >"$TMP/odd16be.txt"
importing "UTF-16BE of odd length without BOM" "$TMP/odd16be.txt"

# --- 100,000 headings ---
awk 'BEGIN { print "十万个标题的文件"; for (i = 1; i <= 100000; i++) printf "%d．第%d项工作\n", i, i }' >"$TMP/headings.txt"
importing "100,000 headings" "$TMP/headings.txt"
expect_eq "100,000 headings import" "$st" 0
[ "$st" -eq 0 ] && outline_sane "100,000 headings" "$(last_id)"

# --- a marker on every line, of every style in turn ---
awk 'BEGIN {
	split("一、|（一）|1．|（1）|⑴|①|第一，|一是|一要|首先，|1.|1、|第一部分 |第一章 |第一个问题：|(一)|(1)", m, "|")
	print "每一行都有编号"
	for (i = 0; i < 20000; i++) printf "%s第%d行的内容。\n", m[i % 17 + 1], i
}' >"$TMP/markers.txt"
importing "a marker on every line" "$TMP/markers.txt"
expect_eq "markers on every line import" "$st" 0
[ "$st" -eq 0 ] && outline_sane "a marker on every line" "$(last_id)"

# --- markers nested as deep as the styles go, down and up many times ---
awk 'BEGIN {
	n = split("第一部分 |第一章 |一、|（一）|1．|（1）|⑴|①|第一，|一是|一要", m, "|")
	split("一二三四五六七八九十", cn, "")
	print "层层嵌套的编号"
	for (r = 1; r <= 300; r++) {
		for (d = 1; d <= n; d++) printf "%s第%d层标题\n正文%d。\n", m[d], d, r
		for (d = n; d >= 1; d--) printf "%s返回第%d层\n", m[d], d
	}
}' >"$TMP/nested.txt"
importing "deeply nested markers" "$TMP/nested.txt"
expect_eq "nested markers import" "$st" 0
[ "$st" -eq 0 ] && outline_sane "deeply nested markers" "$(last_id)"

# --- lines of 1 MB: nothing may be lost, whatever the chunk and line limits ---
# (the x puts the importer's 1 MB read edges inside characters)
unit=$(awk 'BEGIN { for (i = 0; i < 96; i++) printf "长"; printf "。" }')
{
	echo "一兆字节的长行x"
	for l in 1 2 3; do
		yes "$unit" | head -n 3700 | tr -d '\n'
		echo
	done
	yes 字 | head -n 350000 | tr -d '\n'
	echo
} >"$TMP/long.txt"
importing "lines of 1 MB" "$TMP/long.txt"
expect_eq "1 MB lines import" "$st" 0
"$DUGAO" cat "$(last_id)" | tr -d '\n' >"$TMP/cat"
tr -d '\n' <"$TMP/long.txt" >"$TMP/want"
if cmp -s "$TMP/cat" "$TMP/want"; then
	echo "ok: 1 MB lines: cat gives back every character"
else
	fail "1 MB lines: cat differs from the file ($(wc -c <"$TMP/cat") bytes, want $(wc -c <"$TMP/want")): $(cmp "$TMP/cat" "$TMP/want" 2>&1 | head -n 1)"
fi

# --- bidi overrides and zero-width characters ---
printf '双向控制字符\n一、\342\200\256反向文字\342\200\254正常\n（一）\342\201\246隔离\342\201\251零\342\200\213宽\342\200\215字\357\273\277符\n\342\200\217第一，测试。\n' >"$TMP/bidi.txt"
importing "bidi overrides and zero-width characters" "$TMP/bidi.txt"
expect_eq "bidi imports" "$st" 0
"$DUGAO" cat "$(last_id)" >"$TMP/cat"
safe "bidi" "$TMP/cat"
grep -q '反向文字' "$TMP/cat" && grep -q '隔离' "$TMP/cat" && echo "ok: bidi: the text is kept" || fail "bidi: text lost: $(cat "$TMP/cat")"
"$DUGAO" outline --tsv "$(last_id)" >"$TMP/outline"
safe "bidi (outline)" "$TMP/outline"
"$DUGAO" export --format json "$(last_id)" >"$TMP/json"
safe "bidi (export json)" "$TMP/json"

# --- file names: spaces, a newline, bytes that are not UTF-8, escape sequences ---
mkdir "$TMP/names"
printf '带空格的文件名\n正文。\n' >"$TMP/names/with space.txt"
printf '带换行的文件名\n正文。\n' >"$TMP/names/new
line.txt"
printf '非UTF-8的文件名\n正文。\n' >"$TMP/names/$(printf 'bad\377\376name').txt"
printf '转义序列的文件名\n正文。\n' >"$TMP/names/$(printf 'esc\033]0;pwned\007\033[2Jname').txt"
printf '\n\n' >"$TMP/names/$(printf 'blank\033[31m').txt"
before=$("$DUGAO" list --tsv | wc -l)
importing "odd file names" "$TMP/names/"*
expect_eq "odd file names: status (one blank file refused)" "$st" 1
expect_eq "odd file names: four imported" "$(($("$DUGAO" list --tsv | wc -l) - before))" 4
cat "$TMP/out" "$TMP/err" >"$TMP/all"
"$DUGAO" list --tsv >>"$TMP/all"
"$DUGAO" list >>"$TMP/all"
if grep -q "$esc" "$TMP/all"; then fail "odd file names: ESC reached the output"; else echo "ok: odd file names: no ESC in import, list output"; fi
expect_eq "list --tsv keeps six columns" "$("$DUGAO" list --tsv | awk -F'\t' 'NF != 6' | wc -l)" 0
"$DUGAO" import "$TMP/$(printf 'missing\nname\033[2J')" >"$TMP/out" 2>"$TMP/err"
expect_eq "missing file with a newline in its name: one line" "$(wc -l <"$TMP/err")" 1
grep -q "$esc" "$TMP/err" && fail "missing file: ESC in the message" || echo "ok: missing file: message is harmless"

# --- things that are not regular files ---
mkfifo "$TMP/fifo"
importing "a FIFO nobody writes to" "$TMP/fifo"
expect_eq "FIFO refused" "$st" 1
ln -s "$TMP/loop" "$TMP/loop"
importing "a symlink loop" "$TMP/loop"
expect_eq "symlink loop refused" "$st" 1
for dev in /dev/null /dev/zero /dev/urandom; do
	[ -e "$dev" ] || continue
	importing "$dev" "$dev"
	expect_eq "$dev refused" "$st" 1
done
if [ -r /proc/version ]; then
	importing "/proc/version (size 0 in stat, text when read)" /proc/version
fi

# --- a file that grows while it is imported ---
awk 'BEGIN { print "不断增长的文件"; for (i = 0; i < 200000; i++) printf "第%d行，继续写入。\n", i }' >"$TMP/grow.txt"
(while :; do printf '追加的一行。\n'; done >>"$TMP/grow.txt") &
writer=$!
importing "a file that grows during import" "$TMP/grow.txt"
kill "$writer"
wait "$writer" 2>/dev/null
[ "$st" -eq 0 ] || grep -q 'grew\|shrank\|changed' "$TMP/err" || fail "growing file: refused without saying why: $(cat "$TMP/err")"

# --- a file that shrinks or disappears while it is imported ---
awk 'BEGIN { print "被截断的文件"; for (i = 0; i < 100000; i++) printf "第%d行，稍后被截断。\n", i }' >"$TMP/shrink.src"
for delay in 0.01 0.05 0.2; do
	cp "$TMP/shrink.src" "$TMP/shrink.txt"
	(sleep "$delay" && : >"$TMP/shrink.txt") &
	cutter=$!
	importing "a file truncated after ${delay}s" "$TMP/shrink.txt"
	wait "$cutter"
	cp "$TMP/shrink.src" "$TMP/gone-$delay.txt"
	(sleep "$delay" && rm -f "$TMP/gone-$delay.txt") &
	cutter=$!
	importing "a file removed after ${delay}s" "$TMP/gone-$delay.txt"
	wait "$cutter"
done

# --- the library is intact and the first document unchanged ---
if command -v sqlite3 >/dev/null 2>&1; then
	expect_eq "integrity_check" "$(sqlite3 "$DUGAO_DB" 'PRAGMA integrity_check')" ok
fi
"$DUGAO" cat 1 >"$TMP/cat"
cmp -s "$TMP/cat" "$TMP/base.cat" && echo "ok: baseline cat unchanged" || fail "baseline document changed"
"$DUGAO" outline --tsv 1 >"$TMP/outline"
cmp -s "$TMP/outline" "$TMP/base.outline" && echo "ok: baseline outline unchanged" || fail "baseline outline changed"
finish
