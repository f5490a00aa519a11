/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The longest main-loop stall of the window while a reply streams at 1 000 deltas/s into a 500-message conversation. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "pw-chat-view.h"
#include "pw-test-app.h"

#define N_MESSAGES 500
#define N_DELTAS   5000   /* one a millisecond: 5 s of streaming */
#define TARGET_MS  16.0

/* ---- the fake server, on a thread of its own like a real peer -------- */

typedef struct {
  GMutex        lock;
  GCond         ready;
  char         *url;
  PwFakeServer *server;
  GMainContext *context;
  GMainLoop    *loop;
} ServerThread;

static gpointer
server_thread (gpointer data)
{
  ServerThread *st = data;
  g_autoptr(GError) error = NULL;

  st->context = g_main_context_new ();
  g_main_context_push_thread_default (st->context);
  st->loop = g_main_loop_new (st->context, FALSE);
  st->server = pw_fake_server_new (&error);
  g_assert_no_error (error);

  g_mutex_lock (&st->lock);
  st->url = g_strdup (pw_fake_server_get_url (st->server));
  g_cond_signal (&st->ready);
  g_mutex_unlock (&st->lock);

  g_main_loop_run (st->loop);
  g_clear_object (&st->server);
  g_main_context_pop_thread_default (st->context);
  return NULL;
}

static gboolean
enqueue_in_thread (gpointer data)
{
  ServerThread *st = data;
  g_autoptr(GString) text = g_string_new (NULL);
  PwFakeReply *reply;

  for (guint i = 0; i < N_DELTAS; i++)
    g_string_append_printf (text, "%s%s", i % 97 == 96 ? "\n\n" : " ", i % 13 ? "token" : "**word**");
  reply = pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, text->str, NULL, N_DELTAS);
  pw_fake_reply_set_chunking (reply, 0, 0, 1);
  pw_fake_server_enqueue (st->server, NULL, reply);
  return G_SOURCE_REMOVE;
}

/* ---- stall and frame sampling on the main thread ---------------------- */

typedef struct {
  gint64 last;
  gint64 max_gap;
  gint64 max_at;     /* when the longest gap ended */
  guint  samples;
  guint  over;       /* gaps longer than the target */
  GtkWidget *chat;   /* loop probe: when the reply ended (stop disabled) */
  gint64 done_at;
  gint64 max_before_done;  /* the longest gap that ended before it */
} Gaps;

static gboolean
loop_probe (gpointer data)
{
  Gaps *g = data;
  gint64 now = g_get_monotonic_time ();

  if (g->last != 0)
    {
      if (now - g->last > g->max_gap)
        {
          g->max_gap = now - g->last;
          g->max_at = now;
        }
      if (now - g->last > 1000 + TARGET_MS * 1000)
        g->over++;
    }
  if (g->chat != NULL && g->done_at == 0)
    {
      gboolean busy = TRUE;

      if (g->last != 0)
        g->max_before_done = MAX (g->max_before_done, now - g->last);
      /* Looked up every 8th sample: the lookup is not free */
      if (g->samples % 8 == 0)
        pw_test_action_lookup (g->chat, "session.stop", &busy);
      if (!busy && g->max_gap > 0)
        g->done_at = now;
    }
  g->last = now;
  g->samples++;
  return G_SOURCE_CONTINUE;
}

static gboolean
frame_probe (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  Gaps *g = data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (g->last != 0)
    g->max_gap = MAX (g->max_gap, now - g->last);
  g->last = now;
  g->samples++;
  return G_SOURCE_CONTINUE;
}

/* Where a frame's time goes. GTK's own handlers of each frame-clock
 * signal run before ours (connected at realize), except the widgets'
 * tick callbacks, whose "update" handler is connected when the first is
 * added (once streaming starts). So "before-paint" → "layout" is the
 * tick callbacks (the reply's new text parsed and set) and measuring and
 * allocating; "layout" → "paint" is snapshot and render. */
typedef struct {
  gint64 start_at, layout_at;
  gint64 max_layout, max_paint;
} Phases;

static void
on_before_paint (GdkFrameClock *clock,
                 Phases        *p)
{
  p->start_at = g_get_monotonic_time ();
  p->layout_at = 0;
}

static void
on_layout (GdkFrameClock *clock,
           Phases        *p)
{
  p->layout_at = g_get_monotonic_time ();
  if (p->start_at != 0)
    p->max_layout = MAX (p->max_layout, p->layout_at - p->start_at);
}

static void
on_paint (GdkFrameClock *clock,
          Phases        *p)
{
  if (p->layout_at != 0)
    p->max_paint = MAX (p->max_paint, g_get_monotonic_time () - p->layout_at);
  p->start_at = p->layout_at = 0;
}

/* The longest gap between 1 ms high-priority timeouts over @ms */
static double
idle_stall (guint ms)
{
  Gaps g = { 0 };
  guint id = g_timeout_add_full (G_PRIORITY_HIGH, 1, loop_probe, &g, NULL);

  pw_test_spin (ms);
  g_source_remove (id);
  return (g.max_gap - 1000) / 1000.0;
}

static void
seed (const char *db,
      char      **out_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwStore) store = pw_store_open (db, &error);

  g_assert_no_error (error);
  g_assert_true (pw_store_create_session (store, "Stream bench", NULL,
                                          "{\"project\":\"Stream bench\",\"model_default\":\"claude-sonnet-5-5\"}",
                                          out_id, &error));
  g_assert_true (pw_store_set_phase (store, *out_id, PW_PHASE_DISCUSSION, PW_STATUS_ACTIVE, &error));
  g_assert_true (pw_store_begin (store, &error));
  for (guint i = 0; i < N_MESSAGES; i++)
    {
      g_autofree char *content = g_strdup_printf (
        "Message %u: the **scheduler** retries the `job` after a backoff; see the list:\n\n"
        "- first, the lease is renewed\n- then the checkpoint is written\n\n"
        "```c\nretry (job, %u);\n```\n", i, i);

      g_assert_cmpint (pw_store_add_message (store, *out_id, i % 2 ? "assistant" : "user", content,
                                             i % 2 ? "claude-sonnet-5-5" : NULL, &error), >, 0);
    }
  g_assert_true (pw_store_commit (store, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  ServerThread st = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pw-bench-stream-XXXXXX", &error);
  g_autofree char *db = NULL;
  g_autofree char *id = NULL;
  g_autofree char *app_id = g_strdup_printf ("io.github.planwright.BenchStream.P%d", (int) getpid ());
  PwTestApp t = { 0 };
  GtkWidget *chat, *composer;
  Gaps loop = { 0 }, frames = { 0 };
  Phases phases = { 0 };
  guint loop_id, tick_id;
  double idle_ms, stream_ms, frame_ms;
  gint64 start, end;
  gboolean busy = TRUE;
  double bottom_px = -1;

  g_assert_no_error (error);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  if (g_file_test (PW_TEST_BUILD_ROOT "/data/gschemas.compiled", G_FILE_TEST_EXISTS))
    g_setenv ("GSETTINGS_SCHEMA_DIR", PW_TEST_BUILD_ROOT "/data", TRUE);

  g_mutex_init (&st.lock);
  g_cond_init (&st.ready);
  thread = g_thread_new ("fake-llm", server_thread, &st);
  g_mutex_lock (&st.lock);
  while (st.url == NULL)
    g_cond_wait (&st.ready, &st.lock);
  g_mutex_unlock (&st.lock);
  g_setenv ("ANTHROPIC_BASE_URL", st.url, TRUE);
  g_setenv ("OPENAI_BASE_URL", st.url, TRUE);
  g_setenv ("ANTHROPIC_API_KEY", "sk-ant-bench", TRUE);
  g_setenv ("OPENAI_API_KEY", "sk-bench", TRUE);

  db = g_build_filename (dir, "bench.db", NULL);
  seed (db, &id);
  g_setenv ("PLANWRIGHT_DB", db, TRUE);

  t.dir = dir;
  t.app = pw_application_new ();
  g_application_set_application_id (G_APPLICATION (t.app), app_id);
  g_application_set_flags (G_APPLICATION (t.app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (t.app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (t.app));
  t.window = PW_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (t.app)));
  g_assert_nonnull (t.window);
  gtk_window_set_default_size (GTK_WINDOW (t.window), 1280, 800);
  PW_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (t.window)), 10000);

  if (!pw_test_app_select_session (&t, id))
    g_error ("the window has no session list: nothing to measure");
  chat = pw_test_find_by_type (GTK_WIDGET (t.window), PW_TYPE_CHAT_VIEW);
  g_assert_nonnull (chat);
  PW_TEST_WAIT_UNTIL (g_strcmp0 (pw_chat_view_get_session (PW_CHAT_VIEW (chat)), id) == 0, 5000);
  pw_test_spin (1000);

  /* Baseline: the same window, conversation shown, nothing streaming */
  idle_ms = idle_stall (2000);

  composer = pw_test_find_widget (chat, "composer");
  if (composer == NULL || !GTK_IS_TEXT_VIEW (composer))
    {
      g_autoptr(GPtrArray) views = pw_test_find_all_by_type (chat, GTK_TYPE_TEXT_VIEW);

      composer = NULL;
      for (guint i = 0; i < views->len && composer == NULL; i++)
        if (gtk_text_view_get_editable (g_ptr_array_index (views, i)))
          composer = g_ptr_array_index (views, i);
    }
  g_assert_true (GTK_IS_TEXT_VIEW (composer));
  g_main_context_invoke (st.context, enqueue_in_thread, &st);
  pw_test_spin (50);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (composer)), "Stream a long answer", -1);
  pw_test_spin (20);

  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (t.window));

    g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &phases);
    g_signal_connect (clock, "layout", G_CALLBACK (on_layout), &phases);
    g_signal_connect (clock, "paint", G_CALLBACK (on_paint), &phases);
  }
  loop.chat = chat;
  loop_id = g_timeout_add_full (G_PRIORITY_HIGH, 1, loop_probe, &loop, NULL);
  tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (t.window), frame_probe, &frames, NULL);
  start = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (chat, "session.send", NULL));
  PW_TEST_WAIT_UNTIL ((pw_test_action_lookup (chat, "session.stop", &busy), busy), 5000);
  while (busy && g_get_monotonic_time () - start < 60 * G_USEC_PER_SEC)
    {
      pw_test_spin (100);
      pw_test_action_lookup (chat, "session.stop", &busy);
    }
  end = g_get_monotonic_time ();
  /* For a profile of the streaming only: perf record -k CLOCK_MONOTONIC,
   * then perf report --time START,END */
  if (g_getenv ("BENCH_PRINT_TIMES") != NULL)
    g_print ("streaming from %.6f to %.6f (CLOCK_MONOTONIC, s)\n", start / 1e6, end / 1e6);
  g_source_remove (loop_id);
  gtk_widget_remove_tick_callback (GTK_WIDGET (t.window), tick_id);
  g_signal_handlers_disconnect_by_data (gtk_widget_get_frame_clock (GTK_WIDGET (t.window)), &phases);
  g_assert_false (busy);

  /* The long reply is the last row: the view must have followed its end */
  pw_test_spin (500);
  {
    GtkWidget *list = pw_test_find_by_type (chat, GTK_TYPE_LIST_VIEW);
    GtkWidget *scroller = list ? gtk_widget_get_ancestor (list, GTK_TYPE_SCROLLED_WINDOW) : NULL;

    if (scroller != NULL)
      {
        GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

        bottom_px = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj)
                    - gtk_adjustment_get_value (adj);
      }
  }

  stream_ms = (loop.max_gap - 1000) / 1000.0;
  frame_ms = frames.max_gap / 1000.0;
  g_print ("conversation: %d messages; reply: %d deltas at 1 ms (%.1f s to complete)\n",
           N_MESSAGES, N_DELTAS, (end - start) / 1e6);
  g_print ("longest main-loop stall while streaming: %.1f ms (target < %.0f ms), %.2f s after send; "
           "%u stalls over the target\n", stream_ms, TARGET_MS, (loop.max_at - start) / 1e6, loop.over);
  if (loop.done_at != 0)
    g_print ("the reply ended %.2f s after send; the longest stall until then: %.1f ms\n",
             (loop.done_at - start) / 1e6, (loop.max_before_done - 1000) / 1000.0);
  else
    g_print ("the reply's end was not caught by the probe\n");
  g_print ("longest main-loop stall idle, same window: %.1f ms\n", idle_ms);
  g_print ("longest gap between frames while streaming: %.1f ms over %u frames\n", frame_ms, frames.samples);
  g_print ("longest frame phases while streaming: tick callbacks and layout %.1f ms, "
           "snapshot and render %.1f ms\n",
           phases.max_layout / 1000.0, phases.max_paint / 1000.0);
  g_print ("after the reply the conversation is scrolled %.0f px above its end (%s)\n",
           bottom_px, bottom_px <= 48 ? "it followed the reply" : "it did not follow the reply");
  g_print ("ratio streaming / target = %.2f; streaming / idle = %.2f\n",
           stream_ms / TARGET_MS, idle_ms > 0 ? stream_ms / idle_ms : 0.0);

  gtk_window_destroy (GTK_WINDOW (t.window));
  pw_test_spin (50);
  g_main_loop_quit (st.loop);
  g_thread_join (g_steal_pointer (&thread));
  g_main_loop_unref (st.loop);
  g_main_context_unref (st.context);
  g_free (st.url);
  {
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
    g_unlink (db);
    g_rmdir (dir);
  }
  return stream_ms < TARGET_MS ? 0 : 1;
}
