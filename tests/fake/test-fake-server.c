/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The fake LLM server: fixtures byte for byte, pacing, faults, generated streams, scripts, the program. */

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pw-fake-server.h"

#define MULTIBYTE_TEXT "Grüße — the plan looks sound. ✓ 日本語 🦀 done."

/* A fresh server and client session per test, both on the default
 * context; teardown checks that both are really gone. */
typedef struct {
  PwFakeServer *server;
  SoupSession  *session;
} Fixture;

static const char *
fixtures_dir (void)
{
  const char *dir = g_getenv ("PW_FIXTURES_DIR");

  g_assert_nonnull (dir);
  return dir;
}

static void
drain_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->server = pw_fake_server_new (&error);
  g_assert_no_error (error);
  g_assert_nonnull (fx->server);
  fx->session = soup_session_new_with_options ("timeout", 0, "idle-timeout", 0,
                                               "max-conns-per-host", 8, NULL);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  PwFakeServer *server = fx->server;

  soup_session_abort (fx->session);
  drain_context ();
  g_assert_finalize_object (fx->session);

  if (server)
    {
      g_object_add_weak_pointer (G_OBJECT (server), (gpointer *) &server);
      g_clear_object (&fx->server);
      g_assert_null (server);
    }
  drain_context ();
}

/* One request, read to the end (or to an error) chunk by chunk. */
typedef struct {
  SoupMessage  *msg;
  GInputStream *stream;
  GCancellable *cancellable;
  GByteArray   *body;
  GError       *error;
  guint         n_reads;
  gboolean      got_headers;
  gboolean      done;
  gint64        start_us;
  gint64        headers_us;
} Fetch;

static void
fetch_clear (Fetch *f)
{
  g_clear_object (&f->msg);
  g_clear_object (&f->stream);
  g_clear_object (&f->cancellable);
  g_clear_pointer (&f->body, g_byte_array_unref);
  g_clear_error (&f->error);
}

static void read_next (Fetch *f);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Fetch *f = data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &f->error);

  if (!bytes || g_bytes_get_size (bytes) == 0)
    {
      f->done = TRUE;
      return;
    }
  g_byte_array_append (f->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  f->n_reads++;
  read_next (f);
}

static void
read_next (Fetch *f)
{
  g_input_stream_read_bytes_async (f->stream, 65536, G_PRIORITY_DEFAULT, f->cancellable, read_cb, f);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Fetch *f = data;

  f->stream = soup_session_send_finish (SOUP_SESSION (source), result, &f->error);
  if (!f->stream)
    {
      f->done = TRUE;
      return;
    }
  f->got_headers = TRUE;
  f->headers_us = g_get_monotonic_time ();
  read_next (f);
}

static void
fetch_start (Fixture    *fx,
             Fetch      *f,
             const char *method,
             const char *path,
             const char *json_body)
{
  g_autofree char *url = g_strconcat (pw_fake_server_get_url (fx->server), path, NULL);

  memset (f, 0, sizeof *f);
  f->msg = soup_message_new (method, url);
  g_assert_nonnull (f->msg);
  f->cancellable = g_cancellable_new ();
  f->body = g_byte_array_new ();
  if (json_body)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json_body, strlen (json_body));

      soup_message_set_request_body_from_bytes (f->msg, "application/json", bytes);
    }
  f->start_us = g_get_monotonic_time ();
  soup_session_send_async (fx->session, f->msg, G_PRIORITY_DEFAULT, f->cancellable, send_cb, f);
}

static gboolean
flag_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until @f is done or @timeout_ms passed; TRUE when done. */
static gboolean
fetch_wait (Fetch *f,
            guint  timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, flag_timeout_cb, &timed_out);

  while (!f->done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return f->done;
}

static void
fetch (Fixture    *fx,
       Fetch      *f,
       const char *method,
       const char *path,
       const char *json_body)
{
  fetch_start (fx, f, method, path, json_body);
  g_assert_true (fetch_wait (f, 20000));
}

static GBytes *
read_fixture (const char *relpath)
{
  g_autofree char *path = g_build_filename (fixtures_dir (), relpath, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static JsonArray *
load_index (JsonParser *parser)
{
  g_autofree char *path = g_build_filename (fixtures_dir (), "index.json", NULL);
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_node_get_array (json_parser_get_root (parser));
}

static void
assert_body_equals (Fetch  *f,
                    GBytes *expected)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (expected, &length);

  g_assert_cmpmem (f->body->data, f->body->len, data, length);
}

/* Tests */

static void
test_url (Fixture       *fx,
          gconstpointer  data)
{
  g_autofree char *expected = NULL;

  g_assert_cmpuint (pw_fake_server_get_port (fx->server), >, 0);
  expected = g_strdup_printf ("http://127.0.0.1:%u", pw_fake_server_get_port (fx->server));
  g_assert_cmpstr (pw_fake_server_get_url (fx->server), ==, expected);
  g_assert_cmpuint (pw_fake_server_get_pending (fx->server), ==, 0);
  g_assert_cmpuint (pw_fake_server_get_requests (fx->server)->len, ==, 0);
}

static const char *
path_for_api (const char *api)
{
  if (g_strcmp0 (api, "anthropic") == 0)
    return "/v1/messages";
  if (g_strcmp0 (api, "openai-responses") == 0)
    return "/v1/responses";
  return "/v1/chat/completions";
}

/* Every fixture of index.json: same bytes, status and headers. */
static void
test_fixture_identical (Fixture       *fx,
                        gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *entries = load_index (parser);

  g_assert_cmpuint (json_array_get_length (entries), >, 40);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *file = json_object_get_string_member (entry, "file");
      const char *api = json_object_get_string_member_with_default (entry, "api", NULL);
      JsonObject *headers = json_object_get_object_member (entry, "headers");
      g_autoptr(GList) names = json_object_get_members (headers);
      g_autoptr(GBytes) expected = read_fixture (file);
      g_autoptr(GError) error = NULL;
      PwFakeReply *reply;
      Fetch f;

      g_test_message ("fixture %s", file);
      reply = pw_fake_reply_new_fixture (fixtures_dir (), file, &error);
      g_assert_no_error (error);
      pw_fake_server_enqueue (fx->server, NULL, reply);
      fetch (fx, &f, "POST", path_for_api (api), "{}");
      g_assert_no_error (f.error);
      g_assert_cmpuint (soup_message_get_status (f.msg), ==,
                        json_object_get_int_member (entry, "status"));
      assert_body_equals (&f, expected);
      for (GList *l = names; l; l = l->next)
        g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (f.msg), l->data),
                         ==, json_object_get_string_member (headers, l->data));
      fetch_clear (&f);
    }
  g_assert_cmpuint (pw_fake_server_get_pending (fx->server), ==, 0);
}

static void
test_fixture_unknown (void)
{
  g_autoptr(GError) error = NULL;
  PwFakeReply *reply = pw_fake_reply_new_fixture (fixtures_dir (), "anthropic/no-such.sse", &error);

  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "anthropic/no-such.sse"));
}

/* Small random pieces, as the fixtures were validated: same bytes. */
static void
test_chunked_same_bytes (Fixture       *fx,
                         gconstpointer  data)
{
  static const char *files[] = {
    "anthropic/messages-stream-text.sse",
    "anthropic/messages-stream-text-crlf.sse",
    "openai-responses/responses-stream-text.sse",
    "openai-chat/chat-stream-usage.sse",
    "compat/llamacpp-chat-stream.sse",
    "anthropic/error-429-rate-limit.json",
  };

  pw_fake_server_set_seed (fx->server, g_test_rand_int ());
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GBytes) expected = read_fixture (files[i]);
      g_autoptr(GError) error = NULL;
      PwFakeReply *reply = pw_fake_reply_new_fixture (fixtures_dir (), files[i], &error);
      Fetch f;

      g_assert_no_error (error);
      pw_fake_reply_set_chunking (reply, 1, 7, 0);
      pw_fake_server_enqueue (fx->server, NULL, reply);
      fetch (fx, &f, "POST", "/v1/messages", "{}");
      g_assert_no_error (f.error);
      assert_body_equals (&f, expected);
      fetch_clear (&f);
    }
}

/* One event a piece, spaced out: the client sees them arrive apart. */
static void
test_chunked_by_event (Fixture       *fx,
                       gconstpointer  data)
{
  g_autoptr(GBytes) expected = read_fixture ("anthropic/messages-stream-text.sse");
  g_autoptr(GError) error = NULL;
  PwFakeReply *reply = pw_fake_reply_new_fixture (fixtures_dir (), "anthropic/messages-stream-text.sse", &error);
  Fetch f;
  gint64 elapsed;

  g_assert_no_error (error);
  pw_fake_reply_set_chunking (reply, 0, 0, 20);
  pw_fake_server_enqueue (fx->server, "/v1/messages", reply);
  fetch (fx, &f, "POST", "/v1/messages", "{}");
  elapsed = g_get_monotonic_time () - f.headers_us;
  g_assert_no_error (f.error);
  assert_body_equals (&f, expected);
  /* 11 events, 10 gaps of 20 ms */
  g_assert_cmpint (elapsed, >=, 10 * 20 * 1000 - 5000);
  g_assert_cmpuint (f.n_reads, >=, 6);
  fetch_clear (&f);
}

static void
test_requests_recorded (Fixture       *fx,
                        gconstpointer  data)
{
  static const char body[] = "{\"model\":\"claude-sonnet-4-6\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
  GPtrArray *requests;
  PwFakeRequest *request;
  Fetch f;
  gsize length;
  const char *recorded;

  pw_fake_server_enqueue (fx->server, NULL, pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, "ok", NULL, 1));
  pw_fake_server_enqueue (fx->server, NULL, pw_fake_reply_new_text (PW_PROVIDER_OPENAI_CHAT, "ok", NULL, 1));

  fetch_start (fx, &f, "POST", "/v1/messages", body);
  soup_message_headers_append (soup_message_get_request_headers (f.msg), "anthropic-version", "2023-06-01");
  soup_message_headers_append (soup_message_get_request_headers (f.msg), "x-api-key", "sk-ant-test-0001");
  g_assert_true (fetch_wait (&f, 20000));
  g_assert_no_error (f.error);
  fetch_clear (&f);
  fetch (fx, &f, "POST", "/v1/chat/completions", "{\"n\":2}");
  fetch_clear (&f);

  requests = pw_fake_server_get_requests (fx->server);
  g_assert_cmpuint (requests->len, ==, 2);
  request = g_ptr_array_index (requests, 0);
  g_assert_cmpstr (request->method, ==, "POST");
  g_assert_cmpstr (request->path, ==, "/v1/messages");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "x-api-key"), ==, "sk-ant-test-0001");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "anthropic-version"), ==, "2023-06-01");
  g_assert_cmpstr (soup_message_headers_get_content_type (request->headers, NULL), ==, "application/json");
  recorded = g_bytes_get_data (request->body, &length);
  g_assert_cmpmem (recorded, length, body, strlen (body));

  request = g_ptr_array_index (requests, 1);
  g_assert_cmpstr (request->path, ==, "/v1/chat/completions");
  recorded = g_bytes_get_data (request->body, &length);
  g_assert_cmpmem (recorded, length, "{\"n\":2}", 7);
}

static void
request_signal_cb (PwFakeServer  *server,
                   PwFakeRequest *request,
                   gpointer       data)
{
  /* Recorded before the signal: the array already holds it */
  g_assert_true (g_ptr_array_index (pw_fake_server_get_requests (server),
                                    pw_fake_server_get_requests (server)->len - 1) == request);
  (*(guint *) data)++;
}

/* Path-bound replies wait for their path; NULL ones take any. */
static void
test_queue_order (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  guint n_signals = 0;
  Fetch f;

  g_signal_connect (fx->server, "request", G_CALLBACK (request_signal_cb), &n_signals);
  pw_fake_server_enqueue (fx->server, "/v1/responses", pw_fake_reply_new (201, NULL, empty));
  pw_fake_server_enqueue (fx->server, NULL, pw_fake_reply_new (202, NULL, empty));
  pw_fake_server_enqueue (fx->server, "/v1/messages", pw_fake_reply_new (203, NULL, empty));
  g_assert_cmpuint (pw_fake_server_get_pending (fx->server), ==, 3);

  fetch (fx, &f, "POST", "/v1/messages", "{}");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 202);
  fetch_clear (&f);
  fetch (fx, &f, "POST", "/v1/messages", "{}");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 203);
  fetch_clear (&f);
  g_assert_cmpuint (pw_fake_server_get_pending (fx->server), ==, 1);
  fetch (fx, &f, "POST", "/v1/responses", "{}");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 201);
  fetch_clear (&f);
  g_assert_cmpuint (pw_fake_server_get_pending (fx->server), ==, 0);
  g_assert_cmpuint (n_signals, ==, 3);

  /* Same endpoints under a prefix, as OpenRouter's /api/v1 */
  pw_fake_server_enqueue (fx->server, NULL, pw_fake_reply_new (204, NULL, empty));
  fetch (fx, &f, "POST", "/api/v1/chat/completions", "{}");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 204);
  fetch_clear (&f);
}

static JsonObject *
parse_object (JsonParser   *parser,
              const guint8 *data,
              gsize         length)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, (const char *) data, (gssize) length, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
assert_queue_error (Fixture    *fx,
                    const char *path,
                    gboolean    anthropic)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonObject *error;
  Fetch f;

  fetch (fx, &f, "POST", path, "{}");
  g_assert_no_error (f.error);
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 500);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (f.msg), "x-should-retry"),
                   ==, "false");
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (f.msg), NULL),
                   ==, "application/json");
  root = parse_object (parser, f.body->data, f.body->len);
  if (anthropic)
    g_assert_cmpstr (json_object_get_string_member (root, "type"), ==, "error");
  error = json_object_get_object_member (root, "error");
  g_assert_nonnull (strstr (json_object_get_string_member (error, "message"), path));
  fetch_clear (&f);
}

static void
test_queue_empty (Fixture       *fx,
                  gconstpointer  data)
{
  Fetch f;

  assert_queue_error (fx, "/v1/messages", TRUE);
  assert_queue_error (fx, "/v1/responses", FALSE);
  assert_queue_error (fx, "/v1/chat/completions", FALSE);

  /* A reply queued for another path does not answer this one */
  pw_fake_server_enqueue (fx->server, "/v1/responses",
                          pw_fake_reply_new_text (PW_PROVIDER_OPENAI_RESPONSES, "x", NULL, 1));
  assert_queue_error (fx, "/v1/messages", TRUE);
  g_assert_cmpuint (pw_fake_server_get_pending (fx->server), ==, 1);

  fetch (fx, &f, "POST", "/v1/models", "{}");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 404);
  fetch_clear (&f);
  fetch (fx, &f, "GET", "/v1/messages", NULL);
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 405);
  fetch_clear (&f);
  g_assert_cmpuint (pw_fake_server_get_pending (fx->server), ==, 1);
  g_assert_cmpuint (pw_fake_server_get_requests (fx->server)->len, ==, 6);
}

static void
test_delay (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GBytes) body = g_bytes_new_static ("{}", 2);
  PwFakeReply *reply = pw_fake_reply_new (200, "application/json", body);
  Fetch f;

  pw_fake_reply_set_delay (reply, 200);
  pw_fake_server_enqueue (fx->server, NULL, reply);
  fetch (fx, &f, "POST", "/v1/messages", "{}");
  g_assert_no_error (f.error);
  g_assert_cmpint (f.headers_us - f.start_us, >=, 200 * 1000);
  g_assert_cmpmem (f.body->data, f.body->len, "{}", 2);
  fetch_clear (&f);
}

static void
test_fault_reset (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PwFakeReply *reply = pw_fake_reply_new_fixture (fixtures_dir (), "anthropic/messages-stream-text.sse", &error);
  Fetch f;

  g_assert_no_error (error);
  pw_fake_reply_set_fault (reply, PW_FAKE_FAULT_RESET_BEFORE_HEADERS, 0);
  pw_fake_server_enqueue (fx->server, NULL, reply);
  fetch (fx, &f, "POST", "/v1/messages", "{}");
  g_assert_nonnull (f.error);
  g_test_message ("reset: %s", f.error->message);
  g_assert_false (f.got_headers);
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 0);
  g_assert_cmpuint (pw_fake_server_get_requests (fx->server)->len, ==, 1);
  fetch_clear (&f);

  /* The server keeps serving after a reset */
  pw_fake_server_enqueue (fx->server, NULL, pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, "again", NULL, 2));
  fetch (fx, &f, "POST", "/v1/messages", "{}");
  g_assert_no_error (f.error);
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 200);
  fetch_clear (&f);
}

static void
test_fault_truncate (Fixture       *fx,
                     gconstpointer  data)
{
  static const gsize cuts[] = { 0, 1, 100, 613 };
  g_autoptr(GBytes) whole = read_fixture ("anthropic/messages-stream-text.sse");

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    for (guint chunked = 0; chunked < 2; chunked++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) expected = g_bytes_new_from_bytes (whole, 0, cuts[i]);
        PwFakeReply *reply = pw_fake_reply_new_fixture (fixtures_dir (), "anthropic/messages-stream-text.sse", &error);
        Fetch f;

        g_test_message ("truncate at %" G_GSIZE_FORMAT "%s", cuts[i], chunked ? ", 1–9 byte pieces" : "");
        g_assert_no_error (error);
        if (chunked)
          pw_fake_reply_set_chunking (reply, 1, 9, 0);
        pw_fake_reply_set_fault (reply, PW_FAKE_FAULT_TRUNCATE, cuts[i]);
        pw_fake_server_enqueue (fx->server, NULL, reply);
        fetch (fx, &f, "POST", "/v1/messages", "{}");
        g_assert_true (f.got_headers);
        g_assert_cmpuint (soup_message_get_status (f.msg), ==, 200);
        assert_body_equals (&f, expected);
        /* Cut inside a chunk: libsoup says so */
        g_assert_error (f.error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
        fetch_clear (&f);
      }

  /* A cut past the end: every byte, but still no proper end */
  {
    g_autoptr(GError) error = NULL;
    PwFakeReply *reply = pw_fake_reply_new_fixture (fixtures_dir (), "anthropic/messages-stream-text.sse", &error);
    Fetch f;

    pw_fake_reply_set_fault (reply, PW_FAKE_FAULT_TRUNCATE, 1000000);
    pw_fake_server_enqueue (fx->server, NULL, reply);
    fetch (fx, &f, "POST", "/v1/messages", "{}");
    assert_body_equals (&f, whole);
    g_assert_error (f.error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
    fetch_clear (&f);
  }
}

/* Closed between chunks: the body just ends, with no error at all. */
static void
test_fault_eof (Fixture       *fx,
                gconstpointer  data)
{
  static const gsize cuts[] = { 0, 57, 100000 };
  g_autoptr(GBytes) whole = read_fixture ("openai-responses/responses-stream-text.sse");

  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) expected = g_bytes_new_from_bytes (whole, 0, MIN (cuts[i], g_bytes_get_size (whole)));
      PwFakeReply *reply = pw_fake_reply_new_fixture (fixtures_dir (), "openai-responses/responses-stream-text.sse", &error);
      Fetch f;

      g_assert_no_error (error);
      pw_fake_reply_set_chunking (reply, 0, 0, 1);
      pw_fake_reply_set_fault (reply, PW_FAKE_FAULT_EOF, cuts[i]);
      pw_fake_server_enqueue (fx->server, NULL, reply);
      fetch (fx, &f, "POST", "/v1/responses", "{}");
      g_assert_cmpuint (soup_message_get_status (f.msg), ==, 200);
      g_assert_no_error (f.error);
      assert_body_equals (&f, expected);
      fetch_clear (&f);
    }
}

static void
test_fault_stall (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr(GBytes) whole = read_fixture ("openai-chat/chat-stream-usage.sse");
  g_autoptr(GBytes) expected = g_bytes_new_from_bytes (whole, 0, 250);
  g_autoptr(GError) error = NULL;
  PwFakeReply *reply = pw_fake_reply_new_fixture (fixtures_dir (), "openai-chat/chat-stream-usage.sse", &error);
  Fetch f;
  gboolean timed_out = FALSE;

  g_assert_no_error (error);
  pw_fake_reply_set_chunking (reply, 10, 40, 1);
  pw_fake_reply_set_fault (reply, PW_FAKE_FAULT_STALL, 250);
  pw_fake_server_enqueue (fx->server, "/v1/chat/completions", reply);
  fetch_start (fx, &f, "POST", "/v1/chat/completions", "{}");

  g_timeout_add (10000, flag_timeout_cb, &timed_out);
  while (f.body->len < 250 && !f.done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_assert_false (f.done);
  assert_body_equals (&f, expected);

  /* Nothing more, and no end, for a while */
  g_assert_false (fetch_wait (&f, 400));
  assert_body_equals (&f, expected);

  /* Other requests are still served meanwhile */
  {
    Fetch other;

    pw_fake_server_enqueue (fx->server, NULL, pw_fake_reply_new_text (PW_PROVIDER_OPENAI_CHAT, "x", NULL, 1));
    fetch (fx, &other, "POST", "/v1/chat/completions", "{}");
    g_assert_no_error (other.error);
    g_assert_cmpuint (soup_message_get_status (other.msg), ==, 200);
    fetch_clear (&other);
  }

  g_cancellable_cancel (f.cancellable);
  g_assert_true (fetch_wait (&f, 5000));
  g_assert_error (f.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  fetch_clear (&f);
  g_source_remove_by_user_data (&timed_out);
}

/* Disposing the server mid-stream closes the client's connections. */
static void
test_dispose_closes (Fixture       *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PwFakeReply *stalled = pw_fake_reply_new_fixture (fixtures_dir (), "anthropic/messages-stream-text.sse", &error);
  PwFakeReply *slow = pw_fake_reply_new_text (PW_PROVIDER_OPENAI_RESPONSES, MULTIBYTE_TEXT, NULL, 30);
  PwFakeReply *delayed = pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, "late", NULL, 1);
  PwFakeServer *server = fx->server;
  Fetch f[3];
  gboolean timed_out = FALSE;

  g_assert_no_error (error);
  pw_fake_reply_set_fault (stalled, PW_FAKE_FAULT_STALL, 40);
  pw_fake_reply_set_chunking (slow, 0, 0, 500);
  pw_fake_reply_set_delay (delayed, 60000);
  pw_fake_server_enqueue (fx->server, "/v1/messages", stalled);
  pw_fake_server_enqueue (fx->server, "/v1/responses", slow);
  pw_fake_server_enqueue (fx->server, "/v1/chat/completions", delayed);
  pw_fake_server_enqueue (fx->server, NULL, pw_fake_reply_new_text (PW_PROVIDER_OPENAI_CHAT, "never", NULL, 1));

  fetch_start (fx, &f[0], "POST", "/v1/messages", "{}");
  fetch_start (fx, &f[1], "POST", "/v1/responses", "{}");
  fetch_start (fx, &f[2], "POST", "/v1/chat/completions", "{}");
  g_timeout_add (10000, flag_timeout_cb, &timed_out);
  while ((f[0].body->len < 40 || f[1].body->len == 0
          || pw_fake_server_get_requests (fx->server)->len < 3) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove_by_user_data (&timed_out);

  g_object_add_weak_pointer (G_OBJECT (server), (gpointer *) &server);
  g_clear_object (&fx->server);
  g_assert_null (server);

  for (guint i = 0; i < G_N_ELEMENTS (f); i++)
    {
      g_assert_true (fetch_wait (&f[i], 5000));
      g_assert_nonnull (f[i].error);
      g_test_message ("request %u after dispose: %s", i, f[i].error->message);
      fetch_clear (&f[i]);
    }

}

/* SSE, as our generated streams and the fixtures use it (LF only) */
typedef struct {
  char *event;   /* NULL when the block had no event: line */
  char *data;
} SseEvent;

static void
sse_event_free (gpointer data)
{
  SseEvent *event = data;

  g_free (event->event);
  g_free (event->data);
  g_free (event);
}

static GPtrArray *
parse_sse (const guint8 *bytes,
           gsize         length)
{
  GPtrArray *events = g_ptr_array_new_with_free_func (sse_event_free);
  g_autofree char *text = g_strndup ((const char *) bytes, length);
  g_auto(GStrv) blocks = NULL;

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_suffix (text, "\n\n"));
  blocks = g_strsplit (text, "\n\n", -1);
  for (guint i = 0; blocks[i]; i++)
    {
      g_auto(GStrv) lines = NULL;
      SseEvent *event;

      if (!*blocks[i])
        continue;
      event = g_new0 (SseEvent, 1);
      lines = g_strsplit (blocks[i], "\n", -1);
      for (guint j = 0; lines[j]; j++)
        if (g_str_has_prefix (lines[j], "event: "))
          event->event = g_strdup (lines[j] + 7);
        else if (g_str_has_prefix (lines[j], "data: "))
          {
            g_assert_null (event->data);
            event->data = g_strdup (lines[j] + 6);
          }
        else
          g_assert_cmpstr (lines[j], ==, "(an unexpected line)");
      g_assert_nonnull (event->data);
      g_ptr_array_add (events, event);
    }
  return events;
}

static GPtrArray *
fixture_events (const char *relpath)
{
  g_autoptr(GBytes) bytes = read_fixture (relpath);
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  return parse_sse (data, length);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

/* Same members in the same order, recursively; null matches anything
 * (the fixtures' instructions are our null), arrays by their first
 * elements. */
static void
assert_same_shape (JsonNode   *a,
                   JsonNode   *b,
                   const char *where)
{
  if (JSON_NODE_HOLDS_NULL (a) || JSON_NODE_HOLDS_NULL (b))
    return;
  g_assert_cmpstr (json_node_type_name (a), ==, json_node_type_name (b));
  if (JSON_NODE_HOLDS_OBJECT (a))
    {
      g_autoptr(GList) ma = json_object_get_members (json_node_get_object (a));
      g_autoptr(GList) mb = json_object_get_members (json_node_get_object (b));
      GList *la, *lb;

      for (la = ma, lb = mb; la && lb; la = la->next, lb = lb->next)
        {
          g_autofree char *inner = g_strdup_printf ("%s.%s", where, (const char *) la->data);

          if (g_strcmp0 (la->data, lb->data) != 0)
            g_test_message ("at %s: %s vs %s", where, (const char *) la->data, (const char *) lb->data);
          g_assert_cmpstr (la->data, ==, lb->data);
          assert_same_shape (json_object_get_member (json_node_get_object (a), la->data),
                             json_object_get_member (json_node_get_object (b), lb->data), inner);
        }
      if (la || lb)
        g_test_message ("at %s: member counts differ", where);
      g_assert_true (la == NULL && lb == NULL);
    }
  else if (JSON_NODE_HOLDS_ARRAY (a))
    {
      JsonArray *aa = json_node_get_array (a);
      JsonArray *ab = json_node_get_array (b);

      if (json_array_get_length (aa) > 0 && json_array_get_length (ab) > 0)
        assert_same_shape (json_array_get_element (aa, 0), json_array_get_element (ab, 0), where);
    }
  else
    g_assert_cmpstr (g_type_name (json_node_get_value_type (a)), ==, g_type_name (json_node_get_value_type (b)));
}

/* The type of the delta, block or item an event carries, if any */
static const char *
event_subtype (JsonNode *event)
{
  static const char *members[] = { "delta", "content_block", "item", "part" };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      JsonNode *node = json_object_get_member (json_node_get_object (event), members[i]);

      if (node && JSON_NODE_HOLDS_OBJECT (node))
        return json_object_get_string_member_with_default (json_node_get_object (node), "type", NULL);
    }
  return NULL;
}

/* Each event type of @fixture that we also generate: same shape. */
static void
assert_shaped_like (GPtrArray  *events,
                    const char *fixture,
                    const char *skip_event)
{
  g_autoptr(GPtrArray) reference = fixture_events (fixture);
  guint n_compared = 0;

  for (guint i = 0; i < reference->len; i++)
    {
      SseEvent *ref = g_ptr_array_index (reference, i);

      for (guint j = 0; j < events->len; j++)
        {
          SseEvent *ours = g_ptr_array_index (events, j);

          if (ref->event && g_strcmp0 (ref->event, ours->event) == 0
              && g_strcmp0 (ref->event, skip_event) != 0)
            {
              g_autoptr(JsonNode) a = parse_json (ref->data);
              g_autoptr(JsonNode) b = parse_json (ours->data);
              /* Compare like with like: a thinking delta with a thinking delta */
              if (g_strcmp0 (event_subtype (a), event_subtype (b)) != 0)
                continue;
              assert_same_shape (a, b, ref->event);
              n_compared++;
              break;
            }
        }
    }
  g_assert_cmpuint (n_compared, >=, 5);
}

static GPtrArray *
fetch_generated (Fixture        *fx,
                 PwProviderKind  kind,
                 const char     *text,
                 const char     *thinking,
                 guint           n_deltas,
                 Fetch          *f)
{
  static const char *paths[] = { "/v1/messages", "/v1/responses", "/v1/chat/completions" };
  SoupMessageHeaders *headers;

  pw_fake_server_enqueue (fx->server, NULL, pw_fake_reply_new_text (kind, text, thinking, n_deltas));
  fetch (fx, f, "POST", paths[kind], "{}");
  g_assert_no_error (f->error);
  g_assert_cmpuint (soup_message_get_status (f->msg), ==, 200);
  headers = soup_message_get_response_headers (f->msg);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "content-type"), ==, "text/event-stream; charset=utf-8");
  g_assert_cmpint (soup_message_headers_get_encoding (headers), ==, SOUP_ENCODING_CHUNKED);
  g_assert_nonnull (soup_message_headers_get_one (headers, kind == PW_PROVIDER_ANTHROPIC ? "request-id" : "x-request-id"));
  return parse_sse (f->body->data, f->body->len);
}

static void
test_text_anthropic (Fixture       *fx,
                     gconstpointer  data)
{
  static const char thinking[] = "Check the ordering — then the 日本 locale.";
  for (guint with_thinking = 0; with_thinking < 2; with_thinking++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GString) thought = g_string_new (NULL);
      g_autoptr(GPtrArray) events = NULL;
      guint n_text_deltas = 0;
      gboolean signature = FALSE;
      Fetch f;

      events = fetch_generated (fx, PW_PROVIDER_ANTHROPIC, MULTIBYTE_TEXT, with_thinking ? thinking : NULL, 40, &f);
      for (guint i = 0; i < events->len; i++)
        {
          SseEvent *event = g_ptr_array_index (events, i);
          g_autoptr(JsonNode) node = parse_json (event->data);
          JsonObject *object = json_node_get_object (node);

          g_assert_nonnull (event->event);
          g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, event->event);
          if (strcmp (event->event, "content_block_delta") == 0)
            {
              JsonObject *delta = json_object_get_object_member (object, "delta");
              const char *type = json_object_get_string_member (delta, "type");

              if (strcmp (type, "text_delta") == 0)
                {
                  g_assert_cmpint (json_object_get_int_member (object, "index"), ==, with_thinking ? 1 : 0);
                  g_string_append (text, json_object_get_string_member (delta, "text"));
                  n_text_deltas++;
                }
              else if (strcmp (type, "thinking_delta") == 0)
                {
                  g_assert_false (signature);
                  g_string_append (thought, json_object_get_string_member (delta, "thinking"));
                }
              else
                {
                  g_assert_cmpstr (type, ==, "signature_delta");
                  signature = TRUE;
                }
            }
        }
      g_assert_cmpstr (text->str, ==, MULTIBYTE_TEXT);
      /* Fewer code points than deltas asked: one delta each, none empty */
      g_assert_cmpuint (n_text_deltas, >, 20);
      g_assert_cmpuint (n_text_deltas, <=, 40);
      g_assert_cmpstr (thought->str, ==, with_thinking ? thinking : "");
      g_assert_true (signature == (with_thinking != 0));
      g_assert_cmpstr (((SseEvent *) g_ptr_array_index (events, 0))->event, ==, "message_start");
      g_assert_cmpstr (((SseEvent *) g_ptr_array_index (events, events->len - 2))->event, ==, "message_delta");
      g_assert_cmpstr (((SseEvent *) g_ptr_array_index (events, events->len - 1))->event, ==, "message_stop");
      /* The thinking fixture has the older, output-only final usage */
      assert_shaped_like (events, "anthropic/messages-stream-text.sse", NULL);
      if (with_thinking)
        assert_shaped_like (events, "anthropic/messages-stream-thinking.sse", "message_delta");
      fetch_clear (&f);
    }
}

static void
test_text_responses (Fixture       *fx,
                     gconstpointer  data)
{
  for (guint with_thinking = 0; with_thinking < 2; with_thinking++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GString) summary = g_string_new (NULL);
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(JsonNode) last = NULL;
      JsonObject *response;
      Fetch f;

      events = fetch_generated (fx, PW_PROVIDER_OPENAI_RESPONSES, MULTIBYTE_TEXT,
                                with_thinking ? "Plan first." : NULL, 5, &f);
      for (guint i = 0; i < events->len; i++)
        {
          SseEvent *event = g_ptr_array_index (events, i);
          g_autoptr(JsonNode) node = parse_json (event->data);
          JsonObject *object = json_node_get_object (node);

          g_assert_cmpstr (json_object_get_string_member (object, "type"), ==, event->event);
          g_assert_cmpint (json_object_get_int_member (object, "sequence_number"), ==, i);
          if (strcmp (event->event, "response.output_text.delta") == 0)
            g_string_append (text, json_object_get_string_member (object, "delta"));
          else if (strcmp (event->event, "response.reasoning_summary_text.delta") == 0)
            g_string_append (summary, json_object_get_string_member (object, "delta"));
          else if (strcmp (event->event, "response.output_text.done") == 0)
            g_assert_cmpstr (json_object_get_string_member (object, "text"), ==, MULTIBYTE_TEXT);
        }
      g_assert_cmpstr (text->str, ==, MULTIBYTE_TEXT);
      g_assert_cmpstr (summary->str, ==, with_thinking ? "Plan first." : "");

      last = parse_json (((SseEvent *) g_ptr_array_index (events, events->len - 1))->data);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (last), "type"), ==, "response.completed");
      response = json_object_get_object_member (json_node_get_object (last), "response");
      g_assert_cmpstr (json_object_get_string_member (response, "status"), ==, "completed");
      g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (response, "usage"), "total_tokens"), >, 0);
      assert_shaped_like (events, "openai-responses/responses-stream-text.sse", NULL);
      fetch_clear (&f);
    }
}

static void
test_text_chat (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) reasoning = g_string_new (NULL);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) reference = fixture_events ("openai-chat/chat-stream-usage.sse");
  guint n_finish = 0;
  guint n_usage = 0;
  Fetch f;

  events = fetch_generated (fx, PW_PROVIDER_OPENAI_CHAT, MULTIBYTE_TEXT, "Think.", 7, &f);
  g_assert_cmpstr (((SseEvent *) g_ptr_array_index (events, events->len - 1))->data, ==, "[DONE]");
  for (guint i = 0; i + 1 < events->len; i++)
    {
      SseEvent *event = g_ptr_array_index (events, i);
      g_autoptr(JsonNode) node = parse_json (event->data);
      JsonObject *chunk = json_node_get_object (node);
      JsonArray *choices = json_object_get_array_member (chunk, "choices");

      g_assert_null (event->event);
      g_assert_cmpstr (json_object_get_string_member (chunk, "object"), ==, "chat.completion.chunk");
      if (json_array_get_length (choices) == 0)
        {
          JsonObject *usage = json_object_get_object_member (chunk, "usage");

          g_assert_cmpuint (i, ==, events->len - 2);
          g_assert_cmpint (json_object_get_int_member (usage, "total_tokens"), ==,
                           json_object_get_int_member (usage, "prompt_tokens")
                           + json_object_get_int_member (usage, "completion_tokens"));
          n_usage++;
        }
      else
        {
          JsonObject *choice = json_array_get_object_element (choices, 0);
          JsonObject *delta = json_object_get_object_member (choice, "delta");

          g_assert_true (json_object_get_null_member (chunk, "usage"));
          if (json_object_has_member (delta, "content"))
            g_string_append (text, json_object_get_string_member (delta, "content"));
          if (json_object_has_member (delta, "reasoning_content"))
            g_string_append (reasoning, json_object_get_string_member (delta, "reasoning_content"));
          if (!json_object_get_null_member (choice, "finish_reason"))
            {
              g_assert_cmpstr (json_object_get_string_member (choice, "finish_reason"), ==, "stop");
              n_finish++;
            }
        }
    }
  g_assert_cmpstr (text->str, ==, MULTIBYTE_TEXT);
  g_assert_cmpstr (reasoning->str, ==, "Think.");
  g_assert_cmpuint (n_finish, ==, 1);
  g_assert_cmpuint (n_usage, ==, 1);

  /* Role chunk, a content chunk, the finish chunk, the usage chunk */
  {
    static const struct { guint ours_from_end; guint ref_from_end; } pairs[] = { { 2, 2 }, { 3, 3 }, { 4, 4 } };
    g_autoptr(JsonNode) a = parse_json (((SseEvent *) g_ptr_array_index (reference, 0))->data);
    g_autoptr(JsonNode) b = parse_json (((SseEvent *) g_ptr_array_index (events, 0))->data);

    assert_same_shape (a, b, "role chunk");
    for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
      {
        g_autoptr(JsonNode) ra = parse_json (((SseEvent *) g_ptr_array_index (reference, reference->len - pairs[i].ref_from_end))->data);
        g_autoptr(JsonNode) rb = parse_json (((SseEvent *) g_ptr_array_index (events, events->len - pairs[i].ours_from_end))->data);

        assert_same_shape (ra, rb, "chunk");
      }
  }
  fetch_clear (&f);
}

static void
test_text_split (Fixture       *fx,
                 gconstpointer  data)
{
  /* One delta: the whole text; empty text: no text delta at all */
  g_autoptr(GPtrArray) events = NULL;
  guint n_deltas = 0;
  Fetch f;

  events = fetch_generated (fx, PW_PROVIDER_ANTHROPIC, "", NULL, 5, &f);
  for (guint i = 0; i < events->len; i++)
    if (g_strcmp0 (((SseEvent *) g_ptr_array_index (events, i))->event, "content_block_delta") == 0)
      n_deltas++;
  g_assert_cmpuint (n_deltas, ==, 0);
  g_assert_cmpstr (((SseEvent *) g_ptr_array_index (events, events->len - 1))->event, ==, "message_stop");
  fetch_clear (&f);
  g_clear_pointer (&events, g_ptr_array_unref);

  events = fetch_generated (fx, PW_PROVIDER_OPENAI_CHAT, "🦀🦀", NULL, 1, &f);
  /* role, one content chunk, finish, usage, [DONE] */
  g_assert_cmpuint (events->len, ==, 5);
  fetch_clear (&f);
}

static char *
write_script (const char *dir,
              const char *contents)
{
  g_autofree char *path = g_build_filename (dir, "script.json", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static void
test_script (Fixture       *fx,
             gconstpointer  data)
{
  static const char script[] =
    "[\n"
    "  {\"fixture\": \"anthropic/messages-stream-text.sse\", \"path\": \"/v1/messages\", \"chunk\": [1, 5]},\n"
    "  {\"status\": 429, \"headers\": {\"retry-after\": \"1\", \"x-should-retry\": \"true\"},\n"
    "   \"body\": \"{\\\"error\\\":{\\\"message\\\":\\\"slow down\\\"}}\", \"repeat\": 2},\n"
    "  {\"text\": \"Hello — 世界\", \"provider\": \"openai-chat\", \"deltas\": 3},\n"
    "  {\"text\": \"By path\", \"path\": \"/v1/responses\", \"interval_ms\": 1},\n"
    "  {\"fixture\": \"anthropic/error-529-overloaded.json\", \"headers\": {\"request-id\": \"req_mine\"}},\n"
    "  {\"fixture\": \"openai-chat/chat-stream-usage.sse\", \"fault\": {\"kind\": \"truncate\", \"at\": 10}},\n"
    "  {\"status\": 200, \"body\": \"event: error\\ndata: {}\\n\\n\", \"content_type\": \"text/event-stream\"}\n"
    "]\n";
  g_autofree char *dir = g_dir_make_tmp ("pw-fake-XXXXXX", NULL);
  g_autofree char *path = write_script (dir, script);
  g_autoptr(GBytes) fixture = read_fixture ("anthropic/messages-stream-text.sse");
  g_autoptr(GError) error = NULL;
  Fetch f;

  g_assert_true (pw_fake_server_load_script (fx->server, path, fixtures_dir (), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pw_fake_server_get_pending (fx->server), ==, 8);

  /* The fixture waits for /v1/messages; the 429s go first elsewhere */
  fetch (fx, &f, "POST", "/v1/chat/completions", "{}");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 429);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (f.msg), "retry-after"), ==, "1");
  g_assert_cmpmem (f.body->data, f.body->len, "{\"error\":{\"message\":\"slow down\"}}", 33);
  fetch_clear (&f);
  fetch (fx, &f, "POST", "/v1/messages", "{}");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 200);
  assert_body_equals (&f, fixture);
  fetch_clear (&f);
  fetch (fx, &f, "POST", "/v1/chat/completions", "{}");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 429);
  fetch_clear (&f);
  fetch (fx, &f, "POST", "/v1/chat/completions", "{}");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 200);
  g_assert_nonnull (g_strstr_len ((const char *) f.body->data, f.body->len, "\"content\":\"Hello"));
  fetch_clear (&f);
  fetch (fx, &f, "POST", "/v1/responses", "{}");
  g_assert_nonnull (g_strstr_len ((const char *) f.body->data, f.body->len, "response.completed"));
  fetch_clear (&f);
  fetch (fx, &f, "POST", "/v1/messages", "{}");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 529);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (f.msg), "request-id"), ==, "req_mine");
  fetch_clear (&f);
  fetch (fx, &f, "POST", "/v1/chat/completions", "{}");
  g_assert_cmpuint (f.body->len, ==, 10);
  g_assert_nonnull (f.error);
  fetch_clear (&f);
  fetch (fx, &f, "POST", "/v1/messages", "{}");
  g_assert_cmpmem (f.body->data, f.body->len, "event: error\ndata: {}\n\n", 23);
  fetch_clear (&f);
  g_assert_cmpuint (pw_fake_server_get_pending (fx->server), ==, 0);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_script_errors (Fixture       *fx,
                    gconstpointer  data)
{
  static const struct {
    const char *script;
    const char *message;
  } cases[] = {
    { "{}", "JSON array" },
    { "[{\"fixture\": \"anthropic/messages-stream-text.sse\", \"fautl\": {}}]", "reply 0: unknown key “fautl”" },
    { "[{\"status\": 200}, {\"text\": \"x\"}]", "reply 1: a “text” reply needs" },
    { "[{\"text\": \"x\", \"provider\": \"gemini\"}]", "unknown provider “gemini”" },
    { "[{\"fixture\": \"nope.sse\"}]", "reply 0: No fixture “nope.sse”" },
    { "[{\"status\": 200, \"text\": \"x\"}]", "exactly one of" },
    { "[{\"status\": 200, \"chunk\": [5, 1]}]", "“chunk” must be" },
    { "[{\"status\": 200, \"fault\": {\"kind\": \"explode\"}}]", "“fault” needs a “kind”" },
    { "[{\"status\": 200, \"repeat\": -1}]", "“repeat” must be" },
    { "[{\"status\": \"200\"}]", "“status” must be" },
    { "[{\"status\": 200, \"path\": \"v1/messages\"}]", "must start with" },
    { "[{\"status\": 200}, {\"status\": 200, \"headers\": {\"a\": 1}}]", "reply 1: header “a”" },
  };
  g_autofree char *dir = g_dir_make_tmp ("pw-fake-XXXXXX", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_script (dir, cases[i].script);
      g_autoptr(GError) error = NULL;

      g_test_message ("script %s", cases[i].script);
      g_assert_false (pw_fake_server_load_script (fx->server, path, fixtures_dir (), &error));
      g_assert_nonnull (error);
      g_test_message ("→ %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      /* All or nothing */
      g_assert_cmpuint (pw_fake_server_get_pending (fx->server), ==, 0);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static const char *echo_requests[] = {
  "{\"model\":\"claude-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"first\"},"
  "{\"role\":\"assistant\",\"content\":\"a\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Plan the café\"}]}]}",
  "{\"model\":\"gpt-test\",\"stream\":true,\"input\":[{\"role\":\"developer\",\"content\":\"sys\"},"
  "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Plan the café\"}]}]}",
  "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"system\",\"content\":\"sys\"},"
  "{\"role\":\"user\",\"content\":\"Plan the café\"}]}",
};

/* The text deltas of a generated stream of @kind, joined */
static char *
stream_text (PwProviderKind  kind,
             Fetch          *f)
{
  g_autoptr(GPtrArray) events = parse_sse (f->body->data, f->body->len);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    {
      SseEvent *event = g_ptr_array_index (events, i);
      g_autoptr(JsonNode) node = NULL;
      JsonObject *object;

      if (strcmp (event->data, "[DONE]") == 0)
        continue;
      node = parse_json (event->data);
      object = json_node_get_object (node);
      if (kind == PW_PROVIDER_ANTHROPIC && g_strcmp0 (event->event, "content_block_delta") == 0)
        g_string_append (text, json_object_get_string_member (json_object_get_object_member (object, "delta"), "text"));
      else if (kind == PW_PROVIDER_OPENAI_RESPONSES && g_strcmp0 (event->event, "response.output_text.delta") == 0)
        g_string_append (text, json_object_get_string_member (object, "delta"));
      else if (kind == PW_PROVIDER_OPENAI_CHAT)
        {
          JsonArray *choices = json_object_get_array_member (object, "choices");
          JsonObject *delta;

          if (json_array_get_length (choices) == 0)
            continue;
          delta = json_object_get_object_member (json_array_get_object_element (choices, 0), "delta");
          if (json_object_has_member (delta, "content"))
            g_string_append (text, json_object_get_string_member (delta, "content"));
        }
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_echo (Fixture       *fx,
           gconstpointer  data)
{
  static const char *paths[] = { "/v1/messages", "/v1/responses", "/v1/chat/completions" };
  static const char *models[] = { "\"model\":\"claude-test\"", "\"model\":\"gpt-test\"", "\"model\":\"gpt-test\"" };
  Fetch f;

  pw_fake_server_set_echo (fx->server, TRUE);
  for (guint kind = 0; kind < G_N_ELEMENTS (paths); kind++)
    {
      g_autofree char *text = NULL;

      fetch (fx, &f, "POST", paths[kind], echo_requests[kind]);
      g_assert_no_error (f.error);
      g_assert_cmpuint (soup_message_get_status (f.msg), ==, 200);
      g_assert_cmpuint (f.n_reads, >, 5);
      text = stream_text (kind, &f);
      g_assert_cmpstr (text, ==, "Fake planner: you said “Plan the café”");
      g_assert_nonnull (g_strstr_len ((const char *) f.body->data, f.body->len, models[kind]));
      fetch_clear (&f);
    }

  /* "stream": false gets one JSON document */
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonObject *root;

    fetch (fx, &f, "POST", "/v1/messages",
           "{\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"once\"}]}");
    g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (f.msg), "content-type"),
                     ==, "application/json");
    root = parse_object (parser, f.body->data, f.body->len);
    g_assert_cmpstr (json_object_get_string_member (root, "type"), ==, "message");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_object_get_array_member (root, "content"), 0), "text"),
                     ==, "Fake planner: you said “once”");
    fetch_clear (&f);
  }

  /* A body that is no request at all still gets an answer */
  fetch (fx, &f, "POST", "/v1/chat/completions", "not json");
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 200);
  g_assert_nonnull (g_strstr_len ((const char *) f.body->data, f.body->len, "data: [DONE]"));
  fetch_clear (&f);

  /* A queued reply still wins over the echo */
  pw_fake_server_enqueue (fx->server, NULL, pw_fake_reply_new (418, NULL, NULL));
  fetch (fx, &f, "POST", "/v1/messages", echo_requests[0]);
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 418);
  fetch_clear (&f);
}

/* The program: URL line, echo answer, clean exit on SIGTERM. */
static GSubprocess *
spawn_program (char       **out_url,
               const char  *first_arg,
               ...)
{
  const char *program = g_getenv ("PW_FAKE_LLM");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  GSubprocess *process;
  va_list args;

  g_assert_nonnull (program);
  g_ptr_array_add (argv, (char *) program);
  va_start (args, first_arg);
  for (const char *arg = first_arg; arg; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  *out_url = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out_url);
  g_assert_true (g_str_has_prefix (*out_url, "http://127.0.0.1:"));
  return process;
}

static void
stop_program (GSubprocess *process)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

/* The fixture's server is not used: point the fetch at the program. */
static void
program_fetch (Fixture    *fx,
               Fetch      *f,
               const char *url,
               const char *path,
               const char *body)
{
  g_autofree char *full = g_strconcat (url, path, NULL);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  memset (f, 0, sizeof *f);
  f->msg = soup_message_new ("POST", full);
  f->cancellable = g_cancellable_new ();
  f->body = g_byte_array_new ();
  soup_message_set_request_body_from_bytes (f->msg, "application/json", bytes);
  soup_session_send_async (fx->session, f->msg, G_PRIORITY_DEFAULT, f->cancellable, send_cb, f);
  g_assert_true (fetch_wait (f, 20000));
}

static void
test_program_echo (Fixture       *fx,
                   gconstpointer  data)
{
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) process = spawn_program (&url, "--quiet", NULL);
  g_autofree char *text = NULL;
  Fetch f;

  program_fetch (fx, &f, url, "/v1/messages", echo_requests[0]);
  g_assert_no_error (f.error);
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 200);
  text = stream_text (PW_PROVIDER_ANTHROPIC, &f);
  g_assert_cmpstr (text, ==, "Fake planner: you said “Plan the café”");
  g_assert_nonnull (g_strstr_len ((const char *) f.body->data, f.body->len, "event: message_stop"));
  fetch_clear (&f);

  soup_session_abort (fx->session);
  stop_program (process);
}

static void
test_program_script (Fixture       *fx,
                     gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("pw-fake-XXXXXX", NULL);
  g_autofree char *path = write_script (dir, "[{\"text\": \"Scripted.\", \"provider\": \"openai-chat\"}]");
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) process = spawn_program (&url, "--script", path, "--fixtures", fixtures_dir (), NULL);
  g_autofree char *text = NULL;
  Fetch f;

  program_fetch (fx, &f, url, "/v1/chat/completions", echo_requests[2]);
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 200);
  text = stream_text (PW_PROVIDER_OPENAI_CHAT, &f);
  g_assert_cmpstr (text, ==, "Scripted.");
  fetch_clear (&f);
  /* Out of script, no --echo: the 500 that names the path */
  program_fetch (fx, &f, url, "/v1/chat/completions", echo_requests[2]);
  g_assert_cmpuint (soup_message_get_status (f.msg), ==, 500);
  g_assert_nonnull (g_strstr_len ((const char *) f.body->data, f.body->len, "/v1/chat/completions"));
  fetch_clear (&f);

  soup_session_abort (fx->session);
  stop_program (process);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_program_bad_script (void)
{
  const char *program = g_getenv ("PW_FAKE_LLM");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  g_assert_nonnull (program);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                              program, "--script", "/nonexistent/script.json", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err, "/nonexistent/script.json"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, func) g_test_add (name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/fake/server/url", test_url);
  ADD ("/fake/fixture/identical", test_fixture_identical);
  g_test_add_func ("/fake/fixture/unknown", test_fixture_unknown);
  ADD ("/fake/chunking/same-bytes", test_chunked_same_bytes);
  ADD ("/fake/chunking/by-event", test_chunked_by_event);
  ADD ("/fake/requests/recorded", test_requests_recorded);
  ADD ("/fake/queue/order", test_queue_order);
  ADD ("/fake/queue/empty", test_queue_empty);
  ADD ("/fake/delay", test_delay);
  ADD ("/fake/fault/reset", test_fault_reset);
  ADD ("/fake/fault/truncate", test_fault_truncate);
  ADD ("/fake/fault/stall", test_fault_stall);
  ADD ("/fake/fault/eof", test_fault_eof);
  ADD ("/fake/server/dispose-closes", test_dispose_closes);
  ADD ("/fake/text/anthropic", test_text_anthropic);
  ADD ("/fake/text/responses", test_text_responses);
  ADD ("/fake/text/chat", test_text_chat);
  ADD ("/fake/text/split", test_text_split);
  ADD ("/fake/script/replies", test_script);
  ADD ("/fake/script/errors", test_script_errors);
  ADD ("/fake/echo", test_echo);
  ADD ("/fake/program/echo", test_program_echo);
  ADD ("/fake/program/script", test_program_script);
  g_test_add_func ("/fake/program/bad-script", test_program_bad_script);
#undef ADD

  return g_test_run ();
}
