# SPDX-License-Identifier: GPL-3.0-or-later
# Several planwright-cli processes on one database at once: no "database is locked", nothing lost.

import json
import os
import subprocess
import threading

import tap
from pwcli import CliTestCase, CLI, ID_RE

LOCKED = ('locked', 'busy')


class ConcurrencyTest(CliTestCase):

    def run_many(self, jobs):
        """Runs each list of argvs in its own thread, one process after the
        other; returns (argv, rc, stdout, stderr) of every run."""
        results = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(jobs))

        def worker(argvs):
            barrier.wait()
            for argv in argvs:
                proc = subprocess.run(argv, env=self.env, cwd=self.work,
                                      stdin=subprocess.DEVNULL,
                                      capture_output=True, timeout=120)
                with lock:
                    results.append((argv, proc.returncode,
                                    proc.stdout.decode('utf-8', 'replace'),
                                    proc.stderr.decode('utf-8', 'replace')))

        threads = [threading.Thread(target=worker, args=(j,)) for j in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    def assert_all_ok(self, results):
        failed = [r for r in results if r[1] != 0]
        locked = [r for r in results if any(w in r[3].lower() for w in LOCKED)]
        self.assertEqual(locked, [], 'a command saw a locked database')
        self.assertEqual(failed[:5], [], '%d of %d commands failed'
                         % (len(failed), len(results)))

    def test_two_writers_on_one_session(self):
        sid = self.start()
        jobs = [[[CLI, '--db-path', self.db, 'add-context', sid, '--note',
                  'w%d-%d' % (w, i)] for i in range(200)] for w in range(2)]
        results = self.run_many(jobs)
        self.assertEqual(len(results), 400)
        self.assert_all_ok(results)
        notes = self.notes(sid)
        self.assertEqual(sorted(notes),
                         sorted('w%d-%d' % (w, i) for w in range(2) for i in range(200)))
        for w in range(2):
            mine = [n for n in notes if n.startswith('w%d-' % w)]
            self.assertEqual(mine, ['w%d-%d' % (w, i) for i in range(200)],
                             'one writer\'s notes are out of order')
        self.assertEqual(self.status(sid)['context_entry_count'], 400)
        self.assertEqual(self.sql('PRAGMA integrity_check'), [('ok',)])

    def test_writers_on_two_sessions_with_a_reader(self):
        a, b = self.start('a'), self.start('b')
        jobs = [
            [[CLI, '--db-path', self.db, 'add-context', a, '--note', 'a-%d' % i]
             for i in range(100)],
            [[CLI, '--db-path', self.db, 'add-context', b, '--note', 'b-%d' % i]
             for i in range(100)],
            [[CLI, '--db-path', self.db, 'status', a, '--json'] for _ in range(60)]
            + [[CLI, '--db-path', self.db, 'list', '--json'] for _ in range(40)],
        ]
        results = self.run_many(jobs)
        self.assert_all_ok(results)
        counts = [json.loads(r[2])['context_entry_count'] for r in results
                  if r[0][3] == 'status']
        self.assertEqual(counts, sorted(counts), 'a reader saw the count go down')
        self.assertEqual(len(self.notes(a)), 100)
        self.assertEqual(len(self.notes(b)), 100)

    def test_racing_to_create_a_new_database(self):
        # The window is a few milliseconds wide: many small races find it.
        for n in range(40):
            db = os.path.join(self.tmp, 'race-%d' % n, 'planwright.db')
            jobs = [[[CLI, '--db-path', db, 'start', '--project', 'p%d' % w]]
                    for w in range(6)]
            results = self.run_many(jobs)
            with self.subTest(attempt=n):
                self.assert_all_ok(results)
                ids = [r[2].strip() for r in results]
                for sid in ids:
                    self.assertRegex(sid, ID_RE)
                self.assertEqual(len(set(ids)), 6)
                self.assertEqual(sorted(r[0] for r in self.sql(
                    'SELECT id FROM sessions', db=db)), sorted(ids))

    def test_two_processes_starting_sessions(self):
        jobs = [[[CLI, '--db-path', self.db, 'start', '--project', 'w%d' % w]
                 for _ in range(50)] for w in range(2)]
        results = self.run_many(jobs)
        self.assert_all_ok(results)
        ids = {r[2].strip() for r in results}
        self.assertEqual(len(ids), 100)
        res = self.run_cli('list', '--json')
        self.assert_ok(res)
        self.assertEqual({r['id'] for r in json.loads(res.out)}, ids)


if __name__ == '__main__':
    tap.main()
