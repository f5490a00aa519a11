/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One streaming call: attempts over libsoup, our own timers, retries, cancellation; the formats are the subclasses'. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pw-provider-private.h"
#include "pw-sse-parser.h"

#define READ_CHUNK     16384
#define MAX_ERROR_BODY (64 * 1024)  /* of a non-2xx body: enough for any error object */
#define HEAD_BYTES     4096         /* kept of a stream, to quote when it goes wrong */

typedef enum {
  PHASE_CONNECT,     /* until the connection is up */
  PHASE_FIRST_BYTE,  /* until the first body byte */
  PHASE_BODY,        /* between body bytes */
} Phase;

typedef enum {
  BODY_SSE,
  BODY_ERROR,        /* non-2xx: collected for http_error */
  BODY_NOT_SSE,      /* 2xx but not an event stream: collected to quote */
} BodyKind;

/* One pw_provider_stream_async call: the task's data. Attempts run one
 * after the other; every pending operation holds a reference on the
 * task, so the call outlives them. */
typedef struct
{
  GTask              *task;         /* borrowed: owns this */
  PwProvider         *self;         /* borrowed: the task's source object */
  GMainContext       *context;
  GCancellable       *cancellable;  /* the caller's, nullable */
  char               *model_id;
  const PwModelInfo  *model;        /* owned by the provider's models */
  GBytes             *body;
  char               *url;
  PwDeltaFunc         delta_func;
  PwRetryFunc         retry_func;
  gpointer            func_data;
  PwTimeouts          timeouts;
  PwRetryPolicy       policy;
  guint               attempt;      /* 1-based */
  gboolean            delivered;    /* a delta reached the caller: never retry again */
  char               *request_id;
  gint64              attempt_started_us;
  gint64              latency_ms;

  /* The current attempt */
  SoupMessage        *msg;
  GCancellable       *attempt_cancellable;
  gulong              chain_id;
  GInputStream       *stream;
  guint               status;
  BodyKind            body_kind;
  GByteArray         *collected;
  PwSseParser        *parser;
  PwStreamState      *state;
  GError             *event_error;
  gboolean            done;
  Phase               phase;
  gint64              deadline_us;
  GSource            *timer;
  gint64              timer_deadline_us;
  gboolean            timed_out;
  Phase               timed_out_phase;

  GSource            *backoff;
  GSource            *backoff_cancel;
} Call;

static void call_start_attempt  (Call   *call);
static void call_schedule_retry (Call   *call,
                                 gint64  delay_ms);

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static gboolean
call_user_cancelled (Call *call)
{
  return call->cancellable != NULL && g_cancellable_is_cancelled (call->cancellable);
}

static void
call_clear_attempt (Call *call)
{
  PwProviderClass *klass = PW_PROVIDER_GET_CLASS (call->self);

  clear_source (&call->timer);
  if (call->chain_id != 0)
    {
      g_cancellable_disconnect (call->cancellable, call->chain_id);
      call->chain_id = 0;
    }
  if (call->msg != NULL)
    {
      g_signal_handlers_disconnect_by_data (call->msg, call);
      g_clear_object (&call->msg);
    }
  if (call->stream != NULL)
    {
      /* Nothing is pending on it here; closing early drops the connection. */
      if (!g_input_stream_is_closed (call->stream))
        g_input_stream_close_async (call->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&call->stream);
    }
  g_clear_pointer (&call->parser, pw_sse_parser_free);
  if (call->state != NULL)
    {
      klass->stream_free (call->state);
      call->state = NULL;
    }
  g_clear_error (&call->event_error);
  g_clear_pointer (&call->collected, g_byte_array_unref);
  g_clear_object (&call->attempt_cancellable);
  call->status = 0;
  call->done = FALSE;
  call->timed_out = FALSE;
}

static void
call_free (Call *call)
{
  call_clear_attempt (call);
  clear_source (&call->backoff);
  clear_source (&call->backoff_cancel);
  g_clear_object (&call->cancellable);
  g_clear_pointer (&call->context, g_main_context_unref);
  g_free (call->model_id);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call->url);
  g_free (call->request_id);
  g_free (call);
}

static void
call_return_error (Call   *call,
                   GError *error)
{
  call_clear_attempt (call);
  clear_source (&call->backoff);
  clear_source (&call->backoff_cancel);
  g_task_return_error (call->task, error);
}

static void
call_return_cancelled (Call *call)
{
  call_return_error (call, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                _("The call was cancelled")));
}

/* Timers: one source, re-armed lazily; a deadline that moves later costs
 * nothing until the old one fires. */

static void call_arm_timer (Call *call);

static gboolean
on_timer (gpointer data)
{
  Call *call = data;

  g_clear_pointer (&call->timer, g_source_unref);
  if (g_get_monotonic_time () < call->deadline_us)
    {
      call_arm_timer (call);
      return G_SOURCE_REMOVE;
    }
  call->timed_out = TRUE;
  call->timed_out_phase = call->phase;
  g_cancellable_cancel (call->attempt_cancellable);
  return G_SOURCE_REMOVE;
}

static void
call_arm_timer (Call *call)
{
  gint64 now;

  if (call->deadline_us == G_MAXINT64)
    {
      clear_source (&call->timer);
      return;
    }
  if (call->timer != NULL && call->timer_deadline_us <= call->deadline_us)
    return;
  clear_source (&call->timer);
  now = g_get_monotonic_time ();
  call->timer = g_timeout_source_new ((guint) CLAMP ((call->deadline_us - now + 999) / 1000, 0, G_MAXUINT));
  call->timer_deadline_us = call->deadline_us;
  g_source_set_static_name (call->timer, "[planwright] provider timeout");
  g_source_set_callback (call->timer, on_timer, call, NULL);
  g_source_attach (call->timer, call->context);
}

static void
call_set_phase (Call  *call,
                Phase  phase)
{
  gint64 limit_ms = phase == PHASE_CONNECT ? call->timeouts.connect_ms
                    : phase == PHASE_FIRST_BYTE ? call->timeouts.first_byte_ms
                    : call->timeouts.idle_ms;

  call->phase = phase;
  call->deadline_us = limit_ms > 0 ? g_get_monotonic_time () + limit_ms * 1000 : G_MAXINT64;
  call_arm_timer (call);
}

static char *
format_seconds (gint64 ms)
{
  /* Translators: a duration in seconds */
  return g_strdup_printf (ms % 1000 == 0 ? _("%.0f s") : _("%.1f s"), ms / 1000.0);
}

/* The end of an attempt that did not succeed: another attempt, or the error. */
static void
call_fail (Call            *call,
           PwProviderError  code,
           const char      *detail,
           gboolean         retryable,
           gint64           hint_ms)
{
  guint max_attempts = call->policy.max_retries + 1;
  gint64 delay_ms;

  if (call_user_cancelled (call))
    {
      call_return_cancelled (call);
      return;
    }
  call->latency_ms = (g_get_monotonic_time () - call->attempt_started_us) / 1000;
  {
    /* the server's words may quote the key back */
    g_autofree char *redacted = pw_provider_redact (call->self, detail);

    g_debug ("%s: attempt %u failed: %s", pw_provider_get_name (call->self), call->attempt, redacted);
  }

  if (!retryable || call->delivered || call->attempt >= max_attempts)
    {
      call_return_error (call, pw_provider_compose_error (call->self, code, call->status, call->request_id,
                                                          detail, call->attempt));
      return;
    }

  if (hint_ms > call->policy.max_hint_ms)
    {
      g_autofree char *wait = format_seconds (hint_ms);
      g_autofree char *limit = format_seconds (call->policy.max_hint_ms);
      gsize len = strlen (detail);
      g_autofree char *longer = g_strdup_printf (_("%.*s; the server asked to wait %s before retrying, longer than the limit of %s"),
                                                 (int) (len > 0 && detail[len - 1] == '.' ? len - 1 : len), detail,
                                                 wait, limit);

      call_return_error (call, pw_provider_compose_error (call->self, code, call->status, call->request_id,
                                                          longer, call->attempt));
      return;
    }
  delay_ms = hint_ms > 0 ? hint_ms : pw_retry_backoff_ms (&call->policy, call->attempt - 1);

  if (call->retry_func != NULL)
    {
      PwRetryInfo info = {
        .attempt = call->attempt + 1,
        .max_attempts = max_attempts,
        .delay_ms = delay_ms,
        .status = call->status,
        .reason = pw_retry_reason (code),
      };

      call->retry_func (&info, call->func_data);
      if (call_user_cancelled (call))
        {
          call_return_cancelled (call);
          return;
        }
    }

  call_clear_attempt (call);
  g_debug ("%s: retrying in %" G_GINT64_FORMAT " ms", pw_provider_get_name (call->self), delay_ms);
  call_schedule_retry (call, delay_ms);
}

static gboolean
on_backoff_done (gpointer data)
{
  Call *call = g_task_get_task_data (G_TASK (data));

  g_clear_pointer (&call->backoff, g_source_unref);
  clear_source (&call->backoff_cancel);
  call_start_attempt (call);
  return G_SOURCE_REMOVE;
}

static gboolean
on_backoff_cancelled (GCancellable *cancellable,
                      gpointer      data)
{
  Call *call = g_task_get_task_data (G_TASK (data));

  g_clear_pointer (&call->backoff_cancel, g_source_unref);
  call_return_cancelled (call);
  return G_SOURCE_REMOVE;
}

static void
call_schedule_retry (Call   *call,
                     gint64  delay_ms)
{
  /* Each source holds the task until it fires or is destroyed. */
  call->backoff = g_timeout_source_new ((guint) CLAMP (delay_ms, 0, G_MAXUINT));
  g_source_set_static_name (call->backoff, "[planwright] provider backoff");
  g_source_set_callback (call->backoff, on_backoff_done, g_object_ref (call->task), g_object_unref);
  g_source_attach (call->backoff, call->context);

  if (call->cancellable != NULL)
    {
      call->backoff_cancel = g_cancellable_source_new (call->cancellable);
      g_source_set_static_name (call->backoff_cancel, "[planwright] provider backoff cancel");
      g_source_set_callback (call->backoff_cancel, G_SOURCE_FUNC (on_backoff_cancelled),
                             g_object_ref (call->task), g_object_unref);
      g_source_attach (call->backoff_cancel, call->context);
    }
}

static void
call_succeed (Call            *call,
              PwLlmCompletion *completion)
{
  const PwModelInfo *priced = call->model;

  completion->latency_ms = (g_get_monotonic_time () - call->attempt_started_us) / 1000;
  completion->attempts = call->attempt;
  g_free (completion->request_id);
  completion->request_id = g_strdup (call->request_id);
  if (completion->model == NULL)
    completion->model = g_strdup (call->model_id);
  if (completion->text == NULL)
    completion->text = g_strdup ("");
  if (completion->thinking == NULL)
    completion->thinking = g_strdup ("");

  /* Priced by the id we asked for; a dated alias the server reports
   * back only helps when ours is not in the table. */
  if (!priced->known && g_strcmp0 (completion->model, call->model_id) != 0)
    priced = pw_models_lookup (pw_provider_get_models (call->self), completion->model);
  /* OpenRouter's own figure wins inside pw_models_cost */
  completion->cost_known = pw_models_cost (priced, &completion->usage, &completion->cost_usd);

  if (completion->raw_json != NULL)
    {
      char *redacted = pw_provider_redact (call->self, completion->raw_json);

      g_free (completion->raw_json);
      completion->raw_json = redacted;
    }

  g_debug ("%s: done in %" G_GINT64_FORMAT " ms, %u attempt(s), request id %s",
           pw_provider_get_name (call->self), completion->latency_ms, completion->attempts,
           call->request_id != NULL ? call->request_id : "(none)");
  call_clear_attempt (call);
  g_task_return_pointer (call->task, completion, (GDestroyNotify) pw_llm_completion_free);
}

/* A line "error: …" that old llama.cpp servers send instead of data: a
 * spec parser drops it, so look for it in what was kept of the body. */
static GError *
sniff_error_field (Call *call)
{
  g_autofree char *head = NULL;
  const char *line = NULL;
  const char *end;
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (call->collected == NULL || call->collected->len == 0)
    return NULL;
  head = g_strndup ((const char *) call->collected->data, call->collected->len);
  if (g_str_has_prefix (head, "error:"))
    line = head;
  else if ((line = strstr (head, "\nerror:")) != NULL)
    line++;
  if (line == NULL)
    return NULL;
  line += strlen ("error:");
  end = line + strcspn (line, "\r\n");
  parser = json_parser_new ();
  if (json_parser_load_from_data (parser, line, end - line, NULL)
      && (root = json_parser_get_root (parser)) != NULL
      && JSON_NODE_HOLDS_OBJECT (root))
    return pw_provider_error_from_object (0, json_node_get_object (root));
  return g_error_new (PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL, "%.*s",
                      (int) MIN (end - line, 200), line);
}

/* The body ended, was cut or went silent: complete if the stream got far
 * enough, else fail with @code. */
static void
call_end_stream (Call            *call,
                 PwProviderError  code,
                 const char      *why)
{
  PwProviderClass *klass = PW_PROVIDER_GET_CLASS (call->self);
  g_autoptr(GError) incomplete = NULL;
  g_autoptr(GError) sniffed = NULL;
  g_autofree char *detail = NULL;
  PwLlmCompletion *completion;

  if (call_user_cancelled (call))
    {
      call_return_cancelled (call);
      return;
    }
  if (call->event_error != NULL)
    {
      g_autoptr(GError) error = g_steal_pointer (&call->event_error);

      call_fail (call, error->code, error->message, pw_retry_code_is_transient (error->code), -1);
      return;
    }

  completion = klass->stream_complete (call->self, call->state, &incomplete);
  if (completion != NULL)
    {
      call_succeed (call, completion);
      return;
    }

  if (code == PW_PROVIDER_ERROR_TRUNCATED && (sniffed = sniff_error_field (call)) != NULL)
    {
      detail = g_strdup_printf (_("the server sent a non-standard “error:” line: %s"), sniffed->message);
      call_fail (call, sniffed->code == PW_PROVIDER_ERROR_PROTOCOL ? PW_PROVIDER_ERROR_PROTOCOL : sniffed->code,
                 detail, pw_retry_code_is_transient (sniffed->code), -1);
      return;
    }
  detail = g_strdup_printf ("%s (%s)", why, incomplete != NULL ? incomplete->message : _("incomplete"));
  call_fail (call, code, detail, TRUE, -1);
}

static void
call_timed_out (Call *call)
{
  gint64 limit_ms = call->timed_out_phase == PHASE_CONNECT ? call->timeouts.connect_ms
                    : call->timed_out_phase == PHASE_FIRST_BYTE ? call->timeouts.first_byte_ms
                    : call->timeouts.idle_ms;
  g_autofree char *limit = format_seconds (limit_ms);
  g_autofree char *detail = NULL;

  switch (call->timed_out_phase)
    {
    case PHASE_CONNECT:
      detail = g_strdup_printf (_("no connection within %s"), limit);
      call_fail (call, PW_PROVIDER_ERROR_TIMEOUT, detail, TRUE, -1);
      break;
    case PHASE_FIRST_BYTE:
      detail = g_strdup_printf (_("no answer within %s"), limit);
      call_fail (call, PW_PROVIDER_ERROR_TIMEOUT, detail, TRUE, -1);
      break;
    case PHASE_BODY:
    default:
      detail = g_strdup_printf (_("nothing arrived for %s"), limit);
      if (call->body_kind == BODY_SSE && call->state != NULL)
        call_end_stream (call, call->delivered ? PW_PROVIDER_ERROR_STALLED : PW_PROVIDER_ERROR_TIMEOUT, detail);
      else
        call_fail (call, PW_PROVIDER_ERROR_TIMEOUT, detail, TRUE, -1);
      break;
    }
}

static void
call_http_failed (Call *call)
{
  PwProviderClass *klass = PW_PROVIDER_GET_CLASS (call->self);
  SoupMessageHeaders *headers = soup_message_get_response_headers (call->msg);
  g_autoptr(GBytes) body = g_byte_array_free_to_bytes (g_steal_pointer (&call->collected));
  g_autoptr(GError) error = klass->http_error (call->self, call->status, headers, body);
  int override = pw_retry_header_override (headers);
  gint64 hint_ms = pw_retry_parse_hint (headers);
  gboolean retryable;

  /* Out of credit stays out of credit, whatever the headers say. */
  if (error->code == PW_PROVIDER_ERROR_QUOTA)
    retryable = FALSE;
  else if (override >= 0)
    retryable = override;
  else
    retryable = pw_retry_status_is_retryable (call->status);

  /* An Anthropic 429 without retry-after may be a spend cap: one longer
   * wait, not the full series (PROTOCOLS.md §4). */
  if (retryable && pw_provider_get_kind (call->self) == PW_PROVIDER_ANTHROPIC && call->status == 429 && hint_ms < 0)
    {
      if (call->attempt >= 2)
        retryable = FALSE;
      hint_ms = call->policy.max_delay_ms;
    }
  call_fail (call, error->code, error->message, retryable, hint_ms);
}

static void
call_not_sse (Call *call)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (call->msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autofree char *snippet = NULL;
  g_autofree char *detail = NULL;

  snippet = pw_provider_snippet ((const char *) call->collected->data, call->collected->len);
  detail = g_strdup_printf (_("expected an event stream but got %s beginning “%s”"),
                            content_type != NULL ? content_type : _("no content type"), snippet);
  call_fail (call, PW_PROVIDER_ERROR_PROTOCOL, detail, FALSE, -1);
}

static void
call_eof (Call *call)
{
  switch (call->body_kind)
    {
    case BODY_ERROR:
      call_http_failed (call);
      break;
    case BODY_NOT_SSE:
      call_not_sse (call);
      break;
    case BODY_SSE:
    default:
      /* may still dispatch a last event (a stream ending in a lone CR) */
      pw_sse_parser_finish (call->parser);
      call_end_stream (call, PW_PROVIDER_ERROR_TRUNCATED, _("the stream ended without its final event"));
      break;
    }
}

static void
emit_delta (PwDeltaKind  kind,
            const char  *text,
            gsize        len,
            gpointer     data)
{
  Call *call = data;

  if (len == 0 || call_user_cancelled (call))
    return;
  call->delivered = TRUE;
  if (call->delta_func != NULL)
    call->delta_func (kind, text, len, call->func_data);
}

static gboolean
on_sse_event (const PwSseEvent *event,
              gpointer          data)
{
  Call *call = data;
  PwProviderClass *klass = PW_PROVIDER_GET_CLASS (call->self);

  if (call_user_cancelled (call) || call->event_error != NULL || call->done)
    return FALSE;
  if (!klass->stream_event (call->self, call->state, event->type, event->data, event->data_len,
                            emit_delta, call, &call->done, &call->event_error))
    {
      if (call->event_error == NULL)
        call->event_error = g_error_new_literal (PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL,
                                                 _("an event could not be read"));
      return FALSE;
    }
  return !call->done && !call_user_cancelled (call);
}

static void read_next (Call *call);

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const guint8 *data;
  gsize len;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (call->timed_out && !call_user_cancelled (call))
            call_timed_out (call);
          else
            call_return_error (call, g_steal_pointer (&error));
          return;
        }
      if (call->body_kind == BODY_SSE)
        call_end_stream (call,
                         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT)
                         ? PW_PROVIDER_ERROR_TRUNCATED : PW_PROVIDER_ERROR_NETWORK,
                         error->message);
      else if (call->body_kind == BODY_ERROR)
        call_http_failed (call);
      else
        call_not_sse (call);
      return;
    }

  data = g_bytes_get_data (bytes, &len);
  if (len == 0)
    {
      call_eof (call);
      return;
    }
  if (call->phase != PHASE_BODY)
    call_set_phase (call, PHASE_BODY);
  else
    {
      call->deadline_us = call->timeouts.idle_ms > 0
                          ? g_get_monotonic_time () + call->timeouts.idle_ms * 1000 : G_MAXINT64;
      call_arm_timer (call);
    }

  if (call->body_kind != BODY_SSE)
    {
      gsize cap = call->body_kind == BODY_ERROR ? MAX_ERROR_BODY : HEAD_BYTES;

      g_byte_array_append (call->collected, data, MIN (len, cap - call->collected->len));
      if (call->collected->len >= cap)
        call_eof (call);
      else
        read_next (call);
      return;
    }

  if (call->collected->len < HEAD_BYTES)
    g_byte_array_append (call->collected, data, MIN (len, HEAD_BYTES - call->collected->len));
  if (!pw_sse_parser_feed (call->parser, data, len, &error) && error != NULL && call->event_error == NULL)
    call->event_error = g_error_new (PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL,
                                     _("the stream could not be parsed: %s"), error->message);

  if (call_user_cancelled (call))
    call_return_cancelled (call);
  else if (call->event_error != NULL || call->done)
    call_end_stream (call, PW_PROVIDER_ERROR_TRUNCATED, _("the stream ended without its final event"));
  else
    read_next (call);
}

static void
read_next (Call *call)
{
  g_input_stream_read_bytes_async (call->stream, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   call->attempt_cancellable, on_read, g_object_ref (call->task));
}

static const char *
find_request_id (SoupMessageHeaders *headers)
{
  static const char *names[] = { "request-id", "x-request-id", "x-generation-id" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const char *value = soup_message_headers_get_one (headers, names[i]);

      if (value != NULL && *value != '\0')
        return value;
    }
  return NULL;
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Call *call = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  PwProviderClass *klass;
  SoupMessageHeaders *headers;
  const char *content_type;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (stream == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          if (call->timed_out && !call_user_cancelled (call))
            call_timed_out (call);
          else
            call_return_error (call, g_steal_pointer (&error));
          return;
        }
      /* A bad certificate does not get better by asking again. */
      call_fail (call, PW_PROVIDER_ERROR_NETWORK, error->message, error->domain != G_TLS_ERROR, -1);
      return;
    }

  klass = PW_PROVIDER_GET_CLASS (call->self);
  call->stream = g_steal_pointer (&stream);
  call->status = soup_message_get_status (call->msg);
  headers = soup_message_get_response_headers (call->msg);
  g_free (call->request_id);
  call->request_id = g_strdup (find_request_id (headers));
  g_debug ("%s: HTTP %u, request id %s", pw_provider_get_name (call->self), call->status,
           call->request_id != NULL ? call->request_id : "(none)");

  content_type = soup_message_headers_get_content_type (headers, NULL);
  call->collected = g_byte_array_new ();
  if (call->status < 200 || call->status >= 300)
    call->body_kind = BODY_ERROR;
  else if (content_type != NULL && g_ascii_strcasecmp (content_type, "text/event-stream") != 0)
    call->body_kind = BODY_NOT_SSE;
  else
    {
      call->body_kind = BODY_SSE;
      call->parser = pw_sse_parser_new (PW_SSE_DEFAULT_MAX_EVENT_BYTES, on_sse_event, call);
      call->state = klass->stream_new (call->self);
    }
  if (call->phase == PHASE_CONNECT)
    call_set_phase (call, PHASE_FIRST_BYTE);
  read_next (call);
}

static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            data)
{
  Call *call = data;

  if (event == G_SOCKET_CLIENT_COMPLETE && call->phase == PHASE_CONNECT)
    call_set_phase (call, PHASE_FIRST_BYTE);
}

/* A reused keep-alive connection emits no network events: writing the
 * request proves the connection as well. */
static void
on_wrote_headers (SoupMessage *msg,
                  gpointer     data)
{
  Call *call = data;

  if (call->phase == PHASE_CONNECT)
    call_set_phase (call, PHASE_FIRST_BYTE);
}

static void
chain_cancel (GCancellable *cancellable,
              gpointer      data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
call_start_attempt (Call *call)
{
  PwProviderClass *klass = PW_PROVIDER_GET_CLASS (call->self);

  call->attempt++;
  /* an attempt that gets no answer has no request id of its own */
  g_clear_pointer (&call->request_id, g_free);
  call->msg = soup_message_new ("POST", call->url);
  klass->add_headers (call->self, soup_message_get_request_headers (call->msg));
  soup_message_set_request_body_from_bytes (call->msg, "application/json", call->body);
  g_signal_connect (call->msg, "network-event", G_CALLBACK (on_network_event), call);
  g_signal_connect (call->msg, "wrote-headers", G_CALLBACK (on_wrote_headers), call);

  call->attempt_cancellable = g_cancellable_new ();
  if (call->cancellable != NULL)
    call->chain_id = g_cancellable_connect (call->cancellable, G_CALLBACK (chain_cancel),
                                            call->attempt_cancellable, NULL);
  call->attempt_started_us = g_get_monotonic_time ();
  call_set_phase (call, PHASE_CONNECT);

  g_debug ("%s: POST %s, attempt %u of %u", pw_provider_get_name (call->self), klass->path (call->self),
           call->attempt, call->policy.max_retries + 1);
  soup_session_send_async (pw_provider_get_session (call->self), call->msg, G_PRIORITY_DEFAULT, call->attempt_cancellable,
                           on_sent, g_object_ref (call->task));
}

void
pw_provider_stream_async (PwProvider          *self,
                          PwLlmRequest        *request,
                          PwDeltaFunc          delta_func,
                          PwRetryFunc          retry_func,
                          gpointer             func_data,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  PwProviderClass *klass;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUri) uri = NULL;
  char *body;
  Call *call;

  g_return_if_fail (PW_IS_PROVIDER (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  klass = PW_PROVIDER_GET_CLASS (self);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_provider_stream_async);

  call = g_new0 (Call, 1);
  call->task = task;
  call->self = self;
  call->context = g_main_context_ref_thread_default ();
  call->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  call->model_id = g_strdup (request->model);
  call->model = pw_models_lookup (pw_provider_get_models (self), request->model);
  call->delta_func = delta_func;
  call->retry_func = retry_func;
  call->func_data = func_data;
  pw_provider_get_timeouts (self, &call->timeouts);
  pw_provider_get_retry_policy (self, &call->policy);
  call->url = g_strconcat (pw_provider_get_base_url (self), klass->path (self), NULL);
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);

  if (g_task_return_error_if_cancelled (task))
    return;

  uri = g_uri_parse (call->url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0
                      && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_task_return_error (task, pw_provider_compose_error (self, PW_PROVIDER_ERROR_NETWORK, 0, NULL,
                                                           _("the base URL is not an http or https URL"), 0));
      return;
    }

  if ((body = klass->build_body (self, request, call->model, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  call->body = g_bytes_new_take (body, strlen (body));
  call_start_attempt (call);
}

PwLlmCompletion *
pw_provider_stream_finish (PwProvider    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (PW_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pw_provider_stream_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

guint
pw_provider_stream_get_attempts (GAsyncResult *result)
{
  Call *call;

  g_return_val_if_fail (G_IS_TASK (result), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pw_provider_stream_async, 0);

  call = g_task_get_task_data (G_TASK (result));
  return call != NULL ? call->attempt : 0;
}

/* For pw-provider-record.c: what a failed call's row needs. */
void
pw_provider_call_info (GAsyncResult  *result,
                       const char   **out_model,
                       guint         *out_attempts,
                       gint64        *out_latency_ms,
                       const char   **out_request_id)
{
  Call *call = g_task_get_task_data (G_TASK (result));

  *out_model = call->model_id;
  *out_attempts = call->attempt;
  *out_latency_ms = call->attempt > 0 ? call->latency_ms : -1;
  *out_request_id = call->request_id;
}

