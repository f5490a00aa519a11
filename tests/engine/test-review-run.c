/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The review loop against the fake LLM server: outcomes, what each request holds, what is stored. */

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pw-test-engine.h"
#include "pw-review-run.h"

typedef struct {
  PwFakeServer *server;
  PwStore      *store;
  PwEngine     *engine;
  char         *id;
  char         *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  pw_test_engine_set_up (&f->server, &f->store, &f->engine, &f->dir);
  f->id = pw_test_engine_add_session (f->store, f->dir, PW_PHASE_PLANNING);
  g_assert_cmpint (pw_store_add_draft (f->store, f->id, pw_test_valid_plan,
                                       (const char *) data ? (const char *) data : "planner",
                                       -1, "claude-sonnet-5-5", 0, NULL, NULL, &error), >, 0);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  pw_test_engine_tear_down (&f->server, &f->store, &f->engine, &f->dir);
  g_free (f->id);
}


static void
enqueue_text (Fixture    *f,
              const char *text)
{
  pw_fake_server_enqueue (f->server, NULL, pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, text, NULL, 5));
}


static const char *revised_plan =
  "# Registration — implementation plan\n\nAdd sign-up, revised.\n\n"
  "## Milestone 1: Schema\n\n### Tasks\n- [ ] Add users table with rollback\n- [ ] Test migration\n\n### Deliverables\n- [ ] migration passes\n\n"
  "## Milestone 2: API\n\n### Tasks\n- [ ] POST /register\n- [ ] Test it\n\n### Deliverables\n- [ ] endpoint works\n\n"
  "## Milestone 3: Email\n\n### Tasks\n- [ ] Send the mail\n- [ ] Test it\n\n### Deliverables\n- [ ] mail sent\n";

#define GO "{\"verdict\":\"GO\",\"summary\":\"Ready.\",\"issues\":[],\"keep\":[],\"trim\":[]}"
#define ISSUE(sev, desc) "{\"severity\":\"" sev "\",\"description\":\"" desc "\",\"rationale\":\"r\",\"resolution_guidance\":\"\",\"target_section\":\"Milestone 1\"}"

static void
review_reply (Fixture    *f,
              const char *json)
{
  pw_fake_server_enqueue (f->server, NULL, pw_fake_reply_new_text (PW_PROVIDER_OPENAI_RESPONSES, json, NULL, 3));
}

static PwReviewRun *
run_review (Fixture               *f,
            const PwReviewRequest *request,
            GError               **error)
{
  PwReviewRun *run = pw_review_run_new (f->engine, f->id, request);

  pw_test_run_operation (PW_OPERATION (run), error);
  return run;
}

static PwSessionInfo *
session (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  PwSessionInfo *info = pw_store_get_session (f->store, f->id, &error);

  g_assert_no_error (error);
  return info;
}

static void
test_go_round_one (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  g_autoptr(PwDraft) draft = NULL;
  g_autofree char *handoff = NULL;
  g_autofree char *body = NULL;
  PwReviewRequest request = { .repo_root = f->dir };
  gsize len;

  review_reply (f, GO);
  run = run_review (f, &request, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_ACCEPTED);
  g_assert_cmpuint (pw_review_run_get_rounds (run)->len, ==, 1);
  info = session (f);
  g_assert_cmpint (info->phase, ==, PW_PHASE_COMPLETE);
  g_assert_cmpint (info->status, ==, PW_STATUS_COMPLETE);

  reviews = pw_store_list_reviews (f->store, f->id, &error);
  draft = pw_store_get_latest_draft (f->store, f->id, &error);
  g_assert_cmpuint (reviews->len, ==, 1);
  g_assert_cmpint (((PwReview *) reviews->pdata[0])->draft_id, ==, draft->id);
  g_assert_cmpint (((PwReview *) reviews->pdata[0])->round_number, ==, 1);

  /* The hand-off holds exactly the accepted plan */
  g_assert_nonnull (pw_review_run_get_handoff_path (run));
  g_assert_true (g_file_get_contents (pw_review_run_get_handoff_path (run), &handoff, &len, NULL));
  g_assert_cmpuint (len, ==, strlen (pw_test_valid_plan));
  g_assert_cmpint (memcmp (handoff, pw_test_valid_plan, len), ==, 0);

  /* Structured output and the keep/trim prompt were asked for */
  body = pw_test_request_body (f->server, 0);
  g_assert_nonnull (strstr (body, "NO_GO"));
  g_assert_nonnull (strstr (body, "json_schema"));
  g_assert_nonnull (strstr (body, "strengths that a revision must preserve"));
  {
    g_autofree char *hf = g_build_filename (f->dir, ".kafra", "a-01-plans", "demo.md", NULL);
    g_autofree char *bak = g_build_filename (f->dir, ".kafra", "a-01-plans", NULL);
    g_autofree char *kafra = g_build_filename (f->dir, ".kafra", NULL);

    g_unlink (hf);
    g_rmdir (bak);
    g_rmdir (kafra);
  }
}

static void
test_no_go_then_go (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(PwDraft) draft = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  g_autofree char *triage = NULL;
  g_autofree char *revision = NULL;
  g_autofree char *second = NULL;
  PwReviewRound *r1;

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("minor", "MINOR-TYPO") ","
                   ISSUE ("critical", "NO-ROLLBACK") "],\"keep\":[\"KEEP-TESTS\"],\"trim\":[\"TRIM-ADMIN\"]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\",\"rationale\":\"yes\"}]");
  enqueue_text (f, revised_plan);
  review_reply (f, GO);
  run = run_review (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_ACCEPTED);
  g_assert_cmpuint (pw_review_run_get_rounds (run)->len, ==, 2);
  r1 = pw_review_run_get_rounds (run)->pdata[0];
  g_assert_cmpuint (r1->critical, ==, 1);
  g_assert_cmpuint (r1->minor, ==, 1);
  g_assert_cmpuint (r1->accept, ==, 1);
  g_assert_cmpint (r1->draft_id, >, 0);

  /* Triage (index 0 is the critical: minors are not listed) and revision */
  triage = pw_test_request_body (f->server, 1);
  g_assert_nonnull (strstr (triage, "0. [CRITICAL] NO-ROLLBACK"));
  g_assert_null (strstr (triage, "MINOR-TYPO"));
  revision = pw_test_request_body (f->server, 2);
  g_assert_nonnull (strstr (revision, "NO-ROLLBACK"));
  g_assert_null (strstr (revision, "MINOR-TYPO"));
  g_assert_nonnull (strstr (revision, "KEEP-TESTS"));
  g_assert_nonnull (strstr (revision, "TRIM-ADMIN"));
  g_assert_null (strstr (revision, "edited by hand"));
  /* History: round 2 sees round 1 and the plan it reviewed */
  second = pw_test_request_body (f->server, 3);
  g_assert_nonnull (strstr (second, "Round 1"));
  g_assert_nonnull (strstr (second, "Plan reviewed in round 1"));

  draft = pw_store_get_latest_draft (f->store, f->id, &error);
  g_assert_cmpstr (draft->content, ==, revised_plan);
  g_assert_cmpint (draft->round_number, ==, 1);
  reviews = pw_store_list_reviews (f->store, f->id, &error);
  g_assert_cmpuint (reviews->len, ==, 2);
  g_assert_cmpint (((PwReview *) reviews->pdata[1])->draft_id, ==, draft->id);
  g_assert_cmpstr (((PwReviewIssue *) ((PwReview *) reviews->pdata[0])->issues->pdata[1])->disposition, ==, "ACCEPT");
  g_assert_null (((PwReviewIssue *) ((PwReview *) reviews->pdata[0])->issues->pdata[0])->disposition);
}

static void
test_cap_with_criticals (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) blockers = NULL;
  PwReviewRequest request = { .max_rounds = 1 };

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("critical", "DATA-LOSS") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"DEFER\",\"rationale\":\"later\"}]");
  run = run_review (f, &request, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_PAUSED);
  /* The cap round is triaged, never revised */
  g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 2);
  info = session (f);
  g_assert_cmpint (info->status, ==, PW_STATUS_PAUSED);
  blockers = pw_store_list_blockers (f->store, f->id, TRUE, &error);
  g_assert_cmpuint (blockers->len, ==, 1);
  g_assert_nonnull (strstr (((PwBlocker *) blockers->pdata[0])->question, "DATA-LOSS"));
}

static void
test_cap_without_criticals (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  PwReviewRequest request = { .max_rounds = 1 };

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("major", "VAGUE") ","
                   ISSUE ("critical", "REJECTED-ONE") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\"},{\"index\":1,\"disposition\":\"REJECT\"}]");
  run = run_review (f, &request, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_ACCEPTED);
  info = session (f);
  g_assert_cmpint (info->phase, ==, PW_PHASE_COMPLETE);
}

static void
run_deferred (Fixture  *f,
              gboolean  history)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autofree char *second = NULL;
  PwReviewRequest request = { .no_history = !history };

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("critical", "FIX-ME") ","
                   ISSUE ("major", "LATER-THING") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\"},{\"index\":1,\"disposition\":\"DEFER\",\"rationale\":\"v2\"}]");
  enqueue_text (f, revised_plan);
  review_reply (f, GO);
  run = run_review (f, &request, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_ACCEPTED);
  second = pw_test_request_body (f->server, 3);
  if (history)
    {
      g_assert_nonnull (strstr (second, "DEFERRED [Round 1] LATER-THING"));
      g_assert_nonnull (strstr (second, "deferred because: v2"));
    }
  else
    {
      g_assert_null (strstr (second, "LATER-THING"));
      g_assert_null (strstr (second, "Review History"));
    }
}

static void
test_deferred_with_history (Fixture       *f,
                            gconstpointer  data)
{
  run_deferred (f, TRUE);
}

static void
test_deferred_without_history (Fixture       *f,
                               gconstpointer  data)
{
  run_deferred (f, FALSE);
}

static void
test_user_draft_intentional (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autofree char *revision = NULL;

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("major", "GAP") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\"}]");
  enqueue_text (f, revised_plan);
  review_reply (f, GO);
  run = run_review (f, NULL, &error);
  g_assert_no_error (error);
  revision = pw_test_request_body (f->server, 2);
  g_assert_nonnull (strstr (revision, "edited by hand"));
  g_assert_nonnull (strstr (revision, "intentional"));
}

static void
test_triage_defaulted (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  PwReviewIssue *issue;
  PwReviewRound *r1;

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("major", "UNSURE") "]}");
  enqueue_text (f, "I think we should DEFERRED it");
  enqueue_text (f, "still no JSON");
  review_reply (f, GO);
  run = run_review (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_ACCEPTED);
  r1 = pw_review_run_get_rounds (run)->pdata[0];
  g_assert_cmpuint (r1->defer, ==, 1);
  g_assert_cmpuint (r1->defaulted, ==, 1);
  g_assert_cmpuint (r1->accept, ==, 0);
  /* Nothing accepted and no critical open: the run ends without a revision
   * (review, triage, the re-ask) rather than reviewing the same draft again */
  g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 3);
  reviews = pw_store_list_reviews (f->store, f->id, &error);
  issue = ((PwReview *) reviews->pdata[0])->issues->pdata[0];
  g_assert_cmpstr (issue->disposition, ==, "DEFER");
  g_assert_true (issue->defaulted);
}

/* Nothing accepted but a critical deferred: no revision, no second review of
 * the same draft; the run pauses with the open critical. */
static void
test_nothing_accepted_open_critical (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(GPtrArray) blockers = NULL;

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("critical", "NO-BACKUPS") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"DEFER\",\"rationale\":\"ops team\"}]");
  run = run_review (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_PAUSED);
  g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 2);
  blockers = pw_store_list_blockers (f->store, f->id, TRUE, &error);
  g_assert_cmpuint (blockers->len, ==, 1);
  g_assert_nonnull (strstr (((PwBlocker *) blockers->pdata[0])->question, "NO-BACKUPS"));
}

/* A GO that lists a critical is read as NO_GO, and the round says so */
static void
test_go_with_criticals_recorded (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  PwReview *r1;

  review_reply (f, "{\"verdict\":\"GO\",\"summary\":\"fine\",\"issues\":[" ISSUE ("critical", "SQL-INJECTION") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\",\"rationale\":\"yes\"}]");
  enqueue_text (f, revised_plan);
  review_reply (f, GO);
  run = run_review (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_ACCEPTED);
  reviews = pw_store_list_reviews (f->store, f->id, &error);
  g_assert_cmpuint (reviews->len, ==, 2);
  r1 = reviews->pdata[0];
  g_assert_cmpstr (r1->verdict, ==, "NO_GO");
  g_assert_nonnull (r1->inconsistency);
  g_assert_nonnull (strstr (r1->inconsistency, "GO"));
  g_assert_null (((PwReview *) reviews->pdata[1])->inconsistency);
}

/* A blocker's answer goes into the next revision request, once, and the
 * store says which draft used it. */
static void
test_blocker_answer_used (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) first = NULL;
  g_autoptr(PwReviewRun) second = NULL;
  g_autoptr(GPtrArray) blockers = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(PwDraft) latest = NULL;
  g_autofree char *revision = NULL;
  g_autofree char *later = NULL;
  PwReviewRequest cap1 = { .max_rounds = 1 };
  PwReviewRequest cap2 = { .max_rounds = 2 };
  PwBlocker *b;

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("critical", "WHICH-DB") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"DEFER\",\"rationale\":\"ask\"}]");
  first = run_review (f, &cap1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (first), ==, PW_REVIEW_OUTCOME_PAUSED);
  blockers = pw_store_list_blockers (f->store, f->id, TRUE, &error);
  b = blockers->pdata[0];
  g_assert_true (pw_store_answer_blocker (f->store, f->id, b->id, "USE-SQLITE-ANSWER", &error));
  g_assert_no_error (error);

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("major", "DB-CHOICE") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\",\"rationale\":\"yes\"}]");
  enqueue_text (f, revised_plan);
  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("major", "OTHER") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\",\"rationale\":\"yes\"}]");
  second = run_review (f, &cap2, &error);
  g_assert_no_error (error);
  /* requests: review, triage (run 1); review, triage, revision, review, triage (run 2) */
  g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 7);
  revision = pw_test_request_body (f->server, 4);
  g_assert_nonnull (strstr (revision, "USE-SQLITE-ANSWER"));
  g_assert_nonnull (strstr (revision, "WHICH-DB"));
  latest = pw_store_get_latest_draft (f->store, f->id, &error);
  all = pw_store_list_blockers (f->store, f->id, FALSE, &error);
  g_assert_cmpint (((PwBlocker *) all->pdata[0])->used_in_draft_id, ==, latest->id);
  /* The cap round is not revised; nothing later carries the answer again */
  later = pw_test_request_body (f->server, 6);
  g_assert_null (strstr (later, "USE-SQLITE-ANSWER"));
}

/* A revision with format problems gets one repair; the repaired plan is stored */
static void
test_revision_repaired (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(PwDraft) latest = NULL;
  g_autofree char *repair = NULL;

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("major", "GAP") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\"}]");
  enqueue_text (f, "Sure! Here is a better plan: just do it. NO-MILESTONES-HERE");
  enqueue_text (f, revised_plan);
  review_reply (f, GO);
  run = run_review (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_ACCEPTED);
  g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 5);
  repair = pw_test_request_body (f->server, 3);
  g_assert_nonnull (strstr (repair, "NO-MILESTONES-HERE"));
  g_assert_nonnull (strstr (repair, "Format problems"));
  latest = pw_store_get_latest_draft (f->store, f->id, &error);
  g_assert_cmpstr (latest->content, ==, revised_plan);
  g_assert_true (latest->warnings_json == NULL || g_strcmp0 (latest->warnings_json, "[]") == 0);
}

static void
test_unparseable_pauses (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  g_autofree char *repair = NULL;

  review_reply (f, "Looks good to go, approved!");
  review_reply (f, "{\"verdict\":\"GO\",\"summary\":\"cut");
  run = run_review (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_PAUSED);
  repair = pw_test_request_body (f->server, 1);
  g_assert_nonnull (strstr (repair, "could not be read"));
  reviews = pw_store_list_reviews (f->store, f->id, &error);
  g_assert_cmpuint (reviews->len, ==, 0);
}

static void
test_fast_mode (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  PwReviewRequest request = { .fast = TRUE };

  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("major", "FAST-ISSUE") ","
                   ISSUE ("minor", "FAST-MINOR") "]}");
  enqueue_text (f, revised_plan);
  review_reply (f, GO);
  run = run_review (f, &request, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_cap (run), ==, 4);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_ACCEPTED);
  /* No triage call: reviewer, revision, reviewer */
  g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 3);
  first = pw_test_request_body (f->server, 1);
  g_assert_nonnull (strstr (first, "FAST-ISSUE"));
  g_assert_null (strstr (first, "FAST-MINOR"));
  second = pw_test_request_body (f->server, 2);
  g_assert_null (strstr (second, "Review History"));
  g_assert_nonnull (strstr (second, "Leave \\\"resolution_guidance\\\""));
}

static void
test_stall (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(GPtrArray) blockers = NULL;

  for (guint i = 0; i < 3; i++)
    {
      review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("critical", "Same  Critical!") "]}");
      enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\"}]");
      if (i < 2)
        enqueue_text (f, revised_plan);
    }
  run = run_review (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_PAUSED);
  g_assert_cmpuint (pw_review_run_get_rounds (run)->len, ==, 3);
  blockers = pw_store_list_blockers (f->store, f->id, TRUE, &error);
  g_assert_nonnull (strstr (((PwBlocker *) blockers->pdata[0])->question, "stalled"));
}

static void
test_no_draft (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autofree char *other = NULL;

  g_assert_true (pw_store_create_session (f->store, "empty", NULL, "{}", &other, &error));
  g_assert_true (pw_store_set_phase (f->store, other, PW_PHASE_PLANNING, PW_STATUS_ACTIVE, &error));
  run = pw_review_run_new (f->engine, other, NULL);
  pw_test_run_operation (PW_OPERATION (run), &error);
  g_assert_error (error, PW_REVIEW_ERROR, PW_REVIEW_ERROR_NO_DRAFT);
  info = pw_store_get_session (f->store, other, NULL);
  g_assert_cmpint (info->phase, ==, PW_PHASE_PLANNING);
}


/* The budget is checked before each call, against its estimated cost */
static void
test_budget (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(PwReviewRun) again = NULL;
  g_autoptr(GPtrArray) blockers = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autofree char *reviewer = pw_engine_get_model (f->engine, f->id, PW_ROLE_REVIEWER);
  PwReviewRequest tiny = { .max_cost_usd = 1e-6 };
  PwReviewRequest ample = { .max_cost_usd = 100 };

  g_assert_true (pw_models_lookup (pw_engine_get_models (f->engine), reviewer)->prices_known);
  run = run_review (f, &tiny, &error);
  g_assert_no_error (error);
  /* Paused before the first call: nothing sent, nothing reviewed */
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_PAUSED);
  g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 0);
  g_assert_cmpuint (pw_review_run_get_rounds (run)->len, ==, 0);
  reviews = pw_store_list_reviews (f->store, f->id, &error);
  g_assert_cmpuint (reviews->len, ==, 0);
  blockers = pw_store_list_blockers (f->store, f->id, TRUE, &error);
  g_assert_cmpuint (blockers->len, ==, 1);
  g_assert_nonnull (strstr (((PwBlocker *) blockers->pdata[0])->question, "--max-cost"));

  /* Answered, a run with room in its budget goes through */
  g_assert_true (pw_store_answer_blocker (f->store, f->id, ((PwBlocker *) blockers->pdata[0])->id, "more", &error));
  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("major", "GAP") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\"}]");
  enqueue_text (f, revised_plan);
  review_reply (f, GO);
  again = run_review (f, &ample, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_outcome (again), ==, PW_REVIEW_OUTCOME_ACCEPTED);
  info = session (f);
  g_assert_cmpint (info->phase, ==, PW_PHASE_COMPLETE);
}

/* The preferences' complexity and caps apply when no flag is given */
static void
test_settings_complexity_and_cap (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  PwSettings *settings = pw_engine_get_settings (f->engine);

  pw_settings_set_complexity (settings, "complex");
  pw_settings_set_round_cap (settings, "complex", 1);
  review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("major", "GAP") "]}");
  enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\"}]");
  run = run_review (f, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw_review_run_get_complexity (run), ==, "complex");
  g_assert_cmpint (pw_review_run_get_cap (run), ==, 1);
  /* The cap round is triaged, not revised */
  g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 2);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_ACCEPTED);
}

static void
test_max_rounds_and_numbering (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReviewRun) run = NULL;
  g_autoptr(PwReviewRun) again = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  PwReviewRequest request = { .max_rounds = 2 };

  for (guint i = 0; i < 2; i++)
    {
      review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("critical", "STILL-BAD") "]}");
      enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\"}]");
      if (i == 0)
        enqueue_text (f, revised_plan);
    }
  run = run_review (f, &request, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_review_run_get_cap (run), ==, 2);
  g_assert_cmpint (pw_review_run_get_outcome (run), ==, PW_REVIEW_OUTCOME_PAUSED);

  /* Answer the blocker; the next run continues the numbering and the
   * planner gets the answer */
  {
    g_autoptr(GPtrArray) blockers = pw_store_list_blockers (f->store, f->id, TRUE, &error);
    g_autofree char *revision = NULL;

    g_assert_true (pw_store_answer_blocker (f->store, f->id, ((PwBlocker *) blockers->pdata[0])->id,
                                            "USE-SNAPSHOTS", &error));
    /* Another critical: the same one a third time would be a stall */
    review_reply (f, "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":[" ISSUE ("critical", "OTHER-BAD") "]}");
    enqueue_text (f, "[{\"index\":0,\"disposition\":\"ACCEPT\"}]");
    enqueue_text (f, revised_plan);
    review_reply (f, GO);
    again = run_review (f, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (pw_review_run_get_outcome (again), ==, PW_REVIEW_OUTCOME_ACCEPTED);
    revision = pw_test_request_body (f->server, 7);
    g_assert_nonnull (strstr (revision, "USE-SNAPSHOTS"));
  }
  reviews = pw_store_list_reviews (f->store, f->id, &error);
  g_assert_cmpuint (reviews->len, ==, 4);
  for (guint i = 0; i < reviews->len; i++)
    g_assert_cmpint (((PwReview *) reviews->pdata[i])->round_number, ==, i + 1);
}

static void
test_complexity (void)
{
  g_autoptr(GPtrArray) m = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpstr (pw_review_detect_complexity ("retry with backoff over a queue", m), ==, "complex");
  g_assert_cmpuint (m->len, ==, 3);
  g_assert_cmpstr (pw_review_detect_complexity ("a State Machine with a transition", NULL), ==, "complex");
  g_assert_cmpstr (pw_review_detect_complexity ("HMAC signature", NULL), ==, "complex");
  /* whole words: block, clock, tokens, blocking are not "lock" */
  g_assert_cmpstr (pw_review_detect_complexity ("block the clock; unblocking tokens", NULL), ==, "standard");
  g_assert_cmpstr (pw_review_detect_complexity ("just a lock", NULL), ==, "standard");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#define ADD(path, fn, data) g_test_add (path, Fixture, data, fixture_set_up, fn, fixture_tear_down)
  ADD ("/review-run/go-round-one", test_go_round_one, NULL);
  ADD ("/review-run/no-go-then-go", test_no_go_then_go, NULL);
  ADD ("/review-run/cap-with-criticals", test_cap_with_criticals, NULL);
  ADD ("/review-run/cap-without-criticals", test_cap_without_criticals, NULL);
  ADD ("/review-run/deferred-with-history", test_deferred_with_history, NULL);
  ADD ("/review-run/deferred-without-history", test_deferred_without_history, NULL);
  ADD ("/review-run/user-draft-intentional", test_user_draft_intentional, "user");
  ADD ("/review-run/triage-defaulted", test_triage_defaulted, NULL);
  ADD ("/review-run/nothing-accepted-open-critical", test_nothing_accepted_open_critical, NULL);
  ADD ("/review-run/go-with-criticals-recorded", test_go_with_criticals_recorded, NULL);
  ADD ("/review-run/blocker-answer-used", test_blocker_answer_used, NULL);
  ADD ("/review-run/revision-repaired", test_revision_repaired, NULL);
  ADD ("/review-run/unparseable-pauses", test_unparseable_pauses, NULL);
  ADD ("/review-run/fast-mode", test_fast_mode, NULL);
  ADD ("/review-run/stall", test_stall, NULL);
  ADD ("/review-run/no-draft", test_no_draft, NULL);
  ADD ("/review-run/budget", test_budget, NULL);
  ADD ("/review-run/max-rounds-and-numbering", test_max_rounds_and_numbering, NULL);
  ADD ("/review-run/settings-complexity-and-cap", test_settings_complexity_and_cap, NULL);
  g_test_add_func ("/review-run/complexity", test_complexity);
  return g_test_run ();
}
