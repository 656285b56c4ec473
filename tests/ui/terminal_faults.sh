#!/bin/sh
# The reader against hostile terminals and documents: every size from 1x1 up, resizing
# in a loop, SIGHUP restoring the terminal, and the raw bytes
# the reader writes to a real terminal (tmux pipe-pane) never carrying a control
# sequence from the document. tests/ui/hostile.sh checks the scripted screens; this
# checks the pty stream itself. docs/reliability.md lists the cases.
. "$top_srcdir/tests/lib.sh"

# A document that tries to act on the terminal: OSC title and clipboard, DCS, a C1
# CSI asking for a reply, bidi overrides, plus wide, combining and zero-width text and
# a long unbroken run to wrap at every size.
{
	printf '终端测试文件\033]2;DGTITLE\007\n'
	printf '同志们：\n'
	printf '一、控制序列\033]52;c;REdDTElQ\007不应生效\033P+q544e\033\\\302\2336n结束\n'
	printf '（一）双向\342\200\256文字\342\200\254与零\342\200\213宽\314\201字符，e\314\201t\303\251。\n'
	printf '（二）长串'
	yes 長 | head -n 400 | tr -d '\n'
	printf '。\n二、第二部分\n正文\033[2J\033[31m红色\033[0m，“引号”和（括号）。\n'
} >"$TMP/term.txt"
"$DUGAO" import "$TMP/term.txt" >/dev/null 2>"$TMP/err" || { fail "import: $(cat "$TMP/err")"; finish; }

# --- every size from 1x1 up, in scripted mode, with keys that touch every pane ---
keys='jjjG]]}}{{[[/控制<Enter>nN<Tab>j<Enter><Tab>jj<Enter>123123L<Esc>?<Esc>gq'
for size in 1x1 2x1 1x2 2x2 3x3 4x2 5x3 8x4 10x3 13x7 20x5 30x10 59x20 60x20 61x4 80x24 120x40 200x3 300x100; do
	w=${size%x*} h=${size#*x}
	"$DUGAO" read 1 --size "$size" --script "$keys" >"$TMP/screen" 2>"$TMP/err"
	st=$?
	if [ "$st" -ne 0 ] || grep -q -E 'Sanitizer|runtime error' "$TMP/err"; then
		fail "size $size: status $st: $(head -c 300 "$TMP/err")"
		continue
	fi
	lines=$(wc -l <"$TMP/screen")
	cols=$(wc -L <"$TMP/screen")
	if [ "$lines" -le "$h" ] && [ "$cols" -le "$w" ]; then
		echo "ok: size $size: $lines lines, $cols columns at most"
	else
		fail "size $size: the screen is $lines lines, $cols columns"
		head -n 5 "$TMP/screen"
	fi
done

command -v tmux >/dev/null 2>&1 || { echo "note: tmux is not installed; the real-terminal cases are skipped"; finish; }
sock="dugao-tf-$$"
. "$top_srcdir/tests/ui/tmux-lib.sh"
# start: the reader in a fresh 80x24 session, every byte it writes copied to raw
start() {
	T kill-server >/dev/null 2>&1
	rm -f "$TMP/status" "$TMP/stty" "$TMP/raw"
	sock="dugao-tf-$$-$1"
	T -2 new-session -d -s t -x 80 -y 24 "sleep 0.3; DUGAO_DB='$DUGAO_DB' XDG_CONFIG_HOME='$XDG_CONFIG_HOME' '$DUGAO' read 1; echo \$? >'$TMP/status'; stty -a >'$TMP/stty'; sleep 30"
	T set-option -t t remain-on-exit on >/dev/null 2>&1
	T pipe-pane -t t -o "cat >>'$TMP/raw'"
	wait_for "─ outline" || { fail "the reader did not start:"; cat "$TMP/cap"; finish; }
}
# ended WHAT STATUS: the reader exited with STATUS and the terminal modes are back
ended() {
	i=0
	while [ ! -s "$TMP/stty" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	expect_eq "$1: exit status" "$(cat "$TMP/status" 2>/dev/null)" "$2"
	grep -q -- " icanon" "$TMP/stty" && grep -q -- " echo " "$TMP/stty" && echo "ok: $1: terminal modes restored" ||
		fail "$1: terminal modes: $(cat "$TMP/stty" 2>/dev/null)"
}

# --- the raw stream: nothing from the document reaches the terminal as a control ---
start raw
T send-keys -t t G g ']' ']' / 控制 Enter n Tab j Enter Tab
wait_for "控制" >/dev/null
sleep 0.3
T send-keys -t t q
ended "q" 0
if [ -s "$TMP/raw" ] && ! grep -q '终端测试文件' "$TMP/raw"; then
	fail "raw: the capture does not hold the document's title; it would miss what it looks for"
elif [ -s "$TMP/raw" ]; then
	e=$(printf '\033')
	# the document's sequences, with their ESC: shown as text (U+FFFD and the rest) is fine
	for pat in "${e}]2;DGTITLE" "${e}]52;c;" "${e}P+q" "正文${e}[2J" "${e}[31m红色"; do
		LC_ALL=C grep -q -F "$pat" "$TMP/raw" && fail "raw: the document's ESC${pat#*"$e"} reached the terminal" ||
			echo "ok: raw: no ESC${pat#*"$e"} from the document"
	done
	LC_ALL=C grep -q "$(printf '\302\233')" "$TMP/raw" && fail "raw: a C1 CSI reached the terminal" || echo "ok: raw: no C1 CSI"
	LC_ALL=C grep -q "$(printf '\342\200\256')" "$TMP/raw" && fail "raw: a bidi override reached the terminal" || echo "ok: raw: no bidi override"
	LC_ALL=C grep -q "$(printf '\007')" "$TMP/raw" && fail "raw: a BEL reached the terminal" || echo "ok: raw: no BEL"
else
	echo "note: tmux pipe-pane captured nothing; raw stream not checked"
fi
title=$(T display-message -p -t t '#{pane_title}' 2>/dev/null)
case $title in *DGTITLE*) fail "the document set the terminal title" ;; *) echo "ok: the terminal title is untouched" ;; esac

# --- resizing in a loop, down to 1x1 and up again, while keys arrive ---
start resize
for round in 1 2 3 4 5; do
	for size in 1x1 2x2 5x3 10x4 40x12 59x20 60x20 200x60 3x50 120x2 80x24; do
		T resize-window -t t -x "${size%x*}" -y "${size#*x}" 2>/dev/null || T refresh-client -t t -C "$size"
		T send-keys -t t j
	done
done
T resize-window -t t -x 80 -y 24 2>/dev/null || T refresh-client -t t -C 80x24
if wait_for "─ outline" && [ ! -s "$TMP/status" ]; then echo "ok: the reader survives 55 resizes"; else fail "after resizing: status $(cat "$TMP/status" 2>/dev/null)"; cat "$TMP/cap"; fi
T send-keys -t t q
ended "after resizing, q" 0

# --- a reader open in a real terminal while another process imports ---
start concurrent
yes '并发导入时阅读器仍可使用，这一行不断重复。' | head -n 100000 | sed '1i 并发导入的文件' >"$TMP/big.txt"
"$DUGAO" import "$TMP/big.txt" >"$TMP/import.out" 2>"$TMP/import.err" &
importer=$!
n=0
while kill -0 "$importer" 2>/dev/null && [ "$n" -lt 200 ]; do
	T send-keys -t t G g j ']'
	sleep 0.05
	n=$((n + 1))
done
wait "$importer"
expect_eq "the import beside an open reader" "$?" 0
T send-keys -t t g L
if wait_for "终端测试文件" && [ ! -s "$TMP/status" ]; then echo "ok: the reader kept working during the import ($n rounds of keys)"; else fail "the reader during an import: status $(cat "$TMP/status" 2>/dev/null)"; cat "$TMP/cap"; fi
if grep -q '并发导入的文件' "$TMP/cap"; then echo "ok: its library list shows the new document"; else echo "note: the open reader's library list does not show the new document yet"; fi
T send-keys -t t Escape q q
ended "after the concurrent import, q" 0
new=$(cut -f1 "$TMP/import.out")
"$DUGAO" read "$new" --size 80x24 --script '' >"$TMP/screen" 2>&1
grep -q '并发导入的文件' "$TMP/screen" && echo "ok: reopened, the reader shows the new document" || { fail "the new document on reopen:"; head -n 5 "$TMP/screen"; }

# --- SIGHUP (the terminal went away) restores the modes too ---
start hup
# the reader is the child of this pane's shell: other tests may run a "dugao read 1" too
pid=$(pgrep -P "$(T display-message -p -t t '#{pane_pid}')" || true)
[ -n "$pid" ] && kill -HUP "$pid"
ended "SIGHUP" 129
T kill-server >/dev/null 2>&1
finish
