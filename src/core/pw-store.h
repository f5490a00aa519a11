/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SQLite store: the one place that holds SQL. */
#pragma once

#include <glib-object.h>

#include "pw-lifecycle.h"

G_BEGIN_DECLS

#define PW_STORE_ERROR (pw_store_error_quark ())

typedef enum {
  PW_STORE_ERROR_FAILED,
  PW_STORE_ERROR_NOT_FOUND,      /* no such session (or row) */
  PW_STORE_ERROR_AMBIGUOUS,      /* an id prefix matches several sessions */
  PW_STORE_ERROR_NEWER_SCHEMA,   /* written by a newer Planwright: left untouched */
  PW_STORE_ERROR_NOT_PLANWRIGHT, /* a SQLite file of some other program */
  PW_STORE_ERROR_BUSY,           /* locked for longer than the busy timeout */
  PW_STORE_ERROR_FULL,           /* disk full */
  PW_STORE_ERROR_CORRUPT,
  PW_STORE_ERROR_IO,
  PW_STORE_ERROR_CONSTRAINT,
} PwStoreError;

GQuark pw_store_error_quark (void);

/* "PLNW" in big-endian ASCII; written to the header's application_id. */
#define PW_STORE_APPLICATION_ID 0x504c4e57
#define PW_STORE_SCHEMA_VERSION 3

typedef struct {
  char     *id;
  char     *project;
  PwPhase   phase;
  PwStatus  status;
  char     *repo_root;   /* nullable */
  gboolean  archived;
  char     *created_at;  /* ISO 8601 UTC */
  char     *updated_at;
} PwSessionInfo;

typedef struct {
  gint64  id;
  char   *role;        /* "user" | "assistant" */
  char   *content;
  char   *model;       /* nullable */
  char   *created_at;
} PwMessage;

typedef struct {
  gint64  id;
  char   *entry_type;  /* "file" | "note" | "synthesis" */
  char   *name;        /* absolute path for files, note-…/synthesis-… keys */
  char   *content;
  char   *original_path; /* nullable */
  char   *sha256;        /* nullable; lowercase hex */
  gint64  size_bytes;
  char   *created_at;
  char   *updated_at;
} PwContextEntry;

typedef struct {
  gint64  id;
  gint    draft_number;
  char   *content;
  char   *author;        /* "planner" | "user" | "import" */
  gint    round_number;  /* -1 when not written by a review round */
  char   *model;         /* nullable */
  gint64  config_snapshot_id; /* 0 when none */
  char   *warnings_json; /* JSON array of strings */
  char   *created_at;
} PwDraft;

typedef struct {
  gint64  id;
  gint    issue_index;   /* position in the review's own list, 0-based */
  char   *severity;      /* "critical" | "major" | "minor" */
  char   *description;
  char   *rationale;
  char   *resolution_guidance;
  char   *target_section;
  char   *disposition;   /* nullable: "ACCEPT" | "DEFER" | "REJECT" */
  char   *disposition_rationale; /* nullable */
  gboolean defaulted;
} PwReviewIssue;

typedef struct {
  gint64     id;
  gint64     run_id;       /* 0 when none */
  gint64     draft_id;     /* the draft this round reviewed; 0 when unknown */
  gint       round_number;
  char      *verdict;      /* "GO" | "NO_GO" */
  char      *summary;
  char      *keep_json;    /* JSON array of strings */
  char      *trim_json;
  char      *parse_mode;
  char      *raw_response; /* nullable */
  char      *reviewer_model; /* nullable */
  gint64     usage_id;     /* 0 when none */
  gboolean   fast_mode;    /* from the run's settings */
  char      *inconsistency; /* nullable: what the answer contradicted */
  GPtrArray *issues;       /* PwReviewIssue, by issue_index */
  char      *created_at;
} PwReview;

typedef struct {
  gint64   id;
  char    *source;
  char    *question;
  char    *answer;        /* nullable */
  gboolean open;
  PwPhase  paused_phase;
  char    *created_at;
  char    *resolved_at;   /* nullable */
  gint64   used_in_draft_id; /* the revision that used the answer; 0 when none yet */
} PwBlocker;

typedef struct {
  const char *session_id;  /* nullable */
  const char *purpose;     /* "discussion", "synthesis", "generation", "review", … */
  const char *provider;
  const char *model;
  gint64      input_tokens;
  gint64      output_tokens;
  gint64      cached_tokens;
  gint64      cache_write_tokens;
  gint64      reasoning_tokens;
  gboolean    cost_known;
  double      cost_usd;
  gint64      latency_ms;  /* < 0 when unknown */
  const char *request_id;  /* nullable */
  gint        attempts;
  const char *error;       /* nullable */
} PwUsage;

typedef struct {
  guint    message_count;
  guint    context_entry_count;
  guint    draft_count;
  guint    review_count;
  guint    open_blocker_count;
  gint     last_round;     /* -1 when no review */
  guint    usage_count;
  gboolean cost_known;     /* FALSE when any call's cost is unknown */
  double   total_cost_usd;
} PwSessionCounts;

void pw_session_info_free   (PwSessionInfo  *info);
void pw_message_free        (PwMessage      *message);
void pw_context_entry_free  (PwContextEntry *entry);
void pw_draft_free          (PwDraft        *draft);
void pw_review_issue_free   (PwReviewIssue  *issue);
void pw_review_free         (PwReview       *review);
void pw_blocker_free        (PwBlocker      *blocker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwSessionInfo, pw_session_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwMessage, pw_message_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwContextEntry, pw_context_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwDraft, pw_draft_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwReview, pw_review_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PwBlocker, pw_blocker_free)

#define PW_TYPE_STORE (pw_store_get_type ())
G_DECLARE_FINAL_TYPE (PwStore, pw_store, PW, STORE, GObject)

/* Opens (creating it and its parent directories when missing) and
 * migrates the database at @path. A database of a newer schema, or not
 * Planwright's, is refused and left as it is. */
PwStore    *pw_store_open              (const char     *path,
                                        GError        **error);
/* Whether @path holds a Planwright database of an older schema, which
 * pw_store_open would migrate (with a backup first: slow for a large
 * one). Reads without writing; FALSE for a missing, new, current, newer
 * or foreign file (pw_store_open says what is wrong with those). */
gboolean    pw_store_needs_upgrade     (const char     *path);
const char *pw_store_get_path          (PwStore        *self);
/* The backup written before the last migration of this open, or NULL. */
const char *pw_store_get_backup_path   (PwStore        *self);
/* Frees the page cache a long read filled (the app, once its window shows) */
void        pw_store_release_memory    (PwStore        *self);

/* Transactions. Outside one, each write commits by itself. begin takes
 * the write lock at once (BEGIN IMMEDIATE); nested calls use savepoints. */
gboolean    pw_store_begin             (PwStore        *self,
                                        GError        **error);
gboolean    pw_store_commit            (PwStore        *self,
                                        GError        **error);
void        pw_store_rollback          (PwStore        *self);
gboolean    pw_store_in_transaction    (PwStore        *self);

/* Sessions */
gboolean    pw_store_create_session    (PwStore        *self,
                                        const char     *project,
                                        const char     *repo_root,
                                        const char     *config_json,
                                        char          **out_id,
                                        GError        **error);
PwSessionInfo *pw_store_get_session    (PwStore        *self,
                                        const char     *id,
                                        GError        **error);
/* Full id for a unique prefix (>= 4 characters) */
char       *pw_store_resolve_id        (PwStore        *self,
                                        const char     *prefix,
                                        GError        **error);
/* PwSessionInfo, newest first. @status and @project may be NULL. */
GPtrArray  *pw_store_list_sessions     (PwStore        *self,
                                        const PwStatus *status,
                                        const char     *project,
                                        GError        **error);
gboolean    pw_store_set_phase         (PwStore        *self,
                                        const char     *id,
                                        PwPhase         phase,
                                        PwStatus        status,
                                        GError        **error);
gboolean    pw_store_set_archived      (PwStore        *self,
                                        const char     *id,
                                        gboolean        archived,
                                        GError        **error);
gboolean    pw_store_delete_session    (PwStore        *self,
                                        const char     *id,
                                        GError        **error);
gboolean    pw_store_get_counts        (PwStore        *self,
                                        const char     *id,
                                        PwSessionCounts *out_counts,
                                        GError        **error);
/* Session ids matching an FTS5 query over titles, messages and drafts,
 * best first. @query is plain words, not FTS syntax. */
GPtrArray  *pw_store_search            (PwStore        *self,
                                        const char     *query,
                                        guint           limit,
                                        GError        **error);

/* Messages */
gint64      pw_store_add_message       (PwStore        *self,
                                        const char     *session_id,
                                        const char     *role,
                                        const char     *content,
                                        const char     *model,
                                        GError        **error);
GPtrArray  *pw_store_list_messages     (PwStore        *self,
                                        const char     *session_id,
                                        GError        **error);

/* Context. Adding a file whose original path is already stored replaces
 * that entry's content. Returns the entry id, 0 on error. */
gint64      pw_store_add_context       (PwStore        *self,
                                        const char     *session_id,
                                        const char     *entry_type,
                                        const char     *name,
                                        const char     *content,
                                        const char     *original_path,
                                        const char     *sha256,
                                        GError        **error);
GPtrArray  *pw_store_list_context      (PwStore        *self,
                                        const char     *session_id,
                                        GError        **error);
gboolean    pw_store_remove_context    (PwStore        *self,
                                        const char     *session_id,
                                        gint64          entry_id,
                                        GError        **error);

/* Config snapshots (append-only; the newest is current) */
gint64      pw_store_add_config        (PwStore        *self,
                                        const char     *session_id,
                                        const char     *config_json,
                                        GError        **error);
char       *pw_store_get_config        (PwStore        *self,
                                        const char     *session_id,
                                        gint64         *out_id,
                                        GError        **error);

/* Drafts: numbered MAX+1 inside the insert, never updated. @round_number
 * < 0 for none; @warnings_json NULL for "[]". */
gint64      pw_store_add_draft         (PwStore        *self,
                                        const char     *session_id,
                                        const char     *content,
                                        const char     *author,
                                        gint            round_number,
                                        const char     *model,
                                        gint64          config_snapshot_id,
                                        const char     *warnings_json,
                                        gint           *out_draft_number,
                                        GError        **error);
GPtrArray  *pw_store_list_drafts       (PwStore        *self,
                                        const char     *session_id,
                                        GError        **error);
/* NULL without error when the session has no draft */
PwDraft    *pw_store_get_latest_draft  (PwStore        *self,
                                        const char     *session_id,
                                        GError        **error);

/* Review runs, reviews, issues and dispositions */
gint64      pw_store_add_review_run    (PwStore        *self,
                                        const char     *session_id,
                                        const char     *settings_json,
                                        GError        **error);
gboolean    pw_store_finish_review_run (PwStore        *self,
                                        gint64          run_id,
                                        const char     *state,
                                        GError        **error);
/* The run's resumable state (a JSON object), written after every step */
gboolean    pw_store_set_review_run_step (PwStore      *self,
                                        gint64          run_id,
                                        const char     *step_json,
                                        GError        **error);
/* The newest run of @session_id: its id, 0 when none, -1 on error */
gint64      pw_store_get_last_review_run (PwStore      *self,
                                        const char     *session_id,
                                        char          **out_state,
                                        char          **out_settings_json,
                                        char          **out_step_json,
                                        GError        **error);
/* Stores @review and its issues (ids are filled in). */
gint64      pw_store_add_review        (PwStore        *self,
                                        const char     *session_id,
                                        PwReview       *review,
                                        GError        **error);
gboolean    pw_store_add_disposition   (PwStore        *self,
                                        gint64          issue_id,
                                        const char     *disposition,
                                        const char     *rationale,
                                        gboolean        defaulted,
                                        GError        **error);
/* PwReview with issues and dispositions, by round */
GPtrArray  *pw_store_list_reviews      (PwStore        *self,
                                        const char     *session_id,
                                        GError        **error);

/* Blockers. add pauses the session in the same transaction. */
gint64      pw_store_add_blocker       (PwStore        *self,
                                        const char     *session_id,
                                        const char     *source,
                                        const char     *question,
                                        GError        **error);
GPtrArray  *pw_store_list_blockers     (PwStore        *self,
                                        const char     *session_id,
                                        gboolean        open_only,
                                        GError        **error);
/* Resolves one open blocker of this session; when none stays open the
 * session is ACTIVE again in the phase it paused in. */
gboolean    pw_store_answer_blocker    (PwStore        *self,
                                        const char     *session_id,
                                        gint64          blocker_id,
                                        const char     *answer,
                                        GError        **error);
/* Records that the planner request which wrote @draft_id carried the
 * answer of blocker @blocker_id (shown by the window next to the answer). */
gboolean    pw_store_mark_blocker_used (PwStore        *self,
                                        gint64          blocker_id,
                                        gint64          draft_id,
                                        GError        **error);

/* Usage */
gint64      pw_store_add_usage         (PwStore        *self,
                                        const PwUsage  *usage,
                                        GError        **error);

G_END_DECLS
