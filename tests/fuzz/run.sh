#!/bin/sh
# Bounded libFuzzer runs of every fuzz target (docs/reliability.md).
#   tests/fuzz/run.sh [SECONDS]     in a build configured with --enable-fuzzing CC=clang
# SECONDS per target: the argument, else $FUZZ_SECONDS, else 20 (what `./build.sh test`
# runs). For a longer hunt: `cd build/fuzz && ../../tests/fuzz/run.sh 600`.
# Each target starts from tests/fuzz/corpus, tests/fuzz/regress and samples/, and keeps
# what it learns in tests/fuzz/work/TARGET of the build directory. A crash, leak, hang
# or broken invariant fails the run and leaves the input in tests/fuzz/artifacts/;
# copy it to tests/fuzz/regress/ so every build replays it from then on.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-.}
secs=${1:-${FUZZ_SECONDS:-20}}
out=$top_builddir/tests/fuzz
targets=""
for t in "$out"/fuzz_*; do
	[ -x "$t" ] && [ -f "$t" ] && targets="$targets $t"
done
if [ -z "$targets" ]; then
	echo "SKIP: no fuzz targets here (configure --enable-fuzzing CC=clang builds them)"
	exit 77
fi
failed=0
mkdir -p "$out/artifacts"
for t in $targets; do
	name=$(basename "$t")
	work=$out/work/$name
	mkdir -p "$work"
	log=$out/$name.fuzz.log
	# -timeout: one input taking longer than that is a hang; -rss_limit_mb: memory
	# must stay bounded whatever the input.
	"$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
		-print_final_stats=1 -artifact_prefix="$out/artifacts/$name-" \
		"$work" "$top_srcdir/tests/fuzz/corpus" "$top_srcdir/tests/fuzz/regress" "$top_srcdir/samples" \
		>"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "ok: $name: ${runs:-?} inputs in ${secs}s, $cov"
	else
		failed=$((failed + 1))
		echo "FAIL: $name (exit $rc); its log follows"
		# the sanitizer's verdict and the frames in dugao's own code
		src=$(cd "$top_srcdir" && pwd)
		grep -E 'ERROR:|runtime error|invariant broken|SUMMARY|Test unit written|^ *#[0-9]+ .* in .*'"$src" "$log" |
			grep -v -E 'libFuzzer: deadly signal$' | head -n 30
		echo "replay with: $t ARTIFACT; keep it with: cp ARTIFACT $top_srcdir/tests/fuzz/regress/"
	fi
done
[ "$failed" -eq 0 ]
