#!/bin/sh
# In-reader search over a document of many search index rows (about 400 KB, rows of
# 64 KB): the k/N in the status line after /, ? and n agrees with `dugao search --count
# --doc` and with grep over `dugao cat`, where the reader's stepping is answered by the
# index (one search word, noise hidden) and where it scans (a phrase with a space).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ui/common.sh"
big="$TMP/长文章汇编.txt"
{
	echo "长文章汇编"
	i=1
	while [ $i -le 160 ]; do
		echo "第${i}部分"
		# the shared test document without its title and noise line, so that grep over
		# `dugao cat` sees exactly the paragraphs the search sees
		sed -e 1d -e '/禁止外传/d' "$doc"
		# hits that differ from part to part, and a word that overlaps itself
		[ $((i % 7)) -eq 0 ] && echo "第${i}部分附记：哈哈哈哈哈，读 长文章 要 有 耐心。"
		i=$((i + 1))
	done
} >"$big"
"$DUGAO" import "$big" >"$TMP/import.out" 2>"$TMP/import.err" || { echo "FAIL: import: $(cat "$TMP/import.err")"; exit 1; }
cp "$DUGAO_DB" "$TMP/pristine.db"
rows=$(sqlite3 "$DUGAO_DB" 'SELECT count(*) FROM search_rows' 2>/dev/null || echo "?")
echo "index rows: $rows"

# status QUERY KEYS: the message on the status line after the keys, from the top
status() {
	cp "$TMP/pristine.db" "$DUGAO_DB"
	NO_COLOR=1 "$DUGAO" read 1 --size 80x12 --script "g$2" 2>"$TMP/err" | tail -n 1 | sed 's/.*  ·  //'
}

# the reader's count of a one-word query: k/N at the first, the second-from-wrap and the
# last hit, all against the count from the index and from grep
for q in 长文章 文章 标记 读 2025 哈哈 耐心 附记 第15部分; do
	n=$("$DUGAO" search --count --doc 1 "$q")
	g=$("$DUGAO" cat 1 | grep -o -- "$q" | wc -l | tr -d ' ')
	expect_eq "$q: search --count equals grep" "$n" "$g"
	expect_eq "$q: / then k/N" "$(status "$q" "/$q<Enter>")" "/$q 1/$n"
	if [ "$n" -ge 4 ]; then
		expect_eq "$q: n n n" "$(status "$q" "/$q<Enter>nnn")" "/$q 4/$n"
	fi
	expect_eq "$q: ? from the top wraps to the last" "$(status "$q" "?$q<Enter>")" "/$q $n/$n"
	expect_eq "$q: N past the first wraps" "$(status "$q" "/$q<Enter>N")" "/$q $n/$n · from the bottom"
done

# a phrase with a space is read by the scan, not the index: the same counts
q="读 长文章"
n=$("$DUGAO" search --count --doc 1 "\"$q\"")
expect_eq "'$q' (scanned): k/N" "$(status "$q" "/$q<Enter>n")" "/$q 2/$n"
[ "$n" -gt 1 ] || fail "'$q': expected several hits, got $n"
finish
