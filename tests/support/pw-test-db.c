/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helpers over temporary databases: paths, stores, raw SQLite connections. */

#include <gio/gio.h>
#include <stdarg.h>

#include "pw-resources.h"
#include "pw-test-db.h"

/* Logs every failure (g_test_fail_printf keeps only the last message)
 * and marks the test failed without stopping it. */
void G_GNUC_PRINTF (1, 2)
pw_test_report_failure (const char *format,
                        ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("FAILED: %s", message);
  g_test_fail_printf ("%s", message);
}

/* A database path in this test's own data dir; the parent does not exist. */
char *
pw_test_db_path (const char *name)
{
  return g_build_filename (g_get_user_data_dir (), "planwright", name, NULL);
}

PwStore *
pw_test_open_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  PwStore *store = pw_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

PwStore *
pw_test_open_fresh_store (void)
{
  g_autofree char *path = pw_test_db_path ("planwright.db");

  return pw_test_open_store (path);
}

char *
pw_test_create_session (PwStore    *store,
                        const char *project)
{
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  g_assert_true (pw_store_create_session (store, project, NULL, NULL, &id, &error));
  g_assert_no_error (error);
  g_assert_nonnull (id);
  return id;
}

/* A second connection on the same file, as another process would see it. */
sqlite3 *
pw_test_raw_open (const char *path)
{
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL);

  if (rc != SQLITE_OK)
    g_test_message ("cannot open %s: %s", path, sqlite3_errstr (rc));
  g_assert_cmpint (rc, ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

void
pw_test_raw_exec (sqlite3    *db,
                  const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_test_message ("SQL failed: %s: %s", sql, message);
  sqlite3_free (message);
  g_assert_cmpint (rc, ==, SQLITE_OK);
}

gint64
pw_test_raw_int (sqlite3    *db,
                 const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

gint64
pw_test_raw_count (sqlite3    *db,
                   const char *table,
                   const char *session_id)
{
  char *sql;
  gint64 n;

  if (session_id != NULL)
    sql = sqlite3_mprintf ("SELECT count(*) FROM %s WHERE session_id = %Q", table, session_id);
  else
    sql = sqlite3_mprintf ("SELECT count(*) FROM %s", table);
  n = pw_test_raw_int (db, sql);
  sqlite3_free (sql);
  return n;
}

gboolean
pw_test_array_has_string (GPtrArray  *array,
                          const char *value)
{
  for (guint i = 0; i < array->len; i++)
    if (g_strcmp0 (g_ptr_array_index (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

void
pw_test_raw_apply_schema_v1 (sqlite3 *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) sql = NULL;
  g_autofree char *text = NULL;
  char *pragmas;

  /* The core registers its resources on first use; this may be the first */
  pw_core_ensure_resources ();
  sql = g_resources_lookup_data ("/io/github/planwright/Planwright/schema/001-base.sql",
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  text = g_strndup (g_bytes_get_data (sql, NULL), g_bytes_get_size (sql));
  pw_test_raw_exec (db, text);
  pragmas = sqlite3_mprintf ("PRAGMA user_version = 1; PRAGMA application_id = %d;",
                             PW_STORE_APPLICATION_ID);
  pw_test_raw_exec (db, pragmas);
  sqlite3_free (pragmas);
}
