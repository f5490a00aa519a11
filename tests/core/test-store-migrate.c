/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store: a fresh database's PRAGMAs, migrations with a backup, refusals. */

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "pw-resources.h"
#include "pw-store.h"
#include "pw-test-db.h"


/* ---- helpers ---------------------------------------------------------- */

static sqlite3 *
raw_create (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  sqlite3 *db = NULL;
  int rc;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  g_assert_cmpint (rc, ==, SQLITE_OK);
  return db;
}

static char *
raw_text (sqlite3    *db,
          const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static void
assert_raw_text (sqlite3    *db,
                 const char *sql,
                 const char *expected)
{
  g_autofree char *value = raw_text (db, sql);

  g_assert_cmpstr (value, ==, expected);
}

static GBytes *
file_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static char *
sorted_listing (const char *path)
{
  g_autofree char *dir_name = g_path_get_dirname (path);
  g_autoptr(GDir) dir = g_dir_open (dir_name, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* ---- schema and PRAGMAs ----------------------------------------------- */

static void
test_fresh_database (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "a", "b", "c",
                                            "fresh.db", NULL);
  g_autoptr(PwStore) store = NULL;
  g_autoptr(sqlite3) raw = NULL;
  static const char *tables[] = {
    "sessions", "messages", "context_entries", "session_config", "usage",
    "plan_drafts", "review_runs", "reviews", "review_issues", "dispositions",
    "blockers", "search_index",
  };

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (pw_store_needs_upgrade (path));   /* missing: nothing to upgrade */
  store = pw_test_open_store (path);
  g_assert_false (pw_store_needs_upgrade (path));   /* current */
  g_assert_cmpstr (pw_store_get_path (store), ==, path);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  raw = pw_test_raw_open (path);
  assert_raw_text (raw, "PRAGMA journal_mode", "wal");
  g_assert_cmpint (pw_test_raw_int (raw, "PRAGMA application_id"), ==, PW_STORE_APPLICATION_ID);
  g_assert_cmpint (pw_test_raw_int (raw, "PRAGMA user_version"), ==, PW_STORE_SCHEMA_VERSION);

  for (gsize i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      char *sql = sqlite3_mprintf ("SELECT count(*) FROM sqlite_master"
                                   " WHERE type = 'table' AND name = %Q",
                                   tables[i]);
      gint64 n = pw_test_raw_int (raw, sql);

      sqlite3_free (sql);
      if (n != 1)
        pw_test_report_failure ("table %s is missing", tables[i]);
    }
  assert_raw_text (raw, "PRAGMA integrity_check", "ok");
}

static void
test_application_id_value (void)
{
  /* "PLNW" read as a big-endian 32-bit number. */
  g_assert_cmpint (PW_STORE_APPLICATION_ID, ==,
                   ('P' << 24) | ('L' << 16) | ('N' << 8) | 'W');
}

static void
test_reopen (void)
{
  g_autofree char *path = pw_test_db_path ("reopen.db");
  g_autoptr(PwStore) store = pw_test_open_store (path);
  g_autofree char *id = pw_test_create_session (store, "kept across opens");
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_object (&store);
  store = pw_test_open_store (path);
  /* Already current: nothing to migrate, so no backup. */
  g_assert_null (pw_store_get_backup_path (store));
  info = pw_store_get_session (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->project, ==, "kept across opens");
}

static void
test_empty_file_is_fresh (void)
{
  /* touch(1) leaves a zero-byte file: SQLite sees an empty database. */
  g_autofree char *path = pw_test_db_path ("touched.db");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwStore) store = NULL;
  g_autoptr(sqlite3) raw = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);

  store = pw_test_open_store (path);
  raw = pw_test_raw_open (path);
  g_assert_cmpint (pw_test_raw_int (raw, "PRAGMA user_version"), ==, PW_STORE_SCHEMA_VERSION);
  g_assert_cmpint (pw_test_raw_int (raw, "PRAGMA application_id"), ==, PW_STORE_APPLICATION_ID);
}

static void
test_orphans_refused (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autoptr(GError) error = NULL;
  gint64 id;

  /* foreign_keys is per connection: only the store's own writes show
   * whether it turned them on. */
  id = pw_store_add_message (store, "deadbeef", "user", "nobody's message", NULL, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == PW_STORE_ERROR);
  g_assert_true (error->code == PW_STORE_ERROR_NOT_FOUND ||
                 error->code == PW_STORE_ERROR_CONSTRAINT);
  g_assert_cmpint (id, <=, 0);
  g_clear_error (&error);

  id = pw_store_add_context (store, "deadbeef", "note", "note-1", "orphan", NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_cmpint (id, <=, 0);
  g_clear_error (&error);

  id = pw_store_add_blocker (store, "deadbeef", "user", "orphan?", &error);
  g_assert_nonnull (error);
  g_assert_cmpint (id, <=, 0);
  g_clear_error (&error);

  id = pw_store_add_draft (store, "deadbeef", "# plan", "user", -1, NULL, 0, NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_cmpint (id, <=, 0);
  g_clear_error (&error);

  g_assert_cmpint (pw_test_raw_count (raw, "messages", NULL), ==, 0);
  g_assert_cmpint (pw_test_raw_count (raw, "context_entries", NULL), ==, 0);
  g_assert_cmpint (pw_test_raw_count (raw, "blockers", NULL), ==, 0);
  g_assert_cmpint (pw_test_raw_count (raw, "plan_drafts", NULL), ==, 0);
}

/* ---- migrations and refusals ------------------------------------------ */

static void
fill_v1 (sqlite3 *db)
{
  pw_test_raw_exec (db,
                    "INSERT INTO sessions (id, project, phase, status, created_at, updated_at) "
                    "VALUES ('abcdef01', 'legacy nebula', 'REVIEW', 'ACTIVE', "
                    "'2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');"
                    "INSERT INTO messages (session_id, role, content, created_at) "
                    "VALUES ('abcdef01', 'user', 'a message about quokkas', '2024-01-01T00:00:01.000Z');"
                    "INSERT INTO plan_drafts (session_id, draft_number, content, author, created_at) "
                    "VALUES ('abcdef01', 1, '# a draft with wombats', 'planner',"
                    " '2024-01-01T00:00:02.000Z');");
}

static void
check_migrated (const char *path)
{
  g_autoptr(PwStore) store = pw_test_open_store (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(sqlite3) raw = NULL;
  g_autoptr(sqlite3) backup = NULL;
  const char *backup_path;
  static const char *words[] = { "nebula", "quokkas", "wombats" };

  info = pw_store_get_session (store, "abcdef01", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->project, ==, "legacy nebula");
  g_assert_cmpint (info->phase, ==, PW_PHASE_REVIEW);
  messages = pw_store_list_messages (store, "abcdef01", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 1);

  /* The migration fills the index from the rows already there. */
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_autoptr(GPtrArray) found = pw_store_search (store, words[i], 10, &error);

      g_assert_no_error (error);
      g_assert_true (pw_test_array_has_string (found, "abcdef01"));
    }

  raw = pw_test_raw_open (path);
  g_assert_cmpint (pw_test_raw_int (raw, "PRAGMA user_version"), ==, PW_STORE_SCHEMA_VERSION);
  g_assert_cmpint (pw_test_raw_int (raw, "PRAGMA application_id"), ==, PW_STORE_APPLICATION_ID);
  assert_raw_text (raw, "PRAGMA journal_mode", "wal");

  backup_path = pw_store_get_backup_path (store);
  g_assert_nonnull (backup_path);
  g_assert_cmpstr (backup_path, !=, path);
  g_assert_true (g_file_test (backup_path, G_FILE_TEST_IS_REGULAR));

  /* The backup is the database as it was: version 1, rows and all. */
  backup = pw_test_raw_open (backup_path);
  assert_raw_text (backup, "PRAGMA integrity_check", "ok");
  g_assert_cmpint (pw_test_raw_int (backup, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (pw_test_raw_int (backup, "PRAGMA application_id"), ==, PW_STORE_APPLICATION_ID);
  g_assert_cmpint (pw_test_raw_int (backup, "SELECT count(*) FROM sessions WHERE id = 'abcdef01'"), ==, 1);
  g_assert_cmpint (pw_test_raw_count (backup, "messages", "abcdef01"), ==, 1);
  g_assert_cmpint (pw_test_raw_int (backup,
                                    "SELECT count(*) FROM sqlite_master WHERE name = 'search_index'"),
                   ==, 0);
}

static void
test_migration_v1 (void)
{
  g_autofree char *path = pw_test_db_path ("v1.db");

  {
    g_autoptr(sqlite3) v1 = raw_create (path);

    pw_test_raw_apply_schema_v1 (v1);
    fill_v1 (v1);
  }

  check_migrated (path);
}

static void
test_migration_v1_wal (void)
{
  /* Rows still in the WAL are part of the database: a plain file copy
   * would make a backup without them. */
  g_autofree char *path = pw_test_db_path ("v1-wal.db");
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(sqlite3) v1 = raw_create (path);

  pw_test_raw_exec (v1, "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;");
  pw_test_raw_apply_schema_v1 (v1);
  fill_v1 (v1);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));

  check_migrated (path);
}

static void
test_migration_then_reopen (void)
{
  g_autofree char *path = pw_test_db_path ("v1-reopen.db");

  {
    g_autoptr(sqlite3) v1 = raw_create (path);

    pw_test_raw_apply_schema_v1 (v1);
    fill_v1 (v1);
  }

  /* Seen as old before, and as current after, the open that migrates */
  g_assert_true (pw_store_needs_upgrade (path));
  {
    g_autoptr(PwStore) store = pw_test_open_store (path);

    g_assert_nonnull (pw_store_get_backup_path (store));
  }
  g_assert_false (pw_store_needs_upgrade (path));

  {
    g_autoptr(PwStore) store = pw_test_open_store (path);
    g_autoptr(GError) error = NULL;
    g_autoptr(PwSessionInfo) info = NULL;

    g_assert_null (pw_store_get_backup_path (store));
    info = pw_store_get_session (store, "abcdef01", &error);
    g_assert_no_error (error);
  }
}

static void
assert_refused_untouched (const char *path,
                          int         code)
{
  g_autoptr(GBytes) before = file_bytes (path);
  g_autofree char *listing_before = sorted_listing (path);
  g_autoptr(GBytes) after = NULL;
  g_autofree char *listing_after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwStore) store = NULL;

  store = pw_store_open (path, &error);
  g_assert_null (store);
  if (code >= 0)
    g_assert_error (error, PW_STORE_ERROR, code);
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == PW_STORE_ERROR);
    }
  g_assert_nonnull (error->message);
  g_assert_cmpstr (error->message, !=, "");
  g_test_message ("refused with: %s", error->message);

  after = file_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  /* No backup, no -wal or -shm left behind. */
  listing_after = sorted_listing (path);
  g_assert_cmpstr (listing_after, ==, listing_before);
}

static void
test_newer_schema (void)
{
  g_autofree char *path = pw_test_db_path ("newer.db");

  {
    g_autoptr(sqlite3) db = raw_create (path);
    char *sql = sqlite3_mprintf ("PRAGMA application_id = %d; PRAGMA user_version = 99;"
                                 "CREATE TABLE from_the_future (x TEXT);"
                                 "INSERT INTO from_the_future VALUES ('keep me');",
                                 PW_STORE_APPLICATION_ID);

    pw_test_raw_exec (db, sql);
    sqlite3_free (sql);
  }

  assert_refused_untouched (path, PW_STORE_ERROR_NEWER_SCHEMA);
}

static void
test_newer_schema_by_one (void)
{
  g_autofree char *path = pw_test_db_path ("newer-by-one.db");

  {
    g_autoptr(sqlite3) db = raw_create (path);
    char *sql = sqlite3_mprintf ("PRAGMA application_id = %d; PRAGMA user_version = %d;"
                                 "CREATE TABLE t (x);",
                                 PW_STORE_APPLICATION_ID, PW_STORE_SCHEMA_VERSION + 1);

    pw_test_raw_exec (db, sql);
    sqlite3_free (sql);
  }

  assert_refused_untouched (path, PW_STORE_ERROR_NEWER_SCHEMA);
}

static void
test_not_planwright (void)
{
  g_autofree char *path = pw_test_db_path ("other-app.db");

  {
    g_autoptr(sqlite3) db = raw_create (path);

    pw_test_raw_exec (db, "PRAGMA application_id = 305419896;"  /* 0x12345678 */
                  "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT);"
                  "INSERT INTO photos (name) VALUES ('cat.jpg');");
  }

  g_assert_false (pw_store_needs_upgrade (path));
  assert_refused_untouched (path, PW_STORE_ERROR_NOT_PLANWRIGHT);
}

static void
test_not_planwright_no_app_id (void)
{
  /* Most SQLite files never set application_id; having tables is what
   * tells them apart from a new, empty database. */
  g_autofree char *path = pw_test_db_path ("plain.db");

  {
    g_autoptr(sqlite3) db = raw_create (path);

    pw_test_raw_exec (db, "CREATE TABLE sessions (id TEXT PRIMARY KEY, data BLOB);"
                  "INSERT INTO sessions VALUES ('x', 'y');");
  }

  assert_refused_untouched (path, PW_STORE_ERROR_NOT_PLANWRIGHT);
}

static void
test_not_sqlite (void)
{
  g_autofree char *path = pw_test_db_path ("notes.txt");
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 200; i++)
    g_string_append (text, "this is a shopping list, not a database\n");
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, text->str, text->len, &error);
  g_assert_no_error (error);

  assert_refused_untouched (path, -1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/schema/fresh", test_fresh_database);
  g_test_add_func ("/store/schema/application-id", test_application_id_value);
  g_test_add_func ("/store/schema/reopen", test_reopen);
  g_test_add_func ("/store/schema/empty-file", test_empty_file_is_fresh);
  g_test_add_func ("/store/schema/orphans-refused", test_orphans_refused);

  g_test_add_func ("/store/migration/v1", test_migration_v1);
  g_test_add_func ("/store/migration/v1-wal", test_migration_v1_wal);
  g_test_add_func ("/store/migration/reopen", test_migration_then_reopen);
  g_test_add_func ("/store/refuse/newer-schema", test_newer_schema);
  g_test_add_func ("/store/refuse/newer-by-one", test_newer_schema_by_one);
  g_test_add_func ("/store/refuse/not-planwright", test_not_planwright);
  g_test_add_func ("/store/refuse/no-application-id", test_not_planwright_no_app_id);
  g_test_add_func ("/store/refuse/not-sqlite", test_not_sqlite);

  return g_test_run ();
}
