/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Builds the context block and the conversation transcript sent to the models. */

#include "config.h"

#include <string.h>

#include "pw-session-text.h"

static guint
longest_backtick_run (const char *text)
{
  guint longest = 0, run = 0;

  for (const char *p = text; *p; p++)
    {
      run = *p == '`' ? run + 1 : 0;
      longest = MAX (longest, run);
    }
  return longest;
}

char *
pw_session_text_context (GPtrArray *entries)
{
  g_autoptr(GString) files = g_string_new (NULL);
  g_autoptr(GString) notes = g_string_new (NULL);
  GString *out;

  for (guint i = 0; entries && i < entries->len; i++)
    {
      PwContextEntry *e = g_ptr_array_index (entries, i);

      if (g_strcmp0 (e->entry_type, "file") == 0)
        {
          g_autofree char *fence = g_strnfill (MAX (3, longest_backtick_run (e->content) + 1), '`');
          gsize len = strlen (e->content);

          g_string_append_printf (files, "### %s\n\n%s\n%s%s%s\n\n", e->name, fence, e->content,
                                  len && e->content[len - 1] == '\n' ? "" : "\n", fence);
        }
      else if (g_strcmp0 (e->entry_type, "note") == 0)
        {
          g_auto(GStrv) lines = g_strsplit (e->content, "\n", -1);
          g_autofree char *indented = g_strjoinv ("\n  ", lines);

          g_string_append_printf (notes, "- %s\n", indented);
        }
    }
  if (files->len == 0 && notes->len == 0)
    return NULL;

  out = g_string_new ("<context>\n\n");
  if (files->len)
    g_string_append_printf (out, "## Project files\n\n%s", files->str);
  if (notes->len)
    g_string_append_printf (out, "## Notes\n\n%s\n", notes->str);
  g_string_append (out, "</context>\n");
  return g_string_free (out, FALSE);
}

char *
pw_session_text_conversation (GPtrArray *messages)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; messages && i < messages->len; i++)
    {
      PwMessage *m = g_ptr_array_index (messages, i);

      if (out->len)
        g_string_append (out, "\n\n");
      g_string_append_printf (out, "**%s**: %s",
                              g_strcmp0 (m->role, "user") == 0 ? "User" : "Assistant", m->content);
    }
  return g_string_free (out, FALSE);
}

const char *
pw_session_text_synthesis (GPtrArray *entries)
{
  for (guint i = entries ? entries->len : 0; i > 0; i--)
    {
      PwContextEntry *e = g_ptr_array_index (entries, i - 1);

      if (g_strcmp0 (e->entry_type, "synthesis") == 0)
        return e->content;
    }
  return NULL;
}

const char *
pw_session_text_feature (GPtrArray *messages)
{
  for (guint i = 0; messages && i < messages->len; i++)
    {
      PwMessage *m = g_ptr_array_index (messages, i);

      if (g_strcmp0 (m->role, "user") == 0)
        return m->content;
    }
  return "";
}
