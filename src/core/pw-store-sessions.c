/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store: sessions, id prefixes, listing, counts and search. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "pw-store-private.h"

/* Sessions */

#define SESSION_COLUMNS "id, project, phase, status, repo_root, archived, created_at, updated_at"

static gpointer
session_from_row (PwStmt *stmt)
{
  PwSessionInfo *info = g_new0 (PwSessionInfo, 1);

  info->id = pw_store_column_dup (stmt, 0);
  info->project = pw_store_column_dup (stmt, 1);
  pw_phase_from_string ((const char *) sqlite3_column_text (stmt, 2), &info->phase);
  pw_status_from_string ((const char *) sqlite3_column_text (stmt, 3), &info->status);
  info->repo_root = pw_store_column_dup (stmt, 4);
  info->archived = sqlite3_column_int (stmt, 5) != 0;
  info->created_at = pw_store_column_dup (stmt, 6);
  info->updated_at = pw_store_column_dup (stmt, 7);
  return info;
}

/* The first column, for queries of session ids */
static gpointer
id_from_row (PwStmt *stmt)
{
  return pw_store_column_dup (stmt, 0);
}

gboolean
pw_store_create_session (PwStore     *self,
                         const char  *project,
                         const char  *repo_root,
                         const char  *config_json,
                         char       **out_id,
                         GError     **error)
{
  g_autofree char *now = pw_store_now_iso8601 ();
  g_autofree char *id = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);
  g_return_val_if_fail (project != NULL, FALSE);

  if (!pw_store_begin (self, error))
    return FALSE;

  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(PwStmt) stmt = NULL;
      g_autoptr(GError) local_error = NULL;

      g_free (id);
      id = g_strdup_printf ("%08x", g_random_int ());

      if (!(stmt = pw_store_prepare (self,
                                     "INSERT INTO sessions (id, project, repo_root, created_at, updated_at)"
                                     " VALUES (?1, ?2, ?3, ?4, ?4)", error)))
        goto fail;
      pw_store_bind_text (stmt, 1, id);
      pw_store_bind_text (stmt, 2, project);
      pw_store_bind_text (stmt, 3, repo_root);
      pw_store_bind_text (stmt, 4, now);
      if (pw_store_step_done (self, stmt, _("Could not create the session"), &local_error))
        break;
      /* 8 hex characters collide now and then: draw again. */
      if (!g_error_matches (local_error, PW_STORE_ERROR, PW_STORE_ERROR_CONSTRAINT) || attempt >= 16)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto fail;
        }
    }

  if (config_json != NULL && pw_store_add_config (self, id, config_json, error) == 0)
    goto fail;

  if (!pw_store_commit (self, error))
    return FALSE;

  if (out_id)
    *out_id = g_steal_pointer (&id);
  return TRUE;

fail:
  pw_store_rollback (self);
  return FALSE;
}

PwSessionInfo *
pw_store_get_session (PwStore     *self,
                      const char  *id,
                      GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!(stmt = pw_store_prepare (self, "SELECT " SESSION_COLUMNS " FROM sessions WHERE id = ?1", error)))
    return NULL;
  pw_store_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return session_from_row (stmt);
  if (rc == SQLITE_DONE)
    pw_store_not_found (error, id);
  else
    pw_store_set_sqlite_error (self, error, rc, _("Could not read the session"));
  return NULL;
}

char *
pw_store_resolve_id (PwStore     *self,
                     const char  *prefix,
                     GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *pattern = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  if (strlen (prefix) < 4 || strlen (prefix) > 8)
    {
      pw_store_not_found (error, prefix);
      return NULL;
    }
  for (const char *p = prefix; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      {
        pw_store_not_found (error, prefix);
        return NULL;
      }

  if (!(stmt = pw_store_prepare (self, "SELECT id FROM sessions WHERE id GLOB ?1 ORDER BY id LIMIT 11", error)))
    return NULL;
  pattern = g_strconcat (prefix, "*", NULL);
  pw_store_bind_text (stmt, 1, pattern);
  if (!(found = pw_store_collect (self, stmt, id_from_row, g_free, _("Could not look up the session"), error)))
    return NULL;

  if (found->len == 0)
    {
      pw_store_not_found (error, prefix);
      return NULL;
    }
  if (found->len > 1)
    {
      g_autofree char *list = NULL;

      if (found->len > 10)
        {
          g_ptr_array_set_size (found, 10);
          g_ptr_array_add (found, g_strdup ("…"));
        }
      g_ptr_array_add (found, NULL);
      list = g_strjoinv (", ", (char **) found->pdata);
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_AMBIGUOUS,
                   _("the id prefix '%s' matches several sessions: %s"), prefix, list);
      return NULL;
    }

  return g_strdup (g_ptr_array_index (found, 0));
}

GPtrArray *
pw_store_list_sessions (PwStore        *self,
                        const PwStatus *status,
                        const char     *project,
                        GError        **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT " SESSION_COLUMNS " FROM sessions"
                                 " WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR project = ?2)"
                                 " ORDER BY created_at DESC, rowid DESC", error)))
    return NULL;
  pw_store_bind_text (stmt, 1, status ? pw_status_to_string (*status) : NULL);
  pw_store_bind_text (stmt, 2, project);
  return pw_store_collect (self, stmt, session_from_row, (GDestroyNotify) pw_session_info_free,
                           _("Could not list the sessions"), error);
}

gboolean
pw_store_set_phase (PwStore     *self,
                    const char  *id,
                    PwPhase      phase,
                    PwStatus     status,
                    GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = pw_store_now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = pw_store_prepare (self,
                                 "UPDATE sessions SET phase = ?2, status = ?3, updated_at = ?4 WHERE id = ?1",
                                 error)))
    return FALSE;
  pw_store_bind_text (stmt, 1, id);
  pw_store_bind_text (stmt, 2, pw_phase_to_string (phase));
  pw_store_bind_text (stmt, 3, pw_status_to_string (status));
  pw_store_bind_text (stmt, 4, now);
  return pw_store_step_changed (self, stmt, id, _("Could not change the session's phase"), error);
}

gboolean
pw_store_set_archived (PwStore     *self,
                       const char  *id,
                       gboolean     archived,
                       GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = pw_store_prepare (self, "UPDATE sessions SET archived = ?2 WHERE id = ?1", error)))
    return FALSE;
  pw_store_bind_text (stmt, 1, id);
  sqlite3_bind_int (stmt, 2, archived ? 1 : 0);
  return pw_store_step_changed (self, stmt, id, _("Could not archive the session"), error);
}

gboolean
pw_store_delete_session (PwStore     *self,
                         const char  *id,
                         GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = pw_store_prepare (self, "DELETE FROM sessions WHERE id = ?1", error)))
    return FALSE;
  pw_store_bind_text (stmt, 1, id);
  return pw_store_step_changed (self, stmt, id, _("Could not delete the session"), error);
}

gboolean
pw_store_get_counts (PwStore         *self,
                     const char      *id,
                     PwSessionCounts *out_counts,
                     GError         **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_counts != NULL, FALSE);

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT"
                                 " (SELECT count(*) FROM messages WHERE session_id = ?1),"
                                 " (SELECT count(*) FROM context_entries WHERE session_id = ?1),"
                                 " (SELECT count(*) FROM plan_drafts WHERE session_id = ?1),"
                                 " (SELECT count(*) FROM reviews WHERE session_id = ?1),"
                                 " (SELECT count(*) FROM blockers WHERE session_id = ?1 AND status = 'open'),"
                                 " (SELECT coalesce(max(round_number), -1) FROM reviews WHERE session_id = ?1),"
                                 " (SELECT count(*) FROM usage WHERE session_id = ?1),"
                                 " (SELECT count(*) FROM usage WHERE session_id = ?1 AND cost_usd IS NULL"
                        /* a call that failed before any token was billed cost nothing */
                        "  AND NOT (error IS NOT NULL AND input_tokens = 0 AND output_tokens = 0)),"
                                 " (SELECT total(cost_usd) FROM usage WHERE session_id = ?1)"
                                 " FROM sessions WHERE id = ?1",
                                 error)))
    return FALSE;
  pw_store_bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      pw_store_not_found (error, id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      pw_store_set_sqlite_error (self, error, rc, _("Could not count the session's records"));
      return FALSE;
    }

  out_counts->message_count = sqlite3_column_int (stmt, 0);
  out_counts->context_entry_count = sqlite3_column_int (stmt, 1);
  out_counts->draft_count = sqlite3_column_int (stmt, 2);
  out_counts->review_count = sqlite3_column_int (stmt, 3);
  out_counts->open_blocker_count = sqlite3_column_int (stmt, 4);
  out_counts->last_round = sqlite3_column_int (stmt, 5);
  out_counts->usage_count = sqlite3_column_int (stmt, 6);
  out_counts->cost_known = sqlite3_column_int (stmt, 7) == 0;
  out_counts->total_cost_usd = sqlite3_column_double (stmt, 8);
  return TRUE;
}

#define RANKED_MATCHES_MAX 2000

/* How many rows of the index @match finds, counted up to @cap; -1 on error */
static gint64
count_matches (PwStore     *self,
               const char  *match,
               int          cap,
               GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT count(*) FROM (SELECT 1 FROM search_index"
                                 " WHERE search_index MATCH ?1 LIMIT ?2)", error)))
    return -1;
  pw_store_bind_text (stmt, 1, match);
  sqlite3_bind_int (stmt, 2, cap);
  if (!pw_store_step_row (self, stmt, _("Could not search the sessions"), error))
    return -1;
  return sqlite3_column_int64 (stmt, 0);
}

GPtrArray *
pw_store_search (PwStore     *self,
                 const char  *query,
                 guint        limit,
                 GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autoptr(GString) match = g_string_new (NULL);
  g_auto(GStrv) words = NULL;
  gint64 many;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  /* Each word becomes a quoted prefix term, so user text is never FTS syntax. */
  words = g_strsplit_set (query, " \t\r\n", -1);
  for (guint i = 0; words[i]; i++)
    {
      g_auto(GStrv) parts = NULL;

      if (*words[i] == '\0')
        continue;
      parts = g_strsplit (words[i], "\"", -1);
      if (match->len)
        g_string_append_c (match, ' ');
      g_string_append_c (match, '"');
      for (guint j = 0; parts[j]; j++)
        {
          if (j)
            g_string_append (match, "\"\"");
          g_string_append (match, parts[j]);
        }
      g_string_append (match, "\"*");
    }
  if (match->len == 0)
    return g_ptr_array_new_with_free_func (g_free);

  /* Ranking (bm25) costs per matching row, and a word's first letters
   * match most of a large database: "p" ranked 120 000 rows of 10 000
   * sessions in 4 s, where finding them takes 0.2 s. Past
   * RANKED_MATCHES_MAX rows the most recently changed sessions come
   * first instead. */
  if ((many = count_matches (self, match->str, RANKED_MATCHES_MAX + 1, error)) < 0
      || !(stmt = pw_store_prepare (self,
                                    many > RANKED_MATCHES_MAX
                                    ? "SELECT id FROM sessions WHERE id IN (SELECT session_id FROM search_index"
                                      " WHERE search_index MATCH ?1) ORDER BY updated_at DESC, rowid DESC LIMIT ?2"
                                    : "SELECT session_id FROM search_index WHERE search_index MATCH ?1"
                                      " GROUP BY session_id ORDER BY min(rank) LIMIT ?2", error)))
    return NULL;
  pw_store_bind_text (stmt, 1, match->str);
  sqlite3_bind_int (stmt, 2, limit ? (int) MIN (limit, G_MAXINT) : -1);
  return pw_store_collect (self, stmt, id_from_row, g_free, _("Could not search the sessions"), error);
}
