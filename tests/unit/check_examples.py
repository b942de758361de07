#!/usr/bin/env python3
"""Focus: the SDK example programs in docs/examples are well formed and shown as they are.

For each example file, by its extension, with what this machine has:
  .py    compiled by this Python (compile(), nothing written);
  .js    `node --check`;
  .sh    `bash -n`;
  .php   `php -l`;
  .go    `gofmt -e` (a parse: the SDK modules are not fetched);
  .java  `javac` against tests/unit/java_stubs (the SDK's signatures only, see its README).
A tool that is missing makes its files "not checked" (printed), never a failure.
Whether they run: the Node examples and curl-tc3.sh are run against the binary by
tests/e2e/quickstart.test.js.

Also fails when docs/sdks.md does not show an example file verbatim: each
"<!-- example: docs/examples/NAME -->" marker must be followed by a fenced block whose
text equals the file, and every file of docs/examples must have such a marker.

Usage: check_examples.py REPO_ROOT
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

MARKER = re.compile(r'^<!-- example: (docs/examples/\S+) -->\s*$')


def example_files(root):
    base = os.path.join(root, 'docs', 'examples')
    out = []
    for dirpath, _dirs, files in os.walk(base):
        for name in files:
            if not name.endswith(('.md',)):
                out.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(out)


def run(cmd, **kw):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    return proc.returncode, proc.stdout.decode('utf-8', 'replace').strip()


def check_java(root, path):
    stubs = os.path.join(root, 'tests', 'unit', 'java_stubs')
    with tempfile.TemporaryDirectory() as out:
        return run(['javac', '-Xlint:none', '-d', out, '-sourcepath', stubs, path])


CHECKERS = {
    '.js': ('node', lambda root, p: run(['node', '--check', p])),
    '.sh': ('bash', lambda root, p: run(['bash', '-n', p])),
    '.php': ('php', lambda root, p: run(['php', '-l', p])),
    '.go': ('gofmt', lambda root, p: run(['gofmt', '-e', '-l', p])),
    '.java': ('javac', check_java),
}


def check_syntax(root, rel):
    path = os.path.join(root, rel)
    ext = os.path.splitext(rel)[1]
    if ext == '.py':
        with open(path, encoding='utf-8') as fp:
            try:
                compile(fp.read(), rel, 'exec')
            except SyntaxError as exc:
                return 'fail', str(exc)
        return 'ok', 'python %d.%d compile()' % sys.version_info[:2]
    if ext not in CHECKERS:
        return 'fail', 'no checker for %s files' % ext
    tool, checker = CHECKERS[ext]
    if not shutil.which(tool):
        return 'skip', '%s not installed' % tool
    code, out = checker(root, path)
    return ('ok', tool) if code == 0 else ('fail', out[:2000])


def blocks_after_markers(text):
    """{example path: fenced block text} for each marker."""
    lines = text.split('\n')
    found = {}
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        i += 1
        if not m:
            continue
        while i < len(lines) and not lines[i].startswith('```'):
            i += 1
        start = i + 1
        end = start
        while end < len(lines) and lines[end] != '```':
            end += 1
        found[m.group(1)] = '\n'.join(lines[start:end]) + '\n'
        i = end + 1
    return found


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    problems = []
    files = example_files(root)
    if not files:
        problems.append('docs/examples has no example')
    for rel in files:
        state, detail = check_syntax(root, rel)
        if state == 'fail':
            problems.append('%s: %s' % (rel, detail))
        else:
            print('%s %s (%s)' % ('checked' if state == 'ok' else 'not checked:', rel, detail))
    with open(os.path.join(root, 'docs', 'sdks.md'), encoding='utf-8') as fp:
        shown = blocks_after_markers(fp.read())
    for rel in files:
        if rel not in shown:
            problems.append('docs/sdks.md does not show %s (add "<!-- example: %s -->" and the file '
                            'in a fenced block)' % (rel, rel))
            continue
        with open(os.path.join(root, rel), encoding='utf-8') as fp:
            if fp.read() != shown[rel]:
                problems.append('docs/sdks.md shows a different %s than the file: copy the file in'
                                % rel)
    for rel in sorted(set(shown) - set(files)):
        problems.append('docs/sdks.md marks %s, which does not exist' % rel)
    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        return 1
    print('ok: %d examples' % len(files))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
