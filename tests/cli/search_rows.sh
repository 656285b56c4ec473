#!/bin/sh
# Search over a document indexed in several rows (the index cuts a document into rows
# of whole paragraphs of about 64 KB): counts and --tsv places equal those of the text
# `cat` prints, whatever row a paragraph falls in; --replace and rm leave no hits behind.
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }

# about 600 KB of UTF-8 made from the project's own samples, numbered paragraphs
python3 - "$top_srcdir/samples" "$top_srcdir/tests" >"$TMP/long.txt" <<'PY'
import sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from sample_lines import sample_lines
lines = sample_lines(sys.argv[1])
print("一份很长的汇编")
size, i = 0, 0
while size < 600 * 1024:
    line = "%s（%d）" % (lines[i % len(lines)], i)
    print(line)
    size += len(line.encode())
    i += 1
PY
"$DUGAO" import "$TMP/long.txt" >"$TMP/import" 2>&1 || fail "import: $(cat "$TMP/import")"
check() {
	python3 - "$DUGAO" "$1" "$top_srcdir/tests" <<'PY' || failures=$((failures + 1))
import subprocess, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[3])
from search_expect import tsv_errors, words_error, paragraphs
dugao, doc = sys.argv[1], sys.argv[2]
def run(*a):
    return subprocess.run([dugao] + list(a), capture_output=True, text=True).stdout
text = run("cat", doc)
lines = [l for l in text.split("\n") if l]
paras = paragraphs(dugao, doc)
bad = checked = 0
for q in ("发展", "工作", "（1", "要", "推进", "，"):
    want = text.count(q)
    for args in (("--doc", doc), ()):
        got = run("search", "--count", *args, q).strip()
        checked += 1
        if got != str(want):
            bad += 1
            print("FAIL: count %r %s: got %r, want %d" % (q, args, got, want))
    rows = run("search", "--tsv", "--doc", doc, q).splitlines()
    checked += 1
    for e in tsv_errors(rows, want, q, lambda d, seq: paras.get(seq, "")):
        bad += 1
        print("FAIL: " + e)
# two words in one paragraph, wherever the paragraph sits
a, b = "发展", "工作"
checked += 1
e = words_error(lines, (a, b), run("search", "--count", "--doc", doc, a, b))
if e:
    bad += 1
    print("FAIL: " + e)
print("%d checks, %d failed" % (checked, bad))
sys.exit(1 if bad else 0)
PY
}
check 1
# re-parsed in place: the old rows must go, or the counts above would double
"$DUGAO" import --replace "$TMP/long.txt" >"$TMP/import" 2>&1 || fail "import --replace: $(cat "$TMP/import")"
check 1
"$DUGAO" rm 1 >/dev/null 2>&1 || fail "rm failed"
"$DUGAO" import "$top_srcdir/samples/notice-utf8.txt" >"$TMP/import" 2>&1 || fail "import of a sample failed"
id=$(cut -f1 "$TMP/import")
for q in 发展 要 （1; do
	expect_eq "after rm: $q" "$("$DUGAO" search --count "$q")" "$("$DUGAO" search --count --doc "$id" "$q")"
done
# a document removed between two others: the library's rows are no longer one run of
# ids (a count reads them one by one then), its hits must not count
"$DUGAO" import "$TMP/long.txt" >"$TMP/import" 2>&1 || fail "import: $(cat "$TMP/import")"
mid=$(cut -f1 "$TMP/import")
"$DUGAO" import "$top_srcdir/samples/speech-gb18030.txt" >"$TMP/import" 2>&1 || fail "import of a sample failed"
last=$(cut -f1 "$TMP/import")
"$DUGAO" rm "$mid" >/dev/null 2>&1 || fail "rm failed"
for q in 发展 要 （1 "发展 要"; do
	want=$(($("$DUGAO" search --count --doc "$id" "$q") + $("$DUGAO" search --count --doc "$last" "$q")))
	expect_eq "after rm of the middle: $q" "$("$DUGAO" search --count "$q")" "$want"
done
finish
