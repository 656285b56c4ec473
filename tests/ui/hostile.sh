#!/bin/sh
# Nothing in a document can act on the terminal: escape sequences, OSC titles, C1
# controls and bidi overrides never reach the screen, in the reader's text, outline,
# terms or status line.
. "$top_srcdir/tests/lib.sh"

printf '恶意标题\033]0;PWNED\007测试\n一、第一部分\033[2J\033[31m红色\n正文\033[H\033[1;1H里有控制序列\233c和\302\233C1字符，\342\200\256反向\342\200\254文字。\n“关键词”再次出现“关键词”。\n' >"$TMP/hostile.txt"
"$DUGAO" import "$TMP/hostile.txt" >/dev/null 2>&1 || { fail "import refused"; finish; }
for keys in '' 'G' '/关键词<Enter>' '<Tab><Enter>' 'a' '<F1>' 'L'; do
	"$DUGAO" read 1 --size 80x12 --script "$keys" >"$TMP/screen"
	# any C0 control but newline, DEL, or a C1 control (UTF-8 C2 80..9F)
	if LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$TMP/screen" ||
	   LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$TMP/screen"; then
		fail "control characters on the screen after '$keys'"
		od -c "$TMP/screen" | head -20
	else
		echo "ok: no control characters after '$keys'"
	fi
	if grep -q "PWNED" "$TMP/screen" && ! grep -q "0;PWNED" "$TMP/screen"; then
		echo "ok: the text is shown, harmlessly"
	fi
done
finish
