/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store: connection, schema migrations, transactions and the
 * query helpers shared by its aspect files (pw-store-*.c). */

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "pw-resources.h"
#include "pw-store-private.h"

#define BUSY_TIMEOUT_MS 15000
#define RESOURCE_PREFIX "/io/github/planwright/Planwright/schema/"

static const char *migrations[PW_STORE_SCHEMA_VERSION] = {
  RESOURCE_PREFIX "001-base.sql",
  RESOURCE_PREFIX "002-search.sql",
  RESOURCE_PREFIX "003-review-notes.sql",
};

G_DEFINE_FINAL_TYPE (PwStore, pw_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (pw-store-error-quark, pw_store_error)

/* Helpers */

char *
pw_store_now_iso8601 (void)
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

void
pw_store_set_sqlite_error (PwStore    *self,
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

PwStmt *
pw_store_prepare (PwStore     *self,
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
      pw_store_set_sqlite_error (self, error, rc, _("Could not prepare a query"));
      return NULL;
    }
  /* The key is a string literal of the caller, alive for the program. */
  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

void
pw_store_bind_text (PwStmt     *stmt,
                    int         idx,
                    const char *value)
{
  if (value == NULL)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_text (stmt, idx, value, -1, SQLITE_TRANSIENT);
}

char *
pw_store_column_dup (PwStmt *stmt,
                     int     col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text ? g_strdup ((const char *) text) : NULL;
}

gboolean
pw_store_step_done (PwStore     *self,
                    PwStmt      *stmt,
                    const char  *what,
                    GError     **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  pw_store_set_sqlite_error (self, error, rc, what);
  return FALSE;
}

/* Steps a statement that returns one row; FALSE with error otherwise. */
gboolean
pw_store_step_row (PwStore     *self,
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
    pw_store_set_sqlite_error (self, error, rc, what);
  return FALSE;
}

GPtrArray *
pw_store_collect (PwStore         *self,
                  PwStmt          *stmt,
                  PwStoreRowFunc   from_row,
                  GDestroyNotify   free_func,
                  const char      *what,
                  GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      pw_store_set_sqlite_error (self, error, rc, what);
      return NULL;
    }
  return g_steal_pointer (&rows);
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
  pw_store_set_sqlite_error (self, error, rc, what);
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
    pw_store_set_sqlite_error (self, error, rc, _("Could not read the database header"));
  sqlite3_finalize (stmt);
  return value;
}

void
pw_store_not_found (GError     **error,
                    const char  *session_id)
{
  g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND,
               _("no session with id '%s'"), session_id);
}

gboolean
pw_store_step_changed (PwStore     *self,
                       PwStmt      *stmt,
                       const char  *session_id,
                       const char  *what,
                       GError     **error)
{
  if (!pw_store_step_done (self, stmt, what, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    {
      pw_store_not_found (error, session_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
pw_store_touch_session (PwStore     *self,
                        const char  *session_id,
                        GError     **error)
{
  g_autoptr(PwStmt) stmt = NULL;
  g_autofree char *now = pw_store_now_iso8601 ();

  if (!(stmt = pw_store_prepare (self, "UPDATE sessions SET updated_at = ?2 WHERE id = ?1", error)))
    return FALSE;
  pw_store_bind_text (stmt, 1, session_id);
  pw_store_bind_text (stmt, 2, now);
  return pw_store_step_changed (self, stmt, session_id, _("Could not update the session"), error);
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
          pw_store_set_sqlite_error (self, error, rc, _("Could not switch the database to WAL mode"));
          return FALSE;
        }
      g_usleep (20 * 1000);
    }
  pw_store_set_sqlite_error (self, error, SQLITE_BUSY, _("Could not switch the database to WAL mode"));
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
  sqlite3_stmt *stmt = NULL;
  gint64 app_id, version, tables;
  int rc;

  /* One statement, so one snapshot: read apart, a process creating the
   * database in between makes a fresh file look like a foreign one. */
  rc = sqlite3_prepare_v2 (self->db,
                           "SELECT (SELECT application_id FROM pragma_application_id),"
                           " (SELECT user_version FROM pragma_user_version),"
                           " (SELECT count(*) FROM sqlite_master)", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_PLANWRIGHT,
                   _("%s is not a Planwright database (%s); it was left untouched"),
                   self->path, sqlite3_errmsg (self->db));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  app_id = sqlite3_column_int64 (stmt, 0);
  version = sqlite3_column_int64 (stmt, 1);
  tables = sqlite3_column_int64 (stmt, 2);
  sqlite3_finalize (stmt);

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
                   _("%s was written by a newer Planwright (schema version %" PRId64
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

gboolean
pw_store_needs_upgrade (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean needs = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL) == SQLITE_OK
      && sqlite3_prepare_v2 (db,
                             "SELECT (SELECT application_id FROM pragma_application_id),"
                             " (SELECT user_version FROM pragma_user_version)", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 version = sqlite3_column_int64 (stmt, 1);

      needs = sqlite3_column_int64 (stmt, 0) == PW_STORE_APPLICATION_ID
              && version > 0 && version < PW_STORE_SCHEMA_VERSION;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return needs;
}

const char *
pw_store_get_path (PwStore *self)
{
  g_return_val_if_fail (PW_IS_STORE (self), NULL);
  return self->path;
}

void
pw_store_release_memory (PwStore *self)
{
  g_return_if_fail (PW_IS_STORE (self));
  sqlite3_db_release_memory (self->db);
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
