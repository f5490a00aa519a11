/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store: frees of the row structs it hands out. */

#include "config.h"

#include "pw-store.h"

/* Frees */

void
pw_session_info_free (PwSessionInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->project);
  g_free (info->repo_root);
  g_free (info->created_at);
  g_free (info->updated_at);
  g_free (info);
}

void
pw_message_free (PwMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->role);
  g_free (message->content);
  g_free (message->model);
  g_free (message->created_at);
  g_free (message);
}

void
pw_context_entry_free (PwContextEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->entry_type);
  g_free (entry->name);
  g_free (entry->content);
  g_free (entry->original_path);
  g_free (entry->sha256);
  g_free (entry->created_at);
  g_free (entry->updated_at);
  g_free (entry);
}

void
pw_draft_free (PwDraft *draft)
{
  if (draft == NULL)
    return;
  g_free (draft->content);
  g_free (draft->author);
  g_free (draft->model);
  g_free (draft->warnings_json);
  g_free (draft->created_at);
  g_free (draft);
}

void
pw_review_issue_free (PwReviewIssue *issue)
{
  if (issue == NULL)
    return;
  g_free (issue->severity);
  g_free (issue->description);
  g_free (issue->rationale);
  g_free (issue->resolution_guidance);
  g_free (issue->target_section);
  g_free (issue->disposition);
  g_free (issue->disposition_rationale);
  g_free (issue);
}

void
pw_review_free (PwReview *review)
{
  if (review == NULL)
    return;
  g_free (review->verdict);
  g_free (review->summary);
  g_free (review->keep_json);
  g_free (review->trim_json);
  g_free (review->parse_mode);
  g_free (review->raw_response);
  g_free (review->reviewer_model);
  g_free (review->inconsistency);
  g_clear_pointer (&review->issues, g_ptr_array_unref);
  g_free (review->created_at);
  g_free (review);
}

void
pw_blocker_free (PwBlocker *blocker)
{
  if (blocker == NULL)
    return;
  g_free (blocker->source);
  g_free (blocker->question);
  g_free (blocker->answer);
  g_free (blocker->created_at);
  g_free (blocker->resolved_at);
  g_free (blocker);
}
