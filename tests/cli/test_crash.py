# SPDX-License-Identifier: GPL-3.0-or-later
# SIGKILL at random moments: the database stays intact and every note whose command succeeded is kept.

import os
import random
import signal
import subprocess
import sys
import time

import tap
from pwcli import CliTestCase, CLI, ID_RE

SEED = int(os.environ.get('PW_CRASH_SEED', str(int(time.time()))))

LOOP = r'''
i=1
while [ "$i" -le 1000 ]; do
  "$CLI" --db-path "$DB" add-context "$SID" --note "note-$ROUND-$i" && echo "note-$ROUND-$i" >> "$LOG"
  i=$((i + 1))
done
'''


class CrashTest(CliTestCase):

    seed_shown = False

    def setUp(self):
        super().setUp()
        self.random = random.Random('%d-%s' % (SEED, self.id()))
        if not CrashTest.seed_shown:
            CrashTest.seed_shown = True
            sys.stdout.write('# PW_CRASH_SEED=%d (set it to replay these kills)\n' % SEED)

    def check_database(self, sid, logged, attempted):
        self.assertEqual(self.sql('PRAGMA integrity_check'), [('ok',)])
        self.assertEqual(self.sql('PRAGMA foreign_key_check'), [])
        notes = self.notes(sid)
        self.assertEqual(len(notes), len(set(notes)), 'a note was stored twice')
        missing = [n for n in logged if n not in set(notes)]
        self.assertEqual(missing, [], 'notes whose command exited 0 are gone')
        strange = [n for n in notes if n not in attempted]
        self.assertEqual(strange, [], 'notes nobody added')
        # The CLI itself still works on what the crash left, and counts it.
        doc = self.status(sid)
        rows = self.sql('SELECT count(*) FROM context_entries WHERE session_id = ?',
                        (sid,))[0][0]
        self.assertEqual(doc['context_entry_count'], rows)
        return notes

    def read_log(self, log):
        if not os.path.exists(log):
            return []
        with open(log) as f:
            text = f.read()
        # A line cut by the kill has no newline: its command exited 0 all
        # the same, but we cannot be sure of its name.
        return [line for line in text.split('\n')[:-1] if line]

    def test_killed_shell_loop_ten_times(self):
        sid = self.start()
        log = os.path.join(self.tmp, 'done.log')
        logged, attempted = [], set()
        for round_ in range(10):
            delay = self.random.uniform(0.2, 3.0)
            env = dict(self.env, CLI=CLI, DB=self.db, SID=sid, LOG=log,
                       ROUND=str(round_))
            proc = subprocess.Popen(['sh', '-c', LOOP], env=env, cwd=self.work,
                                    stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE,
                                    start_new_session=True)
            time.sleep(delay)
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
            attempted |= {'note-%d-%d' % (round_, i) for i in range(1, 1001)}
            logged = self.read_log(log)
            with self.subTest(round=round_, delay=round(delay, 3)):
                self.assertNotIn(b'error', err.lower(),
                                 'a command failed before the kill: %r' % err[-500:])
                self.check_database(sid, logged, attempted)
        sys.stdout.write('# %d notes exited 0 in 10 killed loops; %d stored\n'
                         % (len(logged), len(self.notes(sid))))
        self.assertGreaterEqual(len(logged), 10,
                                'too few notes were added for the test to mean anything')

    def test_killed_single_process_repeatedly(self):
        # A 900 kB file makes each run long enough to be cut in the middle.
        sid = self.start()
        big = self.write_file('big.md', ('a line of context\n' * 50000))
        attempted, kept, outcomes = set(), [], []
        for n in range(30):
            note = 'single-%d' % n
            attempted.add(note)
            proc = subprocess.Popen(
                [CLI, '--db-path', self.db, 'add-context', sid, '--note', note,
                 '--file', big],
                env=self.env, cwd=self.work, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            time.sleep(self.random.uniform(0.0, 0.04))
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            rc = proc.wait()
            if rc == 0:
                kept.append(note)
            outcomes.append(rc)
            with self.subTest(attempt=n, rc=rc):
                self.assertIn(rc, (0, -signal.SIGKILL))
                notes = self.check_database(sid, kept, attempted)
                rows = self.sql("SELECT size_bytes FROM context_entries"
                                " WHERE session_id = ? AND entry_type = 'file'", (sid,))
                # The note and the file of one command are stored together.
                self.assertEqual(len(rows), 1 if notes else 0)
                for (size,) in rows:
                    self.assertEqual(size, os.path.getsize(big), 'a file half stored')
        sys.stdout.write('# %d of 30 runs were killed\n' % outcomes.count(-signal.SIGKILL))
        self.assertGreater(outcomes.count(-signal.SIGKILL), 0, 'no run was cut short')

    def test_killed_while_creating_the_database(self):
        for n in range(15):
            db = os.path.join(self.tmp, 'fresh-%d' % n, 'planwright.db')
            proc = subprocess.Popen(
                [CLI, '--db-path', db, 'start', '--project', 'p'],
                env=self.env, cwd=self.work, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            time.sleep(self.random.uniform(0.0, 0.03))
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            with self.subTest(attempt=n):
                res = self.run_cli('start', '--project', 'q', db=db)
                self.assert_ok(res, 'a database cut short while being created '
                                    'cannot be used any more')
                self.assertRegex(res.out.strip(), ID_RE)
                self.assertEqual(self.sql('PRAGMA integrity_check', db=db), [('ok',)])


if __name__ == '__main__':
    tap.main()
