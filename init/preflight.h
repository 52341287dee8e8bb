/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "../lib/context.h"
#include "../lib/plan.h"

/* Checks every path the plan writes (files, links, unit links, the swapfile, fstab, the state
 * and the intent record); the first refusal is logged and returned, nothing changed. */
int preflight(const struct context *ctx, struct plan *p);
/* A file (or link) in a folder reached through a symbolic link the admin made: "skip" with the
 * reason, and what only follows from it (its live steps, its link) skipped too; for the plan of
 * any mode, before plan_compare() (the reasons: init/preflight.c). */
void preflight_links(const struct context *ctx, struct plan *p);
