/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SETUP → … → COMPLETE with the session's phase highlighted. */
#pragma once

#include <adwaita.h>

#include "pw-lifecycle.h"

G_BEGIN_DECLS

#define PW_TYPE_PHASE_BAR (pw_phase_bar_get_type ())
G_DECLARE_FINAL_TYPE (PwPhaseBar, pw_phase_bar, PW, PHASE_BAR, GtkWidget)

GtkWidget  *pw_phase_bar_new         (void);
/* Shows @session_id (NULL: nothing); re-reads it from the store. */
void        pw_phase_bar_set_session (PwPhaseBar  *self,
                                       const char *session_id);
const char *pw_phase_bar_get_session (PwPhaseBar  *self);
/* The phase's name for people ("Discussion") */
const char *pw_phase_bar_phase_label (PwPhase      phase);

G_END_DECLS
