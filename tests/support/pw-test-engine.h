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
/* The context of the engine tests' session: a file whose text the
 * requests must carry, and a note */
#define PW_TEST_FILE_TEXT "int main (void) { return register_user (); } /* UNIQUE-FILE-MARKER */\n"
#define PW_TEST_NOTE_TEXT "Uses PostgreSQL 15"
/* A plan that passes the format check: three milestones */
extern const char pw_test_valid_plan[];

/* Creates the session "demo" (model claude-sonnet-5-5) with the file
 * @dir/main.c and a note as context, in @phase; returns its id */
char     *pw_test_engine_add_session (PwStore      *store,
                                      const char   *dir,
                                      PwPhase       phase);
/* Runs @op on a main loop to its end */
gboolean  pw_test_run_operation     (PwOperation   *op,
                                     GError       **error);
/* The body of the @index-th request the server recorded */
char     *pw_test_request_body      (PwFakeServer  *server,
                                     guint          index);

G_END_DECLS
