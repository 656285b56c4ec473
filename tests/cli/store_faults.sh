#!/bin/sh
# Store faults: an import killed with SIGKILL midway, readers during an import, two
# imports at once, a full disk, and libraries that are damaged, not SQLite, someone
# else's SQLite, read-only, or made by a newer dugao. Each ends in a clear one-line
# message or a sensible result, never a crash, and never changes what the library held.
# docs/reliability.md lists the cases.
. "$top_srcdir/tests/lib.sh"

if ! command -v sqlite3 >/dev/null 2>&1; then
	echo "SKIP: the sqlite3 command-line tool is absent (Debian: sqlite3)"
	exit 77
fi
mnt=""
cleanup() {
	[ -z "$mnt" ] || umount "$mnt" 2>/dev/null
	[ -n "${immutable:-}" ] && chattr -i "$immutable" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# Two small documents every case starts from.
cat >"$TMP/a.txt" <<'TEXT'
关于社区图书角建设的通知

一、建设目标
每个小区建成一个图书角。
二、工作要求
（一）按时完成。
（二）注重实效。
TEXT
cat >"$TMP/b.txt" <<'TEXT'
在读书分享会上的发言

同志们：
一是多读书。二是读好书。三是好读书。
TEXT
# A document big enough that importing it takes a while (about 22 MB, many sections:
# at 6 MB the import's write-ahead log grew for only some 50 ms, which a poll can miss).
{
	echo 一份很长的文件
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		echo "${i}．第${i}部分"
		yes "第${i}部分的正文，内容不断重复，用来让导入花一点时间。一是要读书。二是要思考。" | head -n 16000
	done
} >"$TMP/big.txt"

"$DUGAO" import "$TMP/a.txt" "$TMP/b.txt" >/dev/null 2>&1 || { fail "the two small documents do not import"; finish; }
cp "$DUGAO_DB" "$TMP/empty-copy.db" 2>/dev/null

# snapshot LIB: what the verbs print about the library
snapshot() {
	"$DUGAO" --db "$1" list --tsv
	for id in 1 2; do
		"$DUGAO" --db "$1" cat "$id"
		"$DUGAO" --db "$1" outline --tsv "$id"
	done
}
snapshot "$DUGAO_DB" >"$TMP/before"

# intact WHAT LIB: integrity_check ok and the library prints what it did at the start
intact() {
	expect_eq "$1: integrity_check" "$(sqlite3 "$2" 'PRAGMA integrity_check' 2>&1)" ok
	snapshot "$2" >"$TMP/after" 2>&1
	if cmp -s "$TMP/before" "$TMP/after"; then
		echo "ok: $1: the documents are as they were"
	else
		fail "$1: the library changed: $(diff "$TMP/before" "$TMP/after" | head -n 5)"
	fi
}

# one_line WHAT STATUS: the last command failed with a single 'dugao: ' line and no
# sanitizer report
one_line() {
	if grep -q -E 'Sanitizer|runtime error' "$TMP/err"; then
		fail "$1: sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$TMP/err")"
	elif [ "$2" -ne 1 ] || [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -q '^dugao: ' "$TMP/err"; then
		fail "$1: want status 1 and one 'dugao: ' line, got $2: $(head -c 300 "$TMP/err")"
	else
		echo "ok: $1: $(cat "$TMP/err")"
	fi
}

# --- SIGKILL in the middle of an import, and of an import --replace ---
# kill_midway LIB ARGS...: starts an import, kills it once the write-ahead log has grown;
# if the import ends first, puts LIB back as it was and tries again (three times)
kill_midway() {
	cp "$1" "$TMP/pre-kill.db"	# whole: no dugao has it open, so its log is checkpointed
	for try in 1 2 3; do
		kill_once "$@" && return 0
		echo "note: the import ended before it could be killed (try $try)"
		cp "$TMP/pre-kill.db" "$1"
		rm -f "$1-wal" "$1-shm"
	done
	fail "the import ended before it could be killed, three times"
}
kill_once() {
	lib=$1
	shift
	"$DUGAO" --db "$lib" import "$@" >/dev/null 2>&1 &
	pid=$!
	n=0
	while [ "$n" -lt 3000 ]; do
		[ "$(stat -c %s "$lib-wal" 2>/dev/null || echo 0)" -gt 200000 ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
		n=$((n + 1))
	done
	if kill -9 "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null
		echo "ok: import killed midway (log at $(stat -c %s "$lib-wal" 2>/dev/null) bytes)"
	else
		wait "$pid"
		return 1
	fi
}
kill_midway "$DUGAO_DB" "$TMP/big.txt"
intact "SIGKILL during import" "$DUGAO_DB"
expect_eq "SIGKILL during import: no third document" "$("$DUGAO" list --tsv | wc -l)" 2
expect_status "an import after the crash" 0 "$DUGAO" import "$TMP/big.txt"
big=$(cut -f1 "$TMP/out")
"$DUGAO" cat "$big" | sha256sum >"$TMP/big.sum"
"$DUGAO" list --tsv >"$TMP/list3"
kill_midway "$DUGAO_DB" --replace "$TMP/big.txt"
expect_eq "SIGKILL during --replace: integrity_check" "$(sqlite3 "$DUGAO_DB" 'PRAGMA integrity_check')" ok
"$DUGAO" list --tsv | cmp -s - "$TMP/list3" && echo "ok: SIGKILL during --replace: list unchanged" || fail "SIGKILL during --replace changed the list"
"$DUGAO" cat "$big" | sha256sum | cmp -s - "$TMP/big.sum" && echo "ok: SIGKILL during --replace: the old text is whole" || fail "SIGKILL during --replace damaged the document"
"$DUGAO" rm "$big" >/dev/null 2>&1
intact "after rm of the big document" "$DUGAO_DB"

# --- readers while another process imports ---
"$DUGAO" cat 1 >"$TMP/cat1"
"$DUGAO" read 1 --size 80x24 --script 'G' >"$TMP/screen1" 2>"$TMP/err" || fail "read --script: $(cat "$TMP/err")"
"$DUGAO" import "$TMP/big.txt" >"$TMP/import.out" 2>"$TMP/import.err" &
importer=$!
reads=0
bad=0
while kill -0 "$importer" 2>/dev/null; do
	"$DUGAO" cat 1 2>"$TMP/err" | cmp -s - "$TMP/cat1" || { bad=$((bad + 1)); echo "cat during import: $(cat "$TMP/err")"; }
	"$DUGAO" read 1 --size 80x24 --script 'G' >"$TMP/screen" 2>"$TMP/err"
	cmp -s "$TMP/screen" "$TMP/screen1" ||
		{ bad=$((bad + 1)); echo "read during import: $(cat "$TMP/err")"; diff "$TMP/screen1" "$TMP/screen" | head -n 10; }
	"$DUGAO" list --tsv >/dev/null 2>"$TMP/err" || { bad=$((bad + 1)); echo "list during import: $(cat "$TMP/err")"; }
	reads=$((reads + 1))
done
wait "$importer"
expect_eq "the concurrent import" "$?" 0
expect_eq "cat, read and list during an import (after $reads rounds): failures" "$bad" 0
new=$(cut -f1 "$TMP/import.out")
"$DUGAO" read "$new" --size 80x24 --script '' >"$TMP/screen" 2>&1
grep -q '一份很长的文件' "$TMP/screen" && echo "ok: a new reader sees the new document" || fail "the new document is not readable: $(head -n 3 "$TMP/screen")"
"$DUGAO" rm "$new" >/dev/null 2>&1

# --- two imports at once: both land, or one waits and says the library is busy ---
cp "$TMP/big.txt" "$TMP/big2.txt"
echo 另一份 >>"$TMP/big2.txt"
"$DUGAO" import "$TMP/big.txt" >/dev/null 2>"$TMP/err1" &
p1=$!
"$DUGAO" import "$TMP/big2.txt" >/dev/null 2>"$TMP/err2"
s2=$?
wait "$p1"
s1=$?
for i in 1 2; do
	eval "s=\$s$i"
	if [ "$s" -eq 0 ] || { [ "$s" -eq 1 ] && grep -q 'busy' "$TMP/err$i"; }; then
		echo "ok: concurrent import $i: status $s $(cat "$TMP/err$i")"
	else
		fail "concurrent import $i: status $s: $(cat "$TMP/err$i")"
	fi
done
expect_eq "two imports at once: integrity_check" "$(sqlite3 "$DUGAO_DB" 'PRAGMA integrity_check')" ok
for id in $("$DUGAO" list --tsv | cut -f1 | tail -n +3); do "$DUGAO" rm "$id" >/dev/null; done
intact "after two imports at once" "$DUGAO_DB"

# --- every verb on a library it must not touch: a clear line, the file unchanged ---
# refuses WHAT LIB: each verb ends with status 1 and one line; the file's bytes stay
refuses() {
	sum=$(sha256sum <"$2")
	for verb in "list" "cat 1" "outline 1" "terms 1" "search 读书" "export 1" "rm 2" \
		"import $TMP/big2.txt" "read 1 --size 80x24 --script G"; do
		# shellcheck disable=SC2086
		timeout 60 "$DUGAO" --db "$2" $verb >/dev/null 2>"$TMP/err"
		one_line "$1: $verb" $?
	done
	expect_eq "$1: the file is unchanged" "$(sha256sum <"$2")" "$sum"
}
sqlite3 "$DUGAO_DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
mkdir "$TMP/bad"

printf 'This is a note, not a library.\n' >"$TMP/bad/text.db"
refuses "a text file at the library path" "$TMP/bad/text.db"
head -c 70000 /dev/urandom >"$TMP/bad/random.db"
refuses "random bytes at the library path" "$TMP/bad/random.db"
sqlite3 "$TMP/bad/foreign.db" 'CREATE TABLE notes(x); INSERT INTO notes VALUES (1);'
refuses "someone else's SQLite database" "$TMP/bad/foreign.db"
cp "$DUGAO_DB" "$TMP/bad/newer.db"
sqlite3 "$TMP/bad/newer.db" 'PRAGMA user_version = 999'
refuses "a library from a newer dugao" "$TMP/bad/newer.db"
cp "$DUGAO_DB" "$TMP/bad/header.db"
printf 'garbage in the header of the file!' | dd of="$TMP/bad/header.db" bs=1 seek=20 conv=notrunc 2>/dev/null
refuses "a library with a damaged header" "$TMP/bad/header.db"
# pages damaged further in: the verbs that touch them say so, the others work
cp "$DUGAO_DB" "$TMP/bad/pages.db"
pages=$(($(stat -c %s "$TMP/bad/pages.db") / 4096))
head -c $((4096 * (pages - 2))) /dev/urandom | dd of="$TMP/bad/pages.db" bs=4096 seek=2 conv=notrunc 2>/dev/null
sum=$(sha256sum <"$TMP/bad/pages.db")
for verb in "list" "cat 1" "outline 2" "search 读书" "read 1 --size 80x24 --script G" "import $TMP/big2.txt"; do
	# shellcheck disable=SC2086
	timeout 60 "$DUGAO" --db "$TMP/bad/pages.db" $verb >/dev/null 2>"$TMP/err"
	st=$?
	if [ "$st" -eq 0 ]; then echo "ok: damaged pages: $verb works"; else one_line "damaged pages: $verb" "$st"; fi
done
[ "$(sha256sum <"$TMP/bad/pages.db")" = "$sum" ] && echo "ok: damaged pages: file unchanged" ||
	echo "note: damaged pages: an import wrote to a damaged library (integrity_check says: $(sqlite3 "$TMP/bad/pages.db" 'PRAGMA integrity_check' 2>&1 | head -n 1))"
# a row of paragraphs SQLite reads whole but dugao cannot unpack (written by something else)
cp "$DUGAO_DB" "$TMP/bad/blocks.db"
sqlite3 "$TMP/bad/blocks.db" "UPDATE para_blocks SET data = X'04ff' WHERE id = 1 << 32"
for verb in "cat 1" "export --format json 1" "search 图书角"; do
	# shellcheck disable=SC2086
	timeout 60 "$DUGAO" --db "$TMP/bad/blocks.db" $verb >/dev/null 2>"$TMP/err"
	one_line "damaged paragraphs: $verb" $?
	grep -q 'damaged paragraphs (document 1, paragraph 0)' "$TMP/err" || fail "damaged paragraphs: $verb does not say where"
done
mkdir "$TMP/bad/dir.db"
timeout 60 "$DUGAO" --db "$TMP/bad/dir.db" list >/dev/null 2>"$TMP/err"
one_line "a directory at the library path" $?

# --- a read-only library ---
cp "$DUGAO_DB" "$TMP/bad/immutable.db"
if chattr +i "$TMP/bad/immutable.db" 2>/dev/null; then
	immutable="$TMP/bad/immutable.db"
	sum=$(sha256sum <"$immutable")
	for verb in "import $TMP/big2.txt" "rm 1"; do
		# shellcheck disable=SC2086
		timeout 60 "$DUGAO" --db "$immutable" $verb >/dev/null 2>"$TMP/err"
		one_line "an immutable library file (chattr +i): $verb" $?
		grep -q 'read-only' "$TMP/err" || fail "immutable: the message does not say read-only"
	done
	expect_status "an immutable library can be listed" 0 "$DUGAO" --db "$immutable" list
	expect_eq "immutable: the file is unchanged" "$(sha256sum <"$immutable")" "$sum"
	chattr -i "$immutable"
	immutable=""
else
	echo "note: chattr +i is not possible here; immutable file not tried"
fi
# As another user (root ignores file modes): a library in a directory it cannot write.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$DUGAO" --version >/dev/null 2>&1; then
	mkdir "$TMP/ro"
	cp "$DUGAO_DB" "$TMP/ro/lib.db"
	chmod 755 "$TMP" "$TMP/ro"
	chmod 644 "$TMP/ro/lib.db"
	sum=$(sha256sum <"$TMP/ro/lib.db")
	for verb in "import $TMP/a.txt" "rm 1" "list"; do
		# shellcheck disable=SC2086
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$DUGAO" --db "$TMP/ro/lib.db" $verb >/dev/null 2>"$TMP/err"
		st=$?
		# reading may work or not: SQLite's WAL needs a -shm file it cannot create here
		if [ "$verb" = list ] && [ "$st" -eq 0 ]; then echo "ok: another user can list it"; else one_line "a library another user owns: $verb" "$st"; fi
	done
	expect_eq "another user's library is unchanged" "$(sha256sum <"$TMP/ro/lib.db")" "$sum"
	chmod 700 "$TMP"
else
	echo "note: cannot run as another user here; the read-only library is tried with chattr only"
fi

# --- a full disk ---
mkdir "$TMP/mnt"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m tmpfs "$TMP/mnt" 2>/dev/null; then
	mnt="$TMP/mnt"
	"$DUGAO" --db "$mnt/lib.db" import "$TMP/a.txt" "$TMP/b.txt" >/dev/null 2>&1
	sqlite3 "$mnt/lib.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
	sum=$(sha256sum <"$mnt/lib.db")
	timeout 60 "$DUGAO" --db "$mnt/lib.db" import "$TMP/big.txt" >/dev/null 2>"$TMP/err"
	one_line "a full disk" $?
	grep -q 'full' "$TMP/err" || fail "full disk: the message does not say full"
	expect_eq "full disk: the library file is unchanged" "$(sha256sum <"$mnt/lib.db")" "$sum"
	intact "full disk" "$mnt/lib.db"
	expect_status "full disk: a small import still fits afterwards" 0 "$DUGAO" --db "$mnt/lib.db" import "$TMP/b.txt"
	umount "$mnt"
	mnt=""
else
	echo "note: cannot mount a small tmpfs here (not root, or no permission); full disk not tried"
fi

intact "at the end" "$DUGAO_DB"
finish
