/* SPDX-License-Identifier: GPL-3.0-or-later */
/* discuss, generate and draft: the planning engine's operations on a terminal. */

#include "config.h"

#include <gio/gunixinputstream.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pw-cli.h"
#include "pw-planning.h"
#include "pw-review-run.h"

typedef struct {
  PwCli        *cli;
  PwOperation  *op;
  GMainLoop    *loop;
  GError       *error;
  gboolean      done;
  gboolean      interrupted;
  gboolean      stream;       /* model text to stdout */
  gboolean      ends_newline;
  gboolean      any_text;
} RunState;

PwEngine *
pw_cli_engine (PwCli *cli,
               int   *out_exit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;
  g_autoptr(PwModels) models = NULL;
  PwStore *store;

  if (!(store = pw_cli_store (cli, out_exit)))
    return NULL;
  if (!(settings = pw_settings_load (NULL, &error)))
    {
      *out_exit = pw_cli_fail_error (error, _("fix or remove the settings file"));
      return NULL;
    }
  if (!(models = pw_models_load (NULL, &error)))
    {
      *out_exit = pw_cli_fail_error (error, _("fix or remove the models file"));
      return NULL;
    }
  return pw_engine_new (store, settings, models);
}

static void
on_delta (PwOperation *op,
          int          kind,
          const char  *text,
          RunState    *state)
{
  gsize len = strlen (text);

  if (kind != PW_DELTA_TEXT || !state->stream || len == 0)
    return;
  fwrite (text, 1, len, stdout);
  fflush (stdout);
  state->any_text = TRUE;
  state->ends_newline = text[len - 1] == '\n';
}

static void
on_retry (PwOperation       *op,
          const PwRetryInfo *info,
          RunState          *state)
{
  if (!state->cli->verbose)
    return;
  pw_cli_note (state->cli, _("%s — retrying in %.1f s (attempt %u of %u)"),
               info->reason, info->delay_ms / 1000.0, info->attempt, info->max_attempts);
}

static void
on_step (PwOperation *op,
         const char  *step,
         RunState    *state)
{
  if (state->cli->verbose)
    pw_cli_note (state->cli, _("%s…"), step);
  if (g_strcmp0 (step, "repair") == 0 && state->stream)
    {
      pw_cli_note (state->cli, _("the plan's format has problems; asking the planner to repair it (the repaired plan follows)"));
      if (state->any_text && !state->ends_newline)
        fputc ('\n', stdout);
    }
}

static gboolean
on_sigint (gpointer user_data)
{
  RunState *state = user_data;

  state->interrupted = TRUE;
  pw_operation_cancel (state->op);
  return G_SOURCE_CONTINUE;
}

static void
run_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  RunState *state = user_data;

  pw_operation_run_finish (PW_OPERATION (source), result, &state->error);
  state->done = TRUE;
  g_main_loop_quit (state->loop);
}

/* Runs @op to its end on a main loop, streaming its text when @stream;
 * Ctrl-C cancels it. Returns the exit code (0, 1, 3, 130…), after
 * printing any error. */
int
pw_cli_run_operation (PwCli       *cli,
                      PwOperation *op,
                      gboolean     stream)
{
  RunState state = { cli, op, NULL, NULL, FALSE, FALSE, stream, TRUE, FALSE };
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gulong handlers[3];
  guint sigint;

  state.loop = loop;
  handlers[0] = g_signal_connect (op, "delta", G_CALLBACK (on_delta), &state);
  handlers[1] = g_signal_connect (op, "retry", G_CALLBACK (on_retry), &state);
  handlers[2] = g_signal_connect (op, "step", G_CALLBACK (on_step), &state);
  sigint = g_unix_signal_add (SIGINT, on_sigint, &state);

  pw_operation_run_async (op, NULL, run_cb, &state);
  if (!state.done)
    g_main_loop_run (loop);

  g_source_remove (sigint);
  for (guint i = 0; i < G_N_ELEMENTS (handlers); i++)
    g_signal_handler_disconnect (op, handlers[i]);

  if (stream && state.any_text && !state.ends_newline)
    {
      fputc ('\n', stdout);
      fflush (stdout);
    }

  if (state.error == NULL)
    return PW_EXIT_OK;
  if (g_error_matches (state.error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || state.interrupted)
    {
      g_clear_error (&state.error);
      pw_cli_fail (PW_EXIT_INTERRUPTED, _("nothing partial was stored; run the command again to continue"),
                   _("interrupted"));
      return PW_EXIT_INTERRUPTED;
    }
  {
    int code = g_error_matches (state.error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_ALLOWED)
               ? PW_EXIT_REFUSED : PW_EXIT_FAILURE;
    const char *hint = state.error->domain == PW_PROVIDER_ERROR
                       ? _("nothing partial was stored; run the command again when the problem is fixed")
                       : NULL;

    if (state.error->domain == PW_REVIEW_ERROR && state.error->code != PW_REVIEW_ERROR_FAILED)
      code = PW_EXIT_USAGE;
    if (state.error->domain == PW_STORE_ERROR)
      code = pw_cli_fail_error (state.error, hint);
    else
      pw_cli_fail (code, hint, "%s", state.error->message);
    g_clear_error (&state.error);
    return code;
  }
}

static void
print_discuss_json (PwCli      *cli,
                    const char *id,
                    gint64      message_id,
                    gint64      reply_id)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(PwSessionInfo) info = pw_store_get_session (cli->store, id, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "message_id");
  if (message_id)
    json_builder_add_int_value (b, message_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "reply_id");
  if (reply_id)
    json_builder_add_int_value (b, reply_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "phase");
  json_builder_add_string_value (b, info ? pw_phase_to_string (info->phase) : NULL);
  json_builder_end_object (b);
  pw_cli_print_json (b);
}

static int
advance (PwCli      *cli,
         PwEngine   *engine,
         const char *id)
{
  g_autoptr(PwAdvanceOp) op = pw_advance_op_new (engine, id);
  int code;

  if (cli->verbose)
    pw_cli_note (cli, _("synthesizing the context and the discussion for the plan"));
  code = pw_cli_run_operation (cli, PW_OPERATION (op), FALSE);
  if (code == PW_EXIT_OK && !cli->json)
    pw_cli_note (cli, _("session %s is in PLANNING; write the plan with 'generate %s'"), id, id);
  return code;
}

/* Interactive chat */

typedef struct {
  GMainLoop        *loop;
  char             *line;
  gboolean          eof;
  gboolean          interrupted;
} LineRead;

static void
read_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  LineRead *read = user_data;
  g_autoptr(GError) error = NULL;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  if (read->line == NULL)
    read->eof = TRUE;
  g_main_loop_quit (read->loop);
}

static gboolean
on_prompt_sigint (gpointer user_data)
{
  LineRead *read = user_data;

  read->interrupted = TRUE;
  g_main_loop_quit (read->loop);
  return G_SOURCE_CONTINUE;
}

/* One line from stdin on the main loop, so Ctrl-C at the prompt is seen. */
static char *
prompt_line (GDataInputStream *in,
             gboolean         *out_interrupted)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  LineRead read = { loop, NULL, FALSE, FALSE };
  guint sigint = g_unix_signal_add (SIGINT, on_prompt_sigint, &read);

  fputs (_("you> "), stderr);
  fflush (stderr);
  g_data_input_stream_read_line_async (in, G_PRIORITY_DEFAULT, cancellable, read_line_cb, &read);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  if (read.interrupted)
    {
      /* Let the pending read finish before the stream goes away. */
      g_cancellable_cancel (cancellable);
      while (!read.eof && read.line == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_clear_pointer (&read.line, g_free);
    }
  *out_interrupted = read.interrupted;
  return read.line;
}

static int
interactive (PwCli      *cli,
             PwEngine   *engine,
             const char *id)
{
  g_autoptr(GInputStream) raw = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  g_autoptr(GDataInputStream) in = g_data_input_stream_new (raw);

  fprintf (stderr, _("Discussing session %s. Type /done to move to planning, /quit to leave.\n"), id);
  for (;;)
    {
      g_autofree char *line = NULL;
      g_autoptr(PwDiscussOp) op = NULL;
      gboolean interrupted = FALSE;
      int code;

      line = prompt_line (in, &interrupted);
      if (interrupted)
        {
          fputc ('\n', stderr);
          return PW_EXIT_INTERRUPTED;
        }
      if (line == NULL || g_strcmp0 (g_strstrip (line), "/quit") == 0)
        {
          if (line == NULL)
            fputc ('\n', stderr);
          return PW_EXIT_OK;
        }
      if (*line == '\0')
        continue;
      if (strcmp (line, "/done") == 0)
        return advance (cli, engine, id);

      op = pw_discuss_op_new (engine, id, line);
      code = pw_cli_run_operation (cli, PW_OPERATION (op), TRUE);
      /* Ctrl-C cancels that reply only; other failures are reported and the chat goes on. */
      if (code != PW_EXIT_OK && code != PW_EXIT_INTERRUPTED && code != PW_EXIT_FAILURE)
        return code;
    }
}

int
pw_cli_cmd_discuss (PwCli  *cli,
                    PwArgs *args)
{
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwEngine) engine = NULL;
  const char *message = pw_args_positional (args, 1);
  gboolean done = pw_args_has (args, "done");
  gboolean interactive_mode = pw_args_has (args, "interactive");
  gint64 message_id = 0, reply_id = 0;
  int code = 0;

  if (interactive_mode && (message != NULL || done))
    return pw_cli_fail (PW_EXIT_USAGE, _("use /done inside the interactive chat"),
                        _("--interactive takes no MESSAGE and no --done"));
  if (interactive_mode && cli->json)
    return pw_cli_fail (PW_EXIT_USAGE, _("use 'discuss ID MESSAGE --json' for one turn"),
                        _("--interactive and --json do not go together"));
  if (message != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (message));
      if (*trimmed == '\0')
        return pw_cli_fail (PW_EXIT_USAGE, _("write the message, or use --done alone to move to planning"),
                            _("the message is empty"));
    }
  else if (!done && !interactive_mode)
    return pw_cli_fail (PW_EXIT_USAGE, _("see 'planwright-cli discuss --help'"),
                        _("'discuss' needs a MESSAGE, --done or --interactive"));

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_DISCUSS, &code)))
    return code;
  if (!(engine = pw_cli_engine (cli, &code)))
    return code;

  if (interactive_mode)
    return interactive (cli, engine, info->id);

  if (message != NULL)
    {
      g_autoptr(PwDiscussOp) op = pw_discuss_op_new (engine, info->id, message);

      code = pw_cli_run_operation (cli, PW_OPERATION (op), !cli->json);
      message_id = pw_discuss_op_get_message_id (op);
      reply_id = pw_discuss_op_get_reply_id (op);
      /* A failed message never advances: --done needs the reply. */
      if (code != PW_EXIT_OK)
        return code;
    }
  if (done && (code = advance (cli, engine, info->id)) != PW_EXIT_OK)
    return code;

  if (cli->json)
    print_discuss_json (cli, info->id, message_id, reply_id);
  return PW_EXIT_OK;
}

static void
print_draft_result (PwCli      *cli,
                    const char *id,
                    gint64      draft_id,
                    gint        number,
                    const char *author,
                    GPtrArray  *warnings)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "draft_id");
      json_builder_add_int_value (b, draft_id);
      json_builder_set_member_name (b, "draft_number");
      json_builder_add_int_value (b, number);
      json_builder_set_member_name (b, "author");
      json_builder_add_string_value (b, author);
      json_builder_set_member_name (b, "valid");
      json_builder_add_boolean_value (b, warnings->len == 0);
      json_builder_set_member_name (b, "warnings");
      json_builder_begin_array (b);
      for (guint i = 0; i < warnings->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (warnings, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      pw_cli_print_json (b);
      return;
    }

  pw_cli_note (cli, _("stored draft %d (%s) of session %s"), number, author, id);
  if (warnings->len == 0)
    pw_cli_note (cli, _("plan format: OK"));
  else
    {
      pw_cli_note (cli, _("plan format warnings:"));
      for (guint i = 0; i < warnings->len; i++)
        fprintf (stderr, "  - %s\n", (const char *) g_ptr_array_index (warnings, i));
    }
}

int
pw_cli_cmd_generate (PwCli  *cli,
                     PwArgs *args)
{
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwEngine) engine = NULL;
  g_autoptr(PwGenerateOp) op = NULL;
  int code = 0;

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_GENERATE, &code)))
    return code;
  if (!(engine = pw_cli_engine (cli, &code)))
    return code;

  op = pw_generate_op_new (engine, info->id, pw_args_get (args, "model"));
  if ((code = pw_cli_run_operation (cli, PW_OPERATION (op), !cli->json)) != PW_EXIT_OK)
    return code;
  print_draft_result (cli, info->id, pw_generate_op_get_draft_id (op),
                      pw_generate_op_get_draft_number (op), "planner",
                      pw_generate_op_get_warnings (op));
  return PW_EXIT_OK;
}

int
pw_cli_cmd_draft (PwCli  *cli,
                  PwArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwSettings) settings = NULL;
  g_autoptr(PwContextFile) file = NULL;
  g_autoptr(PwEngine) engine = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  const char *path = pw_args_get (args, "file");
  gint number = 0;
  gint64 draft_id;
  int code = 0;

  if (path == NULL)
    return pw_cli_fail (PW_EXIT_USAGE, _("see 'planwright-cli draft --help'"),
                        _("'draft' needs --file PLAN.md"));
  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_DRAFT, &code)))
    return code;
  if (!(settings = pw_settings_load (NULL, &error)))
    return pw_cli_fail_error (error, _("fix or remove the settings file"));
  if (!(file = pw_context_file_read (path, pw_settings_get_max_context_bytes (settings), &error)))
    return pw_cli_fail (PW_EXIT_USAGE, _("nothing was stored"), "%s", error->message);
  if (!(engine = pw_cli_engine (cli, &code)))
    return code;

  if (!(draft_id = pw_planning_store_user_draft (engine, info->id, file->content, &number, &warnings, &error)))
    return pw_cli_fail_error (error, _("nothing was stored"));
  print_draft_result (cli, info->id, draft_id, number, "user", warnings);
  return PW_EXIT_OK;
}
