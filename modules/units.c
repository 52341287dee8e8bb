/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Placeholder until the units module lands (issue 4): no module plans unit actions yet. */
#include "../init/log.h"
#include "units.h"

int units_apply(const struct context *ctx _unused_, struct action *a)
{
        return log_error("unit %s: unit actions are not implemented yet", a->unit);
}

int units_daemon_reload(const struct context *ctx _unused_, struct action *a _unused_)
{
        return log_error("daemon-reload is not implemented yet");
}
