/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memprov --rerun makes the new tier live: after a rerun that changed a service's settings on
 * the running system, the module that wrote them plans how they take effect (a graceful
 * reload through systemd, or the database's dynamic variables set through its own client).
 * Never at boot (services have not started: the boot run is no --rerun), never under --root,
 * never on a run that pretends a size (--assume-ram, --assume-disk: tests).
 */
#pragma once

#include <stdbool.h>

#include "context.h"
#include "plan.h"

bool live_wanted(const struct context *ctx);
/* Whether services are restarted where a reload cannot apply everything (--restart-services,
 * [services] restart = yes). */
bool live_restart_wanted(const struct context *ctx);
/* Whether file's planned content differs from the file on disk now; *ret_old (may be NULL)
 * gets the content on disk ("" when there is none). */
bool live_file_changes(const struct context *ctx, const struct action *file, char **ret_old);
/* ACTION_SERVICE_LIVE for unit, to run after file (a copy of its path and content: applied
 * only if the file on disk is then what memprov planned, not an admin's edit). */
struct action *live_plan_unit(struct plan *p, const char *module, const struct action *file,
                              const char *unit, enum unit_op op);
/* The first of units installed (a regular file in systemd's unit directories), or NULL. */
const char *live_first_unit(const struct context *ctx, const char *const *units);
/* Whether path on disk holds exactly content (memprov's planned file is in place). */
bool live_file_in_place(const struct context *ctx, const char *path, const char *content,
                        size_t size);
