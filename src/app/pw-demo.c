/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The offline demo: a scripted local LLM server and sessions labelled as a demo. */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pw-demo.h"

#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif

#define DEMO_SCRIPT_RESOURCE "/io/github/planwright/Planwright/app/demo/demo-script.json"
#define DEMO_FEATURE N_("Export invoices as PDF")

/* One server per run of the app: every demo session talks to it */
static GSubprocess *demo_server;
static char        *demo_url;
static char        *demo_script_path;

void
pw_demo_stop (void)
{
  if (demo_server)
    g_subprocess_send_signal (demo_server, SIGTERM);
  g_clear_object (&demo_server);
  g_clear_pointer (&demo_url, g_free);
  if (demo_script_path)
    g_unlink (demo_script_path);
  g_clear_pointer (&demo_script_path, g_free);
}

/* $PLANWRIGHT_FAKE_LLM, the installed helper, or the build tree's */
static char *
find_fake_llm (void)
{
  const char *env = g_getenv ("PLANWRIGHT_FAKE_LLM");
  g_autofree char *installed = g_build_filename (LIBEXECDIR, "planwright-fake-llm", NULL);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  if (env && *env)
    return g_strdup (env);
  if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&installed);
  if (self)
    {
      /* build/src/app/planwright → build/src/fake/planwright-fake-llm */
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *built = g_build_filename (dir, "..", "fake", "planwright-fake-llm", NULL);

      if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&built);
    }
  return NULL;
}

static char *
write_script (GError **error)
{
  g_autoptr(GBytes) bytes = g_resources_lookup_data (DEMO_SCRIPT_RESOURCE, 0, error);
  g_autofree char *path = NULL;
  int fd;

  if (bytes == NULL)
    return NULL;
  fd = g_file_open_tmp ("planwright-demo-XXXXXX.json", &path, error);
  if (fd < 0)
    return NULL;
  close (fd);
  if (!g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error))
    {
      g_unlink (path);
      return NULL;
    }
  return g_steal_pointer (&path);
}

/* The demo's engine hangs off the app's engine under this key */
#define DEMO_ENGINE_KEY "pw-demo-engine"
/* Where a demo session's calls go when no demo server runs in this run
 * of the app (the discard port: refused at once). A demo conversation
 * must never reach the user's real, paid providers. */
#define DEMO_NO_SERVER_URL "http://127.0.0.1:9"

/* A second engine over the same store, settings and models whose
 * providers are the demo server's. Only demo sessions run on it, so the
 * app's engine — every other session — keeps the user's providers. */
static PwEngine *
demo_engine_new (PwEngine   *engine,
                 const char *url)
{
  PwModels *models = pw_engine_get_models (engine);
  PwEngine *demo = pw_engine_new (pw_engine_get_store (engine), pw_engine_get_settings (engine), models);
  g_autoptr(PwProvider) planner = pw_provider_new (PW_PROVIDER_ANTHROPIC, url, "demo", models);
  g_autoptr(PwProvider) synthesis = pw_provider_new (PW_PROVIDER_ANTHROPIC, url, "demo", models);
  g_autoptr(PwProvider) reviewer = pw_provider_new (PW_PROVIDER_OPENAI_RESPONSES, url, "demo", models);

  pw_engine_set_provider (demo, PW_ROLE_PLANNER, planner);
  pw_engine_set_provider (demo, PW_ROLE_SYNTHESIS, synthesis);
  pw_engine_set_provider (demo, PW_ROLE_REVIEWER, reviewer);
  return demo;
}

static void
point_engine_at_server (PwEngine *engine)
{
  g_object_set_data_full (G_OBJECT (engine), DEMO_ENGINE_KEY,
                          demo_engine_new (engine, demo_url), g_object_unref);
}

PwEngine *
pw_demo_engine_for_session (PwEngine   *engine,
                            const char *session_id)
{
  PwEngine *demo;

  if (engine == NULL || session_id == NULL
      || !pw_demo_is_demo_session (pw_engine_get_store (engine), session_id))
    return engine;
  if ((demo = g_object_get_data (G_OBJECT (engine), DEMO_ENGINE_KEY)) == NULL)
    {
      demo = demo_engine_new (engine, demo_url ? demo_url : DEMO_NO_SERVER_URL);
      g_object_set_data_full (G_OBJECT (engine), DEMO_ENGINE_KEY, demo, g_object_unref);
    }
  return demo;
}

static char *
demo_config_json (PwSettings *settings,
                  const char *project)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonParser) hashes = json_parser_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *hashes_json = pw_prompt_hashes_json ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "project");
  json_builder_add_string_value (b, project);
  json_builder_set_member_name (b, "model_default");
  json_builder_add_string_value (b, pw_settings_get_model (settings, PW_ROLE_PLANNER));
  json_builder_set_member_name (b, "planner_provider");
  json_builder_add_string_value (b, pw_provider_kind_to_string (PW_PROVIDER_ANTHROPIC));
  json_builder_set_member_name (b, "repo_root");
  json_builder_add_null_value (b);
  if (json_parser_load_from_data (hashes, hashes_json, -1, NULL))
    {
      json_builder_set_member_name (b, "prompt_hashes");
      json_builder_add_value (b, json_node_copy (json_parser_get_root (hashes)));
    }
  json_builder_set_member_name (b, "demo");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static char *
create_demo_session (PwEngine  *engine,
                     GError   **error)
{
  PwStore *store = pw_engine_get_store (engine);
  g_autofree char *project = g_strconcat (PW_DEMO_PROJECT_PREFIX, _(DEMO_FEATURE), NULL);
  g_autofree char *config = demo_config_json (pw_engine_get_settings (engine), project);
  g_autofree char *id = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d%H%M%S");
  g_autofree char *key = g_strdup_printf ("note-%s%06d-1", stamp, g_date_time_get_microsecond (now));
  const char *note =
    _("Invoices live in the invoices and invoice_lines tables. Customers have asked "
      "for a PDF they can send to their accountant; today they copy the HTML page. "
      "The team prefers a server-side renderer and no new paid services.");

  /* One transaction: a half-made demo would not be labelled as one */
  if (!pw_store_begin (store, error))
    return NULL;
  if (!pw_store_create_session (store, project, NULL, config, &id, error)
      || pw_store_add_context (store, id, "note", key, note, NULL, NULL, error) == 0
      || !pw_store_set_phase (store, id, pw_lifecycle_next_phase (PW_PHASE_SETUP, PW_COMMAND_ADD_CONTEXT),
                              PW_STATUS_ACTIVE, error))
    {
      pw_store_rollback (store);
      return NULL;
    }
  if (!pw_store_commit (store, error))
    return NULL;
  return g_steal_pointer (&id);
}

typedef struct {
  PwApplication    *app;
  GDataInputStream *stdout_stream;
  gboolean          server_only;   /* pw_demo_ensure_server_async: no session */
} StartData;

/* Tasks that wait for the server a first task is starting */
static GList *server_waiters;

static void
start_data_free (StartData *data)
{
  g_clear_object (&data->app);
  g_clear_object (&data->stdout_stream);
  g_free (data);
}

static void
finish_start (GTask *task)
{
  StartData *data = g_task_get_task_data (task);
  PwEngine *engine = pw_application_get_engine (data->app);
  GError *error = NULL;
  char *id;

  if (data->server_only)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if ((id = create_demo_session (engine, &error)))
    g_task_return_pointer (task, id, g_free);
  else
    g_task_return_error (task, error);
}

/* The server runs (or failed to start, @error): every task that waited */
static void
server_started (GTask        *task,
                const GError *error)
{
  GList *waiters = g_steal_pointer (&server_waiters);

  if (error == NULL)
    {
      StartData *data = g_task_get_task_data (task);

      point_engine_at_server (pw_application_get_engine (data->app));
    }
  for (GList *l = waiters; l != NULL; l = l->next)
    {
      g_autoptr(GTask) waiter = l->data;

      if (error != NULL)
        g_task_return_error (waiter, g_error_copy (error));
      else
        finish_start (waiter);
    }
  g_list_free (waiters);
}

static void
read_url_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                    result, NULL, &error);

  if (line == NULL || !g_str_has_prefix (line, "http://127.0.0.1:"))
    {
      g_autoptr(GError) failure = NULL;

      pw_demo_stop ();
      if (error && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        failure = g_steal_pointer (&error);
      else
        failure = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("The demo server did not start: %s"),
                               error ? error->message : _("it printed no address"));
      server_started (task, failure);
      g_task_return_error (task, g_steal_pointer (&failure));
      return;
    }
  demo_url = g_strdup (g_strstrip (line));
  /* The server has read its script by the time it prints its address */
  g_unlink (demo_script_path);
  server_started (task, NULL);
  finish_start (task);
}

/* The server must not outlive the app, even when the app is killed */
static void
child_setup (gpointer data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static void
start (PwApplication       *app,
       gboolean             server_only,
       gpointer             source_tag,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (app, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *program = NULL;
  StartData *data;

  g_task_set_source_tag (task, source_tag);
  data = g_new0 (StartData, 1);
  data->app = g_object_ref (app);
  data->server_only = server_only;
  g_task_set_task_data (task, data, (GDestroyNotify) start_data_free);

  if (pw_application_get_engine (app) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _("The database is not open"));
      return;
    }
  if (demo_url)
    {
      finish_start (task);
      return;
    }
  /* Being started (by another session's view, or the demo button) */
  if (demo_server != NULL)
    {
      server_waiters = g_list_append (server_waiters, g_steal_pointer (&task));
      return;
    }
  if (!(program = find_fake_llm ()))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("The demo server planwright-fake-llm is not installed"));
      return;
    }
  if (!(demo_script_path = write_script (&error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* --echo: once the script runs out, the demo still answers */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  demo_server = g_subprocess_launcher_spawn (launcher, &error, program, "--quiet", "--echo",
                                             "--script", demo_script_path, NULL);
  if (demo_server == NULL)
    {
      pw_demo_stop ();
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (demo_server));
  g_data_input_stream_read_line_async (data->stdout_stream, G_PRIORITY_DEFAULT, cancellable,
                                       read_url_cb, g_steal_pointer (&task));
}

void
pw_demo_start_async (PwApplication       *app,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  start (app, FALSE, pw_demo_start_async, cancellable, callback, user_data);
}

void
pw_demo_ensure_server_async (PwApplication       *app,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  start (app, TRUE, pw_demo_ensure_server_async, cancellable, callback, user_data);
}

gboolean
pw_demo_ensure_server_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
pw_demo_server_running (void)
{
  return demo_url != NULL;
}

char *
pw_demo_start_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
pw_demo_is_demo_session (PwStore    *store,
                         const char *session_id)
{
  g_autofree char *config = pw_store_get_config (store, session_id, NULL, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (config == NULL || !json_parser_load_from_data (parser, config, -1, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  return JSON_NODE_HOLDS_OBJECT (root)
         && json_object_get_boolean_member_with_default (json_node_get_object (root), "demo", FALSE);
}

gboolean
pw_demo_remove_sessions (PwStore  *store,
                         guint    *out_count,
                         GError  **error)
{
  g_autoptr(GPtrArray) sessions = pw_store_list_sessions (store, NULL, NULL, error);
  guint count = 0;

  if (sessions == NULL || !pw_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < sessions->len; i++)
    {
      PwSessionInfo *info = g_ptr_array_index (sessions, i);

      if (!pw_demo_is_demo_session (store, info->id))
        continue;
      if (!pw_store_delete_session (store, info->id, error))
        {
          pw_store_rollback (store);
          return FALSE;
        }
      count++;
    }
  if (!pw_store_commit (store, error))
    return FALSE;
  if (out_count)
    *out_count = count;
  return TRUE;
}

static void
show_message (PwApplication *app,
              const char    *heading,
              const char    *body)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (app));
  GtkWidget *dialog = adw_message_dialog_new (parent, heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
demo_started_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PwApplication *app = PW_APPLICATION (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = pw_demo_start_finish (result, &error);

  if (id == NULL)
    {
      show_message (app, _("The Demo Could Not Start"), error->message);
      return;
    }
  /* The list of sessions changed; the window selects the newest */
  pw_application_session_changed (app, NULL);
  pw_application_session_changed (app, id);
}

static void
demo_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  pw_demo_start_async (PW_APPLICATION (user_data), NULL, demo_started_cb, NULL);
}

static void
remove_confirmed_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     PwApplication    *app)
{
  PwEngine *engine = pw_application_get_engine (app);
  g_autoptr(GError) error = NULL;
  guint count = 0;

  if (engine == NULL || g_strcmp0 (response, "remove") != 0)
    return;
  if (!pw_demo_remove_sessions (pw_engine_get_store (engine), &count, &error))
    {
      show_message (app, _("Demo Sessions Not Removed"), error->message);
      return;
    }
  if (count > 0)
    pw_application_session_changed (app, NULL);
}

static guint
count_demo_sessions (PwStore *store)
{
  g_autoptr(GPtrArray) sessions = pw_store_list_sessions (store, NULL, NULL, NULL);
  guint count = 0;

  for (guint i = 0; sessions && i < sessions->len; i++)
    count += pw_demo_is_demo_session (store, ((PwSessionInfo *) g_ptr_array_index (sessions, i))->id);
  return count;
}

static void
remove_demo_sessions_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  PwApplication *app = PW_APPLICATION (user_data);
  PwEngine *engine = pw_application_get_engine (app);
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  guint count;

  if (engine == NULL)
    return;
  count = count_demo_sessions (pw_engine_get_store (engine));
  if (count == 0)
    {
      show_message (app, _("No Demo Sessions"), _("There are no demo sessions to remove."));
      return;
    }
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%u demo session and everything in it will be deleted.",
                                       "%u demo sessions and everything in them will be deleted.",
                                       count),
                          count);
  dialog = adw_message_dialog_new (parent, _("Remove Demo Sessions?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_confirmed_cb), app, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
shutdown_cb (GApplication *app)
{
  pw_demo_stop ();
}

void
pw_demo_install_actions (PwApplication *app)
{
  static const GActionEntry entries[] = {
    { "demo", demo_action },
    { "remove-demo-sessions", remove_demo_sessions_action },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  g_signal_connect (app, "shutdown", G_CALLBACK (shutdown_cb), NULL);
}
