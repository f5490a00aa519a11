# SPDX-License-Identifier: GPL-3.0-or-later
# resume: answering blockers from --answer or a terminal, and returning to the phase the session paused in.

import os
import pty
import select
import signal
import subprocess
import time

import tap
from pwcli import CliTestCase, CLI


class ResumeTest(CliTestCase):

    def blockers(self, sid):
        return self.sql('SELECT id, question, answer, status FROM blockers'
                        ' WHERE session_id = ? ORDER BY id', (sid,))

    def paused_with(self, phase, *questions):
        sid = self.make_session(phase)
        for q in questions:
            self.fixture('add-blocker', sid, 'reviewer', q)
        self.assert_state(sid, phase, 'PAUSED')
        return sid

    def test_answers_in_order_then_back_to_the_paused_phase(self):
        sid = self.paused_with('REVIEW', 'Which database?', 'Which queue?')
        res = self.run_cli('resume', sid, '--answer', 'SQLite', '--answer', 'none, "yet"')
        self.assert_ok(res)
        rows = self.blockers(sid)
        self.assertEqual([(r[1], r[2], r[3]) for r in rows],
                         [('Which database?', 'SQLite', 'resolved'),
                          ('Which queue?', 'none, "yet"', 'resolved')])
        doc = self.assert_state(sid, 'REVIEW', 'ACTIVE')
        self.assertEqual(doc['open_blocker_count'], 0)

    def test_returns_to_each_phase(self):
        for phase in ('CONTEXT', 'DISCUSSION', 'PLANNING'):
            with self.subTest(phase=phase):
                sid = self.paused_with(phase, 'Why?')
                self.assert_ok(self.run_cli('resume', sid, '--answer', 'because'))
                self.assert_state(sid, phase, 'ACTIVE')

    def test_too_few_answers_without_a_terminal_stores_nothing(self):
        sid = self.paused_with('REVIEW', 'One?', 'Two?', 'Three?')
        before = self.blockers(sid)
        res = self.run_cli('resume', sid, '--answer', 'only one')
        self.assert_error(res, 2)
        self.assertEqual(self.blockers(sid), before, 'an answer was stored')
        self.assert_state(sid, 'REVIEW', 'PAUSED')

    def test_no_answers_without_a_terminal(self):
        sid = self.paused_with('PLANNING', 'One?')
        res = self.run_cli('resume', sid, input='an answer on a pipe\n')
        self.assert_error(res, 2)
        self.assertEqual(self.blockers(sid)[0][2], None)
        self.assert_state(sid, 'PLANNING', 'PAUSED')

    def test_status_shows_open_questions(self):
        sid = self.paused_with('REVIEW', 'Which database?', 'Which queue?')
        res = self.run_cli('status', sid)
        self.assert_ok(res)
        self.assertIn('Which database?', res.out)
        self.assertIn('Which queue?', res.out)
        doc = self.status(sid)
        self.assertEqual([b['question'] for b in doc['open_blockers']],
                         ['Which database?', 'Which queue?'])
        self.assertEqual(doc['paused_phase'], 'REVIEW')

    def test_answers_by_prefix_id(self):
        sid = self.paused_with('REVIEW', 'Which database?')
        self.assert_ok(self.run_cli('resume', sid[:5], '--answer', 'SQLite'))
        self.assert_state(sid, 'REVIEW', 'ACTIVE')

    def test_interactive_on_a_terminal(self):
        sid = self.paused_with('REVIEW', 'Which database?', 'Which queue?')
        master, slave = pty.openpty()
        proc = subprocess.Popen([CLI, '--db-path', self.db, 'resume', sid],
                                stdin=slave, stdout=slave, stderr=slave,
                                cwd=self.work, env=self.env, start_new_session=True)
        os.close(slave)
        seen = b''
        questions = [b'Which database?', b'Which queue?']
        answers = [b'PostgreSQL\n', b'a queue table\n']
        answered = 0
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.2)
                if ready:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        break
                    if not chunk:
                        break
                    seen += chunk
                    # Answer each question once the terminal has shown it.
                    while answered < len(answers) and questions[answered] in seen:
                        os.write(master, answers[answered])
                        answered += 1
                if proc.poll() is not None:
                    break
            else:
                os.killpg(proc.pid, signal.SIGKILL)
                self.fail('interactive resume hung; terminal showed %r' % seen)
            proc.wait(timeout=10)
        finally:
            os.close(master)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.assertEqual(proc.returncode, 0, seen)
        self.assertIn(b'Which database?', seen)
        self.assertIn(b'Which queue?', seen)
        self.assertEqual([r[2] for r in self.blockers(sid)],
                         ['PostgreSQL', 'a queue table'])
        self.assert_state(sid, 'REVIEW', 'ACTIVE')


if __name__ == '__main__':
    tap.main()
