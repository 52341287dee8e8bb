/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "../lib/context.h"
#include "../lib/plan.h"

/* Before apply or --dry-run: leaves alone managed files the admin has edited, and plans the
 * removal of files memprov wrote before that the new plan no longer wants. */
void plan_review(const struct context *ctx, struct plan *p);
/* Checks every path the plan writes, records intent (the new state as planned; NULL: none, as
 * for --undo, which a second --undo completes) in the intent record, then performs every
 * action, each compare-then-change; stops at the first error (logged). */
int apply_plan(const struct context *ctx, struct plan *p, const struct config *intent);
/* The managed files in the new state, with the hash of what they now hold; those left alone
 * as the admin's keep their previous record. */
void record_files(const struct context *ctx, const struct plan *p, struct config *state);

/* For --undo: the removal of every file and link memprov recorded; one the admin changed since
 * is kept (a skipped action that names it). */
void plan_undo_files(const struct context *ctx, struct plan *p);
