/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Engine tests' shared set-up: a fake LLM server, a temporary store, an engine with fast retries. */

#include <glib/gstdio.h>

#include "pw-test-engine.h"

void
pw_test_engine_set_up (PwFakeServer **out_server,
                       PwStore      **out_store,
                       PwEngine     **out_engine,
                       char         **out_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;
  g_autoptr(PwModels) models = NULL;
  g_autofree char *db = NULL;
  g_autofree char *config_dir = g_build_filename (g_get_user_config_dir (), "planwright", NULL);
  g_autofree char *ini = g_build_filename (config_dir, "settings.ini", NULL);

  *out_server = pw_fake_server_new (&error);
  g_assert_no_error (error);
  g_setenv ("ANTHROPIC_BASE_URL", pw_fake_server_get_url (*out_server), TRUE);
  g_setenv ("OPENAI_BASE_URL", pw_fake_server_get_url (*out_server), TRUE);
  g_setenv ("ANTHROPIC_API_KEY", "sk-ant-fake-test-key", TRUE);
  g_setenv ("OPENAI_API_KEY", "sk-fake-test-key", TRUE);

  /* Fast retries and short stalls, so failure tests take milliseconds. */
  g_assert_cmpint (g_mkdir_with_parents (config_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (ini,
                                      "[network]\nmax-retries=1\nretry-base-delay-ms=10\nretry-max-delay-ms=20\n"
                                      "idle-timeout-ms=400\nfirst-byte-timeout-ms=2000\n", -1, NULL));

  *out_dir = g_dir_make_tmp ("pw-engine-test-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (*out_dir, "planwright.db", NULL);
  *out_store = pw_store_open (db, &error);
  g_assert_no_error (error);
  settings = pw_settings_load (NULL, &error);
  g_assert_no_error (error);
  models = pw_models_load (NULL, &error);
  g_assert_no_error (error);
  *out_engine = pw_engine_new (*out_store, settings, models);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

void
pw_test_engine_tear_down (PwFakeServer **server,
                          PwStore      **store,
                          PwEngine     **engine,
                          char         **dir)
{
  g_clear_object (engine);
  g_clear_object (store);
  g_clear_object (server);
  if (*dir)
    remove_tree (*dir);
  g_clear_pointer (dir, g_free);
}

typedef struct {
  GMainLoop *loop;
  GError    *error;
  gboolean   ok;
} Wait;

static void
run_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Wait *w = user_data;

  w->ok = pw_operation_run_finish (PW_OPERATION (source), result, &w->error);
  g_main_loop_quit (w->loop);
}

gboolean
pw_test_run_operation (PwOperation  *op,
                       GError      **error)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait w = { loop, NULL, FALSE };

  pw_operation_run_async (op, NULL, run_cb, &w);
  g_main_loop_run (loop);
  if (w.error)
    g_propagate_error (error, w.error);
  return w.ok;
}

char *
pw_test_request_body (PwFakeServer *server,
                      guint         index)
{
  GPtrArray *requests = pw_fake_server_get_requests (server);
  PwFakeRequest *r;

  g_assert_cmpuint (requests->len, >, index);
  r = g_ptr_array_index (requests, index);
  return g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body));
}

const char pw_test_valid_plan[] =
  "# Registration — implementation plan\n\nAdd sign-up.\n\n"
  "## Milestone 1: Schema\n\n### Tasks\n- [ ] Add users table\n- [ ] Test migration\n\n### Deliverables\n- [ ] migration passes\n\n"
  "## Milestone 2: API\n\n### Tasks\n- [ ] POST /register\n- [ ] Test it\n\n### Deliverables\n- [ ] endpoint works\n\n"
  "## Milestone 3: Email\n\n### Tasks\n- [ ] Send the mail\n- [ ] Test it\n\n### Deliverables\n- [ ] mail sent\n";

char *
pw_test_engine_add_session (PwStore    *store,
                            const char *dir,
                            PwPhase     phase)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (dir, "main.c", NULL);
  char *id = NULL;

  g_assert_true (pw_store_create_session (store, "demo", NULL,
                                          "{\"project\":\"demo\",\"model_default\":\"claude-sonnet-5-5\"}",
                                          &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pw_store_add_context (store, id, "file", file, PW_TEST_FILE_TEXT, file, "00", &error), >, 0);
  g_assert_cmpint (pw_store_add_context (store, id, "note", "note-1", PW_TEST_NOTE_TEXT, NULL, NULL, &error), >, 0);
  g_assert_true (pw_store_set_phase (store, id, phase, PW_STATUS_ACTIVE, &error));
  g_assert_no_error (error);
  return id;
}
