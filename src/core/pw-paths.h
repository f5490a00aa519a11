/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where Planwright keeps its database, exports and settings. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* $XDG_DATA_HOME/planwright/planwright.db */
char *pw_paths_default_db       (void);
/* $XDG_DATA_HOME/planwright/sessions/<id> */
char *pw_paths_session_dir      (const char *session_id);
/* $XDG_CONFIG_HOME/planwright/settings.ini */
char *pw_paths_settings_file    (void);
/* An absolute form of @path (relative to the current directory), without
 * resolving symbolic links. */
char *pw_paths_absolute         (const char *path);

/* LOCALEDIR, or $PLANWRIGHT_LOCALEDIR for an uninstalled build. */
const char *pw_paths_locale_dir (void);

G_END_DECLS
