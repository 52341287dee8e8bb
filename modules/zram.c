/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zram: a compressed swap device in RAM (Documentation/admin-guide/blockdev/zram.rst), the
 * cushion of the smallest tiers where the kernel has no zswap (Debian's cloud kernels). Set up
 * by systemd-zram-generator (Debian package systemd-zram-generator, which memprov Recommends):
 * memprov writes only its configuration, ZRAM_CONF, for the device zram0 (keys:
 * zram-generator.conf(5)). The generator reads it at every boot; live, memprov reloads systemd
 * (the generator runs again) and starts the swap unit it made.
 *
 * Debian's package enables [zram0] in /etc/systemd/zram-generator.conf on installation
 * (min(ram / 2, 4096) MiB, priority 100). Where the generator is installed, memprov's file owns
 * zram0 either way: sized by the tier when zram is the cushion, size 0 (no device) when zswap is
 * (a page would be compressed twice) or the tier has no cushion. [swap] zram = yes keeps it at
 * every tier.
 */
#include <ctype.h>

#include "../lib/cushion.h"
#include "../lib/live.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "zram.h"

static int check_zram_mode(const char *v)
{
        return streq(v, "auto") ? 0 : check_bool(v);
}

/* zram-size= is an expression over "ram" (MemTotal in MiB) that the generator evaluates; memprov
 * passes it through, so it only keeps out what could break the file's syntax. */
static int check_zram_size(const char *v)
{
        if (!*v || strlen(v) > 128)
                return -EINVAL;
        for (const char *c = v; *c; c++)
                if (!isalnum((unsigned char)*c) && !strchr(" ()+-*/%^.,", *c))
                        return -EINVAL;
        return 0;
}

static char *zram_off_reason(const struct cushion *c)
{
        if (c->kind == CUSHION_ZSWAP)
                return xstrdup("zswap is in front of the swapfile on this kernel: no zram device "
                               "(a page would be compressed twice)");
        if (c->zram_why)
                return xasprintf("zram left off: %s", c->zram_why);
        return xstrdup("this tier has no compressed swap ([swap] zram = yes keeps zram0)");
}

/* zram-generator.conf(5)'s own default size, which memprov writes where no tier sets one. */
#define ZRAM_SIZE_DEFAULT "min(ram / 2, 4096)"

uint64_t zram_present_bytes(const struct context *ctx)
{
        uint64_t n = 0;

        for (size_t i = 0; i < ctx->facts->n_swaps; i++)
                if (ctx->facts->swaps[i].present &&
                    startswith(ctx->facts->swaps[i].path, "/dev/zram"))
                        n += ctx->facts->swaps[i].size_bytes;
        return n;
}

/* What this run does to zram0 on the running system: memprov starts or stops its swap unit only
 * live under systemd, where the generator is installed, outside a container (zram_plan). A
 * running zram0 is never set up again: that is a swapoff, which pulls every page it holds back
 * through RAM at once; a new size or algorithm comes at the next boot, where the generator
 * sizes the device before anything is swapped out. */
enum zram_now { ZRAM_KEEPS, ZRAM_STOPS, ZRAM_STARTS };

static enum zram_now zram_now(const struct context *ctx, const struct cushion *c, uint64_t present)
{
        if (!ctx->live || !ctx->facts->systemd_running || ctx->facts->container ||
            !c->zram_generator)
                return ZRAM_KEEPS;
        if (c->kind != CUSHION_ZRAM)
                return present ? ZRAM_STOPS : ZRAM_KEEPS;
        return present ? ZRAM_KEEPS : ZRAM_STARTS;
}

uint64_t zram_live_bytes(const struct context *ctx, const struct cushion *c, uint64_t present)
{
        uint64_t total;

        switch (zram_now(ctx, c, present)) {
        case ZRAM_STOPS:
                return 0;
        case ZRAM_STARTS:
                /* Made now from memprov's file: its size is known where it is the generator's
                 * default, min(ram / 2, 4096) with ram MemTotal in MiB (--assume-ram: that RAM);
                 * an expression of the tier's is the generator's to evaluate, counted from the
                 * next run. */
                if (tier_value(ctx, "zram.size"))
                        return 0;
                if (ctx->opts && ctx->opts->assume_ram)
                        total = ctx->facts->ram_bytes;
                else if (read_meminfo(NULL, "MemTotal", &total) < 0)
                        return 0;
                return MIN(total / 2, 4096 * MIB);
        default:
                return present;
        }
}

uint64_t zram_budget_bytes(const struct context *ctx, bool disk_swap)
{
        _cleanup_(cushion_done) struct cushion c = {0};
        uint64_t present = zram_present_bytes(ctx);

        if (cushion_decide_swap(ctx, disk_swap, &c) < 0)
                return present;
        return zram_live_bytes(ctx, &c, present);
}

static int zram_plan(const struct context *ctx, struct plan *p)
{
        _cleanup_(cushion_done) struct cushion c = {0};
        _cleanup_free_ char *why = NULL;
        const char *size = tier_value(ctx, "zram.size"), *compressor;
        struct action *file;
        char s[32];
        size_t fi;
        int r;

        r = cushion_decide(ctx, p, &c);
        if (r < 0)
                return r;
        /* zram-generator(8): "The generator does nothing if run inside a container": no
         * config for it to ignore, no install hint, one note. */
        if (ctx->live && ctx->facts->container) {
                if (c.zram_why)
                        plan_note(p, "zram left off: %s", c.zram_why);
                return 0;
        }
        if (!c.zram_generator) {
                if (c.zram_why)
                        plan_note(p, "zram left off: %s%s", c.zram_why,
                                  /* The install hint only where the generator is missing. */
                                  c.kernel.features & KERNEL_ZRAM
                                      ? " (Debian: apt install systemd-zram-generator)"
                                      : "");
                return 0;
        }
        if (c.kind == CUSHION_ZRAM) {
                compressor = cushion_pick_compressor(c.kernel.compressors);
                size = size ? size : ZRAM_SIZE_DEFAULT;
                /* swap-priority 100 (the generator's default, said aloud): above the swapfile,
                 * which swapon(2) gives a negative priority, so zram fills first. */
                file = plan_add_file(
                    p, "zram", ZRAM_CONF, 0644,
                    managed_file("#",
                                 "# zram0: compressed swap in RAM, used before "
                                 "the swapfile (memprov.conf(5)).\n"
                                 "[zram0]\n"
                                 "zram-size = %s\n"
                                 "%s%s%s"
                                 "swap-priority = 100\n",
                                 size, compressor ? "compression-algorithm = " : "",
                                 compressor ? compressor : "", compressor ? "\n" : ""));
                file->note = xasprintf("zram0 of %s MiB of RAM, %s, priority 100", size,
                                       compressor ? compressor : "the kernel's compressor");
                if (zram_present_bytes(ctx) && live_file_changes(ctx, file, NULL)) {
                        char *n = xasprintf("%s: from the next boot (the generator sizes zram0 "
                                            "at boot); this boot keeps the present zram0 of "
                                            "%s, which the budget counts",
                                            file->note, format_size(zram_present_bytes(ctx), s));
                        free(file->note);
                        file->note = n;
                }
        } else {
                why = zram_off_reason(&c);
                file = plan_add_file(p, "zram", ZRAM_CONF, 0644,
                                     managed_file("#", "# %s\n[zram0]\nzram-size = 0\n", why));
                file->note = xasprintf("no zram0: %s", why);
        }
        fi = p->n_actions - 1;
        if (!ctx->live || !ctx->facts->systemd_running)
                return 0; /* the generator reads the file at the next boot */
        plan_add(p, ACTION_DAEMON_RELOAD, "zram");
        /* Off: swapoff through the swap unit, not a stop of the setup unit. After the
         * daemon-reload the generator makes no dev-zram0.swap, so the active swap unit (now
         * made from /proc/swaps) no longer Requires= the setup unit: stopping the setup unit
         * left the swap on and its ExecStop (zram-generator --reset-device) failed with EBUSY,
         * a failed unit at the first boot (scenario 15, generic kernel, session 7). The empty
         * device stays until the next boot, where the generator makes none. */
        if (c.kind != CUSHION_ZRAM) {
                live_plan_unit(p, "zram", &p->actions[fi], ZRAM_SWAP_UNIT, UNIT_STOP);
                return 0;
        }
        /* A running device takes a new size or algorithm only when it is set up again
         * (zram-generator(8)), which memprov leaves to the next boot (zram_now()); a missing one
         * is made now from the file. */
        live_plan_unit(p, "zram", &p->actions[fi], ZRAM_SWAP_UNIT, UNIT_START);
        return 0;
}

static const struct config_key zram_keys[] = {
    {"swap", "zram", check_zram_mode},
    {"tier", "zram", check_bool},
    {"tier", "zram.size", check_zram_size},
    {0},
};

const struct module zram_module = {
    .name = "zram",
    .keys = zram_keys,
    .plan = zram_plan,
};
