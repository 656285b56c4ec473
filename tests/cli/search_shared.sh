#!/bin/sh
# A lookup of many pages is shared with a second thread (the last segments' pages read
# ahead, decoded there): counts and places over the library equal those of the text
# `cat` prints. Three documents, each its own segment, dense with 发展 (about 80 pages
# of its postings, past the 64 that share a lookup); a phrase's count is read ahead a
# segment at a time (发展文集之3: one segment holds it, the others' reading ends at 之3).
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }

for n in 1 2 3; do
	python3 - "$n" >"$TMP/doc$n.txt" <<'PY'
import random, sys
n = int(sys.argv[1])
rnd = random.Random(n)
words = ["发展"] * 12 + ["高质量发展", "改革", "发展改革", "推进", "，", "展开", "发"]
print("发展文集之%d" % n)
size = 0
while size < 800 * 1024:
    line = "".join(rnd.choice(words) for _ in range(rnd.randint(20, 200))) + "。"
    print(line)
    size += len(line.encode())
PY
	"$DUGAO" import "$TMP/doc$n.txt" >"$TMP/import" 2>&1 || fail "import $n: $(cat "$TMP/import")"
done

python3 - "$DUGAO" "$top_srcdir/tests" <<'PY' || failures=$((failures + 1))
import subprocess, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from search_expect import tsv_errors, words_error, paragraphs
dugao = sys.argv[1]
def run(*a):
    return subprocess.run([dugao] + list(a), capture_output=True, text=True).stdout
docs = [line.split("\t")[0] for line in run("list", "--tsv").splitlines()]
texts = [run("cat", d) for d in docs]
bad = checked = 0
for q in ("发展", "高质量发展", "量发展", "展", "发", "改革", "发展改革", "发展文集之3", "发展龘"):
    want = sum(t.count(q) for t in texts)
    got = run("search", "--count", q).strip()
    checked += 1
    if got != str(want):
        bad += 1
        print("FAIL: count %r: got %r, want %d" % (q, got, want))
# every place of a phrase over the library (no --limit: all rows at once)
paras = {}
for d in docs:
    for seq, t in paragraphs(dugao, d).items():
        paras[(d, seq)] = t
q = "高质量发展"
rows = run("search", "--tsv", q).splitlines()
want = sum(t.count(q) for t in texts)
checked += 1
for e in tsv_errors(rows, want, q, lambda d, seq: paras.get((d, seq), "")):
    bad += 1
    print("FAIL: " + e)
# two words in one paragraph
a, b = "发展", "改革"
checked += 1
e = words_error([l for t in texts for l in t.split("\n")], (a, b), run("search", "--count", a, b))
if e:
    bad += 1
    print("FAIL: " + e)
print("%d checks, %d failed" % (checked, bad))
sys.exit(1 if bad else 0)
PY

# a segment's pages damaged (emptied): a count read ahead and shared says so, one line,
# whichever thread decodes that segment
if command -v sqlite3 >/dev/null 2>&1; then
	cp "$DUGAO_DB" "$TMP/bad.db"
	sqlite3 "$TMP/bad.db" "UPDATE search_pages SET data = x'' WHERE id >> 32 = (SELECT max(id) FROM search_segments)"
	for q in 高质量发展 发展; do
		expect_status "count of $q in a damaged library" 1 "$DUGAO" --db "$TMP/bad.db" search --count "$q"
		expect_eq "count of $q: the damage told" "$(cat "$TMP/err")" "dugao: $TMP/bad.db: the search index is damaged (a page cannot be read)"
	done
fi
finish
