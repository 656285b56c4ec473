#!/bin/sh
# The reader in a real terminal (tmux): it draws, resizing keeps the reading position,
# mouse clicks and the wheel work, and SIGINT and SIGTERM restore the terminal.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed"; exit 77; }
ui_import

run=0
sock="dugao-test-$$-$run"
. "$top_srcdir/tests/ui/tmux-lib.sh"
check_screen() {	# check_screen WHAT TEXT
	if wait_for "$2"; then echo "ok: $1"; else fail "$1: no '$2' on the screen:"; cat "$TMP/cap"; fi
}

start() {	# start: the reader in a fresh 80x24 session; its exit status and stty go to files
	cp "$TMP/pristine.db" "$DUGAO_DB"
	rm -f "$TMP/status" "$TMP/stty"
	T kill-server >/dev/null 2>&1
	run=$((run + 1))
	sock="dugao-test-$$-$run"	# a fresh server each time: no race with the old one
	T -2 new-session -d -s t -x 80 -y 24 \
		"DUGAO_DB='$DUGAO_DB' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$DUGAO' read 1; echo \$? >'$TMP/status'; stty -a >'$TMP/stty'; sleep 30"
	T set-option -t t remain-on-exit on >/dev/null 2>&1
	wait_for "─ outline" || { fail "the reader did not start:"; cat "$TMP/cap"; finish; }
}

start
check_screen "three panes" "─ text"
check_screen "the title" "关于读好长文章的几点体会"
T send-keys -t t 3 ']' ']' ']'
check_screen "section jumps" "一 › （二）"
T resize-window -t t -x 50 -y 12 2>/dev/null || T refresh-client -t t -C 50x12
check_screen "narrow: one pane" "^─ text ─────────"
if grep -q "^ （二）长文章需要反复阅读" "$TMP/cap"; then echo "ok: the position survives a resize"; else fail "after resize:"; cat "$TMP/cap"; fi
T resize-window -t t -x 80 -y 24 2>/dev/null || T refresh-client -t t -C 80x24
check_screen "wide again" "─ outline"
if grep -q "│ （二）长文章需要反复阅读" "$TMP/cap"; then echo "ok: and survives growing back"; else fail "after growing:"; cat "$TMP/cap"; fi

# mouse: an X10 click on the outline row of 三、 (row 9, column 3), then the wheel
row=$(grep -n "三、读完之后" "$TMP/cap" | head -1 | cut -d: -f1)
if [ -n "$row" ]; then
	y=$(printf "\\$(printf '%03o' $((32 + row)))")
	T send-keys -t t -l "$(printf '\033[M !')$y"
	check_screen "a click in the outline jumps" "│ 三、读完之后怎样运用"
	T send-keys -t t Tab g	# the click focused the outline
	check_screen "back to the start" "  ·  0%"
	T send-keys -t t -l "$(printf '\033[MaI(\033[MaI(')"	# wheel down twice over the text
	check_screen "the wheel scrolls the text (6 rows)" "│ 之后要回头梳理。"
	grep -q "│ *关于读好长文章的几点体会" "$TMP/cap" && fail "the title is still there" || echo "ok: scrolled by the wheel"
else
	fail "no 三、 row in the outline"
fi

# SIGINT: the terminal comes back (normal screen, canonical mode, echo)
T send-keys -t t C-c
i=0
while [ ! -s "$TMP/stty" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect_eq "SIGINT ends the reader" "$(cat "$TMP/status" 2>/dev/null)" "130"
grep -q -- " icanon" "$TMP/stty" && grep -q -- " echo " "$TMP/stty" && echo "ok: the terminal modes are restored" ||
	fail "terminal modes: $(cat "$TMP/stty")"
T capture-pane -p -t t >"$TMP/cap"
grep -q "─ outline" "$TMP/cap" && fail "the reader's screen is still up" || echo "ok: the normal screen is back"

# SIGTERM, and the position saved on the way out
start
T send-keys -t t 3 '}' '}'
check_screen "chapter jumps" "二  ·"
# the reader is the child of this pane's shell: other tests may run a "dugao read 1" too
pid=$(pgrep -P "$(T display-message -p -t t '#{pane_pid}')" || true)
[ -n "$pid" ] && kill -TERM "$pid"
i=0
while [ ! -s "$TMP/stty" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect_eq "SIGTERM ends the reader" "$(cat "$TMP/status" 2>/dev/null)" "143"
grep -q -- " icanon" "$TMP/stty" && echo "ok: restored after SIGTERM" || fail "modes after SIGTERM"
"$DUGAO" read 1 --size 80x6 --script '3' >"$TMP/after"
grep -q "│ 二、怎样读好长文章" "$TMP/after" && echo "ok: the position was saved" || { fail "position after SIGTERM:"; cat "$TMP/after"; }
finish
