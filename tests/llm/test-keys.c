/* SPDX-License-Identifier: GPL-3.0-or-later */
/* API keys against a real secret service: a private D-Bus session with gnome-keyring, started by the test itself. */

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "pw-keys.h"

/* Set in the environment of the copy of this program that runs inside
 * the private session; holds the temporary home. */
#define PRIVATE_ENV "PW_TEST_KEYS_PRIVATE_HOME"

/* Written independently of pw-keys.c: the schema is a contract with
 * secret-tool, Seahorse and older versions of Planwright. */
static const SecretSchema test_schema = {
  "io.github.planwright.Planwright.ApiKey", SECRET_SCHEMA_NONE,
  {
    { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

/* LeakSanitizer asks the program for built-in suppressions. libsecret
 * 0.20.5 leaks one D-Bus message each time a lookup finds its item
 * (secret_password_lookup_sync alone shows it), allocated on GDBus's
 * worker thread with no libsecret frame to name. */
const char *__lsan_default_suppressions (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:g_dbus_message_new_from_blob\n";
}

/* ---- Running inside a private session ------------------------------ */

static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static int
bail_out (const char *reason)
{
  /* TAP: the run fails with the reason; a skip would hide a broken setup. */
  g_print ("Bail out! %s\n", reason);
  return 1;
}

/* Never touches the desktop's keyring: the test always runs in a session
 * bus of its own, with a fresh gnome-keyring unlocked by a known
 * password and a temporary home, all gone when the test ends. */
static int
run_in_private_session (int   argc,
                        char *argv[])
{
  g_autofree char *dbus_run_session = g_find_program_in_path ("dbus-run-session");
  g_autofree char *keyring_daemon = g_find_program_in_path ("gnome-keyring-daemon");
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *home = NULL;
  g_autofree char *runtime = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  int status = 0;
  int rc;
  static const char script[] =
    "out=$(printf test | \"$PW_KEYRING_DAEMON\" --unlock --components=secrets) || "
    "{ echo \"Bail out! gnome-keyring-daemon --unlock --components=secrets failed\"; exit 1; }; "
    "eval \"$out\"; exec \"$@\"";
  static const char *cleared[] = {
    "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", "SSH_AUTH_SOCK",
    "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "SECRET_BACKEND",
  };

  if (dbus_run_session == NULL)
    return bail_out ("dbus-run-session not found (package dbus-daemon / dbus): the keyring test needs a private session bus");
  if (keyring_daemon == NULL)
    return bail_out ("gnome-keyring-daemon not found (package gnome-keyring): the keyring test needs a real secret service");
  if (self == NULL)
    self = g_canonicalize_filename (argv[0], NULL);

  home = g_dir_make_tmp ("pw-test-keys-XXXXXX", &error);
  if (home == NULL)
    return bail_out (error->message);
  runtime = g_build_filename (home, "runtime", NULL);
  g_mkdir_with_parents (runtime, 0700);

  for (guint i = 0; i < G_N_ELEMENTS (cleared); i++)
    env = g_environ_unsetenv (env, cleared[i]);
  env = g_environ_setenv (env, PRIVATE_ENV, home, TRUE);
  env = g_environ_setenv (env, "PW_KEYRING_DAEMON", keyring_daemon, TRUE);
  env = g_environ_setenv (env, "HOME", home, TRUE);
  /* gnome-keyring keeps its files under XDG_DATA_HOME and its control
   * socket under XDG_RUNTIME_DIR: both must be ours. */
  env = g_environ_setenv (env, "XDG_RUNTIME_DIR", runtime, TRUE);
  {
    g_autofree char *data = g_build_filename (home, ".local", "share", NULL);
    g_autofree char *config = g_build_filename (home, ".config", NULL);
    g_autofree char *cache = g_build_filename (home, ".cache", NULL);

    env = g_environ_setenv (env, "XDG_DATA_HOME", data, TRUE);
    env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);
    env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  }

  g_ptr_array_add (args, dbus_run_session);
  g_ptr_array_add (args, (char *) "--");
  g_ptr_array_add (args, (char *) "/bin/sh");
  g_ptr_array_add (args, (char *) "-c");
  g_ptr_array_add (args, (char *) script);
  g_ptr_array_add (args, (char *) "sh");
  g_ptr_array_add (args, self);
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);

  /* stdout and stderr are inherited: the TAP stream is the inner run's. */
  if (!g_spawn_sync (home, (char **) args->pdata, env, G_SPAWN_CHILD_INHERITS_STDIN,
                     NULL, NULL, NULL, NULL, &status, &error))
    {
      remove_tree (home);
      return bail_out (error->message);
    }
  remove_tree (home);

  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  rc = WIFSIGNALED (status) ? WTERMSIG (status) : 0;
  g_print ("Bail out! the test inside the private session died (signal %d)\n", rc);
  return 1;
}

/* ---- Helpers ------------------------------------------------------- */

/* No key may appear in any log line, debug messages included. */
static const char *key_markers[] = { "sk-test-", NULL };

static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0 && fields[i].value != NULL)
      for (guint k = 0; key_markers[k] != NULL; k++)
        if (strstr (fields[i].value, key_markers[k]) != NULL)
          {
            g_printerr ("a log message carries an API key\n");
            abort ();
          }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static void
store_ok (PwProviderKind  kind,
          const char     *key)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pw_keys_store (kind, key, NULL, &error));
  g_assert_no_error (error);
}

static char *
lookup_ok (PwProviderKind kind)
{
  g_autoptr(GError) error = NULL;
  char *key = pw_keys_lookup (kind, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (key);
  return key;
}

static void
assert_not_found (PwProviderKind kind)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = pw_keys_lookup (kind, NULL, &error);

  g_assert_null (key);
  g_assert_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_NOT_FOUND);
  g_test_message ("not found: %s", error->message);
  g_assert_nonnull (strstr (error->message, pw_keys_env_var (kind)));
  g_assert_nonnull (strstr (error->message, "Preferences"));
}

typedef struct {
  GMainLoop *loop;
  char      *key;
  GError    *error;
} AsyncResult;

static void
lookup_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->key = pw_keys_lookup_finish (result, &r->error);
  g_main_loop_quit (r->loop);
}

static char *
lookup_async (PwProviderKind   kind,
              GCancellable    *cancellable,
              GError         **error)
{
  AsyncResult r = { g_main_loop_new (NULL, FALSE), NULL, NULL };

  pw_keys_lookup_async (kind, cancellable, lookup_done, &r);
  g_main_loop_run (r.loop);
  g_main_loop_unref (r.loop);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.key;
}

/* Items of our schema for @provider, asked of the Secret Service over
 * D-Bus directly: what any other client (secret-tool, Seahorse) sees. */
static guint
count_items (const char *provider,
             char      **out_label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **unlocked = NULL;
  g_autofree const char **locked = NULL;
  GVariantBuilder attributes;
  guint n;

  g_assert_no_error (error);
  g_variant_builder_init (&attributes, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&attributes, "{ss}", "xdg:schema", test_schema.name);
  g_variant_builder_add (&attributes, "{ss}", "provider", provider);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "SearchItems",
                                       g_variant_new ("(a{ss})", &attributes),
                                       G_VARIANT_TYPE ("(aoao)"), G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(^a&o^a&o)", &unlocked, &locked);
  n = g_strv_length ((char **) unlocked) + g_strv_length ((char **) locked);

  if (out_label != NULL && n > 0)
    {
      g_autoptr(GVariant) prop = NULL;
      g_autoptr(GVariant) value = NULL;

      prop = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets",
                                          unlocked[0] != NULL ? unlocked[0] : locked[0],
                                          "org.freedesktop.DBus.Properties", "Get",
                                          g_variant_new ("(ss)", "org.freedesktop.Secret.Item", "Label"),
                                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE,
                                          -1, NULL, &error);
      g_assert_no_error (error);
      g_variant_get (prop, "(v)", &value);
      *out_label = g_variant_dup_string (value, NULL);
    }
  return n;
}

static void
clear_all (void)
{
  for (PwProviderKind k = 0; k < PW_N_PROVIDERS; k++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (pw_keys_delete (k, NULL, &error));
      g_assert_no_error (error);
    }
}

/* ---- Tests in the private session ---------------------------------- */

static void
test_service (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");

  if (address == NULL || *address == '\0')
    g_error ("no private session bus: dbus-run-session did not set DBUS_SESSION_BUS_ADDRESS");
  /* A private proxy, not the shared one pw-keys.c uses: a shared service
   * with loaded collections tracks every item, and libsecret 0.20.5 then
   * returns a GTask twice when items are deleted (a critical). */
  service = secret_service_open_sync (SECRET_TYPE_SERVICE, NULL, SECRET_SERVICE_LOAD_COLLECTIONS,
                                      NULL, &error);
  if (service == NULL)
    g_error ("the private secret service did not start (gnome-keyring-daemon): %s", error->message);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  if (collection == NULL)
    g_error ("gnome-keyring has no default collection: %s",
             error ? error->message : "the alias is not set");
  if (secret_collection_get_locked (collection))
    g_error ("gnome-keyring's default collection is still locked after --unlock");
}

static void
test_env_var (void)
{
  g_assert_cmpstr (pw_keys_env_var (PW_PROVIDER_ANTHROPIC), ==, "ANTHROPIC_API_KEY");
  g_assert_cmpstr (pw_keys_env_var (PW_PROVIDER_OPENAI_RESPONSES), ==, "OPENAI_API_KEY");
  g_assert_cmpstr (pw_keys_env_var (PW_PROVIDER_OPENAI_CHAT), ==, "OPENAI_API_KEY");
}

static void
test_store_lookup (void)
{
  g_autofree char *anthropic = NULL;
  g_autofree char *openai = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *label = NULL;
  g_autofree char *direct = NULL;
  g_autoptr(GError) error = NULL;

  clear_all ();
  assert_not_found (PW_PROVIDER_ANTHROPIC);

  store_ok (PW_PROVIDER_ANTHROPIC, "sk-test-ant-1");
  store_ok (PW_PROVIDER_OPENAI_RESPONSES, "sk-test-oai-2");

  anthropic = lookup_ok (PW_PROVIDER_ANTHROPIC);
  g_assert_cmpstr (anthropic, ==, "sk-test-ant-1");
  openai = lookup_ok (PW_PROVIDER_OPENAI_RESPONSES);
  g_assert_cmpstr (openai, ==, "sk-test-oai-2");
  /* One item per kind: the Chat kind has its own. */
  assert_not_found (PW_PROVIDER_OPENAI_CHAT);

  /* Storing again replaces the item; a pasted newline is not kept. */
  store_ok (PW_PROVIDER_ANTHROPIC, "  sk-test-ant-3\n");
  replaced = lookup_ok (PW_PROVIDER_ANTHROPIC);
  g_assert_cmpstr (replaced, ==, "sk-test-ant-3");
  g_assert_cmpuint (count_items ("anthropic", &label), ==, 1);
  g_assert_nonnull (strstr (label, "Planwright"));
  g_assert_null (strstr (label, "sk-test"));

  /* What secret-tool would find: schema name and attribute are the contract. */
  direct = secret_password_lookup_sync (&test_schema, NULL, &error, "provider", "anthropic", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (direct, ==, "sk-test-ant-3");

  /* An empty key is refused, not stored. */
  g_assert_false (pw_keys_store (PW_PROVIDER_OPENAI_CHAT, " \n", NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (count_items ("openai-chat", NULL), ==, 0);
}

static void
test_lookup_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autofree char *key = NULL;
  g_autofree char *none = NULL;
  g_autofree char *sync_cancelled = NULL;
  g_autofree char *async_cancelled = NULL;

  clear_all ();
  store_ok (PW_PROVIDER_OPENAI_CHAT, "sk-test-chat-4");
  key = lookup_async (PW_PROVIDER_OPENAI_CHAT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, "sk-test-chat-4");

  none = lookup_async (PW_PROVIDER_ANTHROPIC, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Cancellation stays G_IO_ERROR_CANCELLED, never one of ours. */
  g_cancellable_cancel (cancelled);
  async_cancelled = lookup_async (PW_PROVIDER_OPENAI_CHAT, cancelled, &error);
  g_assert_null (async_cancelled);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  sync_cancelled = pw_keys_lookup (PW_PROVIDER_OPENAI_CHAT, cancelled, &error);
  g_assert_null (sync_cancelled);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_env_wins (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *from_env = NULL;
  g_autofree char *from_env_async = NULL;
  g_autofree char *from_keyring = NULL;

  clear_all ();
  store_ok (PW_PROVIDER_ANTHROPIC, "sk-test-keyring-5");

  g_setenv ("ANTHROPIC_API_KEY", "sk-test-env-6", TRUE);
  from_env = lookup_ok (PW_PROVIDER_ANTHROPIC);
  g_assert_cmpstr (from_env, ==, "sk-test-env-6");
  from_env_async = lookup_async (PW_PROVIDER_ANTHROPIC, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (from_env_async, ==, "sk-test-env-6");
  /* Not for the other provider */
  assert_not_found (PW_PROVIDER_OPENAI_RESPONSES);

  /* Set but empty counts as unset. */
  g_setenv ("ANTHROPIC_API_KEY", "", TRUE);
  from_keyring = lookup_ok (PW_PROVIDER_ANTHROPIC);
  g_assert_cmpstr (from_keyring, ==, "sk-test-keyring-5");
  g_unsetenv ("ANTHROPIC_API_KEY");
}

/* A "session bus" that counts who connects and hangs up on them: with
 * the variable set, nobody may connect at all. */
static gint bus_connections;

static gpointer
count_connections (gpointer data)
{
  GSocket *listener = data;

  for (;;)
    {
      g_autoptr(GSocket) client = g_socket_accept (listener, NULL, NULL);

      if (client == NULL)
        break;
      g_atomic_int_inc (&bus_connections);
      g_socket_close (client, NULL);
    }
  return NULL;
}

static void
test_keyring_untouched (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *path = g_build_filename (g_get_user_runtime_dir (), "counting-bus", NULL);
      g_autofree char *address = g_strdup_printf ("unix:path=%s", path);
      g_autoptr(GSocketAddress) sockaddr = g_unix_socket_address_new (path);
      g_autoptr(GSocket) listener = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *key = NULL;
      g_autofree char *key_async = NULL;
      g_autofree char *missing = NULL;

      g_mkdir_with_parents (g_get_user_runtime_dir (), 0700);
      listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
      g_assert_no_error (error);
      g_socket_bind (listener, sockaddr, TRUE, &error);
      g_assert_no_error (error);
      g_socket_listen (listener, &error);
      g_assert_no_error (error);
      /* The thread keeps its own reference: the process ends with it blocked. */
      g_thread_unref (g_thread_new ("counting-bus", count_connections, g_object_ref (listener)));
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);

      g_setenv ("ANTHROPIC_API_KEY", "sk-test-env-7", TRUE);
      key = pw_keys_lookup (PW_PROVIDER_ANTHROPIC, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (key, ==, "sk-test-env-7");
      key_async = lookup_async (PW_PROVIDER_ANTHROPIC, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (key_async, ==, "sk-test-env-7");
      g_assert_cmpint (g_atomic_int_get (&bus_connections), ==, 0);

      /* The probe works: without the variable the keyring is tried, and
       * a bus that hangs up means the keyring is unavailable. */
      g_unsetenv ("ANTHROPIC_API_KEY");
      missing = pw_keys_lookup (PW_PROVIDER_ANTHROPIC, NULL, &error);
      g_assert_null (missing);
      g_assert_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_UNAVAILABLE);
      g_assert_nonnull (strstr (error->message, "ANTHROPIC_API_KEY"));
      g_assert_cmpint (g_atomic_int_get (&bus_connections), >=, 1);
      return;
    }

  /* stderr inherited: a failure inside says why; keys in log lines
   * abort through log_writer. */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout_unmatched ("*sk-test-env-7*");
}

/* A session bus without any secret service (no activatable services
 * either): every operation is UNAVAILABLE with a message saying what to do. */
static void
test_no_service (void)
{
  if (g_test_subprocess ())
    {
      g_autofree char *conf = g_build_filename (g_get_user_runtime_dir (), "bare-bus.conf", NULL);
      g_autofree char *conf_text = g_strdup_printf (
        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\""
        " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
        "<busconfig><type>session</type><listen>unix:dir=%s</listen><auth>EXTERNAL</auth>"
        "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
        "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n",
        g_get_user_runtime_dir ());
      g_autoptr(GSubprocess) daemon = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *address = NULL;
      g_autofree char *key = NULL;
      g_autofree char *key_async = NULL;

      g_mkdir_with_parents (g_get_user_runtime_dir (), 0700);
      g_file_set_contents (conf, conf_text, -1, &error);
      g_assert_no_error (error);
      daemon = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                 "dbus-daemon", "--nofork", "--print-address",
                                 "--config-file", conf, NULL);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (daemon));
      address = g_data_input_stream_read_line (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (address);
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", g_strstrip (address), TRUE);

      key = pw_keys_lookup (PW_PROVIDER_ANTHROPIC, NULL, &error);
      g_assert_null (key);
      g_assert_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_UNAVAILABLE);
      g_test_message ("lookup: %s", error->message);
      g_assert_nonnull (strstr (error->message, "ANTHROPIC_API_KEY"));
      g_assert_nonnull (strstr (error->message, "keyring"));
      g_clear_error (&error);

      key_async = lookup_async (PW_PROVIDER_OPENAI_RESPONSES, NULL, &error);
      g_assert_null (key_async);
      g_assert_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_UNAVAILABLE);
      g_assert_nonnull (strstr (error->message, "OPENAI_API_KEY"));
      g_clear_error (&error);

      g_assert_false (pw_keys_store (PW_PROVIDER_ANTHROPIC, "sk-test-nowhere-8", NULL, &error));
      g_assert_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_UNAVAILABLE);
      g_assert_null (strstr (error->message, "sk-test"));
      g_test_message ("store: %s", error->message);
      g_clear_error (&error);

      g_assert_false (pw_keys_delete (PW_PROVIDER_ANTHROPIC, NULL, &error));
      g_assert_error (error, PW_KEYS_ERROR, PW_KEYS_ERROR_UNAVAILABLE);
      g_clear_error (&error);

      g_subprocess_force_exit (daemon);
      g_subprocess_wait (daemon, NULL, NULL);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout_unmatched ("*sk-test-nowhere*");
}

static void
test_delete (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;

  clear_all ();
  store_ok (PW_PROVIDER_OPENAI_RESPONSES, "sk-test-del-9");
  store_ok (PW_PROVIDER_ANTHROPIC, "sk-test-keep-10");
  before = lookup_ok (PW_PROVIDER_OPENAI_RESPONSES);
  g_assert_cmpstr (before, ==, "sk-test-del-9");

  g_assert_true (pw_keys_delete (PW_PROVIDER_OPENAI_RESPONSES, NULL, &error));
  g_assert_no_error (error);
  assert_not_found (PW_PROVIDER_OPENAI_RESPONSES);
  g_assert_cmpuint (count_items ("openai-responses", NULL), ==, 0);
  /* only that kind */
  g_assert_cmpuint (count_items ("anthropic", NULL), ==, 1);

  /* Nothing to delete is not an error. */
  g_assert_true (pw_keys_delete (PW_PROVIDER_OPENAI_RESPONSES, NULL, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv (PRIVATE_ENV) == NULL)
    return run_in_private_session (argc, argv);

  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The developer's own keys must not leak into the results. */
  g_unsetenv ("ANTHROPIC_API_KEY");
  g_unsetenv ("OPENAI_API_KEY");

  /* First: when the keyring is broken, this says why. */
  g_test_add_func ("/keys/service", test_service);
  g_test_add_func ("/keys/env-var", test_env_var);
  g_test_add_func ("/keys/store-lookup", test_store_lookup);
  g_test_add_func ("/keys/lookup-async", test_lookup_async);
  g_test_add_func ("/keys/env-wins", test_env_wins);
  g_test_add_func ("/keys/keyring-untouched", test_keyring_untouched);
  g_test_add_func ("/keys/no-service", test_no_service);
  g_test_add_func ("/keys/delete", test_delete);

  return g_test_run ();
}
