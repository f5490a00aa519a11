#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds Planwright and runs every test suite, then a sanitizer build of the
# unit and cli suites; ends with one line "N passed, N failed".
#
# Build directories: build/ (everything, ui suite under Xvfb) and build-asan/
# (-Db_sanitize=address,undefined, no app); PW_BUILD_DIR and PW_ASAN_BUILD_DIR
# override them. PW_SKIP_ASAN=1 skips the second; PW_SKIP_FUZZ=1 the fuzz
# runs (PW_FUZZ_SECONDS, default 60, sets their length).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${PW_BUILD_DIR:-build}
asan_dir=${PW_ASAN_BUILD_DIR:-build-asan}

extra_failures=0   # builds that failed, so left no test results
testlogs=()

# meson setup, or reconfigure a directory that already holds a build
setup () {
  local dir=$1
  shift
  if [ -f "$dir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}

# build DIR SETUP-ARGS...: set up and compile; FALSE (counted) on failure
build () {
  local dir=$1
  shift
  echo "run-tests: === $dir ==="
  if setup "$dir" "$@" && meson compile -C "$dir"; then
    return 0
  fi
  echo "run-tests: $dir: set-up or compilation failed" >&2
  extra_failures=$((extra_failures + 1))
  return 1
}

# run_tests DIR PREFIX-COMMAND... -- MESON-TEST-ARGS...
run_tests () {
  local dir=$1
  shift
  local prefix=()
  while [ "$1" != "--" ]; do
    prefix+=("$1")
    shift
  done
  shift

  rm -f "$dir/meson-logs/testlog.json"
  local rc=0
  "${prefix[@]}" meson test -C "$dir" --print-errorlogs "$@" || rc=$?
  if [ -f "$dir/meson-logs/testlog.json" ]; then
    testlogs+=("$dir/meson-logs/testlog.json")
  fi
  if [ "$rc" -ne 0 ]; then
    failing_runs=$((failing_runs + 1))
  fi
}

failing_runs=0

# 1. Everything, with a display and a session bus for the ui suite
export GDK_BACKEND=x11
if build "$build_dir"; then
  run_tests "$build_dir" xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- --
fi

# 2. Address and undefined-behaviour sanitizers over the GTK-free code
if [ "${PW_SKIP_ASAN:-0}" != "1" ] &&
   build "$asan_dir" -Db_sanitize=address,undefined -Dapp=disabled; then
  export G_SLICE=always-malloc
  export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_summary=1:print_stacktrace=1
  # Known GLib noise (its test harness leaks the old user directories each
  # time G_TEST_OPTION_ISOLATE_DIRS resets them) is suppressed by name in
  # tests/support/lsan.supp. Debian's GLib has no frame pointers, so only
  # the slow unwinder reaches the frames a suppression names.
  asan_options=halt_on_error=1:abort_on_error=1:print_summary=1:fast_unwind_on_malloc=0
  suppressions=$PWD/tests/support/lsan.supp
  if [ ! -f "$suppressions" ]; then
    suppressions=$(cd "$asan_dir" && pwd)/lsan.supp
    printf '%s\n' 'leak:g_set_user_dirs' >"$suppressions"
  fi
  export LSAN_OPTIONS=suppressions=$suppressions:print_suppressions=0
  # LeakSanitizer needs ptrace; some containers forbid it, and then every
  # process would die at exit. Check once and say so rather than fail all.
  lsan_check=$(ASAN_OPTIONS=$asan_options:detect_leaks=1 \
                 "$asan_dir/src/cli/planwright-cli" --version 2>&1 >/dev/null || true)
  case $lsan_check in
    *"LeakSanitizer has encountered a fatal error"* | *"LeakSanitizer does not work under ptrace"*)
      echo "run-tests: LeakSanitizer cannot run here (no ptrace); leak detection is off" >&2
      export ASAN_OPTIONS=$asan_options:detect_leaks=0
      ;;
    *)
      export ASAN_OPTIONS=$asan_options:detect_leaks=1
      ;;
  esac
  run_tests "$asan_dir" env -- --suite unit --suite cli --timeout-multiplier 4
fi

# 3. The parsers' libFuzzer targets, 60 s each (clang); each run counts once
fuzz_passed=0
failed_names=()
if [ "${PW_SKIP_FUZZ:-0}" != "1" ]; then
  for target in fuzz-sse-parser fuzz-reviewer-parse; do
    # libFuzzer prints a line per new input; keep that in a log and show
    # only its end, so the failing tests listed below stay on screen.
    mkdir -p "$build_dir/meson-logs"
    fuzz_log=$build_dir/meson-logs/fuzz-$target.log
    echo "run-tests: === fuzzing $target (log: $fuzz_log) ==="
    if bash fuzzing/run-fuzz.sh "$target" "${PW_FUZZ_SECONDS:-60}" >"$fuzz_log" 2>&1; then
      tail -n 6 "$fuzz_log"
      fuzz_passed=$((fuzz_passed + 1))
    else
      tail -n 60 "$fuzz_log"
      echo "run-tests: $target found a problem (see build-fuzz/fuzz-artifacts/)" >&2
      extra_failures=$((extra_failures + 1))
      failed_names+=("fuzzing: $target")
    fi
  done
fi

# Each TAP line counts; a test without TAP lines counts once by its result;
# skips count as neither. A failed test whose output has no "not ok" (it
# crashed or timed out between results) still counts one failure.
summary=$(python3 - "${testlogs[@]}" <<'PY'
import json
import re
import sys

FAILED = {"FAIL", "ERROR", "TIMEOUT", "UNEXPECTEDPASS", "INTERRUPT"}
PASSED = {"OK", "EXPECTEDFAIL"}
TAP = re.compile(r"^(not ok|ok)(?:\s|$)(.*)")
DIRECTIVE = re.compile(r"#\s*(SKIP|TODO)\b", re.IGNORECASE)

passed = failed = 0
names = []
tails = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            if not line.strip():
                continue
            test = json.loads(line)
            ok = not_ok = 0
            for out in (test.get("stdout") or "").splitlines():
                m = TAP.match(out)
                if not m:
                    continue
                directive = DIRECTIVE.search(m.group(2))
                kind = directive.group(1).upper() if directive else ""
                if kind == "SKIP":
                    continue
                if m.group(1) == "ok":
                    ok += 1
                elif kind != "TODO":
                    not_ok += 1
            result = test.get("result", "")
            if ok == 0 and not_ok == 0:
                if result in PASSED:
                    ok = 1
                elif result in FAILED:
                    not_ok = 1
            elif result in FAILED and not_ok == 0:
                not_ok = 1
            passed += ok
            failed += not_ok
            if not_ok:
                names.append("%s (%s, %s, %d failed)" % (
                    test.get("name", "?"), path.split("/meson-logs")[0], result, not_ok))
                out = [l for l in ((test.get("stdout") or "") + "\n" +
                                   (test.get("stderr") or "")).splitlines()
                       if l.strip() and "GLib-DEBUG" not in l]
                first = next((i for i, l in enumerate(out)
                              if l.startswith("not ok")), len(out))
                shown = out[max(0, first - 20):first + 5]
                if first + 5 < len(out):
                    shown += ["..."] + out[-10:]
                tails.append((names[-1], shown))
# The end of each failing test's output, then the list: the lines CI keeps
for name, lines in tails:
    print("run-tests: --- end of the output of %s ---" % name, file=sys.stderr)
    for line in lines:
        print("    " + line[:300], file=sys.stderr)
for name in names:
    print("run-tests: FAILED " + name, file=sys.stderr)
print(passed, failed)
PY
)
read -r passed failed <<<"$summary"

# A meson test run that failed but left no failing result (say it could not
# start) still counts.
if [ "$failing_runs" -gt 0 ] && [ "$failed" -eq 0 ]; then
  failed=$failing_runs
fi
failed=$((failed + extra_failures))
passed=$((passed + fuzz_passed))

for name in "${failed_names[@]+"${failed_names[@]}"}"; do
  echo "run-tests: FAILED $name" >&2
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
