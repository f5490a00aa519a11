/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GNOME Shell search provider (org.gnome.Shell.SearchProvider2): sessions by project and plan text. */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pw-application.h"
#include "pw-phase-bar.h"
#include "pw-search-provider.h"

/* The Shell shows a handful per provider; more is wasted work */
#define SEARCH_LIMIT 50
/* Characters of plan text in a result's description */
#define SNIPPET_CHARS 80

static const char introspection_xml[] =
  "<node>"
  "  <interface name='org.gnome.Shell.SearchProvider2'>"
  "    <method name='GetInitialResultSet'>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='as' name='results' direction='out'/>"
  "    </method>"
  "    <method name='GetSubsearchResultSet'>"
  "      <arg type='as' name='previous_results' direction='in'/>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='as' name='results' direction='out'/>"
  "    </method>"
  "    <method name='GetResultMetas'>"
  "      <arg type='as' name='identifiers' direction='in'/>"
  "      <arg type='aa{sv}' name='metas' direction='out'/>"
  "    </method>"
  "    <method name='ActivateResult'>"
  "      <arg type='s' name='identifier' direction='in'/>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "    <method name='LaunchSearch'>"
  "      <arg type='as' name='terms' direction='in'/>"
  "      <arg type='u' name='timestamp' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

struct _PwSearchProvider
{
  GObject          parent_instance;

  GApplication    *application;   /* not owned: it owns us */
  GDBusConnection *connection;
  guint            registration_id;
  GCancellable    *cancellable;
  GDBusNodeInfo   *node_info;
  /* The Shell asks for metas without the terms: those of the last search */
  char           **last_terms;
};

G_DEFINE_FINAL_TYPE (PwSearchProvider, pw_search_provider, G_TYPE_OBJECT)

/* A call answered from a worker thread with a database connection of its
 * own (as the sidebar's search): a big database must not stall the
 * Shell's typing nor the window. The application is held until the
 * reply, so a D-Bus-activated service does not exit in between; it is
 * released in the callback, on the main thread: the task (and its data)
 * may be finalized on the worker, and a release there races with
 * g_application_run's check of the use count. */
typedef struct {
  GApplication          *application;  /* held until the callback */
  GDBusMethodInvocation *invocation;
  char                  *query;        /* the terms joined */
  char                 **terms;
  char                 **ids;          /* GetResultMetas */
} CallData;

static void
call_data_free (CallData *data)
{
  g_clear_object (&data->invocation);
  g_free (data->query);
  g_strfreev (data->terms);
  g_strfreev (data->ids);
  g_free (data);
}

static char *
join_terms (const char * const *terms)
{
  return terms != NULL ? g_strjoinv (" ", (char **) terms) : g_strdup ("");
}

/* The line of @text that holds one of @terms, else its first line that
 * is not a heading (else its first line), without markdown's leading
 * marks; NULL when none. */
static char *
make_snippet (const char          *text,
              const char * const  *terms)
{
  g_auto(GStrv) lines = NULL;
  const char *found = NULL;
  const char *first = NULL;
  g_autofree char *prefix = NULL;
  const char *line;

  if (text == NULL)
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && found == NULL; i++)
    {
      g_autofree char *folded = NULL;

      g_strstrip (lines[i]);
      if (*lines[i] == '\0')
        continue;
      if (first == NULL || (*first == '#' && *lines[i] != '#'))
        first = lines[i];
      folded = g_utf8_casefold (lines[i], -1);
      for (guint j = 0; terms != NULL && terms[j] != NULL && found == NULL; j++)
        {
          g_autofree char *term = g_utf8_casefold (terms[j], -1);

          if (*term != '\0' && strstr (folded, term) != NULL)
            found = lines[i];
        }
    }
  line = found != NULL ? found : first;
  if (line == NULL)
    return NULL;
  while (*line != '\0' && strchr ("#-*+> \t", *line) != NULL)
    line++;
  if (g_str_has_prefix (line, "[ ] ") || g_str_has_prefix (line, "[x] "))
    line += 4;
  if (*line == '\0')
    return NULL;
  prefix = pw_utf8_prefix (line, SNIPPET_CHARS);
  if (strlen (prefix) < strlen (line))
    return g_strconcat (prefix, "…", NULL);
  return g_steal_pointer (&prefix);
}

/* The text a result quotes: the newest draft, else the newest message */
static char *
session_snippet (PwStore            *store,
                 const char         *id,
                 const char * const *terms)
{
  g_autoptr(PwDraft) draft = pw_store_get_latest_draft (store, id, NULL);
  g_autoptr(GPtrArray) messages = NULL;

  if (draft != NULL)
    return make_snippet (draft->content, terms);
  messages = pw_store_list_messages (store, id, NULL);
  if (messages != NULL && messages->len > 0)
    {
      PwMessage *last = g_ptr_array_index (messages, messages->len - 1);

      return make_snippet (last->content, terms);
    }
  return NULL;
}

static gpointer
search_read (PwStore  *store,
             gpointer  user_data,
             GError  **error)
{
  CallData *data = user_data;

  return pw_store_search (store, data->query, SEARCH_LIMIT, error);
}

static void
search_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  CallData *data = pw_store_read_get_data (result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = pw_store_read_finish (result, &error);
  GVariantBuilder builder;

  /* Cancelled or not, the caller waits for an answer */
  if (ids == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not search the sessions for the Shell: %s", error->message);
      g_dbus_method_invocation_return_gerror (data->invocation, error);
    }
  else
    {
      g_variant_builder_init (&builder, G_VARIANT_TYPE ("as"));
      for (guint i = 0; i < ids->len; i++)
        g_variant_builder_add (&builder, "s", g_ptr_array_index (ids, i));
      g_dbus_method_invocation_return_value (data->invocation, g_variant_new ("(as)", &builder));
    }
  g_application_release (data->application);
}

static gpointer
metas_read (PwStore  *store,
            gpointer  user_data,
            GError  **error)
{
  CallData *data = user_data;
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; data->ids[i] != NULL; i++)
    {
      g_autoptr(PwSessionInfo) info = pw_store_get_session (store, data->ids[i], NULL);
      g_autofree char *snippet = NULL;
      g_autofree char *description = NULL;
      const char *phase;

      /* Deleted since the search: the Shell drops results without metas */
      if (info == NULL)
        continue;
      phase = pw_phase_bar_phase_label (info->phase);
      snippet = session_snippet (store, info->id, (const char * const *) data->terms);
      /* TRANSLATORS: a search result's description: the phase, then a line of the plan */
      description = snippet != NULL ? g_strdup_printf (_("%s — %s"), phase, snippet) : g_strdup (phase);

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&builder, "{sv}", "id", g_variant_new_string (info->id));
      g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (info->project));
      g_variant_builder_add (&builder, "{sv}", "description", g_variant_new_string (description));
      g_variant_builder_add (&builder, "{sv}", "gicon", g_variant_new_string (APPLICATION_ID));
      g_variant_builder_close (&builder);
    }
  return g_variant_ref_sink (g_variant_builder_end (&builder));
}

static void
metas_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CallData *data = pw_store_read_get_data (result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) metas = pw_store_read_finish (result, &error);

  if (metas == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not describe the sessions for the Shell: %s", error->message);
      g_dbus_method_invocation_return_gerror (data->invocation, error);
    }
  else
    g_dbus_method_invocation_return_value (data->invocation, g_variant_new_tuple (&metas, 1));
  g_application_release (data->application);
}

static void
start_call (PwSearchProvider      *self,
            GDBusMethodInvocation *invocation,
            const char * const    *terms,
            const char * const    *ids,
            PwStoreReadFunc        read_func,
            GDestroyNotify         result_free,
            GAsyncReadyCallback    callback)
{
  PwEngine *engine = pw_application_get_engine (PW_APPLICATION (self->application));
  CallData *data;

  /* No database (the window says why): nothing to find */
  if (engine == NULL)
    {
      g_dbus_method_invocation_return_value (invocation,
                                             ids != NULL ? g_variant_new_parsed ("(@aa{sv} [],)")
                                                         : g_variant_new_parsed ("(@as [],)"));
      return;
    }

  data = g_new0 (CallData, 1);
  data->application = self->application;
  g_application_hold (data->application);
  data->invocation = g_object_ref (invocation);
  data->terms = g_strdupv ((char **) terms);
  data->query = join_terms (terms);
  data->ids = g_strdupv ((char **) ids);

  pw_store_read_async (pw_store_get_path (pw_engine_get_store (engine)), read_func,
                       data, (GDestroyNotify) call_data_free, result_free,
                       self, self->cancellable, callback, NULL);
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  PwSearchProvider *self = user_data;
  PwApplication *app = PW_APPLICATION (self->application);
  g_autofree const char **terms = NULL;
  g_autofree const char **ids = NULL;
  const char *id;
  guint32 timestamp;

  if (g_str_equal (method_name, "GetInitialResultSet"))
    {
      g_variant_get (parameters, "(^a&s)", &terms);
      g_strfreev (self->last_terms);
      self->last_terms = g_strdupv ((char **) terms);
      start_call (self, invocation, terms, NULL, search_read, (GDestroyNotify) g_ptr_array_unref, search_done);
    }
  else if (g_str_equal (method_name, "GetSubsearchResultSet"))
    {
      /* Narrowing is a new search: prefix terms only ever get narrower */
      g_variant_get (parameters, "(^a&s^a&s)", &ids, &terms);
      g_strfreev (self->last_terms);
      self->last_terms = g_strdupv ((char **) terms);
      start_call (self, invocation, terms, NULL, search_read, (GDestroyNotify) g_ptr_array_unref, search_done);
    }
  else if (g_str_equal (method_name, "GetResultMetas"))
    {
      g_variant_get (parameters, "(^a&s)", &ids);
      start_call (self, invocation, (const char * const *) self->last_terms, ids, metas_read, (GDestroyNotify) g_variant_unref, metas_done);
    }
  else if (g_str_equal (method_name, "ActivateResult"))
    {
      g_variant_get (parameters, "(&s^a&su)", &id, &terms, &timestamp);
      pw_application_show_session (app, id, timestamp);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else if (g_str_equal (method_name, "LaunchSearch"))
    {
      g_autofree char *text = NULL;

      g_variant_get (parameters, "(^a&su)", &terms, &timestamp);
      text = join_terms (terms);
      pw_application_show_search (app, text, timestamp);
      g_dbus_method_invocation_return_value (invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                           "No method %s", method_name);
}

static const GDBusInterfaceVTable vtable = {
  .method_call = method_call,
};

PwSearchProvider *
pw_search_provider_new (GApplication *application)
{
  PwSearchProvider *self;

  g_return_val_if_fail (PW_IS_APPLICATION (application), NULL);

  self = g_object_new (PW_TYPE_SEARCH_PROVIDER, NULL);
  self->application = application;
  return self;
}

gboolean
pw_search_provider_export (PwSearchProvider *self,
                           GDBusConnection  *connection,
                           const char       *object_path,
                           GError          **error)
{
  g_return_val_if_fail (PW_IS_SEARCH_PROVIDER (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (self->registration_id == 0, FALSE);

  self->registration_id = g_dbus_connection_register_object (connection, object_path,
                                                             self->node_info->interfaces[0],
                                                             &vtable, self, NULL, error);
  if (self->registration_id == 0)
    return FALSE;
  g_set_object (&self->connection, connection);
  /* Calls of an earlier export were cancelled with the old one */
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  return TRUE;
}

void
pw_search_provider_unexport (PwSearchProvider *self)
{
  g_return_if_fail (PW_IS_SEARCH_PROVIDER (self));

  g_cancellable_cancel (self->cancellable);
  if (self->registration_id != 0)
    g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;
  g_clear_object (&self->connection);
}

static void
pw_search_provider_dispose (GObject *object)
{
  PwSearchProvider *self = PW_SEARCH_PROVIDER (object);

  pw_search_provider_unexport (self);

  G_OBJECT_CLASS (pw_search_provider_parent_class)->dispose (object);
}

static void
pw_search_provider_finalize (GObject *object)
{
  PwSearchProvider *self = PW_SEARCH_PROVIDER (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->node_info, g_dbus_node_info_unref);
  g_clear_pointer (&self->last_terms, g_strfreev);

  G_OBJECT_CLASS (pw_search_provider_parent_class)->finalize (object);
}

static void
pw_search_provider_class_init (PwSearchProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_search_provider_dispose;
  object_class->finalize = pw_search_provider_finalize;
}

static void
pw_search_provider_init (PwSearchProvider *self)
{
  g_autoptr(GError) error = NULL;

  self->cancellable = g_cancellable_new ();
  /* The XML is ours and fixed: a parse failure is a programming error */
  self->node_info = g_dbus_node_info_new_for_xml (introspection_xml, &error);
  if (self->node_info == NULL)
    g_error ("The search provider's interface does not parse: %s", error->message);
}
