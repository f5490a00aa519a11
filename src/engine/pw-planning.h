/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The planning operations: one discussion turn, synthesis + advance to PLANNING, plan generation, hand edits. */
#pragma once

#include "pw-engine.h"

G_BEGIN_DECLS

#define PW_ENGINE_ERROR (pw_engine_error_quark ())

typedef enum {
  PW_ENGINE_ERROR_FAILED,
  PW_ENGINE_ERROR_NOT_ALLOWED,  /* the lifecycle table refuses it in this phase/status */
  PW_ENGINE_ERROR_EMPTY_REPLY,  /* the model answered with nothing */
} PwEngineError;

GQuark pw_engine_error_quark (void);

/* One user message and the planner's reply. The message is committed
 * before the call (sending the same text again after a failure reuses
 * it); the reply is committed whole when it completes. */
#define PW_TYPE_DISCUSS_OP (pw_discuss_op_get_type ())
G_DECLARE_FINAL_TYPE (PwDiscussOp, pw_discuss_op, PW, DISCUSS_OP, PwOperation)

PwDiscussOp *pw_discuss_op_new              (PwEngine    *engine,
                                             const char  *session_id,
                                             const char  *message);
gint64       pw_discuss_op_get_message_id   (PwDiscussOp *self);
gint64       pw_discuss_op_get_reply_id     (PwDiscussOp *self);

/* Synthesis of context + conversation into a brief (its own context
 * entry), and the move to PLANNING in the same transaction. */
#define PW_TYPE_ADVANCE_OP (pw_advance_op_get_type ())
G_DECLARE_FINAL_TYPE (PwAdvanceOp, pw_advance_op, PW, ADVANCE_OP, PwOperation)

PwAdvanceOp *pw_advance_op_new              (PwEngine    *engine,
                                             const char  *session_id);

/* The next plan draft: synthesis when the session has none, generation,
 * format validation, one repair call when invalid, the draft stored
 * (author planner) with its remaining warnings. From REVIEW the session
 * moves back to PLANNING. @model NULL: the session's planner model. */
#define PW_TYPE_GENERATE_OP (pw_generate_op_get_type ())
G_DECLARE_FINAL_TYPE (PwGenerateOp, pw_generate_op, PW, GENERATE_OP, PwOperation)

PwGenerateOp *pw_generate_op_new            (PwEngine     *engine,
                                             const char   *session_id,
                                             const char   *model);
gint64        pw_generate_op_get_draft_id   (PwGenerateOp *self);
gint          pw_generate_op_get_draft_number (PwGenerateOp *self);
/* The stored draft's format warnings (empty when valid) */
GPtrArray    *pw_generate_op_get_warnings   (PwGenerateOp *self);
gboolean      pw_generate_op_get_repaired   (PwGenerateOp *self);

/* A hand edit: @content stored as a draft authored by the user, with its
 * format warnings (returned in @out_warnings). Synchronous: no model. */
gint64        pw_planning_store_user_draft  (PwEngine     *engine,
                                             const char   *session_id,
                                             const char   *content,
                                             gint         *out_draft_number,
                                             GPtrArray   **out_warnings,
                                             GError      **error);

/* Checks @command for @session_id against the lifecycle table; a refusal
 * is PW_ENGINE_ERROR_NOT_ALLOWED with the table's reason. */
PwSessionInfo *pw_planning_check            (PwEngine     *engine,
                                             const char   *session_id,
                                             PwCommand     command,
                                             GError      **error);

G_END_DECLS
