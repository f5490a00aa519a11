# SPDX-License-Identifier: GPL-3.0-or-later
# add-context: files and notes, every kind of bad file refused with nothing stored, the size cap and its setting.

import hashlib
import os

import tap
from pwcli import CliTestCase, MIB


class ContextTest(CliTestCase):

    def assert_nothing_stored(self, sid, phase='SETUP', count=0):
        doc = self.status(sid)
        self.assertEqual(doc['context_entry_count'], count, 'something was stored')
        self.assertEqual(doc['phase'], phase, 'the phase moved')
        self.assertEqual(self.sql('SELECT count(*) FROM context_entries'
                                  ' WHERE session_id = ?', (sid,)), [(count,)])

    def stored_files(self, sid):
        return self.sql("SELECT content, original_path, sha256, size_bytes"
                        " FROM context_entries WHERE session_id = ?"
                        " AND entry_type = 'file' ORDER BY id", (sid,))

    def export_summary(self, sid):
        res = self.run_cli('export', sid, '--output-dir', os.path.join(self.tmp, 'out'))
        self.assert_ok(res)
        return self.read_text(os.path.join(self.tmp, 'out', 'context-summary.md'))

    def test_files_and_notes_repeatable_and_mixed(self):
        sid = self.start()
        a = self.write_file('a.md', '# A\n\nalpha ünïcödé ✓\n')
        b = self.write_file('sub/b.txt', 'beta\r\nwith CRLF\r\n')
        res = self.run_cli('add-context', sid, '--file', a, '--note', 'first note',
                           '--file', b, '--note', 'second, "quoted" note')
        self.assert_ok(res)
        doc = self.status(sid)
        self.assertEqual(doc['context_entry_count'], 4)
        self.assertEqual(doc['phase'], 'CONTEXT')
        files = self.stored_files(sid)
        self.assertEqual([f[0] for f in files],
                         ['# A\n\nalpha ünïcödé ✓\n', 'beta\r\nwith CRLF\r\n'],
                         'file content is not stored byte for byte')
        self.assertEqual([f[1] for f in files], [a, b])
        for content, _, sha, size in files:
            self.assertEqual(sha, hashlib.sha256(content.encode()).hexdigest())
            self.assertEqual(size, len(content.encode()))
        self.assertEqual(self.notes(sid), ['first note', 'second, "quoted" note'])

        summary = self.export_summary(sid)
        self.assertIn('## Files', summary)
        self.assertIn('## Notes', summary)
        files_at, notes_at = summary.index('## Files'), summary.index('## Notes')
        self.assertLess(files_at, notes_at, 'Files come before Notes')
        for text in ('alpha ünïcödé ✓', 'beta'):
            self.assertTrue(files_at < summary.index(text) < notes_at, summary)
        self.assertIn('### ' + a, summary[files_at:notes_at])
        self.assertIn('first note', summary[notes_at:])
        self.assertTrue(summary.startswith('# Context Summary — Session ' + sid), summary[:200])

    def test_relative_path_is_stored_absolute(self):
        sid = self.start()
        self.write_file('rel.txt', 'relative\n')
        self.assert_ok(self.run_cli('add-context', sid, '--file', 'rel.txt'))
        self.assertEqual(self.stored_files(sid)[0][1], os.path.join(self.work, 'rel.txt'))

    def test_same_file_again_replaces_its_entry(self):
        sid = self.start()
        path = self.write_file('same.md', 'version one\n')
        self.assert_ok(self.run_cli('add-context', sid, '--file', path))
        self.write_file('same.md', 'version two\n')
        self.assert_ok(self.run_cli('add-context', sid, '--file', path))
        self.assertEqual(self.status(sid)['context_entry_count'], 1)
        self.assertEqual(self.stored_files(sid)[0][0], 'version two\n')

    def bad_files(self):
        good = self.write_file('good.md', 'good content\n')
        link = os.path.join(self.work, 'link.md')
        os.symlink(good, link)
        fifo = os.path.join(self.work, 'fifo')
        os.mkfifo(fifo)
        return good, [
            ('missing', os.path.join(self.work, 'missing.md')),
            ('directory', self.mkdir('work', 'adir')),
            ('symlink', link),
            ('binary', self.write_file('bin.dat', b'text\x00with a NUL\n')),
            ('latin-1', self.write_file('latin1.txt', 'caf\u00e9 cr\u00e8me\n'.encode('latin-1'))),
            ('empty', self.write_file('empty.txt', b'')),
            ('over the cap', self.write_file('big.txt', b'a' * (MIB + 1))),
            ('fifo', fifo),
            ('/dev/null', '/dev/null'),
        ]

    def test_each_bad_file_is_refused_and_nothing_stored(self):
        sid = self.start()
        good, bad = self.bad_files()
        for kind, path in bad:
            with self.subTest(kind=kind):
                res = self.run_cli('add-context', sid, '--file', path, timeout=10)
                self.assertFalse(res.timed_out, 'add-context hung on a %s' % kind)
                self.assert_error(res, 2)
                self.assert_nothing_stored(sid)

    def test_one_bad_file_among_good_ones_stores_nothing(self):
        sid = self.start()
        good, bad = self.bad_files()
        other = self.write_file('other.md', 'other\n')
        for kind, path in bad:
            with self.subTest(kind=kind):
                res = self.run_cli('add-context', sid, '--note', 'a note',
                                   '--file', good, '--file', path, '--file', other,
                                   timeout=10)
                self.assertFalse(res.timed_out, 'add-context hung on a %s' % kind)
                self.assert_error(res, 2)
                self.assert_nothing_stored(sid)

    def test_bad_file_in_context_phase_keeps_what_was_there(self):
        sid = self.start()
        self.add_note(sid, 'kept')
        res = self.run_cli('add-context', sid, '--note', 'not kept', '--file',
                           os.path.join(self.work, 'missing.md'))
        self.assert_error(res, 2)
        self.assert_nothing_stored(sid, phase='CONTEXT', count=1)
        self.assertEqual(self.notes(sid), ['kept'])

    def test_exactly_the_cap_is_accepted(self):
        sid = self.start()
        path = self.write_file('cap.txt', b'b' * MIB)
        self.assert_ok(self.run_cli('add-context', sid, '--file', path))
        content, _, sha, size = self.stored_files(sid)[0]
        self.assertEqual(size, MIB)
        self.assertEqual(len(content), MIB)
        self.assertEqual(sha, hashlib.sha256(b'b' * MIB).hexdigest())

    def test_the_cap_comes_from_the_settings_file(self):
        self.write_settings('[context]\nmax-file-bytes=100\n')
        sid = self.start()
        at_cap = self.write_file('100.txt', b'c' * 100)
        over = self.write_file('101.txt', b'c' * 101)
        self.assert_error(self.run_cli('add-context', sid, '--file', over), 2)
        self.assert_nothing_stored(sid)
        self.assert_ok(self.run_cli('add-context', sid, '--file', at_cap))

        self.write_settings('[context]\nmax-file-bytes=%d\n' % (2 * MIB))
        bigger = self.write_file('big.txt', b'd' * (MIB + 1))
        self.assert_ok(self.run_cli('add-context', sid, '--file', bigger))
        self.assertEqual(self.status(sid)['context_entry_count'], 2)

    def test_a_broken_settings_file_is_reported(self):
        sid = self.start()
        settings = self.write_settings('[context\nmax-file-bytes=100\n')
        good = self.write_file('good.md', 'good\n')
        res = self.run_cli('add-context', sid, '--file', good)
        self.assertIn(res.rc, (1, 2), res)
        self.assert_error(res, res.rc, settings)
        self.assert_nothing_stored(sid)
        self.write_settings('[context]\nmax-file-bytes=lots\n')
        res = self.run_cli('add-context', sid, '--file', good)
        self.assertIn(res.rc, (1, 2), res)
        self.assert_error(res, res.rc, 'max-file-bytes')
        self.assert_nothing_stored(sid)

    def test_refused_in_planning(self):
        sid = self.make_session('PLANNING')
        before = self.status(sid)
        good = self.write_file('good.md', 'good\n')
        for argv in (['--note', 'late'], ['--file', good]):
            with self.subTest(argv=argv[0]):
                self.assert_error(self.run_cli('add-context', sid, *argv), 3, 'PLANNING')
                self.assertEqual(self.status(sid), before)

    def test_notes_keep_their_text(self):
        sid = self.start()
        text = 'line one\nline two, with "quotes"\tand a tab — ünïcödé'
        self.assert_ok(self.run_cli('add-context', sid, '--note', text))
        self.assertEqual(self.notes(sid), [text])


if __name__ == '__main__':
    tap.main()
