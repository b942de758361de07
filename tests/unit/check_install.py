#!/usr/bin/env python3
"""Focus: `meson install` puts everything where a user (and the container image) expects it.

Installs the build into a temporary DESTDIR (meson install --no-rebuild --destdir) and
fails when one of these is missing or wrong, under the configured prefix:
  bin/ses-emulator                     runs, and --version names the API version;
  share/man/man1/ses-emulator.1        the generated man page, every flag in it;
  share/ses-emulator/default.json      identical to fixtures/default.json;
  share/doc/ses-emulator/              README.md, LICENSE, CHANGELOG.md, CONTRIBUTING.md,
                                       every docs/*.md and the docs/examples files,
                                       and none of the docs' build scripts.

Usage: check_install.py BUILD_DIR REPO_ROOT
"""

import filecmp
import json
import os
import subprocess
import sys
import tempfile


def main(argv):
    build, root = argv[1], argv[2]
    info = subprocess.run(['meson', 'introspect', '--buildoptions', build], stdout=subprocess.PIPE,
                          check=True)
    options = {o['name']: o['value'] for o in json.loads(info.stdout)}
    prefix = options['prefix'].lstrip('/')
    problems = []
    with tempfile.TemporaryDirectory() as dest:
        run = subprocess.run(['meson', 'install', '-C', build, '--no-rebuild', '--quiet', '--destdir', dest],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if run.returncode != 0:
            print('FAIL meson install: %s' % run.stdout.decode('utf-8', 'replace')[-2000:])
            return 1
        base = os.path.join(dest, prefix)

        def path(*parts):
            return os.path.join(base, *parts)

        binary = path(options['bindir'], 'ses-emulator')
        if not os.access(binary, os.X_OK):
            problems.append('%s/ses-emulator missing' % options['bindir'])
        else:
            out = subprocess.run([binary, '--version'], stdout=subprocess.PIPE).stdout.decode()
            if 'SES API 2020-10-02' not in out:
                problems.append('--version of the installed binary: %r' % out)
        man = path(options['mandir'], 'man1', 'ses-emulator.1')
        if not os.path.isfile(man):
            problems.append('%s/man1/ses-emulator.1 missing' % options['mandir'])
        fixture = path(options['datadir'], 'ses-emulator', 'default.json')
        if not os.path.isfile(fixture) or not filecmp.cmp(fixture, os.path.join(root, 'fixtures', 'default.json'),
                                                          shallow=False):
            problems.append('%s/ses-emulator/default.json missing or not fixtures/default.json' % options['datadir'])
        doc = path(options['datadir'], 'doc', 'ses-emulator')
        wanted = ['README.md', 'LICENSE', 'CHANGELOG.md', 'CONTRIBUTING.md']
        wanted += sorted(f for f in os.listdir(os.path.join(root, 'docs')) if f.endswith('.md'))
        for dirpath, _dirs, files in os.walk(os.path.join(root, 'docs', 'examples')):
            wanted += [os.path.relpath(os.path.join(dirpath, f), os.path.join(root, 'docs')) for f in files]
        for name in wanted:
            if not os.path.isfile(os.path.join(doc, name)):
                problems.append('share/doc/ses-emulator/%s missing' % name)
        for name in ('meson.build', 'gen_man.py'):
            if os.path.exists(os.path.join(doc, name)):
                problems.append('share/doc/ses-emulator/%s installed, but it is a build script' % name)
    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        return 1
    print('ok: binary, man page, default fixture and %d documents installed' % len(wanted))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
