/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The models table: what each model accepts, how it thinks, what it costs. */
#pragma once

#include <glib-object.h>

#include "pw-settings.h"

G_BEGIN_DECLS

typedef enum {
  PW_THINKING_NONE,      /* no thinking fields are sent */
  PW_THINKING_ADAPTIVE,  /* Anthropic {"type":"adaptive"} + output_config.effort */
  PW_THINKING_BUDGET,    /* Anthropic {"type":"enabled","budget_tokens":N} */
  PW_THINKING_EFFORT,    /* OpenAI reasoning.effort / reasoning_effort */
} PwThinkingMode;

typedef struct {
  char           *id;
  PwProviderKind  provider;
  gboolean        known;            /* FALSE: an id not in the table, given conservative defaults */
  gint64          context_window;   /* tokens */
  gint64          max_output_tokens;
  PwThinkingMode  thinking;
  char          **efforts;          /* NULL-terminated accepted efforts, or NULL for none */
  char           *default_effort;   /* nullable */
  gboolean        accepts_sampling; /* temperature etc.; FALSE for Anthropic and reasoning models */
  gboolean        accepts_prefill;  /* a trailing assistant turn continues the text */
  /* USD per million tokens; prices_known FALSE → every cost is unknown.
   * A class the table gives no price for is NAN: tokens of that class
   * make the cost unknown. */
  gboolean        prices_known;
  double          price_input;
  double          price_output;
  double          price_cache_read;      /* Anthropic cache read / OpenAI cached input */
  double          price_cache_write;     /* Anthropic 5-minute write / OpenAI cache write */
  double          price_cache_write_1h;  /* Anthropic 1-hour write */
  /* Long-prompt band (Haiku 5.5, GPT-6.1): a call whose prompt exceeds
   * long_threshold tokens is billed wholly at these prices; 0 = no band.
   * The prompt is input + cache reads + writes (Anthropic) or
   * input_tokens (OpenAI, which already includes the cached part). */
  gint64          long_threshold;
  double          long_price_input;
  double          long_price_output;
  double          long_price_cache_read;
  double          long_price_cache_write;
  double          long_price_cache_write_1h;
} PwModelInfo;

/* Token counts of one call, as the provider reported them. */
typedef struct {
  gint64   input_tokens;        /* Anthropic: uncached input; OpenAI: all input incl. cached */
  gint64   output_tokens;       /* incl. reasoning/thinking */
  gint64   cache_read_tokens;   /* Anthropic cache_read_input_tokens / OpenAI cached_tokens */
  gint64   cache_write_tokens;  /* Anthropic cache_creation (5m) / OpenAI cache_write_tokens */
  gint64   cache_write_1h_tokens;
  gint64   reasoning_tokens;
  gboolean reported;            /* FALSE when the server sent no usage at all */
  gboolean server_cost_known;   /* OpenRouter's usage.cost */
  double   server_cost_usd;
} PwTokenUsage;

#define PW_TYPE_MODELS (pw_models_get_type ())
G_DECLARE_FINAL_TYPE (PwModels, pw_models, PW, MODELS, GObject)

/* The shipped table (resource models.json), with @override_path merged
 * over it by id when that file exists (NULL: $XDG_CONFIG_HOME/planwright/models.json).
 * A malformed override is an error naming the file. */
PwModels          *pw_models_load        (const char   *override_path,
                                          GError      **error);
/* Never NULL: an unknown id gets conservative defaults (known FALSE,
 * no thinking fields, unknown prices), its provider guessed from the id. */
const PwModelInfo *pw_models_lookup      (PwModels     *self,
                                          const char   *id);
/* The default model of a role (the table's "defaults") */
const char        *pw_models_get_default (PwModels     *self,
                                          PwRole        role);
/* FALSE when the cost is unknown (no usage, or no prices); never 0 for
 * unknown. A server-reported cost (OpenRouter) wins over the table.
 * *out_usd is only written on TRUE. Batch, Flex, priority and
 * inference_geo modifiers are not applied (the usage does not say). */
gboolean           pw_models_cost        (const PwModelInfo  *model,
                                          const PwTokenUsage *usage,
                                          double             *out_usd);

G_END_DECLS
