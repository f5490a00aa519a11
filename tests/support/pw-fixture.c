/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pw-fixture: puts sessions into states no CLI command reaches yet, through the store API. */

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pw-core.h"

/* Exit codes: 0 done, 1 the store refused, 2 bad usage. */

static const char usage_text[] =
  "Usage: pw-fixture DB COMMAND ARGS...\n"
  "\n"
  "  create-session PROJECT [REPO_ROOT]     print the new id\n"
  "  create-sessions PROJECT N              N sessions in one transaction, one id a line\n"
  "  set-phase ID PHASE [STATUS]            STATUS defaults to ACTIVE\n"
  "  add-blocker ID SOURCE QUESTION         pauses the session; prints the blocker id\n"
  "  add-draft ID FILE|- [AUTHOR [ROUND]]   AUTHOR planner|user|import (planner); prints the draft number\n"
  "  add-message ID ROLE TEXT               ROLE user|assistant; prints the message id\n"
  "  add-review ID ROUND VERDICT [SEV:DESC]...  VERDICT GO|NO_GO; prints the review id\n"
  "  add-usage ID COST|unknown              one call of the planner\n"
  "\n"
  "ID may be any unique prefix the store resolves.\n";

static int
usage_error (const char *what)
{
  g_printerr ("pw-fixture: %s\n\n%s", what, usage_text);
  return 2;
}

static int
store_error (const GError *error)
{
  g_printerr ("pw-fixture: %s\n",
              error != NULL ? error->message : "the store failed without saying why");
  return 1;
}

static gboolean
parse_int (const char *str,
           gint64      min,
           gint64      max,
           gint64     *out)
{
  g_autoptr(GError) error = NULL;

  return g_ascii_string_to_signed (str, 10, min, max, out, &error);
}

static int
cmd_create_session (PwStore  *store,
                    int       argc,
                    char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  if (argc < 1 || argc > 2)
    return usage_error ("create-session takes PROJECT [REPO_ROOT]");

  if (!pw_store_create_session (store, argv[0], argc > 1 ? argv[1] : NULL,
                                NULL, &id, &error))
    return store_error (error);

  g_print ("%s\n", id);
  return 0;
}

static int
cmd_create_sessions (PwStore  *store,
                     int       argc,
                     char    **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 n;

  if (argc != 2 || !parse_int (argv[1], 1, 100000, &n))
    return usage_error ("create-sessions takes PROJECT N (1..100000)");

  /* One transaction: thousands of fsyncs would make the tests slow. */
  if (!pw_store_begin (store, &error))
    return store_error (error);

  for (gint64 i = 0; i < n; i++)
    {
      g_autofree char *id = NULL;

      if (!pw_store_create_session (store, argv[0], NULL, NULL, &id, &error))
        {
          pw_store_rollback (store);
          return store_error (error);
        }
      g_string_append_printf (out, "%s\n", id);
    }

  if (!pw_store_commit (store, &error))
    return store_error (error);

  fputs (out->str, stdout);
  return 0;
}

static int
cmd_set_phase (PwStore    *store,
               const char *id,
               int         argc,
               char      **argv)
{
  g_autoptr(GError) error = NULL;
  PwPhase phase;
  PwStatus status = PW_STATUS_ACTIVE;

  if (argc < 1 || argc > 2)
    return usage_error ("set-phase takes ID PHASE [STATUS]");
  if (!pw_phase_from_string (argv[0], &phase))
    return usage_error ("unknown phase");
  if (argc > 1 && !pw_status_from_string (argv[1], &status))
    return usage_error ("unknown status");

  if (!pw_store_set_phase (store, id, phase, status, &error))
    return store_error (error);

  return 0;
}

static int
cmd_add_blocker (PwStore    *store,
                 const char *id,
                 int         argc,
                 char      **argv)
{
  g_autoptr(GError) error = NULL;
  gint64 blocker_id;

  if (argc != 2)
    return usage_error ("add-blocker takes ID SOURCE QUESTION");

  blocker_id = pw_store_add_blocker (store, id, argv[0], argv[1], &error);
  if (blocker_id <= 0)
    return store_error (error);

  g_print ("%" G_GINT64_FORMAT "\n", blocker_id);
  return 0;
}

static char *
read_input (const char  *name,
            GError     **error)
{
  g_autoptr(GString) buf = NULL;
  char chunk[4096];
  size_t n;
  char *contents = NULL;

  if (g_strcmp0 (name, "-") != 0)
    {
      if (!g_file_get_contents (name, &contents, NULL, error))
        return NULL;
      return contents;
    }

  buf = g_string_new (NULL);
  while ((n = fread (chunk, 1, sizeof chunk, stdin)) > 0)
    g_string_append_len (buf, chunk, n);
  if (ferror (stdin))
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_IO,
                           "cannot read standard input");
      return NULL;
    }

  return g_string_free (g_steal_pointer (&buf), FALSE);
}

static int
cmd_add_draft (PwStore    *store,
               const char *id,
               int         argc,
               char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *content = NULL;
  const char *author = "planner";
  gint64 round = -1;
  gint number = 0;

  if (argc < 1 || argc > 3)
    return usage_error ("add-draft takes ID FILE|- [AUTHOR [ROUND]]");
  if (argc > 1)
    author = argv[1];
  if (argc > 2 && !parse_int (argv[2], 0, G_MAXINT, &round))
    return usage_error ("ROUND must be a number");

  content = read_input (argv[0], &error);
  if (content == NULL)
    return store_error (error);

  if (pw_store_add_draft (store, id, content, author, (gint) round,
                          NULL, 0, NULL, &number, &error) <= 0)
    return store_error (error);

  g_print ("%d\n", number);
  return 0;
}

static int
cmd_add_message (PwStore    *store,
                 const char *id,
                 int         argc,
                 char      **argv)
{
  g_autoptr(GError) error = NULL;
  gint64 message_id;

  if (argc != 2)
    return usage_error ("add-message takes ID ROLE TEXT");

  message_id = pw_store_add_message (store, id, argv[0], argv[1], NULL, &error);
  if (message_id <= 0)
    return store_error (error);

  g_print ("%" G_GINT64_FORMAT "\n", message_id);
  return 0;
}

static int
cmd_add_review (PwStore    *store,
                const char *id,
                int         argc,
                char      **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwReview) review = NULL;
  g_autoptr(PwDraft) draft = NULL;
  gint64 round;
  gint64 review_id;

  if (argc < 2)
    return usage_error ("add-review takes ID ROUND VERDICT [SEV:DESC]...");
  if (!parse_int (argv[0], 0, G_MAXINT, &round))
    return usage_error ("ROUND must be a number");

  draft = pw_store_get_latest_draft (store, id, &error);
  if (error != NULL)
    return store_error (error);

  review = g_new0 (PwReview, 1);
  review->round_number = (gint) round;
  review->draft_id = draft != NULL ? draft->id : 0;
  review->verdict = g_strdup (argv[1]);
  review->summary = g_strdup_printf ("Round %d summary", (gint) round);
  review->keep_json = g_strdup ("[]");
  review->trim_json = g_strdup ("[]");
  review->parse_mode = g_strdup ("json");
  review->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_review_issue_free);

  for (int i = 2; i < argc; i++)
    {
      const char *colon = strchr (argv[i], ':');
      PwReviewIssue *issue;

      if (colon == NULL)
        return usage_error ("an issue is SEVERITY:DESCRIPTION");

      issue = g_new0 (PwReviewIssue, 1);
      issue->issue_index = i - 2;
      issue->severity = g_strndup (argv[i], colon - argv[i]);
      issue->description = g_strdup (colon + 1);
      issue->rationale = g_strdup ("");
      issue->resolution_guidance = g_strdup ("");
      issue->target_section = g_strdup ("");
      g_ptr_array_add (review->issues, issue);
    }

  review_id = pw_store_add_review (store, id, review, &error);
  if (review_id <= 0)
    return store_error (error);

  g_print ("%" G_GINT64_FORMAT "\n", review_id);
  return 0;
}

static int
cmd_add_usage (PwStore    *store,
               const char *id,
               int         argc,
               char      **argv)
{
  g_autoptr(GError) error = NULL;
  PwUsage usage = {
    .session_id = id,
    .purpose = "discussion",
    .provider = "anthropic",
    .model = "claude-sonnet-4-6",
    .input_tokens = 100,
    .output_tokens = 50,
    .latency_ms = 1000,
    .attempts = 1,
  };

  if (argc != 1)
    return usage_error ("add-usage takes ID COST|unknown");

  if (g_strcmp0 (argv[0], "unknown") != 0)
    {
      char *end = NULL;

      usage.cost_usd = g_ascii_strtod (argv[0], &end);
      if (end == argv[0] || *end != '\0')
        return usage_error ("COST must be a number or \"unknown\"");
      usage.cost_known = TRUE;
    }

  if (pw_store_add_usage (store, &usage, &error) <= 0)
    return store_error (error);

  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwStore) store = NULL;
  g_autofree char *id = NULL;
  const char *command;

  setlocale (LC_ALL, "");

  if (argc < 3)
    return usage_error ("missing DB or COMMAND");

  command = argv[2];

  store = pw_store_open (argv[1], &error);
  if (store == NULL)
    return store_error (error);

  if (g_str_equal (command, "create-session"))
    return cmd_create_session (store, argc - 3, argv + 3);
  if (g_str_equal (command, "create-sessions"))
    return cmd_create_sessions (store, argc - 3, argv + 3);

  if (argc < 4)
    return usage_error ("missing ID");

  id = pw_store_resolve_id (store, argv[3], &error);
  if (id == NULL)
    return store_error (error);

  if (g_str_equal (command, "set-phase"))
    return cmd_set_phase (store, id, argc - 4, argv + 4);
  if (g_str_equal (command, "add-blocker"))
    return cmd_add_blocker (store, id, argc - 4, argv + 4);
  if (g_str_equal (command, "add-draft"))
    return cmd_add_draft (store, id, argc - 4, argv + 4);
  if (g_str_equal (command, "add-message"))
    return cmd_add_message (store, id, argc - 4, argv + 4);
  if (g_str_equal (command, "add-review"))
    return cmd_add_review (store, id, argc - 4, argv + 4);
  if (g_str_equal (command, "add-usage"))
    return cmd_add_usage (store, id, argc - 4, argv + 4);

  return usage_error ("unknown command");
}
