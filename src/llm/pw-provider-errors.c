/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What went wrong in a provider call, in words a user can act on: error kinds, messages, redaction, JSON readers. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pw-keys.h"
#include "pw-provider-private.h"

#define SNIPPET_BYTES 200

G_DEFINE_QUARK (pw-provider-error-quark, pw_provider_error)

JsonObject *
pw_json_object (JsonObject *object,
                const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
pw_json_array (JsonObject *object,
               const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

const char *
pw_json_string (JsonObject *object,
                const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

gboolean
pw_json_int (JsonObject *object,
             const char *member,
             gint64     *out_value)
{
  JsonNode *node;
  GType type;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out_value = json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out_value = (gint64) json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

gboolean
pw_json_double (JsonObject *object,
                const char *member,
                double     *out_value)
{
  JsonNode *node;
  GType type;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    *out_value = (double) json_node_get_int (node);
  else if (type == G_TYPE_DOUBLE)
    *out_value = json_node_get_double (node);
  else
    return FALSE;
  return TRUE;
}

/* A string or a number as text, for "code" fields that are either. */
static char *
json_dup_scalar (JsonObject *object,
                 const char *member)
{
  const char *str = pw_json_string (object, member);
  gint64 value;

  if (str != NULL)
    return g_strdup (str);
  if (pw_json_int (object, member, &value))
    return g_strdup_printf ("%" G_GINT64_FORMAT, value);
  return NULL;
}

/* At most SNIPPET_BYTES of @data as one line of valid UTF-8. */
char *
pw_provider_snippet (const char *data,
                     gsize       len)
{
  g_autofree char *valid = NULL;
  GString *out;
  gboolean space = FALSE;
  gsize n = MIN (len, SNIPPET_BYTES);

  valid = g_utf8_make_valid (data, n);
  out = g_string_new (NULL);
  for (const char *p = valid; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p) || (guchar) *p < 0x20)
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *p);
    }
  if (len > n)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

JsonNode *
pw_json_parse_event (const char *data,
                     gsize       len,
                     GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autofree char *snippet = pw_provider_snippet (data, len);

      /* the snippet is logged, redacted, with the attempt's failure */
      g_debug ("Event data is not a JSON object: %s",
               local_error != NULL ? local_error->message : "not an object");
      g_set_error (error, PW_PROVIDER_ERROR, PW_PROVIDER_ERROR_PROTOCOL,
                   _("an event is not valid JSON: “%s”"), snippet);
      return NULL;
    }
  return json_node_copy (root);
}

char *
pw_json_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

#define IS(a, b) (g_strcmp0 ((a), (b)) == 0)

PwProviderError
pw_provider_classify_error (guint       status,
                            const char *type,
                            const char *code,
                            const char *message)
{
  gint64 numeric;

  if (IS (code, "insufficient_quota") || IS (type, "insufficient_quota") || IS (type, "billing_error"))
    return PW_PROVIDER_ERROR_QUOTA;
  /* Anthropic and vLLM say "too long" only in the message; PROTOCOLS.md
   * warns against matching messages, so these are fallbacks to the codes. */
  if (IS (code, "context_length_exceeded") || IS (type, "exceed_context_size_error")
      || (message != NULL && (g_str_has_prefix (message, "prompt is too long")
                              || strstr (message, "maximum context length") != NULL)))
    return PW_PROVIDER_ERROR_CONTEXT_TOO_LONG;
  if (IS (type, "overloaded_error") || IS (code, "server_is_overloaded") || IS (code, "slow_down"))
    return PW_PROVIDER_ERROR_OVERLOADED;

  if (status == 401 || status == 403)
    return PW_PROVIDER_ERROR_AUTH;
  if (status == 402)
    return PW_PROVIDER_ERROR_QUOTA;
  if (status == 429)
    return PW_PROVIDER_ERROR_RATE_LIMITED;
  if (status == 408)
    return PW_PROVIDER_ERROR_TIMEOUT;
  if (status == 503 || status == 529)
    return PW_PROVIDER_ERROR_OVERLOADED;
  if (status >= 500)
    return PW_PROVIDER_ERROR_SERVER;
  if (status == 409)
    return PW_PROVIDER_ERROR_FAILED;
  if (status >= 400)
    return PW_PROVIDER_ERROR_BAD_REQUEST;
  if (status != 0)
    return PW_PROVIDER_ERROR_PROTOCOL;

  /* Inside a stream: the type says what the status would have been. */
  if (IS (type, "api_error") || IS (type, "server_error") || IS (code, "server_error")
      || IS (type, "timeout_error"))
    return PW_PROVIDER_ERROR_SERVER;
  if (IS (type, "rate_limit_error") || IS (code, "rate_limit_exceeded"))
    return PW_PROVIDER_ERROR_RATE_LIMITED;
  if (IS (type, "authentication_error") || IS (type, "permission_error") || IS (code, "invalid_api_key"))
    return PW_PROVIDER_ERROR_AUTH;
  if (IS (type, "invalid_request_error") || IS (type, "not_found_error") || IS (type, "request_too_large"))
    return PW_PROVIDER_ERROR_BAD_REQUEST;
  /* OpenRouter puts the HTTP status it would have sent into "code" */
  if (code != NULL && g_ascii_string_to_signed (code, 10, 400, 599, &numeric, NULL))
    return pw_provider_classify_error ((guint) numeric, type, NULL, message);
  return PW_PROVIDER_ERROR_PROTOCOL;
}

GError *
pw_provider_error_from_object (guint       status,
                               JsonObject *root)
{
  JsonObject *err = pw_json_object (root, "error");
  JsonObject *holder = err != NULL ? err : root;
  g_autofree char *code = NULL;
  const char *type;
  const char *message;
  GString *detail;

  if (err == NULL && pw_json_string (root, "error") != NULL)
    {
      /* {"error": "text"} from some gateways */
      message = pw_json_string (root, "error");
      return g_error_new_literal (PW_PROVIDER_ERROR,
                                  pw_provider_classify_error (status, NULL, NULL, message),
                                  message);
    }

  type = pw_json_string (holder, "type");
  message = pw_json_string (holder, "message");
  code = json_dup_scalar (holder, "code");
  if (code == NULL)
    code = json_dup_scalar (pw_json_object (holder, "details"), "error_code");
  /* Anthropic's top-level "type" is just "error" */
  if (IS (type, "error"))
    type = NULL;

  detail = g_string_new (NULL);
  if (type != NULL)
    g_string_append (detail, type);
  if (code != NULL && !IS (code, type))
    g_string_append_printf (detail, detail->len > 0 ? " (%s)" : "%s", code);
  if (message != NULL)
    g_string_append_printf (detail, detail->len > 0 ? ": %s" : "%s", message);
  if (detail->len == 0)
    g_string_append (detail, _("no error message"));

  {
    GError *error = g_error_new_literal (PW_PROVIDER_ERROR,
                                         pw_provider_classify_error (status, type, code, message),
                                         detail->str);

    g_string_free (detail, TRUE);
    return error;
  }
}

GError *
pw_provider_real_http_error (PwProvider         *self,
                             guint               status,
                             SoupMessageHeaders *headers,
                             GBytes             *body)
{
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);
  g_autofree char *snippet = NULL;

  if (len > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (json_parser_load_from_data (parser, data, (gssize) len, NULL)
          && (root = json_parser_get_root (parser)) != NULL
          && JSON_NODE_HOLDS_OBJECT (root))
        return pw_provider_error_from_object (status, json_node_get_object (root));
    }

  /* A proxy's HTML page or an empty body: show what came, not a guess */
  snippet = len > 0 ? pw_provider_snippet (data, len) : NULL;
  return g_error_new (PW_PROVIDER_ERROR, pw_provider_classify_error (status, NULL, NULL, NULL),
                      snippet != NULL ? _("the body (%s) begins “%s”") : _("the response had no body"),
                      content_type != NULL ? content_type : _("no content type"), snippet);
}

static GRegex *
key_shape_regex (void)
{
  static gsize regex;

  if (g_once_init_enter (&regex))
    {
      /* sk-…, sk-ant-…, sk-proj-… keys, masked ones included, and any
       * bearer token a server or proxy echoes back; short words after
       * "bearer" are prose, not tokens */
      GRegex *r = g_regex_new ("\\bsk-[A-Za-z0-9_\\-*.]{8,}|(?i:bearer)\\s+[A-Za-z0-9._~+/=*-]{16,}",
                               G_REGEX_OPTIMIZE, 0, NULL);

      g_once_init_leave (&regex, (gsize) r);
    }
  return (GRegex *) regex;
}

char *
pw_provider_redact (PwProvider *self,
                    const char *text)
{
  const char *key = self != NULL ? pw_provider_get_api_key (self) : NULL;
  g_autofree char *without_key = NULL;

  if (text == NULL)
    return NULL;
  if (key != NULL && *key != '\0' && strstr (text, key) != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (text, key, -1);

      without_key = g_strjoinv ("[key removed]", parts);
      text = without_key;
    }
  return g_regex_replace_literal (key_shape_regex (), text, -1, 0, "[key removed]", 0, NULL);
}

static char *
summary_for (PwProviderError code,
             const char     *name,
             const char     *host)
{
  switch (code)
    {
    case PW_PROVIDER_ERROR_AUTH:
      return g_strdup_printf (_("%s refused the API key"), name);
    case PW_PROVIDER_ERROR_QUOTA:
      return g_strdup_printf (_("%s says the account is out of credit or over its spending limit"), name);
    case PW_PROVIDER_ERROR_RATE_LIMITED:
      return g_strdup_printf (_("%s is rate-limiting requests"), name);
    case PW_PROVIDER_ERROR_OVERLOADED:
      return g_strdup_printf (_("%s is overloaded"), name);
    case PW_PROVIDER_ERROR_SERVER:
      return g_strdup_printf (_("%s had an internal error"), name);
    case PW_PROVIDER_ERROR_BAD_REQUEST:
      return g_strdup_printf (_("%s rejected the request"), name);
    case PW_PROVIDER_ERROR_CONTEXT_TOO_LONG:
      return g_strdup_printf (_("The prompt is too long for the model at %s"), name);
    case PW_PROVIDER_ERROR_NETWORK:
      return g_strdup_printf (_("Could not talk to %s at %s"), name, host);
    case PW_PROVIDER_ERROR_TIMEOUT:
      return g_strdup_printf (_("%s did not answer in time"), name);
    case PW_PROVIDER_ERROR_STALLED:
      return g_strdup_printf (_("%s stopped sending in the middle of the answer"), name);
    case PW_PROVIDER_ERROR_TRUNCATED:
      return g_strdup_printf (_("The answer from %s ended before it was complete"), name);
    case PW_PROVIDER_ERROR_PROTOCOL:
      return g_strdup_printf (_("%s sent a response Planwright cannot read"), name);
    case PW_PROVIDER_ERROR_FAILED:
    default:
      return g_strdup_printf (_("The call to %s failed"), name);
    }
}

static char *
advice_for (PwProvider      *self,
            PwProviderError  code)
{
  switch (code)
    {
    case PW_PROVIDER_ERROR_AUTH:
      return g_strdup_printf (_("Check the API key in Preferences or in the %s environment variable, and that it may use this model."),
                              pw_keys_env_var (pw_provider_get_kind (self)));
    case PW_PROVIDER_ERROR_QUOTA:
      return g_strdup (_("Check billing and spending limits in the provider’s console; retrying will not help."));
    case PW_PROVIDER_ERROR_RATE_LIMITED:
      return g_strdup (_("Wait a minute and try again, or raise the rate limit with the provider."));
    case PW_PROVIDER_ERROR_OVERLOADED:
    case PW_PROVIDER_ERROR_SERVER:
      return g_strdup (_("Try again in a few minutes; if it persists, check the provider’s status page."));
    case PW_PROVIDER_ERROR_BAD_REQUEST:
      return g_strdup (_("Check the model id and its settings in Preferences, or send less context."));
    case PW_PROVIDER_ERROR_CONTEXT_TOO_LONG:
      return g_strdup (_("Remove context files or notes, or pick a model with a larger context window."));
    case PW_PROVIDER_ERROR_NETWORK:
      return g_strdup (_("Check the network connection and the provider’s base URL in Preferences."));
    case PW_PROVIDER_ERROR_TIMEOUT:
      return g_strdup (_("Try again; slow reasoning models may need a longer timeout."));
    case PW_PROVIDER_ERROR_STALLED:
    case PW_PROVIDER_ERROR_TRUNCATED:
      return g_strdup (_("The text so far was kept; try again for a complete answer."));
    case PW_PROVIDER_ERROR_PROTOCOL:
      return g_strdup (_("Check that the base URL in Preferences points at a server of this kind."));
    case PW_PROVIDER_ERROR_FAILED:
    default:
      return g_strdup (_("Try again."));
    }
}

/* "scheme://host:port" of the base URL: never a user or password */
static char *
host_of (PwProvider *self)
{
  const char *base_url = pw_provider_get_base_url (self);
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (_("the configured base URL"));
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s://%s:%d", g_uri_get_scheme (uri), g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup_printf ("%s://%s", g_uri_get_scheme (uri), g_uri_get_host (uri));
}

GError *
pw_provider_compose_error (PwProvider      *self,
                           PwProviderError  code,
                           guint            status,
                           const char      *request_id,
                           const char      *detail,
                           guint            attempts)
{
  g_autofree char *host = host_of (self);
  g_autofree char *summary = summary_for (code, pw_provider_get_name (self), host);
  g_autofree char *advice = advice_for (self, code);
  g_autofree char *redacted = NULL;
  g_autoptr(GString) text = g_string_new (summary);

  if (status != 0 && request_id != NULL)
    g_string_append_printf (text, _(" (HTTP %u, request id %s)"), status, request_id);
  else if (status != 0)
    g_string_append_printf (text, _(" (HTTP %u, no request id)"), status);
  else if (request_id != NULL)
    g_string_append_printf (text, _(" (request id %s)"), request_id);
  if (detail != NULL && *detail != '\0')
    {
      gsize len = strlen (detail);

      g_string_append (text, ": ");
      g_string_append_len (text, detail, detail[len - 1] == '.' ? (gssize) len - 1 : (gssize) len);
    }
  g_string_append (text, ".");
  if (attempts > 1)
    g_string_append_printf (text, ngettext (" Gave up after %u attempt.", " Gave up after %u attempts.", attempts),
                            attempts);
  g_string_append_c (text, ' ');
  g_string_append (text, advice);

  redacted = pw_provider_redact (self, text->str);
  return g_error_new_literal (PW_PROVIDER_ERROR, code, redacted);
}

PwStopReason
pw_stop_reason_from_anthropic (const char *reason)
{
  if (IS (reason, "end_turn"))
    return PW_STOP_END;
  if (IS (reason, "max_tokens"))
    return PW_STOP_MAX_TOKENS;
  if (IS (reason, "stop_sequence"))
    return PW_STOP_STOP_SEQUENCE;
  if (IS (reason, "tool_use"))
    return PW_STOP_TOOL_USE;
  if (IS (reason, "refusal"))
    return PW_STOP_REFUSAL;
  if (IS (reason, "model_context_window_exceeded"))
    return PW_STOP_CONTEXT_EXCEEDED;
  return PW_STOP_UNKNOWN;
}

PwStopReason
pw_stop_reason_from_chat (const char *reason)
{
  if (IS (reason, "stop"))
    return PW_STOP_END;
  if (IS (reason, "length"))
    return PW_STOP_MAX_TOKENS;
  if (IS (reason, "tool_calls") || IS (reason, "function_call"))
    return PW_STOP_TOOL_USE;
  if (IS (reason, "content_filter"))
    return PW_STOP_REFUSAL;
  return PW_STOP_UNKNOWN;
}
