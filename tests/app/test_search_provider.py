# SPDX-License-Identifier: GPL-3.0-or-later
# The GNOME Shell search provider of the real binary, started by D-Bus activation as the Shell starts it: finds sessions by project and plan text.

import configparser
import os
import time

from gi.repository import GLib

import tap
from desktop import DesktopTestCase, APP, APP_ID, wait_for

SERVICE_FILE = os.environ.get('PW_DBUS_SERVICE', '')
PROVIDER_INI = os.environ.get('PW_SEARCH_PROVIDER_INI', '')
IFACE = 'org.gnome.Shell.SearchProvider2'

PLAN = """# Plan: garden shed

## Milestone 1: Foundations

- [ ] Pour the zeppelin-grade concrete slab
- [ ] Let it cure for a week

## Milestone 2: Walls

- [ ] Raise the timber frame
"""


class SearchProviderTest(DesktopTestCase):

    def setUp(self):
        super().setUp()
        # Three sessions: a project name to find, a plan to find, and one
        # that matches neither
        self.lighthouse = self.start('Lighthouse keeper')
        self.shed = self.start('Garden shed')
        self.fixture('set-phase', self.shed, 'PLANNING')
        self.fixture('add-draft', self.shed, self.write_file('plan.md', PLAN))
        self.crane = self.start('Harbour crane')
        self.install_service()
        self.start_bus()

    def install_service(self):
        """The build's service file, with Exec pointing at the build's binary"""
        ini = configparser.ConfigParser(interpolation=None)
        ini.optionxform = str
        ini.read(SERVICE_FILE)
        service = ini['D-BUS Service']
        self.assertEqual(service['Name'], APP_ID)
        exec_line = service['Exec'].split()
        self.assertEqual(os.path.basename(exec_line[0]), 'planwright')
        self.assertEqual(exec_line[1:], ['--gapplication-service'])
        service['Exec'] = ' '.join([APP] + exec_line[1:])
        with open(os.path.join(self.services, APP_ID + '.service'), 'w') as f:
            ini.write(f, space_around_delimiters=False)

    def provider_path(self):
        ini = configparser.ConfigParser(interpolation=None)
        ini.optionxform = str
        ini.read(PROVIDER_INI)
        section = ini['Shell Search Provider']
        self.assertEqual(section['BusName'], APP_ID)
        self.assertEqual(section['DesktopId'], APP_ID + '.desktop')
        self.assertEqual(section['Version'], '2')
        return section['ObjectPath']

    def search(self, *terms):
        return self.call(APP_ID, self.provider_path(), IFACE, 'GetInitialResultSet',
                         GLib.Variant('(as)', (list(terms),)), '(as)')[0]

    def test_finds_by_plan_text_and_project(self):
        # Nothing runs yet: the first call starts the app
        self.assertIsNone(self.name_owner_pid(APP_ID))
        self.assertEqual(self.search('zeppelin'), [self.shed])
        pid = self.name_owner_pid(APP_ID)
        self.assertIsNotNone(pid)
        self.adopt(pid)
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            self.assertIn(b'--gapplication-service', f.read())
        # Started as a service: no window until asked for one
        self.assertEqual(self.visible_windows(pid), [])

        # Project names, any case, words as prefixes
        self.assertEqual(self.search('lighthouse'), [self.lighthouse])
        self.assertEqual(self.search('LIGHT'), [self.lighthouse])
        self.assertEqual(self.search('garden', 'shed'), [self.shed])
        self.assertEqual(self.search('nothing-like-this'), [])
        # Every word must match somewhere
        self.assertEqual(self.search('harbour', 'zeppelin'), [])

        narrowed = self.call(APP_ID, self.provider_path(), IFACE, 'GetSubsearchResultSet',
                             GLib.Variant('(asas)', ([self.lighthouse, self.shed, self.crane],
                                                     ['timber'])), '(as)')[0]
        self.assertEqual(narrowed, [self.shed])

        # The same process answered everything: it stays between calls
        time.sleep(1.5)
        self.assertEqual(self.search('crane'), [self.crane])
        self.assertEqual(self.name_owner_pid(APP_ID), pid)

    def test_result_metas(self):
        self.assertEqual(self.search('zeppelin'), [self.shed])
        self.adopt(self.name_owner_pid(APP_ID))
        metas = self.call(APP_ID, self.provider_path(), IFACE, 'GetResultMetas',
                          GLib.Variant('(as)', ([self.shed, self.lighthouse, 'deadbeef'],)),
                          '(aa{sv})')[0]
        by_id = {m['id']: m for m in metas}
        # An id that is not a session is left out, not an error
        self.assertEqual(set(by_id), {self.shed, self.lighthouse})
        self.assertEqual(by_id[self.shed]['name'], 'Garden shed')
        self.assertEqual(by_id[self.lighthouse]['name'], 'Lighthouse keeper')
        # The phase, and the line of the plan the search matched
        description = by_id[self.shed]['description']
        self.assertIn('Planning', description)
        self.assertIn('zeppelin-grade concrete', description)
        self.assertEqual(by_id[self.lighthouse]['description'], 'Setup')
        self.assertEqual(by_id[self.shed]['gicon'], APP_ID)

    def test_activate_result_opens_one_window(self):
        self.assertEqual(self.search('zeppelin'), [self.shed])
        pid = self.name_owner_pid(APP_ID)
        self.adopt(pid)
        self.call(APP_ID, self.provider_path(), IFACE, 'ActivateResult',
                  GLib.Variant('(sasu)', (self.shed, ['zeppelin'], 0)), None)
        self.assert_one_window(pid)
        # Another result, and the Shell's "more results" (LaunchSearch):
        # the same window, no second one
        self.call(APP_ID, self.provider_path(), IFACE, 'ActivateResult',
                  GLib.Variant('(sasu)', (self.lighthouse, ['light'], 0)), None)
        self.call(APP_ID, self.provider_path(), IFACE, 'LaunchSearch',
                  GLib.Variant('(asu)', (['garden'], 0)), None)
        time.sleep(0.5)
        self.assert_one_window(pid)
        self.assertEqual(self.name_owner_pid(APP_ID), pid)

    def test_service_leaves_when_idle(self):
        # Started for the Shell, with no window: it stays for the calls that
        # follow (the Shell asks for metas right after the results), then
        # exits by itself instead of lingering in the session
        started = time.monotonic()
        self.assertEqual(self.search('zeppelin'), [self.shed])
        pid = self.name_owner_pid(APP_ID)
        self.adopt(pid)
        gone = wait_for(lambda: self.name_owner_pid(APP_ID) is None, 60, 0.2)
        took = time.monotonic() - started
        self.assertTrue(gone, 'the service still runs after %.0f s' % took)
        self.assertGreater(took, 5, 'the service left after %.1f s' % took)
        self.assertTrue(wait_for(lambda: not os.path.exists('/proc/%d' % pid), 5))


if __name__ == '__main__':
    tap.main()
