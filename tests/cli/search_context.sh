#!/bin/sh
# search --count where common pairs are bucketed by the character before them
# (gram_index.h): four documents of the seeds' lines shuffled and repeated, 400 KB
# each, imported together, so that the build of the first finds pairs like 发展
# common and the others' have buckets. Random substrings of 1 to 6 characters (and
# phrases that end in a common pair) must count the non-overlapping occurrences in
# `dugao cat`'s text, in a document and in the library; two words their
# paragraph-level hits; --tsv rows their places. Imported one by one, each after the
# first is bucketed from its first row, and counts the same as imported at once.
. "$top_srcdir/tests/lib.sh"
need_shared
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }

DUGAO_DB="$TMP/seeds.db" "$DUGAO" import "$DUGAO_SHARED"/corpus/seeds/*.txt >"$TMP/import" 2>&1 ||
	fail "import of the seeds: $(cat "$TMP/import")"
for id in $(DUGAO_DB="$TMP/seeds.db" "$DUGAO" list --tsv | cut -f1); do
	DUGAO_DB="$TMP/seeds.db" "$DUGAO" cat "$id"
done >"$TMP/seeds.txt"
python3 - "$TMP/seeds.txt" "$TMP" <<'PY'
import random, sys
lines = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if l.strip()]
rng = random.Random(12)
for d in range(4):
    out, size = [], 0
    while size < 400000:
        l = rng.choice(lines)
        out.append(l)
        size += len(l.encode()) + 2
    open("%s/common%d.txt" % (sys.argv[2], d), "w", encoding="utf-8").write("\n\n".join(out) + "\n")
PY
"$DUGAO" import "$TMP"/common0.txt "$TMP"/common1.txt "$TMP"/common2.txt "$TMP"/common3.txt >"$TMP/import" 2>&1 ||
	fail "import: $(cat "$TMP/import")"
if command -v sqlite3 >/dev/null; then
	# pages whose first key is a bucketed pair's (low 22 bits past 0x110000): the test
	# covers them
	n=$(sqlite3 "$DUGAO_DB" "SELECT count(*) FROM search_keys WHERE ((pid >> 20) & 4194303) > 1114112")
	[ "${n:-0}" -gt 0 ] || fail "no page of a bucketed pair in the library"
fi
python3 - "$DUGAO" "$top_srcdir/tests" <<'PY' || failures=$((failures + 1))
import random, subprocess, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from search_expect import words_error, tsv_errors, fold, quoted, paragraphs, search as shared_search

dugao = sys.argv[1]

def search(*args):
    return shared_search(dugao, *args)

ids = [l.split("\t")[0] for l in subprocess.run([dugao, "list", "--tsv"], capture_output=True, text=True,
                                                check=True).stdout.splitlines()]
texts = [subprocess.run([dugao, "cat", d], capture_output=True, text=True, check=True).stdout for d in ids]
everything = fold("\n".join(texts))
# the last document: its build had the buckets
doc, text = ids[-1], texts[-1]
folded = fold(text)
lines = [l for l in text.split("\n") if l]
# the commonest pairs of ideographs, and phrases ending in them
pairs = {}
for i in range(len(folded) - 1):
    a, b = folded[i], folded[i + 1]
    if "\u4e00" <= a <= "\u9fff" and "\u4e00" <= b <= "\u9fff":
        pairs[a + b] = pairs.get(a + b, 0) + 1
common = sorted(pairs, key=lambda p: -pairs[p])[:20]
rng = random.Random(7)
queries = []
for i in range(80):
    line = rng.choice(lines)
    n = rng.randint(1, 6)
    start = rng.randrange(0, max(1, len(line) - n + 1))
    queries.append(line[start:start + n])
for p in common:
    at = folded.find(p, rng.randrange(len(folded) // 2))
    for n in (1, 2, 3):
        if at >= n:
            queries.append(text[at - n:at + 2])
    queries.append(p)
bad = checked = 0
for q in queries:
    for args, want in ((("--doc", doc), folded.count(fold(q))), ((), everything.count(fold(q)))):
        rc, out, err = search("--count", *args, "--", quoted(q))
        checked += 1
        if out.strip() != str(want):
            bad += 1
            print("FAIL: query %r %s: got %r (exit %d, %s), want %d" % (q, args, out.strip(), rc, err.strip(), want))
for i in range(10):
    a, b = rng.choice(common), rng.choice(lines)[-3:-1]
    if not b.strip() or '"' in b:
        continue
    rc, out, err = search("--count", "--doc", doc, quoted(a), quoted(b))
    checked += 1
    e = words_error([fold(l) for l in lines], (fold(a), fold(b)), out)
    if e:
        bad += 1
        print("FAIL: " + e)
paras = paragraphs(dugao, doc)
for q in common[:3] + queries[-6:]:
    q = fold(q)
    rc, out, err = search("--tsv", "--doc", doc, quoted(q))
    checked += 1
    for e in tsv_errors(out.splitlines(), folded.count(q), q, lambda d, seq: fold(paras.get(seq, ""))):
        bad += 1
        print("FAIL: " + e)
    # a first page (rows read a window at a time, a bucket at a time): the first rows
    rc, page, err = search("--tsv", "--limit", "25", "--", quoted(q))
    checked += 1
    everyone = search("--tsv", "--", quoted(q))[1].splitlines()
    if page.splitlines() != everyone[:25]:
        bad += 1
        print("FAIL: --limit 25 --tsv %r: %d rows, not the first of %d" % (q, len(page.splitlines()), len(everyone)))
print("%d checks, %d failed" % (checked, bad))
sys.exit(1 if bad else 0)
PY

# One import each: a document of all four (its postings of 发展 run over several pages),
# then each of the four. Each import after the first learns the common pairs from the
# library's index, so its rows are bucketed from the first (a build of its own is
# written only at its end, too late to learn from), and every count is the one of a
# library of the same documents imported at once.
cat "$TMP"/common0.txt "$TMP"/common1.txt "$TMP"/common2.txt "$TMP"/common3.txt >"$TMP/all.txt"
for f in all common0 common1 common2 common3; do
	DUGAO_DB="$TMP/apart.db" "$DUGAO" import "$TMP/$f.txt" >"$TMP/import" 2>&1 ||
		fail "import of $f.txt alone: $(cat "$TMP/import")"
done
DUGAO_DB="$TMP/together.db" "$DUGAO" import "$TMP/all.txt" "$TMP"/common0.txt "$TMP"/common1.txt \
	"$TMP"/common2.txt "$TMP"/common3.txt >"$TMP/import" 2>&1 || fail "import together: $(cat "$TMP/import")"
if command -v sqlite3 >/dev/null; then
	n=$(sqlite3 "$TMP/apart.db" "SELECT count(*) FROM search_keys WHERE ((pid >> 20) & 4194303) > 1114112")
	[ "${n:-0}" -gt 0 ] || fail "no page of a bucketed pair when each document is imported alone"
fi
for q in 发展 高质量发展 工作 推进 要 同志们 经济社会发展 "发展 改革"; do
	expect_eq "search --count $q: imported one by one as together" \
		"$(DUGAO_DB="$TMP/apart.db" "$DUGAO" search --count $q)" "$(DUGAO_DB="$TMP/together.db" "$DUGAO" search --count $q)"
done
finish
