/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the exports: CSV quoting, names, atomic writes, chat.csv, the context summary and plan drafts. */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pw-export.h"
#include "pw-fs.h"
#include "pw-store.h"
#include "pw-test-export.h"

/* ------------------------------------------------------------------ */
/* CSV                                                                */
/* ------------------------------------------------------------------ */

static char *
csv_field (const char *field)
{
  GString *out = g_string_new (NULL);

  pw_csv_append_field (out, field);
  return g_string_free (out, FALSE);
}

static void
test_csv_field (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "plain", "plain" },
    { "", "" },
    { "with space", "with space" },
    { "ünïcödé — ok", "ünïcödé — ok" },
    { "semi;colon\ttab", "semi;colon\ttab" },
    { "a,b", "\"a,b\"" },
    { "say \"hi\"", "\"say \"\"hi\"\"\"" },
    { "\"", "\"\"\"\"" },
    { "line\nbreak", "\"line\nbreak\"" },
    { "carriage\rreturn", "\"carriage\rreturn\"" },
    { "crlf\r\nend", "\"crlf\r\nend\"" },
    { "all: , \" \r \n", "\"all: , \"\" \r \n\"" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = csv_field (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }

  {
    g_autofree char *out = csv_field (NULL);

    g_assert_cmpstr (out, ==, "");
  }

  {
    /* Appends, never replaces. */
    GString *out = g_string_new ("x,");

    pw_csv_append_field (out, "y,z");
    g_assert_cmpstr (out->str, ==, "x,\"y,z\"");
    g_string_free (out, TRUE);
  }
}

static PwMessage *
message_new (gint64      id,
             const char *role,
             const char *content,
             const char *created_at)
{
  PwMessage *m = g_new0 (PwMessage, 1);

  m->id = id;
  m->role = g_strdup (role);
  m->content = g_strdup (content);
  m->created_at = g_strdup (created_at);
  return m;
}

static void
test_csv_chat (void)
{
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_message_free);
  g_autofree char *csv = NULL;
  g_autofree char *empty = NULL;

  /* Out of order on purpose: rows follow the ids. */
  g_ptr_array_add (messages, message_new (12, "assistant", "Sure, \"quoted\"\nnext line", "2025-01-02T03:04:06.000Z"));
  g_ptr_array_add (messages, message_new (3, "user", "Hello", "2025-01-02T03:04:05.000Z"));

  csv = pw_export_chat_csv (messages);
  g_assert_cmpstr (csv, ==,
                   "id,timestamp,role,content\r\n"
                   "3,2025-01-02T03:04:05.000Z,user,Hello\r\n"
                   "12,2025-01-02T03:04:06.000Z,assistant,\"Sure, \"\"quoted\"\"\nnext line\"\r\n");
  /* No byte-order mark */
  g_assert_cmpint ((guchar) csv[0], ==, 'i');
  /* The caller's array is left as it was. */
  g_assert_cmpint (((PwMessage *) g_ptr_array_index (messages, 0))->id, ==, 12);

  empty = pw_export_chat_csv (NULL);
  g_assert_cmpstr (empty, ==, "id,timestamp,role,content\r\n");
}

/* ------------------------------------------------------------------ */
/* Names and atomic writes                                            */
/* ------------------------------------------------------------------ */

static void
test_sanitize (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "demo", "demo" },
    { "My Project", "My_Project" },
    { "a-b_c.d", "a-b_c.d" },
    { "../x", "___x" },
    { "a/b", "a_b" },
    { "a\\b", "a_b" },
    { "..", "__" },
    { ".", "_" },
    { ".hidden", "_hidden" },
    { "...x.y", "___x.y" },
    { "", "plan" },
    { "café", "caf__" },
    { "x\ny", "x_y" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = pw_export_sanitize_name (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_true (pw_fs_is_plain_name (out));
    }

  {
    g_autofree char *out = pw_export_sanitize_name (NULL);

    g_assert_cmpstr (out, ==, "plan");
  }

  {
    /* Long names are cut so that "<name>.md.bak-<stamp>" still fits. */
    g_autofree char *long_name = g_strnfill (1000, 'x');
    g_autofree char *out = pw_export_sanitize_name (long_name);

    g_assert_cmpuint (strlen (out), <=, 200);
    g_assert_cmpuint (strlen (out), >, 0);
  }
}

static void
test_fs_plain_name (void)
{
  g_assert_true (pw_fs_is_plain_name ("chat.csv"));
  g_assert_true (pw_fs_is_plain_name (".hidden"));
  g_assert_true (pw_fs_is_plain_name ("..."));
  g_assert_true (pw_fs_is_plain_name ("a..b"));
  g_assert_false (pw_fs_is_plain_name (NULL));
  g_assert_false (pw_fs_is_plain_name (""));
  g_assert_false (pw_fs_is_plain_name ("."));
  g_assert_false (pw_fs_is_plain_name (".."));
  g_assert_false (pw_fs_is_plain_name ("../x"));
  g_assert_false (pw_fs_is_plain_name ("a/b"));
  g_assert_false (pw_fs_is_plain_name ("/abs"));
  g_assert_false (pw_fs_is_plain_name ("dir/"));
  g_assert_false (pw_fs_is_plain_name ("a\\b"));
}

static char *
make_test_dir (const char *name)
{
  char *dir = g_build_filename (g_get_user_data_dir (), name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static void
test_fs_write_atomic (void)
{
  g_autofree char *dir = make_test_dir ("atomic");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gsize len = 0;

  g_assert_true (pw_fs_write_atomic (dir, "a.txt", "first", 5, &error));
  g_assert_no_error (error);
  contents = pw_test_read_file (dir, "a.txt");
  g_assert_cmpstr (contents, ==, "first");
  g_clear_pointer (&contents, g_free);

  /* Replaces, and takes @len bytes, not up to a NUL */
  g_assert_true (pw_fs_write_atomic (dir, "a.txt", "second\0tail", 11, &error));
  g_assert_no_error (error);
  {
    g_autofree char *path = g_build_filename (dir, "a.txt", NULL);

    g_assert_true (g_file_get_contents (path, &contents, &len, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (len, ==, 11);
    g_assert_cmpmem (contents, len, "second\0tail", 11);
    g_clear_pointer (&contents, g_free);
  }

  /* Empty contents */
  g_assert_true (pw_fs_write_atomic (dir, "empty", NULL, 0, &error));
  g_assert_no_error (error);
  contents = pw_test_read_file (dir, "empty");
  g_assert_cmpstr (contents, ==, "");
  g_clear_pointer (&contents, g_free);

  /* A bigger file goes through the loop in one piece. */
  {
    gsize big_len = 3 * 1024 * 1024 + 7;
    g_autofree char *big = g_malloc (big_len);
    g_autofree char *path = g_build_filename (dir, "big", NULL);

    for (gsize i = 0; i < big_len; i++)
      big[i] = (char) ('a' + i % 26);
    g_assert_true (pw_fs_write_atomic (dir, "big", big, big_len, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (path, &contents, &len, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (contents, len, big, big_len);
    g_clear_pointer (&contents, g_free);
  }

  /* No temporary file left behind */
  entries = pw_test_list_dir (dir);
  g_ptr_array_sort (entries, pw_test_compare_strings);
  {
    g_autofree char *joined = pw_test_join_names (entries);

    g_assert_cmpstr (joined, ==, "a.txt big empty");
  }
}

static void
test_fs_write_atomic_refuses (void)
{
  static const char *bad[] = { "../x", "a/b", ".", "..", "", "a\\b", "/etc/passwd" };
  g_autofree char *dir = make_test_dir ("refuse/inner");
  g_autofree char *parent = g_path_get_dirname (dir);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (pw_fs_write_atomic (dir, bad[i], "x", 1, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (pw_fs_write_atomic (dir, NULL, "x", 1, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME);
  }

  /* Nothing was created, neither inside nor next to the folder. */
  {
    g_autoptr(GPtrArray) inside = pw_test_list_dir (dir);
    g_autoptr(GPtrArray) beside = pw_test_list_dir (parent);
    g_autofree char *joined = pw_test_join_names (beside);

    g_assert_cmpuint (inside->len, ==, 0);
    g_assert_cmpstr (joined, ==, "inner");
  }
}

static void
test_fs_write_atomic_failures (void)
{
  g_autofree char *dir = make_test_dir ("failures");
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", NULL);
  g_autofree char *blocker = g_build_filename (dir, "taken", "child", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  /* A missing folder: the message names the file. */
  g_assert_false (pw_fs_write_atomic (missing, "out.md", "x", 1, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "out.md"));
  g_clear_error (&error);

  /* The target is a non-empty folder: the rename fails after the temp
   * file was written, and the temp file must go. */
  g_assert_cmpint (g_mkdir_with_parents (blocker, 0700), ==, 0);
  g_assert_false (pw_fs_write_atomic (dir, "taken", "x", 1, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == G_FILE_ERROR);
  g_assert_nonnull (strstr (error->message, "taken"));
  g_clear_error (&error);

  entries = pw_test_list_dir (dir);
  {
    g_autofree char *joined = pw_test_join_names (entries);

    g_assert_cmpstr (joined, ==, "taken");
  }
}

/* ------------------------------------------------------------------ */
/* pw_export_session                                                  */
/* ------------------------------------------------------------------ */

static void
test_export_empty (PwTestFixture *f,
                   gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "empty");
  g_autoptr(GPtrArray) names = pw_test_export_to (f, dir);
  g_autofree char *csv = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *title = NULL;

  pw_test_assert_names (names, "chat.csv context-summary.md");
  pw_test_assert_dir_holds_exactly (dir, names);

  csv = pw_test_read_file (dir, "chat.csv");
  g_assert_cmpstr (csv, ==, "id,timestamp,role,content\r\n");

  summary = pw_test_read_file (dir, "context-summary.md");
  title = g_strdup_printf ("# Context Summary — Session %s\n", f->id);
  g_assert_cmpstr (summary, ==, title);
}

static void
test_export_drafts (PwTestFixture *f,
                    gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "drafts");
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *d1 = NULL;
  g_autofree char *d2 = NULL;
  g_auto(GStrv) rows = NULL;
  gint64 m1, m2;

  m1 = pw_test_add_message (f, "user", "First");
  m2 = pw_test_add_message (f, "assistant", "Second");
  pw_test_add_context (f, "file", "/src/main.c", "int main;");
  pw_test_add_context (f, "note", "note-1", "Remember");
  pw_test_add_draft (f, "# Plan one\n", "planner", -1);
  pw_test_add_draft (f, "# Plan two", "user", -1);

  names = pw_test_export_to (f, dir);
  pw_test_assert_names (names, "chat.csv context-summary.md plan-draft-1.md plan-draft-2.md");
  pw_test_assert_dir_holds_exactly (dir, names);

  csv = pw_test_read_file (dir, "chat.csv");
  rows = g_strsplit (csv, "\r\n", -1);
  /* header, 2 rows, and the empty string after the last CRLF */
  g_assert_cmpuint (g_strv_length (rows), ==, 4);
  g_assert_cmpstr (rows[0], ==, "id,timestamp,role,content");
  {
    g_autofree char *p1 = g_strdup_printf ("%" G_GINT64_FORMAT ",", m1);
    g_autofree char *p2 = g_strdup_printf ("%" G_GINT64_FORMAT ",", m2);

    g_assert_true (g_str_has_prefix (rows[1], p1));
    g_assert_true (g_str_has_suffix (rows[1], ",user,First"));
    g_assert_true (g_str_has_prefix (rows[2], p2));
    g_assert_true (g_str_has_suffix (rows[2], ",assistant,Second"));
  }
  g_assert_cmpstr (rows[3], ==, "");

  summary = pw_test_read_file (dir, "context-summary.md");
  g_assert_nonnull (strstr (summary, "\n## Files\n"));
  g_assert_nonnull (strstr (summary, "\n## Notes\n"));
  g_assert_null (strstr (summary, "## Syntheses"));

  /* Drafts are raw: no newline added or removed */
  d1 = pw_test_read_file (dir, "plan-draft-1.md");
  d2 = pw_test_read_file (dir, "plan-draft-2.md");
  g_assert_cmpstr (d1, ==, "# Plan one\n");
  g_assert_cmpstr (d2, ==, "# Plan two");
}

static void
test_export_errors (PwTestFixture *f,
                    gconstpointer  data)
{
  g_autofree char *dir = pw_test_export_dir (f, "errors");
  g_autofree char *file = g_build_filename (f->root, "a-file", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;

  names = pw_export_session (f->store, "ffffffff", dir, &error);
  g_assert_null (names);
  g_assert_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* A failed read writes nothing, not even the folder. */
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  /* The output "folder" is a file */
  g_assert_true (g_file_set_contents (file, "x", 1, &error));
  g_assert_no_error (error);
  names = pw_export_session (f->store, f->id, file, &error);
  g_assert_null (names);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_assert_nonnull (strstr (error->message, "a-file"));
}

static void
test_export_creates_directories (PwTestFixture *f,
                                 gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->root, "deep", "er", "still", NULL);
  g_autoptr(GPtrArray) names = pw_test_export_to (f, dir);
  GStatBuf st;

  pw_test_assert_dir_holds_exactly (dir, names);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  /* Chats are private: the folder is the user's alone. */
  g_assert_cmpint (st.st_mode & 0077, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/export/csv/field", test_csv_field);
  g_test_add_func ("/export/csv/chat", test_csv_chat);
  g_test_add_func ("/export/sanitize", test_sanitize);
  g_test_add_func ("/fs/plain-name", test_fs_plain_name);
  g_test_add_func ("/fs/write-atomic", test_fs_write_atomic);
  g_test_add_func ("/fs/write-atomic/refuses", test_fs_write_atomic_refuses);
  g_test_add_func ("/fs/write-atomic/failures", test_fs_write_atomic_failures);

#define ADD(path, func) \
  g_test_add (path, PwTestFixture, NULL, pw_test_fixture_set_up, func, pw_test_fixture_tear_down)

  ADD ("/export/session/empty", test_export_empty);
  ADD ("/export/session/drafts", test_export_drafts);
  ADD ("/export/session/errors", test_export_errors);
  ADD ("/export/session/creates-directories", test_export_creates_directories);

#undef ADD

  return g_test_run ();
}
