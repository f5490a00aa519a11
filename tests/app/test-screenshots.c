/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PNGs of the window's main states, wide and narrow, light and dark, into <build>/tests/app/screenshots/ for people to look at. */

#include "config.h"

#include <string.h>

#include "pw-blocker-panel.h"
#include "pw-chat-view.h"
#include "pw-context-panel.h"
#include "pw-test-app.h"

typedef struct {
  const char *name;
  int         width;
  int         height;
} Size;

static const Size sizes[] = {
  { "wide", 1280, 800 },
  { "narrow", 360, 640 },
};

typedef enum {
  STATE_EMPTY,
  STATE_CHAT_STREAMING,
  STATE_CONTEXT,
  STATE_NOTE,
  STATE_BLOCKER,
  STATE_PREFERENCES,
  STATE_NEW_SESSION,
  STATE_WELCOME,
} State;

static const char *state_names[] = {
  "empty", "chat-streaming", "context", "note", "blocker", "preferences", "new-session", "welcome",
};

typedef struct {
  State       state;
  const Size *size;
} Case;

static const char *long_reply =
  "Here is how I would split the **pump controller**:\n\n"
  "1. A sensor loop that reads the water level every second\n"
  "2. A `PumpDriver` with a watchdog\n"
  "3. Alerts when the level stays low\n\n"
  "```c\nif (level < LOW_WATER)\n  pump_stop (pump);\n```\n\n"
  "Which microcontroller does the tank use, and is there a float switch as a backup? "
  "Should the alert go to a phone, or is a buzzer on the tank enough? "
  "How long may the pump run dry before it is damaged?";

static void
seed_conversation (PwTestApp  *t,
                   const char *id)
{
  g_autoptr(GError) error = NULL;
  PwStore *store = pw_test_app_get_store (t);

  g_assert_cmpint (pw_store_add_message (store, id, "user",
                                         "I want a controller for my aquarium's pump that never lets it run dry.",
                                         NULL, &error), >, 0);
  g_assert_cmpint (pw_store_add_message (store, id, "assistant",
                                         "Good goal. A few questions first:\n\n- What sensors are in the tank?\n"
                                         "- Is there mains power or only a battery?\n\nSee <https://example.org/pumps>.",
                                         "claude-sonnet-5-5", &error), >, 0);
  g_assert_cmpint (pw_store_add_message (store, id, "user", "A float switch and an ultrasonic level sensor; mains power.",
                                         NULL, &error), >, 0);
  g_assert_no_error (error);
}

static void
seed_context (PwTestApp  *t,
              const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (t->dir, "pump.c", NULL);
  PwStore *store = pw_test_app_get_store (t);

  g_assert_cmpint (pw_store_add_context (store, id, "file", file,
                                         "int pump_speed = 3;\nvoid pump_stop (void) {}\n", file,
                                         "0000000000000000000000000000000000000000000000000000000000000000", &error), >, 0);
  g_assert_cmpint (pw_store_add_context (store, id, "note", "note-1",
                                         "The pump must never run dry; the tank holds 120 litres.", NULL, NULL, &error), >, 0);
  g_assert_no_error (error);
}

/* A widget under test alone in a window of the same size, when the shell
 * cannot show it yet */
static GtkWidget *
host_alone (PwTestApp  *t,
            GType       type,
            const char *id,
            GtkWindow **out_window)
{
  GtkWidget *view = g_object_new (type, NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (t->app));

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_widget_set_vexpand (view, TRUE);
  gtk_box_append (GTK_BOX (box), view);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window),
                               gtk_widget_get_width (GTK_WIDGET (t->window)),
                               gtk_widget_get_height (GTK_WIDGET (t->window)));
  if (type == PW_TYPE_CONTEXT_PANEL)
    pw_context_panel_set_session (PW_CONTEXT_PANEL (view), id);
  else if (type == PW_TYPE_BLOCKER_PANEL)
    pw_blocker_panel_set_session (PW_BLOCKER_PANEL (view), id);
  else if (type == PW_TYPE_CHAT_VIEW)
    pw_chat_view_set_session (PW_CHAT_VIEW (view), id);
  gtk_window_present (GTK_WINDOW (window));
  PW_TEST_WAIT_UNTIL (gtk_widget_get_mapped (window), 5000);
  g_test_message ("%s is not in the window yet: shown alone", g_type_name (type));
  *out_window = GTK_WINDOW (window);
  return view;
}

static gboolean
leaflets_moving (GtkWidget *root)
{
  g_autoptr(GPtrArray) leaflets = pw_test_find_all_by_type (root, ADW_TYPE_LEAFLET);

  for (guint i = 0; i < leaflets->len; i++)
    if (adw_leaflet_get_child_transition_running (g_ptr_array_index (leaflets, i)))
      return TRUE;
  return FALSE;
}

static GtkWidget *
show_session (PwTestApp  *t,
              const char *id,
              GType       type,
              GtkWindow **out_window)
{
  GtkWidget *view;

  *out_window = GTK_WINDOW (t->window);
  if (pw_test_app_select_session (t, id)
      && (view = pw_test_find_by_type (GTK_WIDGET (t->window), type)) != NULL)
    {
      /* Narrow, selecting slides the leaflet to the session: a shot
       * taken half way shows both pages over each other */
      PW_TEST_WAIT_UNTIL (!leaflets_moving (GTK_WIDGET (t->window)), 5000);
      return view;
    }
  return host_alone (t, type, id, out_window);
}

static void
start_streaming (PwTestApp *t,
                 GtkWidget *chat)
{
  static const char * const send_names[] = { "send_button", "Send", "Send Message", "Send message", NULL };
  g_autoptr(GPtrArray) views = pw_test_find_all_by_type (chat, GTK_TYPE_TEXT_VIEW);
  PwFakeReply *reply;
  GtkWidget *composer = pw_test_find_widget (chat, "composer"), *send = NULL;

  if (composer != NULL && !GTK_IS_TEXT_VIEW (composer))
    composer = NULL;
  for (guint i = 0; i < views->len && composer == NULL; i++)
    if (gtk_text_view_get_editable (g_ptr_array_index (views, i)))
      composer = g_ptr_array_index (views, i);
  for (guint i = 0; send_names[i] && send == NULL; i++)
    send = pw_test_find_widget (chat, send_names[i]);
  if (composer == NULL || send == NULL || !GTK_IS_BUTTON (send))
    {
      g_test_message ("no composer yet: the chat is shown without a streaming reply");
      return;
    }

  /* Slow enough that the screenshot catches it half way */
  reply = pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, long_reply, NULL, 80);
  pw_fake_reply_set_chunking (reply, 0, 0, 60);
  pw_fake_server_enqueue (t->server, NULL, reply);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (composer)),
                            "It is an ESP32. How would you split the work?", -1);
  pw_test_spin (20);
  g_signal_emit_by_name (send, "clicked");
  {
    g_autofree char *text = NULL;

    PW_TEST_WAIT_UNTIL ((g_free (text), text = pw_test_collect_text (chat),
                         strstr (text, "sensor loop") != NULL), 10000);
  }
}

static GtkWindow *
open_preferences (PwTestApp *t)
{
  static const char * const actions[] = { "app.preferences", "win.preferences", NULL };
  GtkWindow *prefs = NULL;

  for (guint i = 0; actions[i] != NULL; i++)
    if (pw_test_action_lookup (GTK_WIDGET (t->window), actions[i], NULL))
      {
        g_assert_true (pw_test_activate_action (GTK_WIDGET (t->window), actions[i], NULL));
        PW_TEST_WAIT_UNTIL ((prefs = pw_test_find_other_toplevel (GTK_WINDOW (t->window))) != NULL
                            && gtk_widget_get_mapped (GTK_WIDGET (prefs)), 5000);
        return prefs;
      }
  return NULL;
}

static char *
show_context (PwTestApp  *t,
              const Case *c,
              GtkWindow **out_window)
{
  char *id = pw_test_app_add_session (t, "Aquarium Controller", PW_PHASE_CONTEXT);
  GtkWidget *panel, *context_switch;

  seed_context (t, id);
  pw_application_session_changed (t->app, id);
  panel = show_session (t, id, PW_TYPE_CONTEXT_PANEL, out_window);
  context_switch = pw_test_find_widget (GTK_WIDGET (*out_window), "context_switch");

  /* Narrow, the panel is a view of its own: switch to it as a user would */
  if (c->size->width < 600 && *out_window == GTK_WINDOW (t->window))
    {
      g_assert_nonnull (context_switch);
      PW_TEST_WAIT_UNTIL (gtk_widget_get_mapped (context_switch), 5000);
      g_signal_emit_by_name (context_switch, "clicked");
      PW_TEST_WAIT_UNTIL (gtk_widget_get_mapped (panel), 5000);
      pw_test_spin (400);  /* the flap's animation */
    }
  return id;
}

/* Where @popover is, in @window's coordinates: the whole of it (frame and
 * shadow) in @out, its bubble in @out_bubble. A popover is a surface of its
 * own, placed by GDK, which widget transforms do not know. */
static void
popover_bounds (GtkWindow       *window,
                GtkWidget       *popover,
                graphene_rect_t *out,
                graphene_rect_t *out_bubble)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (popover));
  GtkWidget *bubble = gtk_widget_get_first_child (popover);
  double wx, wy, px, py;

  g_assert_true (GDK_IS_POPUP (surface));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &wx, &wy);
  gtk_native_get_surface_transform (GTK_NATIVE (popover), &px, &py);
  graphene_rect_init (out,
                      gdk_popup_get_position_x (GDK_POPUP (surface)) + px - wx,
                      gdk_popup_get_position_y (GDK_POPUP (surface)) + py - wy,
                      gtk_widget_get_width (popover), gtk_widget_get_height (popover));
  if (out_bubble == NULL)
    return;
  g_assert_nonnull (bubble);
  g_assert_true (gtk_widget_compute_bounds (bubble, popover, out_bubble));
  out_bubble->origin.x += out->origin.x;
  out_bubble->origin.y += out->origin.y;
}

/* Opens "Add Note" as a click would and checks that its bubble is inside
 * the window: a popover cut by the window's edge cannot be used. */
static GtkWidget *
open_note_popover (GtkWindow *window)
{
  GtkWidget *button = pw_test_find_widget (GTK_WIDGET (window), "add_note_button");
  GtkWidget *popover;
  graphene_rect_t whole, bounds, add;

  g_assert_true (GTK_IS_MENU_BUTTON (button));
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (button)));
  g_assert_nonnull (popover);
  PW_TEST_WAIT_UNTIL (gtk_widget_get_mapped (popover), 5000);
  pw_test_spin (300);

  popover_bounds (window, popover, &whole, &bounds);
  g_test_message ("note popover at %.0f,%.0f %.0f×%.0f in a %d×%d window",
                  bounds.origin.x, bounds.origin.y, bounds.size.width, bounds.size.height,
                  gtk_widget_get_width (GTK_WIDGET (window)), gtk_widget_get_height (GTK_WIDGET (window)));
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (window)));
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (GTK_WIDGET (window)));

  /* Room to write in, and the button whole inside the bubble */
  g_assert_cmpint (gtk_widget_get_width (pw_test_find_widget (popover, "note_view")), >=, 200);
  g_assert_true (gtk_widget_compute_bounds (pw_test_find_widget (popover, "note_add_button"),
                                            gtk_widget_get_first_child (popover), &add));
  g_assert_cmpfloat (add.origin.x + add.size.width, <=, bounds.size.width);
  return popover;
}

/* pw_test_save_screenshot with @popover drawn over the window where it
 * is: a popover is a surface of its own, which the window's paintable
 * leaves out */
static char *
save_with_popover (GtkWindow  *window,
                   GtkWidget  *popover,
                   const char *name)
{
  g_autoptr(GdkPaintable) window_paint = NULL;
  g_autoptr(GdkPaintable) popover_paint = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t bounds;
  int width, height;

  pw_test_spin (150);
  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  popover_bounds (window, popover, &bounds, NULL);

  window_paint = gtk_widget_paintable_new (GTK_WIDGET (window));
  popover_paint = gtk_widget_paintable_new (popover);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (window_paint, GDK_SNAPSHOT (snapshot), width, height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &bounds.origin);
  gdk_paintable_snapshot (popover_paint, GDK_SNAPSHOT (snapshot), bounds.size.width, bounds.size.height);
  gtk_snapshot_restore (snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_nonnull (texture);
  return pw_test_save_texture (texture, name);
}

static void
test_screenshot (gconstpointer data)
{
  const Case *c = data;
  static const AdwColorScheme schemes[] = { ADW_COLOR_SCHEME_FORCE_LIGHT, ADW_COLOR_SCHEME_FORCE_DARK };
  static const char *scheme_names[] = { "light", "dark" };
  PwTestApp *t = pw_test_app_new (c->size->width, c->size->height);
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWindow *shot = GTK_WINDOW (t->window);
  GtkWidget *popover = NULL;
  g_autofree char *id = NULL;

  switch (c->state)
    {
    case STATE_EMPTY:
      break;
    case STATE_CHAT_STREAMING:
      {
        GtkWidget *chat;

        id = pw_test_app_add_session (t, "Aquarium Controller", PW_PHASE_DISCUSSION);
        seed_conversation (t, id);
        pw_application_session_changed (t->app, id);
        chat = show_session (t, id, PW_TYPE_CHAT_VIEW, &shot);
        start_streaming (t, chat);
      }
      break;
    case STATE_CONTEXT:
      id = show_context (t, c, &shot);
      break;
    case STATE_NOTE:
      id = show_context (t, c, &shot);
      popover = open_note_popover (shot);
      break;
    case STATE_BLOCKER:
      {
        g_autoptr(GError) error = NULL;

        id = pw_test_app_add_session (t, "Aquarium Controller", PW_PHASE_DISCUSSION);
        seed_conversation (t, id);
        g_assert_cmpint (pw_store_add_blocker (pw_test_app_get_store (t), id, "reviewer",
                                               "Which microcontroller does the tank use?", &error), >, 0);
        g_assert_cmpint (pw_store_add_blocker (pw_test_app_get_store (t), id, "reviewer",
                                               "May the pump run for a minute without water?", &error), >, 0);
        g_assert_no_error (error);
        pw_application_session_changed (t->app, id);
        show_session (t, id, PW_TYPE_BLOCKER_PANEL, &shot);
      }
      break;
    case STATE_PREFERENCES:
      shot = open_preferences (t);
      if (shot == NULL)
        {
          pw_test_app_free (t);
          g_test_skip ("the preferences action is not built yet");
          return;
        }
      gtk_window_set_default_size (shot, c->size->width, c->size->height);
      pw_test_spin (200);
      break;
    case STATE_NEW_SESSION:
      g_assert_true (pw_test_activate_action (GTK_WIDGET (t->window), "win.new-session", NULL));
      PW_TEST_WAIT_UNTIL ((shot = pw_test_find_other_toplevel (GTK_WINDOW (t->window))) != NULL
                          && gtk_widget_get_mapped (GTK_WIDGET (shot)), 5000);
      pw_test_spin (200);
      break;
    case STATE_WELCOME:
      {
        /* The first run: a window opened with no key for the planner */
        g_autofree char *key = g_strdup (g_getenv ("ANTHROPIC_API_KEY"));
        AdwLeaflet *leaflet;
        graphene_rect_t demo;

        g_unsetenv ("ANTHROPIC_API_KEY");
        shot = GTK_WINDOW (pw_window_new (t->app));
        gtk_window_set_default_size (shot, gtk_widget_get_width (GTK_WIDGET (t->window)),
                                     gtk_widget_get_height (GTK_WIDGET (t->window)));
        gtk_window_present (shot);
        leaflet = ADW_LEAFLET (pw_test_find_by_type (GTK_WIDGET (shot), ADW_TYPE_LEAFLET));
        PW_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (shot))
                            && adw_leaflet_get_folded (leaflet) == (c->size->width < 600), 5000);
        /* Narrow too: the sidebar must not hide what a newcomer needs first */
        PW_TEST_WAIT_UNTIL (gtk_widget_get_mapped (pw_test_find_widget (GTK_WIDGET (shot), "welcome_page"))
                            && (!adw_leaflet_get_folded (leaflet)
                                || g_strcmp0 (adw_leaflet_get_visible_child_name (leaflet), "content") == 0)
                            && !leaflets_moving (GTK_WIDGET (shot)), 5000);
        /* Both ways on, on a phone's screen too, without scrolling (once
         * the compact style has been laid out) */
        pw_test_spin (300);
        g_assert_true (gtk_widget_compute_bounds (pw_test_find_widget (GTK_WIDGET (shot), "demo_button"),
                                                  GTK_WIDGET (shot), &demo));
        g_assert_cmpfloat (demo.origin.y + demo.size.height, <=, gtk_widget_get_height (GTK_WIDGET (shot)));
        if (key != NULL)
          g_setenv ("ANTHROPIC_API_KEY", key, TRUE);
      }
      break;
    default:
      g_assert_not_reached ();
    }

  for (guint i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%s-%s", state_names[c->state], c->size->name, scheme_names[i]);
      g_autofree char *path = NULL;

      adw_style_manager_set_color_scheme (style, schemes[i]);
      g_assert_cmpint (adw_style_manager_get_dark (style), ==, i == 1);
      path = popover ? save_with_popover (shot, popover, name) : pw_test_save_screenshot (shot, name);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  pw_test_app_free (t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint s = 0; s < G_N_ELEMENTS (state_names); s++)
    for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
      {
        Case *c = g_new0 (Case, 1);
        g_autofree char *path = g_strdup_printf ("/app/screenshots/%s/%s", state_names[s], sizes[z].name);

        c->state = s;
        c->size = &sizes[z];
        g_test_add_data_func_full (path, c, test_screenshot, g_free);
      }

  return g_test_run ();
}
