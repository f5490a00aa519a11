-- SPDX-License-Identifier: GPL-3.0-or-later
-- Planwright schema version 2: full-text search over session titles,
-- messages and plan drafts, kept current by triggers.

CREATE VIRTUAL TABLE search_index USING fts5 (
  session_id UNINDEXED,
  kind UNINDEXED,
  ref UNINDEXED,
  body,
  tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO search_index (session_id, kind, ref, body)
  SELECT id, 'title', id, project FROM sessions;
INSERT INTO search_index (session_id, kind, ref, body)
  SELECT session_id, 'message', id, content FROM messages;
INSERT INTO search_index (session_id, kind, ref, body)
  SELECT session_id, 'draft', id, content FROM plan_drafts;

CREATE TRIGGER search_sessions_ai AFTER INSERT ON sessions BEGIN
  INSERT INTO search_index (session_id, kind, ref, body) VALUES (new.id, 'title', new.id, new.project);
END;
CREATE TRIGGER search_sessions_au AFTER UPDATE OF project ON sessions BEGIN
  DELETE FROM search_index WHERE kind = 'title' AND ref = old.id;
  INSERT INTO search_index (session_id, kind, ref, body) VALUES (new.id, 'title', new.id, new.project);
END;
CREATE TRIGGER search_sessions_ad AFTER DELETE ON sessions BEGIN
  DELETE FROM search_index WHERE session_id = old.id;
END;
CREATE TRIGGER search_messages_ai AFTER INSERT ON messages BEGIN
  INSERT INTO search_index (session_id, kind, ref, body) VALUES (new.session_id, 'message', new.id, new.content);
END;
CREATE TRIGGER search_drafts_ai AFTER INSERT ON plan_drafts BEGIN
  INSERT INTO search_index (session_id, kind, ref, body) VALUES (new.session_id, 'draft', new.id, new.content);
END;
