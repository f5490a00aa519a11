/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Chat Completions provider against the fake server: OpenAI's fixtures and every compatible server's quirks. */

#include "pw-test-provider.h"

typedef struct {
  const char *file;
  gboolean    dribble;
} StreamCase;

static const char *stream_files[] = {
  "openai-chat/chat-stream-usage.sse",
  "openai-chat/chat-stream-no-usage.sse",
  "openai-chat/chat-stream-length.sse",
  "compat/ollama-chat-stream.sse",
  "compat/llamacpp-chat-stream.sse",
  "compat/vllm-chat-stream.sse",
  "compat/openrouter-chat-stream.sse",
};

static StreamCase stream_cases[G_N_ELEMENTS (stream_files) * 2];

static void
test_stream_fixture (gconstpointer data)
{
  const StreamCase *test = data;
  JsonObject *expect = fixture_expect (test->file);
  gboolean openai = g_str_has_prefix (test->file, "openai-chat/");
  JsonNode *usage_node = json_object_get_member (expect, "usage");
  ProviderFixture fixture;
  CallRun run;
  g_autoptr(JsonNode) raw = NULL;
  JsonObject *choice;
  PwLlmCompletion *c;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_CHAT, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, "/v1/chat/completions", fixture_reply (test->file, test->dribble));
  call_run_init (&run);
  call_run (&run, fixture.provider, openai ? "gpt-5.4" : "qwen3:8b");

  g_assert_no_error (run.error);
  c = run.completion;
  g_assert_cmpstr (c->text, ==, json_object_get_string_member (expect, "text"));
  g_assert_cmpstr (run.text->str, ==, c->text);
  /* reasoning_content or reasoning, whichever the server says */
  if (json_object_has_member (expect, "reasoning"))
    g_assert_cmpstr (c->thinking, ==, json_object_get_string_member (expect, "reasoning"));
  else
    g_assert_cmpstr (c->thinking, ==, "");
  g_assert_cmpstr (run.thinking->str, ==, c->thinking);
  g_assert_cmpstr (c->stop_reason_raw, ==, json_object_get_string_member (expect, "finish_reason"));
  g_assert_cmpint (c->stop_reason, ==, g_strcmp0 (c->stop_reason_raw, "length") == 0 ? PW_STOP_MAX_TOKENS : PW_STOP_END);
  g_assert_cmpstr (c->request_id, ==, fixture_request_id (test->file));

  if (usage_node == NULL || JSON_NODE_HOLDS_NULL (usage_node))
    {
      /* no usage: cost unknown, never 0 */
      g_assert_false (c->usage.reported);
      g_assert_false (c->cost_known);
    }
  else
    {
      JsonObject *usage = json_node_get_object (usage_node);

      g_assert_true (c->usage.reported);
      g_assert_cmpint (c->usage.input_tokens, ==, expect_int (usage, "prompt_tokens"));
      g_assert_cmpint (c->usage.output_tokens, ==, expect_int (usage, "completion_tokens"));
      if (expect_has (usage, "prompt_tokens_details.cached_tokens"))
        g_assert_cmpint (c->usage.cache_read_tokens, ==, expect_int (usage, "prompt_tokens_details.cached_tokens"));
      if (expect_has (usage, "completion_tokens_details.reasoning_tokens"))
        g_assert_cmpint (c->usage.reasoning_tokens, ==, expect_int (usage, "completion_tokens_details.reasoning_tokens"));
      if (json_object_has_member (usage, "cost"))
        {
          /* OpenRouter's charge is the cost, whatever the table says */
          g_assert_true (c->cost_known);
          g_assert_cmpfloat_with_epsilon (c->cost_usd, json_object_get_double_member (usage, "cost"), 1e-12);
        }
      else if (openai)
        g_assert_true (c->cost_known);
      else
        g_assert_false (c->cost_known);  /* a local model has no price */
    }

  /* raw_json: a chat.completion as the non-streaming call returns it */
  raw = parse_raw (c);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (raw), "object"), ==, "chat.completion");
  choice = json_array_get_object_element (json_object_get_array_member (json_node_get_object (raw), "choices"), 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (choice, "message"), "content"), ==, c->text);
  g_assert_cmpstr (json_object_get_string_member (choice, "finish_reason"), ==, c->stop_reason_raw);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (raw), "model"), ==, c->model);

  assert_no_key_leak (fixture.server, TRUE);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

typedef struct {
  const char      *file;
  PwProviderError  code;
  const char      *word;
  guint            status;
} MidStreamCase;

static const MidStreamCase mid_stream_cases[] = {
  { "openai-chat/chat-stream-error-midstream.sse", PW_PROVIDER_ERROR_SERVER, "server_error", 200 },
  /* numeric code 502 inside the chunk, beside finish_reason "error" */
  { "compat/openrouter-chat-stream-error.sse", PW_PROVIDER_ERROR_SERVER, "Provider returned error", 200 },
};

static void
test_mid_stream_error (gconstpointer data)
{
  const MidStreamCase *test = data;
  ProviderFixture fixture;
  CallRun run;

  for (guint dribble = 0; dribble < 2; dribble++)
    {
      fixture_set_up (&fixture, PW_PROVIDER_OPENAI_CHAT, TEST_KEY);
      pw_fake_server_enqueue (fixture.server, NULL, fixture_reply (test->file, dribble));
      pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("openai-chat/chat-stream-usage.sse", FALSE));
      call_run_init (&run);
      call_run (&run, fixture.provider, "gpt-5.4");

      g_assert_null (run.completion);
      g_assert_error (run.error, PW_PROVIDER_ERROR, (gint) test->code);
      assert_error_message (run.error, test->status, fixture_request_id (test->file));
      g_assert_nonnull (strstr (run.error->message, test->word));
      g_assert_cmpstr (run.text->str, ==, json_object_get_string_member (fixture_expect (test->file), "partial_text"));
      g_assert_cmpuint (run.attempts, ==, 1);
      g_assert_cmpuint (pw_fake_server_get_pending (fixture.server), ==, 1);
      call_run_clear (&run);
      fixture_tear_down (&fixture);
    }
}

/* Old llama.cpp: "error:" instead of "data:", then [DONE]: not a success,
 * and what it said is in the message. */
static void
test_llamacpp_legacy_error (gconstpointer data)
{
  gboolean dribble = GPOINTER_TO_INT (data);
  const char *file = "compat/llamacpp-legacy-error-field.sse";
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_CHAT, NULL);
  for (guint i = 0; i < 3; i++)
    pw_fake_server_enqueue (fixture.server, NULL, fixture_reply (file, dribble));
  call_run_init (&run);
  call_run (&run, fixture.provider, "qwen3-8b");

  g_assert_null (run.completion);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_CONTEXT_TOO_LONG);
  g_assert_nonnull (strstr (run.error->message, "exceeds the available context size"));
  g_assert_nonnull (strstr (run.error->message, "HTTP 200"));
  g_assert_cmpstr (run.text->str, ==, "");
  /* a context overflow does not heal by asking again */
  g_assert_cmpuint (run.attempts, ==, 1);
  assert_no_key_leak (fixture.server, FALSE);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_vllm_flat_error (void)
{
  const char *file = "compat/vllm-error-400-flat.json";
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_CHAT, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply (file, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "Qwen/Qwen3-8B");
  /* the message is at the top level, not under "error" */
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_CONTEXT_TOO_LONG);
  assert_error_message (run.error, 400, NULL);
  g_assert_nonnull (strstr (run.error->message, "maximum context length is 32768 tokens"));
  g_assert_cmpuint (run.attempts, ==, 1);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_request_body (void)
{
  ProviderFixture fixture;
  g_autoptr(PwLlmRequest) request = pw_llm_request_new ("gpt-5.4");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *body;
  JsonArray *messages;
  JsonObject *format;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_CHAT, TEST_KEY);
  pw_llm_request_set_system (request, "Review.");
  pw_llm_request_add_message (request, "user", "Plan.", TRUE);
  pw_llm_request_set_effort (request, "medium");
  pw_llm_request_set_max_tokens (request, 2000);
  pw_llm_request_set_json_schema (request, "review", "{\"type\":\"object\"}");
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("openai-chat/chat-stream-usage.sse", FALSE));
  call_run_init (&run);
  call_run_start (&run, fixture.provider, request);
  call_run_wait (&run);
  g_assert_no_error (run.error);
  call_run_clear (&run);

  body = recorded_body (fixture.server, 0, &node);
  g_assert_cmpstr (((PwFakeRequest *) g_ptr_array_index (pw_fake_server_get_requests (fixture.server), 0))->path,
                   ==, "/v1/chat/completions");
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "gpt-5.4");
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0), "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1), "content"), ==, "Plan.");
  g_assert_cmpint (json_object_get_int_member (body, "max_completion_tokens"), ==, 2000);
  g_assert_false (json_object_has_member (body, "max_tokens"));
  g_assert_cmpstr (json_object_get_string_member (body, "reasoning_effort"), ==, "medium");
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (body, "stream_options"), "include_usage"));
  format = json_object_get_object_member (body, "response_format");
  g_assert_cmpstr (json_object_get_string_member (format, "type"), ==, "json_schema");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (format, "json_schema"), "name"), ==, "review");
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (format, "json_schema"), "strict"));
  assert_no_sampling (body);
  assert_no_key_leak (fixture.server, TRUE);
  fixture_tear_down (&fixture);
}

/* A local server: no key, no limits or efforts it may not know, a base
 * URL with a prefix and "/v1" */
static void
test_local_server (void)
{
  ProviderFixture fixture;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *body;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_CHAT, NULL);
  g_object_unref (fixture.provider);
  url = g_strconcat (pw_fake_server_get_url (fixture.server), "/api/v1/", NULL);
  fixture.provider = pw_provider_new (PW_PROVIDER_OPENAI_CHAT, url, NULL, fixture.models);
  g_assert_true (g_str_has_prefix (pw_provider_get_name (fixture.provider), "127.0.0.1:"));

  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("compat/ollama-chat-stream.sse", FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "qwen3:8b");
  g_assert_no_error (run.error);
  call_run_clear (&run);

  g_assert_cmpstr (((PwFakeRequest *) g_ptr_array_index (pw_fake_server_get_requests (fixture.server), 0))->path,
                   ==, "/api/v1/chat/completions");
  body = recorded_body (fixture.server, 0, &node);
  g_assert_false (json_object_has_member (body, "max_completion_tokens"));
  g_assert_false (json_object_has_member (body, "reasoning_effort"));
  g_assert_false (json_object_has_member (body, "response_format"));
  assert_no_sampling (body);
  assert_no_key_leak (fixture.server, FALSE);
  fixture_tear_down (&fixture);
}

/* finish_reason seen, then the server neither closes nor sends [DONE]:
 * the answer is complete, the silence is not a stall */
static void
test_silent_after_finish (void)
{
  ProviderFixture fixture;
  PwTimeouts timeouts = { .connect_ms = 5000, .first_byte_ms = 5000, .idle_ms = 300 };
  g_autofree char *path = g_build_filename (fixtures_dir (), "openai-chat", "chat-stream-usage.sse", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  PwFakeReply *reply;
  const char *done;
  CallRun run;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  done = strstr (contents, "data: [DONE]");
  g_assert_nonnull (done);
  bytes = g_bytes_new (contents, (gsize) (done - contents));

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_CHAT, TEST_KEY);
  pw_provider_set_timeouts (fixture.provider, &timeouts);
  reply = pw_fake_reply_new (200, "text/event-stream", bytes);
  pw_fake_reply_set_fault (reply, PW_FAKE_FAULT_STALL, g_bytes_get_size (bytes));
  pw_fake_server_enqueue (fixture.server, NULL, reply);
  call_run_init (&run);
  call_run (&run, fixture.provider, "gpt-5.4");
  g_assert_no_error (run.error);
  g_assert_cmpstr (run.completion->text, ==, "Looks good — ship it ✓");
  g_assert_true (run.completion->usage.reported);
  g_assert_cmpuint (run.completion->attempts, ==, 1);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* @file served up to just before @marker, then the connection closes */
static PwFakeReply *
cut_fixture (const char *file,
             const char *marker)
{
  g_autofree char *path = g_build_filename (fixtures_dir (), file, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *at;
  PwFakeReply *reply;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  at = strstr (contents, marker);
  g_assert_nonnull (at);
  reply = fixture_reply (file, FALSE);
  pw_fake_reply_set_fault (reply, PW_FAKE_FAULT_TRUNCATE, (gsize) (at - contents));
  return reply;
}

/* No terminal event: an error, never a success, whatever the HTTP
 * layer says; retried only while nothing was shown */
static void
test_truncated (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_CHAT, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, cut_fixture ("openai-chat/chat-stream-usage.sse", "\"finish_reason\":\"stop\""));
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("openai-chat/chat-stream-usage.sse", FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "gpt-5.4");
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_TRUNCATED);
  assert_error_message (run.error, 200, fixture_request_id ("openai-chat/chat-stream-usage.sse"));
  g_assert_nonnull (strstr (run.error->message, "finish_reason"));
  g_assert_cmpstr (run.text->str, ==, "Looks good — ship it ✓");
  g_assert_cmpuint (run.attempts, ==, 1);
  g_assert_cmpuint (pw_fake_server_get_pending (fixture.server), ==, 1);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_unsetenv ("ANTHROPIC_API_KEY");
  g_unsetenv ("OPENAI_API_KEY");

  for (guint i = 0; i < G_N_ELEMENTS (stream_files); i++)
    for (guint d = 0; d < 2; d++)
      {
        StreamCase *test = &stream_cases[i * 2 + d];
        g_autofree char *base = g_path_get_basename (stream_files[i]);
        g_autofree char *path = g_strdup_printf ("/provider/chat/stream/%s/%s", base, d ? "dribbled" : "whole");

        test->file = stream_files[i];
        test->dribble = d;
        g_test_add_data_func (path, test, test_stream_fixture);
      }
  for (guint i = 0; i < G_N_ELEMENTS (mid_stream_cases); i++)
    {
      g_autofree char *base = g_path_get_basename (mid_stream_cases[i].file);
      g_autofree char *path = g_strdup_printf ("/provider/chat/mid-stream/%s", base);

      g_test_add_data_func (path, &mid_stream_cases[i], test_mid_stream_error);
    }
  g_test_add_data_func ("/provider/chat/llamacpp-legacy-error/whole", GINT_TO_POINTER (FALSE), test_llamacpp_legacy_error);
  g_test_add_data_func ("/provider/chat/llamacpp-legacy-error/dribbled", GINT_TO_POINTER (TRUE), test_llamacpp_legacy_error);
  g_test_add_func ("/provider/chat/vllm-flat-error", test_vllm_flat_error);
  g_test_add_func ("/provider/chat/request/body", test_request_body);
  g_test_add_func ("/provider/chat/request/local-server", test_local_server);
  g_test_add_func ("/provider/chat/silent-after-finish", test_silent_after_finish);

  g_test_add_func ("/provider/chat/truncated", test_truncated);

  return g_test_run ();
}
