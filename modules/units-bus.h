/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running systemd, over sd-bus: systemd's private socket first (it is there before
 * dbus.service, and memprov runs before sysinit.target), the system bus otherwise. As root only.
 *
 * libsystemd is loaded (dlopen) only here, when memprov has units to change on a running
 * systemd: every other run (later boots, --root, --dry-run) never maps it and its six
 * dependencies, which is about 1.7 MiB of RSS and 1 ms of start-up.
 */
#pragma once

#include <stdbool.h>

typedef struct sd_bus sd_bus;
struct units_bus;

int units_bus_open(struct units_bus **ret);
/* Takes over an already connected bus (tests connect to a stand-in manager). */
int units_bus_wrap(sd_bus *bus, struct units_bus **ret);
void units_bus_close(struct units_bus *b);
/* DisableUnitFiles (persistent); *ret_changed when systemd removed any link. */
int units_bus_disable(struct units_bus *b, const char *unit, bool *ret_changed);
/* StopUnit mode "replace", which also cancels a start job the boot transaction queued. A
 * template stops every loaded instance. A unit that is not loaded is not an error. */
int units_bus_stop(struct units_bus *b, const char *unit);
/* StartUnit mode "replace"; does not wait for the job. */
int units_bus_start(struct units_bus *b, const char *unit);
/* Manager.Reload: what `systemctl daemon-reload` asks for; returns when systemd has reloaded. */
int units_bus_reload(struct units_bus *b);
/* The unit's ActiveState, newly allocated; "inactive" when systemd has not loaded it. */
int units_bus_active_state(struct units_bus *b, const char *unit, char **ret);
/* ReloadOrTryRestartUnit (restart: TryRestartUnit) mode "replace", and waits for the job:
 * what `systemctl reload-or-try-restart` does. A unit that is not running is left alone. */
int units_bus_reload_or_restart(struct units_bus *b, const char *unit, bool restart);
