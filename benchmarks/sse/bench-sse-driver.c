/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Times PwSseParser over a file fed in 16 KiB chunks; one JSON line per run. */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>

#include "pw-sse-parser.h"

#define CHUNK_BYTES 16384

typedef struct {
  guint64 events;
  guint64 data_bytes;
} Counts;

static gboolean
count_event (const PwSseEvent *event,
             gpointer          user_data)
{
  Counts *counts = user_data;

  counts->events++;
  counts->data_bytes += event->data_len;
  return TRUE;
}

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  int runs;

  if (argc != 3)
    {
      fprintf (stderr, "usage: %s STREAM-FILE RUNS\n", argv[0]);
      return 2;
    }
  runs = atoi (argv[2]);
  if (!g_file_get_contents (argv[1], &contents, &len, &error))
    {
      fprintf (stderr, "bench-sse-driver: %s\n", error->message);
      return 1;
    }

  /* Run 0 warms caches and the allocator and is not reported. */
  for (int run = 0; run <= runs; run++)
    {
      g_autoptr(PwSseParser) parser = NULL;
      Counts counts = { 0, 0 };
      const guint8 *bytes = (const guint8 *) contents;
      double start;
      double seconds;

      start = now_seconds ();
      parser = pw_sse_parser_new (0, count_event, &counts);
      for (gsize at = 0; at < len; at += CHUNK_BYTES)
        {
          if (!pw_sse_parser_feed (parser, bytes + at, MIN (CHUNK_BYTES, len - at), &error))
            {
              fprintf (stderr, "bench-sse-driver: %s\n", error->message);
              return 1;
            }
        }
      pw_sse_parser_finish (parser);
      g_clear_pointer (&parser, pw_sse_parser_free);
      seconds = now_seconds () - start;

      if (run > 0)
        printf ("{\"impl\": \"planwright\", \"run\": %d, \"bytes\": %" G_GSIZE_FORMAT
                ", \"events\": %" G_GUINT64_FORMAT ", \"data_bytes\": %" G_GUINT64_FORMAT
                ", \"seconds\": %.6f}\n",
                run, len, counts.events, counts.data_bytes, seconds);
    }

  return 0;
}
