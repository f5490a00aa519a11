/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helpers for the exports: a store with one session in a folder of its own,
 * filling it, and reading back what an export wrote. */
#pragma once

#include "pw-export.h"
#include "pw-store.h"

G_BEGIN_DECLS

typedef struct {
  PwStore *store;
  char    *root;   /* this test's folder, inside the isolated data dir */
  char    *id;     /* a session with project "demo" */
} PwTestFixture;

void       pw_test_fixture_set_up           (PwTestFixture *f,
                                             gconstpointer  data);
void       pw_test_fixture_tear_down        (PwTestFixture *f,
                                             gconstpointer  data);

gint64     pw_test_add_message              (PwTestFixture *f,
                                             const char    *role,
                                             const char    *content);
void       pw_test_add_context              (PwTestFixture *f,
                                             const char    *type,
                                             const char    *name,
                                             const char    *content);
gint64     pw_test_add_draft_to             (PwTestFixture *f,
                                             const char    *session_id,
                                             const char    *content,
                                             const char    *author,
                                             gint           round_number);
gint64     pw_test_add_draft                (PwTestFixture *f,
                                             const char    *content,
                                             const char    *author,
                                             gint           round_number);

char      *pw_test_export_dir               (PwTestFixture *f,
                                             const char    *name);
GPtrArray *pw_test_export_to                (PwTestFixture *f,
                                             const char    *dir);

char      *pw_test_read_file                (const char    *dir,
                                             const char    *name);
int        pw_test_compare_strings          (gconstpointer  a,
                                             gconstpointer  b);
GPtrArray *pw_test_list_dir                 (const char    *dir);
char      *pw_test_join_names               (GPtrArray     *names);
void       pw_test_assert_names             (GPtrArray     *names,
                                             const char    *expected);
void       pw_test_assert_dir_holds_exactly (const char    *dir,
                                             GPtrArray     *names);

G_END_DECLS
