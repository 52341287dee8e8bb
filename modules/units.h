/* SPDX-License-Identifier: GPL-2.0-or-later */
/* systemd units: disable/enable (sd-bus online, unit files offline) and daemon-reload. */
#pragma once

#include "module.h"

int units_apply(const struct context *ctx, struct action *a);
int units_daemon_reload(const struct context *ctx, struct action *a);
