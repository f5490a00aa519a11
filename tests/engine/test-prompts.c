/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The compiled-in prompts, their hashes, and drift against a stored snapshot. */

#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pw-prompts.h"

static const char *files[PW_N_PROMPTS] = {
  "planner-discussion.md", "synthesis.md", "plan-generation.md",
  "plan-repair.md", "feedback-validation.md", "revision.md",
  "reviewer-basic.md", "reviewer-guidance.md", "reviewer-keep-trim.md",
};

/* The hash is of the file's exact bytes: editing a prompt changes it. */
static void
test_hash_is_of_the_file (void)
{
  for (guint i = 0; i < PW_N_PROMPTS; i++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "prompts", files[i], NULL);
      g_autofree char *contents = NULL;
      g_autofree char *hex = NULL;
      g_autofree char *expected = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      g_assert_cmpuint (len, >, 200);
      g_assert_cmpstr (pw_prompt_text (i), ==, contents);
      hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
      expected = g_strconcat ("sha256:", hex, NULL);
      g_assert_cmpstr (pw_prompt_hash (i), ==, expected);
    }
}

static void
test_hashes_distinct_and_stable (void)
{
  g_autofree char *first = pw_prompt_hashes_json ();
  g_autofree char *second = pw_prompt_hashes_json ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  g_assert_cmpstr (first, ==, second);
  g_assert_true (json_parser_load_from_data (parser, first, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpuint (json_object_get_size (object), ==, PW_N_PROMPTS);
  for (guint i = 0; i < PW_N_PROMPTS; i++)
    {
      const char *h = json_object_get_string_member (object, pw_prompt_key (i));
      g_assert_true (g_str_has_prefix (h, "sha256:"));
      g_assert_cmpuint (strlen (h), ==, 7 + 64);
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (pw_prompt_hash (j), !=, h);
    }
}

static void
test_drift (void)
{
  g_autofree char *current = pw_prompt_hashes_json ();
  g_auto(GStrv) none = pw_prompt_drift (current);
  g_autofree char *changed = NULL;
  g_auto(GStrv) one = NULL;
  g_auto(GStrv) all = pw_prompt_drift ("{}");
  g_auto(GStrv) broken = pw_prompt_drift ("not json");
  char *at;

  g_assert_cmpuint (g_strv_length (none), ==, 0);

  changed = g_strdup (current);
  at = strstr (changed, pw_prompt_hash (PW_PROMPT_SYNTHESIS));
  g_assert_nonnull (at);
  at[strlen ("sha256:")] = at[strlen ("sha256:")] == '0' ? '1' : '0';
  one = pw_prompt_drift (changed);
  g_assert_cmpuint (g_strv_length (one), ==, 1);
  g_assert_cmpstr (one[0], ==, "synthesis");

  g_assert_cmpuint (g_strv_length (all), ==, PW_N_PROMPTS);
  g_assert_cmpuint (g_strv_length (broken), ==, PW_N_PROMPTS);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/prompts/hash-is-of-the-file", test_hash_is_of_the_file);
  g_test_add_func ("/prompts/hashes-distinct-and-stable", test_hashes_distinct_and_stable);
  g_test_add_func ("/prompts/drift", test_drift);

  return g_test_run ();
}
