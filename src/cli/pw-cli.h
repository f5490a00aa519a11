/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared state and helpers of planwright-cli's commands. */
#pragma once

#include <json-glib/json-glib.h>

#include "pw-core.h"
#include "pw-cli-args.h"
#include "pw-engine.h"

G_BEGIN_DECLS

/* Exit codes of spec/cli.md */
enum {
  PW_EXIT_OK = 0,
  PW_EXIT_FAILURE = 1,
  PW_EXIT_USAGE = 2,
  PW_EXIT_REFUSED = 3,
  PW_EXIT_PAUSED = 4,
  PW_EXIT_INTERRUPTED = 130,
};

typedef struct {
  const char *db_path;      /* from --db-path or the default */
  gboolean    verbose;
  gboolean    debug;
  gboolean    json;
  PwStore    *store;        /* opened on first use */
} PwCli;

/* Prints "planwright-cli: error: <what> (<hint>)" on stderr, one line, and
 * returns @code. @hint may be NULL when @what already ends in a hint. */
int         pw_cli_fail           (int          code,
                                   const char  *hint,
                                   const char  *format,
                                   ...) G_GNUC_PRINTF (3, 4);
/* Maps a GError from the core to an exit code and prints it. */
int         pw_cli_fail_error     (const GError *error,
                                   const char   *hint);
void        pw_cli_note           (PwCli       *cli,
                                   const char  *format,
                                   ...) G_GNUC_PRINTF (2, 3);
/* Opens the store, or prints the error and returns NULL with *out_exit. */
PwStore    *pw_cli_store          (PwCli       *cli,
                                   int         *out_exit);
/* Resolves the ID argument (a unique prefix), checks @command against the
 * lifecycle table, and returns the session; NULL with *out_exit set. */
PwSessionInfo *pw_cli_session     (PwCli       *cli,
                                   const char  *id_arg,
                                   PwCommand    command,
                                   int         *out_exit);
void        pw_cli_print_json     (JsonBuilder *builder);
/* Appends @str as a JSON string literal (RFC 8259 escapes). */
void        pw_cli_json_append_string (GString    *out,
                                       const char *str);

/* The engine over the CLI's store, settings and models (NULL + exit code) */
PwEngine   *pw_cli_engine         (PwCli       *cli,
                                   int         *out_exit);
/* Runs @op on a main loop (Ctrl-C cancels it); prints any error and
 * returns the exit code */
int         pw_cli_run_operation  (PwCli       *cli,
                                   PwOperation *op,
                                   gboolean     stream);

int pw_cli_cmd_start        (PwCli *cli, PwArgs *args);
int pw_cli_cmd_add_context  (PwCli *cli, PwArgs *args);
int pw_cli_cmd_list         (PwCli *cli, PwArgs *args);
int pw_cli_cmd_status       (PwCli *cli, PwArgs *args);
int pw_cli_cmd_resume       (PwCli *cli, PwArgs *args);
int pw_cli_cmd_export       (PwCli *cli, PwArgs *args);
int pw_cli_cmd_complete     (PwCli *cli, PwArgs *args);
int pw_cli_cmd_reopen       (PwCli *cli, PwArgs *args);
int pw_cli_cmd_discuss      (PwCli *cli, PwArgs *args);
int pw_cli_cmd_generate     (PwCli *cli, PwArgs *args);
int pw_cli_cmd_draft        (PwCli *cli, PwArgs *args);
int pw_cli_cmd_review       (PwCli *cli, PwArgs *args);

G_END_DECLS
