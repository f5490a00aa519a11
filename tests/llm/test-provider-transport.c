/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every provider shares: retries and their hints, timers and stalls, truncation, resets, cancellation, size, keys, usage rows. */

#include "pw-test-provider.h"

#define MODEL "claude-sonnet-5-5"

static guint key_sightings;

/* Every log line of the run, debug included, is searched for the key. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    {
      g_autofree char *value = NULL;

      if (fields[i].length < 0)
        value = g_strdup (fields[i].value);
      else
        value = g_strndup (fields[i].value, (gsize) fields[i].length);
      if (strstr (value, TEST_KEY) != NULL || strstr (value, "OnlyKnownByValue") != NULL)
        key_sightings++;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
set_timeouts (ProviderFixture *fixture,
              gint64           first_byte_ms,
              gint64           idle_ms)
{
  PwTimeouts timeouts = { .connect_ms = 5000, .first_byte_ms = first_byte_ms, .idle_ms = idle_ms };

  pw_provider_set_timeouts (fixture->provider, &timeouts);
}

static void
test_retry_count (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  for (guint i = 0; i < 4; i++)
    pw_fake_server_enqueue (fixture.server, NULL, error_reply (500, "api_error"));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);

  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_SERVER);
  /* max_retries + 1 attempts, each announced but the first */
  g_assert_cmpuint (run.attempts, ==, 3);
  g_assert_cmpuint (pw_fake_server_get_requests (fixture.server)->len, ==, 3);
  g_assert_cmpuint (pw_fake_server_get_pending (fixture.server), ==, 1);
  g_assert_cmpuint (run.retries->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      PwRetryInfo *info = &g_array_index (run.retries, PwRetryInfo, i);
      /* base 10 ms: 7.5–10, then 15–20 */
      gint64 high = 10 << i;

      g_assert_cmpuint (info->attempt, ==, i + 2);
      g_assert_cmpuint (info->max_attempts, ==, 3);
      g_assert_cmpuint (info->status, ==, 500);
      g_assert_cmpint (info->delay_ms, <=, high);
      g_assert_cmpint (info->delay_ms, >=, high * 3 / 4 - 1);
    }
  assert_error_message (run.error, 500, "req_test_transport");
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_retry_then_success (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, error_reply (529, "overloaded_error"));
  pw_fake_server_enqueue (fixture.server, NULL, error_reply (408, "timeout_error"));
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);

  g_assert_no_error (run.error);
  g_assert_cmpstr (run.completion->text, ==, "Hello, world.");
  g_assert_cmpstr (run.text->str, ==, "Hello, world.");
  g_assert_cmpuint (run.completion->attempts, ==, 3);
  g_assert_cmpuint (g_array_index (run.retries, PwRetryInfo, 0).status, ==, 529);
  g_assert_cmpuint (g_array_index (run.retries, PwRetryInfo, 1).status, ==, 408);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_retry_disabled (void)
{
  ProviderFixture fixture;
  PwRetryPolicy policy = { .max_retries = 0, .base_delay_ms = 10, .max_delay_ms = 40, .max_hint_ms = 5000 };
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_provider_set_retry_policy (fixture.provider, &policy);
  pw_fake_server_enqueue (fixture.server, NULL, error_reply (500, "api_error"));
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_SERVER);
  g_assert_cmpuint (run.attempts, ==, 1);
  g_assert_cmpuint (run.retries->len, ==, 0);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

typedef struct {
  const char *name;
  const char *value;
  gint64      min_ms;   /* the gap at least */
  gint64      hint_ms;  /* the announced delay, -1: do not check */
} HintCase;

static void
test_retry_after (gconstpointer data)
{
  const HintCase *test = data;
  ProviderFixture fixture;
  PwFakeReply *reply;
  gint64 started;
  gint64 gap_ms;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  reply = error_reply (429, "rate_limit_error");
  if (g_strcmp0 (test->name, "retry-after-ms") == 0)
    pw_fake_reply_add_header (reply, "retry-after", "30");  /* the ms form wins */
  if (g_strcmp0 (test->name, "date") == 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autoptr(GDateTime) when = g_date_time_add_seconds (now, 2.5);
      g_autofree char *date = g_date_time_format (when, "%a, %d %b %Y %H:%M:%S GMT");

      pw_fake_reply_add_header (reply, "retry-after", date);
    }
  else
    pw_fake_reply_add_header (reply, test->name, test->value);
  pw_fake_server_enqueue (fixture.server, NULL, reply);
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));

  call_run_init (&run);
  started = g_get_monotonic_time ();
  call_run (&run, fixture.provider, MODEL);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.retries->len, ==, 1);
  if (test->hint_ms >= 0)
    g_assert_cmpint (g_array_index (run.retries, PwRetryInfo, 0).delay_ms, ==, test->hint_ms);
  /* from the retry's announcement to the end: at least the wait, and
   * not absurdly more (generous, for loaded CI machines) */
  gap_ms = (g_get_monotonic_time () - g_array_index (run.retry_times_us, gint64, 0)) / 1000;
  g_test_message ("waited %" G_GINT64_FORMAT " ms (call %" G_GINT64_FORMAT " ms)", gap_ms,
                  (g_get_monotonic_time () - started) / 1000);
  g_assert_cmpint (gap_ms, >=, test->min_ms);
  g_assert_cmpint (gap_ms, <, test->min_ms + 3000);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static const HintCase hint_cases[] = {
  { "retry-after-ms", "300", 290, 300 },
  { "retry-after", "1", 990, 1000 },
  { "retry-after", "0.4", 390, 400 },
  { "date", NULL, 500, -1 },
};

static void
test_retry_after_over_cap (void)
{
  ProviderFixture fixture;
  PwFakeReply *reply;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  reply = error_reply (429, "rate_limit_error");
  pw_fake_reply_add_header (reply, "retry-after", "120");
  pw_fake_server_enqueue (fixture.server, NULL, reply);
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);

  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_RATE_LIMITED);
  g_assert_cmpuint (run.attempts, ==, 1);
  g_assert_cmpuint (run.retries->len, ==, 0);
  g_assert_nonnull (strstr (run.error->message, "120 s"));
  assert_error_message (run.error, 429, "req_test_transport");
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_should_retry_header (void)
{
  ProviderFixture fixture;
  PwFakeReply *reply;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);

  /* false beats a retryable status */
  reply = error_reply (500, "api_error");
  pw_fake_reply_add_header (reply, "x-should-retry", "false");
  pw_fake_server_enqueue (fixture.server, NULL, reply);
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_SERVER);
  g_assert_cmpuint (run.attempts, ==, 1);
  call_run_clear (&run);
  g_assert_cmpuint (pw_fake_server_get_pending (fixture.server), ==, 1);
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_no_error (run.error);
  call_run_clear (&run);

  /* true beats a status never retried */
  for (guint i = 0; i < 3; i++)
    {
      reply = error_reply (400, "invalid_request_error");
      pw_fake_reply_add_header (reply, "x-should-retry", "true");
      pw_fake_server_enqueue (fixture.server, NULL, reply);
    }
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_BAD_REQUEST);
  g_assert_cmpuint (run.attempts, ==, 3);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_quota_never_retried (void)
{
  ProviderFixture fixture;
  PwFakeReply *reply;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, TEST_KEY);
  reply = fixture_reply ("openai-responses/error-429-insufficient-quota.json", FALSE);
  /* not even when the server says so */
  pw_fake_reply_add_header (reply, "x-should-retry", "true");
  pw_fake_reply_add_header (reply, "retry-after", "1");
  pw_fake_server_enqueue (fixture.server, NULL, reply);
  pw_fake_server_enqueue (fixture.server, NULL, fixture_reply ("openai-responses/responses-stream-text.sse", FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, "gpt-5.4");
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_QUOTA);
  g_assert_cmpuint (run.attempts, ==, 1);
  g_assert_nonnull (strstr (run.error->message, "insufficient_quota"));
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_4xx_not_retried (void)
{
  static const guint statuses[] = { 400, 401, 402, 403, 404, 413, 422 };
  static const PwProviderError codes[] = {
    PW_PROVIDER_ERROR_BAD_REQUEST, PW_PROVIDER_ERROR_AUTH, PW_PROVIDER_ERROR_QUOTA, PW_PROVIDER_ERROR_AUTH,
    PW_PROVIDER_ERROR_BAD_REQUEST, PW_PROVIDER_ERROR_BAD_REQUEST, PW_PROVIDER_ERROR_BAD_REQUEST,
  };
  ProviderFixture fixture;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      CallRun run;
      guint before = pw_fake_server_get_requests (fixture.server)->len;

      pw_fake_server_enqueue (fixture.server, NULL, error_reply (statuses[i], "invalid_request_error"));
      pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
      call_run_init (&run);
      call_run (&run, fixture.provider, MODEL);
      g_assert_error (run.error, PW_PROVIDER_ERROR, (gint) codes[i]);
      g_assert_cmpuint (run.attempts, ==, 1);
      g_assert_cmpuint (pw_fake_server_get_requests (fixture.server)->len, ==, before + 1);
      call_run_clear (&run);
      /* take the unused reply so the next status starts clean */
      call_run_init (&run);
      call_run (&run, fixture.provider, MODEL);
      g_assert_no_error (run.error);
      call_run_clear (&run);
    }
  fixture_tear_down (&fixture);
}

static void
test_stall_before_delta (void)
{
  ProviderFixture fixture;
  gint64 started;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  set_timeouts (&fixture, 5000, 300);
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_STALL, FALSE));
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  started = g_get_monotonic_time ();
  call_run (&run, fixture.provider, MODEL);

  g_assert_no_error (run.error);
  g_assert_cmpuint (run.completion->attempts, ==, 2);
  g_assert_cmpstr (run.text->str, ==, "Hello, world.");
  g_assert_cmpuint (run.retries->len, ==, 1);
  g_assert_cmpuint (g_array_index (run.retries, PwRetryInfo, 0).status, ==, 200);
  g_assert_cmpint ((g_get_monotonic_time () - started) / 1000, >=, 290);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_stall_after_delta (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  set_timeouts (&fixture, 5000, 300);
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_STALL, TRUE));
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);

  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_STALLED);
  assert_error_message (run.error, 200, NULL);
  /* shown once; a retry would have shown it twice */
  g_assert_cmpstr (run.text->str, ==, "Hello");
  g_assert_cmpuint (run.attempts, ==, 1);
  g_assert_cmpuint (run.retries->len, ==, 0);
  g_assert_cmpuint (pw_fake_server_get_pending (fixture.server), ==, 1);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* Headers, then nothing; and no headers at all: both retried, then TIMEOUT */
static void
test_first_byte_timeout (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  set_timeouts (&fixture, 300, 5000);
  for (guint i = 0; i < 3; i++)
    {
      PwFakeReply *reply = hello_reply (PW_FAKE_FAULT_NONE, FALSE);

      if (i == 1)
        pw_fake_reply_set_fault (reply, PW_FAKE_FAULT_STALL, 0);
      else
        pw_fake_reply_set_delay (reply, 2000);
      pw_fake_server_enqueue (fixture.server, NULL, reply);
    }
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_TIMEOUT);
  g_assert_cmpuint (run.attempts, ==, 3);
  g_assert_nonnull (strstr (run.error->message, "0.3 s"));
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* The timers measure silence, not the whole answer */
static void
test_slow_trickle (void)
{
  ProviderFixture fixture;
  PwFakeReply *reply;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  set_timeouts (&fixture, 400, 400);
  reply = pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, "one two three four five six seven eight", NULL, 8);
  pw_fake_reply_set_chunking (reply, 0, 0, 100);
  pw_fake_server_enqueue (fixture.server, NULL, reply);
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_no_error (run.error);
  g_assert_cmpstr (run.completion->text, ==, "one two three four five six seven eight");
  g_assert_cmpint (run.completion->latency_ms, >, 400);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_truncated_before_delta (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_TRUNCATE, FALSE));
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.completion->attempts, ==, 2);
  g_assert_cmpstr (run.text->str, ==, "Hello, world.");
  call_run_clear (&run);

  /* every attempt cut: TRUNCATED after all of them */
  for (guint i = 0; i < 3; i++)
    pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_TRUNCATE, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_TRUNCATED);
  g_assert_cmpuint (run.attempts, ==, 3);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_truncated_after_delta (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_TRUNCATE, TRUE));
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_TRUNCATED);
  assert_error_message (run.error, 200, NULL);
  g_assert_nonnull (strstr (run.error->message, "message_stop"));
  g_assert_cmpstr (run.text->str, ==, "Hello");
  g_assert_cmpuint (run.attempts, ==, 1);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* A body that ends cleanly (Content-Length) without message_stop is
 * truncated all the same: the HTTP layer does not decide */
static void
test_clean_eof_without_terminal (void)
{
  ProviderFixture fixture;
  gsize after = 0;
  g_autoptr(GBytes) whole = anthropic_body (hello_pieces, NULL, &after);
  g_autoptr(GBytes) part = g_bytes_new_from_bytes (whole, 0, after);
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (200, "text/event-stream", part));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_TRUNCATED);
  g_assert_cmpstr (run.text->str, ==, "Hello");
  g_assert_cmpuint (run.attempts, ==, 1);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_connection_reset (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_RESET_BEFORE_HEADERS, FALSE));
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.completion->attempts, ==, 2);
  g_assert_cmpuint (g_array_index (run.retries, PwRetryInfo, 0).status, ==, 0);
  call_run_clear (&run);

  for (guint i = 0; i < 3; i++)
    pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_RESET_BEFORE_HEADERS, FALSE));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_NETWORK);
  g_assert_cmpuint (run.attempts, ==, 3);
  g_assert_nonnull (strstr (run.error->message, pw_fake_server_get_url (fixture.server)));
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_connection_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwFakeServer) gone = pw_fake_server_new (&error);
  g_autoptr(PwModels) models = pw_models_load (NULL, &error);
  g_autofree char *url = g_strdup (pw_fake_server_get_url (gone));
  PwRetryPolicy policy = { .max_retries = 2, .base_delay_ms = 10, .max_delay_ms = 40, .max_hint_ms = 5000 };
  g_autoptr(PwProvider) provider = NULL;
  CallRun run;

  g_assert_no_error (error);
  g_clear_object (&gone);
  drain_main_context ();
  provider = pw_provider_new (PW_PROVIDER_ANTHROPIC, url, TEST_KEY, models);
  pw_provider_set_retry_policy (provider, &policy);
  call_run_init (&run);
  call_run (&run, provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_NETWORK);
  g_assert_cmpuint (run.attempts, ==, 3);
  g_assert_nonnull (strstr (run.error->message, "base URL"));
  call_run_clear (&run);
}

/* A listener whose accept queue is full: the kernel drops the SYN and
 * the connection never comes up, all on 127.0.0.1. */
static void
test_connect_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(PwModels) models = NULL;
  g_autoptr(PwProvider) provider = NULL;
  g_autofree char *url = NULL;
  PwTimeouts timeouts = { .connect_ms = 300, .first_byte_ms = 5000, .idle_ms = 5000 };
  PwRetryPolicy policy = { .max_retries = 2, .base_delay_ms = 10, .max_delay_ms = 40, .max_hint_ms = 5000 };
  gint64 started;
  CallRun run;

  g_assert_no_error (error);
  g_socket_bind (listener, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_set_listen_backlog (listener, 0);
  g_socket_listen (listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      GSocket *filler = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

      g_socket_set_blocking (filler, FALSE);
      g_socket_connect (filler, bound, NULL, NULL);
      g_ptr_array_add (fillers, filler);
    }
  g_usleep (200 * 1000);

  models = pw_models_load (NULL, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  provider = pw_provider_new (PW_PROVIDER_ANTHROPIC, url, TEST_KEY, models);
  pw_provider_set_timeouts (provider, &timeouts);
  pw_provider_set_retry_policy (provider, &policy);
  call_run_init (&run);
  started = g_get_monotonic_time ();
  call_run (&run, provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (run.error->message, "no connection within 0.3 s"));
  g_assert_cmpuint (run.attempts, ==, 3);
  g_assert_cmpint ((g_get_monotonic_time () - started) / 1000, >=, 890);
  g_assert_cmpint ((g_get_monotonic_time () - started) / 1000, <, 5000);
  call_run_clear (&run);
}

/* Every retryable status, on a provider without Anthropic's 429 rule */
static void
test_retry_statuses (void)
{
  static const guint statuses[] = { 408, 409, 429, 500, 502, 503, 504, 529 };
  ProviderFixture fixture;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_CHAT, TEST_KEY);
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      static const char json[] = "{\"error\":{\"message\":\"busy\",\"type\":\"server_error\",\"code\":null}}";
      guint before = pw_fake_server_get_requests (fixture.server)->len;
      CallRun run;

      for (guint j = 0; j < 3; j++)
        {
          g_autoptr(GBytes) body = g_bytes_new_static (json, sizeof json - 1);

          pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (statuses[i], "application/json", body));
        }
      call_run_init (&run);
      call_run (&run, fixture.provider, "gpt-5.4");
      g_assert_nonnull (run.error);
      g_assert_cmpuint (run.attempts, ==, 3);
      g_assert_cmpuint (pw_fake_server_get_requests (fixture.server)->len, ==, before + 3);
      g_assert_cmpuint (g_array_index (run.retries, PwRetryInfo, 1).status, ==, statuses[i]);
      assert_error_message (run.error, statuses[i], NULL);
      call_run_clear (&run);
    }
  fixture_tear_down (&fixture);
}

/* Anthropic's 429 without retry-after may be a spend cap: one longer
 * wait (the policy's maximum), not the whole series */
static void
test_anthropic_429_without_hint (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  for (guint i = 0; i < 3; i++)
    pw_fake_server_enqueue (fixture.server, NULL, error_reply (429, "rate_limit_error"));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_RATE_LIMITED);
  g_assert_cmpuint (run.attempts, ==, 2);
  g_assert_cmpuint (run.retries->len, ==, 1);
  g_assert_cmpint (g_array_index (run.retries, PwRetryInfo, 0).delay_ms, ==, 40);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* A terminal response that quotes the key: raw_json keeps it out */
static void
test_raw_json_redacted (void)
{
  g_autofree char *body_text = g_strdup_printf (
    "event: response.output_text.delta\n"
    "data: {\"type\":\"response.output_text.delta\",\"output_index\":0,\"content_index\":0,\"delta\":\"ok\"}\n\n"
    "event: response.completed\n"
    "data: {\"type\":\"response.completed\",\"response\":{\"object\":\"response\",\"status\":\"completed\","
    "\"model\":\"gpt-5.4\",\"metadata\":{\"seen\":\"Bearer %s\",\"raw\":\"%s\"},\"output\":[],"
    "\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n", TEST_KEY, TEST_KEY);
  g_autoptr(GBytes) body = g_bytes_new (body_text, strlen (body_text));
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (200, "text/event-stream", body));
  call_run_init (&run);
  call_run (&run, fixture.provider, "gpt-5.4");
  g_assert_no_error (run.error);
  g_assert_cmpstr (run.completion->text, ==, "ok");
  g_assert_null (strstr (run.completion->raw_json, TEST_KEY));
  g_assert_null (strstr (run.completion->raw_json, "K3yThatMustNeverLeak"));
  g_assert_nonnull (strstr (run.completion->raw_json, "\"metadata\""));
  /* still one JSON document */
  {
    g_autoptr(JsonNode) raw = parse_raw (run.completion);
  }
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static PwFakeReply *
slow_reply (guint n_deltas,
            guint interval_ms)
{
  g_autoptr(GString) text = g_string_new (NULL);
  PwFakeReply *reply;

  for (guint i = 0; i < n_deltas; i++)
    g_string_append_printf (text, "w%03u ", i);
  reply = pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, text->str, NULL, n_deltas);
  pw_fake_reply_set_chunking (reply, 0, 0, interval_ms);
  return reply;
}

static gboolean
spin_for (gpointer data)
{
  gboolean *done = data;

  *done = TRUE;
  return G_SOURCE_REMOVE;
}

/* Let the loop run for @ms: a callback that would fire late fires here */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, spin_for, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_cancel_in_delta (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  /* several deltas in one read: the rest of that read must not show */
  pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC,
                                                                        "a b c d e f g h i j k l m n o p", NULL, 16));
  call_run_init (&run);
  run.cancel_after_bytes = 1;
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (run.completion);
  g_assert_cmpuint (run.n_deltas, ==, 1);
  spin (100);
  g_assert_cmpuint (run.callbacks_after_cancel, ==, 0);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static gboolean
cancel_now (gpointer data)
{
  CallRun *run = data;

  run->cancelled = TRUE;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_mid_stream (void)
{
  ProviderFixture fixture;
  gint64 started;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, slow_reply (100, 20));
  call_run_init (&run);
  g_timeout_add (200, cancel_now, &run);
  started = g_get_monotonic_time ();
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* at once, not at the end of the stream (2 s) */
  g_assert_cmpint ((g_get_monotonic_time () - started) / 1000, <, 1000);
  g_assert_cmpuint (run.n_deltas, >, 0);
  spin (200);
  g_assert_cmpuint (run.callbacks_after_cancel, ==, 0);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_cancel_before_start (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  g_cancellable_cancel (run.cancellable);
  run.cancelled = TRUE;
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (pw_fake_server_get_requests (fixture.server)->len, ==, 0);
  g_assert_cmpuint (run.callbacks_after_cancel, ==, 0);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_cancel_during_backoff (void)
{
  ProviderFixture fixture;
  PwFakeReply *reply;
  gint64 started;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  for (guint i = 0; i < 2; i++)
    {
      reply = error_reply (503, "overloaded_error");
      pw_fake_reply_add_header (reply, "retry-after", "3");
      pw_fake_server_enqueue (fixture.server, NULL, reply);
    }

  /* from a timer, while waiting */
  call_run_init (&run);
  g_timeout_add (150, cancel_now, &run);
  started = g_get_monotonic_time ();
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint ((g_get_monotonic_time () - started) / 1000, <, 2000);
  g_assert_cmpuint (run.retries->len, ==, 1);
  spin (100);
  g_assert_cmpuint (run.callbacks_after_cancel, ==, 0);
  g_assert_cmpuint (pw_fake_server_get_requests (fixture.server)->len, ==, 1);
  call_run_clear (&run);

  /* from the retry announcement itself */
  call_run_init (&run);
  run.cancel_on_retry = TRUE;
  started = g_get_monotonic_time ();
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint ((g_get_monotonic_time () - started) / 1000, <, 2000);
  g_assert_cmpuint (pw_fake_server_get_requests (fixture.server)->len, ==, 2);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* Cancelling one call leaves the provider fit for the next */
static void
test_cancel_then_reuse (void)
{
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, slow_reply (50, 20));
  pw_fake_server_enqueue (fixture.server, NULL, hello_reply (PW_FAKE_FAULT_NONE, FALSE));
  call_run_init (&run);
  g_timeout_add (100, cancel_now, &run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  call_run_clear (&run);

  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_no_error (run.error);
  g_assert_cmpstr (run.completion->text, ==, "Hello, world.");
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_concurrent_calls (void)
{
  ProviderFixture fixture;
  CallRun a;
  CallRun b;
  g_autoptr(PwLlmRequest) request = simple_request (MODEL);

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, slow_reply (10, 20));
  pw_fake_server_enqueue (fixture.server, NULL, slow_reply (10, 20));
  call_run_init (&a);
  call_run_init (&b);
  call_run_start (&a, fixture.provider, request);
  call_run_start (&b, fixture.provider, request);
  call_run_wait (&a);
  call_run_wait (&b);
  g_assert_no_error (a.error);
  g_assert_no_error (b.error);
  g_assert_cmpstr (a.completion->text, ==, b.completion->text);
  call_run_clear (&a);
  call_run_clear (&b);
  fixture_tear_down (&fixture);
}

static void
test_large_response (gconstpointer data)
{
  PwProviderKind kind = GPOINTER_TO_INT (data);
  const char *model = kind == PW_PROVIDER_ANTHROPIC ? MODEL : "gpt-5.4";
  ProviderFixture fixture;
  g_autoptr(GString) text = g_string_new (NULL);
  PwFakeReply *reply;
  CallRun run;

  /* 5 MB, multibyte characters included, in 5 000 deltas */
  while (text->len < 5 * 1024 * 1024)
    g_string_append (text, "Große Pläne, 計画 🦀 — line of a long generated answer.\n");
  fixture_set_up (&fixture, kind, TEST_KEY);
  reply = pw_fake_reply_new_text (kind, text->str, NULL, 5000);
  pw_fake_server_enqueue (fixture.server, NULL, reply);
  call_run_init (&run);
  call_run (&run, fixture.provider, model);
  g_assert_no_error (run.error);
  g_assert_cmpuint (strlen (run.completion->text), ==, text->len);
  g_assert_true (strcmp (run.completion->text, text->str) == 0);
  g_assert_true (strcmp (run.text->str, text->str) == 0);
  g_assert_cmpuint (run.n_deltas, >=, 4900);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

static void
test_html_body (void)
{
  static const char html[] = "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>\n";
  ProviderFixture fixture;
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (html, sizeof html - 1);

      pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (502, "text/html", body));
    }
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_SERVER);
  assert_error_message (run.error, 502, NULL);
  g_assert_nonnull (strstr (run.error->message, "<html> <head><title>502 Bad Gateway"));
  g_assert_cmpuint (run.attempts, ==, 3);
  call_run_clear (&run);

  /* a 200 HTML page (a captive portal): not an event stream, not retried */
  {
    g_autoptr(GBytes) body = g_bytes_new_static (html, sizeof html - 1);

    pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (200, "text/html", body));
  }
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL);
  assert_error_message (run.error, 200, NULL);
  g_assert_nonnull (strstr (run.error->message, "text/html"));
  g_assert_nonnull (strstr (run.error->message, "502 Bad Gateway"));
  g_assert_cmpuint (run.attempts, ==, 1);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* Bad JSON inside an event: a protocol error quoting it */
static void
test_bad_event_json (void)
{
  static const char body[] =
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"x\",\"content\":[],\"usage\":{}}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_del\n\n";
  ProviderFixture fixture;
  g_autoptr(GBytes) bytes = g_bytes_new_static (body, sizeof body - 1);
  CallRun run;

  fixture_set_up (&fixture, PW_PROVIDER_ANTHROPIC, TEST_KEY);
  pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (200, "text/event-stream", bytes));
  call_run_init (&run);
  call_run (&run, fixture.provider, MODEL);
  g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (run.error->message, "text_del"));
  g_assert_cmpuint (run.attempts, ==, 1);
  call_run_clear (&run);
  fixture_tear_down (&fixture);
}

/* A server that quotes the key back: not in the error, nor the log.
 * The second key has no sk- shape: only knowing the key removes it. */
#define OTHER_KEY "proxy.tok3n.OnlyKnownByValue.4242"

static void
test_key_echo (void)
{
  static const char *keys[] = { TEST_KEY, OTHER_KEY };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"error\":{\"type\":\"invalid_request_error\","
                                               "\"message\":\"key %s is invalid (Authorization: Bearer %s), said the bearer of bad news\"}}",
                                               keys[i], keys[i]);
      g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
      ProviderFixture fixture;
      CallRun run;

      fixture_set_up (&fixture, PW_PROVIDER_OPENAI_RESPONSES, keys[i]);
      pw_fake_server_enqueue (fixture.server, NULL, pw_fake_reply_new (401, "application/json", body));
      call_run_init (&run);
      call_run (&run, fixture.provider, "gpt-5.4");
      g_assert_error (run.error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_AUTH);
      g_assert_null (strstr (run.error->message, keys[i]));
      g_assert_null (strstr (run.error->message, "K3yThatMustNeverLeak"));
      g_assert_null (strstr (run.error->message, "OnlyKnownByValue"));
      g_assert_nonnull (strstr (run.error->message, "is invalid"));
      /* prose is not a token */
      g_assert_nonnull (strstr (run.error->message, "the bearer of bad news"));
      call_run_clear (&run);
      if (i == 0)
        assert_no_key_leak (fixture.server, TRUE);
      fixture_tear_down (&fixture);
    }
}

/* Runs last: everything above was logged at debug level */
static void
test_no_key_in_logs (void)
{
  g_assert_cmpuint (key_sightings, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  /* debug lines are produced, so the writer sees them */
  g_setenv ("G_MESSAGES_DEBUG", "planwright-core", FALSE);
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_unsetenv ("ANTHROPIC_API_KEY");
  g_unsetenv ("OPENAI_API_KEY");
  g_unsetenv ("ANTHROPIC_BASE_URL");
  g_unsetenv ("OPENAI_BASE_URL");

  g_test_add_func ("/provider/transport/retry/count", test_retry_count);
  g_test_add_func ("/provider/transport/retry/then-success", test_retry_then_success);
  g_test_add_func ("/provider/transport/retry/disabled", test_retry_disabled);
  g_test_add_func ("/provider/transport/retry/statuses", test_retry_statuses);
  g_test_add_func ("/provider/transport/retry/anthropic-429-no-hint", test_anthropic_429_without_hint);
  for (guint i = 0; i < G_N_ELEMENTS (hint_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/provider/transport/retry-after/%s-%s", hint_cases[i].name,
                                               hint_cases[i].value != NULL ? hint_cases[i].value : "future");

      g_test_add_data_func (path, &hint_cases[i], test_retry_after);
    }
  g_test_add_func ("/provider/transport/retry-after/over-cap", test_retry_after_over_cap);
  g_test_add_func ("/provider/transport/retry/x-should-retry", test_should_retry_header);
  g_test_add_func ("/provider/transport/retry/quota", test_quota_never_retried);
  g_test_add_func ("/provider/transport/retry/4xx", test_4xx_not_retried);
  g_test_add_func ("/provider/transport/stall/before-delta", test_stall_before_delta);
  g_test_add_func ("/provider/transport/stall/after-delta", test_stall_after_delta);
  g_test_add_func ("/provider/transport/stall/first-byte", test_first_byte_timeout);
  g_test_add_func ("/provider/transport/stall/slow-trickle", test_slow_trickle);
  g_test_add_func ("/provider/transport/truncated/before-delta", test_truncated_before_delta);
  g_test_add_func ("/provider/transport/truncated/after-delta", test_truncated_after_delta);
  g_test_add_func ("/provider/transport/truncated/clean-eof", test_clean_eof_without_terminal);
  g_test_add_func ("/provider/transport/network/reset", test_connection_reset);
  g_test_add_func ("/provider/transport/network/refused", test_connection_refused);
  g_test_add_func ("/provider/transport/network/connect-timeout", test_connect_timeout);
  g_test_add_func ("/provider/transport/cancel/in-delta", test_cancel_in_delta);
  g_test_add_func ("/provider/transport/cancel/mid-stream", test_cancel_mid_stream);
  g_test_add_func ("/provider/transport/cancel/before-start", test_cancel_before_start);
  g_test_add_func ("/provider/transport/cancel/during-backoff", test_cancel_during_backoff);
  g_test_add_func ("/provider/transport/cancel/then-reuse", test_cancel_then_reuse);
  g_test_add_func ("/provider/transport/concurrent", test_concurrent_calls);
  g_test_add_data_func ("/provider/transport/large/anthropic", GINT_TO_POINTER (PW_PROVIDER_ANTHROPIC), test_large_response);
  g_test_add_data_func ("/provider/transport/large/responses", GINT_TO_POINTER (PW_PROVIDER_OPENAI_RESPONSES), test_large_response);
  g_test_add_data_func ("/provider/transport/large/chat", GINT_TO_POINTER (PW_PROVIDER_OPENAI_CHAT), test_large_response);
  g_test_add_func ("/provider/transport/html-body", test_html_body);
  g_test_add_func ("/provider/transport/bad-event-json", test_bad_event_json);
  g_test_add_func ("/provider/transport/key-echo", test_key_echo);
  g_test_add_func ("/provider/transport/raw-json-redacted", test_raw_json_redacted);
  g_test_add_func ("/provider/transport/zz/no-key-in-logs", test_no_key_in_logs);

  return g_test_run ();
}
