/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table tests of the plan format rules. */

#include <glib.h>
#include <string.h>

#include "pw-plan-validate.h"

#define MILESTONE(n) \
  "## Milestone " #n ": Step " #n "\n\nWhy it matters.\n\n" \
  "### Tasks\n- [ ] Write src/step" #n ".c\n- [ ] Test it in tests/test-step" #n ".c\n\n" \
  "### Deliverables\n- [ ] step " #n " works on its own\n\n"

typedef struct {
  const char *name;
  const char *plan;
  const char *expected[4];   /* the warnings, in order; NULL-terminated */
} Case;

static const Case cases[] = {
  { "three-milestones", "# Plan\n\n" MILESTONE (1) MILESTONE (2) MILESTONE (3), { NULL } },
  { "five-milestones", MILESTONE (1) MILESTONE (2) MILESTONE (3) MILESTONE (4) MILESTONE (5), { NULL } },
  { "crlf", "## Milestone 1: A\r\n### Tasks\r\n- [ ] a\r\n### Deliverables\r\n- [ ] b\r\n"
            "## Milestone 2: B\r\n### Tasks\r\n- [ ] a\r\n### Deliverables\r\n- [ ] b\r\n"
            "## Milestone 3: C\r\n### Tasks\r\n- [ ] a\r\n### Deliverables\r\n- [x] b\r\n", { NULL } },
  { "empty", "", { "The plan is empty.", NULL } },
  { "blank", " \n\t\n", { "The plan is empty.", NULL } },
  { "no-milestones", "# Plan\n\nJust prose, no milestones.\n",
    { "No milestone headers found. Expected '## Milestone N: [Name]' format.", NULL } },
  { "wrong-case", "## milestone 1: a\n## MILESTONE 2: b\n",
    { "No milestone headers found. Expected '## Milestone N: [Name]' format.", NULL } },
  { "one-milestone", MILESTONE (1), { "Too few milestones: found 1, expected 3-5.", NULL } },
  { "six-milestones", MILESTONE (1) MILESTONE (2) MILESTONE (3) MILESTONE (4) MILESTONE (5) MILESTONE (6),
    { "Too many milestones: found 6, expected 3-5.", NULL } },
  { "not-sequential", MILESTONE (1) MILESTONE (3) MILESTONE (4),
    { "Milestone numbering is not sequential from 1. Found: [1, 3, 4], expected: [1, 2, 3].", NULL } },
  { "missing-tasks",
    MILESTONE (1) "## Milestone 2: Two\n### Deliverables\n- [ ] d\n" MILESTONE (3),
    { "Milestone 2: missing '### Tasks' section.", NULL } },
  { "missing-deliverables",
    MILESTONE (1) MILESTONE (2) "## Milestone 3: Three\n### Tasks\n- [ ] t\n",
    { "Milestone 3: missing '### Deliverables' section.", NULL } },
  { "tasks-without-checkboxes",
    "## Milestone 1: One\n### Tasks\n- write it\n- test it\n### Deliverables\n- [ ] d\n" MILESTONE (2) MILESTONE (3),
    { "Milestone 1: '### Tasks' section has no '- [ ]' checklist items.", NULL } },
  { "some-tasks-without-checkboxes",
    "## Milestone 1: One\n### Tasks\n- [ ] write it\n- test it\n### Deliverables\n- [ ] d\n" MILESTONE (2) MILESTONE (3),
    { "Milestone 1: 1 item(s) in '### Tasks' have no checkbox (first: \"test it\").", NULL } },
  { "long-item-without-checkbox",
    "## Milestone 1: One\n### Tasks\n- [ ] ok\n- écrire un très long élément de liste qui dépasse soixante caractères sans case\n"
    "### Deliverables\n- [ ] d\n" MILESTONE (2) MILESTONE (3),
    { "Milestone 1: 1 item(s) in '### Tasks' have no checkbox (first: \"écrire un très long élément de liste qui dépasse soixante ca\").", NULL } },
  /* planner-auto matched substrings: "#### Tasks" counted. It is not a level-3 section. */
  { "level-four-heading",
    "## Milestone 1: One\n#### Tasks\n- [ ] t\n### Deliverables\n- [ ] d\n" MILESTONE (2) MILESTONE (3),
    { "Milestone 1: missing '### Tasks' section.", NULL } },
  /* A checklist after the section ends does not count for it. */
  { "checkbox-in-next-section",
    "## Milestone 1: One\n### Tasks\nNone yet.\n### Deliverables\n- [ ] d\n" MILESTONE (2) MILESTONE (3),
    { "Milestone 1: '### Tasks' section has no '- [ ]' checklist items.", NULL } },
  /* Example headings in a code fence are text, not milestones. */
  { "fenced-example",
    "```markdown\n## Milestone 9: Example\n```\n" MILESTONE (1) MILESTONE (2) MILESTONE (3), { NULL } },
  { "several-problems",
    "## Milestone 2: Two\n### Tasks\n- [ ] t\n",
    { "Too few milestones: found 1, expected 3-5.",
      "Milestone numbering is not sequential from 1. Found: [2], expected: [1].",
      "Milestone 2: missing '### Deliverables' section.", NULL } },
};

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GPtrArray) warnings = pw_plan_validate (c->plan);
  guint n = g_strv_length ((char **) c->expected);

  for (guint i = 0; i < warnings->len; i++)
    g_test_message ("warning %u: %s", i, (const char *) g_ptr_array_index (warnings, i));
  g_assert_cmpuint (warnings->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (warnings, i), ==, c->expected[i]);
}

static void
test_null_plan (void)
{
  g_autoptr(GPtrArray) warnings = pw_plan_validate (NULL);

  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==, "The plan is empty.");
}

static void
test_warnings_json (void)
{
  g_autoptr(GPtrArray) warnings = pw_plan_validate ("## Milestone 1: \"quoted\"\n");
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autofree char *json = pw_plan_warnings_to_json (warnings);
  g_autofree char *empty = pw_plan_warnings_to_json (none);

  g_assert_cmpstr (empty, ==, "[]");
  g_assert_true (g_str_has_prefix (json, "[\"Too few milestones: found 1, expected 3-5.\","));
  g_assert_nonnull (strstr (json, "\"Milestone 1: missing '### Tasks' section.\""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plan-validate/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/plan-validate/null", test_null_plan);
  g_test_add_func ("/plan-validate/warnings-json", test_warnings_json);

  return g_test_run ();
}
