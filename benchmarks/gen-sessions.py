#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fill a Planwright database with many realistic sessions, for benchmarks.

planwright-cli creates the schema (one `list` call), then rows are inserted
with the sqlite3 module in large transactions. The output depends only on
--seed and --sessions: the same arguments give the same rows.
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time

WORDS = """
account action adapter alert allocation api archive argument array async
audit backend backoff batch benchmark binding blocker boundary branch buffer
build bundle cache callback cancel capacity certificate channel checkpoint
client cluster column commit compile component config connection consumer
context contract counter cursor daemon dashboard database deadline debounce
default dependency deploy diff dispatch document domain draft driver endpoint
entity error event export extension failover feature fetch field filter
fixture flag format frame gateway handler hash header heartbeat history hook
import index input instance interface invariant issue iterator job journal
key latency layer lease library limit listener lock log loop manifest
mapping marker message metric migration milestone mock model module monitor
mutex namespace network node notification offset operation option output
owner package page parser partition patch payload permission pipeline plan
platform policy pool port preference process profile protocol provider proxy
query queue quota range rate reader record redirect region registry release
replica report request resource response retry review revision role rollback
route row rule runtime sandbox scheduler schema scope secret segment selector
sequence server service session setting shard signal snapshot socket source
span state storage stream subscriber summary switch table task template
tenant test thread threshold timeout token topic trace transaction transport
trigger tuple type update upload user validator value version view volume
watcher webhook window worker workflow workspace
""".split()

VERBS = """
adds avoids batches blocks caches checks cleans collects computes converts
creates defers deletes delivers detects drops emits enforces exposes fetches
flushes guards handles indexes inserts keeps limits loads locks logs maps
merges migrates moves normalises notifies opens parses pauses persists polls
publishes reads rebuilds records refreshes rejects releases removes renders
replays reports resolves restores retries returns rotates routes runs saves
schedules sends serialises signs splits starts stores streams syncs throttles
tracks triggers updates uploads validates verifies waits writes
""".split()

ADJECTIVES = """
atomic bounded cached concurrent consistent critical deferred durable
empty encrypted expired external failed idempotent incremental internal
invalid large late legacy local missing nested offline optional orphaned
partial pending primary private public read-only recent remote repeated
required retried sealed secondary shared slow stale strict synchronous
temporary transient unbounded unique unknown upstream versioned
""".split()

PROJECTS = """
atlas beacon cobalt delta ember falcon granite harbor iris juniper kestrel
lumen meridian nimbus orion pylon quartz raven sierra tundra umbra vertex
willow xenon yarrow zephyr
""".split()

FEATURES = """
auth billing checkout search sync onboarding export import notifications
reporting scheduler uploads caching audit-log permissions payments
webhooks analytics migrations backups
""".split()

LANGS = [("py", "python"), ("c", "c"), ("ts", "typescript"), ("go", "go"),
         ("rs", "rust"), ("sql", "sql"), ("md", "markdown")]

SEVERITIES = ["critical", "major", "major", "minor", "minor", "minor"]
DISPOSITIONS = ["ACCEPT", "ACCEPT", "ACCEPT", "DEFER", "REJECT"]

# phase, status, share of the sessions
PHASES = [
    ("COMPLETE", "COMPLETE", 0.50),
    ("REVIEW", "ACTIVE", 0.22),
    ("REVIEW", "PAUSED", 0.08),
    ("PLANNING", "ACTIVE", 0.10),
    ("DISCUSSION", "ACTIVE", 0.06),
    ("CONTEXT", "ACTIVE", 0.03),
    ("SETUP", "ACTIVE", 0.01),
]

END = datetime.datetime(2025, 6, 1, tzinfo=datetime.timezone.utc)
SPAN_SECONDS = 365 * 24 * 3600


def iso(ts):
    """ISO 8601 UTC with milliseconds, as the store writes it."""
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ts.microsecond // 1000)


class Text:
    """Pseudo-English built from pools, so hundreds of MB come out fast."""

    def __init__(self, rng):
        self.rng = rng
        self.sentences = [self._sentence() for _ in range(6000)]
        self.code_lines = [self._code_line() for _ in range(4000)]

    def _sentence(self):
        r = self.rng
        n = r.randint(6, 18)
        words = []
        for i in range(n):
            pool = (WORDS, WORDS, ADJECTIVES, VERBS)[i % 4]
            words.append(r.choice(pool))
        words[0] = words[0].capitalize()
        return " ".join(words) + r.choice([".", ".", ".", "?", ";", "."])

    def _code_line(self):
        r = self.rng
        indent = "    " * r.randint(0, 3)
        kind = r.randint(0, 4)
        a, b, c = r.choice(WORDS), r.choice(WORDS), r.choice(VERBS)
        if kind == 0:
            return f"{indent}{a}_{b} = {c.rstrip('s')}({a}, timeout={r.randint(1, 900)})"
        if kind == 1:
            return f"{indent}if not {a}.{b}_ok():"
        if kind == 2:
            return f"{indent}return {a}_{b}[{r.randint(0, 64)}]"
        if kind == 3:
            return f"{indent}# {self.rng.choice(self.sentences)}"
        return f"{indent}{a}.{c.rstrip('s')}_{b}(ctx, {r.choice(ADJECTIVES)!r})"

    def paragraph(self, sentences):
        return " ".join(self.rng.choice(self.sentences) for _ in range(sentences))

    def prose(self, size):
        out, n = [], 0
        while n < size:
            p = self.paragraph(self.rng.randint(2, 7))
            out.append(p)
            n += len(p) + 2
        return "\n\n".join(out)

    def code(self, size):
        out, n = [], 0
        while n < size:
            line = self.rng.choice(self.code_lines)
            out.append(line)
            n += len(line) + 1
        return "\n".join(out) + "\n"

    def plan(self, project, size):
        r = self.rng
        out = [f"# Plan: {project}", "", self.paragraph(3), ""]
        m = 1
        while sum(len(x) + 1 for x in out) < size:
            out.append(f"## Milestone {m}: {r.choice(ADJECTIVES)} {r.choice(WORDS)} {r.choice(WORDS)}")
            out.append("")
            out.append(self.paragraph(r.randint(2, 4)))
            out.append("")
            for _ in range(r.randint(3, 6)):
                out.append(f"- [ ] {r.choice(self.sentences)}")
            out.append("")
            out.append(f"**Acceptance:** {self.paragraph(2)}")
            out.append("")
            m += 1
        return "\n".join(out)


def reset_db(path):
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(path + suffix)
        except FileNotFoundError:
            pass


def create_schema(cli, path):
    """Let planwright-cli create and migrate the database, as a user would."""
    result = subprocess.run([cli, "--db-path", path, "list"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"gen-sessions: {cli} list failed ({result.returncode}): {result.stderr.strip()}")


class Generator:
    def __init__(self, db, rng, text):
        self.db = db
        self.rng = rng
        self.text = text
        self.ids = set()
        self.bytes = 0

    def new_id(self):
        while True:
            sid = "%08x" % self.rng.getrandbits(32)
            if sid not in self.ids:
                self.ids.add(sid)
                return sid

    def pick_phase(self):
        x = self.rng.random()
        for phase, status, share in PHASES:
            if x < share:
                return phase, status
            x -= share
        return PHASES[0][0], PHASES[0][1]

    def insert(self, sql, values):
        cur = self.db.execute(sql, values)
        return cur.lastrowid

    def usage(self, sid, purpose, provider, model, when, big):
        r = self.rng
        tin = r.randint(2000, 60000 if big else 12000)
        tout = r.randint(300, 8000)
        cached = r.randint(0, tin // 2)
        reasoning = r.randint(0, 6000) if provider == "openai" else 0
        cost = round(tin * 3e-6 + tout * 15e-6, 6) if r.random() > 0.02 else None
        return self.insert(
            "INSERT INTO usage (session_id, purpose, provider, model, input_tokens,"
            " output_tokens, cached_tokens, cache_write_tokens, reasoning_tokens,"
            " cost_usd, latency_ms, request_id, attempts, error, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (sid, purpose, provider, model, tin, tout, cached, r.randint(0, 2000),
             reasoning, cost, r.randint(800, 90000), "req_%016x" % r.getrandbits(64),
             1 if r.random() > 0.05 else 2, None, iso(when)))

    def session(self):
        r, t = self.rng, self.text
        sid = self.new_id()
        phase, status = self.pick_phase()
        stage = ["SETUP", "CONTEXT", "DISCUSSION", "PLANNING", "REVIEW", "COMPLETE"].index(phase)
        project = f"{r.choice(PROJECTS)}-{r.choice(FEATURES)}"
        created = END - datetime.timedelta(seconds=r.randint(0, SPAN_SECONDS),
                                           milliseconds=r.randint(0, 999))
        clock = [created]

        def tick(lo=5, hi=600):
            clock[0] += datetime.timedelta(seconds=r.randint(lo, hi),
                                           milliseconds=r.randint(0, 999))
            return clock[0]

        repo = f"/home/dev/src/{project}" if r.random() < 0.7 else None
        self.insert("INSERT INTO sessions (id, project, phase, status, repo_root, archived,"
                    " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                    (sid, project, phase, status, repo, 1 if r.random() < 0.03 else 0,
                     iso(created), iso(created)))
        config = json.dumps({"planner_model": "claude-sonnet-4-6", "reviewer_model": "gpt-5.4",
                             "complexity": r.choice(["standard", "complex"]),
                             "reasoning_effort": "high"})
        config_id = self.insert("INSERT INTO session_config (session_id, config_json, created_at)"
                                " VALUES (?,?,?)", (sid, config, iso(created)))

        # Context: files of a few KB and notes
        if stage >= 1:
            for i in range(r.randint(2, 4)):
                when = tick(2, 90)
                if r.random() < 0.7:
                    ext, _ = r.choice(LANGS)
                    path = f"{repo or '/home/dev/notes'}/{r.choice(WORDS)}/{r.choice(WORDS)}_{i}.{ext}"
                    content = t.code(r.randint(800, 3000))
                    raw = content.encode()
                    self.insert("INSERT INTO context_entries (session_id, entry_type, name, content,"
                                " original_path, sha256, size_bytes, created_at, updated_at)"
                                " VALUES (?,?,?,?,?,?,?,?,?)",
                                (sid, "file", path, content, path, hashlib.sha256(raw).hexdigest(),
                                 len(raw), iso(when), iso(when)))
                else:
                    content = t.paragraph(r.randint(1, 5))
                    name = "note-" + when.strftime("%Y%m%d%H%M%S%f")
                    self.insert("INSERT INTO context_entries (session_id, entry_type, name, content,"
                                " original_path, sha256, size_bytes, created_at, updated_at)"
                                " VALUES (?,?,?,?,?,?,?,?,?)",
                                (sid, "note", name, content, None, None, len(content.encode()),
                                 iso(when), iso(when)))
                self.bytes += len(content)

        # Discussion: ~10 messages, replies longer than questions, a few very long
        if stage >= 2:
            for i in range(r.randint(8, 12)):
                when = tick(20, 900)
                if i % 2 == 0:
                    role, model = "user", None
                    content = t.prose(r.randint(60, 500))
                else:
                    role, model = "assistant", "claude-sonnet-4-6"
                    size = r.randint(400, 1500) if r.random() > 0.05 else r.randint(4000, 10000)
                    content = t.prose(size)
                    self.usage(sid, "discussion", "anthropic", model, when, False)
                self.insert("INSERT INTO messages (session_id, role, content, model, created_at)"
                            " VALUES (?,?,?,?,?)", (sid, role, content, model, iso(when)))
                self.bytes += len(content)

        if stage >= 3:
            when = tick()
            synth = t.prose(r.randint(800, 1500))
            self.usage(sid, "synthesis", "anthropic", "claude-haiku-4-5", when, False)
            self.insert("INSERT INTO context_entries (session_id, entry_type, name, content,"
                        " original_path, sha256, size_bytes, created_at, updated_at)"
                        " VALUES (?,?,?,?,?,?,?,?,?)",
                        (sid, "synthesis", "synthesis-" + when.strftime("%Y%m%d%H%M%S%f"), synth,
                         None, None, len(synth.encode()), iso(when), iso(when)))
            self.bytes += len(synth)

        # Drafts and review rounds. An accepted plan is always a reviewed
        # draft, so a complete session has a hand edit before its first round.
        if stage >= 4 and phase == "COMPLETE":
            steps = [("draft", "planner"), ("draft", "user"), ("review", "NO_GO"),
                     ("draft", "planner"), ("review", "GO")]
        elif stage >= 4:
            steps = [("draft", "planner"), ("review", "NO_GO"), ("draft", "planner"),
                     ("review", "NO_GO"), ("draft", "planner")]
        elif stage == 3:
            steps = [("draft", "planner")] * r.randint(1, 2)
        else:
            steps = []

        run_id = None
        if stage >= 4:
            run_state = ("accepted" if phase == "COMPLETE" else
                         "paused" if status == "PAUSED" else
                         r.choice(["running", "failed", "cancelled"]))
            run_id = self.insert("INSERT INTO review_runs (session_id, settings_json, state, step_json,"
                                 " created_at, finished_at) VALUES (?,?,?,?,?,?)",
                                 (sid, json.dumps({"max_rounds": 5, "fast": False}), run_state,
                                  json.dumps({"round": 2, "step": "done"}), iso(clock[0]), None))

        draft_number = round_number = 0
        last_draft_id = None
        for kind, what in steps:
            if kind == "draft":
                when = tick(60, 1800)
                draft_number += 1
                planner = what == "planner"
                usage_id = (self.usage(sid, "revision" if round_number else "generation",
                                       "anthropic", "claude-sonnet-4-6", when, True)
                            if planner else None)
                content = t.plan(project, r.randint(1500, 3000))
                last_draft_id = self.insert(
                    "INSERT INTO plan_drafts (session_id, draft_number, content, author, round_number,"
                    " model, config_snapshot_id, usage_id, warnings_json, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (sid, draft_number, content, what,
                     round_number if (planner and round_number) else None,
                     "claude-sonnet-4-6" if planner else None, config_id, usage_id,
                     "[]" if r.random() > 0.1 else json.dumps(["Milestone 2 has no tasks"]),
                     iso(when)))
                self.bytes += len(content)
                continue

            round_number += 1
            verdict = what
            when = tick(120, 2400)
            issues = [(r.choice(SEVERITIES), t.paragraph(1), t.paragraph(2), t.paragraph(1),
                       f"Milestone {r.randint(1, 5)}") for _ in range(r.randint(2, 7))]
            raw = json.dumps({"verdict": verdict, "summary": t.paragraph(2),
                              "issues": [{"severity": s, "description": de, "rationale": ra,
                                          "resolution_guidance": g, "target_section": ts}
                                         for s, de, ra, g, ts in issues]})
            usage_id = self.usage(sid, "review", "openai", "gpt-5.4", when, True)
            review_id = self.insert(
                "INSERT INTO reviews (session_id, run_id, draft_id, round_number, verdict, summary,"
                " keep_json, trim_json, parse_mode, raw_response, reviewer_model, usage_id, created_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (sid, run_id, last_draft_id, round_number, verdict, t.paragraph(2),
                 json.dumps([t.paragraph(1)]), "[]", "json", raw, "gpt-5.4", usage_id, iso(when)))
            self.bytes += len(raw)
            triage_when = tick(30, 600)
            self.usage(sid, "triage", "anthropic", "claude-sonnet-4-6", triage_when, False)
            for idx, (sev, de, ra, g, ts) in enumerate(issues):
                issue_id = self.insert(
                    "INSERT INTO review_issues (review_id, issue_index, severity, description,"
                    " rationale, resolution_guidance, target_section) VALUES (?,?,?,?,?,?,?)",
                    (review_id, idx, sev, de, ra, g, ts))
                if sev in ("critical", "major"):
                    self.insert("INSERT INTO dispositions (issue_id, disposition, rationale,"
                                " defaulted, created_at) VALUES (?,?,?,?,?)",
                                (issue_id, r.choice(DISPOSITIONS), t.paragraph(1),
                                 1 if r.random() < 0.05 else 0, iso(triage_when)))

        if status == "PAUSED":
            self.insert("INSERT INTO blockers (session_id, source, question, answer, status,"
                        " paused_phase, created_at, resolved_at) VALUES (?,?,?,?,?,?,?,?)",
                        (sid, "reviewer", t.paragraph(1), None, "open", phase, iso(tick()), None))
        elif stage >= 4 and r.random() < 0.2:
            asked = tick()
            self.insert("INSERT INTO blockers (session_id, source, question, answer, status,"
                        " paused_phase, created_at, resolved_at) VALUES (?,?,?,?,?,?,?,?)",
                        (sid, "reviewer", t.paragraph(1), t.paragraph(1), "resolved", "REVIEW",
                         iso(asked), iso(tick())))

        if run_id is not None:
            self.db.execute("UPDATE review_runs SET finished_at = ? WHERE id = ?",
                            (iso(clock[0]) if phase == "COMPLETE" else None, run_id))
        self.db.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (iso(clock[0]), sid))


def default_cli():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.environ.get("PLANWRIGHT_CLI",
                          os.path.join(here, "..", "build", "src", "cli", "planwright-cli"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database file to create")
    parser.add_argument("--cli", default=default_cli(),
                        help="planwright-cli to create the schema with "
                             "(default: $PLANWRIGHT_CLI or build/src/cli/planwright-cli)")
    parser.add_argument("--sessions", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--force", action="store_true", help="replace an existing database")
    args = parser.parse_args()

    if os.path.exists(args.db):
        if not args.force:
            sys.exit(f"gen-sessions: {args.db} exists (use --force to replace it)")
        reset_db(args.db)
    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)

    create_schema(args.cli, args.db)

    started = time.monotonic()
    rng = random.Random(args.seed)
    db = sqlite3.connect(args.db, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = OFF")  # a benchmark fixture, rebuilt on demand
    db.execute("PRAGMA cache_size = -200000")
    gen = Generator(db, rng, Text(rng))

    batch = 500
    for start in range(0, args.sessions, batch):
        db.execute("BEGIN")
        for _ in range(min(batch, args.sessions - start)):
            gen.session()
        db.execute("COMMIT")
        done = min(start + batch, args.sessions)
        print(f"\rgen-sessions: {done}/{args.sessions} sessions", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()

    size = os.path.getsize(args.db)
    print(f"gen-sessions: {args.db}: {args.sessions} sessions, {size / 1e6:.0f} MB "
          f"({gen.bytes / 1e6:.0f} MB of text) in {time.monotonic() - started:.0f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()
