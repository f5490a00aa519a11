/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Files written whole or not at all. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @len bytes to @dir/@name through a temporary file in @dir, fsync
 * and rename. @name must be a plain file name: no '/', not "." or "..".
 * Errors are in G_FILE_ERROR / G_IO_ERROR with a message naming the file. */
gboolean pw_fs_write_atomic   (const char  *dir,
                               const char  *name,
                               const char  *contents,
                               gsize        len,
                               GError     **error);
/* TRUE when @name is safe as a file name inside a directory */
gboolean pw_fs_is_plain_name  (const char  *name);

G_END_DECLS
