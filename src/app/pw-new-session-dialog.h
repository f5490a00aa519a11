/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The "New Session" dialog: project name, optional repository folder, planner model. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PW_TYPE_NEW_SESSION_DIALOG (pw_new_session_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PwNewSessionDialog, pw_new_session_dialog, PW, NEW_SESSION_DIALOG, AdwMessageDialog)

/* Emits "session-created" (const char *id) after the store has it */
GtkWidget *pw_new_session_dialog_new (GtkWindow *parent);

G_END_DECLS
