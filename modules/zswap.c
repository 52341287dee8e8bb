/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zswap: the kernel's compressed cache for pages on their way to swap (Linux
 * Documentation/admin-guide/mm/zswap.rst). On the smallest tiers a page that compresses 2-3x
 * in RAM is cheaper than a write to the (often network-backed) VPS disk and the read back.
 * zswap needs a swap device behind it: pages it rejects or evicts go there.
 *
 * Live: /sys/module/zswap/parameters/{compressor,max_pool_percent,enabled}, in that order (a
 * compressor set before enabling creates the pool once). Every boot after: a systemd-tmpfiles
 * "w" line per parameter in /etc/tmpfiles.d/memprov-zswap.conf ("w" writes only when the path
 * exists, so a kernel without zswap boots untouched). The kernel command line is never edited.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "zswap.h"

/* zstd compresses best of the three (the kernel's crypto/zstd and lib/zstd); lz4 is the
 * fastest fallback. zswap's own default (CONFIG_ZSWAP_COMPRESSOR_DEFAULT, lzo on Debian) is
 * what is left when the kernel has neither. */
const char *const zswap_compressors[] = {"zstd", "lz4", NULL};

const char *zswap_pick_compressor(unsigned available)
{
        for (size_t i = 0; zswap_compressors[i]; i++)
                if (available & (1u << i))
                        return zswap_compressors[i];
        return NULL;
}

static int check_zswap_mode(const char *v)
{
        return streq(v, "auto") ? 0 : check_bool(v);
}

static int check_pool_percent(const char *v)
{
        return check_uint(v) < 0 || atoi(v) < 1 || atoi(v) > 100 ? -EINVAL : 0;
}

/* Whether text (modules.dep, modules.builtin or /proc/crypto) names the algorithm. */
static bool text_has_algorithm(const char *text, const char *alg)
{
        /* modules.dep "kernel/crypto/zstd.ko.xz: ..." or modules.builtin "kernel/crypto/zstd.ko" */
        _cleanup_free_ char *module = xasprintf("/crypto/%s.ko", alg);

        if (strstr(text, module))
                return true;
        /* /proc/crypto: "name         : zstd" */
        for (const char *p = strstr(text, "name"); p; p = strstr(p + 1, "\nname")) {
                const char *colon = strchr(p, ':');
                if (colon && startswith(colon + 2, alg) &&
                    (colon[2 + strlen(alg)] == '\n' || colon[2 + strlen(alg)] == '\0'))
                        return true;
        }
        return false;
}

static unsigned text_compressors(const char *text)
{
        unsigned bits = 0;

        for (size_t i = 0; zswap_compressors[i]; i++)
                if (text_has_algorithm(text, zswap_compressors[i]))
                        bits |= 1u << i;
        return bits;
}

static unsigned file_compressors(int rootfd, const char *path)
{
        _cleanup_free_ char *text = NULL;
        size_t size;

        return root_read_file(rootfd, path, &text, &size) == 0 ? text_compressors(text) : 0;
}

/* The compressors a kernel's module tree has, built in or as modules. */
static unsigned kernel_tree_compressors(int rootfd, const char *dir)
{
        _cleanup_free_ char *dep = xasprintf("%s/modules.dep", dir);
        _cleanup_free_ char *builtin = xasprintf("%s/modules.builtin", dir);

        return file_compressors(rootfd, dep) | file_compressors(rootfd, builtin);
}

/* Running system: loaded algorithms (/proc/crypto) and the running kernel's modules. Offline
 * root: what every kernel installed in it has in common. Merged /usr makes /lib a symlink,
 * which memprov does not follow, so /usr/lib/modules is tried first. */
static unsigned available_compressors(const struct context *ctx)
{
        static const char *const trees[] = {"/usr/lib/modules", "/lib/modules"};
        unsigned bits = 0;
        bool any = false;

        if (ctx->live) {
                struct utsname u;
                bits = file_compressors(ctx->rootfd, "/proc/crypto");
                if (uname(&u) == 0)
                        for (size_t i = 0; i < ELEMENTSOF(trees); i++) {
                                _cleanup_free_ char *dir = xasprintf("%s/%s", trees[i], u.release);
                                bits |= kernel_tree_compressors(ctx->rootfd, dir);
                        }
                return bits;
        }
        for (size_t i = 0; i < ELEMENTSOF(trees) && !any; i++) {
                _cleanup_(closedirp) DIR *d = NULL;
                struct dirent *de;
                if (root_opendir(ctx->rootfd, trees[i], &d) < 0)
                        continue;
                bits = ~0u;
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.') {
                                _cleanup_free_ char *dir = xasprintf("%s/%s", trees[i], de->d_name);
                                bits &= kernel_tree_compressors(ctx->rootfd, dir);
                                any = true;
                        }
        }
        return any ? bits : 0;
}

/* Whether the machine will have swap for zswap to sit in front of. */
static bool swap_planned(const struct context *ctx, const struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].type == ACTION_SWAP && p->actions[i].swap.op != SWAP_NONE &&
                    p->actions[i].swap.op != SWAP_REMOVE)
                        return true;
        for (size_t i = 0; i < ctx->facts->n_swaps; i++)
                if (ctx->facts->swaps[i].present &&
                    (ctx->facts->swaps[i].active || ctx->facts->swaps[i].in_fstab))
                        return true;
        return false;
}

static char *default_compressor_note(const struct context *ctx)
{
        _cleanup_free_ char *current = NULL;
        size_t size;

        if (ctx->live &&
            root_read_file(ctx->rootfd, ZSWAP_PARAMS_DIR "/compressor", &current, &size) == 0) {
                current[strcspn(current, "\n")] = '\0';
                return xasprintf("compressor %s, the kernel's default (no zstd or lz4 here)",
                                 current);
        }
        return xstrdup("the kernel's default compressor (no zstd or lz4 found)");
}

static void add_param(struct plan *p, const char *key, const char *value, const char *note)
{
        struct action *a = plan_add(p, ACTION_ZSWAP, "zswap");

        a->key = xstrdup(key);
        a->value = xstrdup(value);
        a->note = note ? xstrdup(note) : NULL;
}

static bool zswap_wanted(const struct context *ctx, struct plan *p)
{
        const char *mode = config_str(ctx->config, "swap", "zswap", "auto");
        const char *tier = tier_value(ctx, "zswap");
        bool want = false;

        if (streq(mode, "auto"))
                (void)parse_bool(tier ? tier : "no", &want);
        else
                (void)parse_bool(mode, &want);
        if (want && !swap_planned(ctx, p)) {
                plan_note(p, "zswap left off: there is no swap for it to sit in front of");
                return false;
        }
        return want;
}

static int zswap_plan(const struct context *ctx, struct plan *p)
{
        struct stat st;
        const char *compressor, *percent = tier_value(ctx, "zswap.max_pool_percent");
        _cleanup_free_ char *note = NULL, *lines = NULL;

        if (!zswap_wanted(ctx, p)) {
                /* Off again only where memprov turned it on (a resize to a larger tier). */
                if (ctx->live && config_bool(ctx->state, "zswap", "enabled", false))
                        add_param(p, "enabled", "N", "no longer wanted at this tier");
                return 0;
        }
        if (ctx->live && stat(ZSWAP_PARAMS_DIR, &st) < 0) {
                plan_note(p, "zswap left off: this kernel has no %s", ZSWAP_PARAMS_DIR);
                return 0;
        }
        compressor = zswap_pick_compressor(available_compressors(ctx));
        if (compressor)
                note = xasprintf("compressor %s", compressor);
        else
                note = default_compressor_note(ctx);
        lines = xasprintf("%s%s%s"
                          "%s%s%s"
                          "w " ZSWAP_PARAMS_DIR "/enabled - - - - Y\n",
                          compressor ? "w " ZSWAP_PARAMS_DIR "/compressor - - - - " : "",
                          compressor ? compressor : "", compressor ? "\n" : "",
                          percent ? "w " ZSWAP_PARAMS_DIR "/max_pool_percent - - - - " : "",
                          percent ? percent : "", percent ? "\n" : "");
        plan_add_file(p, "zswap", ZSWAP_TMPFILES, 0644, managed_file("#", "%s", lines))->note =
            xasprintf("zswap at every boot, %s%s%s", note, percent ? ", max_pool_percent " : "",
                      percent ? percent : "");
        /* Under --root the file alone takes effect, at the image's first boot. */
        if (!ctx->live)
                return 0;
        if (compressor)
                add_param(p, "compressor", compressor, NULL);
        if (percent)
                add_param(p, "max_pool_percent", percent, NULL);
        add_param(p, "enabled", "Y", note);
        return 0;
}

/* Compare, then write: sysfs takes the whole value in one write. */
static int zswap_write_param(const char *key, const char *value, bool *changed)
{
        _cleanup_free_ char *path = xasprintf(ZSWAP_PARAMS_DIR "/%s", key);
        _cleanup_free_ char *current = NULL;
        _cleanup_close_ int fd = -1;
        size_t size;

        fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "%s", path);
        if (read_fd(fd, 4096, &current, &size) == 0) {
                current[strcspn(current, "\n")] = '\0';
                if (streq(current, value)) {
                        *changed = false;
                        return 0;
                }
        }
        if (lseek(fd, 0, SEEK_SET) < 0 || write_all(fd, value, strlen(value)) < 0)
                return log_error_errno(errno, "cannot set %s to %s", path, value);
        *changed = true;
        return 0;
}

/* Planned only on the running system. */
static int zswap_apply(const struct context *ctx, struct action *a)
{
        (void)ctx;
        return zswap_write_param(a->key, a->value, &a->changed);
}

static void zswap_record(const struct context *ctx, const struct plan *p, struct config *state)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];
                if (a->type == ACTION_ZSWAP && streq(a->key, "enabled") && !a->skip)
                        config_set(state, "zswap", "enabled", streq(a->value, "Y") ? "yes" : "no",
                                   "state");
                if (a->type == ACTION_ZSWAP && streq(a->key, "compressor"))
                        config_set(state, "zswap", "compressor", a->value, "state");
        }
        (void)ctx;
}

static const struct config_key zswap_keys[] = {
    {"swap", "zswap", check_zswap_mode},
    {"tier", "zswap", check_bool},
    {"tier", "zswap.max_pool_percent", check_pool_percent},
    {0},
};

const struct module zswap_module = {
    .name = "zswap",
    .keys = zswap_keys,
    .plan = zswap_plan,
    .action_types = 1u << ACTION_ZSWAP,
    .apply = zswap_apply,
    .record = zswap_record,
};
