/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pure parsers of reviewer answers and of the planner's triage dispositions. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  PW_VERDICT_GO,
  PW_VERDICT_NO_GO,
} PwVerdict;

typedef enum {
  PW_SEVERITY_CRITICAL,
  PW_SEVERITY_MAJOR,
  PW_SEVERITY_MINOR,
} PwSeverity;

/* Where a reviewer answer's content came from. FAILED: nothing usable —
 * the engine asks again (repair request), then pauses; it is never read
 * as a NO_GO. */
typedef enum {
  PW_REVIEW_SOURCE_JSON,
  PW_REVIEW_SOURCE_FENCED_JSON,
  PW_REVIEW_SOURCE_XML,
  PW_REVIEW_SOURCE_FREE_FORM,
  PW_REVIEW_SOURCE_FAILED,
} PwReviewSource;

typedef struct {
  PwSeverity severity;
  char      *description;         /* never NULL */
  char      *rationale;           /* never NULL, may be "" */
  char      *resolution_guidance; /* never NULL, may be "" */
  char      *target_section;      /* never NULL, may be "" */
} PwReviewerIssue;

typedef struct {
  PwReviewSource source;
  PwVerdict      verdict;        /* NO_GO when source is FAILED */
  char          *summary;        /* never NULL */
  GPtrArray     *issues;         /* PwReviewerIssue */
  GPtrArray     *keep;           /* char*, the strengths to preserve */
  GPtrArray     *trim;           /* char*, the scope to trim */
  /* Set when the answer contradicted itself (a GO listing critical
   * issues, read as NO_GO); NULL otherwise. */
  char          *inconsistency;
  /* Why nothing could be read, when source is FAILED */
  char          *error;
} PwReviewAnswer;

const char     *pw_verdict_to_string       (PwVerdict       verdict);
const char     *pw_severity_to_string      (PwSeverity      severity);
gboolean        pw_severity_from_string    (const char     *text,
                                            PwSeverity     *out);
const char     *pw_review_source_to_string (PwReviewSource  source);

/* Never fails: an answer nothing can be read from has source FAILED.
 * @len -1 for NUL-terminated; embedded NULs end the text. */
PwReviewAnswer *pw_review_answer_parse     (const char     *text,
                                            gssize          len);
void            pw_review_answer_free      (PwReviewAnswer *answer);
guint           pw_review_answer_count     (const PwReviewAnswer *answer,
                                            PwSeverity      severity);
/* The issues as the JSON array stored in reviews.issues_json */
char           *pw_reviewer_issues_to_json   (GPtrArray      *issues);
/* The inverse, for issues read back from the store; NULL on bad JSON */
GPtrArray      *pw_reviewer_issues_from_json (const char     *json);
void            pw_reviewer_issue_free       (PwReviewerIssue  *issue);
PwReviewerIssue  *pw_reviewer_issue_copy       (const PwReviewerIssue *issue);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwReviewAnswer, pw_review_answer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwReviewerIssue, pw_reviewer_issue_free)

typedef enum {
  PW_DISPOSITION_ACCEPT,
  PW_DISPOSITION_DEFER,
  PW_DISPOSITION_REJECT,
} PwDisposition;

const char *pw_disposition_to_string (PwDisposition disposition);

typedef struct {
  gboolean      answered;     /* FALSE: missing, unknown word or ambiguous */
  PwDisposition disposition;  /* valid when answered */
  char         *rationale;    /* never NULL, may be "" */
} PwDispositionEntry;

typedef struct {
  guint               n_issues;
  PwDispositionEntry *entries;   /* n_issues of them, by triage index */
  guint               n_missing; /* entries not answered */
  gboolean            usable;    /* a JSON array (or index lines) was found */
} PwDispositions;

/* Reads the triage answer for @n_issues issues numbered from 0. Only an
 * exact integer index and exactly ACCEPT, DEFER or REJECT (any case)
 * count; anything else leaves that index unanswered — never ACCEPTed by
 * default. Two different answers for one index leave it unanswered. */
PwDispositions *pw_dispositions_parse (const char     *text,
                                       gssize          len,
                                       guint           n_issues);
void            pw_dispositions_free  (PwDispositions *dispositions);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwDispositions, pw_dispositions_free)

/* The JSON Schema of the reviewer answer, for structured output */
const char     *pw_reviewer_answer_schema (void);

G_END_DECLS
