# SPDX-License-Identifier: GPL-3.0-or-later
# review end to end against planwright-fake-llm: round lines, the --json document, exit codes, resuming a killed run.

import json
import os
import random
import signal
import sqlite3
import subprocess
import time

import tap
from pwcli import CliTestCase, PLAN_TEXT

FAKE = os.environ.get('PW_FAKE_LLM', '')
FIXTURES = os.environ.get('PW_FIXTURES_DIR', '')

# A revision in the plan format (tasks with checkboxes): no repair request
REVISED = '''# Plan: demo

## Milestone 1: Store

### Tasks
- [ ] Write the store, with a rollback of its migration.
- [ ] Test it.

### Deliverables
- [ ] The store tests pass.

## Milestone 2: CLI

### Tasks
- [ ] Write the CLI.
- [ ] Test it end to end.

### Deliverables
- [ ] The CLI tests pass.

## Milestone 3: Docs

### Tasks
- [ ] Write the manual page.
- [ ] Check every example in it.

### Deliverables
- [ ] The manual page builds.

<!-- revised -->
'''


def review(verdict, *issues, keep=(), trim=()):
    doc = {'verdict': verdict, 'summary': 'A summary.',
           'issues': [{'severity': s, 'description': d, 'rationale': 'because',
                       'resolution_guidance': '', 'target_section': 'Milestone 1'}
                      for s, d in issues],
           'keep': list(keep), 'trim': list(trim)}
    return {'text': json.dumps(doc), 'provider': 'openai-responses', 'path': '/v1/responses'}


def planner(text):
    return {'text': text, 'provider': 'anthropic', 'path': '/v1/messages'}


def triage(*dispositions):
    return planner(json.dumps([{'index': i, 'disposition': d, 'rationale': 'r'}
                               for i, d in enumerate(dispositions)]))


class ReviewBase(CliTestCase):
    """A fake LLM server per test, scripted; no tests of its own."""

    def start_fake(self, script, delay_ms=0):
        if delay_ms:
            for entry in script:
                entry['delay_ms'] = delay_ms
        path = self.write_file('script-%d.json' % random.randrange(1 << 30), json.dumps(script))
        argv = [FAKE, '--quiet', '--script', path, '--fixtures', FIXTURES]
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.addCleanup(proc.wait)
        self.addCleanup(proc.terminate)
        url = proc.stdout.readline().decode().strip()
        self.assertTrue(url.startswith('http://127.0.0.1:'), url)
        self.env['ANTHROPIC_BASE_URL'] = url
        self.env['OPENAI_BASE_URL'] = url
        return proc

    def rows(self, sql, *args):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()


class ReviewTest(ReviewBase):

    def test_no_go_then_go_accepts_and_hands_off(self):
        self.start_fake([review('NO_GO', ('critical', 'No rollback'), ('minor', 'Typo')),
                         triage('ACCEPT'), planner(REVISED), review('GO')])
        repo = self.mkdir('repo')
        sid = self.make_session('PLANNING')
        res = self.run_cli('review', sid, '--repo-root', repo)
        self.assert_ok(res)
        lines = res.out.splitlines()
        self.assertEqual(len(lines), 2, res)
        self.assertTrue(lines[0].startswith('Round 1: NO_GO — 1 critical, 0 major, 1 minor — 1 accepted'), res)
        self.assertTrue(lines[1].startswith('Round 2: GO'), res)
        self.assertRegex(lines[0], r'tokens, (\$\d+\.\d{4}|cost unknown), \d+\.\d s$')
        status = self.status(sid)
        self.assertEqual((status['phase'], status['status']), ('COMPLETE', 'COMPLETE'))
        handoff = os.path.join(repo, '.kafra', 'a-01-plans', 'demo.md')
        with open(handoff, 'rb') as f:
            self.assertEqual(f.read(), REVISED.encode())

    def test_json_document(self):
        self.start_fake([review('NO_GO', ('major', 'Vague'), ('critical', 'Unsafe')),
                         triage('ACCEPT', 'REJECT'), planner(REVISED), review('GO')])
        sid = self.make_session('PLANNING')
        res = self.run_cli('--json', 'review', sid)
        self.assert_ok(res)
        doc = json.loads(res.out)
        self.assertEqual(set(doc) - {'handoff_path'}, {'id', 'run_id', 'outcome', 'rounds', 'final_draft_id'})
        self.assertEqual((doc['id'], doc['outcome']), (sid, 'accepted'))
        self.assertEqual([r['round'] for r in doc['rounds']], [1, 2])
        first = doc['rounds'][0]
        self.assertEqual(first['issues'], {'critical': 1, 'major': 1, 'minor': 0})
        self.assertEqual(first['dispositions'], {'accept': 1, 'defer': 0, 'reject': 1, 'defaulted': 0})
        self.assertGreater(first['tokens'], 0)
        self.assertIn('cost_usd', first)

    def test_cap_with_criticals_pauses(self):
        self.start_fake([review('NO_GO', ('critical', 'Data loss')), triage('DEFER')])
        sid = self.make_session('PLANNING')
        res = self.run_cli('review', sid, '--max-rounds', '1')
        self.assertEqual(res.rc, 4, res)
        self.assertTrue(res.out.startswith('Round 1: NO_GO — 1 critical'), res)
        self.assertIn('Data loss', res.err)
        status = self.status(sid)
        self.assertEqual(status['status'], 'PAUSED')
        self.assertEqual(status['open_blocker_count'], 1)

    def test_no_draft_is_a_usage_error(self):
        self.start_fake([])
        sid = self.start('demo')
        self.fixture('set-phase', sid, 'PLANNING')
        res = self.run_cli('review', sid)
        self.assert_error(res, 2, 'draft')
        self.assertEqual(self.status(sid)['phase'], 'PLANNING')

    def test_resumed_run_refuses_other_flags(self):
        sid = self.make_session('PLANNING')
        # Nothing listens: the run is stored, its call fails
        self.assert_error(self.run_cli('review', sid, '--max-rounds', '3'), 1)
        self.assert_error(self.run_cli('review', sid, '--max-rounds', '5'), 2)

    STEPS = [(1, 'reviewed'), (1, 'triaged'), (1, 'revised'),
             (2, 'reviewed'), (2, 'triaged'), (2, 'revised'), (3, 'reviewed')]

    def three_round_script(self):
        return [review('NO_GO', ('critical', 'Issue 1')), triage('ACCEPT'), planner(REVISED + '<!-- 1 -->\n'),
                review('NO_GO', ('critical', 'Issue 2')), triage('ACCEPT'), planner(REVISED + '<!-- 2 -->\n'),
                review('GO')]

    def test_sigkill_then_resume(self):
        """A 3-round run killed at random points; `review ID` completes it
        from the last committed step, asking only for what is not stored."""
        rng = random.Random(int(os.environ.get('PW_TEST_SEED', '8')))
        for attempt in range(10):
            with self.subTest(attempt=attempt):
                first = self.start_fake(self.three_round_script(), delay_ms=30)
                sid = self.make_session('PLANNING')
                child = subprocess.Popen([os.environ['PLANWRIGHT_CLI'], '--db-path', self.db, 'review', sid],
                                         env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(0.01, 0.6))
                child.send_signal(signal.SIGKILL)
                child.wait()
                first.terminate()
                first.wait()

                if self.status(sid)['phase'] != 'COMPLETE':
                    runs = self.rows('SELECT step_json FROM review_runs WHERE session_id = ?', sid)
                    done = 0
                    if runs:
                        step = json.loads(runs[-1][0])
                        if 'step' in step:
                            done = self.STEPS.index((step['round'], step['step'])) + 1
                    self.start_fake(self.three_round_script()[done:])
                    res = self.run_cli('review', sid)
                    self.assert_ok(res)
                rounds = [r[0] for r in self.rows(
                    'SELECT round_number FROM reviews WHERE session_id = ? ORDER BY id', sid)]
                self.assertEqual(rounds, [1, 2, 3])
                self.assertEqual(self.rows('PRAGMA integrity_check'), [('ok',)])
                status = self.status(sid)
                self.assertEqual((status['phase'], status['status']), ('COMPLETE', 'COMPLETE'))

if __name__ == '__main__':
    tap.main()
