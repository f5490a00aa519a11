/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One discussion turn: the user's message committed first, the planner's reply streamed, then committed whole. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pw-planning.h"
#include "pw-planning-private.h"
#include "pw-session-text.h"

#define DISCUSSION_MAX_TOKENS 8192

struct _PwDiscussOp
{
  PwOperation   parent_instance;

  PwEngine     *engine;
  char         *message;
  gint64        message_id;
  gint64        reply_id;
  PwLlmRequest *request;
  PwProvider   *provider;
};

G_DEFINE_FINAL_TYPE (PwDiscussOp, pw_discuss_op, PW_TYPE_OPERATION)

static void
pw_discuss_op_dispose (GObject *object)
{
  PwDiscussOp *self = PW_DISCUSS_OP (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->provider);
  g_clear_pointer (&self->request, pw_llm_request_free);

  G_OBJECT_CLASS (pw_discuss_op_parent_class)->dispose (object);
}

static void
pw_discuss_op_finalize (GObject *object)
{
  g_free (PW_DISCUSS_OP (object)->message);

  G_OBJECT_CLASS (pw_discuss_op_parent_class)->finalize (object);
}

/* The message, unless the conversation already ends with this very
 * message unanswered (a retry after a failure): then that one. */
static gint64
commit_user_message (PwDiscussOp    *self,
                     PwSessionInfo  *info,
                     GError        **error)
{
  PwStore *store = pw_engine_get_store (self->engine);
  g_autoptr(GPtrArray) messages = NULL;
  PwPhase next = pw_lifecycle_next_phase (info->phase, PW_COMMAND_DISCUSS);
  gint64 id = 0;

  if (!pw_store_begin (store, error))
    return 0;
  if (!(messages = pw_store_list_messages (store, info->id, error)))
    goto fail;
  if (messages->len > 0)
    {
      PwMessage *last = g_ptr_array_index (messages, messages->len - 1);

      if (g_strcmp0 (last->role, "user") == 0 && g_strcmp0 (last->content, self->message) == 0)
        id = last->id;
    }
  if (id == 0 && !(id = pw_store_add_message (store, info->id, "user", self->message, NULL, error)))
    goto fail;
  if (next != info->phase && !pw_store_set_phase (store, info->id, next, info->status, error))
    goto fail;
  if (!pw_store_commit (store, error))
    return 0;
  return id;

fail:
  pw_store_rollback (store);
  return 0;
}

static PwLlmRequest *
build_request (PwDiscussOp  *self,
               const char   *session_id,
               GError      **error)
{
  PwStore *store = pw_engine_get_store (self->engine);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *context = NULL;
  g_autofree char *model = pw_engine_get_model (self->engine, session_id, PW_ROLE_PLANNER);
  PwLlmRequest *request;

  if (!(entries = pw_store_list_context (store, session_id, error))
      || !(messages = pw_store_list_messages (store, session_id, error)))
    return NULL;

  request = pw_llm_request_new (model);
  pw_llm_request_set_system (request, pw_prompt_text (PW_PROMPT_PLANNER_DISCUSSION));
  /* The context comes first and unchanged between turns, so it is the
   * prefix the provider can cache. */
  if ((context = pw_session_text_context (entries)) != NULL)
    pw_llm_request_add_message (request, "user", context, TRUE);
  for (guint i = 0; i < messages->len; i++)
    {
      PwMessage *m = g_ptr_array_index (messages, i);
      pw_llm_request_add_message (request, m->role, m->content, FALSE);
    }
  return request;
}

static void
stream_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  PwDiscussOp *self = PW_DISCUSS_OP (source);
  PwOperation *op = PW_OPERATION (self);
  PwStore *store = pw_engine_get_store (self->engine);
  const char *session_id = pw_operation_get_session_id (op);
  g_autoptr(PwLlmCompletion) completion = NULL;
  g_autoptr(GError) error = NULL;

  if (!(completion = pw_operation_stream_finish (op, result, &error)))
    {
      pw_operation_return_error (op, task, g_steal_pointer (&error));
      return;
    }
  if (pw_planning_text_is_empty (completion->text))
    {
      pw_llm_completion_record (completion, store, session_id, "discussion", self->provider, NULL);
      pw_operation_return_error (op, task,
                                 g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_EMPTY_REPLY,
                                              _("the planner answered with an empty reply; nothing was stored (send the message again)")));
      return;
    }

  /* The reply and what it cost, together or not at all. */
  if (!pw_store_begin (store, &error)
      || !(self->reply_id = pw_store_add_message (store, session_id, "assistant", completion->text,
                                                  completion->model, &error))
      || !pw_llm_completion_record (completion, store, session_id, "discussion", self->provider, &error))
    {
      if (pw_store_in_transaction (store))
        pw_store_rollback (store);
      self->reply_id = 0;
      pw_operation_return_error (op, task, g_steal_pointer (&error));
      return;
    }
  if (!pw_store_commit (store, &error))
    {
      self->reply_id = 0;
      pw_operation_return_error (op, task, g_steal_pointer (&error));
      return;
    }
  pw_operation_return_success (op, task);
}

static void
pw_discuss_op_start (PwOperation *op,
                     GTask       *task)
{
  PwDiscussOp *self = PW_DISCUSS_OP (op);
  const char *session_id = pw_operation_get_session_id (op);
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  gint64 max_tokens, ceiling;
  PwProvider *provider;

  if (!(info = pw_planning_check (self->engine, session_id, PW_COMMAND_DISCUSS, &error))
      || !(provider = pw_engine_get_provider (self->engine, PW_ROLE_PLANNER, &error))
      || !(self->message_id = commit_user_message (self, info, &error))
      || !(self->request = build_request (self, session_id, &error)))
    {
      pw_operation_return_error (op, task, g_steal_pointer (&error));
      return;
    }

  g_set_object (&self->provider, provider);
  pw_operation_set_usage_target (op, pw_engine_get_store (self->engine), "discussion");
  pw_operation_set_step (op, "discussion");
  max_tokens = pw_planning_max_tokens (self->engine, pw_llm_request_get_model (self->request),
                                       DISCUSSION_MAX_TOKENS, &ceiling);
  pw_operation_stream (op, provider, self->request, max_tokens, ceiling,
                       g_task_get_cancellable (task), stream_cb, task);
}

static void
pw_discuss_op_class_init (PwDiscussOpClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pw_discuss_op_dispose;
  G_OBJECT_CLASS (klass)->finalize = pw_discuss_op_finalize;
  PW_OPERATION_CLASS (klass)->start = pw_discuss_op_start;
}

static void
pw_discuss_op_init (PwDiscussOp *self)
{
}

PwDiscussOp *
pw_discuss_op_new (PwEngine   *engine,
                   const char *session_id,
                   const char *message)
{
  PwDiscussOp *self;

  g_return_val_if_fail (PW_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (session_id != NULL && message != NULL, NULL);

  self = g_object_new (PW_TYPE_DISCUSS_OP, "session-id", session_id, NULL);
  self->engine = g_object_ref (engine);
  self->message = g_strdup (message);
  return self;
}

gint64
pw_discuss_op_get_message_id (PwDiscussOp *self)
{
  g_return_val_if_fail (PW_IS_DISCUSS_OP (self), 0);
  return self->message_id;
}

gint64
pw_discuss_op_get_reply_id (PwDiscussOp *self)
{
  g_return_val_if_fail (PW_IS_DISCUSS_OP (self), 0);
  return self->reply_id;
}
