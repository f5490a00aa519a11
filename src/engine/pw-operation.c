/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The base of long operations: state, streamed text, signals, cancellation, token-limit retries. */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "pw-operation.h"
#include "pw-store.h"

typedef struct
{
  char             *session_id;
  PwOperationState  state;
  GString          *text;
  char             *step;
  GCancellable     *cancellable;   /* of the running run, for pw_operation_cancel */
  PwStore          *usage_store;
  char             *usage_purpose;
} PwOperationPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (PwOperation, pw_operation, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION_ID,
  PROP_STATE,
  PROP_TEXT,
  PROP_STEP,
  N_PROPS
};

enum {
  SIGNAL_DELTA,
  SIGNAL_RETRY,
  SIGNAL_STEP,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_state (PwOperation      *self,
           PwOperationState  state)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);

  if (priv->state == state)
    return;
  priv->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
pw_operation_dispose (GObject *object)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (PW_OPERATION (object));

  if (priv->cancellable)
    g_cancellable_cancel (priv->cancellable);
  g_clear_object (&priv->cancellable);
  g_clear_object (&priv->usage_store);

  G_OBJECT_CLASS (pw_operation_parent_class)->dispose (object);
}

static void
pw_operation_finalize (GObject *object)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (PW_OPERATION (object));

  g_free (priv->session_id);
  g_string_free (priv->text, TRUE);
  g_free (priv->step);
  g_free (priv->usage_purpose);

  G_OBJECT_CLASS (pw_operation_parent_class)->finalize (object);
}

static void
pw_operation_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PwOperation *self = PW_OPERATION (object);
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_SESSION_ID:
      g_value_set_string (value, priv->session_id);
      break;
    case PROP_STATE:
      g_value_set_int (value, priv->state);
      break;
    case PROP_TEXT:
      g_value_set_string (value, priv->text->str);
      break;
    case PROP_STEP:
      g_value_set_string (value, priv->step);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_operation_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (PW_OPERATION (object));

  switch (prop_id)
    {
    case PROP_SESSION_ID:
      g_free (priv->session_id);
      priv->session_id = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_operation_class_init (PwOperationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_operation_dispose;
  object_class->finalize = pw_operation_finalize;
  object_class->get_property = pw_operation_get_property;
  object_class->set_property = pw_operation_set_property;

  properties[PROP_SESSION_ID] =
    g_param_spec_string ("session-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, PW_OPERATION_IDLE, PW_OPERATION_CANCELLED, PW_OPERATION_IDLE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STEP] =
    g_param_spec_string ("step", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_DELTA] =
    g_signal_new ("delta", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  signals[SIGNAL_RETRY] =
    g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_STEP] =
    g_signal_new ("step", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pw_operation_init (PwOperation *self)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);

  priv->text = g_string_new (NULL);
}

void
pw_operation_run_async (PwOperation         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PW_IS_OPERATION (self));
  g_return_if_fail (priv->state != PW_OPERATION_RUNNING);

  g_clear_object (&priv->cancellable);
  priv->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();

  task = g_task_new (self, priv->cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_operation_run_async);
  /* A cancelled run reports CANCELLED even if a step was about to finish. */
  g_task_set_check_cancellable (task, TRUE);
  set_state (self, PW_OPERATION_RUNNING);
  PW_OPERATION_GET_CLASS (self)->start (self, g_steal_pointer (&task));
}

gboolean
pw_operation_run_finish (PwOperation   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
pw_operation_cancel (PwOperation *self)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);

  g_return_if_fail (PW_IS_OPERATION (self));
  if (priv->cancellable)
    g_cancellable_cancel (priv->cancellable);
}

PwOperationState
pw_operation_get_state (PwOperation *self)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);

  g_return_val_if_fail (PW_IS_OPERATION (self), PW_OPERATION_IDLE);
  return priv->state;
}

const char *
pw_operation_get_text (PwOperation *self)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);

  g_return_val_if_fail (PW_IS_OPERATION (self), NULL);
  return priv->text->str;
}

const char *
pw_operation_get_step (PwOperation *self)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);

  g_return_val_if_fail (PW_IS_OPERATION (self), NULL);
  return priv->step;
}

const char *
pw_operation_get_session_id (PwOperation *self)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);

  g_return_val_if_fail (PW_IS_OPERATION (self), NULL);
  return priv->session_id;
}

void
pw_operation_set_step (PwOperation *self,
                       const char  *step)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);

  g_return_if_fail (PW_IS_OPERATION (self));
  g_free (priv->step);
  priv->step = g_strdup (step);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);
  g_signal_emit (self, signals[SIGNAL_STEP], 0, step);
}

void
pw_operation_set_usage_target (PwOperation *self,
                               PwStore     *store,
                               const char  *purpose)
{
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);

  g_return_if_fail (PW_IS_OPERATION (self));
  g_set_object (&priv->usage_store, store);
  g_free (priv->usage_purpose);
  priv->usage_purpose = g_strdup (purpose);
}

void
pw_operation_return_success (PwOperation *self,
                             GTask       *task)
{
  set_state (self, PW_OPERATION_SUCCEEDED);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
pw_operation_return_error (PwOperation *self,
                           GTask       *task,
                           GError      *error)
{
  set_state (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                   ? PW_OPERATION_CANCELLED : PW_OPERATION_FAILED);
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* Streaming with the token-limit retry */

typedef struct {
  PwProvider   *provider;
  PwLlmRequest *request;     /* borrowed: the caller keeps it alive until the callback */
  gint64        max_tokens;
  gint64        ceiling;
} StreamData;

static void
stream_data_free (StreamData *data)
{
  g_clear_object (&data->provider);
  g_free (data);
}

static void
on_delta (PwDeltaKind  kind,
          const char  *text,
          gsize        len,
          gpointer     user_data)
{
  PwOperation *self = user_data;
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);
  g_autofree char *chunk = g_strndup (text, len);

  if (kind == PW_DELTA_TEXT)
    {
      g_string_append_len (priv->text, text, len);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
    }
  g_signal_emit (self, signals[SIGNAL_DELTA], 0, (int) kind, chunk);
}

static void
on_retry (const PwRetryInfo *info,
          gpointer           user_data)
{
  g_signal_emit (PW_OPERATION (user_data), signals[SIGNAL_RETRY], 0, info);
}

static void stream_attempt (GTask *task);

static void
stream_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PwOperation *self = g_task_get_source_object (task);
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);
  StreamData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwLlmCompletion) completion = NULL;

  completion = pw_provider_stream_finish (PW_PROVIDER (source), result, &error);
  if (completion == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && priv->usage_store)
        pw_provider_record_failure (PW_PROVIDER (source), result, error, priv->usage_store,
                                    priv->session_id, priv->usage_purpose, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (completion->stop_reason == PW_STOP_MAX_TOKENS)
    {
      /* The cut-off reply still cost money: record it before asking again. */
      if (priv->usage_store)
        pw_llm_completion_record (completion, priv->usage_store, priv->session_id,
                                  priv->usage_purpose, data->provider, NULL);
      if (data->max_tokens >= data->ceiling)
        {
          g_task_return_new_error (task, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_FAILED,
                                   _("%s's reply was cut off at the model's limit of %" PRId64
                                     " tokens; nothing was stored (shorten the context or choose a model with a larger output limit)"),
                                   pw_provider_get_name (data->provider), data->max_tokens);
          return;
        }
      g_debug ("reply cut off at %" G_GINT64_FORMAT " tokens; asking again with more", data->max_tokens);
      data->max_tokens = MIN (data->max_tokens * 2, data->ceiling);
      stream_attempt (g_steal_pointer (&task));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&completion), (GDestroyNotify) pw_llm_completion_free);
}

static void
stream_attempt (GTask *task)
{
  PwOperation *self = g_task_get_source_object (task);
  PwOperationPrivate *priv = pw_operation_get_instance_private (self);
  StreamData *data = g_task_get_task_data (task);

  g_string_truncate (priv->text, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  pw_llm_request_set_max_tokens (data->request, data->max_tokens);
  pw_provider_stream_async (data->provider, data->request, on_delta, on_retry, self,
                            g_task_get_cancellable (task), stream_cb, task);
}

void
pw_operation_stream (PwOperation         *self,
                     PwProvider          *provider,
                     PwLlmRequest        *request,
                     gint64               max_tokens,
                     gint64               max_tokens_ceiling,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task;
  StreamData *data;

  g_return_if_fail (PW_IS_OPERATION (self));
  g_return_if_fail (PW_IS_PROVIDER (provider));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_operation_stream);
  data = g_new0 (StreamData, 1);
  data->provider = g_object_ref (provider);
  data->request = request;
  data->max_tokens = MAX (max_tokens, 256);
  data->ceiling = MAX (max_tokens_ceiling, data->max_tokens);
  g_task_set_task_data (task, data, (GDestroyNotify) stream_data_free);
  stream_attempt (task);
}

PwLlmCompletion *
pw_operation_stream_finish (PwOperation   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
