/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The running systemd, over sd-bus: systemd's private socket first (it is there before
 * dbus.service, and memprov runs before sysinit.target), the system bus otherwise. As root only.
 */
#pragma once

#include <stdbool.h>

typedef struct sd_bus sd_bus;

int units_bus_open(sd_bus **ret);
/* DisableUnitFiles (persistent); *ret_changed when systemd removed any link. */
int units_bus_disable(sd_bus *bus, const char *unit, bool *ret_changed);
/* StopUnit mode "replace", which also cancels a start job the boot transaction queued. A
 * template stops every loaded instance. A unit that is not loaded is not an error. */
int units_bus_stop(sd_bus *bus, const char *unit);
/* StartUnit mode "replace"; does not wait for the job. */
int units_bus_start(sd_bus *bus, const char *unit);
/* Manager.Reload: what `systemctl daemon-reload` asks for; returns when systemd has reloaded. */
int units_bus_reload(sd_bus *bus);
