/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The models table: the shipped models.json, a user file merged over it, cost per call. */

#include "config.h"

#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "pw-models.h"
#include "pw-resources.h"

#define MODELS_RESOURCE "/io/github/planwright/Planwright/models.json"

/* For ids not in the table: small enough for any server we talk to. */
#define UNKNOWN_CONTEXT_WINDOW 128000
#define UNKNOWN_MAX_OUTPUT     8192

struct _PwModels
{
  GObject     parent_instance;

  GHashTable *models;    /* id → PwModelInfo, from the table */
  GHashTable *unknown;   /* id → PwModelInfo handed out for ids not in it */
  GMutex      unknown_lock;
  char       *defaults[PW_N_ROLES];
};

G_DEFINE_FINAL_TYPE (PwModels, pw_models, G_TYPE_OBJECT)

static const char *thinking_names[] = { "none", "adaptive", "budget", "effort" };

static void
model_info_free (PwModelInfo *info)
{
  g_free (info->id);
  g_strfreev (info->efforts);
  g_free (info->default_effort);
  g_free (info);
}

static void
clear_prices (PwModelInfo *info)
{
  info->prices_known = FALSE;
  info->price_input = info->price_output = NAN;
  info->price_cache_read = info->price_cache_write = info->price_cache_write_1h = NAN;
  info->long_threshold = 0;
  info->long_price_input = info->long_price_output = NAN;
  info->long_price_cache_read = info->long_price_cache_write = info->long_price_cache_write_1h = NAN;
}

static PwProviderKind
guess_provider (const char *id)
{
  if (g_str_has_prefix (id, "claude-"))
    return PW_PROVIDER_ANTHROPIC;
  if (g_str_has_prefix (id, "gpt-") || (id[0] == 'o' && g_ascii_isdigit (id[1])))
    return PW_PROVIDER_OPENAI_RESPONSES;
  return PW_PROVIDER_OPENAI_CHAT;
}

static PwModelInfo *
model_info_new_unknown (const char *id)
{
  PwModelInfo *info = g_new0 (PwModelInfo, 1);

  info->id = g_strdup (id);
  info->provider = guess_provider (id);
  info->known = FALSE;
  info->context_window = UNKNOWN_CONTEXT_WINDOW;
  info->max_output_tokens = UNKNOWN_MAX_OUTPUT;
  info->thinking = PW_THINKING_NONE;
  info->accepts_sampling = FALSE;
  info->accepts_prefill = FALSE;
  clear_prices (info);
  return info;
}

static PwModelInfo *
model_info_copy (const PwModelInfo *src)
{
  PwModelInfo *info = g_memdup2 (src, sizeof *src);

  info->id = g_strdup (src->id);
  info->efforts = g_strdupv (src->efforts);
  info->default_effort = g_strdup (src->default_effort);
  return info;
}

static void
pw_models_finalize (GObject *object)
{
  PwModels *self = PW_MODELS (object);

  g_clear_pointer (&self->models, g_hash_table_unref);
  g_clear_pointer (&self->unknown, g_hash_table_unref);
  g_mutex_clear (&self->unknown_lock);
  for (guint i = 0; i < PW_N_ROLES; i++)
    g_free (self->defaults[i]);

  G_OBJECT_CLASS (pw_models_parent_class)->finalize (object);
}

static void
pw_models_class_init (PwModelsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pw_models_finalize;
}

static void
pw_models_init (PwModels *self)
{
  self->models = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) model_info_free);
  self->unknown = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) model_info_free);
  g_mutex_init (&self->unknown_lock);
}

/* Row parsing. Every error names the file and the model, so that a user
 * editing their override knows where to look. */

static gboolean G_GNUC_PRINTF (4, 5)
row_error (GError     **error,
           const char  *file,
           const char  *id,
           const char  *format,
           ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (id != NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("%s: model '%s': %s"), file, id, what);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", file, what);
  return FALSE;
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

/* A price: absent or null → NAN (unknown), otherwise a number ≥ 0. */
static gboolean
read_price (JsonObject  *obj,
            const char  *name,
            const char  *alias,
            double      *out,
            const char  *file,
            const char  *id,
            GError     **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  double v;

  if (node == NULL && alias != NULL)
    {
      node = json_object_get_member (obj, alias);
      name = alias;
    }
  *out = NAN;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!node_is_number (node) || !isfinite (v = json_node_get_double (node)) || v < 0)
    return row_error (error, file, id, _("price '%s' must be a number of US dollars per million tokens, not negative"), name);
  *out = v;
  return TRUE;
}

static gboolean
read_band (PwModelInfo  *info,
           JsonObject   *band,
           const char   *file,
           GError      **error)
{
  JsonNode *node = json_object_get_member (band, "threshold_tokens");

  if (!node_is_number (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 1)
    return row_error (error, file, info->id, _("long_prompt needs 'threshold_tokens', a positive whole number"));
  info->long_threshold = json_node_get_int (node);

  return read_price (band, "input", NULL, &info->long_price_input, file, info->id, error)
         && read_price (band, "output", NULL, &info->long_price_output, file, info->id, error)
         && read_price (band, "cache_read", "cached_input", &info->long_price_cache_read, file, info->id, error)
         && read_price (band, "cache_write_5m", "cache_write", &info->long_price_cache_write, file, info->id, error)
         && read_price (band, "cache_write_1h", NULL, &info->long_price_cache_write_1h, file, info->id, error);
}

/* "prices" replaces every price of the model, band included: numbers and
 * their as_of/source travel together, a user's price never sits beside a
 * shipped date. Anthropic and OpenAI rows keep the snapshot's names. */
static gboolean
read_prices (PwModelInfo  *info,
             JsonNode     *node,
             const char   *file,
             GError      **error)
{
  JsonObject *obj;
  JsonNode *band;

  clear_prices (info);
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return row_error (error, file, info->id, _("'prices' must be an object or null"));
  obj = json_node_get_object (node);

  if (!read_price (obj, "input", NULL, &info->price_input, file, info->id, error)
      || !read_price (obj, "output", NULL, &info->price_output, file, info->id, error)
      || !read_price (obj, "cache_read", "cached_input", &info->price_cache_read, file, info->id, error)
      || !read_price (obj, "cache_write_5m", "cache_write", &info->price_cache_write, file, info->id, error)
      || !read_price (obj, "cache_write_1h", NULL, &info->price_cache_write_1h, file, info->id, error))
    return FALSE;

  band = json_object_get_member (obj, "long_prompt");
  if (band != NULL && !JSON_NODE_HOLDS_NULL (band))
    {
      if (!JSON_NODE_HOLDS_OBJECT (band))
        return row_error (error, file, info->id, _("'long_prompt' must be an object"));
      if (!read_band (info, json_node_get_object (band), file, error))
        return FALSE;
    }

  /* Input and output are billed on every call: without both nothing is known. */
  info->prices_known = !isnan (info->price_input) && !isnan (info->price_output);
  return TRUE;
}

static gboolean
read_string_or_null (JsonNode    *node,
                     char       **out,
                     const char  *name,
                     const char  *file,
                     const char  *id,
                     GError     **error)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_clear_pointer (out, g_free);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
      || *json_node_get_string (node) == '\0')
    return row_error (error, file, id, _("'%s' must be a non-empty string or null"), name);
  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_efforts (PwModelInfo  *info,
              JsonNode     *node,
              const char   *file,
              GError      **error)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *array;

  g_clear_pointer (&info->efforts, g_strfreev);
  if (JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return row_error (error, file, info->id, _("'efforts' must be a list of strings or null"));

  array = json_node_get_array (node);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING
          || *json_node_get_string (e) == '\0')
        return row_error (error, file, info->id, _("'efforts' must be a list of strings or null"));
      g_strv_builder_add (builder, json_node_get_string (e));
    }
  info->efforts = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
read_bool (JsonNode    *node,
           gboolean    *out,
           const char  *name,
           const char  *file,
           const char  *id,
           GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return row_error (error, file, id, _("'%s' must be true or false"), name);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
read_tokens (JsonNode    *node,
             gint64      *out,
             const char  *name,
             const char  *file,
             const char  *id,
             GError     **error)
{
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 1)
    return row_error (error, file, id, _("'%s' must be a positive whole number of tokens"), name);
  *out = json_node_get_int (node);
  return TRUE;
}

/* Writes the fields present in @row over @info; absent fields keep their
 * value, unknown ones (comments among them) are ignored. */
static gboolean
apply_row (PwModelInfo  *info,
           JsonObject   *row,
           const char   *file,
           GError      **error)
{
  const char *id = info->id;
  JsonNode *node;

  if ((node = json_object_get_member (row, "provider")) != NULL)
    {
      const char *s = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                      ? json_node_get_string (node) : NULL;

      if (!pw_provider_kind_from_string (s, &info->provider))
        return row_error (error, file, id, _("'provider' must be anthropic, openai-responses or openai-chat"));
    }
  if ((node = json_object_get_member (row, "context_window")) != NULL
      && !read_tokens (node, &info->context_window, "context_window", file, id, error))
    return FALSE;
  if ((node = json_object_get_member (row, "max_output_tokens")) != NULL
      && !read_tokens (node, &info->max_output_tokens, "max_output_tokens", file, id, error))
    return FALSE;
  if ((node = json_object_get_member (row, "thinking")) != NULL)
    {
      const char *s = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
                      ? json_node_get_string (node) : "";
      guint i;

      for (i = 0; i < G_N_ELEMENTS (thinking_names); i++)
        if (strcmp (s, thinking_names[i]) == 0)
          break;
      if (i == G_N_ELEMENTS (thinking_names))
        return row_error (error, file, id, _("'thinking' must be none, adaptive, budget or effort"));
      info->thinking = (PwThinkingMode) i;
    }
  if ((node = json_object_get_member (row, "efforts")) != NULL
      && !read_efforts (info, node, file, error))
    return FALSE;
  if ((node = json_object_get_member (row, "default_effort")) != NULL
      && !read_string_or_null (node, &info->default_effort, "default_effort", file, id, error))
    return FALSE;
  if ((node = json_object_get_member (row, "accepts_sampling")) != NULL
      && !read_bool (node, &info->accepts_sampling, "accepts_sampling", file, id, error))
    return FALSE;
  if ((node = json_object_get_member (row, "accepts_prefill")) != NULL
      && !read_bool (node, &info->accepts_prefill, "accepts_prefill", file, id, error))
    return FALSE;
  if ((node = json_object_get_member (row, "prices")) != NULL
      && !read_prices (info, node, file, error))
    return FALSE;

  /* Checked on the merged row: a default outside the list would be sent
   * and answered with a 400 on every call. */
  if (info->default_effort != NULL && info->efforts != NULL
      && !g_strv_contains ((const char * const *) info->efforts, info->default_effort))
    return row_error (error, file, id, _("'default_effort' %s is not one of 'efforts'"), info->default_effort);

  return TRUE;
}

static JsonNode *
parse_table (const char  *file,
             const char  *data,
             gsize        len,
             GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not valid JSON: %s"), file, local_error->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      row_error (error, file, NULL, _("the models table must be a JSON object with a 'models' list"));
      return NULL;
    }
  return json_node_copy (root);
}

/* Merges the rows of @root into the table. Shipped rows (@user FALSE)
 * may not repeat an id; a user row either patches the shipped row of
 * its id or adds a new one. */
static gboolean
merge_rows (PwModels    *self,
            JsonNode    *root,
            const char  *file,
            gboolean     user,
            GError     **error)
{
  JsonObject *obj = json_node_get_object (root);
  JsonNode *models = json_object_get_member (obj, "models");
  JsonArray *rows;

  if (models == NULL && user)
    return TRUE;  /* e.g. a file holding only comments */
  if (models == NULL || !JSON_NODE_HOLDS_ARRAY (models))
    return row_error (error, file, NULL, _("'models' must be a list of objects"));

  rows = json_node_get_array (models);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      g_autoptr(GHashTable) seen = NULL;
      PwModelInfo *existing, *info;
      JsonObject *row;
      JsonNode *id_node;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return row_error (error, file, NULL, _("entry %u of 'models' is not an object"), i + 1);
      row = json_node_get_object (node);
      id_node = json_object_get_member (row, "id");
      if (id_node == NULL || !JSON_NODE_HOLDS_VALUE (id_node)
          || json_node_get_value_type (id_node) != G_TYPE_STRING
          || *(id = json_node_get_string (id_node)) == '\0')
        return row_error (error, file, NULL, _("entry %u of 'models' has no 'id' string"), i + 1);

      existing = g_hash_table_lookup (self->models, id);
      if (existing != NULL && !user)
        return row_error (error, file, id, _("listed twice"));
      info = existing != NULL ? model_info_copy (existing) : model_info_new_unknown (id);
      info->known = TRUE;
      if (!apply_row (info, row, file, error))
        {
          model_info_free (info);
          return FALSE;
        }
      g_hash_table_replace (self->models, info->id, info);
    }
  return TRUE;
}

static gboolean
read_defaults (PwModels    *self,
               JsonNode    *root,
               const char  *file,
               GError     **error)
{
  JsonNode *node = json_object_get_member (json_node_get_object (root), "defaults");
  JsonObject *defaults;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return row_error (error, file, NULL, _("'defaults' must be an object naming a model per role"));
  defaults = json_node_get_object (node);
  for (guint i = 0; i < PW_N_ROLES; i++)
    {
      const char *role = pw_role_to_string (i);
      JsonNode *value = json_object_get_member (defaults, role);

      if (value == NULL || !JSON_NODE_HOLDS_VALUE (value)
          || json_node_get_value_type (value) != G_TYPE_STRING
          || !g_hash_table_contains (self->models, json_node_get_string (value)))
        return row_error (error, file, NULL, _("the default model of %s is missing or not in the table"), role);
      self->defaults[i] = g_strdup (json_node_get_string (value));
    }
  return TRUE;
}

PwModels *
pw_models_load (const char  *override_path,
                GError     **error)
{
  g_autoptr(PwModels) self = g_object_new (PW_TYPE_MODELS, NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonNode) shipped = NULL;
  g_autoptr(JsonNode) user = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  pw_core_ensure_resources ();
  bytes = g_resources_lookup_data (MODELS_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;
  shipped = parse_table (MODELS_RESOURCE, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error);
  if (shipped == NULL
      || !merge_rows (self, shipped, MODELS_RESOURCE, FALSE, error)
      || !read_defaults (self, shipped, MODELS_RESOURCE, error))
    return NULL;

  path = override_path != NULL
         ? g_strdup (override_path)
         : g_build_filename (g_get_user_config_dir (), "planwright", "models.json", NULL);
  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&self);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not read the models file %s: %s"), path, local_error->message);
      return NULL;
    }
  user = parse_table (path, contents, len, error);
  if (user == NULL || !merge_rows (self, user, path, TRUE, error))
    return NULL;

  return g_steal_pointer (&self);
}

const PwModelInfo *
pw_models_lookup (PwModels   *self,
                  const char *id)
{
  PwModelInfo *info;

  g_return_val_if_fail (PW_IS_MODELS (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if ((info = g_hash_table_lookup (self->models, id)) != NULL)
    return info;

  /* Kept until the table goes away so that the pointer stays valid. */
  g_mutex_lock (&self->unknown_lock);
  info = g_hash_table_lookup (self->unknown, id);
  if (info == NULL)
    {
      info = model_info_new_unknown (id);
      g_hash_table_insert (self->unknown, info->id, info);
    }
  g_mutex_unlock (&self->unknown_lock);
  return info;
}

const char *
pw_models_get_default (PwModels *self,
                       PwRole    role)
{
  g_return_val_if_fail (PW_IS_MODELS (self), NULL);
  g_return_val_if_fail (role < PW_N_ROLES, NULL);

  return self->defaults[role];
}

/* tokens × price per million; a class with tokens but no price poisons the sum. */
static void
add_class (double *sum,
           gint64  tokens,
           double  price)
{
  if (tokens > 0)
    *sum += (double) tokens * price / 1e6;
}

gboolean
pw_models_cost (const PwModelInfo  *model,
                const PwTokenUsage *usage,
                double             *out_usd)
{
  double in, out, read, write, write_1h;
  double sum = 0;
  gint64 prompt;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (usage != NULL, FALSE);
  g_return_val_if_fail (out_usd != NULL, FALSE);

  if (usage->server_cost_known && isfinite (usage->server_cost_usd) && usage->server_cost_usd >= 0)
    {
      *out_usd = usage->server_cost_usd;
      return TRUE;
    }
  if (!usage->reported || !model->prices_known)
    return FALSE;
  if (usage->input_tokens < 0 || usage->output_tokens < 0 || usage->cache_read_tokens < 0
      || usage->cache_write_tokens < 0 || usage->cache_write_1h_tokens < 0)
    return FALSE;

  if (model->provider == PW_PROVIDER_ANTHROPIC)
    prompt = usage->input_tokens + usage->cache_read_tokens
             + usage->cache_write_tokens + usage->cache_write_1h_tokens;
  else
    prompt = usage->input_tokens;

  /* Above the band's threshold the whole call moves to the band's prices. */
  if (model->long_threshold > 0 && prompt > model->long_threshold)
    {
      in = model->long_price_input;
      out = model->long_price_output;
      read = model->long_price_cache_read;
      write = model->long_price_cache_write;
      write_1h = model->long_price_cache_write_1h;
    }
  else
    {
      in = model->price_input;
      out = model->price_output;
      read = model->price_cache_read;
      write = model->price_cache_write;
      write_1h = model->price_cache_write_1h;
    }

  if (model->provider == PW_PROVIDER_ANTHROPIC)
    {
      /* input_tokens is the uncached part only; thinking is inside output. */
      add_class (&sum, usage->input_tokens, in);
      add_class (&sum, usage->cache_write_tokens, write);
      add_class (&sum, usage->cache_write_1h_tokens, write_1h);
      add_class (&sum, usage->cache_read_tokens, read);
      add_class (&sum, usage->output_tokens, out);
    }
  else
    {
      /* input_tokens includes the cached tokens and (an assumption of
       * PROTOCOLS §6.1) the cache writes; reasoning is inside output. A
       * server whose counters contradict that is not billed below zero. */
      gint64 plain = usage->input_tokens - usage->cache_read_tokens
                     - usage->cache_write_tokens - usage->cache_write_1h_tokens;

      add_class (&sum, MAX (plain, 0), in);
      add_class (&sum, usage->cache_read_tokens, read);
      add_class (&sum, usage->cache_write_tokens + usage->cache_write_1h_tokens, write);
      add_class (&sum, usage->output_tokens, out);
    }

  if (!isfinite (sum))
    return FALSE;
  *out_usd = sum;
  return TRUE;
}
