/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pw_context_file_read against every kind of file the CLI must refuse. */

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "pw-context-file.h"

/* Logs every failure (g_test_fail_printf keeps only the last message)
 * and marks the test failed without stopping it. */
static void G_GNUC_PRINTF (1, 2)
report_failure (const char *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("FAILED: %s", message);
  g_test_fail_printf ("%s", message);
}

/* A fresh directory for this test's files (the isolated XDG dirs are
 * new for every test). */
static char *
test_dir (void)
{
  char *dir = g_build_filename (g_get_user_data_dir (), "context-files", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static char *
write_file (const char *name,
            const char *contents,
            gssize      len)
{
  g_autofree char *dir = test_dir ();
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

/* Reads @path expecting @code, and checks that the message names it. */
static void
assert_refused (const char *path,
                gsize       max_bytes,
                int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwContextFile) file = NULL;

  file = pw_context_file_read (path, max_bytes, &error);
  g_assert_error (error, PW_CONTEXT_ERROR, code);
  g_assert_null (file);
  g_assert_nonnull (error->message);
  if (strstr (error->message, path) == NULL)
    report_failure ("error \"%s\" does not name %s", error->message, path);
}

static void
assert_read_exactly (const char *path,
                     const char *contents,
                     gsize       len,
                     gsize       max_bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwContextFile) file = NULL;
  g_autofree char *sha = NULL;

  file = pw_context_file_read (path, max_bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (file);
  g_assert_cmpuint (file->size, ==, len);
  g_assert_nonnull (file->content);
  g_assert_cmpmem (file->content, file->size, contents, len);
  g_assert_cmpint (file->content[len], ==, '\0');

  sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  g_assert_cmpstr (file->sha256, ==, sha);
}

static void
test_good_utf8 (void)
{
  /* CRLF, multibyte characters and no final newline: bytes are kept
   * exactly, nothing is normalised. */
  static const char contents[] = "# Grüße\r\nline two — ✓\n\ttabbed\r\nno final newline";
  g_autofree char *path = write_file ("good.md", contents, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwContextFile) file = NULL;

  assert_read_exactly (path, contents, strlen (contents), PW_CONTEXT_DEFAULT_MAX_BYTES);

  file = pw_context_file_read (path, PW_CONTEXT_DEFAULT_MAX_BYTES, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (file->path, ==, path);
  g_assert_true (g_path_is_absolute (file->path));
  /* sha256 is lowercase hex, 64 digits */
  g_assert_cmpuint (strlen (file->sha256), ==, 64);
  for (const char *c = file->sha256; *c != '\0'; c++)
    g_assert_true (g_ascii_isdigit (*c) || (*c >= 'a' && *c <= 'f'));
}

static void
test_relative_path (void)
{
  g_autofree char *path = write_file ("relative.txt", "relative\n", -1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *old_cwd = g_get_current_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PwContextFile) file = NULL;

  g_assert_cmpint (g_chdir (dir), ==, 0);
  file = pw_context_file_read ("relative.txt", PW_CONTEXT_DEFAULT_MAX_BYTES, &error);
  g_assert_cmpint (g_chdir (old_cwd), ==, 0);

  g_assert_no_error (error);
  g_assert_nonnull (file);
  g_assert_true (g_path_is_absolute (file->path));
  g_assert_cmpstr (file->path, ==, path);
  g_assert_cmpstr (file->content, ==, "relative\n");
}

static void
test_missing (void)
{
  g_autofree char *dir = test_dir ();
  g_autofree char *path = g_build_filename (dir, "no-such-file.txt", NULL);

  assert_refused (path, PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_NOT_FOUND);
}

static void
test_directory (void)
{
  g_autofree char *dir = test_dir ();

  assert_refused (dir, PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_NOT_REGULAR);
}

static void
test_symlink (void)
{
  g_autofree char *target = write_file ("target.txt", "the target\n", -1);
  g_autofree char *dir = g_path_get_dirname (target);
  g_autofree char *link = g_build_filename (dir, "link.txt", NULL);
  g_autofree char *dangling = g_build_filename (dir, "dangling.txt", NULL);

  g_assert_cmpint (symlink (target, link), ==, 0);
  assert_refused (link, PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_SYMLINK);

  /* Not NOT_FOUND: the name exists, it is a link. */
  g_assert_cmpint (symlink ("nowhere.txt", dangling), ==, 0);
  assert_refused (dangling, PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_SYMLINK);
}

static void
test_fifo (void)
{
  /* A FIFO with no writer blocks open(2) for reading; run it in a child
   * that is killed after a few seconds, so a hang fails instead of
   * stalling the suite. */
  if (g_test_subprocess ())
    {
      g_autofree char *dir = test_dir ();
      g_autofree char *path = g_build_filename (dir, "pipe", NULL);

      g_assert_cmpint (mkfifo (path, 0600), ==, 0);
      assert_refused (path, PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_NOT_REGULAR);
      return;
    }

  g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_dev_null (void)
{
  if (!g_file_test ("/dev/null", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/null here");
      return;
    }
  assert_refused ("/dev/null", PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_NOT_REGULAR);
}

static void
test_binary_nul (void)
{
  static const char contents[] = "text\0more text\n";
  g_autofree char *path = write_file ("binary.bin", contents, sizeof contents - 1);

  assert_refused (path, PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_NOT_UTF8);
}

static void
test_binary_png (void)
{
  static const char contents[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
  g_autofree char *path = write_file ("image.png", contents, sizeof contents - 1);

  assert_refused (path, PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_NOT_UTF8);
}

static void
test_latin1 (void)
{
  g_autofree char *path = write_file ("latin1.txt", "caf\xe9 cr\xe8me\n", -1);

  assert_refused (path, PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_NOT_UTF8);
}

static void
test_empty (void)
{
  g_autofree char *path = write_file ("empty.txt", "", 0);

  assert_refused (path, PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_EMPTY);
}

static void
test_size_cap_small (void)
{
  g_autofree char *exact = write_file ("exact.txt", "0123456789abcdef", 16);
  g_autofree char *over = write_file ("over.txt", "0123456789abcdefg", 17);

  assert_read_exactly (exact, "0123456789abcdef", 16, 16);
  assert_refused (over, 16, PW_CONTEXT_ERROR_TOO_LARGE);
}

static void
test_size_cap_default (void)
{
  gsize max = PW_CONTEXT_DEFAULT_MAX_BYTES;
  g_autofree char *big = g_malloc (max + 1);
  g_autofree char *exact = NULL;
  g_autofree char *over = NULL;

  g_assert_cmpuint (max, ==, 1024 * 1024);
  for (gsize i = 0; i < max + 1; i++)
    big[i] = (i % 64 == 63) ? '\n' : 'a' + (i % 26);

  exact = write_file ("exact-1mib.txt", big, max);
  over = write_file ("over-1mib.txt", big, max + 1);

  assert_read_exactly (exact, big, max, max);
  assert_refused (over, max, PW_CONTEXT_ERROR_TOO_LARGE);
}

static void
test_multibyte_at_cap (void)
{
  /* "é" is two bytes: four of them are eight bytes, under a cap of 8. */
  g_autofree char *path = write_file ("accents.txt", "éééé", -1);

  assert_read_exactly (path, "éééé", 8, 8);
  assert_refused (path, 7, PW_CONTEXT_ERROR_TOO_LARGE);
}

static void
test_unreadable (void)
{
  g_autofree char *path = NULL;

  if (geteuid () == 0)
    {
      g_test_skip ("running as root: root reads a file with mode 000");
      return;
    }

  path = write_file ("secret.txt", "secret\n", -1);
  g_assert_cmpint (g_chmod (path, 0), ==, 0);
  assert_refused (path, PW_CONTEXT_DEFAULT_MAX_BYTES, PW_CONTEXT_ERROR_PERMISSION);
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/context-file/good-utf8", test_good_utf8);
  g_test_add_func ("/context-file/relative-path", test_relative_path);
  g_test_add_func ("/context-file/missing", test_missing);
  g_test_add_func ("/context-file/directory", test_directory);
  g_test_add_func ("/context-file/symlink", test_symlink);
  g_test_add_func ("/context-file/fifo", test_fifo);
  g_test_add_func ("/context-file/dev-null", test_dev_null);
  g_test_add_func ("/context-file/binary-nul", test_binary_nul);
  g_test_add_func ("/context-file/binary-png", test_binary_png);
  g_test_add_func ("/context-file/latin1", test_latin1);
  g_test_add_func ("/context-file/empty", test_empty);
  g_test_add_func ("/context-file/size-cap/small", test_size_cap_small);
  g_test_add_func ("/context-file/size-cap/default", test_size_cap_default);
  g_test_add_func ("/context-file/size-cap/multibyte", test_multibyte_at_cap);
  g_test_add_func ("/context-file/unreadable", test_unreadable);

  return g_test_run ();
}
