/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small text helpers shared by the layers above. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The first @max_chars characters of the UTF-8 string @str (all of it when
 * shorter). g_utf8_substring reads past the end of a shorter string. */
char *pw_utf8_prefix (const char *str,
                      glong       max_chars);

G_END_DECLS
