#!/usr/bin/env bash
# Run the libFuzzer targets of tests/fuzz/ for a bounded time each.
#
#   tests/fuzz/run.sh                 # every target, 30 s each
#   tests/fuzz/run.sh 600 api mime    # the named targets, 10 minutes each
#   tests/fuzz/run.sh --smoke         # every target, 10 s each (CI, tests/run_all.py)
#
# Builds build-fuzz/ once with clang (-Dfuzzing_engine=libfuzzer, ASan and
# UBSan), then runs each target on a working corpus in build-fuzz/corpus/
# seeded from tests/fuzz/corpus/<target>/ (the repository's corpus is only
# read). Prints one line per target, "fuzz <target>: ok (N runs)" or
# "fuzz <target>: FAILED", and exits 1 when any target found a crash, a
# leak, undefined behaviour, a timeout (10 s per input) or an out-of-memory
# (2 GB). A failing input is kept in build-fuzz/artifacts/<target>/; make it
# a regression test by copying it to tests/fuzz/corpus/<target>/crash-<what>
# and fixing the bug (the default build replays it: meson test --suite fuzz).
#
# Environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_JOBS (targets
# run at once, default 1).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=30
targets=()
for arg in "$@"; do
	case $arg in
	--smoke) seconds=10 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//;$d'
		exit 0
		;;
	*[!0-9]*) targets+=("$arg") ;;
	*) seconds=$arg ;;
	esac
done
if [ "${#targets[@]}" -eq 0 ]; then
	mapfile -t targets < <(sed -n "s/^fuzz_targets = \[\(.*\)\]/\1/p" "$root/tests/fuzz/meson.build" | tr -d "' " | tr ',' '\n')
fi
command -v clang >/dev/null || { echo "fuzz: clang is not installed (apt-get install clang)" >&2; exit 2; }

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$root" -Dfuzzing_engine=libfuzzer -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debugoptimized >"${TMPDIR:-/tmp}/ses-fuzz-setup.log" 2>&1 ||
		{ cat "${TMPDIR:-/tmp}/ses-fuzz-setup.log" >&2; exit 2; }
fi
exes=()
for t in "${targets[@]}"; do exes+=("tests/fuzz/fuzz_$t"); done
ninja -C "$build" "${exes[@]}" >/dev/null || { ninja -C "$build" "${exes[@]}" >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_target() {
	local t=$1 work="$build/corpus/$1" artifacts="$build/artifacts/$1/" log="$build/fuzz-$1.log"
	mkdir -p "$work" "$artifacts"
	local dict=()
	[ -f "$root/tests/fuzz/dict/$t.dict" ] && dict=(-dict="$root/tests/fuzz/dict/$t.dict")
	if "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -artifact_prefix="$artifacts" -print_final_stats=1 "${dict[@]}" \
		"$work" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1; then
		echo "fuzz $t: ok ($(sed -n 's/^stat::number_of_executed_units: *//p' "$log") runs in ${seconds} s)"
	else
		echo "fuzz $t: FAILED (log: $log; input: $(ls -t "$artifacts" | head -1 | sed "s|^|$artifacts|"))"
		grep -m1 -E "ERROR: |runtime error|Assertion|SUMMARY" "$log" | sed 's/^/    /'
		return 1
	fi
}

jobs=${FUZZ_JOBS:-1}
status=0
pids=()
for t in "${targets[@]}"; do
	run_target "$t" &
	pids+=($!)
	if [ "${#pids[@]}" -ge "$jobs" ]; then
		wait "${pids[0]}" || status=1
		pids=("${pids[@]:1}")
	fi
done
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
