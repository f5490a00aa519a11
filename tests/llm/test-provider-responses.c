/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The OpenAI Responses provider against the fake server: every Responses fixture, whole and dribbled; errors; the request. */

#include "pw-test-provider.h"

typedef struct {
  const char *file;
  gboolean    dribble;
} StreamCase;

static const char *stream_files[] = {
  "openai-responses/responses-stream-text.sse",
  "openai-responses/responses-stream-incomplete.sse",
};

static StreamCase stream_cases[G_N_ELEMENTS (stream_files) * 2];

static void
test_stream_fixture (gconstpointer data)
{
  const StreamCase *test = data;
  JsonObject *expect = fixture_expect (test->file);
  JsonObject *usage = json_object_get_object_member (expect, "usage");
  const char *status = json_object_get_string_member (expect, "status");
  ProviderFixture fixture;
  CallRun run;
  g_autoptr(JsonNode) raw = NULL;
  PwLlmCompletion *c;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, "/v1/responses", fixture_reply (test->file, test->dribble));
  call_run_init (&run);
  call_run (&run, fixture.provider, "gpt-5.4");

  g_assert_no_error (run.error);
  c = run.completion;
  g_assert_cmpstr (c->text, ==, json_object_get_string_member (expect, "text"));
  g_assert_cmpstr (run.text->str, ==, c->text);
  g_assert_cmpstr (c->thinking, ==, "");
  if (g_strcmp0 (status, "incomplete") == 0)
    {
      g_assert_cmpstr (c->stop_reason_raw, ==, json_object_get_string_member (expect, "incomplete_reason"));
      g_assert_cmpint (c->stop_reason, ==, PW_STOP_MAX_TOKENS);
    }
  else
    {
      g_assert_cmpstr (c->stop_reason_raw, ==, "completed");
      g_assert_cmpint (c->stop_reason, ==, PW_STOP_END);
    }

  g_assert_true (c->usage.reported);
  g_assert_cmpint (c->usage.input_tokens, ==, expect_int (usage, "input_tokens"));
  g_assert_cmpint (c->usage.output_tokens, ==, expect_int (usage, "output_tokens"));
  g_assert_cmpint (c->usage.cache_read_tokens, ==, expect_int (usage, "input_tokens_details.cached_tokens"));
  g_assert_cmpint (c->usage.reasoning_tokens, ==, expect_int (usage, "output_tokens_details.reasoning_tokens"));
  /* gpt-5.4 has prices in the table */
  g_assert_true (c->cost_known);
  g_assert_cmpfloat (c->cost_usd, >, 0);

  g_assert_cmpstr (c->model, ==, "gpt-5.4");
  g_assert_cmpstr (c->request_id, ==, fixture_request_id (test->file));
  g_assert_cmpuint (c->attempts, ==, 1);

  /* raw_json: the terminal event's response */
  raw = parse_raw (c);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (raw), "object"), ==, "response");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (raw), "status"), ==, status);
  g_assert_true (json_object_has_member (json_node_get_object (raw), "usage"));

  assert_no_key_leak (fixture.server, TRUE);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

typedef struct {
  const char      *file;
  PwProviderError  code;
  const char      *word;  /* in the message */
} MidStreamCase;

static const MidStreamCase mid_stream_cases[] = {
  { "openai-responses/responses-stream-failed.sse", PW_PROVIDER_ERROR_SERVER, "server_error" },
  { "openai-responses/responses-stream-error.sse", PW_PROVIDER_ERROR_OVERLOADED, "server_is_overloaded" },
};

static void
test_mid_stream_error (gconstpointer data)
{
  const MidStreamCase *test = data;
  ProviderFixture fixture;
  CallRun run;

  for (guint dribble = 0; dribble < 2; dribble++)
    {
      fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, TEST_KEY);
      pw_fake_server_enqueue (fixture.server, NULL, fixture_reply (test->file, dribble));
      pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("openai-responses/responses-stream-text.sse", FALSE));
      call_run_init (&run);
      call_run (&run, fixture.provider, "gpt-5.4");

      g_assert_null (run.completion);
      g_assert_error (run.error, PW_PROVIDER_ERROR, (gint) test->code);
      assert_error_message (run.error, 200, fixture_request_id (test->file));
      g_assert_nonnull (strstr (run.error->message, test->word));
      /* text was shown: reported, not retried */
      g_assert_cmpstr (run.text->str, ==, json_object_get_string_member (fixture_expect (test->file), "partial_text"));
      g_assert_cmpuint (run.attempts, ==, 1);
      g_assert_cmpuint (pw_fake_server_get_pending (fixture.server), ==, 1);
      call_run_clear (&run);
      fixture_tear_down (&fixture);
    }
}

/* Both shapes of the error event, before any text: retried, then fine */
static void
test_error_event_shapes (void)
{
  static const char *bodies[] = {
    "event: response.created\n"
    "data: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"status\":\"in_progress\"}}\n\n"
    "event: error\n"
    "data: {\"type\":\"error\",\"code\":\"server_is_overloaded\",\"message\":\"flat shape\",\"param\":null,\"sequence_number\":1}\n\n",
    "event: error\n"
    "data: {\"type\":\"error\",\"error\":{\"type\":\"server_error\",\"code\":\"server_is_overloaded\",\"message\":\"nested shape\",\"param\":null},\"sequence_number\":1}\n\n",
  };
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, TEST_KEY);
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (bodies[i], strlen (bodies[i]));

      pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (200, "text/event-stream", bytes));
    }
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("openai-responses/responses-stream-text.sse", FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "gpt-5.4");
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.completion->attempts, ==, 3);
  g_assert_cmpuint (run.retries->len, ==, 2);
  g_assert_cmpstr (run.text->str, ==, run.completion->text);
  call_run_clear (&run);

  /* and when every attempt says so, the last shape's words are reported */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new_static (bodies[1], strlen (bodies[1]));

      pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (200, "text/event-stream", bytes));
    }
  call_run_init (&run);
  call_run (&run, fixture.provider, "gpt-5.4");
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_OVERLOADED);
  g_assert_nonnull (strstr (run.error->message, "nested shape"));
  g_assert_cmpuint (run.attempts, ==, 3);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

typedef struct {
  const char      *file;
  PwProviderError  code;
  guint            attempts;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "openai-responses/error-400-invalid-request.json", PW_PROVIDER_ERROR_BAD_REQUEST, 1 },
  { "openai-responses/error-401-invalid-api-key.json", PW_PROVIDER_ERROR_AUTH, 1 },
  { "openai-responses/error-429-rate-limit.json", PW_PROVIDER_ERROR_RATE_LIMITED, 3 },
  /* same status, but retrying cannot help */
  { "openai-responses/error-429-insufficient-quota.json", PW_PROVIDER_ERROR_QUOTA, 1 },
  { "openai-responses/error-500-server.json", PW_PROVIDER_ERROR_SERVER, 3 },
  { "openai-responses/error-503-overloaded.json", PW_PROVIDER_ERROR_OVERLOADED, 3 },
};

static void
test_error_fixture (gconstpointer data)
{
  const ErrorCase *test = data;
  JsonObject *expect = fixture_expect (test->file);
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, TEST_KEY);
  for (guint i = 0; i < 3; i++)
    pw_fake_server_enqueue (fixture.server, NULL, fixture_reply (test->file, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "gpt-5.4");

  g_assert_error (run.error, PW_PROVIDER_ERROR, (gint) test->code);
  assert_error_message (run.error, fixture_status (test->file), fixture_request_id (test->file));
  g_assert_nonnull (strstr (run.error->message, "OpenAI"));
  if (!JSON_NODE_HOLDS_NULL (json_object_get_member (expect, "error_code")))
    g_assert_nonnull (strstr (run.error->message, json_object_get_string_member (expect, "error_code")));
  g_assert_cmpuint (run.attempts, ==, test->attempts);
  g_assert_cmpuint (pw_fake_server_get_requests (fixture.server)->len, ==, test->attempts);
  if (test->code == PW_PROVIDER_ERROR_AUTH)
    {
      /* the server quotes a masked key back: not even that is passed on */
      g_assert_null (strstr (run.error->message, "sk-fixt"));
      g_assert_nonnull (strstr (run.error->message, "OPENAI_API_KEY"));
    }
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_not_sse (gconstpointer data)
{
  const char *file = data;
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply (file, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "gpt-5.4");
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL);
  assert_error_message (run.error, 200, fixture_request_id (file));
  g_assert_nonnull (strstr (run.error->message, "{\"id\":\"resp_"));
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
  PwFakeRequest *recorded;
  JsonObject *body;
  JsonArray *input;
  JsonObject *format;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, TEST_KEY);
  pw_llm_request_set_system (request, "You are a strict plan reviewer.");
  pw_llm_request_add_message (request, "user", "The plan.", TRUE);
  pw_llm_request_add_message (request, "assistant", "A question.", FALSE);
  pw_llm_request_add_message (request, "user", "An answer.", FALSE);
  pw_llm_request_set_effort (request, "low");
  pw_llm_request_set_max_tokens (request, 3000);
  pw_llm_request_set_json_schema (request, "review",
                                  "{\"type\":\"object\",\"properties\":{\"verdict\":{\"type\":\"string\"}},"
                                  "\"required\":[\"verdict\"],\"additionalProperties\":false}");
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("openai-responses/responses-stream-text.sse", FALSE));
  call_run_init (&run);
  call_run_start (&run, fixture.provider, request);
  call_run_wait (&run);
  g_assert_no_error (run.error);
  call_run_clear (&run);

  recorded = g_ptr_array_index (pw_fake_server_get_requests (fixture.server), 0);
  g_assert_cmpstr (recorded->path, ==, "/v1/responses");
  body = recorded_body (fixture.server, 0, &node);
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "gpt-5.4");
  g_assert_cmpstr (json_object_get_string_member (body, "instructions"), ==, "You are a strict plan reviewer.");
  input = json_object_get_array_member (body, "input");
  g_assert_cmpuint (json_array_get_length (input), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (input, 1), "role"), ==, "assistant");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (input, 2), "content"), ==, "An answer.");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (body, "reasoning"), "effort"), ==, "low");
  g_assert_cmpint (json_object_get_int_member (body, "max_output_tokens"), ==, 3000);
  format = json_object_get_object_member (json_object_get_object_member (body, "text"), "format");
  g_assert_cmpstr (json_object_get_string_member (format, "type"), ==, "json_schema");
  g_assert_cmpstr (json_object_get_string_member (format, "name"), ==, "review");
  g_assert_true (json_object_get_boolean_member (format, "strict"));
  g_assert_true (json_object_has_member (json_object_get_object_member (format, "schema"), "properties"));
  g_assert_false (json_object_get_boolean_member (body, "store"));
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  assert_no_sampling (body);
  assert_no_key_leak (fixture.server, TRUE);
  fixture_tear_down (&fixture);
}

/* A model outside the table: no reasoning field the server may refuse */
static void
test_request_unknown_model (void)
{
  ProviderFixture fixture;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *body;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("openai-responses/responses-stream-text.sse", FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "some-local-model");
  g_assert_no_error (run.error);
  /* priced by the id the server reported (gpt-5.4) since ours is unknown */
  g_assert_true (run.completion->cost_known);
  call_run_clear (&run);

  body = recorded_body (fixture.server, 0, &node);
  g_assert_false (json_object_has_member (body, "reasoning"));
  g_assert_false (json_object_has_member (body, "text"));
  assert_no_sampling (body);
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

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, cut_fixture ("openai-responses/responses-stream-text.sse", "event: response.completed"));
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("openai-responses/responses-stream-text.sse", FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "gpt-5.4");
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_TRUNCATED);
  assert_error_message (run.error, 200, fixture_request_id ("openai-responses/responses-stream-text.sse"));
  g_assert_nonnull (strstr (run.error->message, "response.completed"));
  g_assert_cmpstr (run.text->str, ==, "Verdict: accept — two minor issues (naïve retry; 日本 locale).");
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
        g_autofree char *path = g_strdup_printf ("/provider/responses/stream/%s/%s", base, d ? "dribbled" : "whole");

        test->file = stream_files[i];
        test->dribble = d;
        g_test_add_data_func (path, test, test_stream_fixture);
      }
  for (guint i = 0; i < G_N_ELEMENTS (mid_stream_cases); i++)
    {
      g_autofree char *base = g_path_get_basename (mid_stream_cases[i].file);
      g_autofree char *path = g_strdup_printf ("/provider/responses/mid-stream/%s", base);

      g_test_add_data_func (path, &mid_stream_cases[i], test_mid_stream_error);
    }
  g_test_add_func ("/provider/responses/error-event-shapes", test_error_event_shapes);
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autofree char *base = g_path_get_basename (error_cases[i].file);
      g_autofree char *path = g_strdup_printf ("/provider/responses/error/%s", base);

      g_test_add_data_func (path, &error_cases[i], test_error_fixture);
    }
  g_test_add_data_func ("/provider/responses/not-sse/ok", "openai-responses/responses-ok.json", test_not_sse);
  g_test_add_data_func ("/provider/responses/not-sse/structured", "openai-responses/responses-ok-structured.json",
                        test_not_sse);
  g_test_add_func ("/provider/responses/request/body", test_request_body);
  g_test_add_func ("/provider/responses/request/unknown-model", test_request_unknown_model);

  g_test_add_func ("/provider/responses/truncated", test_truncated);

  return g_test_run ();
}
