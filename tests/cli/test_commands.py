# SPDX-License-Identifier: GPL-3.0-or-later
# Every command in every phase of the lifecycle table of spec/cli.md, and the moves between phases.

import json
import os
import re

import tap
from pwcli import CliTestCase, PLAN_TEXT

# (label, state given to make_session, phase a PAUSED session paused in)
STATES = [
    ('SETUP', 'SETUP', None),
    ('CONTEXT', 'CONTEXT', None),
    ('DISCUSSION', 'DISCUSSION', None),
    ('PLANNING', 'PLANNING', None),
    ('REVIEW', 'REVIEW', None),
    ('COMPLETE', 'COMPLETE', None),
    ('PAUSED_IN_CONTEXT', 'PAUSED', 'CONTEXT'),
    ('PAUSED_IN_PLANNING', 'PAUSED', 'PLANNING'),
    ('PAUSED_IN_REVIEW', 'PAUSED', 'REVIEW'),
]

ALLOWED = {
    'SETUP': {'add-context', 'discuss'},
    'CONTEXT': {'add-context', 'discuss'},
    'DISCUSSION': {'discuss', 'add-context'},
    'PLANNING': {'generate', 'draft', 'review', 'complete'},
    'REVIEW': {'review', 'generate', 'draft', 'complete'},
    'COMPLETE': {'reopen'},
    'PAUSED': {'resume'},
}
ALWAYS = {'status', 'export', 'list'}
# Parsed and checked against the table, then "not available yet" (exit 1).
NOT_YET = set()
# Allowed, then a model call; nothing listens on the test's base URL, so
# the call fails (exit 1) after what is committed before a call.
MODEL_CALL = {'discuss', 'generate', 'review'}

COMMANDS = ['add-context', 'discuss', 'generate', 'draft', 'review',
            'complete', 'reopen', 'resume', 'status', 'export', 'list']


class PhaseTableTest(CliTestCase):
    """One test per command and state, generated below."""

    def argv_for(self, command, sid):
        if command == 'add-context':
            return [command, sid, '--note', 'a note from the matrix']
        if command == 'discuss':
            return [command, sid, 'Hello, planner']
        if command == 'draft':
            return [command, sid, '--file', self.write_file('edit.md', PLAN_TEXT)]
        if command == 'resume':
            return [command, sid, '--answer', 'SQLite']
        if command == 'list':
            return [command]
        return [command, sid]

    def check(self, command, state, paused_in):
        sid = self.make_session(state, paused_in=paused_in)
        before = self.status(sid)
        res = self.run_cli(*self.argv_for(command, sid))
        after = self.status(sid)
        allowed = command in ALWAYS or command in ALLOWED[state]
        if not allowed:
            self.refused(command, state, res, before, after)
        elif command in NOT_YET:
            self.assert_error(res, 1)
            self.assertIn('not available yet', res.err.lower(), res)
            self.assertEqual(after, before,
                             'a command that is not available yet changed the session')
        elif command in MODEL_CALL:
            self.assert_error(res, 1, '127.0.0.1:9')
            if command == 'discuss':
                # The message is committed before the call and kept; the
                # session has moved to DISCUSSION; no reply was stored.
                self.assertEqual((after['phase'], after['status']), ('DISCUSSION', 'ACTIVE'))
                self.assertEqual(after['message_count'], before['message_count'] + 1)
            elif command == 'review':
                # The run is stored and the session is in REVIEW; the failed
                # reviewer call cost nothing and stored no review.
                self.assertEqual((after['phase'], after['status']), ('REVIEW', 'ACTIVE'))
                self.assertEqual(after['review_count'], before['review_count'])
                self.assertEqual(after['draft_count'], before['draft_count'])
            else:
                # Only the failed call's metadata is kept: it cost nothing.
                self.assertEqual(after.pop('total_cost_usd'), 0)
                self.assertEqual(after, before, 'a failed generate changed the session')
        else:
            self.allowed(command, state, sid, res, before, after)

    def refused(self, command, state, res, before, after):
        self.assert_error(res, 3)
        if state == 'PAUSED':
            self.assertRegex(res.err, r'(?i)paus|blocker',
                             'the refusal does not say the session is paused\n%s' % res)
        else:
            self.assertIn(state, res.err,
                          'the refusal does not name the phase\n%s' % res)
        self.assertEqual(after, before, 'a refused command changed the session')

    def allowed(self, command, state, sid, res, before, after):
        self.assert_ok(res)
        unchanged = (before['phase'], before['status'])
        if command == 'add-context':
            phase = 'CONTEXT' if state == 'SETUP' else state
            self.assertEqual((after['phase'], after['status']), (phase, 'ACTIVE'))
            self.assertEqual(after['context_entry_count'],
                             before['context_entry_count'] + 1)
        elif command == 'complete':
            self.assertEqual((after['phase'], after['status']),
                             ('COMPLETE', 'COMPLETE'))
        elif command == 'reopen':
            self.assertEqual((after['phase'], after['status']), ('REVIEW', 'ACTIVE'))
        elif command == 'draft':
            self.assertEqual((after['phase'], after['status']), unchanged)
            self.assertEqual(after['draft_count'], before['draft_count'] + 1)
            self.assertIn('Too few milestones', res.err)
        elif command == 'resume':
            self.assertEqual((after['phase'], after['status']),
                             (before['phase'], 'ACTIVE'))
            self.assertEqual(after['open_blocker_count'], 0)
        elif command == 'status':
            self.assertIn(before['phase'], res.out)
            self.assertEqual((after['phase'], after['status']), unchanged)
        elif command == 'export':
            directory = res.out.strip()
            self.assertTrue(os.path.isfile(os.path.join(directory, 'chat.csv')),
                            'export did not print a directory holding chat.csv\n%s' % res)
            self.assertEqual(after, before)
        elif command == 'list':
            self.assertIn(sid, res.out)
            listed = self.run_cli('list', '--json')
            self.assert_ok(listed)
            rows = [r for r in json.loads(listed.out) if r['id'] == sid]
            self.assertEqual(len(rows), 1, listed)
            self.assertEqual((rows[0]['phase'], rows[0]['status']), unchanged)
            self.assertEqual(after, before)


def _add_matrix():
    for command in COMMANDS:
        for label, state, paused_in in STATES:
            def test(self, command=command, state=state, paused_in=paused_in):
                self.check(command, state, paused_in)
            name = 'test_%s_in_%s' % (command.replace('-', '_'), label)
            test.__name__ = name
            setattr(PhaseTableTest, name, test)


_add_matrix()


class PhaseMoveTest(CliTestCase):

    def test_first_add_context_moves_setup_to_context(self):
        sid = self.start()
        self.assert_state(sid, 'SETUP', 'ACTIVE')
        self.add_note(sid, 'first')
        self.assert_state(sid, 'CONTEXT', 'ACTIVE')
        self.add_note(sid, 'second')
        doc = self.assert_state(sid, 'CONTEXT', 'ACTIVE')
        self.assertEqual(doc['context_entry_count'], 2)

    def test_complete_then_reopen_then_complete_again(self):
        sid = self.make_session('REVIEW')
        self.assert_ok(self.run_cli('complete', sid))
        self.assert_state(sid, 'COMPLETE', 'COMPLETE')
        self.assert_ok(self.run_cli('reopen', sid))
        self.assert_state(sid, 'REVIEW', 'ACTIVE')
        self.assert_ok(self.run_cli('complete', sid))
        self.assert_state(sid, 'COMPLETE', 'COMPLETE')

    def test_complete_refused_while_a_blocker_is_open_in_an_active_session(self):
        sid = self.make_session('REVIEW')
        self.fixture('add-blocker', sid, 'reviewer', 'Which queue?')
        # An open blocker on an ACTIVE session: only the blocker can refuse it.
        self.fixture('set-phase', sid, 'REVIEW', 'ACTIVE')
        self.assert_state(sid, 'REVIEW', 'ACTIVE')
        res = self.run_cli('complete', sid)
        self.assert_error(res, 3)
        self.assertIn('blocker', res.err.lower(), res)
        self.assert_state(sid, 'REVIEW', 'ACTIVE')

    def test_complete_allowed_once_every_blocker_is_answered(self):
        sid = self.make_session('PAUSED', paused_in='PLANNING')
        self.fixture('add-blocker', sid, 'reviewer', 'And the cache?')
        self.assert_error(self.run_cli('complete', sid), 3)
        self.assert_ok(self.run_cli('resume', sid, '--answer', 'a', '--answer', 'b'))
        self.assert_state(sid, 'PLANNING', 'ACTIVE')
        self.assert_ok(self.run_cli('complete', sid))
        self.assert_state(sid, 'COMPLETE', 'COMPLETE')

    def test_resume_on_an_active_session_is_refused(self):
        sid = self.make_session('REVIEW')
        self.assert_error(self.run_cli('resume', sid), 3)
        self.assert_state(sid, 'REVIEW', 'ACTIVE')

    def test_unknown_session_is_exit_3_for_every_session_command(self):
        self.start()
        for argv in (['add-context', 'deadbeef', '--note', 'x'],
                     ['discuss', 'deadbeef', 'hello'],
                     ['generate', 'deadbeef'],
                     ['draft', 'deadbeef', '--file', self.write_file('p.md', PLAN_TEXT)],
                     ['review', 'deadbeef'],
                     ['complete', 'deadbeef'],
                     ['reopen', 'deadbeef'],
                     ['resume', 'deadbeef', '--answer', 'x'],
                     ['status', 'deadbeef'],
                     ['export', 'deadbeef']):
            with self.subTest(command=argv[0]):
                self.assert_error(self.run_cli(*argv), 3, 'deadbeef')


class NotYetAvailableTest(CliTestCase):
    """discuss, generate, draft, review: flags first (2), then the table
    (3), then the work (a model call that fails here, 1)."""

    def test_bad_flags_are_usage_errors_even_in_a_refused_phase(self):
        sid = self.make_session('SETUP')
        cases = [
            ['discuss', sid, 'hi', '--frobnicate'],
            ['discuss', sid],
            ['generate', sid, '--model'],
            ['generate', sid, '--frobnicate'],
            ['draft', sid],
            ['draft', sid, '--file'],
            ['review', sid, '--reviewer-reasoning', 'extreme'],
            ['review', sid, '--complexity', 'simple'],
            ['review', sid, '--max-rounds', 'many'],
            ['review', sid, '--max-rounds'],
            ['review', sid, '--max-cost', 'cheap'],
            ['review', sid, '--reviewer-model'],
            ['review', sid, '--frobnicate'],
        ]
        for argv in cases:
            with self.subTest(argv=' '.join(argv[:1] + argv[2:])):
                self.assert_usage_error(self.run_cli(*argv))
        self.assert_state(sid, 'SETUP', 'ACTIVE')

    def test_every_review_flag_is_accepted(self):
        # Each call starts a run that fails at its first model call; a
        # fresh session each time, since a resumed run refuses other flags.
        repo = self.mkdir('repo')
        for effort in ('none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'):
            with self.subTest(reasoning=effort):
                sid = self.make_session('REVIEW')
                res = self.run_cli('review', sid, '--reviewer-reasoning', effort)
                self.assert_error(res, 1, '127.0.0.1:9')
        for complexity in ('standard', 'complex'):
            with self.subTest(complexity=complexity):
                sid = self.make_session('REVIEW')
                self.assert_error(self.run_cli('review', sid, '--complexity', complexity), 1, '127.0.0.1:9')
        sid = self.make_session('REVIEW')
        res = self.run_cli('review', sid, '--fast', '--max-rounds', '3',
                           '--no-review-history', '--reviewer-model', 'gpt-5.4',
                           '--reviewer-reasoning', 'high', '--complexity', 'complex',
                           '--repo-root', repo, '--max-cost', '1.50')
        self.assert_error(res, 1, '127.0.0.1:9')
        self.assert_state(sid, 'REVIEW', 'ACTIVE')
        # The same flags again resume the unfinished run; other flags are refused
        self.assert_error(self.run_cli('review', sid, '--fast', '--max-rounds', '3',
                                       '--no-review-history', '--reviewer-model', 'gpt-5.4',
                                       '--reviewer-reasoning', 'high', '--complexity', 'complex',
                                       '--repo-root', repo, '--max-cost', '1.50'), 1, '127.0.0.1:9')
        self.assert_error(self.run_cli('review', sid, '--max-rounds', '4'), 2)

    def test_every_discuss_form_is_accepted(self):
        sid = self.make_session('DISCUSSION')
        for argv in (['discuss', sid, 'hello'],
                     ['discuss', sid, 'hello', '--done'],
                     ['discuss', sid, '--done']):
            with self.subTest(argv=' '.join(argv[2:])):
                res = self.run_cli(*argv)
                self.assert_error(res, 1, '127.0.0.1:9')
        # The same failed message twice is stored once; --done did not advance.
        doc = self.assert_state(sid, 'DISCUSSION', 'ACTIVE')
        self.assertEqual(doc['message_count'], 2 + 1)

    def test_generate_model_and_draft_file_are_accepted(self):
        sid = self.make_session('PLANNING')
        res = self.run_cli('generate', sid, '--model', 'claude-sonnet-4-6')
        self.assert_error(res, 1, '127.0.0.1:9')
        res = self.run_cli('draft', sid, '--file', self.write_file('mine.md', PLAN_TEXT))
        self.assert_ok(res)
        doc = self.assert_state(sid, 'PLANNING', 'ACTIVE')
        self.assertEqual(doc['draft_count'], 2, 'draft did not store the hand edit')

    def test_json_does_not_change_the_refusal(self):
        sid = self.make_session('COMPLETE')
        res = self.run_cli('generate', sid, '--json')
        self.assert_error(res, 3, 'COMPLETE')


if __name__ == '__main__':
    tap.main()
