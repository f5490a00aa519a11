/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Entry point of the planwright desktop application. */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "pw-application.h"
#include "pw-paths.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PwApplication) app = NULL;

  setlocale (LC_ALL, "");
  /* An uninstalled build (meson devenv, the tests) finds its catalogues in
   * the build tree's po/ instead. */
  bindtextdomain (GETTEXT_PACKAGE, pw_paths_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* The name notifications carry (GLib's fallback is the binary's) */
  g_set_application_name (_("Planwright"));

  app = pw_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
