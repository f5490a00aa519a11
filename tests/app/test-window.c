/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window builds from its template, maps on a display and goes away. */

#include "config.h"

#include <adwaita.h>

#include "pw-window.h"

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* The AdwStatusPage titled @title below @widget (not mapped when the
 * leaflet is folded on a small screen) */
static GtkWidget *
find_status_page (GtkWidget  *widget,
                  const char *title)
{
  if (ADW_IS_STATUS_PAGE (widget)
      && g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_status_page (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_window_maps (void)
{
  PwWindow *window;
  GtkWidget *status_page;
  gboolean timed_out = FALSE;
  guint timeout_id;

  window = pw_window_new (NULL);
  g_assert_nonnull (window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);

  gtk_window_present (GTK_WINDOW (window));

  timeout_id = g_timeout_add_seconds (10, on_timeout, &timed_out);
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout_id);

  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Planwright");

  /* Nothing selected: the content is the empty state */
  status_page = find_status_page (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)),
                                  "No Session Selected");
  g_assert_nonnull (status_page);

  g_assert_cmpint (gtk_widget_has_css_class (GTK_WIDGET (window), "devel"), ==,
                   g_strcmp0 (PROFILE, "development") == 0);

  /* A toplevel is owned by GTK; destroying it must drop the last reference. */
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_null (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  adw_init ();

  g_test_add_func ("/app/window/maps", test_window_maps);

  return g_test_run ();
}
