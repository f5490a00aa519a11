/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The review loop: reviewer → parse → store → triage → revision → convergence, each step committed. */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "pw-text.h"
#include "pw-export.h"
#include "pw-paths.h"
#include "pw-planning.h"
#include "pw-planning-private.h"
#include "pw-review-run.h"

#define REVIEW_MAX_TOKENS 16384
#define TRIAGE_MAX_TOKENS 8192
#define PLAN_MAX_TOKENS 16384
#define HISTORY_PLAN_CHARS 5000
#define STALL_ROUNDS 3

G_DEFINE_QUARK (pw-review-error-quark, pw_review_error)

typedef enum {
  STEP_REVIEWED,  /* review stored: triage next */
  STEP_TRIAGED,   /* dispositions stored: revision next */
  STEP_REVISED,   /* draft stored: a new round next */
} Step;

struct _PwReviewRun
{
  PwOperation      parent_instance;

  PwEngine        *engine;
  PwProvider      *reviewer;
  PwProvider      *planner;
  PwLlmRequest    *request;

  /* settings, stored with the run */
  gboolean         fast;
  gboolean         history;
  gint             cap;
  char            *complexity;
  char            *reviewer_model;
  char            *reviewer_reasoning;
  char            *planner_model;
  char            *repo_root;
  double           max_cost;
  PwReviewMode     mode;

  gint64           run_id;
  gboolean         resumed;
  gint             rounds_done;      /* rounds of this run stored */
  double           spent;            /* this run's known cost */
  gint64           last_review_output;  /* tokens, for the next estimate */

  /* the round in flight */
  gint             round;
  PwReviewRound   *current;
  gint64           start_us;
  gboolean         repairing;
  gboolean         reasking;
  char            *first_answer;
  char            *first_error;
  PwReview        *review;           /* stored review being triaged/revised */
  GArray          *triage_map;       /* triage index → review issue index */
  PwDispositions  *dispositions;
  GArray          *used_blockers;    /* ids of the answers the revision carries */
  char            *revised_plan;     /* a revision waiting for its repair */
  GPtrArray       *revised_warnings;

  PwReviewOutcome  outcome;
  GPtrArray       *rounds;
  gint64           final_draft_id;
  char            *handoff_path;
  char            *handoff_note;
};

G_DEFINE_FINAL_TYPE (PwReviewRun, pw_review_run, PW_TYPE_OPERATION)

enum {
  SIGNAL_ROUND_STARTED,
  SIGNAL_REVIEW_PARSED,
  SIGNAL_ISSUE_DISPOSED,
  SIGNAL_DRAFT_ADDED,
  SIGNAL_CONVERGED,
  SIGNAL_PAUSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_round (PwReviewRun *self, GTask *task);
static void triage (PwReviewRun *self, GTask *task);
static void revise (PwReviewRun *self, GTask *task);
static void round_done (PwReviewRun *self);

static void
round_free (gpointer p)
{
  PwReviewRound *r = p;

  g_free (r->inconsistency);
  g_free (r);
}

static void
pw_review_run_dispose (GObject *object)
{
  PwReviewRun *self = PW_REVIEW_RUN (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->reviewer);
  g_clear_object (&self->planner);
  g_clear_pointer (&self->request, pw_llm_request_free);

  G_OBJECT_CLASS (pw_review_run_parent_class)->dispose (object);
}

static void
pw_review_run_finalize (GObject *object)
{
  PwReviewRun *self = PW_REVIEW_RUN (object);

  g_free (self->complexity);
  g_free (self->reviewer_model);
  g_free (self->reviewer_reasoning);
  g_free (self->planner_model);
  g_free (self->repo_root);
  g_free (self->first_answer);
  g_free (self->first_error);
  g_clear_pointer (&self->review, pw_review_free);
  g_clear_pointer (&self->triage_map, g_array_unref);
  g_clear_pointer (&self->used_blockers, g_array_unref);
  g_clear_pointer (&self->revised_plan, g_free);
  g_clear_pointer (&self->revised_warnings, g_ptr_array_unref);
  g_clear_pointer (&self->dispositions, pw_dispositions_free);
  g_clear_pointer (&self->rounds, g_ptr_array_unref);
  g_free (self->handoff_path);
  g_free (self->handoff_note);

  G_OBJECT_CLASS (pw_review_run_parent_class)->finalize (object);
}

static PwStore *
store_of (PwReviewRun *self)
{
  return pw_engine_get_store (self->engine);
}

static const char *
session_of (PwReviewRun *self)
{
  return pw_operation_get_session_id (PW_OPERATION (self));
}

static void
fail (PwReviewRun *self,
      GTask       *task,
      GError      *error)
{
  /* A failed run stays "running": `review ID` resumes it from the last
   * committed step. */
  pw_operation_return_error (PW_OPERATION (self), task, error);
}

/* ---- pure helpers -------------------------------------------------------- */

static const char *const complexity_words[] = {
  "concurrent", "concurrency", "lock", "locks", "locking", "mutex", "retry", "retries",
  "backoff", "queue", "queues", "dead-letter", "idempotent", "idempotency", "dedup",
  "deduplication", "signature", "signatures", "hmac", "encrypt", "encryption",
  "encrypted", "state machine", "transition", "transitions", "schedule", "scheduler",
  "cron", "expiry", "expiration", "expires", "race", "transaction", "transactions",
};

char *
pw_review_normalise (const char *text)
{
  g_autofree char *lower = g_utf8_strdown (text ? text : "", -1);
  GString *out = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = lower; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c) || c == '-')
        {
          if (space && out->len > 0)
            g_string_append_c (out, ' ');
          space = FALSE;
          g_string_append_unichar (out, c);
        }
      else
        space = TRUE;
    }
  return g_string_free (out, FALSE);
}

const char *
pw_review_detect_complexity (const char *text,
                             GPtrArray  *out_matches)
{
  g_autofree char *norm = pw_review_normalise (text);
  g_autofree char *padded = g_strconcat (" ", norm, " ", NULL);
  guint found = 0;

  for (guint i = 0; i < G_N_ELEMENTS (complexity_words); i++)
    {
      g_autofree char *needle = g_strconcat (" ", complexity_words[i], " ", NULL);

      if (strstr (padded, needle) != NULL)
        {
          found++;
          if (out_matches)
            g_ptr_array_add (out_matches, g_strdup (complexity_words[i]));
        }
    }
  return found >= 2 ? "complex" : "standard";
}

/* ---- settings and step state -------------------------------------------- */

static char *
settings_json (PwReviewRun *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "fast_mode");
  json_builder_add_boolean_value (b, self->fast);
  json_builder_set_member_name (b, "review_history");
  json_builder_add_boolean_value (b, self->history);
  json_builder_set_member_name (b, "validate_feedback");
  json_builder_add_boolean_value (b, !self->fast);
  json_builder_set_member_name (b, "max_rounds");
  json_builder_add_int_value (b, self->cap);
  json_builder_set_member_name (b, "complexity");
  json_builder_add_string_value (b, self->complexity);
  json_builder_set_member_name (b, "reviewer_model");
  json_builder_add_string_value (b, self->reviewer_model);
  json_builder_set_member_name (b, "reviewer_reasoning");
  if (self->reviewer_reasoning)
    json_builder_add_string_value (b, self->reviewer_reasoning);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "planner_model");
  json_builder_add_string_value (b, self->planner_model);
  json_builder_set_member_name (b, "repo_root");
  if (self->repo_root)
    json_builder_add_string_value (b, self->repo_root);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "max_cost_usd");
  if (self->max_cost > 0)
    json_builder_add_double_value (b, self->max_cost);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "prompt_mode");
  json_builder_add_string_value (b, self->mode == PW_REVIEW_MODE_BASIC ? "basic"
                                    : self->mode == PW_REVIEW_MODE_GUIDANCE ? "guidance" : "keep_trim");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static gboolean
save_step (PwReviewRun *self,
           Step         step,
           GError     **error)
{
  static const char *const names[] = { "reviewed", "triaged", "revised" };
  g_autofree char *json = g_strdup_printf ("{\"round\":%d,\"step\":\"%s\",\"rounds_done\":%d}",
                                           self->round, names[step], self->rounds_done);

  return pw_store_set_review_run_step (store_of (self), self->run_id, json, error);
}

/* ---- finishing ----------------------------------------------------------- */

static void
finish_paused (PwReviewRun *self,
               GTask       *task,
               const char  *question)
{
  g_autoptr(GError) error = NULL;

  if (!pw_store_begin (store_of (self), &error)
      || !pw_store_add_blocker (store_of (self), session_of (self), "reviewer", question, &error)
      || !pw_store_finish_review_run (store_of (self), self->run_id, "paused", &error)
      || !pw_store_commit (store_of (self), &error))
    {
      if (pw_store_in_transaction (store_of (self)))
        pw_store_rollback (store_of (self));
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  self->outcome = PW_REVIEW_OUTCOME_PAUSED;
  g_signal_emit (self, signals[SIGNAL_PAUSED], 0, question);
  pw_operation_return_success (PW_OPERATION (self), task);
}

/* Export, hand-off and COMPLETE commit together: a failure leaves the
 * session in REVIEW, the run resumable. */
static void
finish_accepted (PwReviewRun *self,
                 GTask       *task,
                 const char  *reason)
{
  PwStore *store = store_of (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(PwDraft) draft = NULL;
  g_autofree char *dir = pw_paths_session_dir (session_of (self));
  const char *repo_root;

  if (!(info = pw_store_get_session (store, session_of (self), &error))
      || (!(draft = pw_store_get_latest_draft (store, session_of (self), &error)) && error != NULL))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  repo_root = self->repo_root ? self->repo_root : info->repo_root;
  self->final_draft_id = draft ? draft->id : 0;

  if (!pw_store_begin (store, &error))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  if (!pw_store_set_phase (store, session_of (self), PW_PHASE_COMPLETE, PW_STATUS_COMPLETE, &error)
      || !(files = pw_export_session (store, session_of (self), dir, &error)))
    goto rollback;
  if (repo_root == NULL)
    self->handoff_note = g_strdup (_("no repository folder is known, so no hand-off was written (give one with --repo-root)"));
  else if (!(self->handoff_path = pw_export_handoff (store, session_of (self), repo_root, &error)))
    goto rollback;
  if (!pw_store_finish_review_run (store, self->run_id, "accepted", &error)
      || !pw_store_commit (store, &error))
    goto rollback;

  self->outcome = PW_REVIEW_OUTCOME_ACCEPTED;
  g_signal_emit (self, signals[SIGNAL_CONVERGED], 0, reason);
  pw_operation_return_success (PW_OPERATION (self), task);
  return;

rollback:
  if (pw_store_in_transaction (store))
    pw_store_rollback (store);
  g_clear_pointer (&self->handoff_path, g_free);
  fail (self, task, g_steal_pointer (&error));
}

/* ---- requests ------------------------------------------------------------ */

static PwReview *
load_review (PwReviewRun *self,
             gint         round,
             GPtrArray   *reviews)
{
  for (guint i = 0; i < reviews->len; i++)
    {
      PwReview *r = reviews->pdata[i];

      if (r->round_number == round)
        return r;
    }
  return NULL;
}

static char *
history_text (PwReviewRun *self,
              GPtrArray   *reviews,
              const char  *previous_plan)
{
  PwReview *prev = load_review (self, self->round - 1, reviews);
  GString *h;
  gboolean any_deferred = FALSE;

  if (prev == NULL)
    return NULL;
  h = g_string_new (NULL);
  g_string_append_printf (h, "## Previous Round (Round %d) Context\n\n", prev->round_number);
  if (previous_plan != NULL)
    {
      g_autofree char *cut = pw_utf8_prefix (previous_plan, HISTORY_PLAN_CHARS);

      g_string_append_printf (h, "### Plan reviewed in round %d:\n\n%s%s\n\n", prev->round_number, cut,
                              g_utf8_strlen (previous_plan, -1) > HISTORY_PLAN_CHARS ? "\n... [truncated]" : "");
    }
  g_string_append_printf (h, "### Round %d verdict: %s\n", prev->round_number, prev->verdict);
  if (prev->summary && *prev->summary)
    g_string_append_printf (h, "Summary: %s\n", prev->summary);
  if (prev->issues && prev->issues->len > 0)
    {
      g_string_append_printf (h, "\n### Round %d issues:\n", prev->round_number);
      for (guint i = 0; i < prev->issues->len; i++)
        {
          PwReviewIssue *issue = prev->issues->pdata[i];
          g_autofree char *sev = g_ascii_strup (issue->severity, -1);

          g_string_append_printf (h, "  [%s] %s", sev, issue->description);
          if (issue->disposition)
            g_string_append_printf (h, " → %s", issue->disposition);
          if (issue->disposition_rationale && *issue->disposition_rationale)
            g_string_append_printf (h, " (%s)", issue->disposition_rationale);
          g_string_append_c (h, '\n');
        }
    }
  for (guint r = 0; r < reviews->len; r++)
    {
      PwReview *review = reviews->pdata[r];

      for (guint i = 0; review->issues && i < review->issues->len; i++)
        {
          PwReviewIssue *issue = review->issues->pdata[i];

          if (g_strcmp0 (issue->disposition, "DEFER") != 0)
            continue;
          if (!any_deferred)
            g_string_append (h, "\n## Cumulative Deferred Issues (ALL prior rounds)\n"
                                "These were judged valid but out of scope. Do not raise them again.\n");
          any_deferred = TRUE;
          g_string_append_printf (h, "  - DEFERRED [Round %d] %s", review->round_number, issue->description);
          if (issue->disposition_rationale && *issue->disposition_rationale)
            g_string_append_printf (h, " — deferred because: %s", issue->disposition_rationale);
          g_string_append_c (h, '\n');
        }
    }
  return g_string_free (h, FALSE);
}

static PwPrompt
mode_prompt (PwReviewMode mode)
{
  switch (mode)
    {
    case PW_REVIEW_MODE_BASIC:
      return PW_PROMPT_REVIEWER_BASIC;
    case PW_REVIEW_MODE_GUIDANCE:
      return PW_PROMPT_REVIEWER_GUIDANCE;
    case PW_REVIEW_MODE_KEEP_TRIM:
    default:
      return PW_PROMPT_REVIEWER_KEEP_TRIM;
    }
}

/* Before a call: pauses the run (TRUE) when sending self->request, with
 * about @expected_output tokens back, could pass --max-cost. A model
 * without prices estimates nothing: only known spending counts. */
static gboolean
pause_if_over_budget (PwReviewRun *self,
                      GTask       *task,
                      const char  *model,
                      gint64       expected_output)
{
  const PwModelInfo *info = pw_models_lookup (pw_engine_get_models (self->engine), model);
  g_autofree char *q = NULL;
  double estimate = 0;

  if (self->max_cost <= 0)
    return FALSE;
  if (!pw_llm_request_estimate_cost (self->request, info, expected_output, &estimate))
    estimate = 0;
  if (self->spent + estimate <= self->max_cost)
    return FALSE;

  q = g_strdup_printf (_("The review's cost budget of $%.2f (--max-cost) would be passed by the next call to %s (about $%.4f; $%.4f spent so far). Raise the budget or accept the plan by hand."),
                       self->max_cost, model, estimate, self->spent);
  /* Before a review call no round is in flight; before triage or a
   * revision the round ends here */
  if (self->current != NULL)
    round_done (self);
  finish_paused (self, task, q);
  return TRUE;
}

static void
account (PwReviewRun     *self,
         PwLlmCompletion *completion)
{
  self->current->tokens += completion->usage.input_tokens + completion->usage.output_tokens;
  if (completion->cost_known)
    {
      self->current->cost_usd += completion->cost_usd;
      self->spent += completion->cost_usd;
    }
  else
    self->current->cost_known = FALSE;
}

/* ---- calls --------------------------------------------------------------- */

/* Sends self->request to @provider: at most @wanted tokens back, within
 * @model's output limit (a cut-off answer is asked again with more). */
static void
send_request (PwReviewRun         *self,
              GTask               *task,
              PwProvider          *provider,
              const char          *model,
              gint64               wanted,
              GAsyncReadyCallback  callback)
{
  gint64 ceiling, max_tokens = pw_planning_max_tokens (self->engine, model, wanted, &ceiling);

  pw_operation_stream (PW_OPERATION (self), provider, self->request, max_tokens, ceiling,
                       g_task_get_cancellable (task), callback, task);
}

/* The answer of a call, its usage recorded (*out_usage_id) and costed to
 * the round; NULL when the call failed, and then the run has failed too. */
static PwLlmCompletion *
receive_answer (PwReviewRun   *self,
                GTask         *task,
                GAsyncResult  *result,
                const char    *purpose,
                PwProvider    *provider,
                gint64        *out_usage_id)
{
  g_autoptr(GError) error = NULL;
  PwLlmCompletion *completion = pw_operation_stream_finish (PW_OPERATION (self), result, &error);
  gint64 usage_id;

  if (completion == NULL)
    {
      fail (self, task, g_steal_pointer (&error));
      return NULL;
    }
  usage_id = pw_llm_completion_record (completion, store_of (self), session_of (self), purpose, provider, NULL);
  if (out_usage_id != NULL)
    *out_usage_id = usage_id;
  account (self, completion);
  return completion;
}

/* ---- the round ----------------------------------------------------------- */

static void
round_done (PwReviewRun *self)
{
  self->current->elapsed_ms = (g_get_monotonic_time () - self->start_us) / 1000;
  self->current = NULL;
}

/* Stall: the same critical (target section + normalised description) in
 * STALL_ROUNDS consecutive rounds. */
static char *
stalled_critical (PwReviewRun *self,
                  PwReview    *now,
                  GPtrArray   *reviews)
{
  if (now == NULL || self->round < STALL_ROUNDS)
    return NULL;
  for (guint i = 0; now->issues && i < now->issues->len; i++)
    {
      PwReviewIssue *issue = now->issues->pdata[i];
      g_autofree char *key = NULL;
      g_autofree char *desc = NULL;
      gboolean everywhere = TRUE;

      if (g_strcmp0 (issue->severity, "critical") != 0)
        continue;
      desc = pw_review_normalise (issue->description);
      key = g_strconcat (issue->target_section ? issue->target_section : "", "\n", desc, NULL);
      for (gint back = 1; back < STALL_ROUNDS && everywhere; back++)
        {
          PwReview *earlier = load_review (self, self->round - back, reviews);
          gboolean seen = FALSE;

          for (guint k = 0; earlier && earlier->issues && k < earlier->issues->len && !seen; k++)
            {
              PwReviewIssue *e = earlier->issues->pdata[k];
              g_autofree char *norm = pw_review_normalise (e->description);
              g_autofree char *ekey = g_strconcat (e->target_section ? e->target_section : "", "\n", norm, NULL);

              seen = g_strcmp0 (e->severity, "critical") == 0 && strcmp (key, ekey) == 0;
            }
          everywhere = seen;
        }
      if (everywhere)
        return g_strdup (issue->description);
    }
  return NULL;
}

/* A critical stays open unless the planner REJECTed it */
static void
end_without_revision (PwReviewRun *self,
                      GTask       *task,
                      PwReview    *review,
                      const char  *reason)
{
  g_autoptr(GString) q = g_string_new (NULL);
  guint open = 0;

  for (guint i = 0; review->issues && i < review->issues->len; i++)
    {
      PwReviewIssue *issue = review->issues->pdata[i];

      if (g_strcmp0 (issue->severity, "critical") == 0 && g_strcmp0 (issue->disposition, "REJECT") != 0)
        {
          g_string_append_printf (q, "\n- %s", issue->description);
          open++;
        }
    }
  if (open == 0)
    {
      finish_accepted (self, task, reason);
      return;
    }
  {
    const char *head = g_strcmp0 (reason, "cap_no_criticals") == 0
                     ? _("Review cap reached. Critical issues remaining:")
                     : _("The planner accepted none of the reviewer's issues, but critical issues remain open:");
    g_autofree char *question = g_strconcat (head, q->str, NULL);

    finish_paused (self, task, question);
  }
}

static void
after_triage (PwReviewRun *self,
              GTask       *task)
{
  g_autoptr(GPtrArray) reviews = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stalled = NULL;
  PwReview *review = self->review;
  gboolean cap_round = self->rounds_done >= self->cap;
  guint accepted = 0;

  if (!(reviews = pw_store_list_reviews (store_of (self), session_of (self), &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  /* Read back with its dispositions */
  for (guint i = 0; i < reviews->len; i++)
    if (((PwReview *) reviews->pdata[i])->round_number == self->round)
      {
        g_clear_pointer (&self->review, pw_review_free);
        self->review = g_ptr_array_steal_index (reviews, i);
        break;
      }
  review = self->review;

  for (guint i = 0; review->issues && i < review->issues->len; i++)
    {
      PwReviewIssue *issue = review->issues->pdata[i];

      if (g_strcmp0 (issue->severity, "minor") == 0)
        continue;
      if (self->fast || g_strcmp0 (issue->disposition, "ACCEPT") == 0)
        accepted++;
    }

  if ((stalled = stalled_critical (self, review, reviews)) != NULL)
    {
      g_autofree char *q = g_strdup_printf (_("The review stalled: the same critical issue was raised in %d consecutive rounds:\n- %s\nHow should the plan handle it?"),
                                            STALL_ROUNDS, stalled);
      round_done (self);
      finish_paused (self, task, q);
      return;
    }

  /* At the cap, and when nothing was accepted (a revision could change
   * nothing, so reviewing the same draft again would only cost money), the
   * run ends: accepted unless a critical is still open. */
  if (cap_round || accepted == 0)
    {
      round_done (self);
      end_without_revision (self, task, review,
                            cap_round ? "cap_no_criticals" : "nothing_to_revise");
      return;
    }
  revise (self, task);
}

static void
store_dispositions (PwReviewRun *self,
                    GTask       *task)
{
  PwStore *store = store_of (self);
  g_autoptr(GError) error = NULL;

  if (!pw_store_begin (store, &error))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  for (guint t = 0; t < self->triage_map->len; t++)
    {
      guint index = g_array_index (self->triage_map, guint, t);
      PwReviewIssue *issue = self->review->issues->pdata[index];
      PwDispositionEntry *e = &self->dispositions->entries[t];
      PwDisposition d = e->answered ? e->disposition : PW_DISPOSITION_DEFER;
      /* Not translated: the rationale goes back to the planner in the
       * review history. */
      const char *why = e->answered ? e->rationale : "No disposition was given; deferred by default.";

      if (!pw_store_add_disposition (store, issue->id, pw_disposition_to_string (d),
                                     *why ? why : NULL, !e->answered, &error))
        goto rollback;
      switch (d)
        {
        case PW_DISPOSITION_ACCEPT: self->current->accept++; break;
        case PW_DISPOSITION_DEFER: self->current->defer++; break;
        case PW_DISPOSITION_REJECT: default: self->current->reject++; break;
        }
      self->current->defaulted += !e->answered;
    }
  if (!save_step (self, STEP_TRIAGED, &error) || !pw_store_commit (store, &error))
    goto rollback;
  for (guint t = 0; t < self->triage_map->len; t++)
    {
      PwDispositionEntry *e = &self->dispositions->entries[t];

      g_signal_emit (self, signals[SIGNAL_ISSUE_DISPOSED], 0,
                     (int) g_array_index (self->triage_map, guint, t),
                     pw_disposition_to_string (e->answered ? e->disposition : PW_DISPOSITION_DEFER),
                     !e->answered);
    }
  after_triage (self, task);
  return;

rollback:
  pw_store_rollback (store);
  fail (self, task, g_steal_pointer (&error));
}

static void
triage_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  PwReviewRun *self = PW_REVIEW_RUN (source);
  g_autoptr(PwLlmCompletion) completion = NULL;
  g_autoptr(PwDispositions) d = NULL;

  if (!(completion = receive_answer (self, task, result, "triage", self->planner, NULL)))
    return;
  d = pw_dispositions_parse (completion->text, -1, self->triage_map->len);

  if (self->dispositions == NULL)
    self->dispositions = g_steal_pointer (&d);
  else
    {
      /* The second answer fills only what the first left open */
      for (guint i = 0; i < d->n_issues; i++)
        if (!self->dispositions->entries[i].answered && d->entries[i].answered)
          {
            PwDispositionEntry *e = &self->dispositions->entries[i];

            e->answered = TRUE;
            e->disposition = d->entries[i].disposition;
            g_free (e->rationale);
            e->rationale = g_strdup (d->entries[i].rationale);
            self->dispositions->n_missing--;
          }
    }

  if (self->dispositions->n_missing > 0 && !self->reasking)
    {
      /* Said to the model: never translated. */
      GString *again = g_string_new ("Some issues got no valid disposition. Answer again, as the same JSON array, for the issues numbered:");

      self->reasking = TRUE;
      for (guint i = 0; i < self->dispositions->n_issues; i++)
        if (!self->dispositions->entries[i].answered)
          g_string_append_printf (again, " %u", i);
      g_string_append (again, ". The disposition must be exactly ACCEPT, DEFER or REJECT.");
      pw_llm_request_add_message (self->request, "assistant", completion->text, FALSE);
      pw_llm_request_add_message (self->request, "user", again->str, FALSE);
      g_string_free (again, TRUE);
      send_request (self, task, self->planner, self->planner_model, TRIAGE_MAX_TOKENS, triage_cb);
      return;
    }
  store_dispositions (self, task);
}

static void
triage (PwReviewRun *self,
        GTask       *task)
{
  PwOperation *op = PW_OPERATION (self);
  g_autoptr(PwDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) user = NULL;

  g_clear_pointer (&self->triage_map, g_array_unref);
  g_clear_pointer (&self->dispositions, pw_dispositions_free);
  self->reasking = FALSE;
  self->triage_map = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; self->review->issues && i < self->review->issues->len; i++)
    {
      PwReviewIssue *issue = self->review->issues->pdata[i];

      if (g_strcmp0 (issue->severity, "minor") != 0)
        g_array_append_val (self->triage_map, i);
    }

  /* No triage call without issues to triage, nor in fast mode */
  if (self->fast || self->triage_map->len == 0)
    {
      if (!save_step (self, STEP_TRIAGED, &error))
        {
          fail (self, task, g_steal_pointer (&error));
          return;
        }
      if (self->fast)
        self->current->accept = self->triage_map->len;
      after_triage (self, task);
      return;
    }

  if (!(draft = pw_store_get_latest_draft (store_of (self), session_of (self), &error)))
    {
      fail (self, task, error ? g_steal_pointer (&error)
                              : g_error_new (PW_REVIEW_ERROR, PW_REVIEW_ERROR_NO_DRAFT, _("the session has no draft")));
      return;
    }
  user = g_string_new ("## Plan\n\n---\n");
  g_string_append_printf (user, "%s\n---\n\n## Issues\n\n", draft->content);
  for (guint t = 0; t < self->triage_map->len; t++)
    {
      PwReviewIssue *issue = self->review->issues->pdata[g_array_index (self->triage_map, guint, t)];
      g_autofree char *sev = g_ascii_strup (issue->severity, -1);

      g_string_append_printf (user, "%u. [%s] %s\n   Rationale: %s\n", t, sev, issue->description,
                              issue->rationale ? issue->rationale : "");
      if (issue->resolution_guidance && *issue->resolution_guidance)
        g_string_append_printf (user, "   Guidance: %s\n", issue->resolution_guidance);
    }
  g_string_append (user, "\nReply with the JSON array of dispositions only.");

  g_clear_pointer (&self->request, pw_llm_request_free);
  self->request = pw_llm_request_new (self->planner_model);
  pw_llm_request_set_system (self->request, pw_prompt_text (PW_PROMPT_FEEDBACK_VALIDATION));
  pw_llm_request_add_message (self->request, "user", user->str, FALSE);
  if (pause_if_over_budget (self, task, self->planner_model, 100 + 150 * (gint64) self->triage_map->len))
    return;
  pw_operation_set_usage_target (op, store_of (self), "triage");
  pw_operation_set_step (op, "triage");
  send_request (self, task, self->planner, self->planner_model, TRIAGE_MAX_TOKENS, triage_cb);
}

static gboolean
mark_answers_used (PwReviewRun  *self,
                   gint64        draft_id,
                   GError      **error)
{
  for (guint i = 0; i < self->used_blockers->len; i++)
    if (!pw_store_mark_blocker_used (store_of (self), g_array_index (self->used_blockers, gint64, i),
                                     draft_id, error))
      return FALSE;
  return TRUE;
}

/* The revised draft, with its format warnings, stored with the step */
static void
store_revision (PwReviewRun *self,
                GTask       *task,
                const char  *plan,
                GPtrArray   *warnings)
{
  PwStore *store = store_of (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *warnings_json = pw_plan_warnings_to_json (warnings);
  gint number = 0;
  gint64 draft_id;

  if (!pw_store_begin (store, &error))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  if (!(draft_id = pw_store_add_draft (store, session_of (self), plan, "planner", self->round,
                                       self->planner_model, 0, warnings_json, &number, &error))
      || !mark_answers_used (self, draft_id, &error)
      || !save_step (self, STEP_REVISED, &error)
      || !pw_store_commit (store, &error))
    {
      if (pw_store_in_transaction (store))
        pw_store_rollback (store);
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  self->current->draft_id = draft_id;
  g_signal_emit (self, signals[SIGNAL_DRAFT_ADDED], 0, draft_id, number);
  round_done (self);
  start_round (self, task);
}

/* The revision had format problems: one repair, kept only if no worse */
static void
repair_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  PwReviewRun *self = PW_REVIEW_RUN (source);
  g_autoptr(PwLlmCompletion) completion = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autofree char *plan = g_steal_pointer (&self->revised_plan);
  g_autoptr(GPtrArray) plan_warnings = g_steal_pointer (&self->revised_warnings);

  if (!(completion = receive_answer (self, task, result, "repair", self->planner, NULL)))
    return;
  warnings = pw_plan_validate (completion->text);
  if (!pw_planning_text_is_empty (completion->text) && warnings->len <= plan_warnings->len)
    store_revision (self, task, completion->text, warnings);
  else
    store_revision (self, task, plan, plan_warnings);
}

static void
revise_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  PwReviewRun *self = PW_REVIEW_RUN (source);
  PwOperation *op = PW_OPERATION (self);
  g_autoptr(PwLlmCompletion) completion = NULL;
  g_autoptr(GPtrArray) warnings = NULL;

  if (!(completion = receive_answer (self, task, result, "revision", self->planner, NULL)))
    return;
  if (pw_planning_text_is_empty (completion->text))
    {
      fail (self, task, g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_EMPTY_REPLY,
                                     _("the planner answered the revision request with nothing; run 'review' again to retry it")));
      return;
    }
  warnings = pw_plan_validate (completion->text);
  if (warnings->len == 0)
    {
      store_revision (self, task, completion->text, warnings);
      return;
    }

  /* Format-checked like a generated plan: one repair request */
  g_free (self->revised_plan);
  self->revised_plan = g_strdup (completion->text);
  g_clear_pointer (&self->revised_warnings, g_ptr_array_unref);
  self->revised_warnings = g_steal_pointer (&warnings);
  g_clear_pointer (&self->request, pw_llm_request_free);
  self->request = pw_planning_repair_request (self->planner_model, self->revised_plan, self->revised_warnings);
  pw_operation_set_usage_target (op, store_of (self), "repair");
  pw_operation_set_step (op, "repair");
  send_request (self, task, self->planner, self->planner_model, PLAN_MAX_TOKENS, repair_cb);
}

static void
revise (PwReviewRun *self,
        GTask       *task)
{
  PwOperation *op = PW_OPERATION (self);
  PwStore *store = store_of (self);
  g_autoptr(PwDraft) draft = NULL;
  g_autoptr(GPtrArray) blockers = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) user = g_string_new ("## Current Plan\n\n");
  g_autoptr(JsonParser) keep = json_parser_new ();
  g_autoptr(JsonParser) trim = json_parser_new ();
  guint n = 0;

  if (!(draft = pw_store_get_latest_draft (store, session_of (self), &error))
      || !(blockers = pw_store_list_blockers (store, session_of (self), FALSE, &error)))
    {
      fail (self, task, error ? g_steal_pointer (&error)
                              : g_error_new (PW_REVIEW_ERROR, PW_REVIEW_ERROR_NO_DRAFT, _("the session has no draft")));
      return;
    }

  g_string_append_printf (user, "%s\n\n## Issues to Address\n\n", draft->content);
  for (guint i = 0; self->review->issues && i < self->review->issues->len; i++)
    {
      PwReviewIssue *issue = self->review->issues->pdata[i];
      g_autofree char *sev = NULL;

      /* Minor issues never reach the planner; nor do deferred or rejected ones */
      if (g_strcmp0 (issue->severity, "minor") == 0)
        continue;
      if (!self->fast && g_strcmp0 (issue->disposition, "ACCEPT") != 0)
        continue;
      sev = g_ascii_strup (issue->severity, -1);
      g_string_append_printf (user, "%u. [%s] %s\n   Rationale: %s\n", ++n, sev, issue->description,
                              issue->rationale ? issue->rationale : "");
      if (issue->resolution_guidance && *issue->resolution_guidance)
        g_string_append_printf (user, "   → %s\n", issue->resolution_guidance);
    }
  if (json_parser_load_from_data (keep, self->review->keep_json ? self->review->keep_json : "[]", -1, NULL)
      && JSON_NODE_HOLDS_ARRAY (json_parser_get_root (keep))
      && json_array_get_length (json_node_get_array (json_parser_get_root (keep))) > 0)
    {
      JsonArray *a = json_node_get_array (json_parser_get_root (keep));

      g_string_append (user, "\n## Strengths to Preserve\n\n");
      for (guint i = 0; i < json_array_get_length (a); i++)
        g_string_append_printf (user, "- %s\n", json_array_get_string_element (a, i));
    }
  if (json_parser_load_from_data (trim, self->review->trim_json ? self->review->trim_json : "[]", -1, NULL)
      && JSON_NODE_HOLDS_ARRAY (json_parser_get_root (trim))
      && json_array_get_length (json_node_get_array (json_parser_get_root (trim))) > 0)
    {
      JsonArray *a = json_node_get_array (json_parser_get_root (trim));

      g_string_append (user, "\n## Scope to Trim\n\n");
      for (guint i = 0; i < json_array_get_length (a); i++)
        g_string_append_printf (user, "- %s\n", json_array_get_string_element (a, i));
    }
  if (g_strcmp0 (draft->author, "user") == 0)
    g_string_append_printf (user, "\n## Hand Edits\n\nThis plan (draft %d) was edited by hand by the developer. "
                                  "Those edits are intentional: keep them unless an accepted issue requires otherwise.\n",
                            draft->draft_number);
  {
    gboolean header = FALSE;

    /* Blocker answers no planner request has carried yet */
    g_array_set_size (self->used_blockers, 0);
    for (guint i = 0; i < blockers->len; i++)
      {
        PwBlocker *b = blockers->pdata[i];

        if (b->answer == NULL || b->used_in_draft_id != 0)
          continue;
        if (!header)
          g_string_append (user, "\n## Developer Answers\n\nThe developer answered these questions; follow the answers:\n\n");
        header = TRUE;
        g_string_append_printf (user, "- Q: %s\n  A: %s\n", b->question, b->answer);
        g_array_append_val (self->used_blockers, b->id);
      }
  }
  g_string_append (user, "\n## Instructions\n\nRevise the plan so that every issue above is resolved, "
                         "and reply with the complete revised plan only.");

  g_clear_pointer (&self->request, pw_llm_request_free);
  self->request = pw_llm_request_new (self->planner_model);
  pw_llm_request_set_system (self->request, pw_prompt_text (PW_PROMPT_REVISION));
  pw_llm_request_add_message (self->request, "user", user->str, FALSE);
  /* The revised plan is about as long as the current one */
  if (pause_if_over_budget (self, task, self->planner_model, (gint64) strlen (draft->content) / 4))
    return;
  pw_operation_set_usage_target (op, store, "revision");
  pw_operation_set_step (op, "revision");
  send_request (self, task, self->planner, self->planner_model, PLAN_MAX_TOKENS, revise_cb);
}

static void
store_review (PwReviewRun     *self,
              GTask           *task,
              PwReviewAnswer  *answer,
              const char      *raw,
              gint64           usage_id)
{
  PwStore *store = store_of (self);
  g_autoptr(PwDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReview) review = g_new0 (PwReview, 1);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  PwReviewRound *r = self->current;

  if (!(draft = pw_store_get_latest_draft (store, session_of (self), &error)))
    {
      fail (self, task, error ? g_steal_pointer (&error)
                              : g_error_new (PW_REVIEW_ERROR, PW_REVIEW_ERROR_NO_DRAFT, _("the session has no draft")));
      return;
    }
  review->run_id = self->run_id;
  review->draft_id = draft->id;
  review->round_number = self->round;
  review->verdict = g_strdup (pw_verdict_to_string (answer->verdict));
  review->summary = g_strdup (answer->summary);
  {
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autoptr(JsonNode) node = NULL;

    json_builder_begin_array (b);
    for (guint i = 0; i < answer->keep->len; i++)
      json_builder_add_string_value (b, answer->keep->pdata[i]);
    json_builder_end_array (b);
    node = json_builder_get_root (b);
    json_generator_set_root (gen, node);
    review->keep_json = json_generator_to_data (gen, NULL);
    json_builder_reset (b);
    json_builder_begin_array (b);
    for (guint i = 0; i < answer->trim->len; i++)
      json_builder_add_string_value (b, answer->trim->pdata[i]);
    json_builder_end_array (b);
    g_clear_pointer (&node, json_node_unref);
    node = json_builder_get_root (b);
    json_generator_set_root (gen, node);
    review->trim_json = json_generator_to_data (gen, NULL);
  }
  review->parse_mode = g_strdup (pw_review_source_to_string (answer->source));
  review->raw_response = g_strdup (raw);
  review->reviewer_model = g_strdup (self->reviewer_model);
  review->usage_id = usage_id;
  review->inconsistency = g_strdup (answer->inconsistency);
  review->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_review_issue_free);
  for (guint i = 0; i < answer->issues->len; i++)
    {
      PwReviewerIssue *src = answer->issues->pdata[i];
      PwReviewIssue *issue = g_new0 (PwReviewIssue, 1);

      issue->issue_index = i;
      issue->severity = g_strdup (pw_severity_to_string (src->severity));
      issue->description = g_strdup (src->description);
      issue->rationale = g_strdup (src->rationale);
      issue->resolution_guidance = g_strdup (src->resolution_guidance);
      issue->target_section = g_strdup (src->target_section);
      g_ptr_array_add (review->issues, issue);
    }

  if (!pw_store_begin (store, &error))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  self->rounds_done++;
  if (!pw_store_add_review (store, session_of (self), review, &error)
      || !save_step (self, STEP_REVIEWED, &error)
      || !pw_store_commit (store, &error))
    {
      self->rounds_done--;
      if (pw_store_in_transaction (store))
        pw_store_rollback (store);
      fail (self, task, g_steal_pointer (&error));
      return;
    }

  r->review_id = review->id;
  r->verdict = answer->verdict;
  r->critical = pw_review_answer_count (answer, PW_SEVERITY_CRITICAL);
  r->major = pw_review_answer_count (answer, PW_SEVERITY_MAJOR);
  r->minor = pw_review_answer_count (answer, PW_SEVERITY_MINOR);
  r->inconsistency = g_strdup (answer->inconsistency);
  g_signal_emit (self, signals[SIGNAL_REVIEW_PARSED], 0, r);

  g_clear_pointer (&self->review, pw_review_free);
  self->review = g_steal_pointer (&review);

  if (answer->verdict == PW_VERDICT_GO)
    {
      round_done (self);
      finish_accepted (self, task, "go");
      return;
    }
  triage (self, task);
}

static void
review_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  PwReviewRun *self = PW_REVIEW_RUN (source);
  PwOperation *op = PW_OPERATION (self);
  g_autoptr(PwLlmCompletion) completion = NULL;
  g_autoptr(PwReviewAnswer) answer = NULL;
  gint64 usage_id;

  if (!(completion = receive_answer (self, task, result, "review", self->reviewer, &usage_id)))
    return;
  self->last_review_output = completion->usage.output_tokens;
  answer = pw_review_answer_parse (completion->text, -1);

  if (answer->source == PW_REVIEW_SOURCE_FAILED)
    {
      if (!self->repairing)
        {
          /* Said to the model: never translated. */
          g_autofree char *again = g_strdup_printf ("Your answer could not be read (%s). Reply again with only the JSON object the system prompt describes, and nothing else.",
                                                    answer->error);

          self->repairing = TRUE;
          pw_llm_request_add_message (self->request, "assistant",
                                      *completion->text ? completion->text : "(empty)", FALSE);
          pw_llm_request_add_message (self->request, "user", again, FALSE);
          pw_operation_set_step (op, "review-repair");
          send_request (self, task, self->reviewer, self->reviewer_model, REVIEW_MAX_TOKENS, review_cb);
          return;
        }
      {
        g_autofree char *q = g_strdup_printf (_("The reviewer's answer could not be read, twice (%s). Check the reviewer model and settings, then resume."),
                                              answer->error);
        round_done (self);
        finish_paused (self, task, q);
      }
      return;
    }
  store_review (self, task, answer, completion->text, usage_id);
}

static void
start_round (PwReviewRun *self,
             GTask       *task)
{
  PwOperation *op = PW_OPERATION (self);
  PwStore *store = store_of (self);
  g_autoptr(GPtrArray) reviews = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) user = g_string_new (NULL);
  g_autofree char *history = NULL;
  PwDraft *draft, *previous = NULL;
  gint last_round = 0;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      fail (self, task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled")));
      return;
    }
  if (!(reviews = pw_store_list_reviews (store, session_of (self), &error))
      || !(drafts = pw_store_list_drafts (store, session_of (self), &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  if (drafts->len == 0)
    {
      fail (self, task, g_error_new (PW_REVIEW_ERROR, PW_REVIEW_ERROR_NO_DRAFT,
                                     _("the session has no plan draft to review (run 'generate' or 'draft' first)")));
      return;
    }
  for (guint i = 0; i < reviews->len; i++)
    last_round = MAX (last_round, ((PwReview *) reviews->pdata[i])->round_number);
  draft = drafts->pdata[drafts->len - 1];

  self->round = last_round + 1;
  self->repairing = FALSE;
  if (self->history)
    {
      /* The plan the previous round reviewed */
      PwReview *prev = load_review (self, self->round - 1, reviews);

      for (guint i = 0; prev && i < drafts->len; i++)
        if (((PwDraft *) drafts->pdata[i])->id == prev->draft_id)
          previous = drafts->pdata[i];
      history = history_text (self, reviews, previous ? previous->content : NULL);
    }
  if (history)
    g_string_append_printf (user, "## Review History Context\n\n%s\n"
                                  "Do not raise the deferred issues again, check that the accepted issues "
                                  "were fixed, and raise only new issues.\n\n", history);
  g_string_append_printf (user, "## Plan to review\n\n---\n%s\n---\n\nReply with the JSON object only.", draft->content);

  g_clear_pointer (&self->request, pw_llm_request_free);
  self->request = pw_llm_request_new (self->reviewer_model);
  pw_llm_request_set_system (self->request, pw_prompt_text (mode_prompt (self->mode)));
  pw_llm_request_add_message (self->request, "user", user->str, FALSE);
  pw_llm_request_set_json_schema (self->request, "review", pw_reviewer_answer_schema ());
  if (self->reviewer_reasoning && g_strcmp0 (self->reviewer_reasoning, "none") != 0)
    pw_llm_request_set_effort (self->request, self->reviewer_reasoning);
  if (pause_if_over_budget (self, task, self->reviewer_model,
                            self->last_review_output > 0 ? self->last_review_output : 2000))
    return;

  self->current = g_new0 (PwReviewRound, 1);
  self->current->round = self->round;
  self->current->cost_known = TRUE;
  self->start_us = g_get_monotonic_time ();
  g_ptr_array_add (self->rounds, self->current);
  g_signal_emit (self, signals[SIGNAL_ROUND_STARTED], 0, self->round, self->cap);

  pw_operation_set_usage_target (op, store, "review");
  pw_operation_set_step (op, "review");
  send_request (self, task, self->reviewer, self->reviewer_model, REVIEW_MAX_TOKENS, review_cb);
}

/* ---- start and resume ---------------------------------------------------- */

static gboolean
load_settings (PwReviewRun *self,
               const char  *json,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;
  const char *mode;

  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PW_REVIEW_ERROR, PW_REVIEW_ERROR_FAILED, _("the stored review run settings are damaged"));
      return FALSE;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  self->fast = json_object_get_boolean_member_with_default (o, "fast_mode", FALSE);
  self->history = json_object_get_boolean_member_with_default (o, "review_history", !self->fast);
  self->cap = json_object_get_int_member_with_default (o, "max_rounds", 8);
  g_free (self->complexity);
  self->complexity = g_strdup (json_object_get_string_member_with_default (o, "complexity", "standard"));
  g_free (self->reviewer_model);
  self->reviewer_model = g_strdup (json_object_get_string_member_with_default (o, "reviewer_model", NULL));
  g_free (self->reviewer_reasoning);
  self->reviewer_reasoning = g_strdup (json_object_get_string_member_with_default (o, "reviewer_reasoning", NULL));
  g_free (self->planner_model);
  self->planner_model = g_strdup (json_object_get_string_member_with_default (o, "planner_model", NULL));
  g_free (self->repo_root);
  self->repo_root = g_strdup (json_object_get_string_member_with_default (o, "repo_root", NULL));
  self->max_cost = json_object_get_double_member_with_default (o, "max_cost_usd", 0);
  mode = json_object_get_string_member_with_default (o, "prompt_mode", "keep_trim");
  self->mode = g_strcmp0 (mode, "basic") == 0 ? PW_REVIEW_MODE_BASIC
             : g_strcmp0 (mode, "guidance") == 0 ? PW_REVIEW_MODE_GUIDANCE : PW_REVIEW_MODE_KEEP_TRIM;
  return self->reviewer_model != NULL && self->planner_model != NULL;
}

/* Copied from pw_review_run_new; NULL members mean "not given". */
typedef struct {
  gboolean fast;
  gint     max_rounds;
  gboolean no_history;
  char    *reviewer_model;
  char    *reviewer_reasoning;
  char    *complexity;
  char    *repo_root;
  double   max_cost;
} Asked;

static void
asked_free (gpointer p)
{
  Asked *a = p;

  g_free (a->reviewer_model);
  g_free (a->reviewer_reasoning);
  g_free (a->complexity);
  g_free (a->repo_root);
  g_free (a);
}

static gboolean
conflicts (PwReviewRun *self,
           const Asked *a)
{
  return (a->fast && !self->fast)
         || (a->max_rounds > 0 && a->max_rounds != self->cap)
         || (a->no_history && self->history)
         || (a->reviewer_model && g_strcmp0 (a->reviewer_model, self->reviewer_model) != 0)
         || (a->reviewer_reasoning && g_strcmp0 (a->reviewer_reasoning, self->reviewer_reasoning) != 0)
         || (a->complexity && g_strcmp0 (a->complexity, self->complexity) != 0)
         || (a->repo_root && g_strcmp0 (a->repo_root, self->repo_root) != 0)
         || (a->max_cost > 0 && a->max_cost != self->max_cost);
}

static void
resume_at (PwReviewRun *self,
           GTask       *task,
           const char  *step_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) reviews = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *o = NULL;
  const char *step = NULL;

  if (json_parser_load_from_data (parser, step_json ? step_json : "{}", -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    o = json_node_get_object (json_parser_get_root (parser));
  if (o)
    {
      step = json_object_get_string_member_with_default (o, "step", NULL);
      self->round = json_object_get_int_member_with_default (o, "round", 0);
      self->rounds_done = json_object_get_int_member_with_default (o, "rounds_done", 0);
    }
  if (step == NULL || g_strcmp0 (step, "revised") == 0)
    {
      start_round (self, task);
      return;
    }

  /* A round stopped after its review or its triage: continue it */
  if (!(reviews = pw_store_list_reviews (store_of (self), session_of (self), &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < reviews->len; i++)
    if (((PwReview *) reviews->pdata[i])->round_number == self->round)
      {
        g_clear_pointer (&self->review, pw_review_free);
        self->review = g_ptr_array_steal_index (reviews, i);
        break;
      }
  if (self->review == NULL)
    {
      start_round (self, task);
      return;
    }
  self->current = g_new0 (PwReviewRound, 1);
  self->current->round = self->round;
  self->current->cost_known = TRUE;
  self->current->review_id = self->review->id;
  self->current->verdict = g_strcmp0 (self->review->verdict, "GO") == 0 ? PW_VERDICT_GO : PW_VERDICT_NO_GO;
  for (guint i = 0; self->review->issues && i < self->review->issues->len; i++)
    {
      PwReviewIssue *issue = self->review->issues->pdata[i];

      if (g_strcmp0 (issue->severity, "critical") == 0)
        self->current->critical++;
      else if (g_strcmp0 (issue->severity, "minor") == 0)
        self->current->minor++;
      else
        self->current->major++;
    }
  self->start_us = g_get_monotonic_time ();
  g_ptr_array_add (self->rounds, self->current);
  g_signal_emit (self, signals[SIGNAL_ROUND_STARTED], 0, self->round, self->cap);

  if (self->current->verdict == PW_VERDICT_GO)
    {
      round_done (self);
      finish_accepted (self, task, "go");
    }
  else if (g_strcmp0 (step, "reviewed") == 0)
    triage (self, task);
  else
    after_triage (self, task);
}

static void
pw_review_run_start (PwOperation *op,
                     GTask       *task)
{
  PwReviewRun *self = PW_REVIEW_RUN (op);
  PwStore *store = store_of (self);
  const Asked *a = g_object_get_data (G_OBJECT (self), "pw-asked");
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwDraft) draft = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *stored_settings = NULL;
  g_autofree char *step_json = NULL;
  PwProvider *reviewer, *planner;
  gint64 last_run;

  if (a->max_rounds < 0)
    {
      fail (self, task, g_error_new (PW_REVIEW_ERROR, PW_REVIEW_ERROR_BAD_SETTINGS,
                                     _("--max-rounds must be at least 1")));
      return;
    }
  if (!(info = pw_planning_check (self->engine, session_of (self), PW_COMMAND_REVIEW, &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  /* Preconditions before any change: a draft and both providers */
  if (!(draft = pw_store_get_latest_draft (store, session_of (self), &error)))
    {
      fail (self, task, error ? g_steal_pointer (&error)
                              : g_error_new (PW_REVIEW_ERROR, PW_REVIEW_ERROR_NO_DRAFT,
                                             _("the session has no plan draft to review (run 'generate' or 'draft' first)")));
      return;
    }
  if (!(reviewer = pw_engine_get_provider (self->engine, PW_ROLE_REVIEWER, &error))
      || !(planner = pw_engine_get_provider (self->engine, PW_ROLE_PLANNER, &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  g_set_object (&self->reviewer, reviewer);
  g_set_object (&self->planner, planner);

  if ((last_run = pw_store_get_last_review_run (store, session_of (self), &state, &stored_settings,
                                                &step_json, &error)) < 0)
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }

  if (last_run > 0 && g_strcmp0 (state, "running") == 0)
    {
      if (!load_settings (self, stored_settings, &error))
        {
          fail (self, task, error ? g_steal_pointer (&error)
                                  : g_error_new (PW_REVIEW_ERROR, PW_REVIEW_ERROR_FAILED,
                                                 _("the stored review run settings are incomplete")));
          return;
        }
      if (conflicts (self, a))
        {
          fail (self, task, g_error_new (PW_REVIEW_ERROR, PW_REVIEW_ERROR_BAD_SETTINGS,
                                         _("the unfinished review run of this session has other settings; run 'review' without those flags to resume it")));
          return;
        }
      self->run_id = last_run;
      self->resumed = TRUE;
    }
  else
    {
      g_autoptr(GPtrArray) messages = pw_store_list_messages (store, session_of (self), NULL);
      g_autoptr(GString) text = g_string_new (draft->content);

      for (guint i = 0; messages && i < messages->len; i++)
        if (g_strcmp0 (((PwMessage *) messages->pdata[i])->role, "user") == 0)
          {
            g_string_append_printf (text, "\n%s", ((PwMessage *) messages->pdata[i])->content);
            break;
          }
      self->fast = a->fast;
      self->history = !a->fast && !a->no_history;
      PwSettings *settings = pw_engine_get_settings (self->engine);
      const char *chosen = a->complexity ? a->complexity : pw_settings_get_complexity (settings);

      /* The flags, else the settings (the window's preferences), else detected */
      self->complexity = g_strdup (chosen && g_strcmp0 (chosen, "auto") != 0
                                   ? chosen : pw_review_detect_complexity (text->str, NULL));
      self->cap = a->max_rounds > 0 ? a->max_rounds
                : (gint) pw_settings_get_round_cap (settings, self->fast ? "fast" : self->complexity);
      self->reviewer_model = a->reviewer_model ? g_strdup (a->reviewer_model)
                           : pw_engine_get_model (self->engine, session_of (self), PW_ROLE_REVIEWER);
      self->reviewer_reasoning = g_strdup (a->reviewer_reasoning);
      self->planner_model = pw_engine_get_model (self->engine, session_of (self), PW_ROLE_PLANNER);
      self->repo_root = g_strdup (a->repo_root);
      self->max_cost = a->max_cost;
      self->mode = self->fast ? PW_REVIEW_MODE_BASIC : PW_REVIEW_MODE_KEEP_TRIM;
      {
        g_autofree char *json = settings_json (self);

        /* The run row and the move to REVIEW commit together */
        if (!pw_store_begin (store, &error)
            || !(self->run_id = pw_store_add_review_run (store, session_of (self), json, &error))
            || (info->phase != PW_PHASE_REVIEW
                && !pw_store_set_phase (store, session_of (self), PW_PHASE_REVIEW, info->status, &error))
            || !pw_store_commit (store, &error))
          {
            if (pw_store_in_transaction (store))
              pw_store_rollback (store);
            fail (self, task, g_steal_pointer (&error));
            return;
          }
      }
    }

  if (self->resumed)
    resume_at (self, task, step_json);
  else
    start_round (self, task);
}

static void
pw_review_run_class_init (PwReviewRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_review_run_dispose;
  object_class->finalize = pw_review_run_finalize;
  PW_OPERATION_CLASS (klass)->start = pw_review_run_start;

  signals[SIGNAL_ROUND_STARTED] =
    g_signal_new ("round-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_INT);
  signals[SIGNAL_REVIEW_PARSED] =
    g_signal_new ("review-parsed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_ISSUE_DISPOSED] =
    g_signal_new ("issue-disposed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[SIGNAL_DRAFT_ADDED] =
    g_signal_new ("draft-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT);
  signals[SIGNAL_CONVERGED] =
    g_signal_new ("converged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_PAUSED] =
    g_signal_new ("paused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pw_review_run_init (PwReviewRun *self)
{
  self->rounds = g_ptr_array_new_with_free_func (round_free);
  self->used_blockers = g_array_new (FALSE, FALSE, sizeof (gint64));
}

PwReviewRun *
pw_review_run_new (PwEngine              *engine,
                   const char            *session_id,
                   const PwReviewRequest *request)
{
  PwReviewRun *self;
  Asked *a = g_new0 (Asked, 1);

  g_return_val_if_fail (PW_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  self = g_object_new (PW_TYPE_REVIEW_RUN, "session-id", session_id, NULL);
  self->engine = g_object_ref (engine);
  if (request)
    {
      a->fast = request->fast;
      a->max_rounds = request->max_rounds;
      a->no_history = request->no_history;
      a->reviewer_model = g_strdup (request->reviewer_model);
      a->reviewer_reasoning = g_strdup (request->reviewer_reasoning);
      a->complexity = g_strdup (request->complexity);
      a->repo_root = g_strdup (request->repo_root);
      a->max_cost = request->max_cost_usd;
    }
  g_object_set_data_full (G_OBJECT (self), "pw-asked", a, asked_free);
  return self;
}

gint64
pw_review_run_get_run_id (PwReviewRun *self)
{
  g_return_val_if_fail (PW_IS_REVIEW_RUN (self), 0);
  return self->run_id;
}

gboolean
pw_review_run_get_resumed (PwReviewRun *self)
{
  g_return_val_if_fail (PW_IS_REVIEW_RUN (self), FALSE);
  return self->resumed;
}

PwReviewOutcome
pw_review_run_get_outcome (PwReviewRun *self)
{
  g_return_val_if_fail (PW_IS_REVIEW_RUN (self), PW_REVIEW_OUTCOME_NONE);
  return self->outcome;
}

GPtrArray *
pw_review_run_get_rounds (PwReviewRun *self)
{
  g_return_val_if_fail (PW_IS_REVIEW_RUN (self), NULL);
  return self->rounds;
}

gint64
pw_review_run_get_final_draft_id (PwReviewRun *self)
{
  g_return_val_if_fail (PW_IS_REVIEW_RUN (self), 0);
  return self->final_draft_id;
}

const char *
pw_review_run_get_handoff_path (PwReviewRun *self)
{
  g_return_val_if_fail (PW_IS_REVIEW_RUN (self), NULL);
  return self->handoff_path;
}

const char *
pw_review_run_get_handoff_note (PwReviewRun *self)
{
  g_return_val_if_fail (PW_IS_REVIEW_RUN (self), NULL);
  return self->handoff_note;
}

gint
pw_review_run_get_cap (PwReviewRun *self)
{
  g_return_val_if_fail (PW_IS_REVIEW_RUN (self), 0);
  return self->cap;
}

const char *
pw_review_run_get_complexity (PwReviewRun *self)
{
  g_return_val_if_fail (PW_IS_REVIEW_RUN (self), NULL);
  return self->complexity;
}
