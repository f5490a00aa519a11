/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The core's compiled-in data. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void pw_core_ensure_resources (void);

G_END_DECLS
