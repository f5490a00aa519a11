/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A paused session's open questions, with answer fields that resume it. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PW_TYPE_BLOCKER_PANEL (pw_blocker_panel_get_type ())
G_DECLARE_FINAL_TYPE (PwBlockerPanel, pw_blocker_panel, PW, BLOCKER_PANEL, GtkWidget)

GtkWidget  *pw_blocker_panel_new         (void);
/* Shows @session_id (NULL: nothing); re-reads it from the store. */
void        pw_blocker_panel_set_session (PwBlockerPanel  *self,
                                           const char *session_id);
const char *pw_blocker_panel_get_session (PwBlockerPanel  *self);

G_END_DECLS
