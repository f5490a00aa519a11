/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helpers for the exports: a store with one session in a folder of its own,
 * filling it, and reading back what an export wrote. */

#include "pw-test-export.h"

void
pw_test_fixture_set_up (PwTestFixture *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;

  f->root = g_build_filename (g_get_user_data_dir (), "export-test", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->root, 0700), ==, 0);

  db = g_build_filename (f->root, "planwright.db", NULL);
  f->store = pw_store_open (db, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
  g_object_add_weak_pointer (G_OBJECT (f->store), (gpointer *) &f->store);

  g_assert_true (pw_store_create_session (f->store, "demo", NULL, "{}", &f->id, &error));
  g_assert_no_error (error);
}

void
pw_test_fixture_tear_down (PwTestFixture *f,
                           gconstpointer  data)
{
  g_object_unref (f->store);
  /* Nothing else may hold the store. */
  g_assert_null (f->store);
  g_free (f->root);
  g_free (f->id);
}

gint64
pw_test_add_message (PwTestFixture *f,
                     const char    *role,
                     const char    *content)
{
  g_autoptr(GError) error = NULL;
  gint64 id = pw_store_add_message (f->store, f->id, role, content, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

void
pw_test_add_context (PwTestFixture *f,
                     const char    *type,
                     const char    *name,
                     const char    *content)
{
  g_autoptr(GError) error = NULL;
  gint64 id = pw_store_add_context (f->store, f->id, type, name, content,
                                    g_strcmp0 (type, "file") == 0 ? name : NULL,
                                    NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
}

gint64
pw_test_add_draft_to (PwTestFixture *f,
                      const char    *session_id,
                      const char    *content,
                      const char    *author,
                      gint           round_number)
{
  g_autoptr(GError) error = NULL;
  gint number = 0;
  gint64 id = pw_store_add_draft (f->store, session_id, content, author, round_number,
                                  "test-model", 0, NULL, &number, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (number, >, 0);
  return id;
}

gint64
pw_test_add_draft (PwTestFixture *f,
                   const char    *content,
                   const char    *author,
                   gint           round_number)
{
  return pw_test_add_draft_to (f, f->id, content, author, round_number);
}

char *
pw_test_export_dir (PwTestFixture *f,
                    const char    *name)
{
  return g_build_filename (f->root, "out", name, NULL);
}

GPtrArray *
pw_test_export_to (PwTestFixture *f,
                   const char    *dir)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *names = pw_export_session (f->store, f->id, dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (names);
  return names;
}

char *
pw_test_read_file (const char *dir,
                   const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

int
pw_test_compare_strings (gconstpointer a,
                         gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Sorted names of the entries of @dir. */
GPtrArray *
pw_test_list_dir (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, pw_test_compare_strings);
  return names;
}

char *
pw_test_join_names (GPtrArray *names)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < names->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ' ');
      g_string_append (out, g_ptr_array_index (names, i));
    }
  return g_string_free (out, FALSE);
}

/* The written names, in write order, as one space-separated string. */
void
pw_test_assert_names (GPtrArray  *names,
                      const char *expected)
{
  g_autofree char *joined = pw_test_join_names (names);

  g_assert_cmpstr (joined, ==, expected);
}

/* Every file written is on disk, and nothing else is (no temp files). */
void
pw_test_assert_dir_holds_exactly (const char *dir,
                                  GPtrArray  *names)
{
  g_autoptr(GPtrArray) on_disk = pw_test_list_dir (dir);
  g_autoptr(GPtrArray) expected = g_ptr_array_new ();
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (expected, g_ptr_array_index (names, i));
  g_ptr_array_sort (expected, pw_test_compare_strings);
  g_ptr_array_sort (on_disk, pw_test_compare_strings);
  a = pw_test_join_names (on_disk);
  b = pw_test_join_names (expected);
  g_assert_cmpstr (a, ==, b);
}
