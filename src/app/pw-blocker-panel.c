/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A paused session's open questions, with answer fields that resume it. (placeholder: being written) */

#include "config.h"

#include "pw-blocker-panel.h"

struct _PwBlockerPanel
{
  GtkWidget  parent_instance;

  char      *session_id;
};

G_DEFINE_FINAL_TYPE (PwBlockerPanel, pw_blocker_panel, GTK_TYPE_WIDGET)

static void
pw_blocker_panel_finalize (GObject *object)
{
  g_free (PW_BLOCKER_PANEL (object)->session_id);

  G_OBJECT_CLASS (pw_blocker_panel_parent_class)->finalize (object);
}

static void
pw_blocker_panel_class_init (PwBlockerPanelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pw_blocker_panel_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
pw_blocker_panel_init (PwBlockerPanel *self)
{
}

GtkWidget *
pw_blocker_panel_new (void)
{
  return g_object_new (PW_TYPE_BLOCKER_PANEL, NULL);
}

void
pw_blocker_panel_set_session (PwBlockerPanel  *self,
                             const char *session_id)
{
  g_return_if_fail (PW_IS_BLOCKER_PANEL (self));
  g_free (self->session_id);
  self->session_id = g_strdup (session_id);
}

const char *
pw_blocker_panel_get_session (PwBlockerPanel *self)
{
  g_return_val_if_fail (PW_IS_BLOCKER_PANEL (self), NULL);
  return self->session_id;
}
