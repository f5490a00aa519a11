#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# SSE parsing throughput: PwSseParser against eventsource-parser 3.1.1 on the
# same 100 MB Anthropic text_delta stream, both fed 16 KiB chunks, in the
# same run. Target: at least 1.5x eventsource-parser.
#
# Environment: PLANWRIGHT_BUILD (default build; the driver is
# build/benchmarks/sse/bench-sse-driver), BENCH_STREAM (default
# benchmarks/out/sse-anthropic-100MB.sse, generated on first use),
# BENCH_ROUNDS (default 5, at least 3; each round runs both parsers 3 times).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${PLANWRIGHT_BUILD:-$root/build}
driver=$build/benchmarks/sse/bench-sse-driver
stream=${BENCH_STREAM:-$root/benchmarks/out/sse-anthropic-100MB.sse}
rounds=${BENCH_ROUNDS:-5}
runs_per_round=3

if [ ! -x "$driver" ]; then
  echo "bench-sse: $driver not found (build first: meson setup build && meson compile -C build)" >&2
  exit 1
fi
command -v node >/dev/null || { echo "bench-sse: node is missing (Node 20 or later)" >&2; exit 1; }
command -v npm >/dev/null || { echo "bench-sse: npm is missing" >&2; exit 1; }
case $rounds in
  ''|*[!0-9]*) echo "bench-sse: BENCH_ROUNDS must be a number" >&2; exit 1 ;;
esac
if [ "$rounds" -lt 3 ]; then
  echo "bench-sse: BENCH_ROUNDS must be at least 3" >&2
  exit 1
fi

# A debug or sanitizer build measures the wrong thing: say so.
meson introspect --buildoptions "$build" 2>/dev/null | python3 -c '
import json, sys
opts = {o["name"]: o["value"] for o in json.load(sys.stdin)}
if opts.get("optimization") in ("0", "g") or opts.get("b_sanitize", "none") != "none":
    print("bench-sse: warning: %s is built with optimization=%s b_sanitize=%s; "
          "use a release or debugoptimized build for real figures"
          % (sys.argv[1], opts.get("optimization"), opts.get("b_sanitize")), file=sys.stderr)
' "$build" || true

if [ ! -f "$stream" ]; then
  mkdir -p "$(dirname "$stream")"
  echo "bench-sse: generating $stream (about 10 s, once)" >&2
  python3 "$here/gen-anthropic-stream.py" --out "$stream" >&2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$here/bench-sse-node.mjs" "$scratch/"
echo "bench-sse: installing eventsource-parser from the lockfile into $scratch" >&2
(cd "$scratch" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null)

# Alternate the two so drift in the machine's speed hits both alike.
results=$scratch/results.jsonl
for round in $(seq "$rounds"); do
  echo "bench-sse: round $round of $rounds" >&2
  "$driver" "$stream" "$runs_per_round" >> "$results"
  (cd "$scratch" && node bench-sse-node.mjs "$stream" "$runs_per_round") >> "$results"
done

python3 - "$results" "$(node --version)" <<'PY'
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1])]
ours = [r for r in rows if r["impl"] == "planwright"]
peer = [r for r in rows if r["impl"] != "planwright"]
peer_name = peer[0]["impl"]
size = ours[0]["bytes"]

events = {r["events"] for r in rows}
if len(events) != 1:
    sys.exit(f"bench-sse: the parsers disagree on the number of events: {sorted(events)}")


def mbps(runs):
    return statistics.median(r["bytes"] / r["seconds"] / 1e6 for r in runs)


a = mbps(ours)
b_parse = mbps([r for r in peer if r["mode"] == "strings"])
b_bytes = mbps([r for r in peer if r["mode"] == "bytes"])
print(f"stream: {size / 1e6:.1f} MB, {events.pop()} events, 16 KiB chunks; "
      f"{len(ours)} runs each; node {sys.argv[2]}")
print(f"{'A  PwSseParser (bytes in, UTF-8 checked)':<58}{a:7.0f} MB/s")
print(f"{'B  ' + peer_name + ' alone (strings decoded before)':<58}{b_parse:7.0f} MB/s"
      f"   A/B {a / b_parse:.2f}")
print(f"{'B2 ' + peer_name + ' with a streaming TextDecoder':<58}{b_bytes:7.0f} MB/s"
      f"   A/B2 {a / b_bytes:.2f}")
print("Target: A/B >= 1.5 (against the parser alone, the stricter ratio): "
      + ("met" if a / b_parse >= 1.5 else "MISSED"))
sys.exit(0 if a / b_parse >= 1.5 else 1)
PY
