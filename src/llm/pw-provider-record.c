/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A provider from the settings and the key store; a call's usage row in the store. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pw-keys.h"
#include "pw-provider-private.h"

static const char *
provider_display_name (PwProviderKind kind)
{
  return kind == PW_PROVIDER_ANTHROPIC ? "Anthropic" : "OpenAI";
}

PwProvider *
pw_provider_new_from_settings (PwSettings  *settings,
                               PwRole       role,
                               PwModels    *models,
                               GError     **error)
{
  g_autoptr(GError) key_error = NULL;
  PwProviderKind kind;
  PwProvider *provider;
  char *key;

  g_return_val_if_fail (PW_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (role < PW_N_ROLES, NULL);
  g_return_val_if_fail (PW_IS_MODELS (models), NULL);

  kind = pw_settings_get_provider (settings, role);
  key = pw_keys_lookup (kind, NULL, &key_error);
  if (key == NULL && kind != PW_PROVIDER_OPENAI_CHAT)
    {
      if (g_error_matches (key_error, PW_KEYS_ERROR, PW_KEYS_ERROR_NOT_FOUND) || key_error == NULL)
        g_set_error (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_AUTH,
                     _("No API key for %s (%s role): set the %s environment variable or add the key in Preferences."),
                     provider_display_name (kind), pw_role_to_string (role), pw_keys_env_var (kind));
      else
        /* pw-keys' message already names the variable */
        g_set_error (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_AUTH,
                     _("No API key for %s (%s role). %s Keys added in Preferences are kept in that keyring."),
                     provider_display_name (kind), pw_role_to_string (role), key_error->message);
      return NULL;
    }
  if (key == NULL)
    g_debug ("No key for the chat server of the %s role; sending none", pw_role_to_string (role));

  provider = pw_provider_new (kind, pw_settings_get_base_url (settings, role), key, models);
  if (key != NULL)
    memset (key, 0, strlen (key));
  g_free (key);
  return provider;
}

gint64
pw_llm_completion_record (PwLlmCompletion  *completion,
                          PwStore          *store,
                          const char       *session_id,
                          const char       *purpose,
                          PwProvider       *provider,
                          GError          **error)
{
  PwUsage usage = { 0 };

  g_return_val_if_fail (completion != NULL, 0);
  g_return_val_if_fail (PW_IS_STORE (store), 0);
  g_return_val_if_fail (purpose != NULL, 0);
  g_return_val_if_fail (PW_IS_PROVIDER (provider), 0);

  usage.session_id = session_id;
  usage.purpose = purpose;
  usage.provider = pw_provider_kind_to_string (pw_provider_get_kind (provider));
  usage.model = completion->model;
  /* As the provider counted them: Anthropic's input excludes cache
   * reads and writes, OpenAI's includes its cached tokens. */
  usage.input_tokens = completion->usage.input_tokens;
  usage.output_tokens = completion->usage.output_tokens;
  usage.cached_tokens = completion->usage.cache_read_tokens;
  usage.cache_write_tokens = completion->usage.cache_write_tokens + completion->usage.cache_write_1h_tokens;
  usage.reasoning_tokens = completion->usage.reasoning_tokens;
  usage.cost_known = completion->cost_known;
  usage.cost_usd = completion->cost_usd;
  usage.latency_ms = completion->latency_ms;
  usage.request_id = completion->request_id;
  usage.attempts = (gint) MAX (completion->attempts, 1);
  return pw_store_add_usage (store, &usage, error);
}

gint64
pw_provider_record_failure (PwProvider    *self,
                            GAsyncResult  *result,
                            const GError  *call_error,
                            PwStore       *store,
                            const char    *session_id,
                            const char    *purpose,
                            GError       **error)
{
  PwUsage usage = { 0 };
  g_autofree char *text = NULL;
  const char *model = NULL;
  const char *request_id = NULL;
  guint attempts = 0;
  gint64 latency_ms = -1;

  g_return_val_if_fail (PW_IS_PROVIDER (self), 0);
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (PW_IS_STORE (store), 0);
  g_return_val_if_fail (purpose != NULL, 0);

  pw_provider_call_info (result, &model, &attempts, &latency_ms, &request_id);
  if (call_error == NULL)
    text = g_strdup (_("Failed without an error"));
  else if (g_error_matches (call_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    text = g_strdup (_("Cancelled"));
  else
    text = pw_provider_redact (self, call_error->message);

  usage.session_id = session_id;
  usage.purpose = purpose;
  usage.provider = pw_provider_kind_to_string (pw_provider_get_kind (self));
  usage.model = model;
  usage.cost_known = FALSE;
  usage.latency_ms = latency_ms;
  usage.request_id = request_id;
  usage.attempts = (gint) MAX (attempts, 1);
  usage.error = text;
  return pw_store_add_usage (store, &usage, error);
}
