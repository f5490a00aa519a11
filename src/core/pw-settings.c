/* SPDX-License-Identifier: GPL-3.0-or-later */
/* settings.ini: typed access, defaults, and the environment overrides. */

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "pw-paths.h"
#include "pw-resources.h"
#include "pw-settings.h"

#define MAX_CONTEXT_CAP ((gint64) 64 * 1024 * 1024)

struct _PwSettings
{
  GObject   parent_instance;

  char     *path;
  GKeyFile *file;
  /* Values from the environment win over the file but are never saved. */
  char     *env_base_url[PW_N_PROVIDERS];
  char     *default_model[PW_N_ROLES];
  /* Normalised results handed out by the getters */
  char     *base_url[PW_N_ROLES];
  GHashTable *strings;  /* "group/key" → last value handed out */
  gint64    max_context_bytes;
};

G_DEFINE_FINAL_TYPE (PwSettings, pw_settings, G_TYPE_OBJECT)

static const char *role_names[PW_N_ROLES] = { "planner", "reviewer", "synthesis" };
static const char *provider_names[PW_N_PROVIDERS] = { "anthropic", "openai-responses", "openai-chat" };
static const char *provider_urls[PW_N_PROVIDERS] = {
  "https://api.anthropic.com", "https://api.openai.com", "https://api.openai.com",
};
static const PwProviderKind default_provider[PW_N_ROLES] = {
  PW_PROVIDER_ANTHROPIC, PW_PROVIDER_OPENAI_RESPONSES, PW_PROVIDER_ANTHROPIC,
};
static const char *default_effort[PW_N_ROLES] = { NULL, "high", NULL };

static const struct {
  const char *mode;
  const char *key;
  guint       cap;
} round_caps[] = {
  { "standard", "max-rounds-standard", 8 },
  { "complex", "max-rounds-complex", 12 },
  { "fast", "max-rounds-fast", 4 },
};

/* [review] complexity; the first is the default, never written */
static const char *complexities[] = { "auto", "standard", "complex" };

static gboolean
is_complexity (const char *value)
{
  for (guint i = 0; i < G_N_ELEMENTS (complexities); i++)
    if (g_strcmp0 (value, complexities[i]) == 0)
      return TRUE;
  return FALSE;
}

const char *
pw_role_to_string (PwRole role)
{
  g_return_val_if_fail (role < PW_N_ROLES, NULL);
  return role_names[role];
}

const char *
pw_provider_kind_to_string (PwProviderKind kind)
{
  g_return_val_if_fail (kind < PW_N_PROVIDERS, NULL);
  return provider_names[kind];
}

gboolean
pw_provider_kind_from_string (const char     *str,
                              PwProviderKind *out_kind)
{
  for (guint i = 0; str && i < PW_N_PROVIDERS; i++)
    if (strcmp (str, provider_names[i]) == 0)
      {
        *out_kind = i;
        return TRUE;
      }
  return FALSE;
}

/* "https://host/v1/" → "https://host": the providers add /v1 themselves. */
static char *
normalize_base_url (const char *url)
{
  g_autofree char *s = g_strstrip (g_strdup (url));
  gsize len = strlen (s);

  while (len > 0 && s[len - 1] == '/')
    s[--len] = '\0';
  if (len >= 3 && strcmp (s + len - 3, "/v1") == 0)
    s[len -= 3] = '\0';
  while (len > 0 && s[len - 1] == '/')
    s[--len] = '\0';
  return g_steal_pointer (&s);
}

static void
pw_settings_finalize (GObject *object)
{
  PwSettings *self = PW_SETTINGS (object);

  g_free (self->path);
  g_clear_pointer (&self->file, g_key_file_unref);
  g_clear_pointer (&self->strings, g_hash_table_unref);
  for (guint i = 0; i < PW_N_PROVIDERS; i++)
    g_free (self->env_base_url[i]);
  for (guint i = 0; i < PW_N_ROLES; i++)
    {
      g_free (self->default_model[i]);
      g_free (self->base_url[i]);
    }

  G_OBJECT_CLASS (pw_settings_parent_class)->finalize (object);
}

static void
pw_settings_class_init (PwSettingsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pw_settings_finalize;
}

static void
pw_settings_init (PwSettings *self)
{
  self->file = g_key_file_new ();
  self->strings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->max_context_bytes = 1024 * 1024;
}

static void
load_default_models (PwSettings *self)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *defaults;

  pw_core_ensure_resources ();
  bytes = g_resources_lookup_data ("/io/github/planwright/Planwright/models.json",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (bytes == NULL
      || !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_error ("the compiled-in models table is missing or broken");

  root = json_node_get_object (json_parser_get_root (parser));
  defaults = json_object_get_object_member (root, "defaults");
  for (guint i = 0; i < PW_N_ROLES; i++)
    self->default_model[i] = g_strdup (json_object_get_string_member (defaults, role_names[i]));
}

static gboolean
validate (PwSettings  *self,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  for (guint i = 0; i < PW_N_ROLES; i++)
    {
      g_autofree char *value = g_key_file_get_string (self->file, role_names[i], "provider", NULL);
      PwProviderKind kind;

      if (value != NULL && !pw_provider_kind_from_string (value, &kind))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("%s: [%s] provider '%s' is unknown (use anthropic, openai-responses or openai-chat)"),
                       self->path, role_names[i], value);
          return FALSE;
        }
    }

  if (g_key_file_has_key (self->file, "context", "max-file-bytes", NULL))
    {
      g_autofree char *raw = g_key_file_get_value (self->file, "context", "max-file-bytes", NULL);
      char *end = NULL;
      gint64 v;

      errno = 0;
      v = g_ascii_strtoll (raw ? raw : "", &end, 10);
      if (raw == NULL || *raw == '\0' || *end != '\0' || errno != 0 || v < 1 || v > MAX_CONTEXT_CAP)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("%s: [context] max-file-bytes '%s' is not a size in bytes between 1 and %" PRId64),
                       self->path, raw ? raw : "", MAX_CONTEXT_CAP);
          return FALSE;
        }
      self->max_context_bytes = v;
    }

  for (guint i = 0; i < G_N_ELEMENTS (round_caps); i++)
    {
      gint v;

      if (!g_key_file_has_key (self->file, "review", round_caps[i].key, NULL))
        continue;
      v = g_key_file_get_integer (self->file, "review", round_caps[i].key, &local_error);
      if (local_error != NULL || v < 1 || v > 100)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("%s: [review] %s must be a number of rounds between 1 and 100"),
                       self->path, round_caps[i].key);
          return FALSE;
        }
    }

  if (g_key_file_has_key (self->file, "review", "complexity", NULL))
    {
      g_autofree char *value = g_key_file_get_string (self->file, "review", "complexity", NULL);

      if (!is_complexity (value))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _("%s: [review] complexity '%s' is unknown (use auto, standard or complex)"),
                       self->path, value ? value : "");
          return FALSE;
        }
    }
  return TRUE;
}

PwSettings *
pw_settings_load (const char  *path,
                  GError     **error)
{
  g_autoptr(PwSettings) self = g_object_new (PW_TYPE_SETTINGS, NULL);
  g_autoptr(GError) local_error = NULL;
  static const struct { PwProviderKind kind; const char *var; } env[] = {
    { PW_PROVIDER_ANTHROPIC, "ANTHROPIC_BASE_URL" },
    { PW_PROVIDER_OPENAI_RESPONSES, "OPENAI_BASE_URL" },
    { PW_PROVIDER_OPENAI_CHAT, "OPENAI_BASE_URL" },
  };

  self->path = path ? g_strdup (path) : pw_paths_settings_file ();
  load_default_models (self);

  if (!g_key_file_load_from_file (self->file, self->path, G_KEY_FILE_KEEP_COMMENTS, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error (error, local_error->domain, local_error->code,
                       _("Could not read the settings file %s: %s"), self->path, local_error->message);
          return NULL;
        }
    }
  else if (!validate (self, error))
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (env); i++)
    {
      const char *value = g_getenv (env[i].var);

      if (value != NULL && *value != '\0')
        self->env_base_url[env[i].kind] = normalize_base_url (value);
    }

  return g_steal_pointer (&self);
}

const char *
pw_settings_get_path (PwSettings *self)
{
  g_return_val_if_fail (PW_IS_SETTINGS (self), NULL);
  return self->path;
}

gboolean
pw_settings_save (PwSettings  *self,
                  GError     **error)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (PW_IS_SETTINGS (self), FALSE);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  /* g_key_file_save_to_file writes a temporary file and renames it. */
  return g_key_file_save_to_file (self->file, self->path, error);
}

PwProviderKind
pw_settings_get_provider (PwSettings *self,
                          PwRole      role)
{
  g_autofree char *value = NULL;
  PwProviderKind kind;

  g_return_val_if_fail (PW_IS_SETTINGS (self), PW_PROVIDER_ANTHROPIC);
  g_return_val_if_fail (role < PW_N_ROLES, PW_PROVIDER_ANTHROPIC);

  value = g_key_file_get_string (self->file, role_names[role], "provider", NULL);
  if (value != NULL && pw_provider_kind_from_string (value, &kind))
    return kind;
  return default_provider[role];
}

static const char *
get_string (PwSettings *self,
            PwRole      role,
            const char *key,
            const char *fallback)
{
  g_autofree char *value = g_key_file_get_string (self->file, role_names[role], key, NULL);
  char *cache_key;

  if (value == NULL || *value == '\0')
    return fallback;
  /* The getters return borrowed strings that stay valid until the next get. */
  cache_key = g_strconcat (role_names[role], "/", key, NULL);
  g_hash_table_replace (self->strings, cache_key, value);
  return g_steal_pointer (&value);
}

const char *
pw_settings_get_model (PwSettings *self,
                       PwRole      role)
{
  g_return_val_if_fail (PW_IS_SETTINGS (self), NULL);
  g_return_val_if_fail (role < PW_N_ROLES, NULL);
  return get_string (self, role, "model", self->default_model[role]);
}

const char *
pw_settings_get_base_url (PwSettings *self,
                          PwRole      role)
{
  PwProviderKind kind;
  const char *file_value;

  g_return_val_if_fail (PW_IS_SETTINGS (self), NULL);
  g_return_val_if_fail (role < PW_N_ROLES, NULL);

  kind = pw_settings_get_provider (self, role);
  g_clear_pointer (&self->base_url[role], g_free);
  if (self->env_base_url[kind] != NULL)
    self->base_url[role] = g_strdup (self->env_base_url[kind]);
  else if ((file_value = get_string (self, role, "base-url", NULL)) != NULL)
    self->base_url[role] = normalize_base_url (file_value);
  else
    self->base_url[role] = g_strdup (provider_urls[kind]);
  return self->base_url[role];
}

const char *
pw_settings_get_reasoning_effort (PwSettings *self,
                                  PwRole      role)
{
  g_return_val_if_fail (PW_IS_SETTINGS (self), NULL);
  g_return_val_if_fail (role < PW_N_ROLES, NULL);
  return get_string (self, role, "reasoning-effort", default_effort[role]);
}

gsize
pw_settings_get_max_context_bytes (PwSettings *self)
{
  g_return_val_if_fail (PW_IS_SETTINGS (self), 1024 * 1024);
  return self->max_context_bytes;
}

guint
pw_settings_get_round_cap (PwSettings *self,
                           const char *mode)
{
  g_return_val_if_fail (PW_IS_SETTINGS (self), 8);

  for (guint i = 0; i < G_N_ELEMENTS (round_caps); i++)
    {
      if (g_strcmp0 (mode, round_caps[i].mode) != 0)
        continue;
      if (g_key_file_has_key (self->file, "review", round_caps[i].key, NULL))
        return g_key_file_get_integer (self->file, "review", round_caps[i].key, NULL);
      return round_caps[i].cap;
    }
  g_return_val_if_reached (8);
}

const char *
pw_settings_get_complexity (PwSettings *self)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (PW_IS_SETTINGS (self), complexities[0]);

  value = g_key_file_get_string (self->file, "review", "complexity", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (complexities); i++)
    if (g_strcmp0 (value, complexities[i]) == 0)
      return complexities[i];
  return complexities[0];
}

gint64
pw_settings_get_integer (PwSettings *self,
                         const char *group,
                         const char *key,
                         gint64      fallback)
{
  g_autoptr(GError) error = NULL;
  gint64 value;

  g_return_val_if_fail (PW_IS_SETTINGS (self), fallback);

  value = g_key_file_get_int64 (self->file, group, key, &error);
  return error ? fallback : value;
}

void
pw_settings_set_provider (PwSettings     *self,
                          PwRole          role,
                          PwProviderKind  kind)
{
  g_return_if_fail (PW_IS_SETTINGS (self));
  g_return_if_fail (role < PW_N_ROLES && kind < PW_N_PROVIDERS);
  g_key_file_set_string (self->file, role_names[role], "provider", provider_names[kind]);
}

void
pw_settings_set_model (PwSettings *self,
                       PwRole      role,
                       const char *model)
{
  g_return_if_fail (PW_IS_SETTINGS (self));
  g_return_if_fail (role < PW_N_ROLES && model != NULL);
  g_key_file_set_string (self->file, role_names[role], "model", model);
}

void
pw_settings_set_base_url (PwSettings *self,
                          PwRole      role,
                          const char *base_url)
{
  g_return_if_fail (PW_IS_SETTINGS (self));
  g_return_if_fail (role < PW_N_ROLES);
  if (base_url == NULL || *base_url == '\0')
    g_key_file_remove_key (self->file, role_names[role], "base-url", NULL);
  else
    g_key_file_set_string (self->file, role_names[role], "base-url", base_url);
}

void
pw_settings_set_reasoning_effort (PwSettings *self,
                                  PwRole      role,
                                  const char *effort)
{
  g_return_if_fail (PW_IS_SETTINGS (self));
  g_return_if_fail (role < PW_N_ROLES);
  if (effort == NULL || *effort == '\0')
    g_key_file_remove_key (self->file, role_names[role], "reasoning-effort", NULL);
  else
    g_key_file_set_string (self->file, role_names[role], "reasoning-effort", effort);
}

const char *
pw_settings_get_default_reasoning_effort (PwRole role)
{
  g_return_val_if_fail (role < PW_N_ROLES, NULL);
  return default_effort[role];
}

void
pw_settings_set_max_context_bytes (PwSettings *self,
                                   gsize       max_bytes)
{
  g_return_if_fail (PW_IS_SETTINGS (self));
  g_return_if_fail (max_bytes >= 1 && (gint64) max_bytes <= MAX_CONTEXT_CAP);
  self->max_context_bytes = max_bytes;
  g_key_file_set_int64 (self->file, "context", "max-file-bytes", max_bytes);
}

void
pw_settings_set_round_cap (PwSettings *self,
                           const char *mode,
                           guint       cap)
{
  g_return_if_fail (PW_IS_SETTINGS (self));
  g_return_if_fail (cap >= 1 && cap <= 100);

  for (guint i = 0; i < G_N_ELEMENTS (round_caps); i++)
    if (g_strcmp0 (mode, round_caps[i].mode) == 0)
      {
        g_key_file_set_integer (self->file, "review", round_caps[i].key, cap);
        return;
      }
  g_return_if_reached ();
}

void
pw_settings_set_complexity (PwSettings *self,
                            const char *complexity)
{
  g_return_if_fail (PW_IS_SETTINGS (self));
  g_return_if_fail (is_complexity (complexity));

  if (g_strcmp0 (complexity, complexities[0]) == 0)
    g_key_file_remove_key (self->file, "review", "complexity", NULL);
  else
    g_key_file_set_string (self->file, "review", "complexity", complexity);
}
