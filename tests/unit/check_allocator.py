#!/usr/bin/env python3
"""Focus: the ses-emulator binary runs on the allocator its build chose (meson option
`allocator`, system with sanitizers; docs/performance.md, fourth round).

Fails when `ses-emulator --version` does not name that allocator, or when the binary names
jemalloc without it bound: with jemalloc the dynamic linker must bind malloc and free of the
binary and of its libraries (SQLite, libmicrohttpd, cJSON, OpenSSL) to libjemalloc
(LD_DEBUG=bindings), else a link-order change would quietly bring glibc's malloc back.

Usage: check_allocator.py BINARY ALLOCATOR
"""

import os
import re
import subprocess
import sys


def main(argv):
    binary, allocator = argv[1], argv[2]
    out = subprocess.run([binary, '--version'], capture_output=True, text=True, check=True).stdout
    want = r'jemalloc \d+\.\d+\.\d+' if allocator == 'jemalloc' else r'system malloc'
    if not re.search(r'\(SES API 2020-10-02; ' + want + r'\)$', out.strip()):
        print(f'--version does not name the {allocator} allocator: {out.strip()!r}')
        return 1
    if allocator != 'jemalloc':
        return 0
    env = dict(os.environ, LD_DEBUG='bindings')
    trace = subprocess.run([binary, '--version'], capture_output=True, text=True, env=env).stderr
    problems = []
    for lib in ('libsqlite3', 'libmicrohttpd', 'libcjson', 'libcrypto'):
        for symbol in ('malloc', 'free'):
            pattern = r'binding file \S*' + lib + r'\S* \[0\] to (\S+) \[0\]: normal symbol `' + symbol + "'"
            targets = set(re.findall(pattern, trace))
            if not targets or any('libjemalloc' not in t for t in targets):
                problems.append(f'{lib} {symbol} -> {sorted(targets) or "not bound at start"}')
    for p in problems:
        print('not bound to jemalloc:', p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
