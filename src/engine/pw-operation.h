/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A long operation the window and the CLI observe: state, streamed text, retries, cancel. */
#pragma once

#include <gio/gio.h>

#include "pw-provider.h"

G_BEGIN_DECLS

typedef enum {
  PW_OPERATION_IDLE,
  PW_OPERATION_RUNNING,
  PW_OPERATION_SUCCEEDED,
  PW_OPERATION_FAILED,
  PW_OPERATION_CANCELLED,
} PwOperationState;

#define PW_TYPE_OPERATION (pw_operation_get_type ())
G_DECLARE_DERIVABLE_TYPE (PwOperation, pw_operation, PW, OPERATION, GObject)

struct _PwOperationClass
{
  GObjectClass parent_class;

  /* Starts the work; the subclass ends @task with pw_operation_return_* */
  void (*start) (PwOperation *self,
                 GTask       *task);

  gpointer padding[4];
};

/* Runs the operation once. Signals, on the caller's main context:
 *   "delta" (PwDeltaKind kind, const char *text) — streamed model text
 *   "retry" (gpointer PwRetryInfo*) — a call is retried
 *   "step"  (const char *step) — e.g. "synthesis", "generation", "repair"
 * and notify::state / notify::text. */
void             pw_operation_run_async    (PwOperation        *self,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
gboolean         pw_operation_run_finish   (PwOperation        *self,
                                            GAsyncResult       *result,
                                            GError            **error);
void             pw_operation_cancel       (PwOperation        *self);
PwOperationState pw_operation_get_state    (PwOperation        *self);
/* The text streamed by the current step so far ("" before any) */
const char      *pw_operation_get_text     (PwOperation        *self);
const char      *pw_operation_get_step     (PwOperation        *self);
const char      *pw_operation_get_session_id (PwOperation      *self);

/* For subclasses */
void             pw_operation_set_step     (PwOperation        *self,
                                            const char         *step);
/* Streams @request through @provider with @max_tokens: deltas and
 * retries are forwarded as signals, the text accumulates (reset at the
 * start). A reply cut off by the token limit is asked again with twice
 * the limit, up to @max_tokens_ceiling; past it the call fails — a cut-off
 * reply is never handed back as if complete. Failed calls are recorded
 * as usage metadata when @store is set (pw_operation_set_usage_target). */
void             pw_operation_stream       (PwOperation        *self,
                                            PwProvider         *provider,
                                            PwLlmRequest       *request,
                                            gint64              max_tokens,
                                            gint64              max_tokens_ceiling,
                                            GCancellable       *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer            user_data);
PwLlmCompletion *pw_operation_stream_finish (PwOperation       *self,
                                            GAsyncResult       *result,
                                            GError            **error);
/* Where pw_operation_stream records failed calls (purpose e.g. "discussion") */
void             pw_operation_set_usage_target (PwOperation    *self,
                                                PwStore        *store,
                                                const char     *purpose);
void             pw_operation_return_success (PwOperation      *self,
                                              GTask            *task);
void             pw_operation_return_error (PwOperation        *self,
                                            GTask              *task,
                                            GError             *error);

G_END_DECLS
