/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Umbrella header of the engine, and PwEngine: what every operation needs (store, settings, models, providers). */
#pragma once

#include "pw-llm.h"
#include "pw-operation.h"
#include "pw-plan-validate.h"
#include "pw-prompts.h"

G_BEGIN_DECLS

#define PW_TYPE_ENGINE (pw_engine_get_type ())
G_DECLARE_FINAL_TYPE (PwEngine, pw_engine, PW, ENGINE, GObject)

PwEngine   *pw_engine_new          (PwStore     *store,
                                    PwSettings  *settings,
                                    PwModels    *models);
PwStore    *pw_engine_get_store    (PwEngine    *self);
PwSettings *pw_engine_get_settings (PwEngine    *self);
PwModels   *pw_engine_get_models   (PwEngine    *self);
/* The provider of @role, made on first use from the settings (key from
 * the environment or the keyring) with the [network] timeouts and retry
 * settings applied; NULL with an error (no key, bad settings). */
PwProvider *pw_engine_get_provider (PwEngine    *self,
                                    PwRole       role,
                                    GError     **error);
/* Replaces the provider of @role (the window after an async key lookup) */
void        pw_engine_set_provider (PwEngine    *self,
                                    PwRole       role,
                                    PwProvider  *provider);
/* The model a role uses in @session_id: the session's config snapshot
 * (model / model_default for the planner), else the settings. */
char       *pw_engine_get_model    (PwEngine    *self,
                                    const char  *session_id,
                                    PwRole       role);

G_END_DECLS
