/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The in-process harness of the ui tests: a hermetic app, main-loop waits, widget lookup, actions, screenshots. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "pw-session-sidebar.h"
#include "pw-test-app.h"

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static gboolean
window_mapped (gpointer user_data)
{
  PwTestApp *self = user_data;

  if (self->window == NULL)
    {
      GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self->app));

      if (active == NULL || !PW_IS_WINDOW (active))
        return FALSE;
      self->window = PW_WINDOW (active);
      g_object_add_weak_pointer (G_OBJECT (self->window), (gpointer *) &self->window);
    }
  return gtk_widget_get_mapped (GTK_WIDGET (self->window));
}

static void
set_up_environment (PwTestApp *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config_dir = g_build_filename (g_get_user_config_dir (), "planwright", NULL);
  g_autofree char *ini = g_build_filename (config_dir, "settings.ini", NULL);
  g_autofree char *schemas = g_build_filename (PW_TEST_BUILD_ROOT, "data", "gschemas.compiled", NULL);

  /* G_TEST_OPTION_ISOLATE_DIRS empties the system data dirs too, and
   * without /usr/share there is no icon theme and no MIME database (so
   * gdk-pixbuf cannot tell an SVG icon): every icon would be missing.
   * Only the user dirs, where things are written, stay isolated. GLib
   * has already cached the isolated value for this process, so this
   * reaches child processes only; the icon theme is told directly in
   * ensure_system_icons (). */
  g_setenv ("XDG_DATA_DIRS", "/usr/local/share:/usr/share", TRUE);
  /* gdk-pixbuf tells an SVG icon by its MIME type, and the MIME database
   * is in the system dirs too: GLib's documented way for isolated tests */
  {
    static const char * const mime_dirs[] = { "/usr/local/share/mime", "/usr/share/mime", NULL };
    gboolean uncertain;
    g_autofree char *svg = NULL;

    g_content_type_set_mime_dirs (mime_dirs);
    svg = g_content_type_guess ("icon.svg", (const guchar *) "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", 40, &uncertain);
    g_assert_cmpstr (svg, ==, "image/svg+xml");
  }

  self->server = pw_fake_server_new (&error);
  g_assert_no_error (error);
  g_setenv ("ANTHROPIC_BASE_URL", pw_fake_server_get_url (self->server), TRUE);
  g_setenv ("OPENAI_BASE_URL", pw_fake_server_get_url (self->server), TRUE);
  g_setenv ("ANTHROPIC_API_KEY", "sk-ant-fake-test-key", TRUE);
  g_setenv ("OPENAI_API_KEY", "sk-fake-test-key", TRUE);

  /* Fast retries and short stalls, so a failing reply fails in milliseconds */
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (ini,
                                      "[network]\nmax-retries=1\nretry-base-delay-ms=10\nretry-max-delay-ms=20\n"
                                      "idle-timeout-ms=2000\nfirst-byte-timeout-ms=4000\n", -1, &error));
  g_assert_no_error (error);

  self->dir = g_dir_make_tmp ("pw-ui-XXXXXX", &error);
  g_assert_no_error (error);
  self->db_path = g_build_filename (self->dir, "planwright.db", NULL);
  g_setenv ("PLANWRIGHT_DB", self->db_path, TRUE);

  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  /* GTK's own schemas (the file chooser's) are in the system dirs, which
   * the isolation hid when GSettings first looked: name them too */
  if (g_file_test (schemas, G_FILE_TEST_EXISTS))
    {
      g_autofree char *schema_dir = g_path_get_dirname (schemas);
      g_autofree char *path = g_strconcat (schema_dir, ":/usr/share/glib-2.0/schemas", NULL);

      g_setenv ("GSETTINGS_SCHEMA_DIR", path, TRUE);
    }
  else
    g_setenv ("GSETTINGS_SCHEMA_DIR", "/usr/share/glib-2.0/schemas", TRUE);
}

/* GLib caches the system data dirs when G_TEST_OPTION_ISOLATE_DIRS sets
 * them for each test case, so setting XDG_DATA_DIRS afterwards (above)
 * does not reach GTK: the display's icon theme would search only the
 * empty isolated dirs and every icon not built into GTK would render as
 * "image-missing". Name the system icon dirs to the theme itself, once
 * per process (the display, and its theme, outlive the test cases). */
static void
ensure_system_icons (void)
{
  static const char *dirs[] = { "/usr/local/share/icons", "/usr/share/icons" };
  GdkDisplay *display = gdk_display_get_default ();
  GtkIconTheme *theme;
  g_auto(GStrv) path = NULL;

  g_assert_nonnull (display);
  theme = gtk_icon_theme_get_for_display (display);
  path = gtk_icon_theme_get_search_path (theme);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (!g_strv_contains ((const char * const *) path, dirs[i]) && g_file_test (dirs[i], G_FILE_TEST_IS_DIR))
      gtk_icon_theme_add_search_path (theme, dirs[i]);
  /* The icons the window uses that GTK does not carry itself */
  g_assert_true (gtk_icon_theme_has_icon (theme, "mail-send-symbolic"));
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window,
                 gpointer        user_data)
{
  const int *size = user_data;

  /* Before activate presents it: a mapped window keeps its size */
  if (size[0] > 0 && size[1] > 0 && PW_IS_WINDOW (window))
    gtk_window_set_default_size (window, size[0], size[1]);
}

void (*pw_test_app_prepare_db) (const char *path);

PwTestApp *
pw_test_app_new (int width,
                 int height)
{
  int size[2] = { width, height };
  gulong handler;
  PwTestApp *self = g_new0 (PwTestApp, 1);
  g_autoptr(GError) error = NULL;

  set_up_environment (self);
  if (pw_test_app_prepare_db != NULL)
    pw_test_app_prepare_db (self->db_path);

  self->app = pw_application_new ();
  /* An id of its own: tests run in parallel on one bus and must not
   * forward to each other, and an earlier test's application (alive, see
   * pw_test_app_free) still has its objects exported under its id. */
  {
    static guint counter;
    g_autofree char *id = g_strdup_printf ("io.github.planwright.Test.P%d.N%u", (int) getpid (), counter++);

    g_application_set_application_id (G_APPLICATION (self->app), id);
  }
  g_application_set_flags (G_APPLICATION (self->app),
                           g_application_get_flags (G_APPLICATION (self->app)) | G_APPLICATION_NON_UNIQUE);
  /* The widgets find the engine through the default application; an
   * earlier test's (still alive, see below) must not be it */
  g_application_set_default (G_APPLICATION (self->app));
  g_application_register (G_APPLICATION (self->app), NULL, &error);
  g_assert_no_error (error);
  /* An older database (pw_test_app_prepare_db) is migrated on a worker */
  if (!pw_application_is_upgrading (self->app))
    g_assert_nonnull (pw_application_get_engine (self->app));
  ensure_system_icons ();

  handler = g_signal_connect (self->app, "window-added", G_CALLBACK (window_added_cb), size);
  /* GtkRecentManager keeps the path of the first test's (since removed)
   * data dir for the whole process; a file chooser writes there */
  {
    g_autofree char *recent = NULL;
    g_autofree char *recent_dir = NULL;

    g_object_get (gtk_recent_manager_get_default (), "filename", &recent, NULL);
    recent_dir = g_path_get_dirname (recent);
    g_assert_cmpint (g_mkdir_with_parents (recent_dir, 0700), ==, 0);
  }
  g_application_activate (G_APPLICATION (self->app));
  g_signal_handler_disconnect (self->app, handler);
  window_mapped (self);
  g_assert_nonnull (self->window);
  if (!pw_test_wait_for (window_mapped, self, 10000))
    g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, "the window did not map");
  if (width > 0 && height > 0)
    {
      gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
      int w, h;

      /* The X window is the default size; the widget can be a few pixels
       * smaller (CSD edges): ask again with that added */
      pw_test_spin (100);
      w = gtk_widget_get_width (GTK_WIDGET (self->window));
      h = gtk_widget_get_height (GTK_WIDGET (self->window));
      if (w != width || h != height)
        gtk_window_set_default_size (GTK_WINDOW (self->window), 2 * width - w, 2 * height - h);
      /* Until it has the size, or its size has not changed for 400 ms
       * (as big as the screen allows: waiting longer changes nothing) */
      {
        gint64 stable_since = g_get_monotonic_time ();
        int last_w = -1, last_h = -1;

        while ((gtk_widget_get_width (GTK_WIDGET (self->window)) != width
                || gtk_widget_get_height (GTK_WIDGET (self->window)) != height)
               && g_get_monotonic_time () < deadline
               && g_get_monotonic_time () - stable_since < 400 * 1000)
          {
            pw_test_spin (10);
            if (gtk_widget_get_width (GTK_WIDGET (self->window)) != last_w
                || gtk_widget_get_height (GTK_WIDGET (self->window)) != last_h)
              {
                last_w = gtk_widget_get_width (GTK_WIDGET (self->window));
                last_h = gtk_widget_get_height (GTK_WIDGET (self->window));
                stable_since = g_get_monotonic_time ();
              }
          }
      }
      /* A window as big as the screen cannot grow by its CSD edges */
      g_assert_cmpint (ABS (gtk_widget_get_width (GTK_WIDGET (self->window)) - width), <=, 20);
      g_assert_cmpint (ABS (gtk_widget_get_height (GTK_WIDGET (self->window)) - height), <=, 20);
      if (gtk_widget_get_width (GTK_WIDGET (self->window)) != width
          || gtk_widget_get_height (GTK_WIDGET (self->window)) != height)
        g_test_message ("the window is %d×%d, not %d×%d (the screen's size limits it)",
                        gtk_widget_get_width (GTK_WIDGET (self->window)),
                        gtk_widget_get_height (GTK_WIDGET (self->window)), width, height);
    }
  /* Let the first frames settle: idles that fill models, size changes */
  pw_test_spin (100);
  return self;
}

void
pw_test_app_free (PwTestApp *self)
{
  GList *windows;

  if (self == NULL)
    return;

  /* Toplevels are owned by GTK; destroying them drops the last reference */
  while ((windows = gtk_application_get_windows (GTK_APPLICATION (self->app))) != NULL)
    gtk_window_destroy (GTK_WINDOW (windows->data));
  pw_test_spin (50);
  g_assert_null (self->window);

  /* GTK's start-up keeps a reference to the application that nothing
   * releases (a registered GtkApplication lives as long as the process),
   * so the leak check is on the window; the application is let go, and
   * must no longer be the default the widgets ask for. */
  g_application_set_default (NULL);
  g_object_unref (self->app);
  self->app = NULL;

  g_clear_object (&self->server);
  remove_tree (self->dir);
  {
    g_autoptr(GDir) fds = g_dir_open ("/proc/self/fd", 0, NULL);
    guint n = 0;

    while (fds != NULL && g_dir_read_name (fds) != NULL)
      n++;
    g_test_message ("open file descriptors after the test: %u", n);
  }
  g_unsetenv ("PLANWRIGHT_DB");
  g_free (self->db_path);
  g_free (self->dir);
  g_free (self);
}

PwStore *
pw_test_app_get_store (PwTestApp *self)
{
  return pw_engine_get_store (pw_application_get_engine (self->app));
}

char *
pw_test_app_add_session (PwTestApp  *self,
                         const char *project,
                         PwPhase     phase)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_strdup_printf ("{\"project\":\"%s\",\"model_default\":\"claude-sonnet-5-5\"}", project);
  char *id = NULL;

  g_assert_true (pw_store_create_session (pw_test_app_get_store (self), project, NULL, config, &id, &error));
  g_assert_no_error (error);
  if (phase != PW_PHASE_SETUP)
    {
      g_assert_true (pw_store_set_phase (pw_test_app_get_store (self), id, phase, PW_STATUS_ACTIVE, &error));
      g_assert_no_error (error);
    }
  pw_application_session_changed (self->app, NULL);
  pw_test_app_session_changed (self, id);
  return id;
}

/* The sidebar's list, or NULL while the window has none */
static PwSessionList *
sidebar_list (PwTestApp *self)
{
  GtkWidget *sidebar = self->window ? pw_test_find_by_type (GTK_WIDGET (self->window), PW_TYPE_SESSION_SIDEBAR) : NULL;

  return sidebar ? pw_session_sidebar_get_list (PW_SESSION_SIDEBAR (sidebar)) : NULL;
}

void
pw_test_app_session_changed (PwTestApp  *self,
                             const char *id)
{
  PwSessionList *list;

  pw_application_session_changed (self->app, id);
  if ((list = sidebar_list (self)) != NULL)
    PW_TEST_WAIT_UNTIL (!pw_session_list_is_reading (list), 5000);
}

/* Makes the window show @id: through the sidebar's list when there is
 * one (select and activate the row), so the window's own wiring is what
 * runs. Returns FALSE when the window has no session list yet. */
/* The sidebar's GtkListView (the chat's list is one too): the one whose
 * model holds sessions; NULL while it has no model yet */
static GtkWidget *
find_session_list (PwTestApp *t)
{
  g_autoptr(GPtrArray) lists = pw_test_find_all_by_type (GTK_WIDGET (t->window), GTK_TYPE_LIST_VIEW);
  GtkWidget *list = NULL;

  for (guint i = 0; i < lists->len && list == NULL; i++)
    {
      GtkSelectionModel *m = gtk_list_view_get_model (g_ptr_array_index (lists, i));

      /* Wrapping models may report G_TYPE_OBJECT: look at an item too */
      if (m != NULL)
        {
          g_autoptr(GObject) first = g_list_model_get_n_items (G_LIST_MODEL (m)) > 0
                                   ? g_list_model_get_item (G_LIST_MODEL (m), 0) : NULL;
          const char *type_name = first ? G_OBJECT_TYPE_NAME (first) : g_type_name (g_list_model_get_item_type (G_LIST_MODEL (m)));

          if (type_name != NULL && strstr (type_name, "Session") != NULL)
            list = g_ptr_array_index (lists, i);
        }
    }
  return list;
}

gboolean
pw_test_app_select_session (PwTestApp  *t,
                            const char *id)
{
  GtkWidget *list = NULL;
  GtkSelectionModel *model;
  guint n;

  /* The sidebar's list gets its model once the window's first frame is out */
  PW_TEST_WAIT_UNTIL ((list = find_session_list (t)) != NULL, 3000);
  if (list == NULL)
    return FALSE;

  model = gtk_list_view_get_model (GTK_LIST_VIEW (list));
  PW_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (model)) > 0
                      && !pw_session_list_is_reading (sidebar_list (t)), 3000);
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_autofree char *item_id = NULL;

      if (g_object_class_find_property (G_OBJECT_GET_CLASS (item), "id") == NULL)
        continue;
      g_object_get (item, "id", &item_id, NULL);
      if (g_strcmp0 (item_id, id) != 0)
        continue;
      gtk_selection_model_select_item (model, i, TRUE);
      gtk_widget_activate_action (list, "list.activate-item", "u", i);
      pw_test_spin (100);
      return TRUE;
    }
  g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, "the session is not in the sidebar");
  return FALSE;
}

double
pw_test_timeout_scale (void)
{
  static double scale = 0;

  if (scale == 0)
    {
      const char *env = g_getenv ("PW_TEST_TIMEOUT_SCALE");
      double value = env ? g_ascii_strtod (env, NULL) : 0;

      scale = value >= 1 ? value : 4;
    }
  return scale;
}

gboolean
pw_test_wait_for (PwTestCondition cond,
                  gpointer        user_data,
                  guint           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_ms * 1000 * pw_test_timeout_scale ());

  while (!cond (user_data))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      pw_test_spin (5);
    }
  return TRUE;
}

static gboolean
on_spin_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
pw_test_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_spin_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* "_New Session" and "New Session" are the same text to a person */
static gboolean
text_matches (const char *text,
              const char *key)
{
  g_autoptr(GString) plain = NULL;

  if (text == NULL)
    return FALSE;
  if (g_strcmp0 (text, key) == 0)
    return TRUE;
  if (strchr (text, '_') == NULL)
    return FALSE;
  plain = g_string_new (text);
  g_string_replace (plain, "_", "", 1);
  return g_strcmp0 (plain->str, key) == 0;
}

static gboolean
widget_matches (GtkWidget  *widget,
                const char *key)
{
  g_autofree char *mismatch = NULL;
  const char *id = NULL;

  if (g_strcmp0 (gtk_widget_get_name (widget), key) == 0)
    return TRUE;
  if (GTK_IS_BUILDABLE (widget))
    id = gtk_buildable_get_buildable_id (GTK_BUILDABLE (widget));
  if (g_strcmp0 (id, key) == 0)
    return TRUE;
  if (gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    {
      mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, key);
      if (mismatch == NULL)
        return TRUE;
    }
  if (GTK_IS_BUTTON (widget) && text_matches (gtk_button_get_label (GTK_BUTTON (widget)), key))
    return TRUE;
  if (GTK_IS_MENU_BUTTON (widget) && text_matches (gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)), key))
    return TRUE;
  if (GTK_IS_LABEL (widget) && text_matches (gtk_label_get_label (GTK_LABEL (widget)), key))
    return TRUE;
  if (ADW_IS_PREFERENCES_ROW (widget) && text_matches (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), key))
    return TRUE;
  if (text_matches (gtk_widget_get_tooltip_text (widget), key))
    return TRUE;
  return FALSE;
}

typedef gboolean (*Match) (GtkWidget *widget, gconstpointer data);

static void
walk (GtkWidget    *widget,
      Match         match,
      gconstpointer data,
      GPtrArray    *out,
      gboolean      first_only)
{
  if (first_only && out->len > 0)
    return;
  if (match (widget, data))
    {
      g_ptr_array_add (out, widget);
      if (first_only)
        return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk (child, match, data, out, first_only);

  /* A menu button's popover is a child too; a popover menu's items are
   * widgets only once it has been built. Nothing else to visit. */
}

static gboolean
match_key (GtkWidget     *widget,
           gconstpointer  data)
{
  return widget_matches (widget, data);
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

GtkWidget *
pw_test_find_widget (GtkWidget  *root,
                     const char *key)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  g_return_val_if_fail (GTK_IS_WIDGET (root), NULL);
  walk (root, match_key, key, found, TRUE);
  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

GtkWidget *
pw_test_find_by_type (GtkWidget *root,
                      GType      type)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  g_return_val_if_fail (GTK_IS_WIDGET (root), NULL);
  walk (root, match_type, GSIZE_TO_POINTER (type), found, TRUE);
  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

GPtrArray *
pw_test_find_all_by_type (GtkWidget *root,
                          GType      type)
{
  GPtrArray *found = g_ptr_array_new ();

  walk (root, match_type, GSIZE_TO_POINTER (type), found, FALSE);
  return found;
}

GtkWindow *
pw_test_find_other_toplevel (GtkWindow *except)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());
  guint n = g_list_model_get_n_items (toplevels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (window != except && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
match_actionable (GtkWidget     *widget,
                  gconstpointer  data)
{
  return GTK_IS_ACTIONABLE (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), data) == 0;
}

GtkWidget *
pw_test_find_actionable (GtkWidget  *root,
                         const char *action_name)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  walk (root, match_actionable, action_name, found, TRUE);
  return found->len > 0 ? g_ptr_array_index (found, 0) : NULL;
}

gboolean
pw_test_action_lookup (GtkWidget  *widget,
                       const char *name,
                       gboolean   *enabled)
{
  g_autofree char *prefix = NULL;
  const char *dot = strchr (name, '.');
  GtkWidget *probe;
  gboolean found = FALSE;

  g_return_val_if_fail (dot != NULL, FALSE);
  prefix = g_strndup (name, dot - name);

  /* Where gtk_widget_activate_action looks: the widget-class actions of
   * @widget and its ancestors, the window's and the application's maps.
   * (Inserted groups have no getter on the floor.) */
  for (GtkWidget *w = widget; w != NULL && !found; w = gtk_widget_get_parent (w))
    {
      const char *action = NULL;
      const char *property = NULL;
      const GVariantType *parameter_type = NULL;
      GType owner;

      /* 4.8 writes every out argument: none may be NULL */
      for (guint i = 0; !found && gtk_widget_class_query_action (GTK_WIDGET_GET_CLASS (w), i, &owner, &action,
                                                                   &parameter_type, &property); i++)
        found = g_strcmp0 (action, name) == 0;
      if (!found && GTK_IS_APPLICATION_WINDOW (w))
        {
          GtkApplication *app = gtk_window_get_application (GTK_WINDOW (w));

          if (g_str_equal (prefix, "win"))
            found = g_action_group_has_action (G_ACTION_GROUP (w), dot + 1);
          else if (g_str_equal (prefix, "app") && app != NULL)
            found = g_action_group_has_action (G_ACTION_GROUP (app), dot + 1);
        }
    }
  if (!found)
    {
      /* Below @widget, a button bound to it shows the state it sees */
      GtkWidget *button = pw_test_find_actionable (widget, name);

      if (button == NULL)
        return FALSE;
      if (enabled != NULL)
        *enabled = gtk_widget_get_sensitive (button);
      return TRUE;
    }
  if (enabled == NULL)
    return TRUE;

  /* The muxer's enabled state is what a button bound to the action shows:
   * bind one under @widget for a moment and read its sensitivity. */
  probe = gtk_button_new ();
  g_object_ref_sink (probe);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (probe), name);
  gtk_widget_set_parent (probe, widget);
  *enabled = gtk_widget_get_sensitive (probe);
  gtk_widget_unparent (probe);
  g_object_unref (probe);
  return TRUE;
}

gboolean
pw_test_activate_action (GtkWidget  *widget,
                         const char *name,
                         GVariant   *parameter)
{
  /* gtk_widget_activate_action_variant returns whether the name resolved,
   * including widget-class actions that gtk_widget_get_action_group does
   * not expose on the floor. */
  if (parameter != NULL)
    g_variant_ref_sink (parameter);
  gboolean found = gtk_widget_activate_action_variant (widget, name, parameter);
  if (parameter != NULL)
    g_variant_unref (parameter);
  return found;
}

static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (widget)));
  else if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;
      g_autofree char *text = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      g_string_append_printf (out, "%s\n", text);
    }
  else if (GTK_IS_EDITABLE (widget) && !GTK_IS_TEXT (widget))
    g_string_append_printf (out, "%s\n", gtk_editable_get_text (GTK_EDITABLE (widget)));
  if (ADW_IS_PREFERENCES_ROW (widget))
    g_string_append_printf (out, "%s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)));
  if (ADW_IS_STATUS_PAGE (widget))
    g_string_append_printf (out, "%s\n%s\n",
                            adw_status_page_get_title (ADW_STATUS_PAGE (widget)) ?: "",
                            adw_status_page_get_description (ADW_STATUS_PAGE (widget)) ?: "");

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_text (child, out);
}

char *
pw_test_collect_text (GtkWidget *root)
{
  GString *out = g_string_new (NULL);

  collect_text (root, out);
  return g_string_free (out, FALSE);
}

char *
pw_test_save_screenshot (GtkWindow  *window,
                         const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  int width, height;

  /* Render what is on screen now, after pending layout and frames */
  pw_test_spin (150);

  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_assert_nonnull (renderer);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_nonnull (texture);
  return pw_test_save_texture (texture, name);
}

char *
pw_test_save_texture (GdkTexture *texture,
                      const char *name)
{
  g_autofree char *dir = g_build_filename (PW_TEST_BUILD_ROOT, "tests", "app", "screenshots", NULL);
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  char *path = g_build_filename (dir, file, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%d×%d)", path,
                  gdk_texture_get_width (texture), gdk_texture_get_height (texture));
  return path;
}

void
pw_test_dump_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* not ours */
  static guint n_failures;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      g_autofree char *text = NULL;
      g_autofree char *name = NULL;
      gsize len;

      if (!gtk_widget_get_mapped (GTK_WIDGET (window)))
        continue;
      text = pw_test_collect_text (GTK_WIDGET (window));
      len = strlen (text);
      /* The start (what the window is) and the end (what it did last) */
      if (len > 3000)
        g_test_message ("window %u shows: %.1500s … %s", i, text,
                        g_utf8_find_next_char (text + len - 1500, NULL));
      else
        g_test_message ("window %u shows: %s", i, text);
      name = g_strdup_printf ("failure-%u", ++n_failures);
      g_free (pw_test_save_screenshot (window, name));
    }
}
