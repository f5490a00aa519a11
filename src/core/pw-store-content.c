/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store: messages, context entries, config snapshots and plan drafts. */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "pw-store-private.h"

/* Messages */

gint64
pw_store_add_message (PwStore     *self,
                      const char  *session_id,
                      const char  *role,
                      const char  *content,
                      const char  *model,
                      GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = pw_store_now_iso8601 ();
  gint64 id;

  g_return_val_if_fail (PW_IS_STORE (self), 0);

  if (!pw_store_begin (self, error))
    return 0;
  if (!(stmt = pw_store_prepare (self,
                                 "INSERT INTO messages (session_id, role, content, model, created_at)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5)", error)))
    goto fail;
  pw_store_bind_text (stmt, 1, session_id);
  pw_store_bind_text (stmt, 2, role);
  pw_store_bind_text (stmt, 3, content);
  pw_store_bind_text (stmt, 4, model);
  pw_store_bind_text (stmt, 5, now);
  if (!pw_store_step_done (self, stmt, _("Could not store the message"), error))
    goto fail;
  id = sqlite3_last_insert_rowid (self->db);
  if (!pw_store_touch_session (self, session_id, error))
    goto fail;
  if (!pw_store_commit (self, error))
    return 0;
  return id;

fail:
  pw_store_rollback (self);
  return 0;
}

static gpointer
message_from_row (PwStmt *stmt)
{
  PwMessage *m = g_new0 (PwMessage, 1);

  m->id = sqlite3_column_int64 (stmt, 0);
  m->role = pw_store_column_dup (stmt, 1);
  m->content = pw_store_column_dup (stmt, 2);
  m->model = pw_store_column_dup (stmt, 3);
  m->created_at = pw_store_column_dup (stmt, 4);
  return m;
}

GPtrArray *
pw_store_list_messages (PwStore     *self,
                        const char  *session_id,
                        GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT id, role, content, model, created_at FROM messages"
                                 " WHERE session_id = ?1 ORDER BY id", error)))
    return NULL;
  pw_store_bind_text (stmt, 1, session_id);
  return pw_store_collect (self, stmt, message_from_row, (GDestroyNotify) pw_message_free,
                           _("Could not read the messages"), error);
}

/* Context */

gint64
pw_store_add_context (PwStore     *self,
                      const char  *session_id,
                      const char  *entry_type,
                      const char  *name,
                      const char  *content,
                      const char  *original_path,
                      const char  *sha256,
                      GError     **error)
{
  g_autofree char *now = pw_store_now_iso8601 ();
  gint64 id = 0;

  g_return_val_if_fail (PW_IS_STORE (self), 0);
  g_return_val_if_fail (content != NULL && name != NULL, 0);

  if (!pw_store_begin (self, error))
    return 0;

  if (g_strcmp0 (entry_type, "file") == 0 && original_path != NULL)
    {
      g_autoptr(PwStmt) stmt = NULL;
      int rc;

      if (!(stmt = pw_store_prepare (self,
                                     "UPDATE context_entries SET content = ?3, sha256 = ?4, size_bytes = ?5,"
                                     " name = ?6, updated_at = ?7"
                                     " WHERE session_id = ?1 AND entry_type = 'file' AND original_path = ?2"
                                     " RETURNING id", error)))
        goto fail;
      pw_store_bind_text (stmt, 1, session_id);
      pw_store_bind_text (stmt, 2, original_path);
      pw_store_bind_text (stmt, 3, content);
      pw_store_bind_text (stmt, 4, sha256);
      sqlite3_bind_int64 (stmt, 5, strlen (content));
      pw_store_bind_text (stmt, 6, name);
      pw_store_bind_text (stmt, 7, now);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      else if (rc != SQLITE_DONE)
        {
          pw_store_set_sqlite_error (self, error, rc, _("Could not store the context entry"));
          goto fail;
        }
    }

  if (id == 0)
    {
      g_autoptr(PwStmt) stmt = NULL;

      if (!(stmt = pw_store_prepare (self,
                                     "INSERT INTO context_entries (session_id, entry_type, name, content,"
                                     " original_path, sha256, size_bytes, created_at, updated_at)"
                                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)", error)))
        goto fail;
      pw_store_bind_text (stmt, 1, session_id);
      pw_store_bind_text (stmt, 2, entry_type);
      pw_store_bind_text (stmt, 3, name);
      pw_store_bind_text (stmt, 4, content);
      pw_store_bind_text (stmt, 5, original_path);
      pw_store_bind_text (stmt, 6, sha256);
      sqlite3_bind_int64 (stmt, 7, strlen (content));
      pw_store_bind_text (stmt, 8, now);
      if (!pw_store_step_done (self, stmt, _("Could not store the context entry"), error))
        goto fail;
      id = sqlite3_last_insert_rowid (self->db);
    }

  if (!pw_store_touch_session (self, session_id, error))
    goto fail;
  if (!pw_store_commit (self, error))
    return 0;
  return id;

fail:
  pw_store_rollback (self);
  return 0;
}

static gpointer
context_entry_from_row (PwStmt *stmt)
{
  PwContextEntry *e = g_new0 (PwContextEntry, 1);

  e->id = sqlite3_column_int64 (stmt, 0);
  e->entry_type = pw_store_column_dup (stmt, 1);
  e->name = pw_store_column_dup (stmt, 2);
  e->content = pw_store_column_dup (stmt, 3);
  e->original_path = pw_store_column_dup (stmt, 4);
  e->sha256 = pw_store_column_dup (stmt, 5);
  e->size_bytes = sqlite3_column_int64 (stmt, 6);
  e->created_at = pw_store_column_dup (stmt, 7);
  e->updated_at = pw_store_column_dup (stmt, 8);
  return e;
}

GPtrArray *
pw_store_list_context (PwStore     *self,
                       const char  *session_id,
                       GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT id, entry_type, name, content, original_path, sha256, size_bytes,"
                                 " created_at, updated_at FROM context_entries"
                                 " WHERE session_id = ?1 ORDER BY id", error)))
    return NULL;
  pw_store_bind_text (stmt, 1, session_id);
  return pw_store_collect (self, stmt, context_entry_from_row, (GDestroyNotify) pw_context_entry_free,
                           _("Could not read the context"), error);
}

gboolean
pw_store_remove_context (PwStore     *self,
                         const char  *session_id,
                         gint64       entry_id,
                         GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = pw_store_prepare (self, "DELETE FROM context_entries WHERE id = ?2 AND session_id = ?1", error)))
    return FALSE;
  pw_store_bind_text (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, entry_id);
  if (!pw_store_step_done (self, stmt, _("Could not remove the context entry"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND,
                   _("session %s has no context entry %" PRId64), session_id, entry_id);
      return FALSE;
    }
  return TRUE;
}

/* Config */

gint64
pw_store_add_config (PwStore     *self,
                     const char  *session_id,
                     const char  *config_json,
                     GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = pw_store_now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), 0);

  if (!(stmt = pw_store_prepare (self,
                                 "INSERT INTO session_config (session_id, config_json, created_at)"
                                 " VALUES (?1, ?2, ?3)", error)))
    return 0;
  pw_store_bind_text (stmt, 1, session_id);
  pw_store_bind_text (stmt, 2, config_json);
  pw_store_bind_text (stmt, 3, now);
  if (!pw_store_step_done (self, stmt, _("Could not store the session's settings"), error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}

char *
pw_store_get_config (PwStore     *self,
                     const char  *session_id,
                     gint64      *out_id,
                     GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT id, config_json FROM session_config WHERE session_id = ?1"
                                 " ORDER BY id DESC LIMIT 1", error)))
    return NULL;
  pw_store_bind_text (stmt, 1, session_id);
  if (!pw_store_step_row (self, stmt, _("Could not read the session's settings"), error))
    return NULL;
  if (out_id)
    *out_id = sqlite3_column_int64 (stmt, 0);
  return pw_store_column_dup (stmt, 1);
}

/* Drafts */

static gpointer
draft_from_row (PwStmt *stmt)
{
  PwDraft *d = g_new0 (PwDraft, 1);

  d->id = sqlite3_column_int64 (stmt, 0);
  d->draft_number = sqlite3_column_int (stmt, 1);
  d->content = pw_store_column_dup (stmt, 2);
  d->author = pw_store_column_dup (stmt, 3);
  d->round_number = sqlite3_column_type (stmt, 4) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 4);
  d->model = pw_store_column_dup (stmt, 5);
  d->config_snapshot_id = sqlite3_column_int64 (stmt, 6);
  d->warnings_json = pw_store_column_dup (stmt, 7);
  d->created_at = pw_store_column_dup (stmt, 8);
  return d;
}

#define DRAFT_COLUMNS "id, draft_number, content, author, round_number, model," \
                      " config_snapshot_id, warnings_json, created_at"

gint64
pw_store_add_draft (PwStore     *self,
                    const char  *session_id,
                    const char  *content,
                    const char  *author,
                    gint         round_number,
                    const char  *model,
                    gint64       config_snapshot_id,
                    const char  *warnings_json,
                    gint        *out_draft_number,
                    GError     **error)
{
  g_autofree char *now = pw_store_now_iso8601 ();
  gint64 id;
  gint number;

  g_return_val_if_fail (PW_IS_STORE (self), 0);

  if (!pw_store_begin (self, error))
    return 0;

  {
    g_autoptr(PwStmt) stmt = NULL;

    /* The number is taken inside the insert, under the write lock. */
    if (!(stmt = pw_store_prepare (self,
                                   "INSERT INTO plan_drafts (session_id, draft_number, content, author,"
                                   " round_number, model, config_snapshot_id, warnings_json, created_at)"
                                   " VALUES (?1, (SELECT coalesce(max(draft_number), 0) + 1 FROM plan_drafts"
                                   " WHERE session_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                                   " RETURNING id, draft_number", error)))
      goto fail;
    pw_store_bind_text (stmt, 1, session_id);
    pw_store_bind_text (stmt, 2, content);
    pw_store_bind_text (stmt, 3, author);
    if (round_number >= 0)
      sqlite3_bind_int (stmt, 4, round_number);
    else
      sqlite3_bind_null (stmt, 4);
    pw_store_bind_text (stmt, 5, model);
    if (config_snapshot_id > 0)
      sqlite3_bind_int64 (stmt, 6, config_snapshot_id);
    else
      sqlite3_bind_null (stmt, 6);
    pw_store_bind_text (stmt, 7, warnings_json ? warnings_json : "[]");
    pw_store_bind_text (stmt, 8, now);
    if (!pw_store_step_row (self, stmt, _("Could not store the plan draft"), error))
      goto fail;
    id = sqlite3_column_int64 (stmt, 0);
    number = sqlite3_column_int (stmt, 1);
    /* RETURNING rows must be stepped to the end before the commit. */
    sqlite3_step (stmt);
  }

  if (!pw_store_touch_session (self, session_id, error))
    goto fail;
  if (!pw_store_commit (self, error))
    return 0;
  if (out_draft_number)
    *out_draft_number = number;
  return id;

fail:
  pw_store_rollback (self);
  return 0;
}

GPtrArray *
pw_store_list_drafts (PwStore     *self,
                      const char  *session_id,
                      GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT " DRAFT_COLUMNS " FROM plan_drafts WHERE session_id = ?1"
                                 " ORDER BY draft_number", error)))
    return NULL;
  pw_store_bind_text (stmt, 1, session_id);
  return pw_store_collect (self, stmt, draft_from_row, (GDestroyNotify) pw_draft_free,
                           _("Could not read the plan drafts"), error);
}

PwDraft *
pw_store_get_latest_draft (PwStore     *self,
                           const char  *session_id,
                           GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = pw_store_prepare (self,
                                 "SELECT " DRAFT_COLUMNS " FROM plan_drafts WHERE session_id = ?1"
                                 " ORDER BY draft_number DESC LIMIT 1", error)))
    return NULL;
  pw_store_bind_text (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return draft_from_row (stmt);
  if (rc != SQLITE_DONE)
    pw_store_set_sqlite_error (self, error, rc, _("Could not read the plan draft"));
  return NULL;
}
