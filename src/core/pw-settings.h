/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The settings key file shared by the window and the CLI. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  PW_ROLE_PLANNER,
  PW_ROLE_REVIEWER,
  PW_ROLE_SYNTHESIS,
  PW_N_ROLES
} PwRole;

typedef enum {
  PW_PROVIDER_ANTHROPIC,
  PW_PROVIDER_OPENAI_RESPONSES,
  PW_PROVIDER_OPENAI_CHAT,
  PW_N_PROVIDERS
} PwProviderKind;

const char *pw_role_to_string         (PwRole          role);
const char *pw_provider_kind_to_string (PwProviderKind kind);
gboolean    pw_provider_kind_from_string (const char   *str,
                                          PwProviderKind *out_kind);

#define PW_TYPE_SETTINGS (pw_settings_get_type ())
G_DECLARE_FINAL_TYPE (PwSettings, pw_settings, PW, SETTINGS, GObject)

/* Loads @path (NULL: the default file). A missing file gives defaults; a
 * malformed one is an error naming the file and line. Environment
 * overrides are applied here and nowhere else. */
PwSettings    *pw_settings_load              (const char  *path,
                                              GError     **error);
const char    *pw_settings_get_path          (PwSettings  *self);
gboolean       pw_settings_save              (PwSettings  *self,
                                              GError     **error);

PwProviderKind pw_settings_get_provider      (PwSettings  *self,
                                              PwRole       role);
const char    *pw_settings_get_model         (PwSettings  *self,
                                              PwRole       role);
/* Without a trailing "/v1" or "/" */
const char    *pw_settings_get_base_url      (PwSettings  *self,
                                              PwRole       role);
const char    *pw_settings_get_reasoning_effort (PwSettings *self,
                                              PwRole       role);
gsize          pw_settings_get_max_context_bytes (PwSettings *self);
guint          pw_settings_get_round_cap     (PwSettings  *self,
                                              const char  *mode);  /* standard | complex | fast */
/* [review] complexity: "auto" (detected from the plan; the default),
 * "standard" or "complex" — what a review run uses when not told */
const char    *pw_settings_get_complexity    (PwSettings  *self);

/* An integer of any group (e.g. [network] timeouts); @fallback when the
 * key is missing or not an integer. */
gint64         pw_settings_get_integer       (PwSettings  *self,
                                              const char  *group,
                                              const char  *key,
                                              gint64       fallback);

void           pw_settings_set_provider      (PwSettings  *self,
                                              PwRole       role,
                                              PwProviderKind kind);
void           pw_settings_set_model         (PwSettings  *self,
                                              PwRole       role,
                                              const char  *model);
void           pw_settings_set_base_url      (PwSettings  *self,
                                              PwRole       role,
                                              const char  *base_url);
/* NULL or "": back to the default (the key is removed) */
void           pw_settings_set_reasoning_effort (PwSettings *self,
                                              PwRole       role,
                                              const char  *effort);
/* The built-in effort of @role when the file names none (NULL: the
 * model's own default) */
const char    *pw_settings_get_default_reasoning_effort (PwRole role);
void           pw_settings_set_max_context_bytes (PwSettings *self,
                                              gsize        max_bytes);
void           pw_settings_set_round_cap     (PwSettings  *self,
                                              const char  *mode,
                                              guint        cap);
/* "auto" removes the key */
void           pw_settings_set_complexity    (PwSettings  *self,
                                              const char  *complexity);

G_END_DECLS
