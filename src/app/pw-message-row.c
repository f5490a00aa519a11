/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One message of the conversation: its item in the list model, and the row that shows it. */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pw-markdown.h"
#include "pw-message-row.h"

/* The item */

struct _PwChatMessage
{
  GObject             parent_instance;

  gint64              id;
  char               *role;
  GString            *content;
  PwChatMessageState  state;
  char               *status;
  char               *error;
  char               *title;
};

G_DEFINE_FINAL_TYPE (PwChatMessage, pw_chat_message, G_TYPE_OBJECT)

enum {
  MSG_PROP_0,
  MSG_PROP_CONTENT,
  MSG_PROP_STATE,
  MSG_PROP_STATUS,
  MSG_PROP_ERROR,
  MSG_PROP_TITLE,
  MSG_N_PROPS
};

static GParamSpec *msg_properties[MSG_N_PROPS];

enum {
  MSG_SIGNAL_APPENDED,
  MSG_N_SIGNALS
};

static guint msg_signals[MSG_N_SIGNALS];

static void
pw_chat_message_finalize (GObject *object)
{
  PwChatMessage *self = PW_CHAT_MESSAGE (object);

  g_free (self->role);
  g_string_free (self->content, TRUE);
  g_free (self->status);
  g_free (self->error);
  g_free (self->title);

  G_OBJECT_CLASS (pw_chat_message_parent_class)->finalize (object);
}

static void
pw_chat_message_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PwChatMessage *self = PW_CHAT_MESSAGE (object);

  switch (prop_id)
    {
    case MSG_PROP_CONTENT:
      g_value_set_string (value, self->content->str);
      break;
    case MSG_PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case MSG_PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case MSG_PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    case MSG_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_chat_message_class_init (PwChatMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pw_chat_message_finalize;
  object_class->get_property = pw_chat_message_get_property;

  msg_properties[MSG_PROP_CONTENT] =
    g_param_spec_string ("content", NULL, NULL, "",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  msg_properties[MSG_PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, PW_CHAT_MESSAGE_DONE, PW_CHAT_MESSAGE_FAILED,
                      PW_CHAT_MESSAGE_DONE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  msg_properties[MSG_PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  msg_properties[MSG_PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  msg_properties[MSG_PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, MSG_N_PROPS, msg_properties);

  msg_signals[MSG_SIGNAL_APPENDED] =
    g_signal_new ("appended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
pw_chat_message_init (PwChatMessage *self)
{
  self->content = g_string_new (NULL);
}

PwChatMessage *
pw_chat_message_new (gint64              id,
                     const char         *role,
                     const char         *content,
                     PwChatMessageState  state)
{
  PwChatMessage *self = g_object_new (PW_TYPE_CHAT_MESSAGE, NULL);

  self->id = id;
  self->role = g_strdup (role);
  g_string_assign (self->content, content ? content : "");
  self->state = state;
  return self;
}

gint64
pw_chat_message_get_id (PwChatMessage *self)
{
  g_return_val_if_fail (PW_IS_CHAT_MESSAGE (self), 0);
  return self->id;
}

void
pw_chat_message_set_id (PwChatMessage *self,
                        gint64         id)
{
  g_return_if_fail (PW_IS_CHAT_MESSAGE (self));
  self->id = id;
}

const char *
pw_chat_message_get_role (PwChatMessage *self)
{
  g_return_val_if_fail (PW_IS_CHAT_MESSAGE (self), NULL);
  return self->role;
}

const char *
pw_chat_message_get_content (PwChatMessage *self)
{
  g_return_val_if_fail (PW_IS_CHAT_MESSAGE (self), NULL);
  return self->content->str;
}

void
pw_chat_message_set_content (PwChatMessage *self,
                             const char    *content)
{
  g_return_if_fail (PW_IS_CHAT_MESSAGE (self));
  g_string_assign (self->content, content ? content : "");
  g_object_notify_by_pspec (G_OBJECT (self), msg_properties[MSG_PROP_CONTENT]);
}

void
pw_chat_message_append (PwChatMessage *self,
                        const char    *chunk)
{
  g_return_if_fail (PW_IS_CHAT_MESSAGE (self));
  if (chunk == NULL || *chunk == '\0')
    return;
  g_string_append (self->content, chunk);
  g_signal_emit (self, msg_signals[MSG_SIGNAL_APPENDED], 0, chunk);
}

PwChatMessageState
pw_chat_message_get_state (PwChatMessage *self)
{
  g_return_val_if_fail (PW_IS_CHAT_MESSAGE (self), PW_CHAT_MESSAGE_DONE);
  return self->state;
}

void
pw_chat_message_set_state (PwChatMessage      *self,
                           PwChatMessageState  state)
{
  g_return_if_fail (PW_IS_CHAT_MESSAGE (self));
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), msg_properties[MSG_PROP_STATE]);
}

static void
set_string (PwChatMessage  *self,
            char          **field,
            const char     *value,
            guint           prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), msg_properties[prop]);
}

const char *
pw_chat_message_get_status (PwChatMessage *self)
{
  g_return_val_if_fail (PW_IS_CHAT_MESSAGE (self), NULL);
  return self->status;
}

void
pw_chat_message_set_status (PwChatMessage *self,
                            const char    *status)
{
  g_return_if_fail (PW_IS_CHAT_MESSAGE (self));
  set_string (self, &self->status, status, MSG_PROP_STATUS);
}

const char *
pw_chat_message_get_error (PwChatMessage *self)
{
  g_return_val_if_fail (PW_IS_CHAT_MESSAGE (self), NULL);
  return self->error;
}

void
pw_chat_message_set_error (PwChatMessage *self,
                           const char    *error)
{
  g_return_if_fail (PW_IS_CHAT_MESSAGE (self));
  set_string (self, &self->error, error, MSG_PROP_ERROR);
}

const char *
pw_chat_message_get_title (PwChatMessage *self)
{
  g_return_val_if_fail (PW_IS_CHAT_MESSAGE (self), NULL);
  return self->title;
}

void
pw_chat_message_set_title (PwChatMessage *self,
                           const char    *title)
{
  g_return_if_fail (PW_IS_CHAT_MESSAGE (self));
  set_string (self, &self->title, title, MSG_PROP_TITLE);
}

/* The row */

struct _PwMessageRow
{
  GtkWidget      parent_instance;

  GtkWidget     *bubble;
  GtkLabel      *author_label;
  GtkWidget     *content_box;
  GtkWidget     *status_box;
  GtkSpinner    *spinner;
  GtkLabel      *status_label;
  GtkLabel      *error_label;
  GtkWidget     *retry_button;

  PwChatMessage *message;
  GSignalGroup  *signals;
  /* The markdown shown: the blocks of the last parse, of which the first
   * n_shown have their widget in markdown_box, in order. A reply being
   * streamed is parsed again at most once a frame and only the blocks
   * that changed (in practice the last one) are laid out again; a long
   * message gets its widgets a few blocks a frame, so that neither a
   * delta nor binding a row ever lays out all of it at once. */
  GtkWidget     *markdown_box;
  GPtrArray     *blocks;
  guint          n_shown;
  gboolean       reparse;     /* the content changed since the last parse */
  PwMarkdownTail tail;        /* where the last parse's last top-level block starts */
  guint          render_tick;
};

G_DEFINE_FINAL_TYPE (PwMessageRow, pw_message_row, GTK_TYPE_WIDGET)

#define BLOCKS_PER_FRAME 6

static void
stop_render_tick (PwMessageRow *self)
{
  if (self->render_tick)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->render_tick);
      self->render_tick = 0;
    }
}

static void
clear_content (PwMessageRow *self)
{
  GtkWidget *child;

  stop_render_tick (self);
  g_clear_pointer (&self->blocks, g_ptr_array_unref);
  self->n_shown = 0;
  self->reparse = FALSE;
  self->tail = (PwMarkdownTail) { 0, 0 };
  self->markdown_box = NULL;

  while ((child = gtk_widget_get_first_child (self->content_box)))
    gtk_box_remove (GTK_BOX (self->content_box), child);
}

/* Adds the widgets of up to @count more blocks; TRUE when all are shown */
static gboolean
add_blocks (PwMessageRow *self,
            guint         count)
{
  if (self->blocks == NULL)
    return TRUE;
  for (; count > 0 && self->n_shown < self->blocks->len; count--, self->n_shown++)
    gtk_box_append (GTK_BOX (self->markdown_box),
                    pw_markdown_block_widget (g_ptr_array_index (self->blocks, self->n_shown)));
  return self->n_shown >= self->blocks->len;
}

/* Brings the widgets in line with @content's blocks, keeping every
 * widget whose block did not change. While streaming, only the text from
 * the last parse's last top-level block on is parsed again: the blocks
 * before it are closed and stay as they are. */
static void
sync_markdown (PwMessageRow *self,
               const char   *content,
               gboolean      streaming)
{
  gboolean from_tail = streaming && self->blocks != NULL && self->tail.block <= self->blocks->len;
  gsize from = from_tail ? self->tail.offset : 0;
  guint base = from_tail ? self->tail.block : 0;   /* blocks before @from */
  PwMarkdownTail tail;
  g_autoptr(GPtrArray) blocks = pw_markdown_parse_from (content, from, &tail);
  GtkWidget *child;
  guint same;

  self->reparse = FALSE;
  if (self->markdown_box == NULL)
    {
      self->markdown_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
      gtk_widget_add_css_class (self->markdown_box, "pw-markdown");
      gtk_box_append (GTK_BOX (self->content_box), self->markdown_box);
    }

  /* The widgets of the blocks before @from stay */
  same = MIN (base, self->n_shown);
  child = gtk_widget_get_first_child (self->markdown_box);
  for (guint i = 0; i < same && child != NULL; i++)
    child = gtk_widget_get_next_sibling (child);
  while (same < self->n_shown && same - base < blocks->len
         && pw_markdown_block_equal (g_ptr_array_index (self->blocks, same),
                                     g_ptr_array_index (blocks, same - base)))
    {
      same++;
      child = gtk_widget_get_next_sibling (child);
    }
  /* The block being written: its text changes, its widget stays */
  if (same >= base && same < self->n_shown && same - base < blocks->len
      && pw_markdown_block_widget_update (child, g_ptr_array_index (self->blocks, same),
                                          g_ptr_array_index (blocks, same - base)))
    {
      same++;
      child = gtk_widget_get_next_sibling (child);
    }
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      gtk_box_remove (GTK_BOX (self->markdown_box), child);
      child = next;
    }

  if (self->blocks == NULL || base == 0)
    {
      g_clear_pointer (&self->blocks, g_ptr_array_unref);
      self->blocks = g_steal_pointer (&blocks);
    }
  else
    {
      g_ptr_array_remove_range (self->blocks, base, self->blocks->len - base);
      g_ptr_array_extend_and_steal (self->blocks, g_steal_pointer (&blocks));
    }
  self->n_shown = same;
  self->tail = (PwMarkdownTail) { tail.offset, base + tail.block };
}

static gboolean
on_render_tick (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  PwMessageRow *self = PW_MESSAGE_ROW (widget);

  if (self->reparse && self->message != NULL)
    sync_markdown (self, pw_chat_message_get_content (self->message), TRUE);
  if (!add_blocks (self, BLOCKS_PER_FRAME) || self->reparse)
    return G_SOURCE_CONTINUE;
  self->render_tick = 0;
  return G_SOURCE_REMOVE;
}

static void
ensure_render_tick (PwMessageRow *self)
{
  if (self->render_tick == 0)
    self->render_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_render_tick, NULL, NULL);
}

/* Shows @content's markdown now, the first blocks at least */
static void
render_markdown (PwMessageRow *self,
                 const char   *content)
{
  /* A row bound anew may show a user's plain text */
  if (self->markdown_box == NULL)
    clear_content (self);
  sync_markdown (self, content, FALSE);
  if (!add_blocks (self, BLOCKS_PER_FRAME))
    ensure_render_tick (self);
  else if (!self->reparse)
    stop_render_tick (self);
}

static GtkLabel *
plain_label (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  /* gtk_label_new takes text, never markup: model output stays inert */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  return GTK_LABEL (label);
}

static void
render_content (PwMessageRow *self)
{
  PwChatMessage *msg = self->message;
  const char *content;
  const char *role;

  if (msg == NULL)
    {
      clear_content (self);
      return;
    }

  content = pw_chat_message_get_content (msg);
  role = pw_chat_message_get_role (msg);

  if (g_strcmp0 (role, "user") == 0 || *content == '\0')
    {
      clear_content (self);
      if (*content != '\0')
        gtk_box_append (GTK_BOX (self->content_box), GTK_WIDGET (plain_label (content)));
    }
  else
    /* Streaming or done, the same blocks: the end of a reply changes
     * only what the last parse while streaming had not seen */
    render_markdown (self, content);

  gtk_widget_set_visible (self->content_box, *content != '\0');
}

static void
update_chrome (PwMessageRow *self)
{
  PwChatMessage *msg = self->message;
  PwChatMessageState state;
  const char *role, *status, *error, *title;
  gboolean is_user, is_status;

  if (msg == NULL)
    return;

  role = pw_chat_message_get_role (msg);
  state = pw_chat_message_get_state (msg);
  status = pw_chat_message_get_status (msg);
  error = pw_chat_message_get_error (msg);
  title = pw_chat_message_get_title (msg);
  is_user = g_strcmp0 (role, "user") == 0;
  is_status = g_strcmp0 (role, "status") == 0;

  gtk_widget_set_css_classes (self->bubble, (const char *[]) {
      "pw-bubble",
      is_user ? "pw-user" : is_status ? "pw-status" : "pw-assistant",
      state == PW_CHAT_MESSAGE_FAILED ? "pw-failed" : "pw-ok",
      NULL });
  gtk_widget_set_halign (self->bubble, is_user ? GTK_ALIGN_END : GTK_ALIGN_FILL);

  if (title != NULL)
    gtk_label_set_text (self->author_label, title);
  else
    gtk_label_set_text (self->author_label, is_user ? _("You") : _("Planner"));

  if (status == NULL && state == PW_CHAT_MESSAGE_STREAMING
      && *pw_chat_message_get_content (msg) == '\0')
    status = _("Waiting for the planner…");
  if (status == NULL && state == PW_CHAT_MESSAGE_STOPPED)
    status = _("Stopped");
  gtk_label_set_text (self->status_label, status ? status : "");
  gtk_widget_set_visible (self->status_box, status != NULL);
  gtk_spinner_set_spinning (self->spinner, state == PW_CHAT_MESSAGE_STREAMING);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), state == PW_CHAT_MESSAGE_STREAMING);

  gtk_label_set_text (self->error_label, error ? error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label),
                          state == PW_CHAT_MESSAGE_FAILED && error != NULL);
  gtk_widget_set_visible (self->retry_button, state == PW_CHAT_MESSAGE_FAILED);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self->bubble),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gtk_label_get_text (self->author_label), -1);
}

static void
on_appended (PwChatMessage *msg,
             const char    *chunk,
             PwMessageRow  *self)
{
  gboolean was_empty = !gtk_widget_get_visible (self->content_box);

  if (was_empty || g_strcmp0 (pw_chat_message_get_role (msg), "user") == 0)
    {
      /* The first text: shown at once, the spinner's label goes */
      render_content (self);
      update_chrome (self);
      return;
    }
  /* Parsed again at the next frame, however many deltas came before it */
  self->reparse = TRUE;
  ensure_render_tick (self);
}

static void
on_state_changed (PwChatMessage *msg,
                  GParamSpec    *pspec,
                  PwMessageRow  *self)
{
  /* Only the blocks the last parse while streaming had not seen change */
  render_content (self);
  update_chrome (self);
}

static void
on_content_changed (PwChatMessage *msg,
                    GParamSpec    *pspec,
                    PwMessageRow  *self)
{
  render_content (self);
  update_chrome (self);
}

static void
on_chrome_changed (PwChatMessage *msg,
                   GParamSpec    *pspec,
                   PwMessageRow  *self)
{
  update_chrome (self);
}

static void
pw_message_row_dispose (GObject *object)
{
  PwMessageRow *self = PW_MESSAGE_ROW (object);

  g_signal_group_set_target (self->signals, NULL);
  g_clear_object (&self->message);
  stop_render_tick (self);
  g_clear_pointer (&self->blocks, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), PW_TYPE_MESSAGE_ROW);

  G_OBJECT_CLASS (pw_message_row_parent_class)->dispose (object);
}

static void
pw_message_row_finalize (GObject *object)
{
  PwMessageRow *self = PW_MESSAGE_ROW (object);

  g_clear_object (&self->signals);

  G_OBJECT_CLASS (pw_message_row_parent_class)->finalize (object);
}

static void
pw_message_row_class_init (PwMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_message_row_dispose;
  object_class->finalize = pw_message_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PwMessageRow, bubble);
  gtk_widget_class_bind_template_child (widget_class, PwMessageRow, author_label);
  gtk_widget_class_bind_template_child (widget_class, PwMessageRow, content_box);
  gtk_widget_class_bind_template_child (widget_class, PwMessageRow, status_box);
  gtk_widget_class_bind_template_child (widget_class, PwMessageRow, spinner);
  gtk_widget_class_bind_template_child (widget_class, PwMessageRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, PwMessageRow, error_label);
  gtk_widget_class_bind_template_child (widget_class, PwMessageRow, retry_button);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pwmessagerow");
}

static void
pw_message_row_init (PwMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->signals = g_signal_group_new (PW_TYPE_CHAT_MESSAGE);
  g_signal_group_connect (self->signals, "appended", G_CALLBACK (on_appended), self);
  g_signal_group_connect (self->signals, "notify::state", G_CALLBACK (on_state_changed), self);
  g_signal_group_connect (self->signals, "notify::content", G_CALLBACK (on_content_changed), self);
  g_signal_group_connect (self->signals, "notify::status", G_CALLBACK (on_chrome_changed), self);
  g_signal_group_connect (self->signals, "notify::error", G_CALLBACK (on_chrome_changed), self);
  g_signal_group_connect (self->signals, "notify::title", G_CALLBACK (on_chrome_changed), self);
}

GtkWidget *
pw_message_row_new (void)
{
  return g_object_new (PW_TYPE_MESSAGE_ROW, NULL);
}

void
pw_message_row_set_message (PwMessageRow  *self,
                            PwChatMessage *message)
{
  g_return_if_fail (PW_IS_MESSAGE_ROW (self));
  g_return_if_fail (message == NULL || PW_IS_CHAT_MESSAGE (message));

  if (self->message == message)
    return;
  g_set_object (&self->message, message);
  g_signal_group_set_target (self->signals, message);
  render_content (self);
  update_chrome (self);
}

PwChatMessage *
pw_message_row_get_message (PwMessageRow *self)
{
  g_return_val_if_fail (PW_IS_MESSAGE_ROW (self), NULL);
  return self->message;
}
