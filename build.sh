#!/bin/sh
# Set-up and build for dugao on a Debian machine; installs missing packages itself.
#   ./build.sh demo    build, import the bundled samples into a demo library, open it
#   ./build.sh test    build, run every test (plain and sanitizer builds), print totals
#   ./build.sh build   build only (build/normal/dugao)
#   ./build.sh deps    install the packages the build and the tests need
set -eu
cd "$(dirname "$0")"
top=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

packages="build-essential autoconf automake pkg-config libsqlite3-dev libncurses-dev
libunistring-dev python3 sqlite3 tmux unicode-data clang libclang-rt-dev valgrind"

deps() {
	missing=""
	for p in $packages; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	# clang's runtime package name carries the version on Debian 12.
	echo "build.sh: installing$missing" >&2
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq || true
	for p in $missing; do
		name=$p
		if [ "$p" = libclang-rt-dev ] && ! apt-cache show libclang-rt-dev >/dev/null 2>&1; then
			name=$(apt-cache pkgnames libclang-rt- 2>/dev/null | grep -E '^libclang-rt-[0-9]+-dev$' | sort -V | tail -n 1)
			[ -n "$name" ] || continue
		fi
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$name" >/dev/null ||
			echo "build.sh: could not install $name; tests that need it will skip" >&2
	done
}

bootstrap() {
	if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
		autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
	fi
}

# build DIR [CONFIGURE-ARGS...]
build() {
	dir=$1
	shift
	mkdir -p "$dir"
	(cd "$dir" && { [ -f Makefile ] || "$top/configure" -q "$@"; } && make -s -j"$jobs")
}

# check DIR [MAKE-ARGS...]: runs make check there; the counting is done by totals.
check() {
	dir=$1
	shift
	(cd "$dir" && make -s -j"$jobs" check "$@" >check.out 2>&1) || true
	grep -E '^(PASS|FAIL|SKIP|ERROR|XFAIL|XPASS):' "$dir/check.out" | sed "s|^|  [$(basename "$dir")] |"
}

totals() {
	passed=0 failed=0 skipped=0
	for d in "$@"; do
		for r in $(find "$d/tests" -name '*.trs' -exec sed -n 's/^:test-result: //p' {} +); do
			case $r in
			PASS | XFAIL) passed=$((passed + 1)) ;;
			SKIP) skipped=$((skipped + 1)) ;;
			*) failed=$((failed + 1)) ;;
			esac
		done
		# A build that failed before its tests ran counts as one failure.
		[ -f "$d/dugao" ] || failed=$((failed + 1))
	done
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}

case ${1:-} in
deps)
	deps
	;;
build)
	deps
	bootstrap
	build build/normal
	echo "built build/normal/dugao"
	;;
test)
	deps
	bootstrap
	build build/normal || true
	build build/asan --enable-sanitizers || true
	# The fuzz build runs only the bounded libFuzzer runs (tests/fuzz/run.sh), where
	# clang has libFuzzer; configure says so, and a failure to configure skips it.
	fuzz=""
	if command -v clang >/dev/null 2>&1; then
		if [ -f build/fuzz/Makefile ] ||
			(mkdir -p build/fuzz && cd build/fuzz && "$top/configure" -q --enable-fuzzing CC=clang >/dev/null 2>&1); then
			fuzz=build/fuzz
			build build/fuzz || true
		else
			echo "build.sh: clang cannot build libFuzzer targets here: fuzzing skipped" >&2
		fi
	fi
	# The sanitizer run shares the machine's two cores, so the two runs go one after the other.
	check build/normal
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 check build/asan
	[ -z "$fuzz" ] || check build/fuzz TESTS=tests/fuzz/run.sh
	for d in build/normal build/asan $fuzz; do
		grep -l -E '^(FAIL|ERROR)' "$d"/tests/*/*.log 2>/dev/null | while read -r log; do
			echo "--- $log"
			tail -n 30 "$log"
		done
	done
	totals build/normal build/asan $fuzz
	;;
demo)
	deps
	bootstrap
	build build/normal
	export DUGAO_DB="$top/build/demo.db"
	rm -f "$DUGAO_DB" "$DUGAO_DB-wal" "$DUGAO_DB-shm"
	build/normal/dugao import samples/*
	if [ -t 0 ] && [ -t 1 ]; then
		echo "Opening the reader on the demo library ($DUGAO_DB): H for help, L for the list, q to quit."
		sleep 1
		exec build/normal/dugao read
	fi
	# No terminal: show what the library knows instead.
	for id in $(build/normal/dugao list --tsv | cut -f1); do
		echo
		build/normal/dugao outline "$id"
	done
	;;
*)
	echo "usage: ./build.sh demo | test | build | deps" >&2
	exit 2
	;;
esac
