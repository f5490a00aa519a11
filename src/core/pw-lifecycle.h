/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Phases, statuses and the one table that says which command runs when. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  PW_PHASE_SETUP,
  PW_PHASE_CONTEXT,
  PW_PHASE_DISCUSSION,
  PW_PHASE_PLANNING,
  PW_PHASE_REVIEW,
  PW_PHASE_COMPLETE,
  PW_N_PHASES
} PwPhase;

typedef enum {
  PW_STATUS_ACTIVE,
  PW_STATUS_PAUSED,
  PW_STATUS_COMPLETE,
  PW_N_STATUSES
} PwStatus;

/* Commands that act on one session. */
typedef enum {
  PW_COMMAND_ADD_CONTEXT,
  PW_COMMAND_DISCUSS,
  PW_COMMAND_GENERATE,
  PW_COMMAND_DRAFT,
  PW_COMMAND_REVIEW,
  PW_COMMAND_COMPLETE,
  PW_COMMAND_REOPEN,
  PW_COMMAND_RESUME,
  PW_COMMAND_STATUS,
  PW_COMMAND_EXPORT,
  PW_N_COMMANDS
} PwCommand;

const char *pw_phase_to_string    (PwPhase      phase);
gboolean    pw_phase_from_string  (const char  *str,
                                   PwPhase     *out_phase);
const char *pw_status_to_string   (PwStatus     status);
gboolean    pw_status_from_string (const char  *str,
                                   PwStatus    *out_status);
const char *pw_command_to_string  (PwCommand    command);
gboolean    pw_command_from_string (const char *str,
                                    PwCommand  *out_command);

/* Returns TRUE when @command may run. Otherwise sets @out_reason to what
 * is refused and @out_hint to what the user can do instead (both
 * translated, both owned by the caller). */
gboolean    pw_lifecycle_check    (PwPhase      phase,
                                   PwStatus     status,
                                   guint        open_blockers,
                                   PwCommand    command,
                                   char       **out_reason,
                                   char       **out_hint);

/* The window's wording of a refusal: NULL when @command may run,
 * otherwise one translated sentence pair, "what is refused. what to do
 * in the window" (no command names: the CLI's hints stay in
 * pw_lifecycle_check). Owned by the caller. */
char       *pw_lifecycle_explain  (PwPhase      phase,
                                   PwStatus     status,
                                   guint        open_blockers,
                                   PwCommand    command);

/* The phase a session moves to when @command succeeds in @phase; @phase
 * itself when the command does not move it. */
PwPhase     pw_lifecycle_next_phase (PwPhase    phase,
                                     PwCommand  command);

G_END_DECLS
