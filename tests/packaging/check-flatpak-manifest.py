#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Offline checks of the Flatpak manifest (the runtime cannot be fetched here).

  check-flatpak-manifest.py pinned MANIFEST
      every module source is pinned: git with a tag and a 40-hex commit,
      archive/file with a sha256; only the app itself may come from a dir.
  check-flatpak-manifest.py policy MANIFEST APP-ID
      the id, runtime and command are ours, and finish-args are the minimal
      set: no filesystem access, no secret service name (the portal is used).
"""

import json
import os
import re
import sys

HEX40 = re.compile(r'^[0-9a-f]{40}$')
HEX64 = re.compile(r'^[0-9a-f]{64}$')
RUNTIME_VERSION = '50'
FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
}


def modules(manifest_path, node):
    """Every module, nested ones and those in separate files included."""
    for module in node.get('modules', []):
        if isinstance(module, str):
            path = os.path.join(os.path.dirname(manifest_path), module)
            with open(path, encoding='utf-8') as f:
                module = json.load(f)
            yield from modules(path, {'modules': [module]})
            continue
        yield module
        yield from modules(manifest_path, module)


def source_problem(source):
    kind = source.get('type')
    if kind == 'git':
        if not source.get('tag'):
            return 'git source without a tag'
        if not HEX40.match(source.get('commit', '')):
            return 'git source without a 40-hex commit'
        if source.get('branch'):
            return 'git source follows a branch'
        return None
    if kind in ('archive', 'file'):
        if 'path' in source and 'url' not in source:
            return None  # a file of the repository itself
        if not HEX64.match(source.get('sha256', '')):
            return kind + ' source without a sha256'
        return None
    if kind in ('patch', 'script', 'shell', 'inline'):
        return None
    if kind == 'dir':
        return 'dir source outside the app module'
    return 'unknown source type %r' % kind


def check_pinned(path):
    with open(path, encoding='utf-8') as f:
        manifest = json.load(f)
    problems = []
    found = list(modules(path, manifest))
    if not found:
        problems.append('no modules')
    for module in found:
        name = module.get('name', '?')
        sources = module.get('sources', [])
        if not sources:
            problems.append('%s: no sources' % name)
        for source in sources:
            if isinstance(source, str):
                problems.append('%s: sources in a separate file are not checked' % name)
                continue
            if source.get('type') == 'dir' and module is found[-1] and source.get('path') == '..':
                continue  # the app, built from this checkout
            problem = source_problem(source)
            if problem:
                problems.append('%s: %s' % (name, problem))
        print('# %s: %d source(s)' % (name, len(sources)))
    return problems


def check_policy(path, app_id):
    with open(path, encoding='utf-8') as f:
        manifest = json.load(f)
    problems = []
    expect = {
        'id': app_id,
        'runtime': 'org.gnome.Platform',
        'sdk': 'org.gnome.Sdk',
        'runtime-version': RUNTIME_VERSION,
        'command': 'planwright',
    }
    for key, value in expect.items():
        if manifest.get(key) != value:
            problems.append('%s is %r, expected %r' % (key, manifest.get(key), value))
    args = manifest.get('finish-args', [])
    if len(args) != len(set(args)):
        problems.append('finish-args repeat an entry')
    for arg in sorted(set(args) - FINISH_ARGS):
        problems.append('finish-arg beyond the minimal set: %s' % arg)
    for arg in sorted(FINISH_ARGS - set(args)):
        problems.append('finish-arg missing: %s' % arg)
    last = list(modules(path, manifest))[-1] if manifest.get('modules') else {}
    if last.get('buildsystem') != 'meson':
        problems.append('the last module (the app) is not built with meson')
    if not any(s.get('type') == 'dir' and s.get('path') == '..' for s in last.get('sources', [])
               if isinstance(s, dict)):
        problems.append('the app module is not built from this checkout (dir "..")')
    return problems


def main(argv):
    if len(argv) == 3 and argv[1] == 'pinned':
        problems = check_pinned(argv[2])
    elif len(argv) == 4 and argv[1] == 'policy':
        problems = check_policy(argv[2], argv[3])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for problem in problems:
        print('FAIL: ' + problem)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
