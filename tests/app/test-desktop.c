/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the Shell's search and the notifications ask of the window: a session shown wherever the list stood, a search filled in. */

#include "config.h"

#include <string.h>

#include "pw-chat-view.h"
#include "pw-session-sidebar.h"
#include "pw-test-app.h"

static PwSessionSidebar *
sidebar_of (PwTestApp *t)
{
  GtkWidget *sidebar = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_SESSION_SIDEBAR);

  g_assert_nonnull (sidebar);
  return PW_SESSION_SIDEBAR (sidebar);
}

static gboolean
chat_shows (PwTestApp  *t,
            const char *id)
{
  GtkWidget *chat = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_CHAT_VIEW);

  return chat != NULL && gtk_widget_is_drawable (chat)
         && g_strcmp0 (pw_chat_view_get_session (PW_CHAT_VIEW (chat)), id) == 0;
}

static gboolean
focus_in (PwTestApp *t,
          GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (t->window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static void
add_plan (PwTestApp  *t,
          const char *id,
          const char *plan)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pw_store_add_draft (pw_test_app_get_store (t), id, plan, "user", -1, NULL, 0, NULL, NULL, &error), >, 0);
  g_assert_no_error (error);
  pw_test_app_session_changed (t, id);
}

/* The Shell's "more results": the window searching for the terms */
static void
test_show_search (void)
{
  PwTestApp *t = pw_test_app_new (1000, 700);
  g_autofree char *shed = pw_test_app_add_session (t, "Garden shed", PW_PHASE_PLANNING);
  g_autofree char *crane = pw_test_app_add_session (t, "Harbour crane", PW_PHASE_PLANNING);
  PwSessionList *list = pw_session_sidebar_get_list (sidebar_of (t));
  GtkWidget *entry;

  add_plan (t, shed, "# Plan\n\n## Milestone 1: Slab\n\n- [ ] Pour the zeppelin-grade concrete\n");
  add_plan (t, crane, "# Plan\n\n## Milestone 1: Rails\n\n- [ ] Lay the rails\n");
  PW_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (list)) == 2, 3000);

  pw_application_show_search (t->app, "zeppelin", 0);
  entry = pw_test_find_by_type (GTK_WIDGET (sidebar_of (t)), GTK_TYPE_SEARCH_ENTRY);
  g_assert_nonnull (entry);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "zeppelin");
  /* Focused, to type on (the focus is the entry's text inside it) */
  PW_TEST_WAIT_UNTIL (focus_in (t, entry), 2000);
  PW_TEST_WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (list)) == 1, 3000);
  {
    g_autoptr(PwSessionItem) item = g_list_model_get_item (G_LIST_MODEL (list), 0);

    g_assert_cmpstr (pw_session_item_get_id (item), ==, shed);
  }
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (t->app))), ==, 1);
  pw_test_app_free (t);
}

/* A search, a filter or an archive may hide the session: it is shown anyway */
static void
test_show_hidden_session (void)
{
  g_autoptr(GError) error = NULL;
  PwTestApp *t = pw_test_app_new (1000, 700);
  g_autofree char *shown = pw_test_app_add_session (t, "Shown now", PW_PHASE_DISCUSSION);
  g_autofree char *archived = pw_test_app_add_session (t, "Put away", PW_PHASE_DISCUSSION);
  PwSessionSidebar *sidebar = sidebar_of (t);
  PwSessionList *list = pw_session_sidebar_get_list (sidebar);
  GtkWidget *entry;

  g_assert_true (pw_store_set_archived (pw_test_app_get_store (t), archived, TRUE, &error));
  g_assert_no_error (error);
  pw_test_app_session_changed (t, NULL);
  g_assert_true (pw_test_app_select_session (t, shown));
  PW_TEST_WAIT_UNTIL (chat_shows (t, shown), 3000);
  /* The list searches for something else */
  pw_session_sidebar_set_search (sidebar, "Shown");
  PW_TEST_WAIT_UNTIL (g_strcmp0 (pw_session_list_get_query (list), "Shown") == 0, 3000);

  pw_application_show_session (t->app, archived, 0);
  PW_TEST_WAIT_UNTIL (g_strcmp0 (pw_session_sidebar_get_selected (sidebar), archived) == 0, 3000);
  PW_TEST_WAIT_UNTIL (chat_shows (t, archived), 3000);
  g_assert_cmpint (pw_session_list_get_filter (list), ==, PW_SESSION_FILTER_ARCHIVED);
  g_assert_cmpuint (pw_session_list_find (list, archived), !=, GTK_INVALID_LIST_POSITION);
  entry = pw_test_find_by_type (GTK_WIDGET (sidebar), GTK_TYPE_SEARCH_ENTRY);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  pw_test_app_free (t);
}

/* Made by another process (the CLI) since the list was read */
static void
test_show_session_made_elsewhere (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwStore) other = NULL;
  g_autofree char *id = NULL;
  PwTestApp *t = pw_test_app_new (1000, 700);
  PwSessionSidebar *sidebar = sidebar_of (t);

  other = pw_store_open (t->db_path, &error);
  g_assert_no_error (error);
  g_assert_true (pw_store_create_session (other, "From the CLI", NULL,
                                          "{\"project\":\"From the CLI\",\"model_default\":\"claude-sonnet-5-5\"}",
                                          &id, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pw_session_list_find (pw_session_sidebar_get_list (sidebar), id), ==, GTK_INVALID_LIST_POSITION);

  pw_application_show_session (t->app, id, 0);
  /* Its row is in the list, and the one selected */
  {
    PwSessionList *list = pw_session_sidebar_get_list (sidebar);
    GtkSingleSelection *selection = NULL;
    GtkWidget *list_view = pw_test_find_by_type (GTK_WIDGET (sidebar), GTK_TYPE_LIST_VIEW);

    g_assert_cmpuint (pw_session_list_find (list, id), !=, GTK_INVALID_LIST_POSITION);
    g_assert_nonnull (list_view);
    selection = GTK_SINGLE_SELECTION (gtk_list_view_get_model (GTK_LIST_VIEW (list_view)));
    g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, pw_session_list_find (list, id));
  }
  PW_TEST_WAIT_UNTIL (g_strcmp0 (pw_session_sidebar_get_selected (sidebar), id) == 0, 3000);
  PW_TEST_WAIT_UNTIL (chat_shows (t, id), 3000);

  /* An id that is no session leaves the window as it was */
  pw_application_show_session (t->app, "deadbeef", 0);
  pw_test_spin (100);
  g_assert_cmpstr (pw_session_sidebar_get_selected (sidebar), ==, id);
  pw_test_app_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_setenv ("GTK_USE_PORTAL", "0", TRUE);

  g_test_add_func ("/app/desktop/show-search", test_show_search);
  g_test_add_func ("/app/desktop/show-hidden-session", test_show_hidden_session);
  g_test_add_func ("/app/desktop/show-session-made-elsewhere", test_show_session_made_elsewhere);

  return g_test_run ();
}
