#!/bin/sh
# Imports in batches (many files a transaction; a file refused midway has its rows
# removed, a replaced one a savepoint): one command over good files, refused ones
# (adverts only, binary, empty) and a repeated one gives the library, its rows and the
# output that one command a file gives; --replace of a file given twice; readers
# during a long import see only whole batches and never an error; SIGTERM and SIGKILL
# midway leave a whole library holding exactly the files printed, and a re-run completes it.
. "$top_srcdir/tests/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: needs python3"; exit 77; }
if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "SKIP: the sqlite3 command-line tool is absent (Debian: sqlite3)"
	exit 77
fi

# docs DIR N KB: N documents of about KB kilobytes (UTF-8, or GB18030 for every third),
# made from the project's samples, each a title, headings and numbered paragraphs
docs() {
	python3 - "$top_srcdir/samples" "$@" "$top_srcdir/tests" <<'PY'
import sys
src, out, n, kb = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[5])
from sample_lines import sample_lines
lines = sample_lines(src)
x = 12345
for d in range(n):
    body, size, j = ["第%d号文件的标题" % d, ""], 0, 0
    while size < kb * 1024:
        if j % 12 == 0:
            body.append("%s、第%d部分" % ("一二三四五六七八九十"[j // 12 % 10], j // 12 + 1))
        x = (x * 69069 + 1) % 4294967296
        line = "%s（%d-%d）" % (lines[x % len(lines)], d, j)
        body.append(line)
        size += len(line.encode())
        j += 1
    enc = "gb18030" if d % 3 == 2 else "utf-8"
    open("%s/doc%04d.txt" % (out, d), "wb").write(("\n".join(body) + "\n").encode(enc))
PY
}

# snapshot LIB [IDS]: what the verbs print about the library (its documents IDS, else all)
snapshot() {
	"$DUGAO" --db "$1" list --tsv
	for id in ${2:-$("$DUGAO" --db "$1" list --tsv | cut -f1)}; do
		"$DUGAO" --db "$1" cat "$id"
		"$DUGAO" --db "$1" outline --tsv "$id"
		"$DUGAO" --db "$1" terms --tsv "$id"
		"$DUGAO" --db "$1" search --doc "$id" --count 发展
	done
	for q in 发展 工作 要 "发展 工作" "（1" 第3号 "推进 改革 发展"; do
		printf '%s\t%s\n' "$q" "$("$DUGAO" --db "$1" search --count "$q")"
		"$DUGAO" --db "$1" search --tsv "$q" | head -n 50
	done
}

# --- one command against one command a file --------------------------------------------
mkdir "$TMP/d"
docs "$TMP/d" 6 12
printf '仅供学习 禁止外传\n扫码关注公众号获取更多资料\n' >"$TMP/d/adverts.txt"
printf '\x00\x01\x02\x03binary\x00\xff\xfe\x00' >"$TMP/d/binary.bin"
: >"$TMP/d/empty.txt"
cp "$TMP/d/doc0001.txt" "$TMP/d/copy-of-1.txt"
d=$TMP/d
set -- "$d/doc0000.txt" "$d/adverts.txt" "$d/doc0001.txt" "$d/binary.bin" "$d/doc0002.txt" "$d/empty.txt" \
	"$d/doc0001.txt" "$d/doc0003.txt" "$d/copy-of-1.txt" "$d/adverts.txt" "$d/doc0004.txt"
"$DUGAO" --db "$TMP/one.db" import "$@" >"$TMP/one.out" 2>"$TMP/one.err"
expect_eq "one command: exit status (files refused)" "$?" 1
: >"$TMP/each.out"
: >"$TMP/each.err"
worst=0
for f in "$@"; do
	"$DUGAO" --db "$TMP/each.db" import "$f" >>"$TMP/each.out" 2>>"$TMP/each.err" || worst=$?
done
expect_eq "one command a file: worst exit status" "$worst" 1
cmp -s "$TMP/one.out" "$TMP/each.out" && echo "ok: the same lines printed" ||
	fail "lines printed differ: $(diff "$TMP/one.out" "$TMP/each.out" | head -n 5)"
cmp -s "$TMP/one.err" "$TMP/each.err" && echo "ok: the same errors" ||
	fail "errors differ: $(diff "$TMP/one.err" "$TMP/each.err" | head -n 5)"
expect_eq "refusals named" "$(grep -c '^dugao: ' "$TMP/one.err")" 4
# the rows of a library of the good files alone: the refused left none behind
"$DUGAO" --db "$TMP/good.db" import "$d/doc0000.txt" "$d/doc0001.txt" "$d/doc0002.txt" "$d/doc0003.txt" \
	"$d/doc0004.txt" >/dev/null || fail "the good files alone do not import"
for t in documents originals para_blocks search_rows outline_shapes section_marks section_apart term_lists; do
	expect_eq "no row left of a refused file: $t" "$(sqlite3 "$TMP/one.db" "SELECT count(*) FROM $t")" \
		"$(sqlite3 "$TMP/good.db" "SELECT count(*) FROM $t")"
done
# later imports in other processes after a batch with rolled-back files: search rows
# are never given twice
for db in one each; do
	"$DUGAO" --db "$TMP/$db.db" import "$d/doc0005.txt" "$d/adverts.txt" >/dev/null 2>&1
done
snapshot "$TMP/one.db" >"$TMP/one.snap" 2>&1
snapshot "$TMP/each.db" >"$TMP/each.snap" 2>&1
cmp -s "$TMP/one.snap" "$TMP/each.snap" && echo "ok: the same library ($(wc -l <"$TMP/one.snap") lines)" ||
	fail "the libraries differ: $(diff "$TMP/one.snap" "$TMP/each.snap" | head -n 5)"
expect_eq "integrity_check" "$(sqlite3 "$TMP/one.db" 'PRAGMA integrity_check')" ok

# --replace of a file given twice, and of files of an earlier batch
cp "$TMP/one.db" "$TMP/rep1.db"
cp "$TMP/one.db" "$TMP/rep2.db"
"$DUGAO" --db "$TMP/rep1.db" import --replace "$d/doc0002.txt" "$d/doc0002.txt" "$d/doc0000.txt" \
	"$d/adverts.txt" >"$TMP/rep1.out" 2>"$TMP/rep1.err"
: >"$TMP/rep2.out"
: >"$TMP/rep2.err"
for f in "$d/doc0002.txt" "$d/doc0002.txt" "$d/doc0000.txt" "$d/adverts.txt"; do
	"$DUGAO" --db "$TMP/rep2.db" import --replace "$f" >>"$TMP/rep2.out" 2>>"$TMP/rep2.err"
done
cmp -s "$TMP/rep1.out" "$TMP/rep2.out" && cmp -s "$TMP/rep1.err" "$TMP/rep2.err" &&
	echo "ok: --replace: the same output" || fail "--replace: output differs: $(diff "$TMP/rep1.out" "$TMP/rep2.out" | head -n 3)"
snapshot "$TMP/rep1.db" >"$TMP/rep1.snap" 2>&1
snapshot "$TMP/rep2.db" >"$TMP/rep2.snap" 2>&1
cmp -s "$TMP/rep1.snap" "$TMP/rep2.snap" && echo "ok: --replace: the same library" ||
	fail "--replace: the libraries differ: $(diff "$TMP/rep1.snap" "$TMP/rep2.snap" | head -n 5)"

# --- a long import: readers meanwhile, SIGTERM, SIGKILL --------------------------------
mkdir "$TMP/many"
docs "$TMP/many" 2100 5
"$DUGAO" --db "$TMP/ref.db" import "$TMP"/many/*.txt >"$TMP/ref.out" 2>&1 || fail "reference import: $(tail -n 2 "$TMP/ref.out")"
snapshot "$TMP/ref.db" "1 2 1023 1024 1025 1026 2047 2048 2049 2100" >"$TMP/ref.snap" 2>&1

# interrupt SIGNAL: imports into $TMP/int.db, sends SIGNAL once a first batch is printed
interrupt() {
	rm -f "$TMP"/int.db* "$TMP/int.out"
	"$DUGAO" --db "$TMP/int.db" import "$TMP"/many/*.txt >"$TMP/int.out" 2>"$TMP/int.err" &
	pid=$!
	n=0
	while [ "$n" -lt 3000 ] && [ ! -s "$TMP/int.out" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.01
		n=$((n + 1))
	done
	# a batch's lines are one write, but a KILL cuts a write short between pages:
	# the signal waits until they are all there (they end in a newline, and stay)
	size=-1
	while [ "$n" -lt 3000 ] && kill -0 "$pid" 2>/dev/null &&
		{ [ "$(wc -c <"$TMP/int.out")" != "$size" ] || [ "$(tail -c 1 "$TMP/int.out" | od -An -c | tr -d ' ')" != '\n' ]; }; do
		size=$(wc -c <"$TMP/int.out")
		sleep 0.02
		n=$((n + 1))
	done
	kill -"$1" "$pid" 2>/dev/null
	wait "$pid"
	status=$?
	printed=$(wc -l <"$TMP/int.out")
	if [ "$status" -eq 0 ]; then
		echo "note: SIG$1: the import ended before the signal; the checks below are weaker"
	else
		expect_eq "SIG$1: the import ends by the signal" "$status" "$((128 + $(kill -l "$1")))"
	fi
	if grep -q -E 'Sanitizer|runtime error' "$TMP/int.err"; then
		fail "SIG$1: sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$TMP/int.err")"
	fi
	expect_eq "SIG$1: integrity_check" "$(sqlite3 "$TMP/int.db" 'PRAGMA integrity_check' 2>&1)" ok
	"$DUGAO" --db "$TMP/int.db" list --tsv >"$TMP/int.list" 2>&1 || fail "SIG$1: list: $(head -n 1 "$TMP/int.list")"
	expect_eq "SIG$1: the library holds the files printed" "$(wc -l <"$TMP/int.list")" "$printed"
	"$DUGAO" --db "$TMP/int.db" import "$TMP"/many/*.txt >"$TMP/rerun.out" 2>&1 || fail "SIG$1: re-run: $(tail -n 2 "$TMP/rerun.out")"
	expect_eq "SIG$1: re-run: files already there" "$(grep -c 'already in the library' "$TMP/rerun.out")" "$printed"
	snapshot "$TMP/int.db" "1 2 1023 1024 1025 1026 2047 2048 2049 2100" >"$TMP/int.snap" 2>&1
	cmp -s "$TMP/int.snap" "$TMP/ref.snap" && echo "ok: SIG$1: re-run: the library of one whole import" ||
		fail "SIG$1: re-run: the library differs: $(diff "$TMP/int.snap" "$TMP/ref.snap" | head -n 5)"
}
interrupt TERM
interrupt KILL

# readers during a long import: never an error, and only whole batches (the number of
# documents never goes down, and ends at all of them)
rm -f "$TMP"/int.db*
"$DUGAO" --db "$TMP/int.db" import "$d/doc0000.txt" >/dev/null
"$DUGAO" --db "$TMP/int.db" import "$TMP"/many/*.txt >/dev/null 2>"$TMP/int.err" &
pid=$!
last=0 bad=0 reads=0
while kill -0 "$pid" 2>/dev/null; do
	if ! n=$("$DUGAO" --db "$TMP/int.db" list --tsv 2>"$TMP/rerr" | wc -l) || [ -s "$TMP/rerr" ] ||
		! "$DUGAO" --db "$TMP/int.db" search --count 发展 >/dev/null 2>>"$TMP/rerr"; then
		bad=$((bad + 1))
		echo "reader error: $(head -n 1 "$TMP/rerr")"
	fi
	[ "$n" -lt "$last" ] && bad=$((bad + 1))
	last=$n
	reads=$((reads + 1))
done
wait "$pid" || fail "import with readers: $(tail -n 2 "$TMP/int.err")"
expect_eq "readers during an import ($reads reads): errors or documents lost" "$bad" 0
expect_eq "readers during an import: all there at the end" "$("$DUGAO" --db "$TMP/int.db" list --tsv | wc -l)" 2101

finish
