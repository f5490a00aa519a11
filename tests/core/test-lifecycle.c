/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The phase table of spec/cli.md, cell by cell, and the moves it makes. */

#include <stdarg.h>
#include <string.h>

#include <glib.h>

#include "pw-lifecycle.h"

/* Logs every failure (g_test_fail_printf keeps only the last message)
 * and marks the test failed without stopping it. */
static void G_GNUC_PRINTF (1, 2)
report_failure (const char *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("FAILED: %s", message);
  g_test_fail_printf ("%s", message);
}

static const PwPhase all_phases[] = {
  PW_PHASE_SETUP, PW_PHASE_CONTEXT, PW_PHASE_DISCUSSION,
  PW_PHASE_PLANNING, PW_PHASE_REVIEW, PW_PHASE_COMPLETE,
};

static const PwCommand all_commands[] = {
  PW_COMMAND_ADD_CONTEXT, PW_COMMAND_DISCUSS, PW_COMMAND_GENERATE,
  PW_COMMAND_DRAFT, PW_COMMAND_REVIEW, PW_COMMAND_COMPLETE,
  PW_COMMAND_REOPEN, PW_COMMAND_RESUME, PW_COMMAND_STATUS,
  PW_COMMAND_EXPORT,
};

/* Written out from the table in spec/cli.md, not derived from the code. */
static gboolean
expected_active (PwPhase   phase,
                 PwCommand command)
{
  if (command == PW_COMMAND_STATUS || command == PW_COMMAND_EXPORT)
    return TRUE;

  switch (phase)
    {
    case PW_PHASE_SETUP:
    case PW_PHASE_CONTEXT:
    case PW_PHASE_DISCUSSION:
      return command == PW_COMMAND_ADD_CONTEXT || command == PW_COMMAND_DISCUSS;
    case PW_PHASE_PLANNING:
    case PW_PHASE_REVIEW:
      return command == PW_COMMAND_GENERATE || command == PW_COMMAND_DRAFT ||
             command == PW_COMMAND_REVIEW || command == PW_COMMAND_COMPLETE;
    case PW_PHASE_COMPLETE:
      return command == PW_COMMAND_REOPEN;
    case PW_N_PHASES:
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

static gboolean
expected_paused (PwCommand command)
{
  return command == PW_COMMAND_RESUME || command == PW_COMMAND_STATUS ||
         command == PW_COMMAND_EXPORT;
}

static void
describe (GString   *where,
          PwPhase    phase,
          PwStatus   status,
          guint      open_blockers,
          PwCommand  command)
{
  g_string_printf (where, "%s in %s/%s with %u open blocker(s)",
                   pw_command_to_string (command), pw_phase_to_string (phase),
                   pw_status_to_string (status), open_blockers);
}

/* One cell: the verdict, and on refusal a reason that names the command
 * and what refused it (@must_mention), and a hint. */
static void
check_cell (PwPhase     phase,
            PwStatus    status,
            guint       open_blockers,
            PwCommand   command,
            gboolean    expected,
            const char *must_mention)
{
  g_autofree char *reason = NULL;
  g_autofree char *hint = NULL;
  g_autoptr(GString) where = g_string_new (NULL);
  gboolean allowed;

  describe (where, phase, status, open_blockers, command);

  allowed = pw_lifecycle_check (phase, status, open_blockers, command,
                                &reason, &hint);
  /* Every wrong cell is reported, not only the first. */
  if (allowed != expected)
    {
      report_failure ("%s: expected %s, got %s (reason: %s)", where->str,
                      expected ? "allowed" : "refused",
                      allowed ? "allowed" : "refused",
                      reason != NULL ? reason : "(none)");
      return;
    }

  if (allowed)
    return;

  if (reason == NULL || hint == NULL || *hint == '\0')
    {
      report_failure ("%s: refused without a reason or a hint", where->str);
      return;
    }
  if (strstr (reason, pw_command_to_string (command)) == NULL)
    report_failure ("%s: reason \"%s\" does not name the command",
                    where->str, reason);
  if (must_mention != NULL && strstr (reason, must_mention) == NULL)
    report_failure ("%s: reason \"%s\" does not mention \"%s\"",
                    where->str, reason, must_mention);
}

static void
test_table_active (void)
{
  for (gsize p = 0; p < G_N_ELEMENTS (all_phases); p++)
    for (gsize c = 0; c < G_N_ELEMENTS (all_commands); c++)
      {
        PwPhase phase = all_phases[p];
        PwCommand command = all_commands[c];

        check_cell (phase, PW_STATUS_ACTIVE, 0, command,
                    expected_active (phase, command),
                    pw_phase_to_string (phase));
      }
}

static void
test_table_paused (void)
{
  /* PAUSED normally comes with an open blocker; without one the status
   * alone still decides. */
  for (guint blockers = 0; blockers <= 2; blockers++)
    for (gsize p = 0; p < G_N_ELEMENTS (all_phases); p++)
      for (gsize c = 0; c < G_N_ELEMENTS (all_commands); c++)
        {
          PwCommand command = all_commands[c];

          check_cell (all_phases[p], PW_STATUS_PAUSED, blockers, command,
                      expected_paused (command),
                      command == PW_COMMAND_COMPLETE && blockers > 0 ? NULL : "PAUSED");
        }
}

static void
test_resume_active_refused (void)
{
  for (gsize p = 0; p < G_N_ELEMENTS (all_phases); p++)
    check_cell (all_phases[p], PW_STATUS_ACTIVE, 0, PW_COMMAND_RESUME, FALSE,
                pw_phase_to_string (all_phases[p]));
}

static void
test_complete_with_blockers (void)
{
  for (gsize p = 0; p < G_N_ELEMENTS (all_phases); p++)
    for (PwStatus status = PW_STATUS_ACTIVE; status <= PW_STATUS_PAUSED; status++)
      for (guint blockers = 1; blockers <= 3; blockers++)
        {
          PwPhase phase = all_phases[p];
          g_autofree char *reason = NULL;
          g_autofree char *hint = NULL;

          g_assert_false (pw_lifecycle_check (phase, status, blockers,
                                              PW_COMMAND_COMPLETE, &reason, &hint));
          g_assert_nonnull (reason);
          g_assert_nonnull (hint);
          g_assert_cmpstr (hint, !=, "");
          g_assert_nonnull (strstr (reason, "complete"));

          /* Where complete would otherwise run, the blockers are the
           * only reason: the message has to say so. */
          if (status == PW_STATUS_ACTIVE &&
              (phase == PW_PHASE_PLANNING || phase == PW_PHASE_REVIEW))
            g_assert_nonnull (strstr (reason, "blocker"));
        }
}

static void
test_complete_without_blockers (void)
{
  /* planner-auto 0.1.0 let complete through in any phase once no
   * blocker was open (behaviour.md §2, rule 3). */
  g_assert_true (pw_lifecycle_check (PW_PHASE_PLANNING, PW_STATUS_ACTIVE, 0,
                                     PW_COMMAND_COMPLETE, NULL, NULL));
  g_assert_true (pw_lifecycle_check (PW_PHASE_REVIEW, PW_STATUS_ACTIVE, 0,
                                     PW_COMMAND_COMPLETE, NULL, NULL));
  check_cell (PW_PHASE_SETUP, PW_STATUS_ACTIVE, 0, PW_COMMAND_COMPLETE, FALSE, "SETUP");
  check_cell (PW_PHASE_DISCUSSION, PW_STATUS_ACTIVE, 0, PW_COMMAND_COMPLETE, FALSE,
              "DISCUSSION");
  check_cell (PW_PHASE_COMPLETE, PW_STATUS_ACTIVE, 0, PW_COMMAND_COMPLETE, FALSE,
              "COMPLETE");
}

static void
test_status_complete (void)
{
  /* A completed session is stored as COMPLETE/COMPLETE; reopen must
   * still reach it. */
  for (gsize c = 0; c < G_N_ELEMENTS (all_commands); c++)
    {
      PwCommand command = all_commands[c];

      check_cell (PW_PHASE_COMPLETE, PW_STATUS_COMPLETE, 0, command,
                  command == PW_COMMAND_REOPEN || command == PW_COMMAND_STATUS ||
                  command == PW_COMMAND_EXPORT,
                  "COMPLETE");
    }
}

static void
test_null_out_params (void)
{
  /* Callers that only want the verdict pass NULL. */
  g_assert_false (pw_lifecycle_check (PW_PHASE_SETUP, PW_STATUS_ACTIVE, 0,
                                      PW_COMMAND_GENERATE, NULL, NULL));
  g_assert_true (pw_lifecycle_check (PW_PHASE_SETUP, PW_STATUS_ACTIVE, 0,
                                     PW_COMMAND_ADD_CONTEXT, NULL, NULL));
}

static void
test_refusal_wording (void)
{
  g_autofree char *reason = NULL;
  g_autofree char *hint = NULL;

  /* spec/cli.md gives the shape: "… is not allowed while the session is
   * in PLANNING; …" */
  g_assert_false (pw_lifecycle_check (PW_PHASE_PLANNING, PW_STATUS_ACTIVE, 0,
                                      PW_COMMAND_ADD_CONTEXT, &reason, &hint));
  g_assert_nonnull (strstr (reason, "add-context"));
  g_assert_nonnull (strstr (reason, "PLANNING"));
  g_assert_nonnull (strstr (reason, "not allowed"));
}

typedef struct {
  PwPhase   from;
  PwCommand command;
  PwPhase   to;
} Move;

static void
test_next_phase (void)
{
  static const Move moves[] = {
    { PW_PHASE_SETUP, PW_COMMAND_ADD_CONTEXT, PW_PHASE_CONTEXT },
    { PW_PHASE_CONTEXT, PW_COMMAND_ADD_CONTEXT, PW_PHASE_CONTEXT },
    { PW_PHASE_DISCUSSION, PW_COMMAND_ADD_CONTEXT, PW_PHASE_DISCUSSION },
    { PW_PHASE_SETUP, PW_COMMAND_DISCUSS, PW_PHASE_DISCUSSION },
    { PW_PHASE_CONTEXT, PW_COMMAND_DISCUSS, PW_PHASE_DISCUSSION },
    { PW_PHASE_DISCUSSION, PW_COMMAND_DISCUSS, PW_PHASE_DISCUSSION },
    { PW_PHASE_PLANNING, PW_COMMAND_REVIEW, PW_PHASE_REVIEW },
    { PW_PHASE_REVIEW, PW_COMMAND_REVIEW, PW_PHASE_REVIEW },
    { PW_PHASE_REVIEW, PW_COMMAND_GENERATE, PW_PHASE_PLANNING },
    { PW_PHASE_PLANNING, PW_COMMAND_GENERATE, PW_PHASE_PLANNING },
    { PW_PHASE_PLANNING, PW_COMMAND_DRAFT, PW_PHASE_PLANNING },
    { PW_PHASE_REVIEW, PW_COMMAND_DRAFT, PW_PHASE_REVIEW },
    { PW_PHASE_PLANNING, PW_COMMAND_COMPLETE, PW_PHASE_COMPLETE },
    { PW_PHASE_REVIEW, PW_COMMAND_COMPLETE, PW_PHASE_COMPLETE },
    { PW_PHASE_COMPLETE, PW_COMMAND_REOPEN, PW_PHASE_REVIEW },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (moves); i++)
    {
      PwPhase got = pw_lifecycle_next_phase (moves[i].from, moves[i].command);

      if (got != moves[i].to)
        report_failure ("%s in %s: expected %s, got %s",
                        pw_command_to_string (moves[i].command),
                        pw_phase_to_string (moves[i].from),
                        pw_phase_to_string (moves[i].to),
                        pw_phase_to_string (got));
    }

  /* Commands that never move a session. */
  for (gsize p = 0; p < G_N_ELEMENTS (all_phases); p++)
    {
      g_assert_cmpint (pw_lifecycle_next_phase (all_phases[p], PW_COMMAND_STATUS), ==,
                       all_phases[p]);
      g_assert_cmpint (pw_lifecycle_next_phase (all_phases[p], PW_COMMAND_EXPORT), ==,
                       all_phases[p]);
      g_assert_cmpint (pw_lifecycle_next_phase (all_phases[p], PW_COMMAND_RESUME), ==,
                       all_phases[p]);
    }
}

static void
test_phase_strings (void)
{
  static const char *names[] = {
    "SETUP", "CONTEXT", "DISCUSSION", "PLANNING", "REVIEW", "COMPLETE",
  };
  static const char *bad[] = { "", "BOGUS", "PLAN", "SETUPS", "PAUSED" };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == PW_N_PHASES);

  for (guint i = 0; i < PW_N_PHASES; i++)
    {
      PwPhase back = PW_N_PHASES;

      /* The same spelling the database stores and the CLI prints. */
      g_assert_cmpstr (pw_phase_to_string (i), ==, names[i]);
      g_assert_true (pw_phase_from_string (names[i], &back));
      g_assert_cmpint (back, ==, i);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      PwPhase back;

      g_assert_false (pw_phase_from_string (bad[i], &back));
    }
}

static void
test_status_strings (void)
{
  static const char *names[] = { "ACTIVE", "PAUSED", "COMPLETE" };
  static const char *bad[] = { "", "FAILED", "RUNNING", "ACTIVEX" };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == PW_N_STATUSES);

  for (guint i = 0; i < PW_N_STATUSES; i++)
    {
      PwStatus back = PW_N_STATUSES;

      g_assert_cmpstr (pw_status_to_string (i), ==, names[i]);
      g_assert_true (pw_status_from_string (names[i], &back));
      g_assert_cmpint (back, ==, i);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      PwStatus back;

      g_assert_false (pw_status_from_string (bad[i], &back));
    }
}

static void
test_command_strings (void)
{
  /* The CLI's command names. */
  static const char *names[] = {
    "add-context", "discuss", "generate", "draft", "review", "complete",
    "reopen", "resume", "status", "export",
  };
  static const char *bad[] = { "", "start-over", "lists", "addcontext", "reviews" };

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == PW_N_COMMANDS);

  for (guint i = 0; i < PW_N_COMMANDS; i++)
    {
      PwCommand back = PW_N_COMMANDS;

      g_assert_cmpstr (pw_command_to_string (i), ==, names[i]);
      g_assert_true (pw_command_from_string (names[i], &back));
      g_assert_cmpint (back, ==, i);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      PwCommand back;

      g_assert_false (pw_command_from_string (bad[i], &back));
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lifecycle/table/active", test_table_active);
  g_test_add_func ("/lifecycle/table/paused", test_table_paused);
  g_test_add_func ("/lifecycle/table/status-complete", test_status_complete);
  g_test_add_func ("/lifecycle/resume-active-refused", test_resume_active_refused);
  g_test_add_func ("/lifecycle/complete/with-blockers", test_complete_with_blockers);
  g_test_add_func ("/lifecycle/complete/without-blockers", test_complete_without_blockers);
  g_test_add_func ("/lifecycle/null-out-params", test_null_out_params);
  g_test_add_func ("/lifecycle/refusal-wording", test_refusal_wording);
  g_test_add_func ("/lifecycle/next-phase", test_next_phase);
  g_test_add_func ("/lifecycle/strings/phase", test_phase_strings);
  g_test_add_func ("/lifecycle/strings/status", test_status_strings);
  g_test_add_func ("/lifecycle/strings/command", test_command_strings);

  return g_test_run ();
}
