/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/cushion.h"
#include "../lib/fsutil.h"
#include "../lib/kernel-param.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "sysctl.h"

/* PostgreSQL's server binary lives in a versioned directory that the client creates too. */
static bool postgres_installed(int rootfd)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        if (root_opendir(rootfd, "/usr/lib/postgresql", &d) < 0)
                return false;
        while ((de = readdir(d))) {
                _cleanup_free_ char *server =
                    xasprintf("/usr/lib/postgresql/%s/bin/postgres", de->d_name);
                struct stat st;
                if (de->d_name[0] != '.' && root_lstat(rootfd, server, &st) == 0)
                        return true;
        }
        return false;
}

/* MySQL/MariaDB as services_detect() found it once for this run; PostgreSQL here (EL keeps
 * its server in /usr/bin, Debian in a versioned directory). */
bool database_installed(const struct context *ctx)
{
        struct stat st;

        return ctx->services->db.flavor != DB_NONE ||
               root_lstat(ctx->rootfd, "/usr/bin/postgres", &st) == 0 ||
               postgres_installed(ctx->rootfd);
}

/* The live value without its newline, or NULL. */
static char *sysctl_read_live(const char *key)
{
        _cleanup_free_ char *path = sysctl_key_path(key);

        return kernel_param_read(path);
}

static int sysctl_write_live(const char *key, const char *value, bool *changed)
{
        _cleanup_free_ char *path = sysctl_key_path(key);
        char current[64] = "";
        _cleanup_close_ int fd = -1;
        ssize_t n;

        fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "%s", path);
        n = read(fd, current, sizeof(current) - 1);
        if (n > 0 && (size_t)n == strlen(value) + 1 &&
            strncmp(current, value, (size_t)n - 1) == 0) {
                *changed = false;
                return 0;
        }
        if (lseek(fd, 0, SEEK_SET) < 0 || write_all(fd, value, strlen(value)) < 0)
                return log_error_errno(errno, "cannot set %s", path);
        *changed = true;
        return 0;
}

/* Whether the kernel refuses memprov a write to key, asked before the first change by opening it
 * for writing (nothing written): EROFS for a read-only /proc/sys, EACCES or EPERM from the
 * permission check or a security module. In a container memprov detects, lib/container.c's probe
 * already says so; outside one this is a sandbox or a container that names itself nowhere
 * (issue 22: "skip what a container cannot do ... with one note each, not an error"). The write
 * failing at apply instead stopped the run half done, exit 1 (measured: /proc/sys/vm/swappiness
 * bind-mounted read-only, memprov as PID 1 with container= empty: "sysctl failed", the units and
 * every service drop-in after it "not done"). Any other error is left for the write to report. */
static int sysctl_live_refused(const char *key)
{
        _cleanup_free_ char *path = sysctl_key_path(key);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

        if (fd >= 0)
                return 0;
        return errno == EROFS || errno == EACCES || errno == EPERM ? -errno : 0;
}

/* a (live, not skipped yet) left alone with the reason when the kernel refuses the write. */
static void skip_refused(struct action *a, const char *what)
{
        _cleanup_free_ char *path = sysctl_key_path(a->key);
        int r = sysctl_live_refused(a->key);

        if (r == 0)
                return;
        a->skip = true;
        free(a->note);
        a->note = xasprintf("%s: %s: the kernel refuses the write here (no container detected: a "
                            "sandbox, or a container that names itself nowhere); %s",
                            path, strerror(-r), what);
}

/* The tier's swappiness for the swap this machine will have: the kernel's vm.rst makes
 * swappiness the relative IO cost of swapping against filesystem paging, and says values beyond
 * 100 can be considered for in-memory swap (zram, zswap). So a tier has one value for disk swap
 * alone and one for compressed swap in front of it (the _compressed keys; a tier without them
 * keeps the disk value). */
static const char *tier_swappiness(const struct context *ctx, bool db, bool compressed)
{
        const char *key = db ? "swappiness_db" : "swappiness", *v = NULL;

        if (compressed) {
                _cleanup_free_ char *ckey = xasprintf("%s_compressed", key);
                v = tier_value(ctx, ckey);
        }
        return v ? v : tier_value(ctx, key);
}

/* /etc/sysctl.d reached through a symbolic link (an admin's layout: the folder kept in a
 * configuration repository and linked in). systemd-sysctl follows it (measured: systemd 252's
 * `systemd-sysctl --cat-config` in a private mount namespace with /etc/sysctl.d -> /srv/x lists
 * /srv/x/60-x.conf), and memprov writes through no link it did not make (lib/fsutil.h,
 * init/preflight.c, which refused the whole run for it). So the drop-in is "skip" with the
 * reason, the live value is left as the system sets it (boot would not keep memprov's), the
 * record carries over, and the rest of the run goes on: as for a symlinked pool.d (issue 21
 * item 9). */
static bool dropin_behind_link(const struct context *ctx)
{
        return root_check_writable_path(ctx->rootfd, SYSCTL_DROPIN) == -ELOOP;
}

#define BEHIND_LINK_NOTE "/etc/sysctl.d is reached through a symbolic link: left alone"

/* The drop-in and the value planned and skipped for a symlinked /etc/sysctl.d. */
static void plan_behind_link(struct plan *p, struct action *file, const char *v)
{
        struct action *a;

        file->skip = true;
        free(file->note);
        file->note = xstrdup(BEHIND_LINK_NOTE " (memprov writes through no link it did not "
                                              "make; make it a real folder to let it)");
        a = plan_add(p, ACTION_SYSCTL, "sysctl");
        a->key = xstrdup("vm.swappiness");
        a->value = xstrdup(v);
        a->skip = true;
        a->note = xstrdup(BEHIND_LINK_NOTE ", the system's own value kept");
}

static int sysctl_plan(const struct context *ctx, struct plan *p)
{
        const char *v = config_str(ctx->config, "sysctl", "swappiness", "auto"), *before;
        _cleanup_(cushion_done) struct cushion c = {0};
        const struct setting *set;
        bool db = database_installed(ctx);
        struct action *a;
        int r;

        if (ctx->live && (ctx->facts->container_denies & CONTAINER_DENIES_SYSCTL)) {
                plan_note(p, "container %s: vm.swappiness is read-only here; left alone",
                          ctx->facts->container);
                return 0;
        }
        r = cushion_decide(ctx, p, &c);
        if (r < 0)
                return r;
        /* Only a cushion the kernel is known to have: an offline root whose kernel memprov
         * cannot read keeps the disk value (its first boot decides live). */
        if (!c.kernel.known)
                c.kind = CUSHION_NONE;
        if (streq(v, "auto"))
                v = tier_swappiness(ctx, db, c.kind != CUSHION_NONE);
        if (!v || streq(v, "auto")) {
                plan_note(p, "the tier table has no swappiness; vm.swappiness left alone");
                return 0;
        }
        a = plan_add_file(p, "sysctl", SYSCTL_DROPIN, 0644,
                          managed_file("#", "vm.swappiness = %s\n", v));
        /* Where the value came from: the admin's setting names its origin (a file:line,
         * user-data, --set), the tier's says what it was chosen for. */
        set = config_get(ctx->config, "sysctl", "swappiness");
        if (set && !streq(set->value, "auto"))
                a->note = xasprintf("sysctl.swappiness = %s, from %s", set->value, set->origin);
        else
                a->note = xasprintf("%s installed, %s", db ? "a database is" : "no database",
                                    c.kind == CUSHION_NONE    ? "disk swap only"
                                    : c.kind == CUSHION_ZSWAP ? "zswap in front of the swap"
                                                              : "zram swap in RAM");
        if (dropin_behind_link(ctx)) {
                plan_behind_link(p, a, v);
                return 0;
        }
        a = plan_add(p, ACTION_SYSCTL, "sysctl");
        a->key = xstrdup("vm.swappiness");
        a->value = xstrdup(v);
        if (!ctx->live) {
                a->deferred = true;
                a->note = xstrdup("applied at next boot by systemd-sysctl");
                return 0;
        }
        /* The value before memprov, for --undo: read when memprov first sets it, then carried
         * over from the state, or from the intent record of a run that was stopped after it may
         * have set it. A state without it (written under --root, or by an older memprov) gets
         * none: the live value may be memprov's own by then. */
        before = config_str(ctx->state, "sysctl", "swappiness_before", NULL);
        if (!before && ctx->intent)
                before = config_str(ctx->intent, "sysctl", "swappiness_before", NULL);
        if (before)
                a->old_value = xstrdup(before);
        else if (!state_present(ctx->state) && !(ctx->intent && ctx->intent->n_settings > 0))
                a->old_value = sysctl_read_live(a->key);
        skip_refused(a, "the drop-in is written all the same: systemd-sysctl sets it at boot "
                        "where /proc/sys is writable");
        return 0;
}

static void sysctl_record(const struct context *ctx, const struct plan *p, struct config *state)
{
        static const char *const keys[] = {"swappiness", "swappiness_before"};

        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];
                if (a->type != ACTION_SYSCTL || !streq(a->key, "vm.swappiness"))
                        continue;
                if (a->skip) {
                        /* Left alone (behind a symlinked /etc/sysctl.d, or refused by the
                         * kernel): what memprov set before (if it did) is still its to undo. */
                        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                                const char *v = config_str(ctx->state, "sysctl", keys[k], NULL);
                                if (v)
                                        config_set(state, "sysctl", keys[k], v, "state");
                        }
                        continue;
                }
                config_set(state, "sysctl", "swappiness", a->value, "state");
                if (a->old_value)
                        config_set(state, "sysctl", "swappiness_before", a->old_value, "state");
        }
}

static struct action *removal_of(struct plan *p, const char *path)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].type == ACTION_REMOVE_FILE && streq(p->actions[i].path, path))
                        return &p->actions[i];
        return NULL;
}

/* --undo: the drop-in goes with the recorded files; live, the value from before memprov comes
 * back, unless the admin kept the drop-in or set another value since. */
static int sysctl_undo(const struct context *ctx, struct plan *p)
{
        const char *before = config_str(ctx->state, "sysctl", "swappiness_before", NULL);
        const char *set = config_str(ctx->state, "sysctl", "swappiness", NULL);
        struct action *a, *removal = removal_of(p, SYSCTL_DROPIN);
        _cleanup_free_ char *now = NULL;
        bool linked = dropin_behind_link(ctx), kept;

        if (linked && (removal || config_get(ctx->state, "files", SYSCTL_DROPIN))) {
                /* Not removed through a link memprov did not make (preflight would refuse the
                 * whole --undo for it), and said so: the record's reading of it through the link
                 * fails, so the undo would otherwise pass over it in silence. Kept, it stays the
                 * admin's (init/undo.c undone_marker). */
                if (!removal) {
                        removal = plan_add(p, ACTION_REMOVE_FILE, "core");
                        removal->path = xstrdup(SYSCTL_DROPIN);
                }
                removal->skip = true;
                free(removal->note);
                removal->note = xstrdup(BEHIND_LINK_NOTE);
        }
        /* Read now: plan_add() below may move the plan's actions, removal with them. */
        kept = removal && removal->skip;
        if (!ctx->live || !set)
                return 0; /* offline, removing the drop-in is all: systemd-sysctl sets it at boot */
        if (!before) {
                plan_note(p, "no vm.swappiness from before memprov recorded: the system's own "
                             "setting takes over at next boot");
                return 0;
        }
        a = plan_add(p, ACTION_SYSCTL, "sysctl");
        a->key = xstrdup("vm.swappiness");
        a->value = xstrdup(before);
        now = sysctl_read_live(a->key);
        if (linked) {
                a->skip = true;
                a->note = xstrdup(BEHIND_LINK_NOTE ", so is the value it sets at boot");
        } else if (kept) {
                a->skip = true;
                a->note = xstrdup(SYSCTL_DROPIN " kept (edited by the admin): left as it is");
        } else if (!streq(now, set)) {
                a->skip = true;
                a->note = xasprintf("now %s, changed since memprov set %s: left alone",
                                    now ? now : "unreadable", set);
        } else {
                a->note = xasprintf("the value before memprov (memprov set %s)", set);
                skip_refused(a, "the value memprov set stays until the next boot");
        }
        return 0;
}

/* --status: the value memprov set, against the live one (offline, the drop-in is all). */
static void sysctl_status(const struct context *ctx, struct status *st)
{
        const char *set = config_str(ctx->state, "sysctl", "swappiness", NULL);
        _cleanup_free_ char *now = NULL;
        struct status_item *it;

        if (!set)
                return;
        if (!ctx->live) {
                it = status_add(st, "sysctl", "vm.swappiness", "set_at_boot", "set at boot", false,
                                xasprintf("%s, by %s", set, SYSCTL_DROPIN));
                it->set = xstrdup(set);
                return;
        }
        now = sysctl_read_live("vm.swappiness");
        if (streq(now, set))
                it = status_add(st, "sysctl", "vm.swappiness", "as_set", "as set", false,
                                xstrdup(set));
        else
                it = status_add(st, "sysctl", "vm.swappiness", "changed", "changed since", true,
                                xasprintf("now %s, memprov set %s", now ? now : "unreadable", set));
        it->set = xstrdup(set);
        it->value = now ? xstrdup(now) : NULL;
}

/* "auto" or 0..200: the kernel's range since Linux 5.8 (vm.rst). */
static int check_swappiness(const char *v)
{
        return streq(v, "auto") || (check_uint(v) == 0 && atoi(v) <= 200) ? 0 : -EINVAL;
}

static const struct config_key sysctl_keys[] = {
    {"sysctl", "swappiness", check_swappiness},
    {"tier", "swappiness", check_swappiness},
    {"tier", "swappiness_db", check_swappiness},
    {"tier", "swappiness_compressed", check_swappiness},
    {"tier", "swappiness_db_compressed", check_swappiness},
    {0},
};

/* Under --root the drop-in alone takes effect at the image's next boot. */
static int sysctl_apply(const struct context *ctx, struct action *a)
{
        return ctx->live ? sysctl_write_live(a->key, a->value, &a->changed) : 0;
}

const struct module sysctl_module = {
    .name = "sysctl",
    .keys = sysctl_keys,
    .plan = sysctl_plan,
    .action_types = 1u << ACTION_SYSCTL,
    .apply = sysctl_apply,
    .record = sysctl_record,
    .undo = sysctl_undo,
    .status = sysctl_status,
};
