/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reading a context file: one open, checks on the open descriptor, a bounded read. */

#include "config.h"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pw-context-file.h"
#include "pw-paths.h"

G_DEFINE_QUARK (pw-context-error-quark, pw_context_error)

void
pw_context_file_free (PwContextFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_free (file->content);
  g_free (file->sha256);
  g_free (file);
}

static const char *
kind_of (mode_t mode)
{
  if (S_ISDIR (mode))
    return _("a folder");
  if (S_ISFIFO (mode))
    return _("a named pipe");
  if (S_ISSOCK (mode))
    return _("a socket");
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return _("a device");
  return _("not a regular file");
}

static void
set_open_error (GError     **error,
                const char  *path,
                int          err)
{
  struct stat st;

  switch (err)
    {
    case ENOENT:
    case ENOTDIR:
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_NOT_FOUND,
                   _("%s: no such file (check the path)"), path);
      break;
    case ELOOP:
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_SYMLINK,
                   _("%s is a symbolic link; links are not followed (give the file it points to)"), path);
      break;
    case EACCES:
    case EPERM:
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_PERMISSION,
                   _("%s: permission denied (make the file readable)"), path);
      break;
    case EISDIR:
    case ENXIO:
    case ENODEV:
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_NOT_REGULAR,
                   _("%s is %s; only regular text files can be added"),
                   path, lstat (path, &st) == 0 ? kind_of (st.st_mode) : _("not a regular file"));
      break;
    default:
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_IO,
                   _("Could not open %s: %s"), path, g_strerror (err));
      break;
    }
}

PwContextFile *
pw_context_file_read (const char  *path,
                      gsize        max_bytes,
                      GError     **error)
{
  g_autoptr(PwContextFile) file = NULL;
  g_autofree char *buf = NULL;
  g_autofree char *abs = NULL;
  struct stat st;
  gsize len = 0;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  abs = pw_paths_absolute (path);

  /* O_NONBLOCK: a FIFO must not hang the open; O_NOFOLLOW: no links. */
  fd = open (abs, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    {
      set_open_error (error, path, errno);
      return NULL;
    }

  if (fstat (fd, &st) != 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_IO,
                   _("Could not read %s: %s"), path, g_strerror (saved));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_NOT_REGULAR,
                   _("%s is %s; only regular text files can be added"), path, kind_of (st.st_mode));
      return NULL;
    }
  if ((guint64) st.st_size > max_bytes)
    {
      close (fd);
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_TOO_LARGE,
                   _("%s is too large (%" PRIu64 " bytes; the limit is %zu"
                     " bytes — add an excerpt, or raise max-file-bytes in settings.ini)"),
                   path, (guint64) st.st_size, max_bytes);
      return NULL;
    }

  /* Read at most one byte past the cap: the file may grow after fstat. */
  buf = g_malloc (max_bytes + 2);
  while (len <= max_bytes)
    {
      ssize_t n = read (fd, buf + len, max_bytes + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_IO,
                       _("Could not read %s: %s"), path, g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      len += n;
    }
  close (fd);
  buf[len] = '\0';

  if (len > max_bytes)
    {
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_TOO_LARGE,
                   _("%s is too large (more than %zu"
                     " bytes — add an excerpt, or raise max-file-bytes in settings.ini)"),
                   path, max_bytes);
      return NULL;
    }
  if (len == 0)
    {
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_EMPTY,
                   _("%s is empty; there is nothing to add"), path);
      return NULL;
    }
  /* With an explicit length, a NUL byte fails validation too. */
  if (!g_utf8_validate_len (buf, len, NULL))
    {
      g_set_error (error, PW_CONTEXT_ERROR, PW_CONTEXT_ERROR_NOT_UTF8,
                   _("%s is not UTF-8 text (binary files and other encodings are not supported; convert it with iconv)"),
                   path);
      return NULL;
    }

  file = g_new0 (PwContextFile, 1);
  file->path = g_steal_pointer (&abs);
  file->size = len;
  file->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) buf, len);
  file->content = g_steal_pointer (&buf);
  return g_steal_pointer (&file);
}
