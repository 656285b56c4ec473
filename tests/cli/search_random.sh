#!/bin/sh
# search --count against an independent count: random substrings of 1 to 6 characters
# of `dugao cat D` for each seed (fixed seed), some with their Latin letters turned to
# upper case or full width; the count must equal the non-overlapping occurrences in the
# text after folding. Also two-word queries (paragraph-level AND) and --tsv offsets.
. "$top_srcdir/tests/lib.sh"
need_shared
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }

"$DUGAO" import "$DUGAO_SHARED"/corpus/seeds/*.txt >"$TMP/import" 2>&1 || fail "import: $(cat "$TMP/import")"
python3 - "$DUGAO" "$top_srcdir/tests" <<'PY' || failures=$((failures + 1))
import random, subprocess, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from search_expect import words_error, fold, quoted, paragraphs, search as shared_search

dugao = sys.argv[1]

def vary(q, rng):
    # the same query as a user might type it: upper case or full-width letters and digits
    out = []
    for ch in q:
        if ch.isascii() and ch.isalnum() and rng.random() < 0.5:
            ch = ch.upper() if rng.random() < 0.5 or not ch.isalpha() else chr(ord(ch.upper()) + 0xFEE0)
        out.append(ch)
    return "".join(out)

def search(*args):
    return shared_search(dugao, *args)

ids = subprocess.run([dugao, "list", "--tsv"], capture_output=True, text=True, check=True).stdout
ids = [l.split("\t")[0] for l in ids.splitlines()]
rng = random.Random(6)
bad = checked = 0
texts = {doc: subprocess.run([dugao, "cat", doc], capture_output=True, text=True, check=True).stdout for doc in ids}
everything = fold("\n".join(texts.values()))
for doc in ids:
    text = texts[doc]
    lines = [l for l in text.split("\n") if l]
    folded = fold(text)
    for i in range(48):
        line = rng.choice(lines)
        n = rng.randint(1, 6)
        start = rng.randrange(0, max(1, len(line) - n + 1))
        q = line[start:start + n]
        if i % 4 == 3:
            q = vary(q, rng)
        want = folded.count(fold(q))
        rc, out, err = search("--count", "--doc", doc, "--", quoted(q))
        checked += 1
        if out.strip() != str(want) or rc != (0 if want else 1):
            bad += 1
            print("FAIL: doc %s query %r: got %r (exit %d, %s), want %d" % (doc, q, out.strip(), rc, err.strip(), want))
        if i % 4 == 1:
            # the whole library (a two-character word is counted from the index alone)
            want = everything.count(fold(q))
            rc, out, err = search("--count", "--", quoted(q))
            checked += 1
            if out.strip() != str(want):
                bad += 1
                print("FAIL: library query %r: got %r (%s), want %d" % (q, out.strip(), err.strip(), want))
    # two words: hits of either in paragraphs holding both
    for i in range(8):
        a = rng.choice(lines)[:2]
        b = rng.choice(lines)[-3:-1]
        if not a.strip() or not b.strip() or '"' in a + b:
            continue
        rc, out, err = search("--count", "--doc", doc, quoted(a), quoted(b))
        checked += 1
        e = words_error([fold(l) for l in lines], (fold(a), fold(b)), out)
        if e:
            bad += 1
            print("FAIL: doc %s %s" % (doc, e))
    # --tsv: every line names a place in cat's text where the query is
    # (paragraph seqs count noise too, which export's JSON gives)
    paras = paragraphs(dugao, doc)
    q = fold(rng.choice(lines)[:2])
    rc, out, err = search("--tsv", "--doc", doc, quoted(q))
    for row in out.splitlines():
        d, para, off, snippet = row.split("\t")
        checked += 1
        if d != doc or fold(paras.get(int(para), ""))[int(off):int(off) + len(q)] != q or "\u3010" + q not in fold(snippet):
            bad += 1
            print("FAIL: tsv row %r for %r" % (row, q))
    got = len(out.splitlines())
    checked += 1
    if got != folded.count(q):
        bad += 1
        print("FAIL: doc %s --tsv %r: %d rows, want %d" % (doc, q, got, folded.count(q)))
print("%d checks, %d failed" % (checked, bad))
sys.exit(1 if bad else 0)
PY
finish
