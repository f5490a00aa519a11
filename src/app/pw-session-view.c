/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The content for one session: header, phase bar, blockers, chat and context; the session.* actions. */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pw-application.h"
#include "pw-blocker-panel.h"
#include "pw-chat-view.h"
#include "pw-context-panel.h"
#include "pw-phase-bar.h"
#include "pw-session-view.h"

struct _PwSessionView
{
  GtkWidget             parent_instance;

  /* template */
  AdwHeaderBar         *header_bar;
  GtkButton            *back_button;
  GtkLabel             *title_label;
  GtkLabel             *subtitle_label;
  GtkMenuButton        *session_menu_button;
  GtkToggleButton      *context_toggle;
  PwPhaseBar           *phase_bar;
  PwBlockerPanel       *blocker_panel;
  AdwFlap              *flap;
  PwChatView           *chat_view;
  PwContextPanel       *context_panel;
  GtkLabel             *context_switch_label;

  char                 *session_id;
  PwSessionInfo        *info;
  PwSessionCounts       counts;
  GtkFileChooserNative *chooser;
  gboolean              folded;
  guint                 actions_off;  /* bits (1 << index in session_actions) of ours disabled */
};

G_DEFINE_FINAL_TYPE (PwSessionView, pw_session_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Every session action and the lifecycle command behind it. Ours are
 * installed here; the retry button belongs to the chat view, which
 * enables it — we only explain a refusal in its tooltip. The composer,
 * the send and done buttons and the context panel's buttons are
 * explained by their owners (with pw_session_explain_refusal), so the
 * two never fight over a tooltip. */
static const struct {
  const char *action;
  PwCommand   command;
  gboolean    ours;
} session_actions[] = {
  { "session.export", PW_COMMAND_EXPORT, TRUE },
  { "session.complete", PW_COMMAND_COMPLETE, TRUE },
  { "session.reopen", PW_COMMAND_REOPEN, TRUE },
  { "session.retry", PW_COMMAND_DISCUSS, FALSE },
};

static PwEngine *
get_engine (void)
{
  GApplication *app = g_application_get_default ();

  return PW_IS_APPLICATION (app) ? pw_application_get_engine (PW_APPLICATION (app)) : NULL;
}

static void
show_toast (PwSessionView *self,
            const char    *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    {
      /* Toast titles are markup on libadwaita 1.2 */
      g_autofree char *escaped = g_markup_escape_text (title, -1);
      AdwToast *toast = adw_toast_new (escaped);

      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
    }
  else
    g_message ("%s", title);
}

/* Why @command is refused now, in the window's words, or NULL when
 * allowed. pw_lifecycle_check's hints name CLI commands; those stay the
 * CLI's. */
static char *
refusal (PwSessionView *self,
         PwCommand      command)
{
  if (self->info == NULL)
    return g_strdup (_("No session is open"));
  return pw_lifecycle_explain (self->info->phase, self->info->status,
                               self->counts.open_blocker_count, command);
}

char *
pw_session_explain_refusal (PwEngine   *engine,
                            const char *session_id,
                            PwCommand   command)
{
  g_autoptr(PwSessionInfo) info = NULL;
  PwSessionCounts counts = { 0 };
  PwStore *store;

  g_return_val_if_fail (PW_IS_ENGINE (engine), NULL);

  if (session_id == NULL)
    return g_strdup (_("No session is selected"));
  store = pw_engine_get_store (engine);
  if (!(info = pw_store_get_session (store, session_id, NULL))
      || !pw_store_get_counts (store, session_id, &counts, NULL))
    return g_strdup (_("The session could not be read"));
  return pw_lifecycle_explain (info->phase, info->status, counts.open_blocker_count, command);
}

/* Gives every control of a session action the tooltip @why[i] explains
 * (or the one it had of its own when allowed), in one walk of the tree.
 * A tooltip is set only when it differs: setting one, even the same,
 * queries the pointer (an X round trip), and the rows of a long
 * conversation each have a Retry button. */
static void
update_tooltips (GtkWidget *widget,
                 char     **why)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *action = GTK_IS_ACTIONABLE (child)
                           ? gtk_actionable_get_action_name (GTK_ACTIONABLE (child)) : NULL;

      for (guint i = 0; action != NULL && i < G_N_ELEMENTS (session_actions); i++)
        {
          const char *tooltip;

          if (strcmp (action, session_actions[i].action) != 0)
            continue;
          /* Remember the tooltip the control had before we replaced it */
          if (g_object_get_data (G_OBJECT (child), "pw-tooltip-saved") == NULL)
            {
              g_object_set_data_full (G_OBJECT (child), "pw-tooltip",
                                      g_strdup (gtk_widget_get_tooltip_text (child)), g_free);
              g_object_set_data (G_OBJECT (child), "pw-tooltip-saved", GINT_TO_POINTER (1));
            }
          tooltip = why[i] ? why[i] : g_object_get_data (G_OBJECT (child), "pw-tooltip");
          /* As gtk_widget_set_tooltip_text: an empty text is none */
          if (tooltip != NULL && *tooltip == '\0')
            tooltip = NULL;
          if (g_strcmp0 (gtk_widget_get_tooltip_text (child), tooltip) != 0)
            gtk_widget_set_tooltip_text (child, tooltip);
          break;
        }
      update_tooltips (child, why);
    }
}

void
pw_session_view_update_actions (PwSessionView *self)
{
  char *why[G_N_ELEMENTS (session_actions)];

  g_return_if_fail (PW_IS_SESSION_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (session_actions); i++)
    {
      guint bit = 1u << i;

      why[i] = refusal (self, session_actions[i].command);
      /* GTK 4.8 tells every watcher of an action, changed or not */
      if (session_actions[i].ours && (why[i] == NULL) != !(self->actions_off & bit))
        {
          if (why[i] == NULL)
            self->actions_off &= ~bit;
          else
            self->actions_off |= bit;
          gtk_widget_action_set_enabled (GTK_WIDGET (self), session_actions[i].action, why[i] == NULL);
        }
    }
  update_tooltips (GTK_WIDGET (self), why);
  for (guint i = 0; i < G_N_ELEMENTS (session_actions); i++)
    g_free (why[i]);
}

/* Narrow, the phase bar below already names the phase: the title gets
 * the whole header (and a second line) instead */
static void
update_title (PwSessionView *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label),
                          !self->folded && *gtk_label_get_text (self->subtitle_label) != '\0');
  gtk_label_set_lines (self->title_label, self->folded ? 2 : 1);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label),
                               self->info ? self->info->project : NULL);
}

static void
update_context_switch (PwSessionView *self)
{
  g_autofree char *label = NULL;

  if (self->counts.context_entry_count > 0)
    /* Translators: the narrow view switcher's button, "Context 2" (entries) */
    label = g_strdup_printf (_("Co_ntext %u"), self->counts.context_entry_count);
  gtk_label_set_text_with_mnemonic (self->context_switch_label, label ? label : _("Co_ntext"));
}

static gboolean
invert_boolean (gpointer unused,
                gboolean value)
{
  return !value;
}

/* Folded, the context panel is a page of its own over the chat (the
 * switcher bar at the bottom flips between them), not a strip beside it */
static void
on_flap_folded_changed (AdwFlap       *flap,
                        GParamSpec    *pspec,
                        PwSessionView *self)
{
  gtk_widget_set_hexpand (GTK_WIDGET (self->context_panel), adw_flap_get_folded (flap));
}

static void
reload (PwSessionView *self)
{
  PwEngine *engine = get_engine ();

  g_clear_pointer (&self->info, pw_session_info_free);
  memset (&self->counts, 0, sizeof self->counts);
  if (self->session_id != NULL && engine != NULL)
    {
      PwStore *store = pw_engine_get_store (engine);

      self->info = pw_store_get_session (store, self->session_id, NULL);
      if (self->info != NULL)
        pw_store_get_counts (store, self->session_id, &self->counts, NULL);
    }

  if (self->info != NULL)
    {
      g_autofree char *subtitle = NULL;

      gtk_label_set_text (self->title_label, self->info->project);
      if (self->info->status == PW_STATUS_PAUSED)
        /* Translators: the header's subtitle, "Review · Paused" */
        subtitle = g_strdup_printf (_("%s · Paused"), pw_phase_bar_phase_label (self->info->phase));
      else
        subtitle = g_strdup (pw_phase_bar_phase_label (self->info->phase));
      gtk_label_set_text (self->subtitle_label, subtitle);
    }
  else
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->subtitle_label, "");
    }
  update_title (self);
  update_context_switch (self);
  pw_session_view_update_actions (self);
}

static void
on_session_changed (PwApplication *app,
                    const char    *session_id,
                    PwSessionView *self)
{
  if (self->session_id != NULL
      && (session_id == NULL || g_strcmp0 (session_id, self->session_id) == 0))
    reload (self);
}

static void
on_export_response (GtkNativeDialog *chooser,
                    int              response,
                    PwSessionView   *self)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  PwEngine *engine = get_engine ();

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (folder == NULL || engine == NULL || self->session_id == NULL)
    return;

  path = g_file_get_path (folder);
  if (path == NULL)
    {
      show_toast (self, _("Choose a local folder to export to"));
      return;
    }
  if (!(files = pw_export_session (pw_engine_get_store (engine), self->session_id, path, &error)))
    {
      g_autofree char *msg = g_strdup_printf (_("Could not export: %s"), error->message);
      show_toast (self, msg);
      return;
    }
  {
    g_autofree char *msg = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                         "Exported %u file to %s",
                                                         "Exported %u files to %s", files->len),
                                            files->len, path);
    show_toast (self, msg);
  }
}

static void
session_export_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  PwSessionView *self = PW_SESSION_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->chooser != NULL || self->session_id == NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Export Session"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* As `planwright-cli complete`: COMPLETE is committed only once the
 * export and the hand-off are written. */
static void
session_complete_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  PwSessionView *self = PW_SESSION_VIEW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwDraft) draft = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *handoff = NULL;
  PwEngine *engine = get_engine ();
  PwStore *store;

  if (engine == NULL || self->session_id == NULL)
    return;
  store = pw_engine_get_store (engine);
  if (!(info = pw_planning_check (engine, self->session_id, PW_COMMAND_COMPLETE, &error)))
    goto fail;
  dir = pw_paths_session_dir (info->id);
  draft = pw_store_get_latest_draft (store, info->id, &error);
  if (error != NULL)
    goto fail;
  if (!pw_store_begin (store, &error))
    goto fail;
  if (!pw_store_set_phase (store, info->id, PW_PHASE_COMPLETE, PW_STATUS_COMPLETE, &error)
      || !(files = pw_export_session (store, info->id, dir, &error))
      || (info->repo_root != NULL && draft != NULL
          && !(handoff = pw_export_handoff (store, info->id, info->repo_root, &error)))
      || !pw_store_commit (store, &error))
    {
      pw_store_rollback (store);
      goto fail;
    }

  pw_application_session_changed (pw_application_get_default (), info->id);
  if (handoff != NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Session complete; plan handed off to %s"), handoff);
      show_toast (self, msg);
    }
  else
    show_toast (self, _("Session complete"));
  return;

fail:
  {
    g_autofree char *msg = g_strdup_printf (_("The session was not completed: %s"), error->message);
    show_toast (self, msg);
  }
}

static void
session_reopen_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  PwSessionView *self = PW_SESSION_VIEW (widget);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  PwEngine *engine = get_engine ();

  if (engine == NULL || self->session_id == NULL)
    return;
  if (!(info = pw_planning_check (engine, self->session_id, PW_COMMAND_REOPEN, &error))
      || !pw_store_set_phase (pw_engine_get_store (engine), info->id,
                              pw_lifecycle_next_phase (info->phase, PW_COMMAND_REOPEN),
                              PW_STATUS_ACTIVE, &error))
    {
      show_toast (self, error->message);
      return;
    }
  pw_application_session_changed (pw_application_get_default (), info->id);
}

static void
pw_session_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  if (prop_id == PROP_FOLDED)
    g_value_set_boolean (value, PW_SESSION_VIEW (object)->folded);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
pw_session_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PwSessionView *self = PW_SESSION_VIEW (object);

  if (prop_id == PROP_FOLDED)
    {
      if (self->folded != g_value_get_boolean (value))
        {
          self->folded = g_value_get_boolean (value);
          update_title (self);
          pw_chat_view_set_compact (self->chat_view, self->folded);
          g_object_notify_by_pspec (object, pspec);
        }
    }
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
pw_session_view_dispose (GObject *object)
{
  PwSessionView *self = PW_SESSION_VIEW (object);

  if (self->chooser != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->chooser, self);
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), PW_TYPE_SESSION_VIEW);
  /* The template's unnamed top box is ours to unparent */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (pw_session_view_parent_class)->dispose (object);
}

static void
pw_session_view_finalize (GObject *object)
{
  PwSessionView *self = PW_SESSION_VIEW (object);

  g_clear_pointer (&self->info, pw_session_info_free);
  g_free (self->session_id);

  G_OBJECT_CLASS (pw_session_view_parent_class)->finalize (object);
}

static void
pw_session_view_class_init (PwSessionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_session_view_dispose;
  object_class->finalize = pw_session_view_finalize;
  object_class->get_property = pw_session_view_get_property;
  object_class->set_property = pw_session_view_set_property;

  /* The leaflet is folded: show the back button and the window buttons */
  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PW_TYPE_PHASE_BAR);
  g_type_ensure (PW_TYPE_BLOCKER_PANEL);
  g_type_ensure (PW_TYPE_CHAT_VIEW);
  g_type_ensure (PW_TYPE_CONTEXT_PANEL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-session-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, back_button);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, title_label);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, context_switch_label);
  gtk_widget_class_bind_template_callback (widget_class, on_flap_folded_changed);
  gtk_widget_class_bind_template_callback (widget_class, invert_boolean);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, session_menu_button);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, context_toggle);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, phase_bar);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, blocker_panel);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, flap);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, chat_view);
  gtk_widget_class_bind_template_child (widget_class, PwSessionView, context_panel);

  gtk_widget_class_install_action (widget_class, "session.export", NULL, session_export_action);
  gtk_widget_class_install_action (widget_class, "session.complete", NULL, session_complete_action);
  gtk_widget_class_install_action (widget_class, "session.reopen", NULL, session_reopen_action);
}

static void
pw_session_view_init (PwSessionView *self)
{
  GApplication *app = g_application_get_default ();

  gtk_widget_init_template (GTK_WIDGET (self));

  if (PW_IS_APPLICATION (app))
    g_signal_connect_object (app, "session-changed", G_CALLBACK (on_session_changed), self, 0);
  pw_session_view_update_actions (self);
}

GtkWidget *
pw_session_view_new (void)
{
  return g_object_new (PW_TYPE_SESSION_VIEW, NULL);
}

void
pw_session_view_set_session (PwSessionView *self,
                             const char    *session_id)
{
  g_return_if_fail (PW_IS_SESSION_VIEW (self));

  if (g_strcmp0 (self->session_id, session_id) == 0)
    return;
  g_free (self->session_id);
  self->session_id = g_strdup (session_id);

  pw_phase_bar_set_session (self->phase_bar, session_id);
  pw_blocker_panel_set_session (self->blocker_panel, session_id);
  pw_chat_view_set_session (self->chat_view, session_id);
  pw_context_panel_set_session (self->context_panel, session_id);
  reload (self);
}

gboolean
pw_session_view_activate_action (PwSessionView *self,
                                 const char    *name)
{
  GtkWidget *children[] = {
    GTK_WIDGET (self->chat_view), GTK_WIDGET (self->context_panel),
    GTK_WIDGET (self->blocker_panel), GTK_WIDGET (self),
  };

  g_return_val_if_fail (PW_IS_SESSION_VIEW (self), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (children); i++)
    if (gtk_widget_activate_action (children[i], name, NULL))
      return TRUE;
  return FALSE;
}

const char *
pw_session_view_get_session (PwSessionView *self)
{
  g_return_val_if_fail (PW_IS_SESSION_VIEW (self), NULL);
  return self->session_id;
}
