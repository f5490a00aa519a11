# SPDX-License-Identifier: GPL-3.0-or-later
# One instance: a second launch of the real binary hands over to the first (GApplication on D-Bus), which raises its window.

import subprocess
import time

import tap
from desktop import DesktopTestCase, APP_ID, wait_for


class SingleInstanceTest(DesktopTestCase):

    def test_second_launch_raises_the_window(self):
        self.start_bus()
        first = self.launch()
        self.assertIsNotNone(
            self.wait_owner(first.pid), 'the first launch did not take %s on the bus' % APP_ID)
        window = self.assert_one_window(first.pid)

        # The user turns to another program: its window on top, focused
        other = self.other_program()
        self.assertEqual(self.focused(), other)
        self.assertEqual(self.topmost(window, other), other)

        started = time.monotonic()
        second = self.launch()
        try:
            rc = second.wait(20)
        except Exception:
            self.fail('the second launch did not exit: it runs an instance of its own')
        took = time.monotonic() - started
        self.assertEqual(rc, 0, second.stderr.read().decode())
        self.assertLess(took, 10, 'the second launch took %.1f s' % took)

        # The first instance's window comes to the front with the focus,
        # and it is still the only one
        self.assertIsNone(first.poll(), 'the first instance exited')
        self.assertEqual(wait_for(lambda: self.focused() == window, 10), True,
                         'the window did not get the focus back')
        self.assertEqual(self.topmost(window, other), window)
        self.assertEqual(self.assert_one_window(first.pid), window)
        self.assertEqual(self.name_owner_pid(APP_ID), first.pid)

        # A third launch the same (not a window per launch)
        third = self.launch()
        self.assertEqual(third.wait(20), 0)
        time.sleep(0.5)
        self.assertEqual(self.assert_one_window(first.pid), window)

    def other_program(self):
        """Another X client's window, raised and focused; returns its id"""
        proc = subprocess.Popen(['xmessage', '-geometry', '400x200+0+0', 'Some other program'],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(self.stop, proc)

        def find():
            res = subprocess.run(['xdotool', 'search', '--all', '--onlyvisible', '--class', '^Xmessage$'],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            ids = res.stdout.decode().split()
            return ids[0] if ids else None
        window = wait_for(find, 10)
        self.assertIsNotNone(window, 'xmessage did not show a window')
        self.assert_ok_run(['xdotool', 'windowraise', window])
        self.assert_ok_run(['xdotool', 'windowfocus', '--sync', window])
        return window

    def focused(self):
        res = subprocess.run(['xdotool', 'getwindowfocus', '-f'],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return res.stdout.decode().strip()

    @staticmethod
    def topmost(*windows):
        """Which of @windows (X ids) is highest in the stacking order"""
        res = subprocess.run(['xwininfo', '-root', '-children'],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
        # Children are listed top to bottom
        order = [int(line.split()[0], 16) for line in res.stdout.decode().splitlines()
                 if line.strip().startswith('0x')]
        ranked = [w for w in order if w in {int(x) for x in windows}]
        return str(ranked[0]) if ranked else None

    def wait_owner(self, pid, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.name_owner_pid(APP_ID) == pid:
                return pid
            time.sleep(0.05)
        return None

    def assert_ok_run(self, argv):
        res = self.run_argv(argv, timeout=20)
        self.assertEqual(res.rc, 0, res)


if __name__ == '__main__':
    tap.main()
