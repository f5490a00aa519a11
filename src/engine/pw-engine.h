/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Umbrella header of the planning and review engine: filled by the engine work. */
#pragma once

#include "pw-llm.h"
