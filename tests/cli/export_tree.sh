#!/bin/sh
# export --format json: its section tree, walked in order, is the outline (outline --tsv,
# level for level), for the samples and for a document of many sections nested three
# deep (written once each: the tree is built from links, not a scan per parent).
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }

python3 - "$TMP/many.txt" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("关于若干工作的报告\n")
    for i in range(1, 31):
        f.write("%s、第%d方面的工作\n" % ("一二三四五六七八九十"[(i - 1) % 10], i))
        for j in range(1, 4):
            f.write("%d．第%d项任务\n（1）抓好落实。这是第%d段正文，讲具体的做法和要求。\n（2）强化保障。正文还有一些内容。\n" % (j, j, j))
PY
for f in "$top_srcdir"/samples/*.txt "$TMP/many.txt"; do
	id=$("$DUGAO" import "$f" | cut -f1) || fail "import $f"
	"$DUGAO" outline --tsv "$id" | tail -n +2 >"$TMP/o.tsv"
	"$DUGAO" export --format json "$id" >"$TMP/j.json" || fail "export $f"
	got=$(python3 - "$TMP/j.json" "$TMP/o.tsv" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
rows = []
def walk(sections, depth):
    for s in sections:
        if s["level"] != depth:
            rows.append("level %d at depth %d" % (s["level"], depth))
        rows.append("%d\t%s\t%s" % (s["level"], s["marker"], s["title"]))
        walk(s["children"], depth + 1)
walk(doc["sections"], 1)
want = open(sys.argv[2], encoding="utf-8").read().splitlines()
print("same" if rows == want else "differs: %d rows, outline %d" % (len(rows), len(want)))
PY
)
	expect_eq "$(basename "$f"): the JSON tree is the outline" "$got" "same"
done
expect_eq "many.txt has its sections" "$(wc -l <"$TMP/o.tsv" | tr -d ' ')" "300"
finish
