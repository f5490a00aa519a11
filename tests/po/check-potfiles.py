#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# po/POTFILES.in must list every file of src/ and data/ with translatable
# strings, and nothing that does not exist. --print writes the list it expects.
import os
import re
import sys

C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:(?:N|C|NC)?_\s*\(\s*"|ngettext\s*\(|g_dngettext\s*\()')
UI_MARK = re.compile(r'translatable\s*=\s*"yes"')
# A schema with a gettext domain has translatable summaries and descriptions.
SCHEMA_MARK = re.compile(r'gettext-domain\s*=')
# Desktop entries and AppStream metadata are translatable as a whole.
WHOLE_FILE = ('.desktop.in', '.metainfo.xml.in', '.appdata.xml.in')


def translatable(path):
    if path.endswith(WHOLE_FILE):
        return True
    if path.endswith(('.gschema.xml', '.gschema.xml.in')):
        mark = SCHEMA_MARK
    elif path.endswith(('.c', '.h')):
        mark = C_MARK
    elif path.endswith(('.ui', '.ui.in')):
        mark = UI_MARK
    else:
        return False
    with open(path, encoding='utf-8', errors='replace') as f:
        return mark.search(f.read()) is not None


def expected(srcdir):
    found = []
    for top in ('src', 'data'):
        for root, dirs, files in os.walk(os.path.join(srcdir, top)):
            dirs.sort()
            for name in sorted(files):
                path = os.path.join(root, name)
                if translatable(path):
                    found.append(os.path.relpath(path, srcdir))
    return sorted(found)


def listed(potfiles):
    with open(potfiles, encoding='utf-8') as f:
        lines = [l.strip() for l in f]
    return [l for l in lines if l and not l.startswith('#')]


def main():
    srcdir = sys.argv[1] if len(sys.argv) > 1 and not sys.argv[1].startswith('--') else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
    srcdir = os.path.abspath(srcdir)
    want = expected(srcdir)
    if '--print' in sys.argv:
        print('# Every file with translatable strings; tests/po/check-potfiles.py keeps this')
        print('# list complete (regenerate with: tests/po/check-potfiles.py --print).')
        print('\n'.join(want))
        return 0

    potfiles = os.path.join(srcdir, 'po', 'POTFILES.in')
    have = listed(potfiles)
    failed = False
    for path in sorted(set(want) - set(have)):
        print(f'po/POTFILES.in: missing {path} (it has translatable strings)')
        failed = True
    for path in have:
        if not os.path.isfile(os.path.join(srcdir, path)):
            print(f'po/POTFILES.in: lists {path}, which does not exist')
            failed = True
    dupes = sorted({p for p in have if have.count(p) > 1})
    for path in dupes:
        print(f'po/POTFILES.in: lists {path} more than once')
        failed = True
    if failed:
        print('Regenerate the list with: tests/po/check-potfiles.py --print > po/POTFILES.in')
        return 1
    print(f'po/POTFILES.in: {len(have)} files, complete')
    return 0


if __name__ == '__main__':
    sys.exit(main())
