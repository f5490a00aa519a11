/* SPDX-License-Identifier: GPL-3.0-or-later */
/* OpenAI Responses: the request body and the event stream (PROTOCOLS.md §2). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pw-provider-private.h"

struct _PwResponsesProvider
{
  PwProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (PwResponsesProvider, pw_responses_provider, PW_TYPE_PROVIDER)

typedef struct
{
  GHashTable *parts;      /* (output_index << 20 | content_index) → GString */
  GString    *thinking;
  gboolean    refusal;
  JsonNode   *terminal;   /* the response of response.completed / .incomplete */
} Stream;

static const char *
responses_path (PwProvider *self)
{
  return "/v1/responses";
}

static void
responses_add_headers (PwProvider         *self,
                      SoupMessageHeaders *headers)
{
  /* Local servers may need no key; then none is sent. */
  pw_provider_add_bearer_auth (self, headers);
}

static char *
responses_build_body (PwProvider         *self,
                      PwLlmRequest       *request,
                      const PwModelInfo  *model,
                      GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) schema = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) turns = NULL;
  const char *effort;
  gint64 max_tokens;

  if (!pw_llm_request_parse_schema (request, &schema, error))
    return NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  if (request->system != NULL)
    {
      json_builder_set_member_name (builder, "instructions");
      json_builder_add_string_value (builder, request->system);
    }

  turns = pw_llm_request_get_turns (request, model);
  json_builder_set_member_name (builder, "input");
  json_builder_begin_array (builder);
  for (guint i = 0; i < turns->len; i++)
    {
      PwLlmMessage *turn = g_ptr_array_index (turns, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, turn->role);
      json_builder_set_member_name (builder, "content");
      json_builder_add_string_value (builder, turn->text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  /* Covers reasoning and visible text alike (PROTOCOLS.md §2.1) */
  max_tokens = request->max_tokens > 0 ? request->max_tokens : model->max_output_tokens;
  if (max_tokens > 0)
    {
      json_builder_set_member_name (builder, "max_output_tokens");
      json_builder_add_int_value (builder, max_tokens);
    }

  effort = model->thinking == PW_THINKING_EFFORT ? pw_llm_request_pick_effort (request, model) : NULL;
  if (effort != NULL)
    {
      json_builder_set_member_name (builder, "reasoning");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "effort");
      json_builder_add_string_value (builder, effort);
      json_builder_end_object (builder);
    }

  if (schema != NULL)
    {
      json_builder_set_member_name (builder, "text");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "format");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "json_schema");
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, request->schema_name);
      json_builder_set_member_name (builder, "schema");
      json_builder_add_value (builder, g_steal_pointer (&schema));
      json_builder_set_member_name (builder, "strict");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }

  /* Stateless: the whole history goes with every call. */
  json_builder_set_member_name (builder, "store");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return pw_json_to_string (root);
}

static void
string_free (gpointer data)
{
  g_string_free (data, TRUE);
}

static PwStreamState *
responses_stream_new (PwProvider *self)
{
  Stream *stream = g_new0 (Stream, 1);

  stream->parts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, string_free);
  stream->thinking = g_string_new (NULL);
  return (PwStreamState *) stream;
}

static void
responses_stream_free (PwStreamState *state)
{
  Stream *stream = (Stream *) state;

  g_hash_table_unref (stream->parts);
  g_string_free (stream->thinking, TRUE);
  g_clear_pointer (&stream->terminal, json_node_unref);
  g_free (stream);
}

static void
append_part (Stream     *stream,
             JsonObject *root,
             const char *delta)
{
  gint64 output_index = 0;
  gint64 content_index = 0;
  gint64 key;
  GString *part;

  pw_json_int (root, "output_index", &output_index);
  pw_json_int (root, "content_index", &content_index);
  key = (CLAMP (output_index, 0, G_MAXINT32) << 20) | CLAMP (content_index, 0, (1 << 20) - 1);
  part = g_hash_table_lookup (stream->parts, &key);
  if (part == NULL)
    {
      gint64 *owned = g_new (gint64, 1);

      *owned = key;
      part = g_string_new (NULL);
      g_hash_table_insert (stream->parts, owned, part);
    }
  g_string_append (part, delta);
}

static gboolean
responses_stream_event (PwProvider     *self,
                        PwStreamState  *state,
                        const char     *event_type,
                        const char     *data,
                        gsize           len,
                        PwDeltaFunc     emit,
                        gpointer        emit_data,
                        gboolean       *done,
                        GError        **error)
{
  Stream *stream = (Stream *) state;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root;
  const char *type;
  const char *delta;

  if ((node = pw_json_parse_event (data, len, error)) == NULL)
    return FALSE;
  root = json_node_get_object (node);
  type = pw_json_string (root, "type");
  if (type == NULL)
    type = event_type;
  delta = pw_json_string (root, "delta");

  if (g_strcmp0 (type, "response.output_text.delta") == 0 && delta != NULL)
    {
      append_part (stream, root, delta);
      emit (PW_DELTA_TEXT, delta, strlen (delta), emit_data);
    }
  else if (g_strcmp0 (type, "response.refusal.delta") == 0 && delta != NULL)
    {
      stream->refusal = TRUE;
      append_part (stream, root, delta);
      emit (PW_DELTA_TEXT, delta, strlen (delta), emit_data);
    }
  else if ((g_strcmp0 (type, "response.reasoning_summary_text.delta") == 0
            || g_strcmp0 (type, "response.reasoning_text.delta") == 0) && delta != NULL)
    {
      g_string_append (stream->thinking, delta);
      emit (PW_DELTA_THINKING, delta, strlen (delta), emit_data);
    }
  else if (g_strcmp0 (type, "response.completed") == 0 || g_strcmp0 (type, "response.incomplete") == 0)
    {
      if (pw_json_object (root, "response") == NULL)
        {
          g_set_error (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL, _("%s carries no response"), type);
          return FALSE;
        }
      g_clear_pointer (&stream->terminal, json_node_unref);
      stream->terminal = json_node_copy (json_object_get_member (root, "response"));
      *done = TRUE;
    }
  else if (g_strcmp0 (type, "response.failed") == 0)
    {
      JsonObject *response = pw_json_object (root, "response");

      if (pw_json_object (response, "error") != NULL)
        *error = pw_provider_error_from_object (0, response);
      else
        *error = g_error_new_literal (PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_SERVER,
                                      _("the response failed without saying why"));
      return FALSE;
    }
  else if (g_strcmp0 (type, "error") == 0)
    {
      /* flat {code, message} or nested {error: {…}}: both are read */
      *error = pw_provider_error_from_object (0, root);
      return FALSE;
    }
  return TRUE;
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  gint64 ka = *(const gint64 *) a;
  gint64 kb = *(const gint64 *) b;

  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/* The text of the final response, for servers that send no deltas */
static char *
text_of_output (JsonObject *response)
{
  JsonArray *output = pw_json_array (response, "output");
  GString *text = g_string_new (NULL);

  for (guint i = 0; output != NULL && i < json_array_get_length (output); i++)
    {
      JsonNode *item_node = json_array_get_element (output, i);
      JsonObject *item = JSON_NODE_HOLDS_OBJECT (item_node) ? json_node_get_object (item_node) : NULL;
      JsonArray *content = pw_json_array (item, "content");

      if (g_strcmp0 (pw_json_string (item, "type"), "message") != 0)
        continue;
      for (guint j = 0; content != NULL && j < json_array_get_length (content); j++)
        {
          JsonNode *part_node = json_array_get_element (content, j);
          JsonObject *part = JSON_NODE_HOLDS_OBJECT (part_node) ? json_node_get_object (part_node) : NULL;
          const char *value = pw_json_string (part, "text");

          if (g_strcmp0 (pw_json_string (part, "type"), "output_text") == 0 && value != NULL)
            g_string_append (text, value);
        }
    }
  return g_string_free (text, FALSE);
}

static gboolean
has_function_call (JsonObject *response)
{
  JsonArray *output = pw_json_array (response, "output");

  for (guint i = 0; output != NULL && i < json_array_get_length (output); i++)
    {
      JsonNode *item = json_array_get_element (output, i);

      if (JSON_NODE_HOLDS_OBJECT (item)
          && g_strcmp0 (pw_json_string (json_node_get_object (item), "type"), "function_call") == 0)
        return TRUE;
    }
  return FALSE;
}

static PwLlmCompletion *
responses_stream_complete (PwProvider     *self,
                           PwStreamState  *state,
                           GError        **error)
{
  Stream *stream = (Stream *) state;
  g_autoptr(GList) keys = NULL;
  PwLlmCompletion *completion;
  JsonObject *response;
  JsonObject *usage;
  const char *status;
  GString *text;
  gint64 value;

  if (stream->terminal == NULL)
    {
      g_set_error_literal (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_TRUNCATED,
                           _("no response.completed event"));
      return NULL;
    }

  completion = g_new0 (PwLlmCompletion, 1);
  response = json_node_get_object (stream->terminal);
  status = pw_json_string (response, "status");

  keys = g_list_sort (g_hash_table_get_keys (stream->parts), compare_keys);
  text = g_string_new (NULL);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      GString *part = g_hash_table_lookup (stream->parts, l->data);

      g_string_append_len (text, part->str, (gssize) part->len);
    }
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      completion->text = text_of_output (response);
    }
  else
    completion->text = g_string_free (text, FALSE);
  completion->thinking = g_strdup (stream->thinking->str);
  completion->model = g_strdup (pw_json_string (response, "model"));

  if (g_strcmp0 (status, "incomplete") == 0)
    {
      const char *reason = pw_json_string (pw_json_object (response, "incomplete_details"), "reason");

      completion->stop_reason_raw = g_strdup (reason != NULL ? reason : status);
      completion->stop_reason = g_strcmp0 (reason, "max_output_tokens") == 0 ? PW_STOP_MAX_TOKENS
                                : g_strcmp0 (reason, "content_filter") == 0 ? PW_STOP_REFUSAL
                                : PW_STOP_UNKNOWN;
    }
  else
    {
      completion->stop_reason_raw = g_strdup (status != NULL ? status : "completed");
      completion->stop_reason = stream->refusal ? PW_STOP_REFUSAL
                                : has_function_call (response) ? PW_STOP_TOOL_USE
                                : g_strcmp0 (status, "completed") == 0 ? PW_STOP_END : PW_STOP_UNKNOWN;
    }

  if ((usage = pw_json_object (response, "usage")) != NULL)
    {
      JsonObject *input_details = pw_json_object (usage, "input_tokens_details");
      JsonObject *output_details = pw_json_object (usage, "output_tokens_details");

      completion->usage.reported = TRUE;
      if (pw_json_int (usage, "input_tokens", &value))
        completion->usage.input_tokens = value;
      if (pw_json_int (usage, "output_tokens", &value))
        completion->usage.output_tokens = value;
      if (pw_json_int (input_details, "cached_tokens", &value))
        completion->usage.cache_read_tokens = value;
      if (pw_json_int (input_details, "cache_write_tokens", &value))
        completion->usage.cache_write_tokens = value;
      if (pw_json_int (output_details, "reasoning_tokens", &value))
        completion->usage.reasoning_tokens = value;
    }

  completion->raw_json = pw_json_to_string (stream->terminal);
  return completion;
}

static void
pw_responses_provider_class_init (PwResponsesProviderClass *klass)
{
  PwProviderClass *provider_class = PW_PROVIDER_CLASS (klass);

  provider_class->path = responses_path;
  provider_class->build_body = responses_build_body;
  provider_class->add_headers = responses_add_headers;
  provider_class->stream_new = responses_stream_new;
  provider_class->stream_free = responses_stream_free;
  provider_class->stream_event = responses_stream_event;
  provider_class->stream_complete = responses_stream_complete;
}

static void
pw_responses_provider_init (PwResponsesProvider *self)
{
}
