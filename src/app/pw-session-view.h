/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The content for one session: header, phase bar, blockers, chat and context; the session.* actions. */
#pragma once

#include <adwaita.h>

#include "pw-application.h"

G_BEGIN_DECLS

#define PW_TYPE_SESSION_VIEW (pw_session_view_get_type ())
G_DECLARE_FINAL_TYPE (PwSessionView, pw_session_view, PW, SESSION_VIEW, GtkWidget)

GtkWidget  *pw_session_view_new            (void);
/* Shows @session_id in every child; NULL: nothing */
void        pw_session_view_set_session    (PwSessionView *self,
                                            const char    *session_id);
const char *pw_session_view_get_session    (PwSessionView *self);
/* Enables each session.* action from the lifecycle table; a disabled
 * control's tooltip says why and what to do instead. */
void        pw_session_view_update_actions (PwSessionView *self);
/* Activates @name (no parameter) on whichever child installs it — the
 * chat view's session.stop, say; FALSE when none could. */
gboolean    pw_session_view_activate_action (PwSessionView *self,
                                             const char    *name);

/* Why @command is refused in @session_id now, said for the window (what
 * to do here, not which CLI command to run); NULL when it may run. */
char       *pw_session_explain_refusal     (PwEngine      *engine,
                                            const char    *session_id,
                                            PwCommand      command);

G_END_DECLS
