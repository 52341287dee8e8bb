/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "../lib/context.h"

/* Whether a run without --rerun on a provisioned machine re-provisions it: the nominal RAM or
 * the swapfile's filesystem differs from what memprov provisioned, and [memprov] on_resize is
 * rerun (the default). Logs what changed and what it does about it. */
bool resize_wants_rerun(const struct context *ctx);
