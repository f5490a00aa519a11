/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the fake server's files share: the reply record, generators and the script reader. */
#pragma once

#include <json-glib/json-glib.h>

#include "pw-fake-server.h"

G_BEGIN_DECLS

/* A header as served: name and value, in order. */
typedef struct {
  char *name;
  char *value;
} PwFakeHeader;

struct _PwFakeReply
{
  guint        status;
  GPtrArray   *headers;       /* PwFakeHeader, served in this order */
  GBytes      *body;
  char        *label;         /* for logs: "fixture …", "text", "status 429" */

  gboolean     chunking_set;
  gsize        chunk_min;     /* 0 with chunk_max 0: one SSE event a piece */
  gsize        chunk_max;
  guint        interval_ms;
  guint        delay_ms;

  PwFakeFault  fault;
  gsize        fault_at;
};

/* @str as a JSON string literal, UTF-8 kept as is (like the APIs send it) */
void         pw_fake_append_json_string  (GString           *out,
                                          const char        *str);

/* The string member @name of @object, NULL when absent or not a string:
 * requests are untrusted, and json-glib's getters are critical on a wrong type. */
const char  *pw_fake_json_get_string     (JsonObject        *object,
                                          const char        *name);

PwFakeReply *pw_fake_reply_copy          (const PwFakeReply *reply);
const char  *pw_fake_reply_get_header    (const PwFakeReply *reply,
                                          const char        *name);
gboolean     pw_fake_reply_is_streaming  (const PwFakeReply *reply);

/* The provider whose API lives at @path ("/v1/messages", also under a
 * prefix such as "/api/v1/chat/completions"). FALSE when none does. */
gboolean     pw_fake_path_get_kind       (const char        *path,
                                          PwProviderKind    *out_kind);

/* The generated answer the echo mode gives to @request_body: a stream
 * (or a plain JSON answer when the request says "stream": false) in the
 * format of @kind that quotes the last user message. */
PwFakeReply *pw_fake_reply_new_echo      (PwProviderKind     kind,
                                          GBytes            *request_body);

/* The 500 that tells a test it forgot to queue a reply, shaped like the
 * provider's own errors so a client reports it with its message. */
PwFakeReply *pw_fake_reply_new_error     (const char        *path,
                                          guint              status,
                                          const char        *message);

/* A reply waiting in the queue, for one path or (path NULL) for any. */
typedef struct {
  char        *path;
  PwFakeReply *reply;
} PwFakeQueued;

PwFakeQueued *pw_fake_queued_new         (const char        *path,
                                          PwFakeReply       *reply);
void          pw_fake_queued_free        (PwFakeQueued      *queued);

/* The replies of a script (see planwright-fake-llm --help), repeats
 * expanded, in order: a GPtrArray of PwFakeQueued. */
GPtrArray   *pw_fake_script_parse        (const char        *script_path,
                                          const char        *fixtures_dir,
                                          GError           **error);

G_END_DECLS
