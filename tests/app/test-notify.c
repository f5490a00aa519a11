/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Notifications when writing the plan ends in the background: dunst and dbus-monitor on the test's own bus. */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "pw-chat-view.h"
#include "pw-session-sidebar.h"
#include "pw-test-app.h"

/* A real notification server and a wire tap on the session bus (meson
 * runs this test in a dbus-run-session of its own, alone on the display
 * so no other test's window takes the focus). */
typedef struct {
  GSubprocess     *dunst;
  GSubprocess     *monitor;
  GString         *seen;      /* dbus-monitor's output so far */
  GCancellable    *cancellable;
  GDBusConnection *bus;
} Desktop;

static void
read_more (Desktop *d);

static void
on_read (GObject      *stream,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (stream), result, &error);
  Desktop *d;
  gsize size;
  const char *data;

  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return;  /* cancelled, or dbus-monitor ended */
  d = user_data;
  data = g_bytes_get_data (bytes, &size);
  g_string_append_len (d->seen, data, size);
  read_more (d);
}

static void
read_more (Desktop *d)
{
  g_input_stream_read_bytes_async (g_subprocess_get_stdout_pipe (d->monitor), 4096,
                                   G_PRIORITY_DEFAULT, d->cancellable, on_read, d);
}

static gboolean
name_has_owner (GDBusConnection *bus,
                const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

static gboolean
monitor_ready (Desktop *d)
{
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (d->bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                       "org.freedesktop.Notifications", "GetCapabilities", NULL, NULL,
                                       G_DBUS_CALL_FLAGS_NONE, 1000, NULL, NULL);
  pw_test_spin (50);
  return strstr (d->seen->str, "GetCapabilities") != NULL;
}

static Desktop *
desktop_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) info = NULL;
  Desktop *d = g_new0 (Desktop, 1);

  d->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  d->seen = g_string_new (NULL);
  d->cancellable = g_cancellable_new ();

  /* dunst reads its configuration from the (isolated, empty) config dir:
   * its defaults, on the Xvfb display */
  d->dunst = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, "dunst", NULL);
  g_assert_no_error (error);
  PW_TEST_WAIT_UNTIL (name_has_owner (d->bus, "org.freedesktop.Notifications"), 10000);

  d->monitor = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                 "dbus-monitor", "--session",
                                 "interface='org.freedesktop.Notifications'", NULL);
  g_assert_no_error (error);
  read_more (d);
  /* A call of our own shows that the tap is listening */
  PW_TEST_WAIT_UNTIL (monitor_ready (d), 10000);
  info = g_dbus_connection_call_sync (d->bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                                      "org.freedesktop.Notifications", "GetServerInformation", NULL,
                                      G_VARIANT_TYPE ("(ssss)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &error);
  g_assert_no_error (error);
  {
    const char *server = NULL;

    g_variant_get (info, "(&s&s&s&s)", &server, NULL, NULL, NULL);
    g_test_message ("notification server: %s", server);
    g_assert_cmpstr (server, ==, "dunst");
  }
  return d;
}

static void
desktop_stop (Desktop *d)
{
  g_cancellable_cancel (d->cancellable);
  g_subprocess_send_signal (d->monitor, SIGTERM);
  g_subprocess_send_signal (d->dunst, SIGTERM);
  g_subprocess_wait (d->monitor, NULL, NULL);
  g_subprocess_wait (d->dunst, NULL, NULL);
  g_clear_object (&d->monitor);
  g_clear_object (&d->dunst);
  g_clear_object (&d->cancellable);
  g_clear_object (&d->bus);
  g_string_free (d->seen, TRUE);
  g_free (d);
}

/* The Notify calls seen so far, one string each (dbus-monitor's text) */
static GPtrArray *
notify_calls (Desktop *d)
{
  GPtrArray *calls = g_ptr_array_new_with_free_func (g_free);
  const char *p = d->seen->str;

  while ((p = strstr (p, "member=Notify")) != NULL)
    {
      const char *end = strstr (p + 1, "\nmethod call");
      const char *end2 = strstr (p + 1, "\nmethod return");
      const char *end3 = strstr (p + 1, "\nsignal");

      if (end == NULL || (end2 != NULL && end2 < end))
        end = end2;
      if (end == NULL || (end3 != NULL && end3 < end))
        end = end3;
      if (end == NULL)
        end = p + strlen (p);
      g_ptr_array_add (calls, g_strndup (p, end - p));
      p = end;
    }
  return calls;
}

static guint
n_notify_calls (Desktop *d)
{
  g_autoptr(GPtrArray) calls = notify_calls (d);

  return calls->len;
}

/* A session in DISCUSSION with a conversation, ready to be written up */
static char *
add_discussed_session (PwTestApp  *t,
                       const char *project)
{
  g_autoptr(GError) error = NULL;
  char *id = pw_test_app_add_session (t, project, PW_PHASE_DISCUSSION);

  g_assert_cmpint (pw_store_add_message (pw_test_app_get_store (t), id, "user",
                                         "A lamp that logs every night it burns", NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (pw_store_add_message (pw_test_app_get_store (t), id, "assistant",
                                         "A log in SQLite and a nightly report.", "m", &error), >, 0);
  g_assert_no_error (error);
  pw_test_app_session_changed (t, id);
  return id;
}

static gboolean
has_draft (PwTestApp  *t,
           const char *id)
{
  g_autoptr(PwDraft) draft = pw_store_get_latest_draft (pw_test_app_get_store (t), id, NULL);

  return draft != NULL;
}

static GtkWidget *
chat_showing (PwTestApp  *t,
              const char *id)
{
  GtkWidget *chat = pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_CHAT_VIEW);

  g_assert_nonnull (chat);
  PW_TEST_WAIT_UNTIL (g_strcmp0 (pw_chat_view_get_session (PW_CHAT_VIEW (chat)), id) == 0, 3000);
  return chat;
}

/* "Done — write the plan", as the button does, once it is enabled */
static void
press_done (GtkWidget *chat)
{
  gboolean enabled = FALSE;

  PW_TEST_WAIT_UNTIL ((pw_test_action_lookup (chat, "session.done", &enabled), enabled), 3000);
  g_assert_true (pw_test_activate_action (chat, "session.done", NULL));
}

/* Another application's window takes the focus, as when the user turns to
 * something else while the plan is written */
static GtkWidget *
focus_elsewhere (PwTestApp *t)
{
  GtkWidget *other = gtk_window_new ();

  gtk_window_set_title (GTK_WINDOW (other), "Some other program");
  gtk_window_set_default_size (GTK_WINDOW (other), 300, 200);
  gtk_window_present (GTK_WINDOW (other));
  PW_TEST_WAIT_UNTIL (gtk_window_is_active (GTK_WINDOW (other)), 5000);
  PW_TEST_WAIT_UNTIL (!gtk_window_is_active (GTK_WINDOW (t->window)), 5000);
  return other;
}

static void
focus_window (PwTestApp *t)
{
  gtk_window_present (GTK_WINDOW (t->window));
  PW_TEST_WAIT_UNTIL (gtk_window_is_active (GTK_WINDOW (t->window)), 5000);
}

/* Watching the window: the chat says it, no notification */
static void
test_focused_no_notification (void)
{
  PwTestApp *t = pw_test_app_new (1000, 700);
  Desktop *d = desktop_start ();
  g_autofree char *id = NULL;
  GtkWidget *chat;

  pw_fake_server_set_echo (t->server, TRUE);
  id = add_discussed_session (t, "Lamp Watched");
  g_assert_true (pw_test_app_select_session (t, id));
  chat = chat_showing (t, id);
  focus_window (t);
  press_done (chat);
  PW_TEST_WAIT_UNTIL (has_draft (t, id), 15000);
  /* The run's callback comes after the draft is stored */
  pw_test_spin (1000);
  g_assert_true (gtk_window_is_active (GTK_WINDOW (t->window)));
  g_assert_cmpuint (n_notify_calls (d), ==, 0);

  desktop_stop (d);
  pw_test_app_free (t);
}

/* Started, then the user turns to another program; the notification
 * comes, and clicking it brings the window back */
static void
test_unfocused_plan_ready (void)
{
  PwTestApp *t = pw_test_app_new (1000, 700);
  Desktop *d = desktop_start ();
  g_autofree char *id = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  GtkWidget *other;
  GtkWidget *chat;
  const char *call;

  pw_fake_server_set_echo (t->server, TRUE);
  id = add_discussed_session (t, "Lighthouse Log");
  g_assert_true (pw_test_app_select_session (t, id));
  chat = chat_showing (t, id);
  focus_window (t);
  press_done (chat);
  other = focus_elsewhere (t);
  PW_TEST_WAIT_UNTIL (n_notify_calls (d) >= 1, 15000);
  g_assert_true (has_draft (t, id));
  pw_test_spin (200);

  calls = notify_calls (d);
  g_assert_cmpuint (calls->len, ==, 1);
  call = g_ptr_array_index (calls, 0);
  g_test_message ("%s", call);
  summary = g_strdup_printf ("string \"Plan ready — %s\"", "Lighthouse Log");
  g_assert_nonnull (strstr (call, summary));
  /* GLib sends the default action as the "default" action key */
  g_assert_nonnull (strstr (call, "string \"default\""));
  g_assert_nonnull (strstr (call, "desktop-entry"));

  /* A click (dunstctl action: dunst's default action, as a click does)
   * brings the window to the front, on the session */
  g_assert_false (gtk_window_is_active (GTK_WINDOW (t->window)));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocess) click = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "dunstctl", "action", "0", NULL);

    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (click, NULL, &error));
    g_assert_no_error (error);
  }
  PW_TEST_WAIT_UNTIL (gtk_window_is_active (GTK_WINDOW (t->window)), 5000);
  chat_showing (t, id);

  gtk_window_destroy (GTK_WINDOW (other));
  desktop_stop (d);
  pw_test_app_free (t);
}

/* app.open-session (the notification's action) switches the window to
 * the session, from wherever it is */
static void
test_open_session_action (void)
{
  PwTestApp *t = pw_test_app_new (1000, 700);
  g_autofree char *here = NULL;
  g_autofree char *there = NULL;
  PwSessionSidebar *sidebar;

  here = add_discussed_session (t, "Where I Am");
  there = add_discussed_session (t, "Where I Go");
  g_assert_true (pw_test_app_select_session (t, here));
  chat_showing (t, here);
  sidebar = PW_SESSION_SIDEBAR (pw_test_find_by_type (GTK_WIDGET (t->window), PW_TYPE_SESSION_SIDEBAR));
  g_assert_nonnull (sidebar);
  g_assert_cmpstr (pw_session_sidebar_get_selected (sidebar), ==, here);

  g_action_group_activate_action (G_ACTION_GROUP (t->app), "open-session", g_variant_new_string (there));
  PW_TEST_WAIT_UNTIL (g_strcmp0 (pw_session_sidebar_get_selected (sidebar), there) == 0, 3000);
  chat_showing (t, there);
  /* Still the one window */
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (t->app))), ==, 1);

  pw_test_app_free (t);
}

static void
test_unfocused_failure (void)
{
  PwTestApp *t = pw_test_app_new (1000, 700);
  Desktop *d = desktop_start ();
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  GtkWidget *other;
  GtkWidget *chat;
  const char *call;

  /* The brief fails for good: no retry */
  {
    static const char json[] = "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad\"}}";
    g_autoptr(GBytes) body = g_bytes_new_static (json, strlen (json));
    PwFakeReply *reply = pw_fake_reply_new (400, "application/json", body);

    pw_fake_server_enqueue (t->server, NULL, reply);
  }
  id = add_discussed_session (t, "Harbour Crane");
  g_assert_true (pw_test_app_select_session (t, id));
  chat = chat_showing (t, id);
  focus_window (t);
  {
    gboolean enabled = FALSE;

    PW_TEST_WAIT_UNTIL ((pw_test_action_lookup (chat, "session.done", &enabled), enabled), 3000);
  }
  other = focus_elsewhere (t);
  g_assert_true (pw_test_activate_action (chat, "session.done", NULL));
  PW_TEST_WAIT_UNTIL (n_notify_calls (d) >= 1, 15000);
  pw_test_spin (200);

  calls = notify_calls (d);
  g_assert_cmpuint (calls->len, ==, 1);
  call = g_ptr_array_index (calls, 0);
  g_test_message ("%s", call);
  g_assert_nonnull (strstr (call, "string \"Plan generation failed\""));
  g_assert_nonnull (strstr (call, "Harbour Crane"));
  g_assert_nonnull (strstr (call, "string \"default\""));
  g_assert_false (has_draft (t, id));

  gtk_window_destroy (GTK_WINDOW (other));
  desktop_stop (d);
  pw_test_app_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_setenv ("GTK_USE_PORTAL", "0", TRUE);

  g_test_add_func ("/app/notify/focused-none", test_focused_no_notification);
  g_test_add_func ("/app/notify/unfocused-plan-ready", test_unfocused_plan_ready);
  g_test_add_func ("/app/notify/unfocused-failure", test_unfocused_failure);
  g_test_add_func ("/app/notify/open-session-action", test_open_session_action);

  return g_test_run ();
}
