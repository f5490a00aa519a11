/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Anthropic Messages: the request body and the event stream (PROTOCOLS.md §1). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pw-provider-private.h"

/* Under 2026-10-21 sampling parameters are a 400, so none are ever sent. */
#define ANTHROPIC_VERSION "2026-10-21"
#define DEFAULT_MAX_TOKENS 8192
#define MAX_CACHE_BREAKPOINTS 4
#define MIN_THINKING_BUDGET 1024

struct _PwAnthropicProvider
{
  PwProvider parent_instance;
};

G_DEFINE_FINAL_TYPE (PwAnthropicProvider, pw_anthropic_provider, PW_TYPE_PROVIDER)

typedef struct
{
  char       *type;
  JsonNode   *start;       /* content_block of content_block_start */
  GString    *text;        /* text or thinking */
  GString    *signature;
  GString    *json;        /* input_json_delta fragments */
  JsonArray  *citations;
  JsonNode   *input;       /* the parsed tool input */
} Block;

typedef struct
{
  JsonNode   *message;     /* message_start's message */
  JsonObject *usage;       /* owned by message; updated in place */
  GPtrArray  *blocks;      /* Block or NULL, by index */
  char       *stop_reason;
  JsonNode   *stop_sequence;
  JsonNode   *stop_details;
  gboolean    stopped;     /* message_stop seen */
} Stream;

static void
block_free (Block *block)
{
  if (block == NULL)
    return;
  g_free (block->type);
  g_clear_pointer (&block->start, json_node_unref);
  g_string_free (block->text, TRUE);
  g_string_free (block->signature, TRUE);
  g_string_free (block->json, TRUE);
  g_clear_pointer (&block->citations, json_array_unref);
  g_clear_pointer (&block->input, json_node_unref);
  g_free (block);
}

static const char *
anthropic_path (PwProvider *self)
{
  return "/v1/messages";
}

static void
anthropic_add_headers (PwProvider         *self,
                       SoupMessageHeaders *headers)
{
  const char *key = pw_provider_get_api_key (self);

  /* The SDKs from TS 1.0 / Python 2.0 on send only Bearer (PROTOCOLS.md §1.1). */
  if (key != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
      memset (value, 0, strlen (value));
    }
  soup_message_headers_replace (headers, "anthropic-version", ANTHROPIC_VERSION);
  soup_message_headers_replace (headers, "Accept", "application/json");
}

static void
add_cache_control (JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "cache_control");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "ephemeral");
  json_builder_end_object (builder);
}

static void
add_text_block (JsonBuilder *builder,
                const char  *text,
                gboolean     cache)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "text");
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  if (cache)
    add_cache_control (builder);
  json_builder_end_object (builder);
}

/* Manual thinking budgets for the models that still need them, from the
 * effort names the adaptive models use. */
static gint64
budget_for (const char *effort,
            gint64      max_tokens)
{
  gint64 budget = 8192;

  if (g_strcmp0 (effort, "low") == 0 || g_strcmp0 (effort, "minimal") == 0)
    budget = 2048;
  else if (g_strcmp0 (effort, "high") == 0)
    budget = 16384;
  else if (g_strcmp0 (effort, "xhigh") == 0)
    budget = 32768;
  else if (g_strcmp0 (effort, "max") == 0)
    budget = max_tokens - 1;
  return MIN (budget, max_tokens - 1);
}

static char *
anthropic_build_body (PwProvider         *self,
                      PwLlmRequest       *request,
                      const PwModelInfo  *model,
                      GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) schema = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) turns = NULL;
  const char *effort = NULL;
  gint64 max_tokens;
  gint64 budget = 0;
  guint breakpoints;
  guint first_cached;
  guint cacheable = 0;

  if (!pw_llm_request_parse_schema (request, &schema, error))
    return NULL;

  max_tokens = request->max_tokens > 0 ? request->max_tokens
               : model->max_output_tokens > 0 ? model->max_output_tokens : DEFAULT_MAX_TOKENS;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, request->model);
  json_builder_set_member_name (builder, "max_tokens");
  json_builder_add_int_value (builder, max_tokens);
  json_builder_set_member_name (builder, "stream");
  json_builder_add_boolean_value (builder, TRUE);

  /* At most four cache breakpoints per request: the system prompt, then
   * the latest cacheable turns (a later breakpoint covers more). */
  breakpoints = MAX_CACHE_BREAKPOINTS;
  if (request->system != NULL)
    {
      json_builder_set_member_name (builder, "system");
      json_builder_begin_array (builder);
      add_text_block (builder, request->system, TRUE);
      json_builder_end_array (builder);
      breakpoints--;
    }

  turns = pw_llm_request_get_turns (request, model);
  for (guint i = 0; i < turns->len; i++)
    cacheable += ((PwLlmMessage *) g_ptr_array_index (turns, i))->cacheable ? 1 : 0;
  first_cached = cacheable > breakpoints ? cacheable - breakpoints : 0;

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0, seen = 0; i < turns->len; i++)
    {
      PwLlmMessage *turn = g_ptr_array_index (turns, i);
      gboolean cache = FALSE;

      if (turn->cacheable)
        cache = seen++ >= first_cached;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, turn->role);
      json_builder_set_member_name (builder, "content");
      json_builder_begin_array (builder);
      add_text_block (builder, turn->text, cache);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  switch (model->thinking)
    {
    case PW_THINKING_ADAPTIVE:
      json_builder_set_member_name (builder, "thinking");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "adaptive");
      json_builder_end_object (builder);
      effort = pw_llm_request_pick_effort (request, model);
      break;
    case PW_THINKING_BUDGET:
      budget = budget_for (request->effort != NULL ? request->effort : model->default_effort, max_tokens);
      if (budget >= MIN_THINKING_BUDGET)
        {
          json_builder_set_member_name (builder, "thinking");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, "enabled");
          json_builder_set_member_name (builder, "budget_tokens");
          json_builder_add_int_value (builder, budget);
          json_builder_end_object (builder);
        }
      break;
    case PW_THINKING_EFFORT:
      effort = pw_llm_request_pick_effort (request, model);
      break;
    case PW_THINKING_NONE:
    default:
      break;
    }

  if (effort != NULL || schema != NULL)
    {
      json_builder_set_member_name (builder, "output_config");
      json_builder_begin_object (builder);
      if (effort != NULL)
        {
          json_builder_set_member_name (builder, "effort");
          json_builder_add_string_value (builder, effort);
        }
      if (schema != NULL)
        {
          json_builder_set_member_name (builder, "format");
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, "json_schema");
          json_builder_set_member_name (builder, "schema");
          json_builder_add_value (builder, g_steal_pointer (&schema));
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return pw_json_to_string (root);
}

static PwStreamState *
anthropic_stream_new (PwProvider *self)
{
  Stream *stream = g_new0 (Stream, 1);

  stream->blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) block_free);
  return (PwStreamState *) stream;
}

static void
anthropic_stream_free (PwStreamState *state)
{
  Stream *stream = (Stream *) state;

  g_clear_pointer (&stream->message, json_node_unref);
  g_ptr_array_unref (stream->blocks);
  g_free (stream->stop_reason);
  g_clear_pointer (&stream->stop_sequence, json_node_unref);
  g_clear_pointer (&stream->stop_details, json_node_unref);
  g_free (stream);
}

static Block *
get_block (Stream     *stream,
           gint64      index,
           const char *type)
{
  Block *block;

  /* A sane index only: the blocks array is sized by it. */
  if (index < 0 || index > 4096)
    return NULL;
  if ((guint) index >= stream->blocks->len)
    g_ptr_array_set_size (stream->blocks, (guint) index + 1);
  block = g_ptr_array_index (stream->blocks, index);
  if (block == NULL)
    {
      block = g_new0 (Block, 1);
      block->type = g_strdup (type);
      block->text = g_string_new (NULL);
      block->signature = g_string_new (NULL);
      block->json = g_string_new (NULL);
      g_ptr_array_index (stream->blocks, index) = block;
    }
  return block;
}

static gboolean
on_block_start (Stream      *stream,
                JsonObject  *root,
                PwDeltaFunc  emit,
                gpointer     emit_data)
{
  JsonObject *content = pw_json_object (root, "content_block");
  const char *type = pw_json_string (content, "type");
  const char *initial = NULL;
  gint64 index = -1;
  Block *block;

  if (content == NULL || !pw_json_int (root, "index", &index)
      || (block = get_block (stream, index, type)) == NULL)
    return FALSE;
  g_free (block->type);
  block->type = g_strdup (type);
  g_clear_pointer (&block->start, json_node_unref);
  block->start = json_node_copy (json_object_get_member (root, "content_block"));

  if (g_strcmp0 (type, "text") == 0)
    initial = pw_json_string (content, "text");
  else if (g_strcmp0 (type, "thinking") == 0)
    initial = pw_json_string (content, "thinking");
  if (initial != NULL && *initial != '\0')
    {
      g_string_append (block->text, initial);
      emit (g_strcmp0 (type, "text") == 0 ? PW_DELTA_TEXT : PW_DELTA_THINKING,
            initial, strlen (initial), emit_data);
    }
  return TRUE;
}

static gboolean
on_block_delta (Stream      *stream,
                JsonObject  *root,
                PwDeltaFunc  emit,
                gpointer     emit_data)
{
  JsonObject *delta = pw_json_object (root, "delta");
  const char *type = pw_json_string (delta, "type");
  const char *value;
  gint64 index = -1;
  Block *block;

  if (delta == NULL || !pw_json_int (root, "index", &index))
    return FALSE;

  if (g_strcmp0 (type, "text_delta") == 0 && (value = pw_json_string (delta, "text")) != NULL)
    {
      if ((block = get_block (stream, index, "text")) == NULL)
        return FALSE;
      g_string_append (block->text, value);
      emit (PW_DELTA_TEXT, value, strlen (value), emit_data);
    }
  else if (g_strcmp0 (type, "thinking_delta") == 0 && (value = pw_json_string (delta, "thinking")) != NULL)
    {
      if ((block = get_block (stream, index, "thinking")) == NULL)
        return FALSE;
      g_string_append (block->text, value);
      emit (PW_DELTA_THINKING, value, strlen (value), emit_data);
    }
  else if (g_strcmp0 (type, "signature_delta") == 0 && (value = pw_json_string (delta, "signature")) != NULL)
    {
      /* replaced, not appended */
      if ((block = get_block (stream, index, "thinking")) == NULL)
        return FALSE;
      g_string_assign (block->signature, value);
    }
  else if (g_strcmp0 (type, "input_json_delta") == 0 && (value = pw_json_string (delta, "partial_json")) != NULL)
    {
      if ((block = get_block (stream, index, "tool_use")) == NULL)
        return FALSE;
      g_string_append (block->json, value);
    }
  else if (g_strcmp0 (type, "citations_delta") == 0 && json_object_has_member (delta, "citation"))
    {
      if ((block = get_block (stream, index, "text")) == NULL)
        return FALSE;
      if (block->citations == NULL)
        block->citations = json_array_new ();
      json_array_add_element (block->citations, json_node_copy (json_object_get_member (delta, "citation")));
    }
  /* other delta types: skipped, as the versioning policy allows new ones */
  return TRUE;
}

static gboolean
on_block_stop (Stream      *stream,
               JsonObject  *root,
               GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  gint64 index = -1;
  Block *block;

  if (!pw_json_int (root, "index", &index) || index < 0 || (guint) index >= stream->blocks->len
      || (block = g_ptr_array_index (stream->blocks, index)) == NULL)
    return TRUE;
  if (block->json->len == 0)
    return TRUE;

  /* Tool input arrives cut anywhere; only the whole is JSON. */
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, block->json->str, (gssize) block->json->len, NULL)
      || json_parser_get_root (parser) == NULL)
    {
      g_autofree char *snippet = pw_provider_snippet (block->json->str, block->json->len);

      g_set_error (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL,
                   _("the input of tool block %d is not valid JSON: “%s”"), (int) index, snippet);
      return FALSE;
    }
  g_clear_pointer (&block->input, json_node_unref);
  block->input = json_node_copy (json_parser_get_root (parser));
  return TRUE;
}

static void
on_message_delta (Stream     *stream,
                  JsonObject *root)
{
  JsonObject *delta = pw_json_object (root, "delta");
  JsonObject *usage = pw_json_object (root, "usage");
  const char *reason = pw_json_string (delta, "stop_reason");

  if (reason != NULL)
    {
      g_free (stream->stop_reason);
      stream->stop_reason = g_strdup (reason);
    }
  if (delta != NULL && json_object_has_member (delta, "stop_sequence"))
    {
      g_clear_pointer (&stream->stop_sequence, json_node_unref);
      stream->stop_sequence = json_node_copy (json_object_get_member (delta, "stop_sequence"));
    }
  if (delta != NULL && json_object_has_member (delta, "stop_details"))
    {
      g_clear_pointer (&stream->stop_details, json_node_unref);
      stream->stop_details = json_node_copy (json_object_get_member (delta, "stop_details"));
    }

  /* Cumulative totals: a counter present here replaces the one from
   * message_start; one absent or null keeps it (never add). */
  if (usage != NULL && stream->usage != NULL)
    {
      g_autoptr(GList) members = json_object_get_members (usage);

      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (usage, l->data);

          if (!JSON_NODE_HOLDS_NULL (value))
            json_object_set_member (stream->usage, l->data, json_node_copy (value));
        }
    }
}

static gboolean
anthropic_stream_event (PwProvider     *self,
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

  /* Dispatch on the event name, as the SDK does; events without an
   * event: line ("message") and unknown names are skipped unparsed. */
  if (g_strcmp0 (event_type, "ping") == 0 || g_strcmp0 (event_type, "message") == 0)
    return TRUE;
  if (!g_str_has_prefix (event_type, "message_") && !g_str_has_prefix (event_type, "content_block_")
      && g_strcmp0 (event_type, "error") != 0)
    return TRUE;

  if ((node = pw_json_parse_event (data, len, error)) == NULL)
    return FALSE;
  root = json_node_get_object (node);

  if (g_strcmp0 (event_type, "message_start") == 0)
    {
      JsonObject *message = pw_json_object (root, "message");

      if (message == NULL)
        goto malformed;
      g_clear_pointer (&stream->message, json_node_unref);
      stream->message = json_node_copy (json_object_get_member (root, "message"));
      stream->usage = pw_json_object (json_node_get_object (stream->message), "usage");
      if (stream->usage == NULL)
        {
          json_object_set_object_member (json_node_get_object (stream->message), "usage", json_object_new ());
          stream->usage = pw_json_object (json_node_get_object (stream->message), "usage");
        }
    }
  else if (g_strcmp0 (event_type, "content_block_start") == 0)
    {
      if (!on_block_start (stream, root, emit, emit_data))
        goto malformed;
    }
  else if (g_strcmp0 (event_type, "content_block_delta") == 0)
    {
      if (!on_block_delta (stream, root, emit, emit_data))
        goto malformed;
    }
  else if (g_strcmp0 (event_type, "content_block_stop") == 0)
    return on_block_stop (stream, root, error);
  else if (g_strcmp0 (event_type, "message_delta") == 0)
    on_message_delta (stream, root);
  else if (g_strcmp0 (event_type, "message_stop") == 0)
    {
      stream->stopped = TRUE;
      *done = TRUE;
    }
  else if (g_strcmp0 (event_type, "error") == 0)
    {
      *error = pw_provider_error_from_object (0, root);
      return FALSE;
    }
  return TRUE;

malformed:
  {
    g_autofree char *snippet = pw_provider_snippet (data, len);

    g_set_error (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL,
                 _("a %s event lacks its fields: “%s”"), event_type, snippet);
    return FALSE;
  }
}

static gint64
usage_int (JsonObject *usage,
           const char *member)
{
  gint64 value = 0;

  return pw_json_int (usage, member, &value) ? value : 0;
}

static JsonNode *
block_to_json (Block *block)
{
  JsonNode *node;
  JsonObject *object;

  node = block->start != NULL ? json_node_copy (block->start) : json_node_init_object (json_node_alloc (), json_object_new ());
  object = json_node_get_object (node);
  if (block->start == NULL && block->type != NULL)
    json_object_set_string_member (object, "type", block->type);

  if (g_strcmp0 (block->type, "text") == 0)
    {
      json_object_set_string_member (object, "text", block->text->str);
      if (block->citations != NULL)
        json_object_set_array_member (object, "citations", json_array_ref (block->citations));
    }
  else if (g_strcmp0 (block->type, "thinking") == 0)
    {
      json_object_set_string_member (object, "thinking", block->text->str);
      json_object_set_string_member (object, "signature", block->signature->str);
    }
  else if (block->input != NULL)
    json_object_set_member (object, "input", json_node_copy (block->input));
  return node;
}

static PwLlmCompletion *
anthropic_stream_complete (PwProvider     *self,
                           PwStreamState  *state,
                           GError        **error)
{
  Stream *stream = (Stream *) state;
  PwLlmCompletion *completion;
  JsonObject *message;
  JsonObject *usage;
  JsonObject *split;
  JsonArray *content;
  GString *text;
  GString *thinking;
  gint64 value;

  if (!stream->stopped || stream->message == NULL)
    {
      g_set_error_literal (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_TRUNCATED,
                           stream->message == NULL ? _("no message_start event") : _("no message_stop event"));
      return NULL;
    }

  completion = g_new0 (PwLlmCompletion, 1);
  message = json_node_get_object (stream->message);
  usage = stream->usage;
  text = g_string_new (NULL);
  thinking = g_string_new (NULL);
  content = json_array_new ();

  for (guint i = 0; i < stream->blocks->len; i++)
    {
      Block *block = g_ptr_array_index (stream->blocks, i);

      if (block == NULL)
        continue;
      if (g_strcmp0 (block->type, "text") == 0)
        g_string_append_len (text, block->text->str, (gssize) block->text->len);
      else if (g_strcmp0 (block->type, "thinking") == 0)
        g_string_append_len (thinking, block->text->str, (gssize) block->text->len);
      json_array_add_element (content, block_to_json (block));
    }
  completion->text = g_string_free (text, FALSE);
  completion->thinking = g_string_free (thinking, FALSE);
  completion->stop_reason_raw = g_strdup (stream->stop_reason);
  completion->stop_reason = pw_stop_reason_from_anthropic (stream->stop_reason);
  completion->model = g_strdup (pw_json_string (message, "model"));

  completion->usage.reported = pw_json_int (usage, "output_tokens", &value);
  completion->usage.input_tokens = usage_int (usage, "input_tokens");
  completion->usage.output_tokens = usage_int (usage, "output_tokens");
  completion->usage.cache_read_tokens = usage_int (usage, "cache_read_input_tokens");
  if ((split = pw_json_object (usage, "cache_creation")) != NULL)
    {
      completion->usage.cache_write_tokens = usage_int (split, "ephemeral_5m_input_tokens");
      completion->usage.cache_write_1h_tokens = usage_int (split, "ephemeral_1h_input_tokens");
    }
  else
    completion->usage.cache_write_tokens = usage_int (usage, "cache_creation_input_tokens");
  completion->usage.reasoning_tokens = usage_int (pw_json_object (usage, "output_tokens_details"), "thinking_tokens");

  /* raw_json: the message as the non-streaming API would have sent it */
  json_object_set_array_member (message, "content", content);
  if (stream->stop_reason != NULL)
    json_object_set_string_member (message, "stop_reason", stream->stop_reason);
  if (stream->stop_sequence != NULL)
    json_object_set_member (message, "stop_sequence", json_node_copy (stream->stop_sequence));
  if (stream->stop_details != NULL)
    json_object_set_member (message, "stop_details", json_node_copy (stream->stop_details));
  completion->raw_json = pw_json_to_string (stream->message);
  return completion;
}

static void
pw_anthropic_provider_class_init (PwAnthropicProviderClass *klass)
{
  PwProviderClass *provider_class = PW_PROVIDER_CLASS (klass);

  provider_class->path = anthropic_path;
  provider_class->build_body = anthropic_build_body;
  provider_class->add_headers = anthropic_add_headers;
  provider_class->stream_new = anthropic_stream_new;
  provider_class->stream_free = anthropic_stream_free;
  provider_class->stream_event = anthropic_stream_event;
  provider_class->stream_complete = anthropic_stream_complete;
}

static void
pw_anthropic_provider_init (PwAnthropicProvider *self)
{
}
