/* SPDX-License-Identifier: GPL-3.0-or-later */
/* review: its full grammar and checks, ahead of the review engine. */

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
