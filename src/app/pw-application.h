/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GApplication of the desktop app: one window, app-level actions. */
#pragma once

#include <adwaita.h>

#include "pw-planning.h"

G_BEGIN_DECLS

#define PW_TYPE_APPLICATION (pw_application_get_type ())
G_DECLARE_FINAL_TYPE (PwApplication, pw_application, PW, APPLICATION, AdwApplication)

PwApplication *pw_application_new (void);
/* The default application, for widgets deep in the tree */
PwApplication *pw_application_get_default (void);
/* The engine over the app's database and settings (opened at startup).
 * NULL when the database could not be opened: the window says why. */
PwEngine      *pw_application_get_engine (PwApplication *self);
/* Why the database could not be opened, or NULL */
const GError  *pw_application_get_engine_error (PwApplication *self);
/* TRUE while an older database is migrated on a worker (no engine yet);
 * the window is then built anew once it is done */
gboolean       pw_application_is_upgrading     (PwApplication *self);
/* Tell every view that @session_id changed in the store (NULL: the list
 * of sessions changed); emits "session-changed" (const char *id). */
void           pw_application_session_changed (PwApplication *self,
                                               const char    *session_id);
/* Presents the main window (made when there is none) showing @session_id;
 * @timestamp: of the event that asked (0: now). Also app.open-session. */
void           pw_application_show_session    (PwApplication *self,
                                               const char    *session_id,
                                               guint32        timestamp);
/* Presents the main window searching the sessions for @text */
void           pw_application_show_search     (PwApplication *self,
                                               const char    *text,
                                               guint32        timestamp);

G_END_DECLS
