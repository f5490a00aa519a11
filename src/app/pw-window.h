/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window: session sidebar and content in a leaflet, window state in GSettings, shortcuts. */
#pragma once

#include <adwaita.h>

#include "pw-application.h"

G_BEGIN_DECLS

#define PW_TYPE_WINDOW (pw_window_get_type ())
G_DECLARE_FINAL_TYPE (PwWindow, pw_window, PW, WINDOW, AdwApplicationWindow)

PwWindow *pw_window_new (PwApplication *application);
/* Shows @session_id (filter and search reset so its row is in the list);
 * from the Shell's search and notifications */
void      pw_window_show_session (PwWindow   *self,
                                  const char *session_id);
/* Shows the session list searching for @text */
void      pw_window_search       (PwWindow   *self,
                                  const char *text);

G_END_DECLS
