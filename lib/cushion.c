/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/stat.h>
#include <sys/utsname.h>

#include "cushion.h"
#include "fsutil.h"
#include "kernel-param.h"
#include "log.h"

const char *const cushion_compressors[] = {"zstd", "lz4", NULL};

const char *cushion_pick_compressor(unsigned available)
{
        for (size_t i = 0; cushion_compressors[i]; i++)
                if (available & (1u << i))
                        return cushion_compressors[i];
        return NULL;
}

const char *cushion_kind_name(enum cushion_kind k)
{
        return k == CUSHION_ZSWAP ? "zswap" : k == CUSHION_ZRAM ? "zram" : "none";
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

        for (size_t i = 0; cushion_compressors[i]; i++)
                if (text_has_algorithm(text, cushion_compressors[i]))
                        bits |= 1u << i;
        return bits;
}

/* What one module tree (modules.dep and modules.builtin) has: compressors and features. */
static void tree_caps(int rootfd, const char *dir, unsigned *ret_compressors,
                      unsigned *ret_features)
{
        static const char *const files[] = {"modules.dep", "modules.builtin"};

        *ret_compressors = *ret_features = 0;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, files[i]), *text = NULL;
                size_t size;
                if (root_read_file(rootfd, path, &text, &size) < 0)
                        continue;
                *ret_compressors |= text_compressors(text);
                if (strstr(text, "/zram.ko"))
                        *ret_features |= KERNEL_ZRAM;
                if (strstr(text, "/zsmalloc.ko"))
                        *ret_features |= KERNEL_ZSMALLOC;
        }
}

/* Merged /usr makes /lib a symlink, which memprov does not follow: /usr/lib first. */
static const char *const module_trees[] = {"/usr/lib/modules", "/lib/modules"};

static char *tree_dir(int rootfd, const char *release)
{
        for (size_t i = 0; i < ELEMENTSOF(module_trees); i++) {
                char *dir = xasprintf("%s/%s", module_trees[i], release);
                struct stat st;
                if (root_lstat(rootfd, dir, &st) == 0 && S_ISDIR(st.st_mode))
                        return dir;
                free(dir);
        }
        return NULL;
}

/* "CONFIG_NAME=y" (or =m where values allows it) in a kernel's /boot/config-*. */
static bool kconfig_has(const char *text, const char *name, const char *values)
{
        size_t n = strlen(name);

        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, name, n) == 0 && p[n] == '=' && p[n + 1] &&
                    strchr(values, p[n + 1]) && (p[n + 2] == '\n' || p[n + 2] == '\0'))
                        return true;
        return false;
}

/* The kernel an offline root boots: Debian's /vmlinuz link (linux-update-symlinks), else the
 * only kernel it has. NULL when neither tells. */
static char *root_boot_release(int rootfd)
{
        static const char *const links[] = {"/vmlinuz", "/boot/vmlinuz"};
        char *only = NULL;
        unsigned n = 0;

        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                _cleanup_close_ int dirfd = -1;
                const char *name, *base;
                char target[PATH_MAX];
                ssize_t len;
                if (root_open_parent(rootfd, links[i], false, &dirfd, &name) < 0)
                        continue;
                len = readlinkat(dirfd, name, target, sizeof(target) - 1);
                if (len <= 0)
                        continue;
                target[len] = '\0';
                base = strrchr(target, '/');
                base = base ? base + 1 : target;
                if (startswith(base, "vmlinuz-") && base[strlen("vmlinuz-")])
                        return xstrdup(base + strlen("vmlinuz-"));
        }
        for (size_t i = 0; i < ELEMENTSOF(module_trees) && n == 0; i++) {
                _cleanup_(closedirp) DIR *d = NULL;
                struct dirent *de;
                if (root_opendir(rootfd, module_trees[i], &d) < 0)
                        continue;
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' && n++ == 0)
                                only = xstrdup(de->d_name);
        }
        if (n == 1)
                return only;
        free(only);
        return NULL;
}

/* Compressors every kernel of an offline root has in common (which one boots is not known). */
static unsigned common_compressors(int rootfd)
{
        unsigned bits = 0;
        bool any = false;

        for (size_t i = 0; i < ELEMENTSOF(module_trees) && !any; i++) {
                _cleanup_(closedirp) DIR *d = NULL;
                struct dirent *de;
                if (root_opendir(rootfd, module_trees[i], &d) < 0)
                        continue;
                bits = ~0u;
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.') {
                                _cleanup_free_ char *dir =
                                    xasprintf("%s/%s", module_trees[i], de->d_name);
                                unsigned c, f;
                                tree_caps(rootfd, dir, &c, &f);
                                bits &= c;
                                any = true;
                        }
        }
        return any ? bits : 0;
}

static bool path_exists(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0;
}

static void kernel_caps_live(const struct context *ctx, struct kernel_caps *k)
{
        _cleanup_free_ char *crypto = NULL, *dir = NULL;
        struct utsname u;
        unsigned features = 0;
        size_t size;

        k->known = true;
        if (uname(&u) == 0) {
                k->release = xstrdup(u.release);
                dir = tree_dir(ctx->rootfd, u.release);
        }
        if (dir)
                tree_caps(ctx->rootfd, dir, &k->compressors, &features);
        if (root_read_file(ctx->rootfd, "/proc/crypto", &crypto, &size) == 0)
                k->compressors |= text_compressors(crypto);
        k->features = features & (KERNEL_ZRAM | KERNEL_ZSMALLOC);
        if (path_exists(ZSWAP_PARAMS_DIR))
                k->features |= KERNEL_ZSWAP;
        if (path_exists("/sys/class/zram-control") || path_exists("/sys/module/zram"))
                k->features |= KERNEL_ZRAM;
        if (path_exists("/sys/module/zsmalloc"))
                k->features |= KERNEL_ZSMALLOC;
}

/* Offline: the booted kernel's /boot/config (Debian ships it with every linux-image), else its
 * module tree; zswap is a bool option, never a module, so without the config it is assumed
 * (its tmpfiles.d lines write nothing where /sys/module/zswap is missing). */
static void kernel_caps_offline(const struct context *ctx, struct kernel_caps *k)
{
        _cleanup_free_ char *dir = NULL, *config = NULL, *text = NULL;
        unsigned features = 0;
        size_t size;

        k->release = root_boot_release(ctx->rootfd);
        if (!k->release) {
                k->features = KERNEL_ZSWAP;
                k->compressors = common_compressors(ctx->rootfd);
                return;
        }
        dir = tree_dir(ctx->rootfd, k->release);
        if (dir)
                tree_caps(ctx->rootfd, dir, &k->compressors, &features);
        config = xasprintf("/boot/config-%s", k->release);
        if (root_read_file(ctx->rootfd, config, &text, &size) == 0) {
                k->known = true;
                k->features = (kconfig_has(text, "CONFIG_ZSWAP", "y") ? KERNEL_ZSWAP : 0) |
                              (kconfig_has(text, "CONFIG_ZRAM", "ym") ? KERNEL_ZRAM : 0) |
                              (kconfig_has(text, "CONFIG_ZSMALLOC", "ym") ? KERNEL_ZSMALLOC : 0);
        } else
                k->features = features | KERNEL_ZSWAP;
}

bool cushion_swap_planned(const struct context *ctx, const struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].type == ACTION_SWAP && p->actions[i].swap.op != SWAP_NONE &&
                    p->actions[i].swap.op != SWAP_REMOVE)
                        return true;
        for (size_t i = 0; i < ctx->facts->n_swaps; i++)
                if (ctx->facts->swaps[i].present &&
                    (ctx->facts->swaps[i].active || ctx->facts->swaps[i].in_fstab) &&
                    !startswith(ctx->facts->swaps[i].path, "/dev/zram"))
                        return true;
        return false;
}

/* [swap] KEY: yes/no, or auto: the tier table's KEY (no when the tier has none). */
static bool wanted(const struct context *ctx, const char *key)
{
        const char *mode = config_str(ctx->config, "swap", key, "auto");
        const char *tier = tier_value(ctx, key);
        bool want = false;

        (void)parse_bool(streq(mode, "auto") ? (tier ? tier : "no") : mode, &want);
        return want;
}

static bool generator_installed(int rootfd)
{
        struct stat st;

        return root_lstat(rootfd, ZRAM_GENERATOR, &st) == 0 ||
               root_lstat(rootfd, ZRAM_GENERATOR_LEGACY, &st) == 0;
}

/* A zswap parameter the running kernel has, as a percentage; 0 when it cannot be read. */
static unsigned live_percent(const char *key)
{
        _cleanup_free_ char *path = zswap_param_path(key), *v = kernel_param_read(path);
        long n;

        return v && parse_decimal(v, &n) == 0 && n > 0 && n <= 100 ? (unsigned)n : 0;
}

/* The max_pool_percent zswap will run with: the tier's, which memprov writes; else, live, the
 * kernel's value now; else mm/zswap.c's default, zswap_max_pool_percent = 20. */
static unsigned pool_percent(const struct context *ctx, bool memprovs)
{
        const char *tier = memprovs ? tier_value(ctx, "zswap.max_pool_percent") : NULL;
        long n;
        unsigned now;

        if (tier && parse_decimal(tier, &n) == 0 && n > 0 && n <= 100)
                return (unsigned)n;
        now = ctx->live ? live_percent("max_pool_percent") : 0;
        return now ? now : 20;
}

/* An admin's zswap (the kernel's own CONFIG_ZSWAP_DEFAULT_ON, zswap.enabled=1, a tmpfiles
 * line) stays on where memprov does not want it: memprov turns off only the zswap it turned on
 * (modules/zswap.c). Its pool holds RAM all the same. */
static bool admin_zswap_on(const struct context *ctx, const struct cushion *c)
{
        _cleanup_free_ char *path = NULL, *v = NULL;

        if (!ctx->live || !(c->kernel.features & KERNEL_ZSWAP) ||
            (ctx->facts->container_denies & CONTAINER_DENIES_ZSWAP) ||
            config_bool(ctx->state, "zswap", "enabled", false))
                return false;
        path = zswap_param_path("enabled");
        v = kernel_param_read(path);
        return v && streq(v, "Y");
}

int cushion_decide(const struct context *ctx, const struct plan *p, struct cushion *ret)
{
        return cushion_decide_swap(ctx, cushion_swap_planned(ctx, p), ret);
}

int cushion_decide_swap(const struct context *ctx, bool disk_swap, struct cushion *ret)
{
        struct cushion c = {0};

        if (ctx->live)
                kernel_caps_live(ctx, &c.kernel);
        else
                kernel_caps_offline(ctx, &c.kernel);
        c.zram_generator = generator_installed(ctx->rootfd);

        if (wanted(ctx, "zswap")) {
                /* A container sees the host's swap in /proc/swaps; zswap is the host's too. */
                if (ctx->live && (ctx->facts->container_denies & CONTAINER_DENIES_ZSWAP))
                        c.zswap_why = xasprintf("container %s: zswap is the host's (read-only "
                                                "here)",
                                                ctx->facts->container);
                else if (!disk_swap)
                        c.zswap_why = xstrdup("there is no swap for it to sit in front of");
                else if (!(c.kernel.features & KERNEL_ZSWAP))
                        c.zswap_why = ctx->live ? xstrdup("this kernel has no " ZSWAP_PARAMS_DIR)
                                                : xasprintf("kernel %s is built without "
                                                            "CONFIG_ZSWAP",
                                                            c.kernel.release);
                else
                        c.kind = CUSHION_ZSWAP;
        }
        if (c.kind == CUSHION_NONE && wanted(ctx, "zram")) {
                /* systemd-zram-generator does nothing in a container, and zram needs
                 * the host's module and /dev/zram*. */
                if (ctx->live && ctx->facts->container)
                        c.zram_why = xasprintf("container %s: zram devices are the host's "
                                               "and systemd-zram-generator does nothing here",
                                               ctx->facts->container);
                else if (!(c.kernel.features & KERNEL_ZRAM))
                        c.zram_why =
                            c.kernel.release
                                ? xasprintf("kernel %s has no zram module", c.kernel.release)
                                : xstrdup("the kernel the root boots is not known (no "
                                          "/vmlinuz link, not one kernel in "
                                          "/usr/lib/modules): no zram assumed");
                else if (!c.zram_generator)
                        c.zram_why = xstrdup("systemd-zram-generator is not installed");
                else
                        c.kind = CUSHION_ZRAM;
        }
        if (c.kind == CUSHION_ZSWAP)
                c.zswap_pool_percent = pool_percent(ctx, true);
        else if (disk_swap && admin_zswap_on(ctx, &c))
                c.zswap_pool_percent = pool_percent(ctx, false);
        *ret = c;
        return 0;
}

void cushion_done(struct cushion *c)
{
        free(c->kernel.release);
        free(c->zswap_why);
        free(c->zram_why);
        *c = (struct cushion){0};
}
