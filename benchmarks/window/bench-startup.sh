#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Start-up time and memory of the window: planwright on the 10 000-session
# database against a bare AdwApplicationWindow and gnome-text-editor, on a
# private Xvfb, alternating runs, with the default renderer and with cairo.
#
# Time = launch to the first visible window (xdotool polled every 5 ms);
# memory = VmRSS two seconds after that. Targets: planwright no slower than
# gnome-text-editor, within 1.5x of the bare window, and at most 25 MB more
# resident memory than the bare window. Exits 1 when a target is missed.
#
# Settings: PW_BUILD_DIR (default build), BENCH_DB (default
# benchmarks/out/sessions-10000.db, generated when missing), BENCH_RUNS
# (rounds, default 7), BENCH_RENDERERS (default "default cairo").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

build=${PW_BUILD_DIR:-build}
db=${BENCH_DB:-benchmarks/out/sessions-10000.db}
runs=${BENCH_RUNS:-7}
renderers=${BENCH_RENDERERS:-default cairo}
out=benchmarks/out/window
mkdir -p "$out"

app=$build/src/app/planwright
[ -x "$app" ] || { echo "bench-startup: no $app; build first" >&2; exit 2; }
if [ ! -f "$db" ]; then
  python3 benchmarks/gen-sessions.py --cli "$build/src/cli/planwright-cli" --db "$db"
fi

# The baseline, built here against the same libadwaita
bare=$out/bare-window
cc -O2 -o "$bare" benchmarks/window/bare-window.c $(pkg-config --cflags --libs libadwaita-1)

tmp=$(mktemp -d /tmp/pw-bench-startup-XXXXXX)
pids=()
cleanup () {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# The app may migrate the database: it gets a copy
cp "$db" "$tmp/sessions.db"

# A private display and session bus, shared by every run
exec 3>"$tmp/display"
# -noreset: without it the server resets whenever its last client leaves,
# and a program starting at that moment cannot open the display
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/display" ] && break; sleep 0.05; done
export DISPLAY=:$(head -n1 "$tmp/display")
eval "$(dbus-launch --sh-syntax)"
pids+=("$DBUS_SESSION_BUS_PID")

# Every program sees the same empty, isolated environment
export HOME=$tmp/home XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data
export XDG_CACHE_HOME=$tmp/cache XDG_STATE_HOME=$tmp/state
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
export GDK_BACKEND=x11 GTK_A11Y=none GSETTINGS_BACKEND=memory GTK_USE_PORTAL=0
export PLANWRIGHT_DB=$tmp/sessions.db ANTHROPIC_API_KEY=sk-ant-bench OPENAI_API_KEY=sk-bench
export ANTHROPIC_BASE_URL=http://127.0.0.1:9 OPENAI_BASE_URL=http://127.0.0.1:9
# The window-state schema of an uninstalled build
if [ -f "$build/data/gschemas.compiled" ]; then
  export GSETTINGS_SCHEMA_DIR=$PWD/$build/data
  case $build in /*) GSETTINGS_SCHEMA_DIR=$build/data ;; esac
fi

visible () {
  xdotool search --onlyvisible --name . 2>/dev/null | head -n1
}

# measure NAME RENDERER CMD...: appends "NAME RENDERER ms rss_kb" to results
measure () {
  local name=$1 renderer=$2
  shift 2
  local t0 t1 pid rss
  while [ -n "$(visible)" ]; do sleep 0.01; done
  t0=$(date +%s%N)
  if [ "$renderer" = default ]; then
    env -u GSK_RENDERER "$@" >/dev/null 2>&1 &
  else
    GSK_RENDERER=$renderer "$@" >/dev/null 2>&1 &
  fi
  pid=$!
  until [ -n "$(visible)" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench-startup: $name exited before showing a window" >&2
      return 1
    fi
    sleep 0.005
  done
  t1=$(date +%s%N)
  sleep 2
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  echo "$name $renderer $(( (t1 - t0) / 1000000 )) $rss" >>"$tmp/results"
}

: >"$tmp/results"
for renderer in $renderers; do
  # One warm-up of each (page cache, fontconfig cache)
  measure warmup "$renderer" "$app"
  measure warmup "$renderer" "$bare"
  measure warmup "$renderer" gnome-text-editor --standalone
  for i in $(seq "$runs"); do
    # Alternate the order, so drift hits all three alike
    if [ $((i % 2)) -eq 0 ]; then
      measure planwright "$renderer" "$app"
      measure bare "$renderer" "$bare"
      measure text-editor "$renderer" gnome-text-editor --standalone
    else
      measure text-editor "$renderer" gnome-text-editor --standalone
      measure bare "$renderer" "$bare"
      measure planwright "$renderer" "$app"
    fi
  done
done
cp "$tmp/results" "$out/startup-results.txt"

python3 - "$tmp/results" <<'PY'
import statistics
import sys

rows = [line.split() for line in open(sys.argv[1]) if not line.startswith("warmup")]
ok = True
for renderer in dict.fromkeys(r[1] for r in rows):
    def med(name, col):
        return statistics.median(float(r[col]) for r in rows if r[0] == name and r[1] == renderer)
    pw, bare, ted = med("planwright", 2), med("bare", 2), med("text-editor", 2)
    pw_rss, bare_rss, ted_rss = med("planwright", 3), med("bare", 3), med("text-editor", 3)
    n = sum(1 for r in rows if r[0] == "planwright" and r[1] == renderer)
    print(f"renderer {renderer} ({n} runs each, medians)")
    print(f"  first visible window: planwright {pw:.0f} ms, bare window {bare:.0f} ms, "
          f"gnome-text-editor {ted:.0f} ms")
    print(f"    planwright / bare = {pw / bare:.2f} (target <= 1.5)")
    print(f"    planwright / gnome-text-editor = {pw / ted:.2f} (target <= 1)")
    extra = (pw_rss - bare_rss) / 1024
    print(f"  VmRSS 2 s later: planwright {pw_rss / 1024:.1f} MB, bare window {bare_rss / 1024:.1f} MB, "
          f"gnome-text-editor {ted_rss / 1024:.1f} MB")
    print(f"    planwright - bare = {extra:+.1f} MB (target <= 25), ratio {pw_rss / bare_rss:.2f}")
    ok &= pw / bare <= 1.5 and pw <= ted and extra <= 25
print("targets met" if ok else "a target was missed")
sys.exit(0 if ok else 1)
PY
