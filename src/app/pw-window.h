/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window: session sidebar and content in a leaflet, window state in GSettings, shortcuts. */
#pragma once

#include <adwaita.h>

#include "pw-application.h"

G_BEGIN_DECLS

#define PW_TYPE_WINDOW (pw_window_get_type ())
G_DECLARE_FINAL_TYPE (PwWindow, pw_window, PW, WINDOW, AdwApplicationWindow)

PwWindow *pw_window_new (PwApplication *application);

G_END_DECLS
