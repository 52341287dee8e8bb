/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <json-c/json.h>

#include "../lib/kernel-param.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "compare.h"

/* Whether the kernel file a sysctl or zswap action sets already holds its value. */
static bool live_matches(const struct action *a)
{
        _cleanup_free_ char *path =
            a->type == ACTION_SYSCTL ? sysctl_key_path(a->key) : zswap_param_path(a->key);
        _cleanup_free_ char *now = kernel_param_read(path);

        return now && streq(now, a->value);
}

/* memprov's swapfile kept as it is: so when fstab names it and, on the running system, it is
 * swapped on (else the apply puts the line back or turns it on). */
static bool swap_kept(const struct context *ctx, const struct action *a)
{
        for (size_t i = 0; i < ctx->facts->n_swaps; i++) {
                const struct swap_entry *e = &ctx->facts->swaps[i];
                if (streq(e->path, a->swap.path) || streq(e->resolved, a->swap.path))
                        return e->in_fstab && (!ctx->live || e->active);
        }
        return false;
}

static bool is_as_planned(const struct context *ctx, const struct action *a)
{
        switch (a->type) {
        case ACTION_SYSCTL:
        case ACTION_ZSWAP:
                /* Under --root the drop-in carries it to the next boot (deferred). */
                return ctx->live && live_matches(a);
        case ACTION_SWAP:
                return a->swap.op == SWAP_NONE || (a->swap.op == SWAP_KEEP && swap_kept(ctx, a));
        case ACTION_WRITE_FILE: /* plan_review() compared it */
        case ACTION_SYMLINK:
                return a->as_planned;
        case ACTION_REMOVE_FILE: /* planned only for a file that is there */
        case ACTION_UNIT:        /* planned only for a unit whose links differ */
        case ACTION_DAEMON_RELOAD:
        case ACTION_SERVICE_LIVE:
        case ACTION_SQL_LIVE:
                return false;
        }
        return false;
}

void plan_compare(const struct context *ctx, struct plan *p)
{
        bool any_file = false;

        for (size_t i = 0; i < p->n_actions; i++) {
                struct action *a = &p->actions[i];
                a->as_planned = !a->skip && is_as_planned(ctx, a);
                if (!a->skip && !a->as_planned &&
                    (a->type == ACTION_WRITE_FILE || a->type == ACTION_REMOVE_FILE ||
                     a->type == ACTION_SYMLINK || a->type == ACTION_UNIT))
                        any_file = true;
        }
        /* systemd's reload (and the live steps after it) follow a changed unit file or link. */
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].type == ACTION_DAEMON_RELOAD)
                        p->actions[i].as_planned = !any_file;
}

char *action_change(const struct action *a)
{
        char b1[32], b2[32];

        if (a->skip || a->as_planned)
                return NULL;
        switch (a->type) {
        case ACTION_WRITE_FILE:
                return xasprintf("write %s", a->path);
        case ACTION_SYMLINK:
                return xasprintf("link %s", a->path);
        case ACTION_REMOVE_FILE:
                return xasprintf("remove %s", a->path);
        case ACTION_SYSCTL:
                return a->deferred ? NULL : xasprintf("set %s = %s", a->key, a->value);
        case ACTION_ZSWAP:
                return a->deferred ? NULL : xasprintf("set zswap %s = %s", a->key, a->value);
        case ACTION_UNIT:
                return xasprintf("%s %s", a->unit_op == UNIT_DISABLE ? "disable" : "enable",
                                 a->unit);
        case ACTION_SWAP:
                if (a->swap.op == SWAP_CREATE)
                        return xasprintf("create swapfile %s of %s", a->swap.path,
                                         format_size(a->swap.size_bytes, b1));
                if (a->swap.op == SWAP_RESIZE)
                        return xasprintf("resize swapfile %s to %s (now %s)", a->swap.path,
                                         format_size(a->swap.size_bytes, b1),
                                         format_size(a->swap.old_size_bytes, b2));
                if (a->swap.op == SWAP_REMOVE)
                        return xasprintf("remove swapfile %s", a->swap.path);
                if (a->swap.op == SWAP_KEEP)
                        return xasprintf("put swapfile %s back in fstab%s", a->swap.path,
                                         a->swap.live ? " and swap on it" : "");
                return NULL;
        case ACTION_DAEMON_RELOAD:
        case ACTION_SERVICE_LIVE: /* consequences of a file written, shown as that write */
        case ACTION_SQL_LIVE:
                return NULL;
        }
        return NULL;
}

json_object *action_change_json(const struct action *a)
{
        static const char *const swap_ops[] = {
            [SWAP_CREATE] = "create",
            [SWAP_RESIZE] = "resize",
            [SWAP_REMOVE] = "remove",
            [SWAP_KEEP] = "restore", /* its fstab line, or swapon: action_change() */
        };
        _cleanup_free_ char *words = action_change(a);
        const char *kind, *op, *name;
        json_object *o;

        if (!words)
                return NULL;
        switch (a->type) {
        case ACTION_WRITE_FILE:
        case ACTION_SYMLINK:
        case ACTION_REMOVE_FILE:
                kind = a->type == ACTION_SYMLINK ? "link" : "file";
                op = a->type == ACTION_WRITE_FILE ? "write"
                     : a->type == ACTION_SYMLINK  ? "link"
                                                  : "remove";
                name = a->path;
                break;
        case ACTION_SYSCTL:
        case ACTION_ZSWAP:
                kind = a->type == ACTION_SYSCTL ? "sysctl" : "zswap";
                op = "set";
                name = a->key;
                break;
        case ACTION_UNIT:
                kind = "unit";
                op = a->unit_op == UNIT_DISABLE ? "disable" : "enable";
                name = a->unit;
                break;
        case ACTION_SWAP:
                kind = "swap";
                op = swap_ops[a->swap.op];
                name = a->swap.path;
                break;
        default:
                return NULL;
        }
        o = json_object_new_object();
        json_object_object_add(o, "kind", json_object_new_string(kind));
        json_object_object_add(o, "op", json_object_new_string(op));
        json_object_object_add(o, "name", json_object_new_string(name));
        if (a->type == ACTION_SYSCTL || a->type == ACTION_ZSWAP)
                json_object_object_add(o, "value", json_object_new_string(a->value));
        if (a->type == ACTION_SWAP && a->swap.op != SWAP_REMOVE)
                json_object_object_add(o, "size_bytes", json_object_new_uint64(a->swap.size_bytes));
        if (a->type == ACTION_SWAP && a->swap.op == SWAP_RESIZE)
                json_object_object_add(o, "old_size_bytes",
                                       json_object_new_uint64(a->swap.old_size_bytes));
        return o;
}
