/* SPDX-License-Identifier: GPL-3.0-or-later */
/* discuss, generate, draft and review: their full grammar and checks, ahead of the engine. */

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <math.h>

#include "pw-cli.h"

/* Until the planning and review engines land, a command that passed every
 * check says so plainly rather than pretending to work. */
static int
not_available (const char *command,
               const char *issue)
{
  return pw_cli_fail (PW_EXIT_FAILURE, issue,
                      _("'%s' is not available yet in this build of Planwright"), command);
}

int
pw_cli_cmd_discuss (PwCli  *cli,
                    PwArgs *args)
{
  g_autoptr(PwSessionInfo) info = NULL;
  const char *message = pw_args_positional (args, 1);
  gboolean done = pw_args_has (args, "done");
  gboolean interactive = pw_args_has (args, "interactive");
  int code = 0;

  if (interactive && (message != NULL || done))
    return pw_cli_fail (PW_EXIT_USAGE, _("use /done inside the interactive chat"),
                        _("--interactive takes no MESSAGE and no --done"));
  if (message != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (message));
      if (*trimmed == '\0')
        return pw_cli_fail (PW_EXIT_USAGE, _("write the message, or use --done alone to move to planning"),
                            _("the message is empty"));
    }
  else if (!done && !interactive)
    return pw_cli_fail (PW_EXIT_USAGE, _("see 'planwright-cli discuss --help'"),
                        _("'discuss' needs a MESSAGE, --done or --interactive"));

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_DISCUSS, &code)))
    return code;
  return not_available ("discuss", _("the planner discussion arrives with the planning engine"));
}

int
pw_cli_cmd_generate (PwCli  *cli,
                     PwArgs *args)
{
  g_autoptr(PwSessionInfo) info = NULL;
  int code = 0;

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_GENERATE, &code)))
    return code;
  return not_available ("generate", _("plan generation arrives with the planning engine"));
}

int
pw_cli_cmd_draft (PwCli  *cli,
                  PwArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwSettings) settings = NULL;
  g_autoptr(PwContextFile) file = NULL;
  const char *path = pw_args_get (args, "file");
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
  return not_available ("draft", _("storing hand edits arrives with the planning engine"));
}

static gboolean
parse_positive_int (const char *text,
                    gint64     *out)
{
  char *end = NULL;
  gint64 v;

  errno = 0;
  v = g_ascii_strtoll (text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno != 0 || v < 1 || v > 1000)
    return FALSE;
  *out = v;
  return TRUE;
}

static gboolean
parse_cost (const char *text,
            double     *out)
{
  char *end = NULL;
  double v;

  errno = 0;
  v = g_ascii_strtod (text, &end);
  if (*text == '\0' || *end != '\0' || errno != 0 || !isfinite (v) || v <= 0)
    return FALSE;
  *out = v;
  return TRUE;
}

int
pw_cli_cmd_review (PwCli  *cli,
                   PwArgs *args)
{
  g_autoptr(PwSessionInfo) info = NULL;
  const char *max_rounds = pw_args_get (args, "max-rounds");
  const char *max_cost = pw_args_get (args, "max-cost");
  const char *repo_root = pw_args_get (args, "repo-root");
  gint64 rounds;
  double cost;
  int code = 0;

  if (max_rounds != NULL && !parse_positive_int (max_rounds, &rounds))
    return pw_cli_fail (PW_EXIT_USAGE, _("give a whole number of rounds from 1 to 1000"),
                        _("'%s' is not a valid value for --max-rounds"), max_rounds);
  if (max_cost != NULL && !parse_cost (max_cost, &cost))
    return pw_cli_fail (PW_EXIT_USAGE, _("give a positive amount in US dollars, such as 2.50"),
                        _("'%s' is not a valid value for --max-cost"), max_cost);
  if (repo_root != NULL)
    {
      g_autofree char *abs = pw_paths_absolute (repo_root);
      if (!g_file_test (abs, G_FILE_TEST_IS_DIR))
        return pw_cli_fail (PW_EXIT_USAGE, _("give an existing folder"),
                            _("--repo-root %s is not a folder"), abs);
    }

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_REVIEW, &code)))
    return code;
  return not_available ("review", _("the review loop arrives with the review engine"));
}
