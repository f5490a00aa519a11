/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window: session sidebar and content in a leaflet, window state in GSettings, shortcuts. */

#include "config.h"

#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "pw-new-session-dialog.h"
#include "pw-session-sidebar.h"
#include "pw-session-view.h"
#include "pw-welcome-page.h"
#include "pw-window.h"

struct _PwWindow
{
  AdwApplicationWindow parent_instance;

  /* template */
  AdwToastOverlay  *toast_overlay;
  AdwLeaflet       *leaflet;
  PwSessionSidebar *sidebar;
  GtkStack         *content_stack;
  AdwStatusPage    *status_page;
  GtkButton        *empty_new_button;
  PwSessionView    *session_view;
  PwWelcomePage    *welcome_page;

  GSettings        *settings;   /* NULL when the schema is not installed */
  GCancellable     *cancellable;
  gboolean          welcome_due; /* first run: no key yet, page not dismissed */
  gboolean          startup_done; /* the first map is behind us */
};

G_DEFINE_FINAL_TYPE (PwWindow, pw_window, ADW_TYPE_APPLICATION_WINDOW)

PwWindow *
pw_window_new (PwApplication *application)
{
  g_return_val_if_fail (application == NULL || PW_IS_APPLICATION (application), NULL);

  return g_object_new (PW_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

static void
show_session (PwWindow   *self,
              const char *session_id)
{
  pw_session_view_set_session (self->session_view, session_id);
  gtk_stack_set_visible_child_name (self->content_stack,
                                    session_id ? "session" : self->welcome_due ? "welcome" : "empty");
}

static void
on_welcome_done (PwWelcomePage *page,
                 PwWindow      *self)
{
  /* The page's buttons already ran app.preferences / app.demo */
  self->welcome_due = FALSE;
  show_session (self, pw_session_sidebar_get_selected (self->sidebar));
}

static void
on_welcome_needed (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean needed = pw_welcome_page_needed_finish (result, &error);
  PwWindow *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = PW_WINDOW (user_data);
  if (error != NULL)
    g_debug ("Could not tell whether the first-run page is due: %s", error->message);
  self->welcome_due = needed;
  show_session (self, pw_session_sidebar_get_selected (self->sidebar));
  /* Folded, the sidebar would hide the page a newcomer needs first */
  if (needed && pw_session_sidebar_get_selected (self->sidebar) == NULL)
    adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
on_selected_changed (PwSessionSidebar *sidebar,
                     GParamSpec       *pspec,
                     PwWindow         *self)
{
  const char *id = pw_session_sidebar_get_selected (sidebar);

  show_session (self, id);
  if (id != NULL)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_sidebar_activated (PwSessionSidebar *sidebar,
                      PwWindow         *self)
{
  if (pw_session_sidebar_get_selected (sidebar) != NULL)
    adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
on_folded_changed (AdwLeaflet *leaflet,
                   GParamSpec *pspec,
                   PwWindow   *self)
{
  /* Folding with nothing selected shows the list, not an empty page; the
   * first-run page is not empty */
  if (adw_leaflet_get_folded (leaflet) && pw_session_sidebar_get_selected (self->sidebar) == NULL
      && !self->welcome_due)
    adw_leaflet_set_visible_child_name (leaflet, "sidebar");
}

static void
on_session_created (PwNewSessionDialog *dialog,
                    const char         *id,
                    const char         *error_message,
                    PwWindow           *self)
{
  if (id == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Could not create the session: %s"), error_message);
      g_autofree char *escaped = g_markup_escape_text (msg, -1);
      AdwToast *toast = adw_toast_new (escaped);

      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      return;
    }

  /* A search or filter could hide the new session: show everything */
  pw_session_sidebar_set_filter (self->sidebar, PW_SESSION_FILTER_ALL);
  pw_session_list_set_query (pw_session_sidebar_get_list (self->sidebar), NULL);
  pw_session_sidebar_select (self->sidebar, id);
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

static void
win_new_session_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  PwWindow *self = PW_WINDOW (widget);
  GtkWidget *dialog = pw_new_session_dialog_new (GTK_WINDOW (self));

  g_signal_connect_object (dialog, "session-created", G_CALLBACK (on_session_created), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
win_search_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PwWindow *self = PW_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
  pw_session_sidebar_focus_search (self->sidebar);
}

static void
win_show_sidebar_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  adw_leaflet_navigate (PW_WINDOW (widget)->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

/* Escape stops a streaming reply; when nothing streams (session.stop
 * disabled or absent) the key goes on to whoever else wants it. */
static gboolean
stop_shortcut (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  PwWindow *self = PW_WINDOW (widget);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "session") != 0)
    return FALSE;
  return pw_session_view_activate_action (self->session_view, "session.stop");
}

/* Window state: GSettings, when its schema is installed (not when run
 * from the build tree without GSETTINGS_SCHEMA_DIR). */
static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("No GSettings schema %s: window state is not remembered", APPLICATION_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static void
on_filter_changed (PwSessionList *list,
                   GParamSpec    *pspec,
                   PwWindow      *self)
{
  if (self->settings != NULL)
    g_settings_set_enum (self->settings, "sidebar-filter", pw_session_list_get_filter (list));
}

static void
restore_state (PwWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;
  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  pw_session_sidebar_set_filter (self->sidebar, g_settings_get_enum (self->settings, "sidebar-filter"));
}

static void
save_state (PwWindow *self)
{
  GtkWindow *window = GTK_WINDOW (self);
  gboolean maximized;
  int width, height;

  if (self->settings == NULL)
    return;

  maximized = gtk_window_is_maximized (window);
  /* The unmaximized size, so a maximized window restores sensibly */
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", maximized);
  if (!maximized && width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);
  /* The process may exit right after (Ctrl+Q): write now */
  g_settings_sync ();
}

static void
on_app_shutdown (GApplication *app,
                 PwWindow     *self)
{
  save_state (self);
}

static gboolean
pw_window_close_request (GtkWindow *window)
{
  save_state (PW_WINDOW (window));

  return GTK_WINDOW_CLASS (pw_window_parent_class)->close_request (window);
}

/* Start-up reads every session row and parses every template once; what
 * it freed is given back once the first frame is out, not kept for the
 * life of the process. */
static gboolean
release_startup_memory (gpointer user_data)
{
  GApplication *app = g_application_get_default ();
  PwEngine *engine = PW_IS_APPLICATION (app) ? pw_application_get_engine (PW_APPLICATION (app)) : NULL;

  if (engine != NULL)
    pw_store_release_memory (pw_engine_get_store (engine));
#ifdef __GLIBC__
  malloc_trim (0);
#endif
  return G_SOURCE_REMOVE;
}

static void
pw_window_map (GtkWidget *widget)
{
  PwWindow *self = PW_WINDOW (widget);

  GTK_WIDGET_CLASS (pw_window_parent_class)->map (widget);
  if (!self->startup_done)
    {
      self->startup_done = TRUE;
      /* Below the redraw priority: after the first frame */
      g_idle_add_full (G_PRIORITY_LOW, release_startup_memory, NULL, NULL);
    }
}

static void
pw_window_dispose (GObject *object)
{
  PwWindow *self = PW_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (object), PW_TYPE_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pw_window_parent_class)->dispose (object);
}

static void
pw_window_class_init (PwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = pw_window_dispose;
  widget_class->map = pw_window_map;
  window_class->close_request = pw_window_close_request;

  g_type_ensure (PW_TYPE_SESSION_SIDEBAR);
  g_type_ensure (PW_TYPE_SESSION_VIEW);
  g_type_ensure (PW_TYPE_WELCOME_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, empty_new_button);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, session_view);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, welcome_page);
  gtk_widget_class_bind_template_callback (widget_class, on_selected_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_welcome_done);

  gtk_widget_class_install_action (widget_class, "win.new-session", NULL, win_new_session_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, win_search_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, win_show_sidebar_action);

  /* The one list of shortcuts; gtk/help-overlay.ui shows the same ones */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-session", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "app.preferences", NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, stop_shortcut, NULL);
}

static void
pw_window_init (PwWindow *self)
{
  GApplication *app = g_application_get_default ();
  const GError *engine_error = PW_IS_APPLICATION (app)
                               ? pw_application_get_engine_error (PW_APPLICATION (app)) : NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The Devel build is striped, so it cannot be mistaken for the stable one. */
  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  if (PW_IS_APPLICATION (app) && pw_application_is_upgrading (PW_APPLICATION (app)))
    {
      adw_status_page_set_icon_name (self->status_page, "emblem-synchronizing-symbolic");
      adw_status_page_set_title (self->status_page, _("Updating Your Sessions"));
      adw_status_page_set_description (self->status_page,
                                       _("This version of Planwright stores sessions in a new format. "
                                         "The database is being converted, after a backup of the old one "
                                         "next to it; with many sessions this takes a moment."));
      gtk_widget_set_visible (GTK_WIDGET (self->empty_new_button), FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-session", FALSE);
    }
  else if (engine_error != NULL)
    {
      g_autofree char *description =
        g_strdup_printf (_("%s\nFix or move the database file and start Planwright again."),
                         engine_error->message);

      adw_status_page_set_icon_name (self->status_page, "computer-fail-symbolic");
      adw_status_page_set_title (self->status_page, _("Sessions Unavailable"));
      adw_status_page_set_description (self->status_page, description);
      gtk_widget_set_visible (GTK_WIDGET (self->empty_new_button), FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-session", FALSE);
    }

  /* First run (no key for the planner): the welcome page instead of the
   * empty state, decided off the main loop since it asks the keyring */
  self->cancellable = g_cancellable_new ();
  if (engine_error == NULL && !(PW_IS_APPLICATION (app) && pw_application_is_upgrading (PW_APPLICATION (app))))
    pw_welcome_page_needed_async (self->cancellable, on_welcome_needed, self);

  self->settings = load_settings ();
  restore_state (self);
  /* app.quit (Ctrl+Q) ends the process without a close request */
  if (G_IS_APPLICATION (app))
    g_signal_connect_object (app, "shutdown", G_CALLBACK (on_app_shutdown), self, 0);
  g_signal_connect_object (pw_session_sidebar_get_list (self->sidebar), "notify::filter",
                           G_CALLBACK (on_filter_changed), self, 0);
}

void
pw_window_show_session (PwWindow   *self,
                        const char *session_id)
{
  GtkApplication *app;
  PwEngine *engine = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  PwSessionList *list;

  g_return_if_fail (PW_IS_WINDOW (self));
  g_return_if_fail (session_id != NULL);

  app = gtk_window_get_application (GTK_WINDOW (self));
  if (PW_IS_APPLICATION (app))
    engine = pw_application_get_engine (PW_APPLICATION (app));
  if (engine != NULL)
    info = pw_store_get_session (pw_engine_get_store (engine), session_id, NULL);
  if (info == NULL)
    return;  /* deleted since it was found: the window stays as it is */

  /* A search or filter may hide it, or it is newer than the list (the
   * CLI made it): only then is the list changed */
  list = pw_session_sidebar_get_list (self->sidebar);
  if (pw_session_list_find (list, info->id) == GTK_INVALID_LIST_POSITION)
    {
      pw_session_sidebar_set_filter (self->sidebar, info->archived ? PW_SESSION_FILTER_ARCHIVED : PW_SESSION_FILTER_ALL);
      pw_session_sidebar_set_search (self->sidebar, NULL);
      pw_session_list_set_query (list, NULL);
    }
  if (pw_session_list_find (list, info->id) == GTK_INVALID_LIST_POSITION)
    pw_session_list_refresh (list);
  pw_session_sidebar_select (self->sidebar, info->id);
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

void
pw_window_search (PwWindow   *self,
                  const char *text)
{
  g_return_if_fail (PW_IS_WINDOW (self));

  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
  pw_session_sidebar_set_search (self->sidebar, text);
}
