/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one comparison of the desired state with the machine (issue 20, "one model"): after
 * planning, every action learns whether the machine already is as it wants (action.as_planned).
 * Every mode reads that one answer: apply skips what is already so, --dry-run prints it
 * "unchanged" as the run would, and --status lists the rest as what --rerun would change.
 */
#pragma once

#include "../lib/context.h"
#include "../lib/plan.h"

/* Sets as_planned on the actions plan_review() did not (files and links are compared there,
 * where the file is read once). */
void plan_compare(const struct context *ctx, struct plan *p);
/* What applying a would change, in words, or NULL when it would change nothing. */
char *action_change(const struct action *a);
/* The same as values for --status --json ({"kind", "op", "name", ...}), or NULL. */
struct json_object *action_change_json(const struct action *a);
