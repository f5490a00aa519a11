#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The longest main-loop stall of the window while a reply streams at
# 1 000 deltas/s (1 ms apart) into a 500-message conversation; target under
# 16 ms. Runs build/benchmarks/window/bench-stream (the real PwWindow, the
# fake LLM server on a thread of its own) on a private Xvfb and D-Bus
# session. Settings: PW_BUILD_DIR (default build), BENCH_RENDERER (unset:
# GTK's default; e.g. cairo).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

build=${PW_BUILD_DIR:-build}
bench=$build/benchmarks/window/bench-stream
[ -x "$bench" ] || { echo "bench-stream: no $bench; build first" >&2; exit 2; }

tmp=$(mktemp -d /tmp/pw-bench-stream-XXXXXX)
trap 'rm -rf "$tmp" 2>/dev/null || true' EXIT
export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data
export XDG_CACHE_HOME=$tmp/cache XDG_STATE_HOME=$tmp/state
export GDK_BACKEND=x11 GTK_A11Y=none GSETTINGS_BACKEND=memory GTK_USE_PORTAL=0
if [ -n "${BENCH_RENDERER:-}" ]; then
  export GSK_RENDERER=$BENCH_RENDERER
fi

xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$bench"
