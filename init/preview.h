/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "../lib/context.h"
#include "../lib/plan.h"

/* --dry-run --diff: each file the plan writes or removes, as a unified diff against the root. */
void plan_print_diffs(const struct context *ctx, const struct plan *p);
