# SPDX-License-Identifier: GPL-3.0-or-later
# A unittest runner that reports in TAP, the protocol meson reads.

import sys
import time
import traceback
import unittest


class TapResult(unittest.TestResult):
    """Prints one TAP line per test method as it ends.

    Subtest failures make their test "not ok"; errors outside any test
    (setUpClass, module fixtures) become extra "not ok" points so they
    cannot go unnoticed.
    """

    def __init__(self, stream, total):
        super().__init__()
        self.stream = stream
        self.total = total
        self.number = 0
        self._problems = []
        self._skip = None
        self._started = 0.0

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()

    @staticmethod
    def _name(test):
        parts = test.id().split('.')
        return '.'.join(parts[-2:])

    def _diag(self, text):
        for line in text.rstrip('\n').splitlines():
            self._write('# ' + line + '\n')

    def _format(self, err, test):
        if isinstance(test, unittest.TestCase):
            # unittest's own formatting drops its internal frames
            return self._exc_info_to_string(err, test)
        return ''.join(traceback.format_exception(*err))

    def startTestRun(self):
        self._write('1..%d\n' % self.total)

    def startTest(self, test):
        super().startTest(test)
        self._problems = []
        self._skip = None
        self._started = time.monotonic()

    def stopTest(self, test):
        super().stopTest(test)
        self.number += 1
        took = time.monotonic() - self._started
        name = self._name(test)
        if self._skip is not None:
            self._write('ok %d - %s # SKIP %s\n' % (self.number, name, self._skip))
        elif self._problems:
            self._write('not ok %d - %s\n' % (self.number, name))
            for text in self._problems:
                self._diag(text)
        else:
            self._write('ok %d - %s\n' % (self.number, name))
        if took > 20:
            self._diag('%s took %.1f s' % (name, took))

    def addError(self, test, err):
        super().addError(test, err)
        if isinstance(test, unittest.TestCase):
            self._problems.append(self._format(err, test))
        else:
            # setUpClass and friends: not a test, so report a point of its own
            self.number += 1
            self._write('not ok %d - %s\n' % (self.number, test))
            self._diag(self._format(err, test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._problems.append(self._format(err, test))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._problems.append('%s\n%s' % (str(subtest),
                                              self._format(err, test)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._skip = reason

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._problems.append('unexpected success')

    def wasSuccessful(self):
        return super().wasSuccessful() and not self.unexpectedSuccesses


def main(module='__main__'):
    """Runs every test of @module (or the names given on the command line)."""
    loader = unittest.TestLoader()
    if len(sys.argv) > 1:
        suite = loader.loadTestsFromNames(sys.argv[1:], sys.modules[module])
    else:
        suite = loader.loadTestsFromModule(sys.modules[module])
    result = TapResult(sys.stdout, suite.countTestCases())
    result.startTestRun()
    suite.run(result)
    result.stopTestRun()
    sys.exit(0 if result.wasSuccessful() else 1)
