/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One streaming call to a model: request, deltas on the main loop, completion; retries and timeouts. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "pw-models.h"
#include "pw-settings.h"
#include "pw-store.h"

G_BEGIN_DECLS

#define PW_PROVIDER_ERROR (pw_provider_error_quark ())

/* Cancellation is G_IO_ERROR_CANCELLED, never one of these. */
typedef enum {
  PW_PROVIDER_ERROR_FAILED,
  PW_PROVIDER_ERROR_AUTH,             /* 401/403: key missing, wrong or without access */
  PW_PROVIDER_ERROR_QUOTA,            /* 402, insufficient_quota, spend caps: retrying cannot help */
  PW_PROVIDER_ERROR_RATE_LIMITED,     /* 429 after retries */
  PW_PROVIDER_ERROR_OVERLOADED,       /* 529 / 503 / overloaded_error after retries */
  PW_PROVIDER_ERROR_SERVER,           /* other 5xx after retries */
  PW_PROVIDER_ERROR_BAD_REQUEST,      /* 400/404/413/422: the request or model id */
  PW_PROVIDER_ERROR_CONTEXT_TOO_LONG, /* the prompt does not fit the model */
  PW_PROVIDER_ERROR_NETWORK,          /* connect, DNS, reset */
  PW_PROVIDER_ERROR_TIMEOUT,          /* no connection, answer or next byte in time, before any text was delivered */
  PW_PROVIDER_ERROR_STALLED,          /* the stream went silent after text was delivered */
  PW_PROVIDER_ERROR_TRUNCATED,        /* the stream ended before its terminal event */
  PW_PROVIDER_ERROR_PROTOCOL,         /* not SSE, bad JSON, an error event of no known kind */
} PwProviderError;
/* An error event inside a stream (Anthropic "error", Responses "error" and
 * response.failed, a chat chunk with "error") gets the code its type
 * would have as an HTTP error: overloaded_error → OVERLOADED,
 * server_error → SERVER, … Messages name the provider, the HTTP status,
 * the request id and what the user can do, and never contain the key. */

GQuark pw_provider_error_quark (void);

typedef enum {
  PW_STOP_UNKNOWN,
  PW_STOP_END,          /* end_turn, stop, completed */
  PW_STOP_MAX_TOKENS,   /* max_tokens, length, incomplete:max_output_tokens */
  PW_STOP_STOP_SEQUENCE,
  PW_STOP_TOOL_USE,
  PW_STOP_REFUSAL,      /* refusal, content_filter */
  PW_STOP_CONTEXT_EXCEEDED,
} PwStopReason;

typedef enum {
  PW_DELTA_TEXT,
  PW_DELTA_THINKING,
} PwDeltaKind;

/* What to send. Build with the functions below; free with pw_llm_request_free. */
typedef struct _PwLlmRequest PwLlmRequest;

PwLlmRequest *pw_llm_request_new             (const char   *model);
void          pw_llm_request_free            (PwLlmRequest *request);
void          pw_llm_request_set_system      (PwLlmRequest *request,
                                              const char   *system);
/* @role "user" or "assistant"; a @cacheable turn is marked for prompt
 * caching (Anthropic cache_control; ignored elsewhere). A trailing
 * assistant turn is a prefill: only sent where the model accepts it. */
void          pw_llm_request_add_message     (PwLlmRequest *request,
                                              const char   *role,
                                              const char   *text,
                                              gboolean      cacheable);
void          pw_llm_request_set_max_tokens  (PwLlmRequest *request,
                                              gint64        max_tokens);
/* NULL: the model's default effort (from the models table) */
void          pw_llm_request_set_effort      (PwLlmRequest *request,
                                              const char   *effort);
/* Structured output: @schema_json is a JSON Schema object */
void          pw_llm_request_set_json_schema (PwLlmRequest *request,
                                              const char   *name,
                                              const char   *schema_json);
const char   *pw_llm_request_get_model       (PwLlmRequest *request);
/* What sending @request would cost before it is sent: its text at about
 * four bytes per input token, plus @expected_output tokens, at @model's
 * prices. FALSE when the model has no prices (the cost is unknown). */
gboolean      pw_llm_request_estimate_cost   (PwLlmRequest      *request,
                                              const PwModelInfo *model,
                                              gint64             expected_output,
                                              double            *out_usd);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwLlmRequest, pw_llm_request_free)

typedef struct {
  char         *text;          /* the assembled answer (text blocks / output_text / content) */
  char         *thinking;      /* assembled thinking or reasoning text; "" when none */
  PwStopReason  stop_reason;
  char         *stop_reason_raw; /* as the provider said it */
  PwTokenUsage  usage;
  gboolean      cost_known;
  double        cost_usd;
  char         *model;         /* as the provider reported it */
  char         *request_id;    /* request-id / x-request-id / x-generation-id; nullable */
  gint64        latency_ms;    /* request sent → terminal event, last attempt */
  guint         attempts;      /* 1 + retries */
  char         *raw_json;      /* the final response as one JSON document, for the "raw response" view */
} PwLlmCompletion;

void pw_llm_completion_free (PwLlmCompletion *completion);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwLlmCompletion, pw_llm_completion_free)

typedef struct {
  guint        attempt;        /* the attempt about to be made, 2 = first retry */
  guint        max_attempts;
  gint64       delay_ms;
  guint        status;         /* HTTP status of the failed attempt (200 for a stall or an
                                * error event inside a stream), 0 when no response came */
  const char  *reason;         /* translated, e.g. "Rate limited" */
} PwRetryInfo;

/* On the main loop, never after the call's cancellable was cancelled. */
typedef void (*PwDeltaFunc) (PwDeltaKind  kind,
                             const char  *text,
                             gsize        len,
                             gpointer     user_data);
typedef void (*PwRetryFunc) (const PwRetryInfo *info,
                             gpointer           user_data);

/* Each limit ≤ 0 turns that timer off. */
typedef struct {
  gint64 connect_ms;       /* default 10 000 */
  gint64 first_byte_ms;    /* until the first body byte; default 600 000 */
  gint64 idle_ms;          /* between body bytes; default 120 000 (Anthropic), 600 000 (OpenAI) */
} PwTimeouts;

typedef struct {
  guint  max_retries;      /* default 2 */
  gint64 base_delay_ms;    /* default 500: delay = min(base × 2^n, max) × (1 − U[0, 0.25)) */
  gint64 max_delay_ms;     /* default 8 000 */
  gint64 max_hint_ms;      /* server retry-after beyond this fails fast; default 60 000 */
} PwRetryPolicy;

#define PW_TYPE_PROVIDER (pw_provider_get_type ())
G_DECLARE_DERIVABLE_TYPE (PwProvider, pw_provider, PW, PROVIDER, GObject)

/* Subclasses (pw-provider-anthropic.c, -responses.c, -chat.c) fill these;
 * the base class owns HTTP, timers, retries and cancellation. */
typedef struct _PwStreamState PwStreamState;

struct _PwProviderClass
{
  GObjectClass parent_class;

  /* The path after the base URL, e.g. "/v1/messages" */
  const char   *(*path)          (PwProvider         *self);
  /* Request body (JSON) for @request, using @model's table entry;
   * NULL with a BAD_REQUEST error when the request cannot be sent */
  char         *(*build_body)    (PwProvider         *self,
                                  PwLlmRequest       *request,
                                  const PwModelInfo  *model,
                                  GError            **error);
  /* Auth and API-version headers */
  void          (*add_headers)   (PwProvider         *self,
                                  SoupMessageHeaders *headers);
  PwStreamState *(*stream_new)   (PwProvider         *self);
  void          (*stream_free)   (PwStreamState      *state);
  /* One SSE event: emit deltas through @emit; FALSE with error on an
   * error event or bad JSON (the error's message is the detail only: the
   * base class adds provider, status, request id and advice). Sets *done
   * when nothing more needs reading. */
  gboolean      (*stream_event)  (PwProvider         *self,
                                  PwStreamState      *state,
                                  const char         *event_type,
                                  const char         *data,
                                  gsize               len,
                                  PwDeltaFunc         emit,
                                  gpointer            emit_data,
                                  gboolean           *done,
                                  GError            **error);
  /* The completion (text, thinking, stop, usage, model, raw json) once
   * the body ended, was cut or went silent; NULL with an error saying
   * what is missing when the stream never reached its terminal event. */
  PwLlmCompletion *(*stream_complete) (PwProvider    *self,
                                       PwStreamState *state,
                                       GError       **error);
  /* An error from a non-2xx response: its code, and the server's own
   * words as the message (the base class adds the rest). The default
   * reads every error-body shape of PROTOCOLS.md. */
  GError       *(*http_error)    (PwProvider         *self,
                                  guint               status,
                                  SoupMessageHeaders *headers,
                                  GBytes             *body);

  gpointer padding[8];
};

/* @base_url without "/v1"; @api_key may be NULL for servers that need none. */
PwProvider   *pw_provider_new             (PwProviderKind     kind,
                                           const char        *base_url,
                                           const char        *api_key,
                                           PwModels          *models);
/* From the settings of @role: provider kind and base URL, the key from
 * pw_keys_lookup (synchronous; the window should look the key up with
 * pw_keys_lookup_async and call pw_provider_new). No key → an AUTH error
 * naming the variable and Preferences; openai-chat may run without one. */
PwProvider   *pw_provider_new_from_settings (PwSettings      *settings,
                                           PwRole             role,
                                           PwModels          *models,
                                           GError           **error);
PwProviderKind pw_provider_get_kind       (PwProvider        *self);
const char   *pw_provider_get_base_url    (PwProvider        *self);
const char   *pw_provider_get_name        (PwProvider        *self);  /* "Anthropic", "OpenAI", … */
void          pw_provider_set_timeouts    (PwProvider        *self,
                                           const PwTimeouts  *timeouts);
void          pw_provider_set_retry_policy (PwProvider       *self,
                                           const PwRetryPolicy *policy);

/* Streams one call. @delta_func and @retry_func run on the thread-default
 * main context of the caller. After @cancellable is cancelled neither
 * fires again, and @callback gets G_IO_ERROR_CANCELLED. */
void             pw_provider_stream_async  (PwProvider      *self,
                                            PwLlmRequest    *request,
                                            PwDeltaFunc      delta_func,
                                            PwRetryFunc      retry_func,
                                            gpointer         func_data,
                                            GCancellable    *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer         user_data);
PwLlmCompletion *pw_provider_stream_finish (PwProvider      *self,
                                            GAsyncResult    *result,
                                            GError         **error);

/* One usage row for a finished call (tokens, cost, latency, attempts,
 * request id); @session_id may be NULL. Returns the row id, 0 on error. */
gint64 pw_llm_completion_record   (PwLlmCompletion *completion,
                                   PwStore         *store,
                                   const char      *session_id,
                                   const char      *purpose,
                                   PwProvider      *provider,
                                   GError         **error);
/* One usage row for a failed call, metadata only (model, attempts,
 * latency, request id, the error text): @result is the call's result,
 * @call_error what pw_provider_stream_finish gave. */
gint64 pw_provider_record_failure (PwProvider      *self,
                                   GAsyncResult    *result,
                                   const GError    *call_error,
                                   PwStore         *store,
                                   const char      *session_id,
                                   const char      *purpose,
                                   GError         **error);
/* Attempts made by the call of @result so far (1 + retries) */
guint  pw_provider_stream_get_attempts (GAsyncResult *result);

G_END_DECLS
