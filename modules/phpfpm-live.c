/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * After --rerun: how a changed zz-memprov.conf reaches the running PHP-FPM. A reload (USR2,
 * Debian's and EL's ExecReload) re-reads every pool setting but one: listen.backlog. The new
 * master inherits the listening sockets through FPM_SOCKETS and reuses an inherited socket as it
 * is, without listen() again (sapi/fpm/fpm/fpm_sockets.c), so the kernel keeps the old queue
 * length. Measured with php-fpm 8.2.29 in a private namespace: a pool at listen.backlog 3,
 * changed to 17 and reloaded, still listened with a backlog of 3 (`ss -lx`, the same socket
 * inode); after a stop and start, 17 (tests/integration/nginx.sh checks both). A restart stops
 * PHP-FPM with systemd's SIGTERM, which ends requests in flight (PHP-FPM's fast shutdown), so
 * as for Apache's ServerLimit it is done only when asked for (--restart-services, [services]
 * restart = yes); otherwise the reload applies the rest and the plan names what waits.
 */
#include <string.h>

#include "../lib/iniread.h"
#include "../lib/live.h"
#include "../lib/util.h"
#include "phpfpm.h"

struct backlogs {
        FILE *f;
};

static void backlog_item(const struct ini_item *item, void *userdata)
{
        struct backlogs *b = userdata;

        if (streq(item->key, "listen.backlog"))
                fprintf(b->f, "[%s] %s\n", item->section, item->value);
}

/* "[pool] N" for every listen.backlog of a pool file, in order; "" for an unreadable text (the
 * old file was not memprov's: the reload is then the best memprov can name). */
static char *backlogs_of(const char *text)
{
        struct backlogs b = {0};
        char *out = NULL;
        size_t size = 0;
        unsigned line;

        b.f = open_memstream(&out, &size);
        if (!b.f)
                abort();
        (void)ini_parse_php(text, strlen(text), backlog_item, &b, &line);
        fclose(b.f);
        return out;
}

bool phpfpm_backlog_changes(const char *old, const char *new)
{
        _cleanup_free_ char *a = backlogs_of(old), *b = backlogs_of(new);

        return !streq(a, b);
}

void phpfpm_plan_live(const struct context *ctx, struct plan *p, const struct action *file,
                      const char *unit)
{
        _cleanup_free_ char *old = NULL;
        bool backlog;

        if (!live_wanted(ctx) || !live_file_changes(ctx, file, &old))
                return;
        backlog = phpfpm_backlog_changes(old, file->content);
        if (backlog && live_restart_wanted(ctx)) {
                live_plan_unit(p, "phpfpm", file, unit, UNIT_RESTART)->note =
                    xstrdup("listen.backlog changed: a reload keeps the old queue");
                return;
        }
        live_plan_unit(p, "phpfpm", file, unit, UNIT_RELOAD)->note = xstrdup("graceful");
        if (backlog)
                plan_note(p,
                          "PHP-FPM's new listen.backlog applies at its next restart (a reload "
                          "keeps the listening socket): systemctl restart %s, or memprov --rerun "
                          "--restart-services",
                          unit);
}
