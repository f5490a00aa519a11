/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Desktop notifications for long runs that end while the window is in the background. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-notify.h"

/* One notification per session: a newer run's replaces the older one */
static char *
generation_notification_id (const char *session_id)
{
  return g_strconcat ("generation-", session_id, NULL);
}

static char *
lookup_project (PwApplication *app,
                const char    *session_id)
{
  PwEngine *engine = pw_application_get_engine (app);
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (engine == NULL)
    return NULL;
  info = pw_store_get_session (pw_engine_get_store (engine), session_id, &error);
  if (info == NULL)
    {
      g_debug ("No project name for the notification: %s", error->message);
      return NULL;
    }
  return g_strdup (info->project);
}

void
pw_notify_generation_done (GtkWidget    *widget,
                           const char   *session_id,
                           const GError *error)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *project = NULL;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;
  GtkRoot *root;
  PwApplication *app;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  if (session_id == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* The user was looking: the window already says how it went */
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root) && gtk_window_is_active (GTK_WINDOW (root)))
    return;
  app = pw_application_get_default ();
  if (app == NULL)
    return;

  project = lookup_project (app, session_id);
  if (error == NULL)
    {
      title = project != NULL ? g_strdup_printf (_("Plan ready — %s"), project)
                              : g_strdup (_("Plan ready"));
      body = g_strdup (_("The new draft is written. Open the session to read it or start a review."));
    }
  else
    {
      title = g_strdup (_("Plan generation failed"));
      body = project != NULL ? g_strdup_printf (_("%s: %s"), project, error->message)
                             : g_strdup (error->message);
    }

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.open-session", "s", session_id);
  id = generation_notification_id (session_id);
  g_application_send_notification (G_APPLICATION (app), id, notification);
}

void
pw_notify_withdraw_generation (GApplication *application,
                               const char   *session_id)
{
  g_autofree char *id = NULL;

  g_return_if_fail (G_IS_APPLICATION (application));
  g_return_if_fail (session_id != NULL);

  id = generation_notification_id (session_id);
  g_application_withdraw_notification (application, id);
}
