/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The planning operations against the fake LLM server: requests sent, rows stored, failures. */

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pw-test-engine.h"

typedef struct {
  PwFakeServer *server;
  PwStore      *store;
  PwEngine     *engine;
  char         *id;
  char         *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  pw_test_engine_set_up (&f->server, &f->store, &f->engine, &f->dir);
  f->id = pw_test_engine_add_session (f->store, f->dir, PW_PHASE_CONTEXT);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  pw_test_engine_tear_down (&f->server, &f->store, &f->engine, &f->dir);
  g_free (f->id);
}


static void
enqueue_text (Fixture    *f,
              const char *text)
{
  pw_fake_server_enqueue (f->server, NULL, pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, text, NULL, 5));
}

static JsonObject *
request_body (Fixture    *f,
              guint       index,
              JsonParser *parser)
{
  GPtrArray *requests = pw_fake_server_get_requests (f->server);
  PwFakeRequest *r;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (requests->len, >, index);
  r = g_ptr_array_index (requests, index);
  g_assert_cmpstr (r->path, ==, "/v1/messages");
  json_parser_load_from_data (parser, g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body), &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}


static guint
count (const char *haystack,
       const char *needle)
{
  guint n = 0;

  for (const char *p = haystack; (p = strstr (p, needle)) != NULL; p += strlen (needle))
    n++;
  return n;
}

/* The text of a message's content, whether a string or blocks */
static const char *
message_text (JsonObject *message,
              gboolean   *out_cached)
{
  JsonNode *content = json_object_get_member (message, "content");

  *out_cached = FALSE;
  if (JSON_NODE_HOLDS_VALUE (content))
    return json_node_get_string (content);
  {
    JsonArray *blocks = json_node_get_array (content);
    JsonObject *block = json_array_get_object_element (blocks, json_array_get_length (blocks) - 1);

    *out_cached = json_object_has_member (block, "cache_control");
    return json_object_get_string_member (block, "text");
  }
}

static void
test_full_flow (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwDraft) draft = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) config_parser = json_parser_new ();
  g_autofree char *second_body = NULL;
  g_autofree char *config = NULL;
  JsonObject *body, *config_object;
  JsonArray *msgs;
  gboolean cached;

  /* Turn 1 */
  {
    g_autoptr(PwDiscussOp) op = pw_discuss_op_new (f->engine, f->id, "Add user registration");

    enqueue_text (f, "Which database do you use?");
    g_assert_true (pw_test_run_operation (PW_OPERATION (op), &error));
    g_assert_no_error (error);
    g_assert_cmpstr (pw_operation_get_text (PW_OPERATION (op)), ==, "Which database do you use?");
    g_assert_cmpint (pw_discuss_op_get_reply_id (PW_DISCUSS_OP (op)), >, pw_discuss_op_get_message_id (PW_DISCUSS_OP (op)));
  }
  info = pw_store_get_session (f->store, f->id, &error);
  g_assert_cmpint (info->phase, ==, PW_PHASE_DISCUSSION);

  body = request_body (f, 0, parser);
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "claude-sonnet-5-5");
  g_assert_false (json_object_has_member (body, "temperature"));
  msgs = json_object_get_array_member (body, "messages");
  g_assert_cmpuint (json_array_get_length (msgs), >=, 1);

  /* Turn 2: the whole conversation in order, the context once, cacheable */
  {
    g_autoptr(PwDiscussOp) op = pw_discuss_op_new (f->engine, f->id, "PostgreSQL, and email must be verified");

    enqueue_text (f, "Understood: PostgreSQL and verification mail.");
    g_assert_true (pw_test_run_operation (PW_OPERATION (op), &error));
    g_assert_no_error (error);
  }
  second_body = pw_test_request_body (f->server, 1);
  g_assert_cmpuint (count (second_body, "UNIQUE-FILE-MARKER"), ==, 1);
  g_assert_cmpuint (count (second_body, PW_TEST_NOTE_TEXT), ==, 1);
  {
    g_autoptr(JsonParser) p2 = json_parser_new ();
    const char *expected[] = { "Add user registration", "Which database do you use?",
                               "PostgreSQL, and email must be verified" };
    gboolean saw_context_cached = FALSE;
    guint next = 0;

    body = request_body (f, 1, p2);
    msgs = json_object_get_array_member (body, "messages");
    for (guint i = 0; i < json_array_get_length (msgs); i++)
      {
        JsonObject *m = json_array_get_object_element (msgs, i);
        JsonNode *content = json_object_get_member (m, "content");

        /* A message may hold several blocks: look at each. */
        if (JSON_NODE_HOLDS_ARRAY (content))
          {
            JsonArray *blocks = json_node_get_array (content);
            for (guint j = 0; j < json_array_get_length (blocks); j++)
              {
                JsonObject *b = json_array_get_object_element (blocks, j);
                const char *t = json_object_get_string_member (b, "text");
                if (strstr (t, "UNIQUE-FILE-MARKER"))
                  saw_context_cached = json_object_has_member (b, "cache_control");
                else if (next < G_N_ELEMENTS (expected) && g_strcmp0 (t, expected[next]) == 0)
                  next++;
              }
          }
        else
          {
            const char *t = message_text (m, &cached);
            if (next < G_N_ELEMENTS (expected) && g_strcmp0 (t, expected[next]) == 0)
              next++;
          }
      }
    g_assert_true (saw_context_cached);
    g_assert_cmpuint (next, ==, G_N_ELEMENTS (expected));
  }

  /* Done: synthesis, its entry, and PLANNING */
  {
    g_autoptr(PwAdvanceOp) op = pw_advance_op_new (f->engine, f->id);

    enqueue_text (f, "## Feature\nRegistration with verified email on PostgreSQL.");
    g_assert_true (pw_test_run_operation (PW_OPERATION (op), &error));
    g_assert_no_error (error);
  }
  g_clear_pointer (&info, pw_session_info_free);
  info = pw_store_get_session (f->store, f->id, &error);
  g_assert_cmpint (info->phase, ==, PW_PHASE_PLANNING);
  entries = pw_store_list_context (f->store, f->id, &error);
  g_assert_cmpuint (entries->len, ==, 3);
  g_assert_cmpstr (((PwContextEntry *) g_ptr_array_index (entries, 2))->entry_type, ==, "synthesis");
  {
    g_autoptr(JsonParser) p3 = json_parser_new ();
    body = request_body (f, 2, p3);
    g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "claude-haiku-5-5");
  }

  /* Generate: a valid plan is stored with no warnings and its config snapshot */
  {
    g_autoptr(PwGenerateOp) op = pw_generate_op_new (f->engine, f->id, "claude-opus-5-5");

    enqueue_text (f, pw_test_valid_plan);
    g_assert_true (pw_test_run_operation (PW_OPERATION (op), &error));
    g_assert_no_error (error);
    g_assert_cmpint (pw_generate_op_get_draft_number (op), ==, 1);
    g_assert_cmpuint (pw_generate_op_get_warnings (op)->len, ==, 0);
    g_assert_false (pw_generate_op_get_repaired (op));
  }
  g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 4);
  {
    g_autoptr(JsonParser) p4 = json_parser_new ();
    g_autofree char *gen_body = pw_test_request_body (f->server, 3);

    body = request_body (f, 3, p4);
    g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "claude-opus-5-5");
    g_assert_nonnull (strstr (gen_body, "Registration with verified email"));
    g_assert_cmpuint (count (gen_body, "UNIQUE-FILE-MARKER"), ==, 1);
  }
  draft = pw_store_get_latest_draft (f->store, f->id, &error);
  g_assert_cmpstr (draft->content, ==, pw_test_valid_plan);
  g_assert_cmpstr (draft->author, ==, "planner");
  g_assert_cmpstr (draft->model, ==, "claude-opus-5-5");
  g_assert_cmpstr (draft->warnings_json, ==, "[]");
  config = pw_store_get_config (f->store, f->id, NULL, &error);
  g_assert_true (json_parser_load_from_data (config_parser, config, -1, NULL));
  config_object = json_node_get_object (json_parser_get_root (config_parser));
  g_assert_cmpstr (json_object_get_string_member (config_object, "model"), ==, "claude-opus-5-5");
  g_assert_cmpstr (json_object_get_string_member (config_object, "feature_description"), ==, "Add user registration");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_object_get_object_member (config_object, "prompt_hashes"), "generation"), "sha256:"));

  messages = pw_store_list_messages (f->store, f->id, &error);
  g_assert_cmpuint (messages->len, ==, 4);
}

static void
advance_to_planning (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pw_store_add_message (f->store, f->id, "user", "Add registration", NULL, &error), >, 0);
  g_assert_cmpint (pw_store_add_context (f->store, f->id, "synthesis", "synthesis-1", "Brief.", NULL, NULL, &error), >, 0);
  g_assert_true (pw_store_set_phase (f->store, f->id, PW_PHASE_PLANNING, PW_STATUS_ACTIVE, &error));
}

static void
test_repair_once (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  advance_to_planning (f);

  /* Invalid, then repaired: two calls, the repaired plan stored */
  {
    g_autoptr(PwGenerateOp) op = pw_generate_op_new (f->engine, f->id, NULL);
    g_autofree char *repair_body = NULL;

    enqueue_text (f, "## Milestone 1: Only one\n- do it\n");
    enqueue_text (f, pw_test_valid_plan);
    g_assert_true (pw_test_run_operation (PW_OPERATION (op), &error));
    g_assert_no_error (error);
    g_assert_true (pw_generate_op_get_repaired (op));
    g_assert_cmpuint (pw_generate_op_get_warnings (op)->len, ==, 0);
    g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 2);
    repair_body = pw_test_request_body (f->server, 1);
    g_assert_nonnull (strstr (repair_body, "Too few milestones"));
  }

  /* Invalid twice: exactly one repair, the draft kept with its warnings */
  {
    g_autoptr(PwGenerateOp) op = pw_generate_op_new (f->engine, f->id, NULL);
    g_autoptr(PwDraft) draft = NULL;

    enqueue_text (f, "No plan here.");
    enqueue_text (f, "Still no plan.");
    g_assert_true (pw_test_run_operation (PW_OPERATION (op), &error));
    g_assert_no_error (error);
    g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 4);
    g_assert_cmpuint (pw_fake_server_get_pending (f->server), ==, 0);
    g_assert_cmpint (pw_generate_op_get_draft_number (op), ==, 2);
    draft = pw_store_get_latest_draft (f->store, f->id, &error);
    g_assert_nonnull (strstr (draft->warnings_json, "No milestone headers found"));
  }
}

static void
test_failure_keeps_message_only (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  PwFakeReply *reply;

  /* The stream breaks after text arrived: an error, no reply row */
  {
    g_autoptr(PwDiscussOp) op = pw_discuss_op_new (f->engine, f->id, "Hello planner");

    reply = pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, "This answer will be cut off in the middle", NULL, 8);
    pw_fake_reply_set_fault (reply, PW_FAKE_FAULT_TRUNCATE, 700);
    pw_fake_server_enqueue (f->server, NULL, reply);
    g_assert_false (pw_test_run_operation (PW_OPERATION (op), &error));
    g_assert_nonnull (error);
    g_test_message ("error: %s", error->message);
    g_clear_error (&error);
  }
  messages = pw_store_list_messages (f->store, f->id, &error);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpstr (((PwMessage *) g_ptr_array_index (messages, 0))->role, ==, "user");

  /* Sending again does not duplicate the message */
  {
    g_autoptr(PwDiscussOp) op = pw_discuss_op_new (f->engine, f->id, "Hello planner");

    enqueue_text (f, "Hello developer");
    g_assert_true (pw_test_run_operation (PW_OPERATION (op), &error));
    g_assert_no_error (error);
  }
  g_clear_pointer (&messages, g_ptr_array_unref);
  messages = pw_store_list_messages (f->store, f->id, &error);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (((PwMessage *) g_ptr_array_index (messages, 1))->content, ==, "Hello developer");
}

static void
cancel_on_first_delta (PwOperation *op,
                       int          kind,
                       const char  *text,
                       gpointer     user_data)
{
  guint *deltas = user_data;

  if ((*deltas)++ == 0)
    pw_operation_cancel (op);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(PwDiscussOp) op = pw_discuss_op_new (f->engine, f->id, "Tell me a long story");
  PwFakeReply *reply = pw_fake_reply_new_text (PW_PROVIDER_ANTHROPIC, "one two three four five six seven eight", NULL, 8);
  guint deltas = 0;

  pw_fake_reply_set_chunking (reply, 40, 60, 20);
  pw_fake_server_enqueue (f->server, NULL, reply);
  g_signal_connect (op, "delta", G_CALLBACK (cancel_on_first_delta), &deltas);
  g_assert_false (pw_test_run_operation (PW_OPERATION (op), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (deltas, ==, 1);
  g_assert_cmpint (pw_operation_get_state (PW_OPERATION (op)), ==, PW_OPERATION_CANCELLED);
  messages = pw_store_list_messages (f->store, f->id, NULL);
  g_assert_cmpuint (messages->len, ==, 1);
}

static void
test_token_limit_retry (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(JsonParser) p1 = json_parser_new ();
  g_autoptr(JsonParser) p2 = json_parser_new ();
  g_autoptr(PwDiscussOp) op = pw_discuss_op_new (f->engine, f->id, "Explain the risks");
  const char *fixtures = g_getenv ("PW_FIXTURES_DIR");
  PwFakeReply *cut;

  cut = pw_fake_reply_new_fixture (fixtures, "anthropic/messages-stream-max-tokens.sse", &error);
  g_assert_no_error (error);
  pw_fake_server_enqueue (f->server, NULL, cut);
  enqueue_text (f, "The risks are small.");
  g_assert_true (pw_test_run_operation (PW_OPERATION (op), &error));
  g_assert_no_error (error);

  /* The cut-off reply was not stored; the second ask had a larger limit. */
  messages = pw_store_list_messages (f->store, f->id, NULL);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (((PwMessage *) g_ptr_array_index (messages, 1))->content, ==, "The risks are small.");
  g_assert_cmpint (json_object_get_int_member (request_body (f, 1, p2), "max_tokens"), >,
                   json_object_get_int_member (request_body (f, 0, p1), "max_tokens"));
}

static void
test_not_allowed (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwGenerateOp) op = pw_generate_op_new (f->engine, f->id, NULL);

  g_assert_false (pw_test_run_operation (PW_OPERATION (op), &error));
  g_assert_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "CONTEXT"));
  g_assert_cmpuint (pw_fake_server_get_requests (f->server)->len, ==, 0);
}

static void
test_user_draft (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(PwDraft) draft = NULL;
  gint number = 0;

  advance_to_planning (f);
  g_assert_cmpint (pw_planning_store_user_draft (f->engine, f->id, "## Milestone 1: Mine\n", &number, &warnings, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (number, ==, 1);
  g_assert_cmpuint (warnings->len, >, 0);
  draft = pw_store_get_latest_draft (f->store, f->id, &error);
  g_assert_cmpstr (draft->author, ==, "user");
  g_assert_nonnull (strstr (draft->warnings_json, "Too few milestones"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/planning/full-flow", test_full_flow);
  ADD ("/planning/repair-once", test_repair_once);
  ADD ("/planning/failure-keeps-message-only", test_failure_keeps_message_only);
  ADD ("/planning/cancel", test_cancel);
  ADD ("/planning/token-limit-retry", test_token_limit_retry);
  ADD ("/planning/not-allowed", test_not_allowed);
  ADD ("/planning/user-draft", test_user_draft);
#undef ADD

  return g_test_run ();
}
