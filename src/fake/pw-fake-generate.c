/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Generated answers in each provider's wire format, event for event like the wire fixtures. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "pw-fake-private.h"

/* The fixtures' clock: generated streams are byte-stable run to run. */
#define FAKE_CREATED_AT 1795795200
#define ECHO_DELTAS 20
#define ECHO_INTERVAL_MS 30
#define ECHO_QUOTE_MAX 4000

typedef struct {
  const char *model;
  const char *text;
  const char *thinking;      /* NULL: no thinking / reasoning summary */
  guint       n_deltas;
  guint       input_tokens;
  guint       serial;        /* makes ids unique within the process */
} GenParams;

static const char *default_models[PW_N_PROVIDERS] = {
  "claude-sonnet-4-6", "gpt-5.4", "gpt-5.4",
};

static guint
next_serial (void)
{
  static gint serial;

  return (guint) g_atomic_int_add (&serial, 1) + 1;
}

static guint
estimate_tokens (const char *text)
{
  return text ? MAX (1, (guint) ((strlen (text) + 3) / 4)) : 0;
}

/* Pieces of about equal size; a cut never lands inside a code point. */
static GPtrArray *
split_utf8 (const char *text,
            guint       n_pieces)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func (g_free);
  gsize length = strlen (text);
  gsize start = 0;

  n_pieces = MAX (n_pieces, 1);
  for (guint i = 1; start < length; i++)
    {
      gsize end = i >= n_pieces ? length : length * i / n_pieces;

      while (end < length && ((guchar) text[end] & 0xC0) == 0x80)
        end++;
      if (end <= start)
        continue;
      g_ptr_array_add (pieces, g_strndup (text + start, end - start));
      start = end;
    }
  return pieces;
}

/* The Responses and Chat APIs pad deltas with random "obfuscation";
 * ours only varies in length, like the fixtures' samples. */
static const char *
obfuscation (guint i)
{
  static const char *samples[] = { "xQ3", "k9Zr", "", "p", "Zq", "aB3", "Lm0" };

  return samples[i % G_N_ELEMENTS (samples)];
}

static void
append_event (GString    *out,
              const char *name,
              GString    *data)
{
  if (name)
    g_string_append_printf (out, "event: %s\n", name);
  g_string_append (out, "data: ");
  g_string_append_len (out, data->str, data->len);
  g_string_append (out, "\n\n");
  g_string_truncate (data, 0);
}

/* Anthropic Messages (PROTOCOLS.md §1.6) */

static void
anthropic_usage (GString         *d,
                 const GenParams *p,
                 gboolean         start)
{
  guint output = start ? 1 : estimate_tokens (p->text) + estimate_tokens (p->thinking);

  if (start)
    g_string_append_printf (d, "{\"input_tokens\":%u,\"cache_creation_input_tokens\":0,"
                               "\"cache_read_input_tokens\":0,\"cache_creation\":"
                               "{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0},"
                               "\"output_tokens\":%u,\"service_tier\":\"standard\","
                               "\"inference_geo\":\"global\"}",
                            p->input_tokens, output);
  else
    g_string_append_printf (d, "{\"input_tokens\":%u,\"cache_creation_input_tokens\":0,"
                               "\"cache_read_input_tokens\":0,\"output_tokens\":%u}",
                            p->input_tokens, output);
}

static void
anthropic_signature (GString         *d,
                     const GenParams *p)
{
  g_string_append_printf (d, "\"EqQBCkYIBxgCKkBfakeLlmSignatureNotReal%08u==\"", p->serial);
}

static GBytes *
anthropic_stream (const GenParams *p)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) d = g_string_new (NULL);
  g_autoptr(GPtrArray) text_pieces = split_utf8 (p->text, p->n_deltas);
  guint index = 0;

  g_string_append_printf (d, "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01FakeLlm%017u\","
                             "\"type\":\"message\",\"role\":\"assistant\",\"model\":", p->serial);
  pw_fake_append_json_string (d, p->model);
  g_string_append (d, ",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                      "\"stop_details\":null,\"usage\":");
  anthropic_usage (d, p, TRUE);
  g_string_append (d, "}}");
  append_event (out, "message_start", d);

  if (p->thinking)
    {
      g_autoptr(GPtrArray) pieces = split_utf8 (p->thinking, p->n_deltas);

      g_string_append (d, "{\"type\":\"content_block_start\",\"index\":0,"
                          "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}");
      append_event (out, "content_block_start", d);
      g_string_append (d, "{\"type\": \"ping\"}");
      append_event (out, "ping", d);
      for (guint i = 0; i < pieces->len; i++)
        {
          g_string_append (d, "{\"type\":\"content_block_delta\",\"index\":0,"
                              "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":");
          pw_fake_append_json_string (d, g_ptr_array_index (pieces, i));
          g_string_append (d, "}}");
          append_event (out, "content_block_delta", d);
        }
      g_string_append (d, "{\"type\":\"content_block_delta\",\"index\":0,"
                          "\"delta\":{\"type\":\"signature_delta\",\"signature\":");
      anthropic_signature (d, p);
      g_string_append (d, "}}");
      append_event (out, "content_block_delta", d);
      g_string_append (d, "{\"type\":\"content_block_stop\",\"index\":0}");
      append_event (out, "content_block_stop", d);
      index = 1;
    }

  g_string_append_printf (d, "{\"type\":\"content_block_start\",\"index\":%u,"
                             "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}", index);
  append_event (out, "content_block_start", d);
  if (!p->thinking)
    {
      g_string_append (d, "{\"type\": \"ping\"}");
      append_event (out, "ping", d);
    }
  for (guint i = 0; i < text_pieces->len; i++)
    {
      g_string_append_printf (d, "{\"type\":\"content_block_delta\",\"index\":%u,"
                                 "\"delta\":{\"type\":\"text_delta\",\"text\":", index);
      pw_fake_append_json_string (d, g_ptr_array_index (text_pieces, i));
      g_string_append (d, "}}");
      append_event (out, "content_block_delta", d);
    }
  g_string_append_printf (d, "{\"type\":\"content_block_stop\",\"index\":%u}", index);
  append_event (out, "content_block_stop", d);

  g_string_append (d, "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                      "\"stop_sequence\":null,\"stop_details\":null},\"usage\":");
  anthropic_usage (d, p, FALSE);
  g_string_append (d, "}");
  append_event (out, "message_delta", d);
  g_string_append (d, "{\"type\":\"message_stop\"}");
  append_event (out, "message_stop", d);

  return g_string_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
anthropic_message (const GenParams *p)
{
  g_autoptr(GString) d = g_string_new (NULL);

  g_string_append_printf (d, "{\"id\":\"msg_01FakeLlm%017u\",\"type\":\"message\","
                             "\"role\":\"assistant\",\"model\":", p->serial);
  pw_fake_append_json_string (d, p->model);
  g_string_append (d, ",\"content\":[");
  if (p->thinking)
    {
      g_string_append (d, "{\"type\":\"thinking\",\"thinking\":");
      pw_fake_append_json_string (d, p->thinking);
      g_string_append (d, ",\"signature\":");
      anthropic_signature (d, p);
      g_string_append (d, "},");
    }
  g_string_append (d, "{\"type\":\"text\",\"text\":");
  pw_fake_append_json_string (d, p->text);
  g_string_append (d, ",\"citations\":null}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                      "\"stop_details\":null,\"usage\":");
  g_string_append_printf (d, "{\"input_tokens\":%u,\"cache_creation_input_tokens\":0,"
                             "\"cache_read_input_tokens\":0,\"cache_creation\":"
                             "{\"ephemeral_5m_input_tokens\":0,\"ephemeral_1h_input_tokens\":0},"
                             "\"output_tokens\":%u,\"service_tier\":\"standard\","
                             "\"inference_geo\":\"global\"}}",
                          p->input_tokens, estimate_tokens (p->text) + estimate_tokens (p->thinking));
  return g_string_free_to_bytes (g_steal_pointer (&d));
}

/* OpenAI Responses (PROTOCOLS.md §2.3) */

static void
responses_reasoning_item (GString         *d,
                          const GenParams *p,
                          gboolean         done)
{
  g_string_append_printf (d, "{\"id\":\"rs_0fakellm%041u\",\"type\":\"reasoning\",\"summary\":[", p->serial);
  if (done && p->thinking)
    {
      g_string_append (d, "{\"type\":\"summary_text\",\"text\":");
      pw_fake_append_json_string (d, p->thinking);
      g_string_append (d, "}");
    }
  g_string_append (d, "]}");
}

static void
responses_output_text (GString         *d,
                       const GenParams *p)
{
  g_string_append (d, "{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":");
  pw_fake_append_json_string (d, p->text);
  g_string_append (d, "}");
}

static void
responses_message_item (GString         *d,
                        const GenParams *p,
                        gboolean         done)
{
  g_string_append_printf (d, "{\"id\":\"msg_0fakellm%040u\",\"type\":\"message\",\"status\":\"%s\","
                             "\"content\":[", p->serial, done ? "completed" : "in_progress");
  if (done)
    responses_output_text (d, p);
  g_string_append (d, "],\"role\":\"assistant\"}");
}

static void
responses_object (GString         *d,
                  const GenParams *p,
                  gboolean         done)
{
  guint reasoning = estimate_tokens (p->thinking);
  guint output = estimate_tokens (p->text) + reasoning;

  g_string_append_printf (d, "{\"id\":\"resp_0fakellm%042u\",\"object\":\"response\","
                             "\"created_at\":%d,\"status\":\"%s\",\"background\":false,",
                          p->serial, FAKE_CREATED_AT, done ? "completed" : "in_progress");
  if (done)
    g_string_append_printf (d, "\"completed_at\":%d,", FAKE_CREATED_AT + 1);
  else
    g_string_append (d, "\"completed_at\":null,");
  g_string_append (d, "\"error\":null,\"incomplete_details\":null,\"instructions\":null,"
                      "\"max_output_tokens\":null,\"max_tool_calls\":null,\"model\":");
  pw_fake_append_json_string (d, p->model);
  g_string_append (d, ",\"output\":[");
  if (done)
    {
      responses_reasoning_item (d, p, TRUE);
      g_string_append_c (d, ',');
      responses_message_item (d, p, TRUE);
    }
  g_string_append (d, "],\"parallel_tool_calls\":true,\"previous_response_id\":null,"
                      "\"prompt_cache_key\":null,\"reasoning\":{\"effort\":\"medium\",\"summary\":");
  g_string_append (d, p->thinking ? "\"auto\"" : "null");
  g_string_append (d, "},\"safety_identifier\":null,\"service_tier\":\"auto\",\"store\":false,"
                      "\"temperature\":1,\"text\":{\"format\":{\"type\":\"text\"},\"verbosity\":\"medium\"},"
                      "\"tool_choice\":\"auto\",\"tools\":[],\"top_logprobs\":0,\"top_p\":1,"
                      "\"truncation\":\"disabled\",\"usage\":");
  if (done)
    g_string_append_printf (d, "{\"input_tokens\":%u,\"input_tokens_details\":{\"cached_tokens\":0},"
                               "\"output_tokens\":%u,\"output_tokens_details\":{\"reasoning_tokens\":%u},"
                               "\"total_tokens\":%u}",
                            p->input_tokens, output, reasoning, p->input_tokens + output);
  else
    g_string_append (d, "null");
  g_string_append (d, ",\"user\":null,\"metadata\":{}}");
}

static GBytes *
responses_stream (const GenParams *p)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) d = g_string_new (NULL);
  g_autoptr(GPtrArray) text_pieces = split_utf8 (p->text, p->n_deltas);
  g_autofree char *rs_id = g_strdup_printf ("rs_0fakellm%041u", p->serial);
  g_autofree char *msg_id = g_strdup_printf ("msg_0fakellm%040u", p->serial);
  guint seq = 0;

  g_string_append_printf (d, "{\"type\":\"response.created\",\"sequence_number\":%u,\"response\":", seq++);
  responses_object (d, p, FALSE);
  g_string_append (d, "}");
  append_event (out, "response.created", d);
  g_string_append_printf (d, "{\"type\":\"response.in_progress\",\"sequence_number\":%u,\"response\":", seq++);
  responses_object (d, p, FALSE);
  g_string_append (d, "}");
  append_event (out, "response.in_progress", d);

  g_string_append_printf (d, "{\"type\":\"response.output_item.added\",\"sequence_number\":%u,"
                             "\"output_index\":0,\"item\":", seq++);
  responses_reasoning_item (d, p, FALSE);
  g_string_append (d, "}");
  append_event (out, "response.output_item.added", d);
  if (p->thinking)
    {
      g_autoptr(GPtrArray) pieces = split_utf8 (p->thinking, p->n_deltas);

      g_string_append_printf (d, "{\"type\":\"response.reasoning_summary_part.added\",\"sequence_number\":%u,"
                                 "\"item_id\":\"%s\",\"output_index\":0,\"summary_index\":0,"
                                 "\"part\":{\"type\":\"summary_text\",\"text\":\"\"}}", seq++, rs_id);
      append_event (out, "response.reasoning_summary_part.added", d);
      for (guint i = 0; i < pieces->len; i++)
        {
          g_string_append_printf (d, "{\"type\":\"response.reasoning_summary_text.delta\",\"sequence_number\":%u,"
                                     "\"item_id\":\"%s\",\"output_index\":0,\"summary_index\":0,\"delta\":",
                                  seq++, rs_id);
          pw_fake_append_json_string (d, g_ptr_array_index (pieces, i));
          g_string_append_printf (d, ",\"obfuscation\":\"%s\"}", obfuscation (i));
          append_event (out, "response.reasoning_summary_text.delta", d);
        }
      g_string_append_printf (d, "{\"type\":\"response.reasoning_summary_text.done\",\"sequence_number\":%u,"
                                 "\"item_id\":\"%s\",\"output_index\":0,\"summary_index\":0,\"text\":",
                              seq++, rs_id);
      pw_fake_append_json_string (d, p->thinking);
      g_string_append (d, "}");
      append_event (out, "response.reasoning_summary_text.done", d);
      g_string_append_printf (d, "{\"type\":\"response.reasoning_summary_part.done\",\"sequence_number\":%u,"
                                 "\"item_id\":\"%s\",\"output_index\":0,\"summary_index\":0,"
                                 "\"part\":{\"type\":\"summary_text\",\"text\":", seq++, rs_id);
      pw_fake_append_json_string (d, p->thinking);
      g_string_append (d, "}}");
      append_event (out, "response.reasoning_summary_part.done", d);
    }
  g_string_append_printf (d, "{\"type\":\"response.output_item.done\",\"sequence_number\":%u,"
                             "\"output_index\":0,\"item\":", seq++);
  responses_reasoning_item (d, p, TRUE);
  g_string_append (d, "}");
  append_event (out, "response.output_item.done", d);

  g_string_append_printf (d, "{\"type\":\"response.output_item.added\",\"sequence_number\":%u,"
                             "\"output_index\":1,\"item\":", seq++);
  responses_message_item (d, p, FALSE);
  g_string_append (d, "}");
  append_event (out, "response.output_item.added", d);
  g_string_append_printf (d, "{\"type\":\"response.content_part.added\",\"sequence_number\":%u,"
                             "\"item_id\":\"%s\",\"output_index\":1,\"content_index\":0,"
                             "\"part\":{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],"
                             "\"text\":\"\"}}", seq++, msg_id);
  append_event (out, "response.content_part.added", d);
  for (guint i = 0; i < text_pieces->len; i++)
    {
      g_string_append_printf (d, "{\"type\":\"response.output_text.delta\",\"sequence_number\":%u,"
                                 "\"item_id\":\"%s\",\"output_index\":1,\"content_index\":0,\"delta\":",
                              seq++, msg_id);
      pw_fake_append_json_string (d, g_ptr_array_index (text_pieces, i));
      g_string_append_printf (d, ",\"logprobs\":[],\"obfuscation\":\"%s\"}", obfuscation (i));
      append_event (out, "response.output_text.delta", d);
    }
  g_string_append_printf (d, "{\"type\":\"response.output_text.done\",\"sequence_number\":%u,"
                             "\"item_id\":\"%s\",\"output_index\":1,\"content_index\":0,\"text\":",
                          seq++, msg_id);
  pw_fake_append_json_string (d, p->text);
  g_string_append (d, ",\"logprobs\":[]}");
  append_event (out, "response.output_text.done", d);
  g_string_append_printf (d, "{\"type\":\"response.content_part.done\",\"sequence_number\":%u,"
                             "\"item_id\":\"%s\",\"output_index\":1,\"content_index\":0,\"part\":",
                          seq++, msg_id);
  responses_output_text (d, p);
  g_string_append (d, "}");
  append_event (out, "response.content_part.done", d);
  g_string_append_printf (d, "{\"type\":\"response.output_item.done\",\"sequence_number\":%u,"
                             "\"output_index\":1,\"item\":", seq++);
  responses_message_item (d, p, TRUE);
  g_string_append (d, "}");
  append_event (out, "response.output_item.done", d);

  g_string_append_printf (d, "{\"type\":\"response.completed\",\"sequence_number\":%u,\"response\":", seq++);
  responses_object (d, p, TRUE);
  g_string_append (d, "}");
  append_event (out, "response.completed", d);

  return g_string_free_to_bytes (g_steal_pointer (&out));
}

/* OpenAI Chat Completions (PROTOCOLS.md §3.2) */

static void
chat_usage (GString         *d,
            const GenParams *p)
{
  guint reasoning = estimate_tokens (p->thinking);
  guint completion = estimate_tokens (p->text) + reasoning;

  g_string_append_printf (d, "{\"prompt_tokens\":%u,\"completion_tokens\":%u,\"total_tokens\":%u,"
                             "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
                             "\"completion_tokens_details\":{\"reasoning_tokens\":%u,\"audio_tokens\":0,"
                             "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}",
                          p->input_tokens, completion, p->input_tokens + completion, reasoning);
}

static void
chat_chunk_start (GString         *d,
                  const GenParams *p)
{
  g_string_append_printf (d, "{\"id\":\"chatcmpl-FakeLlm%021u\",\"object\":\"chat.completion.chunk\","
                             "\"created\":%d,\"model\":", p->serial, FAKE_CREATED_AT);
  pw_fake_append_json_string (d, p->model);
  g_string_append (d, ",\"service_tier\":\"default\",\"system_fingerprint\":null,\"choices\":[");
}

/* One chunk with one choice; @delta_json is the delta object's members. */
static void
chat_chunk (GString         *out,
            GString         *d,
            const GenParams *p,
            const char      *delta_key,
            const char      *delta_value,
            const char      *finish_reason,
            guint            i)
{
  chat_chunk_start (d, p);
  g_string_append (d, "{\"index\":0,\"delta\":{");
  if (delta_key)
    {
      g_string_append_printf (d, "\"%s\":", delta_key);
      pw_fake_append_json_string (d, delta_value);
    }
  g_string_append (d, "},\"logprobs\":null,\"finish_reason\":");
  if (finish_reason)
    g_string_append_printf (d, "\"%s\"", finish_reason);
  else
    g_string_append (d, "null");
  g_string_append_printf (d, "}],\"usage\":null,\"obfuscation\":\"%s\"}", obfuscation (i));
  append_event (out, NULL, d);
}

static GBytes *
chat_stream (const GenParams *p)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) d = g_string_new (NULL);
  g_autoptr(GPtrArray) text_pieces = split_utf8 (p->text, p->n_deltas);
  guint n = 0;

  chat_chunk_start (d, p);
  g_string_append_printf (d, "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
                             "\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],"
                             "\"usage\":null,\"obfuscation\":\"%s\"}", obfuscation (n++));
  append_event (out, NULL, d);

  /* OpenAI itself streams no reasoning text; compatible servers do, in
   * reasoning_content (llama.cpp, older vLLM). */
  if (p->thinking)
    {
      g_autoptr(GPtrArray) pieces = split_utf8 (p->thinking, p->n_deltas);

      for (guint i = 0; i < pieces->len; i++)
        chat_chunk (out, d, p, "reasoning_content", g_ptr_array_index (pieces, i), NULL, n++);
    }
  for (guint i = 0; i < text_pieces->len; i++)
    chat_chunk (out, d, p, "content", g_ptr_array_index (text_pieces, i), NULL, n++);
  chat_chunk (out, d, p, NULL, NULL, "stop", n++);

  chat_chunk_start (d, p);
  g_string_append (d, "],\"usage\":");
  chat_usage (d, p);
  g_string_append_printf (d, ",\"obfuscation\":\"%s\"}", obfuscation (n++));
  append_event (out, NULL, d);

  g_string_append (out, "data: [DONE]\n\n");
  return g_string_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
chat_completion (const GenParams *p)
{
  g_autoptr(GString) d = g_string_new (NULL);

  g_string_append_printf (d, "{\"id\":\"chatcmpl-FakeLlm%021u\",\"object\":\"chat.completion\","
                             "\"created\":%d,\"model\":", p->serial, FAKE_CREATED_AT);
  pw_fake_append_json_string (d, p->model);
  g_string_append (d, ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
  pw_fake_append_json_string (d, p->text);
  if (p->thinking)
    {
      g_string_append (d, ",\"reasoning_content\":");
      pw_fake_append_json_string (d, p->thinking);
    }
  g_string_append (d, ",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                      "\"usage\":");
  chat_usage (d, p);
  g_string_append (d, ",\"service_tier\":\"default\",\"system_fingerprint\":null}");
  return g_string_free_to_bytes (g_steal_pointer (&d));
}

static PwFakeReply *
generate (PwProviderKind   kind,
          const GenParams *p,
          gboolean         stream)
{
  g_autoptr(GBytes) body = NULL;
  g_autofree char *request_id = NULL;
  PwFakeReply *reply;

  switch (kind)
    {
    case PW_PROVIDER_ANTHROPIC:
      body = stream ? anthropic_stream (p) : anthropic_message (p);
      break;
    case PW_PROVIDER_OPENAI_RESPONSES:
      if (stream)
        body = responses_stream (p);
      else
        {
          GString *d = g_string_new (NULL);

          responses_object (d, p, TRUE);
          body = g_string_free_to_bytes (d);
        }
      break;
    case PW_PROVIDER_OPENAI_CHAT:
    case PW_N_PROVIDERS:
    default:
      body = stream ? chat_stream (p) : chat_completion (p);
      break;
    }

  reply = pw_fake_reply_new (200, stream ? "text/event-stream; charset=utf-8" : "application/json", body);
  g_free (reply->label);
  reply->label = g_strdup_printf ("generated %s %s", pw_provider_kind_to_string (kind),
                                  stream ? "stream" : "message");
  if (kind == PW_PROVIDER_ANTHROPIC)
    {
      request_id = g_strdup_printf ("req_011CFakeLlm%014u", p->serial);
      if (stream)
        pw_fake_reply_add_header (reply, "cache-control", "no-cache");
      pw_fake_reply_add_header (reply, "request-id", request_id);
    }
  else
    {
      request_id = g_strdup_printf ("req_fakellm%021u", p->serial);
      pw_fake_reply_add_header (reply, "x-request-id", request_id);
      pw_fake_reply_add_header (reply, "openai-processing-ms", "12");
    }
  return reply;
}

static char *
valid_utf8 (const char *text)
{
  return g_utf8_validate (text, -1, NULL) ? g_strdup (text) : g_utf8_make_valid (text, -1);
}

PwFakeReply *
pw_fake_reply_new_text (PwProviderKind  kind,
                        const char     *text,
                        const char     *thinking,
                        guint           n_deltas)
{
  g_autofree char *valid_text = NULL;
  g_autofree char *valid_thinking = NULL;
  GenParams p = { 0, };

  g_return_val_if_fail (kind < PW_N_PROVIDERS, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  valid_text = valid_utf8 (text);
  valid_thinking = thinking ? valid_utf8 (thinking) : NULL;
  p.model = default_models[kind];
  p.text = valid_text;
  p.thinking = valid_thinking;
  p.n_deltas = n_deltas;
  p.input_tokens = 25;
  p.serial = next_serial ();
  return generate (kind, &p, TRUE);
}

static char *
content_text (JsonNode *content)
{
  g_autoptr(GString) text = NULL;
  JsonArray *parts;

  if (!content)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (content) && json_node_get_value_type (content) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (content));
  if (!JSON_NODE_HOLDS_ARRAY (content))
    return NULL;

  /* Blocks: Anthropic {type:text}, Responses {type:input_text}, Chat {type:text} */
  text = g_string_new (NULL);
  parts = json_node_get_array (content);
  for (guint i = 0; i < json_array_get_length (parts); i++)
    {
      JsonNode *node = json_array_get_element (parts, i);
      const char *part;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      part = pw_fake_json_get_string (json_node_get_object (node), "text");
      if (!part)
        continue;
      if (text->len)
        g_string_append_c (text, '\n');
      g_string_append (text, part);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static char *
last_user_text (JsonObject *request)
{
  JsonNode *list = json_object_get_member (request, "messages");

  /* Responses: "input" is a string or a list of items */
  if (!list)
    {
      list = json_object_get_member (request, "input");
      if (list && JSON_NODE_HOLDS_VALUE (list))
        return content_text (list);
    }
  if (!list || !JSON_NODE_HOLDS_ARRAY (list))
    return NULL;

  for (guint i = json_array_get_length (json_node_get_array (list)); i > 0; i--)
    {
      JsonNode *node = json_array_get_element (json_node_get_array (list), i - 1);
      JsonObject *message;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      message = json_node_get_object (node);
      if (g_strcmp0 (pw_fake_json_get_string (message, "role"), "user") == 0)
        return content_text (json_object_get_member (message, "content"));
    }
  return NULL;
}

#define DEMO_BRIEF \
  "## Feature\nThe feature discussed, as the fake server imagines it.\n\n" \
  "## Requirements\n1. It works (decided).\n2. It is tested.\n"

#define DEMO_PLAN \
  "# Demo feature — implementation plan\n\n" \
  "A plan written by the fake LLM server, so the app and the CLI can be tried without keys.\n\n" \
  "## Milestone 1: Foundations\n\nLay out the data the feature needs.\n\n" \
  "### Tasks\n- [ ] Add the data model in src/model.c\n- [ ] Test it in tests/test-model.c\n\n" \
  "### Deliverables\n- [ ] The model tests pass\n\n" \
  "## Milestone 2: Behaviour\n\nImplement the feature on top of the model.\n\n" \
  "### Tasks\n- [ ] Implement the behaviour in src/feature.c\n- [ ] Test it in tests/test-feature.c\n\n" \
  "### Deliverables\n- [ ] The feature tests pass\n\n" \
  "## Milestone 3: Interface\n\nExpose the feature to users.\n\n" \
  "### Tasks\n- [ ] Add the command in src/cli.c\n- [ ] Test the command end to end\n\n" \
  "### Deliverables\n- [ ] The command works from a terminal\n"

#define DEMO_REVISED_MARK "Revised after review: every milestone names its rollback."

#define DEMO_REVIEW_NO_GO \
  "{\"verdict\":\"NO_GO\",\"summary\":\"A clear plan that never says how to undo a milestone.\"," \
  "\"issues\":[{\"severity\":\"major\",\"description\":\"No milestone says how it is rolled back if it fails.\"," \
  "\"rationale\":\"A failed deploy of Milestone 2 would leave data in the new model with no way back.\"," \
  "\"resolution_guidance\":\"Add a rollback task to each milestone.\",\"target_section\":\"Milestone 2\"}," \
  "{\"severity\":\"minor\",\"description\":\"The command in Milestone 3 has no --help text.\"," \
  "\"rationale\":\"Users discover commands through --help.\",\"resolution_guidance\":\"Mention it in a task.\"," \
  "\"target_section\":\"Milestone 3\"}]," \
  "\"keep\":[\"Small milestones, each with its own tests\"],\"trim\":[]}"

#define DEMO_REVIEW_GO \
  "{\"verdict\":\"GO\",\"summary\":\"Each milestone can now be undone; ready to implement.\"," \
  "\"issues\":[],\"keep\":[\"Small milestones, each with its own tests\"],\"trim\":[]}"

/* A triage request lists its issues as "N. [SEVERITY] …": accept them all */
static char *
demo_dispositions (const char *said)
{
  g_autoptr(GString) out = g_string_new ("[");
  guint n = 0;

  for (const char *line = said; line && *line; )
    {
      const char *end = strchr (line, '\n');
      char *after = NULL;
      guint64 index = g_ascii_strtoull (line, &after, 10);

      if (after != line && after && g_str_has_prefix (after, ". ["))
        {
          g_string_append_printf (out, "%s{\"index\":%" G_GUINT64_FORMAT ",\"disposition\":\"ACCEPT\","
                                       "\"rationale\":\"The fake planner agrees and fixes it.\"}",
                                  n++ ? "," : "", index);
        }
      line = end ? end + 1 : NULL;
    }
  g_string_append_c (out, ']');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

PwFakeReply *
pw_fake_reply_new_echo (PwProviderKind  kind,
                        GBytes         *request_body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *said = NULL;
  g_autofree char *text = NULL;
  g_autofree char *model = NULL;
  JsonObject *request = NULL;
  gboolean stream = TRUE;
  GenParams p = { 0, };
  PwFakeReply *reply;
  gsize size = 0;
  const char *data = request_body ? g_bytes_get_data (request_body, &size) : NULL;

  if (data && size > 0 && json_parser_load_from_data (parser, data, (gssize) size, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonNode *flag;

      request = json_node_get_object (json_parser_get_root (parser));
      flag = json_object_get_member (request, "stream");
      said = last_user_text (request);
      model = g_strdup (pw_fake_json_get_string (request, "model"));
      /* Streaming unless the request says otherwise: a hand-made curl
       * request without "stream" still gets something to watch. */
      if (flag && JSON_NODE_HOLDS_VALUE (flag) && json_node_get_value_type (flag) == G_TYPE_BOOLEAN)
        stream = json_node_get_boolean (flag);
    }

  /* The planning engine's own requests get answers of the right shape,
   * so the offline demo runs from discussion to a valid plan. */
  if (said && strstr (said, "## Plan to review"))
    text = g_strdup (strstr (said, DEMO_REVISED_MARK) ? DEMO_REVIEW_GO : DEMO_REVIEW_NO_GO);
  else if (said && strstr (said, "Reply with the JSON array of dispositions"))
    text = demo_dispositions (said);
  else if (said && strstr (said, "## Issues to Address"))
    text = g_strconcat (DEMO_PLAN, "\n", DEMO_REVISED_MARK, "\n", NULL);
  else if (said && (strstr (said, "Write the implementation plan now") || strstr (said, "## Format problems")))
    text = g_strdup (DEMO_PLAN);
  else if (said && strstr (said, "Write the brief now"))
    text = g_strdup (DEMO_BRIEF);
  else if (said && strlen (said) > ECHO_QUOTE_MAX)
    {
      const char *end = said + ECHO_QUOTE_MAX;

      while (end > said && ((guchar) *end & 0xC0) == 0x80)
        end--;
      said[end - said] = '\0';
      text = g_strdup_printf ("Fake planner: you said “%s…”", said);
    }
  else if (said)
    text = g_strdup_printf ("Fake planner: you said “%s”", said);
  else
    text = g_strdup ("Fake planner: you said nothing I could find.");

  if (!g_utf8_validate (text, -1, NULL))
    {
      char *valid = g_utf8_make_valid (text, -1);

      g_free (text);
      text = valid;
    }

  p.model = model ? model : default_models[kind];
  p.text = text;
  p.n_deltas = ECHO_DELTAS;
  p.input_tokens = MAX (1, (guint) (size / 4));
  p.serial = next_serial ();
  reply = generate (kind, &p, stream);
  if (stream)
    pw_fake_reply_set_chunking (reply, 0, 0, ECHO_INTERVAL_MS);
  g_free (reply->label);
  reply->label = g_strdup_printf ("echo %s", pw_provider_kind_to_string (kind));
  return reply;
}
