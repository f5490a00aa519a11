#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds a libFuzzer target under ASan/UBSan and runs it for N seconds with
# the wire fixtures as seed corpus. Exits non-zero on a crash, leak or hang.
#
# Usage: fuzzing/run-fuzz.sh [TARGET] [SECONDS]   (fuzz-sse-parser, 60)
# Environment: FUZZ_BUILD_DIR (default build-fuzz at the top of the clone;
# set up with clang on first use), FUZZ_CORPUS_DIR (a corpus to keep and
# grow between runs; default a temporary one), FUZZ_ARGS (more libFuzzer
# flags). A crashing input lands in FUZZ_BUILD_DIR/fuzz-artifacts/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
target=${1:-fuzz-sse-parser}
seconds=${2:-60}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
fixtures=$root/tests/fixtures/wire

case $seconds in
  ''|*[!0-9]*) echo "run-fuzz: SECONDS must be a whole number, not '$seconds'" >&2; exit 2 ;;
esac
command -v clang >/dev/null || { echo "run-fuzz: clang is missing (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" "$root" -Dfuzzing=true -Db_sanitize=address,undefined -Dapp=disabled
fi
meson compile -C "$build" "$target"
binary=$build/fuzzing/$target
[ -x "$binary" ] || { echo "run-fuzz: $binary was not built (is -Dfuzzing=true set in $build?)" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
seeds=$scratch/seeds
corpus=${FUZZ_CORPUS_DIR:-$scratch/corpus}
artifacts=$build/fuzz-artifacts
mkdir -p "$seeds" "$corpus" "$artifacts"

extra=()
leak_check=1
case $target in
  fuzz-sse-parser)
    # The target reads a 3-byte header (cap, split offset) before the
    # stream: no cap and a split at byte 16. Seeds stay under -max_len.
    for f in "$fixtures"/*/*.sse; do
      name=$(basename "$(dirname "$f")")-$(basename "$f")
      { printf '\000\020\000'; head -c 8000 "$f"; } > "$seeds/$name"
      { printf '\002\003\000'; head -c 8000 "$f"; } > "$seeds/cap64-$name"
    done
    ;;
  fuzz-reviewer-parse)
    # Byte 0 is the number of triage issues (mod 16), the rest the answer.
    printf '\003{"verdict":"NO_GO","summary":"s","issues":[{"severity":"critical","description":"d","rationale":"r"}],"keep":["k"],"trim":[]}' > "$seeds/json"
    printf '\001```json\n{"verdict":"GO","issues":[]}\n```' > "$seeds/fenced"
    printf '\002<verdict>NO_GO</verdict><issues><issue><severity>major</severity><description>d</description><rationale>r</rationale></issue></issues>' > "$seeds/xml"
    printf '\002Not ready.\n- critical: a\n1. minor b\n' > "$seeds/free-form"
    printf '\003[{"index":0,"disposition":"ACCEPT","rationale":"r"},{"index":2,"disposition":"DEFERRED"}]' > "$seeds/dispositions"
    printf '\0030: ACCEPT\nIssue 1 - DEFER: later\n2: REJECT' > "$seeds/lines"
    # Leak checks are off for now: under libFuzzer, LeakSanitizer reports
    # leaks whose roots are inside GLib/json-glib (no stack without debug
    # symbols) that neither the artifacts nor 200 000 mutated inputs under
    # gcc's ASan reproduce — open in issue 8. The parser's own leaks are
    # checked by test-reviewer-parse in the ASan unit run.
    extra=(-detect_leaks=0)
    leak_check=0
    ;;
  *)
    cp "$fixtures"/*/* "$seeds"/
    ;;
esac

dict=()
[ -f "$here/$target.dict" ] && dict=(-dict="$here/$target.dict")

# UBSan only reports by default; a fuzzer must stop on the first finding.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# The target's leak setting wins over one inherited from the caller
# (run-tests.sh exports detect_leaks=1 for its sanitizer stage).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=$leak_check"
export G_SLICE=always-malloc

echo "run-fuzz: $target for ${seconds}s, seeds from $fixtures" >&2
# shellcheck disable=SC2086
"$binary" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "${extra[@]}" ${FUZZ_ARGS:-} \
  "$corpus" "$seeds"
