# SPDX-License-Identifier: GPL-3.0-or-later
# review from outside: stall and budget pauses, --debug, and the exported
# a-NN series and hand-off compared byte for byte with golden files.

import json
import os

import tap
from test_review import ReviewBase, REVISED, planner, review, triage

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'golden')
# PW_UPDATE_GOLDEN=1 rewrites the golden files from this run (then review the diff)
UPDATE = os.environ.get('PW_UPDATE_GOLDEN') == '1'
SERIES = ['a-01-plan.md', 'a-02-review.md', 'a-03-plan.md', 'a-04-review.md', 'a-05-plan-final.md']


class ReviewOutcomeTest(ReviewBase):

    def test_stall_pauses_with_exit_4(self):
        same = ('critical', 'Passwords are stored in plain text')
        self.start_fake([review('NO_GO', same), triage('ACCEPT'), planner(REVISED + '<!-- 1 -->\n'),
                         review('NO_GO', same), triage('ACCEPT'), planner(REVISED + '<!-- 2 -->\n'),
                         review('NO_GO', same), triage('ACCEPT')])
        sid = self.make_session('PLANNING')
        res = self.run_cli('review', sid)
        self.assertEqual(res.rc, 4, res)
        self.assertEqual(len(res.out.splitlines()), 3, res)
        self.assertIn('stalled', res.err)
        status = self.status(sid)
        self.assertEqual((status['phase'], status['status']), ('REVIEW', 'PAUSED'))
        self.assertIn('plain text', status['open_blockers'][0]['question'])

    def test_budget_pauses_before_the_call(self):
        self.start_fake([review('GO')])
        sid = self.make_session('PLANNING')
        res = self.run_cli('--json', 'review', sid, '--max-cost', '0.000001')
        self.assertEqual(res.rc, 4, res)
        doc = json.loads(res.out)
        self.assertEqual((doc['outcome'], doc['rounds']), ('paused', []))
        status = self.status(sid)
        self.assertEqual(status['status'], 'PAUSED')
        self.assertIn('--max-cost', status['open_blockers'][0]['question'])
        self.assertEqual(status['review_count'], 0)
        # No call was made, so nothing was billed
        self.assertEqual(self.rows("SELECT count(*) FROM usage WHERE purpose = 'review'"), [(0,)])

    def test_nothing_accepted_ends_the_run(self):
        self.start_fake([review('NO_GO', ('major', 'Out of scope idea'), ('minor', 'Typo')),
                         triage('REJECT')])
        sid = self.make_session('PLANNING')
        res = self.run_cli('review', sid)
        self.assert_ok(res)
        self.assertEqual(len(res.out.splitlines()), 1, res)
        self.assertIn('0 accepted, 0 deferred, 1 rejected', res.out)
        self.assertEqual(self.status(sid)['phase'], 'COMPLETE')

    def test_debug_shows_the_raw_answer_on_stderr(self):
        self.start_fake([review('GO')])
        sid = self.make_session('PLANNING')
        res = self.run_cli('--debug', 'review', sid)
        self.assert_ok(res)
        self.assertIn('DEBUG OUTPUT', res.err)
        self.assertIn('"verdict": "GO"', res.err)
        self.assertNotIn('DEBUG OUTPUT', res.out)

    def check_golden(self, folder, files):
        for name, path in files:
            with open(path, 'rb') as f:
                got = f.read()
            golden = os.path.join(GOLDEN, folder, name)
            if UPDATE:
                with open(golden, 'wb') as f:
                    f.write(got)
                continue
            with open(golden, 'rb') as f:
                want = f.read()
            self.assertEqual(got.decode(), want.decode(), '%s differs from %s' % (path, golden))

    def run_series(self, script, *flags):
        self.start_fake(script)
        repo = self.mkdir('repo')
        sid = self.make_session('PLANNING', project='Invoice PDF export')
        self.assert_ok(self.run_cli('review', sid, '--repo-root', repo, *flags))
        out = self.mkdir('out')
        self.assert_ok(self.run_cli('export', sid, '--output-dir', out))
        handoff = os.path.join(repo, '.kafra', 'a-01-plans', 'Invoice_PDF_export.md')
        return out, handoff

    def test_golden_review_series(self):
        out, handoff = self.run_series([
            review('NO_GO', ('critical', 'No rollback'), ('major', 'Vague tests'), ('minor', 'Typo'),
                   keep=['Small milestones'], trim=['The admin dashboard']),
            triage('ACCEPT', 'DEFER'), planner(REVISED), review('GO', keep=['Small milestones'])])
        self.assertEqual(sorted(n for n in os.listdir(out) if n.startswith('a-')), SERIES)
        self.check_golden('review-series', [(n, os.path.join(out, n)) for n in SERIES]
                          + [('handoff.md', handoff)])
        # The hand-off is exactly the accepted plan
        with open(handoff, 'rb') as f:
            self.assertEqual(f.read(), REVISED.encode())

    def test_golden_fast_series(self):
        out, handoff = self.run_series([
            review('NO_GO', ('major', 'Vague tests')), planner(REVISED), review('GO')], '--fast')
        self.assertEqual(sorted(n for n in os.listdir(out) if n.startswith('a-')), SERIES)
        self.check_golden('review-series-fast', [(n, os.path.join(out, n)) for n in SERIES]
                          + [('handoff.md', handoff)])
        with open(os.path.join(out, 'a-02-review.md'), encoding='utf-8') as f:
            self.assertIn('[FAST MODE]', f.read())
        with open(handoff, 'rb') as f:
            self.assertEqual(f.read(), REVISED.encode())


if __name__ == '__main__':
    tap.main()
