/* SPDX-License-Identifier: GPL-3.0-or-later */
/* planwright-cli: the command table, dispatch, errors and exit codes. */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "pw-cli.h"

static const char * const statuses[] = { "active", "paused", "complete", NULL };
static const char * const efforts[] = { "none", "minimal", "low", "medium", "high", "xhigh", "max", NULL };
static const char * const complexities[] = { "standard", "complex", NULL };

static const PwOptSpec start_options[] = {
  { "project", PW_OPT_VALUE, "NAME", NULL, N_("project name (required)") },
  { "model", PW_OPT_VALUE, "M", NULL, N_("planner model for this session") },
  { "repo-root", PW_OPT_VALUE, "PATH", NULL, N_("repository for the hand-off (default: the git repository of the current folder)") },
  { NULL }
};
static const PwOptSpec add_context_options[] = {
  { "file", PW_OPT_LIST, "PATH", NULL, N_("add a UTF-8 text file (repeatable)") },
  { "note", PW_OPT_LIST, "TEXT", NULL, N_("add a note (repeatable)") },
  { NULL }
};
static const PwOptSpec list_options[] = {
  { "status", PW_OPT_VALUE, NULL, statuses, N_("only sessions with this status") },
  { "project", PW_OPT_VALUE, "NAME", NULL, N_("only sessions of this project") },
  { NULL }
};
static const PwOptSpec resume_options[] = {
  { "answer", PW_OPT_LIST, "TEXT", NULL, N_("answer to the next open blocker (repeatable, in order)") },
  { NULL }
};
static const PwOptSpec export_options[] = {
  { "output-dir", PW_OPT_VALUE, "DIR", NULL, N_("write here instead of $XDG_DATA_HOME/planwright/sessions/ID") },
  { NULL }
};
static const PwOptSpec no_options[] = { { NULL } };
static const PwOptSpec discuss_options[] = {
  { "done", PW_OPT_FLAG, NULL, NULL, N_("then synthesize the context and move to PLANNING") },
  { "interactive", PW_OPT_FLAG, NULL, NULL, N_("chat line by line on the terminal (/done, /quit)") },
  { NULL }
};
static const PwOptSpec generate_options[] = {
  { "model", PW_OPT_VALUE, "M", NULL, N_("planner model for this call") },
  { NULL }
};
static const PwOptSpec draft_options[] = {
  { "file", PW_OPT_VALUE, "PLAN.md", NULL, N_("the plan to store as a hand edit (required)") },
  { NULL }
};
static const PwOptSpec review_options[] = {
  { "fast", PW_OPT_FLAG, NULL, NULL, N_("4 rounds, no history, basic prompt") },
  { "max-rounds", PW_OPT_VALUE, "N", NULL, N_("round cap for this run") },
  { "no-review-history", PW_OPT_FLAG, NULL, NULL, N_("do not send the previous plan and deferred issues") },
  { "reviewer-model", PW_OPT_VALUE, "M", NULL, N_("reviewer model") },
  { "reviewer-reasoning", PW_OPT_VALUE, NULL, efforts, N_("reviewer reasoning effort") },
  { "complexity", PW_OPT_VALUE, NULL, complexities, N_("override complexity detection") },
  { "repo-root", PW_OPT_VALUE, "PATH", NULL, N_("repository for the hand-off") },
  { "max-cost", PW_OPT_VALUE, "USD", NULL, N_("pause before a call that would pass this cost") },
  { NULL }
};

typedef int (*PwCliRun) (PwCli *cli, PwArgs *args);

static const PwCommandSpec commands[] = {
  { "start", "--project NAME [--model M] [--repo-root PATH]", N_("create a session in SETUP and print its id"), 0, 0, start_options },
  { "add-context", "ID (--file PATH | --note TEXT)...", N_("add files and notes to a session's context"), 1, 1, add_context_options },
  { "discuss", "ID [MESSAGE] [--done] | ID --interactive", N_("talk the feature through with the planner"), 1, 2, discuss_options },
  { "generate", "ID [--model M]", N_("write the next plan draft"), 1, 1, generate_options },
  { "draft", "ID --file PLAN.md", N_("store a hand-edited plan as a new draft"), 1, 1, draft_options },
  { "review", "ID [OPTIONS]", N_("run the review loop"), 1, 1, review_options },
  { "list", "[--status active|paused|complete] [--project NAME]", N_("list sessions, newest first"), 0, 0, list_options },
  { "status", "ID", N_("show a session's phase, counts, blockers and cost"), 1, 1, no_options },
  { "resume", "ID [--answer TEXT]...", N_("answer open blockers and continue a paused session"), 1, 1, resume_options },
  { "export", "ID [--output-dir DIR]", N_("write the session's artifacts and print the folder"), 1, 1, export_options },
  { "complete", "ID", N_("export, write the hand-off and mark the session COMPLETE"), 1, 1, no_options },
  { "reopen", "ID", N_("move a COMPLETE session back to REVIEW"), 1, 1, no_options },
  { NULL }
};

static const PwCliRun runners[] = {
  pw_cli_cmd_start, pw_cli_cmd_add_context, pw_cli_cmd_discuss, pw_cli_cmd_generate,
  pw_cli_cmd_draft, pw_cli_cmd_review, pw_cli_cmd_list, pw_cli_cmd_status,
  pw_cli_cmd_resume, pw_cli_cmd_export, pw_cli_cmd_complete, pw_cli_cmd_reopen,
};

G_STATIC_ASSERT (G_N_ELEMENTS (runners) == G_N_ELEMENTS (commands) - 1);

/* One line, always: a message with a newline would break scripts that
 * read the error line. */
static void
print_error_line (const char *message,
                  const char *hint)
{
  g_autoptr(GString) line = g_string_new (message);

  g_strdelimit (line->str, "\r\n", ' ');
  while (line->len && line->str[line->len - 1] == ' ')
    g_string_truncate (line, line->len - 1);
  /* A message that already ends in a hint gets the caller's inside it. */
  if (hint != NULL && line->len && line->str[line->len - 1] == ')')
    {
      g_string_truncate (line, line->len - 1);
      g_string_append_printf (line, "; %s)", hint);
    }
  else if (hint != NULL)
    g_string_append_printf (line, " (%s)", hint);
  else if (line->len == 0 || line->str[line->len - 1] != ')')
    g_string_append_printf (line, " (%s)", _("run with --debug for details"));
  fflush (stdout);
  fprintf (stderr, "planwright-cli: error: %s\n", line->str);
}

int
pw_cli_fail (int         code,
             const char *hint,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  print_error_line (message, hint);
  return code;
}

int
pw_cli_fail_error (const GError *error,
                   const char   *hint)
{
  int code = PW_EXIT_FAILURE;

  if (error->domain == PW_STORE_ERROR
      && (error->code == PW_STORE_ERROR_NOT_FOUND || error->code == PW_STORE_ERROR_AMBIGUOUS))
    code = PW_EXIT_REFUSED;
  else if (error->domain == PW_CONTEXT_ERROR)
    code = PW_EXIT_USAGE;
  else if (error->domain == G_IO_ERROR && error->code == G_IO_ERROR_CANCELLED)
    code = PW_EXIT_INTERRUPTED;

  print_error_line (error->message, hint);
  return code;
}

void
pw_cli_note (PwCli      *cli,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  fflush (stdout);
  fprintf (stderr, "planwright-cli: %s\n", message);
}

PwStore *
pw_cli_store (PwCli *cli,
              int   *out_exit)
{
  g_autoptr(GError) error = NULL;

  if (cli->store != NULL)
    return cli->store;

  g_debug ("opening %s", cli->db_path);
  cli->store = pw_store_open (cli->db_path, &error);
  if (cli->store == NULL)
    {
      const char *hint = NULL;

      if (g_error_matches (error, PW_STORE_ERROR, PW_STORE_ERROR_NEWER_SCHEMA)
          || g_error_matches (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_PLANWRIGHT))
        hint = _("choose another file with --db-path");
      pw_cli_fail_error (error, hint);
      *out_exit = PW_EXIT_FAILURE;
      return NULL;
    }
  return cli->store;
}

static gboolean
valid_id_arg (const char *arg)
{
  gsize len = strlen (arg);

  if (len < 4 || len > 8)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (arg[i]))
      return FALSE;
  return TRUE;
}

PwSessionInfo *
pw_cli_session (PwCli      *cli,
                const char *id_arg,
                PwCommand   command,
                int        *out_exit)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *id = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *hint = NULL;
  PwSessionCounts counts;
  PwStore *store;

  if (!valid_id_arg (id_arg))
    {
      *out_exit = pw_cli_fail (PW_EXIT_USAGE,
                               _("give the 8-character id or a unique prefix of at least 4; 'planwright-cli list' shows them"),
                               _("'%s' is not a session id"), id_arg);
      return NULL;
    }
  lower = g_ascii_strdown (id_arg, -1);

  if (!(store = pw_cli_store (cli, out_exit)))
    return NULL;

  if (!(id = pw_store_resolve_id (store, lower, &error))
      || !(info = pw_store_get_session (store, id, &error))
      || !pw_store_get_counts (store, id, &counts, &error))
    {
      *out_exit = pw_cli_fail_error (error, g_error_matches (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND)
                                            ? _("'planwright-cli list' shows the sessions")
                                            : g_error_matches (error, PW_STORE_ERROR, PW_STORE_ERROR_AMBIGUOUS)
                                            ? _("give more characters of the id")
                                            : NULL);
      return NULL;
    }

  if (!pw_lifecycle_check (info->phase, info->status, counts.open_blocker_count,
                           command, &reason, &hint))
    {
      g_autofree char *full_hint = NULL;
      char *at;

      /* The table's hints say "ID"; show the real one. */
      if ((at = strstr (hint, " ID")) != NULL)
        {
          *at = '\0';
          full_hint = g_strdup_printf ("%s %s%s", hint, info->id, at + 3);
        }
      *out_exit = pw_cli_fail (PW_EXIT_REFUSED, full_hint ? full_hint : hint, "%s", reason);
      return NULL;
    }

  return g_steal_pointer (&info);
}

void
pw_cli_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, FALSE);
  text = json_generator_to_data (gen, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

void
pw_cli_json_append_string (GString    *out,
                           const char *str)
{
  const char *run = str;

  g_string_append_c (out, '"');
  for (const char *p = str; *p; p++)
    {
      guchar c = *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, p - run);
      run = p + 1;
      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default: g_string_append_printf (out, "\\u%04x", c); break;
        }
    }
  g_string_append (out, run);
  g_string_append_c (out, '"');
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwArgs) args = NULL;
  g_autofree char *default_db = NULL;
  PwCli cli = { 0 };
  int code;

  setlocale (LC_ALL, "");
  /* An uninstalled build (meson devenv, the tests) finds its catalogues in
   * the build tree's po/ instead. */
  bindtextdomain (GETTEXT_PACKAGE, pw_paths_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("planwright-cli");
  /* Diagnostics never go to stdout: it carries ids, JSON and model text. */
  g_log_writer_default_set_use_stderr (TRUE);

  args = pw_args_parse (argc, argv, commands, &error);
  if (args == NULL)
    return pw_cli_fail (PW_EXIT_USAGE, NULL, "%s", error->message);

  if (args->debug)
    g_log_set_debug_enabled (TRUE);

  if (args->version)
    {
      printf ("planwright-cli %s\n", PACKAGE_VERSION);
      return PW_EXIT_OK;
    }
  if (args->help || args->command == NULL)
    {
      g_autofree char *text = args->command ? pw_args_help_text (args->command)
                                            : pw_args_main_help (commands);
      if (args->command == NULL && !args->help)
        return pw_cli_fail (PW_EXIT_USAGE, _("see 'planwright-cli --help'"), _("no command given"));
      fputs (text, stdout);
      return PW_EXIT_OK;
    }

  if (args->db_path != NULL)
    cli.db_path = args->db_path;
  else
    cli.db_path = default_db = pw_paths_default_db ();
  cli.verbose = args->verbose || args->debug;
  cli.debug = args->debug;
  cli.json = args->json;

  code = runners[args->command - commands] (&cli, args);

  g_clear_object (&cli.store);
  return code;
}
