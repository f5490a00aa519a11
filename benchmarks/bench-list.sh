#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Times `planwright-cli list --json` against the sqlite3 shell printing the
# same rows as JSON, on a database of 10 000 sessions. Target: ratio <= 2.
#
# Environment: PLANWRIGHT_CLI (default build/src/cli/planwright-cli),
# BENCH_DB (default benchmarks/out/sessions-10000.db), BENCH_RUNS (pairs,
# default 15, at least 10), BENCH_WARMUP (default 2).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
cli=${PLANWRIGHT_CLI:-$root/build/src/cli/planwright-cli}
db=${BENCH_DB:-$here/out/sessions-10000.db}
runs=${BENCH_RUNS:-15}
warmup=${BENCH_WARMUP:-2}

if [ ! -x "$cli" ]; then
  echo "bench-list: $cli not found (build first: meson setup build && meson compile -C build)" >&2
  exit 1
fi
command -v sqlite3 >/dev/null || { echo "bench-list: the sqlite3 shell is missing (apt-get install sqlite3)" >&2; exit 1; }
if [ "$runs" -lt 10 ]; then
  echo "bench-list: BENCH_RUNS must be at least 10" >&2
  exit 1
fi

if [ ! -f "$db" ]; then
  echo "bench-list: generating $db (about a minute, once)" >&2
  python3 "$here/gen-sessions.py" --cli "$cli" --db "$db"
fi

# The CLI must not pick up the settings of whoever runs the benchmark.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data XDG_CACHE_HOME=$scratch/cache

python3 - "$cli" "$db" "$runs" "$warmup" <<'PY'
import json
import statistics
import subprocess
import sys
import time

cli, db, runs, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
query = ("SELECT id, project, phase, status, created_at, updated_at FROM sessions"
         " ORDER BY created_at DESC, rowid DESC")
commands = {
    "A": [cli, "--db-path", db, "list", "--json"],
    "B": ["sqlite3", "-json", db, query],
}

# Same rows, same order, same fields: otherwise the ratio means nothing.
outputs = {}
for name, argv in commands.items():
    done = subprocess.run(argv, capture_output=True, check=False)
    if done.returncode != 0:
        sys.exit(f"bench-list: {' '.join(argv)} failed: {done.stderr.decode().strip()}")
    outputs[name] = json.loads(done.stdout or b"[]")
if outputs["A"] != outputs["B"]:
    sys.exit(f"bench-list: the two commands disagree ({len(outputs['A'])} vs "
             f"{len(outputs['B'])} rows); fix that before timing")


def once(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


for _ in range(warmup):
    for argv in commands.values():
        once(argv)

times = {"A": [], "B": []}
ratios = []
for _ in range(runs):
    a = once(commands["A"])
    b = once(commands["B"])
    times["A"].append(a)
    times["B"].append(b)
    ratios.append(a / b)

ratio = statistics.median(ratios)
print(f"rows:                     {len(outputs['A'])}")
print(f"A planwright-cli list --json  median {statistics.median(times['A']) * 1000:8.1f} ms"
      f"  (min {min(times['A']) * 1000:.1f}, max {max(times['A']) * 1000:.1f})")
print(f"B sqlite3 -json               median {statistics.median(times['B']) * 1000:8.1f} ms"
      f"  (min {min(times['B']) * 1000:.1f}, max {max(times['B']) * 1000:.1f})")
print(f"median of {runs} pairwise ratios A/B: {ratio:.2f} (target <= 2: "
      f"{'met' if ratio <= 2 else 'MISSED'})")
sys.exit(0 if ratio <= 2 else 1)
PY
