/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A scripted LLM server on 127.0.0.1 for tests and the offline demo: fixtures, generated streams, faults. */
#pragma once

#include <libsoup/soup.h>

#include "pw-settings.h"

G_BEGIN_DECLS

/* Faults. The body ones are served with chunked framing, the body
 * written by the server itself after the headers, so that it can stop
 * where libsoup never would: */
typedef enum {
  PW_FAKE_FAULT_NONE,
  /* close the connection with a reset (RST), no response at all */
  PW_FAKE_FAULT_RESET_BEFORE_HEADERS,
  /* send @at body bytes inside a chunk that announces more, then close:
   * the client reads exactly @at bytes, then an error (libsoup:
   * G_IO_ERROR_PARTIAL_INPUT). @at past the end: the whole body, and
   * still the error. */
  PW_FAKE_FAULT_TRUNCATE,
  /* send @at bytes in whole chunks, then nothing; the connection stays
   * open until the server is disposed */
  PW_FAKE_FAULT_STALL,
  /* send @at bytes in whole chunks, then close without the final empty
   * chunk: libsoup reports a clean end of body, so only a missing
   * terminal event shows the cut */
  PW_FAKE_FAULT_EOF,
} PwFakeFault;

/* One scripted reply. Build, then hand to pw_fake_server_enqueue. */
typedef struct _PwFakeReply PwFakeReply;

/* A fixture from tests/fixtures/wire (path relative to that folder, e.g.
 * "anthropic/messages-stream-text.sse"), served with the status and
 * headers of its index.json entry. @fixtures_dir NULL: the folder in
 * $PW_FIXTURES_DIR. NULL with error when unknown. */
PwFakeReply *pw_fake_reply_new_fixture   (const char   *fixtures_dir,
                                          const char   *relpath,
                                          GError      **error);
/* Any status, body and content type (both may be NULL): error bodies,
 * malformed JSON, a hand-written stream ("text/event-stream" is framed
 * chunked like the real APIs' streams). */
PwFakeReply *pw_fake_reply_new           (guint         status,
                                          const char   *content_type,
                                          GBytes       *body);
/* A well-formed streaming answer of @kind that says @text, cut into
 * @n_deltas deltas (at UTF-8 boundaries), with usage and terminal event.
 * @thinking may be NULL. */
PwFakeReply *pw_fake_reply_new_text      (PwProviderKind kind,
                                          const char   *text,
                                          const char   *thinking,
                                          guint         n_deltas);
void         pw_fake_reply_free          (PwFakeReply  *reply);
/* Adds @name, or replaces its value if the reply has it already (so a
 * fixture's request id or retry-after can be overridden in place). */
void         pw_fake_reply_add_header    (PwFakeReply  *reply,
                                          const char   *name,
                                          const char   *value);
/* Body written in pieces of @min..@max bytes (random, from the server's
 * seed), with @interval_ms between pieces (0: as fast as possible, but
 * each piece its own write). @min and @max both 0: one SSE event a
 * piece. Without chunking the body goes in one write. */
void         pw_fake_reply_set_chunking  (PwFakeReply  *reply,
                                          gsize         min_bytes,
                                          gsize         max_bytes,
                                          guint         interval_ms);
/* Wait before sending the headers */
void         pw_fake_reply_set_delay     (PwFakeReply  *reply,
                                          guint         delay_ms);
void         pw_fake_reply_set_fault     (PwFakeReply  *reply,
                                          PwFakeFault   fault,
                                          gsize         at);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwFakeReply, pw_fake_reply_free)

/* A request the server received, recorded in order. */
typedef struct {
  char               *method;
  char               *path;
  SoupMessageHeaders *headers;
  GBytes             *body;
} PwFakeRequest;

#define PW_TYPE_FAKE_SERVER (pw_fake_server_get_type ())
G_DECLARE_FINAL_TYPE (PwFakeServer, pw_fake_server, PW, FAKE_SERVER, GObject)

/* Listens on 127.0.0.1, port 0 (any free port), on the thread-default
 * main context. Serves POST /v1/messages, /v1/responses and
 * /v1/chat/completions (also under a prefix, as in /api/v1/…) from the
 * queue, in order; with an empty queue it answers 500 with a JSON error
 * naming the path and x-should-retry: false (a test bug, visible). Other
 * paths get 404, other methods 405. Every request is recorded first.
 * Disposing it closes every connection, stalled ones included. */
PwFakeServer *pw_fake_server_new          (GError      **error);
/* The same on a given port (0: any) */
PwFakeServer *pw_fake_server_new_on_port  (guint         port,
                                           GError      **error);
guint         pw_fake_server_get_port     (PwFakeServer *self);
/* "http://127.0.0.1:PORT" */
const char   *pw_fake_server_get_url      (PwFakeServer *self);
/* Takes ownership. @path NULL: the next request on any path. */
void          pw_fake_server_enqueue      (PwFakeServer *self,
                                           const char   *path,
                                           PwFakeReply  *reply);
/* Loads a JSON script (see planwright-fake-llm --help) and enqueues it. */
gboolean      pw_fake_server_load_script  (PwFakeServer *self,
                                           const char   *script_path,
                                           const char   *fixtures_dir,
                                           GError      **error);
/* PwFakeRequest, in arrival order (owned by the server) */
GPtrArray    *pw_fake_server_get_requests (PwFakeServer *self);
/* Replies still queued */
guint         pw_fake_server_get_pending  (PwFakeServer *self);
/* When no reply is queued for a request, answer with a generated stream
 * in that endpoint's format quoting the last user message ("Fake
 * planner: you said …", 20 deltas, one event every 30 ms) instead of
 * the 500. */
void          pw_fake_server_set_echo     (PwFakeServer *self,
                                           gboolean      echo);
/* Seeds the random piece sizes (a fixed seed by default) */
void          pw_fake_server_set_seed     (PwFakeServer *self,
                                           guint32       seed);

/* Signal "request" (PwFakeServer *, PwFakeRequest *, gpointer): emitted
 * once the request is recorded, before its reply starts. */

G_END_DECLS
