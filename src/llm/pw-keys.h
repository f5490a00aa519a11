/* SPDX-License-Identifier: GPL-3.0-or-later */
/* API keys: from the environment, else from the desktop keyring (libsecret). */
#pragma once

#include <gio/gio.h>

#include "pw-settings.h"

G_BEGIN_DECLS

#define PW_KEYS_ERROR (pw_keys_error_quark ())

typedef enum {
  PW_KEYS_ERROR_NOT_FOUND,    /* no variable and nothing in the keyring */
  PW_KEYS_ERROR_UNAVAILABLE,  /* no keyring service (message says what to do) */
} PwKeysError;

GQuark pw_keys_error_quark (void);

/* The environment variable for @kind: ANTHROPIC_API_KEY or OPENAI_API_KEY
 * (both OpenAI kinds). The keyring is not touched when it is set. */
const char *pw_keys_env_var        (PwProviderKind   kind);

/* Synchronous, for the CLI. */
char       *pw_keys_lookup         (PwProviderKind   kind,
                                    GCancellable    *cancellable,
                                    GError         **error);
void        pw_keys_lookup_async   (PwProviderKind   kind,
                                    GCancellable    *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer         user_data);
char       *pw_keys_lookup_finish  (GAsyncResult    *result,
                                    GError         **error);
/* The keyring only (preferences page); one item per provider kind. */
gboolean    pw_keys_store          (PwProviderKind   kind,
                                    const char      *key,
                                    GCancellable    *cancellable,
                                    GError         **error);
gboolean    pw_keys_delete         (PwProviderKind   kind,
                                    GCancellable    *cancellable,
                                    GError         **error);

G_END_DECLS
