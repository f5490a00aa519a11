/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A read of the database on a worker thread, with a connection of its own. */

#include "config.h"

#include "pw-store-private.h"
#include "pw-store-reader.h"

typedef struct {
  char            *path;
  PwStoreReadFunc  func;
  gpointer         data;
  GDestroyNotify   data_free;
  GDestroyNotify   result_free;
} ReadData;

static void
read_data_free (ReadData *read)
{
  if (read->data_free != NULL && read->data != NULL)
    read->data_free (read->data);
  g_free (read->path);
  g_free (read);
}

/* SQLite's progress handler: a non-zero answer interrupts the statement */
static int
on_progress (gpointer data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

static void
read_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ReadData *read = task_data;
  g_autoptr(PwStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gpointer result;

  if (g_task_return_error_if_cancelled (task))
    return;
  if ((store = pw_store_open (read->path, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* A read nobody waits for any more stops within a few thousand SQLite
   * steps (a search for one letter through 10 000 sessions takes seconds) */
  if (cancellable != NULL)
    sqlite3_progress_handler (store->db, 1000, on_progress, cancellable);
  result = read->func (store, read->data, &error);
  sqlite3_progress_handler (store->db, 0, NULL, NULL);
  if (g_task_return_error_if_cancelled (task))
    {
      if (result != NULL && read->result_free != NULL)
        read->result_free (result);
      return;
    }
  if (result == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "The read returned nothing");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, result, read->result_free);
}

void
pw_store_read_async (const char          *path,
                     PwStoreReadFunc      func,
                     gpointer             data,
                     GDestroyNotify       data_free,
                     GDestroyNotify       result_free,
                     gpointer             source_object,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ReadData *read;

  g_return_if_fail (path != NULL);
  g_return_if_fail (func != NULL);

  read = g_new0 (ReadData, 1);
  read->path = g_strdup (path);
  read->func = func;
  read->data = data;
  read->data_free = data_free;
  read->result_free = result_free;

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_store_read_async);
  g_task_set_task_data (task, read, (GDestroyNotify) read_data_free);
  g_task_run_in_thread (task, read_thread);
}

gpointer
pw_store_read_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pw_store_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gpointer
pw_store_read_get_data (GAsyncResult *result)
{
  ReadData *read;

  g_return_val_if_fail (G_IS_TASK (result), NULL);

  read = g_task_get_task_data (G_TASK (result));
  return read != NULL ? read->data : NULL;
}
