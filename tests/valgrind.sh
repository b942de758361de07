#!/usr/bin/env bash
# Run a representative part of the end-to-end suite against the binary under
# valgrind memcheck, and report every memory error and leak it found.
#
#   tests/valgrind.sh                  # the default selection below
#   tests/valgrind.sh send.test.js     # the named e2e files instead
#
# Every emulator the tests start runs as
#   valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
#            --error-exitcode=99 build/ses-emulator ...
# through a wrapper named by SES_EMULATOR_BIN, with one log per process in
# build/valgrind/. Tests that measure time or open thousands of connections
# are left out (valgrind makes the binary 20-50 times slower); the hostile
# tests of JSON, bytes, mail and signatures run. Exit status 0 only when the
# tests passed and no log has an error or a definite/indirect leak.
# Needs valgrind (apt-get install valgrind) and a built build/ses-emulator.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SES_EMULATOR_BIN_UNDER_TEST:-$root/build/ses-emulator}
logs=$root/build/valgrind
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }
[ -x "$bin" ] || { echo "valgrind.sh: $bin not built (ninja -C build)" >&2; exit 2; }

rm -rf "$logs"
mkdir -p "$logs"
wrapper=$logs/ses-emulator-valgrind
cat >"$wrapper" <<WRAP
#!/bin/sh
exec valgrind --quiet --soname-synonyms=somalloc=libjemalloc.so* --leak-check=full --show-leak-kinds=definite,indirect \\
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-origins=yes \\
	--log-file="$logs/vg.%p.log" "$bin" "\$@"
WRAP
chmod +x "$wrapper"

files=("$@")
if [ "${#files[@]}" -eq 0 ]; then
	files=(protocol.test.js identity.test.js address.test.js template.test.js receiver.test.js
		send.test.js accounts.test.js control.test.js stats.test.js)
	hostile='truncated|deeply|out of range|wrong types|UTF-8|NUL bytes|header injection|attachment names|HTML and script|replayed|future|another account'
fi

cd "$root/tests/e2e" || exit 2
export SES_EMULATOR_BIN=$wrapper SES_EMULATOR_TIMEOUT_SCALE=6
status=0
echo "== valgrind: node --test ${files[*]}"
node --test --test-reporter=tap --test-concurrency=2 "${files[@]}" >"$logs/tap.txt" 2>&1 || status=1
if [ -n "${hostile:-}" ]; then
	echo "== valgrind: node --test hostile.test.js (--test-name-pattern: JSON, bytes, mail, signatures)"
	node --test --test-reporter=tap --test-name-pattern="$hostile" hostile.test.js >>"$logs/tap.txt" 2>&1 || status=1
fi
grep -E '^not ok|^# (pass|fail) ' "$logs/tap.txt"

processes=$(ls "$logs"/vg.*.log 2>/dev/null | wc -l)
bad=0
for log in "$logs"/vg.*.log; do
	# --quiet: a clean process writes nothing; anything (an error, a leak, a
	# fatal signal) is a finding
	[ -s "$log" ] || continue
	bad=$((bad + 1))
	echo "---- $log"
	sed -n '1,60p' "$log"
done
echo "valgrind: $processes emulator processes, $bad with errors or leaks (logs: $logs)"
[ "$bad" -eq 0 ] && [ "$status" -eq 0 ]
