#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Every language of po/LINGUAS translates every message of the current
# sources: the strings are extracted afresh (as planwright-pot does), merged
# into a copy of each .po, and the copy must have no untranslated or fuzzy
# message. The .po files in the tree are never written.
import os
import subprocess
import sys
import tempfile

# meson's i18n 'glib' preset
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format', '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format', '--flag=g_printerr:1:c-format', '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format', '--flag=g_sprintf:2:c-format', '--flag=g_snprintf:3:c-format',
]


def unquote(s):
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    body, out, i = s[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c == '\\' and i + 1 < len(body):
            i += 1
            c = {'n': '\n', 't': '\t', 'r': '\r'}.get(body[i], body[i])
        out.append(c)
        i += 1
    return ''.join(out)


def msgids(po_text):
    """(context, msgid) of every entry but the header, in order."""
    out = []
    ctx = mid = None
    field = None
    for line in po_text.splitlines() + ['']:
        if line.startswith('msgctxt '):
            ctx, field = unquote(line[8:]), 'ctx'
        elif line.startswith('msgid '):
            mid, field = unquote(line[6:]), 'id'
        elif line.startswith('"') and field in ('ctx', 'id'):
            if field == 'ctx':
                ctx += unquote(line)
            else:
                mid += unquote(line)
        elif line.startswith('msgid_plural') or line.startswith('msgstr'):
            field = None
        elif not line.strip():
            if mid:
                out.append((ctx, mid))
            ctx = mid = field = None
    return out


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def main():
    srcdir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                             os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
    podir = os.path.join(srcdir, 'po')
    with open(os.path.join(podir, 'LINGUAS'), encoding='utf-8') as f:
        langs = [w for l in f if not l.startswith('#') for w in l.split()]
    if not langs:
        print('po/LINGUAS lists no language')
        return 1

    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'planwright.pot')
        r = run(['xgettext', '--package-name=planwright', '--directory=' + srcdir,
                 '--files-from=' + os.path.join(podir, 'POTFILES.in'), '-o', pot] + XGETTEXT_ARGS)
        if r.returncode != 0:
            print('xgettext failed:\n' + r.stderr)
            return 1
        # A warning here is a string that cannot be translated as written,
        # e.g. a G_GINT64_FORMAT inside _(): use PRId64 or %zu instead.
        warnings = [l for l in r.stderr.splitlines() if 'warning' in l]
        for w in warnings:
            print('xgettext: ' + w)
            failed = True

        for lang in langs:
            po = os.path.join(podir, lang + '.po')
            merged = os.path.join(tmp, lang + '.po')
            r = run(['msgmerge', '--quiet', '-o', merged, po, pot])
            if r.returncode != 0:
                print(f'msgmerge {lang}.po failed:\n' + r.stderr)
                failed = True
                continue
            for what, flag in (('untranslated', '--untranslated'), ('fuzzy', '--only-fuzzy')):
                r = run(['msgattrib', flag, '--no-obsolete', '--no-wrap', merged])
                for ctx, mid in msgids(r.stdout):
                    where = f' (context "{ctx}")' if ctx else ''
                    print(f'po/{lang}.po: {what} against the sources: {mid!r}{where}')
                    failed = True
            r = run(['msgfmt', '--check', '--statistics', '-o', os.devnull, merged])
            print(f'po/{lang}.po: ' + r.stderr.strip())
            if r.returncode != 0:
                failed = True
    if failed:
        print('Update with: meson compile -C BUILDDIR planwright-pot planwright-update-po, '
              'then translate the messages above and remove their fuzzy flags.')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
