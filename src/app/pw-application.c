/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GApplication of the desktop app: one window, app-level actions. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-window.h"

struct _PwApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (PwApplication, pw_application, ADW_TYPE_APPLICATION)

PwApplication *
pw_application_new (void)
{
  /* The Devel profile has its own id but shares the resources, so the base
   * path is fixed rather than derived from the id. */
  return g_object_new (PW_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/github/planwright/Planwright",
                       NULL);
}

static void
pw_application_activate (GApplication *app)
{
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (pw_window_new (PW_APPLICATION (app)));

  gtk_window_present (window);
}

static void
pw_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  PwApplication *self = user_data;
  static const char *developers[] = { "The Planwright authors", NULL };
  GtkWindow *parent;

  parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  adw_show_about_window (parent,
                         "application-name", _("Planwright"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Plan software work with a planner and a reviewer model"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
pw_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", pw_application_about_action },
  { "quit", pw_application_quit_action },
};

static void
pw_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (pw_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
pw_application_class_init (PwApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = pw_application_activate;
  app_class->startup = pw_application_startup;
}

static void
pw_application_init (PwApplication *self)
{
}
