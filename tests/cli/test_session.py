# SPDX-License-Identifier: GPL-3.0-or-later
# start, list and status; ids and prefixes; options, help and version; where the database lives and which ones are refused.

import collections
import json
import os
import sqlite3

import tap
from pwcli import (CliTestCase, ID_RE, ISO_UTC_RE, STATUS_COUNTS,
                   STATUS_KEYS, STATUS_OPTIONAL_KEYS)

ALL_COMMANDS = ['start', 'add-context', 'discuss', 'generate', 'draft',
                'review', 'list', 'status', 'resume', 'export', 'complete',
                'reopen']


class StartTest(CliTestCase):

    def test_stdout_is_exactly_the_id_line(self):
        res = self.run_cli('start', '--project', 'demo')
        self.assert_ok(res)
        self.assertRegex(res.out, r'^[0-9a-f]{8}\n$', res)

    def test_json(self):
        res = self.run_cli('start', '--project', 'demo', '--json')
        self.assert_ok(res)
        doc = json.loads(res.out)
        self.assertEqual(set(doc), {'id', 'project', 'phase', 'status'}, doc)
        self.assertRegex(doc['id'], ID_RE)
        self.assertEqual(doc['project'], 'demo')
        self.assertEqual((doc['phase'], doc['status']), ('SETUP', 'ACTIVE'))
        self.assertEqual(self.status(doc['id'])['project'], 'demo')

    def test_ids_are_distinct(self):
        ids = {self.start('p%d' % i) for i in range(5)}
        self.assertEqual(len(ids), 5)

    def test_project_is_required(self):
        self.assert_usage_error(self.run_cli('start'))
        self.assert_usage_error(self.run_cli('start', '--project'))

    def test_model_and_repo_root_are_accepted(self):
        repo = self.mkdir('repo')
        sid = self.start('demo', '--model', 'claude-sonnet-4-6', '--repo-root', repo)
        self.assert_state(sid, 'SETUP', 'ACTIVE')


class ListTest(CliTestCase):

    def list_json(self, *args):
        res = self.run_cli('list', '--json', *args)
        self.assert_ok(res)
        return json.loads(res.out)

    def test_newest_first_in_both_outputs(self):
        ids = [self.start('p%d' % i) for i in range(3)]
        res = self.run_cli('list')
        self.assert_ok(res)
        lines = [l for l in res.out.splitlines() if any(i in l for i in ids)]
        self.assertEqual(len(lines), 3, res)
        for line, sid in zip(lines, reversed(ids)):
            self.assertIn(sid, line, res)
        self.assertEqual([r['id'] for r in self.list_json()], list(reversed(ids)))

    def test_json_rows(self):
        sid = self.start('demo')
        rows = self.list_json()
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual(set(row), {'id', 'project', 'phase', 'status',
                                    'created_at', 'updated_at'}, row)
        self.assertEqual((row['id'], row['project'], row['phase'], row['status']),
                         (sid, 'demo', 'SETUP', 'ACTIVE'))
        self.assertRegex(row['created_at'], ISO_UTC_RE)
        self.assertRegex(row['updated_at'], ISO_UTC_RE)

    def test_empty(self):
        self.assertEqual(self.list_json(), [])
        res = self.run_cli('list', '--json')
        self.assertEqual(res.out.strip(), '[]')
        self.assert_ok(self.run_cli('list'))

    def test_status_filter(self):
        active = self.make_session('CONTEXT', project='a')
        paused = self.make_session('PAUSED', project='b')
        complete = self.make_session('COMPLETE', project='c')
        for value, sid in (('active', active), ('paused', paused),
                           ('complete', complete)):
            with self.subTest(status=value):
                self.assertEqual([r['id'] for r in self.list_json('--status', value)],
                                 [sid])
                res = self.run_cli('list', '--status', value)
                self.assert_ok(res)
                self.assertIn(sid, res.out)
                for other in {active, paused, complete} - {sid}:
                    self.assertNotIn(other, res.out)

    def test_bad_status_is_a_usage_error(self):
        self.start()
        self.assert_usage_error(self.run_cli('list', '--status', 'finished'))
        self.assert_usage_error(self.run_cli('list', '--status'))

    def test_project_filter(self):
        a1 = self.start('alpha')
        self.start('beta')
        a2 = self.start('alpha')
        self.assertEqual([r['id'] for r in self.list_json('--project', 'alpha')],
                         [a2, a1])
        self.assertEqual(self.list_json('--project', 'gamma'), [])
        active_alpha = self.list_json('--project', 'alpha', '--status', 'active')
        self.assertEqual(len(active_alpha), 2)

    def test_updated_at_follows_changes(self):
        sid = self.start()
        before = self.list_json()[0]
        self.add_note(sid)
        after = self.list_json()[0]
        self.assertEqual(after['created_at'], before['created_at'])
        self.assertGreaterEqual(after['updated_at'], before['updated_at'])
        self.assertEqual(after['phase'], 'CONTEXT')


class StatusTest(CliTestCase):

    def check_document(self, doc):
        keys = set(doc)
        self.assertTrue(STATUS_KEYS <= keys, 'missing: %s' % (STATUS_KEYS - keys))
        self.assertTrue(keys <= STATUS_KEYS | STATUS_OPTIONAL_KEYS,
                        'unexpected: %s' % (keys - STATUS_KEYS - STATUS_OPTIONAL_KEYS))
        for key in STATUS_COUNTS:
            self.assertIs(type(doc[key]), int, '%s is not an integer: %r' % (key, doc))
        self.assertIs(type(doc['prompt_drift']), bool)
        self.assertIsInstance(doc['validation_warnings'], list)
        self.assertIsInstance(doc['open_blockers'], list)
        self.assertEqual(len(doc['open_blockers']), doc['open_blocker_count'])

    def test_fresh_session(self):
        sid = self.start('demo')
        doc = self.status(sid)
        self.check_document(doc)
        self.assertEqual((doc['id'], doc['project'], doc['phase'], doc['status']),
                         (sid, 'demo', 'SETUP', 'ACTIVE'))
        for key in STATUS_COUNTS:
            self.assertEqual(doc[key], 0, key)
        self.assertEqual(doc['open_blockers'], [])
        self.assertEqual(doc['validation_warnings'], [])
        self.assertIs(doc['prompt_drift'], False)
        self.assertNotIn('paused_phase', doc)
        self.assertIsNone(doc.get('last_round'))

    def test_prompt_snapshot_and_drift(self):
        sid = self.start('demo')
        con = sqlite3.connect(self.db)
        try:
            (config,) = con.execute(
                'SELECT config_json FROM session_config WHERE session_id = ?',
                (sid,)).fetchone()
            hashes = json.loads(config)['prompt_hashes']
            self.assertIn('planner', hashes)
            self.assertIn('synthesis', hashes)
            for value in hashes.values():
                self.assertRegex(value, r'^sha256:[0-9a-f]{64}$')
            self.assertIs(self.status(sid)['prompt_drift'], False)
            # A session whose snapshot names another synthesis prompt drifts.
            hashes['synthesis'] = 'sha256:' + '0' * 64
            con.execute('INSERT INTO session_config (session_id, config_json, created_at)'
                        " VALUES (?, ?, '2026-01-01T00:00:00.000Z')",
                        (sid, json.dumps({'project': 'demo', 'prompt_hashes': hashes})))
            con.commit()
            self.assertIs(self.status(sid)['prompt_drift'], True)
            self.assertIn('synthesis', self.run_cli('status', sid).out)
            # A session from before snapshots has none, and no warning.
            con.execute('INSERT INTO session_config (session_id, config_json, created_at)'
                        " VALUES (?, '{\"project\": \"demo\"}', '2026-01-02T00:00:00.000Z')",
                        (sid,))
            con.commit()
            self.assertIs(self.status(sid)['prompt_drift'], False)
        finally:
            con.close()

    def test_counts_and_blockers(self):
        sid = self.make_session('REVIEW')   # 1 note, 2 messages, 1 draft, 1 review
        plan = self.write_file('second.md', '# Plan\n\nsecond\n')
        self.fixture('add-draft', sid, plan, 'user')
        self.fixture('add-review', sid, 2, 'NO_GO', 'critical:No tests')
        b1 = int(self.fixture('add-blocker', sid, 'reviewer', 'Which database?'))
        b2 = int(self.fixture('add-blocker', sid, 'user', 'Is "SQLite, 3.40" enough?'))
        doc = self.status(sid)
        self.check_document(doc)
        self.assertEqual((doc['phase'], doc['status']), ('REVIEW', 'PAUSED'))
        self.assertEqual(doc['paused_phase'], 'REVIEW')
        self.assertEqual(doc['message_count'], 2)
        self.assertEqual(doc['context_entry_count'], 1)
        self.assertEqual(doc['draft_count'], 2)
        self.assertEqual(doc['review_count'], 2)
        self.assertEqual(doc['last_round'], 2)
        self.assertEqual(doc['open_blocker_count'], 2)
        self.assertEqual(doc['open_blockers'],
                         [{'id': b1, 'question': 'Which database?'},
                          {'id': b2, 'question': 'Is "SQLite, 3.40" enough?'}])

        res = self.run_cli('status', sid)
        self.assert_ok(res)
        for text in (sid, 'REVIEW', 'PAUSED', 'Which database?',
                     'Is "SQLite, 3.40" enough?'):
            self.assertIn(text, res.out)

    def test_paused_phase_only_while_paused(self):
        sid = self.make_session('PAUSED', paused_in='PLANNING')
        self.assertEqual(self.status(sid)['paused_phase'], 'PLANNING')
        self.assert_ok(self.run_cli('resume', sid, '--answer', 'yes'))
        doc = self.status(sid)
        self.assertNotIn('paused_phase', doc)
        self.assertEqual(doc['open_blockers'], [])
        self.assertEqual(doc['open_blocker_count'], 0)

    def test_total_cost(self):
        sid = self.start()
        self.fixture('add-usage', sid, '0.25')
        self.fixture('add-usage', sid, '0.5')
        self.assertAlmostEqual(self.status(sid)['total_cost_usd'], 0.75)
        self.fixture('add-usage', sid, 'unknown')
        doc = self.status(sid)
        self.assertIn('total_cost_usd', doc)
        self.assertIsNone(doc['total_cost_usd'], 'an unknown cost is null, never a number')

    def test_human_output(self):
        sid = self.start('my-project')
        res = self.run_cli('status', sid)
        self.assert_ok(res)
        for text in (sid, 'my-project', 'SETUP', 'ACTIVE'):
            self.assertIn(text, res.out)


class IdTest(CliTestCase):

    def test_unique_prefixes_of_four_to_eight_characters(self):
        sid = self.start()
        self.start('other')
        for n in range(4, 9):
            with self.subTest(prefix=sid[:n]):
                res = self.run_cli('status', sid[:n], '--json')
                self.assert_ok(res)
                self.assertEqual(json.loads(res.out)['id'], sid)
        self.assert_ok(self.run_cli('add-context', sid[:4], '--note', 'by prefix'))
        self.assertEqual(self.status(sid)['context_entry_count'], 1)

    def test_ambiguous_prefix_lists_the_candidates(self):
        ids = self.fixture('create-sessions', 'many', 1500).split()
        self.assertEqual(len(ids), 1500)
        by_prefix = collections.defaultdict(list)
        for sid in ids:
            by_prefix[sid[:4]].append(sid)
        shared = [p for p, group in by_prefix.items() if len(group) > 1]
        self.assertTrue(shared, 'no two of 1500 ids share 4 characters: are ids random?')
        prefix = shared[0]
        before = self.status(by_prefix[prefix][0])
        res = self.run_cli('add-context', prefix, '--note', 'which one?')
        self.assert_error(res, 3)
        for candidate in by_prefix[prefix]:
            self.assertIn(candidate, res.err, 'the candidates are not listed')
        self.assertEqual(self.status(by_prefix[prefix][0]), before)
        self.assert_error(self.run_cli('status', prefix), 3)
        # One more character that tells them apart is enough.
        a, b = by_prefix[prefix][:2]
        n = next(i for i in range(4, 9) if a[:i] != b[:i])
        self.assertEqual(self.status(a[:n])['id'], a)
        unique = next(p for p, group in by_prefix.items() if len(group) == 1)
        self.assertEqual(self.status(unique)['id'], by_prefix[unique][0])

    def test_unknown_id(self):
        sid = self.start()
        unknown = 'deadbeef' if not sid.startswith('dead') else 'beefdead'
        self.assert_error(self.run_cli('status', unknown), 3, unknown)
        self.assert_error(self.run_cli('status', unknown[:4]), 3)

    def test_malformed_ids_are_usage_errors(self):
        sid = self.start()
        for bad in ('xyz', sid[:3], 'zzzzzzzz', 'ghij', sid[:4] + '-', '', '../x'):
            with self.subTest(id=bad):
                self.assert_usage_error(self.run_cli('status', bad))
                self.assert_usage_error(self.run_cli('add-context', bad, '--note', 'x'))
        self.assertEqual(self.status(sid)['context_entry_count'], 0)

    def test_missing_id(self):
        self.start()
        for command in ('status', 'add-context', 'export', 'complete', 'reopen',
                        'resume', 'discuss', 'generate', 'draft', 'review'):
            with self.subTest(command=command):
                self.assert_usage_error(self.run_cli(command))


class OptionsTest(CliTestCase):

    def test_unknown_flags_and_commands(self):
        sid = self.start()
        for argv in (['status', sid, '--frobnicate'],
                     ['start', '--project', 'x', '--frobnicate'],
                     ['list', '--frobnicate'],
                     ['--frobnicate', 'list'],
                     ['frobnicate'],
                     ['add-context', sid, '--note', 'x', '--frobnicate']):
            with self.subTest(argv=' '.join(argv)):
                self.assert_usage_error(self.run_cli(*argv))
        self.assertEqual(self.status(sid)['context_entry_count'], 0)
        self.assertEqual(len(json.loads(self.run_cli('list', '--json').out)), 1)

    def test_missing_values(self):
        sid = self.start()
        for argv in (['start', '--project'],
                     ['add-context', sid, '--note'],
                     ['add-context', sid, '--file'],
                     ['add-context', sid],
                     ['list', '--project'],
                     ['export', sid, '--output-dir'],
                     ['resume', sid, '--answer']):
            with self.subTest(argv=' '.join(argv)):
                self.assert_usage_error(self.run_cli(*argv))
        self.assert_usage_error(self.run_cli('list', '--db-path', db=False))

    def test_help_on_every_command(self):
        for command in ALL_COMMANDS:
            with self.subTest(command=command):
                res = self.run_cli(command, '--help')
                self.assert_ok(res)
                self.assertIn('usage', res.out.lower(), res)
                self.assertIn(command, res.out, res)
        res = self.run_cli('--help')
        self.assert_ok(res)
        for command in ALL_COMMANDS:
            self.assertIn(command, res.out, 'the global help does not list %s' % command)

    def test_no_command_is_a_usage_error(self):
        self.assert_usage_error(self.run_cli())
        self.assert_usage_error(self.run_cli(db=False))

    def test_version(self):
        res = self.run_cli('--version')
        self.assert_ok(res)
        self.assertRegex(res.out, r'\d+\.\d+')

    def test_global_options_before_or_after_the_command(self):
        sid = self.start()
        for argv in (['--db-path', self.db, '--json', 'status', sid],
                     ['status', sid, '--json', '--db-path', self.db],
                     ['--json', 'status', '--db-path', self.db, sid],
                     ['--verbose', 'status', sid, '--db-path', self.db, '--json'],
                     ['status', '--debug', sid, '--json', '--db-path', self.db]):
            with self.subTest(argv=' '.join(argv)):
                res = self.run_cli(*argv, db=False)
                self.assert_ok(res)
                self.assertEqual(json.loads(res.out)['id'], sid)
        res = self.run_cli('list', '--db-path', self.db, '--json', db=False)
        self.assert_ok(res)
        self.assertEqual([r['id'] for r in json.loads(res.out)], [sid])
        self.assertFalse(os.path.exists(
            os.path.join(self.data_home, 'planwright', 'planwright.db')),
            '--db-path after the command was ignored')

    def test_verbose_and_debug_keep_stdout_clean(self):
        res = self.run_cli('--verbose', '--debug', 'start', '--project', 'p')
        self.assert_ok(res)
        self.assertRegex(res.out, r'^[0-9a-f]{8}\n$')

    def test_debug_never_shows_api_keys(self):
        env = dict(self.env, ANTHROPIC_API_KEY='sk-ant-secret-4711',
                   OPENAI_API_KEY='sk-openai-secret-4712')
        sid = self.make_session('REVIEW')
        for argv in (['start', '--project', 'p'], ['status', sid], ['list'],
                     ['generate', sid], ['review', sid], ['discuss', sid, 'hi']):
            with self.subTest(command=argv[0]):
                res = self.run_cli('--debug', '--verbose', *argv, env=env)
                self.assertNotIn('secret-47', res.out + res.err, res)


class DatabasePathTest(CliTestCase):

    def test_default_path(self):
        res = self.run_cli('start', '--project', 'p', db=False)
        self.assert_ok(res)
        default = os.path.join(self.data_home, 'planwright', 'planwright.db')
        self.assertTrue(os.path.isfile(default), 'no database at %s' % default)
        self.assertFalse(os.path.exists(self.db))
        sid = res.out.strip()
        self.assertEqual(self.status(sid, db=False)['id'], sid)
        self.assertEqual(self.sql('SELECT id FROM sessions', db=default), [(sid,)])

    def test_bare_file_name_is_in_the_current_directory(self):
        res = self.run_cli('start', '--project', 'p', db='bare.db')
        self.assert_ok(res)
        self.assertTrue(os.path.isfile(os.path.join(self.work, 'bare.db')))
        self.assertFalse(os.path.exists(
            os.path.join(self.data_home, 'planwright', 'planwright.db')))

    def test_parent_directories_are_created(self):
        db = os.path.join(self.tmp, 'a', 'b', 'c', 'x.db')
        res = self.run_cli('start', '--project', 'p', db=db)
        self.assert_ok(res)
        self.assertTrue(os.path.isfile(db))

    def test_a_folder_is_not_a_database(self):
        folder = self.mkdir('a-folder')
        self.assert_error(self.run_cli('list', db=folder), 1)
        self.assertEqual(os.listdir(folder), [])

    def assert_refused_untouched(self, db, codes, *needles):
        directory = os.path.dirname(db)
        main_before = self.read_bytes(db)
        names_before = sorted(os.listdir(directory))
        for argv in (['list'], ['start', '--project', 'p'], ['status', 'abcd']):
            with self.subTest(command=argv[0]):
                res = self.run_cli(*argv, db=db)
                self.assertIn(res.rc, codes, res)
                self.assert_error(res, res.rc)
                for needle in needles:
                    self.assertIn(needle, res.err.lower(), res)
                self.assertEqual(self.read_bytes(db), main_before,
                                 'the refused database was modified')
                leftovers = sorted(set(os.listdir(directory)) - set(names_before))
                self.assertFalse([n for n in leftovers
                                  if not n.endswith(('-wal', '-shm', '-journal'))],
                                 'files left next to a refused database: %s' % leftovers)

    def test_newer_schema_is_refused_and_left_untouched(self):
        self.start()
        con = sqlite3.connect(self.db)
        con.execute('PRAGMA user_version = 99')
        con.commit()
        con.close()
        self.assertFalse(os.path.exists(self.db + '-wal')
                         and os.path.getsize(self.db + '-wal') > 0)
        self.assert_refused_untouched(self.db, (1,), 'newer')

    def test_other_sqlite_database_is_refused(self):
        db = os.path.join(self.tmp, 'other', 'other.db')
        os.makedirs(os.path.dirname(db))
        con = sqlite3.connect(db)
        con.execute('CREATE TABLE recipes (name TEXT)')
        con.execute("INSERT INTO recipes VALUES ('bread')")
        con.commit()
        con.close()
        self.assert_refused_untouched(db, (1, 2))

    def test_a_file_that_is_not_sqlite_is_refused(self):
        db = self.write_file(os.path.join(self.tmp, 'notes', 'notes.txt'),
                             'These are my notes, not a database.\n' * 200)
        self.assert_refused_untouched(db, (1, 2))


if __name__ == '__main__':
    tap.main()
