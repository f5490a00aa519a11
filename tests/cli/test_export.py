# SPDX-License-Identifier: GPL-3.0-or-later
# export and complete: where files go, chat.csv quoting, drafts, the hand-off and its backups, names that must not escape.

import csv
import io
import json
import os

import tap
from pwcli import CliTestCase, ISO_UTC_RE, PLAN_TEXT

MESSAGES = [
    ('user', 'plain'),
    ('assistant', 'a, comma'),
    ('user', 'say "hi"'),
    ('assistant', 'two\nlines'),
    ('user', 'crlf\r\ninside'),
    ('assistant', '"quoted, with comma"\nand newline'),
    ('user', ' leading and trailing spaces '),
    ('assistant', 'ünïcödé — ✓'),
]


class ExportTest(CliTestCase):

    def session_dir(self, sid):
        return os.path.join(self.data_home, 'planwright', 'sessions', sid)

    def walk_files(self):
        for root, _, names in os.walk(self.tmp):
            for name in names:
                yield os.path.join(root, name)

    def test_default_directory(self):
        sid = self.start()
        res = self.run_cli('export', sid)
        self.assert_ok(res)
        lines = res.out.splitlines()
        self.assertEqual(len(lines), 1, res)
        self.assertEqual(os.path.realpath(lines[0]), self.session_dir(sid))
        self.assertEqual(sorted(os.listdir(self.session_dir(sid))),
                         ['chat.csv', 'context-summary.md'],
                         'an empty session exports two files')

    def test_output_dir(self):
        sid = self.start()
        out = os.path.join(self.tmp, 'exports', 'nested')
        res = self.run_cli('export', sid, '--output-dir', out)
        self.assert_ok(res)
        self.assertEqual(os.path.realpath(res.out.strip()), out)
        self.assertTrue(os.path.isfile(os.path.join(out, 'chat.csv')))
        self.assertFalse(os.path.exists(self.session_dir(sid)))

    def test_relative_output_dir(self):
        sid = self.start()
        res = self.run_cli('export', sid, '--output-dir', 'rel-out')
        self.assert_ok(res)
        self.assertTrue(os.path.isfile(os.path.join(self.work, 'rel-out', 'chat.csv')))

    def test_json(self):
        sid = self.make_session('PLANNING')
        self.fixture('add-draft', sid, self.write_file('d2.md', 'second draft\n'), 'user')
        out = os.path.join(self.tmp, 'out')
        res = self.run_cli('export', sid, '--output-dir', out, '--json')
        self.assert_ok(res)
        doc = json.loads(res.out)
        self.assertEqual(set(doc), {'id', 'directory', 'files'}, doc)
        self.assertEqual(doc['id'], sid)
        self.assertEqual(os.path.realpath(doc['directory']), out)
        names = [os.path.basename(f) for f in doc['files']]
        for f in doc['files']:
            self.assertTrue(os.path.isfile(os.path.join(doc['directory'], f)), f)
        self.assertEqual(sorted(names), sorted(os.listdir(out)),
                         'files listed and files written differ (temp files left?)')
        for name in ('chat.csv', 'context-summary.md', 'plan-draft-1.md',
                     'plan-draft-2.md'):
            self.assertIn(name, names)

    def test_chat_csv_quoting(self):
        sid = self.start()
        ids = [int(self.fixture('add-message', sid, role, text))
               for role, text in MESSAGES]
        out = os.path.join(self.tmp, 'out')
        self.assert_ok(self.run_cli('export', sid, '--output-dir', out))
        raw = self.read_bytes(os.path.join(out, 'chat.csv'))
        self.assertFalse(raw.startswith(b'\xef\xbb\xbf'), 'no BOM')
        self.assertTrue(raw.startswith(b'id,timestamp,role,content\r\n'), raw[:80])
        self.assertIn(b'"say ""hi"""', raw)
        self.assertIn(b'"a, comma"', raw)
        self.assertIn(b'"two\nlines"', raw, 'a newline inside a field is kept, quoted')
        self.assertTrue(raw.endswith(b'\r\n'), 'records end with CRLF')
        rows = list(csv.reader(io.StringIO(raw.decode('utf-8'), newline='')))
        self.assertEqual(rows[0], ['id', 'timestamp', 'role', 'content'])
        body = rows[1:]
        self.assertEqual(len(body), len(MESSAGES), rows)
        self.assertEqual([int(r[0]) for r in body], ids, 'rows are ordered by id')
        self.assertEqual([(r[2], r[3]) for r in body], MESSAGES)
        for r in body:
            self.assertRegex(r[1], ISO_UTC_RE)

    def test_drafts_and_idempotence(self):
        sid = self.make_session('PLANNING')
        second = '# Plan v2\n\n- with "quotes", commas\n'
        self.fixture('add-draft', sid, self.write_file('v2.md', second), 'user')
        out = os.path.join(self.tmp, 'out')
        self.assert_ok(self.run_cli('export', sid, '--output-dir', out))
        self.assertEqual(self.read_text(os.path.join(out, 'plan-draft-1.md')), PLAN_TEXT)
        self.assertEqual(self.read_text(os.path.join(out, 'plan-draft-2.md')), second)
        first = {n: self.read_bytes(os.path.join(out, n)) for n in os.listdir(out)}
        self.assert_ok(self.run_cli('export', sid, '--output-dir', out))
        again = {n: self.read_bytes(os.path.join(out, n)) for n in os.listdir(out)}
        self.assertEqual(again, first, 'a second export changed the files')

    def test_allowed_in_every_phase_and_while_paused(self):
        sid = self.start()
        self.add_note(sid)
        for phase, status in (('CONTEXT', 'ACTIVE'), ('DISCUSSION', 'ACTIVE'),
                              ('PLANNING', 'ACTIVE'), ('REVIEW', 'ACTIVE'),
                              ('REVIEW', 'PAUSED'), ('COMPLETE', 'COMPLETE'),
                              ('SETUP', 'ACTIVE')):
            with self.subTest(phase=phase, status=status):
                self.fixture('set-phase', sid, phase, status)
                res = self.run_cli('export', sid, '--output-dir',
                                   os.path.join(self.tmp, phase + status))
                self.assert_ok(res)

    def test_export_never_writes_the_handoff(self):
        repo = self.mkdir('repo')
        sid = self.make_session('REVIEW', extra=('--repo-root', repo))
        self.assert_ok(self.run_cli('export', sid))
        self.assertFalse(os.path.exists(os.path.join(repo, '.kafra')))


class CompleteTest(CliTestCase):

    def handoff(self, repo, name='demo'):
        return os.path.join(repo, '.kafra', 'a-01-plans', name + '.md')

    def test_complete_exports_and_writes_the_handoff(self):
        repo = self.mkdir('repo')
        sid = self.make_session('REVIEW', extra=('--repo-root', repo))
        final = '# Plan, final\n\nthe reviewed one\n'
        self.fixture('add-draft', sid, self.write_file('final.md', final))
        res = self.run_cli('complete', sid)
        self.assert_ok(res)
        self.assert_state(sid, 'COMPLETE', 'COMPLETE')
        self.assertEqual(self.read_text(self.handoff(repo)), final,
                         'the hand-off is not the latest draft')
        exported = os.path.join(self.data_home, 'planwright', 'sessions', sid)
        self.assertTrue(os.path.isfile(os.path.join(exported, 'chat.csv')),
                        'complete did not export')
        self.assertTrue(os.path.isfile(os.path.join(exported, 'plan-draft-2.md')))

    def test_complete_writes_the_review_series(self):
        repo = self.mkdir('repo')
        sid = self.make_session('PLANNING', extra=('--repo-root', repo))
        revised = '# Plan, revised\n\nafter round 1\n'
        self.fixture('add-review', sid, 1, 'NO_GO', 'critical:No rollback story',
                     'minor:Typo')
        self.fixture('add-draft', sid, self.write_file('r1.md', revised), 'planner', 1)
        self.fixture('add-review', sid, 2, 'GO')
        self.fixture('set-phase', sid, 'REVIEW')
        out = os.path.join(self.data_home, 'planwright', 'sessions', sid)
        self.assert_ok(self.run_cli('complete', sid))
        series = sorted(n for n in os.listdir(out) if n.startswith('a-'))
        self.assertEqual(series, ['a-01-plan.md', 'a-02-review.md', 'a-03-plan.md',
                                  'a-04-review.md', 'a-05-plan-final.md'])
        self.assertEqual(self.read_text(os.path.join(out, 'a-01-plan.md')), PLAN_TEXT)
        self.assertEqual(self.read_text(os.path.join(out, 'a-03-plan.md')), revised)
        self.assertEqual(self.read_text(os.path.join(out, 'a-05-plan-final.md')), revised)
        review = self.read_text(os.path.join(out, 'a-02-review.md'))
        for text in ('Round 1', 'NO_GO', 'CRITICAL', 'No rollback story'):
            self.assertIn(text, review)
        self.assertIn('GO', self.read_text(os.path.join(out, 'a-04-review.md')))
        self.assertEqual(self.read_text(self.handoff(repo)), revised)

    def test_relative_repo_root_is_kept_absolute(self):
        self.mkdir('work', 'repo')
        sid = self.make_session('PLANNING', extra=('--repo-root', 'repo'))
        elsewhere = self.mkdir('elsewhere')
        self.assert_ok(self.run_cli('complete', sid, cwd=elsewhere))
        self.assertTrue(os.path.isfile(self.handoff(os.path.join(self.work, 'repo'))))
        self.assertFalse(os.path.exists(os.path.join(elsewhere, 'repo')))

    def test_an_existing_different_handoff_is_backed_up(self):
        repo = self.mkdir('repo')
        target = self.handoff(repo)
        self.write_file(target, 'an older plan\n')
        sid = self.make_session('PLANNING', extra=('--repo-root', repo))
        self.assert_ok(self.run_cli('complete', sid))
        self.assertEqual(self.read_text(target), PLAN_TEXT)
        plans = os.path.dirname(target)
        backups = [n for n in os.listdir(plans) if n.startswith('demo.md.bak-')]
        self.assertEqual(len(backups), 1, os.listdir(plans))
        self.assertEqual(self.read_text(os.path.join(plans, backups[0])), 'an older plan\n')

    def test_an_identical_handoff_is_not_backed_up(self):
        repo = self.mkdir('repo')
        target = self.handoff(repo)
        self.write_file(target, PLAN_TEXT)
        sid = self.make_session('PLANNING', extra=('--repo-root', repo))
        self.assert_ok(self.run_cli('complete', sid))
        self.assertEqual(sorted(os.listdir(os.path.dirname(target))), ['demo.md'])

    def test_no_repo_root_skips_the_handoff_with_a_note(self):
        sid = self.make_session('PLANNING')
        res = self.run_cli('complete', sid)
        self.assert_ok(res)
        self.assertRegex(res.err, r'(?i)hand-?off|repo',
                         'no note on stderr about the skipped hand-off\n%s' % res)
        self.assert_state(sid, 'COMPLETE', 'COMPLETE')
        self.assertFalse([f for f in ExportTest.walk_files(self) if '.kafra' in f])

    def test_project_names_never_escape(self):
        repo = self.mkdir('box', 'repo')
        for project in ('../evil', '../../evil2', 'sub/dir', '..'):
            with self.subTest(project=project):
                sid = self.make_session('PLANNING', project=project,
                                        extra=('--repo-root', repo))
                self.assert_ok(self.run_cli('complete', sid))
        plans = os.path.join(repo, '.kafra', 'a-01-plans')
        written = os.listdir(plans)
        self.assertEqual(len(written), 4, written)
        for name in written:
            self.assertRegex(name, r'^[A-Za-z0-9._-]+\.md$')
            self.assertTrue(os.path.isfile(os.path.join(plans, name)))
        outside = [f for f in ExportTest.walk_files(self)
                   if f.endswith('.md') and not f.startswith(plans + os.sep)
                   and not f.startswith(self.data_home + os.sep)
                   and not f.startswith(self.work + os.sep)]
        self.assertEqual(outside, [], 'a hand-off escaped its directory')

    def test_a_failed_export_does_not_complete(self):
        sid = self.make_session('PLANNING')
        sessions = os.path.join(self.data_home, 'planwright', 'sessions')
        os.makedirs(sessions)
        self.write_file(os.path.join(sessions, sid), 'a file where the directory goes\n')
        res = self.run_cli('complete', sid)
        self.assert_error(res, 1)
        self.assert_state(sid, 'PLANNING', 'ACTIVE')


if __name__ == '__main__':
    tap.main()
