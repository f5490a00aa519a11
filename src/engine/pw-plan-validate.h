/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Format rules of a milestone plan (behaviour.md §7), as a pure function. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PW_PLAN_MIN_MILESTONES 3
#define PW_PLAN_MAX_MILESTONES 5

/* Returns the warnings for @plan (empty when it is valid), in reading
 * order, one sentence each. Headings inside fenced code blocks are not
 * headings. */
GPtrArray *pw_plan_validate (const char *plan);

/* The warnings as a JSON array of strings, for plan_drafts.warnings_json */
char      *pw_plan_warnings_to_json (GPtrArray *warnings);

G_END_DECLS
