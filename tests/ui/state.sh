#!/bin/sh
# The reading state: the position survives resizing, quitting and re-import; marks and
# back jumps; the config file; the library list; a clear error without a terminal.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
ui_import

run() {	# run SIZE KEYS: the final screen on stdout
	"$DUGAO" read 1 --size "$1" --script "$2" 2>"$TMP/run.err"
}

fresh() { cp "$TMP/pristine.db" "$DUGAO_DB"; }

# the screen after three section jumps, with the terms hidden (3) and no message
fresh
want=$(run 80x24 '3]]]')
echo "$want" | grep -q "（二）长文章需要反复阅读" && echo "ok: ]]] reaches （二）" || fail "]]] screen: $want"

fresh
expect_eq "resizing keeps the exact position" "$(run 80x24 '3]]]<Resize:50x10><Resize:21x7><Resize:120x40><Resize:80x24>')" "$want"
fresh
expect_eq "one pane at a time and back keeps it" "$(run 80x24 '3]]]<Resize:40x12><Tab><Tab><Tab><Resize:80x24>')" "$want"

fresh
run 80x24 '3]]]q' >/dev/null
expect_eq "the position is kept when quitting" "$(run 80x24 '3')" "$want"
"$DUGAO" import --replace "$doc" >/dev/null 2>&1
expect_eq "the position survives re-import" "$(run 80x24 '3')" "$want"
run 64x20 'jjjjj' >/dev/null
expect_eq "a position saved at another width is the same text" "$(run 80x24 '3kkkkk')" "$want"

fresh
run 80x24 '3]]]ma' >/dev/null
expect_eq "a mark is kept in the library" "$(run 80x24 "3G'a")" "$want"
fresh
expect_eq "\` goes back from a jump" "$(run 80x24 '3]]]G`')" "$want"
fresh
expect_eq "'' goes back too" "$(run 80x24 "3]]]g''")" "$want"
fresh
expect_eq "marks are letters" "$(run 80x24 "3'1" | tail -1)" "关于读好长文章的几点体会  ·  0%  ·  a mark is a letter (a-z, A-Z)"
fresh
expect_eq "an unknown mark" "$(run 80x24 "3'z" | tail -1)" "关于读好长文章的几点体会  ·  0%  ·  no mark z"

# the config file: rebinding, and bad lines reported with their line numbers
mkdir -p "$XDG_CONFIG_HOME/dugao"
cat >"$XDG_CONFIG_HOME/dugao/config" <<'CONF'
# comment
bind J next-section
frobnicate 3
bind K no-such-action
color heading1 red default bold
ambiguous narrow
CONF
fresh
got=$(run 80x24 '3JJJ')
expect_eq "bind J next-section" "$got" "$want"
grep -q "config:3: unknown setting 'frobnicate'" "$TMP/run.err" && echo "ok: bad line 3 reported" || fail "stderr: $(cat "$TMP/run.err")"
grep -q "config:4: unknown action 'no-such-action'" "$TMP/run.err" && echo "ok: bad line 4 reported" || fail "stderr: $(cat "$TMP/run.err")"
fresh
run 80x24 '' | tail -1 | grep -q "config:3:" && echo "ok: the status line shows it" || fail "status: $(run 80x24 '' | tail -1)"
rm "$XDG_CONFIG_HOME/dugao/config"

# script errors are usage errors
expect_status "unknown key name in a script" 2 "$DUGAO" read 1 --size 80x24 --script '<Nope>'
expect_status "bad --size" 2 "$DUGAO" read 1 --size 80 --script ''

# no terminal: a clear error, for `read` and for no verb at all
expect_status "read without a tty" 1 "$DUGAO" read 1
expect_eq "the message" "$(cat "$TMP/err")" "dugao: the reader needs a terminal (stdout is not a tty); try dugao cat"
expect_status "no verb without a tty" 1 "$DUGAO"
expect_eq "no verb opens the reader" "$(cat "$TMP/err")" "dugao: the reader needs a terminal (stdout is not a tty); try dugao cat"

# no DOC: the last one read; several documents and none read: the library
cat >"$TMP/second.txt" <<'TEXT'
第二篇短文
这是第二篇用于测试的短文，只有一个段落。
TEXT
export DUGAO_DB="$TMP/two.db"
"$DUGAO" import "$doc" "$TMP/second.txt" >/dev/null
out=$("$DUGAO" read --size 80x8 --script '')
echo "$out" | grep -q "^─ library" && echo "ok: the library opens first" || fail "no library: $out"
echo "$out" | grep -q "2 documents" && echo "ok: two documents listed" || fail "library: $out"
out=$("$DUGAO" read --size 80x8 --script 'j<Enter>')
echo "$out" | grep -q "这是第二篇用于测试的短文" && echo "ok: Enter opens a document" || fail "open: $out"
out=$("$DUGAO" read --size 80x8 --script '')
echo "$out" | grep -q "这是第二篇用于测试的短文" && echo "ok: then it is the last one read" || fail "last read: $out"
out=$(DUGAO_SCRIPT='L' "$DUGAO" read --size 80x8)
echo "$out" | grep -q "第二篇短文.*100%" && echo "ok: the library shows progress" || fail "progress: $out"

finish
