/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reads of the database on a worker thread: the answer, a failed open, a cancelled read. */

#include <gio/gio.h>

#include "pw-store.h"
#include "pw-store-private.h"
#include "pw-store-reader.h"
#include "pw-test-db.h"

typedef struct {
  GMainLoop *loop;
  GPtrArray *rows;
  GError    *error;
  GThread   *reader_thread;   /* where the read ran */
  gint       data_freed;   /* atomic: the task may drop it on the worker */
} ReadResult;

static gpointer
list_read (PwStore  *store,
           gpointer  data,
           GError  **error)
{
  ReadResult *res = data;

  res->reader_thread = g_thread_self ();
  return pw_store_list_sessions (store, NULL, NULL, error);
}

static void
data_freed (gpointer data)
{
  g_atomic_int_set (&((ReadResult *) data)->data_freed, TRUE);
}

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ReadResult *res = user_data;

  g_assert_true (pw_store_read_get_data (result) == res);
  res->rows = pw_store_read_finish (result, &res->error);
  g_main_loop_quit (res->loop);
}

static void
run_read (const char      *path,
          PwStoreReadFunc  func,
          GCancellable    *cancellable,
          ReadResult      *res)
{
  res->loop = g_main_loop_new (NULL, FALSE);
  pw_store_read_async (path, func, res, data_freed, (GDestroyNotify) g_ptr_array_unref,
                       NULL, cancellable, read_done, res);
  g_main_loop_run (res->loop);
  g_main_loop_unref (res->loop);
  /* The worker may hold the task (and free the data) a moment longer;
   * @res lives on the caller's stack */
  for (guint i = 0; i < 5000 && !g_atomic_int_get (&res->data_freed); i++)
    g_usleep (1000);
  g_assert_true (g_atomic_int_get (&res->data_freed));
}

/* What the main thread wrote, read on another thread with its own connection */
static void
test_reads_on_a_worker (void)
{
  g_autofree char *path = pw_test_db_path ("reader.db");
  g_autoptr(PwStore) store = pw_test_open_store (path);
  g_autofree char *a = pw_test_create_session (store, "alpha");
  g_autofree char *b = pw_test_create_session (store, "beta");
  ReadResult res = { 0 };

  run_read (path, list_read, NULL, &res);
  g_assert_no_error (res.error);
  g_assert_nonnull (res.rows);
  g_assert_cmpuint (res.rows->len, ==, 2);
  g_assert_cmpstr (((PwSessionInfo *) res.rows->pdata[0])->project, ==, "beta");
  g_assert_nonnull (res.reader_thread);
  g_assert_true (res.reader_thread != g_thread_self ());
  g_ptr_array_unref (res.rows);
}

/* A database that cannot be opened: the error, not a crash or NULL alone */
static void
test_open_failure_is_reported (void)
{
  g_autofree char *dir = pw_test_db_path ("not-a-db");
  g_autofree char *path = NULL;
  ReadResult res = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  path = g_build_filename (dir, "garbage.db", NULL);
  g_assert_true (g_file_set_contents (path, "this is not SQLite, it is plain text and long enough to be read as a header by SQLite itself", -1, NULL));
  run_read (path, list_read, NULL, &res);
  g_assert_null (res.rows);
  g_assert_nonnull (res.error);
  g_assert_null (res.reader_thread);   /* the read itself never ran */
  g_clear_error (&res.error);
}

/* Cancelled before it starts: nothing read, G_IO_ERROR_CANCELLED */
static void
test_cancelled_read (void)
{
  g_autofree char *path = pw_test_db_path ("cancelled.db");
  g_autoptr(PwStore) store = pw_test_open_store (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ReadResult res = { 0 };

  g_cancellable_cancel (cancellable);
  run_read (path, list_read, cancellable, &res);
  g_assert_null (res.rows);
  g_assert_error (res.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (res.reader_thread);
  g_clear_error (&res.error);
}

/* A statement that never ends on its own: counting an endless series */
static gpointer
endless_read (PwStore  *store,
              gpointer  data,
              GError  **error)
{
  ReadResult *res = data;
  char *message = NULL;

  res->reader_thread = g_thread_self ();
  if (sqlite3_exec (store->db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                    "SELECT count(*) FROM c", NULL, NULL, &message) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", message);
      sqlite3_free (message);
      return NULL;
    }
  return g_ptr_array_new ();
}

static gboolean
cancel_now (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

/* Cancelled while its statement runs: SQLite stops it, the read ends
 * with G_IO_ERROR_CANCELLED (without the interrupt it would never end,
 * and the test would time out) */
static void
test_cancelled_while_running (void)
{
  g_autofree char *path = pw_test_db_path ("running.db");
  g_autoptr(PwStore) store = pw_test_open_store (path);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ReadResult res = { 0 };

  g_timeout_add (100, cancel_now, cancellable);
  run_read (path, endless_read, cancellable, &res);
  g_assert_nonnull (res.reader_thread);   /* it ran, and was stopped */
  g_assert_null (res.rows);
  g_assert_error (res.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&res.error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store-reader/worker", test_reads_on_a_worker);
  g_test_add_func ("/store-reader/open-failure", test_open_failure_is_reported);
  g_test_add_func ("/store-reader/cancelled", test_cancelled_read);
  g_test_add_func ("/store-reader/cancelled-while-running", test_cancelled_while_running);
  return g_test_run ();
}
