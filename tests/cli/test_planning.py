# SPDX-License-Identifier: GPL-3.0-or-later
# discuss, generate and draft end to end against planwright-fake-llm: streaming, JSON, Ctrl-C, the interactive chat.

import json
import os
import pty
import select
import signal
import sqlite3
import subprocess
import time

import tap
from pwcli import CliTestCase, ERROR_RE

FAKE = os.environ.get('PW_FAKE_LLM', '')
FIXTURES = os.environ.get('PW_FIXTURES_DIR', '')


class PlanningTest(CliTestCase):

    def start_fake(self, script=None):
        argv = [FAKE, '--quiet']
        if script is not None:
            path = self.write_file('script.json', json.dumps(script))
            argv += ['--script', path, '--fixtures', FIXTURES]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.terminate)
        url = proc.stdout.readline().decode().strip()
        self.assertTrue(url.startswith('http://127.0.0.1:'), url)
        self.env['ANTHROPIC_BASE_URL'] = url
        self.env['OPENAI_BASE_URL'] = url
        return url

    def session_in(self, phase='CONTEXT'):
        sid = self.start('demo')
        self.assert_ok(self.run_cli('add-context', sid, '--note', 'Uses PostgreSQL'))
        return sid

    def rows(self, sql, *args):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def test_flow_to_an_exported_plan(self):
        self.start_fake()
        sid = self.session_in()

        res = self.run_cli('discuss', sid, 'Add user registration')
        self.assert_ok(res)
        self.assertEqual(res.out, 'Fake planner: you said “Add user registration”\n')
        self.assertEqual(res.err, '')

        res = self.run_cli('--json', 'discuss', sid, 'Email must be verified')
        self.assert_ok(res)
        doc = json.loads(res.out)
        self.assertEqual(set(doc), {'id', 'message_id', 'reply_id', 'phase'})
        self.assertEqual((doc['id'], doc['phase']), (sid, 'DISCUSSION'))
        self.assertGreater(doc['reply_id'], doc['message_id'])

        res = self.run_cli('discuss', sid, '--done')
        self.assert_ok(res)
        self.assertEqual(res.out, '')
        status = self.status(sid)
        self.assertEqual(status['phase'], 'PLANNING')
        self.assertEqual(status['message_count'], 4)
        self.assertEqual(status['context_entry_count'], 2)   # the note and the synthesis

        res = self.run_cli('generate', sid)
        self.assert_ok(res)
        self.assertIn('## Milestone 1:', res.out)
        self.assertIn('plan format: OK', res.err)

        res = self.run_cli('--json', 'generate', sid, '--model', 'claude-opus-5-5')
        self.assert_ok(res)
        doc = json.loads(res.out)
        self.assertEqual(doc, {'id': sid, 'draft_id': doc['draft_id'], 'draft_number': 2,
                               'author': 'planner', 'valid': True, 'warnings': []})
        self.assertEqual(self.rows('SELECT model FROM plan_drafts WHERE draft_number = 2'),
                         [('claude-opus-5-5',)])

        status = self.status(sid)
        self.assertEqual(status['draft_count'], 2)
        self.assertEqual(status['validation_warnings'], [])
        self.assertIsNotNone(status['total_cost_usd'])
        res = self.run_cli('--json', 'export', sid)
        self.assert_ok(res)
        names = sorted(os.path.basename(f) for f in json.loads(res.out)['files'])
        self.assertIn('plan-draft-2.md', names)
        # Every call left a usage row: 2 turns, synthesis, 2 generations.
        purposes = [r[0] for r in self.rows('SELECT purpose FROM usage ORDER BY id')]
        self.assertEqual(purposes, ['discussion', 'discussion', 'synthesis', 'generation', 'generation'])

    def test_reply_streams_as_it_arrives(self):
        self.start_fake([{'text': 'one two three four five six seven eight nine ten',
                          'provider': 'anthropic', 'deltas': 10, 'chunk': [0, 0], 'interval_ms': 150}])
        sid = self.session_in()
        proc = subprocess.Popen([self.cli_path(), '--db-path', self.db, 'discuss', sid, 'go'],
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = proc.stdout.read1(64)
        first_at = time.monotonic()
        rest = proc.stdout.read()
        proc.wait(30)
        done_at = time.monotonic()
        self.assertEqual(proc.returncode, 0)
        self.assertTrue(first)
        self.assertEqual((first + rest).decode(), 'one two three four five six seven eight nine ten\n')
        # Ten deltas 150 ms apart: the first bytes came well before the end.
        self.assertGreater(done_at - first_at, 0.5)

    def test_ctrl_c_cancels_with_130_and_keeps_only_the_message(self):
        self.start_fake([{'text': 'a slow answer that will never be finished by the planner',
                          'provider': 'anthropic', 'deltas': 20, 'chunk': [0, 0], 'interval_ms': 300}])
        sid = self.session_in()
        proc = subprocess.Popen([self.cli_path(), '--db-path', self.db, 'discuss', sid, 'slowly'],
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.assertTrue(proc.stdout.read1(64))     # text is streaming
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 130, err)
        lines = err.decode().splitlines()
        self.assertEqual(len(lines), 1, err)
        self.assertRegex(lines[0], ERROR_RE)
        self.assertEqual(self.rows('PRAGMA integrity_check'), [('ok',)])
        self.assertEqual(self.rows('SELECT role, content FROM messages'), [('user', 'slowly')])
        # The session can be continued.
        self.assertEqual(self.status(sid)['phase'], 'DISCUSSION')

    def test_provider_error_is_one_line_and_stores_no_reply(self):
        self.start_fake([{'fixture': 'anthropic/error-401-authentication.json'}])
        sid = self.session_in()
        res = self.run_cli('discuss', sid, 'hello')
        self.assert_error(res, 1, '401')
        self.assertNotIn('test-key', res.err)
        self.assertEqual(self.rows('SELECT role FROM messages'), [('user',)])

    def test_draft_stores_a_hand_edit_with_warnings(self):
        sid = self.make_session('PLANNING')
        plan = self.write_file('mine.md', '## Milestone 1: Mine\n### Tasks\n- [ ] a\n')
        res = self.run_cli('--json', 'draft', sid, '--file', plan)
        self.assert_ok(res)
        doc = json.loads(res.out)
        self.assertEqual((doc['author'], doc['valid']), ('user', False))
        self.assertIn('Too few milestones: found 1, expected 3-5.', doc['warnings'])
        self.assertIn('Too few milestones', json.dumps(self.status(sid)['validation_warnings']))
        res = self.run_cli('draft', sid, '--file', os.path.join(self.work, 'missing.md'))
        self.assert_error(res, 2, 'missing.md')

    def interactive(self, sid, lines, close=False):
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(self.cli_path(), [self.cli_path(), '--db-path', self.db, 'discuss', sid,
                                        '--interactive'], self.env)
        seen = b''

        def read_until(needle, timeout=20):
            nonlocal seen
            end = time.monotonic() + timeout
            while needle not in seen and time.monotonic() < end:
                r, _, _ = select.select([fd], [], [], 0.2)
                if r:
                    try:
                        seen += os.read(fd, 4096)
                    except OSError:
                        break
            self.assertIn(needle, seen)

        read_until(b'you> ')
        for line, expect in lines:
            os.write(fd, line.encode() + b'\n')
            read_until(expect.encode())
        if close:
            os.write(fd, b'\x04')       # EOF at the prompt
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(status), seen.decode('utf-8', 'replace')

    def test_interactive_done(self):
        self.start_fake()
        sid = self.session_in()
        code, out = self.interactive(sid, [('hello there', 'you said “hello there”'),
                                           ('/done', 'PLANNING')])
        self.assertEqual(code, 0, out)
        self.assertEqual(self.status(sid)['phase'], 'PLANNING')

    def test_interactive_eof_leaves_without_advancing(self):
        self.start_fake()
        sid = self.session_in()
        code, out = self.interactive(sid, [('first', 'you said “first”')], close=True)
        self.assertEqual(code, 0, out)
        status = self.status(sid)
        self.assertEqual((status['phase'], status['message_count']), ('DISCUSSION', 2))

    def cli_path(self):
        return os.environ['PLANWRIGHT_CLI']


if __name__ == '__main__':
    tap.main()
