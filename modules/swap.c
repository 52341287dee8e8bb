/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The swap module's policy and plan; swap-file.c carries the plan out, swap-fstab.c its fstab line.
 */
#include <math.h>
#include <sys/stat.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "../lib/state.h"
#include "swap.h"

uint64_t swap_target_bytes(uint64_t ram)
{
        uint64_t gib;

        if (ram < 4 * GIB)
                return MIN(2 * ram, MAX(ram, 2 * GIB));
        if (ram <= 16 * GIB)
                return 4 * GIB;
        gib = (uint64_t)llround(sqrt((double)ram / (double)GIB));
        return MIN(gib, 16) * GIB;
}

uint64_t swap_cap_bytes(uint64_t target, uint64_t fs_size, uint64_t avail, bool explicit_size)
{
        uint64_t reserve = MAX(2 * GIB, fs_size / 10), size = target;

        if (!explicit_size)
                size = MIN(size, avail / 4);
        size = avail > reserve ? MIN(size, avail - reserve) : 0;
        size -= size % SWAP_ROUNDING;
        return size < SWAP_MIN_BYTES ? 0 : size;
}

bool swap_resize_wanted(uint64_t old_size, uint64_t new_size)
{
        uint64_t delta = old_size > new_size ? old_size - new_size : new_size - old_size;

        return delta > MAX(256 * MIB, old_size / 10);
}

const char *swap_fs_refusal(const struct fs_facts *fs)
{
        static const char *const supported[] = {"ext2", "ext3", "ext4", "xfs", "btrfs"};

        if (fs->readonly)
                return "the filesystem is mounted read-only";
        for (size_t i = 0; i < ELEMENTSOF(supported); i++)
                if (streq(fs->fstype, supported[i]))
                        return streq(fs->fstype, "btrfs") && fs->devices != 1
                                   ? "btrfs spans several devices; the kernel only "
                                     "takes swapfiles on single-device btrfs"
                                   : NULL;
        return "the kernel cannot swap to a file on this filesystem type";
}

/* The fstab line memprov wrote for its swapfile, left naming a file that is gone (deleted by
 * hand): memprov's own line, drift the next run repairs, never someone else's swap (issue 20
 * item 3). Offline, fstab entries count as present (lib/facts.c), so the file is looked at. */
static bool own_dangling_entry(const struct context *ctx, const struct swap_entry *e)
{
        const char *recorded[] = {config_str(ctx->state, "swap", "path", NULL),
                                  ctx->intent ? config_str(ctx->intent, "swap", "path", NULL)
                                              : NULL};

        if (e->active)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(recorded); i++)
                if (recorded[i] && streq(e->path, recorded[i]) &&
                    swap_file_kind(ctx, recorded[i], NULL) == SWAP_FILE_ABSENT)
                        return true;
        return false;
}

/* The swap this machine has that memprov did not create. */
static const struct swap_entry *foreign_swap(const struct context *ctx, const char *own)
{
        for (size_t i = 0; i < ctx->facts->n_swaps; i++) {
                const struct swap_entry *e = &ctx->facts->swaps[i];
                if (!e->present || streq(e->path, own) || streq(e->resolved, own) ||
                    own_dangling_entry(ctx, e))
                        continue;
                /* zram is compressed RAM, not disk swap: Debian's systemd-zram-generator turns
                 * zram0 on before memprov runs, and the tier's swapfile still belongs behind it
                 * (measured: VM first boot at 512M left the machine with no swapfile). */
                if (startswith(e->path, "/dev/zram"))
                        continue;
                if (own && ctx->root[0] == '\0' && startswith(e->path, own) &&
                    streq(e->path + strlen(own), ".memprov-resize"))
                        continue;
                return e;
        }
        return NULL;
}

/* memprov's own swapfile: the one the state names, else one a run that did not finish
 * made (its intent record, or swap.path), recognised by its label, never by its name alone. */
static const char *own_swapfile(const struct context *ctx, const char *path, uint64_t *size)
{
        const char *candidates[] = {
            config_str(ctx->state, "swap", "path", NULL),
            ctx->intent ? config_str(ctx->intent, "swap", "path", NULL) : NULL, path};

        for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
                if (candidates[i] && swap_file_kind(ctx, candidates[i], size) == SWAP_FILE_OURS)
                        return candidates[i];
        return NULL;
}

/* Before the first change: every swap path this plan may create, replace or remove is
 * absent or memprov's own. */
static int refuse_foreign_paths(const struct context *ctx, const char *path)
{
        _cleanup_free_ char *side = xasprintf("%s%s", path, SWAP_RESIZE_SUFFIX);
        const char *extra = config_str(ctx->state, "swap", "extra_path", NULL);
        int r;

        r = swap_refuse_foreign(ctx, path);
        if (r == 0)
                r = swap_refuse_foreign(ctx, side);
        if (r == 0 && extra)
                r = swap_refuse_foreign(ctx, extra);
        return r;
}

static struct action *add_swap(const struct context *ctx, struct plan *p, enum swap_op op,
                               const char *path, uint64_t size, const char *fstype)
{
        struct action *a = plan_add(p, ACTION_SWAP, "swap");

        a->swap.live = ctx->live;
        a->swap.op = op;
        a->swap.path = path ? xstrdup(path) : NULL;
        a->swap.size_bytes = size;
        a->swap.fstype = fstype ? xstrdup(fstype) : NULL;
        return a;
}

static int plan_no_swap(const struct context *ctx, struct plan *p, const char *own,
                        uint64_t own_size, const char *why)
{
        struct action *a = add_swap(ctx, p, own ? SWAP_KEEP : SWAP_NONE, own, own_size, NULL);

        a->note = xstrdup(why);
        return 0;
}

/* The free space the swapfile at path may take: what the filesystem has, plus memprov's own
 * swapfile there (replaced in place) and its leftovers, which the apply sweeps first. */
static uint64_t free_for_swap(const struct context *ctx, const char *path, const char *own,
                              uint64_t own_size)
{
        return ctx->facts->swapfs.avail_bytes + (own && streq(own, path) ? own_size : 0) +
               swap_leftover_bytes(ctx, path);
}

/* The size memprov aims for, before the filesystem's caps; 0 for "no swapfile". */
static void wanted_size(const struct context *ctx, const struct swap_settings *set, uint64_t *ret,
                        bool *explicit_size)
{
        const struct config_size *v =
            set->size.kind == CONFIG_SIZE_AUTO ? &set->tier_size : &set->size;

        *explicit_size = v->kind == CONFIG_SIZE_BYTES;
        *ret = v->kind == CONFIG_SIZE_AUTO   ? swap_target_bytes(ctx->facts->ram_bytes)
               : v->kind == CONFIG_SIZE_NONE ? 0
                                             : v->bytes;
}

/* Other swap that is present, plus memprov's swapfile at the size swap_plan() gives it (the
 * policy's or the configured size, capped by the filesystem's free space). Pure, like the plan. */
static uint64_t machine_swap_expected(const struct context *ctx)
{
        struct swap_settings set;
        const struct fs_facts *fs = &ctx->facts->swapfs;
        uint64_t want, own_size = 0, other = 0;
        const char *own, *path;
        bool explicit_size;

        if (swap_settings(ctx, &set) < 0)
                return 0;
        path = set.path;
        own = own_swapfile(ctx, path, &own_size);

        /* No swapfile in this container (swap_plan): its swap is the host's as far as its
         * cgroup's swap limit lets it (memory.swap.max, v1 memsw minus memory). */
        if (ctx->live &&
            (ctx->facts->container_denies & (CONTAINER_DENIES_SWAPON | CONTAINER_DENIES_BOOT_SWAP)))
                return ctx->facts->container_swap_bytes;
        for (size_t i = 0; i < ctx->facts->n_swaps; i++) {
                const struct swap_entry *e = &ctx->facts->swaps[i];
                if (e->present && !streq(e->path, own) && !streq(e->resolved, own))
                        other += e->size_bytes;
        }
        wanted_size(ctx, &set, &want, &explicit_size);
        if (want == 0)
                return other;
        /* The same test as swap_plan's: only swap that is not memprov's and not zram
         * (foreign_swap) keeps the swapfile out. Counting zram here made a first boot under
         * Debian's zram-generator budget zram alone while swap_plan made the 1G swapfile behind
         * it; the next --rerun counted both (512M VM load cell: process.max 4 by the burst
         * bound at first boot, 5 planned by --rerun --dry-run, issue 18). */
        if (!own && foreign_swap(ctx, own) && !set.add)
                return other;
        if (!ctx->facts->fs_known || (swap_fs_refusal(fs) && !own))
                return other + own_size;
        return other + swap_cap_bytes(want, fs->size_bytes, free_for_swap(ctx, path, own, own_size),
                                      explicit_size);
}

/* The swap the burst bound may count (lib/budget.h): what this machine will have, and in a
 * container no more than its cgroup lets it use (container_swap_bytes: memory.swap.max, or v1's
 * memsw limit less the memory limit, at most SwapTotal). Issue 22: "A swap limit the container
 * has counts as the swap in the budget". */
uint64_t swap_expected_bytes(const struct context *ctx)
{
        uint64_t swap = machine_swap_expected(ctx);

        return ctx->facts->container ? MIN(swap, ctx->facts->container_swap_bytes) : swap;
}

static int swap_plan(const struct context *ctx, struct plan *p)
{
        struct swap_settings set;
        const struct fs_facts *fs = &ctx->facts->swapfs;
        const struct swap_entry *other;
        uint64_t want, size, own_size = 0, avail;
        const char *path, *own, *refusal;
        const char *recorded = config_str(ctx->state, "swap", "path", NULL);
        bool explicit_size;
        char b1[32], b2[32];
        struct action *a;
        int r;

        r = swap_settings(ctx, &set);
        if (r < 0)
                return r;
        path = set.path;
        own = own_swapfile(ctx, path, &own_size);
        wanted_size(ctx, &set, &want, &explicit_size);
        if (own && want > 0 && swap_adoptable(ctx, own))
                plan_note(p,
                          "%s%s: swapfile made by memprov 0.1.0 (no label), of the size the "
                          "state records: labelled \"%s\" and kept as memprov's",
                          ctx->root, own, SWAP_LABEL);
        if (want == 0) {
                /* The state may name a file that is no longer (or never was) memprov's. */
                if (!own && recorded && (r = swap_refuse_foreign(ctx, recorded)) < 0)
                        return r;
                if (!own)
                        return plan_no_swap(ctx, p, NULL, 0, "swap.size = none");
                a = add_swap(ctx, p, SWAP_REMOVE, own, 0, NULL);
                a->note = xstrdup("swap.size = none");
                return 0;
        }
        /* An image is copied to machines of other sizes and disks (issue 20 item 5; README:
         * "create no swap in the image"): under --root the swapfile is written only when asked,
         * by swap.image = yes or a size of its own; else each machine's first boot sizes it. The
         * budget still counts the swap that boot will make (machine_swap_expected). */
        if (!ctx->live && !explicit_size && !set.image) {
                if (!own)
                        plan_note(p, "under --root no swapfile is written into the image: the "
                                     "machine's first boot makes it (swap.image = yes or a "
                                     "swap.size writes one now)");
                return plan_no_swap(ctx, p, own, own_size, "swap.image = no");
        }
        if (ctx->live && (ctx->facts->container_denies &
                          (CONTAINER_DENIES_SWAPON | CONTAINER_DENIES_BOOT_SWAP))) {
                _cleanup_free_ char *why =
                    ctx->facts->container_denies & CONTAINER_DENIES_SWAPON
                        ? xasprintf("swapon: %s", strerror(ctx->facts->swapon_errno))
                        : xstrdup("systemd ignores fstab swap in a container");

                /* container_swap_bytes: the host's swap, capped by the cgroup's swap limit. */
                if (ctx->facts->container_swap_bytes == 0)
                        plan_note(p, "container %s: no swapfile (%s); it has no swap",
                                  ctx->facts->container, why);
                else
                        plan_note(p, "container %s: no swapfile (%s); its swap is the host's, %s",
                                  ctx->facts->container, why,
                                  format_size(ctx->facts->container_swap_bytes, b1));
                return plan_no_swap(ctx, p, own, own_size,
                                    ctx->facts->container_denies & CONTAINER_DENIES_SWAPON
                                        ? "the container refuses swapon"
                                        : "no swap in a container booted by systemd");
        }
        other = foreign_swap(ctx, own);
        if (other && !own && !set.add) {
                plan_note(p,
                          "existing swap %s is respected; no swapfile added (set swap.add = "
                          "yes to add one)",
                          other->path);
                return plan_no_swap(ctx, p, NULL, 0, "existing swap found");
        }
        /* A file at swap.path that memprov cannot prove is its own is an error, wherever
         * the path came from (user-data too), not a file to replace. */
        r = refuse_foreign_paths(ctx, path);
        if (r < 0)
                return r;
        if (!ctx->facts->fs_known)
                return plan_no_swap(ctx, p, own, own_size,
                                    "cannot examine the swapfile's filesystem");
        refusal = swap_fs_refusal(fs);
        if (refusal && !own) {
                plan_note(p, "no swapfile on %s (%s): %s", fs->mountpoint ? fs->mountpoint : "?",
                          fs->fstype ? fs->fstype : "?", refusal);
                return plan_no_swap(ctx, p, NULL, 0, refusal);
        }
        avail = free_for_swap(ctx, path, own, own_size);
        size = swap_cap_bytes(want, fs->size_bytes, avail, explicit_size);
        if (size < want)
                plan_note(p, "swap capped at %s (wanted %s) by free space on %s",
                          format_size(size, b1), format_size(want, b2), fs->mountpoint);
        if (size == 0)
                return plan_no_swap(ctx, p, own, own_size,
                                    "not enough free space for a swapfile of at least 256M");
        if (!own)
                a = add_swap(ctx, p, SWAP_CREATE, path, size, fs->fstype);
        else if (!streq(own, path) || (swap_resize_wanted(own_size, size) && !refusal)) {
                a = add_swap(ctx, p, SWAP_RESIZE, path, size, fs->fstype);
                a->swap.old_size_bytes = own_size;
                a->swap.old_path = xstrdup(own);
        } else
                a = add_swap(ctx, p, SWAP_KEEP, own, own_size, fs->fstype);
        a->swap.live = ctx->live;
        return 0;
}

static void swap_record(const struct context *ctx _unused_, const struct plan *p,
                        struct config *state)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];
                if (a->type != ACTION_SWAP || a->swap.op == SWAP_NONE || a->swap.op == SWAP_REMOVE)
                        continue;
                config_set(state, "swap", "path", a->swap.path, "state");
                state_set_u64(state, "swap", "size_bytes", a->swap.size_bytes);
                if (a->swap.extra_path)
                        config_set(state, "swap", "extra_path", a->swap.extra_path, "state");
        }
}

/* Whether path is still named in fstab or present: something for --undo to take away. */
static bool swap_left(const struct context *ctx, const char *path)
{
        struct stat st;

        if (root_lstat(ctx->rootfd, path, &st) == 0)
                return true;
        for (size_t i = 0; i < ctx->facts->n_swaps; i++)
                if (streq(ctx->facts->swaps[i].path, path) &&
                    (ctx->facts->swaps[i].in_fstab || ctx->facts->swaps[i].active))
                        return true;
        return false;
}

/* --undo: swap off, remove the file and its fstab line; a resize's leftover first. */
static int swap_undo(const struct context *ctx, struct plan *p)
{
        static const char *const keys[] = {"extra_path", "path"};
        struct stat st;

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const char *path = config_str(ctx->state, "swap", keys[i], NULL);
                struct action *a;
                if (!path || !swap_left(ctx, path))
                        continue;
                a = add_swap(ctx, p, SWAP_REMOVE, path, 0, NULL);
                if (root_lstat(ctx->rootfd, path, &st) == 0 && !S_ISREG(st.st_mode)) {
                        a->skip = true;
                        a->note = xstrdup("not a regular file (replaced since?): left alone");
                } else
                        a->note = xstrdup("memprov's swapfile");
        }
        return 0;
}

static const struct swap_entry *swap_fact(const struct context *ctx, const char *path)
{
        for (size_t i = 0; i < ctx->facts->n_swaps; i++)
                if (streq(ctx->facts->swaps[i].path, path))
                        return &ctx->facts->swaps[i];
        return NULL;
}

/* --status: the swapfile memprov made, and a resize's leftover, as they are now. */
static void swap_status(const struct context *ctx, struct status *st)
{
        static const char *const keys[] = {"path", "extra_path"};
        struct status_item *it;
        char b1[32], b2[32];
        bool in_fstab;

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const char *path = config_str(ctx->state, "swap", keys[i], NULL);
                uint64_t recorded = state_u64(ctx->state, "swap", "size_bytes");
                const struct swap_entry *e;
                struct stat s;
                if (!path)
                        continue;
                e = swap_fact(ctx, path);
                if (root_lstat(ctx->rootfd, path, &s) < 0 || !S_ISREG(s.st_mode)) {
                        status_add(st, "swap", path, "missing", "missing", true, NULL);
                        continue;
                }
                in_fstab = e && e->in_fstab;
                it = status_add(st, "swap", path,
                                !in_fstab    ? "not_in_fstab"
                                : !ctx->live ? "in_fstab"
                                : e->active  ? "active"
                                             : "not_active",
                                !in_fstab    ? "not in fstab"
                                : !ctx->live ? "in fstab"
                                : e->active  ? "active, in fstab"
                                             : "not active, in fstab",
                                !in_fstab || (ctx->live && !e->active),
                                (uint64_t)s.st_size == recorded || i > 0
                                    ? xasprintf("%s", format_size((uint64_t)s.st_size, b1))
                                    : xasprintf("%s (memprov made it %s)",
                                                format_size((uint64_t)s.st_size, b1),
                                                format_size(recorded, b2)));
                it->has_size = true;
                it->size_bytes = (uint64_t)s.st_size;
                it->recorded_bytes = i == 0 ? recorded : 0;
        }
}

/* Each key once: section, key, check, default, parser, field of struct swap_settings. The
 * defaults are conf.d/00-defaults.conf's (which the admin sees); these stand when no layer sets
 * the key (--defaults naming another folder, a unit test's configuration). */
#define SWAP_KEYS(X)                                                                               \
        X("swap", "size", check_size_auto_none, "auto", config_parse_size_auto_none, size)         \
        X("swap", "path", check_abs_path, SWAP_DEFAULT_PATH, config_parse_string, path)            \
        X("swap", "add", check_bool, "no", config_parse_bool, add)                                 \
        X("swap", "image", check_bool, "no", config_parse_bool, image)                             \
        X("tier", "swap", check_size_auto_none, "auto", config_parse_size_auto_none, tier_size)
#define SWAP_SETTING(...) CONFIG_SETTING_ROW(struct swap_settings, __VA_ARGS__)

static const struct config_key swap_keys[] = {SWAP_KEYS(CONFIG_KEY_ROW){0}};
static const struct config_setting swap_setting_rows[] = {SWAP_KEYS(SWAP_SETTING){0}};

int swap_settings_config(const struct config *config, const char *tier, struct swap_settings *ret)
{
        *ret = (struct swap_settings){0};
        return config_settings_parse(config, tier, swap_setting_rows, ret);
}

int swap_settings(const struct context *ctx, struct swap_settings *ret)
{
        return swap_settings_config(ctx->config, ctx->tier, ret);
}

const char *swap_recorded(const struct config *state, uint64_t *ret_size)
{
        const char *path = state ? config_str(state, "swap", "path", NULL) : NULL;

        *ret_size = path ? state_u64(state, "swap", "size_bytes") : 0;
        return path;
}

const struct module swap_module = {
    .name = "swap",
    .keys = swap_keys,
    .plan = swap_plan,
    .action_types = 1u << ACTION_SWAP,
    .apply = swap_apply,
    .stage = swap_stage,
    .unstage = swap_unstage,
    .record = swap_record,
    .undo = swap_undo,
    .status = swap_status,
};
