/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table tests of the reviewer-answer and triage-disposition parsers: every fallback, garbage, false GO. */

#include <glib.h>
#include <string.h>

#include "pw-reviewer-parse.h"

typedef struct {
  const char    *name;
  const char    *text;
  PwReviewSource source;
  PwVerdict      verdict;
  guint          critical, major, minor;
  gboolean       inconsistent;
} AnswerCase;

static const AnswerCase answer_cases[] = {
  { "clean-go", "{\"verdict\":\"GO\",\"summary\":\"Fine.\",\"issues\":[]}",
    PW_REVIEW_SOURCE_JSON, PW_VERDICT_GO, 0, 0, 0, FALSE },
  { "clean-no-go", "{\"verdict\":\"NO_GO\",\"summary\":\"s\",\"issues\":["
    "{\"severity\":\"critical\",\"description\":\"a\",\"rationale\":\"r\"},"
    "{\"severity\":\"MAJOR\",\"description\":\"b\",\"rationale\":\"r\"},"
    "{\"severity\":\"minor\",\"description\":\"c\",\"rationale\":\"r\"}]}",
    PW_REVIEW_SOURCE_JSON, PW_VERDICT_NO_GO, 1, 1, 1, FALSE },
  { "go-with-minor", "{\"verdict\":\"go\",\"summary\":\"s\",\"issues\":[{\"severity\":\"minor\",\"description\":\"x\",\"rationale\":\"y\"}]}",
    PW_REVIEW_SOURCE_JSON, PW_VERDICT_GO, 0, 0, 1, FALSE },
  { "go-with-critical", "{\"verdict\":\"GO\",\"summary\":\"s\",\"issues\":[{\"severity\":\"critical\",\"description\":\"x\",\"rationale\":\"y\"}]}",
    PW_REVIEW_SOURCE_JSON, PW_VERDICT_NO_GO, 1, 0, 0, TRUE },
  { "no-dash-go", "{\"verdict\":\"no-go\",\"issues\":[]}",
    PW_REVIEW_SOURCE_JSON, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "unknown-severity-is-major", "{\"verdict\":\"NO_GO\",\"issues\":[{\"severity\":\"blocker\",\"description\":\"x\"},42,\"str\"]}",
    PW_REVIEW_SOURCE_JSON, PW_VERDICT_NO_GO, 0, 1, 0, FALSE },
  { "json-fence", "Here you go:\n```json\n{\"verdict\":\"NO_GO\",\"issues\":[{\"severity\":\"major\",\"description\":\"x\"}]}\n```\nThanks",
    PW_REVIEW_SOURCE_FENCED_JSON, PW_VERDICT_NO_GO, 0, 1, 0, FALSE },
  { "plain-fence", "```\n{\"verdict\":\"GO\",\"issues\":[]}\n```",
    PW_REVIEW_SOURCE_FENCED_JSON, PW_VERDICT_GO, 0, 0, 0, FALSE },
  { "brace-span", "My review: {\"verdict\":\"GO\",\"summary\":\"ok\"} end.",
    PW_REVIEW_SOURCE_JSON, PW_VERDICT_GO, 0, 0, 0, FALSE },
  { "xml-two-issues", "<review><verdict>NO_GO</verdict><summary>s</summary><issues>"
    "<issue><severity>critical</severity><description>a &amp; b</description><rationale>r</rationale></issue>"
    "<issue><severity>minor</severity><description>c</description><rationale>r</rationale></issue>"
    "</issues></review>",
    PW_REVIEW_SOURCE_XML, PW_VERDICT_NO_GO, 1, 0, 1, FALSE },
  { "xml-go", "<verdict> go </verdict>", PW_REVIEW_SOURCE_XML, PW_VERDICT_GO, 0, 0, 0, FALSE },
  { "free-form-no-go-bullets", "This plan is NOT READY.\n- [CRITICAL] no rollback\n* major: no tests\n1. minor typo\n2) missing owner",
    PW_REVIEW_SOURCE_FREE_FORM, PW_VERDICT_NO_GO, 1, 2, 1, FALSE },
  { "conflicting-signals", "Looks good overall and ready to proceed, but it needs work.\n- critical: auth missing",
    PW_REVIEW_SOURCE_FREE_FORM, PW_VERDICT_NO_GO, 1, 0, 0, FALSE },
  /* behaviour.md's false GO: criticism that merely contains go/proceed/approve */
  { "false-go-prose", "I would not approve this yet. Before we go ahead, the migration must proceed in stages.\n- data loss risk",
    PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "free-form-go-is-failure", "Looks good, approved, ready for implementation. GO!",
    PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "empty", "", PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "whitespace", " \n\t ", PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "garbage", "\x01\x02 zzz @@@ ###", PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "truncated-json", "{\"verdict\":\"NO_GO\",\"summary\":\"The plan needs work\",\"issues\":[{\"severity\":\"critical\",\"descr",
    PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "truncated-fence", "```json\n{\"verdict\":\"NO_GO\",\"issues\":[",
    PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "two-objects", "{\"verdict\":\"GO\"}\n{\"verdict\":\"NO_GO\"}",
    PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "approved-verdict", "{\"verdict\":\"APPROVED\",\"issues\":[]}",
    PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "array-root", "[{\"verdict\":\"GO\"}]", PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "no-verdict", "{\"summary\":\"x\"}", PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "xml-bad-verdict", "<verdict>maybe</verdict>", PW_REVIEW_SOURCE_FAILED, PW_VERDICT_NO_GO, 0, 0, 0, FALSE },
  { "invalid-utf8", "{\"verdict\":\"GO\",\"summary\":\"\xff\xfe\"}", PW_REVIEW_SOURCE_JSON, PW_VERDICT_GO, 0, 0, 0, FALSE },
};

static void
test_answer_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (answer_cases); i++)
    {
      const AnswerCase *c = &answer_cases[i];
      g_autoptr(PwReviewAnswer) a = pw_review_answer_parse (c->text, -1);

      g_test_message ("case %s", c->name);
      g_assert_cmpstr (pw_review_source_to_string (a->source), ==, pw_review_source_to_string (c->source));
      g_assert_cmpstr (pw_verdict_to_string (a->verdict), ==, pw_verdict_to_string (c->verdict));
      g_assert_cmpuint (pw_review_answer_count (a, PW_SEVERITY_CRITICAL), ==, c->critical);
      g_assert_cmpuint (pw_review_answer_count (a, PW_SEVERITY_MAJOR), ==, c->major);
      g_assert_cmpuint (pw_review_answer_count (a, PW_SEVERITY_MINOR), ==, c->minor);
      g_assert_cmpint (a->inconsistency != NULL, ==, c->inconsistent);
      g_assert_nonnull (a->summary);
      g_assert_true (g_utf8_validate (a->summary, -1, NULL));
      if (c->source == PW_REVIEW_SOURCE_FAILED)
        {
          /* A failure is said, never dressed up as a NO_GO with a fake issue */
          g_assert_nonnull (a->error);
          g_assert_cmpuint (a->issues->len, ==, 0);
        }
      else
        g_assert_null (a->error);
    }
}

static void
test_answer_fields (void)
{
  g_autoptr(PwReviewAnswer) a = pw_review_answer_parse (
    "{\"verdict\":\"NO_GO\",\"summary\":\"Résumé ✓ — 日本\",\"issues\":["
    "{\"severity\":\"major\",\"description\":\"d\",\"rationale\":\"r\",\"resolution_guidance\":\"g\",\"target_section\":\"Milestone 2\"},"
    "{\"severity\":\"minor\",\"description\":\"e\",\"rationale\":\"r\",\"target_milestone\":\"Milestone 3\"},"
    "{\"severity\":\"minor\",\"description\":\"f\"}],"
    "\"keep\":[\"tests\",7,\"\"],\"trim\":\"not a list\"}", -1);
  g_autoptr(PwReviewAnswer) n = pw_review_answer_parse ("{\"verdict\":\"GO\",\"summary\":null}", -1);
  PwReviewerIssue *i0, *i1, *i2;
  g_autofree char *json = NULL;
  g_autoptr(GPtrArray) back = NULL;

  g_assert_cmpstr (a->summary, ==, "Résumé ✓ — 日本");
  g_assert_cmpuint (a->issues->len, ==, 3);
  i0 = a->issues->pdata[0];
  i1 = a->issues->pdata[1];
  i2 = a->issues->pdata[2];
  g_assert_cmpstr (i0->resolution_guidance, ==, "g");
  g_assert_cmpstr (i0->target_section, ==, "Milestone 2");
  g_assert_cmpstr (i1->target_section, ==, "Milestone 3");
  g_assert_cmpstr (i2->rationale, ==, "");
  g_assert_cmpstr (i2->resolution_guidance, ==, "");
  g_assert_cmpstr (i2->target_section, ==, "");
  g_assert_cmpuint (a->keep->len, ==, 1);
  g_assert_cmpstr (a->keep->pdata[0], ==, "tests");
  g_assert_cmpuint (a->trim->len, ==, 0);
  /* null is no summary, not the text "None" */
  g_assert_cmpstr (n->summary, ==, "");

  json = pw_reviewer_issues_to_json (a->issues);
  back = pw_reviewer_issues_from_json (json);
  g_assert_cmpuint (back->len, ==, 3);
  g_assert_cmpstr (((PwReviewerIssue *) back->pdata[1])->target_section, ==, "Milestone 3");
  g_assert_cmpint (((PwReviewerIssue *) back->pdata[0])->severity, ==, PW_SEVERITY_MAJOR);
  g_assert_null (pw_reviewer_issues_from_json ("{"));
}

static void
test_free_form_summary_cut (void)
{
  g_autofree char *line = g_strnfill (300, 'x');
  g_autofree char *text = g_strconcat ("Not ready: ", line, "\n- major thing", NULL);
  g_autoptr(PwReviewAnswer) a = pw_review_answer_parse (text, -1);

  g_assert_cmpint (a->source, ==, PW_REVIEW_SOURCE_FREE_FORM);
  g_assert_cmpuint (g_utf8_strlen (a->summary, -1), ==, 200);
  g_assert_true (g_str_has_suffix (a->summary, "..."));
  g_assert_cmpuint (a->issues->len, ==, 1);
  g_assert_cmpstr (((PwReviewerIssue *) a->issues->pdata[0])->description, ==, "thing");
}

/* A length shorter than the text: only the prefix is read */
static void
test_answer_length (void)
{
  const char *text = "{\"verdict\":\"GO\"}garbage";
  g_autoptr(PwReviewAnswer) a = pw_review_answer_parse (text, 16);
  g_autoptr(PwReviewAnswer) cut = pw_review_answer_parse (text, 10);

  g_assert_cmpint (a->source, ==, PW_REVIEW_SOURCE_JSON);
  g_assert_cmpint (a->verdict, ==, PW_VERDICT_GO);
  g_assert_cmpint (cut->source, ==, PW_REVIEW_SOURCE_FAILED);
}

typedef struct {
  const char *name;
  const char *text;
  guint       n_issues;
  /* per index: 'A', 'D', 'R' or '?' (unanswered) */
  const char *expected;
  gboolean    usable;
} DispositionCase;

static const DispositionCase disposition_cases[] = {
  { "all", "[{\"index\":0,\"disposition\":\"ACCEPT\",\"rationale\":\"r\"},{\"index\":1,\"disposition\":\"defer\"},"
    "{\"index\":2,\"disposition\":\" Reject \"}]", 3, "ADR", TRUE },
  { "order-free", "[{\"index\":1,\"disposition\":\"REJECT\"},{\"index\":0,\"disposition\":\"ACCEPT\"}]", 2, "AR", TRUE },
  { "missing", "[{\"index\":0,\"disposition\":\"ACCEPT\"}]", 3, "A??", TRUE },
  { "deferred-is-not-defer", "[{\"index\":0,\"disposition\":\"DEFERRED\"},{\"index\":1,\"disposition\":\"REJECTED\"},"
    "{\"index\":2,\"disposition\":\"accept it\"}]", 3, "???", TRUE },
  { "bad-index", "[{\"index\":true,\"disposition\":\"ACCEPT\"},{\"index\":\"1\",\"disposition\":\"ACCEPT\"},"
    "{\"index\":2.0,\"disposition\":\"ACCEPT\"},{\"index\":-1,\"disposition\":\"ACCEPT\"},{\"index\":9,\"disposition\":\"ACCEPT\"}]",
    3, "???", TRUE },
  { "duplicate-same", "[{\"index\":0,\"disposition\":\"DEFER\"},{\"index\":0,\"disposition\":\"defer\"}]", 1, "D", TRUE },
  { "duplicate-conflict", "[{\"index\":0,\"disposition\":\"DEFER\"},{\"index\":0,\"disposition\":\"ACCEPT\"},"
    "{\"index\":0,\"disposition\":\"ACCEPT\"}]", 1, "?", TRUE },
  { "fenced", "Sure.\n```json\n[{\"index\":0,\"disposition\":\"REJECT\"}]\n```", 1, "R", TRUE },
  { "span", "Here: [{\"index\":0,\"disposition\":\"DEFER\"}] done", 1, "D", TRUE },
  { "object-wrapper", "{\"dispositions\":[{\"index\":0,\"disposition\":\"ACCEPT\"}]}", 1, "A", TRUE },
  { "lines", "0: ACCEPT - fix it\nIssue 1 — DEFER: later\n11: REJECT\n2. DEFERRED", 3, "AD?", TRUE },
  { "line-index-exact", "11: REJECT\n21 - ACCEPT", 3, "???", TRUE },
  { "garbage", "I accept all of them.", 2, "??", FALSE },
  { "empty", "", 2, "??", FALSE },
  { "truncated", "[{\"index\":0,\"disposition\":\"ACC", 1, "?", FALSE },
  { "no-issues", "[]", 0, "", TRUE },
};

static void
test_disposition_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (disposition_cases); i++)
    {
      const DispositionCase *c = &disposition_cases[i];
      g_autoptr(PwDispositions) d = pw_dispositions_parse (c->text, -1, c->n_issues);
      guint missing = 0;

      g_test_message ("case %s", c->name);
      g_assert_cmpuint (strlen (c->expected), ==, c->n_issues);
      g_assert_cmpint (d->usable, ==, c->usable);
      for (guint k = 0; k < c->n_issues; k++)
        {
          char got = '?';

          if (d->entries[k].answered)
            got = "ADR"[d->entries[k].disposition];
          else
            missing++;
          g_assert_nonnull (d->entries[k].rationale);
          g_assert_cmpint (got, ==, c->expected[k]);
        }
      g_assert_cmpuint (d->n_missing, ==, missing);
    }
}

static void
test_disposition_rationale (void)
{
  g_autoptr(PwDispositions) d = pw_dispositions_parse (
    "[{\"index\":0,\"disposition\":\"DEFER\",\"rationale\":\"  later milestone \"}]", -1, 1);
  g_autoptr(PwDispositions) l = pw_dispositions_parse ("0: REJECT — already in Milestone 2", -1, 1);

  g_assert_cmpstr (d->entries[0].rationale, ==, "later milestone");
  g_assert_cmpstr (l->entries[0].rationale, ==, "already in Milestone 2");
}

static void
test_schema_is_json (void)
{
  g_autoptr(PwReviewAnswer) a = pw_review_answer_parse (pw_reviewer_answer_schema (), -1);

  /* The schema is an object without a verdict member: a failure to read */
  g_assert_cmpint (a->source, ==, PW_REVIEW_SOURCE_FAILED);
  g_assert_nonnull (strstr (pw_reviewer_answer_schema (), "\"NO_GO\""));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reviewer-parse/answers", test_answer_table);
  g_test_add_func ("/reviewer-parse/fields", test_answer_fields);
  g_test_add_func ("/reviewer-parse/free-form-summary", test_free_form_summary_cut);
  g_test_add_func ("/reviewer-parse/length", test_answer_length);
  g_test_add_func ("/reviewer-parse/dispositions", test_disposition_table);
  g_test_add_func ("/reviewer-parse/disposition-rationale", test_disposition_rationale);
  g_test_add_func ("/reviewer-parse/schema", test_schema_is_json);
  return g_test_run ();
}
