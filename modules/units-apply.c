/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The units module's apply side: its actions carried out, online over sd-bus or offline on the
 * unit files (units.c plans them). */
#include "../lib/log.h"
#include "units-bus.h"
#include "units-files.h"
#include "units.h"

bool units_online(const struct context *ctx)
{
        return ctx->live && ctx->facts->systemd_running;
}

static int disable_online(const struct context *ctx, struct action *a)
{
        _cleanup_strv_ char **also = unit_also(ctx->rootfd, a->unit);
        struct units_bus *bus = NULL;
        int r;

        r = units_bus_open(&bus);
        if (r < 0)
                return r;
        r = units_bus_disable(bus, a->unit, &a->changed);
        /* Stopped after disabling, so nothing pulls it in again; Also= units (a socket that
         * would start the service on the first connection) with it. */
        if (r == 0)
                r = units_bus_stop(bus, a->unit);
        for (char **u = also; r == 0 && u && *u; u++)
                r = units_bus_stop(bus, *u);
        units_bus_close(bus);
        return r;
}

static bool endswith(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);

        return n >= m && streq(s + n - m, suffix);
}

/* What boot would start: the units linked into a .wants/ or .requires/ directory. */
static int start_linked(const struct unit_links *links)
{
        struct units_bus *bus = NULL;
        int r;

        r = units_bus_open(&bus);
        for (size_t i = 0; r == 0 && i < links->n; i++) {
                const char *slash = strrchr(links->links[i].path, '/');
                _cleanup_free_ char *dir =
                    strndup(links->links[i].path, (size_t)(slash - links->links[i].path));
                if (dir && (endswith(dir, ".wants") || endswith(dir, ".requires")))
                        r = units_bus_start(bus, slash + 1);
        }
        units_bus_close(bus);
        return r;
}

int units_apply(const struct context *ctx, struct action *a)
{
        _cleanup_(unit_links_done) struct unit_links links = {0};
        int r;

        if (unit_links_parse(a->content, &links) < 0)
                return log_error("unit %s: malformed link list", a->unit);
        if (a->unit_op == UNIT_DISABLE)
                return units_online(ctx) ? disable_online(ctx, a)
                                         : unit_links_remove(ctx->rootfd, &links, &a->changed);
        /* Putting back the very links memprov removed is what enabling did the first time. */
        r = unit_links_restore(ctx->rootfd, &links, &a->changed);
        if (r == 0 && units_online(ctx))
                r = start_linked(&links);
        return r;
}

int units_daemon_reload(const struct context *ctx, struct action *a)
{
        struct units_bus *bus = NULL;
        int r;

        if (!units_online(ctx))
                return 0; /* offline, systemd reads the unit files when it starts */
        r = units_bus_open(&bus);
        if (r == 0)
                r = units_bus_reload(bus);
        units_bus_close(bus);
        a->changed = r == 0;
        return r;
}

int units_apply_action(const struct context *ctx, struct action *a)
{
        if (a->type == ACTION_SERVICE_LIVE)
                return units_apply_live(ctx, a);
        return a->type == ACTION_DAEMON_RELOAD ? units_daemon_reload(ctx, a) : units_apply(ctx, a);
}
