#!/usr/bin/env python3
"""Focus: docker/Dockerfile and docker/compose.yaml stay consistent with the binary.

No Docker engine runs on the project's machines, so the image is never built here; its steps
are run by tests/docker/fresh-root.sh. This check reads the two files and fails when:
  - the Dockerfile is not two stages FROM debian:bookworm-slim, lacks a non-root USER, a
    VOLUME, a HEALTHCHECK by `ses-emulator --probe`, STOPSIGNAL SIGTERM or OCI labels, or runs
    a docker/build-steps.sh step that the script does not have;
  - a SES_EMULATOR_* variable set in either file is not one of the binary's (from
    docs/configuration.md, which check_config_docs.py ties to the binary);
  - compose.yaml lacks the emulator's healthcheck by --probe, the Mailpit service receiving the
    relay (smtp://mailpit:1025), or an app waiting for service_healthy. compose.yaml is parsed
    with PyYAML when it is installed, else this part is reported as not checked.

Usage: check_docker.py REPO_ROOT
"""

import os
import re
import sys


def read(root, *parts):
    with open(os.path.join(root, *parts), encoding='utf-8') as fp:
        return fp.read()


def main(argv):
    root = argv[1]
    problems = []
    dockerfile = read(root, 'docker', 'Dockerfile')
    steps = read(root, 'docker', 'build-steps.sh')
    reference = read(root, 'docs', 'configuration.md')
    compose_text = read(root, 'docker', 'compose.yaml')
    known = set(re.findall(r'^- variable: `(SES_EMULATOR_[A-Z0-9_]+)`', reference, re.M))

    froms = re.findall(r'^FROM (\S+)', dockerfile, re.M)
    if froms != ['debian:bookworm-slim', 'debian:bookworm-slim']:
        problems.append('Dockerfile: expected two stages FROM debian:bookworm-slim, found %s' % froms)
    user = re.findall(r'^USER (\S+)', dockerfile, re.M)
    if not user or user[-1].split(':')[0] in ('root', '0'):
        problems.append('Dockerfile: the final stage must run as a non-root USER')
    for pattern, what in ((r'^VOLUME ', 'a VOLUME'), (r'^STOPSIGNAL SIGTERM', 'STOPSIGNAL SIGTERM'),
                          (r'^HEALTHCHECK[^\n]*(\\\n[^\n]*)*ses-emulator", "--probe"', 'a HEALTHCHECK by --probe'),
                          (r'org\.opencontainers\.image\.title', 'OCI labels'),
                          (r'^ENTRYPOINT \["ses-emulator"\]', 'ENTRYPOINT ses-emulator')):
        if not re.search(pattern, dockerfile, re.M):
            problems.append('Dockerfile: missing %s' % what)
    defined = set(re.findall(r'^([a-z-]+)\)$', steps, re.M))
    for step in re.findall(r'build-steps\.sh ([a-z-]+)', dockerfile):
        if step not in defined:
            problems.append('Dockerfile runs build-steps.sh %s, which build-steps.sh does not have' % step)
    for name, text in (('Dockerfile', dockerfile), ('compose.yaml', compose_text)):
        for var in sorted(set(re.findall(r'\b(SES_EMULATOR_[A-Z0-9_]+)', text)) - known):
            problems.append('%s sets %s, which the binary does not read' % (name, var))

    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is None:
        print('not checked: docker/compose.yaml structure (PyYAML not installed)')
    else:
        services = (yaml.safe_load(compose_text) or {}).get('services', {})
        emu = services.get('ses-emulator', {})
        test = ' '.join(emu.get('healthcheck', {}).get('test', []))
        if '--probe' not in test:
            problems.append('compose.yaml: ses-emulator needs a healthcheck by ses-emulator --probe')
        if emu.get('environment', {}).get('SES_EMULATOR_SMTP_RELAY') != 'smtp://mailpit:1025':
            problems.append('compose.yaml: ses-emulator must relay to smtp://mailpit:1025')
        if not str(services.get('mailpit', {}).get('image', '')).startswith('axllent/mailpit'):
            problems.append('compose.yaml: a mailpit service (axllent/mailpit) must receive the relay')
        waits = [name for name, svc in services.items() if isinstance(svc.get('depends_on'), dict)
                 and (svc['depends_on'].get('ses-emulator') or {}).get('condition') == 'service_healthy']
        if not waits:
            problems.append('compose.yaml: no service waits for ses-emulator with condition service_healthy')
    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        return 1
    print('ok: Dockerfile and compose.yaml agree with build-steps.sh and the binary\'s variables')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
