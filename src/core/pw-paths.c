/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Default locations, from the XDG base directories. */

#include "config.h"

#include "pw-paths.h"

char *
pw_paths_default_db (void)
{
  return g_build_filename (g_get_user_data_dir (), "planwright", "planwright.db", NULL);
}

char *
pw_paths_session_dir (const char *session_id)
{
  g_return_val_if_fail (session_id != NULL, NULL);
  return g_build_filename (g_get_user_data_dir (), "planwright", "sessions", session_id, NULL);
}

char *
pw_paths_settings_file (void)
{
  return g_build_filename (g_get_user_config_dir (), "planwright", "settings.ini", NULL);
}

char *
pw_paths_absolute (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);
  /* canonicalize folds "." and ".." textually; it never follows links. */
  return g_canonicalize_filename (path, NULL);
}

const char *
pw_paths_locale_dir (void)
{
  const char *dir = g_getenv ("PLANWRIGHT_LOCALEDIR");

  return dir != NULL && *dir != '\0' ? dir : LOCALEDIR;
}
