/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Umbrella header of the LLM transport layer: SSE parser, models table, keys, providers. */
#pragma once

#include "pw-core.h"
#include "pw-keys.h"
#include "pw-models.h"
#include "pw-provider.h"
#include "pw-sse-parser.h"
