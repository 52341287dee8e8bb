/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "../lib/context.h"
#include "../lib/plan.h"

/* --status exit statuses, bits that add up (documented in memprov(8)); 1 is an error. */
#define STATUS_DRIFT           2 /* something memprov set was changed since (by the admin) */
#define STATUS_PENDING         4 /* --rerun would change something (RAM or disk resized...) */
#define STATUS_NOT_PROVISIONED 8 /* no state: never provisioned, or put back by --undo */

/* Prints the summary (text or --json); returns the exit status above, or a negative errno.
 * plan: how the program plans a --rerun, for what it would change. */
int status_run(const struct context *ctx, int (*plan)(const struct context *ctx, struct plan *p));
