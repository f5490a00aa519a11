/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The lifecycle table: which command may run in which phase and status. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pw-lifecycle.h"

static const char *phase_names[PW_N_PHASES] = {
  "SETUP", "CONTEXT", "DISCUSSION", "PLANNING", "REVIEW", "COMPLETE",
};

static const char *status_names[PW_N_STATUSES] = {
  "ACTIVE", "PAUSED", "COMPLETE",
};

static const char *command_names[PW_N_COMMANDS] = {
  "add-context", "discuss", "generate", "draft", "review",
  "complete", "reopen", "resume", "status", "export",
};

#define BIT(c) (1u << (c))
#define ALWAYS (BIT (PW_COMMAND_STATUS) | BIT (PW_COMMAND_EXPORT))

/* spec/cli.md, "Phases and what each allows", for status ACTIVE. */
static const struct {
  guint       allowed;
  PwPhase     next[PW_N_COMMANDS];
  const char *hint;
} phase_table[PW_N_PHASES] = {
  [PW_PHASE_SETUP] = {
    ALWAYS | BIT (PW_COMMAND_ADD_CONTEXT) | BIT (PW_COMMAND_DISCUSS),
    { [PW_COMMAND_ADD_CONTEXT] = PW_PHASE_CONTEXT, [PW_COMMAND_DISCUSS] = PW_PHASE_DISCUSSION },
    N_("add context with 'add-context' or start the discussion with 'discuss'"),
  },
  [PW_PHASE_CONTEXT] = {
    ALWAYS | BIT (PW_COMMAND_ADD_CONTEXT) | BIT (PW_COMMAND_DISCUSS),
    { [PW_COMMAND_DISCUSS] = PW_PHASE_DISCUSSION },
    N_("add more context with 'add-context' or start the discussion with 'discuss'"),
  },
  [PW_PHASE_DISCUSSION] = {
    ALWAYS | BIT (PW_COMMAND_DISCUSS) | BIT (PW_COMMAND_ADD_CONTEXT),
    { 0 },
    N_("continue with 'discuss', or move to planning with 'discuss ID --done'"),
  },
  [PW_PHASE_PLANNING] = {
    ALWAYS | BIT (PW_COMMAND_GENERATE) | BIT (PW_COMMAND_DRAFT)
    | BIT (PW_COMMAND_REVIEW) | BIT (PW_COMMAND_COMPLETE),
    { [PW_COMMAND_REVIEW] = PW_PHASE_REVIEW, [PW_COMMAND_COMPLETE] = PW_PHASE_COMPLETE },
    N_("write a plan with 'generate' or 'draft', review it with 'review', or finish with 'complete'"),
  },
  [PW_PHASE_REVIEW] = {
    ALWAYS | BIT (PW_COMMAND_REVIEW) | BIT (PW_COMMAND_GENERATE)
    | BIT (PW_COMMAND_DRAFT) | BIT (PW_COMMAND_COMPLETE),
    { [PW_COMMAND_GENERATE] = PW_PHASE_PLANNING, [PW_COMMAND_COMPLETE] = PW_PHASE_COMPLETE },
    N_("continue with 'review', start over with 'generate', store a hand edit with 'draft', or finish with 'complete'"),
  },
  [PW_PHASE_COMPLETE] = {
    ALWAYS | BIT (PW_COMMAND_REOPEN),
    { [PW_COMMAND_REOPEN] = PW_PHASE_REVIEW },
    N_("the session is complete; use 'reopen' to edit and review its plan again"),
  },
};

/* What to do instead, said in the window's terms */
static const char *window_hints[PW_N_PHASES] = {
  [PW_PHASE_SETUP] = N_("Add context first, then start the discussion."),
  [PW_PHASE_CONTEXT] = N_("Add more context, or start the discussion by sending the planner a message."),
  [PW_PHASE_DISCUSSION] = N_("Keep discussing, or press “Done — Write the Plan” to move on to planning."),
  [PW_PHASE_PLANNING] = N_("The discussion is over: review the plan, or choose Mark Complete in the session menu."),
  [PW_PHASE_REVIEW] = N_("The discussion is over: continue the review, or choose Mark Complete in the session menu."),
  [PW_PHASE_COMPLETE] = N_("The session is complete: choose Reopen in the session menu to edit and review its plan again."),
};

/* The phases as the window's phase bar names them */
static const char *window_phase_labels[PW_N_PHASES] = {
  N_("Setup"), N_("Context"), N_("Discussion"), N_("Planning"), N_("Review"), N_("Complete"),
};

static gboolean
lookup (const char  *str,
        const char **names,
        guint        n,
        guint       *out)
{
  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (strcmp (names[i], str) == 0)
        {
          *out = i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
pw_phase_to_string (PwPhase phase)
{
  g_return_val_if_fail (phase < PW_N_PHASES, NULL);
  return phase_names[phase];
}

gboolean
pw_phase_from_string (const char *str,
                      PwPhase    *out_phase)
{
  guint v;

  if (!lookup (str, phase_names, PW_N_PHASES, &v))
    return FALSE;
  *out_phase = v;
  return TRUE;
}

const char *
pw_status_to_string (PwStatus status)
{
  g_return_val_if_fail (status < PW_N_STATUSES, NULL);
  return status_names[status];
}

gboolean
pw_status_from_string (const char *str,
                       PwStatus   *out_status)
{
  guint v;

  if (!lookup (str, status_names, PW_N_STATUSES, &v))
    return FALSE;
  *out_status = v;
  return TRUE;
}

const char *
pw_command_to_string (PwCommand command)
{
  g_return_val_if_fail (command < PW_N_COMMANDS, NULL);
  return command_names[command];
}

gboolean
pw_command_from_string (const char *str,
                        PwCommand  *out_command)
{
  guint v;

  if (!lookup (str, command_names, PW_N_COMMANDS, &v))
    return FALSE;
  *out_command = v;
  return TRUE;
}

gboolean
pw_lifecycle_check (PwPhase     phase,
                    PwStatus    status,
                    guint       open_blockers,
                    PwCommand   command,
                    char      **out_reason,
                    char      **out_hint)
{
  const char *name;

  g_return_val_if_fail (phase < PW_N_PHASES, FALSE);
  g_return_val_if_fail (command < PW_N_COMMANDS, FALSE);

  name = command_names[command];

  if (ALWAYS & BIT (command))
    return TRUE;

  if (command == PW_COMMAND_COMPLETE && open_blockers > 0)
    {
      if (out_reason)
        *out_reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                    "complete is not allowed while %u blocker is open",
                                                    "complete is not allowed while %u blockers are open",
                                                    open_blockers),
                                       open_blockers);
      if (out_hint)
        *out_hint = g_strdup (_("answer the blockers with 'resume ID --answer TEXT' first"));
      return FALSE;
    }

  if (status == PW_STATUS_PAUSED)
    {
      if (command == PW_COMMAND_RESUME)
        return TRUE;
      if (out_reason)
        *out_reason = g_strdup_printf (_("%s is not allowed while the session is PAUSED (in %s)"),
                                       name, phase_names[phase]);
      if (out_hint)
        *out_hint = g_strdup (_("answer its blockers with 'resume ID --answer TEXT'; 'status ID' shows them"));
      return FALSE;
    }

  if (command == PW_COMMAND_RESUME)
    {
      if (out_reason)
        *out_reason = g_strdup_printf (_("resume is not allowed while the session is in %s: it is not paused"),
                                       phase_names[phase]);
      if (out_hint)
        *out_hint = g_strdup (_(phase_table[phase].hint));
      return FALSE;
    }

  if (phase_table[phase].allowed & BIT (command))
    return TRUE;

  if (out_reason)
    *out_reason = g_strdup_printf (_("%s is not allowed while the session is in %s"),
                                   name, phase_names[phase]);
  if (out_hint)
    *out_hint = g_strdup (_(phase_table[phase].hint));
  return FALSE;
}

char *
pw_lifecycle_explain (PwPhase   phase,
                      PwStatus  status,
                      guint     open_blockers,
                      PwCommand command)
{
  g_return_val_if_fail (phase < PW_N_PHASES, NULL);
  g_return_val_if_fail (command < PW_N_COMMANDS, NULL);

  /* The same decisions as pw_lifecycle_check, in the same order */
  if (pw_lifecycle_check (phase, status, open_blockers, command, NULL, NULL))
    return NULL;

  if (command == PW_COMMAND_COMPLETE && open_blockers > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u question is still open. Answer it above, then press Answer and Resume.",
                                         "%u questions are still open. Answer them above, then press Answer and Resume.",
                                         open_blockers),
                            open_blockers);

  if (status == PW_STATUS_PAUSED)
    return g_strdup (_("Not available while the session is paused. "
                       "Answer the questions above, then press Answer and Resume."));

  if (command == PW_COMMAND_RESUME)
    return g_strdup (_("The session is not paused."));

  /* Translators: "Not available in the Planning phase. <what to do>" */
  return g_strdup_printf (_("Not available in the %s phase. %s"),
                          _(window_phase_labels[phase]), _(window_hints[phase]));
}

PwPhase
pw_lifecycle_next_phase (PwPhase   phase,
                         PwCommand command)
{
  PwPhase next;

  g_return_val_if_fail (phase < PW_N_PHASES, phase);
  g_return_val_if_fail (command < PW_N_COMMANDS, phase);

  /* PW_PHASE_SETUP is 0, so an unset entry means "stays". */
  next = phase_table[phase].next[command];
  return next == PW_PHASE_SETUP ? phase : next;
}
