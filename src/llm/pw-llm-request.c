/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PwLlmRequest, the provider-neutral description of one call, and PwLlmCompletion, its result. */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "pw-provider-private.h"

static void
pw_llm_message_free (PwLlmMessage *message)
{
  g_free (message->role);
  g_free (message->text);
  g_free (message);
}

PwLlmRequest *
pw_llm_request_new (const char *model)
{
  PwLlmRequest *request;

  g_return_val_if_fail (model != NULL && *model != '\0', NULL);

  request = g_new0 (PwLlmRequest, 1);
  request->model = g_strdup (model);
  request->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_llm_message_free);
  return request;
}

void
pw_llm_request_free (PwLlmRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->model);
  g_free (request->system);
  g_ptr_array_unref (request->messages);
  g_free (request->effort);
  g_free (request->schema_name);
  g_free (request->schema_json);
  g_free (request);
}

void
pw_llm_request_set_system (PwLlmRequest *request,
                           const char   *system)
{
  g_return_if_fail (request != NULL);

  g_free (request->system);
  request->system = (system != NULL && *system != '\0') ? g_strdup (system) : NULL;
}

void
pw_llm_request_add_message (PwLlmRequest *request,
                            const char   *role,
                            const char   *text,
                            gboolean      cacheable)
{
  PwLlmMessage *message;

  g_return_if_fail (request != NULL);
  g_return_if_fail (g_strcmp0 (role, "user") == 0 || g_strcmp0 (role, "assistant") == 0);
  g_return_if_fail (text != NULL);

  message = g_new0 (PwLlmMessage, 1);
  message->role = g_strdup (role);
  message->text = g_strdup (text);
  message->cacheable = cacheable;
  g_ptr_array_add (request->messages, message);
}

void
pw_llm_request_set_max_tokens (PwLlmRequest *request,
                               gint64        max_tokens)
{
  g_return_if_fail (request != NULL);
  g_return_if_fail (max_tokens >= 0);

  request->max_tokens = max_tokens;
}

void
pw_llm_request_set_effort (PwLlmRequest *request,
                           const char   *effort)
{
  g_return_if_fail (request != NULL);

  g_free (request->effort);
  request->effort = (effort != NULL && *effort != '\0') ? g_strdup (effort) : NULL;
}

void
pw_llm_request_set_json_schema (PwLlmRequest *request,
                                const char   *name,
                                const char   *schema_json)
{
  g_return_if_fail (request != NULL);

  g_clear_pointer (&request->schema_name, g_free);
  g_clear_pointer (&request->schema_json, g_free);
  if (schema_json == NULL)
    return;
  request->schema_name = g_strdup (name != NULL && *name != '\0' ? name : "answer");
  request->schema_json = g_strdup (schema_json);
}

const char *
pw_llm_request_get_model (PwLlmRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);

  return request->model;
}

gboolean
pw_llm_request_estimate_cost (PwLlmRequest      *request,
                              const PwModelInfo *model,
                              gint64             expected_output,
                              double            *out_usd)
{
  PwTokenUsage usage = { .reported = TRUE };
  gsize bytes = request->system ? strlen (request->system) : 0;

  g_return_val_if_fail (request != NULL && model != NULL, FALSE);

  for (guint i = 0; i < request->messages->len; i++)
    bytes += strlen (((PwLlmMessage *) g_ptr_array_index (request->messages, i))->text);
  if (request->schema_json)
    bytes += strlen (request->schema_json);
  usage.input_tokens = (gint64) (bytes + 3) / 4;
  usage.output_tokens = MAX (expected_output, 0);
  return pw_models_cost (model, &usage, out_usd);
}

GPtrArray *
pw_llm_request_get_turns (PwLlmRequest      *request,
                          const PwModelInfo *model)
{
  GPtrArray *turns = g_ptr_array_new ();

  for (guint i = 0; i < request->messages->len; i++)
    g_ptr_array_add (turns, g_ptr_array_index (request->messages, i));

  /* A prefill the model cannot continue would be a 400; the caller
   * asked for the answer, not for the prefill, so drop it. */
  if (turns->len > 0 && !model->accepts_prefill)
    {
      PwLlmMessage *last = g_ptr_array_index (turns, turns->len - 1);

      if (g_strcmp0 (last->role, "assistant") == 0)
        g_ptr_array_remove_index (turns, turns->len - 1);
    }
  return turns;
}

const char *
pw_llm_request_pick_effort (PwLlmRequest      *request,
                            const PwModelInfo *model)
{
  if (model->efforts == NULL)
    return NULL;
  if (request->effort != NULL && g_strv_contains ((const char * const *) model->efforts, request->effort))
    return request->effort;
  if (request->effort != NULL)
    g_debug ("Effort “%s” is not accepted by %s; using its default", request->effort, model->id);
  return model->default_effort;
}

gboolean
pw_llm_request_parse_schema (PwLlmRequest  *request,
                             JsonNode     **out_schema,
                             GError       **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  *out_schema = NULL;
  if (request->schema_json == NULL)
    return TRUE;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, request->schema_json, -1, &local_error))
    {
      g_set_error (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_BAD_REQUEST,
                   _("The JSON schema “%s” is not valid JSON: %s"),
                   request->schema_name, local_error->message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_BAD_REQUEST,
                   _("The JSON schema “%s” is not a JSON object"), request->schema_name);
      return FALSE;
    }
  *out_schema = json_node_copy (root);
  return TRUE;
}

void
pw_llm_completion_free (PwLlmCompletion *completion)
{
  if (completion == NULL)
    return;
  g_free (completion->text);
  g_free (completion->thinking);
  g_free (completion->stop_reason_raw);
  g_free (completion->model);
  g_free (completion->request_id);
  g_free (completion->raw_json);
  g_free (completion);
}
