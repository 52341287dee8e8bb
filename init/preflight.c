/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Refusals before the first change: every path a plan will write is resolved under the root
 * (no symlinked or non-directory folder on the way) before apply touches anything. */
#include <fcntl.h>
#include <unistd.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "intent.h"
#include "preflight.h"

static int check_path(const struct context *ctx, const char *path)
{
        int r = root_check_writable_path(ctx->rootfd, path);

        if (r == -ELOOP)
                return log_error("%s%s: a directory on the way is a symlink; refusing before any "
                                 "change, nothing changed",
                                 ctx->root, path);
        if (r < 0)
                return log_error_errno(r, "%s%s: refusing before any change, nothing changed",
                                       ctx->root, path);
        return 0;
}

/* A folder memprov writes in that the admin made a symbolic link (their layout: the folder kept
 * in a configuration repository and linked in). Every reader of the folders memprov writes in
 * follows such a link at boot, so the folder is the admin's to manage:
 * - /etc/systemd/system/NAME.service.d: systemd's dropin.c unit_file_find_dirs() chases it, as
 *   it does NAME.wants/ (5e9371d);
 * - zram-generator.conf.d: measured, zram-generator 1.1.2 (ZRAM_GENERATOR_ROOT test mode) made
 *   dev-zram0.swap from a file behind a relative link, none from an empty real folder;
 * - /etc/tmpfiles.d: measured, `systemd-tmpfiles --root=R --cat-config` (252) lists the file
 *   behind the link;
 * - measured too: MariaDB 10.11's my_print_defaults reads a file in a linked !includedir, PHP
 *   8.2 scans one in a linked PHP_INI_SCAN_DIR (php_ini_scanned_files()), nginx -T includes one
 *   from a linked conf.d (its *.conf glob);
 * - Apache's IncludeOptional globs the path (apr_dir_open()), links followed;
 * - /etc/sysctl.d, pool.d and NAME.wants/ decide in their modules (7306447, 5e9371d).
 * memprov writes and removes nothing through a link it did not make (lib/fsutil.h). So each such
 * file is "skip" with the reason instead of refusing the whole run (issue 21 item 9), its record
 * carries over (init/apply.c record_files), and what only follows from it is left too, so that the
 * running service and the next boot agree: the live steps that carry its path (reload, restart,
 * SET GLOBAL), the module's live kernel values (zswap's, set at boot by its tmpfiles.d line) and
 * the module's link to it (a2enconf's conf-enabled/memprov.conf would dangle, and Apache refuses a
 * dangling include). */

/* "LINK -> TARGET" for the first folder on path that is a symbolic link, or NULL. */
static char *link_on_path(const struct context *ctx, const char *path)
{
        char buf[PATH_MAX], target[PATH_MAX];

        if (root_check_writable_path(ctx->rootfd, path) != -ELOOP || strlen(path) >= sizeof(buf))
                return NULL;
        strcpy(buf, path);
        for (char *slash = strchr(buf + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                _cleanup_close_ int dirfd = -1;
                const char *name;
                ssize_t n;

                *slash = '\0';
                if (root_open_parent(ctx->rootfd, buf, false, &dirfd, &name) < 0)
                        return NULL;
                n = readlinkat(dirfd, name, target, sizeof(target) - 1);
                if (n >= 0) {
                        target[n] = '\0';
                        return xasprintf("%s -> %s", buf, target);
                }
                *slash = '/';
        }
        return NULL;
}

static const char *base_name(const char *path)
{
        const char *slash = strrchr(path, '/');

        return slash ? slash + 1 : path;
}

/* Whether b only follows from file a (see above). */
static bool follows_from(const struct action *a, const struct action *b)
{
        if (b->skip || !streq(a->module, b->module))
                return false;
        if (b->type == ACTION_SYMLINK)
                return b->target && streq(base_name(b->target), base_name(a->path));
        if (b->type == ACTION_SYSCTL || b->type == ACTION_ZSWAP)
                return a->type == ACTION_WRITE_FILE;
        return b->path && streq(b->path, a->path) &&
               (b->type == ACTION_SERVICE_LIVE || b->type == ACTION_SQL_LIVE);
}

static void skip_behind_link(struct plan *p, struct action *a, const char *link)
{
        _cleanup_free_ char *dir = xstrdup(a->path);
        char *slash = strrchr(dir, '/');

        slash[slash == dir] = '\0';
        a->skip = true;
        free(a->note);
        a->note =
            xasprintf("%s is reached through a symbolic link (%s): %s; memprov %s nothing "
                      "through a link it did not make (a real folder lets it)",
                      dir, link, a->type == ACTION_REMOVE_FILE ? "left in place" : "left alone",
                      a->type == ACTION_REMOVE_FILE ? "removes" : "writes");
        for (size_t j = 0; j < p->n_actions; j++) {
                struct action *b = &p->actions[j];
                if (b == a || !follows_from(a, b))
                        continue;
                b->skip = true;
                free(b->note);
                b->note = xasprintf("follows %s, left alone: %s is a symbolic link", a->path, link);
        }
}

void preflight_links(const struct context *ctx, struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                struct action *a = &p->actions[i];
                _cleanup_free_ char *link = NULL;

                if (a->skip || !a->path ||
                    (a->type != ACTION_WRITE_FILE && a->type != ACTION_REMOVE_FILE &&
                     a->type != ACTION_SYMLINK))
                        continue;
                link = link_on_path(ctx, a->path);
                if (link)
                        skip_behind_link(p, a, link);
        }
}

/* Every path the plan writes, resolved before the first change: a refusal changes nothing. */
int preflight(const struct context *ctx, struct plan *p)
{
        static const char *const always[] = {STATE_PATH, INTENT_PATH, "/etc/fstab"};
        int r = 0;

        for (size_t i = 0; r == 0 && i < ELEMENTSOF(always); i++)
                r = check_path(ctx, always[i]);
        for (size_t i = 0; r == 0 && i < p->n_actions; i++) {
                struct action *a = &p->actions[i];
                if (a->skip)
                        continue;
                const struct action_kind *k = action_kind(a->type);
                if (k->each_path)
                        r = k->each_path(ctx, a, check_path);
                else if (a->path)
                        r = check_path(ctx, a->path);
                /* The plan output names the refused action; every other one is "not done". */
                a->reached = a->failed = r < 0;
        }
        return r;
}
