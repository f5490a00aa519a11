/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store: connection, schema migrations, transactions and every query. */

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "pw-resources.h"
#include "pw-store.h"

#define BUSY_TIMEOUT_MS 15000
#define RESOURCE_PREFIX "/io/github/planwright/Planwright/schema/"

static const char *migrations[PW_STORE_SCHEMA_VERSION] = {
  RESOURCE_PREFIX "001-base.sql",
  RESOURCE_PREFIX "002-search.sql",
};

struct _PwStore
{
  GObject     parent_instance;

  sqlite3    *db;
  char       *path;
  char       *backup_path;
  GHashTable *statements;   /* SQL text → sqlite3_stmt, reused */
  guint       tx_depth;
};

G_DEFINE_FINAL_TYPE (PwStore, pw_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (pw-store-error-quark, pw_store_error)

/* A cached statement: released (reset, bindings cleared) when it goes out
 * of scope, never finalized before the store is. */
typedef sqlite3_stmt PwStmt;

static void
pw_stmt_release (PwStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwStmt, pw_stmt_release)

/* Frees */

void
pw_session_info_free (PwSessionInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->project);
  g_free (info->repo_root);
  g_free (info->created_at);
  g_free (info->updated_at);
  g_free (info);
}

void
pw_message_free (PwMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->role);
  g_free (message->content);
  g_free (message->model);
  g_free (message->created_at);
  g_free (message);
}

void
pw_context_entry_free (PwContextEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->entry_type);
  g_free (entry->name);
  g_free (entry->content);
  g_free (entry->original_path);
  g_free (entry->sha256);
  g_free (entry->created_at);
  g_free (entry->updated_at);
  g_free (entry);
}

void
pw_draft_free (PwDraft *draft)
{
  if (draft == NULL)
    return;
  g_free (draft->content);
  g_free (draft->author);
  g_free (draft->model);
  g_free (draft->warnings_json);
  g_free (draft->created_at);
  g_free (draft);
}

void
pw_review_issue_free (PwReviewIssue *issue)
{
  if (issue == NULL)
    return;
  g_free (issue->severity);
  g_free (issue->description);
  g_free (issue->rationale);
  g_free (issue->resolution_guidance);
  g_free (issue->target_section);
  g_free (issue->disposition);
  g_free (issue->disposition_rationale);
  g_free (issue);
}

void
pw_review_free (PwReview *review)
{
  if (review == NULL)
    return;
  g_free (review->verdict);
  g_free (review->summary);
  g_free (review->keep_json);
  g_free (review->trim_json);
  g_free (review->parse_mode);
  g_free (review->raw_response);
  g_free (review->reviewer_model);
  g_clear_pointer (&review->issues, g_ptr_array_unref);
  g_free (review->created_at);
  g_free (review);
}

void
pw_blocker_free (PwBlocker *blocker)
{
  if (blocker == NULL)
    return;
  g_free (blocker->source);
  g_free (blocker->question);
  g_free (blocker->answer);
  g_free (blocker->created_at);
  g_free (blocker->resolved_at);
  g_free (blocker);
}

/* Helpers */

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *base = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", base, g_date_time_get_microsecond (now) / 1000);
}

static PwStoreError
code_for_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return PW_STORE_ERROR_BUSY;
    case SQLITE_FULL:
      return PW_STORE_ERROR_FULL;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return PW_STORE_ERROR_CORRUPT;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return PW_STORE_ERROR_IO;
    case SQLITE_CONSTRAINT:
      return PW_STORE_ERROR_CONSTRAINT;
    default:
      return PW_STORE_ERROR_FAILED;
    }
}

static void
set_sqlite_error (PwStore    *self,
                  GError    **error,
                  int         rc,
                  const char *what)
{
  PwStoreError code = code_for_sqlite (rc);
  const char *detail = self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  switch (code)
    {
    case PW_STORE_ERROR_FULL:
      g_set_error (error, PW_STORE_ERROR, code,
                   _("%s: the disk holding %s is full (free some space and try again; nothing was lost)"),
                   what, self->path);
      break;
    case PW_STORE_ERROR_BUSY:
      g_set_error (error, PW_STORE_ERROR, code,
                   _("%s: the database %s stayed locked by another program for %d s (try again when it is done)"),
                   what, self->path, BUSY_TIMEOUT_MS / 1000);
      break;
    case PW_STORE_ERROR_CORRUPT:
      g_set_error (error, PW_STORE_ERROR, code,
                   _("%s: %s is damaged or not a database (%s)"),
                   what, self->path, detail);
      break;
    default:
      g_set_error (error, PW_STORE_ERROR, code, "%s: %s", what, detail);
      break;
    }
}

static PwStmt *
prepare (PwStore     *self,
         const char  *sql,
         GError     **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (self, error, rc, _("Could not prepare a query"));
      return NULL;
    }
  /* The key is a string literal of the caller, alive for the program. */
  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

static void
bind_text (PwStmt     *stmt,
           int         idx,
           const char *value)
{
  if (value == NULL)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_text (stmt, idx, value, -1, SQLITE_TRANSIENT);
}

static char *
column_dup (PwStmt *stmt,
            int     col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text ? g_strdup ((const char *) text) : NULL;
}

static gboolean
step_done (PwStore     *self,
           PwStmt      *stmt,
           const char  *what,
           GError     **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  set_sqlite_error (self, error, rc, what);
  return FALSE;
}

/* Steps a statement that returns one row; FALSE with error otherwise. */
static gboolean
step_row (PwStore     *self,
          PwStmt      *stmt,
          const char  *what,
          GError     **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND, "%s: %s", what, _("not found"));
  else
    set_sqlite_error (self, error, rc, what);
  return FALSE;
}

static gboolean
exec (PwStore     *self,
      const char  *sql,
      const char  *what,
      GError     **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, &msg);

  sqlite3_free (msg);
  if (rc == SQLITE_OK)
    return TRUE;
  set_sqlite_error (self, error, rc, what);
  return FALSE;
}

static gint64
pragma_int (PwStore     *self,
            const char  *sql,
            GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  else
    set_sqlite_error (self, error, rc, _("Could not read the database header"));
  sqlite3_finalize (stmt);
  return value;
}

static void
not_found (GError     **error,
           const char  *session_id)
{
  g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND,
               _("no session with id '%s'"), session_id);
}

static gboolean
touch_session (PwStore     *self,
               const char  *session_id,
               GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = now_iso8601 ();

  if (!(stmt = prepare (self, "UPDATE sessions SET updated_at = ?2 WHERE id = ?1", error)))
    return FALSE;
  bind_text (stmt, 1, session_id);
  bind_text (stmt, 2, now);
  if (!step_done (self, stmt, _("Could not update the session"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      not_found (error, session_id);
      return FALSE;
    }
  return TRUE;
}

/* GObject */

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
pw_store_finalize (GObject *object)
{
  PwStore *self = PW_STORE (object);

  if (self->tx_depth > 0)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db)
    sqlite3_close_v2 (self->db);
  g_free (self->path);
  g_free (self->backup_path);

  G_OBJECT_CLASS (pw_store_parent_class)->finalize (object);
}

static void
pw_store_class_init (PwStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pw_store_finalize;
}

static void
pw_store_init (PwStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            finalize_statement);
}

/* Opening and migrating */

static gboolean
set_wal (PwStore  *self,
         GError  **error)
{
  /* Switching to WAL needs an exclusive lock for a moment and does not
   * wait on the busy handler, so retry while another process holds it. */
  for (guint i = 0; i < BUSY_TIMEOUT_MS / 20; i++)
    {
      sqlite3_stmt *stmt = NULL;
      int rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);

      if (rc == SQLITE_OK)
        rc = sqlite3_step (stmt);
      sqlite3_finalize (stmt);
      if (rc == SQLITE_ROW || rc == SQLITE_DONE)
        return TRUE;
      if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
        {
          set_sqlite_error (self, error, rc, _("Could not switch the database to WAL mode"));
          return FALSE;
        }
      g_usleep (20 * 1000);
    }
  set_sqlite_error (self, error, SQLITE_BUSY, _("Could not switch the database to WAL mode"));
  return FALSE;
}

static gboolean
backup_database (PwStore  *self,
                 gint64    version,
                 GError  **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *path = NULL;
  sqlite3 *dest = NULL;
  sqlite3_backup *backup;
  int rc;

  for (guint i = 0; ; i++)
    {
      g_free (path);
      path = i == 0
        ? g_strdup_printf ("%s.bak-v%" G_GINT64_FORMAT "-%s", self->path, version, stamp)
        : g_strdup_printf ("%s.bak-v%" G_GINT64_FORMAT "-%s-%u", self->path, version, stamp, i);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        break;
    }

  /* The backup API copies a consistent snapshot, WAL pages included. */
  rc = sqlite3_open_v2 (path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc == SQLITE_OK)
    {
      backup = sqlite3_backup_init (dest, "main", self->db, "main");
      if (backup != NULL)
        {
          do
            {
              rc = sqlite3_backup_step (backup, -1);
              if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                sqlite3_sleep (20);
            }
          while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
          sqlite3_backup_finish (backup);
          rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        }
      else
        rc = sqlite3_errcode (dest);
    }
  sqlite3_close_v2 (dest);

  if (rc != SQLITE_OK)
    {
      g_unlink (path);
      g_set_error (error, PW_STORE_ERROR, code_for_sqlite (rc),
                   _("Could not back up %s to %s before upgrading it (%s); the database was not changed"),
                   self->path, path, sqlite3_errstr (rc));
      return FALSE;
    }

  g_free (self->backup_path);
  self->backup_path = g_steal_pointer (&path);
  return TRUE;
}

static gboolean
apply_migration (PwStore     *self,
                 guint        index,
                 GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *what = NULL;
  gsize len;

  bytes = g_resources_lookup_data (migrations[index], G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return FALSE;
  sql = g_strndup (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));
  what = g_strdup_printf (_("Could not upgrade the database to schema version %u"), index + 1);
  return exec (self, sql, what, error);
}

static gboolean
migrate (PwStore  *self,
         GError  **error)
{
  g_autofree char *set_version = NULL;
  gint64 version;

  if (!pw_store_begin (self, error))
    return FALSE;

  /* Another process may have migrated since we looked. */
  version = pragma_int (self, "PRAGMA user_version", error);
  if (version < 0)
    goto fail;

  for (guint i = version; i < PW_STORE_SCHEMA_VERSION; i++)
    if (!apply_migration (self, i, error))
      goto fail;

  set_version = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                                 PW_STORE_SCHEMA_VERSION, PW_STORE_APPLICATION_ID);
  if (!exec (self, set_version, _("Could not record the schema version"), error))
    goto fail;

  return pw_store_commit (self, error);

fail:
  pw_store_rollback (self);
  return FALSE;
}

static gboolean
check_header (PwStore  *self,
              gint64   *out_version,
              GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 app_id, version, tables;

  app_id = pragma_int (self, "PRAGMA application_id", &local_error);
  if (app_id < 0)
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_PLANWRIGHT,
                   _("%s is not a Planwright database (%s); it was left untouched"),
                   self->path, local_error->message);
      return FALSE;
    }
  version = pragma_int (self, "PRAGMA user_version", error);
  tables = pragma_int (self, "SELECT count(*) FROM sqlite_master", error);
  if (version < 0 || tables < 0)
    return FALSE;

  if ((app_id != 0 && app_id != PW_STORE_APPLICATION_ID)
      || (app_id == 0 && tables > 0))
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_PLANWRIGHT,
                   _("%s is a SQLite database of another program, not Planwright's; it was left untouched"),
                   self->path);
      return FALSE;
    }

  if (version > PW_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NEWER_SCHEMA,
                   _("%s was written by a newer Planwright (schema version %" G_GINT64_FORMAT
                     ", this one knows up to %d); it was left untouched — use the newer Planwright"),
                   self->path, version, PW_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  *out_version = version;
  return TRUE;
}

PwStore *
pw_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(PwStore) self = NULL;
  g_autofree char *dir = NULL;
  gint64 version = 0;
  int rc;

  g_return_val_if_fail (path != NULL && *path != '\0', NULL);

  pw_core_ensure_resources ();
  self = g_object_new (PW_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create the folder %s for the database: %s"),
                   dir, g_strerror (saved));
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_IO,
                   _("%s is a folder, not a database file"), path);
      return NULL;
    }

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, PW_STORE_ERROR, code_for_sqlite (rc),
                   _("Could not open the database %s: %s"),
                   path, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* Look before touching: a newer or foreign file must stay as it is. */
  if (!check_header (self, &version, error))
    return NULL;

  if (!set_wal (self, error)
      || !exec (self, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                _("Could not configure the database"), error))
    return NULL;

  if (version < PW_STORE_SCHEMA_VERSION)
    {
      if (version > 0 && !backup_database (self, version, error))
        return NULL;
      if (!migrate (self, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
pw_store_get_path (PwStore *self)
{
  g_return_val_if_fail (PW_IS_STORE (self), NULL);
  return self->path;
}

const char *
pw_store_get_backup_path (PwStore *self)
{
  g_return_val_if_fail (PW_IS_STORE (self), NULL);
  return self->backup_path;
}

/* Transactions */

gboolean
pw_store_begin (PwStore  *self,
                GError  **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  sql = self->tx_depth == 0
    ? g_strdup ("BEGIN IMMEDIATE")
    : g_strdup_printf ("SAVEPOINT pw_%u", self->tx_depth);
  if (!exec (self, sql, _("Could not start a transaction"), error))
    return FALSE;
  self->tx_depth++;
  return TRUE;
}

gboolean
pw_store_commit (PwStore  *self,
                 GError  **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  sql = self->tx_depth == 1
    ? g_strdup ("COMMIT")
    : g_strdup_printf ("RELEASE pw_%u", self->tx_depth - 1);
  if (!exec (self, sql, _("Could not commit"), error))
    {
      pw_store_rollback (self);
      return FALSE;
    }
  self->tx_depth--;
  return TRUE;
}

void
pw_store_rollback (PwStore *self)
{
  g_autofree char *sql = NULL;

  g_return_if_fail (PW_IS_STORE (self));
  g_return_if_fail (self->tx_depth > 0);

  sql = self->tx_depth == 1
    ? g_strdup ("ROLLBACK")
    : g_strdup_printf ("ROLLBACK TO pw_%u; RELEASE pw_%u", self->tx_depth - 1, self->tx_depth - 1);
  sqlite3_exec (self->db, sql, NULL, NULL, NULL);
  self->tx_depth--;
}

gboolean
pw_store_in_transaction (PwStore *self)
{
  g_return_val_if_fail (PW_IS_STORE (self), FALSE);
  return self->tx_depth > 0;
}

/* Sessions */

#define SESSION_COLUMNS "id, project, phase, status, repo_root, archived, created_at, updated_at"

static PwSessionInfo *
session_from_row (PwStmt *stmt)
{
  PwSessionInfo *info = g_new0 (PwSessionInfo, 1);

  info->id = column_dup (stmt, 0);
  info->project = column_dup (stmt, 1);
  pw_phase_from_string ((const char *) sqlite3_column_text (stmt, 2), &info->phase);
  pw_status_from_string ((const char *) sqlite3_column_text (stmt, 3), &info->status);
  info->repo_root = column_dup (stmt, 4);
  info->archived = sqlite3_column_int (stmt, 5) != 0;
  info->created_at = column_dup (stmt, 6);
  info->updated_at = column_dup (stmt, 7);
  return info;
}

gboolean
pw_store_create_session (PwStore     *self,
                         const char  *project,
                         const char  *repo_root,
                         const char  *config_json,
                         char       **out_id,
                         GError     **error)
{
  g_autofree char *now = now_iso8601 ();
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

      if (!(stmt = prepare (self,
                            "INSERT INTO sessions (id, project, repo_root, created_at, updated_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?4)", error)))
        goto fail;
      bind_text (stmt, 1, id);
      bind_text (stmt, 2, project);
      bind_text (stmt, 3, repo_root);
      bind_text (stmt, 4, now);
      if (step_done (self, stmt, _("Could not create the session"), &local_error))
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

  if (!(stmt = prepare (self, "SELECT " SESSION_COLUMNS " FROM sessions WHERE id = ?1", error)))
    return NULL;
  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return session_from_row (stmt);
  if (rc == SQLITE_DONE)
    not_found (error, id);
  else
    set_sqlite_error (self, error, rc, _("Could not read the session"));
  return NULL;
}

char *
pw_store_resolve_id (PwStore     *self,
                     const char  *prefix,
                     GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *pattern = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  if (strlen (prefix) < 4 || strlen (prefix) > 8)
    {
      not_found (error, prefix);
      return NULL;
    }
  for (const char *p = prefix; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      {
        not_found (error, prefix);
        return NULL;
      }

  if (!(stmt = prepare (self, "SELECT id FROM sessions WHERE id GLOB ?1 ORDER BY id LIMIT 11", error)))
    return NULL;
  pattern = g_strconcat (prefix, "*", NULL);
  bind_text (stmt, 1, pattern);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (found, column_dup (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, _("Could not look up the session"));
      return NULL;
    }

  if (found->len == 0)
    {
      not_found (error, prefix);
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
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = prepare (self,
                        "SELECT " SESSION_COLUMNS " FROM sessions"
                        " WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR project = ?2)"
                        " ORDER BY created_at DESC, rowid DESC", error)))
    return NULL;
  bind_text (stmt, 1, status ? pw_status_to_string (*status) : NULL);
  bind_text (stmt, 2, project);

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_session_info_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, session_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, _("Could not list the sessions"));
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gboolean
pw_store_set_phase (PwStore     *self,
                    const char  *id,
                    PwPhase      phase,
                    PwStatus     status,
                    GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = prepare (self,
                        "UPDATE sessions SET phase = ?2, status = ?3, updated_at = ?4 WHERE id = ?1",
                        error)))
    return FALSE;
  bind_text (stmt, 1, id);
  bind_text (stmt, 2, pw_phase_to_string (phase));
  bind_text (stmt, 3, pw_status_to_string (status));
  bind_text (stmt, 4, now);
  if (!step_done (self, stmt, _("Could not change the session's phase"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      not_found (error, id);
      return FALSE;
    }
  return TRUE;
}

gboolean
pw_store_set_archived (PwStore     *self,
                       const char  *id,
                       gboolean     archived,
                       GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = prepare (self, "UPDATE sessions SET archived = ?2 WHERE id = ?1", error)))
    return FALSE;
  bind_text (stmt, 1, id);
  sqlite3_bind_int (stmt, 2, archived ? 1 : 0);
  if (!step_done (self, stmt, _("Could not archive the session"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      not_found (error, id);
      return FALSE;
    }
  return TRUE;
}

gboolean
pw_store_delete_session (PwStore     *self,
                         const char  *id,
                         GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = prepare (self, "DELETE FROM sessions WHERE id = ?1", error)))
    return FALSE;
  bind_text (stmt, 1, id);
  if (!step_done (self, stmt, _("Could not delete the session"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      not_found (error, id);
      return FALSE;
    }
  return TRUE;
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

  if (!(stmt = prepare (self,
                        "SELECT"
                        " (SELECT count(*) FROM messages WHERE session_id = ?1),"
                        " (SELECT count(*) FROM context_entries WHERE session_id = ?1),"
                        " (SELECT count(*) FROM plan_drafts WHERE session_id = ?1),"
                        " (SELECT count(*) FROM reviews WHERE session_id = ?1),"
                        " (SELECT count(*) FROM blockers WHERE session_id = ?1 AND status = 'open'),"
                        " (SELECT coalesce(max(round_number), -1) FROM reviews WHERE session_id = ?1),"
                        " (SELECT count(*) FROM usage WHERE session_id = ?1),"
                        " (SELECT count(*) FROM usage WHERE session_id = ?1 AND cost_usd IS NULL),"
                        " (SELECT total(cost_usd) FROM usage WHERE session_id = ?1)"
                        " FROM sessions WHERE id = ?1",
                        error)))
    return FALSE;
  bind_text (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      not_found (error, id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error, rc, _("Could not count the session's records"));
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

GPtrArray *
pw_store_search (PwStore     *self,
                 const char  *query,
                 guint        limit,
                 GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) match = g_string_new (NULL);
  g_auto(GStrv) words = NULL;
  int rc;

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
    return g_steal_pointer (&ids);

  if (!(stmt = prepare (self,
                        "SELECT session_id FROM search_index WHERE search_index MATCH ?1"
                        " GROUP BY session_id ORDER BY min(rank) LIMIT ?2", error)))
    return NULL;
  bind_text (stmt, 1, match->str);
  sqlite3_bind_int (stmt, 2, limit ? (int) MIN (limit, G_MAXINT) : -1);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, column_dup (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, _("Could not search the sessions"));
      return NULL;
    }
  return g_steal_pointer (&ids);
}

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
  g_autofree char *now = now_iso8601 ();
  gint64 id;

  g_return_val_if_fail (PW_IS_STORE (self), 0);

  if (!pw_store_begin (self, error))
    return 0;
  if (!(stmt = prepare (self,
                        "INSERT INTO messages (session_id, role, content, model, created_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)", error)))
    goto fail;
  bind_text (stmt, 1, session_id);
  bind_text (stmt, 2, role);
  bind_text (stmt, 3, content);
  bind_text (stmt, 4, model);
  bind_text (stmt, 5, now);
  if (!step_done (self, stmt, _("Could not store the message"), error))
    goto fail;
  id = sqlite3_last_insert_rowid (self->db);
  if (!touch_session (self, session_id, error))
    goto fail;
  if (!pw_store_commit (self, error))
    return 0;
  return id;

fail:
  pw_store_rollback (self);
  return 0;
}

GPtrArray *
pw_store_list_messages (PwStore     *self,
                        const char  *session_id,
                        GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = prepare (self,
                        "SELECT id, role, content, model, created_at FROM messages"
                        " WHERE session_id = ?1 ORDER BY id", error)))
    return NULL;
  bind_text (stmt, 1, session_id);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_message_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PwMessage *m = g_new0 (PwMessage, 1);

      m->id = sqlite3_column_int64 (stmt, 0);
      m->role = column_dup (stmt, 1);
      m->content = column_dup (stmt, 2);
      m->model = column_dup (stmt, 3);
      m->created_at = column_dup (stmt, 4);
      g_ptr_array_add (rows, m);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, _("Could not read the messages"));
      return NULL;
    }
  return g_steal_pointer (&rows);
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
  g_autofree char *now = now_iso8601 ();
  gint64 id = 0;

  g_return_val_if_fail (PW_IS_STORE (self), 0);
  g_return_val_if_fail (content != NULL && name != NULL, 0);

  if (!pw_store_begin (self, error))
    return 0;

  if (g_strcmp0 (entry_type, "file") == 0 && original_path != NULL)
    {
      g_autoptr(PwStmt) stmt = NULL;
      int rc;

      if (!(stmt = prepare (self,
                            "UPDATE context_entries SET content = ?3, sha256 = ?4, size_bytes = ?5,"
                            " name = ?6, updated_at = ?7"
                            " WHERE session_id = ?1 AND entry_type = 'file' AND original_path = ?2"
                            " RETURNING id", error)))
        goto fail;
      bind_text (stmt, 1, session_id);
      bind_text (stmt, 2, original_path);
      bind_text (stmt, 3, content);
      bind_text (stmt, 4, sha256);
      sqlite3_bind_int64 (stmt, 5, strlen (content));
      bind_text (stmt, 6, name);
      bind_text (stmt, 7, now);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      else if (rc != SQLITE_DONE)
        {
          set_sqlite_error (self, error, rc, _("Could not store the context entry"));
          goto fail;
        }
    }

  if (id == 0)
    {
      g_autoptr(PwStmt) stmt = NULL;

      if (!(stmt = prepare (self,
                            "INSERT INTO context_entries (session_id, entry_type, name, content,"
                            " original_path, sha256, size_bytes, created_at, updated_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)", error)))
        goto fail;
      bind_text (stmt, 1, session_id);
      bind_text (stmt, 2, entry_type);
      bind_text (stmt, 3, name);
      bind_text (stmt, 4, content);
      bind_text (stmt, 5, original_path);
      bind_text (stmt, 6, sha256);
      sqlite3_bind_int64 (stmt, 7, strlen (content));
      bind_text (stmt, 8, now);
      if (!step_done (self, stmt, _("Could not store the context entry"), error))
        goto fail;
      id = sqlite3_last_insert_rowid (self->db);
    }

  if (!touch_session (self, session_id, error))
    goto fail;
  if (!pw_store_commit (self, error))
    return 0;
  return id;

fail:
  pw_store_rollback (self);
  return 0;
}

GPtrArray *
pw_store_list_context (PwStore     *self,
                       const char  *session_id,
                       GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = prepare (self,
                        "SELECT id, entry_type, name, content, original_path, sha256, size_bytes,"
                        " created_at, updated_at FROM context_entries"
                        " WHERE session_id = ?1 ORDER BY id", error)))
    return NULL;
  bind_text (stmt, 1, session_id);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_context_entry_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PwContextEntry *e = g_new0 (PwContextEntry, 1);

      e->id = sqlite3_column_int64 (stmt, 0);
      e->entry_type = column_dup (stmt, 1);
      e->name = column_dup (stmt, 2);
      e->content = column_dup (stmt, 3);
      e->original_path = column_dup (stmt, 4);
      e->sha256 = column_dup (stmt, 5);
      e->size_bytes = sqlite3_column_int64 (stmt, 6);
      e->created_at = column_dup (stmt, 7);
      e->updated_at = column_dup (stmt, 8);
      g_ptr_array_add (rows, e);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, _("Could not read the context"));
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gboolean
pw_store_remove_context (PwStore     *self,
                         const char  *session_id,
                         gint64       entry_id,
                         GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = prepare (self, "DELETE FROM context_entries WHERE id = ?2 AND session_id = ?1", error)))
    return FALSE;
  bind_text (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, entry_id);
  if (!step_done (self, stmt, _("Could not remove the context entry"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND,
                   _("session %s has no context entry %" G_GINT64_FORMAT), session_id, entry_id);
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
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), 0);

  if (!(stmt = prepare (self,
                        "INSERT INTO session_config (session_id, config_json, created_at)"
                        " VALUES (?1, ?2, ?3)", error)))
    return 0;
  bind_text (stmt, 1, session_id);
  bind_text (stmt, 2, config_json);
  bind_text (stmt, 3, now);
  if (!step_done (self, stmt, _("Could not store the session's settings"), error))
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

  if (!(stmt = prepare (self,
                        "SELECT id, config_json FROM session_config WHERE session_id = ?1"
                        " ORDER BY id DESC LIMIT 1", error)))
    return NULL;
  bind_text (stmt, 1, session_id);
  if (!step_row (self, stmt, _("Could not read the session's settings"), error))
    return NULL;
  if (out_id)
    *out_id = sqlite3_column_int64 (stmt, 0);
  return column_dup (stmt, 1);
}

/* Drafts */

static PwDraft *
draft_from_row (PwStmt *stmt)
{
  PwDraft *d = g_new0 (PwDraft, 1);

  d->id = sqlite3_column_int64 (stmt, 0);
  d->draft_number = sqlite3_column_int (stmt, 1);
  d->content = column_dup (stmt, 2);
  d->author = column_dup (stmt, 3);
  d->round_number = sqlite3_column_type (stmt, 4) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 4);
  d->model = column_dup (stmt, 5);
  d->config_snapshot_id = sqlite3_column_int64 (stmt, 6);
  d->warnings_json = column_dup (stmt, 7);
  d->created_at = column_dup (stmt, 8);
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
  g_autofree char *now = now_iso8601 ();
  gint64 id;
  gint number;

  g_return_val_if_fail (PW_IS_STORE (self), 0);

  if (!pw_store_begin (self, error))
    return 0;

  {
    g_autoptr(PwStmt) stmt = NULL;

    /* The number is taken inside the insert, under the write lock. */
    if (!(stmt = prepare (self,
                          "INSERT INTO plan_drafts (session_id, draft_number, content, author,"
                          " round_number, model, config_snapshot_id, warnings_json, created_at)"
                          " VALUES (?1, (SELECT coalesce(max(draft_number), 0) + 1 FROM plan_drafts"
                          " WHERE session_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                          " RETURNING id, draft_number", error)))
      goto fail;
    bind_text (stmt, 1, session_id);
    bind_text (stmt, 2, content);
    bind_text (stmt, 3, author);
    if (round_number >= 0)
      sqlite3_bind_int (stmt, 4, round_number);
    else
      sqlite3_bind_null (stmt, 4);
    bind_text (stmt, 5, model);
    if (config_snapshot_id > 0)
      sqlite3_bind_int64 (stmt, 6, config_snapshot_id);
    else
      sqlite3_bind_null (stmt, 6);
    bind_text (stmt, 7, warnings_json ? warnings_json : "[]");
    bind_text (stmt, 8, now);
    if (!step_row (self, stmt, _("Could not store the plan draft"), error))
      goto fail;
    id = sqlite3_column_int64 (stmt, 0);
    number = sqlite3_column_int (stmt, 1);
    /* RETURNING rows must be stepped to the end before the commit. */
    sqlite3_step (stmt);
  }

  if (!touch_session (self, session_id, error))
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
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = prepare (self,
                        "SELECT " DRAFT_COLUMNS " FROM plan_drafts WHERE session_id = ?1"
                        " ORDER BY draft_number", error)))
    return NULL;
  bind_text (stmt, 1, session_id);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_draft_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, draft_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, _("Could not read the plan drafts"));
      return NULL;
    }
  return g_steal_pointer (&rows);
}

PwDraft *
pw_store_get_latest_draft (PwStore     *self,
                           const char  *session_id,
                           GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = prepare (self,
                        "SELECT " DRAFT_COLUMNS " FROM plan_drafts WHERE session_id = ?1"
                        " ORDER BY draft_number DESC LIMIT 1", error)))
    return NULL;
  bind_text (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return draft_from_row (stmt);
  if (rc != SQLITE_DONE)
    set_sqlite_error (self, error, rc, _("Could not read the plan draft"));
  return NULL;
}

/* Reviews */

gint64
pw_store_add_review_run (PwStore     *self,
                         const char  *session_id,
                         const char  *settings_json,
                         GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), 0);

  if (!(stmt = prepare (self,
                        "INSERT INTO review_runs (session_id, settings_json, created_at)"
                        " VALUES (?1, ?2, ?3)", error)))
    return 0;
  bind_text (stmt, 1, session_id);
  bind_text (stmt, 2, settings_json ? settings_json : "{}");
  bind_text (stmt, 3, now);
  if (!step_done (self, stmt, _("Could not store the review run"), error))
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
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = prepare (self,
                        "UPDATE review_runs SET state = ?2, finished_at = ?3 WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, run_id);
  bind_text (stmt, 2, state);
  bind_text (stmt, 3, now);
  if (!step_done (self, stmt, _("Could not update the review run"), error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND,
                   _("no review run %" G_GINT64_FORMAT), run_id);
      return FALSE;
    }
  return TRUE;
}

gint64
pw_store_add_review (PwStore     *self,
                     const char  *session_id,
                     PwReview    *review,
                     GError     **error)
{
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), 0);
  g_return_val_if_fail (review != NULL, 0);

  if (!pw_store_begin (self, error))
    return 0;

  {
    g_autoptr(PwStmt) stmt = NULL;

    if (!(stmt = prepare (self,
                          "INSERT INTO reviews (session_id, run_id, draft_id, round_number, verdict,"
                          " summary, keep_json, trim_json, parse_mode, raw_response, reviewer_model,"
                          " usage_id, created_at)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)", error)))
      goto fail;
    bind_text (stmt, 1, session_id);
    if (review->run_id > 0)
      sqlite3_bind_int64 (stmt, 2, review->run_id);
    if (review->draft_id > 0)
      sqlite3_bind_int64 (stmt, 3, review->draft_id);
    sqlite3_bind_int (stmt, 4, review->round_number);
    bind_text (stmt, 5, review->verdict);
    bind_text (stmt, 6, review->summary ? review->summary : "");
    bind_text (stmt, 7, review->keep_json ? review->keep_json : "[]");
    bind_text (stmt, 8, review->trim_json ? review->trim_json : "[]");
    bind_text (stmt, 9, review->parse_mode ? review->parse_mode : "json");
    bind_text (stmt, 10, review->raw_response);
    bind_text (stmt, 11, review->reviewer_model);
    if (review->usage_id > 0)
      sqlite3_bind_int64 (stmt, 12, review->usage_id);
    bind_text (stmt, 13, now);
    if (!step_done (self, stmt, _("Could not store the review"), error))
      goto fail;
    review->id = sqlite3_last_insert_rowid (self->db);
  }

  for (guint i = 0; review->issues && i < review->issues->len; i++)
    {
      PwReviewIssue *issue = g_ptr_array_index (review->issues, i);
      g_autoptr(PwStmt) stmt = NULL;

      if (!(stmt = prepare (self,
                            "INSERT INTO review_issues (review_id, issue_index, severity, description,"
                            " rationale, resolution_guidance, target_section)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error)))
        goto fail;
      sqlite3_bind_int64 (stmt, 1, review->id);
      sqlite3_bind_int (stmt, 2, issue->issue_index);
      bind_text (stmt, 3, issue->severity);
      bind_text (stmt, 4, issue->description);
      bind_text (stmt, 5, issue->rationale ? issue->rationale : "");
      bind_text (stmt, 6, issue->resolution_guidance ? issue->resolution_guidance : "");
      bind_text (stmt, 7, issue->target_section ? issue->target_section : "");
      if (!step_done (self, stmt, _("Could not store a review issue"), error))
        goto fail;
      issue->id = sqlite3_last_insert_rowid (self->db);
    }

  if (!touch_session (self, session_id, error))
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
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);

  if (!(stmt = prepare (self,
                        "INSERT INTO dispositions (issue_id, disposition, rationale, defaulted, created_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, issue_id);
  bind_text (stmt, 2, disposition);
  bind_text (stmt, 3, rationale ? rationale : "");
  sqlite3_bind_int (stmt, 4, defaulted ? 1 : 0);
  bind_text (stmt, 5, now);
  return step_done (self, stmt, _("Could not store the disposition"), error);
}

static gboolean
load_issues (PwStore   *self,
             PwReview  *review,
             GError   **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self,
                        "SELECT i.id, i.issue_index, i.severity, i.description, i.rationale,"
                        " i.resolution_guidance, i.target_section, d.disposition, d.rationale,"
                        " coalesce(d.defaulted, 0)"
                        " FROM review_issues i LEFT JOIN dispositions d ON d.issue_id = i.id"
                        " WHERE i.review_id = ?1 ORDER BY i.issue_index", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, review->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PwReviewIssue *issue = g_new0 (PwReviewIssue, 1);

      issue->id = sqlite3_column_int64 (stmt, 0);
      issue->issue_index = sqlite3_column_int (stmt, 1);
      issue->severity = column_dup (stmt, 2);
      issue->description = column_dup (stmt, 3);
      issue->rationale = column_dup (stmt, 4);
      issue->resolution_guidance = column_dup (stmt, 5);
      issue->target_section = column_dup (stmt, 6);
      issue->disposition = column_dup (stmt, 7);
      issue->disposition_rationale = column_dup (stmt, 8);
      issue->defaulted = sqlite3_column_int (stmt, 9) != 0;
      g_ptr_array_add (review->issues, issue);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, _("Could not read the review issues"));
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
pw_store_list_reviews (PwStore     *self,
                       const char  *session_id,
                       GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_review_free);

  {
    g_autoptr(PwStmt) stmt = NULL;
    int rc;

    if (!(stmt = prepare (self,
                          "SELECT r.id, r.run_id, r.draft_id, r.round_number, r.verdict, r.summary,"
                          " r.keep_json, r.trim_json, r.parse_mode, r.raw_response, r.reviewer_model,"
                          " r.usage_id, r.created_at,"
                          " coalesce(json_extract(rr.settings_json, '$.fast_mode'), 0)"
                          " FROM reviews r LEFT JOIN review_runs rr ON rr.id = r.run_id"
                          " WHERE r.session_id = ?1 ORDER BY r.round_number", error)))
      return NULL;
    bind_text (stmt, 1, session_id);
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        PwReview *r = g_new0 (PwReview, 1);

        r->id = sqlite3_column_int64 (stmt, 0);
        r->run_id = sqlite3_column_int64 (stmt, 1);
        r->draft_id = sqlite3_column_int64 (stmt, 2);
        r->round_number = sqlite3_column_int (stmt, 3);
        r->verdict = column_dup (stmt, 4);
        r->summary = column_dup (stmt, 5);
        r->keep_json = column_dup (stmt, 6);
        r->trim_json = column_dup (stmt, 7);
        r->parse_mode = column_dup (stmt, 8);
        r->raw_response = column_dup (stmt, 9);
        r->reviewer_model = column_dup (stmt, 10);
        r->usage_id = sqlite3_column_int64 (stmt, 11);
        r->created_at = column_dup (stmt, 12);
        r->fast_mode = sqlite3_column_int (stmt, 13) != 0;
        r->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_review_issue_free);
        g_ptr_array_add (rows, r);
      }
    if (rc != SQLITE_DONE)
      {
        set_sqlite_error (self, error, rc, _("Could not read the reviews"));
        return NULL;
      }
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
  g_autofree char *now = now_iso8601 ();
  gint64 id;

  g_return_val_if_fail (PW_IS_STORE (self), 0);

  if (!pw_store_begin (self, error))
    return 0;
  if (!(info = pw_store_get_session (self, session_id, error)))
    goto fail;

  {
    g_autoptr(PwStmt) stmt = NULL;

    if (!(stmt = prepare (self,
                          "INSERT INTO blockers (session_id, source, question, paused_phase, created_at)"
                          " VALUES (?1, ?2, ?3, ?4, ?5)", error)))
      goto fail;
    bind_text (stmt, 1, session_id);
    bind_text (stmt, 2, source);
    bind_text (stmt, 3, question);
    bind_text (stmt, 4, pw_phase_to_string (info->phase));
    bind_text (stmt, 5, now);
    if (!step_done (self, stmt, _("Could not store the blocker"), error))
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

GPtrArray *
pw_store_list_blockers (PwStore     *self,
                        const char  *session_id,
                        gboolean     open_only,
                        GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  int rc;

  g_return_val_if_fail (PW_IS_STORE (self), NULL);

  if (!(stmt = prepare (self,
                        "SELECT id, source, question, answer, status, paused_phase, created_at,"
                        " resolved_at FROM blockers WHERE session_id = ?1"
                        " AND (?2 = 0 OR status = 'open') ORDER BY id", error)))
    return NULL;
  bind_text (stmt, 1, session_id);
  sqlite3_bind_int (stmt, 2, open_only ? 1 : 0);
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_blocker_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PwBlocker *b = g_new0 (PwBlocker, 1);

      b->id = sqlite3_column_int64 (stmt, 0);
      b->source = column_dup (stmt, 1);
      b->question = column_dup (stmt, 2);
      b->answer = column_dup (stmt, 3);
      b->open = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), "open") == 0;
      pw_phase_from_string ((const char *) sqlite3_column_text (stmt, 5), &b->paused_phase);
      b->created_at = column_dup (stmt, 6);
      b->resolved_at = column_dup (stmt, 7);
      g_ptr_array_add (rows, b);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc, _("Could not read the blockers"));
      return NULL;
    }
  return g_steal_pointer (&rows);
}

gboolean
pw_store_answer_blocker (PwStore     *self,
                         const char  *session_id,
                         gint64       blocker_id,
                         const char  *answer,
                         GError     **error)
{
  g_autofree char *now = now_iso8601 ();
  g_autofree char *paused_phase = NULL;
  gint64 still_open;

  g_return_val_if_fail (PW_IS_STORE (self), FALSE);
  g_return_val_if_fail (answer != NULL, FALSE);

  if (!pw_store_begin (self, error))
    return FALSE;

  {
    g_autoptr(PwStmt) stmt = NULL;
    int rc;

    if (!(stmt = prepare (self,
                          "UPDATE blockers SET answer = ?3, status = 'resolved', resolved_at = ?4"
                          " WHERE id = ?2 AND session_id = ?1 AND status = 'open'"
                          " RETURNING paused_phase", error)))
      goto fail;
    bind_text (stmt, 1, session_id);
    sqlite3_bind_int64 (stmt, 2, blocker_id);
    bind_text (stmt, 3, answer);
    bind_text (stmt, 4, now);
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_DONE)
      {
        g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND,
                     _("session %s has no open blocker %" G_GINT64_FORMAT), session_id, blocker_id);
        goto fail;
      }
    if (rc != SQLITE_ROW)
      {
        set_sqlite_error (self, error, rc, _("Could not store the answer"));
        goto fail;
      }
    paused_phase = column_dup (stmt, 0);
    sqlite3_step (stmt);
  }

  {
    g_autoptr(PwStmt) stmt = NULL;

    if (!(stmt = prepare (self,
                          "SELECT count(*) FROM blockers WHERE session_id = ?1 AND status = 'open'",
                          error)))
      goto fail;
    bind_text (stmt, 1, session_id);
    if (!step_row (self, stmt, _("Could not count the open blockers"), error))
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
  g_autofree char *now = now_iso8601 ();

  g_return_val_if_fail (PW_IS_STORE (self), 0);
  g_return_val_if_fail (usage != NULL, 0);

  if (!(stmt = prepare (self,
                        "INSERT INTO usage (session_id, purpose, provider, model, input_tokens,"
                        " output_tokens, cached_tokens, cache_write_tokens, reasoning_tokens,"
                        " cost_usd, latency_ms, request_id, attempts, error, created_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                        error)))
    return 0;
  bind_text (stmt, 1, usage->session_id);
  bind_text (stmt, 2, usage->purpose);
  bind_text (stmt, 3, usage->provider);
  bind_text (stmt, 4, usage->model);
  sqlite3_bind_int64 (stmt, 5, usage->input_tokens);
  sqlite3_bind_int64 (stmt, 6, usage->output_tokens);
  sqlite3_bind_int64 (stmt, 7, usage->cached_tokens);
  sqlite3_bind_int64 (stmt, 8, usage->cache_write_tokens);
  sqlite3_bind_int64 (stmt, 9, usage->reasoning_tokens);
  if (usage->cost_known)
    sqlite3_bind_double (stmt, 10, usage->cost_usd);
  if (usage->latency_ms >= 0)
    sqlite3_bind_int64 (stmt, 11, usage->latency_ms);
  bind_text (stmt, 12, usage->request_id);
  sqlite3_bind_int (stmt, 13, MAX (usage->attempts, 1));
  bind_text (stmt, 14, usage->error);
  bind_text (stmt, 15, now);
  if (!step_done (self, stmt, _("Could not store the call's usage"), error))
    return 0;
  return sqlite3_last_insert_rowid (self->db);
}
