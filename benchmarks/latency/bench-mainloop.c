/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Main-loop latency while a provider streams: the longest gap between 1 ms ticks, idle and streaming. */

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "pw-llm.h"

typedef struct {
  gint64     last;
  gint64     worst;
  GArray    *gaps;      /* gint64 µs, one per tick */
  guint64    deltas;
  gboolean   done;
  GError    *error;
  GMainLoop *loop;
} Bench;

static gboolean
tick (gpointer user_data)
{
  Bench *b = user_data;
  gint64 now = g_get_monotonic_time ();

  if (b->last)
    {
      gint64 gap = now - b->last;
      g_array_append_val (b->gaps, gap);
      b->worst = MAX (b->worst, gap);
    }
  b->last = now;
  return G_SOURCE_CONTINUE;
}

static void
on_delta (PwDeltaKind kind, const char *text, gsize len, gpointer user_data)
{
  ((Bench *) user_data)->deltas++;
}

static void
stream_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Bench *b = user_data;
  g_autoptr(PwLlmCompletion) c = pw_provider_stream_finish (PW_PROVIDER (source), result, &b->error);

  b->done = TRUE;
  g_main_loop_quit (b->loop);
}

static gboolean
quit_later (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static int
cmp_gap (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static void
report (const char *label, Bench *b, double seconds)
{
  gint64 p99 = 0;

  g_array_sort (b->gaps, cmp_gap);
  if (b->gaps->len)
    p99 = g_array_index (b->gaps, gint64, (guint) (b->gaps->len * 0.99));
  printf ("%-10s ticks %6u  longest gap %7.3f ms  p99 %6.3f ms", label, b->gaps->len,
          b->worst / 1000.0, p99 / 1000.0);
  if (b->deltas)
    printf ("  deltas %" G_GUINT64_FORMAT " (%.0f/s)", b->deltas, b->deltas / seconds);
  printf ("\n");
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwModels) models = NULL;
  g_autoptr(PwProvider) provider = NULL;
  g_autoptr(PwLlmRequest) request = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Bench idle = { 0 }, busy = { 0 };
  gint64 start;
  double seconds;
  guint source;

  if (argc != 2)
    {
      fprintf (stderr, "usage: %s BASE_URL (a planwright-fake-llm streaming 1 000 deltas/s)\n", argv[0]);
      return 2;
    }
  if (!(models = pw_models_load (NULL, &error)))
    {
      fprintf (stderr, "bench-mainloop: %s\n", error->message);
      return 1;
    }
  provider = pw_provider_new (PW_PROVIDER_ANTHROPIC, argv[1], "fake-key", models);
  request = pw_llm_request_new ("claude-sonnet-5-5");
  pw_llm_request_add_message (request, "user", "stream please", FALSE);

  /* Baseline: the same 1 ms timer with nothing else to do, for 3 s. */
  idle.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  source = g_timeout_add (1, tick, &idle);
  g_timeout_add (3000, quit_later, loop);
  g_main_loop_run (loop);
  g_source_remove (source);

  busy.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  busy.loop = loop;
  source = g_timeout_add (1, tick, &busy);
  start = g_get_monotonic_time ();
  pw_provider_stream_async (provider, request, on_delta, NULL, &busy, NULL, stream_cb, &busy);
  g_main_loop_run (loop);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_source_remove (source);
  if (busy.error)
    {
      fprintf (stderr, "bench-mainloop: the stream failed: %s\n", busy.error->message);
      return 1;
    }

  report ("idle", &idle, 3.0);
  report ("streaming", &busy, seconds);
  printf ("stall attributable to the transport: %.3f ms (target: under 5 ms)\n",
          MAX (0, busy.worst - idle.worst) / 1000.0);
  g_array_unref (idle.gaps);
  g_array_unref (busy.gaps);
  return busy.worst - idle.worst < 5000 ? 0 : 1;
}
