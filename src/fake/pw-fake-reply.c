/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scripted replies: fixtures with their recorded status and headers, plain bodies, pacing and faults. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "pw-fake-private.h"

static void
pw_fake_header_free (gpointer data)
{
  PwFakeHeader *header = data;

  g_free (header->name);
  g_free (header->value);
  g_free (header);
}

static PwFakeReply *
reply_alloc (guint status)
{
  PwFakeReply *reply = g_new0 (PwFakeReply, 1);

  reply->status = status;
  reply->headers = g_ptr_array_new_with_free_func (pw_fake_header_free);
  return reply;
}

PwFakeReply *
pw_fake_reply_new (guint       status,
                   const char *content_type,
                   GBytes     *body)
{
  PwFakeReply *reply;

  g_return_val_if_fail (status >= 100 && status <= 999, NULL);

  reply = reply_alloc (status);
  reply->body = body ? g_bytes_ref (body) : g_bytes_new (NULL, 0);
  reply->label = g_strdup_printf ("status %u", status);
  if (content_type)
    pw_fake_reply_add_header (reply, "content-type", content_type);
  return reply;
}

void
pw_fake_reply_free (PwFakeReply *reply)
{
  if (!reply)
    return;

  g_ptr_array_unref (reply->headers);
  g_bytes_unref (reply->body);
  g_free (reply->label);
  g_free (reply);
}

PwFakeReply *
pw_fake_reply_copy (const PwFakeReply *reply)
{
  PwFakeReply *copy = reply_alloc (reply->status);

  for (guint i = 0; i < reply->headers->len; i++)
    {
      const PwFakeHeader *header = g_ptr_array_index (reply->headers, i);

      pw_fake_reply_add_header (copy, header->name, header->value);
    }
  copy->body = g_bytes_ref (reply->body);
  copy->label = g_strdup (reply->label);
  copy->chunking_set = reply->chunking_set;
  copy->chunk_min = reply->chunk_min;
  copy->chunk_max = reply->chunk_max;
  copy->interval_ms = reply->interval_ms;
  copy->delay_ms = reply->delay_ms;
  copy->fault = reply->fault;
  copy->fault_at = reply->fault_at;
  return copy;
}

void
pw_fake_reply_add_header (PwFakeReply *reply,
                          const char  *name,
                          const char  *value)
{
  PwFakeHeader *header;

  g_return_if_fail (reply != NULL);
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (value != NULL);

  /* Replace in place, so a script can override one header of a fixture
   * (a request id, a retry-after) and keep the order of the rest. */
  for (guint i = 0; i < reply->headers->len; i++)
    {
      header = g_ptr_array_index (reply->headers, i);
      if (g_ascii_strcasecmp (header->name, name) == 0)
        {
          g_free (header->value);
          header->value = g_strdup (value);
          return;
        }
    }

  header = g_new0 (PwFakeHeader, 1);
  header->name = g_strdup (name);
  header->value = g_strdup (value);
  g_ptr_array_add (reply->headers, header);
}

const char *
pw_fake_reply_get_header (const PwFakeReply *reply,
                          const char        *name)
{
  for (guint i = 0; i < reply->headers->len; i++)
    {
      const PwFakeHeader *header = g_ptr_array_index (reply->headers, i);

      if (g_ascii_strcasecmp (header->name, name) == 0)
        return header->value;
    }
  return NULL;
}

gboolean
pw_fake_reply_is_streaming (const PwFakeReply *reply)
{
  const char *type = pw_fake_reply_get_header (reply, "content-type");

  return type && g_ascii_strncasecmp (type, "text/event-stream", strlen ("text/event-stream")) == 0;
}

void
pw_fake_reply_set_chunking (PwFakeReply *reply,
                            gsize        min_bytes,
                            gsize        max_bytes,
                            guint        interval_ms)
{
  g_return_if_fail (reply != NULL);
  g_return_if_fail (min_bytes <= max_bytes);
  g_return_if_fail ((min_bytes == 0) == (max_bytes == 0));

  reply->chunking_set = TRUE;
  reply->chunk_min = min_bytes;
  reply->chunk_max = max_bytes;
  reply->interval_ms = interval_ms;
}

void
pw_fake_reply_set_delay (PwFakeReply *reply,
                         guint        delay_ms)
{
  g_return_if_fail (reply != NULL);

  reply->delay_ms = delay_ms;
}

void
pw_fake_reply_set_fault (PwFakeReply *reply,
                         PwFakeFault  fault,
                         gsize        at)
{
  g_return_if_fail (reply != NULL);
  g_return_if_fail (fault <= PW_FAKE_FAULT_EOF);

  reply->fault = fault;
  reply->fault_at = at;
}

const char *
pw_fake_json_get_string (JsonObject *object,
                         const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  if (node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static JsonObject *
find_index_entry (JsonNode   *root,
                  const char *relpath)
{
  JsonArray *entries;

  if (!JSON_NODE_HOLDS_ARRAY (root))
    return NULL;

  entries = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonNode *node = json_array_get_element (entries, i);
      JsonObject *entry;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      entry = json_node_get_object (node);
      if (g_strcmp0 (pw_fake_json_get_string (entry, "file"), relpath) == 0)
        return entry;
    }
  return NULL;
}

PwFakeReply *
pw_fake_reply_new_fixture (const char  *fixtures_dir,
                           const char  *relpath,
                           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *index_path = NULL;
  g_autofree char *body_path = NULL;
  g_autofree char *contents = NULL;
  JsonObject *entry;
  JsonObject *headers;
  JsonNode *node;
  PwFakeReply *reply;
  gint64 status;
  gsize length;

  g_return_val_if_fail (relpath != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fixtures_dir)
    fixtures_dir = g_getenv ("PW_FIXTURES_DIR");
  if (!fixtures_dir)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Cannot serve fixture “%s”: no fixtures folder given (set PW_FIXTURES_DIR or pass --fixtures)",
                   relpath);
      return NULL;
    }

  index_path = g_build_filename (fixtures_dir, "index.json", NULL);
  if (!json_parser_load_from_file (parser, index_path, error))
    {
      g_prefix_error (error, "Cannot read %s: ", index_path);
      return NULL;
    }

  entry = find_index_entry (json_parser_get_root (parser), relpath);
  if (!entry)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No fixture “%s” in %s", relpath, index_path);
      return NULL;
    }

  body_path = g_build_filename (fixtures_dir, relpath, NULL);
  if (!g_file_get_contents (body_path, &contents, &length, error))
    return NULL;

  status = json_object_get_int_member_with_default (entry, "status", 200);
  if (status < 100 || status > 999)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "Fixture “%s” has an invalid status %" G_GINT64_FORMAT " in %s",
                   relpath, status, index_path);
      return NULL;
    }

  reply = reply_alloc ((guint) status);
  reply->body = g_bytes_new_take (g_steal_pointer (&contents), length);
  reply->label = g_strdup_printf ("fixture %s", relpath);

  node = json_object_get_member (entry, "headers");
  if (node && JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) names = NULL;

      headers = json_node_get_object (node);
      names = json_object_get_members (headers);

      for (GList *l = names; l; l = l->next)
        {
          const char *value = pw_fake_json_get_string (headers, l->data);

          if (value)
            pw_fake_reply_add_header (reply, l->data, value);
        }
    }

  return reply;
}

gboolean
pw_fake_path_get_kind (const char     *path,
                       PwProviderKind *out_kind)
{
  static const struct {
    const char     *suffix;
    PwProviderKind  kind;
  } endpoints[] = {
    { "/v1/messages", PW_PROVIDER_ANTHROPIC },
    { "/v1/responses", PW_PROVIDER_OPENAI_RESPONSES },
    { "/v1/chat/completions", PW_PROVIDER_OPENAI_CHAT },
  };

  if (!path)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (endpoints); i++)
    if (g_str_has_suffix (path, endpoints[i].suffix))
      {
        if (out_kind)
          *out_kind = endpoints[i].kind;
        return TRUE;
      }
  return FALSE;
}

void
pw_fake_append_json_string (GString    *out,
                            const char *str)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), str);
  g_autofree char *text = json_to_string (node, FALSE);

  g_string_append (out, text);
}

PwFakeReply *
pw_fake_reply_new_error (const char *path,
                         guint       status,
                         const char *message)
{
  static gint serial;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *request_id = NULL;
  PwProviderKind kind;
  gboolean anthropic;
  PwFakeReply *reply;

  anthropic = pw_fake_path_get_kind (path, &kind) && kind == PW_PROVIDER_ANTHROPIC;
  request_id = g_strdup_printf ("req_fake_error_%06d", g_atomic_int_add (&serial, 1) + 1);

  if (anthropic)
    {
      g_string_append (body, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":");
      pw_fake_append_json_string (body, message);
      g_string_append (body, "},\"request_id\":");
      pw_fake_append_json_string (body, request_id);
      g_string_append (body, "}");
    }
  else
    {
      g_string_append (body, "{\"error\":{\"message\":");
      pw_fake_append_json_string (body, message);
      g_string_append (body, ",\"type\":\"server_error\",\"param\":null,\"code\":\"fake_server_error\"}}");
    }

  bytes = g_bytes_new (body->str, body->len);
  reply = pw_fake_reply_new (status, "application/json", bytes);
  pw_fake_reply_add_header (reply, anthropic ? "request-id" : "x-request-id", request_id);
  /* Both official SDKs obey it: a test that forgot a reply fails at once
   * instead of after every retry. */
  pw_fake_reply_add_header (reply, "x-should-retry", "false");
  return reply;
}

PwFakeQueued *
pw_fake_queued_new (const char  *path,
                    PwFakeReply *reply)
{
  PwFakeQueued *queued = g_new0 (PwFakeQueued, 1);

  queued->path = g_strdup (path);
  queued->reply = reply;
  return queued;
}

void
pw_fake_queued_free (PwFakeQueued *queued)
{
  if (!queued)
    return;

  g_free (queued->path);
  pw_fake_reply_free (queued->reply);
  g_free (queued);
}
