/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Files written whole or not at all: temp file, fsync, rename, fsync of the folder. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pw-fs.h"

gboolean
pw_fs_is_plain_name (const char *name)
{
  if (name == NULL || name[0] == '\0')
    return FALSE;
  if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return FALSE;
  /* A backslash is no separator here, but a name holding one would be a
   * path on Windows file systems mounted over SMB, and nothing of ours
   * generates one. */
  if (strchr (name, '/') != NULL || strchr (name, '\\') != NULL)
    return FALSE;
  return TRUE;
}

/* Fills @error from @saved_errno for writing @path; a full disk gets a
 * message of its own because it is the one failure the user can fix at
 * once. */
static void
set_write_error (GError     **error,
                 int          saved_errno,
                 const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  if (saved_errno == ENOSPC)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                 _("Could not write “%s”: the disk is full (free some space and try again)"),
                 display);
#ifdef EDQUOT
  else if (saved_errno == EDQUOT)
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 _("Could not write “%s”: the disk quota is used up (free some space and try again)"),
                 display);
#endif
  else
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 _("Could not write “%s”: %s (check that the folder exists and is writable)"),
                 display, g_strerror (saved_errno));
}

static gboolean
write_all (int          fd,
           const char  *contents,
           gsize        len,
           int         *out_errno)
{
  while (len > 0)
    {
      /* Some kernels refuse single writes above SSIZE_MAX; 1 GiB chunks
       * stay well inside every limit. */
      gsize chunk = MIN (len, (gsize) 1 << 30);
      gssize n = write (fd, contents, chunk);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          *out_errno = errno;
          return FALSE;
        }
      if (n == 0)
        {
          /* write(2) returns 0 only for a zero length; treat it as the
           * device being full rather than spin. */
          *out_errno = ENOSPC;
          return FALSE;
        }
      contents += n;
      len -= (gsize) n;
    }

  return TRUE;
}

static int
fsync_retry (int fd)
{
  int r;

  do
    r = fsync (fd);
  while (r < 0 && errno == EINTR);

  return r;
}

/* After the rename the new name lives in the directory's data; without
 * this a crash can bring the old file back. */
static gboolean
fsync_directory (const char  *dir,
                 const char  *target,
                 GError     **error)
{
  int fd;
  int saved_errno;

  fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    {
      saved_errno = errno;
      goto fail;
    }

  if (fsync_retry (fd) < 0)
    {
      saved_errno = errno;
      close (fd);
      /* Some file systems cannot sync a directory at all; the rename is
       * then as durable as that file system makes it. */
      if (saved_errno == EINVAL || saved_errno == ENOTSUP || saved_errno == EBADF)
        return TRUE;
      goto fail;
    }

  close (fd);
  return TRUE;

fail:
  {
    g_autofree char *display = g_filename_display_name (target);

    /* The file itself is complete; only its durability is in doubt. */
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 _("Wrote “%s” but could not flush its folder to disk: %s (check the disk, then write it again)"),
                 display, g_strerror (saved_errno));
    return FALSE;
  }
}

gboolean
pw_fs_write_atomic (const char  *dir,
                    const char  *name,
                    const char  *contents,
                    gsize        len,
                    GError     **error)
{
  g_autofree char *target = NULL;
  g_autofree char *tmp_name = NULL;
  g_autofree char *tmp_path = NULL;
  int fd;
  int saved_errno = 0;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (contents != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!pw_fs_is_plain_name (name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("Refusing to write “%s”: not a plain file name (use a name without “/” that is not “.” or “..”)"),
                   name != NULL ? name : "(null)");
      return FALSE;
    }

  target = g_build_filename (dir, name, NULL);
  tmp_name = g_strdup_printf (".%s.XXXXXX", name);
  tmp_path = g_build_filename (dir, tmp_name, NULL);

  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      set_write_error (error, errno, target);
      return FALSE;
    }

  if (!write_all (fd, contents, len, &saved_errno))
    goto fail_open;

  if (fsync_retry (fd) < 0)
    {
      saved_errno = errno;
      goto fail_open;
    }

  /* close(2) can report a deferred write error (NFS, quotas). */
  if (close (fd) < 0 && errno != EINTR)
    {
      saved_errno = errno;
      goto fail_closed;
    }

  if (rename (tmp_path, target) < 0)
    {
      saved_errno = errno;
      goto fail_closed;
    }

  return fsync_directory (dir, target, error);

fail_open:
  close (fd);
fail_closed:
  g_unlink (tmp_path);
  set_write_error (error, saved_errno, target);
  return FALSE;
}
