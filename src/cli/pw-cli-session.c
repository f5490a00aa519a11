/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The session commands: start, add-context, list, status, resume, export, complete, reopen. */

#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pw-cli.h"
#include "pw-prompts.h"
#include "pw-session-create.h"

/* The repository of the current folder, or NULL. */
static char *
detect_repo_root (void)
{
  const char *argv[] = { "git", "rev-parse", "--show-toplevel", NULL };
  g_autofree char *out = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL)
      || out == NULL)
    return NULL;
  g_strstrip (out);
  return *out ? g_steal_pointer (&out) : NULL;
}

static void
add_session_members (JsonBuilder   *b,
                     PwSessionInfo *info)
{
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, info->id);
  json_builder_set_member_name (b, "project");
  json_builder_add_string_value (b, info->project);
  json_builder_set_member_name (b, "phase");
  json_builder_add_string_value (b, pw_phase_to_string (info->phase));
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, pw_status_to_string (info->status));
}

int
pw_cli_cmd_start (PwCli  *cli,
                  PwArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwSettings) settings = NULL;
  g_autofree char *project = NULL;
  g_autofree char *repo_root = NULL;
  g_autofree char *id = NULL;
  const char *model;
  PwStore *store;
  int code = 0;

  if (pw_args_get (args, "project") == NULL)
    return pw_cli_fail (PW_EXIT_USAGE, _("see 'planwright-cli start --help'"),
                        _("'start' needs --project NAME"));
  project = g_strstrip (g_strdup (pw_args_get (args, "project")));
  if (*project == '\0')
    return pw_cli_fail (PW_EXIT_USAGE, _("give the project a name"), _("the project name is empty"));

  if (pw_args_get (args, "repo-root") != NULL)
    {
      repo_root = pw_paths_absolute (pw_args_get (args, "repo-root"));
      if (!g_file_test (repo_root, G_FILE_TEST_IS_DIR))
        return pw_cli_fail (PW_EXIT_USAGE, _("give an existing folder"),
                            _("--repo-root %s is not a folder"), repo_root);
    }
  else
    repo_root = detect_repo_root ();

  if (!(settings = pw_settings_load (NULL, &error)))
    return pw_cli_fail_error (error, _("fix or remove the settings file"));
  model = pw_args_get (args, "model");
  if (model == NULL)
    model = pw_settings_get_model (settings, PW_ROLE_PLANNER);

  if (!(store = pw_cli_store (cli, &code)))
    return code;
  if (!pw_session_create (store, settings, project, repo_root, model, &id, &error)
      || !(info = pw_store_get_session (store, id, &error)))
    return pw_cli_fail_error (error, NULL);

  if (cli->verbose)
    pw_cli_note (cli, _("created session %s for %s (repository: %s)"),
                 id, project, repo_root ? repo_root : _("none"));

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      add_session_members (b, info);
      json_builder_end_object (b);
      pw_cli_print_json (b);
    }
  else
    printf ("%s\n", id);
  return PW_EXIT_OK;
}

typedef struct {
  PwContextFile *file;  /* NULL for a note */
  char          *note;
} PendingEntry;

static void
pending_entry_clear (gpointer data)
{
  PendingEntry *e = data;

  g_clear_pointer (&e->file, pw_context_file_free);
  g_clear_pointer (&e->note, g_free);
}

int
pw_cli_cmd_add_context (PwCli  *cli,
                        PwArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwSettings) settings = NULL;
  g_autoptr(GArray) pending = g_array_new (FALSE, TRUE, sizeof (PendingEntry));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = NULL;
  GPtrArray *files = pw_args_get_list (args, "file");
  GPtrArray *notes = pw_args_get_list (args, "note");
  PwPhase next;
  int code = 0;

  g_array_set_clear_func (pending, pending_entry_clear);

  if (files == NULL && notes == NULL)
    return pw_cli_fail (PW_EXIT_USAGE, _("see 'planwright-cli add-context --help'"),
                        _("'add-context' needs at least one --file PATH or --note TEXT"));
  for (guint i = 0; notes && i < notes->len; i++)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (g_ptr_array_index (notes, i)));
      if (*trimmed == '\0')
        return pw_cli_fail (PW_EXIT_USAGE, _("write the note's text after --note"), _("a note is empty"));
    }

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_ADD_CONTEXT, &code)))
    return code;

  if (!(settings = pw_settings_load (NULL, &error)))
    return pw_cli_fail_error (error, _("fix or remove the settings file"));

  /* Read and check everything first: one bad file stores nothing. */
  for (guint i = 0; files && i < files->len; i++)
    {
      PendingEntry e = { 0 };

      e.file = pw_context_file_read (g_ptr_array_index (files, i),
                                     pw_settings_get_max_context_bytes (settings), &error);
      if (e.file == NULL)
        return pw_cli_fail (PW_EXIT_USAGE, _("nothing was added"), "%s", error->message);
      g_array_append_val (pending, e);
    }
  for (guint i = 0; notes && i < notes->len; i++)
    {
      PendingEntry e = { 0 };

      e.note = g_strdup (g_ptr_array_index (notes, i));
      g_array_append_val (pending, e);
    }

  stamp = g_date_time_format (now, "%Y%m%d%H%M%S");
  next = pw_lifecycle_next_phase (info->phase, PW_COMMAND_ADD_CONTEXT);

  if (!pw_store_begin (cli->store, &error))
    return pw_cli_fail_error (error, _("nothing was added"));
  for (guint i = 0; i < pending->len; i++)
    {
      PendingEntry *e = &g_array_index (pending, PendingEntry, i);
      gint64 id;

      if (e->file)
        id = pw_store_add_context (cli->store, info->id, "file", e->file->path, e->file->content,
                                   e->file->path, e->file->sha256, &error);
      else
        {
          g_autofree char *key = g_strdup_printf ("note-%s%06d-%u", stamp,
                                                  g_date_time_get_microsecond (now), i + 1);
          id = pw_store_add_context (cli->store, info->id, "note", key, e->note, NULL, NULL, &error);
        }
      if (id == 0)
        {
          pw_store_rollback (cli->store);
          return pw_cli_fail_error (error, _("nothing was added"));
        }
    }
  if (next != info->phase
      && !pw_store_set_phase (cli->store, info->id, next, info->status, &error))
    {
      pw_store_rollback (cli->store);
      return pw_cli_fail_error (error, _("nothing was added"));
    }
  if (!pw_store_commit (cli->store, &error))
    return pw_cli_fail_error (error, _("nothing was added"));

  for (guint i = 0; i < pending->len; i++)
    {
      PendingEntry *e = &g_array_index (pending, PendingEntry, i);

      if (e->file)
        printf (ngettext ("Added file %s (%zu byte)\n", "Added file %s (%zu bytes)\n", e->file->size),
                e->file->path, e->file->size);
      else
        printf (ngettext ("Added note (%zu byte)\n", "Added note (%zu bytes)\n", strlen (e->note)),
                strlen (e->note));
    }
  if (next != info->phase)
    printf (_("Phase: %s → %s\n"), pw_phase_to_string (info->phase), pw_phase_to_string (next));
  return PW_EXIT_OK;
}

int
pw_cli_cmd_list (PwCli  *cli,
                 PwArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  const char *status_arg = pw_args_get (args, "status");
  PwStatus status;
  PwStore *store;
  int code = 0;

  if (status_arg != NULL)
    {
      g_autofree char *upper = g_ascii_strup (status_arg, -1);
      pw_status_from_string (upper, &status);
    }

  if (!(store = pw_cli_store (cli, &code)))
    return code;
  if (!(rows = pw_store_list_sessions (store, status_arg ? &status : NULL,
                                       pw_args_get (args, "project"), &error)))
    return pw_cli_fail_error (error, NULL);

  if (cli->json)
    {
      /* Written straight out: a json-glib tree of 10 000 objects costs
       * more than the query (benchmarks/bench-list.sh). */
      g_autoptr(GString) out = g_string_sized_new (128 * (rows->len + 1));

      g_string_append_c (out, '[');
      for (guint i = 0; i < rows->len; i++)
        {
          PwSessionInfo *info = g_ptr_array_index (rows, i);

          g_string_append (out, i ? ",{\"id\":" : "{\"id\":");
          pw_cli_json_append_string (out, info->id);
          g_string_append (out, ",\"project\":");
          pw_cli_json_append_string (out, info->project);
          g_string_append (out, ",\"phase\":");
          pw_cli_json_append_string (out, pw_phase_to_string (info->phase));
          g_string_append (out, ",\"status\":");
          pw_cli_json_append_string (out, pw_status_to_string (info->status));
          g_string_append (out, ",\"created_at\":");
          pw_cli_json_append_string (out, info->created_at);
          g_string_append (out, ",\"updated_at\":");
          pw_cli_json_append_string (out, info->updated_at);
          g_string_append_c (out, '}');
        }
      g_string_append (out, "]\n");
      fwrite (out->str, 1, out->len, stdout);
      fflush (stdout);
      return PW_EXIT_OK;
    }

  if (rows->len == 0)
    {
      pw_cli_note (cli, _("no sessions found"));
      return PW_EXIT_OK;
    }
  printf ("%-8s  %-24s  %-10s  %-8s  %s\n", _("ID"), _("PROJECT"), _("PHASE"), _("STATUS"), _("CREATED"));
  for (guint i = 0; i < rows->len; i++)
    {
      PwSessionInfo *info = g_ptr_array_index (rows, i);
      g_autofree char *project = g_utf8_make_valid (info->project, -1);

      if (g_utf8_strlen (project, -1) > 24)
        {
          char *cut = g_utf8_offset_to_pointer (project, 23);
          *cut = '\0';
          project = g_strconcat (project, "…", NULL);
        }
      printf ("%-8s  %-24s  %-10s  %-8s  %s\n", info->id, project,
              pw_phase_to_string (info->phase), pw_status_to_string (info->status), info->created_at);
    }
  return PW_EXIT_OK;
}

static GPtrArray *
latest_warnings (PwStore    *store,
                 const char *id,
                 GError    **error)
{
  g_autoptr(PwDraft) draft = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  draft = pw_store_get_latest_draft (store, id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (draft == NULL || !json_parser_load_from_data (parser, draft->warnings_json, -1, NULL))
    return g_steal_pointer (&out);
  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *array = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *n = json_array_get_element (array, i);
          if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
            g_ptr_array_add (out, g_strdup (json_node_get_string (n)));
        }
    }
  return g_steal_pointer (&out);
}

/* The prompts that changed since the session's snapshot; NULL when the
 * session has no snapshot (created before snapshots existed): no warning. */
static char **
prompt_drift (PwStore    *store,
              const char *id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *config = pw_store_get_config (store, id, NULL, NULL);
  g_autofree char *hashes = NULL;
  JsonObject *object;

  if (config == NULL || !json_parser_load_from_data (parser, config, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  object = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (object, "prompt_hashes"))
    return NULL;
  json_generator_set_root (gen, json_object_get_member (object, "prompt_hashes"));
  hashes = json_generator_to_data (gen, NULL);
  return pw_prompt_drift (hashes);
}

/* The status labels are padded to one column width by characters, not bytes:
 * a translated label may hold letters outside ASCII. */
static const char *
status_label (const char *text)
{
  static char buf[128];
  glong len = g_utf8_strlen (text, -1);

  g_strlcpy (buf, text, sizeof buf);
  for (gsize at = strlen (buf); len < 15 && at + 1 < sizeof buf; len++)
    {
      buf[at++] = ' ';
      buf[at] = '\0';
    }
  return buf;
}

int
pw_cli_cmd_status (PwCli  *cli,
                   PwArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) blockers = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_auto(GStrv) drift = NULL;
  PwSessionCounts c;
  gboolean paused;
  int code = 0;

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_STATUS, &code)))
    return code;
  if (!pw_store_get_counts (cli->store, info->id, &c, &error)
      || !(blockers = pw_store_list_blockers (cli->store, info->id, TRUE, &error))
      || !(warnings = latest_warnings (cli->store, info->id, &error)))
    return pw_cli_fail_error (error, NULL);
  drift = prompt_drift (cli->store, info->id);
  paused = info->status == PW_STATUS_PAUSED;

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      const struct { const char *name; guint value; } counts[] = {
        { "message_count", c.message_count },
        { "context_entry_count", c.context_entry_count },
        { "draft_count", c.draft_count },
        { "review_count", c.review_count },
        { "open_blocker_count", c.open_blocker_count },
      };

      json_builder_begin_object (b);
      add_session_members (b, info);
      if (paused && blockers->len > 0)
        {
          PwBlocker *first = g_ptr_array_index (blockers, 0);
          json_builder_set_member_name (b, "paused_phase");
          json_builder_add_string_value (b, pw_phase_to_string (first->paused_phase));
        }
      for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
        {
          json_builder_set_member_name (b, counts[i].name);
          json_builder_add_int_value (b, counts[i].value);
        }
      json_builder_set_member_name (b, "open_blockers");
      json_builder_begin_array (b);
      for (guint i = 0; i < blockers->len; i++)
        {
          PwBlocker *bl = g_ptr_array_index (blockers, i);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, bl->id);
          json_builder_set_member_name (b, "question");
          json_builder_add_string_value (b, bl->question);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      if (c.last_round >= 0)
        {
          json_builder_set_member_name (b, "last_round");
          json_builder_add_int_value (b, c.last_round);
        }
      if (c.usage_count > 0)
        {
          json_builder_set_member_name (b, "total_cost_usd");
          if (c.cost_known)
            json_builder_add_double_value (b, c.total_cost_usd);
          else
            json_builder_add_null_value (b);
        }
      json_builder_set_member_name (b, "validation_warnings");
      json_builder_begin_array (b);
      for (guint i = 0; i < warnings->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (warnings, i));
      json_builder_end_array (b);
      json_builder_set_member_name (b, "prompt_drift");
      json_builder_add_boolean_value (b, drift != NULL && drift[0] != NULL);
      json_builder_end_object (b);
      pw_cli_print_json (b);
      return PW_EXIT_OK;
    }

  printf ("%s %s\n", status_label (_("Session")), info->id);
  printf ("%s %s\n", status_label (_("Project")), info->project);
  printf ("%s %s\n", status_label (_("Phase")), pw_phase_to_string (info->phase));
  printf ("%s %s\n", status_label (_("Status")), pw_status_to_string (info->status));
  printf ("%s %s\n", status_label (_("Repository")), info->repo_root ? info->repo_root : _("none (no hand-off)"));
  printf ("%s %s\n", status_label (_("Created")), info->created_at);
  printf ("%s %s\n", status_label (_("Updated")), info->updated_at);
  printf ("%s %u\n", status_label (_("Messages")), c.message_count);
  printf ("%s %u\n", status_label (_("Context")), c.context_entry_count);
  printf ("%s %u\n", status_label (_("Drafts")), c.draft_count);
  printf ("%s %u\n", status_label (_("Reviews")), c.review_count);
  if (c.last_round >= 0)
    printf ("%s %d\n", status_label (_("Last round")), c.last_round);
  if (c.usage_count > 0)
    {
      if (c.cost_known)
        printf ("%s $%.4f\n", status_label (_("Cost")), c.total_cost_usd);
      else
        printf ("%s %s\n", status_label (_("Cost")), _("unknown (a model without a price was used)"));
    }
  printf ("%s %u\n", status_label (_("Open blockers")), c.open_blocker_count);
  for (guint i = 0; i < blockers->len; i++)
    {
      PwBlocker *bl = g_ptr_array_index (blockers, i);
      printf ("  [%" G_GINT64_FORMAT "] (%s) %s\n", bl->id, bl->source, bl->question);
    }
  if (drift != NULL && drift[0] != NULL)
    {
      g_autofree char *names = g_strjoinv (", ", drift);
      printf (_("Prompt drift: this build's prompts differ from the session's snapshot (%s)\n"), names);
    }
  if (warnings->len > 0)
    {
      printf ("%s\n", _("Validation warnings of the latest draft:"));
      for (guint i = 0; i < warnings->len; i++)
        printf ("  - %s\n", (const char *) g_ptr_array_index (warnings, i));
    }
  return PW_EXIT_OK;
}

/* Reads one non-empty line from the terminal; NULL on EOF. */
static char *
ask_answer (void)
{
  char line[8192];

  for (;;)
    {
      fputs (_("  Your answer: "), stderr);
      fflush (stderr);
      if (fgets (line, sizeof line, stdin) == NULL)
        return NULL;
      g_strstrip (line);
      if (*line)
        return g_strdup (line);
    }
}

int
pw_cli_cmd_resume (PwCli  *cli,
                   PwArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwSessionInfo) after = NULL;
  g_autoptr(GPtrArray) blockers = NULL;
  GPtrArray *answers = pw_args_get_list (args, "answer");
  guint n_answers = answers ? answers->len : 0;
  int code = 0;

  for (guint i = 0; i < n_answers; i++)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (g_ptr_array_index (answers, i)));
      if (*trimmed == '\0')
        return pw_cli_fail (PW_EXIT_USAGE, _("write the answer after --answer"), _("answer %u is empty"), i + 1);
    }

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_RESUME, &code)))
    return code;
  if (!(blockers = pw_store_list_blockers (cli->store, info->id, TRUE, &error)))
    return pw_cli_fail_error (error, NULL);

  if (n_answers > blockers->len)
    return pw_cli_fail (PW_EXIT_USAGE, _("give one --answer per open blocker; 'status ID' lists them"),
                        _("%u answers given but the session has %u open blockers"),
                        n_answers, blockers->len);
  if (n_answers < blockers->len && !isatty (STDIN_FILENO))
    return pw_cli_fail (PW_EXIT_USAGE, _("give one --answer per open blocker, or run on a terminal to be asked"),
                        _("%u answers given but the session has %u open blockers; nothing was answered"),
                        n_answers, blockers->len);

  /* The answers from the command line are stored together or not at all. */
  if (!pw_store_begin (cli->store, &error))
    return pw_cli_fail_error (error, NULL);
  for (guint i = 0; i < n_answers; i++)
    {
      PwBlocker *bl = g_ptr_array_index (blockers, i);

      if (!pw_store_answer_blocker (cli->store, info->id, bl->id, g_ptr_array_index (answers, i), &error))
        {
          pw_store_rollback (cli->store);
          return pw_cli_fail_error (error, _("nothing was answered"));
        }
    }
  if (!pw_store_commit (cli->store, &error))
    return pw_cli_fail_error (error, _("nothing was answered"));

  if (n_answers < blockers->len)
    fprintf (stderr, ngettext ("Session %s has %u open blocker:\n", "Session %s has %u open blockers:\n",
                               blockers->len - n_answers),
             info->id, blockers->len - n_answers);
  for (guint i = n_answers; i < blockers->len; i++)
    {
      PwBlocker *bl = g_ptr_array_index (blockers, i);
      g_autofree char *answer = NULL;

      fprintf (stderr, "[%" G_GINT64_FORMAT "] (%s) %s\n", bl->id, bl->source, bl->question);
      if (!(answer = ask_answer ()))
        {
          fputc ('\n', stderr);
          return pw_cli_fail (PW_EXIT_FAILURE, _("answers given so far are kept; run 'resume' again to continue"),
                              _("no answer for blocker %" PRId64 "; the session stays PAUSED"), bl->id);
        }
      if (!pw_store_answer_blocker (cli->store, info->id, bl->id, answer, &error))
        return pw_cli_fail_error (error, NULL);
    }

  if (!(after = pw_store_get_session (cli->store, info->id, &error)))
    return pw_cli_fail_error (error, NULL);
  printf (_("Session %s resumed: %s, %s\n"), after->id,
          pw_phase_to_string (after->phase), pw_status_to_string (after->status));
  return PW_EXIT_OK;
}

static char *
export_dir_for (PwArgs     *args,
                const char *id)
{
  const char *dir = pw_args_get (args, "output-dir");

  return dir ? pw_paths_absolute (dir) : pw_paths_session_dir (id);
}

static int
print_export (PwCli      *cli,
              const char *id,
              const char *dir,
              GPtrArray  *files)
{
  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, id);
      json_builder_set_member_name (b, "directory");
      json_builder_add_string_value (b, dir);
      json_builder_set_member_name (b, "files");
      json_builder_begin_array (b);
      for (guint i = 0; i < files->len; i++)
        {
          g_autofree char *path = g_build_filename (dir, g_ptr_array_index (files, i), NULL);
          json_builder_add_string_value (b, path);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      pw_cli_print_json (b);
    }
  else
    {
      printf ("%s\n", dir);
      if (cli->verbose)
        for (guint i = 0; i < files->len; i++)
          pw_cli_note (cli, _("wrote %s"), (const char *) g_ptr_array_index (files, i));
    }
  return PW_EXIT_OK;
}

int
pw_cli_cmd_export (PwCli  *cli,
                   PwArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *dir = NULL;
  int code = 0;

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_EXPORT, &code)))
    return code;
  dir = export_dir_for (args, info->id);
  if (!(files = pw_export_session (cli->store, info->id, dir, &error)))
    return pw_cli_fail_error (error, _("check that the folder is writable and the disk has space"));
  return print_export (cli, info->id, dir, files);
}

int
pw_cli_cmd_complete (PwCli  *cli,
                     PwArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(PwDraft) draft = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *handoff = NULL;
  int code = 0;

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_COMPLETE, &code)))
    return code;
  dir = pw_paths_session_dir (info->id);

  draft = pw_store_get_latest_draft (cli->store, info->id, &error);
  if (error != NULL)
    return pw_cli_fail_error (error, NULL);

  /* COMPLETE is committed only after the export and the hand-off are
   * written, so a failure leaves the session as it was. Inside the
   * transaction the export already sees the session as COMPLETE. */
  if (!pw_store_begin (cli->store, &error))
    return pw_cli_fail_error (error, NULL);
  if (!pw_store_set_phase (cli->store, info->id, PW_PHASE_COMPLETE, PW_STATUS_COMPLETE, &error)
      || !(files = pw_export_session (cli->store, info->id, dir, &error)))
    {
      pw_store_rollback (cli->store);
      return pw_cli_fail_error (error, _("the session was not completed"));
    }

  if (info->repo_root == NULL)
    pw_cli_note (cli, _("note: the session has no repository folder, so no hand-off was written (give one with 'start --repo-root PATH')"));
  else if (draft == NULL)
    pw_cli_note (cli, _("note: the session has no plan draft, so no hand-off was written"));
  else if (!(handoff = pw_export_handoff (cli->store, info->id, info->repo_root, &error)))
    {
      pw_store_rollback (cli->store);
      return pw_cli_fail_error (error, _("the session was not completed; fix the repository folder and run 'complete' again"));
    }

  if (!pw_store_commit (cli->store, &error))
    return pw_cli_fail_error (error, _("the session was not completed"));

  if (cli->verbose)
    pw_cli_note (cli, _("session %s is COMPLETE"), info->id);
  print_export (cli, info->id, dir, files);
  if (handoff && !cli->json)
    printf ("%s\n", handoff);
  return PW_EXIT_OK;
}

int
pw_cli_cmd_reopen (PwCli  *cli,
                   PwArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PwSessionInfo) info = NULL;
  PwPhase next;
  int code = 0;

  if (!(info = pw_cli_session (cli, pw_args_positional (args, 0), PW_COMMAND_REOPEN, &code)))
    return code;
  next = pw_lifecycle_next_phase (info->phase, PW_COMMAND_REOPEN);
  if (!pw_store_set_phase (cli->store, info->id, next, PW_STATUS_ACTIVE, &error))
    return pw_cli_fail_error (error, NULL);
  printf (_("Session %s reopened: %s, %s\n"), info->id, pw_phase_to_string (next),
          pw_status_to_string (PW_STATUS_ACTIVE));
  return PW_EXIT_OK;
}
