/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's own parts: session list model, search, filter, archive/delete with undo, new session, lifecycle tooltips. */

#include "config.h"

#include "pw-phase-bar.h"
#include "pw-session-list.h"
#include "pw-session-sidebar.h"
#include "pw-session-view.h"
#include "pw-test-app.h"

static PwSessionList *
get_list (PwTestApp *t)
{
  GtkWidget *sidebar = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_SESSION_SIDEBAR);

  g_assert_nonnull (sidebar);
  return pw_session_sidebar_get_list (PW_SESSION_SIDEBAR (sidebar));
}

static void
test_list_newest_first_and_filter (void)
{
  PwTestApp *t = pw_test_app_new (1280, 800);
  g_autofree char *a = pw_test_app_add_session (t, "Alpha", PW_PHASE_DISCUSSION);
  g_autofree char *b = pw_test_app_add_session (t, "Beta", PW_PHASE_COMPLETE);
  PwSessionList *list = get_list (t);
  g_autoptr(PwSessionItem) first = NULL;

  g_assert_true (pw_store_set_phase (pw_test_app_get_store (t), b, PW_PHASE_COMPLETE, PW_STATUS_COMPLETE, NULL));
  pw_test_app_session_changed (t, b);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpstr (pw_session_item_get_project (first), ==, "Beta");
  /* Items are cached while alive: the same object twice */
  {
    g_autoptr(PwSessionItem) again = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_assert_true (again == first);
  }

  pw_session_list_set_filter (list, PW_SESSION_FILTER_COMPLETE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  pw_session_list_set_filter (list, PW_SESSION_FILTER_ACTIVE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  g_assert_cmpuint (pw_session_list_find (list, a), ==, 0);
  pw_session_list_set_filter (list, PW_SESSION_FILTER_ALL);

  /* A refresh (any session-changed) keeps the selected session shown */
  {
    GtkWidget *view = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_SESSION_VIEW);

    g_assert_true (pw_test_app_select_session (t, a));
    g_assert_cmpstr (pw_session_view_get_session (PW_SESSION_VIEW (view)), ==, a);
    pw_test_app_session_changed (t, NULL);
    g_assert_cmpstr (pw_session_view_get_session (PW_SESSION_VIEW (view)), ==, a);
  }

  pw_test_app_free (t);
}

static void
test_search_by_message_word (void)
{
  PwTestApp *t = pw_test_app_new (1280, 800);
  g_autofree char *a = pw_test_app_add_session (t, "Alpha", PW_PHASE_DISCUSSION);
  g_autofree char *b = pw_test_app_add_session (t, "Beta", PW_PHASE_DISCUSSION);
  PwSessionList *list = get_list (t);
  GtkWidget *entry = pw_test_find_by_type (GTK_WIDGET (t->window), GTK_TYPE_SEARCH_ENTRY);

  g_assert_cmpint (pw_store_add_message (pw_test_app_get_store (t), a, "user",
                                         "the kettle must whistle", NULL, NULL), >, 0);
  pw_test_app_session_changed (t, a);

  /* Ctrl+F's action focuses the entry; typing filters after the delay */
  g_assert_true (pw_test_activate_action (GTK_WIDGET (t->window), "win.search", NULL));
  PW_TEST_WAIT_UNTIL (gtk_widget_has_focus (entry) || gtk_widget_is_focus (entry)
                      || gtk_widget_get_focus_child (entry) != NULL, 2000);
  gtk_editable_set_text (GTK_EDITABLE (entry), "kettle");
  PW_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (list)) == 1, 2000);
  g_assert_cmpuint (pw_session_list_find (list, a), ==, 0);
  g_assert_cmpuint (pw_session_list_find (list, b), ==, GTK_INVALID_LIST_POSITION);

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  PW_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (list)) == 2, 2000);

  pw_test_app_free (t);
}

static void
test_delete_undo_then_delete (void)
{
  PwTestApp *t = pw_test_app_new (1280, 800);
  g_autofree char *a = pw_test_app_add_session (t, "Alpha", PW_PHASE_DISCUSSION);
  PwSessionList *list = get_list (t);
  GtkWidget *sidebar = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_SESSION_SIDEBAR);
  g_autoptr(PwSessionInfo) info = NULL;
  GtkWidget *undo;

  g_assert_true (pw_test_activate_action (sidebar, "sidebar.delete", g_variant_new_string (a)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  /* Still in the store until the toast goes */
  info = pw_store_get_session (pw_test_app_get_store (t), a, NULL);
  g_assert_nonnull (info);

  /* Undo: the toast's button */
  PW_TEST_WAIT_UNTIL ((undo = pw_test_find_widget (GTK_WIDGET (t->window), "Undo")) != NULL, 2000);
  gtk_widget_activate (undo);
  PW_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (list)) == 1, 2000);
  pw_test_spin (100);
  g_clear_pointer (&info, pw_session_info_free);
  info = pw_store_get_session (pw_test_app_get_store (t), a, NULL);
  g_assert_nonnull (info);

  /* Delete again and close the window: closing is not undo */
  g_assert_true (pw_test_activate_action (sidebar, "sidebar.delete", g_variant_new_string (a)));
  gtk_window_destroy (GTK_WINDOW (t->window));
  pw_test_spin (50);
  g_clear_pointer (&info, pw_session_info_free);
  info = pw_store_get_session (pw_test_app_get_store (t), a, NULL);
  g_assert_null (info);

  pw_test_app_free (t);
}

static void
test_archive_hides (void)
{
  PwTestApp *t = pw_test_app_new (1280, 800);
  g_autofree char *a = pw_test_app_add_session (t, "Alpha", PW_PHASE_DISCUSSION);
  PwSessionList *list = get_list (t);
  GtkWidget *sidebar = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_SESSION_SIDEBAR);

  g_assert_true (pw_test_activate_action (sidebar, "sidebar.archive", g_variant_new_string (a)));
  PW_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (list)) == 0, 2000);
  pw_session_list_set_filter (list, PW_SESSION_FILTER_ARCHIVED);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);

  pw_test_app_free (t);
}

static gboolean
dialog_shown (gpointer user_data)
{
  return pw_test_find_other_toplevel (user_data) != NULL;
}

static void
test_new_session_dialog_creates (void)
{
  PwTestApp *t = pw_test_app_new (1280, 800);
  PwSessionList *list = get_list (t);
  GtkWindow *dialog;
  GtkWidget *view;

  g_assert_true (pw_test_activate_action (GTK_WIDGET (t->window), "win.new-session", NULL));
  g_assert_true (pw_test_wait_for (dialog_shown, t->window, 3000));
  dialog = pw_test_find_other_toplevel (GTK_WINDOW (t->window));
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_assert_false (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  {
    GtkWidget *row = pw_test_find_widget (GTK_WIDGET (dialog), "project_row");

    g_assert_nonnull (row);
    gtk_editable_set_text (GTK_EDITABLE (row), "Gamma");
  }
  g_assert_true (adw_message_dialog_get_response_enabled (ADW_MESSAGE_DIALOG (dialog), "create"));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "create");
  PW_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (list)) == 1, 2000);

  /* The new session is shown, in SETUP: Mark Complete is refused, with a reason */
  view = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_SESSION_VIEW);
  PW_TEST_WAIT_UNTIL (pw_session_view_get_session (PW_SESSION_VIEW (view)) != NULL, 2000);
  {
    gboolean enabled = TRUE;
    GtkWidget *bar = pw_test_find_by_type (view, PW_TYPE_PHASE_BAR);

    g_assert_true (pw_test_action_lookup (view, "session.complete", &enabled));
    g_assert_false (enabled);
    g_assert_true (pw_test_action_lookup (view, "session.export", &enabled));
    g_assert_nonnull (bar);
    g_assert_nonnull (pw_phase_bar_get_session (PW_PHASE_BAR (bar)));
  }

  pw_test_app_free (t);
}

/* Many sessions: the model offers a page, more as the list scrolls down,
 * and any session asked for by id */
static void
test_pages_of_sessions (void)
{
  PwTestApp *t = pw_test_app_new (1280, 800);
  g_autofree char *oldest = pw_test_app_add_session (t, "Oldest", PW_PHASE_SETUP);
  PwSessionList *list;
  guint first_page;

  /* Straight into the store, one session-changed for all */
  for (guint i = 0; i < 130; i++)
    {
      g_autofree char *name = g_strdup_printf ("Session %u", i);
      g_autofree char *id = NULL;

      g_assert_true (pw_store_create_session (pw_test_app_get_store (t), name, NULL, "{}", &id, NULL));
    }
  list = get_list (t);
  pw_test_app_session_changed (t, NULL);
  first_page = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (first_page, >=, 20);
  g_assert_cmpuint (first_page, <, 131);

  /* The next page, as scrolling near the end asks for */
  pw_session_list_show_more (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), >, first_page);

  /* The oldest, by id, is found and selected */
  g_assert_cmpuint (pw_session_list_find (list, oldest), ==, 130);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 131);
  g_assert_true (pw_test_app_select_session (t, oldest));
  pw_test_app_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sidebar/list-filter", test_list_newest_first_and_filter);
  g_test_add_func ("/sidebar/pages", test_pages_of_sessions);
  g_test_add_func ("/sidebar/search", test_search_by_message_word);
  g_test_add_func ("/sidebar/delete-undo", test_delete_undo_then_delete);
  g_test_add_func ("/sidebar/archive", test_archive_hides);
  g_test_add_func ("/sidebar/new-session", test_new_session_dialog_creates);

  return g_test_run ();
}
