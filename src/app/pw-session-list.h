/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sessions of the store as a GListModel of PwSessionItem, filtered and searched. */
#pragma once

#include <adwaita.h>

#include "pw-engine.h"

G_BEGIN_DECLS

typedef enum {
  PW_SESSION_FILTER_ALL,       /* every session that is not archived */
  PW_SESSION_FILTER_ACTIVE,
  PW_SESSION_FILTER_PAUSED,
  PW_SESSION_FILTER_COMPLETE,
  PW_SESSION_FILTER_ARCHIVED,  /* only archived sessions, whatever their status */
} PwSessionFilter;

#define PW_TYPE_SESSION_ITEM (pw_session_item_get_type ())
G_DECLARE_FINAL_TYPE (PwSessionItem, pw_session_item, PW, SESSION_ITEM, GObject)

const char *pw_session_item_get_id         (PwSessionItem *self);
const char *pw_session_item_get_project    (PwSessionItem *self);
PwPhase     pw_session_item_get_phase      (PwSessionItem *self);
PwStatus    pw_session_item_get_status     (PwSessionItem *self);
gboolean    pw_session_item_get_archived   (PwSessionItem *self);
const char *pw_session_item_get_created_at (PwSessionItem *self);
const char *pw_session_item_get_updated_at (PwSessionItem *self);
/* "3 min ago", "Yesterday", "12 Mar" — from updated-at */
char       *pw_session_item_dup_relative_time (PwSessionItem *self);

#define PW_TYPE_SESSION_LIST (pw_session_list_get_type ())
G_DECLARE_FINAL_TYPE (PwSessionList, pw_session_list, PW, SESSION_LIST, GObject)

/* @engine may be NULL (no database): the list stays empty. Reads the
 * sessions on a worker thread ("loaded" turns TRUE when they are in),
 * and again on the default application's "session-changed". */
PwSessionList  *pw_session_list_new        (PwEngine        *engine);
/* The model holds the visible sessions a page at a time: another page */
void            pw_session_list_show_more  (PwSessionList   *self);
void            pw_session_list_set_filter (PwSessionList   *self,
                                            PwSessionFilter  filter);
PwSessionFilter pw_session_list_get_filter (PwSessionList   *self);
/* Plain words; NULL or empty: no search. Results keep the search's order. */
void            pw_session_list_set_query  (PwSessionList   *self,
                                            const char      *query);
const char     *pw_session_list_get_query  (PwSessionList   *self);
/* Re-reads the store now, on this thread (a session just created must
 * be found at once); a read running on the worker is dropped */
void            pw_session_list_refresh    (PwSessionList   *self);
/* FALSE until the sessions have been read for the first time */
gboolean        pw_session_list_is_loaded  (PwSessionList   *self);
/* TRUE while a read of the sessions or a search runs on the worker */
gboolean        pw_session_list_is_reading (PwSessionList   *self);
/* Position of @session_id, or GTK_INVALID_LIST_POSITION */
guint           pw_session_list_find       (PwSessionList   *self,
                                            const char      *session_id);
/* Hides @session_id until the next refresh (a delete waiting for undo) */
void            pw_session_list_hide       (PwSessionList   *self,
                                            const char      *session_id);
void            pw_session_list_unhide     (PwSessionList   *self,
                                            const char      *session_id);

G_END_DECLS
