#!/bin/sh
# Bad and hostile input: each file gets a clear one-line message naming it (or a
# sensible import), never a crash or a hang, and the library keeps what it held.
. "$top_srcdir/tests/lib.sh"

T="timeout 60"

# A document already in the library, to see that nothing touches it.
printf '在全区工作会议上的讲话\n同志们：\n一、统一思想\n今年的工作很重要。\n' >"$TMP/first.txt"
expect_status "import a first document" 0 $T "$DUGAO" import "$TMP/first.txt"
"$DUGAO" list --tsv >"$TMP/list0"
sum0=$("$DUGAO" cat 1 | sha256sum)

unchanged() {
	"$DUGAO" list --tsv >"$TMP/list1"
	cmp -s "$TMP/list0" "$TMP/list1" || fail "$1: the library list changed"
	expect_eq "$1: first document unchanged" "$("$DUGAO" cat 1 | sha256sum)" "$sum0"
}

# refused WHAT FILE WHY: exit 1, one stderr line "dugao: FILE: …WHY…", library unchanged
refused() {
	expect_status "$1" 1 $T "$DUGAO" import "$2"
	expect_eq "$1: one line on stderr" "$(wc -l <"$TMP/err")" "1"
	case $(cat "$TMP/err") in
	"dugao: $2: "*"$3"*) echo "ok: $1: message" ;;
	*) fail "$1: message is '$(cat "$TMP/err")', want 'dugao: $2: …$3…'" ;;
	esac
	unchanged "$1"
}

# imported WHAT FILE [WARNING]: exit 0; with WARNING, one stderr line naming the file
imported() {
	expect_status "$1" 0 $T "$DUGAO" import "$2"
	if [ -n "${3:-}" ]; then
		case $(cat "$TMP/err") in
		"dugao: warning: $2: "*"$3"*) echo "ok: $1: warning" ;;
		*) fail "$1: warning is '$(cat "$TMP/err")', want 'dugao: warning: $2: …$3…'" ;;
		esac
	fi
	id=$(cut -f1 "$TMP/out")
	expect_eq "$1: first document unchanged" "$("$DUGAO" cat 1 | sha256sum)" "$sum0"
	"$DUGAO" list --tsv >"$TMP/list0"
}

refused "missing file" "$TMP/no-such-file.txt" "No such file"
mkdir "$TMP/a directory"
refused "directory" "$TMP/a directory" "directory"
: >"$TMP/empty.txt"
refused "empty file" "$TMP/empty.txt" "empty"
printf '  \n\t\n\r\n\343\200\200\343\200\200\n\n' >"$TMP/blank.txt"
refused "only whitespace" "$TMP/blank.txt" "no text"
printf '仅供学习 禁止外传\n某某文库\n关注公众号“某某文库”获取更多资料\n\n某某文库整理，咨询QQ：12345678\n' >"$TMP/ads.txt"
refused "only adverts" "$TMP/ads.txt" "no text"
printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\6\0\0\0\37\25\304\211' >"$TMP/image.txt"
refused "a PNG image" "$TMP/image.txt" "PNG"
cp /bin/true "$TMP/true.txt"
refused "an executable" "$TMP/true.txt" "ELF"
head -c 65536 /dev/urandom >"$TMP/random.bin"
refused "random bytes" "$TMP/random.bin" "not a text file"

# Damaged text imports with a warning; the bad bytes become U+FFFD.
printf '标题\n正文\377第一段。\n第二段\300\257。\n' >"$TMP/invalid.txt"
imported "invalid UTF-8" "$TMP/invalid.txt" "3 invalid UTF-8 sequences"
"$DUGAO" cat "$id" | grep -q '正文�第一段' && echo "ok: U+FFFD in place" || fail "invalid UTF-8: $("$DUGAO" cat "$id")"
printf '标题\n最后一个字被截断：\344\270' >"$TMP/cut.txt"
imported "a sequence cut at the end" "$TMP/cut.txt" "1 invalid UTF-8 sequence"
expect_eq "cut sequence is one U+FFFD" "$("$DUGAO" cat "$id" | tail -n 1)" "最后一个字被截断：�"
{ printf '\377\376'; printf '标题\n正文。\n' | iconv -f UTF-8 -t UTF-16LE; printf 'x'; } >"$TMP/odd16.txt"
imported "UTF-16 of odd length" "$TMP/odd16.txt" "1 invalid UTF-16LE sequence"

# Terminal escapes: nothing a terminal acts on comes back out.
{
	printf '\033]0;pwned\007标题\033[2J\n'
	i=0
	while [ $i -lt 200 ]; do
		printf '第%d段正文\033[31m红\033[0m\033]8;;http://x\033\\链接\033]8;;\033\\\302\233 2J\302\235 0;t\007\342\200\256 反\n' $i
		i=$((i + 1))
	done
	printf '\033P+q\033\\\033_apc\033\\结尾\177\000\n'
} >"$TMP/escapes.txt"
imported "escape and OSC sequences" "$TMP/escapes.txt"
"$DUGAO" cat "$id" >"$TMP/esc-out"
expect_eq "no ESC, BEL, DEL or NUL in cat" "$(LC_ALL=C tr -cd '\033\007\177\000' <"$TMP/esc-out" | wc -c)" "0"
expect_eq "no C1 controls in cat" "$(LC_ALL=C grep -c "$(printf '\302')[$(printf '\200-\237')]" "$TMP/esc-out")" "0"
expect_eq "no bidi override in cat" "$(grep -c "$(printf '\342\200\256')" "$TMP/esc-out")" "0"
grep -aq '红' "$TMP/esc-out" && grep -aq '链接' "$TMP/esc-out" && echo "ok: the text around escapes is kept" || fail "text lost"

# File names with spaces (and a name that is not UTF-8).
cp "$TMP/first.txt" "$TMP/name with spaces.txt"
printf '\n另一篇。\n' >>"$TMP/name with spaces.txt"
imported "a file name with spaces" "$TMP/name with spaces.txt"
expect_eq "source kept with its spaces" "$("$DUGAO" list --tsv | awk -F'\t' -v id="$id" '$1 == id {print $6}')" "$TMP/name with spaces.txt"
odd=$(printf '%s/\377\376name.txt' "$TMP")
printf '又一篇文章。\n' >"$odd"
imported "a file name that is not UTF-8" "$odd"
refused "a missing name with spaces" "$TMP/no such file.txt" "No such file"

# Nothing above may have damaged the library.
expect_eq "integrity" "$(sqlite3 "$DUGAO_DB" 'PRAGMA integrity_check' 2>/dev/null || echo ok)" "ok"
finish
