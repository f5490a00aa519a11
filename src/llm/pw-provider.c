/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The provider base class: its SoupSession, settings and defaults; calls in pw-provider-call.c, formats in the subclasses. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "pw-provider-private.h"

typedef struct
{
  PwProviderKind  kind;
  char           *base_url;
  char           *api_key;
  char           *name;
  PwModels       *models;
  SoupSession    *session;
  PwTimeouts      timeouts;
  PwRetryPolicy   policy;
} PwProviderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PwProvider, pw_provider, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_BASE_URL,
  PROP_API_KEY,
  PROP_MODELS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
default_base_url (PwProviderKind kind)
{
  return kind == PW_PROVIDER_ANTHROPIC ? "https://api.anthropic.com" : "https://api.openai.com";
}

static char *
normalize_base_url (const char     *base_url,
                    PwProviderKind  kind)
{
  char *url = g_strdup (base_url != NULL && *base_url != '\0' ? base_url : default_base_url (kind));
  gsize len;

  /* The paths carry "/v1"; accept base URLs written with it too. */
  g_strstrip (url);
  while ((len = strlen (url)) > 0 && url[len - 1] == '/')
    url[len - 1] = '\0';
  if (g_str_has_suffix (url, "/v1"))
    url[strlen (url) - 3] = '\0';
  return url;
}

static char *
name_for (PwProviderKind  kind,
          const char     *base_url)
{
  g_autoptr(GUri) uri = NULL;

  if (kind == PW_PROVIDER_ANTHROPIC)
    return g_strdup ("Anthropic");
  if (kind == PW_PROVIDER_OPENAI_RESPONSES)
    return g_strdup ("OpenAI");

  /* A compatible server is better named by where it runs. */
  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (_("The chat server"));
  if (g_ascii_strcasecmp (g_uri_get_host (uri), "api.openai.com") == 0)
    return g_strdup ("OpenAI");
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  return g_strdup (g_uri_get_host (uri));
}

static void
pw_provider_constructed (GObject *object)
{
  PwProvider *self = PW_PROVIDER (object);
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);
  char *url;

  G_OBJECT_CLASS (pw_provider_parent_class)->constructed (object);

  url = normalize_base_url (priv->base_url, priv->kind);
  g_free (priv->base_url);
  priv->base_url = url;
  priv->name = name_for (priv->kind, priv->base_url);

  /* SoupSession:timeout would cut off a model that thinks in silence;
   * our own timers know connect, first byte and idle apart. */
  priv->session = soup_session_new_with_options ("timeout", 0,
                                                 "user-agent", "Planwright/" PACKAGE_VERSION,
                                                 NULL);
  priv->timeouts.connect_ms = 10000;
  priv->timeouts.first_byte_ms = 600000;
  priv->timeouts.idle_ms = priv->kind == PW_PROVIDER_ANTHROPIC ? 120000 : 600000;
  priv->policy.max_retries = 2;
  priv->policy.base_delay_ms = 500;
  priv->policy.max_delay_ms = 8000;
  priv->policy.max_hint_ms = 60000;
}

static void
pw_provider_dispose (GObject *object)
{
  PwProvider *self = PW_PROVIDER (object);
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  if (priv->session != NULL)
    soup_session_abort (priv->session);
  g_clear_object (&priv->session);
  g_clear_object (&priv->models);

  G_OBJECT_CLASS (pw_provider_parent_class)->dispose (object);
}

static void
pw_provider_finalize (GObject *object)
{
  PwProvider *self = PW_PROVIDER (object);
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  if (priv->api_key != NULL)
    memset (priv->api_key, 0, strlen (priv->api_key));
  g_free (priv->api_key);
  g_free (priv->base_url);
  g_free (priv->name);

  G_OBJECT_CLASS (pw_provider_parent_class)->finalize (object);
}

static void
pw_provider_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PwProvider *self = PW_PROVIDER (object);
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_int (value, priv->kind);
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, priv->base_url);
      break;
    case PROP_MODELS:
      g_value_set_object (value, priv->models);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_provider_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PwProvider *self = PW_PROVIDER (object);
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_KIND:
      priv->kind = g_value_get_int (value);
      break;
    case PROP_BASE_URL:
      g_free (priv->base_url);
      priv->base_url = g_value_dup_string (value);
      break;
    case PROP_API_KEY:
      g_free (priv->api_key);
      priv->api_key = g_value_dup_string (value);
      break;
    case PROP_MODELS:
      g_set_object (&priv->models, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_provider_class_init (PwProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pw_provider_constructed;
  object_class->dispose = pw_provider_dispose;
  object_class->finalize = pw_provider_finalize;
  object_class->get_property = pw_provider_get_property;
  object_class->set_property = pw_provider_set_property;

  klass->http_error = pw_provider_real_http_error;

  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, 0, PW_N_PROVIDERS - 1, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Write-only: the key never comes back out through a property. */
  properties[PROP_API_KEY] =
    g_param_spec_string ("api-key", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODELS] =
    g_param_spec_object ("models", NULL, NULL, PW_TYPE_MODELS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pw_provider_init (PwProvider *self)
{
}

PwProvider *
pw_provider_new (PwProviderKind  kind,
                 const char     *base_url,
                 const char     *api_key,
                 PwModels       *models)
{
  GType type;

  g_return_val_if_fail (kind < PW_N_PROVIDERS, NULL);
  g_return_val_if_fail (PW_IS_MODELS (models), NULL);

  switch (kind)
    {
    case PW_PROVIDER_ANTHROPIC:
      type = PW_TYPE_ANTHROPIC_PROVIDER;
      break;
    case PW_PROVIDER_OPENAI_RESPONSES:
      type = PW_TYPE_RESPONSES_PROVIDER;
      break;
    case PW_PROVIDER_OPENAI_CHAT:
    case PW_N_PROVIDERS:
    default:
      type = PW_TYPE_CHAT_PROVIDER;
      break;
    }
  return g_object_new (type,
                       "kind", (int) kind,
                       "base-url", base_url,
                       "api-key", (api_key != NULL && *api_key != '\0') ? api_key : NULL,
                       "models", models,
                       NULL);
}

PwProviderKind
pw_provider_get_kind (PwProvider *self)
{
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  g_return_val_if_fail (PW_IS_PROVIDER (self), PW_PROVIDER_ANTHROPIC);

  return priv->kind;
}

const char *
pw_provider_get_name (PwProvider *self)
{
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  g_return_val_if_fail (PW_IS_PROVIDER (self), NULL);

  return priv->name;
}

const char *
pw_provider_get_base_url (PwProvider *self)
{
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  g_return_val_if_fail (PW_IS_PROVIDER (self), NULL);

  return priv->base_url;
}

const char *
pw_provider_get_api_key (PwProvider *self)
{
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  return priv->api_key;
}

PwModels *
pw_provider_get_models (PwProvider *self)
{
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  return priv->models;
}

void
pw_provider_set_timeouts (PwProvider       *self,
                          const PwTimeouts *timeouts)
{
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  g_return_if_fail (PW_IS_PROVIDER (self));
  g_return_if_fail (timeouts != NULL);

  priv->timeouts = *timeouts;
}

void
pw_provider_set_retry_policy (PwProvider          *self,
                              const PwRetryPolicy *policy)
{
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  g_return_if_fail (PW_IS_PROVIDER (self));
  g_return_if_fail (policy != NULL);
  g_return_if_fail (policy->base_delay_ms >= 0 && policy->max_delay_ms >= 0 && policy->max_hint_ms >= 0);

  priv->policy = *policy;
}

SoupSession *
pw_provider_get_session (PwProvider *self)
{
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  return priv->session;
}

void
pw_provider_get_timeouts (PwProvider *self,
                          PwTimeouts *out_timeouts)
{
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  *out_timeouts = priv->timeouts;
}

void
pw_provider_get_retry_policy (PwProvider    *self,
                              PwRetryPolicy *out_policy)
{
  PwProviderPrivate *priv = pw_provider_get_instance_private (self);

  *out_policy = priv->policy;
}

void
pw_provider_add_bearer_auth (PwProvider         *self,
                             SoupMessageHeaders *headers)
{
  const char *key = pw_provider_get_api_key (self);

  if (key != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (headers, "Authorization", value);
      memset (value, 0, strlen (value));
    }
  soup_message_headers_replace (headers, "Accept", "application/json");
}
