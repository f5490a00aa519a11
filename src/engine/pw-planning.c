/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the planning operations share: lifecycle checks, the synthesis step, hand edits. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "pw-planning.h"
#include "pw-planning-private.h"
#include "pw-session-text.h"

G_DEFINE_QUARK (pw-engine-error-quark, pw_engine_error)

PwSessionInfo *
pw_planning_check (PwEngine    *engine,
                   const char  *session_id,
                   PwCommand    command,
                   GError     **error)
{
  g_autoptr(PwSessionInfo) info = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *hint = NULL;
  PwSessionCounts counts;
  PwStore *store = pw_engine_get_store (engine);

  if (!(info = pw_store_get_session (store, session_id, error))
      || !pw_store_get_counts (store, session_id, &counts, error))
    return NULL;
  if (!pw_lifecycle_check (info->phase, info->status, counts.open_blocker_count,
                           command, &reason, &hint))
    {
      g_set_error (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_ALLOWED, "%s (%s)", reason, hint);
      return NULL;
    }
  return g_steal_pointer (&info);
}

gint64
pw_planning_max_tokens (PwEngine   *engine,
                        const char *model,
                        gint64      wanted,
                        gint64     *out_ceiling)
{
  const PwModelInfo *info = pw_models_lookup (pw_engine_get_models (engine), model);
  gint64 ceiling = info->max_output_tokens > 0 ? info->max_output_tokens : 8192;

  if (out_ceiling)
    *out_ceiling = ceiling;
  return MIN (wanted, ceiling);
}

PwLlmRequest *
pw_planning_synthesis_request (PwEngine    *engine,
                               const char  *session_id,
                               GError     **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *context = NULL;
  g_autofree char *conversation = NULL;
  g_autofree char *model = pw_engine_get_model (engine, session_id, PW_ROLE_SYNTHESIS);
  g_autoptr(GString) user = g_string_new (NULL);
  PwLlmRequest *request;
  PwStore *store = pw_engine_get_store (engine);

  if (!(entries = pw_store_list_context (store, session_id, error))
      || !(messages = pw_store_list_messages (store, session_id, error)))
    return NULL;
  context = pw_session_text_context (entries);
  conversation = pw_session_text_conversation (messages);

  if (context)
    g_string_append_printf (user, "%s\n", context);
  g_string_append_printf (user, "## Discussion\n\n%s\n\n",
                          *conversation ? conversation : "(no discussion: plan from the context alone)");
  g_string_append (user, "Write the brief now.");

  request = pw_llm_request_new (model);
  pw_llm_request_set_system (request, pw_prompt_text (PW_PROMPT_SYNTHESIS));
  pw_llm_request_add_message (request, "user", user->str, FALSE);
  return request;
}

gint64
pw_planning_store_synthesis (PwEngine         *engine,
                             const char       *session_id,
                             PwLlmCompletion  *completion,
                             PwProvider       *provider,
                             gboolean          move_to_planning,
                             GError          **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%S");
  g_autofree char *name = g_strdup_printf ("synthesis-%s%06dZ", stamp, g_date_time_get_microsecond (now));
  g_autoptr(PwSessionInfo) info = NULL;
  PwStore *store = pw_engine_get_store (engine);
  gint64 id;

  if (!pw_store_begin (store, error))
    return 0;
  if (!(info = pw_store_get_session (store, session_id, error))
      || !(id = pw_store_add_context (store, session_id, "synthesis", name, completion->text,
                                      NULL, NULL, error))
      || !pw_llm_completion_record (completion, store, session_id, "synthesis", provider, error)
      || (move_to_planning
          && !pw_store_set_phase (store, session_id, PW_PHASE_PLANNING, info->status, error)))
    {
      pw_store_rollback (store);
      return 0;
    }
  if (!pw_store_commit (store, error))
    return 0;
  return id;
}

gboolean
pw_planning_text_is_empty (const char *text)
{
  for (const char *p = text; p && *p; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

PwLlmRequest *
pw_planning_repair_request (const char *model,
                            const char *plan,
                            GPtrArray  *warnings)
{
  g_autoptr(GString) user = g_string_new ("## Plan\n\n");
  PwLlmRequest *request = pw_llm_request_new (model);

  g_string_append_printf (user, "%s\n\n## Format problems\n\n", plan);
  for (guint i = 0; i < warnings->len; i++)
    g_string_append_printf (user, "- %s\n", (const char *) g_ptr_array_index (warnings, i));
  pw_llm_request_set_system (request, pw_prompt_text (PW_PROMPT_PLAN_REPAIR));
  pw_llm_request_add_message (request, "user", user->str, FALSE);
  return request;
}

gint64
pw_planning_store_user_draft (PwEngine    *engine,
                              const char  *session_id,
                              const char  *content,
                              gint        *out_draft_number,
                              GPtrArray  **out_warnings,
                              GError     **error)
{
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autofree char *warnings_json = NULL;
  PwStore *store = pw_engine_get_store (engine);
  gint64 id;

  if (!(info = pw_planning_check (engine, session_id, PW_COMMAND_DRAFT, error)))
    return 0;
  warnings = pw_plan_validate (content);
  warnings_json = pw_plan_warnings_to_json (warnings);

  id = pw_store_add_draft (store, session_id, content, "user", -1, NULL, 0, warnings_json,
                           out_draft_number, error);
  if (id != 0 && out_warnings)
    *out_warnings = g_steal_pointer (&warnings);
  return id;
}
