/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GApplication of the desktop app: one window, app-level actions. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-demo.h"
#include "pw-notify.h"
#include "pw-preferences.h"
#include "pw-search-provider.h"
#include "pw-window.h"

struct _PwApplication
{
  AdwApplication parent_instance;

  PwEngine         *engine;
  GError           *engine_error;
  gboolean          upgrading;      /* the database is being migrated */
  PwSearchProvider *search_provider;
};

G_DEFINE_FINAL_TYPE (PwApplication, pw_application, ADW_TYPE_APPLICATION)

enum {
  SIGNAL_SESSION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

PwApplication *
pw_application_get_default (void)
{
  return PW_APPLICATION (g_application_get_default ());
}

PwEngine *
pw_application_get_engine (PwApplication *self)
{
  g_return_val_if_fail (PW_IS_APPLICATION (self), NULL);
  return self->engine;
}

const GError *
pw_application_get_engine_error (PwApplication *self)
{
  g_return_val_if_fail (PW_IS_APPLICATION (self), NULL);
  return self->engine_error;
}

void
pw_application_session_changed (PwApplication *self,
                                const char    *session_id)
{
  g_return_if_fail (PW_IS_APPLICATION (self));
  g_signal_emit (self, signals[SIGNAL_SESSION_CHANGED], 0, session_id);
}

/* The database given by $PLANWRIGHT_DB (tests, demos) or the default one */
static char *
db_path (void)
{
  const char *env = g_getenv ("PLANWRIGHT_DB");

  return env != NULL ? g_strdup (env) : pw_paths_default_db ();
}

/* The engine over @store, or the database opened here when @store is NULL */
static void
open_engine (PwApplication *self,
             PwStore       *store)
{
  g_autoptr(PwStore) opened = NULL;
  g_autoptr(PwSettings) settings = NULL;
  g_autoptr(PwModels) models = NULL;

  if (store == NULL)
    {
      g_autofree char *path = db_path ();

      store = opened = pw_store_open (path, &self->engine_error);
    }
  if (store != NULL
      && (settings = pw_settings_load (NULL, &self->engine_error))
      && (models = pw_models_load (NULL, &self->engine_error)))
    self->engine = pw_engine_new (store, settings, models);
}

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

/* The one main window: a second launch, the Shell's search and a
 * notification all come back to it rather than opening another. */
static PwWindow *
ensure_main_window (PwApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (PW_IS_WINDOW (l->data))
      return l->data;
  return pw_window_new (self);
}

static void
pw_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (ensure_main_window (PW_APPLICATION (app))));
}

void
pw_application_show_session (PwApplication *self,
                             const char    *session_id,
                             guint32        timestamp)
{
  PwWindow *window;

  g_return_if_fail (PW_IS_APPLICATION (self));
  g_return_if_fail (session_id != NULL);

  window = ensure_main_window (self);
  pw_window_show_session (window, session_id);
  pw_notify_withdraw_generation (G_APPLICATION (self), session_id);
  gtk_window_present_with_time (GTK_WINDOW (window), timestamp);
}

void
pw_application_show_search (PwApplication *self,
                            const char    *text,
                            guint32        timestamp)
{
  PwWindow *window;

  g_return_if_fail (PW_IS_APPLICATION (self));

  window = ensure_main_window (self);
  pw_window_search (window, text);
  gtk_window_present_with_time (GTK_WINDOW (window), timestamp);
}

static void
pw_application_open_session_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  pw_application_show_session (user_data, g_variant_get_string (parameter, NULL), GDK_CURRENT_TIME);
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
pw_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  gtk_window_present (GTK_WINDOW (pw_preferences_new (parent)));
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
  { "preferences", pw_application_preferences_action },
  { "open-session", pw_application_open_session_action, "s" },
};

/* A database of an older schema is migrated, after a backup, on a
 * worker: for many sessions that takes seconds, and the window shows
 * (saying so) instead of nothing at all */
/* The store the worker opened (and so migrated) is the engine's */
static gpointer
opened_store (PwStore  *store,
              gpointer  data,
              GError  **error)
{
  return g_object_ref (store);
}

static void
upgrade_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  PwApplication *self = PW_APPLICATION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwStore) store = pw_store_read_finish (result, &error);
  g_autoptr(GList) windows = NULL;
  gboolean had_window = FALSE;

  self->upgrading = FALSE;
  if (store != NULL)
    open_engine (self, store);
  else
    self->engine_error = g_steal_pointer (&error);   /* the window says why */

  /* The window shown meanwhile had no sessions: a new one has them. The
   * hold keeps the application while there is none. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    if (PW_IS_WINDOW (l->data))
      {
        had_window = TRUE;
        gtk_window_destroy (GTK_WINDOW (l->data));
      }
  if (had_window)
    gtk_window_present (GTK_WINDOW (ensure_main_window (self)));
  g_application_release (G_APPLICATION (self));
}

static void
start_engine (PwApplication *self)
{
  g_autofree char *path = db_path ();

  if (!pw_store_needs_upgrade (path))
    {
      open_engine (self, NULL);
      return;
    }
  self->upgrading = TRUE;
  g_application_hold (G_APPLICATION (self));
  pw_store_read_async (path, opened_store, NULL, NULL, g_object_unref,
                       self, NULL, upgrade_done, NULL);
}

gboolean
pw_application_is_upgrading (PwApplication *self)
{
  g_return_val_if_fail (PW_IS_APPLICATION (self), FALSE);
  return self->upgrading;
}

static void
pw_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (pw_application_parent_class)->startup (app);
  /* The window's icon where the desktop asks the window (X11 _NET_WM_ICON) */
  gtk_window_set_default_icon_name (APPLICATION_ID);

  /* Started by D-Bus (the Shell's search, a desktop launcher) with no
   * window: stay a while after each call, so the next one finds us */
  if (g_application_get_flags (app) & G_APPLICATION_IS_SERVICE)
    g_application_set_inactivity_timeout (app, 20000);

  start_engine (PW_APPLICATION (app));

  g_action_map_add_action_entries (G_ACTION_MAP (app),
                                   app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  pw_demo_install_actions (PW_APPLICATION (app));
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

/* The Shell's search provider lives on the application's own connection,
 * at <object path>/SearchProvider (the .ini names it) */
static gboolean
pw_application_dbus_register (GApplication    *app,
                              GDBusConnection *connection,
                              const char      *object_path,
                              GError         **error)
{
  PwApplication *self = PW_APPLICATION (app);
  g_autofree char *path = g_strconcat (object_path, "/SearchProvider", NULL);

  if (!G_APPLICATION_CLASS (pw_application_parent_class)->dbus_register (app, connection, object_path, error))
    return FALSE;
  if (self->search_provider == NULL)
    self->search_provider = pw_search_provider_new (app);
  return pw_search_provider_export (self->search_provider, connection, path, error);
}

static void
pw_application_dbus_unregister (GApplication    *app,
                                GDBusConnection *connection,
                                const char      *object_path)
{
  PwApplication *self = PW_APPLICATION (app);

  if (self->search_provider != NULL)
    pw_search_provider_unexport (self->search_provider);
  G_APPLICATION_CLASS (pw_application_parent_class)->dbus_unregister (app, connection, object_path);
}

static void
pw_application_dispose (GObject *object)
{
  PwApplication *self = PW_APPLICATION (object);

  g_clear_object (&self->search_provider);
  g_clear_object (&self->engine);
  g_clear_error (&self->engine_error);

  G_OBJECT_CLASS (pw_application_parent_class)->dispose (object);
}

static void
pw_application_class_init (PwApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = pw_application_dispose;
  signals[SIGNAL_SESSION_CHANGED] =
    g_signal_new ("session-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  app_class->activate = pw_application_activate;
  app_class->startup = pw_application_startup;
  app_class->dbus_register = pw_application_dbus_register;
  app_class->dbus_unregister = pw_application_dbus_unregister;
}

static void
pw_application_init (PwApplication *self)
{
}
