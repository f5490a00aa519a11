/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The offline demo clicked through from discussion to plan, as a newcomer would; its screenshots are the AppStream ones (data/screenshots/). */

#include <string.h>

#include "pw-test-app.h"
#include "pw-chat-view.h"
#include "pw-demo.h"

/* What a newcomer types; the demo script's replies follow them */
static const char *const messages[] = {
  "Customers keep asking for their invoices as PDF files. Let both staff and customers download them. No paid services, please.",
  "Staff and customers both. Single invoices now, and a monthly ZIP for the accountants. Keep our HTML layout with the logo and the legal footer, and never change a PDF once the invoice is final.",
};

static char *
newest_demo_session (PwTestApp *t)
{
  PwStore *store = pw_test_app_get_store (t);
  g_autoptr(GPtrArray) sessions = pw_store_list_sessions (store, NULL, NULL, NULL);

  if (sessions == NULL || sessions->len == 0
      || !pw_demo_is_demo_session (store, ((PwSessionInfo *) sessions->pdata[0])->id))
    return NULL;
  return g_strdup (((PwSessionInfo *) sessions->pdata[0])->id);
}

static gboolean
chat_shows (GtkWidget  *chat,
            const char *needle)
{
  g_autofree char *text = pw_test_collect_text (chat);

  return strstr (text, needle) != NULL;
}

static gboolean
plan_written (PwTestApp  *t,
             const char *id)
{
  g_autoptr(PwSessionInfo) info = pw_store_get_session (pw_test_app_get_store (t), id, NULL);
  g_autoptr(PwDraft) draft = pw_store_get_latest_draft (pw_test_app_get_store (t), id, NULL);

  /* The plan is stored once it has streamed in whole */
  return info != NULL && info->phase == PW_PHASE_PLANNING && draft != NULL;
}

static void
test_demo_discussion_to_plan (void)
{
  g_autofree char *fake = g_build_filename (PW_TEST_BUILD_ROOT, "src", "fake", "planwright-fake-llm", NULL);
  g_autofree char *demo_id = NULL;
  g_autofree char *shot = NULL;
  GtkWidget *chat, *composer, *send, *done;
  PwTestApp *t;

  g_setenv ("PLANWRIGHT_FAKE_LLM", fake, TRUE);
  t = pw_test_app_new (1280, 800);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);

  /* "Try the offline demo", as the welcome page and the menu offer it */
  g_action_group_activate_action (G_ACTION_GROUP (t->app), "demo", NULL);
  PW_TEST_WAIT_UNTIL ((demo_id = newest_demo_session (t)) != NULL, 10000);
  g_assert_true (pw_test_app_select_session (t, demo_id));
  chat = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_CHAT_VIEW);
  composer = pw_test_find_widget (chat, "composer");
  send = pw_test_find_widget (chat, "send_button");
  done = pw_test_find_widget (chat, "done_button");
  g_assert_true (GTK_IS_TEXT_VIEW (composer));
  g_assert_nonnull (send);
  g_assert_nonnull (done);

  /* Two questions and answers, streamed at the script's human pace */
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      static const char *const replies_end[] = { "a fine answer too.", "and I will write it up." };

      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (composer)), messages[i], -1);
      /* The session is shown and the composer takes the message */
      PW_TEST_WAIT_UNTIL (g_strcmp0 (pw_chat_view_get_session (PW_CHAT_VIEW (chat)), demo_id) == 0
                          && gtk_widget_get_sensitive (send), 5000);
      g_signal_emit_by_name (send, "clicked");
      PW_TEST_WAIT_UNTIL (chat_shows (chat, replies_end[i]) && gtk_widget_get_sensitive (composer)
                          && gtk_widget_get_sensitive (send) == FALSE, 30000);
    }
  pw_test_spin (300);
  g_free (pw_test_save_screenshot (GTK_WINDOW (t->window), "demo-discussion"));

  /* Done: the brief, then the plan */
  g_assert_true (gtk_widget_get_sensitive (done));
  g_signal_emit_by_name (done, "clicked");
  PW_TEST_WAIT_UNTIL (plan_written (t, demo_id) && chat_shows (chat, "Milestone 3"), 60000);
  pw_test_spin (800);
  shot = pw_test_save_screenshot (GTK_WINDOW (t->window), "demo-plan");
  g_assert_true (g_file_test (shot, G_FILE_TEST_EXISTS));
  g_assert_true (chat_shows (chat, "Export invoices as PDF"));

  pw_demo_stop ();
  g_unsetenv ("PLANWRIGHT_FAKE_LLM");
  pw_test_app_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/app/demo/discussion-to-plan", test_demo_discussion_to_plan);
  return g_test_run ();
}
