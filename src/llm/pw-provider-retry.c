/* SPDX-License-Identifier: GPL-3.0-or-later */
/* When a failed attempt is worth another one, and how long to wait: the official SDKs' policy (PROTOCOLS.md §4). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "pw-provider-private.h"

int
pw_retry_header_override (SoupMessageHeaders *headers)
{
  const char *value = headers != NULL ? soup_message_headers_get_one (headers, "x-should-retry") : NULL;

  if (value == NULL)
    return -1;
  if (g_ascii_strcasecmp (value, "true") == 0)
    return 1;
  if (g_ascii_strcasecmp (value, "false") == 0)
    return 0;
  return -1;
}

gboolean
pw_retry_status_is_retryable (guint status)
{
  return status == 408 || status == 409 || status == 429 || status >= 500;
}

gboolean
pw_retry_code_is_transient (PwProviderError code)
{
  switch (code)
    {
    case PW_PROVIDER_ERROR_RATE_LIMITED:
    case PW_PROVIDER_ERROR_OVERLOADED:
    case PW_PROVIDER_ERROR_SERVER:
    case PW_PROVIDER_ERROR_NETWORK:
    case PW_PROVIDER_ERROR_TIMEOUT:
    case PW_PROVIDER_ERROR_STALLED:
    case PW_PROVIDER_ERROR_TRUNCATED:
      return TRUE;
    case PW_PROVIDER_ERROR_FAILED:
    case PW_PROVIDER_ERROR_AUTH:
    case PW_PROVIDER_ERROR_QUOTA:
    case PW_PROVIDER_ERROR_BAD_REQUEST:
    case PW_PROVIDER_ERROR_CONTEXT_TOO_LONG:
    case PW_PROVIDER_ERROR_PROTOCOL:
    default:
      return FALSE;
    }
}

static gboolean
parse_number (const char *value,
              double     *out)
{
  char *end = NULL;
  double number;

  while (g_ascii_isspace (*value))
    value++;
  if (*value == '\0')
    return FALSE;
  number = g_ascii_strtod (value, &end);
  while (end != NULL && g_ascii_isspace (*end))
    end++;
  if (end == NULL || *end != '\0' || !isfinite (number) || number < 0)
    return FALSE;
  *out = number;
  return TRUE;
}

gint64
pw_retry_parse_hint (SoupMessageHeaders *headers)
{
  const char *ms_value;
  const char *value;
  double number;

  if (headers == NULL)
    return -1;

  ms_value = soup_message_headers_get_one (headers, "retry-after-ms");
  if (ms_value != NULL && parse_number (ms_value, &number))
    return (gint64) ceil (MIN (number, (double) G_MAXINT32));

  value = soup_message_headers_get_one (headers, "retry-after");
  if (value == NULL)
    return -1;
  if (parse_number (value, &number))
    return (gint64) ceil (MIN (number * 1000.0, (double) G_MAXINT64 / 2));

  {
    g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);
    g_autoptr(GDateTime) now = NULL;

    if (when == NULL)
      return -1;
    now = g_date_time_new_now_utc ();
    return MAX (g_date_time_difference (when, now) / 1000, 0);
  }
}

gint64
pw_retry_backoff_ms (const PwRetryPolicy *policy,
                     guint                retries_done)
{
  double delay = (double) policy->base_delay_ms * pow (2.0, MIN (retries_done, 30));
  double jitter = 1.0 - g_random_double_range (0.0, 0.25);

  delay = MIN (delay, (double) policy->max_delay_ms);
  return (gint64) (delay * jitter);
}

const char *
pw_retry_reason (PwProviderError code)
{
  switch (code)
    {
    case PW_PROVIDER_ERROR_RATE_LIMITED:
      return _("Rate limited");
    case PW_PROVIDER_ERROR_OVERLOADED:
      return _("Server overloaded");
    case PW_PROVIDER_ERROR_SERVER:
      return _("Server error");
    case PW_PROVIDER_ERROR_NETWORK:
      return _("Connection failed");
    case PW_PROVIDER_ERROR_TIMEOUT:
      return _("No answer in time");
    case PW_PROVIDER_ERROR_STALLED:
      return _("Stream stalled");
    case PW_PROVIDER_ERROR_TRUNCATED:
      return _("Stream cut off");
    case PW_PROVIDER_ERROR_FAILED:
    case PW_PROVIDER_ERROR_AUTH:
    case PW_PROVIDER_ERROR_QUOTA:
    case PW_PROVIDER_ERROR_BAD_REQUEST:
    case PW_PROVIDER_ERROR_CONTEXT_TOO_LONG:
    case PW_PROVIDER_ERROR_PROTOCOL:
    default:
      return _("The server asked for a retry");
    }
}
