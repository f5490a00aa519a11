/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The conversation of a session: messages, the streaming reply, the composer. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PW_TYPE_CHAT_VIEW (pw_chat_view_get_type ())
G_DECLARE_FINAL_TYPE (PwChatView, pw_chat_view, PW, CHAT_VIEW, GtkWidget)

GtkWidget  *pw_chat_view_new         (void);
/* Shows @session_id (NULL: nothing); re-reads it from the store. */
void        pw_chat_view_set_session (PwChatView  *self,
                                       const char *session_id);
const char *pw_chat_view_get_session (PwChatView  *self);
/* Narrow (the window folded): the composer's keyboard hint is hidden */
void        pw_chat_view_set_compact (PwChatView  *self,
                                      gboolean     compact);

G_END_DECLS
