#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# planwright-cli speaks German with the built de catalogue when the locale
# asks for it, and stays byte-identical to the C locale otherwise; the
# error line's prefix and the --json documents never change.
import json
import os
import subprocess
import sys
import tempfile

CLI = os.environ['PLANWRIGHT_CLI']
LOCALEDIR = os.environ['PLANWRIGHT_LOCALEDIR']

# C.UTF-8 honours LANGUAGE (plain C ignores it), so no de_DE locale is needed.
GERMAN = {'LC_ALL': 'C.UTF-8', 'LANGUAGE': 'de'}
C_LOCALE = {'LC_ALL': 'C', 'LANGUAGE': 'de'}

failures = []


def run(locale, *args, home):
    env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'HOME': home,
           'XDG_DATA_HOME': os.path.join(home, 'data'),
           'XDG_CONFIG_HOME': os.path.join(home, 'config'),
           'PLANWRIGHT_LOCALEDIR': LOCALEDIR}
    env.update(locale)
    return subprocess.run([CLI, '--db-path', os.path.join(home, 'pw.db')] + list(args),
                          env=env, capture_output=True, text=True, timeout=60)


def expect(name, got, want):
    if got != want:
        failures.append(f'{name}:\n  want {want!r}\n  got  {got!r}')
    else:
        print(f'ok - {name}')


with tempfile.TemporaryDirectory() as home:
    if not os.path.isfile(os.path.join(LOCALEDIR, 'de', 'LC_MESSAGES', 'planwright.mo')):
        print(f'no de catalogue under {LOCALEDIR}')
        sys.exit(1)

    r = run(GERMAN, home=home)
    expect('no command, German', r.stderr,
           'planwright-cli: error: kein Befehl angegeben (siehe „planwright-cli --help“)\n')
    r = run(C_LOCALE, home=home)
    expect('no command, C locale ignores LANGUAGE', r.stderr,
           "planwright-cli: error: no command given (see 'planwright-cli --help')\n")

    # A message from the CLI with its argument, and one from the core library.
    r = run(GERMAN, 'status', 'zz', home=home)
    expect('bad id, German', r.stderr.split(' (')[0],
           'planwright-cli: error: „zz“ ist keine Sitzungskennung')
    r = run(GERMAN, 'status', 'abcd', home=home)
    expect('unknown session from the store, German', r.stderr,
           'planwright-cli: error: keine Sitzung mit der Kennung „abcd“ '
           '(„planwright-cli list“ zeigt die Sitzungen)\n')

    r = run(GERMAN, 'status', '--help', home=home)
    expect('command help, German', r.stdout.splitlines()[2] if r.stdout.count('\n') > 2 else r.stdout,
           'Phase, Zähler, Blocker und Kosten einer Sitzung anzeigen')

    # Machine output does not follow the locale.
    de = run(GERMAN, '--json', 'start', '--project', 'Übersetzung', home=home)
    c = run(C_LOCALE, '--json', 'start', '--project', 'Übersetzung', home=home)
    try:
        keys_de, keys_c = sorted(json.loads(de.stdout)), sorted(json.loads(c.stdout))
    except ValueError:
        keys_de, keys_c = de.stdout + de.stderr, c.stdout + c.stderr
    expect('start --json keys, German = C', keys_de, keys_c)
    # The status labels line up by characters, umlauts included.
    sid = json.loads(c.stdout)['id'] if c.returncode == 0 else 'none'
    r = run(GERMAN, 'status', sid, home=home)
    lines = r.stdout.splitlines()
    expect('status labels, German', [l[:16] for l in lines[:3]] + [l[:16] for l in lines if l.startswith('Entw')],
           ['Sitzung         ', 'Projekt         ', 'Phase           ', 'Entwürfe        '])

    de = run(GERMAN, '--json', 'list', home=home)
    c = run(C_LOCALE, '--json', 'list', home=home)
    expect('list --json, German = C', de.stdout, c.stdout)

for f in failures:
    print('not ok - ' + f)
sys.exit(1 if failures else 0)
