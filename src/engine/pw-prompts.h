/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The compiled-in prompts and their hashes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  PW_PROMPT_PLANNER_DISCUSSION,
  PW_PROMPT_SYNTHESIS,
  PW_PROMPT_PLAN_GENERATION,
  PW_PROMPT_PLAN_REPAIR,
  PW_PROMPT_FEEDBACK_VALIDATION,
  PW_PROMPT_REVISION,
  PW_PROMPT_REVIEWER_BASIC,
  PW_PROMPT_REVIEWER_GUIDANCE,
  PW_PROMPT_REVIEWER_KEEP_TRIM,
  PW_N_PROMPTS
} PwPrompt;

/* The key used in session_config's prompt_hashes, e.g. "planner" */
const char *pw_prompt_key        (PwPrompt prompt);
/* The prompt text (static, NUL-terminated) */
const char *pw_prompt_text       (PwPrompt prompt);
/* "sha256:<64 hex>" of the prompt's exact UTF-8 bytes (static) */
const char *pw_prompt_hash       (PwPrompt prompt);
/* {"planner": "sha256:…", …} of every prompt, as a JSON object text */
char       *pw_prompt_hashes_json (void);
/* The keys of @hashes_json whose hash differs from this build's (missing
 * keys count as different); NULL-terminated, empty when none drift. */
char      **pw_prompt_drift      (const char *hashes_json);

G_END_DECLS
