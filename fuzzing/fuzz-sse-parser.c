/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: PwSseParser gives the same events under any chunking, and those of a naive spec parser. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pw-sse-parser.h"

/* Input: byte 0 picks the cap, bytes 1-2 the split offset, the rest is
 * the stream. run-fuzz.sh puts that header in front of the seeds. */
#define HEADER_BYTES 3
#define BYTEWISE_MAX 4096

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

typedef struct {
  GString *type;
  GString *data;
  GString *id;
} Event;

typedef struct {
  GPtrArray *events;
  gint64     retry;
  gboolean   failed;
} Result;

static void
event_free (gpointer p)
{
  Event *e = p;

  g_string_free (e->type, TRUE);
  g_string_free (e->data, TRUE);
  g_string_free (e->id, TRUE);
  g_free (e);
}

static void
result_init (Result *r)
{
  r->events = g_ptr_array_new_with_free_func (event_free);
  r->retry = -1;
  r->failed = FALSE;
}

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->events, g_ptr_array_unref);
}

static void
add_event (Result     *r,
           const char *type,
           const char *data,
           gsize       data_len,
           const char *id)
{
  Event *e = g_new0 (Event, 1);

  e->type = g_string_new (type);
  e->data = g_string_new_len (data, data_len);
  e->id = g_string_new (id);
  g_ptr_array_add (r->events, e);
}

static gboolean
collect (const PwSseEvent *event,
         gpointer          user_data)
{
  if (event->data[event->data_len] != '\0')
    abort ();
  add_event (user_data, event->type, event->data, event->data_len, event->last_event_id);
  return TRUE;
}

/* Feeds the stream in chunks of the sizes next_size() gives. */
typedef gsize (*NextSize) (gpointer state, gsize left);

static void
run_parser (const guint8 *buf,
            gsize         len,
            gsize         cap,
            NextSize      next_size,
            gpointer      state,
            Result       *r)
{
  PwSseParser *parser = pw_sse_parser_new (cap, collect, r);
  gsize at = 0;

  result_init (r);
  while (at < len)
    {
      gsize n = next_size (state, len - at);
      GError *error = NULL;

      n = MIN (n, len - at);

      if (!pw_sse_parser_feed (parser, buf + at, n, &error))
        {
          if (!g_error_matches (error, PW_SSE_ERROR, PW_SSE_ERROR_TOO_LONG))
            abort ();
          g_error_free (error);
          r->failed = TRUE;
          break;
        }
      if (error != NULL)
        abort ();
      at += n;
    }
  pw_sse_parser_finish (parser);
  r->retry = pw_sse_parser_get_retry (parser);
  pw_sse_parser_free (parser);
}

static gsize
size_whole (gpointer state,
            gsize    left)
{
  return left;
}

static gsize
size_split (gpointer state,
            gsize    left)
{
  gsize *first = state;
  gsize n = *first;

  /* The first chunk ends at the offset, the second takes the rest. */
  *first = G_MAXSIZE;
  return n == G_MAXSIZE ? left : n;
}

static gsize
size_one (gpointer state,
          gsize    left)
{
  return 1;
}

/* Small chunks, empty ones included, from a cheap generator. */
static gsize
size_random (gpointer state,
             gsize    left)
{
  guint32 *x = state;

  *x ^= *x << 13;
  *x ^= *x >> 17;
  *x ^= *x << 5;
  return *x % 23;
}

/* ---- a naive reference: the spec's steps on decoded code points -------- */

/* The Encoding Standard's UTF-8 decoder, byte by byte. Records where in
 * the input each code point started, for the raw line-length cap. */
static void
reference_decode (const guint8 *buf,
                  gsize         len,
                  GArray       *chars,
                  GArray       *starts)
{
  gunichar cp = 0;
  guint needed = 0;
  guint seen = 0;
  guint8 lower = 0x80;
  guint8 upper = 0xBF;
  gsize start = 0;

  for (gsize i = 0; i < len;)
    {
      guint8 b = buf[i];
      gunichar out;

      if (needed == 0)
        {
          start = i;
          i++;
          if (b <= 0x7F)
            out = b;
          else if (b >= 0xC2 && b <= 0xDF)
            {
              needed = 1;
              cp = b & 0x1F;
              continue;
            }
          else if (b >= 0xE0 && b <= 0xEF)
            {
              if (b == 0xE0)
                lower = 0xA0;
              if (b == 0xED)
                upper = 0x9F;
              needed = 2;
              cp = b & 0xF;
              continue;
            }
          else if (b >= 0xF0 && b <= 0xF4)
            {
              if (b == 0xF0)
                lower = 0x90;
              if (b == 0xF4)
                upper = 0x8F;
              needed = 3;
              cp = b & 0x7;
              continue;
            }
          else
            out = 0xFFFD;
        }
      else if (b < lower || b > upper)
        {
          /* Error; the byte is read again as the start of what follows. */
          cp = needed = seen = 0;
          lower = 0x80;
          upper = 0xBF;
          out = 0xFFFD;
        }
      else
        {
          i++;
          lower = 0x80;
          upper = 0xBF;
          cp = (cp << 6) | (b & 0x3F);
          if (++seen != needed)
            continue;
          out = cp;
          cp = needed = seen = 0;
        }

      g_array_append_val (chars, out);
      g_array_append_val (starts, start);
    }
  if (needed != 0)
    {
      gunichar out = 0xFFFD;

      g_array_append_val (chars, out);
      g_array_append_val (starts, start);
    }
}

static void
append_chars (GString        *s,
              const gunichar *c,
              gsize           n)
{
  for (gsize i = 0; i < n; i++)
    {
      char utf8[6];

      g_string_append_len (s, utf8, g_unichar_to_utf8 (c[i], utf8));
    }
}

static gboolean
chars_are (const gunichar *c,
           gsize           n,
           const char     *ascii)
{
  if (n != strlen (ascii))
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (c[i] != (guchar) ascii[i])
      return FALSE;
  return TRUE;
}

static void
run_reference (const guint8 *buf,
               gsize         len,
               gsize         cap,
               Result       *r)
{
  GArray *chars = g_array_new (FALSE, FALSE, sizeof (gunichar));
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  GString *data = g_string_new (NULL);
  GString *type = g_string_new (NULL);
  GString *id = g_string_new (NULL);
  const gunichar *c;
  gsize n;
  gsize i = 0;
  gboolean first = TRUE;

  result_init (r);
  reference_decode (buf, len, chars, starts);
  c = (const gunichar *) (gpointer) chars->data;
  n = chars->len;
  /* U+FEFF first can only be the BOM the decoder drops. */
  if (n > 0 && c[0] == 0xFEFF)
    i = 1;

  while (i <= n)
    {
      gsize line_start = i;
      gsize line_end;
      gsize from, to, raw_len;
      gsize colon;

      while (i < n && c[i] != '\r' && c[i] != '\n')
        i++;
      line_end = i;

      /* Raw length: from the line's first byte (the BOM's, for the first
       * line) to its terminator, or to the end for a partial line. */
      from = first ? 0 : line_start < n ? g_array_index (starts, gsize, line_start) : len;
      to = line_end < n ? g_array_index (starts, gsize, line_end) : len;
      raw_len = to - from;
      first = FALSE;
      if (raw_len > cap)
        {
          r->failed = TRUE;
          break;
        }
      if (i == n)
        break;  /* no terminator: the partial line is dropped */
      if (c[i] == '\r' && i + 1 < n && c[i + 1] == '\n')
        i += 2;
      else
        i++;

      if (line_end == line_start)
        {
          if (data->len > 0)
            {
              g_string_truncate (data, data->len - 1);
              add_event (r, type->len > 0 ? type->str : "message", data->str, data->len, id->str);
            }
          g_string_truncate (data, 0);
          g_string_truncate (type, 0);
          continue;
        }
      if (c[line_start] == ':')
        continue;

      for (colon = line_start; colon < line_end && c[colon] != ':'; colon++)
        ;
      {
        const gunichar *name = c + line_start;
        gsize name_len = colon - line_start;
        const gunichar *value = c + MIN (colon + 1, line_end);
        gsize value_len = colon < line_end ? line_end - colon - 1 : 0;

        if (value_len > 0 && value[0] == ' ')
          {
            value++;
            value_len--;
          }
        if (chars_are (name, name_len, "data"))
          {
            append_chars (data, value, value_len);
            if (data->len > cap)
              {
                r->failed = TRUE;
                break;
              }
            g_string_append_c (data, '\n');
          }
        else if (chars_are (name, name_len, "event"))
          {
            g_string_truncate (type, 0);
            append_chars (type, value, value_len);
          }
        else if (chars_are (name, name_len, "id"))
          {
            gboolean nul = FALSE;

            for (gsize k = 0; k < value_len; k++)
              nul |= value[k] == 0;
            if (!nul)
              {
                g_string_truncate (id, 0);
                append_chars (id, value, value_len);
              }
          }
        else if (chars_are (name, name_len, "retry") && value_len > 0)
          {
            gint64 ms = 0;
            gboolean digits = TRUE;

            for (gsize k = 0; k < value_len && digits; k++)
              {
                digits = value[k] >= '0' && value[k] <= '9';
                if (digits && (__builtin_mul_overflow (ms, 10, &ms) ||
                               __builtin_add_overflow (ms, (gint64) (value[k] - '0'), &ms)))
                  ms = G_MAXINT64;
              }
            if (digits)
              r->retry = ms;
          }
      }
    }

  g_array_unref (chars);
  g_array_unref (starts);
  g_string_free (data, TRUE);
  g_string_free (type, TRUE);
  g_string_free (id, TRUE);
}

static void
assert_same (const Result *a,
             const Result *b,
             const char   *what)
{
  gboolean same = a->events->len == b->events->len && a->failed == b->failed;

  /* After a failure the retry of the two may differ by what was read. */
  if (!a->failed)
    same = same && a->retry == b->retry;
  for (guint i = 0; same && i < a->events->len; i++)
    {
      const Event *x = a->events->pdata[i];
      const Event *y = b->events->pdata[i];

      same = strcmp (x->type->str, y->type->str) == 0 &&
             strcmp (x->id->str, y->id->str) == 0 &&
             x->data->len == y->data->len &&
             memcmp (x->data->str, y->data->str, x->data->len) == 0;
    }
  if (!same)
    {
      fprintf (stderr, "fuzz-sse-parser: %s differs: %u vs %u events, failed %d vs %d, retry %"
               G_GINT64_FORMAT " vs %" G_GINT64_FORMAT "\n", what, a->events->len,
               b->events->len, a->failed, b->failed, a->retry, b->retry);
      abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static const gsize caps[] = { 0, 8, 64, 1024 };
  const guint8 *buf;
  gsize len;
  gsize cap;
  gsize split;
  guint32 seed;
  Result whole, other;

  if (size < HEADER_BYTES)
    return 0;
  cap = caps[data[0] & 3];
  buf = data + HEADER_BYTES;
  len = size - HEADER_BYTES;
  split = (data[1] | (data[2] << 8)) % (len + 1);
  seed = 0x9E3779B9u ^ (data[1] << 16) ^ (data[2] << 8) ^ data[0];

  run_parser (buf, len, cap, size_whole, NULL, &whole);

  run_parser (buf, len, cap, size_split, &split, &other);
  assert_same (&whole, &other, "split");
  result_clear (&other);

  run_parser (buf, len, cap, size_random, &seed, &other);
  assert_same (&whole, &other, "random chunking");
  result_clear (&other);

  if (len <= BYTEWISE_MAX)
    {
      run_parser (buf, len, cap, size_one, NULL, &other);
      assert_same (&whole, &other, "byte by byte");
      result_clear (&other);
    }

  run_reference (buf, len, cap ? cap : PW_SSE_DEFAULT_MAX_EVENT_BYTES, &other);
  assert_same (&other, &whole, "reference");
  result_clear (&other);

  result_clear (&whole);
  return 0;
}
