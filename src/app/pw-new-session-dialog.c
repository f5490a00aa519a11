/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The "New Session" dialog: project name, optional repository folder, planner model. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-new-session-dialog.h"
#include "pw-session-create.h"

struct _PwNewSessionDialog
{
  AdwMessageDialog      parent_instance;

  AdwEntryRow          *project_row;
  AdwActionRow         *repo_row;
  GtkButton            *clear_repo_button;
  GtkButton            *choose_repo_button;
  AdwEntryRow          *model_row;
  GtkLabel             *error_label;

  GtkFileChooserNative *chooser;
  char                 *repo_root;
};

G_DEFINE_FINAL_TYPE (PwNewSessionDialog, pw_new_session_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum {
  SIGNAL_SESSION_CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static PwEngine *
get_engine (void)
{
  GApplication *app = g_application_get_default ();

  return PW_IS_APPLICATION (app) ? pw_application_get_engine (PW_APPLICATION (app)) : NULL;
}

static char *
get_project (PwNewSessionDialog *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->project_row))));
}

static void
on_project_changed (AdwEntryRow        *row,
                    PwNewSessionDialog *self)
{
  g_autofree char *project = get_project (self);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "create",
                                           *project != '\0' && get_engine () != NULL);
}

static void
set_repo_root (PwNewSessionDialog *self,
               const char         *path)
{
  g_free (self->repo_root);
  self->repo_root = g_strdup (path);
  adw_action_row_set_subtitle (self->repo_row, path ? path : _("Optional"));
  gtk_widget_set_visible (GTK_WIDGET (self->clear_repo_button), path != NULL);
}

static void
on_clear_repo (GtkButton          *button,
               PwNewSessionDialog *self)
{
  set_repo_root (self, NULL);
}

static void
on_chooser_response (GtkNativeDialog    *chooser,
                     int                 response,
                     PwNewSessionDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        set_repo_root (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
on_choose_repo (GtkButton          *button,
                PwNewSessionDialog *self)
{
  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Repository Folder"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_response (AdwMessageDialog   *dialog,
             const char         *response,
             PwNewSessionDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *project = NULL;
  g_autofree char *model = NULL;
  g_autofree char *id = NULL;
  PwEngine *engine = get_engine ();

  if (g_strcmp0 (response, "create") != 0 || engine == NULL)
    return;

  project = get_project (self);
  model = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->model_row))));
  if (*project == '\0')
    return;
  if (!pw_session_create (pw_engine_get_store (engine), pw_engine_get_settings (engine),
                          project, self->repo_root, *model ? model : NULL, &id, &error))
    {
      /* The dialog closes on any response; the window shows the error */
      g_signal_emit (self, signals[SIGNAL_SESSION_CREATED], 0, NULL, error->message);
      return;
    }
  pw_application_session_changed (pw_application_get_default (), NULL);
  g_signal_emit (self, signals[SIGNAL_SESSION_CREATED], 0, id, NULL);
}

static void
pw_new_session_dialog_dispose (GObject *object)
{
  PwNewSessionDialog *self = PW_NEW_SESSION_DIALOG (object);

  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), PW_TYPE_NEW_SESSION_DIALOG);

  G_OBJECT_CLASS (pw_new_session_dialog_parent_class)->dispose (object);
}

static void
pw_new_session_dialog_finalize (GObject *object)
{
  g_free (PW_NEW_SESSION_DIALOG (object)->repo_root);

  G_OBJECT_CLASS (pw_new_session_dialog_parent_class)->finalize (object);
}

static void
pw_new_session_dialog_class_init (PwNewSessionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_new_session_dialog_dispose;
  object_class->finalize = pw_new_session_dialog_finalize;

  /* (id or NULL, error message or NULL) */
  signals[SIGNAL_SESSION_CREATED] =
    g_signal_new ("session-created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-new-session-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PwNewSessionDialog, project_row);
  gtk_widget_class_bind_template_child (widget_class, PwNewSessionDialog, repo_row);
  gtk_widget_class_bind_template_child (widget_class, PwNewSessionDialog, clear_repo_button);
  gtk_widget_class_bind_template_child (widget_class, PwNewSessionDialog, choose_repo_button);
  gtk_widget_class_bind_template_child (widget_class, PwNewSessionDialog, model_row);
  gtk_widget_class_bind_template_child (widget_class, PwNewSessionDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_project_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_repo);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_repo);
  gtk_widget_class_bind_template_callback (widget_class, on_response);
}

static void
pw_new_session_dialog_init (PwNewSessionDialog *self)
{
  PwEngine *engine = get_engine ();

  gtk_widget_init_template (GTK_WIDGET (self));

  if (engine != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->model_row),
                           pw_settings_get_model (pw_engine_get_settings (engine), PW_ROLE_PLANNER));
  else
    {
      gtk_label_set_label (self->error_label, _("The database could not be opened, so no session can be created."));
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }
}

GtkWidget *
pw_new_session_dialog_new (GtkWindow *parent)
{
  return g_object_new (PW_TYPE_NEW_SESSION_DIALOG,
                       "transient-for", parent,
                       NULL);
}
