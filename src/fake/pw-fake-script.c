/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reads a reply script (a JSON array, see planwright-fake-llm --help) into queued replies. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "pw-fake-private.h"

#define DEFAULT_DELTAS 8
#define MAX_REPEAT 100000

static const char *known_keys[] = {
  "fixture", "text", "thinking", "provider", "deltas", "status", "headers",
  "body", "content_type", "path", "chunk", "interval_ms", "delay_ms",
  "fault", "repeat", NULL,
};

G_GNUC_PRINTF (4, 5)
static void
script_error (GError     **error,
              const char  *script_path,
              guint        index,
              const char  *format,
              ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "%s: reply %u: %s", script_path, index, message);
}

/* A whole, non-negative number member; @out untouched when absent. */
static gboolean
get_count (JsonObject  *entry,
           const char  *name,
           gint64       max,
           gint64      *out,
           const char  *script_path,
           guint        index,
           GError     **error)
{
  JsonNode *node = json_object_get_member (entry, name);

  if (!node)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0 || json_node_get_int (node) > max)
    {
      script_error (error, script_path, index, "“%s” must be a whole number from 0 to %" G_GINT64_FORMAT,
                    name, max);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
get_string (JsonObject  *entry,
            const char  *name,
            const char **out,
            const char  *script_path,
            guint        index,
            GError     **error)
{
  JsonNode *node = json_object_get_member (entry, name);

  if (!node)
    return TRUE;
  *out = pw_fake_json_get_string (entry, name);
  if (!*out)
    {
      script_error (error, script_path, index, "“%s” must be a string", name);
      return FALSE;
    }
  return TRUE;
}

static PwFakeReply *
parse_body_kind (JsonObject  *entry,
                 const char  *path,
                 const char  *fixtures_dir,
                 const char  *script_path,
                 guint        index,
                 GError     **error)
{
  const char *fixture = NULL;
  const char *text = NULL;
  const char *thinking = NULL;
  const char *provider = NULL;
  const char *body = NULL;
  const char *content_type = "application/json";
  gint64 deltas = DEFAULT_DELTAS;
  gint64 status = 0;
  guint n_kinds;

  if (!get_string (entry, "fixture", &fixture, script_path, index, error)
      || !get_string (entry, "text", &text, script_path, index, error)
      || !get_string (entry, "thinking", &thinking, script_path, index, error)
      || !get_string (entry, "provider", &provider, script_path, index, error)
      || !get_string (entry, "body", &body, script_path, index, error)
      || !get_string (entry, "content_type", &content_type, script_path, index, error)
      || !get_count (entry, "deltas", 100000, &deltas, script_path, index, error)
      || !get_count (entry, "status", 999, &status, script_path, index, error))
    return NULL;

  n_kinds = (fixture != NULL) + (text != NULL) + json_object_has_member (entry, "status");
  if (n_kinds != 1)
    {
      script_error (error, script_path, index, "give exactly one of “fixture”, “text” or “status”");
      return NULL;
    }

  if (fixture)
    {
      PwFakeReply *reply = pw_fake_reply_new_fixture (fixtures_dir, fixture, error);

      if (!reply)
        g_prefix_error (error, "%s: reply %u: ", script_path, index);
      return reply;
    }

  if (text)
    {
      PwProviderKind kind;

      if (provider)
        {
          if (!pw_provider_kind_from_string (provider, &kind))
            {
              script_error (error, script_path, index,
                            "unknown provider “%s” (anthropic, openai-responses or openai-chat)", provider);
              return NULL;
            }
        }
      else if (!pw_fake_path_get_kind (path, &kind))
        {
          script_error (error, script_path, index, "a “text” reply needs a “provider” or a “path”");
          return NULL;
        }
      if (deltas < 1)
        {
          script_error (error, script_path, index, "“deltas” must be at least 1");
          return NULL;
        }
      return pw_fake_reply_new_text (kind, text, thinking, (guint) deltas);
    }

  if (status < 100)
    {
      script_error (error, script_path, index, "“status” must be from 100 to 999");
      return NULL;
    }
  {
    g_autoptr(GBytes) bytes = g_bytes_new (body ? body : "", body ? strlen (body) : 0);

    return pw_fake_reply_new ((guint) status, content_type, bytes);
  }
}

static gboolean
parse_pacing (JsonObject   *entry,
              PwFakeReply  *reply,
              const char   *script_path,
              guint         index,
              GError      **error)
{
  JsonNode *chunk = json_object_get_member (entry, "chunk");
  JsonNode *fault_node = json_object_get_member (entry, "fault");
  JsonObject *fault = NULL;
  gint64 interval = 0;
  gint64 delay = 0;

  if (!get_count (entry, "interval_ms", G_MAXUINT, &interval, script_path, index, error)
      || !get_count (entry, "delay_ms", G_MAXUINT, &delay, script_path, index, error))
    return FALSE;

  if (chunk)
    {
      JsonArray *range = JSON_NODE_HOLDS_ARRAY (chunk) ? json_node_get_array (chunk) : NULL;
      gint64 bounds[2] = { -1, -1 };

      for (guint i = 0; range && json_array_get_length (range) == 2 && i < 2; i++)
        {
          JsonNode *node = json_array_get_element (range, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
            bounds[i] = json_node_get_int (node);
        }
      if (bounds[0] < 0 || bounds[1] < bounds[0] || bounds[1] > G_MAXINT32
          || (bounds[0] == 0) != (bounds[1] == 0))
        {
          script_error (error, script_path, index,
                        "“chunk” must be [min, max] with 1 ≤ min ≤ max, or [0, 0] for one event a piece");
          return FALSE;
        }
      pw_fake_reply_set_chunking (reply, (gsize) bounds[0], (gsize) bounds[1], (guint) interval);
    }
  else if (json_object_has_member (entry, "interval_ms"))
    pw_fake_reply_set_chunking (reply, 0, 0, (guint) interval);

  pw_fake_reply_set_delay (reply, (guint) delay);

  if (fault_node && JSON_NODE_HOLDS_OBJECT (fault_node))
    fault = json_node_get_object (fault_node);
  else if (fault_node)
    {
      script_error (error, script_path, index, "“fault” must be an object {\"kind\": …, \"at\": N}");
      return FALSE;
    }
  if (fault)
    {
      const char *kind = NULL;
      gint64 at = 0;
      PwFakeFault value;

      if (!get_string (fault, "kind", &kind, script_path, index, error)
          || !get_count (fault, "at", G_MAXINT64, &at, script_path, index, error))
        return FALSE;
      if (g_strcmp0 (kind, "reset") == 0)
        value = PW_FAKE_FAULT_RESET_BEFORE_HEADERS;
      else if (g_strcmp0 (kind, "truncate") == 0)
        value = PW_FAKE_FAULT_TRUNCATE;
      else if (g_strcmp0 (kind, "stall") == 0)
        value = PW_FAKE_FAULT_STALL;
      else if (g_strcmp0 (kind, "eof") == 0)
        value = PW_FAKE_FAULT_EOF;
      else
        {
          script_error (error, script_path, index,
                        "“fault” needs a “kind”: reset, truncate, stall or eof");
          return FALSE;
        }
      pw_fake_reply_set_fault (reply, value, (gsize) at);
    }
  return TRUE;
}

static gboolean
parse_headers (JsonObject   *entry,
               PwFakeReply  *reply,
               const char   *script_path,
               guint         index,
               GError      **error)
{
  JsonNode *node = json_object_get_member (entry, "headers");
  g_autoptr(GList) names = NULL;
  JsonObject *headers;

  if (!node)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      script_error (error, script_path, index, "“headers” must be an object of strings");
      return FALSE;
    }

  headers = json_node_get_object (node);
  names = json_object_get_members (headers);
  for (GList *l = names; l; l = l->next)
    {
      const char *value = pw_fake_json_get_string (headers, l->data);

      if (!value || !*(const char *) l->data)
        {
          script_error (error, script_path, index, "header “%s” must have a string value",
                        (const char *) l->data);
          return FALSE;
        }
      pw_fake_reply_add_header (reply, l->data, value);
    }
  return TRUE;
}

GPtrArray *
pw_fake_script_parse (const char  *script_path,
                      const char  *fixtures_dir,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) queued = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_fake_queued_free);
  JsonNode *root;
  JsonArray *entries;

  g_return_val_if_fail (script_path != NULL, NULL);

  if (!json_parser_load_from_file (parser, script_path, error))
    {
      g_prefix_error (error, "Cannot read the script %s: ", script_path);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (!root || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: a script is a JSON array of replies", script_path);
      return NULL;
    }

  entries = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *node = json_array_get_element (entries, i);
      g_autoptr(PwFakeReply) reply = NULL;
      g_autoptr(GList) keys = NULL;
      const char *path = NULL;
      JsonObject *entry;
      gint64 repeat = 1;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          script_error (error, script_path, i, "each reply is a JSON object");
          return NULL;
        }
      entry = json_node_get_object (node);

      /* A misspelt key would silently change the test: refuse it. */
      keys = json_object_get_members (entry);
      for (GList *l = keys; l; l = l->next)
        if (!g_strv_contains (known_keys, l->data))
          {
            script_error (error, script_path, i, "unknown key “%s”", (const char *) l->data);
            return NULL;
          }

      if (!get_string (entry, "path", &path, script_path, i, error)
          || !get_count (entry, "repeat", MAX_REPEAT, &repeat, script_path, i, error))
        return NULL;
      if (path && *path != '/')
        {
          script_error (error, script_path, i, "“path” must start with “/”, as in /v1/messages");
          return NULL;
        }
      if (repeat < 1)
        {
          script_error (error, script_path, i, "“repeat” must be at least 1");
          return NULL;
        }

      reply = parse_body_kind (entry, path, fixtures_dir, script_path, i, error);
      if (!reply
          || !parse_headers (entry, reply, script_path, i, error)
          || !parse_pacing (entry, reply, script_path, i, error))
        return NULL;

      for (gint64 r = 1; r < repeat; r++)
        g_ptr_array_add (queued, pw_fake_queued_new (path, pw_fake_reply_copy (reply)));
      g_ptr_array_add (queued, pw_fake_queued_new (path, g_steal_pointer (&reply)));
    }

  return g_steal_pointer (&queued);
}
