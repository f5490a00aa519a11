/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PwEngine: the store, settings, models table and one provider per role. */

#include "config.h"

#include <json-glib/json-glib.h>

#include "pw-engine.h"

struct _PwEngine
{
  GObject     parent_instance;

  PwStore    *store;
  PwSettings *settings;
  PwModels   *models;
  PwProvider *providers[PW_N_ROLES];
};

G_DEFINE_FINAL_TYPE (PwEngine, pw_engine, G_TYPE_OBJECT)

static void
pw_engine_dispose (GObject *object)
{
  PwEngine *self = PW_ENGINE (object);

  for (guint i = 0; i < PW_N_ROLES; i++)
    g_clear_object (&self->providers[i]);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->models);

  G_OBJECT_CLASS (pw_engine_parent_class)->dispose (object);
}

static void
pw_engine_class_init (PwEngineClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pw_engine_dispose;
}

static void
pw_engine_init (PwEngine *self)
{
}

PwEngine *
pw_engine_new (PwStore    *store,
               PwSettings *settings,
               PwModels   *models)
{
  PwEngine *self;

  g_return_val_if_fail (PW_IS_STORE (store), NULL);
  g_return_val_if_fail (PW_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (PW_IS_MODELS (models), NULL);

  self = g_object_new (PW_TYPE_ENGINE, NULL);
  self->store = g_object_ref (store);
  self->settings = g_object_ref (settings);
  self->models = g_object_ref (models);
  return self;
}

PwStore *
pw_engine_get_store (PwEngine *self)
{
  g_return_val_if_fail (PW_IS_ENGINE (self), NULL);
  return self->store;
}

PwSettings *
pw_engine_get_settings (PwEngine *self)
{
  g_return_val_if_fail (PW_IS_ENGINE (self), NULL);
  return self->settings;
}

PwModels *
pw_engine_get_models (PwEngine *self)
{
  g_return_val_if_fail (PW_IS_ENGINE (self), NULL);
  return self->models;
}

/* [network] in settings.ini: timeouts and retries, mostly so tests and
 * slow local servers can change them without a rebuild. */
static void
apply_network_settings (PwEngine   *self,
                        PwProvider *provider)
{
  PwSettings *s = self->settings;
  gboolean anthropic = pw_provider_get_kind (provider) == PW_PROVIDER_ANTHROPIC;
  PwTimeouts timeouts = {
    .connect_ms = pw_settings_get_integer (s, "network", "connect-timeout-ms", 10000),
    .first_byte_ms = pw_settings_get_integer (s, "network", "first-byte-timeout-ms", 600000),
    .idle_ms = pw_settings_get_integer (s, "network", "idle-timeout-ms", anthropic ? 120000 : 600000),
  };
  PwRetryPolicy policy = {
    .max_retries = pw_settings_get_integer (s, "network", "max-retries", 2),
    .base_delay_ms = pw_settings_get_integer (s, "network", "retry-base-delay-ms", 500),
    .max_delay_ms = pw_settings_get_integer (s, "network", "retry-max-delay-ms", 8000),
    .max_hint_ms = pw_settings_get_integer (s, "network", "retry-max-hint-ms", 60000),
  };

  pw_provider_set_timeouts (provider, &timeouts);
  pw_provider_set_retry_policy (provider, &policy);
}

PwProvider *
pw_engine_get_provider (PwEngine  *self,
                        PwRole     role,
                        GError   **error)
{
  g_return_val_if_fail (PW_IS_ENGINE (self), NULL);
  g_return_val_if_fail (role < PW_N_ROLES, NULL);

  if (self->providers[role] == NULL)
    {
      PwProvider *provider = pw_provider_new_from_settings (self->settings, role, self->models, error);

      if (provider == NULL)
        return NULL;
      apply_network_settings (self, provider);
      self->providers[role] = provider;
    }
  return self->providers[role];
}

void
pw_engine_set_provider (PwEngine   *self,
                        PwRole      role,
                        PwProvider *provider)
{
  g_return_if_fail (PW_IS_ENGINE (self));
  g_return_if_fail (role < PW_N_ROLES);
  g_set_object (&self->providers[role], provider);
}

char *
pw_engine_get_model (PwEngine   *self,
                     const char *session_id,
                     PwRole      role)
{
  g_autofree char *config = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_return_val_if_fail (PW_IS_ENGINE (self), NULL);

  if (role == PW_ROLE_PLANNER && session_id != NULL
      && (config = pw_store_get_config (self->store, session_id, NULL, NULL)) != NULL
      && json_parser_load_from_data (parser, config, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *o = json_node_get_object (json_parser_get_root (parser));
      const char *keys[] = { "model", "model_default" };

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        if (json_object_has_member (o, keys[i])
            && JSON_NODE_HOLDS_VALUE (json_object_get_member (o, keys[i])))
          {
            const char *m = json_object_get_string_member (o, keys[i]);
            if (m && *m)
              return g_strdup (m);
          }
    }
  return g_strdup (pw_settings_get_model (self->settings, role));
}
