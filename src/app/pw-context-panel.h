/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A session's context entries: files and notes, added and removed. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PW_TYPE_CONTEXT_PANEL (pw_context_panel_get_type ())
G_DECLARE_FINAL_TYPE (PwContextPanel, pw_context_panel, PW, CONTEXT_PANEL, GtkWidget)

GtkWidget  *pw_context_panel_new         (void);
/* Shows @session_id (NULL: nothing); re-reads it from the store. */
void        pw_context_panel_set_session (PwContextPanel  *self,
                                           const char *session_id);
const char *pw_context_panel_get_session (PwContextPanel  *self);

G_END_DECLS
