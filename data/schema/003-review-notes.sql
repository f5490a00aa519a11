-- SPDX-License-Identifier: GPL-3.0-or-later
-- Planwright schema version 3: what a review round noticed about its own
-- answer, and which revision used a blocker's answer.

-- Set when the reviewer's answer contradicted itself (a GO that still lists
-- critical issues, taken as NO_GO); NULL when it did not.
ALTER TABLE reviews ADD COLUMN inconsistency TEXT;

-- The draft whose revision request carried this blocker's answer; NULL
-- until a planner request has used it.
ALTER TABLE blockers ADD COLUMN used_in_draft_id INTEGER REFERENCES plan_drafts (id);
