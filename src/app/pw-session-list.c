/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sessions of the store as a GListModel of PwSessionItem, filtered and searched. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-session-list.h"

/* PwSessionItem: an immutable snapshot of one row, made when a row is
 * bound; the list keeps only weak pointers to the ones alive. */
struct _PwSessionItem
{
  GObject   parent_instance;

  char     *id;
  char     *project;
  PwPhase   phase;
  PwStatus  status;
  gboolean  archived;
  char     *created_at;
  char     *updated_at;
};

G_DEFINE_FINAL_TYPE (PwSessionItem, pw_session_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_ID,
  ITEM_PROP_PROJECT,
  ITEM_PROP_PHASE,
  ITEM_PROP_STATUS,
  ITEM_PROP_ARCHIVED,
  ITEM_PROP_CREATED_AT,
  ITEM_PROP_UPDATED_AT,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static PwSessionItem *
pw_session_item_new_from_info (const PwSessionInfo *info)
{
  PwSessionItem *self = g_object_new (PW_TYPE_SESSION_ITEM, NULL);

  self->id = g_strdup (info->id);
  self->project = g_strdup (info->project);
  self->phase = info->phase;
  self->status = info->status;
  self->archived = info->archived;
  self->created_at = g_strdup (info->created_at);
  self->updated_at = g_strdup (info->updated_at);
  return self;
}

static void
pw_session_item_finalize (GObject *object)
{
  PwSessionItem *self = PW_SESSION_ITEM (object);

  g_free (self->id);
  g_free (self->project);
  g_free (self->created_at);
  g_free (self->updated_at);

  G_OBJECT_CLASS (pw_session_item_parent_class)->finalize (object);
}

static void
pw_session_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PwSessionItem *self = PW_SESSION_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case ITEM_PROP_PROJECT:
      g_value_set_string (value, self->project);
      break;
    case ITEM_PROP_PHASE:
      g_value_set_string (value, pw_phase_to_string (self->phase));
      break;
    case ITEM_PROP_STATUS:
      g_value_set_string (value, pw_status_to_string (self->status));
      break;
    case ITEM_PROP_ARCHIVED:
      g_value_set_boolean (value, self->archived);
      break;
    case ITEM_PROP_CREATED_AT:
      g_value_set_string (value, self->created_at);
      break;
    case ITEM_PROP_UPDATED_AT:
      g_value_set_string (value, self->updated_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_session_item_class_init (PwSessionItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pw_session_item_finalize;
  object_class->get_property = pw_session_item_get_property;

  item_properties[ITEM_PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_PROJECT] = g_param_spec_string ("project", NULL, NULL, NULL, flags);
  /* The phase and status as the store spells them (DISCUSSION, PAUSED) */
  item_properties[ITEM_PROP_PHASE] = g_param_spec_string ("phase", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_ARCHIVED] = g_param_spec_boolean ("archived", NULL, NULL, FALSE, flags);
  item_properties[ITEM_PROP_CREATED_AT] = g_param_spec_string ("created-at", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_UPDATED_AT] = g_param_spec_string ("updated-at", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
pw_session_item_init (PwSessionItem *self)
{
}

const char *
pw_session_item_get_id (PwSessionItem *self)
{
  g_return_val_if_fail (PW_IS_SESSION_ITEM (self), NULL);
  return self->id;
}

const char *
pw_session_item_get_project (PwSessionItem *self)
{
  g_return_val_if_fail (PW_IS_SESSION_ITEM (self), NULL);
  return self->project;
}

PwPhase
pw_session_item_get_phase (PwSessionItem *self)
{
  g_return_val_if_fail (PW_IS_SESSION_ITEM (self), PW_PHASE_SETUP);
  return self->phase;
}

PwStatus
pw_session_item_get_status (PwSessionItem *self)
{
  g_return_val_if_fail (PW_IS_SESSION_ITEM (self), PW_STATUS_ACTIVE);
  return self->status;
}

gboolean
pw_session_item_get_archived (PwSessionItem *self)
{
  g_return_val_if_fail (PW_IS_SESSION_ITEM (self), FALSE);
  return self->archived;
}

const char *
pw_session_item_get_created_at (PwSessionItem *self)
{
  g_return_val_if_fail (PW_IS_SESSION_ITEM (self), NULL);
  return self->created_at;
}

const char *
pw_session_item_get_updated_at (PwSessionItem *self)
{
  g_return_val_if_fail (PW_IS_SESSION_ITEM (self), NULL);
  return self->updated_at;
}

char *
pw_session_item_dup_relative_time (PwSessionItem *self)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) then = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) local = NULL;
  GTimeSpan diff;

  g_return_val_if_fail (PW_IS_SESSION_ITEM (self), NULL);

  if (self->updated_at == NULL
      || !(then = g_date_time_new_from_iso8601 (self->updated_at, utc)))
    return g_strdup ("");

  diff = g_date_time_difference (now, then);
  if (diff < G_TIME_SPAN_MINUTE)
    return g_strdup (_("Just now"));
  if (diff < G_TIME_SPAN_HOUR)
    {
      int minutes = (int) (diff / G_TIME_SPAN_MINUTE);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", minutes), minutes);
    }
  if (diff < G_TIME_SPAN_DAY)
    {
      int hours = (int) (diff / G_TIME_SPAN_HOUR);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", hours), hours);
    }
  if (diff < 2 * G_TIME_SPAN_DAY)
    return g_strdup (_("Yesterday"));

  local = g_date_time_to_local (then);
  if (g_date_time_get_year (local) == g_date_time_get_year (now))
    /* Translators: a date this year, see g_date_time_format() */
    return g_date_time_format (local, _("%-d %b"));
  /* Translators: a date of another year, see g_date_time_format() */
  return g_date_time_format (local, _("%-d %b %Y"));
}

/* PwSessionList */

struct _PwSessionList
{
  GObject          parent_instance;

  PwEngine        *engine;
  gulong           changed_id;

  GPtrArray       *rows;      /* PwSessionInfo, owned, newest first */
  GPtrArray       *visible;   /* PwSessionInfo, borrowed from rows */
  GPtrArray       *items;     /* PwSessionItem weak pointers, parallel to visible */
  GHashTable      *hidden;    /* ids waiting for a delete */

  PwSessionFilter  filter;
  char            *query;
  GPtrArray       *search_ids;   /* ids for query, best first; NULL until found */
  GCancellable    *search_cancellable;
  GCancellable    *load_cancellable;
  gboolean         loaded;       /* the sessions have been read once */
  guint            shown;        /* the model's rows: the first of visible */
};

static void pw_session_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PwSessionList, pw_session_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, pw_session_list_model_init))

enum {
  PROP_0,
  PROP_FILTER,
  PROP_QUERY,
  PROP_N_ITEMS,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Search results beyond this many are not useful in a sidebar */
#define SEARCH_LIMIT 500
/* The model offers the visible sessions a page at a time (more as the
 * sidebar scrolls down): GTK 4.8's list view builds up to 200 rows of
 * whatever the model has, and 10 000 sessions need not cost 200 rows. */
#define PAGE_ROWS 50

static guint
n_shown (PwSessionList *self)
{
  return MIN (self->visible->len, self->shown);
}

static GType
pw_session_list_get_item_type (GListModel *model)
{
  return PW_TYPE_SESSION_ITEM;
}

static guint
pw_session_list_get_n_items (GListModel *model)
{
  return n_shown (PW_SESSION_LIST (model));
}

static gpointer
pw_session_list_get_item (GListModel *model,
                          guint       position)
{
  PwSessionList *self = PW_SESSION_LIST (model);
  PwSessionItem *item;

  if (position >= n_shown (self))
    return NULL;

  item = g_ptr_array_index (self->items, position);
  if (item != NULL)
    return g_object_ref (item);

  item = pw_session_item_new_from_info (g_ptr_array_index (self->visible, position));
  g_ptr_array_index (self->items, position) = item;
  g_object_add_weak_pointer (G_OBJECT (item), &g_ptr_array_index (self->items, position));
  return item;
}

static void
pw_session_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = pw_session_list_get_item_type;
  iface->get_n_items = pw_session_list_get_n_items;
  iface->get_item = pw_session_list_get_item;
}

static void
drop_items (PwSessionList *self)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      gpointer *slot = &g_ptr_array_index (self->items, i);

      if (*slot != NULL)
        g_object_remove_weak_pointer (G_OBJECT (*slot), slot);
    }
  g_ptr_array_set_size (self->items, 0);
}

static gboolean
row_matches_filter (PwSessionList       *self,
                    const PwSessionInfo *info)
{
  if (g_hash_table_contains (self->hidden, info->id))
    return FALSE;
  switch (self->filter)
    {
    case PW_SESSION_FILTER_ARCHIVED:
      return info->archived;
    case PW_SESSION_FILTER_ACTIVE:
      return !info->archived && info->status == PW_STATUS_ACTIVE;
    case PW_SESSION_FILTER_PAUSED:
      return !info->archived && info->status == PW_STATUS_PAUSED;
    case PW_SESSION_FILTER_COMPLETE:
      return !info->archived && info->status == PW_STATUS_COMPLETE;
    case PW_SESSION_FILTER_ALL:
    default:
      return !info->archived;
    }
}

static gboolean
info_equal (const PwSessionInfo *a,
            const PwSessionInfo *b)
{
  return g_strcmp0 (a->id, b->id) == 0 && g_strcmp0 (a->project, b->project) == 0
         && a->phase == b->phase && a->status == b->status && a->archived == b->archived
         && g_strcmp0 (a->created_at, b->created_at) == 0 && g_strcmp0 (a->updated_at, b->updated_at) == 0;
}

/* Recomputes the visible rows from self->rows; one items-changed, over
 * the rows that differ only: every reply refreshes the list, and
 * replacing all of it would rebind every row of the sidebar. */
static void
apply (PwSessionList *self)
{
  guint old_len = n_shown (self), new_len;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GPtrArray) old_visible = g_steal_pointer (&self->visible);
  guint prefix = 0, suffix = 0;

  drop_items (self);
  self->visible = g_ptr_array_new ();

  if (self->query != NULL && self->search_ids != NULL)
    ids = g_ptr_array_ref (self->search_ids);

  if (ids != NULL)
    {
      g_autoptr(GHashTable) by_id = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < self->rows->len; i++)
        {
          PwSessionInfo *info = g_ptr_array_index (self->rows, i);
          g_hash_table_insert (by_id, info->id, info);
        }
      for (guint i = 0; i < ids->len; i++)
        {
          PwSessionInfo *info = g_hash_table_lookup (by_id, g_ptr_array_index (ids, i));

          if (info != NULL && row_matches_filter (self, info))
            g_ptr_array_add (self->visible, info);
        }
    }
  else if (self->query == NULL)
    {
      for (guint i = 0; i < self->rows->len; i++)
        {
          PwSessionInfo *info = g_ptr_array_index (self->rows, i);

          if (row_matches_filter (self, info))
            g_ptr_array_add (self->visible, info);
        }
    }

  g_ptr_array_set_size (self->items, self->visible->len);
  new_len = n_shown (self);

  /* The old rows are still alive here (see pw_session_list_refresh) */
  while (prefix < old_len && prefix < new_len
         && info_equal (g_ptr_array_index (old_visible, prefix), g_ptr_array_index (self->visible, prefix)))
    prefix++;
  while (suffix < old_len - prefix && suffix < new_len - prefix
         && info_equal (g_ptr_array_index (old_visible, old_len - 1 - suffix),
                        g_ptr_array_index (self->visible, new_len - 1 - suffix)))
    suffix++;
  if (old_len - prefix - suffix != 0 || new_len - prefix - suffix != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, old_len - prefix - suffix,
                                new_len - prefix - suffix);
  if (old_len != new_len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Offers @count more of the visible sessions (when the sidebar is
 * scrolled near the end of what it has) */
static void
show_more (PwSessionList *self,
           guint          count)
{
  guint before = n_shown (self);

  self->shown = self->shown > G_MAXUINT - count ? G_MAXUINT : self->shown + count;
  if (n_shown (self) != before)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), before, 0, n_shown (self) - before);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
}

void
pw_session_list_show_more (PwSessionList *self)
{
  g_return_if_fail (PW_IS_SESSION_LIST (self));

  if (self->shown < self->visible->len)
    show_more (self, PAGE_ROWS);
}

/* The store is read on a worker thread with a connection of its own
 * (pw_store_read_async): on a large database listing or searching the
 * sessions takes longer than a frame, and neither start-up, a finished
 * reply nor typing in the search must wait for it. Only the newest
 * answer of each kind is applied. */
static gpointer
search_read (PwStore  *store,
             gpointer  query,
             GError  **error)
{
  return pw_store_search (store, query, SEARCH_LIMIT, error);
}

static gpointer
list_read (PwStore  *store,
           gpointer  data,
           GError  **error)
{
  return pw_store_list_sessions (store, NULL, NULL, error);
}

static void
search_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = pw_store_read_finish (result, &error);
  PwSessionList *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = PW_SESSION_LIST (object);
  g_clear_object (&self->search_cancellable);
  if (ids == NULL)
    {
      g_warning ("Could not search the sessions: %s", error->message);
      ids = g_ptr_array_new_with_free_func (g_free);
    }
  g_clear_pointer (&self->search_ids, g_ptr_array_unref);
  self->search_ids = g_steal_pointer (&ids);
  apply (self);
}

static void
start_search (PwSessionList *self)
{
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  if (self->query == NULL || self->engine == NULL)
    return;

  self->search_cancellable = g_cancellable_new ();
  pw_store_read_async (pw_store_get_path (pw_engine_get_store (self->engine)),
                       search_read, g_strdup (self->query), g_free,
                       (GDestroyNotify) g_ptr_array_unref,
                       self, self->search_cancellable, search_done, NULL);
}

/* Shows @rows (taken) as the sessions */
static void
set_rows (PwSessionList *self,
          GPtrArray     *rows)
{
  /* The visible rows borrow from the old array: keep it until apply()
   * has replaced them. */
  g_autoptr(GPtrArray) old_rows = g_steal_pointer (&self->rows);

  self->rows = rows;
  apply (self);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
  /* New or changed sessions may match now; the old answer shows meanwhile */
  start_search (self);
}

static void
load_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = pw_store_read_finish (result, &error);

  PwSessionList *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Not cancelled: the newest read */
  self = PW_SESSION_LIST (object);
  g_clear_object (&self->load_cancellable);
  if (rows == NULL)
    {
      g_warning ("Could not list the sessions: %s", error->message);
      rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_session_info_free);
    }
  set_rows (self, rows);
}

/* Re-reads the store on a worker; the rows shown stay until it answers */
static void
start_load (PwSessionList *self)
{
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->engine == NULL)
    {
      set_rows (self, g_ptr_array_new_with_free_func ((GDestroyNotify) pw_session_info_free));
      return;
    }
  self->load_cancellable = g_cancellable_new ();
  pw_store_read_async (pw_store_get_path (pw_engine_get_store (self->engine)),
                       list_read, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                       self, self->load_cancellable, load_done, NULL);
}

void
pw_session_list_refresh (PwSessionList *self)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_if_fail (PW_IS_SESSION_LIST (self));

  /* Now: whatever a read on the worker would say is older */
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->engine != NULL)
    {
      g_autoptr(GError) error = NULL;

      rows = pw_store_list_sessions (pw_engine_get_store (self->engine), NULL, NULL, &error);
      if (rows == NULL)
        g_warning ("Could not list the sessions: %s", error->message);
    }
  if (rows == NULL)
    rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_session_info_free);
  set_rows (self, g_steal_pointer (&rows));
}

gboolean
pw_session_list_is_loaded (PwSessionList *self)
{
  g_return_val_if_fail (PW_IS_SESSION_LIST (self), FALSE);
  return self->loaded;
}

gboolean
pw_session_list_is_reading (PwSessionList *self)
{
  g_return_val_if_fail (PW_IS_SESSION_LIST (self), FALSE);
  return self->load_cancellable != NULL || self->search_cancellable != NULL;
}

static void
on_session_changed (PwApplication *app,
                    const char    *session_id,
                    PwSessionList *self)
{
  start_load (self);
}

PwSessionList *
pw_session_list_new (PwEngine *engine)
{
  PwSessionList *self;
  PwApplication *app;

  g_return_val_if_fail (engine == NULL || PW_IS_ENGINE (engine), NULL);

  self = g_object_new (PW_TYPE_SESSION_LIST, NULL);
  g_set_object (&self->engine, engine);

  app = PW_IS_APPLICATION (g_application_get_default ()) ? pw_application_get_default () : NULL;
  if (app != NULL)
    self->changed_id = g_signal_connect_object (app, "session-changed",
                                                G_CALLBACK (on_session_changed), self, 0);
  start_load (self);
  return self;
}

void
pw_session_list_set_filter (PwSessionList   *self,
                            PwSessionFilter  filter)
{
  g_return_if_fail (PW_IS_SESSION_LIST (self));
  g_return_if_fail (filter <= PW_SESSION_FILTER_ARCHIVED);

  if (self->filter == filter)
    return;
  self->filter = filter;
  apply (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
}

PwSessionFilter
pw_session_list_get_filter (PwSessionList *self)
{
  g_return_val_if_fail (PW_IS_SESSION_LIST (self), PW_SESSION_FILTER_ALL);
  return self->filter;
}

void
pw_session_list_set_query (PwSessionList *self,
                           const char    *query)
{
  g_autofree char *stripped = NULL;

  g_return_if_fail (PW_IS_SESSION_LIST (self));

  stripped = g_strstrip (g_strdup (query ? query : ""));
  if (*stripped == '\0')
    g_clear_pointer (&stripped, g_free);
  if (g_strcmp0 (stripped, self->query) == 0)
    return;
  g_free (self->query);
  self->query = g_steal_pointer (&stripped);
  if (self->query == NULL)
    {
      g_clear_pointer (&self->search_ids, g_ptr_array_unref);
      start_search (self);   /* cancels the one running */
      apply (self);
    }
  else
    start_search (self);     /* applied when the answer comes */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_QUERY]);
}

const char *
pw_session_list_get_query (PwSessionList *self)
{
  g_return_val_if_fail (PW_IS_SESSION_LIST (self), NULL);
  return self->query;
}

guint
pw_session_list_find (PwSessionList *self,
                      const char    *session_id)
{
  g_return_val_if_fail (PW_IS_SESSION_LIST (self), GTK_INVALID_LIST_POSITION);

  if (session_id == NULL)
    return GTK_INVALID_LIST_POSITION;
  for (guint i = 0; i < self->visible->len; i++)
    {
      PwSessionInfo *info = g_ptr_array_index (self->visible, i);

      if (g_strcmp0 (info->id, session_id) != 0)
        continue;
      /* Asked for by id (a search result, the Shell, a new session): the
       * model offers it, and a page past it */
      if (i >= n_shown (self))
        show_more (self, i + 1 - n_shown (self) + PAGE_ROWS);
      return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

void
pw_session_list_hide (PwSessionList *self,
                      const char    *session_id)
{
  g_return_if_fail (PW_IS_SESSION_LIST (self));
  g_return_if_fail (session_id != NULL);

  g_hash_table_add (self->hidden, g_strdup (session_id));
  apply (self);
}

void
pw_session_list_unhide (PwSessionList *self,
                        const char    *session_id)
{
  g_return_if_fail (PW_IS_SESSION_LIST (self));
  g_return_if_fail (session_id != NULL);

  if (g_hash_table_remove (self->hidden, session_id))
    apply (self);
}

static void
pw_session_list_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PwSessionList *self = PW_SESSION_LIST (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      g_value_set_int (value, self->filter);
      break;
    case PROP_QUERY:
      g_value_set_string (value, self->query);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, n_shown (self));
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_session_list_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PwSessionList *self = PW_SESSION_LIST (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      pw_session_list_set_filter (self, g_value_get_int (value));
      break;
    case PROP_QUERY:
      pw_session_list_set_query (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pw_session_list_dispose (GObject *object)
{
  PwSessionList *self = PW_SESSION_LIST (object);

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  drop_items (self);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (pw_session_list_parent_class)->dispose (object);
}

static void
pw_session_list_finalize (GObject *object)
{
  PwSessionList *self = PW_SESSION_LIST (object);

  g_ptr_array_unref (self->items);
  g_ptr_array_unref (self->visible);
  g_ptr_array_unref (self->rows);
  g_hash_table_unref (self->hidden);
  g_clear_pointer (&self->search_ids, g_ptr_array_unref);
  g_free (self->query);

  G_OBJECT_CLASS (pw_session_list_parent_class)->finalize (object);
}

static void
pw_session_list_class_init (PwSessionListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pw_session_list_dispose;
  object_class->finalize = pw_session_list_finalize;
  object_class->get_property = pw_session_list_get_property;
  object_class->set_property = pw_session_list_set_property;

  properties[PROP_FILTER] =
    g_param_spec_int ("filter", NULL, NULL,
                      PW_SESSION_FILTER_ALL, PW_SESSION_FILTER_ARCHIVED, PW_SESSION_FILTER_ALL,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_QUERY] =
    g_param_spec_string ("query", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pw_session_list_init (PwSessionList *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) pw_session_info_free);
  self->visible = g_ptr_array_new ();
  self->items = g_ptr_array_new ();
  self->hidden = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->shown = PAGE_ROWS;
}
