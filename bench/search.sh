#!/bin/sh
# Search benchmark: median whole-process times of `dugao search --count` and of the first
# page of results (--limit 20) for 发展, 高质量发展 and a two-word query, next to grep -c
# over the same text; the import rate with the index; the index size as a share of the
# text. Run from a build directory (or set DUGAO=path/to/dugao).
#
#   bench/search.sh [--big] [--runs N] [--reimport] [--db LIBRARY] [--before DUGAO]
#
# --before: a second binary (say the one before a change), timed in the same runs,
# each run of one followed by a run of the other, so that a busy machine weighs on
# both alike; its medians are printed next to the others.
#
# The corpus is ~100 MB (--big: ~1 GB) of documents drawn by bench/corpus.py from
# samples/ and ../shared/corpus; it, the text for grep and the library are kept in
# bench/out/ and reused (--reimport builds the library again). A library imported
# before schema 12 has no buckets of common pairs (gram_index.h), which a phrase like
# 高质量发展 gains from: --reimport it to measure them. A dugao before schema 12 cannot
# open a library of 12 (--before then needs a library of its own: run it apart).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
DUGAO=${DUGAO:-./dugao}
[ -x "$DUGAO" ] || DUGAO=$(command -v dugao) || { echo "search.sh: no dugao: run from a build directory or set DUGAO" >&2; exit 2; }
DUGAO=$(cd "$(dirname "$DUGAO")" && pwd)/$(basename "$DUGAO")
size=100 runs=21 reimport=false db= before=
while [ $# -gt 0 ]; do
	case $1 in
	--big) size=1000 ;;
	--runs) runs=$2; shift ;;
	--reimport) reimport=true ;;
	--db) db=$2; shift ;;
	--before) before=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift ;;
	*) echo "usage: bench/search.sh [--big] [--runs N] [--reimport] [--db LIBRARY] [--before DUGAO]" >&2; exit 2 ;;
	esac
	shift
done
shared=${DUGAO_SHARED:-$top/../shared}
out=$here/out
corpus=$out/search-corpus-${size}M text=$out/search-${size}M.txt
given=false
if [ -n "$db" ]; then given=true; else db=$out/search-${size}M.db; fi
mkdir -p "$out"
export LC_ALL=C.UTF-8

if [ ! -d "$corpus" ]; then
	python3 "$here/corpus.py" "$corpus" "$size" "$top/samples" "$shared/corpus/seeds" "$shared/corpus/real"
	rm -f "$db" "$text"
fi
[ -s "$text" ] || find "$corpus/" -name '*.txt' | sort | xargs cat >"$text"
bytes=$(wc -c <"$text")

if $reimport || { ! $given && [ ! -f "$db" ]; }; then
	rm -f "$db" "$db-wal" "$db-shm"
	echo "importing $((bytes / 1048576)) MB ..."
	# the old library's blocks freed and earlier writes on disk first: not this import's
	sync
	start=$(date +%s.%N)
	find "$corpus/" -name '*.txt' | sort | xargs "$DUGAO" --db "$db" import >/dev/null
	end=$(date +%s.%N)
	echo "$start $end $bytes" >"$db.import"
fi
if [ -f "$db.import" ]; then
	read -r start end ibytes <"$db.import"
	python3 - "$start" "$end" "$ibytes" <<'PY'
import sys
start, end, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print("import with the index: %.1f MB in %.1f s = %.1f MB/s" % (n / 1e6, end - start, n / 1e6 / (end - start)))
PY
fi
if command -v sqlite3 >/dev/null; then
	# the index's tables (search_index*: the FTS5 index of a library before schema 7);
	# noise is kind 'noise' before schema 8, 5 after; from schema 13 the paragraphs are
	# packed into rows of para_blocks, whose bytes (noise and a few bytes a paragraph
	# of packing included) stand for the text
	text_sql="SELECT sum(length(CAST(text AS BLOB))) FROM paragraphs WHERE kind NOT IN ('noise', 5)"
	[ "$(sqlite3 -readonly "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'para_blocks'")" = 1 ] &&
		text_sql="SELECT sum(length(data)) FROM para_blocks"
	sqlite3 -readonly "$db" "SELECT (SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_index%' OR name LIKE 'search_pages%' OR name LIKE 'search_keys%'
			OR name LIKE 'search_segments%' OR name LIKE 'search_rows%'),
		($text_sql),
		(SELECT page_count * page_size FROM pragma_page_count, pragma_page_size)" |
	awk -F'|' '{ printf "index: %.1f MB for %.1f MB of text = %.0f%% (library file %.1f MB)\n", $1/1e6, $2/1e6, 100*$1/$2, $3/1e6 }'
else
	echo "index size: needs the sqlite3 shell (dbstat)"
fi

python3 - "$DUGAO" "$db" "$text" "$runs" "$before" <<'PY'
import os, statistics, subprocess, sys, time
dugao, db, text, runs, before = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]

def run_ms(argv):
    # output to a pipe, as a user's would: GNU grep stops at the first match when its
    # output is /dev/null
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return (time.perf_counter() - t) * 1000

def median_ms(argv):
    return statistics.median(run_ms(argv) for _ in range(runs))

def medians_ms(argv, other):
    # this binary's runs and the other's taken in turns
    mine, theirs = [], []
    for _ in range(runs):
        mine.append(run_ms(argv))
        theirs.append(run_ms(other))
    return statistics.median(mine), statistics.median(theirs)

def first_line(argv):
    return subprocess.run(argv, capture_output=True, text=True).stdout.strip()

queries = [(["发展"], "grep -c 发展"), (["高质量发展"], "grep -c 高质量发展"),
           (["发展", "改革"], "grep 发展 | grep -c 改革")]
if before:
    print("%-12s %9s %9s %9s %9s %9s %9s %8s %8s" % ("query", "hits", "--count", "before", "--limit20", "before",
                                                  "grep -c", "speed-up", "before"))
else:
    print("%-12s %9s %9s %9s %9s %8s" % ("query", "hits", "--count", "--limit20", "grep -c", "speed-up"))
for words, grep_desc in queries:
    count = ["--db", db, "search", "--count"] + words
    page = ["--db", db, "search", "--limit", "20"] + words
    if len(words) == 1:
        grep = ["grep", "-c", words[0], text]
    else:
        grep = ["sh", "-c", 'grep -F "$1" "$3" | grep -c -F "$2"', "sh", words[0], words[1], text]
    hits = first_line([dugao] + count)
    if before:
        if first_line([before] + count) != hits:
            print("%s: %s counts %s, %s counts %s" % (" ".join(words), before, first_line([before] + count), dugao, hits))
        t_count, b_count = medians_ms([dugao] + count, [before] + count)
        t_page, b_page = medians_ms([dugao] + page, [before] + page)
        t_grep = median_ms(grep)
        print("%-12s %9s %7.1fms %7.1fms %7.1fms %7.1fms %7.1fms %7.1fx %7.1fx" % (" ".join(words), hits, t_count, b_count,
              t_page, b_page, t_grep, t_grep / t_count, t_grep / b_count))
        continue
    t_count, t_page, t_grep = median_ms([dugao] + count), median_ms([dugao] + page), median_ms(grep)
    print("%-12s %9s %7.1fms %7.1fms %7.1fms %7.1fx" % (" ".join(words), hits, t_count, t_page, t_grep, t_grep / t_count))
print("(median of %d runs, whole process; grep over the same text, counting lines;"
      " dugao --version alone: %.1fms)" % (runs, median_ms([dugao, "--version"])))
PY
