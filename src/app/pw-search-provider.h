/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GNOME Shell search provider (org.gnome.Shell.SearchProvider2): sessions by project and plan text. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PW_TYPE_SEARCH_PROVIDER (pw_search_provider_get_type ())
G_DECLARE_FINAL_TYPE (PwSearchProvider, pw_search_provider, PW, SEARCH_PROVIDER, GObject)

/* A provider for @application (a PwApplication; not referenced: the
 * application owns the provider). */
PwSearchProvider *pw_search_provider_new      (GApplication     *application);
/* Exports the provider at @object_path on @connection */
gboolean          pw_search_provider_export   (PwSearchProvider *self,
                                               GDBusConnection  *connection,
                                               const char       *object_path,
                                               GError          **error);
/* Unexports it and cancels the searches under way */
void              pw_search_provider_unexport (PwSearchProvider *self);

G_END_DECLS
