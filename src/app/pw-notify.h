/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Desktop notifications for long runs that end while the window is in the background. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Tells the user that writing the plan of @session_id ended — @error NULL:
 * a draft was written — unless @widget's window is the active one (the
 * user saw it happen). The notification's default action is
 * app.open-session with the session id. A cancelled run sends nothing. */
void  pw_notify_generation_done      (GtkWidget    *widget,
                                      const char   *session_id,
                                      const GError *error);
/* Withdraws the notification of @session_id's generation, if any */
void  pw_notify_withdraw_generation  (GApplication *application,
                                      const char   *session_id);

G_END_DECLS
