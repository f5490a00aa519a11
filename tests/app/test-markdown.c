/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pw_markdown_parse: the blocks and the Pango markup made from model markdown, escaped and inert. */

#include "config.h"

#include <gtk/gtk.h>

#include "pw-markdown.h"

static PwMarkdownBlock *
block_at (GPtrArray *blocks,
          guint      i)
{
  g_assert_cmpuint (i, <, blocks->len);
  return g_ptr_array_index (blocks, i);
}

/* GtkLabel takes <a> itself and hands the rest to Pango */
static char *
without_links (const char *markup)
{
  g_autoptr(GRegex) re = g_regex_new ("<a href=\"[^\"<>]*\">|</a>", 0, 0, NULL);

  return g_regex_replace_literal (re, markup, -1, 0, "", 0, NULL);
}

/* Every text block must be markup Pango accepts, whatever the input */
static void
assert_valid_markup (GPtrArray *blocks)
{
  for (guint i = 0; i < blocks->len; i++)
    {
      PwMarkdownBlock *block = g_ptr_array_index (blocks, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *pango = NULL;

      if (block->markup == NULL)
        continue;
      pango = without_links (block->markup);
      g_assert_true (pango_parse_markup (pango, -1, 0, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
    }
}

static char *
plain_text_of (const char *markup)
{
  g_autofree char *pango = without_links (markup);
  char *text = NULL;

  g_assert_true (pango_parse_markup (pango, -1, 0, NULL, &text, NULL, NULL));
  return text;
}

static void
test_blocks (void)
{
  g_autoptr(GPtrArray) blocks = pw_markdown_parse ("# Title\n\n"
                                                   "Some *emphasis*, **strong** and `code`.\n\n"
                                                   "- one\n- two\n  1. nested\n\n"
                                                   "> quoted\n\n"
                                                   "```c\nint x;\n```\n\n"
                                                   "---\n");
  PwMarkdownBlock *b;

  assert_valid_markup (blocks);
  g_assert_cmpuint (blocks->len, ==, 8);

  b = block_at (blocks, 0);
  g_assert_cmpint (b->kind, ==, PW_MARKDOWN_HEADING);
  g_assert_cmpuint (b->level, ==, 1);
  g_assert_cmpstr (b->markup, ==, "Title");

  b = block_at (blocks, 1);
  g_assert_cmpint (b->kind, ==, PW_MARKDOWN_PARAGRAPH);
  g_assert_cmpstr (b->markup, ==, "Some <i>emphasis</i>, <b>strong</b> and <tt>code</tt>.");

  b = block_at (blocks, 2);
  g_assert_cmpstr (b->prefix, ==, "•");
  g_assert_cmpuint (b->indent, ==, 1);
  g_assert_cmpstr (b->markup, ==, "one");
  b = block_at (blocks, 3);
  g_assert_cmpstr (b->prefix, ==, "•");
  g_assert_cmpstr (b->markup, ==, "two");
  b = block_at (blocks, 4);
  g_assert_cmpstr (b->prefix, ==, "1.");
  g_assert_cmpuint (b->indent, ==, 2);
  g_assert_cmpstr (b->markup, ==, "nested");

  b = block_at (blocks, 5);
  g_assert_cmpuint (b->quote, ==, 1);
  g_assert_null (b->prefix);
  g_assert_cmpstr (b->markup, ==, "quoted");

  b = block_at (blocks, 6);
  g_assert_cmpint (b->kind, ==, PW_MARKDOWN_CODE);
  g_assert_cmpstr (b->code, ==, "int x;");
  g_assert_cmpstr (b->info, ==, "c");
  g_assert_null (b->markup);

  g_assert_cmpint (block_at (blocks, 7)->kind, ==, PW_MARKDOWN_RULE);
}

static void
test_ordered_start (void)
{
  g_autoptr(GPtrArray) blocks = pw_markdown_parse ("3. three\n4. four\n");

  g_assert_cmpuint (blocks->len, ==, 2);
  g_assert_cmpstr (block_at (blocks, 0)->prefix, ==, "3.");
  g_assert_cmpstr (block_at (blocks, 1)->prefix, ==, "4.");
}

/* The plan format's checklists: a box instead of the bullet and brackets */
static void
test_task_lists (void)
{
  g_autoptr(GPtrArray) blocks = pw_markdown_parse ("- [ ] Add the table\n- [x] Test it\n- [link] text\n- plain\n");

  g_assert_cmpuint (blocks->len, ==, 4);
  g_assert_cmpstr (block_at (blocks, 0)->prefix, ==, "☐");
  g_assert_cmpstr (block_at (blocks, 0)->markup, ==, "Add the table");
  g_assert_cmpstr (block_at (blocks, 1)->prefix, ==, "☑");
  g_assert_cmpstr (block_at (blocks, 1)->markup, ==, "Test it");
  g_assert_cmpstr (block_at (blocks, 2)->prefix, ==, "•");
  g_assert_cmpstr (block_at (blocks, 2)->markup, ==, "[link] text");
  g_assert_cmpstr (block_at (blocks, 3)->prefix, ==, "•");
}

/* Markup in model text is shown as the characters it is */
static void
test_escaped (void)
{
  g_autoptr(GPtrArray) blocks = pw_markdown_parse ("<b>bold?</b> & <span foreground=\"red\">red?</span>\n\n"
                                                   "<span foreground=\"red\">a block</span>\n\n"
                                                   "`<i>in code</i>`\n");
  g_autofree char *text0 = NULL;
  g_autofree char *text1 = NULL;

  assert_valid_markup (blocks);
  g_assert_cmpuint (blocks->len, ==, 3);

  g_assert_null (strstr (block_at (blocks, 0)->markup, "<b>"));
  g_assert_null (strstr (block_at (blocks, 0)->markup, "<span"));
  g_assert_nonnull (strstr (block_at (blocks, 0)->markup, "&amp;"));
  g_assert_nonnull (strstr (block_at (blocks, 0)->markup, "&lt;b&gt;"));
  text0 = plain_text_of (block_at (blocks, 0)->markup);
  g_assert_cmpstr (text0, ==, "<b>bold?</b> & <span foreground=\"red\">red?</span>");

  /* An HTML block, too, is text */
  text1 = plain_text_of (block_at (blocks, 1)->markup);
  g_assert_cmpstr (text1, ==, "<span foreground=\"red\">a block</span>");

  g_assert_cmpstr (block_at (blocks, 2)->markup, ==, "<tt>&lt;i&gt;in code&lt;/i&gt;</tt>");
}

static void
test_links (void)
{
  g_autoptr(GPtrArray) blocks = pw_markdown_parse ("[x](javascript:alert(1)) "
                                                   "[f](file:///etc/passwd) "
                                                   "[ok](https://example.org/?a=1&b=\"2\") "
                                                   "<http://example.com> "
                                                   "[d](data:text/html,hi)\n");
  const char *markup;
  g_autofree char *text = NULL;

  assert_valid_markup (blocks);
  g_assert_cmpuint (blocks->len, ==, 1);
  markup = block_at (blocks, 0)->markup;

  g_assert_null (strstr (markup, "javascript"));
  g_assert_null (strstr (markup, "file:"));
  g_assert_null (strstr (markup, "data:"));
  /* The URL is escaped as an attribute value: no way out of the quotes */
  g_assert_nonnull (strstr (markup, "<a href=\"https://example.org/?a=1&amp;b=&quot;2&quot;\">ok</a>"));
  g_assert_nonnull (strstr (markup, "<a href=\"http://example.com\">http://example.com</a>"));
  /* Exactly the two http(s) links are live */
  {
    g_auto(GStrv) parts = g_strsplit (markup, "<a ", -1);
    g_assert_cmpuint (g_strv_length (parts), ==, 3);
  }

  text = plain_text_of (markup);
  g_assert_cmpstr (text, ==, "x f ok http://example.com d");
}

static void
test_safe_link (void)
{
  g_assert_true (pw_markdown_is_safe_link ("https://gnome.org"));
  g_assert_true (pw_markdown_is_safe_link ("HTTP://gnome.org/a"));
  g_assert_false (pw_markdown_is_safe_link ("javascript:alert(1)"));
  g_assert_false (pw_markdown_is_safe_link ("file:///etc/passwd"));
  g_assert_false (pw_markdown_is_safe_link ("mailto:a@b.c"));
  g_assert_false (pw_markdown_is_safe_link ("/relative"));
  g_assert_false (pw_markdown_is_safe_link (""));
  g_assert_false (pw_markdown_is_safe_link (NULL));
}

static void
test_images_and_breaks (void)
{
  g_autoptr(GPtrArray) blocks = pw_markdown_parse ("![alt <text>](http://x/y.png)\nline  \nnext\n");

  assert_valid_markup (blocks);
  g_assert_cmpuint (blocks->len, ==, 1);
  /* Images are never fetched nor linked: the alt text stands in */
  g_assert_cmpstr (block_at (blocks, 0)->markup, ==, "alt &lt;text&gt; line\nnext");
}

/* Whatever the bytes, the output parses as markup */
static void
test_garbage (void)
{
  static const char *inputs[] = {
    "", "*", "**a*", "`", "[", "](", "<a href='x'>", "&amp; &#0; &#xffffff;",
    "\xff\xfe not utf-8", "> > > deep\n> > quote", "1. \n2.", "```\nunclosed",
    "<![CDATA[ x ]]>", "<!-- c -->", "a\\\nb", "*[a](http://b)*",
  };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GPtrArray) blocks = pw_markdown_parse (inputs[i]);

      assert_valid_markup (blocks);
    }
}

/* A reply streamed in chunks and parsed again from the last parse's last
 * top-level block shows, at every step, what a parse of the whole text
 * shows: appending never changes the blocks before that block. */
static void
test_parse_from_tail (void)
{
  static const char *reply =
    "# Plan\n\nFirst paragraph with **bold** and `code`,\nwrapped over lines.\n\n"
    "1. one\n2. two\n\n   still item two\n3. three\n\n"
    "Setext heading\n--------------\n\n"
    "```c\nint x;\n\nint y;\n```\n\n"
    "> quoted\nlazy line\n\n- a\n  - nested\n- b\n\n***\n\nLast words, never closed";
  gsize len = strlen (reply);

  for (gsize step = 1; step <= 7; step += 3)
    {
      g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_markdown_block_free);
      PwMarkdownTail tail = { 0, 0 };

      for (gsize end = MIN (step, len); ; end = MIN (end + step, len))
        {
          g_autofree char *text = g_strndup (reply, end);
          g_autoptr(GPtrArray) whole = pw_markdown_parse (text);
          PwMarkdownTail next;
          GPtrArray *part = pw_markdown_parse_from (text, tail.offset, &next);

          /* What a streaming message row keeps, and what it parsed again */
          g_assert_cmpuint (tail.block, <=, shown->len);
          g_ptr_array_remove_range (shown, tail.block, shown->len - tail.block);
          g_ptr_array_extend_and_steal (shown, part);
          tail = (PwMarkdownTail) { next.offset, tail.block + next.block };

          g_assert_cmpuint (shown->len, ==, whole->len);
          for (guint i = 0; i < whole->len; i++)
            g_assert_true (pw_markdown_block_equal (g_ptr_array_index (shown, i),
                                                    g_ptr_array_index (whole, i)));
          g_assert_cmpuint (tail.offset, <=, end);
          if (end == len)
            break;
        }
      /* It did skip what was closed: the last block is the last paragraph */
      g_assert_cmpuint (tail.offset, ==, len - strlen ("Last words, never closed"));
    }

  /* Not valid UTF-8 or with \r line ends: parsed again from where it was */
  {
    PwMarkdownTail tail;
    g_autoptr(GPtrArray) a = pw_markdown_parse_from ("one\r\rtwo\r\rthree", 0, &tail);

    g_assert_cmpuint (a->len, ==, 3);
    g_assert_cmpuint (tail.offset, ==, 0);
    g_assert_cmpuint (tail.block, ==, 0);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/app/markdown/blocks", test_blocks);
  g_test_add_func ("/app/markdown/ordered-start", test_ordered_start);
  g_test_add_func ("/app/markdown/task-lists", test_task_lists);
  g_test_add_func ("/app/markdown/escaped", test_escaped);
  g_test_add_func ("/app/markdown/links", test_links);
  g_test_add_func ("/app/markdown/safe-link", test_safe_link);
  g_test_add_func ("/app/markdown/images-and-breaks", test_images_and_breaks);
  g_test_add_func ("/app/markdown/garbage", test_garbage);
  g_test_add_func ("/app/markdown/parse-from-tail", test_parse_from_tail);

  return g_test_run ();
}
