/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reads reviewer answers (JSON, fenced JSON, XML, free-form) and triage dispositions; GO only from a parsed verdict. */

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "pw-text.h"
#include "pw-reviewer-parse.h"

#define SUMMARY_MAX_CHARS 200

const char *
pw_verdict_to_string (PwVerdict verdict)
{
  return verdict == PW_VERDICT_GO ? "GO" : "NO_GO";
}

const char *
pw_severity_to_string (PwSeverity severity)
{
  switch (severity)
    {
    case PW_SEVERITY_CRITICAL:
      return "critical";
    case PW_SEVERITY_MINOR:
      return "minor";
    case PW_SEVERITY_MAJOR:
    default:
      return "major";
    }
}

gboolean
pw_severity_from_string (const char *text,
                         PwSeverity *out)
{
  g_autofree char *s = NULL;

  if (text == NULL)
    return FALSE;
  s = g_ascii_strdown (text, -1);
  g_strstrip (s);
  if (strcmp (s, "critical") == 0)
    *out = PW_SEVERITY_CRITICAL;
  else if (strcmp (s, "major") == 0)
    *out = PW_SEVERITY_MAJOR;
  else if (strcmp (s, "minor") == 0)
    *out = PW_SEVERITY_MINOR;
  else
    return FALSE;
  return TRUE;
}

const char *
pw_review_source_to_string (PwReviewSource source)
{
  switch (source)
    {
    case PW_REVIEW_SOURCE_JSON:
      return "json";
    case PW_REVIEW_SOURCE_FENCED_JSON:
      return "fenced-json";
    case PW_REVIEW_SOURCE_XML:
      return "xml";
    case PW_REVIEW_SOURCE_FREE_FORM:
      return "free-form";
    case PW_REVIEW_SOURCE_FAILED:
    default:
      return "failed";
    }
}

const char *
pw_disposition_to_string (PwDisposition disposition)
{
  switch (disposition)
    {
    case PW_DISPOSITION_ACCEPT:
      return "ACCEPT";
    case PW_DISPOSITION_DEFER:
      return "DEFER";
    case PW_DISPOSITION_REJECT:
    default:
      return "REJECT";
    }
}

void
pw_reviewer_issue_free (PwReviewerIssue *issue)
{
  if (issue == NULL)
    return;
  g_free (issue->description);
  g_free (issue->rationale);
  g_free (issue->resolution_guidance);
  g_free (issue->target_section);
  g_free (issue);
}

PwReviewerIssue *
pw_reviewer_issue_copy (const PwReviewerIssue *issue)
{
  PwReviewerIssue *copy = g_new0 (PwReviewerIssue, 1);

  copy->severity = issue->severity;
  copy->description = g_strdup (issue->description);
  copy->rationale = g_strdup (issue->rationale);
  copy->resolution_guidance = g_strdup (issue->resolution_guidance);
  copy->target_section = g_strdup (issue->target_section);
  return copy;
}

static PwReviewerIssue *
issue_new (PwSeverity  severity,
           const char *description,
           const char *rationale,
           const char *guidance,
           const char *target)
{
  PwReviewerIssue *issue = g_new0 (PwReviewerIssue, 1);

  issue->severity = severity;
  issue->description = g_strstrip (g_strdup (description ? description : ""));
  issue->rationale = g_strstrip (g_strdup (rationale ? rationale : ""));
  issue->resolution_guidance = g_strstrip (g_strdup (guidance ? guidance : ""));
  issue->target_section = g_strstrip (g_strdup (target ? target : ""));
  if (issue->description[0] == '\0')
    {
      g_free (issue->description);
      issue->description = g_strdup ("(no description)");
    }
  return issue;
}

static PwReviewAnswer *
answer_new (void)
{
  PwReviewAnswer *a = g_new0 (PwReviewAnswer, 1);

  a->verdict = PW_VERDICT_NO_GO;
  a->source = PW_REVIEW_SOURCE_FAILED;
  a->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_reviewer_issue_free);
  a->keep = g_ptr_array_new_with_free_func (g_free);
  a->trim = g_ptr_array_new_with_free_func (g_free);
  return a;
}

void
pw_review_answer_free (PwReviewAnswer *answer)
{
  if (answer == NULL)
    return;
  g_free (answer->summary);
  g_ptr_array_unref (answer->issues);
  g_ptr_array_unref (answer->keep);
  g_ptr_array_unref (answer->trim);
  g_free (answer->inconsistency);
  g_free (answer->error);
  g_free (answer);
}

guint
pw_review_answer_count (const PwReviewAnswer *answer,
                        PwSeverity            severity)
{
  guint n = 0;

  for (guint i = 0; i < answer->issues->len; i++)
    n += ((PwReviewerIssue *) answer->issues->pdata[i])->severity == severity;
  return n;
}

/* Upper-cased, trimmed, '-' and ' ' read as '_': exactly GO or NO_GO. */
static gboolean
verdict_from_text (const char *text,
                   PwVerdict  *out)
{
  g_autofree char *s = NULL;

  if (text == NULL)
    return FALSE;
  s = g_ascii_strup (text, -1);
  g_strstrip (s);
  for (char *p = s; *p; p++)
    if (*p == '-' || *p == ' ')
      *p = '_';
  if (strcmp (s, "GO") == 0)
    *out = PW_VERDICT_GO;
  else if (strcmp (s, "NO_GO") == 0)
    *out = PW_VERDICT_NO_GO;
  else
    return FALSE;
  return TRUE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static void
read_string_list (JsonObject *object,
                  const char *name,
                  GPtrArray  *into)
{
  JsonNode *node = json_object_get_member (object, name);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
        {
          g_autofree char *s = g_strstrip (g_strdup (json_node_get_string (item)));

          if (*s != '\0')
            g_ptr_array_add (into, g_steal_pointer (&s));
        }
    }
}

/* The issues of a JSON issue array; non-objects are skipped, an unknown
 * severity is major. */
static void
read_issue_array (JsonArray *array,
                  GPtrArray *into)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *o;
      PwSeverity severity = PW_SEVERITY_MAJOR;
      const char *description, *rationale, *target;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      o = json_node_get_object (node);
      description = member_string (o, "description");
      rationale = member_string (o, "rationale");
      if ((description == NULL || *description == '\0') && (rationale == NULL || *rationale == '\0'))
        continue;
      if (!pw_severity_from_string (member_string (o, "severity"), &severity))
        severity = PW_SEVERITY_MAJOR;
      target = member_string (o, "target_section");
      if (target == NULL)
        target = member_string (o, "target_milestone");
      g_ptr_array_add (into, issue_new (severity, description, rationale,
                                        member_string (o, "resolution_guidance"), target));
    }
}

/* json-glib reads "{…} {…}" as one document; two answers are none. */
static gboolean
single_value (const char *text)
{
  const char *p = text;
  int depth = 0;
  gboolean in_string = FALSE;

  while (g_ascii_isspace (*p))
    p++;
  if (*p != '{' && *p != '[')
    return TRUE;
  for (; *p; p++)
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            p++;
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }
      if (*p == '"')
        in_string = TRUE;
      else if (*p == '{' || *p == '[')
        depth++;
      else if ((*p == '}' || *p == ']') && --depth == 0)
        {
          for (p++; g_ascii_isspace (*p); p++)
            ;
          return *p == '\0';
        }
    }
  return TRUE;
}

static JsonNode *
decode (const char *text,
        gssize      len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (len < 0 && !single_value (text))
    return NULL;
  if (len == 0 || !json_parser_load_from_data (parser, text, len, NULL))
    return NULL;
  if (json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

/* The body of the first ``` fence (optionally ```json) whose body, trimmed,
 * starts with @open; NULL when there is none. */
static char *
fenced_block (const char *text,
              char        open)
{
  const char *p = text;

  while ((p = strstr (p, "```")) != NULL)
    {
      const char *body = p + 3;
      const char *end;
      const char *q;

      while (g_ascii_isalnum (*body))
        body++;
      while (*body == ' ' || *body == '\t' || *body == '\r')
        body++;
      if (*body != '\n')
        {
          p += 3;
          continue;
        }
      body++;
      end = strstr (body, "```");
      if (end == NULL)
        return NULL;
      for (q = body; q < end && g_ascii_isspace (*q); q++)
        ;
      if (q < end && *q == open)
        return g_strndup (body, end - body);
      p = end + 3;
    }
  return NULL;
}

/* The first @open … last @close span, or NULL */
static char *
greedy_span (const char *text,
             char        open,
             char        close)
{
  const char *first = strchr (text, open);
  const char *last = strrchr (text, close);

  if (first == NULL || last == NULL || last < first)
    return NULL;
  return g_strndup (first, last - first + 1);
}

/* The JSON stage: TRUE when it settled the answer (parsed, or a decoded
 * object whose verdict is not usable — then a sure failure). */
static gboolean
parse_json (const char     *text,
            PwReviewAnswer *a)
{
  g_autofree char *fenced = fenced_block (text, '{');
  g_autofree char *span = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  JsonNode *issues;
  const char *summary;

  if (fenced != NULL)
    root = decode (fenced, -1);
  else
    root = decode (text, -1);
  if (root == NULL)
    {
      span = greedy_span (text, '{', '}');
      if (span != NULL)
        root = decode (span, -1);
    }
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      a->error = g_strdup ("the answer is JSON but not an object");
      return TRUE;
    }
  o = json_node_get_object (root);
  if (!json_object_has_member (o, "verdict"))
    {
      a->error = g_strdup ("the JSON answer has no verdict");
      return TRUE;
    }
  if (!verdict_from_text (member_string (o, "verdict"), &a->verdict))
    {
      a->verdict = PW_VERDICT_NO_GO;
      a->error = g_strdup ("the JSON verdict is neither GO nor NO_GO");
      return TRUE;
    }
  a->source = fenced != NULL && span == NULL ? PW_REVIEW_SOURCE_FENCED_JSON : PW_REVIEW_SOURCE_JSON;
  summary = member_string (o, "summary");
  a->summary = g_strstrip (g_strdup (summary ? summary : ""));
  issues = json_object_get_member (o, "issues");
  if (issues != NULL && JSON_NODE_HOLDS_ARRAY (issues))
    read_issue_array (json_node_get_array (issues), a->issues);
  read_string_list (o, "keep", a->keep);
  read_string_list (o, "trim", a->trim);
  return TRUE;
}

static char *
xml_unescape (const char *s,
              gssize      len)
{
  static const struct { const char *entity; char c; } entities[] = {
    { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' }, { "&amp;", '&' },
  };
  GString *out = g_string_sized_new (len < 0 ? strlen (s) : (gsize) len);
  const char *end = s + (len < 0 ? (gssize) strlen (s) : len);

  while (s < end)
    {
      gboolean done = FALSE;

      if (*s == '&')
        for (guint i = 0; i < G_N_ELEMENTS (entities) && !done; i++)
          {
            gsize n = strlen (entities[i].entity);

            if ((gsize) (end - s) >= n && strncmp (s, entities[i].entity, n) == 0)
              {
                g_string_append_c (out, entities[i].c);
                s += n;
                done = TRUE;
              }
          }
      if (!done)
        g_string_append_c (out, *s++);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

/* Compiled once per pattern and kept for the process: the parsers run
 * for every answer, and a pattern's compilation costs more than a match. */
static GRegex *
cached_regex (const char         *pattern,
              GRegexCompileFlags  flags)
{
  static GMutex lock;
  static GHashTable *cache = NULL;
  GRegex *re;

  g_mutex_lock (&lock);
  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_regex_unref);
  re = g_hash_table_lookup (cache, pattern);
  if (re == NULL)
    {
      re = g_regex_new (pattern, flags, 0, NULL);
      g_assert (re != NULL);
      g_hash_table_insert (cache, g_strdup (pattern), re);
    }
  g_mutex_unlock (&lock);
  return re;
}

/* The text of the first <tag>…</tag> in @text, unescaped; NULL if none */
static char *
xml_tag (const char *text,
         const char *tag)
{
  g_autofree char *pattern = g_strdup_printf ("<%s\\b[^>]*>(.*?)</%s\\s*>", tag, tag);
  GRegex *re = cached_regex (pattern, G_REGEX_CASELESS | G_REGEX_DOTALL);
  g_autoptr(GMatchInfo) match = NULL;
  int start, end;

  if (!g_regex_match (re, text, 0, &match))
    return NULL;
  g_match_info_fetch_pos (match, 1, &start, &end);
  return xml_unescape (text + start, end - start);
}

static gboolean
parse_xml (const char     *text,
           PwReviewAnswer *a)
{
  g_autofree char *verdict = xml_tag (text, "verdict");
  GRegex *issue_re;
  g_autoptr(GMatchInfo) match = NULL;

  if (verdict == NULL)
    return FALSE;
  if (!verdict_from_text (verdict, &a->verdict))
    {
      a->verdict = PW_VERDICT_NO_GO;
      a->error = g_strdup ("the XML verdict is neither GO nor NO_GO");
      return TRUE;
    }
  a->source = PW_REVIEW_SOURCE_XML;
  a->summary = xml_tag (text, "summary");
  if (a->summary == NULL)
    a->summary = g_strdup ("");

  issue_re = cached_regex ("<issue\\b[^>]*>(.*?)</issue\\s*>", G_REGEX_CASELESS | G_REGEX_DOTALL);
  g_regex_match (issue_re, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *body = g_match_info_fetch (match, 1);
      g_autofree char *sev = xml_tag (body, "severity");
      g_autofree char *description = xml_tag (body, "description");
      g_autofree char *rationale = xml_tag (body, "rationale");
      g_autofree char *guidance = xml_tag (body, "resolution_guidance");
      g_autofree char *target = xml_tag (body, "target_section");
      PwSeverity severity = PW_SEVERITY_MAJOR;

      if ((description != NULL && *description) || (rationale != NULL && *rationale))
        {
          if (!pw_severity_from_string (sev, &severity))
            severity = PW_SEVERITY_MAJOR;
          g_ptr_array_add (a->issues, issue_new (severity, description, rationale, guidance, target));
        }
      g_match_info_next (match, NULL);
    }
  return TRUE;
}

static const char *const no_go_phrases[] = {
  "no_go", "no-go", "no go", "not ready", "needs work", "needs changes",
  "needs revision", "cannot approve", "can't approve", "cannot proceed",
  "do not proceed", "don't proceed", "reject", "not approved",
};

static char *
first_line_summary (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0')
        continue;
      if (g_utf8_strlen (line, -1) > SUMMARY_MAX_CHARS)
        {
          g_autofree char *cut = pw_utf8_prefix (line, SUMMARY_MAX_CHARS - 3);
          return g_strconcat (cut, "...", NULL);
        }
      return g_strdup (line);
    }
  return g_strdup ("");
}

/* Never GO: free text that mentions "go" or "approved" is no verdict.
 * An explicit NO_GO phrase gives NO_GO with the bullet lines as issues. */
static gboolean
parse_free_form (const char     *text,
                 PwReviewAnswer *a)
{
  g_autofree char *lower = g_utf8_strdown (text, -1);
  GRegex *bullet = cached_regex ("^\\s*(?:[-*•]|\\d+[.)])\\s+(.+)$", G_REGEX_MULTILINE);
  GRegex *sev_re = cached_regex ("[\\[(*]*\\b(critical|major|minor)\\b[\\])*]*\\s*[:—–-]?\\s*",
                                 G_REGEX_CASELESS);
  g_autoptr(GMatchInfo) match = NULL;
  gboolean negative = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (no_go_phrases) && !negative; i++)
    negative = strstr (lower, no_go_phrases[i]) != NULL;
  if (!negative)
    {
      a->error = g_strdup ("the answer has no verdict (free text is never read as GO)");
      return FALSE;
    }

  a->source = PW_REVIEW_SOURCE_FREE_FORM;
  a->verdict = PW_VERDICT_NO_GO;
  a->summary = first_line_summary (text);
  g_regex_match (bullet, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *line = g_match_info_fetch (match, 1);
      g_autoptr(GMatchInfo) sev_match = NULL;
      PwSeverity severity = PW_SEVERITY_MAJOR;
      g_autofree char *description = NULL;

      if (g_regex_match (sev_re, line, 0, &sev_match))
        {
          g_autofree char *word = g_match_info_fetch (sev_match, 1);
          int start, end;

          pw_severity_from_string (word, &severity);
          g_match_info_fetch_pos (sev_match, 0, &start, &end);
          description = g_strdup_printf ("%.*s%s", start, line, line + end);
        }
      else
        description = g_strdup (line);
      g_strstrip (description);
      if (*description != '\0')
        g_ptr_array_add (a->issues, issue_new (severity, description,
                                               "Extracted from a free-form answer", NULL, NULL));
      g_match_info_next (match, NULL);
    }
  return TRUE;
}

/* Text that looks like structured output is not read as prose: a cut-off
 * JSON answer that mentions "NO_GO" is a failure, not a verdict. */
static gboolean
looks_structured (const char *trimmed)
{
  return trimmed[0] == '{' || trimmed[0] == '[' || trimmed[0] == '<'
         || g_str_has_prefix (trimmed, "```") || strstr (trimmed, "\"verdict\"") != NULL;
}

PwReviewAnswer *
pw_review_answer_parse (const char *text,
                        gssize      len)
{
  PwReviewAnswer *a = answer_new ();
  g_autofree char *copy = NULL;
  char *trimmed;
  guint criticals;

  if (text == NULL)
    text = "";
  copy = len < 0 ? g_strdup (text) : g_strndup (text, len);
  /* Invalid UTF-8 would make the regexes and json-glib refuse everything */
  if (!g_utf8_validate (copy, -1, NULL))
    {
      char *valid = g_utf8_make_valid (copy, -1);
      g_free (copy);
      copy = valid;
    }
  trimmed = g_strstrip (copy);

  if (*trimmed == '\0')
    {
      a->error = g_strdup ("the answer is empty");
      goto failed;
    }
  if (parse_json (trimmed, a))
    {
      if (a->error != NULL)
        goto failed;
    }
  else if (parse_xml (trimmed, a))
    {
      if (a->error != NULL)
        goto failed;
    }
  else if (looks_structured (trimmed))
    {
      a->error = g_strdup ("the answer is cut off or malformed structured output");
      goto failed;
    }
  else if (!parse_free_form (trimmed, a))
    goto failed;

  criticals = pw_review_answer_count (a, PW_SEVERITY_CRITICAL);
  if (a->verdict == PW_VERDICT_GO && criticals > 0)
    {
      a->verdict = PW_VERDICT_NO_GO;
      a->inconsistency = g_strdup_printf ("The reviewer answered GO but listed %u critical issue%s; read as NO_GO.",
                                          criticals, criticals == 1 ? "" : "s");
    }
  return a;

failed:
  a->source = PW_REVIEW_SOURCE_FAILED;
  a->verdict = PW_VERDICT_NO_GO;
  g_ptr_array_set_size (a->issues, 0);
  g_ptr_array_set_size (a->keep, 0);
  g_ptr_array_set_size (a->trim, 0);
  g_clear_pointer (&a->summary, g_free);
  a->summary = g_strdup ("");
  return a;
}

char *
pw_reviewer_issues_to_json (GPtrArray *issues)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; issues != NULL && i < issues->len; i++)
    {
      PwReviewerIssue *issue = issues->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "severity");
      json_builder_add_string_value (b, pw_severity_to_string (issue->severity));
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, issue->description);
      json_builder_set_member_name (b, "rationale");
      json_builder_add_string_value (b, issue->rationale);
      json_builder_set_member_name (b, "resolution_guidance");
      json_builder_add_string_value (b, issue->resolution_guidance);
      json_builder_set_member_name (b, "target_section");
      json_builder_add_string_value (b, issue->target_section);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

GPtrArray *
pw_reviewer_issues_from_json (const char *json)
{
  g_autoptr(JsonNode) root = json ? decode (json, -1) : NULL;
  GPtrArray *issues;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return NULL;
  issues = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_reviewer_issue_free);
  read_issue_array (json_node_get_array (root), issues);
  return issues;
}

/* ---- dispositions -------------------------------------------------------- */

void
pw_dispositions_free (PwDispositions *d)
{
  if (d == NULL)
    return;
  for (guint i = 0; i < d->n_issues; i++)
    g_free (d->entries[i].rationale);
  g_free (d->entries);
  g_free (d);
}

static gboolean
disposition_from_text (const char    *text,
                       PwDisposition *out)
{
  g_autofree char *s = NULL;

  if (text == NULL)
    return FALSE;
  s = g_ascii_strup (text, -1);
  g_strstrip (s);
  if (strcmp (s, "ACCEPT") == 0)
    *out = PW_DISPOSITION_ACCEPT;
  else if (strcmp (s, "DEFER") == 0)
    *out = PW_DISPOSITION_DEFER;
  else if (strcmp (s, "REJECT") == 0)
    *out = PW_DISPOSITION_REJECT;
  else
    return FALSE;
  return TRUE;
}

/* Records one answer; a second, different answer for the same index makes
 * it ambiguous for good (@conflict). */
static void
record (PwDispositions *d,
        gboolean       *conflict,
        gint64          index,
        PwDisposition   disposition,
        const char     *rationale)
{
  PwDispositionEntry *e;

  if (index < 0 || index >= d->n_issues || conflict[index])
    return;
  e = &d->entries[index];
  if (e->answered)
    {
      if (e->disposition != disposition)
        {
          conflict[index] = TRUE;
          e->answered = FALSE;
          g_free (e->rationale);
          e->rationale = g_strdup ("");
        }
      return;
    }
  e->answered = TRUE;
  e->disposition = disposition;
  g_free (e->rationale);
  e->rationale = g_strstrip (g_strdup (rationale ? rationale : ""));
}

static JsonArray *
disposition_array (JsonNode *root)
{
  if (root == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (root))
    return json_node_get_array (root);
  /* Structured output needs an object at the top */
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonNode *inner = json_object_get_member (json_node_get_object (root), "dispositions");

      if (inner != NULL && JSON_NODE_HOLDS_ARRAY (inner))
        return json_node_get_array (inner);
    }
  return NULL;
}

PwDispositions *
pw_dispositions_parse (const char *text,
                       gssize      len,
                       guint       n_issues)
{
  PwDispositions *d = g_new0 (PwDispositions, 1);
  g_autofree gboolean *conflict = g_new0 (gboolean, MAX (n_issues, 1));
  g_autofree char *copy = NULL;
  g_autofree char *fenced = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array = NULL;
  char *trimmed;

  d->n_issues = n_issues;
  d->entries = g_new0 (PwDispositionEntry, MAX (n_issues, 1));
  for (guint i = 0; i < n_issues; i++)
    d->entries[i].rationale = g_strdup ("");

  copy = text == NULL ? g_strdup ("") : len < 0 ? g_strdup (text) : g_strndup (text, len);
  if (!g_utf8_validate (copy, -1, NULL))
    {
      char *valid = g_utf8_make_valid (copy, -1);
      g_free (copy);
      copy = valid;
    }
  trimmed = g_strstrip (copy);

  fenced = fenced_block (trimmed, '[');
  if (fenced == NULL)
    fenced = fenced_block (trimmed, '{');
  root = decode (fenced ? fenced : trimmed, -1);
  array = disposition_array (root);
  if (array == NULL)
    {
      g_autofree char *span = greedy_span (trimmed, '[', ']');

      g_clear_pointer (&root, json_node_unref);
      if (span != NULL)
        root = decode (span, -1);
      array = disposition_array (root);
    }

  if (array != NULL)
    {
      d->usable = TRUE;
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          JsonObject *o;
          JsonNode *index;
          PwDisposition disposition;

          if (!JSON_NODE_HOLDS_OBJECT (item))
            continue;
          o = json_node_get_object (item);
          index = json_object_get_member (o, "index");
          /* Only a JSON integer: true, "1" or 1.5 are no index */
          if (index == NULL || !JSON_NODE_HOLDS_VALUE (index)
              || json_node_get_value_type (index) != G_TYPE_INT64)
            continue;
          if (!disposition_from_text (member_string (o, "disposition"), &disposition))
            continue;
          record (d, conflict, json_node_get_int (index), disposition, member_string (o, "rationale"));
        }
    }
  else
    {
      /* Lines "3: DEFER — why" or "Issue 3 - ACCEPT"; the number must be
       * the whole index and the word a whole word ("DEFERRED" is not). */
      GRegex *line_re = cached_regex (
        "^[\\s>*#-]*(?:issue\\s*)?#?(\\d+)\\s*[:.)\\]—–-]+[\\s*]*(ACCEPT|DEFER|REJECT)\\b[\\s*]*[:—–-]*\\s*(.*)$",
        G_REGEX_CASELESS | G_REGEX_MULTILINE);
      g_autoptr(GMatchInfo) match = NULL;

      g_regex_match (line_re, trimmed, 0, &match);
      while (g_match_info_matches (match))
        {
          g_autofree char *digits = g_match_info_fetch (match, 1);
          g_autofree char *word = g_match_info_fetch (match, 2);
          g_autofree char *why = g_match_info_fetch (match, 3);
          PwDisposition disposition;
          guint64 index;

          d->usable = TRUE;
          if (strlen (digits) <= 9 && g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT32, &index, NULL)
              && disposition_from_text (word, &disposition))
            record (d, conflict, (gint64) index, disposition, why);
          g_match_info_next (match, NULL);
        }
    }

  for (guint i = 0; i < n_issues; i++)
    d->n_missing += !d->entries[i].answered;
  return d;
}

const char *
pw_reviewer_answer_schema (void)
{
  return "{\"type\":\"object\",\"additionalProperties\":false,"
         "\"required\":[\"verdict\",\"summary\",\"issues\",\"keep\",\"trim\"],"
         "\"properties\":{"
         "\"verdict\":{\"type\":\"string\",\"enum\":[\"GO\",\"NO_GO\"]},"
         "\"summary\":{\"type\":\"string\"},"
         "\"issues\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"additionalProperties\":false,"
         "\"required\":[\"severity\",\"description\",\"rationale\",\"resolution_guidance\",\"target_section\"],"
         "\"properties\":{"
         "\"severity\":{\"type\":\"string\",\"enum\":[\"critical\",\"major\",\"minor\"]},"
         "\"description\":{\"type\":\"string\"},"
         "\"rationale\":{\"type\":\"string\"},"
         "\"resolution_guidance\":{\"type\":\"string\"},"
         "\"target_section\":{\"type\":\"string\"}}}},"
         "\"keep\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
         "\"trim\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}";
}
