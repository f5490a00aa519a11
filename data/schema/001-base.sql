-- SPDX-License-Identifier: GPL-3.0-or-later
-- Planwright schema version 1: sessions and everything hanging off them.
-- Times are ISO 8601 UTC with milliseconds, written by the store.

CREATE TABLE sessions (
  id          TEXT PRIMARY KEY CHECK (length(id) = 8 AND id NOT GLOB '*[^0-9a-f]*'),
  project     TEXT NOT NULL,
  phase       TEXT NOT NULL DEFAULT 'SETUP'
              CHECK (phase IN ('SETUP','CONTEXT','DISCUSSION','PLANNING','REVIEW','COMPLETE')),
  status      TEXT NOT NULL DEFAULT 'ACTIVE'
              CHECK (status IN ('ACTIVE','PAUSED','COMPLETE')),
  repo_root   TEXT,
  archived    INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE INDEX idx_sessions_created ON sessions (created_at DESC);

CREATE TABLE messages (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  role        TEXT NOT NULL CHECK (role IN ('user','assistant')),
  content     TEXT NOT NULL,
  model       TEXT,
  created_at  TEXT NOT NULL
);
CREATE INDEX idx_messages_session ON messages (session_id, id);

CREATE TABLE context_entries (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id    TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  entry_type    TEXT NOT NULL CHECK (entry_type IN ('file','note','synthesis')),
  name          TEXT NOT NULL,
  content       TEXT NOT NULL,
  original_path TEXT,
  sha256        TEXT,
  size_bytes    INTEGER NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX idx_context_session ON context_entries (session_id, id);

CREATE TABLE session_config (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  config_json TEXT NOT NULL CHECK (json_valid(config_json)),
  created_at  TEXT NOT NULL
);
CREATE INDEX idx_config_session ON session_config (session_id, id);

CREATE TABLE usage (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id        TEXT REFERENCES sessions (id) ON DELETE CASCADE,
  purpose           TEXT NOT NULL,
  provider          TEXT NOT NULL,
  model             TEXT NOT NULL,
  input_tokens      INTEGER NOT NULL DEFAULT 0,
  output_tokens     INTEGER NOT NULL DEFAULT 0,
  cached_tokens     INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens INTEGER NOT NULL DEFAULT 0,
  reasoning_tokens  INTEGER NOT NULL DEFAULT 0,
  cost_usd          REAL,
  latency_ms        INTEGER,
  request_id        TEXT,
  attempts          INTEGER NOT NULL DEFAULT 1,
  error             TEXT,
  created_at        TEXT NOT NULL
);
CREATE INDEX idx_usage_session ON usage (session_id);

CREATE TABLE plan_drafts (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id         TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  draft_number       INTEGER NOT NULL,
  content            TEXT NOT NULL,
  author             TEXT NOT NULL CHECK (author IN ('planner','user','import')),
  round_number       INTEGER,
  model              TEXT,
  config_snapshot_id INTEGER REFERENCES session_config (id),
  usage_id           INTEGER REFERENCES usage (id),
  warnings_json      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings_json)),
  created_at         TEXT NOT NULL,
  UNIQUE (session_id, draft_number)
);

-- Drafts are history: the store never rewrites one.
CREATE TRIGGER plan_drafts_immutable BEFORE UPDATE ON plan_drafts
BEGIN
  SELECT RAISE (ABORT, 'plan drafts are never updated in place');
END;

CREATE TABLE review_runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id   TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  settings_json TEXT NOT NULL CHECK (json_valid(settings_json)),
  state        TEXT NOT NULL DEFAULT 'running'
               CHECK (state IN ('running','accepted','paused','failed','cancelled')),
  step_json    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(step_json)),
  created_at   TEXT NOT NULL,
  finished_at  TEXT
);
CREATE INDEX idx_runs_session ON review_runs (session_id, id);

CREATE TABLE reviews (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id     TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  run_id         INTEGER REFERENCES review_runs (id) ON DELETE SET NULL,
  draft_id       INTEGER REFERENCES plan_drafts (id),
  round_number   INTEGER NOT NULL,
  verdict        TEXT NOT NULL CHECK (verdict IN ('GO','NO_GO')),
  summary        TEXT NOT NULL DEFAULT '',
  keep_json      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(keep_json)),
  trim_json      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(trim_json)),
  parse_mode     TEXT NOT NULL DEFAULT 'json',
  raw_response   TEXT,
  reviewer_model TEXT,
  usage_id       INTEGER REFERENCES usage (id),
  created_at     TEXT NOT NULL,
  UNIQUE (session_id, round_number)
);
CREATE INDEX idx_reviews_session ON reviews (session_id, round_number);

CREATE TABLE review_issues (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  review_id           INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
  issue_index         INTEGER NOT NULL,
  severity            TEXT NOT NULL CHECK (severity IN ('critical','major','minor')),
  description         TEXT NOT NULL,
  rationale           TEXT NOT NULL DEFAULT '',
  resolution_guidance TEXT NOT NULL DEFAULT '',
  target_section      TEXT NOT NULL DEFAULT '',
  UNIQUE (review_id, issue_index)
);

CREATE TABLE dispositions (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  issue_id    INTEGER NOT NULL UNIQUE REFERENCES review_issues (id) ON DELETE CASCADE,
  disposition TEXT NOT NULL CHECK (disposition IN ('ACCEPT','DEFER','REJECT')),
  rationale   TEXT NOT NULL DEFAULT '',
  defaulted   INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL
);

CREATE TABLE blockers (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
  source      TEXT NOT NULL,
  question    TEXT NOT NULL,
  answer      TEXT,
  status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),
  paused_phase TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  resolved_at TEXT
);
CREATE INDEX idx_blockers_session ON blockers (session_id, status);
