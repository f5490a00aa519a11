/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's wording and fit: refusals said for the window, the narrow layout, preferences that can be undone, a demo that stays a demo. */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "pw-chat-view.h"
#include "pw-context-panel.h"
#include "pw-demo.h"
#include "pw-session-view.h"
#include "pw-test-app.h"
#include "pw-test-db.h"

/* What only the CLI's hints say: command names and their arguments */
static void
assert_window_wording (const char *text)
{
  g_assert_nonnull (text);
  g_test_message ("window text: %s", text);
  g_assert_null (strstr (text, "planwright-cli"));
  g_assert_null (strstr (text, "'"));
  g_assert_null (strstr (text, " ID"));
  g_assert_null (strstr (text, "--"));
  g_assert_null (strstr (text, "PAUSED"));
  g_assert_null (strstr (text, "DISCUSSION"));
}

/* Every refusal of the table has a window wording, and only refusals */
static void
test_explain_matches_table (void)
{
  for (PwPhase phase = 0; phase < PW_N_PHASES; phase++)
    for (PwStatus status = 0; status < PW_N_STATUSES; status++)
      for (guint blockers = 0; blockers <= 2; blockers++)
        for (PwCommand command = 0; command < PW_N_COMMANDS; command++)
          {
            g_autofree char *reason = NULL;
            g_autofree char *hint = NULL;
            g_autofree char *said = pw_lifecycle_explain (phase, status, blockers, command);
            gboolean allowed = pw_lifecycle_check (phase, status, blockers, command, &reason, &hint);

            g_assert_cmpint (allowed, ==, said == NULL);
            if (said == NULL)
              continue;
            g_assert_null (strstr (said, "planwright-cli"));
            g_assert_null (strstr (said, "'"));
            g_assert_null (strstr (said, " ID"));
            g_assert_null (strstr (said, "--"));
            g_assert_cmpuint (strlen (said), <, 160);
          }

  /* The CLI keeps its own hints */
  {
    g_autofree char *reason = NULL;
    g_autofree char *hint = NULL;

    g_assert_false (pw_lifecycle_check (PW_PHASE_DISCUSSION, PW_STATUS_PAUSED, 1, PW_COMMAND_DISCUSS, &reason, &hint));
    g_assert_nonnull (strstr (hint, "'resume ID --answer TEXT'"));
  }
}

/* A paused session: the composer, its buttons and the context panel say
 * what to do in the window */
static void
test_paused_refusals_in_window_terms (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  PwTestApp *t = pw_test_app_new (0, 0);
  PwStore *store = pw_test_app_get_store (t);
  GtkWidget *chat, *panel, *send, *done, *placeholder, *add_note;
  gint64 blocker;

  id = pw_test_app_add_session (t, "Paused Pump", PW_PHASE_DISCUSSION);
  g_assert_cmpint (pw_store_add_message (store, id, "user", "hello", NULL, &error), >, 0);
  blocker = pw_store_add_blocker (store, id, "reviewer", "Which sensor?", &error);
  g_assert_cmpint (blocker, >, 0);
  g_assert_no_error (error);
  pw_test_app_session_changed (t, id);
  g_assert_true (pw_test_app_select_session (t, id));

  chat = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_CHAT_VIEW);
  panel = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_CONTEXT_PANEL);
  g_assert_nonnull (chat);
  g_assert_nonnull (panel);
  send = pw_test_find_widget (chat, "send_button");
  done = pw_test_find_widget (chat, "done_button");
  placeholder = pw_test_find_widget (chat, "placeholder_label");
  add_note = pw_test_find_widget (panel, "add_note_button");
  g_assert_nonnull (send);
  g_assert_nonnull (done);
  g_assert_nonnull (placeholder);
  g_assert_nonnull (add_note);

  PW_TEST_WAIT_UNTIL (strstr (gtk_label_get_text (GTK_LABEL (placeholder)), "Answer and Resume") != NULL, 3000);
  assert_window_wording (gtk_label_get_text (GTK_LABEL (placeholder)));
  assert_window_wording (gtk_widget_get_tooltip_text (send));
  assert_window_wording (gtk_widget_get_tooltip_text (done));
  assert_window_wording (gtk_widget_get_tooltip_text (add_note));
  g_assert_false (gtk_widget_is_sensitive (add_note));

  /* Planning: the discussion is over, and the window says what is next */
  g_assert_true (pw_store_answer_blocker (store, id, blocker, "The float switch", &error));
  g_assert_no_error (error);
  g_assert_true (pw_store_set_phase (store, id, PW_PHASE_PLANNING, PW_STATUS_ACTIVE, &error));
  g_assert_no_error (error);
  pw_test_app_session_changed (t, id);
  PW_TEST_WAIT_UNTIL (strstr (gtk_label_get_text (GTK_LABEL (placeholder)), "Planning") != NULL, 3000);
  assert_window_wording (gtk_label_get_text (GTK_LABEL (placeholder)));
  assert_window_wording (gtk_widget_get_tooltip_text (send));
  pw_test_app_free (t);
}

/* ---- narrow ------------------------------------------------------------ */

static gboolean
label_cut (GtkWidget *label)
{
  return pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (label)));
}

static void
test_narrow_layout (void)
{
  g_autofree char *id = NULL;
  PwTestApp *t = pw_test_app_new (360, 640);
  GtkWidget *view, *flap, *chat_switch, *context_switch, *toggle, *title, *subtitle, *panel, *hint;

  id = pw_test_app_add_session (t, "Aquarium Pump Controller", PW_PHASE_CONTEXT);
  g_assert_true (pw_test_app_select_session (t, id));
  view = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_SESSION_VIEW);
  g_assert_nonnull (view);
  flap = pw_test_find_by_type (view, ADW_TYPE_FLAP);
  chat_switch = pw_test_find_widget (view, "chat_switch");
  context_switch = pw_test_find_widget (view, "context_switch");
  toggle = pw_test_find_widget (view, "context_toggle");
  title = pw_test_find_widget (view, "title_label");
  subtitle = pw_test_find_widget (view, "subtitle_label");
  panel = pw_test_find_by_type (view, PW_TYPE_CONTEXT_PANEL);
  hint = pw_test_find_widget (view, "Shift+Enter adds a line");
  g_assert_nonnull (flap);
  g_assert_nonnull (chat_switch);
  g_assert_nonnull (context_switch);
  g_assert_nonnull (toggle);
  g_assert_nonnull (title);
  g_assert_nonnull (panel);
  g_assert_nonnull (hint);

  /* The switcher at the bottom replaces the header's toggle */
  PW_TEST_WAIT_UNTIL (adw_flap_get_folded (ADW_FLAP (flap)) && gtk_widget_get_mapped (context_switch), 5000);
  g_assert_false (gtk_widget_get_visible (toggle));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (chat_switch)));
  g_assert_false (adw_flap_get_reveal_flap (ADW_FLAP (flap)));

  /* The header's title has the room (the phase bar names the phase) */
  pw_test_spin (200);
  g_assert_false (gtk_widget_get_visible (subtitle));
  g_assert_cmpint (gtk_label_get_lines (GTK_LABEL (title)), ==, 2);
  g_test_message ("title %d px wide, cut: %d", gtk_widget_get_width (title), label_cut (title));
  g_assert_false (label_cut (title));
  /* No room for the keyboard hint beside Done (it wrapped): hidden */
  g_assert_false (gtk_widget_get_visible (hint));

  /* Context: a view of its own, as wide as the window */
  g_signal_emit_by_name (context_switch, "clicked");
  PW_TEST_WAIT_UNTIL (adw_flap_get_reveal_flap (ADW_FLAP (flap)), 2000);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (chat_switch)));
  pw_test_spin (500);
  g_assert_true (gtk_widget_get_mapped (panel));
  g_assert_cmpint (gtk_widget_get_width (panel), >=, gtk_widget_get_width (view) - 2);

  /* …and back */
  g_signal_emit_by_name (chat_switch, "clicked");
  PW_TEST_WAIT_UNTIL (!adw_flap_get_reveal_flap (ADW_FLAP (flap)), 2000);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (context_switch)));
  pw_test_app_free (t);
}

static void
test_wide_layout (void)
{
  g_autofree char *id = NULL;
  PwTestApp *t = pw_test_app_new (1280, 800);
  GtkWidget *view, *flap, *context_switch, *toggle, *subtitle;

  id = pw_test_app_add_session (t, "Aquarium Controller", PW_PHASE_CONTEXT);
  g_assert_true (pw_test_app_select_session (t, id));
  view = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_SESSION_VIEW);
  flap = pw_test_find_by_type (view, ADW_TYPE_FLAP);
  context_switch = pw_test_find_widget (view, "context_switch");
  toggle = pw_test_find_widget (view, "context_toggle");
  subtitle = pw_test_find_widget (view, "subtitle_label");

  pw_test_spin (200);
  g_assert_false (adw_flap_get_folded (ADW_FLAP (flap)));
  g_assert_true (adw_flap_get_reveal_flap (ADW_FLAP (flap)));
  g_assert_false (gtk_widget_get_mapped (context_switch));
  g_assert_true (gtk_widget_get_visible (toggle));
  g_assert_true (gtk_widget_get_visible (subtitle));
  g_assert_true (gtk_widget_get_visible (pw_test_find_widget (view, "Shift+Enter adds a line")));
  pw_test_app_free (t);
}

/* ---- preferences ------------------------------------------------------- */

static GtkWindow *
open_preferences (PwTestApp *t)
{
  GtkWindow *prefs = NULL;

  g_assert_true (pw_test_activate_action (GTK_WIDGET (t->window), "app.preferences", NULL)
                 || pw_test_activate_action (GTK_WIDGET (t->window), "win.preferences", NULL));
  PW_TEST_WAIT_UNTIL ((prefs = pw_test_find_other_toplevel (GTK_WINDOW (t->window))) != NULL
                      && gtk_widget_get_mapped (GTK_WIDGET (prefs)), 5000);
  return prefs;
}

/* The @nth combo row titled @title (the roles' groups come in order) */
static GtkWidget *
combo_row (GtkWidget  *root,
           const char *title,
           guint       nth)
{
  g_autoptr(GPtrArray) rows = pw_test_find_all_by_type (root, ADW_TYPE_COMBO_ROW);

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0 && nth-- == 0)
      return g_ptr_array_index (rows, i);
  return NULL;
}

static char *
file_value (PwTestApp  *t,
            const char *group,
            const char *key)
{
  PwSettings *settings = pw_engine_get_settings (pw_application_get_engine (t->app));
  g_autoptr(GKeyFile) file = g_key_file_new ();

  if (!g_key_file_load_from_file (file, pw_settings_get_path (settings), G_KEY_FILE_NONE, NULL))
    return NULL;
  return g_key_file_get_string (file, group, key, NULL);
}

static void
test_preferences_reset_and_complexity (void)
{
  PwTestApp *t = pw_test_app_new (0, 0);
  GtkWindow *prefs = open_preferences (t);
  GtkWidget *effort = combo_row (GTK_WIDGET (prefs), "Reasoning Effort", 0);
  GtkWidget *reviewer = combo_row (GTK_WIDGET (prefs), "Reasoning Effort", 1);
  GtkWidget *complexity = combo_row (GTK_WIDGET (prefs), "Complexity", 0);
  PwSettings *settings = pw_engine_get_settings (pw_application_get_engine (t->app));
  g_autofree char *value = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ADW_IS_COMBO_ROW (effort));
  g_assert_true (ADW_IS_COMBO_ROW (reviewer));
  g_assert_true (ADW_IS_COMBO_ROW (complexity));

  /* Choose an effort, then go back to the default: the key goes away */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (effort)), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (effort), 3);  /* low */
  g_assert_cmpstr ((value = file_value (t, "planner", "reasoning-effort")), ==, "low");
  g_clear_pointer (&value, g_free);
  adw_combo_row_set_selected (ADW_COMBO_ROW (effort), 0);
  g_assert_null ((value = file_value (t, "planner", "reasoning-effort")));
  g_assert_null (pw_settings_get_reasoning_effort (settings, PW_ROLE_PLANNER));

  /* The reviewer's default is the built-in "high", and says so */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (reviewer)), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (reviewer), 7);  /* max */
  g_assert_cmpstr ((value = file_value (t, "reviewer", "reasoning-effort")), ==, "max");
  g_clear_pointer (&value, g_free);
  adw_combo_row_set_selected (ADW_COMBO_ROW (reviewer), 0);
  g_assert_null ((value = file_value (t, "reviewer", "reasoning-effort")));
  g_assert_cmpstr (pw_settings_get_reasoning_effort (settings, PW_ROLE_REVIEWER), ==, "high");

  /* Complexity: written for the CLI, "auto" is no key at all */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (complexity)), ==, 0);
  adw_combo_row_set_selected (ADW_COMBO_ROW (complexity), 2);
  g_assert_cmpstr ((value = file_value (t, "review", "complexity")), ==, "complex");
  g_clear_pointer (&value, g_free);
  {
    g_autoptr(PwSettings) reread = pw_settings_load (pw_settings_get_path (settings), &error);

    g_assert_no_error (error);
    g_assert_cmpstr (pw_settings_get_complexity (reread), ==, "complex");
  }
  adw_combo_row_set_selected (ADW_COMBO_ROW (complexity), 0);
  g_assert_null ((value = file_value (t, "review", "complexity")));
  g_assert_cmpstr (pw_settings_get_complexity (settings), ==, "auto");

  /* The review page with the new row, for people to look at */
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "review");
  gtk_window_set_default_size (prefs, 360, 640);
  PW_TEST_WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (prefs)) <= 380
                      && gtk_widget_get_height (GTK_WIDGET (prefs)) <= 660, 5000);
  /* Narrow, the pages' switcher slides in at the bottom: shot once it is in */
  {
    g_autoptr(GPtrArray) revealers = pw_test_find_all_by_type (GTK_WIDGET (prefs), GTK_TYPE_REVEALER);

    for (guint i = 0; i < revealers->len; i++)
      {
        GtkRevealer *revealer = g_ptr_array_index (revealers, i);

        if (gtk_revealer_get_reveal_child (revealer))
          PW_TEST_WAIT_UNTIL (gtk_revealer_get_child_revealed (revealer), 3000);
      }
  }
  pw_test_spin (300);
  g_free (pw_test_save_screenshot (prefs, "preferences-review-narrow-light"));

  gtk_window_destroy (prefs);
  pw_test_app_free (t);
}

/* ---- demo -------------------------------------------------------------- */

static void
demo_started_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  char **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = pw_demo_start_finish (result, &error);
  g_assert_no_error (error);
}

/* A window whose app has started the offline demo (the build's
 * planwright-fake-llm) and made its session, @demo_id; NULL (the test
 * skipped) when the server is not built */
static PwTestApp *
demo_app_new (char **demo_id)
{
  g_autofree char *fake = g_build_filename (PW_TEST_BUILD_ROOT, "src", "fake", "planwright-fake-llm", NULL);
  PwTestApp *t;

  if (!g_file_test (fake, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("planwright-fake-llm is not built");
      return NULL;
    }
  g_setenv ("PLANWRIGHT_FAKE_LLM", fake, TRUE);
  t = pw_test_app_new (0, 0);
  pw_demo_start_async (t->app, NULL, demo_started_cb, demo_id);
  PW_TEST_WAIT_UNTIL (*demo_id != NULL, 10000);
  return t;
}

static void
test_demo_stays_a_demo (void)
{
  g_autofree char *demo_id = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *requests;  /* the server's */
  PwTestApp *t;
  PwEngine *engine, *demo_engine;
  PwProvider *provider;
  GtkWidget *chat, *composer, *send;
  guint before;

  if (!(t = demo_app_new (&demo_id)))
    return;
  engine = pw_application_get_engine (t->app);
  g_assert_true (pw_demo_is_demo_session (pw_test_app_get_store (t), demo_id));

  /* The demo session runs on an engine of its own, at the demo server */
  demo_engine = pw_demo_engine_for_session (engine, demo_id);
  g_assert_true (demo_engine != engine);
  provider = pw_engine_get_provider (demo_engine, PW_ROLE_PLANNER, &error);
  g_assert_no_error (error);
  g_assert_false (g_str_has_prefix (pw_fake_server_get_url (t->server), pw_provider_get_base_url (provider)));

  /* …and the user's own sessions keep the user's provider */
  id = pw_test_app_add_session (t, "Real Work", PW_PHASE_DISCUSSION);
  g_assert_true (pw_demo_engine_for_session (engine, id) == engine);
  provider = pw_engine_get_provider (engine, PW_ROLE_PLANNER, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pw_fake_server_get_url (t->server), pw_provider_get_base_url (provider)));

  /* A message in the real session reaches the real (here: the test's) server */
  g_assert_true (pw_test_app_select_session (t, id));
  chat = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_CHAT_VIEW);
  composer = pw_test_find_widget (chat, "composer");
  send = pw_test_find_widget (chat, "send_button");
  g_assert_true (GTK_IS_TEXT_VIEW (composer));
  requests = pw_fake_server_get_requests (t->server);
  before = requests->len;
  pw_fake_server_enqueue (t->server, NULL,
                          pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, "From the real provider.", NULL, 4));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (composer)), "Hello there", -1);
  pw_test_spin (20);
  g_signal_emit_by_name (send, "clicked");
  PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (chat),
                       strstr (text, "From the real provider.") != NULL), 10000);
  requests = pw_fake_server_get_requests (t->server);
  g_assert_cmpuint (requests->len, ==, before + 1);

  pw_demo_stop ();
  g_unsetenv ("PLANWRIGHT_FAKE_LLM");
  pw_test_app_free (t);
}

/* ---- following a long reply, and leaving it when the user scrolls ---- */

static GtkScrolledWindow *
conversation_scroller (GtkWidget *chat)
{
  g_autoptr(GPtrArray) scrollers = pw_test_find_all_by_type (chat, GTK_TYPE_SCROLLED_WINDOW);

  for (guint i = 0; i < scrollers->len; i++)
    if (GTK_IS_LIST_VIEW (gtk_scrolled_window_get_child (g_ptr_array_index (scrollers, i))))
      return g_ptr_array_index (scrollers, i);
  return NULL;
}

/* How far above the end of the conversation the view is, in pixels */
static double
distance_from_end (GtkScrolledWindow *scroller)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (scroller);

  return gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - gtk_adjustment_get_value (adj);
}

static char *
long_reply (const char *word)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < 1200; i++)
    g_string_append_printf (text, "%s%s%u", i == 0 ? "" : i % 60 == 0 ? "\n\n" : " ", word, i);
  return g_string_free (text, FALSE);
}

static PwFakeReply *
slow_reply (const char *text)
{
  /* 600 deltas, one SSE event every 3 ms: about 2 s of streaming */
  PwFakeReply *reply = pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, text, NULL, 600);

  pw_fake_reply_set_chunking (reply, 0, 0, 3);
  return reply;
}

static gboolean
reply_done (GtkWidget  *chat,
            GtkWidget  *send,
            const char *last_word)
{
  g_autofree char *text = pw_test_collect_text (chat);

  /* @send NULL: the word shown is enough (the reply may still stream) */
  return strstr (text, last_word) != NULL && (send == NULL || gtk_widget_get_visible (send));
}

static void
send_text (GtkWidget  *chat,
           const char *message)
{
  GtkWidget *composer = pw_test_find_widget (chat, "composer");
  GtkWidget *send = pw_test_find_widget (chat, "send_button");

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (composer)), message, -1);
  PW_TEST_WAIT_UNTIL (gtk_widget_get_sensitive (send), 3000);
  g_signal_emit_by_name (send, "clicked");
}

static void
test_follow_and_scroll_away (void)
{
  PwTestApp *t = pw_test_app_new (1280, 800);
  g_autofree char *id = pw_test_app_add_session (t, "Follow Demo", PW_PHASE_DISCUSSION);
  g_autofree char *first = long_reply ("alpha");
  g_autofree char *second = long_reply ("beta");
  GtkScrolledWindow *scroller;
  GtkEventController *user_scroll = NULL;
  GtkAdjustment *adj;
  GtkWidget *chat, *send;
  double away;

  g_assert_true (pw_test_app_select_session (t, id));
  chat = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_CHAT_VIEW);
  send = pw_test_find_widget (chat, "send_button");
  scroller = conversation_scroller (chat);
  g_assert_nonnull (scroller);
  adj = gtk_scrolled_window_get_vadjustment (scroller);

  /* A reply many screens long: the view ends at its end */
  pw_fake_server_enqueue (t->server, NULL, slow_reply (first));
  send_text (chat, "Tell me everything");
  PW_TEST_WAIT_UNTIL (reply_done (chat, send, "alpha1199"), 20000);
  pw_test_spin (500);
  g_test_message ("after the first reply: %.0f px above the end, upper %.0f",
                  distance_from_end (scroller), gtk_adjustment_get_upper (adj));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, 4 * gtk_adjustment_get_page_size (adj));
  g_assert_cmpfloat (distance_from_end (scroller), <, 60);

  /* The user scrolls up while the next reply streams: the view stays */
  pw_fake_server_enqueue (t->server, NULL, slow_reply (second));
  send_text (chat, "And more");
  PW_TEST_WAIT_UNTIL (reply_done (chat, NULL, "beta100"), 10000);
  {
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (scroller));

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

        if (g_strcmp0 (gtk_event_controller_get_name (c), "user-scroll") == 0)
          user_scroll = c;   /* the scroller keeps it */
      }
  }
  g_assert_nonnull (user_scroll);
  {
    gboolean handled = FALSE;

    /* What a wheel turned up does: the controller sees it, the view moves */
    g_signal_emit_by_name (user_scroll, "scroll", 0.0, -10.0, &handled);
    gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) - 2000);
  }
  away = gtk_adjustment_get_value (adj);
  PW_TEST_WAIT_UNTIL (reply_done (chat, send, "beta1199"), 20000);
  pw_test_spin (500);
  g_test_message ("scrolled to %.0f, now at %.0f, %.0f px above the end",
                  away, gtk_adjustment_get_value (adj), distance_from_end (scroller));
  g_assert_cmpfloat (distance_from_end (scroller), >, 1000);
  g_assert_cmpfloat (ABS (gtk_adjustment_get_value (adj) - away), <, 200);

  pw_test_app_free (t);
}

/* A demo session opened in a later run of the app (no demo server): the
 * server is started again before the composer opens, and the reply is
 * the demo's, not a refused connection */
static void
test_demo_reopened_restarts_server (void)
{
  g_autofree char *demo_id = NULL;
  g_autofree char *other = NULL;
  g_autofree char *text = NULL;
  PwTestApp *t;
  GtkWidget *chat, *send;

  if (!(t = demo_app_new (&demo_id)))
    return;
  other = pw_test_app_add_session (t, "Real Work", PW_PHASE_DISCUSSION);

  /* As after a restart: the session is there, its server is not */
  pw_demo_stop ();
  g_assert_false (pw_demo_server_running ());
  g_assert_true (pw_test_app_select_session (t, other));
  pw_test_app_session_changed (t, NULL);
  g_assert_true (pw_test_app_select_session (t, demo_id));
  chat = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_CHAT_VIEW);
  send = pw_test_find_widget (chat, "send_button");
  g_assert_cmpstr (pw_chat_view_get_session (PW_CHAT_VIEW (chat)), ==, demo_id);

  PW_TEST_WAIT_UNTIL (pw_demo_server_running (), 10000);
  send_text (chat, "Customers want their invoices as PDF files.");
  PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (chat),
                       strstr (text, "Answer what you can") != NULL && gtk_widget_get_visible (send)), 30000);
  g_assert_null (strstr (text, "127.0.0.1"));
  g_assert_null (strstr (text, "refused"));

  pw_demo_stop ();
  g_unsetenv ("PLANWRIGHT_FAKE_LLM");
  pw_test_app_free (t);
}

/* ---- an older database: the window shows while it is converted ---- */

static sqlite3 *upgrade_lock;   /* holds the write lock: the conversion waits */

static void
write_v1_database (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(sqlite3) db = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  pw_test_raw_apply_schema_v1 (db);
  pw_test_raw_exec (db,
                    "INSERT INTO sessions (id, project, phase, status, created_at, updated_at) "
                    "VALUES ('abcdef01', 'Legacy Nebula', 'DISCUSSION', 'ACTIVE', "
                    "'2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z');");
  g_clear_pointer (&db, sqlite3_close);

  /* Another writer, for as long as the test says: readers go on */
  g_assert_cmpint (sqlite3_open (path, &upgrade_lock), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (upgrade_lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);
}

static void
test_older_database_upgrades_with_a_window (void)
{
  PwTestApp *t;
  g_autofree char *text = NULL;
  gboolean enabled = TRUE;

  pw_test_app_prepare_db = write_v1_database;
  t = pw_test_app_new (1280, 800);
  pw_test_app_prepare_db = NULL;

  /* The window is there at once, saying what happens, with nothing to do */
  g_assert_true (pw_application_is_upgrading (t->app));
  g_assert_null (pw_application_get_engine (t->app));
  text = pw_test_collect_text (GTK_WIDGET (t->window));
  g_assert_nonnull (strstr (text, "Updating Your Sessions"));
  g_free (pw_test_save_screenshot (GTK_WINDOW (t->window), "upgrading-wide-light"));
  g_assert_true (pw_test_action_lookup (GTK_WIDGET (t->window), "win.new-session", &enabled));
  g_assert_false (enabled);

  /* The other writer is done: the conversion ends, a window with the session follows */
  g_assert_cmpint (sqlite3_exec (upgrade_lock, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_pointer (&upgrade_lock, sqlite3_close);
  PW_TEST_WAIT_UNTIL (!pw_application_is_upgrading (t->app), 20000);
  g_assert_nonnull (pw_application_get_engine (t->app));
  PW_TEST_WAIT_UNTIL ((t->window = PW_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (t->app)))) != NULL
                      && gtk_widget_get_mapped (GTK_WIDGET (t->window)), 5000);
  /* The harness's pointer is weak, as for the first window */
  g_object_add_weak_pointer (G_OBJECT (t->window), (gpointer *) &t->window);
  g_assert_true (pw_test_app_select_session (t, "abcdef01"));
  g_free (text);
  text = pw_test_collect_text (GTK_WIDGET (t->window));
  g_assert_nonnull (strstr (text, "Legacy Nebula"));
  g_assert_null (strstr (text, "Updating Your Sessions"));
  {
    g_autofree char *dir = g_path_get_dirname (t->db_path);
    g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
    const char *name;
    gboolean backup = FALSE;

    while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
      backup |= g_str_has_prefix (name, "planwright.db.bak-v1-");
    g_assert_true (backup);
  }
  pw_test_app_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/app/ux/explain-matches-table", test_explain_matches_table);
  g_test_add_func ("/app/ux/paused-refusals", test_paused_refusals_in_window_terms);
  g_test_add_func ("/app/ux/narrow-layout", test_narrow_layout);
  g_test_add_func ("/app/ux/wide-layout", test_wide_layout);
  g_test_add_func ("/app/ux/preferences-reset", test_preferences_reset_and_complexity);
  g_test_add_func ("/app/ux/demo-stays-a-demo", test_demo_stays_a_demo);
  g_test_add_func ("/app/ux/follow-and-scroll-away", test_follow_and_scroll_away);
  g_test_add_func ("/app/ux/demo-reopened", test_demo_reopened_restarts_server);
  g_test_add_func ("/app/ux/older-database", test_older_database_upgrades_with_a_window);

  return g_test_run ();
}
