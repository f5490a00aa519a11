/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The text a session's context and conversation become in a prompt. */
#pragma once

#include "pw-store.h"

G_BEGIN_DECLS

/* Files and notes (not syntheses) inside <context> tags; NULL when the
 * session has neither. Files are fenced with a fence longer than any
 * backtick run in them, so a file cannot end its own block. */
char       *pw_session_text_context      (GPtrArray  *entries);
/* "**User**: …" / "**Assistant**: …" blocks, in order; "" when empty */
char       *pw_session_text_conversation (GPtrArray  *messages);
/* The newest synthesis entry's content, or NULL (borrowed) */
const char *pw_session_text_synthesis    (GPtrArray  *entries);
/* The first user message, or "" (borrowed) */
const char *pw_session_text_feature      (GPtrArray  *messages);

G_END_DECLS
