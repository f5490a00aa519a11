/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An incremental WHATWG event-stream parser: bytes in, events out, no I/O. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PW_SSE_ERROR (pw_sse_error_quark ())

typedef enum {
  PW_SSE_ERROR_TOO_LONG,   /* one event's data (or one line) passed the cap */
} PwSseError;

GQuark pw_sse_error_quark (void);

#define PW_SSE_DEFAULT_MAX_EVENT_BYTES (16 * 1024 * 1024)

typedef struct {
  const char *type;           /* "message" when the stream gave no (or an empty) event: line;
                               * a NUL in the event: value ends this string early */
  const char *data;           /* NUL-terminated, valid UTF-8 (invalid bytes became U+FFFD);
                               * may hold U+0000 itself: data_len is the length */
  gsize       data_len;
  const char *last_event_id;  /* "" when none; persists across events */
} PwSseEvent;

/* Called for each dispatched event, synchronously from feed; the event is
 * valid only during the call. Return FALSE to stop: the rest of that chunk
 * is dropped and further feeds are ignored (they return TRUE). */
typedef gboolean (*PwSseEventFunc) (const PwSseEvent *event,
                                    gpointer          user_data);

typedef struct _PwSseParser PwSseParser;

/* max_event_bytes caps one line (raw bytes) and one event's data (decoded
 * bytes); 0 means PW_SSE_DEFAULT_MAX_EVENT_BYTES. Memory stays within a
 * small multiple of the cap. */
PwSseParser *pw_sse_parser_new        (gsize           max_event_bytes,
                                       PwSseEventFunc  func,
                                       gpointer        user_data);
void         pw_sse_parser_free       (PwSseParser    *self);
/* Feeds any chunk of the stream (any split, zero length allowed; data may
 * be NULL when len is 0). FALSE with PW_SSE_ERROR_TOO_LONG when a line or
 * event passes the cap; the parser then fails every later feed. After a
 * stop or finish, feeds are ignored. */
gboolean     pw_sse_parser_feed       (PwSseParser    *self,
                                       const guint8   *data,
                                       gsize           len,
                                       GError        **error);
/* End of stream: a line ended by a final lone CR is still a line; a
 * partial line and an undispatched event are discarded (WHATWG §8). No
 * event is dispatched from here; later feeds are ignored. */
void         pw_sse_parser_finish     (PwSseParser    *self);
/* The last valid retry: value in ms, or -1 */
gint64       pw_sse_parser_get_retry  (PwSseParser    *self);
/* Bytes of the stream taken so far: everything fed, except the rest of a
 * chunk dropped by a stop. Inside the callback: the offset just past the
 * line end (the CR of a CRLF) that dispatched the event. */
guint64      pw_sse_parser_get_offset (PwSseParser    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwSseParser, pw_sse_parser_free)

G_END_DECLS
