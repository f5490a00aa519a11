# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared by the install tests: where things go, and a meson install into a
temporary DESTDIR. Paths come from meson.build through the environment."""

import os
import subprocess
import sys

APP_ID = os.environ['PW_APP_ID']
BUILD_ROOT = os.environ['PW_BUILD_ROOT']
SOURCE_ROOT = os.environ['PW_SOURCE_ROOT']
PREFIX = os.environ['PW_PREFIX']
MESON = os.environ['PW_MESON']


def log(*args):
    print('# ' + ' '.join(str(a) for a in args), flush=True)


class Checks:
    """Counts failures; every check says what it looked at."""

    def __init__(self):
        self.failed = 0

    def ok(self, condition, what):
        log(('ok   ' if condition else 'FAIL ') + what)
        if not condition:
            self.failed += 1
        return condition

    def exit(self):
        log('%d check(s) failed' % self.failed if self.failed else 'all checks passed')
        sys.exit(1 if self.failed else 0)


def install(destdir):
    """meson install of the finished build into destdir; returns the prefix
    inside it. Post-install hooks (schema and icon caches) are skipped by
    meson when DESTDIR is set."""
    result = subprocess.run([MESON, 'install', '-C', BUILD_ROOT, '--no-rebuild',
                             '--destdir', destdir],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        print(result.stdout)
        raise SystemExit('meson install failed with status %d' % result.returncode)
    return destdir + PREFIX


def installed_path(root, option):
    """A directory option (bindir, datadir, …) as installed under root."""
    value = os.environ['PW_' + option.upper()]
    return os.path.join(root, value) if not os.path.isabs(value) else destdir_join(root, value)


def destdir_join(root, absolute):
    # An absolute option (--datadir=/usr/share) lands at DESTDIR + that path,
    # and root is DESTDIR + prefix.
    return root[:len(root) - len(PREFIX)] + absolute
