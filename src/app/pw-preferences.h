/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The preferences window: providers, keys, review caps, context cap. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PW_TYPE_PREFERENCES (pw_preferences_get_type ())
G_DECLARE_FINAL_TYPE (PwPreferences, pw_preferences, PW, PREFERENCES, AdwPreferencesWindow)

/* Over the settings of the default application's engine */
GtkWidget *pw_preferences_new (GtkWindow *parent);

G_END_DECLS
