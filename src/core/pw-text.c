/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small text helpers shared by the layers above. */

#include "config.h"

#include "pw-text.h"

char *
pw_utf8_prefix (const char *str,
                glong       max_chars)
{
  const char *p = str;

  g_return_val_if_fail (str != NULL, NULL);

  for (glong i = 0; i < max_chars && *p; i++)
    p = g_utf8_next_char (p);
  return g_strndup (str, p - str);
}
