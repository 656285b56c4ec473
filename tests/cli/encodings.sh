#!/bin/sh
# The same text saved in every supported encoding imports to the same `cat` output and
# reports the encoding it was in; --encoding overrides the guess; an unknown encoding
# is a clear error. The variants are made here from one UTF-8 text with iconv.
. "$top_srcdir/tests/lib.sh"

# Traditional characters, so that Big5 can hold the text too.
src="$TMP/src.txt"
cat >"$src" <<'TEXT'
在社區服務工作會議上的講話

同志們：
今天我們召開會議，總結去年的工作，部署今年的任務。
一、肯定成績
過去一年，全區服務工作穩步推進，群眾滿意度不斷提高。一是隊伍擴大，二是品牌形成。
二、明確任務
（一）健全機制。要完善招募、培訓和激勵制度。
（二）聚焦需求。要關心老年人和困難家庭的生活。
同志們，讓我們團結一致，把工作做得更好！
TEXT

# NAME EXPECTED-ENCODING: files made in every way the guess must recognise
mk() { # NAME then a command writing the bytes to stdout
	name=$1
	shift
	"$@" >"$TMP/v-$name.txt" || fail "making $name"
}
crlf() { sed 's/$/\r/' "$src"; }
mk utf8 cat "$src"
mk utf8-bom-crlf sh -c 'printf "\357\273\277"; sed "s/\$/\r/" "$1"' sh "$src"
mk gb18030 iconv -f UTF-8 -t GB18030 "$src"
mk gbk-crlf sh -c 'sed "s/\$/\r/" "$1" | iconv -f UTF-8 -t GBK' sh "$src"
mk big5 iconv -f UTF-8 -t BIG5 "$src"
mk utf16le-bom sh -c 'printf "\377\376"; iconv -f UTF-8 -t UTF-16LE "$1"' sh "$src"
mk utf16be-bom sh -c 'printf "\376\377"; iconv -f UTF-8 -t UTF-16BE "$1"' sh "$src"
mk utf16le iconv -f UTF-8 -t UTF-16LE "$src"
mk utf16be iconv -f UTF-8 -t UTF-16BE "$src"
mk utf32le-bom sh -c 'printf "\377\376\0\0"; iconv -f UTF-8 -t UTF-32LE "$1"' sh "$src"
mk mac-cr sh -c 'tr "\n" "\r" <"$1"' sh "$src"

want_enc() {
	case $1 in
	utf8* | mac-cr) echo UTF-8 ;;
	gb18030 | gbk-crlf) echo GB18030 ;;
	big5) echo BIG5 ;;
	utf16le*) echo UTF-16LE ;;
	utf16be*) echo UTF-16BE ;;
	utf32le*) echo UTF-32LE ;;
	esac
}

expect_status "import the UTF-8 original" 0 "$DUGAO" import "$TMP/v-utf8.txt"
"$DUGAO" cat 1 >"$TMP/want" || fail "cat 1"
expect_eq "cat of the original has the salutation" "$(sed -n 2p "$TMP/want")" "同志們："
i=1
for f in "$TMP"/v-*.txt; do
	name=${f#"$TMP"/v-}
	name=${name%.txt}
	[ "$name" = utf8 ] && continue
	i=$((i + 1))
	expect_status "import $name" 0 "$DUGAO" import "$f"
	expect_eq "$name: encoding reported" "$(cut -f3 "$TMP/out")" "$(want_enc "$name")"
	[ -s "$TMP/err" ] && fail "$name: import warned: $(cat "$TMP/err")"
	"$DUGAO" cat "$i" >"$TMP/got" 2>&1
	if cmp -s "$TMP/got" "$TMP/want"; then
		echo "ok: $name: same cat output"
	else
		fail "$name: cat differs: $(diff "$TMP/want" "$TMP/got" | head -n 5)"
	fi
done

# The samples: five documents in five encodings.
for f in "$top_srcdir"/samples/*.txt; do
	expect_status "import sample $(basename "$f")" 0 "$DUGAO" import "$f"
done
expect_eq "sample encodings" "$("$DUGAO" list --tsv | awk -F'\t' '$6 ~ /samples/ {print $3}' | sort | tr '\n' ' ')" \
	"BIG5 GB18030 UTF-16LE UTF-8 UTF-8 "

# --encoding overrides the guess: GB18030 bytes read as Big5 give other text.
expect_status "--encoding BIG5 on GB18030 bytes" 0 "$DUGAO" import --replace --encoding BIG5 "$top_srcdir/samples/speech-gb18030.txt"
expect_eq "--encoding is what is used" "$(cut -f3 "$TMP/out")" "BIG5"
expect_status "--encoding GB18030 --replace" 0 "$DUGAO" import --replace --encoding GB18030 "$top_srcdir/samples/speech-gb18030.txt"
expect_eq "the right text again" "$(cut -f2 "$TMP/out")" "在全县乡村振兴工作推进会上的讲话"
cp "$TMP/v-gb18030.txt" "$TMP/override.txt"
printf '\n' >>"$TMP/override.txt"
expect_status "--encoding gbk (lower case, an alias)" 0 "$DUGAO" import --encoding gbk "$TMP/override.txt"
id=$(cut -f1 "$TMP/out")
"$DUGAO" cat "$id" >"$TMP/got"
cmp -s "$TMP/got" "$TMP/want" && echo "ok: --encoding gbk reads it" || fail "--encoding gbk: $(head -n 2 "$TMP/got")"

# An unknown encoding: a clear one-line error naming the file, nothing imported.
before=$("$DUGAO" list --tsv | wc -l)
printf '新的一行。\n' >"$TMP/new.txt"
expect_status "unknown encoding" 1 "$DUGAO" import --encoding NO-SUCH-ENC "$TMP/new.txt"
expect_eq "unknown encoding message" "$(cat "$TMP/err")" "dugao: $TMP/new.txt: unknown encoding 'NO-SUCH-ENC'"
expect_eq "nothing imported" "$("$DUGAO" list --tsv | wc -l)" "$before"

finish
