/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Test helpers over temporary databases: paths, stores, raw SQLite connections. */
#pragma once

#include <sqlite3.h>

#include "pw-store.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)

void      pw_test_report_failure   (const char *format,
                                    ...) G_GNUC_PRINTF (1, 2);

char     *pw_test_db_path          (const char *name);
PwStore  *pw_test_open_store       (const char *path);
PwStore  *pw_test_open_fresh_store (void);
char     *pw_test_create_session   (PwStore    *store,
                                    const char *project);

sqlite3  *pw_test_raw_open         (const char *path);
void      pw_test_raw_exec         (sqlite3    *db,
                                    const char *sql);
gint64    pw_test_raw_int          (sqlite3    *db,
                                    const char *sql);
gint64    pw_test_raw_count        (sqlite3    *db,
                                    const char *table,
                                    const char *session_id);
/* The first schema (001-base.sql) as version 1: a database of an older
 * Planwright, for the migration tests */
void      pw_test_raw_apply_schema_v1 (sqlite3 *db);

gboolean  pw_test_array_has_string (GPtrArray  *array,
                                    const char *value);

G_END_DECLS
