#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The installed app starts from the installed tree and shows its window.

meson install into a temporary DESTDIR, compile the installed schemas, run
DESTDIR's bin/planwright on the suite's X display with only the installed
tree in XDG_DATA_DIRS (plus the system's), wait for its window, check that
the window carries the application id and the app owns it on the bus, and
save a screenshot to <build>/tests/packaging/installed-app.png. Runs itself in a D-Bus session of
its own, so no other test's instance can take the launch over.
"""

import os
import subprocess
import sys
import tempfile
import time

import pw_packaging as pk

INNER = 'PW_INSTALLED_APP_INNER'
TITLE = 'Planwright'


def output(argv):
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return result.stdout.strip() if result.returncode == 0 else ''


def wait_for(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def inner():
    c = pk.Checks()
    app_id = pk.APP_ID
    with tempfile.TemporaryDirectory(prefix='pw-installed-app-') as tmp:
        root = pk.install(os.path.join(tmp, 'destdir'))
        datadir = pk.installed_path(root, 'datadir')
        binary = os.path.join(pk.installed_path(root, 'bindir'), 'planwright')

        schemas = os.path.join(tmp, 'schemas')
        os.mkdir(schemas)
        compiled = subprocess.run(['glib-compile-schemas', '--strict', '--targetdir', schemas,
                                   os.path.join(datadir, 'glib-2.0', 'schemas')])
        if not c.ok(compiled.returncode == 0, 'installed schemas compile'):
            c.exit()

        env = dict(os.environ)
        env.pop(INNER, None)
        env.update({
            'HOME': os.path.join(tmp, 'home'),
            'XDG_CONFIG_HOME': os.path.join(tmp, 'config'),
            'XDG_DATA_HOME': os.path.join(tmp, 'data'),
            'XDG_CACHE_HOME': os.path.join(tmp, 'cache'),
            'XDG_STATE_HOME': os.path.join(tmp, 'state'),
            'XDG_DATA_DIRS': datadir + ':/usr/local/share:/usr/share',
            'GSETTINGS_SCHEMA_DIR': schemas,
            'GDK_BACKEND': 'x11',
            'GTK_A11Y': 'none',
        })
        for key in ('HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME', 'XDG_STATE_HOME'):
            os.makedirs(env[key], exist_ok=True)

        log_path = os.path.join(tmp, 'planwright.log')
        with open(log_path, 'w') as log_file:
            app = subprocess.Popen([binary], env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            started = time.monotonic()
            window = wait_for(lambda: app.poll() is None and output(
                ['xdotool', 'search', '--onlyvisible', '--pid', str(app.pid), '--name', TITLE]), 30)
            window = window.split()[0] if window else None
            c.ok(window is not None, 'a visible window titled %r after %.1f s' % (TITLE, time.monotonic() - started))
            c.ok(app.poll() is None, 'the app is still running')
            if window:
                title = output(['xdotool', 'getwindowname', window])
                c.ok(title.startswith(TITLE), 'window title %r' % title)
                geometry = dict(line.split('=', 1) for line in
                                output(['xdotool', 'getwindowgeometry', '--shell', window]).splitlines())
                width, height = int(geometry.get('WIDTH', 0)), int(geometry.get('HEIGHT', 0))
                c.ok(width >= 360 and height >= 300, 'window is %dx%d' % (width, height))

                # What GNOME Shell matches to the desktop entry on X11
                prop = output(['xprop', '-id', window, '_GTK_APPLICATION_ID'])
                c.ok(prop.endswith('"%s"' % app_id), 'window application id: %s' % prop)

                owner = output(['gdbus', 'call', '--session', '--dest', 'org.freedesktop.DBus',
                                '--object-path', '/org/freedesktop/DBus',
                                '--method', 'org.freedesktop.DBus.NameHasOwner', app_id])
                c.ok(owner == '(true,)', 'the app owns %s on the session bus (%s)' % (app_id, owner))

                # Mapped is not drawn yet (a busy machine renders the first
                # frame late): grab until the picture is more than one colour.
                shot = os.path.join(pk.BUILD_ROOT, 'tests', 'packaging', 'installed-app.png')

                seen = [0]

                def drawn():
                    if subprocess.run(['import', '-window', window, shot]).returncode == 0:
                        seen[0] = int(output(['identify', '-format', '%k', shot]) or 0)
                    return seen[0] > 50
                c.ok(wait_for(drawn, 15, step=0.5),
                     'the screenshot shows a drawn window (%d colours): %s' % (seen[0], shot))
        finally:
            if app.poll() is None:
                app.terminate()
                try:
                    app.wait(10)
                except subprocess.TimeoutExpired:
                    app.kill()
                    app.wait()
            with open(log_path) as f:
                text = f.read()
            for line in text.splitlines():
                pk.log('app: ' + line)
        c.ok('CRITICAL' not in text, 'no criticals from the app')
    c.exit()


def main():
    if os.environ.get(INNER) == '1':
        inner()
    env = dict(os.environ)
    env[INNER] = '1'
    sys.exit(subprocess.run(['dbus-run-session', '--', sys.executable, os.path.abspath(__file__)],
                            env=env).returncode)


if __name__ == '__main__':
    main()
