/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A new session with the config snapshot the CLI and the app both write. */

#include "config.h"

#include <json-glib/json-glib.h>

#include "pw-prompts.h"
#include "pw-session-create.h"

char *
pw_session_config_json (PwSettings *settings,
                        const char *project,
                        const char *repo_root,
                        const char *model)
{
  g_autoptr(JsonBuilder) config = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonParser) hashes = json_parser_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *hashes_json = pw_prompt_hashes_json ();

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (project != NULL, NULL);

  if (model == NULL || *model == '\0')
    model = pw_settings_get_model (settings, PW_ROLE_PLANNER);

  json_builder_begin_object (config);
  json_builder_set_member_name (config, "project");
  json_builder_add_string_value (config, project);
  json_builder_set_member_name (config, "model_default");
  json_builder_add_string_value (config, model);
  json_builder_set_member_name (config, "planner_provider");
  json_builder_add_string_value (config, pw_provider_kind_to_string (pw_settings_get_provider (settings, PW_ROLE_PLANNER)));
  json_builder_set_member_name (config, "repo_root");
  if (repo_root)
    json_builder_add_string_value (config, repo_root);
  else
    json_builder_add_null_value (config);
  json_parser_load_from_data (hashes, hashes_json, -1, NULL);
  json_builder_set_member_name (config, "prompt_hashes");
  json_builder_add_value (config, json_node_copy (json_parser_get_root (hashes)));
  json_builder_end_object (config);

  root = json_builder_get_root (config);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

gboolean
pw_session_create (PwStore     *store,
                   PwSettings  *settings,
                   const char  *project,
                   const char  *repo_root,
                   const char  *model,
                   char       **out_id,
                   GError     **error)
{
  g_autofree char *config_json = NULL;

  g_return_val_if_fail (PW_IS_STORE (store), FALSE);

  config_json = pw_session_config_json (settings, project, repo_root, model);
  return pw_store_create_session (store, project, repo_root, config_json, out_id, error);
}
