/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exported views of a session: chat.csv, context summary, drafts, the a-NN series and the hand-off. */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pw-export.h"
#include "pw-fs.h"

/* Leaves room under NAME_MAX (255) for ".md", ".bak-<stamp>-<n>" and the
 * temporary ".<name>.XXXXXX" of pw_fs_write_atomic(). */
#define SANITIZED_NAME_MAX 200

/* ------------------------------------------------------------------ */
/* CSV (Python's csv "excel" dialect with QUOTE_MINIMAL)              */
/* ------------------------------------------------------------------ */

void
pw_csv_append_field (GString    *out,
                     const char *field)
{
  g_return_if_fail (out != NULL);

  if (field == NULL)
    return;

  if (strpbrk (field, ",\"\r\n") == NULL)
    {
      g_string_append (out, field);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static int
compare_messages_by_id (gconstpointer a,
                        gconstpointer b)
{
  const PwMessage *ma = *(PwMessage * const *) a;
  const PwMessage *mb = *(PwMessage * const *) b;

  return (ma->id > mb->id) - (ma->id < mb->id);
}

char *
pw_export_chat_csv (GPtrArray *messages)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GString *out = g_string_new ("id,timestamp,role,content\r\n");

  for (guint i = 0; messages != NULL && i < messages->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (messages, i));
  g_ptr_array_sort (sorted, compare_messages_by_id);

  for (guint i = 0; i < sorted->len; i++)
    {
      const PwMessage *message = g_ptr_array_index (sorted, i);

      g_string_append_printf (out, "%" G_GINT64_FORMAT ",", message->id);
      pw_csv_append_field (out, message->created_at);
      g_string_append_c (out, ',');
      pw_csv_append_field (out, message->role);
      g_string_append_c (out, ',');
      pw_csv_append_field (out, message->content);
      g_string_append (out, "\r\n");
    }

  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Markdown: blocks separated by exactly one blank line, one final \n */
/* ------------------------------------------------------------------ */

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static void
md_begin_block (GString *doc)
{
  if (doc->len > 0)
    g_string_append (doc, "\n\n");
}

/* Appends @text without its leading and trailing line breaks, so stored
 * text ending in "\n" or not gives the same layout. */
static void
md_append_trimmed (GString    *doc,
                   const char *text)
{
  const char *start = text;
  const char *end;

  while (*start == '\n' || *start == '\r')
    start++;
  end = start + strlen (start);
  while (end > start && (end[-1] == '\n' || end[-1] == '\r'))
    end--;
  g_string_append_len (doc, start, end - start);
}

static void
md_text_block (GString    *doc,
               const char *text)
{
  if (is_blank (text))
    return;
  md_begin_block (doc);
  md_append_trimmed (doc, text);
}

/* A heading is a single line: a line break inside a name or a
 * description would end it early and turn the rest into body text. */
static void
md_append_one_line (GString    *doc,
                    const char *text)
{
  gboolean pending_space = FALSE;

  if (text == NULL)
    return;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r' || *p == '\n')
        {
          pending_space = TRUE;
          continue;
        }
      if (pending_space && doc->len > 0 && doc->str[doc->len - 1] != ' ')
        g_string_append_c (doc, ' ');
      pending_space = FALSE;
      g_string_append_c (doc, *p);
    }
}

static void
md_labelled_block (GString    *doc,
                   const char *label,
                   const char *text)
{
  if (is_blank (text))
    return;
  md_begin_block (doc);
  g_string_append_printf (doc, "**%s:** ", label);
  md_append_trimmed (doc, text);
}

static char *
md_finish (GString *doc)
{
  g_string_append_c (doc, '\n');
  return g_string_free (doc, FALSE);
}

/* ------------------------------------------------------------------ */
/* context-summary.md                                                 */
/* ------------------------------------------------------------------ */

static int
compare_context_by_id (gconstpointer a,
                       gconstpointer b)
{
  const PwContextEntry *ea = *(PwContextEntry * const *) a;
  const PwContextEntry *eb = *(PwContextEntry * const *) b;

  return (ea->id > eb->id) - (ea->id < eb->id);
}

static char *
build_context_summary (const char *session_id,
                       GPtrArray  *entries)
{
  static const struct {
    const char *entry_type;
    const char *heading;
  } sections[] = {
    { "file", "Files" },
    { "note", "Notes" },
    { "synthesis", "Syntheses" },
  };
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GString *doc = g_string_new (NULL);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (entries, i));
  g_ptr_array_sort (sorted, compare_context_by_id);

  g_string_append (doc, "# Context Summary — Session ");
  md_append_one_line (doc, session_id);

  for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
    {
      gboolean any = FALSE;

      for (guint i = 0; i < sorted->len; i++)
        {
          const PwContextEntry *entry = g_ptr_array_index (sorted, i);

          if (g_strcmp0 (entry->entry_type, sections[s].entry_type) != 0)
            continue;

          if (!any)
            {
              md_begin_block (doc);
              g_string_append_printf (doc, "## %s", sections[s].heading);
              any = TRUE;
            }

          md_begin_block (doc);
          g_string_append (doc, "### ");
          md_append_one_line (doc, entry->name);
          md_text_block (doc, entry->content);
        }
    }

  return md_finish (doc);
}

/* ------------------------------------------------------------------ */
/* Review files                                                       */
/* ------------------------------------------------------------------ */

static void
md_append_bullet (GString    *doc,
                  const char *item)
{
  g_auto(GStrv) lines = g_strsplit (item, "\n", -1);
  gboolean first = TRUE;
  guint n = g_strv_length (lines);

  /* Drop trailing empty lines so "x\n" is one bullet line. */
  while (n > 0 && (lines[n - 1][0] == '\0' || strcmp (lines[n - 1], "\r") == 0))
    n--;

  g_string_append (doc, "- ");
  for (guint i = 0; i < n; i++)
    {
      gsize len = strlen (lines[i]);

      if (len > 0 && lines[i][len - 1] == '\r')
        len--;
      if (!first)
        g_string_append (doc, len > 0 ? "\n  " : "\n");
      g_string_append_len (doc, lines[i], len);
      first = FALSE;
    }
}

/* @json is a JSON array of strings. Anything else (not JSON, an object, a
 * number, elements that are not strings) is skipped, never fatal: these
 * come from a model's reply. */
static void
md_string_list_section (GString    *doc,
                        const char *heading,
                        const char *json)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonArray *array;
  gboolean any = FALSE;

  if (is_blank (json))
    return;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return;

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *item;

      if (!JSON_NODE_HOLDS_VALUE (node) ||
          json_node_get_value_type (node) != G_TYPE_STRING)
        continue;

      item = json_node_get_string (node);
      if (is_blank (item))
        continue;

      if (!any)
        {
          md_begin_block (doc);
          g_string_append_printf (doc, "## %s", heading);
          md_begin_block (doc);
          any = TRUE;
        }
      else
        g_string_append_c (doc, '\n');

      md_append_bullet (doc, item);
    }
}

static void
md_issue (GString             *doc,
          guint                number,
          const PwReviewIssue *issue)
{
  md_begin_block (doc);
  g_string_append_printf (doc, "### %u. [", number);
  if (is_blank (issue->severity))
    g_string_append (doc, "MAJOR");
  else
    {
      g_autofree char *upper = g_ascii_strup (issue->severity, -1);
      md_append_one_line (doc, upper);
    }
  g_string_append (doc, "] ");
  md_append_one_line (doc, issue->description);

  md_labelled_block (doc, "Rationale", issue->rationale);
  md_labelled_block (doc, "Guidance", issue->resolution_guidance);
  md_labelled_block (doc, "Section", issue->target_section);

  if (!is_blank (issue->disposition))
    {
      md_begin_block (doc);
      g_string_append (doc, "**Disposition:** ");
      md_append_one_line (doc, issue->disposition);
      /* Before the rationale, so it cannot get lost after a long text. */
      if (issue->defaulted)
        g_string_append (doc, " (defaulted)");
      if (!is_blank (issue->disposition_rationale))
        {
          g_string_append (doc, " — ");
          md_append_trimmed (doc, issue->disposition_rationale);
        }
    }
}

static char *
build_review (const PwReview *review)
{
  GString *doc = g_string_new (NULL);

  if (review->fast_mode)
    g_string_append (doc, "[FAST MODE]");

  md_begin_block (doc);
  g_string_append_printf (doc, "# Review — Round %d", review->round_number);

  md_begin_block (doc);
  g_string_append (doc, "**Verdict:** ");
  if (is_blank (review->verdict))
    g_string_append (doc, "UNKNOWN");
  else
    md_append_one_line (doc, review->verdict);

  if (!is_blank (review->summary))
    {
      md_begin_block (doc);
      g_string_append (doc, "## Summary");
      md_text_block (doc, review->summary);
    }

  if (review->issues != NULL && review->issues->len > 0)
    {
      md_begin_block (doc);
      g_string_append (doc, "## Issues");
      for (guint i = 0; i < review->issues->len; i++)
        md_issue (doc, i + 1, g_ptr_array_index (review->issues, i));
    }

  md_string_list_section (doc, "Keep", review->keep_json);
  md_string_list_section (doc, "Trim", review->trim_json);

  return md_finish (doc);
}

/* Plans are written as stored; fast mode only puts its marker in front. */
static char *
build_plan (const PwDraft *draft,
            gboolean       fast_mode,
            gsize         *out_len)
{
  char *text;

  if (fast_mode)
    text = g_strconcat ("[FAST MODE]\n\n", draft->content, NULL);
  else
    text = g_strdup (draft->content != NULL ? draft->content : "");

  *out_len = strlen (text);
  return text;
}

/* ------------------------------------------------------------------ */
/* The a-NN series                                                    */
/* ------------------------------------------------------------------ */

static int
compare_drafts_by_number (gconstpointer a,
                          gconstpointer b)
{
  const PwDraft *da = *(PwDraft * const *) a;
  const PwDraft *db = *(PwDraft * const *) b;

  return (da->draft_number > db->draft_number) - (da->draft_number < db->draft_number);
}

static int
compare_reviews_by_round (gconstpointer a,
                          gconstpointer b)
{
  const PwReview *ra = *(PwReview * const *) a;
  const PwReview *rb = *(PwReview * const *) b;

  if (ra->round_number != rb->round_number)
    return (ra->round_number > rb->round_number) - (ra->round_number < rb->round_number);
  return (ra->id > rb->id) - (ra->id < rb->id);
}

static const PwDraft *
find_draft_by_id (GPtrArray *drafts,
                  gint64     id)
{
  for (guint i = 0; i < drafts->len; i++)
    {
      const PwDraft *draft = g_ptr_array_index (drafts, i);

      if (draft->id == id)
        return draft;
    }
  return NULL;
}

/* The revision a review round wrote (the newest, should there be several). */
static const PwDraft *
find_draft_by_round (GPtrArray *drafts,
                     gint       round_number)
{
  for (guint i = drafts->len; i > 0; i--)
    {
      const PwDraft *draft = g_ptr_array_index (drafts, i - 1);

      if (draft->round_number >= 0 && draft->round_number == round_number)
        return draft;
    }
  return NULL;
}

/* The draft review @k (0-based, in round order) looked at. Reviews stored
 * without the link fall back to what the link would have been: the first
 * draft for the first round, the previous round's revision after it. */
static const PwDraft *
reviewed_draft (GPtrArray *drafts,
                GPtrArray *reviews,
                guint      k)
{
  const PwReview *review = g_ptr_array_index (reviews, k);
  const PwReview *previous;

  if (review->draft_id > 0)
    {
      const PwDraft *draft = find_draft_by_id (drafts, review->draft_id);

      if (draft != NULL)
        return draft;
    }

  if (k == 0)
    return drafts->len > 0 ? g_ptr_array_index (drafts, 0) : NULL;

  previous = g_ptr_array_index (reviews, k - 1);
  return find_draft_by_round (drafts, previous->round_number);
}

/* What the last review led to: a draft newer than the one it reviewed. */
static const PwDraft *
last_revision (GPtrArray *drafts,
               GPtrArray *reviews)
{
  guint last = reviews->len - 1;
  const PwReview *review = g_ptr_array_index (reviews, last);
  const PwDraft *reviewed = reviewed_draft (drafts, reviews, last);
  const PwDraft *newest = drafts->len > 0 ? g_ptr_array_index (drafts, drafts->len - 1) : NULL;

  if (reviewed == NULL)
    return find_draft_by_round (drafts, review->round_number);
  if (newest != NULL && newest->draft_number > reviewed->draft_number)
    return newest;
  return NULL;
}

typedef struct {
  char  *name;
  char  *contents;
  gsize  len;
} Artifact;

static void
artifact_free (gpointer data)
{
  Artifact *artifact = data;

  g_free (artifact->name);
  g_free (artifact->contents);
  g_free (artifact);
}

static void
add_artifact (GPtrArray *artifacts,
              char      *name,
              char      *contents,
              gsize      len)
{
  Artifact *artifact = g_new0 (Artifact, 1);

  artifact->name = name;
  artifact->contents = contents;
  artifact->len = len;
  g_ptr_array_add (artifacts, artifact);
}

static void
add_plan_artifact (GPtrArray     *artifacts,
                   int            width,
                   guint          number,
                   const char    *suffix,
                   const PwDraft *draft,
                   gboolean       fast_mode)
{
  gsize len;
  char *contents = build_plan (draft, fast_mode, &len);

  add_artifact (artifacts,
                g_strdup_printf ("a-%0*u-%s.md", width, number, suffix),
                contents, len);
}

/* @drafts sorted by number, @reviews by round. */
static void
plan_review_series (GPtrArray *artifacts,
                    GPtrArray *drafts,
                    GPtrArray *reviews,
                    gboolean   complete)
{
  guint n_reviews = reviews->len;
  guint last_number = 2 * n_reviews + 1;
  const PwDraft *newest = drafts->len > 0 ? g_ptr_array_index (drafts, drafts->len - 1) : NULL;
  int width = 2;

  /* Same width for every name of one export, so they sort. */
  for (guint n = last_number; n >= 100; n /= 10)
    width++;

  if (n_reviews > 0)
    {
      const PwReview *first = g_ptr_array_index (reviews, 0);
      const PwDraft *draft = reviewed_draft (drafts, reviews, 0);

      if (draft != NULL)
        add_plan_artifact (artifacts, width, 1, "plan", draft, first->fast_mode);
    }

  for (guint k = 1; k <= n_reviews; k++)
    {
      const PwReview *review = g_ptr_array_index (reviews, k - 1);
      const PwDraft *next;
      char *text = build_review (review);

      add_artifact (artifacts,
                    g_strdup_printf ("a-%0*u-review.md", width, 2 * k),
                    text, strlen (text));

      if (k < n_reviews)
        next = reviewed_draft (drafts, reviews, k);
      else
        next = last_revision (drafts, reviews);

      if (next != NULL)
        add_plan_artifact (artifacts, width, 2 * k + 1, "plan", next, review->fast_mode);
    }

  if (complete && newest != NULL)
    {
      gboolean fast = FALSE;

      if (n_reviews > 0)
        fast = ((const PwReview *) g_ptr_array_index (reviews, n_reviews - 1))->fast_mode;
      add_plan_artifact (artifacts, width, last_number, "plan-final", newest, fast);
    }
}

/* ------------------------------------------------------------------ */
/* pw_export_session                                                  */
/* ------------------------------------------------------------------ */

static gboolean
make_directory (const char  *directory,
                int          mode,
                GError     **error)
{
  if (g_mkdir_with_parents (directory, mode) < 0)
    {
      int saved_errno = errno;
      g_autofree char *display = g_filename_display_name (directory);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not create the folder “%s”: %s (check the path and its permissions)"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
copy_sorted (GPtrArray        *array,
             GCompareFunc      compare)
{
  GPtrArray *copy = g_ptr_array_new ();

  for (guint i = 0; i < array->len; i++)
    g_ptr_array_add (copy, g_ptr_array_index (array, i));
  g_ptr_array_sort (copy, compare);
  return copy;
}

GPtrArray *
pw_export_session (PwStore     *store,
                   const char  *session_id,
                   const char  *directory,
                   GError     **error)
{
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GPtrArray) reviews = NULL;
  g_autoptr(GPtrArray) sorted_drafts = NULL;
  g_autoptr(GPtrArray) sorted_reviews = NULL;
  g_autoptr(GPtrArray) artifacts = NULL;
  g_autoptr(GPtrArray) written = NULL;
  char *text;

  g_return_val_if_fail (PW_IS_STORE (store), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);
  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Read everything first, so a store error leaves no files behind. */
  if ((info = pw_store_get_session (store, session_id, error)) == NULL ||
      (messages = pw_store_list_messages (store, info->id, error)) == NULL ||
      (entries = pw_store_list_context (store, info->id, error)) == NULL ||
      (drafts = pw_store_list_drafts (store, info->id, error)) == NULL ||
      (reviews = pw_store_list_reviews (store, info->id, error)) == NULL)
    return NULL;

  sorted_drafts = copy_sorted (drafts, compare_drafts_by_number);
  sorted_reviews = copy_sorted (reviews, compare_reviews_by_round);

  artifacts = g_ptr_array_new_with_free_func (artifact_free);

  text = pw_export_chat_csv (messages);
  add_artifact (artifacts, g_strdup ("chat.csv"), text, strlen (text));

  text = build_context_summary (info->id, entries);
  add_artifact (artifacts, g_strdup ("context-summary.md"), text, strlen (text));

  for (guint i = 0; i < sorted_drafts->len; i++)
    {
      const PwDraft *draft = g_ptr_array_index (sorted_drafts, i);
      gsize len;

      text = build_plan (draft, FALSE, &len);
      add_artifact (artifacts,
                    g_strdup_printf ("plan-draft-%d.md", draft->draft_number),
                    text, len);
    }

  plan_review_series (artifacts, sorted_drafts, sorted_reviews,
                      info->phase == PW_PHASE_COMPLETE);

  if (!make_directory (directory, 0700, error))
    return NULL;

  written = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < artifacts->len; i++)
    {
      Artifact *artifact = g_ptr_array_index (artifacts, i);

      if (!pw_fs_write_atomic (directory, artifact->name,
                               artifact->contents, artifact->len, error))
        return NULL;
      g_ptr_array_add (written, g_strdup (artifact->name));
    }

  return g_steal_pointer (&written);
}

/* ------------------------------------------------------------------ */
/* Hand-off to <repo>/.kafra/a-01-plans/                              */
/* ------------------------------------------------------------------ */

char *
pw_export_sanitize_name (const char *project)
{
  GString *out = g_string_new (NULL);

  for (const char *p = project; p != NULL && *p != '\0' && out->len < SANITIZED_NAME_MAX; p++)
    {
      char c = *p;

      if (g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-')
        g_string_append_c (out, c);
      else
        g_string_append_c (out, '_');
    }

  /* No hidden file, and never "." or "..". */
  for (gsize i = 0; i < out->len && out->str[i] == '.'; i++)
    out->str[i] = '_';

  if (out->len == 0)
    g_string_append (out, "plan");

  return g_string_free (out, FALSE);
}

/* Moves an existing different file at @path aside. The old content keeps
 * its name until the new file replaces it (a hard link when the file
 * system allows one), so a crash in between loses nothing. */
static gboolean
back_up_if_different (const char  *path,
                      const char  *contents,
                      gsize        len,
                      gboolean    *out_identical,
                      GError     **error)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *base = NULL;
  g_autofree char *backup = NULL;
  g_autofree char *display = NULL;
  GStatBuf st;
  int saved_errno;

  *out_identical = FALSE;

  if (g_lstat (path, &st) < 0)
    {
      saved_errno = errno;
      if (saved_errno == ENOENT)
        return TRUE;
      display = g_filename_display_name (path);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("Could not read “%s”: %s (check the folder’s permissions)"),
                   display, g_strerror (saved_errno));
      return FALSE;
    }

  if (S_ISREG (st.st_mode) && (guint64) st.st_size == (guint64) len)
    {
      g_autofree char *old = NULL;
      gsize old_len = 0;

      if (g_file_get_contents (path, &old, &old_len, NULL) &&
          old_len == len && memcmp (old, contents, len) == 0)
        {
          *out_identical = TRUE;
          return TRUE;
        }
    }

  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  base = g_strdup_printf ("%s.bak-%s", path, stamp);

  /* Two hand-offs in one second must not overwrite the first backup. */
  saved_errno = EEXIST;
  for (guint n = 1; n <= 1000; n++)
    {
      GStatBuf bst;

      g_clear_pointer (&backup, g_free);
      backup = n == 1 ? g_strdup (base) : g_strdup_printf ("%s-%u", base, n);

      if (g_lstat (backup, &bst) == 0)
        continue;
      if (errno != ENOENT)
        {
          saved_errno = errno;
          break;
        }

      if (link (path, backup) == 0)
        return TRUE;
      if (errno == EEXIST)
        continue;

      /* No hard links on this file system (FAT, some network shares):
       * move the file instead; it is absent until the new one lands. */
      if (g_rename (path, backup) == 0)
        return TRUE;
      saved_errno = errno;
      break;
    }

  display = g_filename_display_name (path);
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _("Could not back up “%s” before replacing it: %s (move the file away and try again)"),
               display, g_strerror (saved_errno));
  return FALSE;
}

char *
pw_export_handoff (PwStore     *store,
                   const char  *session_id,
                   const char  *repo_root,
                   GError     **error)
{
  g_autoptr(PwSessionInfo) info = NULL;
  g_autoptr(PwDraft) draft = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *safe = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  const char *contents;
  gsize len;
  gboolean identical;

  g_return_val_if_fail (PW_IS_STORE (store), NULL);
  g_return_val_if_fail (session_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  info = pw_store_get_session (store, session_id, error);
  if (info == NULL)
    return NULL;

  if (repo_root == NULL || repo_root[0] == '\0')
    repo_root = info->repo_root;
  if (repo_root == NULL || repo_root[0] == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("the session has no repository for the hand-off (pass --repo-root)"));
      return NULL;
    }

  draft = pw_store_get_latest_draft (store, info->id, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (draft == NULL)
    {
      g_set_error (error, PW_STORE_ERROR, PW_STORE_ERROR_NOT_FOUND,
                   _("the session has no plan draft (run 'generate' or 'draft' first)"));
      return NULL;
    }

  root = g_canonicalize_filename (repo_root, NULL);
  dir = g_build_filename (root, ".kafra", "a-01-plans", NULL);
  if (!make_directory (dir, 0755, error))
    return NULL;

  safe = pw_export_sanitize_name (info->project);
  name = g_strconcat (safe, ".md", NULL);
  path = g_build_filename (dir, name, NULL);

  contents = draft->content != NULL ? draft->content : "";
  len = strlen (contents);

  if (!back_up_if_different (path, contents, len, &identical, error))
    return NULL;

  if (!identical && !pw_fs_write_atomic (dir, name, contents, len, error))
    return NULL;

  return g_steal_pointer (&path);
}
