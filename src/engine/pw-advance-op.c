/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "Done": the synthesis call, its brief stored, and the move to PLANNING in one transaction. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pw-planning.h"
#include "pw-planning-private.h"

#define SYNTHESIS_MAX_TOKENS 8192

struct _PwAdvanceOp
{
  PwOperation   parent_instance;

  PwEngine     *engine;
  PwProvider   *provider;
  PwLlmRequest *request;
};

G_DEFINE_FINAL_TYPE (PwAdvanceOp, pw_advance_op, PW_TYPE_OPERATION)

static void
pw_advance_op_dispose (GObject *object)
{
  PwAdvanceOp *self = PW_ADVANCE_OP (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->provider);
  g_clear_pointer (&self->request, pw_llm_request_free);

  G_OBJECT_CLASS (pw_advance_op_parent_class)->dispose (object);
}

static void
stream_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  PwAdvanceOp *self = PW_ADVANCE_OP (source);
  PwOperation *op = PW_OPERATION (self);
  g_autoptr(PwLlmCompletion) completion = NULL;
  g_autoptr(GError) error = NULL;

  if (!(completion = pw_operation_stream_finish (op, result, &error)))
    {
      pw_operation_return_error (op, task, g_steal_pointer (&error));
      return;
    }
  if (pw_planning_text_is_empty (completion->text))
    {
      pw_llm_completion_record (completion, pw_engine_get_store (self->engine),
                                pw_operation_get_session_id (op), "synthesis", self->provider, NULL);
      pw_operation_return_error (op, task,
                                 g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_EMPTY_REPLY,
                                              _("the synthesis model answered with an empty brief; the session stays in its phase (try again)")));
      return;
    }
  if (!pw_planning_store_synthesis (self->engine, pw_operation_get_session_id (op), completion,
                                    self->provider, TRUE, &error))
    {
      pw_operation_return_error (op, task, g_steal_pointer (&error));
      return;
    }
  pw_operation_return_success (op, task);
}

static void
pw_advance_op_start (PwOperation *op,
                     GTask       *task)
{
  PwAdvanceOp *self = PW_ADVANCE_OP (op);
  const char *session_id = pw_operation_get_session_id (op);
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  PwProvider *provider;
  gint64 max_tokens, ceiling;

  if (!(info = pw_planning_check (self->engine, session_id, PW_COMMAND_DISCUSS, &error))
      || !(provider = pw_engine_get_provider (self->engine, PW_ROLE_SYNTHESIS, &error))
      || !(self->request = pw_planning_synthesis_request (self->engine, session_id, &error)))
    {
      pw_operation_return_error (op, task, g_steal_pointer (&error));
      return;
    }

  g_set_object (&self->provider, provider);
  pw_operation_set_usage_target (op, pw_engine_get_store (self->engine), "synthesis");
  pw_operation_set_step (op, "synthesis");
  max_tokens = pw_planning_max_tokens (self->engine, pw_llm_request_get_model (self->request),
                                       SYNTHESIS_MAX_TOKENS, &ceiling);
  pw_operation_stream (op, provider, self->request, max_tokens, ceiling,
                       g_task_get_cancellable (task), stream_cb, task);
}

static void
pw_advance_op_class_init (PwAdvanceOpClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pw_advance_op_dispose;
  PW_OPERATION_CLASS (klass)->start = pw_advance_op_start;
}

static void
pw_advance_op_init (PwAdvanceOp *self)
{
}

PwAdvanceOp *
pw_advance_op_new (PwEngine   *engine,
                   const char *session_id)
{
  PwAdvanceOp *self;

  g_return_val_if_fail (PW_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  self = g_object_new (PW_TYPE_ADVANCE_OP, "session-id", session_id, NULL);
  self->engine = g_object_ref (engine);
  return self;
}
