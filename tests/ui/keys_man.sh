#!/bin/sh
# The man page's KEYS section is generated from the action table: it must agree with
# what the program binds (regenerate with dugao --keys-man).
. "$top_srcdir/tests/lib.sh"

sed -n '/^\.\\" keys-begin/,/^\.\\" keys-end/p' "$top_srcdir/docs/dugao.1" | sed '1d;$d' >"$TMP/man"
"$DUGAO" --keys-man >"$TMP/table"
if diff -u "$TMP/man" "$TMP/table" >"$TMP/diff"; then
	echo "ok: docs/dugao.1 KEYS matches the action table"
else
	fail "docs/dugao.1 KEYS differs from dugao --keys-man:"
	cat "$TMP/diff"
fi
expect_eq "every action is in the man page" "$(grep -c '^\.TP' "$TMP/man")" "$(grep -c '^\.TP' "$TMP/table")"
[ "$(grep -c '^\.TP' "$TMP/table")" -ge 30 ] && echo "ok: the table has the actions" || fail "few actions"

# the help overlay lists the same actions
"$DUGAO" import /dev/null >/dev/null 2>&1
printf '一篇短文\n正文一段。\n' >"$TMP/a.txt"
"$DUGAO" import "$TMP/a.txt" >/dev/null
"$DUGAO" read 1 --size 100x60 --script '<F1>' >"$TMP/help"
grep -q "one line down (in a list: the next row)" "$TMP/help" && echo "ok: help from the table" || fail "help: $(cat "$TMP/help")"
grep -q "H, F1" "$TMP/help" && echo "ok: help shows the keys" || fail "help keys"
finish
