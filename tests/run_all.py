#!/usr/bin/env python3
"""Run every test suite and print one closing line: "N passed, N failed".

Suites, in order:
  1. meson's unit, lint and fuzz tests (C unit tests, the error-catalogue
     check, lint, and each fuzz target replaying its corpus) on the normal
     build, counted one per meson test;
  2. the same tests on the AddressSanitizer/UBSan build;
  3. the end-to-end suite (tests/e2e, `node --test`) against the normal
     binary, counted one per node test;
  4. the end-to-end suite again against the sanitizer binary, so that every
     request path runs under ASan/UBSan, this time on a store file
     (SES_E2E_DB=file) where pass 3 keeps the store in memory, so that both
     stores' paths (a file store's read-only connections, its WAL writes) run;
  5. the fuzz smoke: tests/fuzz/run.sh --smoke builds build-fuzz with clang
     and runs each libFuzzer target for 10 s (FUZZ_SMOKE_SECONDS overrides),
     counted one per target; skipped when clang is missing.
Exit status is 0 only when nothing failed and something ran.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def meson_suite(build_dir, label):
    log = os.path.join(ROOT, build_dir, "meson-logs", "testlog.json")
    if os.path.exists(log):
        os.remove(log)
    print(f"== {label}: meson test -C {build_dir}", flush=True)
    subprocess.run(["meson", "test", "-C", build_dir, "--no-rebuild", "--print-errorlogs",
                    "--suite", "unit", "--suite", "lint", "--suite", "fuzz"], cwd=ROOT)
    passed = failed = 0
    if os.path.exists(log):
        for line in open(log, encoding="utf-8"):
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL", "SKIP"):
                passed += result != "SKIP"
            else:
                failed += 1
    else:
        failed += 1
    return passed, failed


def node_suite(binary, label, store="memory"):
    env = dict(os.environ, SES_EMULATOR_BIN=os.path.join(ROOT, binary), SES_E2E_DB=store)
    env.pop("http_proxy", None)
    env.pop("HTTP_PROXY", None)
    reports = None
    if "asan" in binary:
        # Reports go to files, so that one written by an emulator whose exit
        # status no test looks at (a report at shutdown) still fails the run.
        reports = tempfile.mkdtemp(prefix="ses-sanitizer-")
        env["ASAN_OPTIONS"] = f"detect_leaks=1:abort_on_error=0:exitcode=86:log_path={reports}/asan"
        env["UBSAN_OPTIONS"] = f"print_stacktrace=1:halt_on_error=1:log_path={reports}/ubsan"
    print(f"== {label}: node --test (SES_EMULATOR_BIN={binary}, SES_E2E_DB={store})", flush=True)
    proc = subprocess.run(["node", "--test", "--test-reporter=tap"], cwd=os.path.join(ROOT, "tests", "e2e"),
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout
    # show failures and the summary, not every passing line
    for line in out.splitlines():
        if line.lstrip().startswith("not ok") or re.match(r"# (tests|pass|fail) ", line):
            print(line)
    passed = int(m.group(1)) if (m := re.search(r"^# pass (\d+)", out, re.M)) else 0
    failed = int(m.group(1)) if (m := re.search(r"^# fail (\d+)", out, re.M)) else 0
    if passed + failed == 0 or (proc.returncode != 0 and failed == 0):
        failed += 1
    if reports:
        found = sorted(os.listdir(reports))
        for name in found:
            print(f"sanitizer report {name}:")
            print("".join(open(os.path.join(reports, name), errors="replace").readlines()[:20]))
        failed += len(found)
        shutil.rmtree(reports, ignore_errors=True)
    return passed, failed


def fuzz_smoke():
    script = os.path.join(ROOT, "tests", "fuzz", "run.sh")
    if subprocess.run(["sh", "-c", "command -v clang"], stdout=subprocess.DEVNULL).returncode != 0:
        print("== fuzz smoke: skipped (clang is not installed)")
        return 0, 0
    seconds = os.environ.get("FUZZ_SMOKE_SECONDS")
    print(f"== fuzz smoke: {os.path.relpath(script, ROOT)} {seconds or '--smoke'}", flush=True)
    proc = subprocess.run([script, seconds or "--smoke"], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    print(proc.stdout, end="")
    passed = len(re.findall(r"^fuzz \S+: ok", proc.stdout, re.M))
    failed = len(re.findall(r"^fuzz \S+: FAILED", proc.stdout, re.M))
    if proc.returncode != 0 and failed == 0:
        failed = 1
    return passed, failed


def main():
    totals = [0, 0]
    for result in (meson_suite("build", "unit"), meson_suite("build-asan", "unit (asan+ubsan)"),
                   node_suite("build/ses-emulator", "e2e"),
                   node_suite("build-asan/ses-emulator", "e2e (asan+ubsan, store file)", store="file"),
                   fuzz_smoke()):
        totals[0] += result[0]
        totals[1] += result[1]
    print(f"{totals[0]} passed, {totals[1]} failed")
    return 0 if totals[1] == 0 and totals[0] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
