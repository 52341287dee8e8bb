/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unused services: groups of units (conf.d/30-units.conf, [unit-groups]) that the tier table
 * ([tier SIZE] units.disable) or [units] disable= turns off and [units] keep= keeps. Online
 * through systemd over sd-bus, offline (--root, or no systemd running) on the unit files as
 * `systemctl --root disable` leaves them. Only units memprov disabled are ever re-enabled; a unit
 * the admin disabled, masked or enabled again is left alone.
 *
 * An ACTION_UNIT's content holds the unit's links ("PATH TARGET" lines, see units-files.h):
 * those a disable removes, or those an enable puts back.
 */
#pragma once

#include "module.h"

extern const struct module units_module;

/* units-select.c: the module's configuration keys; [units] disable with "auto" standing for
 * the tier's list (group and unit names); a group's units ("name@*.service" as its template),
 * or the unit itself; the group a unit belongs to, or the unit's own name. */
extern const struct config_key units_keys[];
char **units_selected(const struct context *ctx);
char **units_of_item(const struct context *ctx, const char *item);
const char *units_group_of(const struct context *ctx, const char *unit);

/* units-record.c: [unit NAME] in the state or an intent record (record may be NULL). */
#define STATE_DISABLED "disabled" /* memprov disabled it: memprov may enable it again */
#define STATE_RELEASED "released" /* the admin took it over since: never touched again */
const char *units_recorded_in(const struct config *record, const char *unit, const char *key);
/* The links recorded for unit (those its disable removed), as struct unit_links
 * (units-files.h). */
struct unit_links;
int units_recorded_links(const struct config *record, const char *unit, struct unit_links *ret);
/* The module's record hook: each unit this run disabled or found taken over, and the rest of
 * the old state's [unit NAME] sections carried over. */
void units_record(const struct context *ctx, const struct plan *p, struct config *state);

/* Whether units are changed through the running systemd (else on the unit files). */
bool units_online(const struct context *ctx);
/* ACTION_UNIT, ACTION_DAEMON_RELOAD and ACTION_SERVICE_LIVE, for units_module (units-apply.c). */
int units_apply_action(const struct context *ctx, struct action *a);
int units_apply(const struct context *ctx, struct action *a);
int units_daemon_reload(const struct context *ctx, struct action *a);
/* ACTION_SERVICE_LIVE (units-live.c). */
int units_apply_live(const struct context *ctx, struct action *a);

/* units-consumers.c: the [consumer NAME] table's installed and enabled consumers into
 * services->consumers (the module's detect hook), and the plan's view of them. */
int units_detect(const struct context *ctx, struct services *services);
void units_plan_consumers(const struct context *ctx, struct plan *p);

/* units-inuse.c: why a unit group ("bind", "postgres", "mailman") is in use, read under the root
 * ("serves 3 zones of its own (/etc/bind/named.conf.local:12)"), or NULL. */
char *units_group_in_use(const struct context *ctx, const char *group);
/* Whether the tier's group item stays enabled because it is in use (noted in the plan and in
 * --json inputs.units_in_use); false when the admin names it in [units] disable. */
bool units_keep_in_use(const struct context *ctx, struct plan *p, const char *item);

/* [units] disable/keep and a tier's units.disable: group names, unit names, "auto", "none". */
int check_unit_selection(const char *v);
/* [unit-groups] values: unit names, an instance may be "*" (every instance of a template). */
int check_unit_patterns(const char *v);
