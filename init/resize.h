/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>

#include "../lib/context.h"

/* Whether a run without --rerun on a provisioned machine re-provisions it: the nominal RAM or
 * the swapfile's filesystem differs from what memprov provisioned, and [memprov] on_resize is
 * rerun (the default). Pure: resize_log() says what changed when the run acts on it. */
bool resize_pending(const struct context *ctx);
void resize_log(const struct context *ctx);
