/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zswap: the kernel's compressed cache for pages on their way to swap (Linux
 * Documentation/admin-guide/mm/zswap.rst). On the smallest tiers a page that compresses 2-3x
 * in RAM is cheaper than a write to the (often network-backed) VPS disk and the read back.
 * zswap needs a swap device behind it: pages it rejects or evicts go there.
 *
 * Which kernels have it, and what takes its place where they do not: lib/cushion.h.
 *
 * Live: /sys/module/zswap/parameters/{zpool,compressor,max_pool_percent,enabled}, in that
 * order (a zpool and compressor set before enabling create the pool once). Every boot after: a
 * systemd-tmpfiles "w" line per parameter in /etc/tmpfiles.d/memprov-zswap.conf ("w" writes only
 * when the path exists, so a kernel without zswap boots untouched). The kernel command line is
 * never edited.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/cushion.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "zswap.h"

static int check_zswap_mode(const char *v)
{
        return streq(v, "auto") ? 0 : check_bool(v);
}

static int check_pool_percent(const char *v)
{
        return check_uint(v) < 0 || atoi(v) < 1 || atoi(v) > 100 ? -EINVAL : 0;
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

/* zsmalloc packs compressed pages densest (mm/zsmalloc.c; zbud, bookworm generic's default
 * CONFIG_ZSWAP_ZPOOL_DEFAULT, stores at most two per page; trixie's defaults to zsmalloc). The
 * "zpool" parameter where it is settable: 6.1 and 6.12 have it, this host's 6.18 has none (zsmalloc
 * alone there). */
static const char *pick_zpool(const struct context *ctx, const struct cushion *c)
{
        struct stat st;

        if (!(c->kernel.features & KERNEL_ZSMALLOC))
                return NULL;
        if (ctx->live && stat(ZSWAP_PARAMS_DIR "/zpool", &st) < 0)
                return NULL;
        return "zsmalloc";
}

/* The zswap keys, parsed once per plan from ZSWAP_KEYS' table. */
struct zswap_settings {
        const char *mode;       /* swap.zswap: auto, yes or no (lib/cushion.c decides with it) */
        const char *tier_zswap; /* the tier's zswap: yes or no (NULL: the tier does not say) */
        const char *max_pool_percent; /* the tier's, NULL: the kernel's default (20) */
};
static int zswap_settings(const struct context *ctx, struct zswap_settings *ret);

static int zswap_plan(const struct context *ctx, struct plan *p)
{
        _cleanup_(cushion_done) struct cushion c = {0};
        _cleanup_free_ char *note = NULL, *lines = NULL;
        const char *compressor, *zpool, *percent;
        struct zswap_settings set;
        int r;

        r = zswap_settings(ctx, &set);
        if (r < 0)
                return r;
        percent = set.max_pool_percent;
        r = cushion_decide(ctx, p, &c);
        if (r < 0)
                return r;
        if (c.zswap_why)
                plan_note(p, "zswap left off: %s", c.zswap_why);
        if (c.kind != CUSHION_ZSWAP) {
                /* Off again only where memprov turned it on (a resize to a larger tier). */
                if (ctx->live && config_bool(ctx->state, "zswap", "enabled", false) &&
                    (c.kernel.features & KERNEL_ZSWAP))
                        add_param(p, "enabled", "N", "no longer wanted at this tier");
                return 0;
        }
        compressor = cushion_pick_compressor(c.kernel.compressors);
        zpool = pick_zpool(ctx, &c);
        if (compressor)
                note = xasprintf("compressor %s", compressor);
        else
                note = default_compressor_note(ctx);
        if (zpool) {
                char *n = xasprintf("%s, zpool %s", note, zpool);
                free(note);
                note = n;
        }
        /* The zpool first: a compressor or pool change makes a new pool (mm/zswap.c). */
        lines = xasprintf("%s%s%s"
                          "%s%s%s"
                          "%s%s%s"
                          "w " ZSWAP_PARAMS_DIR "/enabled - - - - Y\n",
                          zpool ? "w " ZSWAP_PARAMS_DIR "/zpool - - - - " : "", zpool ? zpool : "",
                          zpool ? "\n" : "",
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
        if (zpool)
                add_param(p, "zpool", zpool, NULL);
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
        _cleanup_free_ char *path = zswap_param_path(key);
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

/* Each key once: section, key, check, default, parser, field of struct zswap_settings. */
#define ZSWAP_KEYS(X)                                                                              \
        X("swap", "zswap", check_zswap_mode, "auto", config_parse_string, mode)                    \
        X("tier", "zswap", check_bool, NULL, config_parse_string, tier_zswap)                      \
        X("tier", "zswap.max_pool_percent", check_pool_percent, NULL, config_parse_string,         \
          max_pool_percent)
#define ZSWAP_SETTING(...) CONFIG_SETTING_ROW(struct zswap_settings, __VA_ARGS__)

static const struct config_key zswap_keys[] = {ZSWAP_KEYS(CONFIG_KEY_ROW){0}};
static const struct config_setting zswap_setting_rows[] = {ZSWAP_KEYS(ZSWAP_SETTING){0}};

static int zswap_settings(const struct context *ctx, struct zswap_settings *ret)
{
        *ret = (struct zswap_settings){0};
        return config_settings_parse(ctx->config, ctx->tier, zswap_setting_rows, ret);
}

const struct module zswap_module = {
    .name = "zswap",
    .keys = zswap_keys,
    .plan = zswap_plan,
    .action_types = 1u << ACTION_ZSWAP,
    .apply = zswap_apply,
    .record = zswap_record,
};
