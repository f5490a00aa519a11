/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The session sidebar: search, status filter, the list, new/archive/delete. */
#pragma once

#include <adwaita.h>

#include "pw-session-list.h"

G_BEGIN_DECLS

#define PW_TYPE_SESSION_SIDEBAR (pw_session_sidebar_get_type ())
G_DECLARE_FINAL_TYPE (PwSessionSidebar, pw_session_sidebar, PW, SESSION_SIDEBAR, GtkWidget)

GtkWidget     *pw_session_sidebar_new            (void);
PwSessionList *pw_session_sidebar_get_list       (PwSessionSidebar *self);
/* The selected session's id, or NULL ("selected-id" property) */
const char    *pw_session_sidebar_get_selected   (PwSessionSidebar *self);
/* Selects @session_id when it is in the list (NULL: nothing) */
void           pw_session_sidebar_select         (PwSessionSidebar *self,
                                                  const char       *session_id);
void           pw_session_sidebar_focus_search   (PwSessionSidebar *self);
/* Puts @text (NULL: nothing) in the search entry, focused when not empty */
void           pw_session_sidebar_set_search     (PwSessionSidebar *self,
                                                  const char       *text);
/* Sets the status filter (as the drop-down does) */
void           pw_session_sidebar_set_filter     (PwSessionSidebar *self,
                                                  PwSessionFilter   filter);

#define PW_TYPE_SESSION_ROW (pw_session_row_get_type ())
G_DECLARE_FINAL_TYPE (PwSessionRow, pw_session_row, PW, SESSION_ROW, GtkWidget)

G_END_DECLS
