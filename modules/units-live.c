/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ACTION_SERVICE_LIVE: after a --rerun wrote a running service's new settings, systemd reloads
 * it gracefully (ExecReload: apachectl graceful, php-fpm's USR2), or restarts it when asked,
 * so the new tier is live without a reboot. A service that is not running is left alone: it
 * reads its files when it starts.
 */
#include "../lib/live.h"
#include "../lib/log.h"
#include "units-bus.h"
#include "units.h"

/* UNIT_START / UNIT_STOP: any run on the running systemd (lib/plan.h). Start does not wait for
 * its job: at boot memprov runs before sysinit.target, which the swap unit is ordered before. */
static int apply_start_stop(const struct context *ctx, struct action *a)
{
        _cleanup_free_ char *state = NULL;
        struct units_bus *bus = NULL;
        bool start = a->unit_op == UNIT_START;
        int r;

        if (!units_online(ctx))
                return 0;
        if (a->path && !live_file_in_place(ctx, a->path, a->content, a->content_size)) {
                free(a->note);
                a->note = xasprintf("%s is not memprov's planned file: left as it is", a->path);
                return 0;
        }
        r = units_bus_open(&bus);
        if (r == 0)
                r = units_bus_active_state(bus, a->unit, &state);
        if (r == 0 && start && !streq(state, "active") && !streq(state, "activating")) {
                r = units_bus_start(bus, a->unit);
                a->changed = r == 0;
        } else if (r == 0 && !start && !streq(state, "inactive")) {
                r = units_bus_stop(bus, a->unit);
                a->changed = r == 0;
        }
        units_bus_close(bus);
        if (r < 0) {
                free(a->note);
                a->note = xasprintf("failed (see the log): %s %s by hand", start ? "start" : "stop",
                                    a->unit);
        }
        return 0;
}

int units_apply_live(const struct context *ctx, struct action *a)
{
        _cleanup_free_ char *state = NULL;
        struct units_bus *bus = NULL;
        bool restart = a->unit_op == UNIT_RESTART;
        int r;

        if (a->unit_op == UNIT_START || a->unit_op == UNIT_STOP)
                return apply_start_stop(ctx, a);
        if (!live_wanted(ctx))
                return 0;
        /* The admin's edit (the file was left alone) is not memprov's to make live. */
        if (a->path && !live_file_in_place(ctx, a->path, a->content, a->content_size)) {
                free(a->note);
                a->note = xasprintf("%s is not memprov's planned file: not reloaded", a->path);
                return 0;
        }
        r = units_bus_open(&bus);
        if (r == 0)
                r = units_bus_active_state(bus, a->unit, &state);
        if (r == 0 && !streq(state, "active") && !streq(state, "reloading")) {
                free(a->note);
                a->note = xasprintf("%s: the new settings apply when it starts", state);
        } else if (r == 0) {
                r = units_bus_reload_or_restart(bus, a->unit, restart);
                free(state);
                state = NULL;
                if (r == 0)
                        r = units_bus_active_state(bus, a->unit, &state);
                if (r == 0 && !streq(state, "active"))
                        r = log_error("%s is %s after its %s", a->unit, state,
                                      restart ? "restart" : "reload");
                a->changed = r == 0;
        }
        units_bus_close(bus);
        /* The files are written and recorded either way: a failed reload is the admin's to
         * finish (named in the output), not a reason to leave the state behind. */
        if (r < 0) {
                free(a->note);
                a->note = xasprintf("failed (see the log): restart %s to apply its new settings",
                                    a->unit);
        }
        return 0;
}
