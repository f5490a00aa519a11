/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The next plan draft: synthesis if needed, generation, validation, one repair, the draft stored. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "pw-planning.h"
#include "pw-planning-private.h"
#include "pw-session-text.h"

#define SYNTHESIS_MAX_TOKENS 8192
#define PLAN_MAX_TOKENS 16384

struct _PwGenerateOp
{
  PwOperation      parent_instance;

  PwEngine        *engine;
  char            *model;           /* the override, or NULL */
  PwProvider      *planner;
  PwProvider      *synthesizer;
  PwLlmRequest    *request;         /* the call in flight */
  char            *plan;            /* the generated plan */
  GPtrArray       *warnings;
  gboolean         repaired;
  gint64           draft_id;
  gint             draft_number;
};

G_DEFINE_FINAL_TYPE (PwGenerateOp, pw_generate_op, PW_TYPE_OPERATION)

static void generate (PwGenerateOp *self, GTask *task);

static void
pw_generate_op_dispose (GObject *object)
{
  PwGenerateOp *self = PW_GENERATE_OP (object);

  g_clear_object (&self->engine);
  g_clear_object (&self->planner);
  g_clear_object (&self->synthesizer);
  g_clear_pointer (&self->request, pw_llm_request_free);

  G_OBJECT_CLASS (pw_generate_op_parent_class)->dispose (object);
}

static void
pw_generate_op_finalize (GObject *object)
{
  PwGenerateOp *self = PW_GENERATE_OP (object);

  g_free (self->model);
  g_free (self->plan);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);

  G_OBJECT_CLASS (pw_generate_op_parent_class)->finalize (object);
}

static void
fail (PwGenerateOp *self,
      GTask        *task,
      GError       *error)
{
  pw_operation_return_error (PW_OPERATION (self), task, error);
}

static const char *
planner_model (PwGenerateOp *self)
{
  return pw_llm_request_get_model (self->request);
}

/* The config row this draft points at: the current one plus the model,
 * prompt hashes and feature description of this generation. */
static char *
config_snapshot (PwGenerateOp *self,
                 const char   *session_id,
                 const char   *feature,
                 const char   *model)
{
  PwStore *store = pw_engine_get_store (self->engine);
  g_autofree char *current = pw_store_get_config (store, session_id, NULL, NULL);
  g_autofree char *hashes = pw_prompt_hashes_json ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) hash_parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  if (current && json_parser_load_from_data (parser, current, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    root = json_node_copy (json_parser_get_root (parser));
  else
    root = json_node_init_object (json_node_alloc (), json_object_new ());
  object = json_node_get_object (root);

  json_parser_load_from_data (hash_parser, hashes, -1, NULL);
  json_object_set_string_member (object, "model", model);
  json_object_set_member (object, "prompt_hashes", json_node_copy (json_parser_get_root (hash_parser)));
  json_object_set_string_member (object, "feature_description", feature);

  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static void
store_draft (PwGenerateOp *self,
             GTask        *task)
{
  PwOperation *op = PW_OPERATION (self);
  PwStore *store = pw_engine_get_store (self->engine);
  const char *session_id = pw_operation_get_session_id (op);
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *warnings_json = pw_plan_warnings_to_json (self->warnings);
  gint64 config_id;

  if (!(messages = pw_store_list_messages (store, session_id, &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  config = config_snapshot (self, session_id, pw_session_text_feature (messages), planner_model (self));

  /* The draft, its config row and the move back from REVIEW: one transaction. */
  if (!pw_store_begin (store, &error))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  if (!(info = pw_store_get_session (store, session_id, &error))
      || !(config_id = pw_store_add_config (store, session_id, config, &error))
      || !(self->draft_id = pw_store_add_draft (store, session_id, self->plan, "planner", -1,
                                                planner_model (self), config_id, warnings_json,
                                                &self->draft_number, &error))
      || (info->phase != PW_PHASE_PLANNING
          && !pw_store_set_phase (store, session_id,
                                  pw_lifecycle_next_phase (info->phase, PW_COMMAND_GENERATE),
                                  info->status, &error)))
    {
      pw_store_rollback (store);
      self->draft_id = 0;
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  if (!pw_store_commit (store, &error))
    {
      self->draft_id = 0;
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  pw_operation_return_success (op, task);
}

static void
repair_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  PwGenerateOp *self = PW_GENERATE_OP (source);
  PwOperation *op = PW_OPERATION (self);
  g_autoptr(PwLlmCompletion) completion = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GError) error = NULL;

  if (!(completion = pw_operation_stream_finish (op, result, &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  pw_llm_completion_record (completion, pw_engine_get_store (self->engine),
                            pw_operation_get_session_id (op), "repair", self->planner, NULL);

  /* Keep the repair only if it is no worse: a bad repair must not replace a near-miss. */
  warnings = pw_plan_validate (completion->text);
  if (!pw_planning_text_is_empty (completion->text) && warnings->len <= self->warnings->len)
    {
      g_free (self->plan);
      self->plan = g_strdup (completion->text);
      g_ptr_array_unref (self->warnings);
      self->warnings = g_steal_pointer (&warnings);
      self->repaired = TRUE;
    }
  store_draft (self, task);
}

static void
repair (PwGenerateOp *self,
        GTask        *task)
{
  PwOperation *op = PW_OPERATION (self);
  g_autofree char *model = g_strdup (planner_model (self));
  gint64 max_tokens, ceiling;

  g_clear_pointer (&self->request, pw_llm_request_free);
  self->request = pw_planning_repair_request (model, self->plan, self->warnings);

  pw_operation_set_usage_target (op, pw_engine_get_store (self->engine), "repair");
  pw_operation_set_step (op, "repair");
  max_tokens = pw_planning_max_tokens (self->engine, model, PLAN_MAX_TOKENS, &ceiling);
  pw_operation_stream (op, self->planner, self->request, max_tokens, ceiling,
                       g_task_get_cancellable (task), repair_cb, task);
}

static void
generate_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  PwGenerateOp *self = PW_GENERATE_OP (source);
  PwOperation *op = PW_OPERATION (self);
  g_autoptr(PwLlmCompletion) completion = NULL;
  g_autoptr(GError) error = NULL;

  if (!(completion = pw_operation_stream_finish (op, result, &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  pw_llm_completion_record (completion, pw_engine_get_store (self->engine),
                            pw_operation_get_session_id (op), "generation", self->planner, NULL);
  if (pw_planning_text_is_empty (completion->text))
    {
      fail (self, task, g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_EMPTY_REPLY,
                                     _("the planner answered with an empty plan; nothing was stored (run 'generate' again)")));
      return;
    }

  self->plan = g_strdup (completion->text);
  self->warnings = pw_plan_validate (self->plan);
  if (self->warnings->len > 0)
    repair (self, task);
  else
    store_draft (self, task);
}

static void
generate (PwGenerateOp *self,
          GTask        *task)
{
  PwOperation *op = PW_OPERATION (self);
  PwStore *store = pw_engine_get_store (self->engine);
  const char *session_id = pw_operation_get_session_id (op);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *context = NULL;
  g_autofree char *conversation = NULL;
  g_autofree char *model = NULL;
  g_autoptr(GString) user = g_string_new (NULL);
  gint64 max_tokens, ceiling;

  if (!(entries = pw_store_list_context (store, session_id, &error))
      || !(messages = pw_store_list_messages (store, session_id, &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  context = pw_session_text_context (entries);
  conversation = pw_session_text_conversation (messages);
  model = self->model ? g_strdup (self->model) : pw_engine_get_model (self->engine, session_id, PW_ROLE_PLANNER);

  g_string_append_printf (user, "## Context Synthesis\n\n%s\n\n", pw_session_text_synthesis (entries));
  g_string_append_printf (user, "## Discussion\n\n%s\n\n",
                          *conversation ? conversation : "(no discussion)");
  g_string_append (user, "Write the implementation plan now, in the format the system prompt gives.");

  g_clear_pointer (&self->request, pw_llm_request_free);
  self->request = pw_llm_request_new (model);
  pw_llm_request_set_system (self->request, pw_prompt_text (PW_PROMPT_PLAN_GENERATION));
  if (context)
    pw_llm_request_add_message (self->request, "user", context, TRUE);
  pw_llm_request_add_message (self->request, "user", user->str, FALSE);

  pw_operation_set_usage_target (op, store, "generation");
  pw_operation_set_step (op, "generation");
  max_tokens = pw_planning_max_tokens (self->engine, model, PLAN_MAX_TOKENS, &ceiling);
  pw_operation_stream (op, self->planner, self->request, max_tokens, ceiling,
                       g_task_get_cancellable (task), generate_cb, task);
}

static void
synthesis_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  PwGenerateOp *self = PW_GENERATE_OP (source);
  PwOperation *op = PW_OPERATION (self);
  g_autoptr(PwLlmCompletion) completion = NULL;
  g_autoptr(GError) error = NULL;

  if (!(completion = pw_operation_stream_finish (op, result, &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  if (pw_planning_text_is_empty (completion->text))
    {
      fail (self, task, g_error_new (PW_ENGINE_ERROR, PW_ENGINE_ERROR_EMPTY_REPLY,
                                     _("the synthesis model answered with an empty brief; nothing was stored (run 'generate' again)")));
      return;
    }
  /* The brief is kept even if generation fails next: it is its own step. */
  if (!pw_planning_store_synthesis (self->engine, pw_operation_get_session_id (op), completion,
                                    self->synthesizer, FALSE, &error))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  generate (self, task);
}

static void
pw_generate_op_start (PwOperation *op,
                      GTask       *task)
{
  PwGenerateOp *self = PW_GENERATE_OP (op);
  const char *session_id = pw_operation_get_session_id (op);
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  PwProvider *planner;
  gint64 max_tokens, ceiling;

  if (!(info = pw_planning_check (self->engine, session_id, PW_COMMAND_GENERATE, &error))
      || !(planner = pw_engine_get_provider (self->engine, PW_ROLE_PLANNER, &error))
      || !(entries = pw_store_list_context (pw_engine_get_store (self->engine), session_id, &error)))
    {
      fail (self, task, g_steal_pointer (&error));
      return;
    }
  g_set_object (&self->planner, planner);

  if (pw_session_text_synthesis (entries) != NULL)
    {
      generate (self, task);
      return;
    }

  /* No brief yet (planning was reached without one): write it first. */
  {
    PwProvider *synthesizer = pw_engine_get_provider (self->engine, PW_ROLE_SYNTHESIS, &error);

    if (synthesizer == NULL
        || !(self->request = pw_planning_synthesis_request (self->engine, session_id, &error)))
      {
        fail (self, task, g_steal_pointer (&error));
        return;
      }
    g_set_object (&self->synthesizer, synthesizer);
  }
  pw_operation_set_usage_target (op, pw_engine_get_store (self->engine), "synthesis");
  pw_operation_set_step (op, "synthesis");
  max_tokens = pw_planning_max_tokens (self->engine, pw_llm_request_get_model (self->request),
                                       SYNTHESIS_MAX_TOKENS, &ceiling);
  pw_operation_stream (op, self->synthesizer, self->request, max_tokens, ceiling,
                       g_task_get_cancellable (task), synthesis_cb, task);
}

static void
pw_generate_op_class_init (PwGenerateOpClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pw_generate_op_dispose;
  G_OBJECT_CLASS (klass)->finalize = pw_generate_op_finalize;
  PW_OPERATION_CLASS (klass)->start = pw_generate_op_start;
}

static void
pw_generate_op_init (PwGenerateOp *self)
{
}

PwGenerateOp *
pw_generate_op_new (PwEngine   *engine,
                    const char *session_id,
                    const char *model)
{
  PwGenerateOp *self;

  g_return_val_if_fail (PW_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);

  self = g_object_new (PW_TYPE_GENERATE_OP, "session-id", session_id, NULL);
  self->engine = g_object_ref (engine);
  self->model = g_strdup (model);
  return self;
}

gint64
pw_generate_op_get_draft_id (PwGenerateOp *self)
{
  g_return_val_if_fail (PW_IS_GENERATE_OP (self), 0);
  return self->draft_id;
}

gint
pw_generate_op_get_draft_number (PwGenerateOp *self)
{
  g_return_val_if_fail (PW_IS_GENERATE_OP (self), 0);
  return self->draft_number;
}

GPtrArray *
pw_generate_op_get_warnings (PwGenerateOp *self)
{
  g_return_val_if_fail (PW_IS_GENERATE_OP (self), NULL);
  return self->warnings;
}

gboolean
pw_generate_op_get_repaired (PwGenerateOp *self)
{
  g_return_val_if_fail (PW_IS_GENERATE_OP (self), FALSE);
  return self->repaired;
}
