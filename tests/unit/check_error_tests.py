#!/usr/bin/env python3
"""Every documented error code has an end-to-end test that triggers it.

A code counts as tested when some tests/e2e/*.test.js file names it in a
test title: test("<Code>: ..." or test(`<Code> ...`. Codes with no realistic
local trigger are listed in tests/e2e/faults.test.js's FAULT_ONLY array,
whose test injects each one and checks that the SDK receives it.

Usage: check_error_tests.py REPO_ROOT
"""
import json
import os
import re
import sys


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    codes = [e["code"] for e in json.load(open(os.path.join(root, "server/api/errors.json"), encoding="utf-8"))]
    e2e = os.path.join(root, "tests/e2e")
    titles = []
    fault_only = set()
    for name in sorted(os.listdir(e2e)):
        if not name.endswith(".test.js"):
            continue
        text = open(os.path.join(e2e, name), encoding="utf-8").read()
        titles += re.findall(r"""\btest\(\s*["'`]([^"'`]+)["'`]""", text)
        m = re.search(r"const FAULT_ONLY = \[([^\]]*)\]", text)
        if m:
            fault_only |= set(re.findall(r'"([A-Za-z.]+)"', m.group(1)))
    missing = []
    for code in codes:
        pattern = re.compile(r"(^|[\s(])" + re.escape(code) + r"($|[\s:,)])")
        if code in fault_only or any(pattern.search(t) for t in titles):
            continue
        missing.append(code)
    unknown = sorted(fault_only - set(codes))
    for code in missing:
        print("FAIL  no test triggers %s (name it in a test title, or list it in FAULT_ONLY)" % code)
    for code in unknown:
        print("FAIL  FAULT_ONLY lists %s, which is not in the catalogue" % code)
    print("%d codes, %d with a named test, %d through fault injection, %d missing" %
          (len(codes), len(codes) - len(missing) - len(fault_only & set(codes)), len(fault_only & set(codes)),
           len(missing)))
    return 1 if missing or unknown else 0


if __name__ == "__main__":
    sys.exit(main())
