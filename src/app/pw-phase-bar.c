/* SPDX-License-Identifier: GPL-3.0-or-later */
/* SETUP → … → COMPLETE with the session's phase highlighted; narrow: the current phase only. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-phase-bar.h"

struct _PwPhaseBar
{
  GtkWidget    parent_instance;

  AdwSqueezer *squeezer;
  GtkWidget   *steps[PW_N_PHASES];
  GtkWidget   *arrows[PW_N_PHASES - 1];
  GtkWidget   *paused_label;
  GtkWidget   *narrow_label;
  GtkWidget   *narrow_paused;

  char        *session_id;
  PwPhase      phase;
  PwStatus     status;
  gulong       changed_id;
};

G_DEFINE_FINAL_TYPE (PwPhaseBar, pw_phase_bar, GTK_TYPE_WIDGET)

const char *
pw_phase_bar_phase_label (PwPhase phase)
{
  switch (phase)
    {
    case PW_PHASE_SETUP: return _("Setup");
    case PW_PHASE_CONTEXT: return _("Context");
    case PW_PHASE_DISCUSSION: return _("Discussion");
    case PW_PHASE_PLANNING: return _("Planning");
    case PW_PHASE_REVIEW: return _("Review");
    case PW_PHASE_COMPLETE: return _("Complete");
    case PW_N_PHASES:
    default: return "";
    }
}

static void
update (PwPhaseBar *self)
{
  gboolean have = self->session_id != NULL;
  gboolean paused = have && self->status == PW_STATUS_PAUSED;

  for (guint i = 0; i < PW_N_PHASES; i++)
    {
      GtkWidget *step = self->steps[i];
      g_autofree char *label = NULL;
      const char *state;

      gtk_widget_remove_css_class (step, "current");
      gtk_widget_remove_css_class (step, "done");
      if (have && i < self->phase)
        {
          gtk_widget_add_css_class (step, "done");
          /* Translators: accessible label of a phase step, e.g. "Context, done" */
          state = _("done");
        }
      else if (have && i == self->phase)
        {
          gtk_widget_add_css_class (step, "current");
          state = paused ? _("current phase, paused") : _("current phase");
        }
      else
        state = _("not reached");

      /* Translators: "<phase>, <state>", the accessible label of a phase step */
      label = g_strdup_printf (_("%s, %s"), pw_phase_bar_phase_label (i), state);
      gtk_accessible_update_property (GTK_ACCESSIBLE (step),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
    }

  gtk_widget_set_visible (self->paused_label, paused);
  gtk_widget_set_visible (self->narrow_paused, paused);
  if (have)
    {
      g_autofree char *narrow = NULL;
      g_autofree char *a11y = NULL;

      /* Translators: the narrow phase bar, "Discussion (3 of 6)" */
      narrow = g_strdup_printf (_("%s (%u of %u)"), pw_phase_bar_phase_label (self->phase),
                                (guint) self->phase + 1, (guint) PW_N_PHASES);
      gtk_label_set_label (GTK_LABEL (self->narrow_label), narrow);
      a11y = g_strdup_printf (_("Phase: %s"), narrow);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->narrow_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
    }
  else
    gtk_label_set_label (GTK_LABEL (self->narrow_label), "");
}

static void
reload (PwPhaseBar *self)
{
  PwApplication *app = PW_IS_APPLICATION (g_application_get_default ()) ? pw_application_get_default () : NULL;
  PwEngine *engine = app ? pw_application_get_engine (app) : NULL;

  if (self->session_id != NULL && engine != NULL)
    {
      g_autoptr(PwSessionInfo) info = pw_store_get_session (pw_engine_get_store (engine),
                                                            self->session_id, NULL);
      if (info != NULL)
        {
          self->phase = info->phase;
          self->status = info->status;
        }
    }
  update (self);
}

static void
on_session_changed (PwApplication *app,
                    const char    *session_id,
                    PwPhaseBar    *self)
{
  if (self->session_id != NULL
      && (session_id == NULL || g_strcmp0 (session_id, self->session_id) == 0))
    reload (self);
}

static GtkWidget *
make_paused_label (void)
{
  GtkWidget *label = gtk_label_new (_("Paused"));

  gtk_widget_add_css_class (label, "paused-badge");
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_set_visible (label, FALSE);
  return label;
}

static void
pw_phase_bar_dispose (GObject *object)
{
  PwPhaseBar *self = PW_PHASE_BAR (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (pw_phase_bar_parent_class)->dispose (object);
}

static void
pw_phase_bar_finalize (GObject *object)
{
  g_free (PW_PHASE_BAR (object)->session_id);

  G_OBJECT_CLASS (pw_phase_bar_parent_class)->finalize (object);
}

static void
pw_phase_bar_class_init (PwPhaseBarClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = pw_phase_bar_dispose;
  G_OBJECT_CLASS (klass)->finalize = pw_phase_bar_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "phasebar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
pw_phase_bar_init (PwPhaseBar *self)
{
  GtkWidget *wide = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *narrow = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  PwApplication *app;

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Session phase"), -1);

  self->squeezer = ADW_SQUEEZER (adw_squeezer_new ());
  adw_squeezer_set_transition_type (self->squeezer, ADW_SQUEEZER_TRANSITION_TYPE_CROSSFADE);
  adw_squeezer_set_homogeneous (self->squeezer, FALSE);
  gtk_widget_set_parent (GTK_WIDGET (self->squeezer), GTK_WIDGET (self));

  gtk_widget_set_halign (wide, GTK_ALIGN_CENTER);
  for (guint i = 0; i < PW_N_PHASES; i++)
    {
      if (i > 0)
        {
          GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

          gtk_widget_add_css_class (arrow, "phase-arrow");
          gtk_accessible_update_state (GTK_ACCESSIBLE (arrow), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
          self->arrows[i - 1] = arrow;
          gtk_box_append (GTK_BOX (wide), arrow);
        }
      self->steps[i] = gtk_label_new (pw_phase_bar_phase_label (i));
      gtk_widget_add_css_class (self->steps[i], "phase-step");
      gtk_box_append (GTK_BOX (wide), self->steps[i]);
    }
  self->paused_label = make_paused_label ();
  gtk_widget_set_margin_start (self->paused_label, 8);
  gtk_box_append (GTK_BOX (wide), self->paused_label);

  gtk_widget_set_halign (narrow, GTK_ALIGN_CENTER);
  self->narrow_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->narrow_label, "phase-step");
  gtk_widget_add_css_class (self->narrow_label, "current");
  gtk_box_append (GTK_BOX (narrow), self->narrow_label);
  self->narrow_paused = make_paused_label ();
  gtk_box_append (GTK_BOX (narrow), self->narrow_paused);

  adw_squeezer_add (self->squeezer, wide);
  adw_squeezer_add (self->squeezer, narrow);

  app = PW_IS_APPLICATION (g_application_get_default ()) ? pw_application_get_default () : NULL;
  if (app != NULL)
    self->changed_id = g_signal_connect_object (app, "session-changed",
                                                G_CALLBACK (on_session_changed), self, 0);
  update (self);
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
  reload (self);
}

const char *
pw_phase_bar_get_session (PwPhaseBar *self)
{
  g_return_val_if_fail (PW_IS_PHASE_BAR (self), NULL);
  return self->session_id;
}
