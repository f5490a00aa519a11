/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Chat Completions, OpenAI's and the compatible servers' (Ollama, llama.cpp, vLLM, OpenRouter): PROTOCOLS.md §3. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pw-provider-private.h"

struct _PwChatProvider
{
  PwProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (PwChatProvider, pw_chat_provider, PW_TYPE_PROVIDER)

typedef struct
{
  char    *id;
  char    *name;
  GString *arguments;
} ToolCall;

typedef struct
{
  char      *id;
  char      *model;
  gint64     created;
  GString   *content;
  GString   *reasoning;
  GString   *refusal;
  GPtrArray *tool_calls;    /* ToolCall or NULL, by index */
  char      *finish_reason; /* the first non-null one */
  JsonNode  *usage;         /* the last non-null one, wherever it came */
} Stream;

static void
tool_call_free (ToolCall *call)
{
  if (call == NULL)
    return;
  g_free (call->id);
  g_free (call->name);
  g_string_free (call->arguments, TRUE);
  g_free (call);
}

static const char *
chat_path (PwProvider *self)
{
  return "/v1/chat/completions";
}

static void
chat_add_headers (PwProvider         *self,
                 SoupMessageHeaders *headers)
{
  /* Local servers may need no key; then none is sent. */
  pw_provider_add_bearer_auth (self, headers);
}

static void
add_message (JsonBuilder *builder,
             const char  *role,
             const char  *text)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
}

static char *
chat_build_body (PwProvider         *self,
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

  turns = pw_llm_request_get_turns (request, model);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  if (request->system != NULL)
    add_message (builder, "system", request->system);
  for (guint i = 0; i < turns->len; i++)
    {
      PwLlmMessage *turn = g_ptr_array_index (turns, i);

      add_message (builder, turn->role, turn->text);
    }
  json_builder_end_array (builder);

  /* max_tokens is the legacy name some reasoning models refuse; an
   * unknown local model keeps the server's own limit. */
  max_tokens = request->max_tokens > 0 ? request->max_tokens
               : model->known ? model->max_output_tokens : 0;
  if (max_tokens > 0)
    {
      json_builder_set_member_name (builder, "max_completion_tokens");
      json_builder_add_int_value (builder, max_tokens);
    }

  effort = model->thinking == PW_THINKING_EFFORT ? pw_llm_request_pick_effort (request, model) : NULL;
  if (effort != NULL)
    {
      json_builder_set_member_name (builder, "reasoning_effort");
      json_builder_add_string_value (builder, effort);
    }

  if (schema != NULL)
    {
      json_builder_set_member_name (builder, "response_format");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "json_schema");
      json_builder_set_member_name (builder, "json_schema");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, request->schema_name);
      json_builder_set_member_name (builder, "schema");
      json_builder_add_value (builder, g_steal_pointer (&schema));
      json_builder_set_member_name (builder, "strict");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "stream_options");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "include_usage");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return pw_json_to_string (root);
}

static PwStreamState *
chat_stream_new (PwProvider *self)
{
  Stream *stream = g_new0 (Stream, 1);

  stream->content = g_string_new (NULL);
  stream->reasoning = g_string_new (NULL);
  stream->refusal = g_string_new (NULL);
  stream->tool_calls = g_ptr_array_new_with_free_func ((GDestroyNotify) tool_call_free);
  return (PwStreamState *) stream;
}

static void
chat_stream_free (PwStreamState *state)
{
  Stream *stream = (Stream *) state;

  g_free (stream->id);
  g_free (stream->model);
  g_string_free (stream->content, TRUE);
  g_string_free (stream->reasoning, TRUE);
  g_string_free (stream->refusal, TRUE);
  g_ptr_array_unref (stream->tool_calls);
  g_free (stream->finish_reason);
  g_clear_pointer (&stream->usage, json_node_unref);
  g_free (stream);
}

static void
on_tool_calls (Stream    *stream,
               JsonArray *calls)
{
  for (guint i = 0; i < json_array_get_length (calls); i++)
    {
      JsonNode *node = json_array_get_element (calls, i);
      JsonObject *fragment = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *function = pw_json_object (fragment, "function");
      const char *value;
      gint64 index = i;
      ToolCall *call;

      if (fragment == NULL)
        continue;
      pw_json_int (fragment, "index", &index);
      if (index < 0 || index > 1024)
        continue;
      if ((guint) index >= stream->tool_calls->len)
        g_ptr_array_set_size (stream->tool_calls, (guint) index + 1);
      if ((call = g_ptr_array_index (stream->tool_calls, index)) == NULL)
        {
          call = g_new0 (ToolCall, 1);
          call->arguments = g_string_new (NULL);
          g_ptr_array_index (stream->tool_calls, index) = call;
        }
      if ((value = pw_json_string (fragment, "id")) != NULL && call->id == NULL)
        call->id = g_strdup (value);
      if ((value = pw_json_string (function, "name")) != NULL && call->name == NULL)
        call->name = g_strdup (value);
      if ((value = pw_json_string (function, "arguments")) != NULL)
        g_string_append (call->arguments, value);
    }
}

static void
on_choice (Stream      *stream,
           JsonObject  *choice,
           PwDeltaFunc  emit,
           gpointer     emit_data)
{
  JsonObject *delta = pw_json_object (choice, "delta");
  const char *content = pw_json_string (delta, "content");
  const char *reasoning = pw_json_string (delta, "reasoning_content");
  const char *refusal = pw_json_string (delta, "refusal");
  const char *finish = pw_json_string (choice, "finish_reason");
  JsonArray *tool_calls = pw_json_array (delta, "tool_calls");

  /* llama.cpp says reasoning_content, Ollama and new vLLM reasoning */
  if (reasoning == NULL)
    reasoning = pw_json_string (delta, "reasoning");
  if (reasoning != NULL && *reasoning != '\0')
    {
      g_string_append (stream->reasoning, reasoning);
      emit (PW_DELTA_THINKING, reasoning, strlen (reasoning), emit_data);
    }
  if (content != NULL && *content != '\0')
    {
      g_string_append (stream->content, content);
      emit (PW_DELTA_TEXT, content, strlen (content), emit_data);
    }
  if (refusal != NULL && *refusal != '\0')
    {
      g_string_append (stream->refusal, refusal);
      emit (PW_DELTA_TEXT, refusal, strlen (refusal), emit_data);
    }
  if (tool_calls != NULL)
    on_tool_calls (stream, tool_calls);
  if (finish != NULL && stream->finish_reason == NULL)
    stream->finish_reason = g_strdup (finish);
}

/* "[DONE]", give or take whitespace; not JSON */
static gboolean
is_done (const char *data,
         gsize       len)
{
  while (len > 0 && g_ascii_isspace (*data))
    data++, len--;
  while (len > 0 && g_ascii_isspace (data[len - 1]))
    len--;
  return len == 6 && memcmp (data, "[DONE]", 6) == 0;
}

static gboolean
chat_stream_event (PwProvider     *self,
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
  JsonNode *error_node;
  JsonArray *choices;
  const char *value;
  gint64 created;

  /* Success is decided by finish_reason; [DONE] only ends the reading,
   * and need not come at all (llama.cpp). */
  if (is_done (data, len))
    {
      *done = TRUE;
      return TRUE;
    }

  if ((node = pw_json_parse_event (data, len, error)) == NULL)
    return FALSE;
  root = json_node_get_object (node);

  /* Any top-level error, whatever else the chunk carries (OpenRouter
   * adds finish_reason "error" beside it) */
  error_node = json_object_get_member (root, "error");
  if ((error_node != NULL && !JSON_NODE_HOLDS_NULL (error_node)) || g_strcmp0 (event_type, "error") == 0)
    {
      if (error_node != NULL && JSON_NODE_HOLDS_VALUE (error_node) && json_node_get_value_type (error_node) != G_TYPE_STRING)
        {
          g_autofree char *snippet = pw_provider_snippet (data, len);

          *error = g_error_new (PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL, "%s", snippet);
        }
      else
        *error = pw_provider_error_from_object (0, root);
      return FALSE;
    }

  if (stream->id == NULL && (value = pw_json_string (root, "id")) != NULL)
    stream->id = g_strdup (value);
  if (stream->model == NULL && (value = pw_json_string (root, "model")) != NULL)
    stream->model = g_strdup (value);
  if (stream->created == 0 && pw_json_int (root, "created", &created))
    stream->created = created;

  if ((choices = pw_json_array (root, "choices")) != NULL)
    {
      for (guint i = 0; i < json_array_get_length (choices); i++)
        {
          JsonNode *choice_node = json_array_get_element (choices, i);
          JsonObject *choice = JSON_NODE_HOLDS_OBJECT (choice_node) ? json_node_get_object (choice_node) : NULL;
          gint64 index = 0;

          /* we ask for one choice; a server adding more is ignored */
          pw_json_int (choice, "index", &index);
          if (choice != NULL && index == 0)
            on_choice (stream, choice, emit, emit_data);
        }
    }

  if (pw_json_object (root, "usage") != NULL)
    {
      g_clear_pointer (&stream->usage, json_node_unref);
      stream->usage = json_node_copy (json_object_get_member (root, "usage"));
    }
  return TRUE;
}

static JsonNode *
synthesize_raw (Stream *stream)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  /* What the non-streaming endpoint would have answered */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, stream->id);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, "chat.completion");
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, stream->created);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, stream->model);
  json_builder_set_member_name (builder, "choices");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "index");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "message");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, "assistant");
  json_builder_set_member_name (builder, "content");
  json_builder_add_string_value (builder, stream->content->str);
  if (stream->reasoning->len > 0)
    {
      json_builder_set_member_name (builder, "reasoning_content");
      json_builder_add_string_value (builder, stream->reasoning->str);
    }
  if (stream->refusal->len > 0)
    {
      json_builder_set_member_name (builder, "refusal");
      json_builder_add_string_value (builder, stream->refusal->str);
    }
  if (stream->tool_calls->len > 0)
    {
      json_builder_set_member_name (builder, "tool_calls");
      json_builder_begin_array (builder);
      for (guint i = 0; i < stream->tool_calls->len; i++)
        {
          ToolCall *call = g_ptr_array_index (stream->tool_calls, i);

          if (call == NULL)
            continue;
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, call->id);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, "function");
          json_builder_set_member_name (builder, "function");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, call->name);
          json_builder_set_member_name (builder, "arguments");
          json_builder_add_string_value (builder, call->arguments->str);
          json_builder_end_object (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "finish_reason");
  json_builder_add_string_value (builder, stream->finish_reason);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "usage");
  if (stream->usage != NULL)
    json_builder_add_value (builder, json_node_copy (stream->usage));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static PwLlmCompletion *
chat_stream_complete (PwProvider     *self,
                      PwStreamState  *state,
                      GError        **error)
{
  Stream *stream = (Stream *) state;
  g_autoptr(JsonNode) raw = NULL;
  PwLlmCompletion *completion;
  gint64 value;
  double cost;

  if (stream->finish_reason == NULL)
    {
      g_set_error_literal (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_TRUNCATED, _("no finish_reason"));
      return NULL;
    }

  completion = g_new0 (PwLlmCompletion, 1);
  completion->text = g_strconcat (stream->content->str, stream->refusal->str, NULL);
  completion->thinking = g_strdup (stream->reasoning->str);
  completion->stop_reason_raw = g_strdup (stream->finish_reason);
  completion->stop_reason = stream->refusal->len > 0 ? PW_STOP_REFUSAL
                            : pw_stop_reason_from_chat (stream->finish_reason);
  completion->model = g_strdup (stream->model);

  if (stream->usage != NULL)
    {
      JsonObject *usage = json_node_get_object (stream->usage);
      JsonObject *prompt_details = pw_json_object (usage, "prompt_tokens_details");
      JsonObject *completion_details = pw_json_object (usage, "completion_tokens_details");

      completion->usage.reported = TRUE;
      if (pw_json_int (usage, "prompt_tokens", &value))
        completion->usage.input_tokens = value;
      if (pw_json_int (usage, "completion_tokens", &value))
        completion->usage.output_tokens = value;
      if (pw_json_int (prompt_details, "cached_tokens", &value))
        completion->usage.cache_read_tokens = value;
      if (pw_json_int (completion_details, "reasoning_tokens", &value))
        completion->usage.reasoning_tokens = value;
      /* OpenRouter states what it charged */
      if (pw_json_double (usage, "cost", &cost))
        {
          completion->usage.server_cost_known = TRUE;
          completion->usage.server_cost_usd = cost;
        }
    }

  raw = synthesize_raw (stream);
  completion->raw_json = pw_json_to_string (raw);
  return completion;
}

static void
pw_chat_provider_class_init (PwChatProviderClass *klass)
{
  PwProviderClass *provider_class = PW_PROVIDER_CLASS (klass);

  provider_class->path = chat_path;
  provider_class->build_body = chat_build_body;
  provider_class->add_headers = chat_add_headers;
  provider_class->stream_new = chat_stream_new;
  provider_class->stream_free = chat_stream_free;
  provider_class->stream_event = chat_stream_event;
  provider_class->stream_complete = chat_stream_complete;
}

static void
pw_chat_provider_init (PwChatProvider *self)
{
}
