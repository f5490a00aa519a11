/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The models table: shipped rows against the price snapshot, unknown ids, cost formulas, the user override. */

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pw-models.h"
#include "pw-resources.h"

#define MODELS_RESOURCE "/io/github/planwright/Planwright/models.json"
#define EPS 1e-12

/* What the table must hold whatever else it gains (PROTOCOLS §6.2 and
 * the dated id planner-auto used). */
static const char *required_ids[] = {
  "claude-opus-5-5", "claude-sonnet-5-5", "claude-haiku-5-5",
  "claude-opus-4-6", "claude-sonnet-4-6", "claude-haiku-4-5",
  "claude-haiku-4-5-20251001",
  "gpt-5.4", "gpt-6.1-sol", "gpt-6.1-terra", "gpt-6-luna",
};

static PwModels *
load_shipped (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (g_get_tmp_dir (), "no-such-dir", "models.json", NULL);
  PwModels *models = pw_models_load (missing, &error);

  g_assert_no_error (error);
  g_assert_nonnull (models);
  return models;
}

static JsonNode *
parse_file (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static JsonNode *
parse_resource (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  pw_core_ensure_resources ();
  bytes = g_resources_lookup_data (MODELS_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_resource_defaults (void)
{
  g_autoptr(JsonNode) root = parse_resource ();
  g_autoptr(PwModels) models = load_shipped ();
  JsonObject *defaults = json_object_get_object_member (json_node_get_object (root), "defaults");

  g_assert_nonnull (defaults);
  for (guint i = 0; i < PW_N_ROLES; i++)
    {
      const char *role = pw_role_to_string (i);
      const char *id = json_object_get_string_member (defaults, role);
      const PwModelInfo *info;

      g_assert_nonnull (id);
      g_test_message ("default %s: %s", role, id);
      info = pw_models_lookup (models, id);
      g_assert_true (info->known);
      g_assert_true (info->prices_known);
      g_assert_cmpstr (pw_models_get_default (models, i), ==, id);
    }
  /* The reviewer is an OpenAI model, planner and synthesis Anthropic ones,
   * as the settings' default providers are. */
  g_assert_cmpint (pw_models_lookup (models, pw_models_get_default (models, PW_ROLE_PLANNER))->provider, ==, PW_PROVIDER_ANTHROPIC);
  g_assert_cmpint (pw_models_lookup (models, pw_models_get_default (models, PW_ROLE_SYNTHESIS))->provider, ==, PW_PROVIDER_ANTHROPIC);
  g_assert_cmpint (pw_models_lookup (models, pw_models_get_default (models, PW_ROLE_REVIEWER))->provider, ==, PW_PROVIDER_OPENAI_RESPONSES);
}

static void
assert_sane (const PwModelInfo *info)
{
  g_test_message ("checking %s", info->id);
  g_assert_true (info->known);
  g_assert_true (info->prices_known);
  g_assert_cmpint (info->context_window, >=, 100000);
  g_assert_cmpint (info->max_output_tokens, >=, 8192);
  g_assert_cmpint (info->max_output_tokens, <, info->context_window);
  g_assert_cmpfloat (info->price_input, >, 0);
  g_assert_cmpfloat (info->price_output, >, info->price_input);
  g_assert_cmpfloat (info->price_cache_read, <, info->price_input);
  g_assert_false (info->accepts_sampling);
  g_assert_false (info->accepts_prefill);
  g_assert_cmpint (info->thinking, !=, PW_THINKING_NONE);

  if (info->thinking == PW_THINKING_BUDGET)
    {
      g_assert_null (info->efforts);
      g_assert_null (info->default_effort);
    }
  else
    {
      g_assert_nonnull (info->efforts);
      g_assert_nonnull (info->default_effort);
      g_assert_true (g_strv_contains ((const char * const *) info->efforts, info->default_effort));
    }

  if (g_str_has_prefix (info->id, "claude-"))
    {
      g_assert_cmpint (info->provider, ==, PW_PROVIDER_ANTHROPIC);
      g_assert_cmpint (info->thinking, !=, PW_THINKING_EFFORT);
      g_assert_cmpfloat (info->price_cache_write, >, info->price_input);
      g_assert_cmpfloat (info->price_cache_write_1h, >, info->price_cache_write);
    }
  else
    {
      g_assert_cmpint (info->provider, ==, PW_PROVIDER_OPENAI_RESPONSES);
      g_assert_cmpint (info->thinking, ==, PW_THINKING_EFFORT);
      g_assert_true (isnan (info->price_cache_write_1h));
    }

  if (info->long_threshold > 0)
    {
      g_assert_cmpfloat (info->long_price_input, >, info->price_input);
      g_assert_cmpfloat (info->long_price_output, >, info->price_output);
    }
}

static void
test_shipped_sane (void)
{
  g_autoptr(PwModels) models = load_shipped ();
  g_autoptr(JsonNode) root = parse_resource ();
  JsonArray *rows = json_object_get_array_member (json_node_get_object (root), "models");

  for (guint i = 0; i < G_N_ELEMENTS (required_ids); i++)
    g_assert_true (pw_models_lookup (models, required_ids[i])->known);

  g_assert_cmpuint (json_array_get_length (rows), >=, G_N_ELEMENTS (required_ids));
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      assert_sane (pw_models_lookup (models, json_object_get_string_member (row, "id")));
    }
}

static double
member_or_nan (JsonObject *obj,
               const char *name)
{
  return json_object_has_member (obj, name) ? json_object_get_double_member (obj, name) : NAN;
}

static void
assert_price (double      table,
              double      snapshot,
              const char *what)
{
  if (isnan (snapshot))
    {
      if (!isnan (table))
        g_error ("%s: the table has %g where the snapshot gives no price", what, table);
      return;
    }
  if (fabs (table - snapshot) > EPS)
    g_error ("%s: the table has %g, the snapshot %g", what, table, snapshot);
}

/* Every price of the snapshot, band included, is in the table unchanged. */
static void
test_matches_snapshot (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("PW_FIXTURES_DIR"), "prices-snapshot.json", NULL);
  g_autoptr(JsonNode) root = parse_file (path);
  g_autoptr(PwModels) models = load_shipped ();
  JsonArray *rows = json_object_get_array_member (json_node_get_object (root), "models");

  g_assert_cmpuint (json_array_get_length (rows), ==, G_N_ELEMENTS (required_ids) - 1);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      const char *id = json_object_get_string_member (row, "model");
      gboolean anthropic = g_strcmp0 (json_object_get_string_member (row, "provider"), "anthropic") == 0;
      const PwModelInfo *info = pw_models_lookup (models, id);
      JsonObject *band = NULL;

      g_test_message ("snapshot row %s", id);
      g_assert_true (info->known);
      g_assert_cmpint (info->provider == PW_PROVIDER_ANTHROPIC, ==, anthropic);
      assert_price (info->price_input, member_or_nan (row, "input"), id);
      assert_price (info->price_output, member_or_nan (row, "output"), id);
      assert_price (info->price_cache_read, member_or_nan (row, anthropic ? "cache_read" : "cached_input"), id);
      assert_price (info->price_cache_write, member_or_nan (row, anthropic ? "cache_write_5m" : "cache_write"), id);
      assert_price (info->price_cache_write_1h, member_or_nan (row, "cache_write_1h"), id);

      if (json_object_has_member (row, "long_prompt"))
        band = json_object_get_object_member (row, "long_prompt");
      else if (json_object_has_member (row, "long_context"))
        band = json_object_get_object_member (row, "long_context");
      if (band == NULL)
        {
          g_assert_cmpint (info->long_threshold, ==, 0);
          continue;
        }
      g_assert_cmpint (info->long_threshold, ==,
                       json_object_has_member (band, "threshold_tokens")
                       ? json_object_get_int_member (band, "threshold_tokens")
                       : json_object_get_int_member (band, "threshold_input_tokens"));
      if (json_object_has_member (band, "input_multiplier"))
        {
          assert_price (info->long_price_input, info->price_input * json_object_get_double_member (band, "input_multiplier"), id);
          assert_price (info->long_price_cache_read, info->price_cache_read * json_object_get_double_member (band, "cached_input_multiplier"), id);
          assert_price (info->long_price_output, info->price_output * json_object_get_double_member (band, "output_multiplier"), id);
          assert_price (info->long_price_cache_write, NAN, id);
        }
      else
        {
          assert_price (info->long_price_input, member_or_nan (band, "input"), id);
          assert_price (info->long_price_output, member_or_nan (band, "output"), id);
          assert_price (info->long_price_cache_read, member_or_nan (band, anthropic ? "cache_read" : "cached_input"), id);
          assert_price (info->long_price_cache_write, member_or_nan (band, anthropic ? "cache_write_5m" : "cache_write"), id);
          assert_price (info->long_price_cache_write_1h, member_or_nan (band, "cache_write_1h"), id);
        }
    }

  /* The dated id is the same model as its alias. */
  {
    const PwModelInfo *a = pw_models_lookup (models, "claude-haiku-4-5");
    const PwModelInfo *b = pw_models_lookup (models, "claude-haiku-4-5-20251001");

    g_assert_cmpfloat (a->price_input, ==, b->price_input);
    g_assert_cmpfloat (a->price_output, ==, b->price_output);
    g_assert_cmpfloat (a->price_cache_read, ==, b->price_cache_read);
    g_assert_cmpfloat (a->price_cache_write, ==, b->price_cache_write);
    g_assert_cmpfloat (a->price_cache_write_1h, ==, b->price_cache_write_1h);
    g_assert_cmpint (a->context_window, ==, b->context_window);
    g_assert_cmpint (a->max_output_tokens, ==, b->max_output_tokens);
    g_assert_cmpint (a->thinking, ==, b->thinking);
  }
}

static void
test_lookup_known (void)
{
  g_autoptr(PwModels) models = load_shipped ();
  const PwModelInfo *info;

  info = pw_models_lookup (models, "claude-opus-5-5");
  g_assert_cmpstr (info->id, ==, "claude-opus-5-5");
  g_assert_cmpint (info->provider, ==, PW_PROVIDER_ANTHROPIC);
  g_assert_cmpint (info->thinking, ==, PW_THINKING_ADAPTIVE);
  g_assert_cmpstr (info->default_effort, ==, "medium");
  g_assert_cmpint (info->max_output_tokens, ==, 128000);

  info = pw_models_lookup (models, "claude-sonnet-5-5");
  g_assert_cmpstr (info->default_effort, ==, "high");
  g_assert_true (g_strv_contains ((const char * const *) info->efforts, "max"));
  g_assert_cmpfloat_with_epsilon (info->price_cache_read, 0.10, EPS);

  info = pw_models_lookup (models, "claude-haiku-5-5");
  g_assert_cmpstr (info->default_effort, ==, "medium");
  g_assert_cmpint (info->long_threshold, ==, 100000);

  info = pw_models_lookup (models, "claude-sonnet-4-6");
  g_assert_cmpint (info->thinking, ==, PW_THINKING_ADAPTIVE);

  info = pw_models_lookup (models, "claude-haiku-4-5-20251001");
  g_assert_true (info->known);
  g_assert_cmpint (info->thinking, ==, PW_THINKING_BUDGET);

  info = pw_models_lookup (models, "gpt-6.1-sol");
  g_assert_cmpint (info->provider, ==, PW_PROVIDER_OPENAI_RESPONSES);
  g_assert_cmpint (info->thinking, ==, PW_THINKING_EFFORT);
  g_assert_false (g_strv_contains ((const char * const *) info->efforts, "none"));
  g_assert_false (g_strv_contains ((const char * const *) info->efforts, "minimal"));
  g_assert_true (g_strv_contains ((const char * const *) info->efforts, "high"));

  info = pw_models_lookup (models, "gpt-5.4");
  g_assert_true (isnan (info->price_cache_write));

  /* Same entry every time. */
  g_assert_true (pw_models_lookup (models, "gpt-5.4") == info);
}

static void
assert_unknown (PwModels       *models,
                const char     *id,
                PwProviderKind  provider)
{
  const PwModelInfo *info = pw_models_lookup (models, id);

  g_test_message ("unknown %s", id);
  g_assert_nonnull (info);
  g_assert_cmpstr (info->id, ==, id);
  g_assert_false (info->known);
  g_assert_cmpint (info->provider, ==, provider);
  g_assert_cmpint (info->thinking, ==, PW_THINKING_NONE);
  g_assert_null (info->efforts);
  g_assert_null (info->default_effort);
  g_assert_false (info->accepts_sampling);
  g_assert_false (info->accepts_prefill);
  g_assert_false (info->prices_known);
  g_assert_cmpint (info->max_output_tokens, ==, 8192);
  g_assert_cmpint (info->context_window, ==, 128000);
  g_assert_cmpint (info->long_threshold, ==, 0);
  /* The pointer stays valid and stable. */
  g_assert_true (pw_models_lookup (models, id) == info);
}

static void
test_lookup_unknown (void)
{
  g_autoptr(PwModels) models = load_shipped ();

  assert_unknown (models, "claude-future-9", PW_PROVIDER_ANTHROPIC);
  assert_unknown (models, "claude-sonnet-5-5-20270101", PW_PROVIDER_ANTHROPIC);
  assert_unknown (models, "gpt-7", PW_PROVIDER_OPENAI_RESPONSES);
  assert_unknown (models, "o3", PW_PROVIDER_OPENAI_RESPONSES);
  assert_unknown (models, "o4-mini", PW_PROVIDER_OPENAI_RESPONSES);
  assert_unknown (models, "omni-1", PW_PROVIDER_OPENAI_CHAT);
  assert_unknown (models, "llama3.1:8b", PW_PROVIDER_OPENAI_CHAT);
  assert_unknown (models, "o", PW_PROVIDER_OPENAI_CHAT);
  assert_unknown (models, "", PW_PROVIDER_OPENAI_CHAT);
  g_assert_true (pw_models_lookup (models, "gpt-7") != pw_models_lookup (models, "o3"));
}

static double
cost_of (const PwModelInfo  *info,
         const PwTokenUsage *usage)
{
  double usd = -1;

  if (!pw_models_cost (info, usage, &usd))
    g_error ("cost of %s unknown", info->id);
  return usd;
}

static void
assert_cost_unknown (const PwModelInfo  *info,
                     const PwTokenUsage *usage)
{
  double usd = -42;

  g_assert_false (pw_models_cost (info, usage, &usd));
  g_assert_cmpfloat (usd, ==, -42);  /* not written, never 0 */
}

static void
test_cost_anthropic (void)
{
  g_autoptr(PwModels) models = load_shipped ();
  const PwModelInfo *sonnet = pw_models_lookup (models, "claude-sonnet-5-5");
  const PwModelInfo *haiku = pw_models_lookup (models, "claude-haiku-5-5");
  PwTokenUsage usage = {
    .input_tokens = 1200,        /* uncached only */
    .cache_write_tokens = 3000,  /* 5-minute writes */
    .cache_write_1h_tokens = 1000,
    .cache_read_tokens = 20000,
    .output_tokens = 800,        /* thinking included */
    .reasoning_tokens = 500,     /* not billed again */
    .reported = TRUE,
  };

  /* 1200×2 + 3000×2.5 + 1000×4 + 20000×0.1 + 800×10 = 23 900 µ$ */
  g_assert_cmpfloat_with_epsilon (cost_of (sonnet, &usage), 0.0239, EPS);

  /* Haiku 5.5 at 90 000 prompt tokens: 50000×0.1 + 40000×0.01 + 1000×0.5 */
  usage = (PwTokenUsage) { .input_tokens = 50000, .cache_read_tokens = 40000,
                           .output_tokens = 1000, .reported = TRUE };
  g_assert_cmpfloat_with_epsilon (cost_of (haiku, &usage), 0.0059, EPS);
  /* exactly at the threshold: still the first band */
  usage.cache_read_tokens = 50000;
  g_assert_cmpfloat_with_epsilon (cost_of (haiku, &usage), 0.006, EPS);
  /* 110 000 (input + reads + writes) > 100K: the whole call at the second band:
   * 50000×0.5 + 55000×0.05 + 5000×0.625 + 1000×2.5 */
  usage.cache_read_tokens = 55000;
  usage.cache_write_tokens = 5000;
  g_assert_cmpfloat_with_epsilon (cost_of (haiku, &usage), 0.033375, EPS);
}

static void
test_cost_openai (void)
{
  g_autoptr(PwModels) models = load_shipped ();
  const PwModelInfo *sol = pw_models_lookup (models, "gpt-6.1-sol");
  const PwModelInfo *gpt54 = pw_models_lookup (models, "gpt-5.4");
  const PwModelInfo *terra = pw_models_lookup (models, "gpt-6.1-terra");
  /* The example of PROTOCOLS §2.4, plus cache writes on the GPT-6 family. */
  PwTokenUsage usage = {
    .input_tokens = 1840,       /* includes cached and written */
    .cache_read_tokens = 1536,
    .cache_write_tokens = 200,
    .output_tokens = 733,       /* includes reasoning */
    .reasoning_tokens = 704,
    .reported = TRUE,
  };

  /* (1840 − 1536 − 200)×2 + 1536×0.1 + 200×2.5 + 733×10 = 8 191.6 µ$ */
  g_assert_cmpfloat_with_epsilon (cost_of (sol, &usage), 0.0081916, EPS);

  /* gpt-5.4 has no cache-write price: writes make the cost unknown… */
  assert_cost_unknown (gpt54, &usage);
  /* …and without them: (1840 − 1536)×2.5 + 1536×0.25 + 733×15 = 12 139 µ$ */
  usage.cache_write_tokens = 0;
  g_assert_cmpfloat_with_epsilon (cost_of (gpt54, &usage), 0.012139, EPS);

  /* Above 272K input the whole call is billed at the long-context band:
   * (300000 − 100000)×4 + 100000×0.2 + 1000×15 */
  usage = (PwTokenUsage) { .input_tokens = 300000, .cache_read_tokens = 100000,
                           .output_tokens = 1000, .reported = TRUE };
  g_assert_cmpfloat_with_epsilon (cost_of (sol, &usage), 0.835, EPS);
  /* terra's band from its multipliers: 200000×2 + 100000×0.1 + 1000×7.5 */
  g_assert_cmpfloat_with_epsilon (cost_of (terra, &usage), 0.4175, EPS);
  /* the band gives no cache-write price */
  usage.cache_write_tokens = 10;
  assert_cost_unknown (sol, &usage);
  /* at 272 000 exactly: the first band */
  usage = (PwTokenUsage) { .input_tokens = 272000, .output_tokens = 0, .reported = TRUE };
  g_assert_cmpfloat_with_epsilon (cost_of (sol, &usage), 0.544, EPS);
}

static void
test_cost_unknown (void)
{
  g_autoptr(PwModels) models = load_shipped ();
  const PwModelInfo *unknown = pw_models_lookup (models, "llama3.1:8b");
  const PwModelInfo *sol = pw_models_lookup (models, "gpt-6.1-sol");
  PwTokenUsage usage = { .input_tokens = 100, .output_tokens = 10, .reported = TRUE };
  PwTokenUsage none = { 0 };
  PwTokenUsage server = { .reported = TRUE, .input_tokens = 100,
                          .server_cost_known = TRUE, .server_cost_usd = 0.00123 };
  PwTokenUsage negative = { .input_tokens = -5, .output_tokens = 10, .reported = TRUE };

  assert_cost_unknown (unknown, &usage);
  assert_cost_unknown (sol, &none);
  assert_cost_unknown (sol, &negative);
  /* a known zero is a real zero */
  usage = (PwTokenUsage) { .reported = TRUE };
  g_assert_cmpfloat (cost_of (sol, &usage), ==, 0);
  /* OpenRouter's charged cost wins over the table, even for an unknown id */
  g_assert_cmpfloat_with_epsilon (cost_of (unknown, &server), 0.00123, EPS);
  g_assert_cmpfloat_with_epsilon (cost_of (sol, &server), 0.00123, EPS);
}

static char *
write_user_file (const char *contents)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "planwright", NULL);
  g_autofree char *path = g_build_filename (dir, "models.json", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static const char user_table[] =
  "{ \"models\": [\n"
  "  { \"id\": \"gpt-5.4\",\n"
  "    \"prices\": { \"input\": 3.0, \"cached_input\": 0.3, \"cache_write\": 3.5, \"output\": 12,\n"
  "                \"as_of\": \"2027-01\", \"source\": \"my bill\" } },\n"
  "  { \"id\": \"claude-opus-5-5\", \"context_window\": 1000000 },\n"
  "  { \"id\": \"qwen3-coder:30b\", \"provider\": \"openai-chat\", \"context_window\": 32768,\n"
  "    \"_comment\": \"local, free\", \"prices\": { \"input\": 0, \"output\": 0 } },\n"
  "  { \"id\": \"claude-next\", \"thinking\": \"adaptive\", \"efforts\": [\"low\", \"high\"],\n"
  "    \"default_effort\": \"low\" }\n"
  "] }\n";

static void
check_user_table (PwModels *models)
{
  const PwModelInfo *info;
  PwTokenUsage usage = { .input_tokens = 1000000, .output_tokens = 1000000,
                         .cache_write_tokens = 1000000, .reported = TRUE };

  /* changed prices, other fields kept */
  info = pw_models_lookup (models, "gpt-5.4");
  g_assert_true (info->known);
  g_assert_cmpfloat_with_epsilon (info->price_input, 3.0, EPS);
  g_assert_cmpfloat_with_epsilon (info->price_cache_read, 0.3, EPS);
  g_assert_cmpfloat_with_epsilon (info->price_cache_write, 3.5, EPS);
  g_assert_cmpfloat_with_epsilon (info->price_output, 12.0, EPS);
  g_assert_cmpint (info->thinking, ==, PW_THINKING_EFFORT);
  g_assert_cmpint (info->context_window, ==, 400000);
  g_assert_nonnull (info->efforts);
  /* (1M − 1M written)×3 + 1M×3.5 + 1M×12 */
  g_assert_cmpfloat_with_epsilon (cost_of (info, &usage), 15.5, EPS);

  /* one field patched, the shipped prices untouched */
  info = pw_models_lookup (models, "claude-opus-5-5");
  g_assert_cmpint (info->context_window, ==, 1000000);
  g_assert_cmpfloat_with_epsilon (info->price_input, 4.0, EPS);
  g_assert_cmpstr (info->default_effort, ==, "medium");

  /* new ids: conservative defaults for what the row does not say */
  info = pw_models_lookup (models, "qwen3-coder:30b");
  g_assert_true (info->known);
  g_assert_cmpint (info->provider, ==, PW_PROVIDER_OPENAI_CHAT);
  g_assert_cmpint (info->context_window, ==, 32768);
  g_assert_cmpint (info->max_output_tokens, ==, 8192);
  g_assert_cmpint (info->thinking, ==, PW_THINKING_NONE);
  g_assert_true (info->prices_known);
  usage = (PwTokenUsage) { .input_tokens = 5000, .output_tokens = 100, .reported = TRUE };
  g_assert_cmpfloat (cost_of (info, &usage), ==, 0);

  info = pw_models_lookup (models, "claude-next");
  g_assert_true (info->known);
  g_assert_cmpint (info->provider, ==, PW_PROVIDER_ANTHROPIC);
  g_assert_cmpint (info->thinking, ==, PW_THINKING_ADAPTIVE);
  g_assert_cmpstr (info->default_effort, ==, "low");
  g_assert_false (info->prices_known);
  assert_cost_unknown (info, &usage);

  /* untouched rows */
  info = pw_models_lookup (models, "claude-sonnet-5-5");
  g_assert_cmpfloat_with_epsilon (info->price_input, 2.0, EPS);
  g_assert_cmpstr (pw_models_get_default (models, PW_ROLE_PLANNER), ==, "claude-sonnet-5-5");
}

static void
test_override_default_path (void)
{
  g_autofree char *path = write_user_file (user_table);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwModels) models = pw_models_load (NULL, &error);

  g_assert_no_error (error);
  check_user_table (models);
}

static void
test_override_explicit_path (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "elsewhere.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwModels) models = NULL;
  g_autoptr(PwModels) plain = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_file_set_contents (path, user_table, -1, &error);
  g_assert_no_error (error);
  models = pw_models_load (path, &error);
  g_assert_no_error (error);
  check_user_table (models);

  /* The default file is not read when a path is given, and a missing
   * default file is no error. */
  plain = pw_models_load (NULL, &error);
  g_assert_no_error (error);
  g_assert_false (pw_models_lookup (plain, "qwen3-coder:30b")->known);
  g_assert_cmpfloat_with_epsilon (pw_models_lookup (plain, "gpt-5.4")->price_input, 2.5, EPS);
}

static void
test_override_malformed (void)
{
  static const struct {
    const char *contents;
    const char *also;  /* another string the message must carry */
  } cases[] = {
    { "{ \"models\": [ { \"id\": \"gpt-5.4\", ", NULL },
    { "not json at all", NULL },
    { "[ 1, 2 ]", NULL },
    { "{ \"models\": { \"id\": \"x\" } }", NULL },
    { "{ \"models\": [ 42 ] }", NULL },
    { "{ \"models\": [ { \"provider\": \"anthropic\" } ] }", NULL },
    { "{ \"models\": [ { \"id\": \"x\", \"provider\": \"mistral\" } ] }", "x" },
    { "{ \"models\": [ { \"id\": \"gpt-5.4\", \"context_window\": \"big\" } ] }", "gpt-5.4" },
    { "{ \"models\": [ { \"id\": \"gpt-5.4\", \"max_output_tokens\": -1 } ] }", "max_output_tokens" },
    { "{ \"models\": [ { \"id\": \"gpt-5.4\", \"thinking\": \"deep\" } ] }", "thinking" },
    { "{ \"models\": [ { \"id\": \"gpt-5.4\", \"efforts\": [ \"high\", 3 ] } ] }", "efforts" },
    { "{ \"models\": [ { \"id\": \"gpt-5.4\", \"default_effort\": \"turbo\" } ] }", "turbo" },
    { "{ \"models\": [ { \"id\": \"gpt-5.4\", \"accepts_prefill\": \"yes\" } ] }", "accepts_prefill" },
    { "{ \"models\": [ { \"id\": \"gpt-5.4\", \"prices\": { \"input\": \"cheap\" } } ] }", "input" },
    { "{ \"models\": [ { \"id\": \"gpt-5.4\", \"prices\": { \"output\": -2 } } ] }", "output" },
    { "{ \"models\": [ { \"id\": \"gpt-5.4\", \"prices\": { \"input\": 1, \"output\": 2, \"long_prompt\": { \"input\": 3 } } } ] }", "threshold_tokens" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_user_file (cases[i].contents);
      g_autoptr(GError) error = NULL;
      g_autoptr(PwModels) models = NULL;

      g_test_message ("override: %s", cases[i].contents);
      models = pw_models_load (NULL, &error);
      g_assert_null (models);
      g_assert_nonnull (error);
      g_test_message ("error: %s", error->message);
      g_assert_nonnull (strstr (error->message, path));
      if (cases[i].also != NULL)
        g_assert_nonnull (strstr (error->message, cases[i].also));
    }
}

static void
test_override_unreadable (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_config_dir (), "planwright", "models.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwModels) models = NULL;

  /* A directory where the file should be: not "missing", an error. */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  models = pw_models_load (NULL, &error);
  g_assert_null (models);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, dir));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/models/resource-defaults", test_resource_defaults);
  g_test_add_func ("/models/shipped-sane", test_shipped_sane);
  g_test_add_func ("/models/matches-snapshot", test_matches_snapshot);
  g_test_add_func ("/models/lookup-known", test_lookup_known);
  g_test_add_func ("/models/lookup-unknown", test_lookup_unknown);
  g_test_add_func ("/models/cost-anthropic", test_cost_anthropic);
  g_test_add_func ("/models/cost-openai", test_cost_openai);
  g_test_add_func ("/models/cost-unknown", test_cost_unknown);
  g_test_add_func ("/models/override-default-path", test_override_default_path);
  g_test_add_func ("/models/override-explicit-path", test_override_explicit_path);
  g_test_add_func ("/models/override-malformed", test_override_malformed);
  g_test_add_func ("/models/override-unreadable", test_override_unreadable);

  return g_test_run ();
}
