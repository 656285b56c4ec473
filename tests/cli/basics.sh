#!/bin/sh
# The verbs on a small document written for this test: exit codes, formats, DOC names,
# re-import, --replace, rm.
. "$top_srcdir/tests/lib.sh"

doc="$TMP/会议讲话.txt"
cat >"$doc" <<'TEXT'
在全县秋季工作会议上的讲话

同志们：
今天这次会议，主要是总结前段工作，安排下步任务。
一、统一思想，认清形势
当前全县发展态势总体平稳。
二、突出重点，狠抓落实
要抓好三件事情。
TEXT

expect_status "import" 0 "$DUGAO" import "$doc"
id=$(cut -f1 "$TMP/out")
expect_eq "import prints the id" "$id" "1"
expect_status "import again" 0 "$DUGAO" import "$doc"
grep -q "already in the library" "$TMP/out" && echo "ok: same bytes are a no-op" || fail "re-import said: $(cat "$TMP/out")"
expect_status "import --replace" 0 "$DUGAO" import --replace "$doc"
expect_eq "replace keeps the id" "$(cut -f1 "$TMP/out")" "1"
expect_eq "one document" "$("$DUGAO" list --tsv | wc -l)" "1"

expect_status "list --tsv" 0 "$DUGAO" list --tsv
expect_eq "list columns" "$(awk -F'\t' '{print NF}' "$TMP/out")" "6"
expect_eq "list source" "$(cut -f6 "$TMP/out")" "$doc"

expect_status "cat by title prefix" 0 "$DUGAO" cat 在全县
expect_eq "cat has the salutation" "$(sed -n 2p "$TMP/out")" "同志们："
expect_status "cat by file-name prefix" 0 "$DUGAO" cat 会议
expect_status "cat by id" 0 "$DUGAO" cat 1
expect_status "outline --tsv" 0 "$DUGAO" outline --tsv 1
expect_eq "outline title line" "$(head -n 1 "$TMP/out")" "$(printf '#title\t在全县秋季工作会议上的讲话')"

expect_status "export md" 0 "$DUGAO" export 1
expect_eq "md title" "$(head -n 1 "$TMP/out")" "# 在全县秋季工作会议上的讲话"
expect_status "export json" 0 "$DUGAO" export --format json 1
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["title"]=="在全县秋季工作会议上的讲话"; assert d["paragraphs"]' "$TMP/out" &&
		echo "ok: json parses" || fail "export json is not valid JSON"
fi
expect_status "export bad format" 2 "$DUGAO" export --format pdf 1

expect_status "unknown document" 1 "$DUGAO" cat 不存在的文档
grep -q '^dugao: .*no such document' "$TMP/err" && echo "ok: clear message" || fail "message: $(cat "$TMP/err")"
expect_status "unknown verb" 2 "$DUGAO" frobnicate
expect_status "missing DOC" 2 "$DUGAO" outline
expect_status "unknown option" 2 "$DUGAO" list --bogus
expect_status "--help" 0 "$DUGAO" --help
grep -q "usage: dugao" "$TMP/out" && echo "ok: help" || fail "help text"
expect_status "--version" 0 "$DUGAO" --version

expect_status "--db elsewhere" 1 "$DUGAO" --db "$TMP/none/other.db" list
grep -q "no library here" "$TMP/err" && echo "ok: missing library explained" || fail "message: $(cat "$TMP/err")"

expect_status "rm" 0 "$DUGAO" rm 1
expect_eq "empty after rm" "$("$DUGAO" list --tsv | wc -l)" "0"
finish
