/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the provider base class, its subclasses and its aspect files; not installed, not for callers. */
#pragma once

#include <json-glib/json-glib.h>

#include "pw-provider.h"

G_BEGIN_DECLS

typedef struct {
  char     *role;       /* "user" | "assistant" */
  char     *text;
  gboolean  cacheable;
} PwLlmMessage;

struct _PwLlmRequest
{
  char      *model;
  char      *system;      /* nullable */
  GPtrArray *messages;    /* PwLlmMessage */
  gint64     max_tokens;  /* 0: the model's default */
  char      *effort;      /* nullable: the model's default */
  char      *schema_name; /* nullable */
  char      *schema_json; /* nullable */
};

/* The subclasses; pw_provider_new picks one by kind. */
#define PW_TYPE_ANTHROPIC_PROVIDER (pw_anthropic_provider_get_type ())
G_DECLARE_FINAL_TYPE (PwAnthropicProvider, pw_anthropic_provider, PW, ANTHROPIC_PROVIDER, PwProvider)
#define PW_TYPE_RESPONSES_PROVIDER (pw_responses_provider_get_type ())
G_DECLARE_FINAL_TYPE (PwResponsesProvider, pw_responses_provider, PW, RESPONSES_PROVIDER, PwProvider)
#define PW_TYPE_CHAT_PROVIDER (pw_chat_provider_get_type ())
G_DECLARE_FINAL_TYPE (PwChatProvider, pw_chat_provider, PW, CHAT_PROVIDER, PwProvider)

/* For the subclasses: the key goes into a header and nowhere else. */
const char  *pw_provider_get_api_key      (PwProvider    *self);
/* "Authorization: Bearer <key>" and "Accept: application/json"; no
 * Authorization at all without a key. The value is wiped after use. */
void         pw_provider_add_bearer_auth  (PwProvider         *self,
                                           SoupMessageHeaders *headers);
PwModels    *pw_provider_get_models       (PwProvider    *self);
SoupSession *pw_provider_get_session      (PwProvider    *self);
void         pw_provider_get_timeouts     (PwProvider    *self,
                                           PwTimeouts    *out_timeouts);
void         pw_provider_get_retry_policy (PwProvider    *self,
                                           PwRetryPolicy *out_policy);
/* What a failed call's usage row needs, from its result */
void         pw_provider_call_info        (GAsyncResult  *result,
                                           const char   **out_model,
                                           guint         *out_attempts,
                                           gint64        *out_latency_ms,
                                           const char   **out_request_id);

/* The request's turns as they should be sent: a trailing assistant turn
 * (prefill) is dropped unless @model accepts it. PwLlmMessage, borrowed. */
GPtrArray  *pw_llm_request_get_turns (PwLlmRequest      *request,
                                      const PwModelInfo *model);
/* The effort to send: the request's when @model accepts it, else the
 * model's default; NULL for none. */
const char *pw_llm_request_pick_effort (PwLlmRequest      *request,
                                        const PwModelInfo *model);
/* The schema as a JSON node, or NULL when none; FALSE when it is not a
 * JSON object. */
gboolean    pw_llm_request_parse_schema (PwLlmRequest  *request,
                                         JsonNode     **out_schema,
                                         GError       **error);

/* Lenient JSON readers: wrong types read as absent. */
JsonObject *pw_json_object (JsonObject *object,
                            const char *member);
JsonArray  *pw_json_array  (JsonObject *object,
                            const char *member);
const char *pw_json_string (JsonObject *object,
                            const char *member);
gboolean    pw_json_int    (JsonObject *object,
                            const char *member,
                            gint64     *out_value);
gboolean    pw_json_double (JsonObject *object,
                            const char *member,
                            double     *out_value);
/* Parses one event's data; a PROTOCOL error quoting its start otherwise. */
JsonNode   *pw_json_parse_event (const char *data,
                                 gsize       len,
                                 GError    **error);
char       *pw_json_to_string (JsonNode *node);

/* Error kinds from what the server said: HTTP status (0 inside a stream),
 * the error's type and code (strings or numbers as text), its message. */
PwProviderError pw_provider_classify_error (guint       status,
                                            const char *type,
                                            const char *code,
                                            const char *message);
/* The GError for an error object in any of the shapes the servers use:
 * {"error":{type,code,message}}, Anthropic's {"type":"error","error":…},
 * flat {message,type,code}, OpenRouter's numeric code. The message is
 * only the detail ("type: message"); the base class adds provider,
 * status, request id and advice. */
GError     *pw_provider_error_from_object (guint       status,
                                           JsonObject *root);

/* Removes the key and anything shaped like one from @text (in place
 * semantics: returns a new string). */
char       *pw_provider_redact (PwProvider *self,
                                const char *text);

/* At most 200 bytes of @data as one line of valid UTF-8 */
char       *pw_provider_snippet (const char *data,
                                 gsize       len);
/* The default http_error: every error-body shape, or the first bytes */
GError     *pw_provider_real_http_error (PwProvider         *self,
                                         guint               status,
                                         SoupMessageHeaders *headers,
                                         GBytes             *body);
/* The message the caller sees: "<what> (HTTP <status>, request id <id>):
 * <detail>. [Gave up after N attempts.] <what to do>", redacted. */
GError     *pw_provider_compose_error (PwProvider      *self,
                                       PwProviderError  code,
                                       guint            status,
                                       const char      *request_id,
                                       const char      *detail,
                                       guint            attempts);

/* Retry policy (pw-provider-retry.c). x-should-retry: 1, 0, or -1 absent */
int          pw_retry_header_override     (SoupMessageHeaders  *headers);
gboolean     pw_retry_status_is_retryable (guint                status);
gboolean     pw_retry_code_is_transient   (PwProviderError      code);
/* retry-after-ms, else retry-after (seconds or HTTP date), in ms; -1 none */
gint64       pw_retry_parse_hint          (SoupMessageHeaders  *headers);
gint64       pw_retry_backoff_ms          (const PwRetryPolicy *policy,
                                           guint                retries_done);
const char  *pw_retry_reason              (PwProviderError      code);

PwStopReason pw_stop_reason_from_anthropic (const char *reason);
PwStopReason pw_stop_reason_from_chat      (const char *reason);

G_END_DECLS
