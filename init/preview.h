/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "../lib/context.h"
#include "../lib/plan.h"

/* The plan as --json or text asked, then --diff's diffs: what a run shows, applied or not. */
void plan_show(const struct context *ctx, const struct plan *p);
/* --dry-run --diff: each file the plan writes or removes, as a unified diff against the root. */
void plan_print_diffs(const struct context *ctx, const struct plan *p);
