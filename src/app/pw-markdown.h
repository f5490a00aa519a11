/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Model markdown as widgets: cmark's tree turned into escaped Pango markup, only http(s) links live. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
  PW_MARKDOWN_PARAGRAPH,
  PW_MARKDOWN_HEADING,
  PW_MARKDOWN_CODE,
  PW_MARKDOWN_RULE,
} PwMarkdownKind;

/* One rendered block. Text blocks carry Pango markup built only from
 * escaped text and our own tags; code blocks carry the raw code, which
 * is only ever set as plain text. */
typedef struct {
  PwMarkdownKind kind;
  guint          level;   /* heading level 1–6; 0 otherwise */
  guint          indent;  /* list nesting depth */
  guint          quote;   /* block quote nesting depth */
  char          *prefix;  /* list marker ("•", "3.") of an item's first block, or NULL */
  char          *markup;  /* PARAGRAPH, HEADING */
  char          *code;    /* CODE */
  char          *info;    /* CODE: the fence's info string, or NULL */
} PwMarkdownBlock;

void       pw_markdown_block_free      (PwMarkdownBlock *block);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwMarkdownBlock, pw_markdown_block_free)

/* Where the last top-level block of a parse starts: its byte offset in
 * the whole text and the index of its first PwMarkdownBlock. Appending
 * to the text changes only the blocks from there on (CommonMark closes
 * every earlier block), so a reply being streamed is parsed again from
 * there, not from its start. */
typedef struct {
  gsize offset;
  guint block;
} PwMarkdownTail;

/* The blocks of @markdown, in order (PwMarkdownBlock, owned by the array). */
GPtrArray *pw_markdown_parse           (const char      *markdown);
/* The blocks of @markdown from byte @from (the start of a line), and in
 * @tail (may be NULL) where the last of them starts. Link reference
 * definitions before @from are not seen: a streamed reply is parsed
 * whole once it is complete. */
GPtrArray *pw_markdown_parse_from      (const char      *markdown,
                                        gsize            from,
                                        PwMarkdownTail  *tail);
/* TRUE for an absolute http:// or https:// URI: the only links shown live. */
gboolean   pw_markdown_is_safe_link    (const char      *uri);
/* The widget of one block: a selectable label, a code frame, a rule. */
GtkWidget *pw_markdown_block_widget    (const PwMarkdownBlock *block);
/* TRUE when @a and @b show the same. */
gboolean   pw_markdown_block_equal     (const PwMarkdownBlock *a,
                                        const PwMarkdownBlock *b);
/* Makes @widget, made for @shown, show @block instead when only their
 * text differs (a block still being streamed); FALSE when it cannot. */
gboolean   pw_markdown_block_widget_update (GtkWidget             *widget,
                                            const PwMarkdownBlock *shown,
                                            const PwMarkdownBlock *block);
/* A vertical box of selectable labels and code frames for @markdown. */
GtkWidget *pw_markdown_render          (const char      *markdown);

G_END_DECLS
