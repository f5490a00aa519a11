/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Model markdown as widgets: cmark's tree turned into escaped Pango markup, only http(s) links live. */

#include "config.h"

#include <glib/gi18n.h>
#include <cmark.h>
#include <string.h>

#include "pw-markdown.h"

void
pw_markdown_block_free (PwMarkdownBlock *block)
{
  if (block == NULL)
    return;
  g_free (block->prefix);
  g_free (block->markup);
  g_free (block->code);
  g_free (block->info);
  g_free (block);
}

gboolean
pw_markdown_is_safe_link (const char *uri)
{
  const char *scheme;

  if (uri == NULL || !g_uri_is_valid (uri, G_URI_FLAGS_NONE, NULL))
    return FALSE;
  /* g_uri_peek_scheme lower-cases, so "HTTPS:" counts and "javascript:" never does */
  scheme = g_uri_peek_scheme (uri);
  return g_strcmp0 (scheme, "http") == 0 || g_strcmp0 (scheme, "https") == 0;
}

typedef struct {
  gboolean ordered;
  int      next;
} ListLevel;

typedef struct {
  GPtrArray *blocks;
  GString   *inline_buf;   /* markup of the open paragraph or heading */
  GArray    *lists;        /* ListLevel */
  GArray    *links;        /* gboolean per open link: whether an <a> was written */
  guint      quote;
  char      *pending_prefix;
  guint      heading_level;
} Walker;

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = NULL;

  if (text == NULL || *text == '\0')
    return;
  /* Model text is never markup: every byte of it goes through here */
  escaped = g_markup_escape_text (text, -1);
  g_string_append (out, escaped);
}

static PwMarkdownBlock *
walker_add (Walker         *w,
            PwMarkdownKind  kind)
{
  PwMarkdownBlock *block = g_new0 (PwMarkdownBlock, 1);

  block->kind = kind;
  block->indent = w->lists->len;
  block->quote = w->quote;
  block->prefix = g_steal_pointer (&w->pending_prefix);
  g_ptr_array_add (w->blocks, block);
  return block;
}

/* "- [ ] task" and "- [x] done" (the plan format's checklists): a box
 * for the bullet, the brackets taken off the text */
static void
mark_task (PwMarkdownBlock *block)
{
  const char *m = block->markup;
  const char *box;

  if (g_strcmp0 (block->prefix, "•") != 0 || m == NULL || m[0] != '[' || m[1] == '\0'
      || m[2] != ']' || (m[3] != ' ' && m[3] != '\0'))
    return;
  if (m[1] == ' ')
    box = "☐";
  else if (m[1] == 'x' || m[1] == 'X')
    box = "☑";
  else
    return;
  g_free (block->prefix);
  block->prefix = g_strdup (box);
  memmove (block->markup, m + (m[3] ? 4 : 3), strlen (m + (m[3] ? 4 : 3)) + 1);
}

static void
walker_close_text (Walker         *w,
                   PwMarkdownKind  kind)
{
  PwMarkdownBlock *block;

  if (w->inline_buf == NULL)
    return;
  block = walker_add (w, kind);
  block->level = kind == PW_MARKDOWN_HEADING ? w->heading_level : 0;
  block->markup = g_string_free (g_steal_pointer (&w->inline_buf), FALSE);
  mark_task (block);
}

static void
walk_inline (Walker          *w,
             cmark_node      *node,
             cmark_event_type ev)
{
  gboolean entering = ev == CMARK_EVENT_ENTER;
  GString *out = w->inline_buf;

  if (out == NULL)
    return;

  switch (cmark_node_get_type (node))
    {
    case CMARK_NODE_TEXT:
    case CMARK_NODE_HTML_INLINE:   /* raw HTML is shown as the text it is */
      append_escaped (out, cmark_node_get_literal (node));
      break;
    case CMARK_NODE_CODE:
      g_string_append (out, "<tt>");
      append_escaped (out, cmark_node_get_literal (node));
      g_string_append (out, "</tt>");
      break;
    case CMARK_NODE_SOFTBREAK:
      g_string_append_c (out, ' ');
      break;
    case CMARK_NODE_LINEBREAK:
      g_string_append_c (out, '\n');
      break;
    case CMARK_NODE_EMPH:
      g_string_append (out, entering ? "<i>" : "</i>");
      break;
    case CMARK_NODE_STRONG:
      g_string_append (out, entering ? "<b>" : "</b>");
      break;
    case CMARK_NODE_LINK:
      if (entering)
        {
          const char *url = cmark_node_get_url (node);
          gboolean live = pw_markdown_is_safe_link (url);

          if (live)
            {
              g_string_append (out, "<a href=\"");
              append_escaped (out, url);
              g_string_append (out, "\">");
            }
          g_array_append_val (w->links, live);
        }
      else if (w->links->len > 0)
        {
          if (g_array_index (w->links, gboolean, w->links->len - 1))
            g_string_append (out, "</a>");
          g_array_set_size (w->links, w->links->len - 1);
        }
      break;
    case CMARK_NODE_IMAGE:
      /* Never fetched: the alt text (the children) stands in */
      break;
    default:
      break;
    }
}

static void
walk (Walker          *w,
      cmark_node      *node,
      cmark_event_type ev)
{
  gboolean entering = ev == CMARK_EVENT_ENTER;

  switch (cmark_node_get_type (node))
    {
    case CMARK_NODE_PARAGRAPH:
      if (entering)
        w->inline_buf = g_string_new (NULL);
      else
        walker_close_text (w, PW_MARKDOWN_PARAGRAPH);
      break;
    case CMARK_NODE_HEADING:
      if (entering)
        {
          w->inline_buf = g_string_new (NULL);
          w->heading_level = cmark_node_get_heading_level (node);
        }
      else
        walker_close_text (w, PW_MARKDOWN_HEADING);
      break;
    case CMARK_NODE_CODE_BLOCK:
      {
        PwMarkdownBlock *block = walker_add (w, PW_MARKDOWN_CODE);
        const char *info = cmark_node_get_fence_info (node);
        const char *literal = cmark_node_get_literal (node);
        gsize len = literal ? strlen (literal) : 0;

        /* cmark keeps the final newline; a label would show it as a blank line */
        if (len > 0 && literal[len - 1] == '\n')
          len--;
        block->code = g_strndup (literal ? literal : "", len);
        block->info = info && *info ? g_strdup (info) : NULL;
      }
      break;
    case CMARK_NODE_HTML_BLOCK:
      {
        g_autofree char *literal = g_strdup (cmark_node_get_literal (node));
        PwMarkdownBlock *block = walker_add (w, PW_MARKDOWN_PARAGRAPH);

        block->markup = g_markup_escape_text (literal ? g_strchomp (literal) : "", -1);
      }
      break;
    case CMARK_NODE_THEMATIC_BREAK:
      walker_add (w, PW_MARKDOWN_RULE);
      break;
    case CMARK_NODE_BLOCK_QUOTE:
      if (entering)
        w->quote++;
      else if (w->quote > 0)
        w->quote--;
      break;
    case CMARK_NODE_LIST:
      if (entering)
        {
          ListLevel level = {
            cmark_node_get_list_type (node) == CMARK_ORDERED_LIST,
            cmark_node_get_list_start (node),
          };
          g_array_append_val (w->lists, level);
        }
      else if (w->lists->len > 0)
        g_array_set_size (w->lists, w->lists->len - 1);
      break;
    case CMARK_NODE_ITEM:
      if (entering && w->lists->len > 0)
        {
          ListLevel *level = &g_array_index (w->lists, ListLevel, w->lists->len - 1);

          g_free (w->pending_prefix);
          if (level->ordered)
            w->pending_prefix = g_strdup_printf ("%d.", level->next++);
          else
            w->pending_prefix = g_strdup ("•");
        }
      else if (!entering)
        g_clear_pointer (&w->pending_prefix, g_free);
      break;
    default:
      walk_inline (w, node, ev);
      break;
    }
}

/* The byte offset in @text of the start of its 1-based @line */
static gsize
line_offset (const char *text,
             int         line)
{
  const char *p = text;

  for (; line > 1 && p != NULL; line--)
    {
      p = strchr (p, '\n');
      if (p != NULL)
        p++;
    }
  return p != NULL ? (gsize) (p - text) : strlen (text);
}

GPtrArray *
pw_markdown_parse_from (const char     *markdown,
                        gsize           from,
                        PwMarkdownTail *tail)
{
  g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_markdown_block_free);
  cmark_node *doc, *last;
  cmark_iter *iter;
  cmark_event_type ev;
  Walker w = { 0 };
  g_autofree char *valid = NULL;
  const char *text;
  gboolean exact;

  if (markdown == NULL)
    markdown = "";
  from = MIN (from, strlen (markdown));
  text = markdown + from;
  /* Labels and the escaper want UTF-8; a broken byte becomes U+FFFD */
  exact = g_utf8_validate (text, -1, NULL);
  if (!exact)
    text = valid = g_utf8_make_valid (text, -1);
  /* cmark's lines also end at a lone \r: only \n counts in line_offset */
  exact = exact && strchr (text, '\r') == NULL;

  w.blocks = blocks;
  w.lists = g_array_new (FALSE, FALSE, sizeof (ListLevel));
  w.links = g_array_new (FALSE, FALSE, sizeof (gboolean));

  doc = cmark_parse_document (text, strlen (text), CMARK_OPT_DEFAULT);
  last = cmark_node_last_child (doc);
  if (tail != NULL)
    *tail = (PwMarkdownTail) { from, 0 };
  iter = cmark_iter_new (doc);
  while ((ev = cmark_iter_next (iter)) != CMARK_EVENT_DONE)
    {
      cmark_node *node = cmark_iter_get_node (iter);

      if (node == last && ev == CMARK_EVENT_ENTER && tail != NULL && exact)
        *tail = (PwMarkdownTail) {
          from + line_offset (text, cmark_node_get_start_line (node)),
          blocks->len,
        };
      walk (&w, node, ev);
    }
  cmark_iter_free (iter);
  cmark_node_free (doc);

  if (w.inline_buf != NULL)
    g_string_free (w.inline_buf, TRUE);
  g_free (w.pending_prefix);
  g_array_unref (w.lists);
  g_array_unref (w.links);

  return g_steal_pointer (&blocks);
}

GPtrArray *
pw_markdown_parse (const char *markdown)
{
  return pw_markdown_parse_from (markdown, 0, NULL);
}

/* Widgets */

static gboolean
on_activate_link (GtkLabel   *label,
                  const char *uri,
                  gpointer    user_data)
{
  GtkRoot *root;

  /* The markup only holds http(s) links; checked again so that nothing
   * else can ever be opened from model text. */
  if (!pw_markdown_is_safe_link (uri))
    return TRUE;

  root = gtk_widget_get_root (GTK_WIDGET (label));
  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, uri, GDK_CURRENT_TIME);
  return TRUE;
}

#define MARKDOWN_MIN_CHARS 16

static GtkWidget *
text_label (const char *markup)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_markup (GTK_LABEL (label), markup);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  /* GtkLabel finds a wrapping label's minimum width by laying its text
   * out at width-chars, or at zero width without it: one character a line
   * with WORD_CHAR, hundreds of lines shaped for a long paragraph, again
   * after every change of the text while it streams. A bubble is never
   * narrower than this anyway. */
  gtk_label_set_width_chars (GTK_LABEL (label), MARKDOWN_MIN_CHARS);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_set_hexpand (label, TRUE);
  g_signal_connect (label, "activate-link", G_CALLBACK (on_activate_link), NULL);
  return label;
}

static void
on_copy_clicked (GtkButton *button,
                 gpointer   user_data)
{
  const char *code = g_object_get_data (G_OBJECT (button), "pw-code");

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (button)), code);
  gtk_button_set_icon_name (button, "object-select-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (button), _("Copied"));
}

static GtkWidget *
code_frame (const PwMarkdownBlock *block)
{
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *label = gtk_label_new (block->code);
  GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");

  gtk_widget_add_css_class (frame, "pw-code-block");
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "pw-code");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Code"), -1);

  /* Long lines scroll sideways instead of widening the conversation */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_AUTOMATIC, GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), label);

  g_object_set_data_full (G_OBJECT (copy), "pw-code", g_strdup (block->code), g_free);
  gtk_widget_set_halign (copy, GTK_ALIGN_END);
  gtk_widget_set_valign (copy, GTK_ALIGN_START);
  gtk_widget_add_css_class (copy, "flat");
  gtk_widget_add_css_class (copy, "pw-copy-button");
  gtk_widget_set_tooltip_text (copy, _("Copy code"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (copy),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Copy code"), -1);
  g_signal_connect (copy, "clicked", G_CALLBACK (on_copy_clicked), NULL);

  gtk_overlay_set_child (GTK_OVERLAY (overlay), scroller);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), copy);
  gtk_frame_set_child (GTK_FRAME (frame), overlay);
  /* For pw_markdown_block_widget_update: a streaming code block grows */
  g_object_set_data (G_OBJECT (frame), "pw-code-label", label);
  g_object_set_data (G_OBJECT (frame), "pw-copy-button", copy);
  return frame;
}

GtkWidget *
pw_markdown_block_widget (const PwMarkdownBlock *block)
{
  GtkWidget *widget = NULL;
  static const char *heading_classes[] = { "title-2", "title-3", "title-4", "heading" };

  switch (block->kind)
    {
    case PW_MARKDOWN_PARAGRAPH:
      widget = text_label (block->markup);
      break;
    case PW_MARKDOWN_HEADING:
      widget = text_label (block->markup);
      gtk_widget_add_css_class (widget, heading_classes[CLAMP (block->level, 1, 4) - 1]);
      gtk_widget_add_css_class (widget, "pw-markdown-heading");
      gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                      GTK_ACCESSIBLE_PROPERTY_LEVEL, (int) block->level, -1);
      break;
    case PW_MARKDOWN_CODE:
      widget = code_frame (block);
      break;
    case PW_MARKDOWN_RULE:
      widget = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
      break;
    }

  if (block->prefix != NULL)
    {
      GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *marker = gtk_label_new (block->prefix);

      gtk_widget_set_valign (marker, GTK_ALIGN_START);
      gtk_label_set_xalign (GTK_LABEL (marker), 1.0);
      gtk_label_set_width_chars (GTK_LABEL (marker), 2);
      gtk_widget_add_css_class (marker, "pw-list-marker");
      gtk_box_append (GTK_BOX (row), marker);
      gtk_box_append (GTK_BOX (row), widget);
      widget = row;
    }

  /* Items without a marker (a second paragraph) line up with the text */
  if (block->indent > 0)
    gtk_widget_set_margin_start (widget, 26 * (block->indent - (block->prefix ? 1 : 0)));
  if (block->quote > 0)
    gtk_widget_add_css_class (widget, "pw-markdown-quote");
  return widget;
}

gboolean
pw_markdown_block_equal (const PwMarkdownBlock *a,
                         const PwMarkdownBlock *b)
{
  return a->kind == b->kind && a->level == b->level && a->indent == b->indent && a->quote == b->quote
         && g_strcmp0 (a->prefix, b->prefix) == 0 && g_strcmp0 (a->markup, b->markup) == 0
         && g_strcmp0 (a->code, b->code) == 0 && g_strcmp0 (a->info, b->info) == 0;
}

gboolean
pw_markdown_block_widget_update (GtkWidget             *widget,
                                 const PwMarkdownBlock *shown,
                                 const PwMarkdownBlock *block)
{
  GtkWidget *label;

  /* Only the text may differ: everything else is in the widget's shape */
  if (shown->kind != block->kind || shown->level != block->level || shown->indent != block->indent
      || shown->quote != block->quote || g_strcmp0 (shown->prefix, block->prefix) != 0
      || g_strcmp0 (shown->info, block->info) != 0)
    return FALSE;

  switch (block->kind)
    {
    case PW_MARKDOWN_PARAGRAPH:
    case PW_MARKDOWN_HEADING:
      label = block->prefix != NULL ? gtk_widget_get_last_child (widget) : widget;
      if (!GTK_IS_LABEL (label))
        return FALSE;
      gtk_label_set_markup (GTK_LABEL (label), block->markup);
      return TRUE;
    case PW_MARKDOWN_CODE:
      {
        GtkWidget *frame = block->prefix != NULL ? gtk_widget_get_last_child (widget) : widget;
        GtkWidget *copy;

        label = g_object_get_data (G_OBJECT (frame), "pw-code-label");
        copy = g_object_get_data (G_OBJECT (frame), "pw-copy-button");
        if (!GTK_IS_LABEL (label) || copy == NULL)
          return FALSE;
        /* Code is only ever plain text */
        gtk_label_set_text (GTK_LABEL (label), block->code);
        g_object_set_data_full (G_OBJECT (copy), "pw-code", g_strdup (block->code), g_free);
        return TRUE;
      }
    case PW_MARKDOWN_RULE:
    default:
      return TRUE;
    }
}

GtkWidget *
pw_markdown_render (const char *markdown)
{
  g_autoptr(GPtrArray) blocks = pw_markdown_parse (markdown);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);

  gtk_widget_add_css_class (box, "pw-markdown");
  for (guint i = 0; i < blocks->len; i++)
    gtk_box_append (GTK_BOX (box), pw_markdown_block_widget (g_ptr_array_index (blocks, i)));
  return box;
}
