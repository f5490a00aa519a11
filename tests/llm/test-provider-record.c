/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A call's usage row in the store, and a provider made from the settings and the key store. */

#include <sqlite3.h>

#include "pw-test-provider.h"

#define MODEL "claude-sonnet-5-5"

static sqlite3 *
open_raw (PwStore *store)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (pw_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  return db;
}

static void
test_record_usage (void)
{
  ProviderFixture fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "record.db", NULL);
  g_autoptr(PwStore) store = NULL;
  g_autofree char *session_id = NULL;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  gint64 ok_id;
  gint64 failed_id;
  CallRun run;

  store = pw_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (pw_store_create_session (store, "demo", NULL, NULL, &session_id, &error));
  g_assert_no_error (error);

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("anthropic/messages-stream-text.sse", FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_no_error (run.error);
  ok_id = pw_llm_completion_record (run.completion, store, session_id, "discussion", fixture.provider, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ok_id, >, 0);
  call_run_clear (&run);

  for (guint i = 0; i < 3; i++)
    pw_fake_server_enqueue (fixture.server, NULL, error_reply (500, "api_error"));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_nonnull (run.error);
  failed_id = pw_provider_record_failure (fixture.provider, run.result, run.error, store, session_id, "review", &error);
  g_assert_no_error (error);
  g_assert_cmpint (failed_id, >, ok_id);
  call_run_clear (&run);

  db = open_raw (store);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT provider, model, input_tokens, output_tokens, cached_tokens,"
                                           " cost_usd, request_id, attempts, error, purpose, latency_ms"
                                           " FROM usage WHERE id = ?1", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, ok_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "anthropic");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "claude-sonnet-4-6");
  g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, 25);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 3), ==, 19);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 4), ==, 1800);
  g_assert_cmpint (sqlite3_column_type (stmt, 5), ==, SQLITE_FLOAT);
  g_assert_cmpfloat (sqlite3_column_double (stmt, 5), >, 0);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 6), ==, "req_011CWireFixtureStreamText01");
  g_assert_cmpint (sqlite3_column_int (stmt, 7), ==, 1);
  g_assert_cmpint (sqlite3_column_type (stmt, 8), ==, SQLITE_NULL);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 9), ==, "discussion");

  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 1, failed_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, MODEL);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, 0);
  g_assert_cmpint (sqlite3_column_type (stmt, 5), ==, SQLITE_NULL);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 6), ==, "req_test_transport");
  g_assert_cmpint (sqlite3_column_int (stmt, 7), ==, 3);
  g_assert_nonnull (strstr ((const char *) sqlite3_column_text (stmt, 8), "HTTP 500"));
  g_assert_null (strstr ((const char *) sqlite3_column_text (stmt, 8), TEST_KEY));
  g_assert_cmpint (sqlite3_column_int64 (stmt, 10), >=, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  fixture_tear_down (&fixture);
}

static void
test_from_settings_env_key (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "none", "settings.ini", NULL);
  g_autoptr(PwSettings) settings = NULL;
  g_autoptr(PwProvider) provider = NULL;
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, NULL);
  g_setenv ("ANTHROPIC_API_KEY", TEST_KEY, TRUE);
  settings = pw_settings_load (path, &error);
  g_assert_no_error (error);
  pw_settings_set_provider (settings, PW_ROLE_PLANNER, PW_PROVIDER_ANTHROPIC);
  pw_settings_set_base_url (settings, PW_ROLE_PLANNER, pw_fake_server_get_url (fixture.server));
  provider = pw_provider_new_from_settings (settings, PW_ROLE_PLANNER, fixture.models, &error);
  g_unsetenv ("ANTHROPIC_API_KEY");
  g_assert_no_error (error);
  g_assert_cmpint (pw_provider_get_kind (provider), ==, PW_PROVIDER_ANTHROPIC);

  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  call_run (&run, provider, MODEL);
  g_assert_no_error (run.error);
  call_run_clear (&run);
  assert_no_key_leak (fixture.server, TRUE);
  g_clear_object (&provider);
  fixture_tear_down (&fixture);
}

static void
test_from_settings_no_key (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_build_filename (g_get_user_config_dir (), "none", "settings.ini", NULL);
      g_autoptr(PwSettings) settings = NULL;
      g_autoptr(PwModels) models = pw_models_load (NULL, &error);
      g_autoptr(PwProvider) provider = NULL;
      g_autoptr(PwProvider) chat = NULL;

      /* no variable, and a keyring that cannot be reached */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/planwright-test-bus", TRUE);
      settings = pw_settings_load (path, &error);
      g_assert_no_error (error);
      pw_settings_set_provider (settings, PW_ROLE_REVIEWER, PW_PROVIDER_ANTHROPIC);
      provider = pw_provider_new_from_settings (settings, PW_ROLE_REVIEWER, models, &error);
      g_assert_null (provider);
      g_assert_error (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_AUTH);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "ANTHROPIC_API_KEY"));
      g_assert_nonnull (strstr (error->message, "Preferences"));
      g_clear_error (&error);

      /* a local chat server may need no key */
      pw_settings_set_provider (settings, PW_ROLE_REVIEWER, PW_PROVIDER_OPENAI_CHAT);
      pw_settings_set_base_url (settings, PW_ROLE_REVIEWER, "http://127.0.0.1:11434");
      chat = pw_provider_new_from_settings (settings, PW_ROLE_REVIEWER, models, &error);
      g_assert_no_error (error);
      g_assert_nonnull (chat);
      g_assert_cmpstr (pw_provider_get_base_url (chat), ==, "http://127.0.0.1:11434");
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_unsetenv ("ANTHROPIC_API_KEY");
  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("ANTHROPIC_BASE_URL");
  g_unsetenv ("OPENAI_BASE_URL");

  g_test_add_func ("/provider/record/usage", test_record_usage);
  g_test_add_func ("/provider/record/settings/env-key", test_from_settings_env_key);
  g_test_add_func ("/provider/record/settings/no-key", test_from_settings_no_key);

  return g_test_run ();
}
