/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A read of the database on a worker thread, with a connection of its own. */

#pragma once

#include <gio/gio.h>

#include "pw-store.h"

G_BEGIN_DECLS

/* Reads with @store (the worker's own connection) and returns what the
 * callback gets, or NULL with @error set */
typedef gpointer (*PwStoreReadFunc) (PwStore   *store,
                                     gpointer   data,
                                     GError   **error);

/* Opens the database at @path on a worker thread and runs @func there:
 * a read that takes longer than a frame (listing or searching 10 000
 * sessions) never holds the main loop. @data is the read's (freed with
 * @data_free once the task is done, on whichever thread drops it last);
 * @result_free frees a result nobody took. Cancelled before it starts,
 * it opens nothing and ends with G_IO_ERROR_CANCELLED; cancelled while
 * it runs, SQLite interrupts its statement and it ends the same way. */
void     pw_store_read_async  (const char          *path,
                               PwStoreReadFunc      func,
                               gpointer             data,
                               GDestroyNotify       data_free,
                               GDestroyNotify       result_free,
                               gpointer             source_object,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
/* The read's result (owned by the caller), or NULL with @error set */
gpointer pw_store_read_finish (GAsyncResult        *result,
                               GError             **error);
/* The @data given to pw_store_read_async (owned by the task) */
gpointer pw_store_read_get_data (GAsyncResult      *result);

G_END_DECLS
