/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A session's context entries: files and notes, added and removed. (placeholder: being written) */

#include "config.h"

#include "pw-context-panel.h"

struct _PwContextPanel
{
  GtkWidget  parent_instance;

  char      *session_id;
};

G_DEFINE_FINAL_TYPE (PwContextPanel, pw_context_panel, GTK_TYPE_WIDGET)

static void
pw_context_panel_finalize (GObject *object)
{
  g_free (PW_CONTEXT_PANEL (object)->session_id);

  G_OBJECT_CLASS (pw_context_panel_parent_class)->finalize (object);
}

static void
pw_context_panel_class_init (PwContextPanelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pw_context_panel_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
pw_context_panel_init (PwContextPanel *self)
{
}

GtkWidget *
pw_context_panel_new (void)
{
  return g_object_new (PW_TYPE_CONTEXT_PANEL, NULL);
}

void
pw_context_panel_set_session (PwContextPanel  *self,
                             const char *session_id)
{
  g_return_if_fail (PW_IS_CONTEXT_PANEL (self));
  g_free (self->session_id);
  self->session_id = g_strdup (session_id);
}

const char *
pw_context_panel_get_session (PwContextPanel *self)
{
  g_return_val_if_fail (PW_IS_CONTEXT_PANEL (self), NULL);
  return self->session_id;
}
