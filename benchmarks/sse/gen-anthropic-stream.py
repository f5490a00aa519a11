#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes an Anthropic Messages event stream of text_delta events, byte for
# byte like fixtures/wire/anthropic/messages-stream-text.sse, of a given size.
"""Generate a deterministic Anthropic SSE stream for bench-sse.sh."""

import argparse
import json
import random

WORDS = (
    "the plan looks sound and the review found two issues in step three "
    "we should split the migration into smaller commits before the release "
    "because the schema changes touch every table that stores session data "
    "consider adding a test for the retry path and the cancellation path "
    "parser buffer stream event delta token usage model context window"
).split()
# Real replies are mostly ASCII with some accents, dashes, symbols, CJK and
# emoji: 2-, 3- and 4-byte UTF-8 like the fixtures.
NON_ASCII = ["Grüße", "café", "naïve", "—", "✓", "→", "日本語", "说明", "🦀", "🙂", "½"]
MARKUP = ["\n", "\n\n", "**", "`", "- ", "1. ", "\"", "\\", "(", ")", ":", ","]


def delta_text(rng):
    """One delta: a few tokens, as models stream them."""
    parts = []
    for _ in range(rng.randint(1, 6)):
        pick = rng.random()
        if pick < 0.08:
            parts.append(rng.choice(NON_ASCII))
        elif pick < 0.2:
            parts.append(rng.choice(MARKUP))
        else:
            parts.append(rng.choice(WORDS))
    sep = "" if rng.random() < 0.3 else " "
    return (" " if rng.random() < 0.7 else "") + sep.join(parts)


def event(name, payload):
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"event: {name}\ndata: {data}\n\n".encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--bytes", type=int, default=100_000_000,
                    help="stop after the first event that reaches this size")
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    written = 0
    deltas = 0
    with open(args.out, "wb") as out:
        def put(chunk):
            nonlocal written
            out.write(chunk)
            written += len(chunk)

        put(event("message_start", {
            "type": "message_start",
            "message": {
                "id": "msg_01BenchSseStream0000000001", "type": "message",
                "role": "assistant", "model": "claude-sonnet-4-6", "content": [],
                "stop_reason": None, "stop_sequence": None,
                "usage": {"input_tokens": 25, "cache_creation_input_tokens": 0,
                          "cache_read_input_tokens": 0, "output_tokens": 1},
            },
        }))
        put(event("content_block_start", {
            "type": "content_block_start", "index": 0,
            "content_block": {"type": "text", "text": ""},
        }))
        while written < args.bytes:
            put(event("content_block_delta", {
                "type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": delta_text(rng)},
            }))
            deltas += 1
        put(event("content_block_stop", {"type": "content_block_stop", "index": 0}))
        put(event("message_delta", {
            "type": "message_delta",
            "delta": {"stop_reason": "end_turn", "stop_sequence": None},
            "usage": {"output_tokens": deltas},
        }))
        put(event("message_stop", {"type": "message_stop"}))
    print(f"{args.out}: {written} bytes, {deltas + 5} events")


if __name__ == "__main__":
    main()
