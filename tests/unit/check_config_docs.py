#!/usr/bin/env python3
"""Focus: `--help`, the man page and docs/configuration.md list the same options.

Fails (exit status 1, one line per problem) when:
  - a flag is in one of the three and not in another: `ses-emulator --help`
    (lines "  --flag ..."), the built man page (".TP" entries of OPTIONS) and
    docs/configuration.md (the "### `--flag ...`" sections, and the summary
    table at its top);
  - an option section of the markdown lacks its "- variable:" line, or names
    a variable other than SES_EMULATOR_<FLAG IN CAPITALS, - AS _>;
  - the man page's ENVIRONMENT section and the markdown's variables differ;
  - the binary ignores a documented variable: started with the variable set
    to a value no setting accepts, it must refuse to start with one line
    naming the variable (so a variable cannot be documented and not read).

Each of the three is parsed on its own; nothing here imports the generator.
Usage: check_config_docs.py BINARY MAN_PAGE REPO_ROOT
"""

import os
import re
import subprocess
import sys

HELP_FLAG = re.compile(r'^  (--[a-z][a-z0-9-]*)')
MD_SECTION = re.compile(r'^### `(--[a-z][a-z0-9-]*)[^`]*`\s*$')
MD_TABLE_ROW = re.compile(r'^\| `(--[a-z][a-z0-9-]*)[^`]*` \| ([^|]*) \|')
MD_VARIABLE = re.compile(r'^- variable: (.*)$')
# A value no setting accepts: too long for every buffer, and no valid word.
BAD_VALUE = '!' * 5000


def expected_variable(flag):
    return 'SES_EMULATOR_' + flag[2:].upper().replace('-', '_')


def help_flags(binary):
    run = subprocess.run([binary, '--help'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=clean_env(), timeout=10)
    if run.returncode != 0:
        raise SystemExit('FAIL %s --help exited %d' % (binary, run.returncode))
    return [m.group(1) for line in run.stdout.decode().splitlines() if (m := HELP_FLAG.match(line))]


def markdown_options(path):
    """({flag: variable or None}, [flags of the summary table], problems)."""
    options, table, problems = {}, [], []
    current = None
    with open(path, encoding='utf-8') as fp:
        for line in fp:
            line = line.rstrip('\n')
            if (m := MD_TABLE_ROW.match(line)) and current is None:
                table.append(m.group(1))
            elif m := MD_SECTION.match(line):
                current = m.group(1)
                if current in options:
                    problems.append('docs/configuration.md: %s has two sections' % current)
                options[current] = None
            elif line.startswith('## '):
                current = '' if current is not None else None
            elif current and (m := MD_VARIABLE.match(line)) and options[current] is None:
                options[current] = m.group(1).strip().strip('`')
    for flag, var in options.items():
        if var is None:
            problems.append('docs/configuration.md: %s has no "- variable:" line' % flag)
        elif var != 'none' and var != expected_variable(flag):
            problems.append('docs/configuration.md: %s names %s, the binary reads %s'
                            % (flag, var, expected_variable(flag)))
    return options, table, problems


def man_options(path):
    """(flags of OPTIONS, variables of ENVIRONMENT)."""
    flags, variables = [], []
    section = None
    after_tp = False
    with open(path, encoding='utf-8') as fp:
        for line in fp:
            line = line.rstrip('\n')
            if line.startswith('.SH '):
                section = line[4:].strip().strip('"')
            elif line == '.TP':
                after_tp = True
                continue
            elif after_tp and section == 'OPTIONS':
                m = re.match(r'^\.BI? "?((?:\\-){2}[a-z][a-z0-9\\-]*)', line)
                if m:
                    flags.append(m.group(1).replace('\\-', '-'))
            elif after_tp and section == 'ENVIRONMENT':
                m = re.match(r'^\.B (SES_EMULATOR_[A-Z0-9_]+)$', line.replace('\\-', '-'))
                if m:
                    variables.append(m.group(1))
            after_tp = False
    return flags, variables


def clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith('SES_EMULATOR_')}


def variable_is_read(binary, variable):
    """None when the binary refuses BAD_VALUE in `variable`, else a problem."""
    env = clean_env()
    env[variable] = BAD_VALUE
    args = [binary, '--fixtures', 'none']
    if variable != 'SES_EMULATOR_LISTEN':
        args += ['--listen', '127.0.0.1:0']
    if variable == 'SES_EMULATOR_FIXTURES':
        args = [binary, '--listen', '127.0.0.1:0']
    try:
        run = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                             timeout=5)
    except subprocess.TimeoutExpired:
        return '%s: the binary started with an invalid value in it: is the variable read?' % variable
    err = run.stderr.decode('utf-8', 'replace')
    if run.returncode == 0 or variable not in err:
        return '%s: an invalid value was not refused with a message naming it (exit %d: %s)' % (
            variable, run.returncode, err.strip()[:200])
    return None


def compare(name_a, a, name_b, b):
    problems = []
    for flag in sorted(set(a) - set(b)):
        problems.append('%s is in %s but not in %s' % (flag, name_a, name_b))
    return problems


def main(argv):
    if len(argv) != 4:
        print('usage: check_config_docs.py BINARY MAN_PAGE REPO_ROOT', file=sys.stderr)
        return 2
    binary, man_page, root = argv[1:]
    reference = os.path.join(root, 'docs', 'configuration.md')
    helped = help_flags(binary)
    documented, table, problems = markdown_options(reference)
    man_flags, man_vars = man_options(man_page)
    sources = [('--help', helped), ('the sections of docs/configuration.md', list(documented)),
               ('the summary table of docs/configuration.md', table), ('the man page', man_flags)]
    for name_a, a in sources:
        for name_b, b in sources:
            if name_a != name_b:
                problems += compare(name_a, a, name_b, b)
    for name, flags in sources:
        dup = sorted({f for f in flags if flags.count(f) > 1})
        if dup:
            problems.append('%s lists %s more than once' % (name, ', '.join(dup)))
    variables = sorted(v for v in documented.values() if v and v != 'none')
    if sorted(man_vars) != variables:
        problems.append('the man page ENVIRONMENT %s differs from docs/configuration.md %s'
                        % (sorted(man_vars), variables))
    for variable in variables:
        problem = variable_is_read(binary, variable)
        if problem:
            problems.append(problem)
    for problem in problems:
        print('FAIL ' + problem)
    if problems:
        print('FAIL (a new flag needs: its line in --help (server/config.c), a "### `--flag ARG`" '
              'section with "- variable:", "- default:", "- example:" lines and a summary table '
              'row in docs/configuration.md; the man page follows at the next build)')
        return 1
    print('ok: %d options, %d variables agree in --help, the man page and docs/configuration.md'
          % (len(helped), len(variables)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
