# SPDX-License-Identifier: GPL-3.0-or-later
# Shared helpers of the black-box planwright-cli tests: a hermetic home per test, running the CLI and the fixture.

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import unittest

CLI = os.environ.get('PLANWRIGHT_CLI', '')
FIXTURE = os.environ.get('PW_FIXTURE', '')

ERROR_RE = re.compile(r'^planwright-cli: error: .+ \(.+\)$')
ID_RE = re.compile(r'^[0-9a-f]{8}$')
# ISO 8601 in UTC: a Z or an explicit zero offset
ISO_UTC_RE = re.compile(
    r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00|\+00)$')

PHASES = ['SETUP', 'CONTEXT', 'DISCUSSION', 'PLANNING', 'REVIEW', 'COMPLETE']

# Keys the status document always has, and those it may have.
STATUS_KEYS = {
    'id', 'project', 'phase', 'status', 'message_count',
    'context_entry_count', 'draft_count', 'review_count',
    'open_blocker_count', 'open_blockers', 'validation_warnings',
    'prompt_drift',
}
STATUS_OPTIONAL_KEYS = {'paused_phase', 'last_round', 'total_cost_usd'}
STATUS_COUNTS = [
    'message_count', 'context_entry_count', 'draft_count', 'review_count',
    'open_blocker_count',
]

MIB = 1024 * 1024

PLAN_TEXT = """# Plan: demo

## Milestone 1: Store

- Write the store.

## Milestone 2: CLI

- Write the CLI.
"""


class Result:
    def __init__(self, args, rc, out, err, timed_out=False):
        self.args = args
        self.rc = rc
        self.out = out
        self.err = err
        self.timed_out = timed_out

    def __str__(self):
        return ('command: %s\nexit: %s%s\nstdout: %r\nstderr: %r'
                % (' '.join(self.args), self.rc,
                   ' (killed after the timeout)' if self.timed_out else '',
                   self.out[:2000], self.err[:2000]))


class CliTestCase(unittest.TestCase):
    """Each test gets its own HOME, XDG_DATA_HOME and XDG_CONFIG_HOME."""

    maxDiff = None

    def setUp(self):
        if not CLI or not os.access(CLI, os.X_OK):
            self.fail('PLANWRIGHT_CLI is not an executable: %r' % CLI)
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix='pw-cli-test-'))
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.home = self.mkdir('home')
        self.data_home = self.mkdir('data')
        self.config_home = self.mkdir('config')
        self.work = self.mkdir('work')
        self.db = os.path.join(self.tmp, 'db', 'planwright.db')

        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('XDG_', 'ANTHROPIC_', 'OPENAI_',
                                    'PLANWRIGHT_', 'PW_'))}
        env.update({
            'HOME': self.home,
            'XDG_DATA_HOME': self.data_home,
            'XDG_CONFIG_HOME': self.config_home,
            'XDG_CACHE_HOME': os.path.join(self.home, '.cache'),
            'XDG_STATE_HOME': os.path.join(self.home, '.local', 'state'),
            'LC_ALL': 'C.UTF-8',
            # Keys in the environment keep the keyring out of it; nothing
            # listens on the discard port, so no call can leave the machine.
            'ANTHROPIC_API_KEY': 'test-key',
            'OPENAI_API_KEY': 'test-key',
            'ANTHROPIC_BASE_URL': 'http://127.0.0.1:9',
            'OPENAI_BASE_URL': 'http://127.0.0.1:9',
        })
        self.env = env
        # Connection failures are retried: keep the waits short.
        settings_dir = os.path.join(self.config_home, 'planwright')
        os.makedirs(settings_dir, exist_ok=True)
        with open(os.path.join(settings_dir, 'settings.ini'), 'w') as f:
            f.write('[network]\nmax-retries=1\nretry-base-delay-ms=10\nretry-max-delay-ms=20\n')

    # files

    def mkdir(self, *parts):
        path = os.path.join(self.tmp, *parts)
        os.makedirs(path, exist_ok=True)
        return path

    def write_file(self, name, content, mode='w'):
        path = name if os.path.isabs(name) else os.path.join(self.work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(content, bytes):
            with open(path, 'wb') as f:
                f.write(content)
        else:
            with open(path, 'w', encoding='utf-8', newline='') as f:
                f.write(content)
        return path

    @staticmethod
    def read_bytes(path):
        with open(path, 'rb') as f:
            return f.read()

    @staticmethod
    def read_text(path):
        with open(path, encoding='utf-8', newline='') as f:
            return f.read()

    def write_settings(self, text):
        return self.write_file(
            os.path.join(self.config_home, 'planwright', 'settings.ini'), text)

    # processes

    def run_cli(self, *args, db=True, input=None, cwd=None, timeout=60,
                env=None):
        """Runs planwright-cli; --db-path goes first unless @db is False."""
        argv = [CLI]
        if db is True:
            argv += ['--db-path', self.db]
        elif db:
            argv += ['--db-path', db]
        argv += [str(a) for a in args]
        return self.run_argv(argv, input=input, cwd=cwd, timeout=timeout,
                             env=env)

    def run_argv(self, argv, input=None, cwd=None, timeout=60, env=None):
        proc = subprocess.Popen(
            argv, cwd=cwd or self.work, env=env or self.env,
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        timed_out = False
        try:
            out, err = proc.communicate(
                input.encode() if input is not None else None,
                timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        return Result(argv, proc.returncode,
                      out.decode('utf-8', 'replace'),
                      err.decode('utf-8', 'replace'), timed_out)

    def fixture(self, *args, db=None):
        if not FIXTURE or not os.access(FIXTURE, os.X_OK):
            self.fail('PW_FIXTURE is not an executable: %r' % FIXTURE)
        res = self.run_argv([FIXTURE, db or self.db] + [str(a) for a in args])
        if res.rc != 0:
            self.fail('pw-fixture failed\n%s' % res)
        return res.out.strip()

    # assertions

    def assert_ok(self, res, msg=''):
        self.assertFalse(res.timed_out, 'hung\n%s' % res)
        self.assertEqual(res.rc, 0, '%s\n%s' % (msg, res))

    def assert_error(self, res, rc, *needles):
        """Exit @rc, empty stdout, one error line naming every needle."""
        self.assertFalse(res.timed_out, 'hung\n%s' % res)
        self.assertEqual(res.rc, rc, 'wrong exit code\n%s' % res)
        self.assertEqual(res.out, '', 'stdout must be empty on error\n%s' % res)
        lines = res.err.splitlines()
        self.assertEqual(len(lines), 1,
                         'expected exactly one stderr line\n%s' % res)
        self.assertRegex(lines[0], ERROR_RE,
                         'not "planwright-cli: error: <what> (<hint>)"\n%s' % res)
        for needle in needles:
            self.assertIn(needle, lines[0], res)

    def assert_usage_error(self, res):
        self.assert_error(res, 2)

    # sessions

    def start(self, project='demo', *extra):
        res = self.run_cli('start', '--project', project, *extra)
        self.assert_ok(res)
        sid = res.out.strip()
        self.assertRegex(sid, ID_RE, res)
        return sid

    def status(self, sid, db=True):
        res = self.run_cli('status', sid, '--json', db=db)
        self.assert_ok(res)
        try:
            return json.loads(res.out)
        except ValueError as e:
            self.fail('status --json is not one JSON document: %s\n%s' % (e, res))

    def assert_state(self, sid, phase, status):
        doc = self.status(sid)
        self.assertEqual((doc['phase'], doc['status']), (phase, status), doc)
        return doc

    def add_note(self, sid, text='a note'):
        self.assert_ok(self.run_cli('add-context', sid, '--note', text))

    def make_session(self, state, project='demo', paused_in=None, extra=()):
        """A session in @state: a phase, or 'PAUSED' (in @paused_in, default
        REVIEW). Reaches it the way a user would as far as the CLI allows,
        then through the fixture."""
        target = (paused_in or 'REVIEW') if state == 'PAUSED' else state
        sid = self.start(project, *extra)
        order = PHASES.index(target)
        if order >= PHASES.index('CONTEXT'):
            self.add_note(sid, 'context for %s' % project)
        if order >= PHASES.index('DISCUSSION'):
            self.fixture('set-phase', sid, 'DISCUSSION')
            self.fixture('add-message', sid, 'user', 'What should we build?')
            self.fixture('add-message', sid, 'assistant', 'A store and a CLI.')
        if order >= PHASES.index('PLANNING'):
            self.fixture('set-phase', sid, 'PLANNING')
            plan = self.write_file('plan-%s.md' % sid, PLAN_TEXT)
            self.fixture('add-draft', sid, plan)
        if order >= PHASES.index('REVIEW'):
            self.fixture('set-phase', sid, 'REVIEW')
            self.fixture('add-review', sid, 1, 'NO_GO', 'major:Say more')
        if order >= PHASES.index('COMPLETE'):
            self.fixture('set-phase', sid, 'COMPLETE', 'COMPLETE')
        if state == 'PAUSED':
            self.fixture('add-blocker', sid, 'reviewer', 'Which database?')
            self.assert_state(sid, target, 'PAUSED')
        else:
            self.assert_state(sid, target,
                              'COMPLETE' if target == 'COMPLETE' else 'ACTIVE')
        return sid

    def sql(self, query, params=(), db=None):
        """Reads the database directly (never while the CLI runs)."""
        con = sqlite3.connect(db or self.db, timeout=30)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()

    def notes(self, sid, db=None):
        return [row[0] for row in self.sql(
            "SELECT content FROM context_entries"
            " WHERE session_id = ? AND entry_type = 'note' ORDER BY id",
            (sid,), db=db)]
