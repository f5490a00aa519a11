/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Registers the core's compiled-in data (schema SQL, models table). */

#include "config.h"

#include "pw-core-resources.h"
#include "pw-resources.h"

void
pw_core_ensure_resources (void)
{
  static gsize done = 0;

  /* Registered by hand: a constructor in a static library is dropped by
   * the linker when nothing refers to its object file. */
  if (g_once_init_enter (&done))
    {
      pw_core_register_resource ();
      g_once_init_leave (&done, 1);
    }
}
