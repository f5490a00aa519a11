/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target: the reviewer-answer and disposition parsers never crash and keep their promises. */

#include <stdint.h>
#include <stdlib.h>

#include <glib.h>

#include "pw-reviewer-parse.h"

int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_answer (const char *text,
              gssize      len)
{
  PwReviewAnswer *a = pw_review_answer_parse (text, len);
  GPtrArray *back;
  char *json;

  /* GO only from a parsed verdict, and never with a critical listed */
  if (a->verdict == PW_VERDICT_GO
      && (a->source == PW_REVIEW_SOURCE_FREE_FORM || a->source == PW_REVIEW_SOURCE_FAILED
          || pw_review_answer_count (a, PW_SEVERITY_CRITICAL) > 0))
    abort ();
  if (a->source == PW_REVIEW_SOURCE_FAILED && (a->error == NULL || a->issues->len > 0))
    abort ();
  if (a->summary == NULL || !g_utf8_validate (a->summary, -1, NULL))
    abort ();
  json = pw_reviewer_issues_to_json (a->issues);
  back = pw_reviewer_issues_from_json (json);
  if (back == NULL || back->len != a->issues->len)
    abort ();
  g_ptr_array_unref (back);
  g_free (json);
  pw_review_answer_free (a);
}

/* GLib and json-glib set up types, quarks and regex state on first use;
 * doing that here keeps LeakSanitizer from blaming the first input that
 * reaches a new path. */
int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  static const char *const warm[] = {
    "", "{\"verdict\":\"GO\"}", "6{\"index\":0}]", "{\"a\":", "[1,", "<verdict>x</verdict>",
    "<verdict>GO</verdict><issues><issue><severity>x</severity></issue></issues>",
    "not ready\n- critical: x", "0: DEFER", "```json\n[{\"index\":0,\"disposition\":\"ACCEPT\"}]\n```",
  };

  for (guint i = 0; i < G_N_ELEMENTS (warm); i++)
    {
      PwDispositions *d = pw_dispositions_parse (warm[i], -1, 2);

      check_answer (warm[i], -1);
      pw_dispositions_free (d);
    }
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  PwDispositions *d;
  guint n_issues;
  guint missing = 0;

  if (size < 1)
    return 0;
  /* Byte 0: how many issues the triage answer is for */
  n_issues = data[0] % 16;
  check_answer ((const char *) data + 1, size - 1);

  d = pw_dispositions_parse ((const char *) data + 1, size - 1, n_issues);
  if (d->n_issues != n_issues)
    abort ();
  for (guint i = 0; i < n_issues; i++)
    {
      if (d->entries[i].rationale == NULL)
        abort ();
      missing += !d->entries[i].answered;
      if (d->entries[i].answered && d->entries[i].disposition > PW_DISPOSITION_REJECT)
        abort ();
    }
  if (missing != d->n_missing)
    abort ();
  pw_dispositions_free (d);
  return 0;
}
