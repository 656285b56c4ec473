# Shared by the shell tests: sourced, never run. Each test is a script that exits 0
# (pass), 1 (fail) or 77 (skip, with the reason on stdout).
set -u
: "${DUGAO:?run the tests through make check}"
: "${top_srcdir:?run the tests through make check}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/dugao-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export DUGAO_DB="$TMP/library.db"
export XDG_CONFIG_HOME="$TMP/config"
export LC_ALL=C.UTF-8
# In a sanitizer build, an error report ends dugao with status 86, which no test expects,
# so a test that only checks for a refusal (status 1) cannot mistake a report for one.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=86"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=86"
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then echo "ok: $1"; else fail "$1: got '$2', want '$3'"; fi
}

# expect_status WHAT WANT CMD...: runs CMD and compares its exit status.
expect_status() {
	what=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	expect_eq "$what (exit status)" "$got" "$want"
}

need_shared() {
	if [ ! -d "$DUGAO_SHARED/corpus/seeds" ]; then
		echo "SKIP: $DUGAO_SHARED is absent (a user's own clone): this test needs ../shared"
		exit 77
	fi
}

finish() {
	if [ "$failures" -gt 0 ]; then
		echo "$failures failure(s)"
		exit 1
	fi
	exit 0
}
