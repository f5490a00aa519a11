#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Main-loop latency while a provider streams 1 000 deltas/s from
# planwright-fake-llm (a separate process, so its own work is not counted):
# prints the longest gap between 1 ms ticks, idle and streaming, and the
# difference. Target: no stall over 5 ms attributable to the transport.
#
# Environment: BUILD_DIR (default build), DELTAS (default 10000: 10 s).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$(dirname "$here")")
build=${BUILD_DIR:-$root/build}
deltas=${DELTAS:-10000}
fake=$build/src/fake/planwright-fake-llm
bench=$build/benchmarks/latency/bench-mainloop

for f in "$fake" "$bench"; do
  [ -x "$f" ] || { echo "bench-latency: $f not found (meson compile -C $build first)" >&2; exit 1; }
done

scratch=$(mktemp -d)
trap 'kill "$fake_pid" 2>/dev/null || true; rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data

# One text stream of $deltas deltas, one SSE event per write, 1 ms apart.
python3 - "$deltas" > "$scratch/script.json" <<'PY'
import json, sys
n = int(sys.argv[1])
text = ''.join('w%05d ' % i for i in range(n))
print(json.dumps([{"text": text, "provider": "anthropic", "deltas": n,
                   "chunk": [0, 0], "interval_ms": 1}]))
PY
"$fake" --quiet --script "$scratch/script.json" > "$scratch/url" &
fake_pid=$!
for _ in $(seq 50); do [ -s "$scratch/url" ] && break; sleep 0.1; done
"$bench" "$(head -1 "$scratch/url")"
