/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A session's context entries: files and notes, added and removed. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-context-panel.h"

struct _PwContextPanel
{
  GtkWidget             parent_instance;

  GtkWidget            *content;
  GtkListBox           *list;
  GtkWidget            *error_box;
  GtkLabel             *error_label;
  GtkTextView          *note_view;
  GtkPopover           *note_popover;
  GtkWidget            *note_scroller;
  GtkMenuButton        *add_note_button;
  GtkButton            *add_file_button;

  GtkFileChooserNative *chooser;
  char                 *session_id;
  /* Why add-context is refused now, or NULL when it is allowed */
  char                 *refusal;
  gulong                changed_id;
};

G_DEFINE_FINAL_TYPE (PwContextPanel, pw_context_panel, GTK_TYPE_WIDGET)

static PwStore *
get_store (void)
{
  PwApplication *app = pw_application_get_default ();
  PwEngine *engine = app ? pw_application_get_engine (app) : NULL;

  return engine ? pw_engine_get_store (engine) : NULL;
}

static gsize
get_max_bytes (void)
{
  PwApplication *app = pw_application_get_default ();
  PwEngine *engine = app ? pw_application_get_engine (app) : NULL;

  return engine ? pw_settings_get_max_context_bytes (pw_engine_get_settings (engine))
                : PW_CONTEXT_DEFAULT_MAX_BYTES;
}

static void
show_error (PwContextPanel *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (self->error_box, message != NULL);
}

static void
dismiss_error_cb (PwContextPanel *self)
{
  gtk_widget_set_visible (self->error_box, FALSE);
}

/* What a row shows: the basename of a file, the first line of a note */
static char *
entry_title (const PwContextEntry *entry)
{
  if (g_strcmp0 (entry->entry_type, "file") == 0)
    return g_path_get_basename (entry->original_path ? entry->original_path : entry->name);
  if (g_strcmp0 (entry->entry_type, "synthesis") == 0)
    return g_strdup (_("Synthesis"));
  {
    g_autofree char *text = g_strstrip (g_strdup (entry->content ? entry->content : ""));
    char *nl = strchr (text, '\n');

    if (nl)
      *nl = '\0';
    if (g_utf8_strlen (text, -1) > 80)
      {
        char *end = g_utf8_offset_to_pointer (text, 80);
        *end = '\0';
        return g_strconcat (text, "…", NULL);
      }
    return *text ? g_steal_pointer (&text) : g_strdup (_("Empty note"));
  }
}

static const char *
entry_icon (const PwContextEntry *entry)
{
  if (g_strcmp0 (entry->entry_type, "file") == 0)
    return "text-x-generic-symbolic";
  if (g_strcmp0 (entry->entry_type, "synthesis") == 0)
    return "emblem-documents-symbolic";
  return "document-edit-symbolic";
}

static const char *
entry_kind (const PwContextEntry *entry)
{
  if (g_strcmp0 (entry->entry_type, "file") == 0)
    return _("File");
  if (g_strcmp0 (entry->entry_type, "synthesis") == 0)
    return _("Synthesis");
  return _("Note");
}

static void
remove_clicked_cb (GtkButton      *button,
                   PwContextPanel *self)
{
  g_autoptr(GError) error = NULL;
  PwStore *store = get_store ();
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "pw-entry-id"));
  g_autofree char *session_id = g_strdup (self->session_id);

  if (store == NULL || session_id == NULL || self->refusal != NULL)
    return;
  if (!pw_store_remove_context (store, session_id, id, &error))
    {
      show_error (self, error->message);
      return;
    }
  pw_application_session_changed (pw_application_get_default (), session_id);
}

static GtkWidget *
create_row (PwContextPanel       *self,
            const PwContextEntry *entry)
{
  g_autofree char *title = entry_title (entry);
  g_autofree char *size = g_format_size (entry->size_bytes);
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", entry_kind (entry), size);
  g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), title);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (entry_icon (entry));
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  /* A note's title is its first words: two lines say enough of it */
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);
  if (entry->original_path)
    gtk_widget_set_tooltip_text (row, entry->original_path);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  g_object_set_data (G_OBJECT (remove), "pw-entry-id", GSIZE_TO_POINTER ((gsize) entry->id));
  if (self->refusal)
    {
      gtk_widget_set_sensitive (remove, FALSE);
      /* An insensitive button shows no tooltip: the row carries the reason */
      gtk_widget_set_tooltip_text (row, self->refusal);
    }
  else
    gtk_widget_set_tooltip_text (remove, _("Remove from the context"));
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  return row;
}

/* Setting a tooltip, even the same one, queries the pointer (an X round
 * trip), and this runs on every session-changed: only a change is set */
static void
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

/* "Add Note" does something only for a note with text in it */
static void
update_note_action (PwContextPanel *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->note_view);
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "context.add-note",
                                 self->refusal == NULL && *g_strstrip (text) != '\0');
}

static void
on_note_changed (GtkTextBuffer  *buffer,
                 PwContextPanel *self)
{
  update_note_action (self);
}

static void
update_refusal (PwContextPanel      *self,
                const PwSessionInfo *info,
                guint                open_blockers)
{
  g_clear_pointer (&self->refusal, g_free);
  if (info == NULL)
    self->refusal = g_strdup (_("No session is selected"));
  else
    /* The window's wording: what to do here, not which CLI command */
    self->refusal = pw_lifecycle_explain (info->phase, info->status, open_blockers,
                                          PW_COMMAND_ADD_CONTEXT);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "context.add-file", self->refusal == NULL);
  update_note_action (self);
  /* A menu button has no action of its own */
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_note_button), self->refusal == NULL);
  set_tooltip (GTK_WIDGET (self->add_note_button), self->refusal ? self->refusal : _("Add Note"));
  set_tooltip (GTK_WIDGET (self->add_file_button), self->refusal ? self->refusal : _("Add Files…"));
}

static void
reload (PwContextPanel *self)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  PwSessionCounts counts = { 0 };
  PwStore *store = get_store ();
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))))
    {
      if (!GTK_IS_LIST_BOX_ROW (child))
        break;
      gtk_list_box_remove (self->list, child);
    }

  if (store && self->session_id)
    {
      info = pw_store_get_session (store, self->session_id, NULL);
      if (info)
        {
          pw_store_get_counts (store, info->id, &counts, NULL);
          entries = pw_store_list_context (store, info->id, NULL);
        }
    }
  update_refusal (self, info, counts.open_blocker_count);

  for (guint i = 0; entries && i < entries->len; i++)
    gtk_list_box_append (self->list, create_row (self, g_ptr_array_index (entries, i)));
}

/* Stores @files (already read and checked) and @note in one transaction
 * that also moves SETUP → CONTEXT, as the CLI does. */
static gboolean
store_entries (PwContextPanel *self,
               GPtrArray      *files,
               const char     *note,
               GError        **error)
{
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  PwStore *store = get_store ();
  PwPhase next;

  if (store == NULL)
    {
      g_set_error_literal (error, PW_STORE_ERROR, PW_STORE_ERROR_FAILED,
                           _("The database is not open"));
      return FALSE;
    }
  if (!(info = pw_store_get_session (store, self->session_id, error)))
    return FALSE;

  next = pw_lifecycle_next_phase (info->phase, PW_COMMAND_ADD_CONTEXT);
  if (!pw_store_begin (store, error))
    return FALSE;
  for (guint i = 0; files && i < files->len; i++)
    {
      PwContextFile *file = g_ptr_array_index (files, i);

      if (pw_store_add_context (store, info->id, "file", file->path, file->content,
                                file->path, file->sha256, error) == 0)
        goto fail;
    }
  if (note)
    {
      g_autofree char *stamp = g_date_time_format (now, "%Y%m%d%H%M%S");
      g_autofree char *key = g_strdup_printf ("note-%s%06d-1", stamp,
                                              g_date_time_get_microsecond (now));

      if (pw_store_add_context (store, info->id, "note", key, note, NULL, NULL, error) == 0)
        goto fail;
    }
  if (next != info->phase
      && !pw_store_set_phase (store, info->id, next, info->status, error))
    goto fail;
  if (!pw_store_commit (store, error))
    return FALSE;

  pw_application_session_changed (pw_application_get_default (), info->id);
  return TRUE;

fail:
  pw_store_rollback (store);
  return FALSE;
}

/* Reads every file with the CLI's checks; refused files are listed in
 * the error banner and not stored, the others are. */
static void
add_paths (PwContextPanel *self,
           GPtrArray      *paths)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_context_file_free);
  g_autoptr(GString) errors = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  gsize max_bytes = get_max_bytes ();

  if (self->refusal)
    {
      show_error (self, self->refusal);
      return;
    }

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) local_error = NULL;
      PwContextFile *file = pw_context_file_read (g_ptr_array_index (paths, i), max_bytes, &local_error);

      if (file)
        g_ptr_array_add (files, file);
      else
        {
          if (errors->len)
            g_string_append_c (errors, '\n');
          g_string_append (errors, local_error->message);
        }
    }

  if (files->len && !store_entries (self, files, NULL, &error))
    {
      if (errors->len)
        g_string_append_c (errors, '\n');
      g_string_append_printf (errors, _("Nothing was added: %s"), error->message);
    }
  show_error (self, errors->len ? errors->str : NULL);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     PwContextPanel  *self)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) model = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));

      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (model, i);
          char *path = g_file_get_path (file);

          if (path)
            g_ptr_array_add (paths, path);
        }
    }
  g_clear_object (&self->chooser);
  if (paths->len)
    add_paths (self, paths);
}

static void
add_file_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  PwContextPanel *self = PW_CONTEXT_PANEL (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->chooser)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Add Files to the Context"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
add_note_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  PwContextPanel *self = PW_CONTEXT_PANEL (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->note_view);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_strstrip (text);
  if (*text == '\0')
    return;
  if (self->refusal)
    {
      show_error (self, self->refusal);
      return;
    }
  if (!store_entries (self, NULL, text, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The note was not added: %s"), error->message);
      show_error (self, message);
      return;
    }
  gtk_text_buffer_set_text (buffer, "", 0);
  gtk_popover_popdown (self->note_popover);
  show_error (self, NULL);
}

/* The note field is as wide as a comfortable line, less when the window
 * is narrow: the popover hangs left from the button's end and must end
 * inside the window, frame and shadow included */
#define NOTE_FIELD_WIDTH     320
#define NOTE_FIELD_MIN_WIDTH 160
#define NOTE_WINDOW_MARGIN   6

static void
fit_note_popover (PwContextPanel *self)
{
  GtkWidget *button = GTK_WIDGET (self->add_note_button);
  GtkRoot *root = gtk_widget_get_root (button);
  graphene_rect_t bounds;
  int popover_min, field_min, frame, room, edge;

  gtk_widget_set_size_request (self->note_scroller, NOTE_FIELD_MIN_WIDTH, -1);
  if (root == NULL || !gtk_widget_compute_bounds (button, GTK_WIDGET (root), &bounds))
    return;

  /* What the popover adds around the field: its padding, arrow and shadow */
  gtk_widget_measure (GTK_WIDGET (self->note_popover), GTK_ORIENTATION_HORIZONTAL, -1,
                      &popover_min, NULL, NULL, NULL);
  gtk_widget_measure (self->note_scroller, GTK_ORIENTATION_HORIZONTAL, -1,
                      &field_min, NULL, NULL, NULL);
  frame = MAX (0, popover_min - field_min);
  /* Right to left, it hangs the other way, from the button's left edge */
  if (gtk_widget_get_direction (button) == GTK_TEXT_DIR_RTL)
    edge = gtk_widget_get_width (GTK_WIDGET (root)) - (int) bounds.origin.x;
  else
    edge = (int) (bounds.origin.x + bounds.size.width);
  room = edge - NOTE_WINDOW_MARGIN - frame;
  gtk_widget_set_size_request (self->note_scroller,
                               CLAMP (room, NOTE_FIELD_MIN_WIDTH, NOTE_FIELD_WIDTH), -1);
}

static void
note_popover_show_cb (PwContextPanel *self)
{
  fit_note_popover (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->note_view));
}

static gboolean
drop_cb (GtkDropTarget  *target,
         const GValue   *value,
         double          x,
         double          y,
         PwContextPanel *self)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  for (GSList *l = files; l; l = l->next)
    {
      char *path = g_file_get_path (l->data);

      if (path)
        g_ptr_array_add (paths, path);
      else
        {
          g_autofree char *uri = g_file_get_uri (l->data);
          g_autofree char *message = g_strdup_printf (_("%s is not a local file"), uri);
          show_error (self, message);
        }
    }
  g_slist_free (files);
  if (paths->len == 0)
    return FALSE;
  add_paths (self, paths);
  return TRUE;
}

static void
session_changed_cb (PwApplication  *app,
                    const char     *session_id,
                    PwContextPanel *self)
{
  if (session_id == NULL || g_strcmp0 (session_id, self->session_id) == 0)
    reload (self);
}

static void
pw_context_panel_dispose (GObject *object)
{
  PwContextPanel *self = PW_CONTEXT_PANEL (object);
  PwApplication *app = pw_application_get_default ();

  if (self->chooser)
    {
      gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
      g_clear_object (&self->chooser);
    }
  if (self->changed_id && app)
    g_clear_signal_handler (&self->changed_id, app);
  gtk_widget_dispose_template (GTK_WIDGET (self), PW_TYPE_CONTEXT_PANEL);

  G_OBJECT_CLASS (pw_context_panel_parent_class)->dispose (object);
}

static void
pw_context_panel_finalize (GObject *object)
{
  PwContextPanel *self = PW_CONTEXT_PANEL (object);

  g_free (self->session_id);
  g_free (self->refusal);

  G_OBJECT_CLASS (pw_context_panel_parent_class)->finalize (object);
}

static void
pw_context_panel_class_init (PwContextPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_context_panel_dispose;
  object_class->finalize = pw_context_panel_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-context-panel.ui");
  /* Bound so that dispose_template unparents it */
  gtk_widget_class_bind_template_child (widget_class, PwContextPanel, content);
  gtk_widget_class_bind_template_child (widget_class, PwContextPanel, list);
  gtk_widget_class_bind_template_child (widget_class, PwContextPanel, error_box);
  gtk_widget_class_bind_template_child (widget_class, PwContextPanel, error_label);
  gtk_widget_class_bind_template_child (widget_class, PwContextPanel, note_view);
  gtk_widget_class_bind_template_child (widget_class, PwContextPanel, note_popover);
  gtk_widget_class_bind_template_child (widget_class, PwContextPanel, note_scroller);
  gtk_widget_class_bind_template_child (widget_class, PwContextPanel, add_note_button);
  gtk_widget_class_bind_template_child (widget_class, PwContextPanel, add_file_button);
  gtk_widget_class_bind_template_callback (widget_class, dismiss_error_cb);
  gtk_widget_class_bind_template_callback (widget_class, note_popover_show_cb);

  gtk_widget_class_install_action (widget_class, "context.add-file", NULL, add_file_action);
  gtk_widget_class_install_action (widget_class, "context.add-note", NULL, add_note_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pwcontextpanel");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
pw_context_panel_init (PwContextPanel *self)
{
  GtkDropTarget *target;
  PwApplication *app = pw_application_get_default ();

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (gtk_text_view_get_buffer (self->note_view), "changed",
                           G_CALLBACK (on_note_changed), self, 0);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  if (app)
    self->changed_id = g_signal_connect (app, "session-changed",
                                         G_CALLBACK (session_changed_cb), self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Context"), -1);
  update_refusal (self, NULL, 0);
}

GtkWidget *
pw_context_panel_new (void)
{
  return g_object_new (PW_TYPE_CONTEXT_PANEL, NULL);
}

void
pw_context_panel_set_session (PwContextPanel *self,
                              const char     *session_id)
{
  g_return_if_fail (PW_IS_CONTEXT_PANEL (self));

  if (g_strcmp0 (self->session_id, session_id) != 0)
    {
      g_free (self->session_id);
      self->session_id = g_strdup (session_id);
      show_error (self, NULL);
    }
  reload (self);
}

const char *
pw_context_panel_get_session (PwContextPanel *self)
{
  g_return_val_if_fail (PW_IS_CONTEXT_PANEL (self), NULL);
  return self->session_id;
}
