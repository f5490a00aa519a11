/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Umbrella header of the LLM transport layer (providers, SSE, retries): filled by the transport work. */
#pragma once

#include "pw-core.h"
