/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The settings key file: defaults, typed reads, saving, bad values, environment overrides. */

#include <stdarg.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "pw-paths.h"
#include "pw-settings.h"

/* Logs every failure (g_test_fail_printf keeps only the last message)
 * and marks the test failed without stopping it. */
static void G_GNUC_PRINTF (1, 2)
report_failure (const char *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("FAILED: %s", message);
  g_test_fail_printf ("%s", message);
}

static char *
write_settings (const char *contents)
{
  g_autofree char *path = pw_paths_settings_file ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
assert_load_fails (const char *contents)
{
  g_autofree char *path = write_settings (contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;

  g_test_message ("loading:\n%s", contents);
  settings = pw_settings_load (path, &error);
  g_assert_null (settings);
  g_assert_nonnull (error);
  if (strstr (error->message, path) == NULL)
    report_failure ("error \"%s\" does not name %s", error->message, path);
}

static void
test_strings (void)
{
  PwProviderKind kind;

  g_assert_cmpstr (pw_role_to_string (PW_ROLE_PLANNER), ==, "planner");
  g_assert_cmpstr (pw_role_to_string (PW_ROLE_REVIEWER), ==, "reviewer");
  g_assert_cmpstr (pw_role_to_string (PW_ROLE_SYNTHESIS), ==, "synthesis");

  g_assert_cmpstr (pw_provider_kind_to_string (PW_PROVIDER_ANTHROPIC), ==, "anthropic");
  g_assert_cmpstr (pw_provider_kind_to_string (PW_PROVIDER_OPENAI_RESPONSES), ==,
                   "openai-responses");

  for (guint i = 0; i < PW_N_PROVIDERS; i++)
    {
      const char *name = pw_provider_kind_to_string (i);

      g_assert_nonnull (name);
      kind = PW_N_PROVIDERS;
      g_assert_true (pw_provider_kind_from_string (name, &kind));
      g_assert_cmpint (kind, ==, i);
    }

  g_assert_false (pw_provider_kind_from_string ("", &kind));
  g_assert_false (pw_provider_kind_from_string ("bogus", &kind));
  g_assert_false (pw_provider_kind_from_string ("openai", &kind));
}

static void
test_defaults (void)
{
  g_autofree char *expected_path = pw_paths_settings_file ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;

  g_assert_false (g_file_test (expected_path, G_FILE_TEST_EXISTS));

  settings = pw_settings_load (NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (settings);

  g_assert_cmpstr (pw_settings_get_path (settings), ==, expected_path);
  /* Loading is read-only: defaults are not written out. */
  g_assert_false (g_file_test (expected_path, G_FILE_TEST_EXISTS));

  g_assert_cmpint (pw_settings_get_provider (settings, PW_ROLE_PLANNER), ==,
                   PW_PROVIDER_ANTHROPIC);
  g_assert_cmpint (pw_settings_get_provider (settings, PW_ROLE_REVIEWER), ==,
                   PW_PROVIDER_OPENAI_RESPONSES);
  /* Synthesis uses the planner provider's small model. */
  g_assert_cmpint (pw_settings_get_provider (settings, PW_ROLE_SYNTHESIS), ==,
                   PW_PROVIDER_ANTHROPIC);

  for (guint role = 0; role < PW_N_ROLES; role++)
    {
      const char *model = pw_settings_get_model (settings, role);

      g_assert_nonnull (model);
      g_assert_cmpstr (model, !=, "");
    }

  g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_PLANNER), ==,
                   "https://api.anthropic.com");
  g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_SYNTHESIS), ==,
                   "https://api.anthropic.com");
  g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_REVIEWER), ==,
                   "https://api.openai.com");

  g_assert_cmpuint (pw_settings_get_max_context_bytes (settings), ==, 1024 * 1024);
  g_assert_cmpuint (pw_settings_get_round_cap (settings, "standard"), ==, 8);
  g_assert_cmpuint (pw_settings_get_round_cap (settings, "complex"), ==, 12);
  g_assert_cmpuint (pw_settings_get_round_cap (settings, "fast"), ==, 4);
}

static void
test_read_file (void)
{
  g_autofree char *contents = g_strdup_printf (
    "# written by hand\n"
    "[planner]\n"
    "provider=%s\n"
    "model=local-planner-7b\n"
    "base-url=http://127.0.0.1:9/v1\n"
    "reasoning-effort=high\n"
    "\n"
    "[reviewer]\n"
    "provider=anthropic\n"
    "model=claude-reviewer\n"
    "base-url=http://localhost:8080/\n"
    "reasoning-effort=low\n"
    "\n"
    "[synthesis]\n"
    "provider=openai-responses\n"
    "model=small-synth\n"
    "base-url=https://synth.example.com\n"
    "reasoning-effort=minimal\n"
    "\n"
    "[context]\n"
    "max-file-bytes=2048\n"
    "\n"
    "[review]\n"
    "max-rounds-standard=5\n"
    "max-rounds-complex=7\n"
    "max-rounds-fast=2\n",
    pw_provider_kind_to_string (PW_PROVIDER_OPENAI_CHAT));
  g_autofree char *path = write_settings (contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;

  /* NULL means the default file, which is where write_settings put it. */
  settings = pw_settings_load (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw_settings_get_path (settings), ==, path);

  g_assert_cmpint (pw_settings_get_provider (settings, PW_ROLE_PLANNER), ==,
                   PW_PROVIDER_OPENAI_CHAT);
  g_assert_cmpstr (pw_settings_get_model (settings, PW_ROLE_PLANNER), ==, "local-planner-7b");
  g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_PLANNER), ==,
                   "http://127.0.0.1:9");
  g_assert_cmpstr (pw_settings_get_reasoning_effort (settings, PW_ROLE_PLANNER), ==, "high");

  g_assert_cmpint (pw_settings_get_provider (settings, PW_ROLE_REVIEWER), ==,
                   PW_PROVIDER_ANTHROPIC);
  g_assert_cmpstr (pw_settings_get_model (settings, PW_ROLE_REVIEWER), ==, "claude-reviewer");
  g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_REVIEWER), ==,
                   "http://localhost:8080");
  g_assert_cmpstr (pw_settings_get_reasoning_effort (settings, PW_ROLE_REVIEWER), ==, "low");

  g_assert_cmpint (pw_settings_get_provider (settings, PW_ROLE_SYNTHESIS), ==,
                   PW_PROVIDER_OPENAI_RESPONSES);
  g_assert_cmpstr (pw_settings_get_model (settings, PW_ROLE_SYNTHESIS), ==, "small-synth");
  g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_SYNTHESIS), ==,
                   "https://synth.example.com");
  g_assert_cmpstr (pw_settings_get_reasoning_effort (settings, PW_ROLE_SYNTHESIS), ==,
                   "minimal");

  g_assert_cmpuint (pw_settings_get_max_context_bytes (settings), ==, 2048);
  g_assert_cmpuint (pw_settings_get_round_cap (settings, "standard"), ==, 5);
  g_assert_cmpuint (pw_settings_get_round_cap (settings, "complex"), ==, 7);
  g_assert_cmpuint (pw_settings_get_round_cap (settings, "fast"), ==, 2);
}

static void
test_partial_file (void)
{
  /* Keys that are missing keep their defaults. */
  g_autofree char *path = write_settings ("[reviewer]\nmodel=only-this\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;

  settings = pw_settings_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw_settings_get_model (settings, PW_ROLE_REVIEWER), ==, "only-this");
  g_assert_cmpint (pw_settings_get_provider (settings, PW_ROLE_REVIEWER), ==,
                   PW_PROVIDER_OPENAI_RESPONSES);
  g_assert_cmpint (pw_settings_get_provider (settings, PW_ROLE_PLANNER), ==,
                   PW_PROVIDER_ANTHROPIC);
  g_assert_cmpuint (pw_settings_get_max_context_bytes (settings), ==, 1024 * 1024);
  g_assert_cmpuint (pw_settings_get_round_cap (settings, "standard"), ==, 8);
}

static void
test_save_round_trip (void)
{
  /* Not the default file, and its directory does not exist yet. */
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "elsewhere",
                                            "deeper", "settings.ini", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;
  g_autoptr(PwSettings) again = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *value = NULL;

  settings = pw_settings_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw_settings_get_path (settings), ==, path);

  pw_settings_set_provider (settings, PW_ROLE_PLANNER, PW_PROVIDER_OPENAI_CHAT);
  pw_settings_set_model (settings, PW_ROLE_PLANNER, "planner-model");
  pw_settings_set_base_url (settings, PW_ROLE_PLANNER, "http://127.0.0.1:1234");
  pw_settings_set_reasoning_effort (settings, PW_ROLE_PLANNER, "medium");
  pw_settings_set_provider (settings, PW_ROLE_REVIEWER, PW_PROVIDER_ANTHROPIC);
  pw_settings_set_model (settings, PW_ROLE_REVIEWER, "reviewer-model");
  pw_settings_set_reasoning_effort (settings, PW_ROLE_REVIEWER, "xhigh");
  pw_settings_set_model (settings, PW_ROLE_SYNTHESIS, "synthesis-model");
  pw_settings_set_max_context_bytes (settings, 4096);
  pw_settings_set_round_cap (settings, "standard", 9);
  pw_settings_set_round_cap (settings, "complex", 15);
  pw_settings_set_round_cap (settings, "fast", 3);

  /* Setters are visible at once, before saving. */
  g_assert_cmpstr (pw_settings_get_model (settings, PW_ROLE_PLANNER), ==, "planner-model");
  g_assert_cmpuint (pw_settings_get_round_cap (settings, "complex"), ==, 15);

  g_assert_true (pw_settings_save (settings, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  again = pw_settings_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pw_settings_get_provider (again, PW_ROLE_PLANNER), ==, PW_PROVIDER_OPENAI_CHAT);
  g_assert_cmpstr (pw_settings_get_model (again, PW_ROLE_PLANNER), ==, "planner-model");
  g_assert_cmpstr (pw_settings_get_base_url (again, PW_ROLE_PLANNER), ==, "http://127.0.0.1:1234");
  g_assert_cmpstr (pw_settings_get_reasoning_effort (again, PW_ROLE_PLANNER), ==, "medium");
  g_assert_cmpint (pw_settings_get_provider (again, PW_ROLE_REVIEWER), ==, PW_PROVIDER_ANTHROPIC);
  g_assert_cmpstr (pw_settings_get_model (again, PW_ROLE_REVIEWER), ==, "reviewer-model");
  g_assert_cmpstr (pw_settings_get_reasoning_effort (again, PW_ROLE_REVIEWER), ==, "xhigh");
  g_assert_cmpstr (pw_settings_get_model (again, PW_ROLE_SYNTHESIS), ==, "synthesis-model");
  g_assert_cmpuint (pw_settings_get_max_context_bytes (again), ==, 4096);
  g_assert_cmpuint (pw_settings_get_round_cap (again, "standard"), ==, 9);
  g_assert_cmpuint (pw_settings_get_round_cap (again, "complex"), ==, 15);
  g_assert_cmpuint (pw_settings_get_round_cap (again, "fast"), ==, 3);

  /* The window and the CLI share this file: the group and key names are
   * part of the contract. */
  g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  value = g_key_file_get_string (keyfile, "planner", "model", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "planner-model");
  g_clear_pointer (&value, g_free);
  value = g_key_file_get_string (keyfile, "planner", "provider", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, pw_provider_kind_to_string (PW_PROVIDER_OPENAI_CHAT));
  g_clear_pointer (&value, g_free);
  value = g_key_file_get_string (keyfile, "reviewer", "reasoning-effort", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "xhigh");
  g_assert_cmpint (g_key_file_get_integer (keyfile, "context", "max-file-bytes", &error), ==, 4096);
  g_assert_no_error (error);
  g_assert_cmpint (g_key_file_get_integer (keyfile, "review", "max-rounds-complex", &error),
                   ==, 15);
  g_assert_no_error (error);
}

static void
test_save_keeps_other_file_untouched (void)
{
  /* Saving one file leaves the default file alone. */
  g_autofree char *default_path = pw_paths_settings_file ();
  g_autofree char *path = g_build_filename (g_get_user_config_dir (), "other.ini", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;

  settings = pw_settings_load (path, &error);
  g_assert_no_error (error);
  pw_settings_set_model (settings, PW_ROLE_PLANNER, "x");
  g_assert_true (pw_settings_save (settings, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (default_path, G_FILE_TEST_EXISTS));
}

static void
test_malformed (void)
{
  assert_load_fails ("this is not a key file\n[unclosed\n");
}

static void
test_bad_max_bytes (void)
{
  assert_load_fails ("[context]\nmax-file-bytes=0\n");
  assert_load_fails ("[context]\nmax-file-bytes=-5\n");
  assert_load_fails ("[context]\nmax-file-bytes=lots\n");
  assert_load_fails ("[context]\nmax-file-bytes=\n");
  assert_load_fails ("[context]\nmax-file-bytes=12kb\n");
}

static void
test_bad_round_cap (void)
{
  assert_load_fails ("[review]\nmax-rounds-standard=many\n");
  assert_load_fails ("[review]\nmax-rounds-fast=-1\n");
}

static void
test_bad_provider (void)
{
  /* A typo must not silently send the planner's prompts elsewhere. */
  assert_load_fails ("[planner]\nprovider=antropic\n");
}

typedef struct {
  const char *variable;
  const char *value;
  const char *expected;
} EnvCase;

static const EnvCase env_cases[] = {
  { "ANTHROPIC_BASE_URL", "http://127.0.0.1:4010", "http://127.0.0.1:4010" },
  { "ANTHROPIC_BASE_URL", "http://127.0.0.1:4010/", "http://127.0.0.1:4010" },
  { "ANTHROPIC_BASE_URL", "http://127.0.0.1:4010/v1", "http://127.0.0.1:4010" },
  { "ANTHROPIC_BASE_URL", "http://127.0.0.1:4010/v1/", "http://127.0.0.1:4010" },
  { "OPENAI_BASE_URL", "http://127.0.0.1:4020", "http://127.0.0.1:4020" },
  { "OPENAI_BASE_URL", "http://127.0.0.1:4020/", "http://127.0.0.1:4020" },
  { "OPENAI_BASE_URL", "http://127.0.0.1:4020/v1", "http://127.0.0.1:4020" },
  { "OPENAI_BASE_URL", "http://127.0.0.1:4020/proxy/v1", "http://127.0.0.1:4020/proxy" },
};

/* Runs in a child, so the environment of this process stays clean. */
static void
test_env_override (gconstpointer data)
{
  const EnvCase *c = data;
  gboolean anthropic = g_str_equal (c->variable, "ANTHROPIC_BASE_URL");
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  g_assert_true (g_setenv (c->variable, c->value, TRUE));
  settings = pw_settings_load (NULL, &error);
  g_assert_no_error (error);

  if (anthropic)
    {
      g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_PLANNER), ==, c->expected);
      g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_SYNTHESIS), ==, c->expected);
      g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_REVIEWER), ==,
                       "https://api.openai.com");
    }
  else
    {
      g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_REVIEWER), ==, c->expected);
      g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_PLANNER), ==,
                       "https://api.anthropic.com");
    }
}

static void
test_env_beats_file (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  /* The reviewer is pointed at Anthropic in the file: the Anthropic
   * variable follows the provider, not the role. */
  path = write_settings ("[planner]\nbase-url=https://planner.example.com/v1\n"
                         "[reviewer]\nprovider=anthropic\nbase-url=https://reviewer.example.com\n");
  g_assert_true (g_setenv ("ANTHROPIC_BASE_URL", "http://127.0.0.1:4030/v1", TRUE));

  settings = pw_settings_load (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_PLANNER), ==,
                   "http://127.0.0.1:4030");
  g_assert_cmpstr (pw_settings_get_base_url (settings, PW_ROLE_REVIEWER), ==,
                   "http://127.0.0.1:4030");
}

static void
test_env_not_saved (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSettings) settings = NULL;
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *saved = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  /* A test pointing the CLI at a fake server must not leave that URL in
   * the user's settings when something else is saved. */
  path = write_settings ("[planner]\nbase-url=https://planner.example.com\n");
  g_assert_true (g_setenv ("ANTHROPIC_BASE_URL", "http://127.0.0.1:4040", TRUE));

  settings = pw_settings_load (NULL, &error);
  g_assert_no_error (error);
  pw_settings_set_model (settings, PW_ROLE_REVIEWER, "changed");
  g_assert_true (pw_settings_save (settings, &error));
  g_assert_no_error (error);

  g_key_file_load_from_file (keyfile, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  saved = g_key_file_get_string (keyfile, "planner", "base-url", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (saved, ==, "https://planner.example.com");
}

int
main (int    argc,
      char **argv)
{
  /* Whatever the calling shell has must not leak into the defaults. */
  g_unsetenv ("ANTHROPIC_BASE_URL");
  g_unsetenv ("OPENAI_BASE_URL");

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/settings/strings", test_strings);
  g_test_add_func ("/settings/defaults", test_defaults);
  g_test_add_func ("/settings/read-file", test_read_file);
  g_test_add_func ("/settings/partial-file", test_partial_file);
  g_test_add_func ("/settings/save/round-trip", test_save_round_trip);
  g_test_add_func ("/settings/save/other-file", test_save_keeps_other_file_untouched);
  g_test_add_func ("/settings/bad/malformed", test_malformed);
  g_test_add_func ("/settings/bad/max-file-bytes", test_bad_max_bytes);
  g_test_add_func ("/settings/bad/round-cap", test_bad_round_cap);
  g_test_add_func ("/settings/bad/provider", test_bad_provider);

  for (gsize i = 0; i < G_N_ELEMENTS (env_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/settings/env/%s/%" G_GSIZE_FORMAT,
                                               env_cases[i].variable, i);

      g_test_add_data_func (name, &env_cases[i], test_env_override);
    }
  g_test_add_func ("/settings/env/beats-file", test_env_beats_file);
  g_test_add_func ("/settings/env/not-saved", test_env_not_saved);

  return g_test_run ();
}
