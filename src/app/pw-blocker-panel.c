/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A paused session's open questions, with answer fields that resume it. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-blocker-panel.h"

struct _PwBlockerPanel
{
  GtkWidget    parent_instance;

  GtkWidget   *banner;
  GtkLabel    *title_label;
  GtkBox      *questions;
  GtkLabel    *error_label;
  GtkButton   *resume_button;

  /* GtkEntry per open blocker, in the store's order; the blocker id is
   * the entry's "pw-blocker-id" data. */
  GPtrArray   *entries;
  char        *session_id;
  gulong       changed_id;
};

G_DEFINE_FINAL_TYPE (PwBlockerPanel, pw_blocker_panel, GTK_TYPE_WIDGET)

static PwStore *
get_store (void)
{
  PwApplication *app = pw_application_get_default ();
  PwEngine *engine = app ? pw_application_get_engine (app) : NULL;

  return engine ? pw_engine_get_store (engine) : NULL;
}

static void
update_resume_enabled (PwBlockerPanel *self)
{
  gboolean all = self->entries->len > 0;
  const char *tooltip;

  for (guint i = 0; all && i < self->entries->len; i++)
    {
      g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (g_ptr_array_index (self->entries, i))));
      all = *text != '\0';
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "blocker.resume", all);
  /* Setting a tooltip, even the same one, queries the pointer (an X
   * round trip), and this runs on every session-changed */
  tooltip = all ? NULL : _("Answer every question first");
  if (g_strcmp0 (gtk_widget_get_tooltip_text (GTK_WIDGET (self->resume_button)), tooltip) != 0)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->resume_button), tooltip);
}

static void
entry_activate_cb (GtkEntry       *entry,
                   PwBlockerPanel *self)
{
  guint i;

  /* Enter moves to the next question; on the last one it resumes */
  if (g_ptr_array_find (self->entries, entry, &i) && i + 1 < self->entries->len)
    gtk_widget_grab_focus (g_ptr_array_index (self->entries, i + 1));
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "blocker.resume", NULL);
}

static void
reload (PwBlockerPanel *self)
{
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) blockers = NULL;
  PwStore *store = get_store ();
  GtkWidget *child;
  gboolean paused;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->questions))))
    gtk_box_remove (self->questions, child);
  g_ptr_array_set_size (self->entries, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);

  if (store && self->session_id)
    info = pw_store_get_session (store, self->session_id, NULL);
  paused = info && info->status == PW_STATUS_PAUSED;
  if (paused)
    blockers = pw_store_list_blockers (store, info->id, TRUE, NULL);

  for (guint i = 0; blockers && i < blockers->len; i++)
    {
      PwBlocker *blocker = g_ptr_array_index (blockers, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *label = gtk_label_new (blocker->question);
      GtkWidget *entry = gtk_entry_new ();
      g_autofree char *placeholder = g_strdup_printf (_("Answer to question %u"), i + 1);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, placeholder,
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, blocker->question,
                                      -1);
      g_object_set_data (G_OBJECT (entry), "pw-blocker-id", GSIZE_TO_POINTER ((gsize) blocker->id));
      g_signal_connect_swapped (entry, "changed", G_CALLBACK (update_resume_enabled), self);
      g_signal_connect (entry, "activate", G_CALLBACK (entry_activate_cb), self);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), entry);
      gtk_box_append (self->questions, box);
      g_ptr_array_add (self->entries, entry);
    }

  if (blockers && blockers->len)
    {
      g_autofree char *title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "Paused: %u open question",
                                                             "Paused: %u open questions",
                                                             blockers->len),
                                                blockers->len);
      gtk_label_set_text (self->title_label, title);
    }
  else
    gtk_label_set_text (self->title_label, _("Paused"));

  /* The widget itself is hidden too, so it takes no space nor focus */
  gtk_widget_set_visible (GTK_WIDGET (self), paused);
  update_resume_enabled (self);
}

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PwBlockerPanel *self = PW_BLOCKER_PANEL (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *session_id = g_strdup (self->session_id);
  PwStore *store = get_store ();

  if (store == NULL || session_id == NULL || self->entries->len == 0)
    return;

  /* All answers or none: a half-answered pause would confuse the CLI */
  if (!pw_store_begin (store, &error))
    goto out;
  for (guint i = 0; i < self->entries->len; i++)
    {
      GtkEditable *entry = g_ptr_array_index (self->entries, i);
      gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (entry), "pw-blocker-id"));
      g_autofree char *answer = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

      if (!pw_store_answer_blocker (store, session_id, id, answer, &error))
        {
          pw_store_rollback (store);
          goto out;
        }
    }
  if (!pw_store_commit (store, &error))
    goto out;

  pw_application_session_changed (pw_application_get_default (), session_id);

out:
  if (error)
    {
      g_autofree char *message = g_strdup_printf (_("The answers were not stored: %s"), error->message);

      gtk_label_set_text (self->error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }
}

static void
session_changed_cb (PwApplication  *app,
                    const char     *session_id,
                    PwBlockerPanel *self)
{
  if (session_id == NULL || g_strcmp0 (session_id, self->session_id) == 0)
    reload (self);
}

static void
pw_blocker_panel_dispose (GObject *object)
{
  PwBlockerPanel *self = PW_BLOCKER_PANEL (object);
  PwApplication *app = pw_application_get_default ();

  if (self->changed_id && app)
    g_clear_signal_handler (&self->changed_id, app);
  g_ptr_array_set_size (self->entries, 0);
  gtk_widget_dispose_template (GTK_WIDGET (self), PW_TYPE_BLOCKER_PANEL);

  G_OBJECT_CLASS (pw_blocker_panel_parent_class)->dispose (object);
}

static void
pw_blocker_panel_finalize (GObject *object)
{
  PwBlockerPanel *self = PW_BLOCKER_PANEL (object);

  g_free (self->session_id);
  g_ptr_array_unref (self->entries);

  G_OBJECT_CLASS (pw_blocker_panel_parent_class)->finalize (object);
}

static void
pw_blocker_panel_class_init (PwBlockerPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_blocker_panel_dispose;
  object_class->finalize = pw_blocker_panel_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-blocker-panel.ui");
  /* Bound so that dispose_template unparents it */
  gtk_widget_class_bind_template_child (widget_class, PwBlockerPanel, banner);
  gtk_widget_class_bind_template_child (widget_class, PwBlockerPanel, title_label);
  gtk_widget_class_bind_template_child (widget_class, PwBlockerPanel, questions);
  gtk_widget_class_bind_template_child (widget_class, PwBlockerPanel, error_label);
  gtk_widget_class_bind_template_child (widget_class, PwBlockerPanel, resume_button);

  gtk_widget_class_install_action (widget_class, "blocker.resume", NULL, resume_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pwblockerpanel");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
pw_blocker_panel_init (PwBlockerPanel *self)
{
  PwApplication *app = pw_application_get_default ();

  self->entries = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Open questions"), -1);
  if (app)
    self->changed_id = g_signal_connect (app, "session-changed",
                                         G_CALLBACK (session_changed_cb), self);
  reload (self);
}

GtkWidget *
pw_blocker_panel_new (void)
{
  return g_object_new (PW_TYPE_BLOCKER_PANEL, NULL);
}

void
pw_blocker_panel_set_session (PwBlockerPanel *self,
                              const char     *session_id)
{
  g_return_if_fail (PW_IS_BLOCKER_PANEL (self));

  g_free (self->session_id);
  self->session_id = g_strdup (session_id);
  reload (self);
}

const char *
pw_blocker_panel_get_session (PwBlockerPanel *self)
{
  g_return_val_if_fail (PW_IS_BLOCKER_PANEL (self), NULL);
  return self->session_id;
}
