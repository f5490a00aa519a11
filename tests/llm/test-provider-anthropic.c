/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Anthropic provider against the fake server: every Messages fixture, whole and dribbled; errors; the request it sends. */

#include "pw-test-provider.h"

typedef struct {
  const char *file;
  gboolean    dribble;
} StreamCase;

static const char *stream_files[] = {
  "anthropic/messages-stream-text.sse",
  "anthropic/messages-stream-text-crlf.sse",
  "anthropic/messages-stream-thinking.sse",
  "anthropic/messages-stream-thinking-omitted.sse",
  "anthropic/messages-stream-tool-use.sse",
  "anthropic/messages-stream-max-tokens.sse",
};

static StreamCase stream_cases[G_N_ELEMENTS (stream_files) * 2];

static void
test_stream_fixture (gconstpointer data)
{
  const StreamCase *test = data;
  JsonObject *expect = fixture_expect (test->file);
  JsonObject *usage = json_object_get_object_member (expect, "usage");
  ProviderFixture fixture;
  CallRun run;
  g_autoptr(JsonNode) raw = NULL;
  JsonObject *message;
  JsonArray *content;
  PwLlmCompletion *c;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, "/v1/messages", fixture_reply (test->file, test->dribble));
  call_run_init (&run);
  call_run (&run, fixture.provider, "claude-sonnet-5-5");

  g_assert_no_error (run.error);
  c = run.completion;
  g_assert_nonnull (c);
  /* the text assembled exactly, and as the deltas showed it */
  g_assert_cmpstr (c->text, ==, json_object_get_string_member (expect, "text"));
  g_assert_cmpstr (run.text->str, ==, c->text);
  g_assert_cmpstr (run.thinking->str, ==, c->thinking);
  if (json_object_has_member (expect, "thinking"))
    g_assert_cmpstr (c->thinking, ==, json_object_get_string_member (expect, "thinking"));
  else
    g_assert_cmpstr (c->thinking, ==, "");
  g_assert_cmpstr (c->stop_reason_raw, ==, json_object_get_string_member (expect, "stop_reason"));
  if (g_strcmp0 (c->stop_reason_raw, "end_turn") == 0)
    g_assert_cmpint (c->stop_reason, ==, PW_STOP_END);
  else if (g_strcmp0 (c->stop_reason_raw, "max_tokens") == 0)
    g_assert_cmpint (c->stop_reason, ==, PW_STOP_MAX_TOKENS);
  else if (g_strcmp0 (c->stop_reason_raw, "tool_use") == 0)
    g_assert_cmpint (c->stop_reason, ==, PW_STOP_TOOL_USE);

  /* usage: message_delta overwrites message_start, never adds */
  g_assert_true (c->usage.reported);
  g_assert_cmpint (c->usage.input_tokens, ==, json_object_get_int_member (usage, "input_tokens"));
  g_assert_cmpint (c->usage.output_tokens, ==, json_object_get_int_member (usage, "output_tokens"));
  if (json_object_has_member (usage, "cache_read_input_tokens"))
    g_assert_cmpint (c->usage.cache_read_tokens, ==, json_object_get_int_member (usage, "cache_read_input_tokens"));
  if (json_object_has_member (usage, "cache_creation_input_tokens"))
    g_assert_cmpint (c->usage.cache_write_tokens + c->usage.cache_write_1h_tokens, ==,
                     json_object_get_int_member (usage, "cache_creation_input_tokens"));
  if (json_object_has_member (usage, "thinking_tokens"))
    g_assert_cmpint (c->usage.reasoning_tokens, ==, json_object_get_int_member (usage, "thinking_tokens"));

  g_assert_cmpstr (c->request_id, ==, fixture_request_id (test->file));
  g_assert_cmpuint (c->attempts, ==, 1);
  g_assert_cmpint (c->latency_ms, >=, 0);

  /* raw_json: the message as the non-streaming API gives it */
  raw = parse_raw (c);
  message = json_node_get_object (raw);
  g_assert_cmpstr (json_object_get_string_member (message, "type"), ==, "message");
  /* the model the server reported, not the one asked for */
  g_assert_cmpstr (c->model, ==, json_object_get_string_member (message, "model"));
  g_assert_true (g_str_has_prefix (c->model, "claude-"));
  g_assert_cmpstr (json_object_get_string_member (message, "stop_reason"), ==, c->stop_reason_raw);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (message, "usage"), "output_tokens"),
                   ==, c->usage.output_tokens);
  content = json_object_get_array_member (message, "content");
  g_assert_nonnull (content);
  for (guint i = 0; i < json_array_get_length (content); i++)
    {
      JsonObject *block = json_array_get_object_element (content, i);
      const char *type = json_object_get_string_member (block, "type");

      if (g_strcmp0 (type, "thinking") == 0)
        g_assert_cmpstr (json_object_get_string_member (block, "signature"), ==,
                         json_object_get_string_member (expect, "signature"));
      if (g_strcmp0 (type, "tool_use") == 0)
        {
          JsonObject *tool = json_object_get_object_member (expect, "tool_use");
          JsonObject *input = json_object_get_object_member (block, "input");

          g_assert_cmpstr (json_object_get_string_member (block, "id"), ==,
                           json_object_get_string_member (tool, "id"));
          g_assert_cmpstr (json_object_get_string_member (input, "path"), ==, "src/migrate.c");
          g_assert_cmpint (json_object_get_int_member (input, "line"), ==, 42);
        }
    }
  if (strstr (test->file, "tool-use") != NULL)
    g_assert_cmpuint (json_array_get_length (content), ==, 2);

  assert_no_key_leak (fixture.server, TRUE);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_stream_error_overloaded (gconstpointer data)
{
  gboolean dribble = GPOINTER_TO_INT (data);
  const char *file = "anthropic/messages-stream-error-overloaded.sse";
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply (file, dribble));
  /* would be served if the client retried after showing text: it must not */
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("anthropic/messages-stream-text.sse", FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "claude-sonnet-5-5");

  g_assert_null (run.completion);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_OVERLOADED);
  assert_error_message (run.error, 200, fixture_request_id (file));
  g_assert_nonnull (strstr (run.error->message, "overloaded_error"));
  g_assert_cmpstr (run.text->str, ==, json_object_get_string_member (fixture_expect (file), "partial_text"));
  g_assert_cmpuint (run.attempts, ==, 1);
  g_assert_cmpuint (run.retries->len, ==, 0);
  g_assert_cmpuint (pw_fake_server_get_pending (fixture.server), ==, 1);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* The same error event before any text: retried like a 529. */
static void
test_stream_error_before_text (void)
{
  static const char body[] =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
    "\"model\":\"claude-sonnet-5-5\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
    "event: error\n"
    "data: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
  ProviderFixture fixture;
  CallRun run;
  g_autoptr(GBytes) bytes = g_bytes_new_static (body, sizeof body - 1);

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (200, "text/event-stream", bytes));
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("anthropic/messages-stream-text.sse", FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "claude-sonnet-5-5");

  g_assert_no_error (run.error);
  g_assert_cmpuint (run.completion->attempts, ==, 2);
  g_assert_cmpuint (run.retries->len, ==, 1);
  g_assert_cmpuint (g_array_index (run.retries, PwRetryInfo, 0).attempt, ==, 2);
  g_assert_cmpstr (run.text->str, ==, run.completion->text);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

typedef struct {
  const char      *file;
  PwProviderError  code;
  guint            attempts;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "anthropic/error-400-invalid-request.json", PW_PROVIDER_ERROR_BAD_REQUEST, 1 },
  { "anthropic/error-401-authentication.json", PW_PROVIDER_ERROR_AUTH, 1 },
  { "anthropic/error-403-permission.json", PW_PROVIDER_ERROR_AUTH, 1 },
  { "anthropic/error-404-not-found.json", PW_PROVIDER_ERROR_BAD_REQUEST, 1 },
  { "anthropic/error-413-request-too-large.json", PW_PROVIDER_ERROR_BAD_REQUEST, 1 },
  /* retry-after: 7 is over the test's 5 s cap: fail fast, naming it */
  { "anthropic/error-429-rate-limit.json", PW_PROVIDER_ERROR_RATE_LIMITED, 1 },
  { "anthropic/error-500-api.json", PW_PROVIDER_ERROR_SERVER, 3 },
  { "anthropic/error-529-overloaded.json", PW_PROVIDER_ERROR_OVERLOADED, 3 },
};

static void
test_error_fixture (gconstpointer data)
{
  const ErrorCase *test = data;
  JsonObject *expect = fixture_expect (test->file);
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  for (guint i = 0; i < 3; i++)
    pw_fake_server_enqueue (fixture.server, NULL, fixture_reply (test->file, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "claude-sonnet-5-5");

  g_assert_null (run.completion);
  g_assert_error (run.error, PW_PROVIDER_ERROR, (gint) test->code);
  assert_error_message (run.error, fixture_status (test->file), fixture_request_id (test->file));
  g_assert_nonnull (strstr (run.error->message, json_object_get_string_member (expect, "error_type")));
  g_assert_nonnull (strstr (run.error->message, "Anthropic"));
  g_assert_cmpuint (run.attempts, ==, test->attempts);
  g_assert_cmpuint (pw_fake_server_get_requests (fixture.server)->len, ==, test->attempts);
  g_assert_cmpuint (run.retries->len, ==, test->attempts - 1);
  if (test->code == PW_PROVIDER_ERROR_RATE_LIMITED)
    g_assert_nonnull (strstr (run.error->message, "7 s"));
  if (test->code == PW_PROVIDER_ERROR_AUTH)
    g_assert_nonnull (strstr (run.error->message, "ANTHROPIC_API_KEY"));
  if (test->attempts > 1)
    g_assert_nonnull (strstr (run.error->message, "3 attempts"));
  assert_no_key_leak (fixture.server, TRUE);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* A JSON body where an event stream was expected: reported, not parsed */
static void
test_not_sse (void)
{
  const char *file = "anthropic/messages-ok.json";
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply (file, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "claude-sonnet-5-5");

  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL);
  assert_error_message (run.error, 200, fixture_request_id (file));
  g_assert_nonnull (strstr (run.error->message, "application/json"));
  g_assert_nonnull (strstr (run.error->message, "{\"id\":\"msg_01WireFixtureNonStream00001\""));
  g_assert_cmpuint (run.attempts, ==, 1);
  g_assert_cmpuint (run.n_deltas, ==, 0);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static JsonObject *
send_and_record (ProviderFixture *fixture,
                 PwLlmRequest    *request,
                 JsonNode       **out_node)
{
  CallRun run;

  pw_fake_server_enqueue (fixture->server, NULL, fixture_reply ("anthropic/messages-stream-text.sse", FALSE));
  call_run_init (&run);
  call_run_start (&run, fixture->provider, request);
  call_run_wait (&run);
  g_assert_no_error (run.error);
  call_run_clear (&run);
  return recorded_body (fixture->server, pw_fake_server_get_requests (fixture->server)->len - 1, out_node);
}

static void
test_request_body (void)
{
  ProviderFixture fixture;
  g_autoptr(PwLlmRequest) request = pw_llm_request_new ("claude-sonnet-5-5");
  g_autoptr(JsonNode) node = NULL;
  PwFakeRequest *recorded;
  JsonObject *body;
  JsonArray *system;
  JsonArray *messages;
  JsonObject *first;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_llm_request_set_system (request, "You plan.");
  pw_llm_request_add_message (request, "user", "Context: a big file.", TRUE);
  pw_llm_request_add_message (request, "assistant", "Noted.", FALSE);
  pw_llm_request_add_message (request, "user", "Now the plan, please.", FALSE);
  pw_llm_request_set_effort (request, "low");
  pw_llm_request_set_max_tokens (request, 4000);
  body = send_and_record (&fixture, request, &node);

  recorded = g_ptr_array_index (pw_fake_server_get_requests (fixture.server), 0);
  g_assert_cmpstr (recorded->method, ==, "POST");
  g_assert_cmpstr (recorded->path, ==, "/v1/messages");
  g_assert_cmpstr (soup_message_headers_get_one (recorded->headers, "anthropic-version"), ==, "2026-10-21");
  g_assert_cmpstr (soup_message_headers_get_content_type (recorded->headers, NULL), ==, "application/json");

  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "claude-sonnet-5-5");
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 4000);
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  assert_no_sampling (body);

  system = json_object_get_array_member (body, "system");
  g_assert_cmpuint (json_array_get_length (system), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (system, 0), "text"), ==, "You plan.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_array_get_object_element (system, 0), "cache_control"), "type"), ==, "ephemeral");

  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 3);
  first = json_array_get_object_element (messages, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "role"), ==, "user");
  first = json_array_get_object_element (json_object_get_array_member (first, "content"), 0);
  g_assert_cmpstr (json_object_get_string_member (first, "text"), ==, "Context: a big file.");
  g_assert_true (json_object_has_member (first, "cache_control"));
  /* only cacheable turns carry cache_control */
  first = json_array_get_object_element (json_object_get_array_member (json_array_get_object_element (messages, 2), "content"), 0);
  g_assert_false (json_object_has_member (first, "cache_control"));

  /* claude-sonnet-5-5 is adaptive in the table */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "thinking"), "type"), ==, "adaptive");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "output_config"), "effort"), ==, "low");
  g_assert_false (json_object_has_member (json_object_get_object_member (body, "output_config"), "format"));

  assert_no_key_leak (fixture.server, TRUE);
  fixture_tear_down (&fixture);
}

static void
test_request_defaults_and_schema (void)
{
  ProviderFixture fixture;
  g_autoptr(PwLlmRequest) request = pw_llm_request_new ("claude-sonnet-5-5");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *body;
  JsonObject *config;
  JsonObject *format;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_llm_request_add_message (request, "user", "Verdict?", FALSE);
  /* an effort the model does not take falls back to its default */
  pw_llm_request_set_effort (request, "minimal");
  pw_llm_request_set_json_schema (request, "verdict",
                                  "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},"
                                  "\"required\":[\"ok\"],\"additionalProperties\":false}");
  body = send_and_record (&fixture, request, &node);

  /* no max_tokens given: the model's maximum */
  g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 128000);
  g_assert_false (json_object_has_member (body, "system"));
  config = json_object_get_object_member (body, "output_config");
  g_assert_cmpstr (json_object_get_string_member (config, "effort"), ==, "high");
  format = json_object_get_object_member (config, "format");
  g_assert_cmpstr (json_object_get_string_member (format, "type"), ==, "json_schema");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (format, "schema"), "type"), ==, "object");
  assert_no_sampling (body);
  fixture_tear_down (&fixture);
}

static void
test_request_budget (void)
{
  ProviderFixture fixture;
  g_autoptr(PwLlmRequest) request = pw_llm_request_new ("claude-haiku-4-5");
  g_autoptr(JsonNode) node = NULL;
  JsonObject *body;
  JsonObject *thinking;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_llm_request_add_message (request, "user", "Think.", FALSE);
  pw_llm_request_set_max_tokens (request, 20000);
  pw_llm_request_set_effort (request, "high");
  body = send_and_record (&fixture, request, &node);

  thinking = json_object_get_object_member (body, "thinking");
  g_assert_cmpstr (json_object_get_string_member (thinking, "type"), ==, "enabled");
  g_assert_cmpint (json_object_get_int_member (thinking, "budget_tokens"), >=, 1024);
  g_assert_cmpint (json_object_get_int_member (thinking, "budget_tokens"), <, 20000);
  /* budget models take no effort field */
  g_assert_false (json_object_has_member (body, "output_config"));
  assert_no_sampling (body);
  fixture_tear_down (&fixture);
}

/* Four breakpoints at most; a prefill the model refuses is not sent */
static void
test_request_cache_breakpoints (void)
{
  ProviderFixture fixture;
  g_autoptr(PwLlmRequest) request = pw_llm_request_new ("claude-sonnet-5-5");
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;
  JsonObject *body;
  JsonArray *messages;
  guint marks = 0;
  const char *p;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_llm_request_set_system (request, "System.");
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *text = g_strdup_printf ("turn %u", i);

      pw_llm_request_add_message (request, i % 2 == 0 ? "user" : "assistant", text, TRUE);
    }
  pw_llm_request_add_message (request, "user", "last", FALSE);
  pw_llm_request_add_message (request, "assistant", "Prefill", FALSE);
  body = send_and_record (&fixture, request, &node);

  json = json_to_string (node, FALSE);
  for (p = json; (p = strstr (p, "cache_control")) != NULL; p++)
    marks++;
  g_assert_cmpuint (marks, ==, 4);
  messages = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 6), "role"), ==, "user");
  /* the earliest cacheable turns lose their mark first */
  g_assert_false (json_object_has_member (json_array_get_object_element (json_object_get_array_member (json_array_get_object_element (messages, 0), "content"), 0), "cache_control"));
  g_assert_true (json_object_has_member (json_array_get_object_element (json_object_get_array_member (json_array_get_object_element (messages, 5), "content"), 0), "cache_control"));
  fixture_tear_down (&fixture);
}

static void
test_bad_schema (void)
{
  ProviderFixture fixture;
  g_autoptr(PwLlmRequest) request = pw_llm_request_new ("claude-sonnet-5-5");
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_llm_request_add_message (request, "user", "x", FALSE);
  pw_llm_request_set_json_schema (request, "broken", "{not json");
  call_run_init (&run);
  call_run_start (&run, fixture.provider, request);
  call_run_wait (&run);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_BAD_REQUEST);
  g_assert_cmpuint (pw_fake_server_get_requests (fixture.server)->len, ==, 0);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* Signatures replace, unknown events and delta types are skipped, and
 * so are events without an event: line (as the SDK does). */
static void
test_stream_leniency (void)
{
  static const char body[] =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_l\",\"type\":\"message\",\"role\":\"assistant\","
    "\"model\":\"claude-opus-5-5\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":5,"
    "\"cache_read_input_tokens\":7,\"output_tokens\":1}}}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"FIRST\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"SECOND\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: brand_new_event\ndata: {\"type\":\"brand_new_event\",\"x\":1}\n\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"NOT SHOWN\"}}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"future_delta\",\"z\":true}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"Shown.\"}}\n\n"
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"refusal\",\"stop_sequence\":null},"
    "\"usage\":{\"input_tokens\":null,\"output_tokens\":9}}\n\n"
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (body, sizeof body - 1);
  g_autoptr(JsonNode) raw = NULL;
  ProviderFixture fixture;
  JsonObject *thinking;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (200, "text/event-stream", bytes));
  call_run_init (&run);
  call_run (&run, fixture.provider, "claude-opus-5-5");
  g_assert_no_error (run.error);
  g_assert_cmpstr (run.completion->text, ==, "Shown.");
  g_assert_cmpstr (run.text->str, ==, "Shown.");
  g_assert_cmpint (run.completion->stop_reason, ==, PW_STOP_REFUSAL);
  /* null keeps the message_start value; present ones replace */
  g_assert_cmpint (run.completion->usage.input_tokens, ==, 5);
  g_assert_cmpint (run.completion->usage.cache_read_tokens, ==, 7);
  g_assert_cmpint (run.completion->usage.output_tokens, ==, 9);
  raw = parse_raw (run.completion);
  thinking = json_array_get_object_element (json_object_get_array_member (json_node_get_object (raw), "content"), 0);
  g_assert_cmpstr (json_object_get_string_member (thinking, "signature"), ==, "SECOND");
  g_assert_cmpstr (json_object_get_string_member (thinking, "thinking"), ==, "");
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
        g_autofree char *path = g_strdup_printf ("/provider/anthropic/stream/%s/%s", base, d ? "dribbled" : "whole");

        test->file = stream_files[i];
        test->dribble = d;
        g_test_add_data_func (path, test, test_stream_fixture);
      }
  g_test_add_data_func ("/provider/anthropic/stream-error/whole", GINT_TO_POINTER (FALSE), test_stream_error_overloaded);
  g_test_add_data_func ("/provider/anthropic/stream-error/dribbled", GINT_TO_POINTER (TRUE), test_stream_error_overloaded);
  g_test_add_func ("/provider/anthropic/stream-error/before-text", test_stream_error_before_text);
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *base = g_path_get_basename (error_cases[i].file);
      g_autofree char *path = g_strdup_printf ("/provider/anthropic/error/%s", base);

      g_test_add_data_func (path, &error_cases[i], test_error_fixture);
    }
  g_test_add_func ("/provider/anthropic/not-sse", test_not_sse);
  g_test_add_func ("/provider/anthropic/leniency", test_stream_leniency);
  g_test_add_func ("/provider/anthropic/request/body", test_request_body);
  g_test_add_func ("/provider/anthropic/request/defaults-schema", test_request_defaults_and_schema);
  g_test_add_func ("/provider/anthropic/request/budget", test_request_budget);
  g_test_add_func ("/provider/anthropic/request/cache-breakpoints", test_request_cache_breakpoints);
  g_test_add_func ("/provider/anthropic/request/bad-schema", test_bad_schema);

  return g_test_run ();
}
