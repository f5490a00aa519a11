/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The preferences window: providers, keys, review caps, context cap. */

#include "config.h"

#include <glib/gi18n.h>

#include "pw-application.h"
#include "pw-preferences.h"

/* Order of the provider combo rows, as PwProviderKind */
static const char *provider_labels[PW_N_PROVIDERS] = {
  N_("Anthropic"),
  N_("OpenAI Responses"),
  N_("OpenAI-Compatible"),
};

/* Efforts accepted by the settings file; "" is the role's default (no
 * key in the file: the model's own, or the built-in one of the role) */
static const char *efforts[] = { "", "none", "minimal", "low", "medium", "high", "xhigh", "max" };

/* As the complexity row's items; [review] complexity in the key file */
static const char *complexities[] = { "auto", "standard", "complex" };

typedef struct {
  PwPreferences *self;
  PwRole         role;
  AdwComboRow   *provider;
  AdwEntryRow   *model;
  AdwEntryRow   *base_url;
  AdwComboRow   *effort;
} RoleRows;

typedef struct {
  PwPreferences       *self;
  PwProviderKind       kind;
  AdwPreferencesGroup *group;
  AdwPasswordEntryRow *entry;
  GtkButton           *remove;
  GtkLabel            *state;
} KeyRows;

struct _PwPreferences
{
  AdwPreferencesWindow parent_instance;

  AdwPreferencesPage  *providers_page;
  AdwPreferencesPage  *keys_page;
  AdwComboRow         *complexity_row;
  GtkSpinButton       *cap_standard;
  GtkSpinButton       *cap_complex;
  GtkSpinButton       *cap_fast;
  GtkSpinButton       *context_cap;

  GCancellable        *cancellable;
  RoleRows             roles[PW_N_ROLES];
  KeyRows              keys[PW_N_PROVIDERS];
  gboolean             loading;
};

G_DEFINE_FINAL_TYPE (PwPreferences, pw_preferences, ADW_TYPE_PREFERENCES_WINDOW)

static PwEngine *
get_engine (void)
{
  PwApplication *app = pw_application_get_default ();

  return app ? pw_application_get_engine (app) : NULL;
}

static void
toast (PwPreferences *self,
       const char    *message)
{
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (message));
}

/* Writes the key file and drops the engine's providers, so the next call
 * is made with the new choices (and the CLI sees them too). */
static void
save (PwPreferences *self)
{
  g_autoptr(GError) error = NULL;
  PwEngine *engine = get_engine ();

  if (engine == NULL || self->loading)
    return;
  if (!pw_settings_save (pw_engine_get_settings (engine), &error))
    {
      g_autofree char *message = g_strdup_printf (_("Settings not saved: %s"), error->message);
      toast (self, message);
      return;
    }
  for (guint role = 0; role < PW_N_ROLES; role++)
    pw_engine_set_provider (engine, role, NULL);
}

static void
role_provider_cb (AdwComboRow *row,
                  GParamSpec  *pspec,
                  RoleRows    *rows)
{
  PwEngine *engine = get_engine ();
  guint selected = adw_combo_row_get_selected (row);

  if (engine == NULL || rows->self->loading || selected >= PW_N_PROVIDERS)
    return;
  pw_settings_set_provider (pw_engine_get_settings (engine), rows->role, selected);
  save (rows->self);
  /* The base URL shown is the new provider's */
  {
    const char *url = pw_settings_get_base_url (pw_engine_get_settings (engine), rows->role);

    rows->self->loading = TRUE;
    gtk_editable_set_text (GTK_EDITABLE (rows->base_url), url ? url : "");
    rows->self->loading = FALSE;
  }
}

static void
role_effort_cb (AdwComboRow *row,
                GParamSpec  *pspec,
                RoleRows    *rows)
{
  PwEngine *engine = get_engine ();
  guint selected = adw_combo_row_get_selected (row);

  if (engine == NULL || rows->self->loading || selected >= G_N_ELEMENTS (efforts))
    return;
  /* The first item removes the key: back to the default */
  pw_settings_set_reasoning_effort (pw_engine_get_settings (engine), rows->role,
                                    selected == 0 ? NULL : efforts[selected]);
  save (rows->self);
}

static void
role_model_apply_cb (AdwEntryRow *row,
                     RoleRows    *rows)
{
  PwEngine *engine = get_engine ();
  g_autofree char *model = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (engine == NULL)
    return;
  if (*model == '\0')
    {
      toast (rows->self, _("A model name is needed"));
      return;
    }
  pw_settings_set_model (pw_engine_get_settings (engine), rows->role, model);
  save (rows->self);
}

static void
role_base_url_apply_cb (AdwEntryRow *row,
                        RoleRows    *rows)
{
  PwEngine *engine = get_engine ();
  g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  if (engine == NULL)
    return;
  if (*url && !g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      toast (rows->self, _("The base URL must start with http:// or https://"));
      return;
    }
  pw_settings_set_base_url (pw_engine_get_settings (engine), rows->role, url);
  save (rows->self);
}

static void
add_role_group (PwPreferences *self,
                PwRole         role,
                const char    *title,
                const char    *description)
{
  RoleRows *rows = &self->roles[role];
  GtkWidget *group = adw_preferences_group_new ();
  g_autoptr(GtkStringList) providers = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) effort_list = gtk_string_list_new (NULL);
  g_autofree char *a11y = NULL;

  rows->self = self;
  rows->role = role;
  for (guint i = 0; i < PW_N_PROVIDERS; i++)
    gtk_string_list_append (providers, _(provider_labels[i]));
  if (pw_settings_get_default_reasoning_effort (role) != NULL)
    {
      /* Translators: the reasoning effort used when none is chosen, "Default (high)" */
      g_autofree char *label = g_strdup_printf (_("Default (%s)"), pw_settings_get_default_reasoning_effort (role));

      gtk_string_list_append (effort_list, label);
    }
  else
    gtk_string_list_append (effort_list, _("Model Default"));
  for (guint i = 1; i < G_N_ELEMENTS (efforts); i++)
    gtk_string_list_append (effort_list, efforts[i]);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);

  rows->provider = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows->provider), _("Provider"));
  adw_combo_row_set_model (rows->provider, G_LIST_MODEL (providers));
  a11y = g_strdup_printf (_("%s provider"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (rows->provider), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_signal_connect (rows->provider, "notify::selected", G_CALLBACK (role_provider_cb), rows);

  rows->model = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows->model), _("Model"));
  adw_entry_row_set_show_apply_button (rows->model, TRUE);
  g_clear_pointer (&a11y, g_free);
  a11y = g_strdup_printf (_("%s model"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (rows->model), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_signal_connect (rows->model, "apply", G_CALLBACK (role_model_apply_cb), rows);

  rows->base_url = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows->base_url), _("Base URL (empty: the public endpoint)"));
  adw_entry_row_set_show_apply_button (rows->base_url, TRUE);
  gtk_editable_set_enable_undo (GTK_EDITABLE (rows->base_url), TRUE);
  g_clear_pointer (&a11y, g_free);
  a11y = g_strdup_printf (_("%s base URL"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (rows->base_url), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_signal_connect (rows->base_url, "apply", G_CALLBACK (role_base_url_apply_cb), rows);

  rows->effort = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows->effort), _("Reasoning Effort"));
  adw_combo_row_set_model (rows->effort, G_LIST_MODEL (effort_list));
  g_clear_pointer (&a11y, g_free);
  a11y = g_strdup_printf (_("%s reasoning effort"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (rows->effort), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_signal_connect (rows->effort, "notify::selected", G_CALLBACK (role_effort_cb), rows);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (rows->provider));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (rows->model));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (rows->base_url));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (rows->effort));
  adw_preferences_page_add (self->providers_page, ADW_PREFERENCES_GROUP (group));
}

/* Keys */

static void
set_key_state (KeyRows    *rows,
               const char *state,
               gboolean    removable)
{
  gtk_label_set_text (rows->state, state);
  gtk_widget_set_sensitive (GTK_WIDGET (rows->remove), removable);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  KeyRows *rows = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = pw_keys_lookup_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (key)
    set_key_state (rows, _("Stored in the keyring"), TRUE);
  else if (g_error_matches (error, PW_KEYS_ERROR, PW_KEYS_ERROR_NOT_FOUND))
    set_key_state (rows, _("Not set"), FALSE);
  else
    set_key_state (rows, error->message, FALSE);
}

static void
refresh_key (KeyRows *rows)
{
  const char *var = pw_keys_env_var (rows->kind);

  if (g_getenv (var) && *g_getenv (var))
    {
      g_autofree char *state = g_strdup_printf (_("Set by the %s environment variable"), var);

      set_key_state (rows, state, FALSE);
      return;
    }
  set_key_state (rows, _("Checking the keyring…"), FALSE);
  pw_keys_lookup_async (rows->kind, rows->self->cancellable, lookup_cb, rows);
}

typedef struct {
  PwProviderKind kind;
  char          *key;  /* NULL: delete */
} KeyJob;

static void
key_job_free (KeyJob *job)
{
  if (job->key)
    memset (job->key, 0, strlen (job->key));
  g_free (job->key);
  g_free (job);
}

/* libsecret's sync calls block on D-Bus: run them off the main thread */
static void
key_job_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  KeyJob *job = data;
  GError *error = NULL;
  gboolean ok;

  if (job->key)
    ok = pw_keys_store (job->kind, job->key, cancellable, &error);
  else
    ok = pw_keys_delete (job->kind, cancellable, &error);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
key_job_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  KeyRows *rows = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      toast (rows->self, error->message);
    }
  else
    {
      PwEngine *engine = get_engine ();

      for (guint role = 0; engine && role < PW_N_ROLES; role++)
        pw_engine_set_provider (engine, role, NULL);
    }
  refresh_key (rows);
}

static void
run_key_job (KeyRows    *rows,
             const char *key)
{
  g_autoptr(GTask) task = g_task_new (NULL, rows->self->cancellable, key_job_done_cb, rows);
  KeyJob *job = g_new0 (KeyJob, 1);

  job->kind = rows->kind;
  job->key = g_strdup (key);
  g_task_set_task_data (task, job, (GDestroyNotify) key_job_free);
  g_task_run_in_thread (task, key_job_thread);
}

static void
key_apply_cb (AdwEntryRow *row,
              KeyRows     *rows)
{
  g_autofree char *key = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  /* The key leaves the widget at once: it is never shown back */
  gtk_editable_set_text (GTK_EDITABLE (row), "");
  if (*key == '\0')
    return;
  set_key_state (rows, _("Storing…"), FALSE);
  run_key_job (rows, key);
  memset (key, 0, strlen (key));
}

static void
key_remove_cb (GtkButton *button,
               KeyRows   *rows)
{
  set_key_state (rows, _("Removing…"), FALSE);
  run_key_job (rows, NULL);
}

static void
add_key_group (PwPreferences  *self,
               PwProviderKind  kind,
               const char     *title,
               const char     *description)
{
  KeyRows *rows = &self->keys[kind];
  g_autofree char *a11y = g_strdup_printf (_("%s API key"), title);
  g_autofree char *remove_a11y = g_strdup_printf (_("Remove the %s key from the keyring"), title);
  GtkWidget *state_row = adw_action_row_new ();

  rows->self = self;
  rows->kind = kind;
  rows->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (rows->group, title);
  adw_preferences_group_set_description (rows->group, description);

  rows->entry = ADW_PASSWORD_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows->entry), _("New Key"));
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (rows->entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (rows->entry), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  g_signal_connect (rows->entry, "apply", G_CALLBACK (key_apply_cb), rows);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (state_row), _("State"));
  rows->state = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_ellipsize (rows->state, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (rows->state), "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (state_row), GTK_WIDGET (rows->state));
  rows->remove = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Remove")));
  gtk_widget_set_valign (GTK_WIDGET (rows->remove), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (rows->remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_a11y, -1);
  g_signal_connect (rows->remove, "clicked", G_CALLBACK (key_remove_cb), rows);
  adw_action_row_add_suffix (ADW_ACTION_ROW (state_row), GTK_WIDGET (rows->remove));

  adw_preferences_group_add (rows->group, GTK_WIDGET (rows->entry));
  adw_preferences_group_add (rows->group, state_row);
  adw_preferences_page_add (self->keys_page, rows->group);
}

/* Review and context */

static void
complexity_changed_cb (AdwComboRow   *row,
                       GParamSpec    *pspec,
                       PwPreferences *self)
{
  PwEngine *engine = get_engine ();
  guint selected = adw_combo_row_get_selected (row);

  if (engine == NULL || self->loading || selected >= G_N_ELEMENTS (complexities))
    return;
  pw_settings_set_complexity (pw_engine_get_settings (engine), complexities[selected]);
  save (self);
}

static void
cap_changed_cb (GtkSpinButton *spin,
                PwPreferences *self)
{
  PwEngine *engine = get_engine ();
  const char *mode = g_object_get_data (G_OBJECT (spin), "pw-mode");

  if (engine == NULL || self->loading)
    return;
  pw_settings_set_round_cap (pw_engine_get_settings (engine), mode,
                             gtk_spin_button_get_value_as_int (spin));
  save (self);
}

static void
context_cap_changed_cb (GtkSpinButton *spin,
                        PwPreferences *self)
{
  PwEngine *engine = get_engine ();

  if (engine == NULL || self->loading)
    return;
  pw_settings_set_max_context_bytes (pw_engine_get_settings (engine),
                                     (gsize) gtk_spin_button_get_value_as_int (spin) * 1024);
  save (self);
}

static void
load (PwPreferences *self)
{
  PwEngine *engine = get_engine ();
  PwSettings *settings;

  if (engine == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->providers_page), FALSE);
      return;
    }
  settings = pw_engine_get_settings (engine);
  self->loading = TRUE;
  for (guint role = 0; role < PW_N_ROLES; role++)
    {
      RoleRows *rows = &self->roles[role];
      const char *effort = pw_settings_get_reasoning_effort (settings, role);
      const char *url = pw_settings_get_base_url (settings, role);
      guint selected = 0;

      adw_combo_row_set_selected (rows->provider, pw_settings_get_provider (settings, role));
      gtk_editable_set_text (GTK_EDITABLE (rows->model), pw_settings_get_model (settings, role));
      gtk_editable_set_text (GTK_EDITABLE (rows->base_url), url ? url : "");
      /* The role's default shows as the first item, chosen or not */
      for (guint i = 1; effort && i < G_N_ELEMENTS (efforts); i++)
        if (g_strcmp0 (effort, efforts[i]) == 0
            && g_strcmp0 (effort, pw_settings_get_default_reasoning_effort (role)) != 0)
          selected = i;
      adw_combo_row_set_selected (rows->effort, selected);
    }
  for (guint i = 0; i < G_N_ELEMENTS (complexities); i++)
    if (g_strcmp0 (pw_settings_get_complexity (settings), complexities[i]) == 0)
      adw_combo_row_set_selected (self->complexity_row, i);
  gtk_spin_button_set_value (self->cap_standard, pw_settings_get_round_cap (settings, "standard"));
  gtk_spin_button_set_value (self->cap_complex, pw_settings_get_round_cap (settings, "complex"));
  gtk_spin_button_set_value (self->cap_fast, pw_settings_get_round_cap (settings, "fast"));
  gtk_spin_button_set_value (self->context_cap,
                             (double) MAX (1, pw_settings_get_max_context_bytes (settings) / 1024));
  self->loading = FALSE;
}

static void
pw_preferences_dispose (GObject *object)
{
  PwPreferences *self = PW_PREFERENCES (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), PW_TYPE_PREFERENCES);

  G_OBJECT_CLASS (pw_preferences_parent_class)->dispose (object);
}

static void
pw_preferences_class_init (PwPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pw_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/planwright/Planwright/app/pw-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, PwPreferences, providers_page);
  gtk_widget_class_bind_template_child (widget_class, PwPreferences, keys_page);
  gtk_widget_class_bind_template_child (widget_class, PwPreferences, complexity_row);
  gtk_widget_class_bind_template_child (widget_class, PwPreferences, cap_standard);
  gtk_widget_class_bind_template_child (widget_class, PwPreferences, cap_complex);
  gtk_widget_class_bind_template_child (widget_class, PwPreferences, cap_fast);
  gtk_widget_class_bind_template_child (widget_class, PwPreferences, context_cap);
}

static void
pw_preferences_init (PwPreferences *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  {
    GtkWidget *intro = adw_preferences_group_new ();

    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (intro),
                                           _("Each role can use Anthropic, OpenAI, or a local OpenAI-compatible "
                                             "server such as Ollama or llama.cpp: choose “OpenAI-Compatible” "
                                             "and set its base URL, e.g. http://127.0.0.1:11434. The "
                                             "command-line tool reads the same settings."));
    adw_preferences_page_add (self->providers_page, ADW_PREFERENCES_GROUP (intro));
  }
  {
    GtkWidget *intro = adw_preferences_group_new ();

    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (intro),
                                           _("Keys are kept in the desktop keyring and never shown again. "
                                             "When an environment variable is set, it is used instead."));
    adw_preferences_page_add (self->keys_page, ADW_PREFERENCES_GROUP (intro));
  }
  add_role_group (self, PW_ROLE_PLANNER, _("Planner"),
                  _("Discusses the feature with you and writes the plan"));
  add_role_group (self, PW_ROLE_REVIEWER, _("Reviewer"),
                  _("Reviews each plan draft"));
  add_role_group (self, PW_ROLE_SYNTHESIS, _("Synthesis"),
                  _("Condenses the discussion and context into a brief"));

  add_key_group (self, PW_PROVIDER_ANTHROPIC, _("Anthropic"),
                 _("Used by roles set to Anthropic (ANTHROPIC_API_KEY)"));
  add_key_group (self, PW_PROVIDER_OPENAI_RESPONSES, _("OpenAI"),
                 _("Used by roles set to OpenAI Responses (OPENAI_API_KEY)"));
  add_key_group (self, PW_PROVIDER_OPENAI_CHAT, _("OpenAI-Compatible Server"),
                 _("Optional: many local servers need no key"));

  g_object_set_data (G_OBJECT (self->cap_standard), "pw-mode", (gpointer) "standard");
  g_object_set_data (G_OBJECT (self->cap_complex), "pw-mode", (gpointer) "complex");
  g_object_set_data (G_OBJECT (self->cap_fast), "pw-mode", (gpointer) "fast");

  load (self);

  g_signal_connect (self->complexity_row, "notify::selected", G_CALLBACK (complexity_changed_cb), self);
  g_signal_connect (self->cap_standard, "value-changed", G_CALLBACK (cap_changed_cb), self);
  g_signal_connect (self->cap_complex, "value-changed", G_CALLBACK (cap_changed_cb), self);
  g_signal_connect (self->cap_fast, "value-changed", G_CALLBACK (cap_changed_cb), self);
  g_signal_connect (self->context_cap, "value-changed", G_CALLBACK (context_cap_changed_cb), self);

  for (guint kind = 0; kind < PW_N_PROVIDERS; kind++)
    refresh_key (&self->keys[kind]);
}

GtkWidget *
pw_preferences_new (GtkWindow *parent)
{
  /* The application makes app.* actions (remove-demo-sessions) reachable */
  return g_object_new (PW_TYPE_PREFERENCES,
                       "application", g_application_get_default (),
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}
