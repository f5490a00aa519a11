/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the exports: the a-NN series, reviews, fast mode and the hand-off. */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pw-export.h"
#include "pw-fs.h"
#include "pw-store.h"
#include "pw-test-export.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static char *
new_session (PwTestFixture *f,
             const char    *project,
             const char    *repo_root)
{
  g_autoptr(GError) error = NULL;
  char *id = NULL;

  g_assert_true (pw_store_create_session (f->store, project, repo_root, "{}", &id, &error));
  g_assert_no_error (error);
  return id;
}

static gint64
add_run (PwTestFixture *f,
         const char    *settings_json)
{
  g_autoptr(GError) error = NULL;
  gint64 id = pw_store_add_review_run (f->store, f->id, settings_json, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static PwReview *
new_review (gint64      run_id,
            gint64      draft_id,
            gint        round_number,
            const char *verdict,
            const char *summary,
            const char *keep_json,
            const char *trim_json)
{
  PwReview *review = g_new0 (PwReview, 1);

  review->run_id = run_id;
  review->draft_id = draft_id;
  review->round_number = round_number;
  review->verdict = g_strdup (verdict);
  review->summary = g_strdup (summary);
  review->keep_json = g_strdup (keep_json);
  review->trim_json = g_strdup (trim_json);
  review->parse_mode = g_strdup ("json");
  review->reviewer_model = g_strdup ("gpt-test");
  review->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_review_issue_free);
  return review;
}

static PwReviewIssue *
review_add_issue (PwReview   *review,
                  const char *severity,
                  const char *description,
                  const char *rationale,
                  const char *guidance,
                  const char *section)
{
  PwReviewIssue *issue = g_new0 (PwReviewIssue, 1);

  issue->issue_index = review->issues->len;
  issue->severity = g_strdup (severity);
  issue->description = g_strdup (description);
  issue->rationale = g_strdup (rationale);
  issue->resolution_guidance = g_strdup (guidance);
  issue->target_section = g_strdup (section);
  g_ptr_array_add (review->issues, issue);
  return issue;
}

static void
store_review (PwTestFixture *f,
              PwReview      *review)
{
  g_autoptr(GError) error = NULL;
  gint64 id = pw_store_add_review (f->store, f->id, review, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
}

static void
add_disposition (PwTestFixture *f,
                 PwReviewIssue *issue,
                 const char    *disposition,
                 const char    *rationale,
                 gboolean       defaulted)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (issue->id, >, 0);
  g_assert_true (pw_store_add_disposition (f->store, issue->id, disposition, rationale,
                                           defaulted, &error));
  g_assert_no_error (error);
}

static void
set_complete (PwTestFixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pw_store_set_phase (f->store, f->id, PW_PHASE_COMPLETE, PW_STATUS_COMPLETE, &error));
  g_assert_no_error (error);
}

/* The session id and message times differ from run to run. */
static char *
normalize (PwTestFixture *f,
           const char    *name,
           const char    *contents)
{
  GString *text = g_string_new (contents);

  if (strcmp (name, "chat.csv") == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) messages = pw_store_list_messages (f->store, f->id, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < messages->len; i++)
        {
          const PwMessage *m = g_ptr_array_index (messages, i);
          g_autofree char *from = g_strdup_printf ("\n%" G_GINT64_FORMAT ",%s,", m->id, m->created_at);
          g_autofree char *to = g_strdup_printf ("\n%" G_GINT64_FORMAT ",<TIMESTAMP>,", m->id);

          g_assert_cmpuint (g_string_replace (text, from, to, 1), ==, 1);
        }
    }

  g_string_replace (text, f->id, "<SESSION>", 0);
  return g_string_free (text, FALSE);
}

/* Compares @name in @dir with tests/core/golden/@prefix-@name;
 * PW_UPDATE_GOLDEN=1 rewrites the golden file instead. */
static void
check_golden (PwTestFixture *f,
              const char    *dir,
              const char    *name,
              const char    *prefix)
{
  g_autofree char *actual_raw = pw_test_read_file (dir, name);
  g_autofree char *actual = normalize (f, name, actual_raw);
  g_autofree char *golden_name = g_strdup_printf ("%s-%s", prefix, name);
  const char *golden_path = g_test_get_filename (G_TEST_DIST, "core", "golden", golden_name, NULL);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (g_getenv ("PW_UPDATE_GOLDEN"), "1") == 0)
    {
      g_assert_true (g_file_set_contents (golden_path, actual, -1, &error));
      g_assert_no_error (error);
      g_test_message ("updated %s", golden_path);
      return;
    }

  g_assert_true (g_file_get_contents (golden_path, &expected, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (actual, ==, expected);
}

/* ------------------------------------------------------------------ */
/* pw_export_session: the a-NN series                                 */
/* ------------------------------------------------------------------ */

/* The complete two-round session of the golden files:
 * draft 1 → round 1 NO_GO (critical accepted, minor deferred by default)
 * → draft 2 (its revision) → round 2 GO → COMPLETE. */
static void
build_golden_session (PwTestFixture *f)
{
  g_autoptr(PwReview) r1 = NULL;
  g_autoptr(PwReview) r2 = NULL;
  PwReviewIssue *critical, *minor;
  gint64 run, d1, d2;

  pw_test_add_message (f, "user", "We need a cache, with \"strict\" eviction.");
  pw_test_add_message (f, "assistant", "Agreed.\nTwo questions:\r\n1) size, 2) TTL?");
  pw_test_add_message (f, "user", "plain");
  pw_test_add_message (f, "assistant", "ünïcödé — and a trailing newline\n");

  pw_test_add_context (f, "synthesis", "synthesis-1", "The user wants an LRU cache.\n");
  pw_test_add_context (f, "file", "/repo/src/cache.c", "/* cache */\nint cache_get (void);\n");
  pw_test_add_context (f, "note", "note-1", "Keep the API small.");
  pw_test_add_context (f, "file", "/repo/README.md", "\n\n# Readme\n\nText.\n\n");
  pw_test_add_context (f, "note", "note-2", "");

  d1 = pw_test_add_draft (f, "# Cache plan\n\n## Milestone 1\n\nBuild it.\n", "planner", -1);

  run = add_run (f, "{\"fast_mode\": false, \"max_rounds\": 8}");
  r1 = new_review (run, d1, 1, "NO_GO", "The plan misses eviction.\n",
                   "[\"Milestone layout\", \"Clear scope\\nacross two lines\"]",
                   "[\"Benchmarks\"]");
  critical = review_add_issue (r1, "critical", "No eviction policy",
                               "Memory grows without bound.", "Add an LRU milestone.",
                               "Milestone 1");
  minor = review_add_issue (r1, "minor", "Typo in title", "", "", "");
  store_review (f, r1);
  add_disposition (f, critical, "ACCEPT", "Real risk.", FALSE);
  add_disposition (f, minor, "DEFER", NULL, TRUE);

  d2 = pw_test_add_draft (f, "# Cache plan\n\n## Milestone 1\n\nBuild it.\n\n## Milestone 2\n\nLRU eviction.\n",
                          "planner", 1);

  r2 = new_review (run, d2, 2, "GO", "", "[]", "[]");
  store_review (f, r2);

  set_complete (f);
}

static void
test_export_golden (PwTestFixture *f,
                    gconstpointer  data)
{
  static const char *expected[] = {
    "chat.csv", "context-summary.md", "plan-draft-1.md", "plan-draft-2.md",
    "a-01-plan.md", "a-02-review.md", "a-03-plan.md", "a-04-review.md", "a-05-plan-final.md",
  };
  g_autofree char *dir = pw_test_export_dir (f, "golden");
  g_autoptr(GPtrArray) names = NULL;

  build_golden_session (f);
  names = pw_test_export_to (f, dir);

  pw_test_assert_names (names, "chat.csv context-summary.md plan-draft-1.md plan-draft-2.md"
                       " a-01-plan.md a-02-review.md a-03-plan.md a-04-review.md a-05-plan-final.md");
  pw_test_assert_dir_holds_exactly (dir, names);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    check_golden (f, dir, expected[i], "complete");
}

static void
test_export_reviews (PwTestFixture *f,
                     gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "reviews");
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *review = NULL;
  g_autofree char *a01 = NULL;
  g_autofree char *a03 = NULL;
  g_autofree char *final = NULL;
  g_autofree char *d1 = NULL;
  g_autofree char *d2 = NULL;

  build_golden_session (f);
  names = pw_test_export_to (f, dir);
  pw_test_assert_names (names, "chat.csv context-summary.md plan-draft-1.md plan-draft-2.md"
                       " a-01-plan.md a-02-review.md a-03-plan.md a-04-review.md a-05-plan-final.md");

  review = pw_test_read_file (dir, "a-02-review.md");
  g_assert_true (g_str_has_prefix (review, "# Review — Round 1\n"));
  g_assert_nonnull (strstr (review, "**Verdict:** NO_GO"));
  g_assert_nonnull (strstr (review, "### 1. [CRITICAL] No eviction policy"));
  g_assert_nonnull (strstr (review, "**Disposition:** ACCEPT — Real risk."));
  g_assert_nonnull (strstr (review, "### 2. [MINOR] Typo in title"));
  g_assert_nonnull (strstr (review, "**Disposition:** DEFER (defaulted)\n"));
  g_assert_null (strstr (review, "[FAST MODE]"));

  d1 = pw_test_read_file (dir, "plan-draft-1.md");
  d2 = pw_test_read_file (dir, "plan-draft-2.md");
  a01 = pw_test_read_file (dir, "a-01-plan.md");
  a03 = pw_test_read_file (dir, "a-03-plan.md");
  final = pw_test_read_file (dir, "a-05-plan-final.md");
  g_assert_cmpstr (a01, ==, d1);
  g_assert_cmpstr (a03, ==, d2);
  g_assert_cmpstr (final, ==, d2);
}

/* planner-auto's position-based labels go wrong after two generate runs;
 * ours follow the stored links. */
static void
test_export_reviews_follow_links (PwTestFixture *f,
                                  gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "links");
  g_autoptr(PwReview) r1 = NULL;
  g_autoptr(PwReview) r2 = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *a01 = NULL;
  g_autofree char *a03 = NULL;
  g_autofree char *a05 = NULL;
  gint64 run, d2, d3;

  pw_test_add_draft (f, "stale first generate", "planner", -1);
  d2 = pw_test_add_draft (f, "second generate", "planner", -1);
  run = add_run (f, "{}");
  r1 = new_review (run, d2, 1, "NO_GO", "s1", "[]", "[]");
  store_review (f, r1);
  d3 = pw_test_add_draft (f, "revision of round 1", "planner", 1);
  r2 = new_review (run, d3, 2, "NO_GO", "s2", "[]", "[]");
  store_review (f, r2);
  pw_test_add_draft (f, "revision of round 2", "planner", 2);

  /* Not COMPLETE: no final file */
  names = pw_test_export_to (f, dir);
  pw_test_assert_names (names, "chat.csv context-summary.md plan-draft-1.md plan-draft-2.md"
                       " plan-draft-3.md plan-draft-4.md"
                       " a-01-plan.md a-02-review.md a-03-plan.md a-04-review.md a-05-plan.md");

  a01 = pw_test_read_file (dir, "a-01-plan.md");
  a03 = pw_test_read_file (dir, "a-03-plan.md");
  a05 = pw_test_read_file (dir, "a-05-plan.md");
  g_assert_cmpstr (a01, ==, "second generate");
  g_assert_cmpstr (a03, ==, "revision of round 1");
  g_assert_cmpstr (a05, ==, "revision of round 2");
}

/* A hand edit between rounds: round 2 reviewed the user's draft, not the
 * planner's revision, and a-03 shows what round 2 actually saw. */
static void
test_export_reviews_hand_edit (PwTestFixture *f,
                               gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "hand-edit");
  g_autoptr(PwReview) r1 = NULL;
  g_autoptr(PwReview) r2 = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *a03 = NULL;
  g_autofree char *final = NULL;
  gint64 run, d1, d3;

  d1 = pw_test_add_draft (f, "one", "planner", -1);
  run = add_run (f, "{}");
  r1 = new_review (run, d1, 1, "NO_GO", "", "[]", "[]");
  store_review (f, r1);
  pw_test_add_draft (f, "revision", "planner", 1);
  d3 = pw_test_add_draft (f, "hand edit", "user", -1);
  r2 = new_review (run, d3, 2, "GO", "", "[]", "[]");
  store_review (f, r2);
  set_complete (f);

  names = pw_test_export_to (f, dir);
  pw_test_assert_names (names, "chat.csv context-summary.md plan-draft-1.md plan-draft-2.md plan-draft-3.md"
                       " a-01-plan.md a-02-review.md a-03-plan.md a-04-review.md a-05-plan-final.md");
  a03 = pw_test_read_file (dir, "a-03-plan.md");
  final = pw_test_read_file (dir, "a-05-plan-final.md");
  g_assert_cmpstr (a03, ==, "hand edit");
  g_assert_cmpstr (final, ==, "hand edit");
}

/* Reviews without a stored draft link (older data) fall back to the
 * first draft and to each round's own revision. */
static void
test_export_reviews_unlinked (PwTestFixture *f,
                              gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "unlinked");
  g_autoptr(PwReview) r1 = NULL;
  g_autoptr(PwReview) r2 = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *a01 = NULL;
  g_autofree char *a03 = NULL;
  g_autofree char *a05 = NULL;

  pw_test_add_draft (f, "first", "planner", -1);
  r1 = new_review (0, 0, 1, "NO_GO", "", "[]", "[]");
  store_review (f, r1);
  pw_test_add_draft (f, "rev 1", "planner", 1);
  r2 = new_review (0, 0, 2, "NO_GO", "", "[]", "[]");
  store_review (f, r2);
  pw_test_add_draft (f, "rev 2", "planner", 2);

  names = pw_test_export_to (f, dir);
  pw_test_assert_names (names, "chat.csv context-summary.md plan-draft-1.md plan-draft-2.md plan-draft-3.md"
                       " a-01-plan.md a-02-review.md a-03-plan.md a-04-review.md a-05-plan.md");
  a01 = pw_test_read_file (dir, "a-01-plan.md");
  a03 = pw_test_read_file (dir, "a-03-plan.md");
  a05 = pw_test_read_file (dir, "a-05-plan.md");
  g_assert_cmpstr (a01, ==, "first");
  g_assert_cmpstr (a03, ==, "rev 1");
  g_assert_cmpstr (a05, ==, "rev 2");
}

static void
test_export_complete_without_reviews (PwTestFixture *f,
                                      gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "no-reviews");
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *final = NULL;

  pw_test_add_draft (f, "only", "planner", -1);
  pw_test_add_draft (f, "newest", "user", -1);
  set_complete (f);

  names = pw_test_export_to (f, dir);
  pw_test_assert_names (names, "chat.csv context-summary.md plan-draft-1.md plan-draft-2.md a-01-plan-final.md");
  final = pw_test_read_file (dir, "a-01-plan-final.md");
  g_assert_cmpstr (final, ==, "newest");
}

static void
test_export_fast (PwTestFixture *f,
                  gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "fast");
  g_autoptr(PwReview) r1 = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *draft = NULL;
  gint64 run, d1;

  d1 = pw_test_add_draft (f, "plan A\n", "planner", -1);
  run = add_run (f, "{\"fast_mode\": true}");
  r1 = new_review (run, d1, 1, "NO_GO", "", "[]", "[]");
  review_add_issue (r1, "major", "Vague", "", "", "");
  store_review (f, r1);
  pw_test_add_draft (f, "plan B\n", "planner", 1);
  set_complete (f);

  names = pw_test_export_to (f, dir);
  pw_test_assert_names (names, "chat.csv context-summary.md plan-draft-1.md plan-draft-2.md"
                       " a-01-plan.md a-02-review.md a-03-plan.md a-03-plan-final.md");
  for (guint i = 4; i < names->len; i++)
    {
      g_autofree char *text = pw_test_read_file (dir, g_ptr_array_index (names, i));

      g_assert_true (g_str_has_prefix (text, "[FAST MODE]\n\n"));
      g_assert_false (g_str_has_prefix (text, "[FAST MODE]\n\n\n"));
    }

  {
    g_autofree char *a01 = pw_test_read_file (dir, "a-01-plan.md");
    g_autofree char *a02 = pw_test_read_file (dir, "a-02-review.md");
    g_autofree char *a03 = pw_test_read_file (dir, "a-03-plan-final.md");

    g_assert_cmpstr (a01, ==, "[FAST MODE]\n\nplan A\n");
    g_assert_true (g_str_has_prefix (a02, "[FAST MODE]\n\n# Review — Round 1\n"));
    g_assert_cmpstr (a03, ==, "[FAST MODE]\n\nplan B\n");
  }

  /* Only the a-NN series is marked; the plain drafts stay raw. */
  draft = pw_test_read_file (dir, "plan-draft-1.md");
  g_assert_cmpstr (draft, ==, "plan A\n");
}

static void
test_export_keep_trim (PwTestFixture *f,
                       gconstpointer  data)
{
  static const struct {
    const char *keep;
    const char *trim;
    const char *expected_tail;
  } cases[] = {
    { "[\"a\", \"b\"]", "[\"c\"]", "## Keep\n\n- a\n- b\n\n## Trim\n\n- c\n" },
    { "[]", "[\"only trim\"]", "**Verdict:** GO\n\n## Trim\n\n- only trim\n" },
    /* Wrong shapes (the store only insists on valid JSON): no section,
     * no crash. Text that is not JSON at all is covered by the same
     * parser path and cannot be stored. */
    { "{\"keep\": [\"x\"]}", "\"a string\"", "**Verdict:** GO\n" },
    { "42", "null", "**Verdict:** GO\n" },
    { "true", "[[\"nested\"], {}]", "**Verdict:** GO\n" },
    /* Non-strings and blank strings inside an array are skipped */
    { "[1, \"kept\", null, \"  \", true]", "[]", "## Keep\n\n- kept\n" },
    { "[\"multi\\nline\\n\"]", "[]", "## Keep\n\n- multi\n  line\n" },
  };
  gint64 d1 = pw_test_add_draft (f, "plan", "planner", -1);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PwReview) review = new_review (0, d1, (gint) i + 1, "GO", "",
                                               cases[i].keep, cases[i].trim);
      store_review (f, review);
    }

  {
    g_autofree char *dir = pw_test_export_dir (f, "keep-trim");
    g_autoptr(GPtrArray) names = pw_test_export_to (f, dir);

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *name = g_strdup_printf ("a-%02u-review.md", 2 * (i + 1));
        g_autofree char *text = pw_test_read_file (dir, name);

        g_assert_true (g_str_has_suffix (text, cases[i].expected_tail));
      }
  }
}

/* 50 rounds need "a-101-…": every name of that export gets 3 digits. */
static void
test_export_wide_numbers (PwTestFixture *f,
                          gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "wide");
  g_autoptr(GPtrArray) names = NULL;
  gint64 draft = pw_test_add_draft (f, "r0", "planner", -1);
  g_autoptr(GError) error = NULL;

  g_assert_true (pw_store_begin (f->store, &error));
  g_assert_no_error (error);
  for (gint round = 1; round <= 50; round++)
    {
      g_autoptr(PwReview) review = new_review (0, draft, round, "NO_GO", "", "[]", "[]");
      g_autofree char *text = g_strdup_printf ("r%d", round);

      store_review (f, review);
      draft = pw_test_add_draft (f, text, "planner", round);
    }
  g_assert_true (pw_store_commit (f->store, &error));
  g_assert_no_error (error);
  set_complete (f);

  names = pw_test_export_to (f, dir);
  g_assert_cmpuint (names->len, ==, 2 + 51 + 1 + 100 + 1);
  g_assert_cmpstr (g_ptr_array_index (names, 53), ==, "a-001-plan.md");
  g_assert_cmpstr (g_ptr_array_index (names, 54), ==, "a-002-review.md");
  g_assert_cmpstr (g_ptr_array_index (names, 153), ==, "a-101-plan.md");
  g_assert_cmpstr (g_ptr_array_index (names, 154), ==, "a-101-plan-final.md");
  for (guint i = 53; i < names->len; i++)
    g_assert_cmpuint (strspn ((const char *) g_ptr_array_index (names, i) + 2, "0123456789"), ==, 3);

  {
    g_autofree char *a51 = pw_test_read_file (dir, "a-051-plan.md");

    g_assert_cmpstr (a51, ==, "r25");
  }
}

static void
test_export_idempotent (PwTestFixture *f,
                        gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "twice");
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func (g_free);

  build_golden_session (f);
  first = pw_test_export_to (f, dir);
  for (guint i = 0; i < first->len; i++)
    g_ptr_array_add (contents, pw_test_read_file (dir, g_ptr_array_index (first, i)));

  second = pw_test_export_to (f, dir);
  g_assert_cmpuint (first->len, ==, second->len);
  for (guint i = 0; i < second->len; i++)
    {
      g_autofree char *text = pw_test_read_file (dir, g_ptr_array_index (second, i));

      g_assert_cmpstr (g_ptr_array_index (first, i), ==, g_ptr_array_index (second, i));
      g_assert_cmpstr (text, ==, g_ptr_array_index (contents, i));
    }
  pw_test_assert_dir_holds_exactly (dir, second);
}

/* ------------------------------------------------------------------ */
/* Hand-off                                                           */
/* ------------------------------------------------------------------ */

static char *
handoff (PwTestFixture *f,
         const char    *session_id,
         const char    *repo_root)
{
  g_autoptr(GError) error = NULL;
  char *path = pw_export_handoff (f->store, session_id, repo_root, &error);

  g_assert_no_error (error);
  g_assert_nonnull (path);
  return path;
}

static char *
plans_dir (const char *repo)
{
  return g_build_filename (repo, ".kafra", "a-01-plans", NULL);
}

static void
test_handoff_basic (PwTestFixture *f,
                    gconstpointer  data)
{
  g_autofree char *repo = g_build_filename (f->root, "repo", NULL);
  g_autofree char *expected_path = g_build_filename (repo, ".kafra", "a-01-plans", "demo.md", NULL);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *dir = plans_dir (repo);
  g_autoptr(GPtrArray) entries = NULL;

  pw_test_add_draft (f, "old plan", "planner", -1);
  pw_test_add_draft (f, "# Final plan\n\nShip it.\n", "planner", 1);

  path = handoff (f, f->id, repo);
  g_assert_cmpstr (path, ==, expected_path);
  g_assert_true (g_path_is_absolute (path));
  text = pw_test_read_file (dir, "demo.md");
  g_assert_cmpstr (text, ==, "# Final plan\n\nShip it.\n");

  entries = pw_test_list_dir (dir);
  g_assert_cmpuint (entries->len, ==, 1);
}

static void
test_handoff_relative_and_session_root (PwTestFixture *f,
                                        gconstpointer  data)
{
  g_autofree char *repo = g_build_filename (f->root, "session-repo", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *sid = new_session (f, "proj", repo);
  g_autofree char *path = NULL;
  g_autofree char *expected = g_build_filename (repo, ".kafra", "a-01-plans", "proj.md", NULL);

  pw_test_add_draft_to (f, sid, "plan", "planner", -1);

  /* No root given: the session's own */
  path = handoff (f, sid, NULL);
  g_assert_cmpstr (path, ==, expected);
  g_clear_pointer (&path, g_free);

  /* A relative root comes back absolute */
  g_assert_cmpint (g_chdir (f->root), ==, 0);
  path = handoff (f, sid, "session-repo");
  g_assert_cmpint (g_chdir (cwd), ==, 0);
  g_assert_cmpstr (path, ==, expected);
}

static GPtrArray *
backups_in (const char *dir,
            const char *name)
{
  g_autoptr(GPtrArray) entries = pw_test_list_dir (dir);
  g_autofree char *pattern = g_strdup_printf ("^%s\\.bak-[0-9]{8}T[0-9]{6}Z(-[0-9]+)?$", name);
  GPtrArray *backups = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < entries->len; i++)
    if (g_regex_match_simple (pattern, g_ptr_array_index (entries, i), 0, 0))
      g_ptr_array_add (backups, g_strdup (g_ptr_array_index (entries, i)));
  g_ptr_array_sort (backups, pw_test_compare_strings);
  return backups;
}

static void
test_handoff_backup (PwTestFixture *f,
                     gconstpointer  data)
{
  g_autofree char *repo = g_build_filename (f->root, "repo", NULL);
  g_autofree char *dir = plans_dir (repo);
  g_autofree char *target = g_build_filename (dir, "demo.md", NULL);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (target, "someone's own plan", -1, &error));
  g_assert_no_error (error);

  pw_test_add_draft (f, "new plan", "planner", -1);
  path = handoff (f, f->id, repo);
  text = pw_test_read_file (dir, "demo.md");
  g_assert_cmpstr (text, ==, "new plan");
  g_clear_pointer (&text, g_free);

  backups = backups_in (dir, "demo.md");
  g_assert_cmpuint (backups->len, ==, 1);
  text = pw_test_read_file (dir, g_ptr_array_index (backups, 0));
  g_assert_cmpstr (text, ==, "someone's own plan");
  g_clear_pointer (&text, g_free);
  g_clear_pointer (&backups, g_ptr_array_unref);
  g_clear_pointer (&path, g_free);

  /* A second, different hand-off (probably within the same second)
   * keeps the first backup. */
  pw_test_add_draft (f, "newer plan", "planner", -1);
  path = handoff (f, f->id, repo);
  text = pw_test_read_file (dir, "demo.md");
  g_assert_cmpstr (text, ==, "newer plan");

  backups = backups_in (dir, "demo.md");
  g_assert_cmpuint (backups->len, ==, 2);
  {
    g_autofree char *b0 = pw_test_read_file (dir, g_ptr_array_index (backups, 0));
    g_autofree char *b1 = pw_test_read_file (dir, g_ptr_array_index (backups, 1));

    g_assert_true ((g_strcmp0 (b0, "someone's own plan") == 0 && g_strcmp0 (b1, "new plan") == 0) ||
                   (g_strcmp0 (b1, "someone's own plan") == 0 && g_strcmp0 (b0, "new plan") == 0));
  }

  /* Only the plan and its backups: no temp files */
  entries = pw_test_list_dir (dir);
  g_assert_cmpuint (entries->len, ==, 3);
}

/* Backups already taken for this second (and the next, should the clock
 * tick meanwhile) are kept: the new one gets a "-N" suffix. */
static void
test_handoff_backup_collision (PwTestFixture *f,
                               gconstpointer  data)
{
  g_autofree char *repo = g_build_filename (f->root, "repo", NULL);
  g_autofree char *dir = plans_dir (repo);
  g_autofree char *target = g_build_filename (dir, "demo.md", NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) next = g_date_time_add_seconds (now, 1);
  g_autofree char *stamp_now = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *stamp_next = g_date_time_format (next, "%Y%m%dT%H%M%SZ");
  g_autofree char *taken_now = g_strdup_printf ("%s.bak-%s", target, stamp_now);
  g_autofree char *taken_next = g_strdup_printf ("%s.bak-%s", target, stamp_next);
  g_autofree char *path = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (target, "old", -1, &error));
  g_assert_true (g_file_set_contents (taken_now, "backup A", -1, &error));
  g_assert_true (g_file_set_contents (taken_next, "backup B", -1, &error));
  g_assert_no_error (error);

  pw_test_add_draft (f, "new", "planner", -1);
  path = handoff (f, f->id, repo);

  g_assert_true (g_file_get_contents (taken_now, &a, NULL, &error));
  g_assert_true (g_file_get_contents (taken_next, &b, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (a, ==, "backup A");
  g_assert_cmpstr (b, ==, "backup B");

  backups = backups_in (dir, "demo.md");
  g_assert_cmpuint (backups->len, ==, 3);
  for (guint i = 0; i < backups->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (backups, i), "-2"))
      {
        g_autofree char *text = pw_test_read_file (dir, g_ptr_array_index (backups, i));

        g_assert_cmpstr (text, ==, "old");
        return;
      }
  g_assert_not_reached ();
}

static void
test_handoff_identical (PwTestFixture *f,
                        gconstpointer  data)
{
  g_autofree char *repo = g_build_filename (f->root, "repo", NULL);
  g_autofree char *dir = plans_dir (repo);
  g_autofree char *target = g_build_filename (dir, "demo.md", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf before, after;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (target, "same plan\n", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (target, &before), ==, 0);

  pw_test_add_draft (f, "same plan\n", "planner", -1);
  path = handoff (f, f->id, repo);
  g_assert_cmpstr (path, ==, target);

  /* Not rewritten: an atomic write would have made a new inode. */
  g_assert_cmpint (g_stat (target, &after), ==, 0);
  g_assert_cmpuint (before.st_ino, ==, after.st_ino);
  entries = pw_test_list_dir (dir);
  g_assert_cmpuint (entries->len, ==, 1);
}

/* A repository can hold a link at the hand-off name pointing anywhere:
 * the link is replaced (and kept as the backup), never written through. */
static void
test_handoff_symlink (PwTestFixture *f,
                      gconstpointer  data)
{
  g_autofree char *repo = g_build_filename (f->root, "repo", NULL);
  g_autofree char *dir = plans_dir (repo);
  g_autofree char *target = g_build_filename (dir, "demo.md", NULL);
  g_autofree char *outside = g_build_filename (f->root, "precious.txt", NULL);
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autofree char *backup = NULL;
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (outside, "precious", -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (symlink (outside, target), ==, 0);

  pw_test_add_draft (f, "plan", "planner", -1);
  path = handoff (f, f->id, repo);

  text = pw_test_read_file (f->root, "precious.txt");
  g_assert_cmpstr (text, ==, "precious");
  g_clear_pointer (&text, g_free);

  g_assert_cmpint (g_lstat (target, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  text = pw_test_read_file (dir, "demo.md");
  g_assert_cmpstr (text, ==, "plan");

  backups = backups_in (dir, "demo.md");
  g_assert_cmpuint (backups->len, ==, 1);
  backup = g_build_filename (dir, g_ptr_array_index (backups, 0), NULL);
  g_assert_cmpint (g_lstat (backup, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
}

static void
test_handoff_hostile_names (PwTestFixture *f,
                            gconstpointer  data)
{
  static const struct {
    const char *project;
    const char *file;
  } cases[] = {
    { "../x", "___x.md" },
    { "a/b", "a_b.md" },
    { "..", "__.md" },
    { ".", "_.md" },
    { "", "plan.md" },
    { "../../../../etc/passwd", "___.._.._.._etc_passwd.md" },
  };
  g_autofree char *repo = g_build_filename (f->root, "repo", NULL);
  g_autofree char *dir = plans_dir (repo);
  g_autofree char *kafra = g_build_filename (repo, ".kafra", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *sid = new_session (f, cases[i].project, NULL);
      g_autofree char *path = NULL;
      g_autofree char *expected = g_build_filename (dir, cases[i].file, NULL);
      g_autofree char *parent = NULL;

      pw_test_add_draft_to (f, sid, cases[i].project, "planner", -1);
      path = handoff (f, sid, repo);
      g_assert_cmpstr (path, ==, expected);
      parent = g_path_get_dirname (path);
      g_assert_cmpstr (parent, ==, dir);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }

  /* Nothing escaped: .kafra holds only a-01-plans, which holds only files. */
  {
    g_autoptr(GPtrArray) top = pw_test_list_dir (kafra);
    g_autoptr(GPtrArray) inside = pw_test_list_dir (dir);
    g_autofree char *joined = pw_test_join_names (top);

    g_assert_cmpstr (joined, ==, "a-01-plans");
    g_assert_cmpuint (inside->len, ==, G_N_ELEMENTS (cases));
    for (guint i = 0; i < inside->len; i++)
      {
        g_autofree char *p = g_build_filename (dir, g_ptr_array_index (inside, i), NULL);

        g_assert_true (g_file_test (p, G_FILE_TEST_IS_REGULAR));
      }
  }
}

static void
test_handoff_errors (PwTestFixture *f,
                     gconstpointer  data)
{
  g_autofree char *repo = g_build_filename (f->root, "repo", NULL);
  g_autoptr(GError) error = NULL;
  char *path;

  /* No draft: nothing is created */
  path = pw_export_handoff (f->store, f->id, repo, &error);
  g_assert_null (path);
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==,
                   "the session has no plan draft (run 'generate' or 'draft' first)");
  g_assert_false (g_file_test (repo, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  /* No repository anywhere */
  pw_test_add_draft (f, "plan", "planner", -1);
  path = pw_export_handoff (f->store, f->id, NULL, &error);
  g_assert_null (path);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Unknown session */
  path = pw_export_handoff (f->store, "ffffffff", repo, &error);
  g_assert_null (path);
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, PwTestFixture, NULL, pw_test_fixture_set_up, func, pw_test_fixture_tear_down)

  ADD ("/export/session/golden", test_export_golden);
  ADD ("/export/session/reviews", test_export_reviews);
  ADD ("/export/session/reviews/links", test_export_reviews_follow_links);
  ADD ("/export/session/reviews/hand-edit", test_export_reviews_hand_edit);
  ADD ("/export/session/reviews/unlinked", test_export_reviews_unlinked);
  ADD ("/export/session/reviews/complete-without-reviews", test_export_complete_without_reviews);
  ADD ("/export/session/reviews/fast", test_export_fast);
  ADD ("/export/session/reviews/keep-trim", test_export_keep_trim);
  ADD ("/export/session/reviews/wide-numbers", test_export_wide_numbers);
  ADD ("/export/session/idempotent", test_export_idempotent);
  ADD ("/export/handoff/basic", test_handoff_basic);
  ADD ("/export/handoff/roots", test_handoff_relative_and_session_root);
  ADD ("/export/handoff/backup", test_handoff_backup);
  ADD ("/export/handoff/backup-collision", test_handoff_backup_collision);
  ADD ("/export/handoff/identical", test_handoff_identical);
  ADD ("/export/handoff/symlink", test_handoff_symlink);
  ADD ("/export/handoff/hostile-names", test_handoff_hostile_names);
  ADD ("/export/handoff/errors", test_handoff_errors);

#undef ADD

  return g_test_run ();
}
