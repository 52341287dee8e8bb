/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --status: a summary a person (or a monitoring check, by the exit status) reads: the tier and
 * RAM provisioned against now, each thing memprov set as it is now (modules' status hooks, and
 * the managed files here), and what --rerun would change: a --rerun plan and its one comparison
 * with the machine (init/compare.h), the same a --rerun --dry-run prints.
 */
#include <fcntl.h>
#include <json-c/json.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "../lib/state.h"
#include "../modules/module.h"
#include "apply.h"
#include "compare.h"
#include "options.h"
#include "status.h"
#include "undo.h"

static void status_files(const struct context *ctx, struct status *st)
{
        static const char *const names[] = {
            [MANAGED_AS_WRITTEN] = "as written",
            [MANAGED_EDITED] = "edited by the admin",
            [MANAGED_MISSING] = "missing",
        };
        static const char *const codes[] = {
            [MANAGED_AS_WRITTEN] = "as_written",
            [MANAGED_EDITED] = "edited",
            [MANAGED_MISSING] = "missing",
        };

        for (size_t i = 0; i < ctx->state->n_settings; i++) {
                const struct setting *s = &ctx->state->settings[i];
                enum managed_state m;
                if (!is_managed_record(s))
                        continue;
                m = managed_path_state(ctx, s);
                status_add(st, "file", s->key, codes[m], names[m], m != MANAGED_AS_WRITTEN, NULL);
        }
}

struct summary {
        struct status items;
        char **pending; /* what --rerun would change */
        size_t n_pending;
        json_object *pending_json; /* the same as values */
        bool ram_changed, disk_changed;
};

static int summarize(const struct context *ctx,
                     int (*plan)(const struct context *ctx, struct plan *p), struct summary *sum)
{
        struct plan p = {0};
        int r;

        status_files(ctx, &sum->items);
        for (size_t i = 0; memprov_modules[i]; i++)
                if (memprov_modules[i]->status)
                        memprov_modules[i]->status(ctx, &sum->items);
        sum->ram_changed = state_u64(ctx->state, "memprov", "ram_bytes") != ctx->facts->ram_bytes;
        sum->disk_changed =
            ctx->facts->fs_known &&
            state_u64(ctx->state, "memprov", "disk_bytes") != ctx->facts->swapfs.size_bytes;
        r = plan(ctx, &p);
        sum->pending_json = json_object_new_array();
        for (size_t i = 0; r == 0 && i < p.n_actions; i++) {
                char *change = action_change(&p.actions[i]);
                json_object *o = action_change_json(&p.actions[i]);
                if (o)
                        json_object_array_add(sum->pending_json, o);
                if (!change)
                        continue;
                sum->pending = xrealloc(sum->pending, (sum->n_pending + 1) * sizeof(char *));
                sum->pending[sum->n_pending++] = change;
        }
        plan_done(&p);
        return r;
}

static int exit_status(const struct summary *sum)
{
        bool drift = false;

        for (size_t i = 0; i < sum->items.n_items; i++)
                drift = drift || sum->items.items[i].drift;
        return (drift ? STATUS_DRIFT : 0) |
               (sum->n_pending > 0 || sum->ram_changed || sum->disk_changed ? STATUS_PENDING : 0);
}

static void print_text(const struct context *ctx, const struct summary *sum, int status)
{
        const char *tier = config_str(ctx->state, "memprov", "tier", "?");
        char b1[32], b2[32];

        printf("provisioned  tier %s for RAM %s (memprov %s)\n", tier,
               format_size(state_u64(ctx->state, "memprov", "ram_bytes"), b1),
               config_str(ctx->state, "memprov", "version", "?"));
        printf("now          tier %s, RAM %s%s\n", ctx->tier + strlen("tier "),
               format_size(ctx->facts->ram_bytes, b2),
               sum->ram_changed ? ": resized since, memprov --rerun provisions for it" : "");
        if (ctx->facts->container)
                printf("container    %s (RAM from %s)\n", ctx->facts->container,
                       ctx->facts->ram_source);
        if (sum->disk_changed)
                printf("disk         the swapfile's filesystem is %s now, was %s\n",
                       format_size(ctx->facts->swapfs.size_bytes, b1),
                       format_size(state_u64(ctx->state, "memprov", "disk_bytes"), b2));
        for (size_t i = 0; i < sum->items.n_items; i++) {
                const struct status_item *it = &sum->items.items[i];
                printf("%-12s %s: %s", it->kind, it->name, it->state);
                printf(it->detail ? " (%s)\n" : "\n", it->detail);
        }
        if (sum->n_pending == 0)
                printf("rerun        would change nothing\n");
        for (size_t i = 0; i < sum->n_pending; i++)
                printf("rerun        would %s\n", sum->pending[i]);
        printf("status       %s%s%s (exit %d)\n", status == 0 ? "as memprov left it" : "",
               status & STATUS_DRIFT ? "changed since memprov set it" : "",
               status & STATUS_PENDING
                   ? (status & STATUS_DRIFT ? "; --rerun pending" : "--rerun pending")
                   : "",
               status);
}

/* A sysctl's value as a number where it is one (swappiness always is). */
static json_object *number_or_string(const char *v)
{
        char *end;
        unsigned long long n;

        if (!v)
                return NULL;
        errno = 0;
        n = strtoull(v, &end, 10);
        return *v >= '0' && *v <= '9' && !*end && errno == 0 ? json_object_new_uint64(n)
                                                             : json_object_new_string(v);
}

/* Values only (format_version 2): the state as a word from a fixed set per kind, sizes in
 * bytes; the sentences are the text output's. */
static json_object *item_json(const struct status_item *it)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "kind", json_object_new_string(it->kind));
        json_object_object_add(o, "name", json_object_new_string(it->name));
        json_object_object_add(o, "state", json_object_new_string(it->code));
        json_object_object_add(o, "drift", json_object_new_boolean(it->drift));
        if (it->has_size) {
                json_object_object_add(o, "size_bytes", json_object_new_uint64(it->size_bytes));
                if (it->recorded_bytes)
                        json_object_object_add(o, "recorded_size_bytes",
                                               json_object_new_uint64(it->recorded_bytes));
        }
        if (it->set) {
                json_object_object_add(o, "set", number_or_string(it->set));
                json_object_object_add(o, "value", number_or_string(it->value));
        }
        return o;
}

static void print_json(const struct context *ctx, const struct summary *sum, int status,
                       bool undone)
{
        json_object *root = json_object_new_object(), *items = json_object_new_array();
        bool provisioned = state_present(ctx->state);

        /* Raised when a field changes meaning or type, so a monitoring check can tell. */
        json_object_object_add(root, "format_version", json_object_new_int(2));
        json_object_object_add(root, "provisioned", json_object_new_boolean(provisioned));
        json_object_object_add(root, "undone", json_object_new_boolean(undone));
        if (provisioned) {
                json_object_object_add(
                    root, "version",
                    json_object_new_string(config_str(ctx->state, "memprov", "version", "?")));
                json_object_object_add(
                    root, "tier",
                    json_object_new_string(config_str(ctx->state, "memprov", "tier", "?")));
                json_object_object_add(
                    root, "ram_bytes",
                    json_object_new_uint64(state_u64(ctx->state, "memprov", "ram_bytes")));
        }
        json_object_object_add(root, "tier_now",
                               json_object_new_string(ctx->tier + strlen("tier ")));
        json_object_object_add(root, "ram_bytes_now",
                               json_object_new_uint64(ctx->facts->ram_bytes));
        json_object_object_add(
            root, "ram_source_now",
            ctx->facts->ram_source ? json_object_new_string(ctx->facts->ram_source) : NULL);
        json_object_object_add(root, "container",
                               ctx->facts->container ? json_object_new_string(ctx->facts->container)
                                                     : NULL);
        json_object_object_add(root, "ram_changed", json_object_new_boolean(sum->ram_changed));
        json_object_object_add(root, "disk_changed", json_object_new_boolean(sum->disk_changed));
        for (size_t i = 0; i < sum->items.n_items; i++)
                json_object_array_add(items, item_json(&sum->items.items[i]));
        json_object_object_add(root, "items", items);
        json_object_object_add(root, "rerun_would",
                               sum->pending_json ? json_object_get(sum->pending_json)
                                                 : json_object_new_array());
        json_object_object_add(root, "drift", json_object_new_boolean(status & STATUS_DRIFT));
        json_object_object_add(root, "rerun_pending",
                               json_object_new_boolean(status & STATUS_PENDING));
        json_object_object_add(root, "exit_status", json_object_new_int(status));
        printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
}

static void summary_done(struct summary *sum)
{
        status_done(&sum->items);
        for (size_t i = 0; i < sum->n_pending; i++)
                free(sum->pending[i]);
        free(sum->pending);
        if (sum->pending_json)
                json_object_put(sum->pending_json);
}

int status_run(const struct context *ctx, int (*plan)(const struct context *ctx, struct plan *p))
{
        struct summary sum = {0};
        struct stat st;
        int r, status = 0;

        if (!state_present(ctx->state)) {
                bool undone = root_lstat(ctx->rootfd, UNDONE_PATH, &st) == 0;
                if (ctx->opts->json)
                        print_json(ctx, &sum, STATUS_NOT_PROVISIONED, undone);
                else
                        printf("not provisioned: %s (exit %d)\n",
                               undone ? "put back by memprov --undo" : "memprov has not run here",
                               STATUS_NOT_PROVISIONED);
                return STATUS_NOT_PROVISIONED;
        }
        r = summarize(ctx, plan, &sum);
        if (r == 0) {
                status = exit_status(&sum);
                if (ctx->opts->json)
                        print_json(ctx, &sum, status, false);
                else
                        print_text(ctx, &sum, status);
        }
        summary_done(&sum);
        return r < 0 ? r : status;
}
