#!/bin/sh
# Big inputs, apart from bad_input.sh because they take seconds: one 50 MB line and a
# million short lines import in bounded time and memory (the timeout catches a hang;
# bench/import.sh measures speed), and the library keeps what it held.
. "$top_srcdir/tests/lib.sh"

T="timeout 120"
printf '在全区工作会议上的讲话\n同志们：\n今年的工作很重要。\n' >"$TMP/first.txt"
expect_status "import a first document" 0 $T "$DUGAO" import "$TMP/first.txt"
sum0=$("$DUGAO" cat 1 | sha256sum)

imported() {
	expect_status "$1" 0 $T "$DUGAO" import "$2"
	[ -s "$TMP/err" ] && fail "$1: stderr: $(head -c 300 "$TMP/err")"
	expect_eq "$1: first document unchanged" "$("$DUGAO" cat 1 | sha256sum)" "$sum0"
}

# Big inputs: one 50 MB line, a million short lines. Memory and time stay bounded
# (the timeout catches a hang; the benchmark measures speed).
big=$TMP/one-line.txt
s='我们要坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展，'
s="$s$s$s$s$s$s$s$s" # about 1.2 KB
awk -v s="$s" 'BEGIN { t = s; for (i = 0; i < 6; i++) t = t t; for (i = 0; i < 660; i++) printf "%s", t }' >"$big"
imported "one line of $(($(wc -c <"$big") / 1048576)) MB" "$big"
[ "$(cut -f4 "$TMP/out" | tr -dc 0-9)" -gt 100 ] && echo "ok: the long line was split" || fail "50 MB line: $(cat "$TMP/out")"
awk 'BEGIN { for (i = 0; i < 1000000; i++) print "第" i "行。" }' >"$TMP/million.txt"
imported "a million short lines" "$TMP/million.txt"
expect_eq "a million paragraphs" "$(cut -f4 "$TMP/out")" "1000000 paragraphs"

# A file past 8 MB is streamed, and its prescan classifies only its first lines: a
# short line seen three times far apart, two of them past those lines, is a banner; one
# seen twice is not; "cat --all" still has every line.
awk 'BEGIN { for (i = 0; i < 100000; i++) {
	if (i == 1000 || i == 70000 || i == 90000) print "某某资料网精品文档分享"
	if (i == 2000 || i == 80000) print "参阅材料目录"
	print "我们要坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，加快构建新发展格局（" i "）。" } }' >"$TMP/banner.txt"
imported "a file of $(($(wc -c <"$TMP/banner.txt") / 1048576)) MB" "$TMP/banner.txt"
doc=$(cut -f1 "$TMP/out")
expect_eq "a banner seen far apart is hidden" "$("$DUGAO" cat "$doc" | grep -c 某某资料网)" 0
expect_eq "and kept" "$("$DUGAO" cat --all "$doc" | grep -c 某某资料网)" 3
expect_eq "a line seen twice stays" "$("$DUGAO" cat "$doc" | grep -c 参阅材料目录)" 2
expect_eq "every line" "$("$DUGAO" cat --all "$doc" | grep -c 我们要坚持)" 100000

expect_eq "integrity" "$(sqlite3 "$DUGAO_DB" 'PRAGMA integrity_check' 2>/dev/null || echo ok)" "ok"
finish
