/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Glue shared by the provider tests: a fake server, a provider pointed at it, one call run to its end, the fixture index. */
#pragma once

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pw-fake-server.h"
#include "pw-provider.h"

/* A key nothing else contains: any sighting outside the auth header is a leak. */
#define TEST_KEY "sk-test-K3yThatMustNeverLeak-0123456789"

typedef struct {
  PwFakeServer *server;
  PwModels     *models;
  PwProvider   *provider;
} ProviderFixture;

/* One call, run to its end. */
typedef struct {
  GString         *text;
  GString         *thinking;
  guint            n_deltas;
  GArray          *retries;          /* PwRetryInfo, reason set to NULL */
  GArray          *retry_times_us;   /* gint64, monotonic */
  PwLlmCompletion *completion;
  GError          *error;
  guint            attempts;
  gboolean         finished;
  GAsyncResult    *result;           /* kept for record_failure */
  /* cancel from the delta callback once this much text arrived (0: never) */
  GCancellable    *cancellable;
  gsize            cancel_after_bytes;
  gboolean         cancel_on_retry;
  gboolean         cancelled;
  guint            callbacks_after_cancel;
} CallRun;

G_GNUC_UNUSED static const char *
fixtures_dir (void)
{
  const char *dir = g_getenv ("PW_FIXTURES_DIR");

  g_assert_nonnull (dir);
  return dir;
}

/* The index.json entry of @file */
G_GNUC_UNUSED static JsonObject *
fixture_entry (const char *file)
{
  static JsonNode *index;
  JsonArray *entries;

  if (index == NULL)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_build_filename (fixtures_dir (), "index.json", NULL);

      json_parser_load_from_file (parser, path, &error);
      g_assert_no_error (error);
      index = json_node_copy (json_parser_get_root (parser));
    }
  entries = json_node_get_array (index);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);

      if (g_strcmp0 (json_object_get_string_member (entry, "file"), file) == 0)
        return entry;
    }
  g_assert_not_reached ();
  return NULL;
}

G_GNUC_UNUSED static JsonObject *
fixture_expect (const char *file)
{
  return json_object_get_object_member (fixture_entry (file), "expect");
}

/* The request id a fixture is served with (request-id, x-request-id, x-generation-id) */
G_GNUC_UNUSED static const char *
fixture_request_id (const char *file)
{
  JsonObject *headers = json_object_get_object_member (fixture_entry (file), "headers");
  static const char *names[] = { "request-id", "x-request-id", "x-generation-id" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (json_object_has_member (headers, names[i]))
      return json_object_get_string_member (headers, names[i]);
  return NULL;
}

G_GNUC_UNUSED static guint
fixture_status (const char *file)
{
  return (guint) json_object_get_int_member (fixture_entry (file), "status");
}

G_GNUC_UNUSED static PwFakeReply *
fixture_reply (const char *file,
               gboolean    dribble)
{
  g_autoptr(GError) error = NULL;
  PwFakeReply *reply = pw_fake_reply_new_fixture (fixtures_dir (), file, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reply);
  if (dribble)
    pw_fake_reply_set_chunking (reply, 1, 7, 0);
  return reply;
}

G_GNUC_UNUSED static void
fixture_set_up (ProviderFixture *fixture,
                PwProviderKind   kind,
                const char      *key)
{
  g_autoptr(GError) error = NULL;
  PwTimeouts timeouts = { .connect_ms = 5000, .first_byte_ms = 5000, .idle_ms = 5000 };
  /* short backoff, same shape as the real policy */
  PwRetryPolicy policy = { .max_retries = 2, .base_delay_ms = 10, .max_delay_ms = 40, .max_hint_ms = 5000 };

  fixture->server = pw_fake_server_new (&error);
  g_assert_no_error (error);
  fixture->models = pw_models_load (NULL, &error);
  g_assert_no_error (error);
  fixture->provider = pw_provider_new (kind, pw_fake_server_get_url (fixture->server), key, fixture->models);
  pw_provider_set_timeouts (fixture->provider, &timeouts);
  pw_provider_set_retry_policy (fixture->provider, &policy);
}

G_GNUC_UNUSED static void
drain_main_context (void)
{
  /* let closes and idle callbacks finish, so leaks are real leaks */
  for (guint i = 0; i < 100 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

G_GNUC_UNUSED static void
fixture_tear_down (ProviderFixture *fixture)
{
  gpointer provider = fixture->provider;
  gpointer server = fixture->server;

  g_object_add_weak_pointer (provider, &provider);
  g_clear_object (&fixture->provider);
  drain_main_context ();
  /* no call of ours holds the provider once it finished */
  g_assert_null (provider);

  g_object_add_weak_pointer (server, &server);
  g_clear_object (&fixture->server);
  drain_main_context ();
  g_assert_null (server);
  g_clear_object (&fixture->models);
}

G_GNUC_UNUSED static void
call_run_on_delta (PwDeltaKind  kind,
                   const char  *text,
                   gsize        len,
                   gpointer     user_data)
{
  CallRun *run = user_data;

  if (run->cancelled)
    run->callbacks_after_cancel++;
  g_assert_true (g_utf8_validate (text, (gssize) len, NULL));
  g_string_append_len (kind == PW_DELTA_TEXT ? run->text : run->thinking, text, (gssize) len);
  run->n_deltas++;
  if (run->cancel_after_bytes > 0 && run->text->len >= run->cancel_after_bytes && !run->cancelled)
    {
      run->cancelled = TRUE;
      g_cancellable_cancel (run->cancellable);
    }
}

G_GNUC_UNUSED static void
call_run_on_retry (const PwRetryInfo *info,
                   gpointer           user_data)
{
  CallRun *run = user_data;
  PwRetryInfo copy = *info;
  gint64 now = g_get_monotonic_time ();

  if (run->cancelled)
    run->callbacks_after_cancel++;
  g_assert_nonnull (info->reason);
  g_assert_cmpstr (info->reason, !=, "");
  copy.reason = NULL;
  g_array_append_val (run->retries, copy);
  g_array_append_val (run->retry_times_us, now);
  if (run->cancel_on_retry && !run->cancelled)
    {
      run->cancelled = TRUE;
      g_cancellable_cancel (run->cancellable);
    }
}

G_GNUC_UNUSED static void
call_run_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CallRun *run = user_data;

  g_assert_false (run->finished);
  run->completion = pw_provider_stream_finish (PW_PROVIDER (source), result, &run->error);
  run->attempts = pw_provider_stream_get_attempts (result);
  run->result = g_object_ref (result);
  run->finished = TRUE;
}

G_GNUC_UNUSED static void
call_run_init (CallRun *run)
{
  memset (run, 0, sizeof *run);
  run->text = g_string_new (NULL);
  run->thinking = g_string_new (NULL);
  run->retries = g_array_new (FALSE, TRUE, sizeof (PwRetryInfo));
  run->retry_times_us = g_array_new (FALSE, TRUE, sizeof (gint64));
  run->cancellable = g_cancellable_new ();
}

G_GNUC_UNUSED static void
call_run_clear (CallRun *run)
{
  g_string_free (run->text, TRUE);
  g_string_free (run->thinking, TRUE);
  g_array_unref (run->retries);
  g_array_unref (run->retry_times_us);
  g_clear_pointer (&run->completion, pw_llm_completion_free);
  g_clear_error (&run->error);
  g_clear_object (&run->result);
  g_clear_object (&run->cancellable);
}

G_GNUC_UNUSED static void
call_run_start (CallRun      *run,
                PwProvider   *provider,
                PwLlmRequest *request)
{
  pw_provider_stream_async (provider, request, call_run_on_delta, call_run_on_retry, run,
                            run->cancellable, call_run_done, run);
}

G_GNUC_UNUSED static void
call_run_wait (CallRun *run)
{
  while (!run->finished)
    g_main_context_iteration (NULL, TRUE);
}

/* A plain request for @model; the caller frees it */
G_GNUC_UNUSED static PwLlmRequest *
simple_request (const char *model)
{
  PwLlmRequest *request = pw_llm_request_new (model);

  pw_llm_request_set_system (request, "You review plans.");
  pw_llm_request_add_message (request, "user", "Review this plan.", TRUE);
  return request;
}

G_GNUC_UNUSED static void
call_run (CallRun      *run,
          PwProvider   *provider,
          const char   *model)
{
  g_autoptr(PwLlmRequest) request = simple_request (model);

  call_run_start (run, provider, request);
  call_run_wait (run);
}

/* The recorded request @i, as parsed JSON */
G_GNUC_UNUSED static JsonObject *
recorded_body (PwFakeServer *server,
               guint         i,
               JsonNode    **out_node)
{
  GPtrArray *requests = pw_fake_server_get_requests (server);
  PwFakeRequest *request;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data;

  g_assert_cmpuint (requests->len, >, i);
  request = g_ptr_array_index (requests, i);
  data = g_bytes_get_data (request->body, &len);
  json_parser_load_from_data (parser, data, (gssize) len, &error);
  g_assert_no_error (error);
  *out_node = json_node_copy (json_parser_get_root (parser));
  return json_node_get_object (*out_node);
}

/* The key appears in no header but Authorization ("Bearer KEY"), nowhere in a body */
G_GNUC_UNUSED static void
assert_no_key_leak (PwFakeServer *server,
                    gboolean      expect_auth)
{
  GPtrArray *requests = pw_fake_server_get_requests (server);

  for (guint i = 0; i < requests->len; i++)
    {
      PwFakeRequest *request = g_ptr_array_index (requests, i);
      SoupMessageHeadersIter iter;
      const char *name;
      const char *value;
      g_autofree char *body = g_strndup (g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body));
      gboolean saw_auth = FALSE;

      g_assert_null (strstr (body, TEST_KEY));
      g_assert_null (strstr (request->path, TEST_KEY));
      soup_message_headers_iter_init (&iter, request->headers);
      while (soup_message_headers_iter_next (&iter, &name, &value))
        {
          if (g_ascii_strcasecmp (name, "Authorization") == 0)
            {
              g_assert_cmpstr (value, ==, "Bearer " TEST_KEY);
              saw_auth = TRUE;
              continue;
            }
          g_assert_null (strstr (value, TEST_KEY));
          g_assert_null (strstr (name, TEST_KEY));
        }
      g_assert_cmpint (saw_auth, ==, expect_auth);
      g_assert_null (soup_message_headers_get_one (request->headers, "x-api-key"));
    }
}

/* An error's message names the status and the request id, never the key */
G_GNUC_UNUSED static void
assert_error_message (const GError *error,
                      guint         status,
                      const char   *request_id)
{
  g_autofree char *status_text = g_strdup_printf ("HTTP %u", status);

  g_test_message ("error: %s", error->message);
  g_assert_null (strstr (error->message, TEST_KEY));
  if (status != 0)
    g_assert_nonnull (strstr (error->message, status_text));
  if (request_id != NULL)
    g_assert_nonnull (strstr (error->message, request_id));
}

/* No sampling parameter, at any depth of the top level */
G_GNUC_UNUSED static void
assert_no_sampling (JsonObject *body)
{
  static const char *names[] = { "temperature", "top_p", "top_k", "frequency_penalty",
                                 "presence_penalty", "seed" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_false (json_object_has_member (body, names[i]));
}

G_GNUC_UNUSED static gint64
expect_int (JsonObject *object,
            const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i + 1] != NULL; i++)
    object = json_object_get_object_member (object, parts[i]);
  return json_object_get_int_member (object, parts[g_strv_length (parts) - 1]);
}

G_GNUC_UNUSED static gboolean
expect_has (JsonObject *object,
            const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i + 1] != NULL; i++)
    {
      if (object == NULL || !json_object_has_member (object, parts[i])
          || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, parts[i])))
        return FALSE;
      object = json_object_get_object_member (object, parts[i]);
    }
  return object != NULL && json_object_has_member (object, parts[g_strv_length (parts) - 1])
         && !JSON_NODE_HOLDS_NULL (json_object_get_member (object, parts[g_strv_length (parts) - 1]));
}

/* raw_json is one JSON object */
G_GNUC_UNUSED static JsonNode *
parse_raw (const PwLlmCompletion *completion)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (completion->raw_json);
  json_parser_load_from_data (parser, completion->raw_json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_copy (json_parser_get_root (parser));
}

/* An Anthropic stream saying @pieces, with the offsets just before the
 * first text delta and just after it (for faults placed there). */
G_GNUC_UNUSED static GBytes *
anthropic_body (const char * const *pieces,
                gsize              *out_before_first_delta,
                gsize              *out_after_first_delta)
{
  GString *body = g_string_new (NULL);

  g_string_append (body,
                   "event: message_start\n"
                   "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_t\",\"type\":\"message\",\"role\":\"assistant\","
                   "\"model\":\"claude-sonnet-5-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
                   "\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
                   "event: ping\ndata: {\"type\": \"ping\"}\n\n"
                   "event: content_block_start\n"
                   "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
  for (guint i = 0; pieces[i] != NULL; i++)
    {
      if (i == 0 && out_before_first_delta != NULL)
        *out_before_first_delta = body->len;
      g_string_append_printf (body,
                              "event: content_block_delta\n"
                              "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}\n\n",
                              pieces[i]);
      if (i == 0 && out_after_first_delta != NULL)
        *out_after_first_delta = body->len;
    }
  g_string_append (body,
                   "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                   "event: message_delta\n"
                   "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                   "\"usage\":{\"output_tokens\":7}}\n\n"
                   "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  return g_string_free_to_bytes (body);
}

G_GNUC_UNUSED static const char * const hello_pieces[] = { "Hello", ", ", "world", ".", NULL };

G_GNUC_UNUSED static PwFakeReply *
hello_reply (PwFakeFault fault,
             gboolean    after_first_delta)
{
  gsize before = 0;
  gsize after = 0;
  g_autoptr(GBytes) body = anthropic_body (hello_pieces, &before, &after);
  PwFakeReply *reply = pw_fake_reply_new (200, "text/event-stream", body);

  if (fault != PW_FAKE_FAULT_NONE)
    pw_fake_reply_set_fault (reply, fault, after_first_delta ? after : before);
  return reply;
}

G_GNUC_UNUSED static PwFakeReply *
error_reply (guint       status,
             const char *type)
{
  g_autofree char *json = g_strdup_printf ("{\"type\":\"error\",\"error\":{\"type\":\"%s\",\"message\":\"m\"},"
                                           "\"request_id\":\"req_test\"}", type);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  PwFakeReply *reply = pw_fake_reply_new (status, "application/json", body);

  pw_fake_reply_add_header (reply, "request-id", "req_test_transport");
  return reply;
}
