/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SSE parser on the wire fixtures, under every chunking, and at its edges. */

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "pw-sse-parser.h"

/* ---- collecting events ---------------------------------------------- */

typedef struct {
  char  *type;
  char  *data;
  gsize  data_len;
  char  *id;
} Event;

static void
event_free (gpointer p)
{
  Event *e = p;

  g_free (e->type);
  g_free (e->data);
  g_free (e->id);
  g_free (e);
}

typedef struct {
  GPtrArray   *events;
  PwSseParser *parser;    /* set to record offsets inside the callback */
  GArray      *offsets;
  guint        stop_after; /* 0: never stop */
} Sink;

static void
sink_init (Sink *sink)
{
  memset (sink, 0, sizeof *sink);
  sink->events = g_ptr_array_new_with_free_func (event_free);
  sink->offsets = g_array_new (FALSE, FALSE, sizeof (guint64));
}

static void
sink_clear (Sink *sink)
{
  g_clear_pointer (&sink->events, g_ptr_array_unref);
  g_clear_pointer (&sink->offsets, g_array_unref);
}

/* UTF-8 validity with U+0000 allowed (g_utf8_validate stops at NUL). */
static gboolean
valid_utf8_with_nuls (const char *p,
                      gsize       len)
{
  const char *end = p + len;

  while (p < end)
    {
      const char *stop;

      if (g_utf8_validate_len (p, end - p, &stop))
        return TRUE;
      if (*stop != '\0')
        return FALSE;
      p = stop + 1;
    }
  return TRUE;
}

static gboolean
sink_event (const PwSseEvent *event,
            gpointer          user_data)
{
  Sink *sink = user_data;
  Event *e = g_new0 (Event, 1);

  g_assert_nonnull (event->type);
  g_assert_nonnull (event->data);
  g_assert_nonnull (event->last_event_id);
  g_assert_cmpint (event->data[event->data_len], ==, '\0');
  g_assert_true (valid_utf8_with_nuls (event->data, event->data_len));
  g_assert_true (g_utf8_validate (event->type, -1, NULL));
  g_assert_true (g_utf8_validate (event->last_event_id, -1, NULL));

  e->type = g_strdup (event->type);
  e->data = g_memdup2 (event->data, event->data_len + 1);
  e->data_len = event->data_len;
  e->id = g_strdup (event->last_event_id);
  g_ptr_array_add (sink->events, e);

  if (sink->parser != NULL)
    {
      guint64 offset = pw_sse_parser_get_offset (sink->parser);

      g_array_append_val (sink->offsets, offset);
    }

  return sink->stop_after == 0 || sink->events->len < sink->stop_after;
}

/* Feeds buf in chunks ending at the ascending cuts (then the rest) and
 * finishes; every feed must succeed. Returns the events. */
static GPtrArray *
parse_cuts (const guint8 *buf,
            gsize         len,
            const gsize  *cuts,
            gsize         n_cuts,
            gint64       *retry_out)
{
  g_autoptr(PwSseParser) parser = NULL;
  Sink sink;
  gsize from = 0;
  GPtrArray *events;

  sink_init (&sink);
  parser = pw_sse_parser_new (0, sink_event, &sink);

  for (gsize i = 0; i <= n_cuts; i++)
    {
      gsize to = i < n_cuts ? cuts[i] : len;
      g_autoptr(GError) error = NULL;

      g_assert_cmpuint (to, >=, from);
      g_assert_cmpuint (to, <=, len);
      g_assert_true (pw_sse_parser_feed (parser, buf + from, to - from, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (pw_sse_parser_get_offset (parser), ==, to);
      from = to;
    }
  pw_sse_parser_finish (parser);
  if (retry_out != NULL)
    *retry_out = pw_sse_parser_get_retry (parser);

  events = g_steal_pointer (&sink.events);
  sink_clear (&sink);
  return events;
}

static GPtrArray *
parse_whole (const guint8 *buf,
             gsize         len,
             gint64       *retry_out)
{
  return parse_cuts (buf, len, NULL, 0, retry_out);
}

static GPtrArray *
parse_bytewise (const guint8 *buf,
                gsize         len,
                gint64       *retry_out)
{
  g_autofree gsize *cuts = g_new (gsize, len + 1);

  for (gsize i = 0; i < len; i++)
    cuts[i] = i + 1;
  return parse_cuts (buf, len, cuts, len, retry_out);
}

/* Chunk sizes skewed small, with some empty feeds and a few large ones. */
static GPtrArray *
parse_random (const guint8 *buf,
              gsize         len,
              GRand        *rand,
              gint64       *retry_out)
{
  g_autoptr(GArray) cuts = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize at = 0;

  while (at < len)
    {
      guint pick = g_rand_int_range (rand, 0, 100);
      gsize step;

      if (pick < 10)
        step = 0;
      else if (pick < 60)
        step = g_rand_int_range (rand, 1, 9);
      else if (pick < 90)
        step = g_rand_int_range (rand, 9, 65);
      else
        step = g_rand_int_range (rand, 65, 4097);
      at = MIN (at + step, len);
      g_array_append_val (cuts, at);
    }

  return parse_cuts (buf, len, (gsize *) (gpointer) cuts->data, cuts->len, retry_out);
}

static gboolean
events_equal (GPtrArray *a,
              GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      Event *x = a->pdata[i];
      Event *y = b->pdata[i];

      if (strcmp (x->type, y->type) != 0 || strcmp (x->id, y->id) != 0 ||
          x->data_len != y->data_len || memcmp (x->data, y->data, x->data_len) != 0)
        return FALSE;
    }
  return TRUE;
}

/* Says which feeding differed before the assertions stop the test. */
static void
assert_same_events (GPtrArray  *expected,
                    GPtrArray  *got,
                    const char *what)
{
  if (events_equal (expected, got))
    return;

  g_test_message ("events differ: %s", what);
  g_assert_cmpuint (got->len, ==, expected->len);
  for (guint i = 0; i < got->len; i++)
    {
      Event *x = expected->pdata[i];
      Event *y = got->pdata[i];

      g_assert_cmpstr (y->type, ==, x->type);
      g_assert_cmpstr (y->id, ==, x->id);
      g_assert_cmpmem (y->data, y->data_len, x->data, x->data_len);
    }
}

/* Parses literal text (NUL-free) whole and at every split, asserting the
 * same events each time; returns the whole-feed events. */
static GPtrArray *
parse_all_ways (const char *text,
                gint64     *retry_out)
{
  const guint8 *buf = (const guint8 *) text;
  gsize len = strlen (text);
  GPtrArray *whole = parse_whole (buf, len, retry_out);
  g_autoptr(GPtrArray) bytewise = parse_bytewise (buf, len, NULL);

  assert_same_events (whole, bytewise, "byte by byte");
  for (gsize k = 0; k <= len; k++)
    {
      g_autoptr(GPtrArray) split = parse_cuts (buf, len, &k, 1, NULL);
      g_autofree char *what = g_strdup_printf ("split at %" G_GSIZE_FORMAT, k);

      assert_same_events (whole, split, what);
    }
  return whole;
}

static Event *
event_at (GPtrArray *events,
          guint      i)
{
  g_assert_cmpuint (i, <, events->len);
  return events->pdata[i];
}

/* ---- fixtures -------------------------------------------------------- */

static char *
fixture_path (const char *relative)
{
  const char *dir = g_getenv ("PW_FIXTURES_DIR");

  if (dir != NULL)
    return g_build_filename (dir, relative, NULL);
  return g_test_build_filename (G_TEST_DIST, "..", "fixtures", "wire", relative, NULL);
}

static GBytes *
load_fixture (const char *relative)
{
  g_autofree char *path = fixture_path (relative);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static JsonObject *expected_vectors; /* fixtures/wire/sse/expected.json */

static void
check_expected (GPtrArray  *events,
                gint64      retry,
                JsonObject *entry)
{
  JsonArray *want = json_object_get_array_member (entry, "events");
  JsonNode *want_retry = json_object_get_member (entry, "retry");

  g_assert_nonnull (want);
  g_assert_cmpuint (events->len, ==, json_array_get_length (want));
  for (guint i = 0; i < events->len; i++)
    {
      Event *e = event_at (events, i);
      JsonObject *w = json_array_get_object_element (want, i);

      g_assert_cmpstr (e->type, ==, json_object_get_string_member (w, "type"));
      g_assert_cmpstr (e->id, ==, json_object_get_string_member (w, "lastEventId"));
      if (json_object_has_member (w, "data"))
        {
          const char *data = json_object_get_string_member (w, "data");

          g_assert_cmpmem (e->data, e->data_len, data, strlen (data));
        }
      else
        {
          /* Long data is summarised as its length and first characters. */
          const char *prefix = json_object_get_string_member (w, "data_prefix");
          gint64 length = json_object_get_int_member (w, "data_length");

          g_assert_cmpint (e->data_len, ==, length);
          g_assert_true (g_str_has_prefix (e->data, prefix));
        }
    }

  if (want_retry == NULL || JSON_NODE_HOLDS_NULL (want_retry))
    g_assert_cmpint (retry, ==, -1);
  else
    g_assert_cmpint (retry, ==, json_node_get_int (want_retry));
}

/* Offsets to split a big fixture at: all of them would parse it ~n times
 * over (9·10¹⁰ bytes for long-line.sse). Every offset near the ends and
 * around each line end, a stride through the uniform middle. */
static GArray *
split_offsets (const guint8 *buf,
               gsize         len)
{
  GArray *offsets = g_array_new (FALSE, FALSE, sizeof (gsize));

  for (gsize k = 0; k <= len; k++)
    {
      gboolean near_eol = FALSE;

      if (len > 65536 && k > 4096 && k + 4096 < len && k % 331 != 0)
        {
          for (gsize j = (k > 16 ? k - 16 : 0); j < MIN (len, k + 16) && !near_eol; j++)
            near_eol = buf[j] == '\n' || buf[j] == '\r';
          if (!near_eol)
            continue;
        }
      g_array_append_val (offsets, k);
    }
  return offsets;
}

typedef struct {
  char *relative;  /* "sse/crlf.sse" */
  char *name;      /* "crlf.sse" */
} Fixture;

static void
fixture_free (gpointer p)
{
  Fixture *fx = p;

  g_free (fx->relative);
  g_free (fx->name);
  g_free (fx);
}

typedef enum {
  FEED_WHOLE,
  FEED_SPLIT,
  FEED_BYTEWISE,
  FEED_RANDOM,
} FeedMode;

/* Whole must match the oracle; every other feeding must match whole. */
static void
check_vector (const Fixture *fx,
              FeedMode       mode)
{
  g_autoptr(GBytes) bytes = load_fixture (fx->relative);
  gsize len;
  const guint8 *buf = g_bytes_get_data (bytes, &len);
  JsonObject *entry = json_object_get_object_member (expected_vectors, fx->name);
  gint64 whole_retry = -1;
  g_autoptr(GPtrArray) whole = NULL;

  g_assert_nonnull (entry);
  whole = parse_whole (buf, len, &whole_retry);
  check_expected (whole, whole_retry, entry);

  switch (mode)
    {
    case FEED_WHOLE:
      break;

    case FEED_SPLIT:
      {
        g_autoptr(GArray) offsets = split_offsets (buf, len);

        g_test_message ("%s: %u split offsets of %" G_GSIZE_FORMAT,
                        fx->name, offsets->len, len + 1);
        for (guint i = 0; i < offsets->len; i++)
          {
            gsize k = g_array_index (offsets, gsize, i);
            gint64 retry = -1;
            g_autoptr(GPtrArray) events = parse_cuts (buf, len, &k, 1, &retry);
            g_autofree char *what = g_strdup_printf ("%s split at %" G_GSIZE_FORMAT, fx->name, k);

            assert_same_events (whole, events, what);
            g_assert_cmpint (retry, ==, whole_retry);
          }
      }
      break;

    case FEED_BYTEWISE:
      {
        gint64 retry = -1;
        g_autoptr(GPtrArray) events = parse_bytewise (buf, len, &retry);

        assert_same_events (whole, events, "byte by byte");
        g_assert_cmpint (retry, ==, whole_retry);
      }
      break;

    case FEED_RANDOM:
      {
        guint32 seed = g_test_rand_int ();
        g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
        guint rounds = len > 65536 ? 10 : 200;

        g_test_message ("%s: %u random chunkings, seed %u", fx->name, rounds, seed);
        for (guint i = 0; i < rounds; i++)
          {
            gint64 retry = -1;
            g_autoptr(GPtrArray) events = parse_random (buf, len, rand, &retry);
            g_autofree char *what = g_strdup_printf ("%s random chunking %u (seed %u)",
                                                     fx->name, i, seed);

            assert_same_events (whole, events, what);
            g_assert_cmpint (retry, ==, whole_retry);
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
test_vector_whole (gconstpointer data)
{
  check_vector (data, FEED_WHOLE);
}

static void
test_vector_split (gconstpointer data)
{
  check_vector (data, FEED_SPLIT);
}

static void
test_vector_bytewise (gconstpointer data)
{
  check_vector (data, FEED_BYTEWISE);
}

static void
test_vector_random (gconstpointer data)
{
  check_vector (data, FEED_RANDOM);
}

/* Every vector has an oracle entry and every entry a vector. */
static void
test_vectors_listed (gconstpointer data)
{
  GPtrArray *vectors = (GPtrArray *) data;
  g_autoptr(GList) names = json_object_get_members (expected_vectors);

  g_assert_cmpuint (vectors->len, ==, g_list_length (names));
  g_assert_cmpuint (vectors->len, >=, 16);
  for (guint i = 0; i < vectors->len; i++)
    {
      const Fixture *fx = vectors->pdata[i];

      g_assert_true (json_object_has_member (expected_vectors, fx->name));
    }
}

static void
test_provider_fixture (gconstpointer data)
{
  const Fixture *fx = data;
  g_autoptr(GBytes) bytes = load_fixture (fx->relative);
  gsize len;
  const guint8 *buf = g_bytes_get_data (bytes, &len);
  g_autoptr(GPtrArray) whole = parse_whole (buf, len, NULL);
  g_autoptr(GPtrArray) bytewise = parse_bytewise (buf, len, NULL);
  gboolean typed = g_str_has_prefix (fx->relative, "anthropic/") ||
                   g_str_has_prefix (fx->relative, "openai-responses/");
  guint32 seed = g_test_rand_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  /* The fixtures are clean UTF-8: no U+FFFD may appear in any feeding. */
  g_assert_true (g_utf8_validate_len ((const char *) buf, len, NULL));
  g_assert_cmpuint (whole->len, >, 0);

  for (guint i = 0; i < whole->len; i++)
    {
      Event *e = event_at (whole, i);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      g_assert_null (strstr (e->data, "\xEF\xBF\xBD"));
      if (strcmp (e->data, "[DONE]") == 0)
        continue;
      json_parser_load_from_data (parser, e->data, e->data_len, &error);
      if (error != NULL)
        g_test_message ("%s: event %u is not JSON: %s", fx->relative, i, e->data);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

      /* Anthropic and Responses name each event after its JSON type. */
      if (typed)
        {
          JsonObject *object = json_node_get_object (json_parser_get_root (parser));

          g_assert_cmpstr (e->type, ==, json_object_get_string_member (object, "type"));
        }
    }

  assert_same_events (whole, bytewise, "byte by byte");
  for (gsize k = 0; k <= len; k++)
    {
      g_autoptr(GPtrArray) split = parse_cuts (buf, len, &k, 1, NULL);
      g_autofree char *what = g_strdup_printf ("%s split at %" G_GSIZE_FORMAT, fx->relative, k);

      assert_same_events (whole, split, what);
    }

  g_test_message ("%s: random chunkings, seed %u", fx->relative, seed);
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GPtrArray) chunked = parse_random (buf, len, rand, NULL);
      g_autofree char *what = g_strdup_printf ("%s random chunking %u (seed %u)",
                                               fx->relative, i, seed);

      assert_same_events (whole, chunked, what);
    }
}

/* The legacy llama.cpp error: field is no SSE field: only [DONE] remains. */
static void
test_provider_legacy_error_field (void)
{
  g_autoptr(GBytes) bytes = load_fixture ("compat/llamacpp-legacy-error-field.sse");
  gsize len;
  const guint8 *buf = g_bytes_get_data (bytes, &len);
  g_autoptr(GPtrArray) events = parse_whole (buf, len, NULL);

  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (event_at (events, 0)->data, ==, "[DONE]");
  g_assert_cmpstr (event_at (events, 0)->type, ==, "message");
}

/* ---- edges ------------------------------------------------------------ */

static void
test_zero_length (void)
{
  const char *text = "data: a\r";
  const char *rest = "\ndata: b\n\n";
  g_autoptr(PwSseParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  Sink sink;

  sink_init (&sink);
  parser = pw_sse_parser_new (0, sink_event, &sink);

  /* Nothing at all, then empty feeds between every byte (and NULL). */
  g_assert_true (pw_sse_parser_feed (parser, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pw_sse_parser_get_offset (parser), ==, 0);
  for (const char *p = text; *p != '\0'; p++)
    {
      g_assert_true (pw_sse_parser_feed (parser, (const guint8 *) p, 0, &error));
      g_assert_true (pw_sse_parser_feed (parser, (const guint8 *) p, 1, &error));
      g_assert_true (pw_sse_parser_feed (parser, NULL, 0, &error));
      g_assert_no_error (error);
    }
  /* An empty feed between CR and LF must not forget the CR. */
  g_assert_true (pw_sse_parser_feed (parser, (const guint8 *) rest, 0, &error));
  g_assert_true (pw_sse_parser_feed (parser, (const guint8 *) rest, strlen (rest), &error));
  g_assert_no_error (error);
  pw_sse_parser_finish (parser);

  g_assert_cmpuint (sink.events->len, ==, 1);
  g_assert_cmpstr (event_at (sink.events, 0)->data, ==, "a\nb");
  g_assert_cmpuint (pw_sse_parser_get_offset (parser), ==, strlen (text) + strlen (rest));
  sink_clear (&sink);

  /* A stream with no bytes at all. */
  {
    g_autoptr(GPtrArray) events = parse_whole ((const guint8 *) "", 0, NULL);

    g_assert_cmpuint (events->len, ==, 0);
  }
}

static void
test_many_events_one_chunk (void)
{
  g_autoptr(GString) stream = g_string_new (NULL);
  g_autoptr(GPtrArray) events = NULL;
  const char *eols[] = { "\n", "\r\n", "\r" };
  const guint n = 20000;

  for (guint i = 0; i < n; i++)
    {
      const char *eol = eols[i % 3];

      g_string_append_printf (stream, "event: e%u%sdata: {\"i\":%u}%s%s",
                              i % 7, eol, i, eol, eol);
    }
  events = parse_whole ((const guint8 *) stream->str, stream->len, NULL);

  g_assert_cmpuint (events->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *type = g_strdup_printf ("e%u", i % 7);
      g_autofree char *data = g_strdup_printf ("{\"i\":%u}", i);

      g_assert_cmpstr (event_at (events, i)->type, ==, type);
      g_assert_cmpstr (event_at (events, i)->data, ==, data);
    }
}

/* A 300 000-byte line (long-line.sse and one of our own) is no problem
 * under the default cap, whole and in pieces. */
static void
test_cap_default (void)
{
  g_autoptr(GString) stream = g_string_new ("data: ");
  g_autoptr(GPtrArray) whole = NULL;
  g_autoptr(GPtrArray) bytewise = NULL;

  for (guint i = 0; i < 300000; i++)
    g_string_append_c (stream, 'a' + i % 26);
  g_string_append (stream, "\n\n");

  whole = parse_whole ((const guint8 *) stream->str, stream->len, NULL);
  g_assert_cmpuint (whole->len, ==, 1);
  g_assert_cmpuint (event_at (whole, 0)->data_len, ==, 300000);
  g_assert_cmpmem (event_at (whole, 0)->data, 300000, stream->str + 6, 300000);

  bytewise = parse_bytewise ((const guint8 *) stream->str, stream->len, NULL);
  assert_same_events (whole, bytewise, "byte by byte");
}

/* Feeds text in chunks of `step` bytes (0: whole) under `cap`; returns
 * whether every feed succeeded, the events so far in *events. */
static gboolean
feed_capped (const char  *text,
             gsize        len,
             gsize        cap,
             gsize        step,
             GPtrArray  **events,
             GError     **error)
{
  g_autoptr(PwSseParser) parser = NULL;
  Sink sink;
  gboolean ok = TRUE;

  sink_init (&sink);
  parser = pw_sse_parser_new (cap, sink_event, &sink);
  for (gsize at = 0; at < len && ok; at += (step ? step : len))
    ok = pw_sse_parser_feed (parser, (const guint8 *) text + at,
                             MIN (step ? step : len, len - at), error);
  if (ok)
    pw_sse_parser_finish (parser);
  else
    {
      g_autoptr(GError) again = NULL;

      /* A failed parser stays failed. */
      g_assert_false (pw_sse_parser_feed (parser, (const guint8 *) "\n\n", 2, &again));
      g_assert_error (again, PW_SSE_ERROR, PW_SSE_ERROR_TOO_LONG);
    }

  *events = g_steal_pointer (&sink.events);
  sink_clear (&sink);
  return ok;
}

static void
assert_too_long (const char *text,
                 gsize       cap,
                 guint       events_before)
{
  const gsize steps[] = { 0, 1, 7, 100 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_false (feed_capped (text, strlen (text), cap, steps[i], &events, &error));
      g_assert_error (error, PW_SSE_ERROR, PW_SSE_ERROR_TOO_LONG);
      g_assert_nonnull (strstr (error->message, "bytes"));
      g_assert_cmpuint (events->len, ==, events_before);
    }
}

static void
assert_fits (const char *text,
             gsize       cap,
             guint       n_events)
{
  const gsize steps[] = { 0, 1, 7, 100 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (feed_capped (text, strlen (text), cap, steps[i], &events, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (events->len, ==, n_events);
    }
}

static void
test_cap_line (void)
{
  g_autoptr(GBytes) bytes = load_fixture ("sse/long-line.sse");
  gsize len;
  const char *buf = g_bytes_get_data (bytes, &len);
  g_autofree char *text = g_strndup (buf, len);
  g_autofree char *prefixed = g_strconcat ("data: first\n\n", text, NULL);
  g_autofree char *unended = g_strconcat ("data: first\n\ndata: ", text + 6, NULL);

  /* long-line.sse under a 1000-byte cap: the first event still arrives. */
  assert_too_long (text, 1000, 0);
  assert_too_long (prefixed, 1000, 1);
  /* A line never ended is cut off too, not buffered without end. */
  unended[strlen (unended) - 2] = '\0';
  assert_too_long (unended, 1000, 1);
  /* A comment line counts as well. */
  assert_too_long (": 0123456789012345678901234567890123456789\n\n", 16, 0);
}

static void
test_cap_exact (void)
{
  /* The line "data: " + 14 bytes is exactly 20 bytes: fits; 21 does not. */
  assert_fits ("data: 0123456789abcd\n\n", 20, 1);
  assert_too_long ("data: 0123456789abcde\n\n", 20, 0);

  /* Data of 4 lines of 4 bytes: "aaaa\nbbbb\ncccc\ndddd" is 19 bytes. */
  assert_fits ("data:aaaa\ndata:bbbb\ndata:cccc\ndata:dddd\n\n", 19, 1);
  assert_too_long ("data:aaaa\ndata:bbbb\ndata:cccc\ndata:dddd\n\n", 18, 0);
}

/* Many short data lines add up past the cap though each line fits. */
static void
test_cap_data (void)
{
  g_autoptr(GString) stream = g_string_new ("data: ok\n\n");

  for (guint i = 0; i < 200; i++)
    g_string_append (stream, "data: 0123456789\n");
  g_string_append (stream, "\n");
  assert_too_long (stream->str, 1000, 1);
}

/* Invalid bytes triple in size as U+FFFD: the cap is on decoded data. */
static void
test_cap_decoded (void)
{
  g_autoptr(GString) stream = g_string_new ("data: ");

  for (guint i = 0; i < 500; i++)
    g_string_append_c (stream, '\xFF');
  g_string_append (stream, "\n\n");
  /* 506-byte line fits a 1000-byte cap; 1500 bytes of data do not. */
  assert_too_long (stream->str, 1000, 0);
  assert_fits (stream->str, 1500, 1);
}

static void
test_stop_from_callback (void)
{
  const char *text = "data: a\n\ndata: b\r\n\r\ndata: c\n\n";
  g_autoptr(PwSseParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  Sink sink;

  sink_init (&sink);
  sink.stop_after = 2;
  parser = pw_sse_parser_new (0, sink_event, &sink);

  /* Stopping is no error. */
  g_assert_true (pw_sse_parser_feed (parser, (const guint8 *) text, strlen (text), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sink.events->len, ==, 2);
  g_assert_cmpstr (event_at (sink.events, 1)->data, ==, "b");
  /* The rest of the chunk was dropped: taken up to the CR that dispatched b. */
  g_assert_cmpuint (pw_sse_parser_get_offset (parser), ==, strstr (text, "\r\ndata: c") - text + 1);

  /* And nothing more is taken. */
  g_assert_true (pw_sse_parser_feed (parser, (const guint8 *) "data: d\n\n", 9, &error));
  g_assert_no_error (error);
  pw_sse_parser_finish (parser);
  g_assert_cmpuint (sink.events->len, ==, 2);
  sink_clear (&sink);
}

static void
test_retry (void)
{
  struct {
    const char *text;
    gint64      retry;
  } cases[] = {
    { "data: x\n\n", -1 },
    { "retry: 1500\n", 1500 },
    { "retry:0\n", 0 },
    { "retry: 1500\nretry: abc\n", 1500 },
    { "retry: 1500\nretry:\n", 1500 },
    { "retry: 1500\nretry: 12x\n", 1500 },
    { "retry: 1500\nretry: -5\n", 1500 },
    { "retry: 1500\nretry: 1.5\n", 1500 },
    { "retry: 1500\nretry:  20\n", 1500 },   /* two spaces: not all digits */
    { "retry: 1500\nretry: \xD9\xA3\n", 1500 },  /* Arabic-Indic three: not ASCII */
    { "retry: 10\nretry: 20\n", 20 },
    { "Retry: 10\n", -1 },
    { "retry 10\n", -1 },
    { "retry: 99999999999999999999999\n", G_MAXINT64 },
    /* Applied when the line arrives, even if the event is never complete. */
    { "retry: 7\ndata: never", 7 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 retry = 0;
      g_autoptr(GPtrArray) events = NULL;

      g_autofree char *escaped = g_strescape (cases[i].text, NULL);

      g_test_message ("retry case %u: %s", i, escaped);
      events = parse_whole ((const guint8 *) cases[i].text, strlen (cases[i].text), &retry);
      g_assert_cmpint (retry, ==, cases[i].retry);
      g_clear_pointer (&events, g_ptr_array_unref);
      events = parse_bytewise ((const guint8 *) cases[i].text, strlen (cases[i].text), &retry);
      g_assert_cmpint (retry, ==, cases[i].retry);
    }
}

static void
test_offset (void)
{
  const char *chunks[] = { "data: one\n", "\ndata: two\r", "\r\n", "data: thr", "ee\n\n" };
  g_autoptr(PwSseParser) parser = NULL;
  Sink sink;
  guint64 total = 0;

  sink_init (&sink);
  parser = pw_sse_parser_new (0, sink_event, &sink);
  sink.parser = parser;
  g_assert_cmpuint (pw_sse_parser_get_offset (parser), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (chunks); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (pw_sse_parser_feed (parser, (const guint8 *) chunks[i], strlen (chunks[i]), &error));
      g_assert_no_error (error);
      total += strlen (chunks[i]);
      g_assert_cmpuint (pw_sse_parser_get_offset (parser), ==, total);
    }
  pw_sse_parser_finish (parser);
  g_assert_cmpuint (pw_sse_parser_get_offset (parser), ==, total);

  /* Inside the callback: just past the line end that dispatched. */
  g_assert_cmpuint (sink.offsets->len, ==, 3);
  g_assert_cmpuint (g_array_index (sink.offsets, guint64, 0), ==, 11);  /* "data: one\n\n" */
  g_assert_cmpuint (g_array_index (sink.offsets, guint64, 1), ==, 22);  /* "two\r" | "\r" */
  g_assert_cmpuint (g_array_index (sink.offsets, guint64, 2), ==, 36);  /* the last LF */
  g_assert_cmpstr (event_at (sink.events, 1)->data, ==, "two");
  g_assert_cmpuint (sink.events->len, ==, 3);
  sink_clear (&sink);
}

/* Decoding as WHATWG's UTF-8 decoder does: one U+FFFD per maximal
 * subpart, whatever the chunking. */
static void
test_utf8_invalid (void)
{
#define R "\xEF\xBF\xBD"
  struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "\x80", R },
    { "\xBF\x80", R R },
    { "\xFF", R },
    { "\xC0\xAF", R R },             /* overlong, C0 never valid */
    { "\xC1\xBF", R R },
    { "\xC2", R },                   /* truncated by the line end */
    { "\xC2x", R "x" },
    { "\xE0\x80\x80", R R R },       /* overlong: E0 needs A0..BF */
    { "\xE0\xA0", R },               /* truncated 3-byte: one U+FFFD */
    { "\xE2\x82", R },
    { "\xE2\x82\xAC", "\xE2\x82\xAC" },
    { "\xED\xA0\x80", R R R },       /* surrogate */
    { "\xED\x9F\xBF", "\xED\x9F\xBF" },
    { "\xEF\xBF\xBE", "\xEF\xBF\xBE" }, /* a noncharacter is still valid */
    { "\xF0\x8F\xBF\xBF", R R R R }, /* overlong 4-byte */
    { "\xF0\x9F\xA6", R },           /* truncated crab */
    { "\xF0\x9F\xA6x", R "x" },
    { "\xF0\x9F\xA6\x80", "\xF0\x9F\xA6\x80" },
    { "\xF4\x90\x80\x80", R R R R }, /* above U+10FFFF */
    { "\xF5\x80", R R },
    { "a\xF0\x9F" "b\xE2\x82\xAC\xC3", "a" R "b\xE2\x82\xAC" R },
    { "\xEF\xBB\xBF", "\xEF\xBB\xBF" }, /* a BOM inside data is data */
  };
#undef R

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat ("data:", cases[i].in, "\n\n", NULL);
      g_autoptr(GPtrArray) events = NULL;

      g_test_message ("utf-8 case %u", i);
      events = parse_all_ways (text, NULL);
      g_assert_cmpuint (events->len, ==, 1);
      g_assert_cmpstr (event_at (events, 0)->data, ==, cases[i].out);
    }

  /* Invalid bytes in a name make an unknown field; in event: and id:
   * they are repaired like data. */
  {
    g_autoptr(GPtrArray) events = parse_all_ways ("da\xFFta: x\ndata: y\n\n"
                                                  "event: t\xC3\nid: \xE2\x82\ndata: z\n\n", NULL);

    g_assert_cmpuint (events->len, ==, 2);
    g_assert_cmpstr (event_at (events, 0)->data, ==, "y");
    g_assert_cmpstr (event_at (events, 1)->type, ==, "t\xEF\xBF\xBD");
    g_assert_cmpstr (event_at (events, 1)->id, ==, "\xEF\xBF\xBD");
  }
}

/* Every 2/3/4-byte sequence split at every point between two chunks. */
static void
test_utf8_split (void)
{
  g_autoptr(GPtrArray) events = parse_all_ways ("data: \xC3\xBC|\xE2\x9C\x93|\xF0\x9F\xA6\x80|"
                                                "\xE6\x97\xA5\xE6\x9C\xAC\n\n", NULL);

  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (event_at (events, 0)->data, ==, "\xC3\xBC|\xE2\x9C\x93|\xF0\x9F\xA6\x80|"
                                                   "\xE6\x97\xA5\xE6\x9C\xAC");
}

static void
test_nul (void)
{
  static const char text[] = "data: a\0b\nid: x\0y\ndata: \0\n\nid: ok\ndata: c\n\n";
  const gsize len = sizeof text - 1;
  g_autoptr(GPtrArray) whole = parse_whole ((const guint8 *) text, len, NULL);
  g_autoptr(GPtrArray) bytewise = parse_bytewise ((const guint8 *) text, len, NULL);

  g_assert_cmpuint (whole->len, ==, 2);
  /* NUL is data; an id with NUL is ignored. */
  g_assert_cmpmem (event_at (whole, 0)->data, event_at (whole, 0)->data_len, "a\0b\n\0", 5);
  g_assert_cmpstr (event_at (whole, 0)->id, ==, "");
  g_assert_cmpstr (event_at (whole, 1)->id, ==, "ok");
  assert_same_events (whole, bytewise, "byte by byte");
  for (gsize k = 0; k <= len; k++)
    {
      g_autoptr(GPtrArray) split = parse_cuts ((const guint8 *) text, len, &k, 1, NULL);

      assert_same_events (whole, split, "split");
    }
}

static void
test_bom (void)
{
  {
    /* Split anywhere, even inside the BOM. */
    g_autoptr(GPtrArray) events = parse_all_ways ("\xEF\xBB\xBF" "data: x\n\n", NULL);

    g_assert_cmpuint (events->len, ==, 1);
    g_assert_cmpstr (event_at (events, 0)->data, ==, "x");
  }
  {
    /* Only one BOM is dropped: a second makes the name "\uFEFFdata". */
    g_autoptr(GPtrArray) events = parse_all_ways ("\xEF\xBB\xBF\xEF\xBB\xBF" "data: x\n\ndata: y\n\n", NULL);

    g_assert_cmpuint (events->len, ==, 1);
    g_assert_cmpstr (event_at (events, 0)->data, ==, "y");
  }
  {
    /* Only at the very start of the stream. */
    g_autoptr(GPtrArray) events = parse_all_ways ("data: x\n\n\xEF\xBB\xBF" "data: y\n\n", NULL);

    g_assert_cmpuint (events->len, ==, 1);
    g_assert_cmpstr (event_at (events, 0)->data, ==, "x");
  }
  {
    /* A BOM on an empty first line still leaves an empty line. */
    g_autoptr(GPtrArray) events = parse_all_ways ("\xEF\xBB\xBF\ndata: x\n\n", NULL);

    g_assert_cmpuint (events->len, ==, 1);
  }
  {
    /* Half a BOM is no BOM: invalid bytes in the name. */
    g_autoptr(GPtrArray) events = parse_all_ways ("\xEF\xBB" "data: x\n\ndata: y\n\n", NULL);

    g_assert_cmpuint (events->len, ==, 1);
    g_assert_cmpstr (event_at (events, 0)->data, ==, "y");
  }
}

static void
test_line_endings (void)
{
  {
    /* CR | LF across chunks is one line end; CR | CR is two. */
    g_autoptr(GPtrArray) events = parse_all_ways ("data: a\r\n\r\ndata: b\r\rdata: c\r\n\n", NULL);

    g_assert_cmpuint (events->len, ==, 3);
    g_assert_cmpstr (event_at (events, 0)->data, ==, "a");
    g_assert_cmpstr (event_at (events, 1)->data, ==, "b");
    g_assert_cmpstr (event_at (events, 2)->data, ==, "c");
  }
  {
    /* LF CR is two line ends. */
    g_autoptr(GPtrArray) events = parse_all_ways ("data: a\n\rdata: b\n\r", NULL);

    g_assert_cmpuint (events->len, ==, 2);
  }
  {
    /* CR LF LF: a line end then an empty line. */
    g_autoptr(GPtrArray) events = parse_all_ways ("data: a\r\n\n", NULL);

    g_assert_cmpuint (events->len, ==, 1);
  }
  {
    /* A stream ending in a lone CR ends that line (cr.sse's last event). */
    g_autoptr(GPtrArray) events = parse_all_ways ("data: a\r\r", NULL);

    g_assert_cmpuint (events->len, ==, 1);
  }
}

static void
test_finish_discards (void)
{
  const char *cases[] = {
    "data: a\n",           /* event without its blank line */
    "data: a",             /* partial line */
    "data: a\r",           /* the line ended, the event did not */
    "event: x\ndata: a\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) events = parse_all_ways (cases[i], NULL);

      g_assert_cmpuint (events->len, ==, 0);
    }
}

static void
test_fields (void)
{
  g_autoptr(GPtrArray) events = parse_all_ways (
      "event: first\ndata: 1\n\n"
      "data: 2\n\n"                         /* the type does not carry over */
      "event:\ndata: 3\n\n"                 /* an empty type is "message" */
      "event: lost\n\n"                     /* no data: nothing, type reset */
      "data: 4\n\n"
      "event: a\nevent: b\ndata: 5\n\n"     /* the last event: wins */
      "id: 9\ndata: 6\n\n"
      "data: 7\n\n"                         /* the id persists */
      "id\ndata: 8\n\n"                     /* id without value resets it */
      "data::x\n\n"                         /* only the first colon splits */
      "id: a:b\ndata\n\n"
      "data :x\n\n"                         /* name "data " is unknown */
      "DATA: x\n\n", NULL);
  const char *want[][3] = {
    { "first", "1", "" },
    { "message", "2", "" },
    { "message", "3", "" },
    { "message", "4", "" },
    { "b", "5", "" },
    { "message", "6", "9" },
    { "message", "7", "9" },
    { "message", "8", "" },
    { "message", ":x", "" },
    { "message", "", "a:b" },
  };

  g_assert_cmpuint (events->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_assert_cmpstr (event_at (events, i)->type, ==, want[i][0]);
      g_assert_cmpstr (event_at (events, i)->data, ==, want[i][1]);
      g_assert_cmpstr (event_at (events, i)->id, ==, want[i][2]);
    }
}

/* ---- registration ------------------------------------------------------ */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  /* g_ptr_array_sort passes pointers to the elements. */
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static GPtrArray *
list_fixtures (const char *subdir)
{
  g_autofree char *dir_path = fixture_path (subdir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  GPtrArray *fixtures = g_ptr_array_new_with_free_func (fixture_free);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".sse"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      Fixture *fx = g_new0 (Fixture, 1);

      fx->name = g_strdup (names->pdata[i]);
      fx->relative = g_build_filename (subdir, fx->name, NULL);
      g_ptr_array_add (fixtures, fx);
    }
  g_ptr_array_unref (names);
  return fixtures;
}

int
main (int   argc,
      char *argv[])
{
  const char *provider_dirs[] = { "anthropic", "openai-chat", "openai-responses", "compat" };
  g_autoptr(JsonParser) json = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_path = NULL;
  /* The registered tests point into these until g_test_run returns. */
  g_autoptr(GPtrArray) lists = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  GPtrArray *vectors;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  expected_path = fixture_path ("sse/expected.json");
  json_parser_load_from_file (json, expected_path, &error);
  g_assert_no_error (error);
  expected_vectors = json_node_get_object (json_parser_get_root (json));

  vectors = list_fixtures ("sse");
  g_ptr_array_add (lists, vectors);
  g_test_add_data_func ("/sse/vectors/listed", vectors, test_vectors_listed);
  for (guint i = 0; i < vectors->len; i++)
    {
      const Fixture *fx = vectors->pdata[i];
      const struct {
        const char    *mode;
        GTestDataFunc  func;
      } modes[] = {
        { "whole", test_vector_whole },
        { "split", test_vector_split },
        { "bytewise", test_vector_bytewise },
        { "random", test_vector_random },
      };

      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          g_autofree char *path = g_strdup_printf ("/sse/vectors/%s/%s", fx->name, modes[m].mode);

          g_test_add_data_func (path, fx, modes[m].func);
        }
    }

  for (guint d = 0; d < G_N_ELEMENTS (provider_dirs); d++)
    {
      GPtrArray *fixtures = list_fixtures (provider_dirs[d]);

      g_ptr_array_add (lists, fixtures);

      g_assert_cmpuint (fixtures->len, >, 0);
      for (guint i = 0; i < fixtures->len; i++)
        {
          const Fixture *fx = fixtures->pdata[i];
          g_autofree char *path = g_strdup_printf ("/sse/provider/%s", fx->relative);

          g_test_add_data_func (path, fx, test_provider_fixture);
        }
    }
  g_test_add_func ("/sse/provider/legacy-error-field", test_provider_legacy_error_field);

  g_test_add_func ("/sse/zero-length", test_zero_length);
  g_test_add_func ("/sse/many-events-one-chunk", test_many_events_one_chunk);
  g_test_add_func ("/sse/cap/default", test_cap_default);
  g_test_add_func ("/sse/cap/line", test_cap_line);
  g_test_add_func ("/sse/cap/exact", test_cap_exact);
  g_test_add_func ("/sse/cap/data", test_cap_data);
  g_test_add_func ("/sse/cap/decoded", test_cap_decoded);
  g_test_add_func ("/sse/stop-from-callback", test_stop_from_callback);
  g_test_add_func ("/sse/retry", test_retry);
  g_test_add_func ("/sse/offset", test_offset);
  g_test_add_func ("/sse/utf8/invalid", test_utf8_invalid);
  g_test_add_func ("/sse/utf8/split", test_utf8_split);
  g_test_add_func ("/sse/nul", test_nul);
  g_test_add_func ("/sse/bom", test_bom);
  g_test_add_func ("/sse/line-endings", test_line_endings);
  g_test_add_func ("/sse/finish-discards", test_finish_discards);
  g_test_add_func ("/sse/fields", test_fields);

  return g_test_run ();
}
