/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SETUP → … → COMPLETE with the session's phase highlighted. (placeholder: being written) */

#include "config.h"

#include "pw-phase-bar.h"

struct _PwPhaseBar
{
  GtkWidget  parent_instance;

  char      *session_id;
};

G_DEFINE_FINAL_TYPE (PwPhaseBar, pw_phase_bar, GTK_TYPE_WIDGET)

static void
pw_phase_bar_finalize (GObject *object)
{
  g_free (PW_PHASE_BAR (object)->session_id);

  G_OBJECT_CLASS (pw_phase_bar_parent_class)->finalize (object);
}

static void
pw_phase_bar_class_init (PwPhaseBarClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pw_phase_bar_finalize;
  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
pw_phase_bar_init (PwPhaseBar *self)
{
}

GtkWidget *
pw_phase_bar_new (void)
{
  return g_object_new (PW_TYPE_PHASE_BAR, NULL);
}

void
pw_phase_bar_set_session (PwPhaseBar  *self,
                         const char *session_id)
{
  g_return_if_fail (PW_IS_PHASE_BAR (self));
  g_free (self->session_id);
  self->session_id = g_strdup (session_id);
}

const char *
pw_phase_bar_get_session (PwPhaseBar *self)
{
  g_return_val_if_fail (PW_IS_PHASE_BAR (self), NULL);
  return self->session_id;
}
