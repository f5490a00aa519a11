/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Checks a plan's milestones, task and deliverable checklists. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "pw-text.h"
#include "pw-plan-validate.h"

typedef struct {
  guint64      number;
  const char  *name;      /* the heading line, for messages */
  GPtrArray   *lines;     /* the section's lines (borrowed), heading excluded */
} Milestone;

static void
milestone_free (gpointer data)
{
  Milestone *m = data;

  g_ptr_array_unref (m->lines);
  g_free (m);
}

/* "## Milestone 12: Name" → 12; FALSE for anything else. */
static gboolean
parse_milestone_header (const char *line,
                        guint64    *out_number)
{
  const char *p;
  char *end = NULL;

  if (!g_str_has_prefix (line, "## Milestone "))
    return FALSE;
  p = line + strlen ("## Milestone ");
  if (!g_ascii_isdigit (*p))
    return FALSE;
  *out_number = g_ascii_strtoull (p, &end, 10);
  return end != NULL && *end == ':';
}

static gboolean
is_fence (const char *line)
{
  const char *p = line;

  while (*p == ' ')
    p++;
  return p - line < 4 && (g_str_has_prefix (p, "```") || g_str_has_prefix (p, "~~~"));
}

/* A heading line of level 3 exactly ("### Tasks"), trailing spaces allowed */
static gboolean
is_subheading (const char *line,
               const char *title)
{
  gsize n = strlen (title);

  if (!g_str_has_prefix (line, "### ") || strncmp (line + 4, title, n) != 0)
    return FALSE;
  for (const char *p = line + 4 + n; *p; p++)
    if (*p != ' ' && *p != '\t' && *p != ':')
      return FALSE;
  return TRUE;
}

static const char *
list_item_body (const char *line)
{
  const char *p = line;

  while (*p == ' ' || *p == '\t')
    p++;
  if ((*p == '-' || *p == '*' || *p == '+') && p[1] == ' ')
    return p + 2;
  return NULL;
}

static gboolean
is_checkbox (const char *body)
{
  return g_str_has_prefix (body, "[ ] ") || g_str_has_prefix (body, "[x] ")
         || g_str_has_prefix (body, "[X] ") || strcmp (body, "[ ]") == 0;
}

static void
check_checklist (GPtrArray  *warnings,
                 Milestone  *m,
                 const char *title)
{
  gboolean found = FALSE;
  guint checkboxes = 0;
  guint plain = 0;
  const char *first_plain = NULL;

  for (guint i = 0; i < m->lines->len; i++)
    {
      const char *line = g_ptr_array_index (m->lines, i);
      const char *body;

      if (!found)
        {
          found = is_subheading (line, title);
          continue;
        }
      if (g_str_has_prefix (line, "### ") || g_str_has_prefix (line, "## "))
        break;
      if ((body = list_item_body (line)) == NULL)
        continue;
      if (is_checkbox (body))
        checkboxes++;
      else if (plain++ == 0)
        first_plain = body;
    }

  if (!found)
    g_ptr_array_add (warnings, g_strdup_printf ("Milestone %" G_GUINT64_FORMAT ": missing '### %s' section.",
                                                m->number, title));
  else if (checkboxes == 0)
    g_ptr_array_add (warnings, g_strdup_printf ("Milestone %" G_GUINT64_FORMAT ": '### %s' section has no '- [ ]' checklist items.",
                                                m->number, title));
  else if (plain > 0)
    {
      g_autofree char *shown = pw_utf8_prefix (first_plain, 60);
      g_ptr_array_add (warnings,
                       g_strdup_printf ("Milestone %" G_GUINT64_FORMAT ": %u item(s) in '### %s' have no checkbox (first: \"%s\").",
                                        m->number, plain, title, shown));
    }
}

static char *
format_numbers (GPtrArray *milestones,
                gboolean   expected)
{
  GString *out = g_string_new ("[");

  for (guint i = 0; i < milestones->len; i++)
    {
      Milestone *m = g_ptr_array_index (milestones, i);

      if (i)
        g_string_append (out, ", ");
      g_string_append_printf (out, "%" G_GUINT64_FORMAT, expected ? (guint64) i + 1 : m->number);
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

GPtrArray *
pw_plan_validate (const char *plan)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) milestones = g_ptr_array_new_with_free_func (milestone_free);
  g_auto(GStrv) lines = NULL;
  gboolean in_fence = FALSE;
  gboolean sequential = TRUE;
  Milestone *current = NULL;

  {
    g_autofree char *probe = g_strstrip (g_strdup (plan ? plan : ""));
    if (*probe == '\0')
      {
        g_ptr_array_add (warnings, g_strdup ("The plan is empty."));
        return g_steal_pointer (&warnings);
      }
  }

  lines = g_strsplit (plan, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);
      guint64 number;

      if (len && line[len - 1] == '\r')
        line[len - 1] = '\0';
      if (is_fence (line))
        {
          in_fence = !in_fence;
          continue;
        }
      if (in_fence)
        continue;
      if (parse_milestone_header (line, &number))
        {
          current = g_new0 (Milestone, 1);
          current->number = number;
          current->name = line;
          current->lines = g_ptr_array_new ();
          g_ptr_array_add (milestones, current);
          continue;
        }
      if (current && g_str_has_prefix (line, "## "))
        current = NULL;   /* another level-2 section ends the milestone */
      else if (current)
        g_ptr_array_add (current->lines, line);
    }

  if (milestones->len == 0)
    {
      g_ptr_array_add (warnings, g_strdup ("No milestone headers found. Expected '## Milestone N: [Name]' format."));
      return g_steal_pointer (&warnings);
    }

  if (milestones->len < PW_PLAN_MIN_MILESTONES)
    g_ptr_array_add (warnings, g_strdup_printf ("Too few milestones: found %u, expected %d-%d.",
                                                milestones->len, PW_PLAN_MIN_MILESTONES, PW_PLAN_MAX_MILESTONES));
  else if (milestones->len > PW_PLAN_MAX_MILESTONES)
    g_ptr_array_add (warnings, g_strdup_printf ("Too many milestones: found %u, expected %d-%d.",
                                                milestones->len, PW_PLAN_MIN_MILESTONES, PW_PLAN_MAX_MILESTONES));

  for (guint i = 0; i < milestones->len; i++)
    if (((Milestone *) g_ptr_array_index (milestones, i))->number != (guint64) i + 1)
      sequential = FALSE;
  if (!sequential)
    {
      g_autofree char *found = format_numbers (milestones, FALSE);
      g_autofree char *expected = format_numbers (milestones, TRUE);
      g_ptr_array_add (warnings, g_strdup_printf ("Milestone numbering is not sequential from 1. Found: %s, expected: %s.",
                                                  found, expected));
    }

  for (guint i = 0; i < milestones->len; i++)
    {
      Milestone *m = g_ptr_array_index (milestones, i);

      check_checklist (warnings, m, "Tasks");
      check_checklist (warnings, m, "Deliverables");
    }

  return g_steal_pointer (&warnings);
}

char *
pw_plan_warnings_to_json (GPtrArray *warnings)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; warnings && i < warnings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (warnings, i));
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}
