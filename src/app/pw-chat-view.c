/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The conversation of a session: messages, the streaming reply, the composer. (placeholder: being written) */

#include "config.h"

#include "pw-chat-view.h"

struct _PwChatView
{
  GtkWidget  parent_instance;

  char      *session_id;
};

G_DEFINE_FINAL_TYPE (PwChatView, pw_chat_view, GTK_TYPE_WIDGET)

static void
pw_chat_view_finalize (GObject *object)
{
  g_free (PW_CHAT_VIEW (object)->session_id);

  G_OBJECT_CLASS (pw_chat_view_parent_class)->finalize (object);
}

static void
pw_chat_view_class_init (PwChatViewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pw_chat_view_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
pw_chat_view_init (PwChatView *self)
{
}

GtkWidget *
pw_chat_view_new (void)
{
  return g_object_new (PW_TYPE_CHAT_VIEW, NULL);
}

void
pw_chat_view_set_session (PwChatView  *self,
                         const char *session_id)
{
  g_return_if_fail (PW_IS_CHAT_VIEW (self));
  g_free (self->session_id);
  self->session_id = g_strdup (session_id);
}

const char *
pw_chat_view_get_session (PwChatView *self)
{
  g_return_val_if_fail (PW_IS_CHAT_VIEW (self), NULL);
  return self->session_id;
}
