# SPDX-License-Identifier: GPL-3.0-or-later
# Shared helpers of the desktop-behaviour tests: the real planwright binary on a private D-Bus session bus, under Xvfb.

import os
import shutil
import subprocess
import time

from gi.repository import Gio, GLib

from pwcli import CliTestCase

APP = os.environ.get('PLANWRIGHT_APP', '')
APP_ID = os.environ.get('PW_APP_ID', '')
SCHEMA_DIR = os.environ.get('PW_SCHEMA_DIR', '')

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%(dir)s</listen>
  <auth>EXTERNAL</auth>
  <servicedir>%(services)s</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def wait_for(predicate, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


class DesktopTestCase(CliTestCase):
    """A hermetic home (CliTestCase) plus a session bus of the test's own
    whose only service directory is the test's: what it activates is what
    the test put there, with the test's environment."""

    def setUp(self):
        super().setUp()
        if not APP or not os.access(APP, os.X_OK):
            self.fail('PLANWRIGHT_APP is not an executable: %r' % APP)
        if not os.environ.get('DISPLAY'):
            self.fail('no X display: run under xvfb-run')
        self.services = self.mkdir('dbus-services')
        self.env.update({
            'PLANWRIGHT_DB': self.db,
            'GDK_BACKEND': 'x11',
            'GSETTINGS_BACKEND': 'memory',
            'GTK_A11Y': 'none',
            'GTK_USE_PORTAL': '0',
            'XDG_RUNTIME_DIR': self.mkdir('runtime'),
        })
        if SCHEMA_DIR:
            self.env['GSETTINGS_SCHEMA_DIR'] = SCHEMA_DIR
        self.app_procs = []
        self.bus = None

    # the bus

    def start_bus(self):
        """Starts the private bus (after the service files are written: it
        reads them at start) and connects to it."""
        config = os.path.join(self.tmp, 'bus.conf')
        with open(config, 'w') as f:
            f.write(BUS_CONFIG % {'dir': self.mkdir('bus'), 'services': self.services})
        proc = subprocess.Popen(['dbus-daemon', '--config-file=' + config, '--nofork',
                                 '--print-address=1', '--print-pid=2'],
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.addCleanup(self.stop, proc)
        address = proc.stdout.readline().decode().strip()
        self.assertTrue(address.startswith('unix:'), address)
        self.env['DBUS_SESSION_BUS_ADDRESS'] = address
        self.bus = Gio.DBusConnection.new_for_address_sync(
            address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
            | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)
        self.addCleanup(self.bus.close_sync, None)

    def call(self, name, path, interface, method, args=None, reply_type=None, timeout=30):
        return self.bus.call_sync(name, path, interface, method, args,
                                  GLib.VariantType(reply_type) if reply_type else None,
                                  Gio.DBusCallFlags.NONE, timeout * 1000, None).unpack()

    def name_owner_pid(self, name):
        """The pid of @name's owner, or None"""
        try:
            return self.call('org.freedesktop.DBus', '/org/freedesktop/DBus',
                             'org.freedesktop.DBus', 'GetConnectionUnixProcessID',
                             GLib.Variant('(s)', (name,)), '(u)', timeout=5)[0]
        except GLib.Error:
            return None

    # the app

    def launch(self, *args):
        proc = subprocess.Popen([APP] + list(args), env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.app_procs.append(proc)
        self.addCleanup(self.stop, proc)
        return proc

    def adopt(self, pid):
        """Stops @pid (a D-Bus-activated app) when the test ends"""
        def kill():
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                return
            wait_for(lambda: not os.path.exists('/proc/%d' % pid), 5)
        self.addCleanup(kill)

    @staticmethod
    def stop(proc):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    @property
    def object_path(self):
        return '/' + APP_ID.replace('.', '/')

    def app_windows(self):
        """The windows GtkApplication exports (…/window/N), by number"""
        xml = self.call(APP_ID, self.object_path + '/window',
                        'org.freedesktop.DBus.Introspectable', 'Introspect',
                        None, '(s)', timeout=5)[0]
        info = Gio.DBusNodeInfo.new_for_xml(xml)
        return sorted(node.path for node in info.nodes)

    @staticmethod
    def visible_windows(pid):
        """X ids of the visible toplevels of @pid (its _NET_WM_PID)"""
        # --all: every criterion (xdotool's default is any one of them)
        res = subprocess.run(['xdotool', 'search', '--all', '--onlyvisible', '--pid', str(pid), '--name', ''],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return res.stdout.decode().split()

    def assert_one_window(self, pid, timeout=15):
        """Waits for @pid's window: one on the screen, one exported by the
        application; returns its X id"""
        wait_for(lambda: self.visible_windows(pid) and self.app_windows(), timeout)
        windows = self.visible_windows(pid)
        self.assertEqual(len(windows), 1, 'visible windows of pid %d: %r' % (pid, windows))
        self.assertEqual(len(self.app_windows()), 1, self.app_windows())
        return windows[0]


def have_tools(*names):
    return all(shutil.which(n) for n in names)
