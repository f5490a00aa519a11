/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exported views of a session: chat.csv, context summary, drafts, a-NN series, hand-off. */
#pragma once

#include "pw-store.h"

G_BEGIN_DECLS

/* Writes every artifact of @session_id into @directory (created when
 * missing). Returns the file names written (not paths), in write order. */
GPtrArray *pw_export_session  (PwStore     *store,
                               const char  *session_id,
                               const char  *directory,
                               GError     **error);

/* Writes the latest draft to <repo_root>/.kafra/a-01-plans/<project>.md
 * (project reduced to [A-Za-z0-9._-]); an existing different file is first
 * renamed to <name>.md.bak-<timestamp>. Returns the written path. */
char      *pw_export_handoff  (PwStore     *store,
                               const char  *session_id,
                               const char  *repo_root,
                               GError     **error);

/* Pure helpers, exposed for tests */
void       pw_csv_append_field (GString    *out,
                                const char *field);
char      *pw_export_chat_csv  (GPtrArray  *messages);
char      *pw_export_sanitize_name (const char *project);

G_END_DECLS
