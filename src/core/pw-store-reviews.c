/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store: review runs, reviews, issues, dispositions, blockers and usage. */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "pw-store-private.h"

/* Reviews */

gint64
pw_store_add_review_run (PwStore     *self,
                         const char  *session_id,
                         const char  *settings_json,
                         GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = pw_store_now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), 0);

  if (!(stmt = pw_store_prepare (self,
                                 "INSERT INTO review_runs (session_id, settings_json, created_at)"
                                 " VALUES (?1, ?2, ?3)", error)))
    return 0;
  pw_store_bind_text (stmt, 1, session_id);
  pw_store_bind_text (stmt, 2, settings_json ? settings_json : "{}");
  pw_store_bind_text (stmt, 3, now);
  if (!pw_store_step_done (self, stmt, _("Could not store the review run"), error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}

gboolean
pw_store_finish_review_run (PwStore     *self,
                            gint64       run_id,
                            const char  *state,
                            GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = pw_store_now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = pw_store_prepare (self,
                                 "UPDATE review_runs SET state = ?2, finished_at = ?3 WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  pw_store_bind_text (stmt, 2, state);
  pw_store_bind_text (stmt, 3, now);
  if (!pw_store_step_done (self, stmt, _("Could not update the review run"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND,
                   _("no review run %" PRId64), run_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
pw_store_set_review_run_step (PwStore     *self,
                              gint64       run_id,
                              const char  *step_json,
                              GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = pw_store_prepare (self, "UPDATE review_runs SET step_json = ?2 WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  pw_store_bind_text (stmt, 2, step_json ? step_json : "{}");
  if (!pw_store_step_done (self, stmt, _("Could not update the review run"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND,
                   _("no review run %" PRId64), run_id);
      return FALSE;
    }
  return TRUE;
}

gint64
pw_store_get_last_review_run (PwStore     *self,
                              const char  *session_id,
                              char       **out_state,
                              char       **out_settings_json,
                              char       **out_step_json,
                              GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), -1);

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT id, state, settings_json, step_json FROM review_runs"
                                 " WHERE session_id = ?1 ORDER BY id DESC LIMIT 1", error)))
    return -1;
  pw_store_bind_text (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return 0;
  if (rc != SQLITE_ROW)
    {
      pw_store_set_sqlite_error (self, error, rc, _("Could not read the review runs"));
      return -1;
    }
  if (out_state)
    *out_state = pw_store_column_dup (stmt, 1);
  if (out_settings_json)
    *out_settings_json = pw_store_column_dup (stmt, 2);
  if (out_step_json)
    *out_step_json = pw_store_column_dup (stmt, 3);
  return sqlite3_column_int64 (stmt, 0);
}

gint64
pw_store_add_review (PwStore     *self,
                     const char  *session_id,
                     PwReview    *review,
                     GError     **error)
{
  g_autofree char *now = pw_store_now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), 0);
  g_return_val_if_fail (review != NULL, 0);

  if (!pw_store_begin (self, error))
    return 0;

  {
    g_autoptr(PwStmt) stmt = NULL;

    if (!(stmt = pw_store_prepare (self,
                                   "INSERT INTO reviews (session_id, run_id, draft_id, round_number, verdict,"
                                   " summary, keep_json, trim_json, parse_mode, raw_response, reviewer_model,"
                                   " usage_id, created_at, inconsistency)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)", error)))
      goto fail;
    pw_store_bind_text (stmt, 1, session_id);
    if (review->run_id > 0)
      sqlite3_bind_int64 (stmt, 2, review->run_id);
    if (review->draft_id > 0)
      sqlite3_bind_int64 (stmt, 3, review->draft_id);
    sqlite3_bind_int (stmt, 4, review->round_number);
    pw_store_bind_text (stmt, 5, review->verdict);
    pw_store_bind_text (stmt, 6, review->summary ? review->summary : "");
    pw_store_bind_text (stmt, 7, review->keep_json ? review->keep_json : "[]");
    pw_store_bind_text (stmt, 8, review->trim_json ? review->trim_json : "[]");
    pw_store_bind_text (stmt, 9, review->parse_mode ? review->parse_mode : "json");
    pw_store_bind_text (stmt, 10, review->raw_response);
    pw_store_bind_text (stmt, 11, review->reviewer_model);
    if (review->usage_id > 0)
      sqlite3_bind_int64 (stmt, 12, review->usage_id);
    pw_store_bind_text (stmt, 13, now);
    pw_store_bind_text (stmt, 14, review->inconsistency);
    if (!pw_store_step_done (self, stmt, _("Could not store the review"), error))
      goto fail;
    review->id = sqlite3_last_insert_rowid (self->db);
  }

  for (guint i = 0; review->issues && i < review->issues->len; i++)
    {
      PwReviewIssue *issue = g_ptr_array_index (review->issues, i);
      g_autoptr(PwStmt) stmt = NULL;

      if (!(stmt = pw_store_prepare (self,
                                     "INSERT INTO review_issues (review_id, issue_index, severity, description,"
                                     " rationale, resolution_guidance, target_section)"
                                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error)))
        goto fail;
      sqlite3_bind_int64 (stmt, 1, review->id);
      sqlite3_bind_int (stmt, 2, issue->issue_index);
      pw_store_bind_text (stmt, 3, issue->severity);
      pw_store_bind_text (stmt, 4, issue->description);
      pw_store_bind_text (stmt, 5, issue->rationale ? issue->rationale : "");
      pw_store_bind_text (stmt, 6, issue->resolution_guidance ? issue->resolution_guidance : "");
      pw_store_bind_text (stmt, 7, issue->target_section ? issue->target_section : "");
      if (!pw_store_step_done (self, stmt, _("Could not store a review issue"), error))
        goto fail;
      issue->id = sqlite3_last_insert_rowid (self->db);
    }

  if (!pw_store_touch_session (self, session_id, error))
    goto fail;
  if (!pw_store_commit (self, error))
    return 0;
  return review->id;

fail:
  pw_store_rollback (self);
  return 0;
}

gboolean
pw_store_add_disposition (PwStore     *self,
                          gint64       issue_id,
                          const char  *disposition,
                          const char  *rationale,
                          gboolean     defaulted,
                          GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = pw_store_now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = pw_store_prepare (self,
                                 "INSERT INTO dispositions (issue_id, disposition, rationale, defaulted, created_at)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, issue_id);
  pw_store_bind_text (stmt, 2, disposition);
  pw_store_bind_text (stmt, 3, rationale ? rationale : "");
  sqlite3_bind_int (stmt, 4, defaulted ? 1 : 0);
  pw_store_bind_text (stmt, 5, now);
  return pw_store_step_done (self, stmt, _("Could not store the disposition"), error);
}

static gpointer
issue_from_row (PwStmt *stmt)
{
  PwReviewIssue *issue = g_new0 (PwReviewIssue, 1);

  issue->id = sqlite3_column_int64 (stmt, 0);
  issue->issue_index = sqlite3_column_int (stmt, 1);
  issue->severity = pw_store_column_dup (stmt, 2);
  issue->description = pw_store_column_dup (stmt, 3);
  issue->rationale = pw_store_column_dup (stmt, 4);
  issue->resolution_guidance = pw_store_column_dup (stmt, 5);
  issue->target_section = pw_store_column_dup (stmt, 6);
  issue->disposition = pw_store_column_dup (stmt, 7);
  issue->disposition_rationale = pw_store_column_dup (stmt, 8);
  issue->defaulted = sqlite3_column_int (stmt, 9) != 0;
  return issue;
}

/* Fills @review->issues, which review_from_row() leaves unset */
static gboolean
load_issues (PwStore   *self,
             PwReview  *review,
             GError   **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT i.id, i.issue_index, i.severity, i.description, i.rationale,"
                                 " i.resolution_guidance, i.target_section, d.disposition, d.rationale,"
                                 " coalesce(d.defaulted, 0)"
                                 " FROM review_issues i LEFT JOIN dispositions d ON d.issue_id = i.id"
                                 " WHERE i.review_id = ?1 ORDER BY i.issue_index", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, review->id);
  review->issues = pw_store_collect (self, stmt, issue_from_row, (GDestroyNotify) pw_review_issue_free,
                                     _("Could not read the review issues"), error);
  return review->issues != NULL;
}

static gpointer
review_from_row (PwStmt *stmt)
{
  PwReview *r = g_new0 (PwReview, 1);

  r->id = sqlite3_column_int64 (stmt, 0);
  r->run_id = sqlite3_column_int64 (stmt, 1);
  r->draft_id = sqlite3_column_int64 (stmt, 2);
  r->round_number = sqlite3_column_int (stmt, 3);
  r->verdict = pw_store_column_dup (stmt, 4);
  r->summary = pw_store_column_dup (stmt, 5);
  r->keep_json = pw_store_column_dup (stmt, 6);
  r->trim_json = pw_store_column_dup (stmt, 7);
  r->parse_mode = pw_store_column_dup (stmt, 8);
  r->raw_response = pw_store_column_dup (stmt, 9);
  r->reviewer_model = pw_store_column_dup (stmt, 10);
  r->usage_id = sqlite3_column_int64 (stmt, 11);
  r->created_at = pw_store_column_dup (stmt, 12);
  r->fast_mode = sqlite3_column_int (stmt, 13) != 0;
  r->inconsistency = pw_store_column_dup (stmt, 14);
  return r;
}

GPtrArray *
pw_store_list_reviews (PwStore     *self,
                       const char  *session_id,
                       GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  {
    g_autoptr(PwStmt) stmt = NULL;

    if (!(stmt = pw_store_prepare (self,
                                   "SELECT r.id, r.run_id, r.draft_id, r.round_number, r.verdict, r.summary,"
                                   " r.keep_json, r.trim_json, r.parse_mode, r.raw_response, r.reviewer_model,"
                                   " r.usage_id, r.created_at,"
                                   " coalesce(json_extract(rr.settings_json, '$.fast_mode'), 0), r.inconsistency"
                                   " FROM reviews r LEFT JOIN review_runs rr ON rr.id = r.run_id"
                                   " WHERE r.session_id = ?1 ORDER BY r.round_number", error)))
      return NULL;
    pw_store_bind_text (stmt, 1, session_id);
    if (!(rows = pw_store_collect (self, stmt, review_from_row, (GDestroyNotify) pw_review_free,
                                   _("Could not read the reviews"), error)))
      return NULL;
  }

  for (guint i = 0; i < rows->len; i++)
    if (!load_issues (self, g_ptr_array_index (rows, i), error))
      return NULL;

  return g_steal_pointer (&rows);
}

/* Blockers */

gint64
pw_store_add_blocker (PwStore     *self,
                      const char  *session_id,
                      const char  *source,
                      const char  *question,
                      GError     **error)
{
  g_autoptr(PwSessionInfo) info = NULL;
  g_autofree char *now = pw_store_now_iso8601 ();
  gint64 id;

  g_return_val_if_fail (PW_IS_STORE (self), 0);

  if (!pw_store_begin (self, error))
    return 0;
  if (!(info = pw_store_get_session (self, session_id, error)))
    goto fail;

  {
    g_autoptr(PwStmt) stmt = NULL;

    if (!(stmt = pw_store_prepare (self,
                                   "INSERT INTO blockers (session_id, source, question, paused_phase, created_at)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5)", error)))
      goto fail;
    pw_store_bind_text (stmt, 1, session_id);
    pw_store_bind_text (stmt, 2, source);
    pw_store_bind_text (stmt, 3, question);
    pw_store_bind_text (stmt, 4, pw_phase_to_string (info->phase));
    pw_store_bind_text (stmt, 5, now);
    if (!pw_store_step_done (self, stmt, _("Could not store the blocker"), error))
      goto fail;
    id = sqlite3_last_insert_rowid (self->db);
  }

  if (!pw_store_set_phase (self, session_id, info->phase, PW_STATUS_PAUSED, error))
    goto fail;
  if (!pw_store_commit (self, error))
    return 0;
  return id;

fail:
  pw_store_rollback (self);
  return 0;
}

static gpointer
blocker_from_row (PwStmt *stmt)
{
  PwBlocker *b = g_new0 (PwBlocker, 1);

  b->id = sqlite3_column_int64 (stmt, 0);
  b->source = pw_store_column_dup (stmt, 1);
  b->question = pw_store_column_dup (stmt, 2);
  b->answer = pw_store_column_dup (stmt, 3);
  b->open = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), "open") == 0;
  pw_phase_from_string ((const char *) sqlite3_column_text (stmt, 5), &b->paused_phase);
  b->created_at = pw_store_column_dup (stmt, 6);
  b->resolved_at = pw_store_column_dup (stmt, 7);
  b->used_in_draft_id = sqlite3_column_int64 (stmt, 8);
  return b;
}

GPtrArray *
pw_store_list_blockers (PwStore     *self,
                        const char  *session_id,
                        gboolean     open_only,
                        GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT id, source, question, answer, status, paused_phase, created_at,"
                                 " resolved_at, used_in_draft_id FROM blockers WHERE session_id = ?1"
                                 " AND (?2 = 0 OR status = 'open') ORDER BY id", error)))
    return NULL;
  pw_store_bind_text (stmt, 1, session_id);
  sqlite3_bind_int (stmt, 2, open_only ? 1 : 0);
  return pw_store_collect (self, stmt, blocker_from_row, (GDestroyNotify) pw_blocker_free,
                           _("Could not read the blockers"), error);
}

gboolean
pw_store_answer_blocker (PwStore     *self,
                         const char  *session_id,
                         gint64       blocker_id,
                         const char  *answer,
                         GError     **error)
{
  g_autofree char *now = pw_store_now_iso8601 ();
  g_autofree char *paused_phase = NULL;
  gint64 still_open;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);

  if (!pw_store_begin (self, error))
    return FALSE;

  {
    g_autoptr(PwStmt) stmt = NULL;
    int rc;

    if (!(stmt = pw_store_prepare (self,
                                   "UPDATE blockers SET answer = ?3, status = 'resolved', resolved_at = ?4"
                                   " WHERE id = ?2 AND session_id = ?1 AND status = 'open'"
                                   " RETURNING paused_phase", error)))
      goto fail;
    pw_store_bind_text (stmt, 1, session_id);
    sqlite3_bind_int64 (stmt, 2, blocker_id);
    pw_store_bind_text (stmt, 3, answer);
    pw_store_bind_text (stmt, 4, now);
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_DONE)
      {
        g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND,
                     _("session %s has no open blocker %" PRId64), session_id, blocker_id);
        goto fail;
      }
    if (rc != SQLITE_ROW)
      {
        pw_store_set_sqlite_error (self, error, rc, _("Could not store the answer"));
        goto fail;
      }
    paused_phase = pw_store_column_dup (stmt, 0);
    sqlite3_step (stmt);
  }

  {
    g_autoptr(PwStmt) stmt = NULL;

    if (!(stmt = pw_store_prepare (self,
                                   "SELECT count(*) FROM blockers WHERE session_id = ?1 AND status = 'open'",
                                   error)))
      goto fail;
    pw_store_bind_text (stmt, 1, session_id);
    if (!pw_store_step_row (self, stmt, _("Could not count the open blockers"), error))
      goto fail;
    still_open = sqlite3_column_int64 (stmt, 0);
  }

  if (still_open == 0)
    {
      PwPhase phase;

      if (!pw_phase_from_string (paused_phase, &phase))
        phase = PW_PHASE_REVIEW;
      if (!pw_store_set_phase (self, session_id, phase, PW_STATUS_ACTIVE, error))
        goto fail;
    }

  return pw_store_commit (self, error);

fail:
  pw_store_rollback (self);
  return FALSE;
}

/* Usage */

gint64
pw_store_add_usage (PwStore        *self,
                    const PwUsage  *usage,
                    GError        **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = pw_store_now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), 0);
  g_return_val_if_fail (usage != NULL, 0);

  if (!(stmt = pw_store_prepare (self,
                                 "INSERT INTO usage (session_id, purpose, provider, model, input_tokens,"
                                 " output_tokens, cached_tokens, cache_write_tokens, reasoning_tokens,"
                                 " cost_usd, latency_ms, request_id, attempts, error, created_at)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                                 error)))
    return 0;
  pw_store_bind_text (stmt, 1, usage->session_id);
  pw_store_bind_text (stmt, 2, usage->purpose);
  pw_store_bind_text (stmt, 3, usage->provider);
  pw_store_bind_text (stmt, 4, usage->model);
  sqlite3_bind_int64 (stmt, 5, usage->input_tokens);
  sqlite3_bind_int64 (stmt, 6, usage->output_tokens);
  sqlite3_bind_int64 (stmt, 7, usage->cached_tokens);
  sqlite3_bind_int64 (stmt, 8, usage->cache_write_tokens);
  sqlite3_bind_int64 (stmt, 9, usage->reasoning_tokens);
  if (usage->cost_known)
    sqlite3_bind_double (stmt, 10, usage->cost_usd);
  if (usage->latency_ms >= 0)
    sqlite3_bind_int64 (stmt, 11, usage->latency_ms);
  pw_store_bind_text (stmt, 12, usage->request_id);
  sqlite3_bind_int (stmt, 13, MAX (usage->attempts, 1));
  pw_store_bind_text (stmt, 14, usage->error);
  pw_store_bind_text (stmt, 15, now);
  if (!pw_store_step_done (self, stmt, _("Could not store the call's usage"), error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}

gboolean
pw_store_mark_blocker_used (PwStore     *self,
                            gint64       blocker_id,
                            gint64       draft_id,
                            GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = pw_store_prepare (self,
                                 "UPDATE blockers SET used_in_draft_id = ?2"
                                 " WHERE id = ?1 AND answer IS NOT NULL AND used_in_draft_id IS NULL", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, blocker_id);
  sqlite3_bind_int64 (stmt, 2, draft_id);
  return pw_store_step_done (self, stmt, _("Could not record how the answer was used"), error);
}
