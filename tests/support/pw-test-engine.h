/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Engine tests' shared set-up: a fake LLM server, a temporary store, an engine with fast retries. */
#pragma once

#include "pw-fake-server.h"
#include "pw-planning.h"

G_BEGIN_DECLS

/* Starts a fake server, points both providers' base URLs and keys at it,
 * writes a settings.ini with fast retries and short stalls, and opens a
 * store in a new temporary folder with an engine over it. */
void      pw_test_engine_set_up     (PwFakeServer **out_server,
                                     PwStore      **out_store,
                                     PwEngine     **out_engine,
                                     char         **out_dir);
void      pw_test_engine_tear_down  (PwFakeServer **server,
                                     PwStore      **store,
                                     PwEngine     **engine,
                                     char         **dir);
/* Runs @op on a main loop to its end */
gboolean  pw_test_run_operation     (PwOperation   *op,
                                     GError       **error);
/* The body of the @index-th request the server recorded */
char     *pw_test_request_body      (PwFakeServer  *server,
                                     guint          index);

G_END_DECLS
