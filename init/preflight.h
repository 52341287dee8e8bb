/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "../lib/context.h"
#include "../lib/plan.h"

/* Checks every path the plan writes (files, links, unit links, the swapfile, fstab, the state
 * and the intent record); the first refusal is logged and returned, nothing changed. */
int preflight(const struct context *ctx, struct plan *p);
