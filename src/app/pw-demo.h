/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The offline demo: a scripted local LLM server and sessions labelled as a demo. */
#pragma once

#include <adwaita.h>

#include "pw-application.h"

G_BEGIN_DECLS

/* Project names of demo sessions start with this (translated) prefix */
#define PW_DEMO_PROJECT_PREFIX _("Demo: ")

/* Starts planwright-fake-llm with the demo script (once per run of the
 * app), points the planner, synthesis and reviewer roles of the demo's
 * own engine at it (see pw_demo_engine_for_session) and creates a demo
 * session; the finish returns its id. */
void      pw_demo_start_async             (PwApplication       *app,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
char     *pw_demo_start_finish            (GAsyncResult        *result,
                                           GError             **error);
/* Starts the demo server when it does not run (a demo session opened in
 * a later run of the app) and points the demo's engine at it; TRUE once
 * it runs. Calls while it starts wait for the same server. */
void      pw_demo_ensure_server_async     (PwApplication       *app,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean  pw_demo_ensure_server_finish    (GAsyncResult        *result,
                                           GError             **error);
gboolean  pw_demo_server_running          (void);
/* The engine to run @session_id's operations on: for a demo session
 * the demo's own (its providers are the demo server; none reachable when
 * the server is not running), for any other session @engine itself, so
 * trying the demo never changes a real session's providers. */
PwEngine *pw_demo_engine_for_session      (PwEngine            *engine,
                                           const char          *session_id);
/* Whether the session's config says {"demo": true} */
gboolean  pw_demo_is_demo_session         (PwStore             *store,
                                           const char          *session_id);
/* Deletes every demo session in one transaction; returns how many */
gboolean  pw_demo_remove_sessions         (PwStore             *store,
                                           guint               *out_count,
                                           GError             **error);
/* Stops the demo server, if it runs (the app's shutdown) */
void      pw_demo_stop                    (void);

/* app.demo (starts the demo, then selects the session through
 * pw_application_session_changed) and app.remove-demo-sessions */
void      pw_demo_install_actions         (PwApplication       *app);

G_END_DECLS
