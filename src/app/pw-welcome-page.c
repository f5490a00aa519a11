/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The first-run page: what to set up, or try the offline demo. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-welcome-page.h"

struct _PwWelcomePage
{
  GtkWidget      parent_instance;

  AdwStatusPage *status_page;
  gboolean       compact;
};

G_DEFINE_FINAL_TYPE (PwWelcomePage, pw_welcome_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_COMPACT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_PREFERENCES_REQUESTED,
  SIGNAL_DEMO_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
preferences_clicked_cb (PwWelcomePage *self)
{
  g_signal_emit (self, signals[SIGNAL_PREFERENCES_REQUESTED], 0);
  gtk_widget_activate_action (GTK_WIDGET (self), "app.preferences", NULL);
}

static void
demo_clicked_cb (PwWelcomePage *self)
{
  g_signal_emit (self, signals[SIGNAL_DEMO_REQUESTED], 0);
  gtk_widget_activate_action (GTK_WIDGET (self), "app.demo", NULL);
}

/* Narrow, the page is mostly icon and margins: Adwaita's compact status
 * page keeps both buttons on a 360×640 screen without scrolling */
static void
set_compact (PwWelcomePage *self,
             gboolean       compact)
{
  compact = !!compact;
  if (self->compact == compact)
    return;
  self->compact = compact;
  if (compact)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_page), "compact");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_page), "compact");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPACT]);
}

static void
pw_welcome_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PwWelcomePage *self = PW_WELCOME_PAGE (object);

  switch (prop_id)
    {
    case PROP_COMPACT:
      g_value_set_boolean (value, self->compact);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_welcome_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PwWelcomePage *self = PW_WELCOME_PAGE (object);

  switch (prop_id)
    {
    case PROP_COMPACT:
      set_compact (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_welcome_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PW_TYPE_WELCOME_PAGE);

  G_OBJECT_CLASS (pw_welcome_page_parent_class)->dispose (object);
}

static void
pw_welcome_page_class_init (PwWelcomePageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = pw_welcome_page_dispose;
  G_OBJECT_CLASS (klass)->get_property = pw_welcome_page_get_property;
  G_OBJECT_CLASS (klass)->set_property = pw_welcome_page_set_property;

  /* Set from the window's folded state */
  properties[PROP_COMPACT] =
    g_param_spec_boolean ("compact", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (G_OBJECT_CLASS (klass), N_PROPS, properties);

  signals[SIGNAL_PREFERENCES_REQUESTED] =
    g_signal_new ("preferences-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_DEMO_REQUESTED] =
    g_signal_new ("demo-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-welcome-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PwWelcomePage, status_page);
  gtk_widget_class_bind_template_callback (widget_class, preferences_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, demo_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "pwwelcomepage");
}

static void
pw_welcome_page_init (PwWelcomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
pw_welcome_page_new (void)
{
  return g_object_new (PW_TYPE_WELCOME_PAGE, NULL);
}

static void
needed_lookup_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = pw_keys_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* No keyring at all is also "nothing set up" */
  g_task_return_boolean (task, key == NULL);
}

void
pw_welcome_page_needed_async (GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  PwApplication *app = pw_application_get_default ();
  PwEngine *engine = app ? pw_application_get_engine (app) : NULL;
  PwProviderKind kind = PW_PROVIDER_ANTHROPIC;

  g_task_set_source_tag (task, pw_welcome_page_needed_async);
  if (engine)
    {
      PwSettings *settings = pw_engine_get_settings (engine);

      kind = pw_settings_get_provider (settings, PW_ROLE_PLANNER);
      /* A local server was set up: it may well need no key */
      if (kind == PW_PROVIDER_OPENAI_CHAT && pw_settings_get_base_url (settings, PW_ROLE_PLANNER))
        {
          g_task_return_boolean (task, FALSE);
          return;
        }
    }
  pw_keys_lookup_async (kind, cancellable, needed_lookup_cb, g_steal_pointer (&task));
}

gboolean
pw_welcome_page_needed_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
