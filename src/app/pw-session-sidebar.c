/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The session sidebar: search, status filter, the list, archive/delete with undo. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-phase-bar.h"
#include "pw-session-sidebar.h"

/* PwSessionRow: the child of a list row, bound to its PwSessionItem by
 * the factory's .ui; sets the phase badge's style class, which an
 * expression binding cannot. */
struct _PwSessionRow
{
  GtkWidget      parent_instance;

  PwSessionItem *item;
  GtkWidget     *box;
  GtkWidget     *project_label;
  GtkWidget     *phase_badge;
  GtkWidget     *time_label;
  GtkWidget     *menu_button;
};

G_DEFINE_FINAL_TYPE (PwSessionRow, pw_session_row, GTK_TYPE_WIDGET)

enum {
  ROW_PROP_0,
  ROW_PROP_ITEM,
  ROW_N_PROPS
};

static GParamSpec *row_properties[ROW_N_PROPS];

/* The row menu is made when it is opened: a popover menu per row costs
 * more than the rest of the row, and GTK 4.8 keeps about 200 rows alive,
 * all built before the window first shows. */
static void
create_row_menu (GtkMenuButton *button,
                 gpointer       user_data)
{
  PwSessionRow *self = user_data;
  g_autoptr(GMenu) menu = NULL;
  const char *id;

  if (self->item == NULL)
    return;

  id = pw_session_item_get_id (self->item);
  menu = g_menu_new ();
  if (pw_session_item_get_archived (self->item))
    {
      g_autoptr(GMenuItem) unarchive = g_menu_item_new (_("_Unarchive"), NULL);
      g_menu_item_set_action_and_target (unarchive, "sidebar.unarchive", "s", id);
      g_menu_append_item (menu, unarchive);
    }
  else
    {
      g_autoptr(GMenuItem) archive = g_menu_item_new (_("_Archive"), NULL);
      g_menu_item_set_action_and_target (archive, "sidebar.archive", "s", id);
      g_menu_append_item (menu, archive);
    }
  {
    g_autoptr(GMenuItem) del = g_menu_item_new (_("_Delete"), NULL);
    g_menu_item_set_action_and_target (del, "sidebar.delete", "s", id);
    g_menu_append_item (menu, del);
  }
  gtk_menu_button_set_menu_model (button, G_MENU_MODEL (menu));
}

static void
pw_session_row_set_item (PwSessionRow  *self,
                         PwSessionItem *item)
{
  g_autofree char *time = NULL;
  g_autofree char *a11y = NULL;
  g_autofree char *phase_class = NULL;
  const char *phase;

  if (!g_set_object (&self->item, item))
    return;

  for (guint i = 0; i < PW_N_PHASES; i++)
    {
      g_autofree char *klass = g_ascii_strdown (pw_phase_to_string (i), -1);
      gtk_widget_remove_css_class (self->phase_badge, klass);
    }
  gtk_widget_remove_css_class (self->phase_badge, "paused");

  if (item == NULL)
    {
      gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->menu_button), NULL);
      g_object_notify_by_pspec (G_OBJECT (self), row_properties[ROW_PROP_ITEM]);
      return;
    }

  phase = pw_phase_bar_phase_label (pw_session_item_get_phase (item));
  gtk_label_set_label (GTK_LABEL (self->project_label), pw_session_item_get_project (item));
  gtk_label_set_label (GTK_LABEL (self->phase_badge), phase);
  phase_class = g_ascii_strdown (pw_phase_to_string (pw_session_item_get_phase (item)), -1);
  gtk_widget_add_css_class (self->phase_badge, phase_class);
  if (pw_session_item_get_status (item) == PW_STATUS_PAUSED)
    {
      gtk_widget_add_css_class (self->phase_badge, "paused");
      /* Translators: the phase badge of a paused session, "Review · Paused" */
      {
        g_autofree char *paused = g_strdup_printf (_("%s · Paused"), phase);
        gtk_label_set_label (GTK_LABEL (self->phase_badge), paused);
      }
    }
  time = pw_session_item_dup_relative_time (item);
  gtk_label_set_label (GTK_LABEL (self->time_label), time);

  /* Translators: accessible label of a session row: project, phase, time */
  a11y = g_strdup_printf (_("%s, %s, %s"), pw_session_item_get_project (item),
                          gtk_label_get_label (GTK_LABEL (self->phase_badge)), time);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);

  /* A menu opened before belongs to the previous item: built anew when opened */
  if (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (self->menu_button)) != NULL)
    gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->menu_button), NULL);

  g_object_notify_by_pspec (G_OBJECT (self), row_properties[ROW_PROP_ITEM]);
}

static void
on_row_right_click (GtkGestureClick *gesture,
                    int              n_press,
                    double           x,
                    double           y,
                    PwSessionRow    *self)
{
  if (self->item != NULL)
    gtk_menu_button_popup (GTK_MENU_BUTTON (self->menu_button));
}

static void
pw_session_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  if (prop_id == ROW_PROP_ITEM)
    g_value_set_object (value, PW_SESSION_ROW (object)->item);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
pw_session_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  if (prop_id == ROW_PROP_ITEM)
    pw_session_row_set_item (PW_SESSION_ROW (object), g_value_get_object (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
pw_session_row_dispose (GObject *object)
{
  PwSessionRow *self = PW_SESSION_ROW (object);

  g_clear_object (&self->item);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (pw_session_row_parent_class)->dispose (object);
}

static void
pw_session_row_class_init (PwSessionRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_session_row_dispose;
  object_class->get_property = pw_session_row_get_property;
  object_class->set_property = pw_session_row_set_property;

  row_properties[ROW_PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, PW_TYPE_SESSION_ITEM,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);

  gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "sessionrow");
}

static void
pw_session_row_init (PwSessionRow *self)
{
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *meta = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkGesture *click = gtk_gesture_click_new ();

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->project_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->project_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->project_label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (self->project_label, "heading");
  gtk_box_append (GTK_BOX (text), self->project_label);

  self->phase_badge = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->phase_badge, "phase-badge");
  gtk_box_append (GTK_BOX (meta), self->phase_badge);
  self->time_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->time_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->time_label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (self->time_label, TRUE);
  gtk_widget_add_css_class (self->time_label, "dim-label");
  gtk_widget_add_css_class (self->time_label, "caption");
  gtk_box_append (GTK_BOX (meta), self->time_label);
  gtk_box_append (GTK_BOX (text), meta);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (self->box), text);

  self->menu_button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (self->menu_button), "view-more-symbolic");
  gtk_widget_set_valign (self->menu_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->menu_button, "flat");
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (self->menu_button), create_row_menu, self, NULL);
  /* A tooltip set on a visible widget asks the X server where the pointer
   * is, one round trip per row (GTK 4.8): set it while hidden */
  gtk_widget_set_visible (self->menu_button, FALSE);
  gtk_widget_set_tooltip_text (self->menu_button, _("Session Actions"));
  gtk_widget_set_visible (self->menu_button, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Session actions"), -1);
  gtk_box_append (GTK_BOX (self->box), self->menu_button);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_row_right_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

/* PwSessionSidebar */

typedef struct {
  PwSessionSidebar *self;   /* weak: NULL once the sidebar is gone */
  char             *id;
  gboolean          undone;
} PendingDelete;

struct _PwSessionSidebar
{
  GtkWidget           parent_instance;

  /* template */
  AdwHeaderBar       *header_bar;
  GtkSearchEntry     *search_entry;
  GtkDropDown        *filter_dropdown;
  GtkStack           *list_stack;
  GtkListView        *list_view;
  AdwStatusPage      *empty_page;

  PwSessionList      *list;
  GtkSingleSelection *selection;
  char               *selected_id;
  GPtrArray          *pending;   /* PendingDelete, deleted when the sidebar goes */
  gboolean            folded;
  gboolean            restoring;
  guint               attach_id;  /* the model is given to the list view */
};

G_DEFINE_FINAL_TYPE (PwSessionSidebar, pw_session_sidebar, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SELECTED_ID,
  PROP_FOLDED,
  N_PROPS
};

enum {
  SIGNAL_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static PwEngine *
get_engine (void)
{
  GApplication *app = g_application_get_default ();

  return PW_IS_APPLICATION (app) ? pw_application_get_engine (PW_APPLICATION (app)) : NULL;
}

static void
notify_changed (void)
{
  GApplication *app = g_application_get_default ();

  if (PW_IS_APPLICATION (app))
    pw_application_session_changed (PW_APPLICATION (app), NULL);
}

/* Toast titles are markup on libadwaita 1.2: escape user text */
static AdwToast *
new_toast (const char *title)
{
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  return adw_toast_new (escaped);
}

static void
show_toast (PwSessionSidebar *self,
            AdwToast         *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    {
      /* No overlay (a test of the bare sidebar): no undo either */
      adw_toast_dismiss (toast);
      g_object_unref (toast);
    }
}

static void
update_empty (PwSessionSidebar *self)
{
  GApplication *app = g_application_get_default ();
  /* Still reading, or the database still being converted: an empty
   * list, not "No Sessions" */
  gboolean empty = pw_session_list_is_loaded (self->list)
                   && g_list_model_get_n_items (G_LIST_MODEL (self->list)) == 0
                   && !(PW_IS_APPLICATION (app) && pw_application_is_upgrading (PW_APPLICATION (app)));

  if (pw_session_list_get_query (self->list) != NULL)
    {
      adw_status_page_set_title (self->empty_page, _("No Results"));
      adw_status_page_set_description (self->empty_page, _("No session mentions these words"));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No Sessions"));
      adw_status_page_set_description (self->empty_page,
                                       pw_session_list_get_filter (self->list) == PW_SESSION_FILTER_ALL
                                       ? _("Start one with the + button")
                                       : _("No session has this status"));
    }
  gtk_stack_set_visible_child_name (self->list_stack, empty ? "empty" : "list");
}

static void
set_selected_id (PwSessionSidebar *self,
                 const char       *id)
{
  if (g_strcmp0 (self->selected_id, id) == 0)
    return;
  g_free (self->selected_id);
  self->selected_id = g_strdup (id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ID]);
}

static void
on_selection_changed (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      PwSessionSidebar   *self)
{
  PwSessionItem *item = gtk_single_selection_get_selected_item (selection);

  if (self->restoring)
    return;
  set_selected_id (self, item ? pw_session_item_get_id (item) : NULL);
}

/* The selection model forgets its selected row when the rows are
 * replaced (every refresh) and says so first: ignore that until
 * on_items_changed has selected the same session again. */
static void
on_items_changing (GListModel       *model,
                   guint             position,
                   guint             removed,
                   guint             added,
                   PwSessionSidebar *self)
{
  self->restoring = TRUE;
}

/* After a refresh the model's rows are new: select the same session again. */
static void
on_items_changed (GListModel       *model,
                  guint             position,
                  guint             removed,
                  guint             added,
                  PwSessionSidebar *self)
{
  guint pos = pw_session_list_find (self->list, self->selected_id);

  self->restoring = TRUE;
  gtk_single_selection_set_selected (self->selection, pos);
  self->restoring = FALSE;
  /* The session disappeared from the list (filtered, archived, deleted) */
  if (pos == GTK_INVALID_LIST_POSITION && self->selected_id != NULL
      && pw_session_list_get_query (self->list) == NULL)
    set_selected_id (self, NULL);
  update_empty (self);
}

static void
on_list_activate (GtkListView      *list_view,
                  guint             position,
                  PwSessionSidebar *self)
{
  gtk_single_selection_set_selected (self->selection, position);
  g_signal_emit (self, signals[SIGNAL_ACTIVATED], 0);
}

static void
on_search_changed (GtkSearchEntry   *entry,
                   PwSessionSidebar *self)
{
  pw_session_list_set_query (self->list, gtk_editable_get_text (GTK_EDITABLE (entry)));
  update_empty (self);
}

static void
on_stop_search (GtkSearchEntry   *entry,
                PwSessionSidebar *self)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static void
on_filter_selected (GtkDropDown      *dropdown,
                    GParamSpec       *pspec,
                    PwSessionSidebar *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (selected <= PW_SESSION_FILTER_ARCHIVED && self->list != NULL)
    pw_session_list_set_filter (self->list, selected);
}

static void
archive (PwSessionSidebar *self,
         const char       *id,
         gboolean          archived,
         gboolean          with_undo);

static void
on_archive_undo (AdwToast         *toast,
                 PwSessionSidebar *self)
{
  const char *id = g_object_get_data (G_OBJECT (toast), "session-id");

  if (id != NULL)
    archive (self, id, !GPOINTER_TO_INT (g_object_get_data (G_OBJECT (toast), "archived")), FALSE);
}

static void
archive (PwSessionSidebar *self,
         const char       *id,
         gboolean          archived,
         gboolean          with_undo)
{
  g_autoptr(GError) error = NULL;
  PwEngine *engine = get_engine ();
  AdwToast *toast;

  if (engine == NULL)
    return;
  if (!pw_store_set_archived (pw_engine_get_store (engine), id, archived, &error))
    {
      show_toast (self, new_toast (error->message));
      return;
    }
  notify_changed ();
  if (!with_undo)
    return;

  toast = adw_toast_new (archived ? _("Session archived") : _("Session unarchived"));
  adw_toast_set_button_label (toast, _("_Undo"));
  g_object_set_data_full (G_OBJECT (toast), "session-id", g_strdup (id), g_free);
  g_object_set_data (G_OBJECT (toast), "archived", GINT_TO_POINTER (archived));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_archive_undo), self, 0);
  show_toast (self, toast);
}

static void
sidebar_archive_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  archive (PW_SESSION_SIDEBAR (widget), g_variant_get_string (parameter, NULL),
           g_strcmp0 (action_name, "sidebar.archive") == 0, TRUE);
}

static void
pending_delete_free (PendingDelete *pending)
{
  g_free (pending->id);
  g_free (pending);
}

static void
pending_delete_run (PendingDelete *pending)
{
  PwEngine *engine = get_engine ();

  if (!pending->undone && engine != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!pw_store_delete_session (pw_engine_get_store (engine), pending->id, &error))
        g_warning ("Could not delete session %s: %s", pending->id, error->message);
    }
  pending->undone = TRUE;   /* done: never twice */
}

static void
on_delete_toast_dismissed (AdwToast      *toast,
                           PendingDelete *pending)
{
  PwSessionSidebar *self = pending->self;

  if (self == NULL)
    {
      pending_delete_free (pending);
      return;
    }
  pending_delete_run (pending);
  pw_session_list_unhide (self->list, pending->id);
  g_ptr_array_remove (self->pending, pending);
  notify_changed ();
}

static void
on_delete_toast_undo (AdwToast      *toast,
                      PendingDelete *pending)
{
  PwSessionSidebar *self = pending->self;

  pending->undone = TRUE;
  if (self != NULL)
    pw_session_list_unhide (self->list, pending->id);
}

static void
sidebar_delete_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  PwSessionSidebar *self = PW_SESSION_SIDEBAR (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autofree char *title = NULL;
  PendingDelete *pending;
  AdwToast *toast;

  if (get_engine () == NULL)
    return;
  if (!(info = pw_store_get_session (pw_engine_get_store (get_engine ()), id, &error)))
    {
      show_toast (self, new_toast (error->message));
      return;
    }

  /* The row goes at once; the store forgets it only when the toast has
   * gone without Undo (or the window closes). */
  pending = g_new0 (PendingDelete, 1);
  pending->self = self;
  pending->id = g_strdup (id);
  g_ptr_array_add (self->pending, pending);
  pw_session_list_hide (self->list, id);
  if (g_strcmp0 (self->selected_id, id) == 0)
    set_selected_id (self, NULL);

  /* Translators: %s is the project name */
  title = g_strdup_printf (_("“%s” deleted"), info->project);
  toast = new_toast (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_timeout (toast, 5);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (on_delete_toast_undo), pending);
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_delete_toast_dismissed), pending);
  show_toast (self, toast);
}

static void
pw_session_sidebar_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PwSessionSidebar *self = PW_SESSION_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_SELECTED_ID:
      g_value_set_string (value, self->selected_id);
      break;
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_session_sidebar_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  PwSessionSidebar *self = PW_SESSION_SIDEBAR (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      if (self->folded != g_value_get_boolean (value))
        {
          self->folded = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_session_sidebar_dispose (GObject *object)
{
  PwSessionSidebar *self = PW_SESSION_SIDEBAR (object);

  g_clear_handle_id (&self->attach_id, g_source_remove);
  /* Deletes waiting for their toast happen now: closing is not Undo */
  if (self->pending != NULL)
    {
      for (guint i = 0; i < self->pending->len; i++)
        {
          PendingDelete *pending = g_ptr_array_index (self->pending, i);

          pending_delete_run (pending);
          pending->self = NULL;
        }
      /* The toasts may still point at them: leak-free only once they go */
      g_ptr_array_set_free_func (self->pending, NULL);
      g_clear_pointer (&self->pending, g_ptr_array_unref);
    }

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), PW_TYPE_SESSION_SIDEBAR);
  /* The template's unnamed top box is ours to unparent */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))))
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->selection);
  g_clear_object (&self->list);

  G_OBJECT_CLASS (pw_session_sidebar_parent_class)->dispose (object);
}

static void
pw_session_sidebar_finalize (GObject *object)
{
  g_free (PW_SESSION_SIDEBAR (object)->selected_id);

  G_OBJECT_CLASS (pw_session_sidebar_parent_class)->finalize (object);
}

static void
pw_session_sidebar_class_init (PwSessionSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_session_sidebar_dispose;
  object_class->finalize = pw_session_sidebar_finalize;
  object_class->get_property = pw_session_sidebar_get_property;
  object_class->set_property = pw_session_sidebar_set_property;

  properties[PROP_SELECTED_ID] =
    g_param_spec_string ("selected-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A row was activated (Enter, double click): folded, show the content */
  signals[SIGNAL_ACTIVATED] =
    g_signal_new ("activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (PW_TYPE_SESSION_ROW);
  g_type_ensure (PW_TYPE_SESSION_ITEM);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-session-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, PwSessionSidebar, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PwSessionSidebar, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PwSessionSidebar, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PwSessionSidebar, list_stack);
  gtk_widget_class_bind_template_child (widget_class, PwSessionSidebar, list_view);
  gtk_widget_class_bind_template_child (widget_class, PwSessionSidebar, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);

  gtk_widget_class_install_action (widget_class, "sidebar.archive", "s", sidebar_archive_action);
  gtk_widget_class_install_action (widget_class, "sidebar.unarchive", "s", sidebar_archive_action);
  gtk_widget_class_install_action (widget_class, "sidebar.delete", "s", sidebar_delete_action);
}

/* Near the end of the rows the model offers: the next page */
static void
on_scrolled (GtkAdjustment    *adjustment,
             PwSessionSidebar *self)
{
  double page = gtk_adjustment_get_page_size (adjustment);

  if (page > 0 && gtk_adjustment_get_value (adjustment) + 2 * page >= gtk_adjustment_get_upper (adjustment))
    pw_session_list_show_more (self->list);
}

static gboolean
attach_model (gpointer data)
{
  PwSessionSidebar *self = data;

  self->attach_id = 0;
  if (gtk_list_view_get_model (self->list_view) == NULL)
    gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  return G_SOURCE_REMOVE;
}

static void
on_list_mapped (PwSessionSidebar *self)
{
  /* Below GDK's redraw priority: after the frame that shows the window */
  if (gtk_list_view_get_model (self->list_view) == NULL && self->attach_id == 0)
    self->attach_id = g_idle_add_full (G_PRIORITY_LOW, attach_model, self, NULL);
}

static void
pw_session_sidebar_init (PwSessionSidebar *self)
{
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_delete_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->list = pw_session_list_new (get_engine ());
  /* Before the selection model connects its own handler */
  g_signal_connect (self->list, "items-changed", G_CALLBACK (on_items_changing), self);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->list)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  g_signal_connect (self->selection, "notify::selected",
                    G_CALLBACK (on_selection_changed), self);
  g_signal_connect_after (self->list, "items-changed",
                          G_CALLBACK (on_items_changed), self);
  g_signal_connect_swapped (self->list, "notify::loaded", G_CALLBACK (update_empty), self);
  /* The rows are built once the first frame is out (GTK 4.8 builds some
   * 200 of them at once): the window shows without waiting for them. */
  g_signal_connect_object (self->list_view, "map", G_CALLBACK (on_list_mapped), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->list_view)), "value-changed",
                           G_CALLBACK (on_scrolled), self, 0);
  update_empty (self);
}

GtkWidget *
pw_session_sidebar_new (void)
{
  return g_object_new (PW_TYPE_SESSION_SIDEBAR, NULL);
}

PwSessionList *
pw_session_sidebar_get_list (PwSessionSidebar *self)
{
  g_return_val_if_fail (PW_IS_SESSION_SIDEBAR (self), NULL);
  return self->list;
}

const char *
pw_session_sidebar_get_selected (PwSessionSidebar *self)
{
  g_return_val_if_fail (PW_IS_SESSION_SIDEBAR (self), NULL);
  return self->selected_id;
}

void
pw_session_sidebar_select (PwSessionSidebar *self,
                           const char       *session_id)
{
  guint pos;

  g_return_if_fail (PW_IS_SESSION_SIDEBAR (self));

  pos = pw_session_list_find (self->list, session_id);
  gtk_single_selection_set_selected (self->selection, pos);
  if (pos != GTK_INVALID_LIST_POSITION)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", pos);
  set_selected_id (self, session_id);
}

void
pw_session_sidebar_focus_search (PwSessionSidebar *self)
{
  g_return_if_fail (PW_IS_SESSION_SIDEBAR (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
pw_session_sidebar_set_search (PwSessionSidebar *self,
                               const char       *text)
{
  g_return_if_fail (PW_IS_SESSION_SIDEBAR (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  if (text != NULL && *text != '\0')
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
      gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
    }
}

void
pw_session_sidebar_set_filter (PwSessionSidebar *self,
                               PwSessionFilter   filter)
{
  g_return_if_fail (PW_IS_SESSION_SIDEBAR (self));
  gtk_drop_down_set_selected (self->filter_dropdown, filter);
}
