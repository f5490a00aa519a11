/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parsing planwright-cli's arguments into a command, positionals and options. */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pw-cli-args.h"

#define USAGE_ERROR (g_quark_from_static_string ("pw-cli-usage"))

static const PwOptSpec global_options[] = {
  { "db-path", PW_OPT_VALUE, "PATH", NULL, N_("database file (default $XDG_DATA_HOME/planwright/planwright.db)") },
  { "verbose", PW_OPT_FLAG, NULL, NULL, N_("progress, retries and per-call details on stderr") },
  { "debug", PW_OPT_FLAG, NULL, NULL, N_("debug logging on stderr") },
  { "json", PW_OPT_FLAG, NULL, NULL, N_("machine-readable output on stdout") },
  { "help", PW_OPT_FLAG, NULL, NULL, N_("show help and exit") },
  { "version", PW_OPT_FLAG, NULL, NULL, N_("show the version and exit") },
  { NULL }
};

void
pw_args_free (PwArgs *args)
{
  if (args == NULL)
    return;
  g_clear_pointer (&args->positional, g_ptr_array_unref);
  g_clear_pointer (&args->values, g_hash_table_unref);
  g_free (args->db_path);
  g_free (args);
}

static const PwOptSpec *
find_option (const PwOptSpec *options,
             const char      *name)
{
  for (guint i = 0; options && options[i].name; i++)
    if (strcmp (options[i].name, name) == 0)
      return &options[i];
  return NULL;
}

static const PwCommandSpec *
find_command (const PwCommandSpec *commands,
              const char          *name)
{
  for (guint i = 0; commands[i].name; i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static char *
help_hint (const PwCommandSpec *command)
{
  return command
    ? g_strdup_printf (_("see 'planwright-cli %s --help'"), command->name)
    : g_strdup (_("see 'planwright-cli --help'"));
}

static gboolean
check_choice (const PwOptSpec      *spec,
              const char           *value,
              const PwCommandSpec  *command,
              GError              **error)
{
  g_autofree char *list = NULL;
  g_autofree char *hint = NULL;

  if (spec->choices == NULL)
    {
      if (*value == '\0')
        {
          hint = help_hint (command);
          g_set_error (error, USAGE_ERROR, 0, _("--%s needs a non-empty value (%s)"), spec->name, hint);
          return FALSE;
        }
      return TRUE;
    }
  if (g_strv_contains (spec->choices, value))
    return TRUE;
  list = g_strjoinv ("|", (char **) spec->choices);
  g_set_error (error, USAGE_ERROR, 0, _("'%s' is not a valid value for --%s (use %s)"),
               value, spec->name, list);
  return FALSE;
}

static void
store_value (PwArgs          *args,
             const PwOptSpec *spec,
             const char      *value)
{
  GPtrArray *list = g_hash_table_lookup (args->values, spec->name);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (args->values, (gpointer) spec->name, list);
    }
  if (spec->kind != PW_OPT_LIST)
    g_ptr_array_set_size (list, 0);
  g_ptr_array_add (list, g_strdup (value));
}

static void
set_global (PwArgs          *args,
            const PwOptSpec *spec,
            const char      *value)
{
  if (strcmp (spec->name, "db-path") == 0)
    {
      g_free (args->db_path);
      args->db_path = g_strdup (value);
    }
  else if (strcmp (spec->name, "verbose") == 0)
    args->verbose = TRUE;
  else if (strcmp (spec->name, "debug") == 0)
    args->debug = TRUE;
  else if (strcmp (spec->name, "json") == 0)
    args->json = TRUE;
  else if (strcmp (spec->name, "help") == 0)
    args->help = TRUE;
  else if (strcmp (spec->name, "version") == 0)
    args->version = TRUE;
}

PwArgs *
pw_args_parse (int                   argc,
               char                **argv,
               const PwCommandSpec  *commands,
               GError              **error)
{
  g_autoptr(PwArgs) args = g_new0 (PwArgs, 1);
  gboolean options_done = FALSE;

  args->positional = g_ptr_array_new ();
  args->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) g_ptr_array_unref);

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      g_autofree char *name = NULL;
      const char *value = NULL;
      const char *eq;
      const PwOptSpec *spec;
      gboolean global = FALSE;

      if (!g_utf8_validate (arg, -1, NULL))
        {
          g_set_error (error, USAGE_ERROR, 0, _("argument %d is not valid UTF-8 (pass text in UTF-8)"), i);
          return NULL;
        }

      if (options_done || arg[0] != '-' || strcmp (arg, "-") == 0)
        {
          if (args->command == NULL)
            {
              args->command = find_command (commands, arg);
              if (args->command == NULL)
                {
                  g_set_error (error, USAGE_ERROR, 0, _("unknown command '%s' (see 'planwright-cli --help')"), arg);
                  return NULL;
                }
            }
          else
            g_ptr_array_add (args->positional, (gpointer) arg);
          continue;
        }

      if (strcmp (arg, "--") == 0)
        {
          options_done = TRUE;
          continue;
        }

      if (arg[1] != '-')
        {
          g_autofree char *hint = help_hint (args->command);
          if (strcmp (arg, "-h") == 0)
            {
              args->help = TRUE;
              continue;
            }
          g_set_error (error, USAGE_ERROR, 0, _("unknown option '%s' (%s)"), arg, hint);
          return NULL;
        }

      eq = strchr (arg, '=');
      name = eq ? g_strndup (arg + 2, eq - arg - 2) : g_strdup (arg + 2);
      if (eq)
        value = eq + 1;

      spec = args->command ? find_option (args->command->options, name) : NULL;
      if (spec == NULL && (spec = find_option (global_options, name)) != NULL)
        global = TRUE;
      if (spec == NULL)
        {
          g_autofree char *hint = help_hint (args->command);
          if (args->command != NULL)
            g_set_error (error, USAGE_ERROR, 0, _("unknown option '--%s' for '%s' (%s)"),
                         name, args->command->name, hint);
          else
            g_set_error (error, USAGE_ERROR, 0, _("unknown option '--%s' (%s)"), name, hint);
          return NULL;
        }

      if (spec->kind == PW_OPT_FLAG)
        {
          if (value != NULL)
            {
              g_set_error (error, USAGE_ERROR, 0, _("--%s takes no value (write just --%s)"), name, name);
              return NULL;
            }
          value = "1";
        }
      else if (value == NULL)
        {
          if (i + 1 >= argc)
            {
              g_autofree char *hint = help_hint (args->command);
              g_set_error (error, USAGE_ERROR, 0, _("--%s needs a value %s (%s)"),
                           name, spec->metavar ? spec->metavar : "", hint);
              return NULL;
            }
          value = argv[++i];
          if (!g_utf8_validate (value, -1, NULL))
            {
              g_set_error (error, USAGE_ERROR, 0, _("the value of --%s is not valid UTF-8 (pass text in UTF-8)"), name);
              return NULL;
            }
        }

      if (spec->kind != PW_OPT_FLAG && !check_choice (spec, value, args->command, error))
        return NULL;

      if (global)
        set_global (args, spec, value);
      else
        store_value (args, spec, value);
    }

  if (args->command != NULL && !args->help)
    {
      guint n = args->positional->len;
      g_autofree char *hint = help_hint (args->command);

      if (n < args->command->min_positional)
        {
          g_set_error (error, USAGE_ERROR, 0, _("'%s' needs %s (%s)"),
                       args->command->name, args->command->usage, hint);
          return NULL;
        }
      if (n > args->command->max_positional)
        {
          g_set_error (error, USAGE_ERROR, 0, _("unexpected argument '%s' for '%s' (%s)"),
                       (const char *) g_ptr_array_index (args->positional, args->command->max_positional),
                       args->command->name, hint);
          return NULL;
        }
    }

  return g_steal_pointer (&args);
}

gboolean
pw_args_has (PwArgs     *args,
             const char *name)
{
  return g_hash_table_contains (args->values, name);
}

const char *
pw_args_get (PwArgs     *args,
             const char *name)
{
  GPtrArray *list = g_hash_table_lookup (args->values, name);

  return list && list->len ? g_ptr_array_index (list, list->len - 1) : NULL;
}

GPtrArray *
pw_args_get_list (PwArgs     *args,
                  const char *name)
{
  return g_hash_table_lookup (args->values, name);
}

const char *
pw_args_positional (PwArgs *args,
                    guint   index)
{
  return index < args->positional->len ? g_ptr_array_index (args->positional, index) : NULL;
}

static void
append_options (GString         *out,
                const PwOptSpec *options)
{
  for (guint i = 0; options[i].name; i++)
    {
      g_autofree char *left = NULL;

      if (options[i].choices)
        {
          g_autofree char *list = g_strjoinv ("|", (char **) options[i].choices);
          left = g_strdup_printf ("--%s %s", options[i].name, list);
        }
      else if (options[i].metavar)
        left = g_strdup_printf ("--%s %s", options[i].name, options[i].metavar);
      else
        left = g_strdup_printf ("--%s", options[i].name);
      g_string_append_printf (out, "  %-28s %s\n", left, _(options[i].help));
    }
}

char *
pw_args_help_text (const PwCommandSpec *command)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, _("Usage: planwright-cli %s %s\n\n%s\n"),
                          command->name, command->usage, _(command->summary));
  if (command->options && command->options[0].name)
    {
      g_string_append_printf (out, "\n%s\n", _("Options:"));
      append_options (out, command->options);
    }
  g_string_append_printf (out, "\n%s\n", _("Global options:"));
  append_options (out, global_options);
  return g_string_free (out, FALSE);
}

char *
pw_args_main_help (const PwCommandSpec *commands)
{
  GString *out = g_string_new (NULL);

  g_string_append (out, _("Usage: planwright-cli [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
                          "Plan software work with a planner and a reviewer model.\n\n"
                          "Commands:\n"));
  for (guint i = 0; commands[i].name; i++)
    g_string_append_printf (out, "  %-13s %s\n", commands[i].name, _(commands[i].summary));
  g_string_append_printf (out, "\n%s\n", _("Global options (before or after the command):"));
  append_options (out, global_options);
  g_string_append (out, _("\nAn ID is the 8-character session id or a unique prefix of at least 4.\n"
                          "'planwright-cli COMMAND --help' shows a command's options.\n"));
  return g_string_free (out, FALSE);
}
