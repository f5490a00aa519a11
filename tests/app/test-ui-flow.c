/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window driven like a user would, against the fake LLM server: sessions, context, streaming, stop, lifecycle, blockers, search. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "pw-blocker-panel.h"
#include "pw-chat-view.h"
#include "pw-context-panel.h"
#include "pw-test-app.h"

/* Statement macros cannot go inside the wait conditions */
static void
clear_array (GPtrArray **array)
{
  g_clear_pointer (array, g_ptr_array_unref);
}

static void
clear_info (PwSessionInfo **info)
{
  g_clear_pointer (info, pw_session_info_free);
}

/* Names a widget may answer to; the first that exists wins */
static GtkWidget *
find_any (GtkWidget          *root,
          const char * const *keys)
{
  for (guint i = 0; keys[i] != NULL; i++)
    {
      GtkWidget *w = pw_test_find_widget (root, keys[i]);

      if (w != NULL)
        return w;
    }
  return NULL;
}

/* The first of @names that resolves from @widget, or NULL */
static const char *
find_action (GtkWidget          *widget,
             const char * const *names,
             gboolean           *enabled)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (pw_test_action_lookup (widget, names[i], enabled))
      return names[i];
  return NULL;
}

static void
click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* The widget of @type that shows @id: the window's own when the window
 * has one (after selecting the session), else one in a window of its own
 * (the shell is still being built). NULL when the type is a placeholder
 * (@probe says whether the built widget has its content yet). */
typedef gboolean (*Probe) (GtkWidget *widget);

static GtkWidget *
view_for (PwTestApp  *t,
          GType       type,
          const char *id,
          Probe       probe)
{
  GtkWidget *view = pw_test_find_by_type (GTK_WIDGET (t->window), type);
  GtkWidget *host;

  if (view != NULL && pw_test_app_select_session (t, id))
    {
      const char *shown = NULL;

      view = pw_test_find_by_type (GTK_WIDGET (t->window), type);
      if (type == PW_TYPE_CONTEXT_PANEL)
        shown = pw_context_panel_get_session (PW_CONTEXT_PANEL (view));
      else if (type == PW_TYPE_BLOCKER_PANEL)
        shown = pw_blocker_panel_get_session (PW_BLOCKER_PANEL (view));
      else if (type == PW_TYPE_CHAT_VIEW)
        shown = pw_chat_view_get_session (PW_CHAT_VIEW (view));
      /* Selecting the row must be what shows the session */
      g_assert_cmpstr (shown, ==, id);
      if (probe (view))
        return view;
    }

  view = g_object_new (type, NULL);
  if (!probe (view))
    {
      g_object_ref_sink (view);
      g_object_unref (view);
      return NULL;
    }
  host = gtk_window_new ();
  gtk_window_set_application (GTK_WINDOW (host), GTK_APPLICATION (t->app));
  gtk_window_set_default_size (GTK_WINDOW (host), 800, 600);
  gtk_window_set_child (GTK_WINDOW (host), view);
  gtk_window_present (GTK_WINDOW (host));
  PW_TEST_WAIT_UNTIL (gtk_widget_get_mapped (host), 5000);
  g_test_message ("%s is not in the window yet: tested in a window of its own", g_type_name (type));
  if (type == PW_TYPE_CONTEXT_PANEL)
    pw_context_panel_set_session (PW_CONTEXT_PANEL (view), id);
  else if (type == PW_TYPE_BLOCKER_PANEL)
    pw_blocker_panel_set_session (PW_BLOCKER_PANEL (view), id);
  else if (type == PW_TYPE_CHAT_VIEW)
    pw_chat_view_set_session (PW_CHAT_VIEW (view), id);
  pw_test_spin (100);
  return view;
}

static gboolean
has_children (GtkWidget *widget)
{
  return gtk_widget_get_first_child (widget) != NULL;
}

/* ---- create a session ---------------------------------------------- */

static void
test_create_session (void)
{
  static const char * const new_names[] = { "New Session", "New session", NULL };
  static const char * const new_actions[] = { "win.new-session", "app.new-session", "session.new", NULL };
  static const char * const create_names[] = { "Create", "Create Session", "Create session", "_Create", NULL };
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GError) error = NULL;
  PwTestApp *t = pw_test_app_new (0, 0);
  GtkWidget *button = find_any (GTK_WIDGET (t->window), new_names);
  const char *action = find_action (GTK_WIDGET (t->window), new_actions, NULL);
  GtkWindow *dialog;
  GtkWidget *entry, *create;

  if (button == NULL && action == NULL)
    {
      pw_test_app_free (t);
      g_test_skip ("the New Session button/action is not built yet");
      return;
    }
  if (action != NULL)
    g_assert_true (pw_test_activate_action (GTK_WIDGET (t->window), action, NULL));
  else
    click (button);

  PW_TEST_WAIT_UNTIL ((dialog = pw_test_find_other_toplevel (GTK_WINDOW (t->window))) != NULL
                      && gtk_widget_get_mapped (GTK_WIDGET (dialog)), 5000);
  g_assert_true (gtk_window_get_transient_for (dialog) == GTK_WINDOW (t->window));
  entry = pw_test_find_widget (GTK_WIDGET (dialog), "Project Name");
  if (entry == NULL)
    entry = pw_test_find_widget (GTK_WIDGET (dialog), "Project name");
  if (entry == NULL)
    entry = pw_test_find_widget (GTK_WIDGET (dialog), "Project");
  if (entry == NULL)
    entry = pw_test_find_by_type (GTK_WIDGET (dialog), GTK_TYPE_EDITABLE);
  g_assert_nonnull (entry);
  if (!GTK_IS_EDITABLE (entry))
    entry = pw_test_find_by_type (entry, GTK_TYPE_EDITABLE);
  g_assert_true (GTK_IS_EDITABLE (entry));
  gtk_editable_set_text (GTK_EDITABLE (entry), "Aquarium Controller");

  create = find_any (GTK_WIDGET (dialog), create_names);
  g_assert_nonnull (create);
  /* Enabled once there is a name */
  PW_TEST_WAIT_UNTIL (gtk_widget_is_sensitive (create), 2000);
  click (create);

  PW_TEST_WAIT_UNTIL ((clear_array (&sessions),
                       sessions = pw_store_list_sessions (pw_test_app_get_store (t), NULL, NULL, NULL),
                       sessions->len == 1), 5000);
  g_assert_cmpstr (((PwSessionInfo *) g_ptr_array_index (sessions, 0))->project, ==, "Aquarium Controller");

  /* The dialog closes and the sidebar shows the new session */
  PW_TEST_WAIT_UNTIL (pw_test_find_other_toplevel (GTK_WINDOW (t->window)) == NULL, 3000);
  {
    g_autofree char *text = NULL;

    PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (GTK_WIDGET (t->window)),
                         strstr (text, "Aquarium Controller") != NULL), 3000);
  }
  pw_test_app_free (t);
}

/* ---- context: a note and a file ------------------------------------ */

static gboolean
chooser_has_files (GtkFileChooser *chooser)
{
  g_autoptr(GListModel) files = gtk_file_chooser_get_files (chooser);

  return files != NULL && g_list_model_get_n_items (files) > 0;
}

static void
test_context_note_and_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *id = NULL;
  g_autofree char *file_path = NULL;
  PwTestApp *t = pw_test_app_new (0, 0);
  GtkWidget *panel, *note_view, *note_button;
  gboolean enabled = TRUE;
  GtkWindow *chooser;

  id = pw_test_app_add_session (t, "Context Demo", PW_PHASE_CONTEXT);
  panel = view_for (t, PW_TYPE_CONTEXT_PANEL, id, has_children);
  if (panel == NULL)
    {
      pw_test_app_free (t);
      g_test_skip ("the context panel is not built yet");
      return;
    }

  /* A note: typed into the popover's text view, added by its action */
  note_button = pw_test_find_widget (panel, "Add Note");
  g_assert_nonnull (note_button);
  if (GTK_IS_MENU_BUTTON (note_button))
    gtk_menu_button_popup (GTK_MENU_BUTTON (note_button));
  note_view = pw_test_find_widget (panel, "Note text");
  if (note_view == NULL || !GTK_IS_TEXT_VIEW (note_view))
    note_view = pw_test_find_by_type (panel, GTK_TYPE_TEXT_VIEW);
  g_assert_nonnull (note_view);
  /* Nothing typed yet (or only spaces): nothing to add */
  g_assert_true (pw_test_action_lookup (panel, "context.add-note", &enabled));
  g_assert_false (enabled);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (note_view)), "  \n ", -1);
  g_assert_true (pw_test_action_lookup (panel, "context.add-note", &enabled));
  g_assert_false (enabled);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (note_view)),
                            "The pump must never run dry", -1);
  g_assert_true (pw_test_action_lookup (panel, "context.add-note", &enabled));
  g_assert_true (enabled);
  g_assert_true (pw_test_activate_action (panel, "context.add-note", NULL));
  PW_TEST_WAIT_UNTIL ((clear_array (&entries),
                       entries = pw_store_list_context (pw_test_app_get_store (t), id, NULL),
                       entries->len == 1), 3000);
  g_assert_cmpstr (((PwContextEntry *) g_ptr_array_index (entries, 0))->entry_type, ==, "note");
  g_assert_cmpstr (((PwContextEntry *) g_ptr_array_index (entries, 0))->content, ==, "The pump must never run dry");
  {
    g_autofree char *text = NULL;

    pw_test_spin (300);
    text = pw_test_collect_text (panel);
    if (strstr (text, "pump") == NULL)
      g_test_message ("the panel (showing session %s, expected %s) shows:\n%s",
                      pw_context_panel_get_session (PW_CONTEXT_PANEL (panel)), id, text);
    PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (panel),
                         strstr (text, "pump") != NULL), 3000);
  }

  /* A file: through the file chooser the action opens (GTK's own dialog:
   * there is no portal in the test's bus) */
  file_path = g_build_filename (t->dir, "pump.c", NULL);
  g_assert_true (g_file_set_contents (file_path, "int pump_speed = 3; /* PUMP-MARKER */\n", -1, &error));
  g_assert_no_error (error);
  g_assert_true (pw_test_activate_action (panel, "context.add-file", NULL));
  PW_TEST_WAIT_UNTIL ((chooser = pw_test_find_other_toplevel (GTK_WINDOW (gtk_widget_get_root (panel)))) != NULL
                      && GTK_IS_FILE_CHOOSER (chooser) && gtk_widget_get_mapped (GTK_WIDGET (chooser)), 5000);
  {
    g_autoptr(GFile) file = g_file_new_for_path (file_path);
    g_autoptr(GFile) folder = g_file_get_parent (file);

    g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, &error));
    g_assert_no_error (error);
    /* The folder loads asynchronously; selecting works once it has */
    PW_TEST_WAIT_UNTIL ((gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), file, NULL),
                         chooser_has_files (GTK_FILE_CHOOSER (chooser))), 5000);
  }
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  PW_TEST_WAIT_UNTIL ((clear_array (&entries),
                       entries = pw_store_list_context (pw_test_app_get_store (t), id, NULL),
                       entries->len == 2), 5000);
  {
    gboolean found = FALSE;
    g_autofree char *text = NULL;

    for (guint i = 0; i < entries->len; i++)
      {
        PwContextEntry *e = g_ptr_array_index (entries, i);

        if (g_str_equal (e->entry_type, "file"))
          {
            g_assert_nonnull (strstr (e->content, "PUMP-MARKER"));
            found = TRUE;
          }
      }
    g_assert_true (found);
    PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (panel),
                         strstr (text, "pump.c") != NULL), 3000);
  }
  pw_test_app_free (t);
}

/* ---- chat: streaming, stop ------------------------------------------ */

#define N_WORDS 60

static char *
reply_text (const char *tag)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < N_WORDS; i++)
    g_string_append_printf (s, "%s%s%u", i ? " " : "", tag, i);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* How many of @tag0 … @tagN-1 the view shows */
static guint
words_shown (GtkWidget  *view,
             const char *tag)
{
  g_autofree char *text = pw_test_collect_text (view);
  guint n = 0;

  for (guint i = 0; i < N_WORDS; i++)
    {
      g_autofree char *word = g_strdup_printf ("%s%u ", tag, i);
      g_autofree char *last = g_strdup_printf ("%s%u", tag, i);

      if (strstr (text, word) != NULL || g_str_has_suffix (text, last)
          || (strstr (text, last) != NULL && i == N_WORDS - 1))
        n = i + 1;
    }
  return n;
}

static GtkWidget *
composer_of (GtkWidget *chat)
{
  static const char * const names[] = { "composer", "Message", "Message the planner", NULL };
  GtkWidget *w = find_any (chat, names);

  if (w != NULL && (GTK_IS_TEXT_VIEW (w) || GTK_IS_EDITABLE (w)))
    return w;
  g_autoptr(GPtrArray) views = pw_test_find_all_by_type (chat, GTK_TYPE_TEXT_VIEW);
  for (guint i = 0; i < views->len; i++)
    if (gtk_text_view_get_editable (g_ptr_array_index (views, i)))
      return g_ptr_array_index (views, i);
  return NULL;
}

static gboolean
chat_built (GtkWidget *chat)
{
  return composer_of (chat) != NULL;
}

static void
send_message (GtkWidget  *chat,
              const char *text)
{
  static const char * const send_names[] = { "send_button", "Send", "Send Message", "Send message", NULL };
  GtkWidget *composer = composer_of (chat);
  GtkWidget *send;

  if (GTK_IS_TEXT_VIEW (composer))
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (composer)), text, -1);
  else
    gtk_editable_set_text (GTK_EDITABLE (composer), text);
  pw_test_spin (20);
  send = find_any (chat, send_names);
  g_assert_nonnull (send);
  click (send);
}

static void
test_chat_streams (void)
{
  g_autofree char *id = NULL;
  g_autofree char *text = reply_text ("w");
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GArray) seen = g_array_new (FALSE, FALSE, sizeof (guint));
  PwTestApp *t = pw_test_app_new (0, 0);
  PwFakeReply *reply;
  GtkWidget *chat;
  gint64 deadline;
  guint last = 0;

  id = pw_test_app_add_session (t, "Streaming Demo", PW_PHASE_DISCUSSION);
  chat = view_for (t, PW_TYPE_CHAT_VIEW, id, chat_built);
  if (chat == NULL)
    {
      pw_test_app_free (t);
      g_test_skip ("the chat view is not built yet");
      return;
    }

  /* 60 deltas, one SSE event every 50 ms: about 3 s of streaming */
  reply = pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, text, NULL, N_WORDS);
  pw_fake_reply_set_chunking (reply, 0, 0, 50);
  pw_fake_server_enqueue (t->server, NULL, reply);

  send_message (chat, "How should the pump be controlled?");

  /* Sample once per frame-ish; the reply must be seen in several
   * growing states before it is complete */
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (last < N_WORDS && g_get_monotonic_time () < deadline)
    {
      guint n;

      pw_test_spin (16);
      n = words_shown (chat, "w");
      g_assert_cmpuint (n, >=, last);
      if (n != last)
        g_array_append_val (seen, n);
      last = n;
    }
  g_assert_cmpuint (last, ==, N_WORDS);
  g_test_message ("the reply was seen in %u states", seen->len);
  g_assert_cmpuint (seen->len, >=, 4);
  g_assert_cmpuint (g_array_index (seen, guint, 0), <, N_WORDS / 2);

  /* …and both messages are in the store once done */
  PW_TEST_WAIT_UNTIL ((clear_array (&messages),
                       messages = pw_store_list_messages (pw_test_app_get_store (t), id, NULL),
                       messages->len == 2), 5000);
  g_assert_cmpstr (((PwMessage *) g_ptr_array_index (messages, 1))->role, ==, "assistant");
  g_assert_cmpstr (((PwMessage *) g_ptr_array_index (messages, 1))->content, ==, text);
  pw_test_app_free (t);
}

static void
test_chat_stop (void)
{
  static const char * const stop_names[] = { "stop_button", "Stop", "Stop Reply", "Stop reply", "Stop Generating", NULL };
  static const char * const stop_actions[] = { "session.stop", "chat.stop", "win.stop", NULL };
  g_autofree char *id = NULL;
  g_autofree char *text = reply_text ("s");
  g_autoptr(GPtrArray) messages = NULL;
  PwTestApp *t = pw_test_app_new (0, 0);
  PwFakeReply *reply;
  GtkWidget *chat;
  const char *action;
  guint at_stop, later;
  gboolean enabled = FALSE;

  id = pw_test_app_add_session (t, "Stop Demo", PW_PHASE_DISCUSSION);
  chat = view_for (t, PW_TYPE_CHAT_VIEW, id, chat_built);
  if (chat == NULL)
    {
      pw_test_app_free (t);
      g_test_skip ("the chat view is not built yet");
      return;
    }

  reply = pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, text, NULL, N_WORDS);
  pw_fake_reply_set_chunking (reply, 0, 0, 100);
  pw_fake_server_enqueue (t->server, NULL, reply);
  send_message (chat, "Tell me everything");

  PW_TEST_WAIT_UNTIL (words_shown (chat, "s") >= 3, 10000);

  action = find_action (chat, stop_actions, &enabled);
  if (action != NULL)
    {
      g_assert_true (enabled);
      g_assert_true (pw_test_activate_action (chat, action, NULL));
    }
  else
    {
      GtkWidget *stop = find_any (chat, stop_names);

      g_assert_nonnull (stop);
      click (stop);
    }
  pw_test_spin (200);
  at_stop = words_shown (chat, "s");
  pw_test_spin (1000);
  later = words_shown (chat, "s");
  /* Nothing more arrives, the reply did not complete */
  g_assert_cmpuint (later, ==, at_stop);
  g_assert_cmpuint (later, <, N_WORDS);
  if (action != NULL)
    {
      g_assert_true (pw_test_action_lookup (chat, action, &enabled));
      g_assert_false (enabled);
    }
  /* No assistant message is committed for a stopped reply */
  messages = pw_store_list_messages (pw_test_app_get_store (t), id, NULL);
  for (guint i = 0; i < messages->len; i++)
    g_assert_cmpstr (((PwMessage *) g_ptr_array_index (messages, i))->role, !=, "assistant");

  /* The composer is usable again */
  {
    static const char * const send_names[] = { "send_button", "Send", "Send Message", "Send message", NULL };
    GtkWidget *composer = composer_of (chat);
    GtkWidget *send;

    if (GTK_IS_TEXT_VIEW (composer))
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (composer)), "again", -1);
    pw_test_spin (20);
    send = find_any (chat, send_names);
    g_assert_nonnull (send);
    PW_TEST_WAIT_UNTIL (gtk_widget_is_sensitive (send), 2000);
  }
  pw_test_app_free (t);
}

/* ---- a forbidden action --------------------------------------------- */

static void
test_forbidden_action_disabled (void)
{
  /* The lifecycle table refuses writing the plan before any discussion
   * (SETUP) and generating in DISCUSSION */
  static const char * const done_actions[] = { "session.done", "win.done", "session.advance", NULL };
  static const char * const generate_actions[] = { "session.generate", "win.generate", NULL };
  static const char * const done_names[] = { "Done — write the plan", "Done — Write the Plan", "Write the Plan", NULL };
  g_autofree char *id = NULL;
  PwTestApp *t = pw_test_app_new (0, 0);
  gboolean enabled = TRUE;
  const char *action;
  GtkWidget *button = NULL;
  GtkWidget *scope;

  id = pw_test_app_add_session (t, "Forbidden Demo", PW_PHASE_SETUP);
  if (!pw_test_app_select_session (t, id))
    {
      pw_test_app_free (t);
      g_test_skip ("the session sidebar is not built yet");
      return;
    }
  /* Session actions live on the session's views: ask from the chat */
  scope = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_CHAT_VIEW);
  if (scope == NULL)
    scope = GTK_WIDGET (t->window);
  action = find_action (scope, done_actions, &enabled);
  if (action == NULL)
    action = find_action (scope, generate_actions, &enabled);
  if (action == NULL)
    {
      button = find_any (GTK_WIDGET (t->window), done_names);
      if (button == NULL)
        {
          pw_test_app_free (t);
          g_test_skip ("the lifecycle actions are not built yet");
          return;
        }
      enabled = gtk_widget_is_sensitive (button);
    }
  g_test_message ("checked %s", action ? action : "the Done button");
  g_assert_false (enabled);

  /* The button says why */
  if (button == NULL && action != NULL)
    button = pw_test_find_actionable (scope, action);
  if (button != NULL)
    {
      const char *tooltip = gtk_widget_get_tooltip_text (button);

      g_assert_nonnull (tooltip);
      g_assert_cmpuint (strlen (tooltip), >, 0);
      g_test_message ("tooltip: %s", tooltip);
    }

  /* …and it is enabled where the table allows it */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (pw_store_add_message (pw_test_app_get_store (t), id, "user", "hello", NULL, &error) > 0);
    g_assert_true (pw_store_add_message (pw_test_app_get_store (t), id, "assistant", "hi", "m", &error) > 0);
    g_assert_true (pw_store_set_phase (pw_test_app_get_store (t), id, PW_PHASE_DISCUSSION, PW_STATUS_ACTIVE, &error));
    pw_test_app_session_changed (t, id);
    pw_test_spin (100);
    if (action != NULL && g_str_has_suffix (action, "done"))
      {
        PW_TEST_WAIT_UNTIL ((pw_test_action_lookup (scope, action, &enabled), enabled), 3000);
      }
  }
  pw_test_app_free (t);
}

/* ---- blockers --------------------------------------------------------- */

static gboolean
blocker_built (GtkWidget *panel)
{
  return has_children (panel);
}

static void
test_blocker_resume (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) open = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  PwTestApp *t = pw_test_app_new (0, 0);
  GtkWidget *panel;
  gint64 blocker;
  gboolean enabled = TRUE;

  id = pw_test_app_add_session (t, "Blocked Demo", PW_PHASE_DISCUSSION);
  blocker = pw_store_add_blocker (pw_test_app_get_store (t), id, "reviewer",
                                  "Which database does the pump log go to?", &error);
  g_assert_no_error (error);
  g_assert_cmpint (blocker, >, 0);
  pw_test_app_session_changed (t, id);

  panel = view_for (t, PW_TYPE_BLOCKER_PANEL, id, blocker_built);
  if (panel == NULL)
    {
      pw_test_app_free (t);
      g_test_skip ("the blocker panel is not built yet");
      return;
    }
  PW_TEST_WAIT_UNTIL (gtk_widget_get_visible (panel), 3000);
  PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (panel),
                       strstr (text, "Which database does the pump log go to?") != NULL), 3000);

  /* Resuming needs every answer */
  g_assert_true (pw_test_action_lookup (panel, "blocker.resume", &enabled));
  g_assert_false (enabled);

  entries = pw_test_find_all_by_type (panel, GTK_TYPE_EDITABLE);
  g_assert_cmpuint (entries->len, >=, 1);
  for (guint i = 0; i < entries->len; i++)
    if (!GTK_IS_TEXT (g_ptr_array_index (entries, i)))
      {
        gtk_editable_set_text (g_ptr_array_index (entries, i), "SQLite, in the app's data dir");
        break;
      }
  PW_TEST_WAIT_UNTIL ((pw_test_action_lookup (panel, "blocker.resume", &enabled), enabled), 2000);
  g_assert_true (pw_test_activate_action (panel, "blocker.resume", NULL));

  PW_TEST_WAIT_UNTIL ((clear_info (&info),
                       info = pw_store_get_session (pw_test_app_get_store (t), id, NULL),
                       info->status == PW_STATUS_ACTIVE), 3000);
  g_assert_cmpint (info->phase, ==, PW_PHASE_DISCUSSION);
  open = pw_store_list_blockers (pw_test_app_get_store (t), id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 0);
  /* The questions go away */
  PW_TEST_WAIT_UNTIL (!gtk_widget_get_visible (panel), 3000);
  pw_test_app_free (t);
}

/* ---- search ------------------------------------------------------------ */

static void
test_search_finds_conversation (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *text = NULL;
  PwTestApp *t = pw_test_app_new (0, 0);
  GtkWidget *search;

  a = pw_test_app_add_session (t, "Aquarium Controller", PW_PHASE_DISCUSSION);
  b = pw_test_app_add_session (t, "Bakery Orders", PW_PHASE_DISCUSSION);
  g_assert_cmpint (pw_store_add_message (pw_test_app_get_store (t), a, "user",
                                         "The axolotl tank needs a chiller", NULL, &error), >, 0);
  g_assert_cmpint (pw_store_add_message (pw_test_app_get_store (t), b, "user",
                                         "Croissants are ordered the day before", NULL, &error), >, 0);
  g_assert_no_error (error);
  pw_test_app_session_changed (t, NULL);

  search = pw_test_find_by_type (GTK_WIDGET (t->window), GTK_TYPE_SEARCH_ENTRY);
  if (search == NULL)
    {
      pw_test_app_free (t);
      g_test_skip ("the sidebar search is not built yet");
      return;
    }
  /* Ctrl+F (win.search or a search bar) reveals it; the entry works either way */
  {
    GtkWidget *bar = gtk_widget_get_ancestor (search, GTK_TYPE_SEARCH_BAR);

    if (bar != NULL)
      gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (bar), TRUE);
  }
  PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (GTK_WIDGET (t->window)),
                       strstr (text, "Bakery Orders") != NULL && strstr (text, "Aquarium Controller") != NULL), 3000);

  gtk_editable_set_text (GTK_EDITABLE (search), "axolotl");
  /* Results as you type: the search-changed delay is 150 ms */
  PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (GTK_WIDGET (t->window)),
                       strstr (text, "Aquarium Controller") != NULL && strstr (text, "Bakery Orders") == NULL), 3000);

  gtk_editable_set_text (GTK_EDITABLE (search), "croissants");
  PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (GTK_WIDGET (t->window)),
                       strstr (text, "Bakery Orders") != NULL && strstr (text, "Aquarium Controller") == NULL), 3000);

  gtk_editable_set_text (GTK_EDITABLE (search), "");
  PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (GTK_WIDGET (t->window)),
                       strstr (text, "Bakery Orders") != NULL && strstr (text, "Aquarium Controller") != NULL), 3000);
  pw_test_app_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* No portal on the test's bus: GTK's own file chooser */
  g_setenv ("GTK_USE_PORTAL", "0", TRUE);

  g_test_add_func ("/app/flow/create-session", test_create_session);
  g_test_add_func ("/app/flow/context-note-and-file", test_context_note_and_file);
  g_test_add_func ("/app/flow/chat-streams", test_chat_streams);
  g_test_add_func ("/app/flow/chat-stop", test_chat_stop);
  g_test_add_func ("/app/flow/forbidden-action-disabled", test_forbidden_action_disabled);
  g_test_add_func ("/app/flow/blocker-resume", test_blocker_resume);
  g_test_add_func ("/app/flow/search", test_search_finds_conversation);

  return g_test_run ();
}
