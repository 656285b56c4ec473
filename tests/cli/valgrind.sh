#!/bin/sh
# Every verb under valgrind on two small documents: no invalid reads or writes, no use
# of uninitialised memory, and no memory lost (definite, indirect or possible leaks).
# Skips without valgrind, and in the sanitizer build (ASan and valgrind do not mix).
. "$top_srcdir/tests/lib.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "SKIP: valgrind is absent (Debian: valgrind)"
	exit 77
fi
if grep -q -a -m1 -e '__asan_init' -e 'AddressSanitizer' "$DUGAO" 2>/dev/null; then
	echo "SKIP: this dugao is built with AddressSanitizer; valgrind runs in the plain build"
	exit 77
fi

# vg WHAT ARGS...: runs dugao under valgrind; fails on any error it reports, or on an
# exit status other than $want
want=0
vg() {
	what=$1
	shift
	valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		--log-file="$TMP/vg.log" "$DUGAO" "$@" >"$TMP/out" 2>"$TMP/err"
	st=$?
	if [ "$st" -eq 99 ] || [ -s "$TMP/vg.log" ]; then
		fail "$what: valgrind reports errors (status $st)"
		head -n 40 "$TMP/vg.log"
	elif [ "$st" -ne "$want" ]; then
		fail "$what: status $st: $(head -c 300 "$TMP/err")"
	else
		echo "ok: $what: clean under valgrind"
	fi
}

# Two of the samples: a speech in GB18030, and a document among adverts (UTF-8, BOM, CRLF).
speech=$top_srcdir/samples/speech-gb18030.txt
advert=$top_srcdir/samples/advert-utf8-bom-crlf.txt
if [ ! -f "$speech" ] || [ ! -f "$advert" ]; then
	echo "SKIP: samples/speech-gb18030.txt or samples/advert-utf8-bom-crlf.txt is missing"
	exit 77
fi
vg "import" import "$speech" "$advert"
vg "import again (same bytes)" import "$speech"
vg "import --replace" import --replace "$advert"
vg "list" list
vg "list --tsv" list --tsv
vg "outline" outline 1
vg "outline --tsv" outline --tsv 1
vg "cat" cat 1
vg "terms" terms 1
vg "terms --tsv" terms --tsv --limit 5 1
vg "export md" export 1
vg "export json" export --format json 1
vg "search" search 乡村
vg "search --tsv --doc" search --tsv --doc 1 乡村振兴
vg "search --count" search --count 乡村
vg "read --script" read 1 --size 80x24 --script 'jjG/乡村<Enter>n<Tab>q'
vg "read --script, narrow" read 1 --size 30x10 --script 'jj]]'
vg "rm" rm 2
want=1
vg "a missing file" import "$TMP/missing.txt"
printf '\000\001\002binary' >"$TMP/binary.txt"
vg "a binary file" import "$TMP/binary.txt"
vg "an unknown document" cat 不存在的文件
finish
