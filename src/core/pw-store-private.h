/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store's instance struct and the query helpers its aspect files share. */
#pragma once

#include <sqlite3.h>

#include "pw-store.h"

G_BEGIN_DECLS

struct _PwStore
{
  GObject     parent_instance;

  sqlite3    *db;
  char       *path;
  char       *backup_path;
  GHashTable *statements;   /* SQL text → sqlite3_stmt, reused */
  guint       tx_depth;
};

/* A cached statement: released (reset, bindings cleared) when it goes out
 * of scope, never finalized before the store is. */
typedef sqlite3_stmt PwStmt;

/* Builds the struct for the row @stmt stands on */
typedef gpointer (*PwStoreRowFunc) (PwStmt *stmt);

static inline void
pw_stmt_release (PwStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwStmt, pw_stmt_release)

/* Now, as ISO 8601 UTC with milliseconds */
G_GNUC_INTERNAL
char     *pw_store_now_iso8601      (void);
/* Sets @error from a SQLite result code, worded for the user */
G_GNUC_INTERNAL
void      pw_store_set_sqlite_error (PwStore     *self,
                                     GError     **error,
                                     int          rc,
                                     const char  *what);
/* A cached statement for @sql, which must be a string literal */
G_GNUC_INTERNAL
PwStmt   *pw_store_prepare          (PwStore     *self,
                                     const char  *sql,
                                     GError     **error);
/* Binds @value, or NULL when it is NULL */
G_GNUC_INTERNAL
void      pw_store_bind_text        (PwStmt      *stmt,
                                     int          idx,
                                     const char  *value);
G_GNUC_INTERNAL
char     *pw_store_column_dup       (PwStmt      *stmt,
                                     int          col);
/* Steps once; a row or the end are both success */
G_GNUC_INTERNAL
gboolean  pw_store_step_done        (PwStore     *self,
                                     PwStmt      *stmt,
                                     const char  *what,
                                     GError     **error);
/* Steps a statement that returns one row; FALSE with error otherwise. */
G_GNUC_INTERNAL
gboolean  pw_store_step_row         (PwStore     *self,
                                     PwStmt      *stmt,
                                     const char  *what,
                                     GError     **error);
/* Steps @stmt to the end, one from_row() a row, into an array that frees
 * them with @free_func; NULL with error on a SQLite error. */
G_GNUC_INTERNAL
GPtrArray *pw_store_collect         (PwStore        *self,
                                     PwStmt         *stmt,
                                     PwStoreRowFunc  from_row,
                                     GDestroyNotify  free_func,
                                     const char     *what,
                                     GError        **error);
/* Steps a write to session @session_id; NOT_FOUND when it changed no row */
G_GNUC_INTERNAL
gboolean  pw_store_step_changed     (PwStore     *self,
                                     PwStmt      *stmt,
                                     const char  *session_id,
                                     const char  *what,
                                     GError     **error);
/* PW_STORE_ERROR_NOT_FOUND for @session_id */
G_GNUC_INTERNAL
void      pw_store_not_found        (GError     **error,
                                     const char  *session_id);
/* Bumps the session's updated_at; NOT_FOUND when there is no such session */
G_GNUC_INTERNAL
gboolean  pw_store_touch_session    (PwStore     *self,
                                     const char  *session_id,
                                     GError     **error);

G_END_DECLS
