/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Engine overhead per review round: a run of N rounds over a 30 KB plan
 * against the in-process fake server, then the same requests replayed by a
 * bare HTTP client against the same server with the same replies. The
 * difference per round is the time the engine spends not waiting on the
 * server (prompt building, parsing, validation, the store's commits). */

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>

#include "pw-engine.h"
#include "pw-fake-server.h"
#include "pw-review-run.h"

#define PLAN_BYTES (30 * 1024)
#define TARGET_MS 50.0

static char *
make_plan (guint revision)
{
  GString *plan = g_string_new (NULL);

  g_string_append_printf (plan, "# Benchmark plan (revision %u)\n\nA plan of about 30 KB.\n\n", revision);
  /* Five milestones (the format's most) of about 6 KB each */
  for (guint m = 1; m <= 5; m++)
    {
      g_string_append_printf (plan, "## Milestone %u: Part %u\n\nWhat this milestone builds, in a few words.\n\n### Tasks\n", m, m);
      for (guint t = 0; plan->len < PLAN_BYTES * m / 5 - 80; t++)
        g_string_append_printf (plan, "- [ ] Task %u.%u: implement the next piece and test it in tests/test-%u-%u.c\n", m, t, m, t);
      g_string_append (plan, "\n### Deliverables\n- [ ] The milestone's tests pass\n\n");
    }
  return g_string_free (plan, FALSE);
}

static const char *no_go =
  "{\"verdict\":\"NO_GO\",\"summary\":\"Close.\",\"issues\":["
  "{\"severity\":\"major\",\"description\":\"Milestone 2 has no rollback.\",\"rationale\":\"r\","
  "\"resolution_guidance\":\"Add one.\",\"target_section\":\"Milestone 2\"},"
  "{\"severity\":\"minor\",\"description\":\"Typo.\",\"rationale\":\"r\",\"resolution_guidance\":\"\","
  "\"target_section\":\"Milestone 1\"}],\"keep\":[\"Small milestones\"],\"trim\":[]}";
static const char *go = "{\"verdict\":\"GO\",\"summary\":\"Ready.\",\"issues\":[],\"keep\":[],\"trim\":[]}";
static const char *accept = "[{\"index\":0,\"disposition\":\"ACCEPT\",\"rationale\":\"yes\"}]";

/* The replies of one run, in order; enqueued once for the run and once
 * for the replay */
static GPtrArray *
script (guint rounds)
{
  GPtrArray *s = g_ptr_array_new_with_free_func (g_free);

  for (guint r = 1; r < rounds; r++)
    {
      g_ptr_array_add (s, g_strdup_printf ("R%s", no_go));
      g_ptr_array_add (s, g_strdup_printf ("A%s", accept));
      g_ptr_array_add (s, g_strdup_printf ("A%s", make_plan (r)));
    }
  g_ptr_array_add (s, g_strdup_printf ("R%s", go));
  return s;
}

static void
enqueue (PwFakeServer *server,
         GPtrArray    *s)
{
  for (guint i = 0; i < s->len; i++)
    {
      const char *e = s->pdata[i];
      PwProviderKind kind = e[0] == 'R' ? PW_PROVIDER_OPENAI_RESPONSES : PW_PROVIDER_ANTHROPIC;

      pw_fake_server_enqueue (server, NULL, pw_fake_reply_new_text (kind, e + 1, NULL, 200));
    }
}

typedef struct {
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
} Wait;

static void
run_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      data)
{
  Wait *w = data;

  w->ok = pw_operation_run_finish (PW_OPERATION (source), result, &w->error);
  g_main_loop_quit (w->loop);
}

static void
replay_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Wait *w = data;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &w->error);

  w->ok = body != NULL;
  g_main_loop_quit (w->loop);
}

static gint
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* One session in PLANNING with the 30 KB plan as draft 1 */
static char *
make_session (PwStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plan = make_plan (0);
  char *id = NULL;

  if (!pw_store_create_session (store, "bench", NULL, "{\"project\":\"bench\"}", &id, &error)
      || !pw_store_add_context (store, id, "note", "note-1", "A note.", NULL, NULL, &error)
      || !pw_store_set_phase (store, id, PW_PHASE_PLANNING, PW_STATUS_ACTIVE, &error)
      || !pw_store_add_draft (store, id, plan, "planner", -1, "claude-sonnet-5-5", 0, NULL, NULL, &error))
    g_error ("set-up: %s", error->message);
  return id;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwFakeServer) server = NULL;
  g_autoptr(PwStore) store = NULL;
  g_autoptr(PwSettings) settings = NULL;
  g_autoptr(PwModels) models = NULL;
  g_autoptr(PwEngine) engine = NULL;
  g_autoptr(GPtrArray) s = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *dir = g_dir_make_tmp ("pw-bench-round-XXXXXX", NULL);
  g_autofree char *db = g_build_filename (dir, "planwright.db", NULL);
  guint rounds = argc > 1 ? (guint) atoi (argv[1]) : 8;
  guint repeats = argc > 2 ? (guint) atoi (argv[2]) : 5;
  double best_engine = G_MAXDOUBLE, best_replay = G_MAXDOUBLE;
  GArray *engine_ms = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *replay_ms = g_array_new (FALSE, FALSE, sizeof (double));

  if (rounds < 2 || repeats < 1)
    {
      fprintf (stderr, "usage: bench-round [ROUNDS>=2] [REPEATS>=1]\n");
      return 2;
    }
  g_setenv ("ANTHROPIC_API_KEY", "sk-ant-fake-bench", TRUE);
  g_setenv ("OPENAI_API_KEY", "sk-fake-bench", TRUE);
  g_setenv ("XDG_CONFIG_HOME", dir, TRUE);
  g_setenv ("XDG_DATA_HOME", dir, TRUE);
  if (!(server = pw_fake_server_new (&error)))
    g_error ("fake server: %s", error->message);
  g_setenv ("ANTHROPIC_BASE_URL", pw_fake_server_get_url (server), TRUE);
  g_setenv ("OPENAI_BASE_URL", pw_fake_server_get_url (server), TRUE);
  if (!(store = pw_store_open (db, &error)) || !(settings = pw_settings_load (NULL, &error))
      || !(models = pw_models_load (NULL, &error)))
    g_error ("set-up: %s", error->message);
  engine = pw_engine_new (store, settings, models);
  s = script (rounds);

  for (guint rep = 0; rep < repeats; rep++)
    {
      g_autofree char *id = make_session (store);
      g_autoptr(PwReviewRun) run = NULL;
      PwReviewRequest request = { .max_rounds = (gint) rounds };
      GPtrArray *requests;
      guint first = pw_fake_server_get_requests (server)->len;
      Wait w = { loop, FALSE, NULL };
      gint64 t0, t1;
      double a, b;

      /* A: the engine */
      enqueue (server, s);
      run = pw_review_run_new (engine, id, &request);
      t0 = g_get_monotonic_time ();
      pw_operation_run_async (PW_OPERATION (run), NULL, run_cb, &w);
      g_main_loop_run (loop);
      t1 = g_get_monotonic_time ();
      if (!w.ok || pw_review_run_get_rounds (run)->len != rounds)
        g_error ("the run did not go %u rounds: %s", rounds, w.error ? w.error->message : "outcome");
      a = (t1 - t0) / 1000.0;

      /* B: the same requests and replies, a bare client */
      enqueue (server, s);
      requests = pw_fake_server_get_requests (server);
      {
        guint last = requests->len;

        t0 = g_get_monotonic_time ();
        for (guint i = first; i < last; i++)
          {
            PwFakeRequest *r = requests->pdata[i];
            g_autoptr(GUri) base = g_uri_parse (pw_fake_server_get_url (server), G_URI_FLAGS_NONE, NULL);
            g_autoptr(GUri) target = g_uri_parse_relative (base, r->path, G_URI_FLAGS_NONE, NULL);
            g_autofree char *url = g_uri_to_string (target);
            g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
            Wait rw = { loop, FALSE, NULL };

            soup_message_set_request_body_from_bytes (msg, "application/json", r->body);
            soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, replay_cb, &rw);
            g_main_loop_run (loop);
            if (!rw.ok)
              g_error ("replay: %s", rw.error->message);
          }
        t1 = g_get_monotonic_time ();
      }
      b = (t1 - t0) / 1000.0;
      g_array_append_val (engine_ms, a);
      g_array_append_val (replay_ms, b);
      best_engine = MIN (best_engine, a);
      best_replay = MIN (best_replay, b);
    }

  {
    double med_a, med_b, per_round;

    g_array_sort (engine_ms, compare_doubles);
    g_array_sort (replay_ms, compare_doubles);
    med_a = g_array_index (engine_ms, double, repeats / 2);
    med_b = g_array_index (replay_ms, double, repeats / 2);
    per_round = (med_a - med_b) / rounds;
    printf ("review run, %u rounds, 30 KB plan, %u runs (median):\n", rounds, repeats);
    printf ("  engine run         %8.1f ms\n", med_a);
    printf ("  bare-client replay %8.1f ms (same requests, same replies)\n", med_b);
    printf ("  ratio engine/replay %7.2f\n", med_a / med_b);
    printf ("  engine overhead    %8.1f ms per round (target < %.0f ms): %s\n", per_round, TARGET_MS,
            per_round < TARGET_MS ? "met" : "MISSED");
    g_array_unref (engine_ms);
    g_array_unref (replay_ms);
    g_clear_object (&engine);
    g_clear_object (&store);
    for (const char *const *suffix = (const char *const[]) { "", "-wal", "-shm", NULL }; *suffix; suffix++)
      {
        g_autofree char *file = g_strconcat (db, *suffix, NULL);
        g_unlink (file);
      }
    g_rmdir (dir);
    return per_round < TARGET_MS ? 0 : 1;
  }
}
