/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The conversation of a session: messages, the streaming reply, the composer. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-chat-view.h"
#include "pw-demo.h"
#include "pw-message-row.h"
#include "pw-notify.h"
#include "pw-session-view.h"

typedef enum {
  RUN_DISCUSS,
  RUN_DONE,
} RunKind;

struct _PwChatView
{
  GtkWidget          parent_instance;

  /* template; gtk_widget_dispose_template (4.8) unparents bound children only */
  GtkWidget         *root;
  GtkStack          *stack;
  AdwStatusPage     *empty_page;
  GtkScrolledWindow *scroller;
  GtkListView       *list_view;
  GtkWidget         *composer_frame;
  GtkTextView       *composer;
  GtkLabel          *placeholder_label;
  GtkWidget         *send_button;
  GtkWidget         *stop_button;
  GtkWidget         *done_button;
  GtkWidget         *hint_label;

  char              *session_id;
  GListStore        *messages;       /* PwChatMessage; the streaming one is last */

  gboolean           discuss_allowed;
  char              *refusal;        /* why discuss is refused, or NULL */
  /* A demo session opened while the demo server does not run (a later
   * run of the app): it is started first; its failure, if it failed */
  char              *demo_starting;  /* the session it is started for */
  char              *demo_error;

  /* The running operation and where its text goes */
  PwOperation       *op;
  GCancellable      *cancellable;
  PwChatMessage     *streaming;
  PwChatMessage     *user_item;
  GString           *pending;        /* deltas not yet shown: flushed once a frame */
  guint              tick_id;
  guint              retry_timer_id;
  gint64             retry_deadline; /* monotonic µs */
  char              *retry_reason;

  RunKind            failed_kind;
  char              *last_message;   /* sent again by Retry */

  guint              actions_off;    /* ChatAction bits of the disabled actions */

  gboolean           list_in_sync;   /* our own session-changed after a reply */
  gboolean           stick_to_bottom;
  int                follow_frames;
  double             last_value;
  gint64             user_scroll_at;   /* the last scroll input, monotonic */
};

G_DEFINE_FINAL_TYPE (PwChatView, pw_chat_view, GTK_TYPE_WIDGET)

typedef enum {
  CHAT_ACTION_SEND = 1 << 0,
  CHAT_ACTION_STOP = 1 << 1,
  CHAT_ACTION_DONE = 1 << 2,
} ChatAction;

static void start_done     (PwChatView *self,
                            gboolean    with_advance);
static void update_actions (PwChatView *self);
static void ensure_tick    (PwChatView *self);

static PwEngine *
get_engine (void)
{
  PwApplication *app = pw_application_get_default ();

  return PW_IS_APPLICATION (app) ? pw_application_get_engine (app) : NULL;
}

static void
notify_session_changed (PwChatView *self)
{
  PwApplication *app = pw_application_get_default ();

  if (PW_IS_APPLICATION (app) && self->session_id != NULL)
    pw_application_session_changed (app, self->session_id);
}

/* Scrolling: follow the end while the user is there */

static void
scroll_to_end (PwChatView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));

  self->stick_to_bottom = TRUE;
  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);
  self->follow_frames = MAX (self->follow_frames, 10);
  ensure_tick (self);
}

/* How long after the user's last scroll input (wheel, touchpad, a drag
 * of the scrollbar, a key) a move of the view counts as theirs */
#define USER_SCROLL_USEC (600 * 1000)

static void
on_vadjustment_value_changed (GtkAdjustment *adj,
                              PwChatView    *self)
{
  double upper = gtk_adjustment_get_upper (adj);
  double value = gtk_adjustment_get_value (adj);
  gboolean by_user = g_get_monotonic_time () - self->user_scroll_at < USER_SCROLL_USEC;

  /* At the end: follow it. Moved up by the user: they scrolled away.
   * Anything else is the list re-laying-out (a row growing, rendered
   * anew, its estimated height replaced by the real one) and changes
   * nothing: GTK 4.8 moves the value up and down as it measures rows,
   * which is no reason to stop following a reply. */
  if (value >= upper - gtk_adjustment_get_page_size (adj) - 48)
    self->stick_to_bottom = TRUE;
  else if (by_user && value < self->last_value)
    self->stick_to_bottom = FALSE;
  self->last_value = value;
}

static void
note_user_scroll (PwChatView *self)
{
  self->user_scroll_at = g_get_monotonic_time ();
}

static gboolean
on_user_scroll (GtkEventControllerScroll *controller,
                double                    dx,
                double                    dy,
                PwChatView               *self)
{
  note_user_scroll (self);
  return GDK_EVENT_PROPAGATE;
}

static gboolean
on_scroll_key (GtkEventControllerKey *controller,
               guint                  keyval,
               guint                  keycode,
               GdkModifierType        state,
               PwChatView            *self)
{
  switch (keyval)
    {
    case GDK_KEY_Up: case GDK_KEY_KP_Up:
    case GDK_KEY_Page_Up: case GDK_KEY_KP_Page_Up:
    case GDK_KEY_Home: case GDK_KEY_KP_Home:
      note_user_scroll (self);
      break;
    default:
      break;
    }
  return GDK_EVENT_PROPAGATE;
}

/* Wheel, touchpad, keys and the scrollbar: what the user does to scroll */
static void
watch_user_scrolling (PwChatView *self)
{
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkGesture *drag = gtk_gesture_drag_new ();

  gtk_event_controller_set_name (scroll, "user-scroll");
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect_object (scroll, "scroll", G_CALLBACK (on_user_scroll), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), scroll);

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_scroll_key), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->scroller), keys);

  /* A press anywhere on the scrollbar (its slider or its trough) */
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect_object (drag, "drag-begin", G_CALLBACK (note_user_scroll), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (drag, "drag-update", G_CALLBACK (note_user_scroll), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (gtk_scrolled_window_get_vscrollbar (self->scroller), GTK_EVENT_CONTROLLER (drag));
}

static void
on_vadjustment_upper_changed (GtkAdjustment *adj,
                              GParamSpec    *pspec,
                              PwChatView    *self)
{
  if (self->stick_to_bottom)
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
}

/* The list */

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_selectable (item, FALSE);
  gtk_list_item_set_child (item, pw_message_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  pw_message_row_set_message (PW_MESSAGE_ROW (gtk_list_item_get_child (item)),
                              gtk_list_item_get_item (item));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  pw_message_row_set_message (PW_MESSAGE_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
update_empty (PwChatView *self)
{
  gboolean empty = g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0;

  if (self->session_id == NULL)
    {
      adw_status_page_set_title (self->empty_page, _("No Session"));
      adw_status_page_set_description (self->empty_page, _("Choose a session to see its conversation"));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("Start the Conversation"));
      adw_status_page_set_description (self->empty_page,
                                       _("Describe what you want to build; the planner asks what it needs to know"));
    }
  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "messages");
}

/* Brings the list in line with the store without touching rows that are
 * already right: only the tail from the first difference is replaced,
 * and unstored rows at the end (a stopped or failed reply) stay. */
static void
sync_messages (PwChatView *self)
{
  PwEngine *engine = get_engine ();
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  guint n, i;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  if (engine == NULL || self->session_id == NULL)
    {
      g_list_store_remove_all (self->messages);
      update_empty (self);
      return;
    }

  stored = pw_store_list_messages (pw_engine_get_store (engine), self->session_id, &error);
  if (stored == NULL)
    {
      /* A session deleted while shown: the window moves on to another */
      g_debug ("Could not read the conversation: %s", error->message);
      return;
    }

  for (i = 0; i < n && i < stored->len; i++)
    {
      g_autoptr(PwChatMessage) item = g_list_model_get_item (G_LIST_MODEL (self->messages), i);
      PwMessage *msg = g_ptr_array_index (stored, i);

      if (pw_chat_message_get_id (item) != msg->id)
        break;
    }

  if (i == stored->len)
    {
      gboolean transient_tail = TRUE;

      for (guint j = i; j < n && transient_tail; j++)
        {
          g_autoptr(PwChatMessage) item = g_list_model_get_item (G_LIST_MODEL (self->messages), j);

          transient_tail = pw_chat_message_get_id (item) == 0;
        }
      if (transient_tail)
        {
          update_empty (self);
          return;
        }
    }

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint j = i; j < stored->len; j++)
    {
      PwMessage *msg = g_ptr_array_index (stored, j);

      g_ptr_array_add (items, pw_chat_message_new (msg->id, msg->role, msg->content,
                                                   PW_CHAT_MESSAGE_DONE));
    }
  g_list_store_splice (self->messages, i, n - i, items->pdata, items->len);
  update_empty (self);
}

static void
refresh_lifecycle (PwChatView *self)
{
  PwEngine *engine = get_engine ();
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->refusal, g_free);
  self->discuss_allowed = FALSE;

  if (engine == NULL)
    {
      PwApplication *app = pw_application_get_default ();
      const GError *engine_error = PW_IS_APPLICATION (app) ? pw_application_get_engine_error (app) : NULL;

      self->refusal = g_strdup (engine_error ? engine_error->message : _("The database is not open"));
    }
  else if (self->session_id == NULL)
    self->refusal = g_strdup (_("No session is selected"));
  else if (g_strcmp0 (self->demo_starting, self->session_id) == 0)
    self->refusal = g_strdup (_("Starting the offline demo…"));
  else if (self->demo_error != NULL)
    self->refusal = g_strdup (self->demo_error);
  else if ((info = pw_planning_check (engine, self->session_id, PW_COMMAND_DISCUSS, &error)))
    self->discuss_allowed = TRUE;
  else if (!g_error_matches (error, PW_ENGINE_ERROR, PW_ENGINE_ERROR_NOT_ALLOWED)
           || !(self->refusal = pw_session_explain_refusal (engine, self->session_id, PW_COMMAND_DISCUSS)))
    /* The engine's message ends in the CLI's hint; the window's own is above */
    self->refusal = g_strdup (error->message);

  update_actions (self);
}

/* Composer */

static char *
composer_text (PwChatView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

/* GTK 4.8 tells every widget watching the action, changed or not (some
 * 10 ms with a long conversation's rows): only a change is announced */
static void
set_action_enabled (PwChatView *self,
                    ChatAction  action,
                    const char *name,
                    gboolean    enabled)
{
  enabled = !!enabled;
  if (enabled == !(self->actions_off & action))
    return;
  if (enabled)
    self->actions_off &= ~action;
  else
    self->actions_off |= action;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), name, enabled);
}

/* Setting a tooltip, even the same one, queries the pointer (an X
 * round trip): only a different text is set */
static void
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  if (text != NULL && *text == '\0')
    text = NULL;
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) != 0)
    gtk_widget_set_tooltip_text (widget, text);
}

static void
update_actions (PwChatView *self)
{
  g_autofree char *text = composer_text (self);
  gboolean busy = self->op != NULL;
  gboolean has_messages = g_list_model_get_n_items (G_LIST_MODEL (self->messages)) > 0;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->composer);

  set_action_enabled (self, CHAT_ACTION_SEND, "session.send",
                      !busy && self->discuss_allowed && *text != '\0');
  set_action_enabled (self, CHAT_ACTION_STOP, "session.stop", busy);
  set_action_enabled (self, CHAT_ACTION_DONE, "session.done",
                      !busy && self->discuss_allowed && has_messages);
  /* session.retry stays on (as installed): retry_action does nothing
   * while a run is busy, and every row has a (hidden) Retry button, so
   * toggling it as each run starts and ends restyles some 200 buttons */

  gtk_widget_set_visible (self->stop_button, busy);
  gtk_widget_set_visible (self->send_button, !busy);

  gtk_text_view_set_editable (self->composer, self->discuss_allowed);
  gtk_widget_set_sensitive (self->composer_frame, self->discuss_allowed);
  gtk_label_set_text (self->placeholder_label,
                      self->discuss_allowed ? _("Message the planner") : self->refusal);
  gtk_widget_set_visible (GTK_WIDGET (self->placeholder_label),
                          gtk_text_buffer_get_char_count (buffer) == 0);
  set_tooltip (self->composer_frame, self->discuss_allowed ? NULL : self->refusal);
  set_tooltip (self->done_button,
               self->discuss_allowed
               ? (has_messages ? _("Write the brief and the first plan draft")
                               : _("Discuss the work first"))
               : self->refusal);
  set_tooltip (self->send_button,
               self->discuss_allowed ? _("Send (Enter)") : self->refusal);
}

static void
on_buffer_changed (GtkTextBuffer *buffer,
                   PwChatView    *self)
{
  update_actions (self);
}

static gboolean
on_composer_key_pressed (GtkEventControllerKey *controller,
                         guint                  keyval,
                         guint                  keycode,
                         GdkModifierType        state,
                         PwChatView            *self)
{
  if (keyval != GDK_KEY_Return && keyval != GDK_KEY_KP_Enter && keyval != GDK_KEY_ISO_Enter)
    return GDK_EVENT_PROPAGATE;
  /* Shift+Enter is a new line: the text view inserts it */
  if (state & (GDK_SHIFT_MASK | GDK_CONTROL_MASK | GDK_ALT_MASK))
    return GDK_EVENT_PROPAGATE;

  gtk_widget_activate_action (GTK_WIDGET (self), "session.send", NULL);
  return GDK_EVENT_STOP;
}

/* Streaming */

static void
stop_retry_timer (PwChatView *self)
{
  g_clear_handle_id (&self->retry_timer_id, g_source_remove);
  g_clear_pointer (&self->retry_reason, g_free);
}

static void
flush_pending (PwChatView *self)
{
  if (self->pending->len == 0 || self->streaming == NULL)
    return;
  if (self->retry_reason != NULL || pw_chat_message_get_status (self->streaming) != NULL)
    {
      stop_retry_timer (self);
      pw_chat_message_set_status (self->streaming, NULL);
    }
  pw_chat_message_append (self->streaming, self->pending->str);
  g_string_truncate (self->pending, 0);
}

/* The row showing @message, when it has one */
static GtkWidget *
row_of (PwChatView    *self,
        PwChatMessage *message)
{
  /* The list's children are in order: the last message is near the end */
  for (GtkWidget *child = gtk_widget_get_last_child (GTK_WIDGET (self->list_view));
       child != NULL;
       child = gtk_widget_get_prev_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (PW_IS_MESSAGE_ROW (row) && pw_message_row_get_message (PW_MESSAGE_ROW (row)) == message)
        return row;
    }
  return NULL;
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  PwChatView *self = PW_CHAT_VIEW (widget);

  flush_pending (self);

  /* Rows change height as they are laid out (a reply's markdown added
   * block by block), so the end is followed for a few more frames. */
  if (self->stick_to_bottom)
    {
      GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
      g_autoptr(PwChatMessage) last = n > 0 ? g_list_model_get_item (G_LIST_MODEL (self->messages), n - 1) : NULL;
      GtkWidget *row = last ? row_of (self, last) : NULL;

      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
      /* The list's upper bound lags the rows' real heights (GTK 4.8
       * estimates); scrolling to the last item uses the measured ones.
       * Not for a last row taller than the view (a long reply): that
       * shows its start, and the end is what is being written. */
      if (n > 0 && (row == NULL || gtk_widget_get_height (row) < gtk_adjustment_get_page_size (adj)))
        gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);
    }
  if (self->op == NULL && self->follow_frames-- <= 0)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_tick (PwChatView *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
}

static void
on_delta (PwOperation *op,
          int          kind,
          const char  *text,
          PwChatView  *self)
{
  if (kind == PW_DELTA_THINKING)
    {
      if (self->streaming && *pw_chat_message_get_content (self->streaming) == '\0'
          && self->retry_reason == NULL)
        pw_chat_message_set_status (self->streaming, _("Thinking…"));
      return;
    }
  /* Nothing is laid out here: the frame clock shows it at most once a frame */
  g_string_append (self->pending, text);
}

static void
show_retry_countdown (PwChatView *self)
{
  gint64 left_us = self->retry_deadline - g_get_monotonic_time ();
  g_autofree char *status = NULL;

  if (left_us > 0)
    /* Translators: "Rate limited — retrying in 4 s" */
    status = g_strdup_printf (_("%s — retrying in %d s"), self->retry_reason,
                              (int) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC));
  else
    status = g_strdup_printf (_("%s — retrying…"), self->retry_reason);
  if (self->streaming)
    pw_chat_message_set_status (self->streaming, status);
}

static gboolean
on_retry_timer (gpointer user_data)
{
  PwChatView *self = user_data;

  show_retry_countdown (self);
  if (self->retry_deadline <= g_get_monotonic_time ())
    {
      self->retry_timer_id = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_retry (PwOperation *op,
          gpointer     info_ptr,
          PwChatView  *self)
{
  const PwRetryInfo *info = info_ptr;

  stop_retry_timer (self);
  /* A retried call starts its text again */
  g_string_truncate (self->pending, 0);
  if (self->streaming)
    pw_chat_message_set_content (self->streaming, "");
  self->retry_reason = g_strdup (info->reason ? info->reason : _("The provider failed"));
  self->retry_deadline = g_get_monotonic_time () + MAX (info->delay_ms, 0) * 1000;
  show_retry_countdown (self);
  self->retry_timer_id = g_timeout_add (250, on_retry_timer, self);
}

static void
on_step (PwOperation *op,
         const char  *step,
         PwChatView  *self)
{
  const char *title = NULL;

  if (self->streaming == NULL || g_strcmp0 (pw_chat_message_get_role (self->streaming), "status") != 0)
    return;

  if (g_strcmp0 (step, "synthesis") == 0)
    title = _("Writing the brief…");
  else if (g_strcmp0 (step, "generation") == 0)
    title = _("Writing the plan…");
  else if (g_strcmp0 (step, "repair") == 0)
    title = _("Repairing the plan’s format…");
  if (title == NULL)
    return;

  /* Each step streams a text of its own */
  g_string_truncate (self->pending, 0);
  pw_chat_message_set_content (self->streaming, "");
  pw_chat_message_set_title (self->streaming, title);
}

static void
start_op (PwChatView          *self,
          PwOperation         *op,
          PwChatMessage       *target,
          GAsyncReadyCallback  callback)
{
  g_assert (self->op == NULL);

  self->op = g_object_ref (op);
  g_set_object (&self->streaming, target);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_string_truncate (self->pending, 0);

  g_signal_connect_object (op, "delta", G_CALLBACK (on_delta), self, 0);
  g_signal_connect_object (op, "retry", G_CALLBACK (on_retry), self, 0);
  g_signal_connect_object (op, "step", G_CALLBACK (on_step), self, 0);
  ensure_tick (self);

  update_actions (self);
  scroll_to_end (self);
  pw_operation_run_async (op, self->cancellable, callback, self);
}

/* Ends the current run: the last text shown, signals and timers gone */
static void
end_op (PwChatView *self)
{
  flush_pending (self);
  stop_retry_timer (self);
  self->follow_frames = 10;
  if (self->op)
    g_signal_handlers_disconnect_by_data (self->op, self);
  g_clear_object (&self->op);
  g_clear_object (&self->cancellable);
  update_actions (self);
}

static void
fail_run (PwChatView   *self,
          RunKind       kind,
          const GError *error)
{
  g_autoptr(PwChatMessage) item = NULL;

  end_op (self);
  item = g_steal_pointer (&self->streaming);
  self->failed_kind = kind;
  if (item != NULL)
    {
      pw_chat_message_set_status (item, NULL);
      pw_chat_message_set_error (item, error->message);
      pw_chat_message_set_state (item, PW_CHAT_MESSAGE_FAILED);
    }
}

static void
discuss_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PwOperation *op = PW_OPERATION (source);
  g_autoptr(GError) error = NULL;
  PwChatView *self;

  if (!pw_operation_run_finish (op, result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;  /* stopped (the row already says so) or the view went away */

  self = PW_CHAT_VIEW (user_data);
  if (self->user_item && pw_discuss_op_get_message_id (PW_DISCUSS_OP (op)) > 0)
    pw_chat_message_set_id (self->user_item, pw_discuss_op_get_message_id (PW_DISCUSS_OP (op)));
  g_clear_object (&self->user_item);

  if (error != NULL)
    fail_run (self, RUN_DISCUSS, error);
  else
    {
      g_autoptr(PwChatMessage) item = NULL;

      end_op (self);
      item = g_steal_pointer (&self->streaming);
      /* The stored reply is the operation's text, whatever the deltas said */
      if (g_strcmp0 (pw_chat_message_get_content (item), pw_operation_get_text (op)) != 0)
        pw_chat_message_set_content (item, pw_operation_get_text (op));
      pw_chat_message_set_id (item, pw_discuss_op_get_reply_id (PW_DISCUSS_OP (op)));
      pw_chat_message_set_status (item, NULL);
      pw_chat_message_set_state (item, PW_CHAT_MESSAGE_DONE);
    }

  /* After a reply both rows carry their stored ids: nothing to read again */
  self->list_in_sync = error == NULL;
  notify_session_changed (self);
  self->list_in_sync = FALSE;
}

static void
send_message (PwChatView *self,
              const char *text,
              gboolean    again)
{
  PwEngine *engine = get_engine ();
  g_autoptr(PwChatMessage) reply = NULL;
  g_autoptr(PwDiscussOp) op = NULL;

  if (engine == NULL || self->session_id == NULL || self->op != NULL)
    return;

  if (!again)
    {
      g_autoptr(PwChatMessage) user = pw_chat_message_new (0, "user", text, PW_CHAT_MESSAGE_DONE);

      g_list_store_append (self->messages, user);
      g_set_object (&self->user_item, user);
    }
  /* @text may be last_message itself (Retry) */
  if (text != self->last_message)
    {
      g_free (self->last_message);
      self->last_message = g_strdup (text);
    }

  reply = pw_chat_message_new (0, "assistant", "", PW_CHAT_MESSAGE_STREAMING);
  g_list_store_append (self->messages, reply);
  update_empty (self);

  /* A demo session runs on the demo's engine; any other on the app's */
  op = pw_discuss_op_new (pw_demo_engine_for_session (engine, self->session_id), self->session_id, text);
  start_op (self, PW_OPERATION (op), reply, discuss_done_cb);
  /* The message is committed as the run starts; the row knows its id from now */
  if (self->user_item && pw_discuss_op_get_message_id (op) > 0)
    pw_chat_message_set_id (self->user_item, pw_discuss_op_get_message_id (op));
}

/* Removes the last row when it is an unstored failure, before a retry */
static void
drop_failed_tail (PwChatView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->messages));
  g_autoptr(PwChatMessage) last = NULL;

  if (n == 0)
    return;
  last = g_list_model_get_item (G_LIST_MODEL (self->messages), n - 1);
  if (pw_chat_message_get_state (last) == PW_CHAT_MESSAGE_FAILED)
    g_list_store_remove (self->messages, n - 1);
}

/* "Done — write the plan": synthesis and the move to PLANNING, then the draft */

static void
generate_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  PwOperation *op = PW_OPERATION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwChatMessage) item = NULL;
  g_autofree char *title = NULL;
  PwChatView *self;
  GPtrArray *warnings;

  if (!pw_operation_run_finish (op, result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = PW_CHAT_VIEW (user_data);
  pw_notify_generation_done (GTK_WIDGET (self), self->session_id, error);
  if (error != NULL)
    {
      fail_run (self, RUN_DONE, error);
      notify_session_changed (self);
      return;
    }

  end_op (self);
  item = g_steal_pointer (&self->streaming);

  warnings = pw_generate_op_get_warnings (PW_GENERATE_OP (op));
  title = g_strdup_printf (_("Plan written — draft %d"),
                           pw_generate_op_get_draft_number (PW_GENERATE_OP (op)));
  pw_chat_message_set_title (item, title);
  if (warnings != NULL && warnings->len > 0)
    {
      g_autofree char *status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              "%u format warning: see the plan",
                                                              "%u format warnings: see the plan",
                                                              warnings->len),
                                                 warnings->len);
      pw_chat_message_set_status (item, status);
    }
  else
    pw_chat_message_set_status (item, NULL);
  pw_chat_message_set_state (item, PW_CHAT_MESSAGE_DONE);

  refresh_lifecycle (self);
  notify_session_changed (self);
}

static void
run_generate (PwChatView    *self,
              PwChatMessage *item)
{
  g_autoptr(PwGenerateOp) op = pw_generate_op_new (pw_demo_engine_for_session (get_engine (), self->session_id),
                                                   self->session_id, NULL);

  pw_chat_message_set_title (item, _("Writing the plan…"));
  pw_chat_message_set_content (item, "");
  start_op (self, PW_OPERATION (op), item, generate_done_cb);
}

static void
advance_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PwOperation *op = PW_OPERATION (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(PwChatMessage) item = NULL;
  PwChatView *self;

  if (!pw_operation_run_finish (op, result, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = PW_CHAT_VIEW (user_data);
  if (error != NULL)
    {
      pw_notify_generation_done (GTK_WIDGET (self), self->session_id, error);
      fail_run (self, RUN_DONE, error);
      notify_session_changed (self);
      return;
    }

  end_op (self);
  item = g_object_ref (self->streaming);
  /* The session is in PLANNING now: the rest of the window follows */
  notify_session_changed (self);
  run_generate (self, item);
}

static void
start_done (PwChatView *self,
            gboolean    with_advance)
{
  PwEngine *engine = get_engine ();
  g_autoptr(PwChatMessage) item = NULL;

  if (engine == NULL || self->session_id == NULL || self->op != NULL)
    return;

  item = pw_chat_message_new (0, "status", "", PW_CHAT_MESSAGE_STREAMING);
  g_list_store_append (self->messages, item);
  update_empty (self);

  if (with_advance)
    {
      g_autoptr(PwAdvanceOp) op = pw_advance_op_new (pw_demo_engine_for_session (engine, self->session_id),
                                                     self->session_id);

      pw_chat_message_set_title (item, _("Writing the brief…"));
      start_op (self, PW_OPERATION (op), item, advance_done_cb);
    }
  else
    run_generate (self, item);
}

/* Actions */

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PwChatView *self = PW_CHAT_VIEW (widget);
  g_autofree char *text = composer_text (self);

  if (*text == '\0' || self->op != NULL || !self->discuss_allowed)
    return;

  drop_failed_tail (self);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer), "", 0);
  send_message (self, text, FALSE);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PwChatView *self = PW_CHAT_VIEW (widget);
  g_autoptr(PwChatMessage) item = NULL;
  g_autoptr(PwOperation) op = NULL;

  if (self->op == NULL)
    return;

  flush_pending (self);
  item = g_steal_pointer (&self->streaming);
  op = g_object_ref (self->op);

  /* The callback sees CANCELLED and leaves the view alone: the row is
   * marked here, and the engine stores nothing of the reply. */
  g_signal_handlers_disconnect_by_data (op, self);
  pw_operation_cancel (op);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->user_item);
  end_op (self);

  if (item != NULL)
    {
      pw_chat_message_set_status (item, NULL);
      pw_chat_message_set_state (item, PW_CHAT_MESSAGE_STOPPED);
    }
  /* The user message (or a brief) may have been stored */
  refresh_lifecycle (self);
  notify_session_changed (self);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  PwChatView *self = PW_CHAT_VIEW (widget);
  g_autoptr(PwSessionInfo) info = NULL;
  PwEngine *engine = get_engine ();

  if (self->op != NULL || engine == NULL)
    return;

  drop_failed_tail (self);
  if (self->failed_kind == RUN_DISCUSS && self->last_message != NULL)
    send_message (self, self->last_message, TRUE);
  else if (self->failed_kind == RUN_DONE)
    {
      /* After the brief was written, only the draft is left to do */
      info = pw_planning_check (engine, self->session_id, PW_COMMAND_GENERATE, NULL);
      start_done (self, info == NULL);
    }
}

static void
done_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PwChatView *self = PW_CHAT_VIEW (widget);

  if (self->op != NULL || !self->discuss_allowed)
    return;
  drop_failed_tail (self);
  start_done (self, TRUE);
}

static void
on_session_changed (PwApplication *app,
                    const char    *session_id,
                    PwChatView    *self)
{
  if (session_id != NULL && g_strcmp0 (session_id, self->session_id) != 0)
    return;
  /* A run in progress owns the end of the list; it refreshes when it ends */
  if (self->op != NULL)
    return;
  /* Our own news after a reply: the list already holds it, ids included;
   * reading the whole conversation again would stall the frame */
  if (!self->list_in_sync)
    sync_messages (self);
  refresh_lifecycle (self);
}

/* GObject */

static void
cancel_run (PwChatView *self)
{
  if (self->op == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->op, self);
  pw_operation_cancel (self->op);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->streaming);
  g_clear_object (&self->user_item);
  end_op (self);
}

static void
pw_chat_view_map (GtkWidget *widget)
{
  PwChatView *self = PW_CHAT_VIEW (widget);

  GTK_WIDGET_CLASS (pw_chat_view_parent_class)->map (widget);
  /* Otherwise the first selectable label takes the focus and shows all
   * of its text selected */
  gtk_widget_grab_focus (GTK_WIDGET (self->composer));
}

static void
pw_chat_view_dispose (GObject *object)
{
  PwChatView *self = PW_CHAT_VIEW (object);

  cancel_run (self);
  stop_retry_timer (self);
  if (self->tick_id)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), PW_TYPE_CHAT_VIEW);
  g_clear_object (&self->messages);

  G_OBJECT_CLASS (pw_chat_view_parent_class)->dispose (object);
}

static void
pw_chat_view_finalize (GObject *object)
{
  PwChatView *self = PW_CHAT_VIEW (object);

  g_free (self->session_id);
  g_free (self->refusal);
  g_free (self->demo_starting);
  g_free (self->demo_error);
  g_free (self->last_message);
  g_string_free (self->pending, TRUE);

  G_OBJECT_CLASS (pw_chat_view_parent_class)->finalize (object);
}

static void
pw_chat_view_class_init (PwChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_chat_view_dispose;
  object_class->finalize = pw_chat_view_finalize;
  widget_class->map = pw_chat_view_map;

  g_type_ensure (PW_TYPE_MESSAGE_ROW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PwChatView, root);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, stack);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, scroller);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, list_view);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, composer_frame);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, composer);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, send_button);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, stop_button);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, done_button);
  gtk_widget_class_bind_template_child (widget_class, PwChatView, hint_label);
  gtk_widget_class_bind_template_callback (widget_class, on_composer_key_pressed);
  gtk_widget_class_bind_template_callback (widget_class, setup_row);
  gtk_widget_class_bind_template_callback (widget_class, bind_row);
  gtk_widget_class_bind_template_callback (widget_class, unbind_row);

  gtk_widget_class_install_action (widget_class, "session.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "session.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "session.retry", NULL, retry_action);
  gtk_widget_class_install_action (widget_class, "session.done", NULL, done_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "session.stop", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pwchatview");
}

static void
pw_chat_view_init (PwChatView *self)
{
  GtkAdjustment *vadj;
  PwApplication *app;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* A refusal in the placeholder wraps; the composer grows to show it all */
  gtk_overlay_set_measure_overlay (GTK_OVERLAY (gtk_widget_get_parent (GTK_WIDGET (self->placeholder_label))),
                                   GTK_WIDGET (self->placeholder_label), TRUE);

  self->pending = g_string_new (NULL);
  self->messages = g_list_store_new (PW_TYPE_CHAT_MESSAGE);
  self->stick_to_bottom = TRUE;
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->messages)))));
  g_object_unref (gtk_list_view_get_model (self->list_view));

  vadj = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (vadj, "value-changed", G_CALLBACK (on_vadjustment_value_changed), self, 0);
  g_signal_connect_object (vadj, "notify::upper", G_CALLBACK (on_vadjustment_upper_changed), self, 0);
  watch_user_scrolling (self);

  g_signal_connect_object (gtk_text_view_get_buffer (self->composer), "changed",
                           G_CALLBACK (on_buffer_changed), self, 0);

  app = pw_application_get_default ();
  if (PW_IS_APPLICATION (app))
    g_signal_connect_object (app, "session-changed", G_CALLBACK (on_session_changed), self, 0);

  update_empty (self);
  refresh_lifecycle (self);
}

GtkWidget *
pw_chat_view_new (void)
{
  return g_object_new (PW_TYPE_CHAT_VIEW, NULL);
}

static void
demo_server_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PwChatView) self = user_data;
  g_autoptr(GError) error = NULL;

  gboolean shown = g_strcmp0 (self->demo_starting, self->session_id) == 0;

  g_clear_pointer (&self->demo_starting, g_free);
  g_clear_pointer (&self->demo_error, g_free);
  if (!pw_demo_ensure_server_finish (result, &error) && shown)
    self->demo_error = g_strdup (error->message);
  refresh_lifecycle (self);
}

/* A demo session talks to the demo server only: start it if it is not
 * running, and keep the composer closed (saying so) until it is */
static void
ensure_demo_server (PwChatView *self)
{
  PwEngine *engine = get_engine ();
  PwApplication *app = pw_application_get_default ();

  g_clear_pointer (&self->demo_error, g_free);
  if (engine == NULL || self->session_id == NULL || !PW_IS_APPLICATION (app)
      || pw_demo_server_running ()
      || !pw_demo_is_demo_session (pw_engine_get_store (engine), self->session_id))
    return;
  /* Another session's start is the same server: wait for it too */
  g_free (self->demo_starting);
  self->demo_starting = g_strdup (self->session_id);
  pw_demo_ensure_server_async (app, NULL, demo_server_cb, g_object_ref (self));
}

void
pw_chat_view_set_session (PwChatView *self,
                          const char *session_id)
{
  g_return_if_fail (PW_IS_CHAT_VIEW (self));

  if (g_strcmp0 (self->session_id, session_id) == 0)
    {
      on_session_changed (NULL, session_id, self);
      return;
    }

  /* A reply being streamed belongs to the session left behind; stopping
   * it stores nothing of it. */
  if (self->op != NULL)
    {
      cancel_run (self);
      notify_session_changed (self);
    }

  g_free (self->session_id);
  self->session_id = g_strdup (session_id);
  g_clear_pointer (&self->last_message, g_free);
  g_list_store_remove_all (self->messages);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->composer), "", 0);
  sync_messages (self);
  ensure_demo_server (self);
  refresh_lifecycle (self);
  scroll_to_end (self);
}

void
pw_chat_view_set_compact (PwChatView *self,
                          gboolean    compact)
{
  g_return_if_fail (PW_IS_CHAT_VIEW (self));
  /* A phone-sized window has no room for the keyboard hint beside the
   * Done button (it wrapped onto two lines), nor much use for it */
  gtk_widget_set_visible (self->hint_label, !compact);
}

const char *
pw_chat_view_get_session (PwChatView *self)
{
  g_return_val_if_fail (PW_IS_CHAT_VIEW (self), NULL);
  return self->session_id;
}
