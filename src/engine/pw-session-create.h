/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A new session with the config snapshot the CLI and the app both write. */
#pragma once

#include "pw-llm.h"

G_BEGIN_DECLS

/* The config JSON of a new session: project, model_default,
 * planner_provider, repo_root (null when none) and prompt_hashes.
 * @model NULL: the planner model of @settings. */
char     *pw_session_config_json (PwSettings  *settings,
                                  const char  *project,
                                  const char  *repo_root,
                                  const char  *model);
/* Creates the session in @store with that config; @out_id gets its id. */
gboolean  pw_session_create      (PwStore     *store,
                                  PwSettings  *settings,
                                  const char  *project,
                                  const char  *repo_root,
                                  const char  *model,
                                  char       **out_id,
                                  GError     **error);

G_END_DECLS
