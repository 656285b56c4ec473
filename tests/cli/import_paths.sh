#!/bin/sh
# The importer's two ways through a file give the same library: a file up to 8 MB is
# read once and its lines are held for the second pass, a bigger one (or one whose
# text outgrows what is held) is read three times. Each case is checked on what `cat`
# prints and on the original bytes kept.
. "$top_srcdir/tests/lib.sh"

T="timeout 120"
# chars FILE: U+FFFD characters in FILE (their last byte, BD, is in no other character used here)
fffd() { tr -cd '\275' <"$1" | wc -c; }

# held: a small GB18030 file (its text comes from the guess) and a UTF-8 one
printf '在全区工作会议上的讲话\n同志们：\n一、今年的工作很重要。\n二、明年的工作更重要。\n' >"$TMP/u.txt"
iconv -f UTF-8 -t GB18030 "$TMP/u.txt" >"$TMP/gb.txt"
expect_status "held: GB18030" 0 $T "$DUGAO" import "$TMP/gb.txt"
expect_status "held: UTF-8" 0 $T "$DUGAO" import "$TMP/u.txt"
"$DUGAO" cat 1 >"$TMP/cat1"
"$DUGAO" cat 2 >"$TMP/cat2"
expect_eq "held: the same text either way" "$(sha256sum <"$TMP/cat1")" "$(sha256sum <"$TMP/cat2")"
expect_eq "held: GB18030 outline" "$("$DUGAO" outline --tsv 1 | tail -n +2)" "$(printf '1\t一、\t今年的工作很重要\n1\t二、\t明年的工作更重要')"

# held, then streamed: 7 MB of escape characters, each three bytes once made harmless
esc=$TMP/esc.txt
{ printf '标题\n'; awk 'BEGIN { s = sprintf("%c", 27); for (i = 0; i < 6; i++) s = s s; for (i = 0; i < 110000; i++) print s }'; } >"$esc"
expect_status "outgrows the held lines" 0 $T "$DUGAO" import "$esc"
"$DUGAO" cat 3 >"$TMP/cat3"
expect_eq "outgrows: every escape replaced" "$(fffd "$TMP/cat3")" "$((110000 * 64))"

# streamed: the same escapes past 8 MB
{ cat "$esc"; awk 'BEGIN { s = sprintf("%c", 27); for (i = 0; i < 6; i++) s = s s; for (i = 0; i < 30000; i++) print s }'; } >"$TMP/esc9.txt"
expect_status "streamed" 0 $T "$DUGAO" import "$TMP/esc9.txt"
"$DUGAO" cat 4 >"$TMP/cat4"
expect_eq "streamed: every escape replaced" "$(fffd "$TMP/cat4")" "$((140000 * 64))"

# the original bytes, as kept
for id in 1 3 4; do
	case $id in 1) f=$TMP/gb.txt ;; 3) f=$esc ;; 4) f=$TMP/esc9.txt ;; esac
	got=$(sqlite3 "$DUGAO_DB" "SELECT hex(bytes) FROM originals WHERE id BETWEEN $id << 32 AND ($id << 32) + 4294967295 ORDER BY id" 2>/dev/null | tr -d '\n')
	[ -n "$got" ] || { echo "ok: original $id: (no sqlite3 tool)"; continue; }
	expect_eq "original $id" "$(printf %s "$got" | sha256sum)" "$(od -An -v -tx1 "$f" | tr -d ' \n' | tr a-f A-F | sha256sum)"
done
finish
