/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Loads the prompts from the resource bundle once and hashes them. */

#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pw-prompts.h"
#include "pw-resources.h"

static const struct {
  const char *key;
  const char *resource;
} prompt_files[PW_N_PROMPTS] = {
  [PW_PROMPT_PLANNER_DISCUSSION] = { "planner", "planner-discussion.md" },
  [PW_PROMPT_SYNTHESIS] = { "synthesis", "synthesis.md" },
  [PW_PROMPT_PLAN_GENERATION] = { "generation", "plan-generation.md" },
  [PW_PROMPT_PLAN_REPAIR] = { "repair", "plan-repair.md" },
  [PW_PROMPT_FEEDBACK_VALIDATION] = { "triage", "feedback-validation.md" },
  [PW_PROMPT_REVISION] = { "revision", "revision.md" },
  [PW_PROMPT_REVIEWER_BASIC] = { "reviewer_basic", "reviewer-basic.md" },
  [PW_PROMPT_REVIEWER_GUIDANCE] = { "reviewer_guidance", "reviewer-guidance.md" },
  [PW_PROMPT_REVIEWER_KEEP_TRIM] = { "reviewer_keep_trim", "reviewer-keep-trim.md" },
};

typedef struct {
  GBytes *text[PW_N_PROMPTS];
  char   *hash[PW_N_PROMPTS];
} PromptTable;

static const PromptTable *
prompt_table (void)
{
  static PromptTable *table = NULL;

  if (g_once_init_enter (&table))
    {
      PromptTable *t = g_new0 (PromptTable, 1);

      pw_core_ensure_resources ();
      for (guint i = 0; i < PW_N_PROMPTS; i++)
        {
          g_autofree char *path = g_strconcat ("/io/github/planwright/Planwright/prompts/",
                                               prompt_files[i].resource, NULL);
          g_autofree char *hex = NULL;

          /* Resource data is NUL-terminated, so the text is usable as is. */
          t->text[i] = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
          if (t->text[i] == NULL)
            g_error ("the compiled-in prompt %s is missing", path);
          hex = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, t->text[i]);
          t->hash[i] = g_strconcat ("sha256:", hex, NULL);
        }
      g_once_init_leave (&table, t);
    }
  return table;
}

const char *
pw_prompt_key (PwPrompt prompt)
{
  g_return_val_if_fail (prompt < PW_N_PROMPTS, NULL);
  return prompt_files[prompt].key;
}

const char *
pw_prompt_text (PwPrompt prompt)
{
  g_return_val_if_fail (prompt < PW_N_PROMPTS, NULL);
  return g_bytes_get_data (prompt_table ()->text[prompt], NULL);
}

const char *
pw_prompt_hash (PwPrompt prompt)
{
  g_return_val_if_fail (prompt < PW_N_PROMPTS, NULL);
  return prompt_table ()->hash[prompt];
}

char *
pw_prompt_hashes_json (void)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  for (guint i = 0; i < PW_N_PROMPTS; i++)
    {
      json_builder_set_member_name (b, prompt_files[i].key);
      json_builder_add_string_value (b, pw_prompt_hash (i));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

char **
pw_prompt_drift (const char *hashes_json)
{
  g_autoptr(GPtrArray) drift = g_ptr_array_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object = NULL;

  if (hashes_json != NULL && json_parser_load_from_data (parser, hashes_json, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    object = json_node_get_object (json_parser_get_root (parser));

  for (guint i = 0; i < PW_N_PROMPTS; i++)
    {
      const char *stored = NULL;

      if (object && json_object_has_member (object, prompt_files[i].key))
        {
          JsonNode *node = json_object_get_member (object, prompt_files[i].key);
          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            stored = json_node_get_string (node);
        }
      if (g_strcmp0 (stored, pw_prompt_hash (i)) != 0)
        g_ptr_array_add (drift, g_strdup (prompt_files[i].key));
    }
  g_ptr_array_add (drift, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&drift), FALSE);
}
