/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers the planning operations share. */
#pragma once

#include "pw-planning.h"

G_BEGIN_DECLS

/* min(@wanted, the model's output limit); *out_ceiling = that limit */
G_GNUC_INTERNAL
gint64        pw_planning_max_tokens        (PwEngine        *engine,
                                             const char      *model,
                                             gint64           wanted,
                                             gint64          *out_ceiling);
G_GNUC_INTERNAL
PwLlmRequest *pw_planning_synthesis_request (PwEngine        *engine,
                                             const char      *session_id,
                                             GError         **error);
/* Stores the synthesis entry and its usage, and (when asked) the move to
 * PLANNING, in one transaction. Returns the entry id, 0 on error. */
G_GNUC_INTERNAL
gint64        pw_planning_store_synthesis   (PwEngine        *engine,
                                             const char      *session_id,
                                             PwLlmCompletion *completion,
                                             PwProvider      *provider,
                                             gboolean         move_to_planning,
                                             GError         **error);
G_GNUC_INTERNAL
gboolean      pw_planning_text_is_empty     (const char      *text);
/* The one repair request of a plan whose format has @warnings (strings) */
G_GNUC_INTERNAL
PwLlmRequest *pw_planning_repair_request    (const char      *model,
                                             const char      *plan,
                                             GPtrArray       *warnings);

G_END_DECLS
