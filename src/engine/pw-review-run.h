/* SPDX-License-Identifier: GPL-3.0-or-later */
/* PwReviewRun: the review loop — reviewer, triage, revision, convergence — committing every step. */
#pragma once

#include "pw-engine.h"
#include "pw-reviewer-parse.h"

G_BEGIN_DECLS

#define PW_REVIEW_ERROR (pw_review_error_quark ())

typedef enum {
  PW_REVIEW_ERROR_FAILED,
  PW_REVIEW_ERROR_NO_DRAFT,     /* nothing to review: generate or draft first */
  PW_REVIEW_ERROR_BAD_SETTINGS, /* --max-rounds 0, flags that conflict with a resumed run */
} PwReviewError;

GQuark pw_review_error_quark (void);

typedef enum {
  PW_REVIEW_MODE_BASIC,
  PW_REVIEW_MODE_GUIDANCE,
  PW_REVIEW_MODE_KEEP_TRIM,
} PwReviewMode;

typedef enum {
  PW_REVIEW_OUTCOME_NONE,      /* not finished (failed or cancelled) */
  PW_REVIEW_OUTCOME_ACCEPTED,  /* exported, handed off, COMPLETE */
  PW_REVIEW_OUTCOME_PAUSED,    /* a blocker is open; the session is PAUSED */
} PwReviewOutcome;

/* What the caller asked for; unset fields take the defaults (or, on a
 * resumed run, the run's stored settings). */
typedef struct {
  gboolean    fast;
  gint        max_rounds;        /* 0: the default cap */
  gboolean    no_history;
  const char *reviewer_model;    /* nullable */
  const char *reviewer_reasoning;/* nullable */
  const char *complexity;        /* "standard" | "complex" | NULL (detected) */
  const char *repo_root;         /* nullable */
  double      max_cost_usd;      /* <= 0: no budget */
} PwReviewRequest;

typedef struct {
  gint     round;
  PwVerdict verdict;
  guint    critical, major, minor;
  guint    accept, defer, reject, defaulted;
  gint64   tokens;
  gboolean cost_known;
  double   cost_usd;
  gint64   elapsed_ms;
  gint64   review_id;
  gint64   draft_id;     /* the draft this round wrote; 0 when none */
  char    *inconsistency; /* nullable */
} PwReviewRound;

#define PW_TYPE_REVIEW_RUN (pw_review_run_get_type ())
G_DECLARE_FINAL_TYPE (PwReviewRun, pw_review_run, PW, REVIEW_RUN, PwOperation)

/* Signals, besides the base "delta", "retry" and "step":
 *   "round-started"  (int round, int cap)
 *   "review-parsed"  (gpointer PwReviewRound*)
 *   "issue-disposed" (int issue_index, const char *disposition, gboolean defaulted)
 *   "draft-added"    (gint64 draft_id, int draft_number)
 *   "converged"      (const char *reason)
 *   "paused"         (const char *question) */
PwReviewRun    *pw_review_run_new              (PwEngine              *engine,
                                                const char            *session_id,
                                                const PwReviewRequest *request);
gint64          pw_review_run_get_run_id       (PwReviewRun *self);
gboolean        pw_review_run_get_resumed      (PwReviewRun *self);
PwReviewOutcome pw_review_run_get_outcome      (PwReviewRun *self);
/* PwReviewRound of this call, in order */
GPtrArray      *pw_review_run_get_rounds       (PwReviewRun *self);
gint64          pw_review_run_get_final_draft_id (PwReviewRun *self);
const char     *pw_review_run_get_handoff_path (PwReviewRun *self);
const char     *pw_review_run_get_handoff_note (PwReviewRun *self);
gint            pw_review_run_get_cap          (PwReviewRun *self);
const char     *pw_review_run_get_complexity   (PwReviewRun *self);

/* Pure helpers, exposed for tests */
/* "complex" when the text names at least two distinct complexity
 * keywords as whole words; @out_matches gets them (nullable). */
const char     *pw_review_detect_complexity    (const char  *text,
                                                GPtrArray   *out_matches);
/* Lower-cased words of @text joined by single spaces */
char           *pw_review_normalise            (const char  *text);

G_END_DECLS
