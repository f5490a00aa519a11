/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store: CRUD, blockers, counts, transactions, ids and search. */

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "pw-store.h"
#include "pw-test-db.h"

/* ---- helpers ---------------------------------------------------------- */

static void
assert_iso8601_utc (const char *stamp)
{
  g_autoptr(GDateTime) parsed = NULL;

  g_assert_nonnull (stamp);
  parsed = g_date_time_new_from_iso8601 (stamp, NULL);
  if (parsed == NULL)
    pw_test_report_failure ("\"%s\" is not ISO 8601 with a zone", stamp);
  else
    g_assert_cmpint (g_date_time_get_utc_offset (parsed), ==, 0);
}

static void
assert_session_id (const char *id)
{
  g_assert_nonnull (id);
  g_assert_cmpuint (strlen (id), ==, 8);
  for (const char *c = id; *c != '\0'; c++)
    if (!(g_ascii_isdigit (*c) || (*c >= 'a' && *c <= 'f')))
      pw_test_report_failure ("session id \"%s\" is not lowercase hex", id);
}

static char *
sha256_of (const char *text)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);
}

static PwReviewIssue *
make_issue (gint        index,
            const char *severity,
            const char *description)
{
  PwReviewIssue *issue = g_new0 (PwReviewIssue, 1);

  issue->issue_index = index;
  issue->severity = g_strdup (severity);
  issue->description = g_strdup (description);
  issue->rationale = g_strdup_printf ("why %d", index);
  issue->resolution_guidance = g_strdup_printf ("fix %d", index);
  issue->target_section = g_strdup_printf ("Section %d", index);
  return issue;
}

static PwReview *
make_review (gint        round,
             const char *verdict,
             gint64      draft_id,
             gint64      run_id,
             guint       n_issues)
{
  static const char *severities[] = { "critical", "major", "minor" };
  PwReview *review = g_new0 (PwReview, 1);

  review->round_number = round;
  review->verdict = g_strdup (verdict);
  review->draft_id = draft_id;
  review->run_id = run_id;
  review->summary = g_strdup_printf ("summary of round %d", round);
  review->keep_json = g_strdup ("[\"keep this\"]");
  review->trim_json = g_strdup ("[]");
  review->parse_mode = g_strdup ("json");
  review->raw_response = g_strdup ("{\"raw\": true}");
  review->reviewer_model = g_strdup ("reviewer-x");
  review->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_review_issue_free);
  for (guint i = 0; i < n_issues; i++)
    {
      g_autofree char *description = g_strdup_printf ("issue %u of round %d", i, round);

      g_ptr_array_add (review->issues,
                       make_issue (i, severities[i % 3], description));
    }
  return review;
}

static gint64
add_draft (PwStore    *store,
           const char *session_id,
           const char *content,
           gint       *out_number)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = pw_store_add_draft (store, session_id, content, "planner", -1, "planner-m", 0,
                           NULL, out_number, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* ---- sessions --------------------------------------------------------- */

static void
test_session_create_get (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr(PwSessionInfo) info = NULL;

  g_assert_true (pw_store_create_session (store, "alpha", "/tmp/repo", "{\"model\":\"m1\"}",
                                          &id, &error));
  g_assert_no_error (error);
  assert_session_id (id);

  info = pw_store_get_session (store, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->id, ==, id);
  g_assert_cmpstr (info->project, ==, "alpha");
  g_assert_cmpint (info->phase, ==, PW_PHASE_SETUP);
  g_assert_cmpint (info->status, ==, PW_STATUS_ACTIVE);
  g_assert_cmpstr (info->repo_root, ==, "/tmp/repo");
  g_assert_false (info->archived);
  assert_iso8601_utc (info->created_at);
  assert_iso8601_utc (info->updated_at);
}

static void
test_session_create_config (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *config = NULL;
  gint64 config_id = 0;

  /* The config given at start is the session's first snapshot. */
  g_assert_true (pw_store_create_session (store, "configured", NULL, "{\"model\":\"m1\"}",
                                          &id, &error));
  g_assert_no_error (error);
  config = pw_store_get_config (store, id, &config_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config, ==, "{\"model\":\"m1\"}");
  g_assert_cmpint (config_id, >, 0);
}

static void
test_session_ids_unique (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (pw_store_begin (store, &error));
  for (guint i = 0; i < 200; i++)
    {
      char *id = pw_test_create_session (store, "many");

      assert_session_id (id);
      g_assert_false (g_hash_table_contains (seen, id));
      g_hash_table_add (seen, id);
    }
  g_assert_true (pw_store_commit (store, &error));
  g_assert_no_error (error);
}

static void
test_session_get_unknown (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;

  info = pw_store_get_session (store, "0badf00d", &error);
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
  g_assert_null (info);
  g_clear_error (&error);

  g_assert_false (pw_store_set_phase (store, "0badf00d", PW_PHASE_REVIEW,
                                      PW_STATUS_ACTIVE, &error));
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (pw_store_delete_session (store, "0badf00d", &error));
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
}

static void
test_session_list (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) paused = NULL;
  g_autoptr(GPtrArray) active = NULL;
  g_autoptr(GPtrArray) beta = NULL;
  g_autoptr(GPtrArray) beta_paused = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  PwStatus status;

  /* Creation times have millisecond resolution: keep them apart. */
  first = pw_test_create_session (store, "alpha");
  g_usleep (20 * 1000);
  second = pw_test_create_session (store, "beta");
  g_usleep (20 * 1000);
  third = pw_test_create_session (store, "beta");

  all = pw_store_list_sessions (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (((PwSessionInfo *) all->pdata[0])->id, ==, third);
  g_assert_cmpstr (((PwSessionInfo *) all->pdata[1])->id, ==, second);
  g_assert_cmpstr (((PwSessionInfo *) all->pdata[2])->id, ==, first);

  g_assert_true (pw_store_set_phase (store, second, PW_PHASE_REVIEW, PW_STATUS_PAUSED, &error));
  g_assert_no_error (error);

  status = PW_STATUS_PAUSED;
  paused = pw_store_list_sessions (store, &status, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (paused->len, ==, 1);
  g_assert_cmpstr (((PwSessionInfo *) paused->pdata[0])->id, ==, second);
  g_assert_cmpint (((PwSessionInfo *) paused->pdata[0])->phase, ==, PW_PHASE_REVIEW);

  status = PW_STATUS_ACTIVE;
  active = pw_store_list_sessions (store, &status, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (active->len, ==, 2);

  beta = pw_store_list_sessions (store, NULL, "beta", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (beta->len, ==, 2);
  for (guint i = 0; i < beta->len; i++)
    g_assert_cmpstr (((PwSessionInfo *) beta->pdata[i])->project, ==, "beta");

  status = PW_STATUS_PAUSED;
  beta_paused = pw_store_list_sessions (store, &status, "beta", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (beta_paused->len, ==, 1);

  none = pw_store_list_sessions (store, NULL, "gamma", &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_session_set_phase (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "phases");
  g_autoptr(GError) error = NULL;

  for (PwPhase phase = PW_PHASE_SETUP; phase < PW_N_PHASES; phase++)
    {
      g_autoptr(PwSessionInfo) info = NULL;
      PwStatus status = phase == PW_PHASE_COMPLETE ? PW_STATUS_COMPLETE : PW_STATUS_ACTIVE;

      g_assert_true (pw_store_set_phase (store, id, phase, status, &error));
      g_assert_no_error (error);
      info = pw_store_get_session (store, id, &error);
      g_assert_no_error (error);
      g_assert_cmpint (info->phase, ==, phase);
      g_assert_cmpint (info->status, ==, status);
      g_assert_cmpstr (info->updated_at, >=, info->created_at);
    }
}

static void
test_session_archived (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "archive me");
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;

  g_assert_true (pw_store_set_archived (store, id, TRUE, &error));
  g_assert_no_error (error);
  info = pw_store_get_session (store, id, &error);
  g_assert_no_error (error);
  g_assert_true (info->archived);
}

static void
test_session_delete_cascades (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autofree char *id = pw_test_create_session (store, "doomed zebra");
  g_autofree char *other = pw_test_create_session (store, "survivor");
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwReview) review = NULL;
  g_autoptr(GPtrArray) found = NULL;
  PwUsage usage = { .session_id = id, .purpose = "discussion", .provider = "anthropic",
                    .model = "m", .cost_known = TRUE, .cost_usd = 0.1, .latency_ms = 5,
                    .attempts = 1 };
  gint64 draft_id, run_id;
  static const char *tables[] = {
    "messages", "context_entries", "session_config", "usage", "plan_drafts",
    "review_runs", "reviews", "blockers", "search_index",
  };

  g_assert_cmpint (pw_store_add_message (store, id, "user", "zebra talk", NULL, &error), >, 0);
  g_assert_cmpint (pw_store_add_message (store, other, "user", "keep me", NULL, &error), >, 0);
  g_assert_cmpint (pw_store_add_context (store, id, "note", "note-1", "n", NULL, NULL, &error),
                   >, 0);
  g_assert_cmpint (pw_store_add_config (store, id, "{}", &error), >, 0);
  g_assert_cmpint (pw_store_add_usage (store, &usage, &error), >, 0);
  draft_id = add_draft (store, id, "# zebra plan", NULL);
  run_id = pw_store_add_review_run (store, id, "{}", &error);
  g_assert_cmpint (run_id, >, 0);
  review = make_review (1, "NO_GO", draft_id, run_id, 2);
  g_assert_cmpint (pw_store_add_review (store, id, review, &error), >, 0);
  g_assert_true (pw_store_add_disposition (store, ((PwReviewIssue *) review->issues->pdata[0])->id,
                                           "ACCEPT", "yes", FALSE, &error));
  g_assert_cmpint (pw_store_add_blocker (store, id, "reviewer", "why?", &error), >, 0);
  g_assert_no_error (error);

  g_assert_true (pw_store_delete_session (store, id, &error));
  g_assert_no_error (error);

  info = pw_store_get_session (store, id, &error);
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
  g_assert_null (info);
  g_clear_error (&error);

  for (gsize i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      gint64 n = pw_test_raw_count (raw, tables[i], id);

      if (n != 0)
        pw_test_report_failure ("%s still holds %" G_GINT64_FORMAT " row(s) of the deleted session",
                                tables[i], n);
    }
  g_assert_cmpint (pw_test_raw_count (raw, "review_issues", NULL), ==, 0);
  g_assert_cmpint (pw_test_raw_count (raw, "dispositions", NULL), ==, 0);

  /* The other session is untouched. */
  g_assert_cmpint (pw_test_raw_count (raw, "messages", other), ==, 1);
  found = pw_store_search (store, "zebra", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 0);
}

/* ---- messages, context, config ---------------------------------------- */

static void
test_messages (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "chat");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  PwMessage *m;
  gint64 first, second, bad;

  first = pw_store_add_message (store, id, "user", "Hello, \"planner\"\nline two", NULL, &error);
  g_assert_no_error (error);
  second = pw_store_add_message (store, id, "assistant", "Hi. ✓", "claude-x", &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, >, first);

  bad = pw_store_add_message (store, id, "system", "not a role", NULL, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == PW_STORE_ERROR);
  g_assert_cmpint (bad, <=, 0);
  g_clear_error (&error);

  messages = pw_store_list_messages (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 2);
  m = messages->pdata[0];
  g_assert_cmpint (m->id, ==, first);
  g_assert_cmpstr (m->role, ==, "user");
  g_assert_cmpstr (m->content, ==, "Hello, \"planner\"\nline two");
  g_assert_null (m->model);
  assert_iso8601_utc (m->created_at);
  m = messages->pdata[1];
  g_assert_cmpint (m->id, ==, second);
  g_assert_cmpstr (m->role, ==, "assistant");
  g_assert_cmpstr (m->content, ==, "Hi. ✓");
  g_assert_cmpstr (m->model, ==, "claude-x");
}

static PwContextEntry *
find_entry (GPtrArray  *entries,
            const char *type)
{
  for (guint i = 0; i < entries->len; i++)
    {
      PwContextEntry *entry = entries->pdata[i];

      if (g_str_equal (entry->entry_type, type))
        return entry;
    }
  return NULL;
}

static void
test_context (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autofree char *id = pw_test_create_session (store, "context");
  g_autofree char *other = pw_test_create_session (store, "other");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) other_entries = NULL;
  g_autofree char *sha_one = sha256_of ("one");
  g_autofree char *sha_two = sha256_of ("two, longer");
  const char *file = "/abs/path/notes.md";
  PwContextEntry *entry;
  gint64 file_id, note_id, bad;

  file_id = pw_store_add_context (store, id, "file", file, "one", file, sha_one, &error);
  g_assert_no_error (error);
  g_assert_cmpint (file_id, >, 0);
  note_id = pw_store_add_context (store, id, "note", "note-1", "remember the milk", NULL, NULL,
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpint (note_id, >, 0);
  g_assert_cmpint (pw_store_add_context (store, other, "file", file, "one", file, sha_one, &error),
                   >, 0);
  g_assert_no_error (error);

  /* Adding the same path again replaces the content: one row, new bytes. */
  g_assert_cmpint (pw_store_add_context (store, id, "file", file, "two, longer", file, sha_two,
                                         &error), >, 0);
  g_assert_no_error (error);

  entries = pw_store_list_context (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  entry = find_entry (entries, "file");
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->name, ==, file);
  g_assert_cmpstr (entry->content, ==, "two, longer");
  g_assert_cmpstr (entry->original_path, ==, file);
  g_assert_cmpstr (entry->sha256, ==, sha_two);
  g_assert_cmpint (entry->size_bytes, ==, strlen ("two, longer"));
  assert_iso8601_utc (entry->created_at);
  assert_iso8601_utc (entry->updated_at);
  g_assert_cmpint (pw_test_raw_int (raw, "SELECT count(*) FROM context_entries WHERE entry_type = 'file'"),
                   ==, 2);  /* one per session */

  entry = find_entry (entries, "note");
  g_assert_nonnull (entry);
  g_assert_cmpint (entry->id, ==, note_id);
  g_assert_cmpstr (entry->name, ==, "note-1");
  g_assert_cmpstr (entry->content, ==, "remember the milk");
  g_assert_null (entry->original_path);
  g_assert_null (entry->sha256);
  g_assert_cmpint (entry->size_bytes, ==, strlen ("remember the milk"));

  /* The other session's copy of the same path is its own. */
  other_entries = pw_store_list_context (store, other, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (other_entries->len, ==, 1);
  g_assert_cmpstr (((PwContextEntry *) other_entries->pdata[0])->content, ==, "one");

  bad = pw_store_add_context (store, id, "image", "x.png", "x", NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_cmpint (bad, <=, 0);
  g_clear_error (&error);
}

static void
test_context_remove (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "context");
  g_autofree char *other = pw_test_create_session (store, "other");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gint64 note_id, kept_id;

  note_id = pw_store_add_context (store, id, "note", "note-1", "first", NULL, NULL, &error);
  kept_id = pw_store_add_context (store, id, "note", "note-2", "second", NULL, NULL, &error);
  g_assert_no_error (error);

  /* Not through another session's id. */
  g_assert_false (pw_store_remove_context (store, other, note_id, &error));
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (pw_store_remove_context (store, id, note_id, &error));
  g_assert_no_error (error);
  g_assert_false (pw_store_remove_context (store, id, note_id, &error));
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  entries = pw_store_list_context (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  g_assert_cmpint (((PwContextEntry *) entries->pdata[0])->id, ==, kept_id);
}

static void
test_config (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "config");
  g_autoptr(GError) error = NULL;
  g_autofree char *latest = NULL;
  g_autofree char *still = NULL;
  gint64 first, second, current = 0, bad;

  first = pw_store_add_config (store, id, "{\"model\":\"a\"}", &error);
  g_assert_no_error (error);
  second = pw_store_add_config (store, id, "{\"model\":\"b\"}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, >, first);

  latest = pw_store_get_config (store, id, &current, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (latest, ==, "{\"model\":\"b\"}");
  g_assert_cmpint (current, ==, second);

  bad = pw_store_add_config (store, id, "not json", &error);
  g_assert_nonnull (error);
  g_assert_cmpint (bad, <=, 0);
  g_clear_error (&error);

  still = pw_store_get_config (store, id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (still, ==, "{\"model\":\"b\"}");
}

/* ---- drafts ----------------------------------------------------------- */

static void
test_drafts (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "drafts");
  g_autofree char *other = pw_test_create_session (store, "other");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(PwDraft) latest = NULL;
  g_autoptr(PwDraft) none = NULL;
  gint64 config_id, first, second, third, bad;
  gint number = 0;
  PwDraft *d;

  config_id = pw_store_add_config (store, id, "{}", &error);
  g_assert_no_error (error);

  none = pw_store_get_latest_draft (store, id, &error);
  g_assert_no_error (error);
  g_assert_null (none);

  first = pw_store_add_draft (store, id, "# Plan one", "planner", -1, "planner-m", config_id,
                              NULL, &number, &error);
  g_assert_no_error (error);
  g_assert_cmpint (number, ==, 1);
  second = pw_store_add_draft (store, id, "# Plan two (hand edit)", "user", -1, NULL, 0,
                               "[\"no summary\"]", &number, &error);
  g_assert_no_error (error);
  g_assert_cmpint (number, ==, 2);
  third = pw_store_add_draft (store, id, "# Plan three", "planner", 2, "planner-m", config_id,
                              "[]", &number, &error);
  g_assert_no_error (error);
  g_assert_cmpint (number, ==, 3);
  g_assert_cmpint (first, <, second);
  g_assert_cmpint (second, <, third);

  /* Numbering is per session. */
  pw_store_add_draft (store, other, "# elsewhere", "import", -1, NULL, 0, NULL, &number, &error);
  g_assert_no_error (error);
  g_assert_cmpint (number, ==, 1);

  bad = pw_store_add_draft (store, id, "# robot", "robot", -1, NULL, 0, NULL, NULL, &error);
  g_assert_nonnull (error);
  g_assert_cmpint (bad, <=, 0);
  g_clear_error (&error);

  drafts = pw_store_list_drafts (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 3);

  d = drafts->pdata[0];
  g_assert_cmpint (d->id, ==, first);
  g_assert_cmpint (d->draft_number, ==, 1);
  g_assert_cmpstr (d->content, ==, "# Plan one");
  g_assert_cmpstr (d->author, ==, "planner");
  g_assert_cmpint (d->round_number, ==, -1);
  g_assert_cmpstr (d->model, ==, "planner-m");
  g_assert_cmpint (d->config_snapshot_id, ==, config_id);
  g_assert_cmpstr (d->warnings_json, ==, "[]");
  assert_iso8601_utc (d->created_at);

  d = drafts->pdata[1];
  g_assert_cmpint (d->draft_number, ==, 2);
  g_assert_cmpstr (d->author, ==, "user");
  g_assert_null (d->model);
  g_assert_cmpint (d->config_snapshot_id, ==, 0);
  g_assert_cmpstr (d->warnings_json, ==, "[\"no summary\"]");

  d = drafts->pdata[2];
  g_assert_cmpint (d->draft_number, ==, 3);
  g_assert_cmpint (d->round_number, ==, 2);

  latest = pw_store_get_latest_draft (store, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (latest);
  g_assert_cmpint (latest->id, ==, third);
  g_assert_cmpint (latest->draft_number, ==, 3);
  g_assert_cmpstr (latest->content, ==, "# Plan three");
}

static void
test_drafts_immutable (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autofree char *id = pw_test_create_session (store, "immutable");
  g_autoptr(GError) error = NULL;
  g_autoptr(PwDraft) latest = NULL;
  char *message = NULL;
  int rc;

  add_draft (store, id, "# the original", NULL);

  rc = sqlite3_exec (raw, "UPDATE plan_drafts SET content = 'rewritten'", NULL, NULL, &message);
  g_assert_cmpint (rc, !=, SQLITE_OK);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "never updated"));
  sqlite3_free (message);

  latest = pw_store_get_latest_draft (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (latest->content, ==, "# the original");
}

/* ---- reviews ---------------------------------------------------------- */

static void
test_reviews (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autofree char *id = pw_test_create_session (store, "reviews");
  g_autofree char *other = pw_test_create_session (store, "other");
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReview) review = NULL;
  g_autoptr(PwReview) second = NULL;
  g_autoptr(PwReview) duplicate = NULL;
  g_autoptr(PwReview) elsewhere = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  PwUsage usage = { .session_id = id, .purpose = "review", .provider = "openai-responses",
                    .model = "reviewer-x", .input_tokens = 100, .output_tokens = 20,
                    .cost_known = TRUE, .cost_usd = 0.01, .latency_ms = 900, .attempts = 1 };
  gint64 draft_id, run_id, usage_id, review_id;
  PwReview *r;
  PwReviewIssue *issue;

  draft_id = add_draft (store, id, "# reviewed plan", NULL);
  run_id = pw_store_add_review_run (store, id, "{\"max_rounds\":8,\"fast\":false}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_id, >, 0);
  usage_id = pw_store_add_usage (store, &usage, &error);
  g_assert_no_error (error);

  review = make_review (1, "NO_GO", draft_id, run_id, 3);
  review->usage_id = usage_id;
  review_id = pw_store_add_review (store, id, review, &error);
  g_assert_no_error (error);
  g_assert_cmpint (review_id, >, 0);
  for (guint i = 0; i < review->issues->len; i++)
    g_assert_cmpint (((PwReviewIssue *) review->issues->pdata[i])->id, >, 0);

  g_assert_true (pw_store_add_disposition (store, ((PwReviewIssue *) review->issues->pdata[0])->id,
                                           "ACCEPT", "agreed", FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (pw_store_add_disposition (store, ((PwReviewIssue *) review->issues->pdata[1])->id,
                                           "DEFER", "", TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (pw_store_add_disposition (store, ((PwReviewIssue *) review->issues->pdata[2])->id,
                                            "IGNORE", "not a disposition", FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (pw_store_add_disposition (store, 999999, "ACCEPT", "", FALSE, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* The same round twice is refused, and leaves nothing behind. */
  duplicate = make_review (1, "GO", draft_id, run_id, 2);
  g_assert_cmpint (pw_store_add_review (store, id, duplicate, &error), <=, 0);
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_cmpint (pw_test_raw_count (raw, "reviews", NULL), ==, 1);
  g_assert_cmpint (pw_test_raw_count (raw, "review_issues", NULL), ==, 3);

  /* Round 1 of another session is fine. */
  elsewhere = make_review (1, "GO", 0, 0, 0);
  g_assert_cmpint (pw_store_add_review (store, other, elsewhere, &error), >, 0);
  g_assert_no_error (error);

  second = make_review (2, "GO", draft_id, run_id, 0);
  g_assert_cmpint (pw_store_add_review (store, id, second, &error), >, 0);
  g_assert_no_error (error);

  g_assert_true (pw_store_finish_review_run (store, run_id, "accepted", &error));
  g_assert_no_error (error);
  g_assert_false (pw_store_finish_review_run (store, run_id, "exploded", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  reviews = pw_store_list_reviews (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reviews->len, ==, 2);

  r = reviews->pdata[0];
  g_assert_cmpint (r->id, ==, review_id);
  g_assert_cmpint (r->round_number, ==, 1);
  g_assert_cmpint (r->run_id, ==, run_id);
  g_assert_cmpint (r->draft_id, ==, draft_id);
  g_assert_cmpstr (r->verdict, ==, "NO_GO");
  g_assert_cmpstr (r->summary, ==, "summary of round 1");
  g_assert_cmpstr (r->keep_json, ==, "[\"keep this\"]");
  g_assert_cmpstr (r->trim_json, ==, "[]");
  g_assert_cmpstr (r->parse_mode, ==, "json");
  g_assert_cmpstr (r->raw_response, ==, "{\"raw\": true}");
  g_assert_cmpstr (r->reviewer_model, ==, "reviewer-x");
  g_assert_cmpint (r->usage_id, ==, usage_id);
  assert_iso8601_utc (r->created_at);
  g_assert_nonnull (r->issues);
  g_assert_cmpuint (r->issues->len, ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      issue = r->issues->pdata[i];
      g_assert_cmpint (issue->issue_index, ==, i);
      g_assert_cmpint (issue->id, ==, ((PwReviewIssue *) review->issues->pdata[i])->id);
    }

  issue = r->issues->pdata[0];
  g_assert_cmpstr (issue->severity, ==, "critical");
  g_assert_cmpstr (issue->description, ==, "issue 0 of round 1");
  g_assert_cmpstr (issue->rationale, ==, "why 0");
  g_assert_cmpstr (issue->resolution_guidance, ==, "fix 0");
  g_assert_cmpstr (issue->target_section, ==, "Section 0");
  g_assert_cmpstr (issue->disposition, ==, "ACCEPT");
  g_assert_cmpstr (issue->disposition_rationale, ==, "agreed");
  g_assert_false (issue->defaulted);

  issue = r->issues->pdata[1];
  g_assert_cmpstr (issue->severity, ==, "major");
  g_assert_cmpstr (issue->disposition, ==, "DEFER");
  g_assert_true (issue->defaulted);

  issue = r->issues->pdata[2];
  g_assert_cmpstr (issue->severity, ==, "minor");
  g_assert_null (issue->disposition);
  g_assert_null (issue->disposition_rationale);
  g_assert_false (issue->defaulted);

  r = reviews->pdata[1];
  g_assert_cmpint (r->round_number, ==, 2);
  g_assert_cmpstr (r->verdict, ==, "GO");
  g_assert_cmpuint (r->issues->len, ==, 0);
}

static void
test_review_optional_fields (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "bare review");
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReview) review = make_review (4, "GO", 0, 0, 0);
  g_autoptr(GPtrArray) reviews = NULL;
  PwReview *r;

  g_clear_pointer (&review->raw_response, g_free);
  g_clear_pointer (&review->reviewer_model, g_free);
  g_assert_cmpint (pw_store_add_review (store, id, review, &error), >, 0);
  g_assert_no_error (error);

  reviews = pw_store_list_reviews (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reviews->len, ==, 1);
  r = reviews->pdata[0];
  g_assert_cmpint (r->draft_id, ==, 0);
  g_assert_cmpint (r->run_id, ==, 0);
  g_assert_cmpint (r->usage_id, ==, 0);
  g_assert_null (r->raw_response);
  g_assert_null (r->reviewer_model);
}

/* ---- blockers --------------------------------------------------------- */

static void
assert_state (PwStore    *store,
              const char *id,
              PwPhase     phase,
              PwStatus    status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = pw_store_get_session (store, id, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (pw_phase_to_string (info->phase), ==, pw_phase_to_string (phase));
  g_assert_cmpstr (pw_status_to_string (info->status), ==, pw_status_to_string (status));
}

static void
test_blockers (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "blocked");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) all = NULL;
  PwSessionCounts counts = { 0 };
  PwBlocker *b;
  gint64 first, second;

  g_assert_true (pw_store_set_phase (store, id, PW_PHASE_REVIEW, PW_STATUS_ACTIVE, &error));

  first = pw_store_add_blocker (store, id, "reviewer", "Which database?", &error);
  g_assert_no_error (error);
  g_assert_cmpint (first, >, 0);
  assert_state (store, id, PW_PHASE_REVIEW, PW_STATUS_PAUSED);

  second = pw_store_add_blocker (store, id, "planner", "Which region?", &error);
  g_assert_no_error (error);
  g_assert_cmpint (second, >, first);
  assert_state (store, id, PW_PHASE_REVIEW, PW_STATUS_PAUSED);

  g_assert_true (pw_store_get_counts (store, id, &counts, &error));
  g_assert_cmpuint (counts.open_blocker_count, ==, 2);

  open = pw_store_list_blockers (store, id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 2);
  b = open->pdata[0];
  g_assert_cmpint (b->id, ==, first);
  g_assert_cmpstr (b->source, ==, "reviewer");
  g_assert_cmpstr (b->question, ==, "Which database?");
  g_assert_null (b->answer);
  g_assert_true (b->open);
  g_assert_cmpint (b->paused_phase, ==, PW_PHASE_REVIEW);
  assert_iso8601_utc (b->created_at);
  g_assert_null (b->resolved_at);
  g_clear_pointer (&open, g_ptr_array_unref);

  /* One answered, one still open: still paused. */
  g_assert_true (pw_store_answer_blocker (store, id, first, "PostgreSQL", &error));
  g_assert_no_error (error);
  assert_state (store, id, PW_PHASE_REVIEW, PW_STATUS_PAUSED);

  /* An answered blocker cannot be answered again. */
  g_assert_false (pw_store_answer_blocker (store, id, first, "MySQL", &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == PW_STORE_ERROR);
  g_clear_error (&error);

  open = pw_store_list_blockers (store, id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  g_assert_cmpint (((PwBlocker *) open->pdata[0])->id, ==, second);

  g_assert_true (pw_store_answer_blocker (store, id, second, "eu-west", &error));
  g_assert_no_error (error);
  assert_state (store, id, PW_PHASE_REVIEW, PW_STATUS_ACTIVE);

  all = pw_store_list_blockers (store, id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  b = all->pdata[0];
  g_assert_cmpint (b->id, ==, first);
  g_assert_false (b->open);
  g_assert_cmpstr (b->answer, ==, "PostgreSQL");
  assert_iso8601_utc (b->resolved_at);
  b = all->pdata[1];
  g_assert_cmpstr (b->answer, ==, "eu-west");
  g_assert_false (b->open);

  g_assert_true (pw_store_get_counts (store, id, &counts, &error));
  g_assert_cmpuint (counts.open_blocker_count, ==, 0);
}

static void
test_blocker_resume_phase (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "planning pause");
  g_autoptr(GError) error = NULL;
  gint64 blocker;

  /* Whatever phase it paused in is where it comes back. */
  g_assert_true (pw_store_set_phase (store, id, PW_PHASE_PLANNING, PW_STATUS_ACTIVE, &error));
  blocker = pw_store_add_blocker (store, id, "user", "Ready?", &error);
  g_assert_no_error (error);
  assert_state (store, id, PW_PHASE_PLANNING, PW_STATUS_PAUSED);
  g_assert_true (pw_store_answer_blocker (store, id, blocker, "yes", &error));
  g_assert_no_error (error);
  assert_state (store, id, PW_PHASE_PLANNING, PW_STATUS_ACTIVE);
}

static void
test_blocker_wrong_session (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "mine");
  g_autofree char *other = pw_test_create_session (store, "theirs");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) open = NULL;
  gint64 theirs;

  g_assert_true (pw_store_set_phase (store, other, PW_PHASE_REVIEW, PW_STATUS_ACTIVE, &error));
  theirs = pw_store_add_blocker (store, other, "reviewer", "Whose?", &error);
  g_assert_no_error (error);

  /* planner-auto's resolve_blocker matched the id alone. */
  g_assert_false (pw_store_answer_blocker (store, id, theirs, "mine now", &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == PW_STORE_ERROR);
  g_clear_error (&error);

  open = pw_store_list_blockers (store, other, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 1);
  g_assert_null (((PwBlocker *) open->pdata[0])->answer);
  assert_state (store, other, PW_PHASE_REVIEW, PW_STATUS_PAUSED);
  assert_state (store, id, PW_PHASE_SETUP, PW_STATUS_ACTIVE);

  g_assert_false (pw_store_answer_blocker (store, other, 987654, "nothing", &error));
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
}

/* ---- usage and counts ------------------------------------------------- */

static void
test_counts (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *id = pw_test_create_session (store, "counted");
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReview) review = NULL;
  PwSessionCounts counts;
  PwUsage usage = { .session_id = id, .purpose = "discussion", .provider = "anthropic",
                    .model = "m", .input_tokens = 10, .output_tokens = 5,
                    .cost_known = TRUE, .cost_usd = 0.5, .latency_ms = 100,
                    .attempts = 1 };
  PwUsage orphan = usage;

  memset (&counts, 0xff, sizeof counts);
  g_assert_true (pw_store_get_counts (store, id, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.message_count, ==, 0);
  g_assert_cmpuint (counts.context_entry_count, ==, 0);
  g_assert_cmpuint (counts.draft_count, ==, 0);
  g_assert_cmpuint (counts.review_count, ==, 0);
  g_assert_cmpuint (counts.open_blocker_count, ==, 0);
  g_assert_cmpint (counts.last_round, ==, -1);
  g_assert_cmpuint (counts.usage_count, ==, 0);
  g_assert_true (counts.cost_known);
  g_assert_cmpfloat (counts.total_cost_usd, ==, 0.0);

  pw_store_add_message (store, id, "user", "one", NULL, &error);
  pw_store_add_message (store, id, "assistant", "two", "m", &error);
  pw_store_add_context (store, id, "note", "note-1", "n", NULL, NULL, &error);
  g_assert_no_error (error);
  add_draft (store, id, "# d1", NULL);
  add_draft (store, id, "# d2", NULL);
  review = make_review (3, "NO_GO", 0, 0, 1);
  g_assert_cmpint (pw_store_add_review (store, id, review, &error), >, 0);
  g_assert_no_error (error);

  g_assert_cmpint (pw_store_add_usage (store, &usage, &error), >, 0);
  usage.cost_usd = 0.25;
  g_assert_cmpint (pw_store_add_usage (store, &usage, &error), >, 0);
  /* A call of no session counts nowhere. */
  orphan.session_id = NULL;
  orphan.cost_known = FALSE;
  g_assert_cmpint (pw_store_add_usage (store, &orphan, &error), >, 0);
  g_assert_no_error (error);

  g_assert_true (pw_store_get_counts (store, id, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.message_count, ==, 2);
  g_assert_cmpuint (counts.context_entry_count, ==, 1);
  g_assert_cmpuint (counts.draft_count, ==, 2);
  g_assert_cmpuint (counts.review_count, ==, 1);
  g_assert_cmpint (counts.last_round, ==, 3);
  g_assert_cmpuint (counts.usage_count, ==, 2);
  g_assert_true (counts.cost_known);
  g_assert_cmpfloat_with_epsilon (counts.total_cost_usd, 0.75, 1e-9);

  /* One call of unknown cost makes the total unknown. */
  usage.cost_known = FALSE;
  usage.cost_usd = 0;
  usage.error = "stream cut";
  usage.latency_ms = -1;
  g_assert_cmpint (pw_store_add_usage (store, &usage, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (pw_store_get_counts (store, id, &counts, &error));
  g_assert_cmpuint (counts.usage_count, ==, 3);
  g_assert_false (counts.cost_known);
}

static void
test_counts_unknown (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(GError) error = NULL;
  PwSessionCounts counts = { 0 };

  /* Like get_session: zeros for a session that does not exist would let
   * a typo pass for an empty session. */
  g_assert_false (pw_store_get_counts (store, "0badf00d", &counts, &error));
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
}

static void
test_usage_row (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autofree char *id = pw_test_create_session (store, "usage");
  g_autoptr(GError) error = NULL;
  PwUsage usage = { .session_id = id, .purpose = "generation", .provider = "anthropic",
                    .model = "claude-z", .input_tokens = 1000, .output_tokens = 200,
                    .cached_tokens = 300, .cache_write_tokens = 40, .reasoning_tokens = 50,
                    .cost_known = FALSE, .latency_ms = -1, .request_id = "req_123",
                    .attempts = 3, .error = "overloaded" };
  gint64 usage_id;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;

  usage_id = pw_store_add_usage (store, &usage, &error);
  g_assert_no_error (error);
  g_assert_cmpint (usage_id, >, 0);

  sql = g_strdup_printf ("SELECT purpose, provider, model, input_tokens, output_tokens, "
                         "cached_tokens, cache_write_tokens, reasoning_tokens, cost_usd, "
                         "latency_ms, request_id, attempts, error, session_id "
                         "FROM usage WHERE id = %" G_GINT64_FORMAT, usage_id);
  g_assert_cmpint (sqlite3_prepare_v2 (raw, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "generation");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "anthropic");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2), ==, "claude-z");
  g_assert_cmpint (sqlite3_column_int64 (stmt, 3), ==, 1000);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 4), ==, 200);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 5), ==, 300);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 6), ==, 40);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 7), ==, 50);
  /* Unknown is NULL, never 0. */
  g_assert_cmpint (sqlite3_column_type (stmt, 8), ==, SQLITE_NULL);
  g_assert_cmpint (sqlite3_column_type (stmt, 9), ==, SQLITE_NULL);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 10), ==, "req_123");
  g_assert_cmpint (sqlite3_column_int64 (stmt, 11), ==, 3);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 12), ==, "overloaded");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 13), ==, id);
  sqlite3_finalize (stmt);
}

/* ---- transactions ----------------------------------------------------- */

static void
test_transaction_rollback (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *id = NULL;

  g_assert_false (pw_store_in_transaction (store));
  g_assert_true (pw_store_begin (store, &error));
  g_assert_no_error (error);
  g_assert_true (pw_store_in_transaction (store));

  id = pw_test_create_session (store, "rolled back");
  g_assert_cmpint (pw_store_add_message (store, id, "user", "gone", NULL, &error), >, 0);
  add_draft (store, id, "# gone", NULL);
  g_assert_cmpint (pw_store_add_blocker (store, id, "user", "gone?", &error), >, 0);
  g_assert_no_error (error);
  pw_store_rollback (store);
  g_assert_false (pw_store_in_transaction (store));

  info = pw_store_get_session (store, id, &error);
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  all = pw_store_list_sessions (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 0);

  g_assert_cmpint (pw_test_raw_count (raw, "sessions", NULL), ==, 0);
  g_assert_cmpint (pw_test_raw_count (raw, "messages", NULL), ==, 0);
  g_assert_cmpint (pw_test_raw_count (raw, "plan_drafts", NULL), ==, 0);
  g_assert_cmpint (pw_test_raw_count (raw, "blockers", NULL), ==, 0);
}

static void
test_transaction_commit (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  g_assert_true (pw_store_begin (store, &error));
  id = pw_test_create_session (store, "committed");
  g_assert_cmpint (pw_store_add_message (store, id, "user", "kept", NULL, &error), >, 0);
  /* Not visible to another connection before the commit. */
  g_assert_cmpint (pw_test_raw_count (raw, "sessions", NULL), ==, 0);
  g_assert_true (pw_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_false (pw_store_in_transaction (store));

  g_assert_cmpint (pw_test_raw_count (raw, "sessions", NULL), ==, 1);
  g_assert_cmpint (pw_test_raw_count (raw, "messages", id), ==, 1);
}

static void
test_transaction_nested (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autoptr(GError) error = NULL;
  g_autofree char *outer = NULL;
  g_autofree char *inner = NULL;
  g_autofree char *dropped = NULL;
  g_autofree char *gone = NULL;
  g_autoptr(PwSessionInfo) info = NULL;

  /* begin, begin, commit, commit: everything kept. */
  g_assert_true (pw_store_begin (store, &error));
  outer = pw_test_create_session (store, "outer");
  g_assert_true (pw_store_begin (store, &error));
  inner = pw_test_create_session (store, "inner");
  g_assert_true (pw_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_true (pw_store_in_transaction (store));
  g_assert_cmpint (pw_test_raw_count (raw, "sessions", NULL), ==, 0);
  g_assert_true (pw_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_false (pw_store_in_transaction (store));
  g_assert_cmpint (pw_test_raw_count (raw, "sessions", NULL), ==, 2);

  /* An inner rollback drops only the inner writes. */
  g_assert_true (pw_store_begin (store, &error));
  g_assert_true (pw_store_begin (store, &error));
  dropped = pw_test_create_session (store, "dropped");
  pw_store_rollback (store);
  g_assert_true (pw_store_in_transaction (store));
  g_assert_cmpint (pw_store_add_message (store, outer, "user", "after inner rollback", NULL,
                                         &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (pw_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_false (pw_store_in_transaction (store));
  info = pw_store_get_session (store, dropped, &error);
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (pw_test_raw_count (raw, "messages", outer), ==, 1);

  /* An outer rollback drops what an inner commit kept. */
  g_assert_true (pw_store_begin (store, &error));
  g_assert_true (pw_store_begin (store, &error));
  gone = pw_test_create_session (store, "gone");
  g_assert_true (pw_store_commit (store, &error));
  pw_store_rollback (store);
  g_assert_false (pw_store_in_transaction (store));
  g_assert_cmpint (pw_test_raw_count (raw, "sessions", NULL), ==, 2);
}

static void
test_transaction_takes_lock (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autoptr(GError) error = NULL;

  /* BEGIN IMMEDIATE: the write lock is held before the first write. */
  g_assert_true (pw_store_begin (store, &error));
  sqlite3_busy_timeout (raw, 0);
  g_assert_cmpint (sqlite3_exec (raw, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_BUSY);
  pw_store_rollback (store);

  g_assert_cmpint (sqlite3_exec (raw, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
  pw_test_raw_exec (raw, "ROLLBACK");
}

/* ---- ids and search --------------------------------------------------- */

static void
insert_raw_session (sqlite3    *raw,
                    const char *id,
                    const char *project)
{
  char *sql = sqlite3_mprintf ("INSERT INTO sessions (id, project, created_at, updated_at) "
                               "VALUES (%Q, %Q, '2024-01-01T00:00:00.000Z', "
                               "'2024-01-01T00:00:00.000Z')", id, project);

  pw_test_raw_exec (raw, sql);
  sqlite3_free (sql);
}

static void
test_resolve_id (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autoptr(GError) error = NULL;
  char *resolved;
  static const char *not_found[] = { "ffff", "abcd9", "abcd1234x", "abc_", "abc%", "ab*d" };
  static const char *too_short[] = { "", "0", "012", "abc" };

  insert_raw_session (raw, "abcd1234", "one");
  insert_raw_session (raw, "abcd5678", "two");
  insert_raw_session (raw, "0123ffff", "three");

  resolved = pw_store_resolve_id (store, "abcd1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (resolved, ==, "abcd1234");
  g_free (resolved);

  resolved = pw_store_resolve_id (store, "abcd5678", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (resolved, ==, "abcd5678");
  g_free (resolved);

  resolved = pw_store_resolve_id (store, "0123", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (resolved, ==, "0123ffff");
  g_free (resolved);

  resolved = pw_store_resolve_id (store, "abcd", &error);
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_AMBIGUOUS);
  g_assert_null (resolved);
  g_assert_nonnull (strstr (error->message, "abcd1234"));
  g_assert_nonnull (strstr (error->message, "abcd5678"));
  g_clear_error (&error);

  /* LIKE or GLOB wildcards must not match anything. */
  for (gsize i = 0; i < G_N_ELEMENTS (not_found); i++)
    {
      resolved = pw_store_resolve_id (store, not_found[i], &error);
      if (!g_error_matches (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND) || resolved != NULL)
        pw_test_report_failure ("prefix \"%s\": expected NOT_FOUND, got %s (%s)", not_found[i],
                                resolved != NULL ? resolved : "no id",
                                error != NULL ? error->message : "no error");
      g_clear_pointer (&resolved, g_free);
      g_clear_error (&error);
    }

  /* Shorter than 4 characters is never a prefix, even when unique. */
  for (gsize i = 0; i < G_N_ELEMENTS (too_short); i++)
    {
      resolved = pw_store_resolve_id (store, too_short[i], &error);
      if (error == NULL || error->domain != PW_STORE_ERROR || resolved != NULL)
        pw_test_report_failure ("prefix \"%s\" (too short): expected an error, got %s",
                                too_short[i], resolved != NULL ? resolved : "no id");
      g_clear_pointer (&resolved, g_free);
      g_clear_error (&error);
    }
}

static void
test_resolve_id_many (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(sqlite3) raw = pw_test_raw_open (pw_store_get_path (store));
  g_autoptr(GError) error = NULL;
  g_autofree char *resolved = NULL;

  /* More candidates than a message can list. */
  for (guint i = 0; i < 15; i++)
    {
      g_autofree char *id = g_strdup_printf ("beef%04x", i);

      insert_raw_session (raw, id, "many");
    }

  resolved = pw_store_resolve_id (store, "beef", &error);
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_AMBIGUOUS);
  g_assert_null (resolved);
  g_assert_nonnull (strstr (error->message, "beef0000"));
  g_test_message ("%s", error->message);
}

static void
test_search (void)
{
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autoptr(GError) error = NULL;
  g_autofree char *id = pw_test_create_session (store, "Quasar migration");
  g_autofree char *other = pw_test_create_session (store, "Unrelated thing");
  static const char *words[] = { "quasar", "Quasar", "zeppelin", "photosynthesis" };
  static const char *awkward[] = { "\"", "AND", "quasar OR", "(", "*", "NEAR(", "a:b", "-x" };

  g_assert_cmpint (pw_store_add_message (store, id, "user",
                                         "we should discuss the zeppelin and quasar",
                                         NULL, &error), >, 0);
  g_assert_cmpint (pw_store_add_message (store, other, "user", "nothing of interest", NULL,
                                         &error), >, 0);
  add_draft (store, id, "# Plan\n\nUse photosynthesis.", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    {
      g_autoptr(GPtrArray) found = pw_store_search (store, words[i], 10, &error);

      g_test_message ("searching %s", words[i]);
      g_assert_no_error (error);
      g_assert_nonnull (found);
      /* Once, even when several rows of the session match. */
      g_assert_cmpuint (found->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (found, 0), ==, id);
    }

  {
    g_autoptr(GPtrArray) found = pw_store_search (store, "nonexistentword", 10, &error);

    g_assert_no_error (error);
    g_assert_nonnull (found);
    g_assert_cmpuint (found->len, ==, 0);
  }

  {
    g_autoptr(GPtrArray) found = pw_store_search (store, "interest", 10, &error);

    g_assert_no_error (error);
    g_assert_true (pw_test_array_has_string (found, other));
    g_assert_false (pw_test_array_has_string (found, id));
  }

  /* Plain words, not FTS syntax: nothing here is an error. */
  for (gsize i = 0; i < G_N_ELEMENTS (awkward); i++)
    {
      g_autoptr(GPtrArray) found = NULL;

      g_test_message ("searching %s", awkward[i]);
      found = pw_store_search (store, awkward[i], 10, &error);
      g_assert_no_error (error);
      g_assert_nonnull (found);
    }
}

/* A word's first letters match most of a large database: past a couple
 * of thousand matching rows the answer is not ranked but the most
 * recently changed sessions first, each once */
static void
test_search_many_matches (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwStore) store = pw_test_open_fresh_store ();
  g_autofree char *busy = pw_test_create_session (store, "busy");
  g_autofree char *quiet = pw_test_create_session (store, "quiet");
  g_autofree char *later = NULL;
  g_autoptr(GPtrArray) found = NULL;

  g_assert_true (pw_store_begin (store, &error));
  for (guint i = 0; i < 2100; i++)
    g_assert_cmpint (pw_store_add_message (store, busy, i % 2 ? "assistant" : "user",
                                           "common common common", NULL, &error), >, 0);
  g_assert_true (pw_store_commit (store, &error));
  g_assert_no_error (error);
  g_usleep (2000);   /* updated_at has milliseconds */
  later = pw_test_create_session (store, "later");
  /* Ranked, this would come last: one weak match in a long message */
  g_assert_cmpint (pw_store_add_message (store, later, "user",
                                         "a long message about pumps, sensors, tanks, valves, timers, floats, "
                                         "relays, fuses, wires and one common remark at its very end",
                                         NULL, &error), >, 0);

  found = pw_store_search (store, "com", 10, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpuint (found->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (found, 0), ==, later);
  g_assert_cmpstr (g_ptr_array_index (found, 1), ==, busy);
  g_assert_false (pw_test_array_has_string (found, quiet));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/store/session/create-get", test_session_create_get);
  g_test_add_func ("/store/session/create-config", test_session_create_config);
  g_test_add_func ("/store/session/ids-unique", test_session_ids_unique);
  g_test_add_func ("/store/session/get-unknown", test_session_get_unknown);
  g_test_add_func ("/store/session/list", test_session_list);
  g_test_add_func ("/store/session/set-phase", test_session_set_phase);
  g_test_add_func ("/store/session/archived", test_session_archived);
  g_test_add_func ("/store/session/delete-cascades", test_session_delete_cascades);

  g_test_add_func ("/store/messages", test_messages);
  g_test_add_func ("/store/context/add-replace", test_context);
  g_test_add_func ("/store/context/remove", test_context_remove);
  g_test_add_func ("/store/config", test_config);

  g_test_add_func ("/store/drafts/numbering", test_drafts);
  g_test_add_func ("/store/drafts/immutable", test_drafts_immutable);

  g_test_add_func ("/store/reviews/round-trip", test_reviews);
  g_test_add_func ("/store/reviews/optional-fields", test_review_optional_fields);

  g_test_add_func ("/store/blockers/pause-resume", test_blockers);
  g_test_add_func ("/store/blockers/resume-phase", test_blocker_resume_phase);
  g_test_add_func ("/store/blockers/wrong-session", test_blocker_wrong_session);

  g_test_add_func ("/store/usage/counts", test_counts);
  g_test_add_func ("/store/usage/counts-unknown", test_counts_unknown);
  g_test_add_func ("/store/usage/row", test_usage_row);

  g_test_add_func ("/store/transaction/rollback", test_transaction_rollback);
  g_test_add_func ("/store/transaction/commit", test_transaction_commit);
  g_test_add_func ("/store/transaction/nested", test_transaction_nested);
  g_test_add_func ("/store/transaction/takes-lock", test_transaction_takes_lock);

  g_test_add_func ("/store/resolve-id", test_resolve_id);
  g_test_add_func ("/store/resolve-id-many", test_resolve_id_many);
  g_test_add_func ("/store/search", test_search);
  g_test_add_func ("/store/search-many-matches", test_search_many_matches);

  return g_test_run ();
}
