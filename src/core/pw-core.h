/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Umbrella header of the core layer. */
#pragma once

#include "pw-context-file.h"
#include "pw-export.h"
#include "pw-fs.h"
#include "pw-lifecycle.h"
#include "pw-paths.h"
#include "pw-resources.h"
#include "pw-settings.h"
#include "pw-store.h"
#include "pw-store-reader.h"
#include "pw-text.h"
