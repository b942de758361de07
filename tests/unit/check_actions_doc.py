#!/usr/bin/env python3
"""Focus: docs/actions.md is what `gen_api.py --actions-doc` makes of the current sources.

docs/actions.md is generated from server/api/ses_api.json, errors.json, behaviour.json
and the handlers' code (server/api/*.c); it is committed so that it reads on GitHub.
Fails (exit status 1) with a diff and the command that regenerates it when it is stale,
for instance after a handler starts raising a new code.

Usage: check_actions_doc.py [REPO_ROOT]
"""

import difflib
import os
import subprocess
import sys


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    api_dir = os.path.join(root, 'server', 'api')
    doc = os.path.join(root, 'docs', 'actions.md')
    run = subprocess.run([sys.executable, os.path.join(api_dir, 'gen_api.py'),
                          os.path.join(api_dir, 'ses_api.json'), os.path.join(api_dir, 'errors.json'),
                          '--actions-doc', '-'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if run.returncode != 0:
        print('FAIL gen_api.py --actions-doc: %s' % run.stderr.decode('utf-8', 'replace').strip())
        return 1
    want = run.stdout.decode('utf-8')
    try:
        with open(doc, encoding='utf-8') as fp:
            have = fp.read()
    except OSError as exc:
        print('FAIL docs/actions.md: %s' % exc)
        return 1
    if have == want:
        print('ok: docs/actions.md up to date')
        return 0
    print('FAIL docs/actions.md is stale; regenerate it with: ninja -C build actions-doc (or python3 '
          'server/api/gen_api.py server/api/ses_api.json server/api/errors.json --actions-doc '
          'docs/actions.md)')
    for line in list(difflib.unified_diff(have.splitlines(), want.splitlines(), 'docs/actions.md',
                                          'gen_api.py --actions-doc', lineterm='', n=0))[:40]:
        print('  ' + line[:300])
    return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
