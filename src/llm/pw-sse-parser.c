/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The WHATWG event-stream parser: line splitting, UTF-8 repair, fields, dispatch. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "pw-sse-parser.h"

G_DEFINE_QUARK (pw-sse-error-quark, pw_sse_error)

/* A byte buffer that only grows while in use, with room kept for a NUL. */
typedef struct {
  char  *str;
  gsize  len;
  gsize  alloc;
} Buf;

/* Buffers that grew past this for one absurd event are given back after it. */
#define BUF_KEEP_BYTES (256 * 1024)

struct _PwSseParser {
  PwSseEventFunc func;
  gpointer       user_data;
  gsize          max_bytes;

  Buf            line;  /* raw bytes of a line begun in an earlier chunk */
  Buf            data;  /* decoded data lines, each followed by LF */
  Buf            type;  /* decoded event: value; empty means "message" */
  Buf            id;    /* decoded last event id; persists across events */

  gint64         retry;
  guint64        offset;

  guint          skip_lf : 1;  /* the last chunk ended in CR: swallow one LF */
  guint          at_start : 1; /* no line ended yet: a BOM may open the stream */
  guint          stopped : 1;  /* the callback said stop, or finish() ran */
  guint          failed : 1;
};

static void
buf_reserve (Buf   *buf,
             gsize  extra)
{
  gsize need = buf->len + extra + 1;
  gsize alloc;

  if (G_LIKELY (need <= buf->alloc))
    return;

  alloc = MAX (buf->alloc, 256);
  while (alloc < need)
    alloc *= 2;
  buf->str = g_realloc (buf->str, alloc);
  buf->alloc = alloc;
}

static inline void
buf_append (Buf        *buf,
            const char *src,
            gsize       len)
{
  buf_reserve (buf, len + 1);
  memcpy (buf->str + buf->len, src, len);
  buf->len += len;
}

static void
buf_clear (Buf *buf)
{
  g_clear_pointer (&buf->str, g_free);
  buf->len = 0;
  buf->alloc = 0;
}

static inline void
buf_reset_if_huge (Buf *buf)
{
  if (G_UNLIKELY (buf->alloc > BUF_KEEP_BYTES))
    buf_clear (buf);
}

/* The sequence starting at p (lead byte >= 0x80), by the WHATWG UTF-8
 * decoder's bounds: its length when valid, else minus the length of its
 * maximal subpart, which the decoder turns into one U+FFFD. A sequence
 * cut short by the end of p is invalid: a line is always decoded whole,
 * and CR and LF are never inside a sequence. */
static inline gssize
utf8_sequence (const guchar *p,
               gsize         len)
{
  guchar lead = p[0];
  guchar lower = 0x80;
  guchar upper = 0xBF;
  gsize needed;

  if (lead >= 0xC2 && lead <= 0xDF)
    needed = 1;
  else if (lead >= 0xE0 && lead <= 0xEF)
    {
      needed = 2;
      if (lead == 0xE0)
        lower = 0xA0;
      else if (lead == 0xED)
        upper = 0x9F;  /* no surrogates */
    }
  else if (lead >= 0xF0 && lead <= 0xF4)
    {
      needed = 3;
      if (lead == 0xF0)
        lower = 0x90;
      else if (lead == 0xF4)
        upper = 0x8F;  /* nothing past U+10FFFF */
    }
  else
    return -1;

  for (gsize k = 1; k <= needed; k++)
    {
      if (k == len || p[k] < lower || p[k] > upper)
        return -(gssize) k;
      lower = 0x80;
      upper = 0xBF;
    }

  return needed + 1;
}

#define HIGH_BITS G_GUINT64_CONSTANT (0x8080808080808080)

#if G_BYTE_ORDER == G_LITTLE_ENDIAN
#define FIRST_HIGH_BYTE(word) (__builtin_ctzll (word) / 8)
#else
#define FIRST_HIGH_BYTE(word) (__builtin_clzll (word) / 8)
#endif

/* Index of the first byte >= 0x80 in u[0..len), or len: 16 bytes at a
 * time with SSE2 (every x86-64), else 8; the last block overlaps the one
 * before instead of finishing byte by byte. */
static inline gsize
ascii_run (const guchar *u,
           gsize         len)
{
  gsize i = 0;

#ifdef __SSE2__
  if (len >= 16)
    {
      int mask;

      for (; i + 16 <= len; i += 16)
        {
          mask = _mm_movemask_epi8 (_mm_loadu_si128 ((const __m128i *) (gconstpointer) (u + i)));
          if (mask != 0)
            return i + __builtin_ctz (mask);
        }
      if (i == len)
        return len;
      mask = _mm_movemask_epi8 (_mm_loadu_si128 ((const __m128i *) (gconstpointer) (u + len - 16)));
      return mask != 0 ? len - 16 + __builtin_ctz (mask) : len;
    }
#endif
  if (len >= 8)
    {
      guint64 word;

      for (; i + 8 <= len; i += 8)
        {
          memcpy (&word, u + i, sizeof word);
          word &= HIGH_BITS;
          if (word != 0)
            return i + FIRST_HIGH_BYTE (word);
        }
      if (i == len)
        return len;
      memcpy (&word, u + len - 8, sizeof word);
      word &= HIGH_BITS;
      return word != 0 ? len - 8 + FIRST_HIGH_BYTE (word) : len;
    }
  for (; i < len; i++)
    if (u[i] >= 0x80)
      break;

  return i;
}

/* Length of the longest valid UTF-8 prefix of p (U+0000 included). */
static gsize
utf8_valid_prefix (const char *p,
                   gsize       len)
{
  const guchar *u = (const guchar *) p;
  gsize i = 0;

  for (;;)
    {
      gssize seq;

      i += ascii_run (u + i, len - i);
      if (i == len)
        return len;

      /* One multibyte sequence, then back to the fast loop. */
      seq = utf8_sequence (u + i, len - i);
      if (seq < 0)
        return i;
      i += seq;
    }
}

/* Appends src decoded as UTF-8: each invalid or truncated sequence
 * becomes one U+FFFD, as the WHATWG decoder does. Leaves room for one
 * more byte and the NUL. */
static void
buf_append_utf8 (Buf        *buf,
                 const char *src,
                 gsize       len)
{
  gsize valid = utf8_valid_prefix (src, len);
  gsize i;
  char *out;

  if (G_LIKELY (valid == len))
    {
      buf_reserve (buf, len + 1);
      memcpy (buf->str + buf->len, src, len);
      buf->len += len;
      return;
    }

  /* Each invalid byte grows to the three bytes of U+FFFD at most. */
  buf_reserve (buf, len * 3 + 1);
  out = buf->str + buf->len;
  i = 0;
  for (;;)
    {
      memcpy (out, src + i, valid);
      out += valid;
      i += valid;
      if (i == len)
        break;

      i += -utf8_sequence ((const guchar *) src + i, len - i);
      memcpy (out, "\xEF\xBF\xBD", 3);
      out += 3;
      if (i == len)
        break;
      valid = utf8_valid_prefix (src + i, len - i);
    }
  buf->len = out - buf->str;
}

static void
set_too_long (PwSseParser  *self,
              gboolean      line,
              GError      **error)
{
  /* Plain C formats: xgettext cannot see through G_GSIZE_FORMAT. */
  unsigned long long cap = self->max_bytes;
  unsigned long long offset = self->offset;

  self->failed = TRUE;
  if (line)
    g_set_error (error, PW_SSE_ERROR, PW_SSE_ERROR_TOO_LONG,
                 _("The server sent an event-stream line longer than %llu bytes "
                   "(near byte %llu of the stream); the stream was stopped"),
                 cap, offset);
  else
    g_set_error (error, PW_SSE_ERROR, PW_SSE_ERROR_TOO_LONG,
                 _("The server sent an event with more than %llu bytes of data "
                   "(near byte %llu of the stream); the stream was stopped"),
                 cap, offset);
}

static gboolean
dispatch (PwSseParser *self)
{
  PwSseEvent event;
  gboolean go_on;

  if (self->data.len == 0)
    {
      self->type.len = 0;
      return TRUE;
    }

  /* Drop the LF that followed the last data line. */
  self->data.len--;
  self->data.str[self->data.len] = '\0';

  event.type = self->type.len > 0 ? self->type.str : "message";
  event.data = self->data.str;
  event.data_len = self->data.len;
  event.last_event_id = self->id.len > 0 ? self->id.str : "";

  go_on = self->func (&event, self->user_data);

  self->data.len = 0;
  self->type.len = 0;
  buf_reset_if_huge (&self->data);
  if (!go_on)
    self->stopped = TRUE;

  return go_on;
}

static gboolean
parse_retry (const char *value,
             gsize       len,
             gint64     *out)
{
  gint64 ms = 0;

  if (len == 0)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      int digit = value[i] - '0';

      if (digit < 0 || digit > 9)
        return FALSE;
      /* Absurd values saturate rather than wrap. */
      if (ms > (G_MAXINT64 - digit) / 10)
        ms = G_MAXINT64;
      else
        ms = ms * 10 + digit;
    }

  *out = ms;
  return TRUE;
}

/* One complete line, terminator excluded. FALSE stops the feed: the
 * callback said stop (no error) or the data passed the cap (error set). */
static gboolean
process_line (PwSseParser  *self,
              const char   *line,
              gsize         len,
              GError      **error)
{
  const char *colon;
  const char *value;
  gsize name_len;
  gsize value_len;

  if (G_UNLIKELY (self->at_start))
    {
      /* The decoder drops one BOM at the very start of the stream. */
      self->at_start = FALSE;
      if (len >= 3 && memcmp (line, "\xEF\xBB\xBF", 3) == 0)
        {
          line += 3;
          len -= 3;
        }
    }

  if (len == 0)
    return dispatch (self);

  if (line[0] == ':')
    return TRUE;

  /* The two fields of nearly every line, without searching for the colon. */
  if (len >= 5 && memcmp (line, "data:", 5) == 0)
    colon = line + 4;
  else if (len >= 6 && memcmp (line, "event:", 6) == 0)
    colon = line + 5;
  else
    colon = memchr (line, ':', len);

  if (colon != NULL)
    {
      name_len = colon - line;
      value = colon + 1;
      value_len = len - name_len - 1;
      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }
    }
  else
    {
      name_len = len;
      value = line + len;
      value_len = 0;
    }

  switch (name_len)
    {
    case 4:
      if (memcmp (line, "data", 4) == 0)
        {
          /* Decoding never shrinks: check before growing the buffer. */
          if (G_UNLIKELY (self->data.len + value_len > self->max_bytes))
            {
              set_too_long (self, FALSE, error);
              return FALSE;
            }
          buf_append_utf8 (&self->data, value, value_len);
          if (G_UNLIKELY (self->data.len > self->max_bytes))
            {
              set_too_long (self, FALSE, error);
              return FALSE;
            }
          self->data.str[self->data.len++] = '\n';
        }
      break;

    case 5:
      if (memcmp (line, "event", 5) == 0)
        {
          self->type.len = 0;
          buf_append_utf8 (&self->type, value, value_len);
          self->type.str[self->type.len] = '\0';
        }
      else if (memcmp (line, "retry", 5) == 0)
        parse_retry (value, value_len, &self->retry);
      break;

    case 2:
      if (line[0] == 'i' && line[1] == 'd' && memchr (value, '\0', value_len) == NULL)
        {
          self->id.len = 0;
          buf_append_utf8 (&self->id, value, value_len);
          self->id.str[self->id.len] = '\0';
        }
      break;

    default:
      break;
    }

  return TRUE;
}

static inline const char *
find_byte (const char *p,
           const char *end,
           char        c)
{
  const char *hit = memchr (p, c, end - p);

  return hit != NULL ? hit : end;
}

PwSseParser *
pw_sse_parser_new (gsize           max_event_bytes,
                   PwSseEventFunc  func,
                   gpointer        user_data)
{
  PwSseParser *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_new0 (PwSseParser, 1);
  self->func = func;
  self->user_data = user_data;
  self->max_bytes = max_event_bytes > 0 ? max_event_bytes : PW_SSE_DEFAULT_MAX_EVENT_BYTES;
  self->retry = -1;
  self->at_start = TRUE;

  return self;
}

void
pw_sse_parser_free (PwSseParser *self)
{
  if (self == NULL)
    return;

  buf_clear (&self->line);
  buf_clear (&self->data);
  buf_clear (&self->type);
  buf_clear (&self->id);
  g_free (self);
}

gboolean
pw_sse_parser_feed (PwSseParser   *self,
                    const guint8  *data,
                    gsize          len,
                    GError       **error)
{
  const char *start = (const char *) data;
  const char *end;
  const char *p;
  const char *nl;
  const char *cr;
  guint64 base;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (G_UNLIKELY (self->failed))
    {
      g_set_error_literal (error, PW_SSE_ERROR, PW_SSE_ERROR_TOO_LONG,
                           _("The event stream was already stopped by an oversized event"));
      return FALSE;
    }
  if (self->stopped || len == 0)
    return TRUE;

  base = self->offset;
  end = start + len;
  p = start;

  if (self->skip_lf)
    {
      self->skip_lf = FALSE;
      if (*p == '\n')
        p++;
    }

  /* One memchr pass per byte value over the chunk, however many lines. */
  nl = find_byte (p, end, '\n');
  cr = find_byte (p, end, '\r');

  while (p < end)
    {
      const char *eol;
      gboolean go_on;

      if (nl < p)
        nl = *p == '\n' ? p : find_byte (p, end, '\n');
      if (cr < p)
        cr = find_byte (p, end, '\r');
      eol = MIN (nl, cr);

      if (eol == end)
        {
          /* A line to be continued by the next chunk. */
          if (G_UNLIKELY ((gsize) (end - p) > self->max_bytes - self->line.len))
            {
              self->offset = base + len;
              set_too_long (self, TRUE, error);
              return FALSE;
            }
          buf_append (&self->line, p, end - p);
          break;
        }

      /* Inside the callback the offset is just past this line's end. */
      self->offset = base + (eol - start) + 1;

      if (self->line.len > 0)
        {
          if (G_UNLIKELY ((gsize) (eol - p) > self->max_bytes - self->line.len))
            {
              set_too_long (self, TRUE, error);
              return FALSE;
            }
          buf_append (&self->line, p, eol - p);
          go_on = process_line (self, self->line.str, self->line.len, error);
          self->line.len = 0;
          buf_reset_if_huge (&self->line);
        }
      else
        {
          if (G_UNLIKELY ((gsize) (eol - p) > self->max_bytes))
            {
              set_too_long (self, TRUE, error);
              return FALSE;
            }
          go_on = process_line (self, p, eol - p, error);
        }

      if (G_UNLIKELY (!go_on))
        return !self->failed;

      if (*eol == '\n')
        p = eol + 1;
      else if (eol + 1 == end)
        {
          self->skip_lf = TRUE;
          p = end;
        }
      else
        p = eol[1] == '\n' ? eol + 2 : eol + 1;
    }

  self->offset = base + len;
  return TRUE;
}

void
pw_sse_parser_finish (PwSseParser *self)
{
  g_return_if_fail (self != NULL);

  /* A final lone CR already ended its line when it arrived; what is left
   * is a partial line or an event without its blank line: dropped. */
  self->stopped = TRUE;
  buf_clear (&self->line);
  buf_clear (&self->data);
  buf_clear (&self->type);
}

gint64
pw_sse_parser_get_retry (PwSseParser *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->retry;
}

guint64
pw_sse_parser_get_offset (PwSseParser *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->offset;
}
