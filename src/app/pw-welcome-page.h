/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The first-run page: what to set up, or try the offline demo. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define PW_TYPE_WELCOME_PAGE (pw_welcome_page_get_type ())
G_DECLARE_FINAL_TYPE (PwWelcomePage, pw_welcome_page, PW, WELCOME_PAGE, GtkWidget)

/* Signals: "preferences-requested" and "demo-requested" (no arguments).
 * "Open Preferences" also activates app.preferences, "Try the Offline
 * Demo" app.demo, so a window only needs to hide the page afterwards. */
GtkWidget *pw_welcome_page_new (void);

/* Whether the first-run page is due: the planner has no key (neither the
 * environment variable nor the keyring) and is not a keyless local
 * server. */
void       pw_welcome_page_needed_async  (GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean   pw_welcome_page_needed_finish (GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS
