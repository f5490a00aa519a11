/* SPDX-License-Identifier: GPL-3.0-or-later */
/* API keys: the environment first, else one libsecret item per provider kind. */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

#include "pw-keys.h"

/* Items carry xdg:schema = this name and provider = pw_provider_kind_to_string
 * (kind): "anthropic", "openai-responses" or "openai-chat". The two OpenAI
 * kinds are separate items although they share OPENAI_API_KEY: the Chat kind
 * mostly points at OpenAI-compatible servers (OpenRouter, vLLM, …) whose
 * key is not the OpenAI one. By hand:
 *   secret-tool lookup xdg:schema io.github.planwright.Planwright.ApiKey provider anthropic */
static const SecretSchema *
key_schema (void)
{
  static const SecretSchema schema = {
    "io.github.planwright.Planwright.ApiKey", SECRET_SCHEMA_NONE,
    {
      { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    /* reserved */
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

G_DEFINE_QUARK (pw-keys-error-quark, pw_keys_error)

static const char *
provider_label (PwProviderKind kind)
{
  switch (kind)
    {
    case PW_PROVIDER_ANTHROPIC:
      return _("Anthropic");
    case PW_PROVIDER_OPENAI_RESPONSES:
      return _("OpenAI");
    case PW_PROVIDER_OPENAI_CHAT:
      return _("the OpenAI-compatible server");
    case PW_N_PROVIDERS:
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
pw_keys_env_var (PwProviderKind kind)
{
  g_return_val_if_fail (kind < PW_N_PROVIDERS, NULL);

  return kind == PW_PROVIDER_ANTHROPIC ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY";
}

/* A key never contains white space: a pasted newline is not part of it. */
static char *
clean_key (const char *raw)
{
  g_autofree char *key = NULL;

  if (raw == NULL)
    return NULL;
  key = g_strstrip (g_strdup (raw));
  if (*key == '\0')
    return NULL;
  return g_steal_pointer (&key);
}

/* libsecret hands out non-pageable memory that it wipes on free. */
static char *
take_secret (char *secret)
{
  char *key = clean_key (secret);

  secret_password_free (secret);
  return key;
}

typedef enum {
  KEY_OP_READ,
  KEY_OP_STORE,
  KEY_OP_DELETE,
} KeyOp;

/* Any failure other than cancellation means the keyring cannot be used:
 * no session bus, no secret service, a locked collection whose prompt
 * was dismissed. The system's message is kept for diagnosis; it never
 * contains the secret. */
static void
set_unavailable (GError         **error,
                 PwProviderKind   kind,
                 KeyOp            op,
                 const GError    *cause)
{
  const char *provider = provider_label (kind);
  const char *var = pw_keys_env_var (kind);

  switch (op)
    {
    case KEY_OP_READ:
      g_set_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_UNAVAILABLE,
                   /* Translators: the 2nd %s is the system's reason, the 3rd a variable such as ANTHROPIC_API_KEY */
                   _("Could not read the API key for %s from the desktop keyring (%s). Set %s, or start a secret service such as GNOME Keyring and try again."),
                   provider, cause->message, var);
      break;
    case KEY_OP_STORE:
      g_set_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_UNAVAILABLE,
                   _("Could not store the API key for %s in the desktop keyring (%s). Start a secret service such as GNOME Keyring, or set %s instead."),
                   provider, cause->message, var);
      break;
    case KEY_OP_DELETE:
    default:
      g_set_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_UNAVAILABLE,
                   _("Could not delete the API key for %s from the desktop keyring (%s). Start a secret service such as GNOME Keyring and try again."),
                   provider, cause->message);
      break;
    }
}

static void
set_not_found (GError        **error,
               PwProviderKind  kind)
{
  g_set_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_NOT_FOUND,
               _("No API key for %s: set %s, or store the key in Preferences."),
               provider_label (kind), pw_keys_env_var (kind));
}

static char *
key_from_env (PwProviderKind kind)
{
  return clean_key (g_getenv (pw_keys_env_var (kind)));
}

/* The result of a keyring lookup, turned into the API's errors. */
static char *
finish_lookup (PwProviderKind   kind,
               char            *secret,
               GError          *local_error,
               GError         **error)
{
  char *key;

  if (local_error != NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, local_error);
      else
        {
          set_unavailable (error, kind, KEY_OP_READ, local_error);
          g_error_free (local_error);
        }
      return NULL;
    }
  key = secret != NULL ? take_secret (secret) : NULL;
  if (key == NULL)
    set_not_found (error, kind);
  return key;
}

char *
pw_keys_lookup (PwProviderKind   kind,
                GCancellable    *cancellable,
                GError         **error)
{
  GError *local_error = NULL;
  char *secret;
  char *key;

  g_return_val_if_fail (kind < PW_N_PROVIDERS, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((key = key_from_env (kind)) != NULL)
    return key;

  secret = secret_password_lookup_nonpageable_sync (key_schema (), cancellable, &local_error,
                                                    "provider", pw_provider_kind_to_string (kind),
                                                    NULL);
  return finish_lookup (kind, secret, local_error, error);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PwProviderKind kind = GPOINTER_TO_UINT (g_task_get_task_data (task));
  GError *local_error = NULL;
  GError *error = NULL;
  char *secret;
  char *key;

  secret = secret_password_lookup_nonpageable_finish (result, &local_error);
  key = finish_lookup (kind, secret, local_error, &error);
  if (key == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, key, g_free);
}

void
pw_keys_lookup_async (PwProviderKind       kind,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char *key;

  g_return_if_fail (kind < PW_N_PROVIDERS);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pw_keys_lookup_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (kind), NULL);

  if ((key = key_from_env (kind)) != NULL)
    {
      g_task_return_pointer (task, key, g_free);
      return;
    }

  secret_password_lookup (key_schema (), cancellable, lookup_cb, g_steal_pointer (&task),
                          "provider", pw_provider_kind_to_string (kind),
                          NULL);
}

char *
pw_keys_lookup_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pw_keys_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
pw_keys_store (PwProviderKind   kind,
               const char      *key,
               GCancellable    *cancellable,
               GError         **error)
{
  g_autofree char *clean = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (kind < PW_N_PROVIDERS, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((clean = clean_key (key)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("The API key for %s is empty."), provider_label (kind));
      return FALSE;
    }

  /* Shown by Seahorse and other keyring managers. */
  label = g_strdup_printf (_("Planwright API key for %s"), provider_label (kind));
  /* Storing with the same attributes replaces the item: one per kind. */
  if (!secret_password_store_sync (key_schema (), SECRET_COLLECTION_DEFAULT, label, clean,
                                   cancellable, &local_error,
                                   "provider", pw_provider_kind_to_string (kind),
                                   NULL))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        set_unavailable (error, kind, KEY_OP_STORE, local_error);
      memset (clean, 0, strlen (clean));
      return FALSE;
    }
  memset (clean, 0, strlen (clean));
  return TRUE;
}

/* Deleting a key that is not there is not an error: the preferences page
 * wants "no key stored" either way. */
gboolean
pw_keys_delete (PwProviderKind   kind,
                GCancellable    *cancellable,
                GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (kind < PW_N_PROVIDERS, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  secret_password_clear_sync (key_schema (), cancellable, &local_error,
                              "provider", pw_provider_kind_to_string (kind),
                              NULL);
  if (local_error == NULL)
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    set_unavailable (error, kind, KEY_OP_DELETE, local_error);
  return FALSE;
}
