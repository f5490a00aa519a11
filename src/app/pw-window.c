/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window; for now only a placeholder for the session list. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-window.h"

struct _PwWindow
{
  AdwApplicationWindow parent_instance;

  AdwHeaderBar  *header_bar;
  AdwStatusPage *status_page;
};

G_DEFINE_FINAL_TYPE (PwWindow, pw_window, ADW_TYPE_APPLICATION_WINDOW)

PwWindow *
pw_window_new (PwApplication *application)
{
  g_return_val_if_fail (application == NULL || PW_IS_APPLICATION (application), NULL);

  return g_object_new (PW_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

static void
pw_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), PW_TYPE_WINDOW);

  G_OBJECT_CLASS (pw_window_parent_class)->dispose (object);
}

static void
pw_window_class_init (PwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PwWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, PwWindow, status_page);
}

static void
pw_window_init (PwWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* The Devel build is striped, so it cannot be mistaken for the stable one. */
  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}
