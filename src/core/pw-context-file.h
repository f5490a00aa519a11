/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading a context file safely: regular, UTF-8, under the size cap. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PW_CONTEXT_ERROR (pw_context_error_quark ())

typedef enum {
  PW_CONTEXT_ERROR_NOT_FOUND,
  PW_CONTEXT_ERROR_SYMLINK,
  PW_CONTEXT_ERROR_NOT_REGULAR,  /* directory, device, FIFO, socket */
  PW_CONTEXT_ERROR_PERMISSION,
  PW_CONTEXT_ERROR_TOO_LARGE,
  PW_CONTEXT_ERROR_EMPTY,
  PW_CONTEXT_ERROR_NOT_UTF8,     /* binary or another encoding */
  PW_CONTEXT_ERROR_IO,
} PwContextError;

GQuark pw_context_error_quark (void);

#define PW_CONTEXT_DEFAULT_MAX_BYTES (1024 * 1024)

typedef struct {
  char  *path;      /* absolute, as given (links not resolved) */
  char  *content;   /* NUL-terminated UTF-8, exactly the file's bytes */
  gsize  size;
  char  *sha256;    /* lowercase hex */
} PwContextFile;

void           pw_context_file_free (PwContextFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwContextFile, pw_context_file_free)

PwContextFile *pw_context_file_read (const char  *path,
                                     gsize        max_bytes,
                                     GError     **error);

G_END_DECLS
