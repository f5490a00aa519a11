/* SPDX-License-Identifier: GPL-3.0-or-later */
/* review: its flags and checks, then the review loop with one line per round. */

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>

#include "pw-cli.h"
#include "pw-review-run.h"

typedef struct {
  PwCli       *cli;
  PwReviewRun *run;
  PwEngine    *engine;
  guint        printed;   /* rounds already printed */
} ReviewView;

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


/* "Round 2: NO_GO — 1 critical, 2 major, 0 minor — 2 accepted, 1 deferred,
 * 0 rejected — 5120 tokens, $0.0213, 12.4 s" */
static void
print_round (ReviewView          *view,
             const PwReviewRound *r)
{
  g_autoptr(GString) line = g_string_new (NULL);
  FILE *out = view->cli->json ? stderr : stdout;

  if (view->cli->json && !view->cli->verbose)
    return;
  g_string_append_printf (line, _("Round %d: %s — %u critical, %u major, %u minor"),
                          r->round, pw_verdict_to_string (r->verdict), r->critical, r->major, r->minor);
  if (r->accept + r->defer + r->reject > 0)
    {
      g_string_append_printf (line, _(" — %u accepted, %u deferred, %u rejected"), r->accept, r->defer, r->reject);
      if (r->defaulted > 0)
        g_string_append_printf (line, _(" (%u deferred by default: no answer)"), r->defaulted);
    }
  g_string_append_printf (line, _(" — %" PRId64 " tokens, "), r->tokens);
  if (r->cost_known)
    g_string_append_printf (line, "$%.4f", r->cost_usd);
  else
    g_string_append (line, _("cost unknown"));
  g_string_append_printf (line, ", %.1f s", r->elapsed_ms / 1000.0);
  fprintf (out, "%s\n", line->str);
  fflush (out);
  if (r->inconsistency)
    pw_cli_note (view->cli, _("note: %s"), r->inconsistency);
}

/* A round's line is printed once it is over: when the next one starts,
 * or when the run ends. */
static void
print_pending_rounds (ReviewView *view)
{
  GPtrArray *rounds = pw_review_run_get_rounds (view->run);

  for (; view->printed < rounds->len; view->printed++)
    print_round (view, rounds->pdata[view->printed]);
}

static void
on_round_started (PwReviewRun *run,
                  int          round,
                  int          cap,
                  ReviewView  *view)
{
  GPtrArray *rounds = pw_review_run_get_rounds (run);

  /* The new round is already listed: print the ones before it */
  for (; view->printed + 1 < rounds->len; view->printed++)
    print_round (view, rounds->pdata[view->printed]);
  if (view->cli->verbose)
    pw_cli_note (view->cli, _("round %d (of at most %d in this run): reviewing…"), round, cap);
}

/* --debug: the reviewer's answer as it came, read back from the store */
static void
print_raw_review (ReviewView          *view,
                  const PwReviewRound *r)
{
  g_autoptr(GPtrArray) reviews = NULL;
  g_autoptr(GError) error = NULL;
  const char *session_id = pw_operation_get_session_id (PW_OPERATION (view->run));

  if (!(reviews = pw_store_list_reviews (pw_engine_get_store (view->engine), session_id, &error)))
    return;
  for (guint i = 0; i < reviews->len; i++)
    {
      PwReview *review = reviews->pdata[i];

      if (review->id != r->review_id)
        continue;
      fprintf (stderr, "%s\n", _("⚠ DEBUG OUTPUT — may contain sensitive content"));
      fprintf (stderr, _("round %d: raw reviewer answer (%s, read as %s):\n%s\n"), r->round,
               review->reviewer_model ? review->reviewer_model : "?", review->parse_mode,
               review->raw_response ? review->raw_response : "");
      fflush (stderr);
    }
}

static void
on_review_parsed (PwReviewRun   *run,
                  PwReviewRound *r,
                  ReviewView    *view)
{
  if (view->cli->verbose)
    pw_cli_note (view->cli, _("round %d: the reviewer says %s (%u critical, %u major, %u minor)"),
                 r->round, pw_verdict_to_string (r->verdict), r->critical, r->major, r->minor);
  if (view->cli->debug)
    print_raw_review (view, r);
}

static void
on_paused (PwReviewRun *run,
           const char  *question,
           ReviewView  *view)
{
  print_pending_rounds (view);
  pw_cli_note (view->cli, _("session paused with a blocker: %s"), question);
  pw_cli_note (view->cli, _("answer it with 'resume ID --answer TEXT', then run 'review' again"));
}

static void
print_review_json (ReviewView *view,
                   const char *id,
                   const char *outcome)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GPtrArray *rounds = pw_review_run_get_rounds (view->run);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "run_id");
  if (pw_review_run_get_run_id (view->run) > 0)
    json_builder_add_int_value (b, pw_review_run_get_run_id (view->run));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "outcome");
  json_builder_add_string_value (b, outcome);
  json_builder_set_member_name (b, "rounds");
  json_builder_begin_array (b);
  for (guint i = 0; i < rounds->len; i++)
    {
      PwReviewRound *r = rounds->pdata[i];

      /* A round cut short before its review was stored is no round */
      if (r->review_id == 0)
        continue;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "round");
      json_builder_add_int_value (b, r->round);
      json_builder_set_member_name (b, "verdict");
      json_builder_add_string_value (b, pw_verdict_to_string (r->verdict));
      json_builder_set_member_name (b, "issues");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "critical");
      json_builder_add_int_value (b, r->critical);
      json_builder_set_member_name (b, "major");
      json_builder_add_int_value (b, r->major);
      json_builder_set_member_name (b, "minor");
      json_builder_add_int_value (b, r->minor);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "dispositions");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "accept");
      json_builder_add_int_value (b, r->accept);
      json_builder_set_member_name (b, "defer");
      json_builder_add_int_value (b, r->defer);
      json_builder_set_member_name (b, "reject");
      json_builder_add_int_value (b, r->reject);
      json_builder_set_member_name (b, "defaulted");
      json_builder_add_int_value (b, r->defaulted);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "tokens");
      json_builder_add_int_value (b, r->tokens);
      json_builder_set_member_name (b, "cost_usd");
      if (r->cost_known)
        json_builder_add_double_value (b, r->cost_usd);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (pw_review_run_get_final_draft_id (view->run) > 0)
    {
      json_builder_set_member_name (b, "final_draft_id");
      json_builder_add_int_value (b, pw_review_run_get_final_draft_id (view->run));
    }
  if (pw_review_run_get_handoff_path (view->run))
    {
      json_builder_set_member_name (b, "handoff_path");
      json_builder_add_string_value (b, pw_review_run_get_handoff_path (view->run));
    }
  json_builder_end_object (b);
  pw_cli_print_json (b);
}

int
pw_cli_cmd_review (PwCli  *cli,
                   PwArgs *args)
{
  g_autoptr(PwSessionInfo) info = NULL;
  const char *max_rounds = pw_args_get (args, "max-rounds");
  const char *max_cost = pw_args_get (args, "max-cost");
  const char *repo_root = pw_args_get (args, "repo-root");
  g_autofree char *abs_root = NULL;
  g_autoptr(PwEngine) engine = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  PwReviewRequest request = { 0 };
  ReviewView view = { cli, NULL, NULL, 0 };
  PwReviewOutcome outcome;
  gint64 rounds = 0;
  double cost = 0;
  int code = 0;

  if (max_rounds != NULL && !parse_positive_int (max_rounds, &rounds))
    return pw_cli_fail (PW_EXIT_USAGE, _("give a whole number of rounds from 1 to 1000"),
                        _("'%s' is not a valid value for --max-rounds"), max_rounds);
  if (max_cost != NULL && !parse_cost (max_cost, &cost))
    return pw_cli_fail (PW_EXIT_USAGE, _("give a positive amount in US dollars, such as 2.50"),
                        _("'%s' is not a valid value for --max-cost"), max_cost);
  if (repo_root != NULL)
    {
      abs_root = pw_paths_absolute (repo_root);
      if (!g_file_test (abs_root, G_FILE_TEST_IS_DIR))
        return pw_cli_fail (PW_EXIT_USAGE, _("give an existing folder"),
                            _("--repo-root %s is not a folder"), abs_root);
    }

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_REVIEW, &code)))
    return code;
  if (!(engine = pw_cli_engine (cli, &code)))
    return code;

  request.fast = pw_args_has (args, "fast");
  request.max_rounds = max_rounds ? (gint) rounds : 0;
  request.no_history = pw_args_has (args, "no-review-history");
  request.reviewer_model = pw_args_get (args, "reviewer-model");
  request.reviewer_reasoning = pw_args_get (args, "reviewer-reasoning");
  request.complexity = pw_args_get (args, "complexity");
  request.repo_root = abs_root;
  request.max_cost_usd = max_cost ? cost : 0;

  run = pw_review_run_new (engine, info->id, &request);
  view.run = run;
  view.engine = engine;
  g_signal_connect (run, "round-started", G_CALLBACK (on_round_started), &view);
  g_signal_connect (run, "review-parsed", G_CALLBACK (on_review_parsed), &view);
  g_signal_connect (run, "paused", G_CALLBACK (on_paused), &view);
  if ((code = pw_cli_run_operation (cli, PW_OPERATION (run), FALSE)) != PW_EXIT_OK)
    {
      if (cli->json && code == PW_EXIT_FAILURE)
        print_review_json (&view, info->id, "failed");
      return code;
    }
  print_pending_rounds (&view);

  outcome = pw_review_run_get_outcome (run);
  if (cli->json)
    print_review_json (&view, info->id, outcome == PW_REVIEW_OUTCOME_ACCEPTED ? "accepted" : "paused");
  if (outcome == PW_REVIEW_OUTCOME_ACCEPTED)
    {
      GPtrArray *r = pw_review_run_get_rounds (run);

      if (pw_review_run_get_handoff_path (run))
        pw_cli_note (cli, _("hand-off: %s"), pw_review_run_get_handoff_path (run));
      else if (pw_review_run_get_handoff_note (run))
        pw_cli_note (cli, _("note: %s"), pw_review_run_get_handoff_note (run));
      pw_cli_note (cli, ngettext ("plan accepted after %u round; session %s is complete",
                                  "plan accepted after %u rounds; session %s is complete", r->len),
                   r->len, info->id);
      return PW_EXIT_OK;
    }
  return PW_EXIT_PAUSED;
}
