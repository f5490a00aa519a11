/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One message of the conversation: its item in the list model, and the row that shows it. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

typedef enum {
  PW_CHAT_MESSAGE_DONE,
  PW_CHAT_MESSAGE_STREAMING,
  PW_CHAT_MESSAGE_STOPPED,
  PW_CHAT_MESSAGE_FAILED,
} PwChatMessageState;

/* The item. @role is "user", "assistant" or "status" (a progress row of
 * "Done — write the plan", never stored). Streamed text arrives through
 * pw_chat_message_append, which emits "appended" (const char *chunk)
 * rather than notify::content, so a row can add just the new text. */
#define PW_TYPE_CHAT_MESSAGE (pw_chat_message_get_type ())
G_DECLARE_FINAL_TYPE (PwChatMessage, pw_chat_message, PW, CHAT_MESSAGE, GObject)

PwChatMessage     *pw_chat_message_new         (gint64              id,
                                                const char         *role,
                                                const char         *content,
                                                PwChatMessageState  state);
/* The store's message id; 0 while not stored (streaming, stopped, failed) */
gint64             pw_chat_message_get_id      (PwChatMessage      *self);
void               pw_chat_message_set_id      (PwChatMessage      *self,
                                                gint64              id);
const char        *pw_chat_message_get_role    (PwChatMessage      *self);
const char        *pw_chat_message_get_content (PwChatMessage      *self);
/* Replaces the whole text (notify::content) */
void               pw_chat_message_set_content (PwChatMessage      *self,
                                                const char         *content);
void               pw_chat_message_append      (PwChatMessage      *self,
                                                const char         *chunk);
PwChatMessageState pw_chat_message_get_state   (PwChatMessage      *self);
void               pw_chat_message_set_state   (PwChatMessage      *self,
                                                PwChatMessageState  state);
/* A one-line note under the text: "Rate limited — retrying in 4 s", "Stopped" */
const char        *pw_chat_message_get_status  (PwChatMessage      *self);
void               pw_chat_message_set_status  (PwChatMessage      *self,
                                                const char         *status);
const char        *pw_chat_message_get_error   (PwChatMessage      *self);
void               pw_chat_message_set_error   (PwChatMessage      *self,
                                                const char         *error);
/* The heading of a status row ("Writing the plan…"); NULL for messages */
const char        *pw_chat_message_get_title   (PwChatMessage      *self);
void               pw_chat_message_set_title   (PwChatMessage      *self,
                                                const char         *title);

#define PW_TYPE_MESSAGE_ROW (pw_message_row_get_type ())
G_DECLARE_FINAL_TYPE (PwMessageRow, pw_message_row, PW, MESSAGE_ROW, GtkWidget)

GtkWidget     *pw_message_row_new         (void);
void           pw_message_row_set_message (PwMessageRow  *self,
                                           PwChatMessage *message);
PwChatMessage *pw_message_row_get_message (PwMessageRow  *self);

G_END_DECLS
