/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One provisioning step per module, reached only through this struct: the program (init/) walks
 * memprov_modules[] and names no module. plan() turns (facts, config, previous state) into
 * actions and never changes the system; it may read files under the root. Generic actions
 * (files, links) are applied by init/apply.c; a module that owns an action type (swap, sysctl,
 * units) applies it in its apply().
 */
#pragma once

#include "../lib/budget.h"
#include "../lib/context.h"
#include "../lib/plan.h"
#include "../lib/services.h"
#include "../lib/status.h"

struct module {
        const char *name;
        const struct config_key *keys; /* terminated by {0} */
        /* Optional: fill this module's part of the run's services, once, before planning. */
        int (*detect)(const struct context *ctx, struct services *services);
        /* Optional: add this module's lines (fixed cost, count x cost each) to the budget. */
        int (*budget)(const struct context *ctx, struct budget *b);
        int (*plan)(const struct context *ctx, struct plan *plan);
        /* The action types (1u << ACTION_*) this module applies, and how. */
        unsigned action_types;
        int (*apply)(const struct context *ctx, struct action *a);
        /* Optional: before the run's one syncfs, what apply(a) will write, under its temp name
         * (root_stage_file), so that apply only renames it (1: a->staged tells apply so); and
         * unstage(), which removes that temp file after a failed run or one stopped before its
         * intent record. */
        int (*stage)(const struct context *ctx, const struct action *a);
        void (*unstage)(const struct context *ctx);
        /* Optional: record what apply did in the new state. */
        void (*record)(const struct context *ctx, const struct plan *plan, struct config *state);
        /* Optional, for --undo: plan the actions that put back what this module changed beyond
         * its recorded files and links (init removes those), from ctx->state. The plan already
         * holds the file removals, so a module can see whether its file is kept. */
        int (*undo)(const struct context *ctx, struct plan *plan);
        /* Optional, for --status: one item per thing this module set (from ctx->state) beyond
         * its files, as it is now. */
        void (*status)(const struct context *ctx, struct status *st);
};

/* NULL-terminated, in the order modules plan and apply. */
extern const struct module *const memprov_modules[];
/* The key lists of the core and every module, NULL-terminated, for config_validate(). */
#define MEMPROV_KEY_LISTS_MAX 16
void memprov_config_keys(const struct config_key *lists[static MEMPROV_KEY_LISTS_MAX]);

/* Every module's detect hook, once per run: the services this machine runs. */
int services_detect(const struct context *ctx, struct services *ret);
/* The installed services' budget for this machine (every module's budget hook), fitted.
 * Logged errors only for bad config. */
int budget_compute(const struct context *ctx, struct budget *ret);
/* How long a PHP request may wait for a PHP-FPM child, one policy for Apache and nginx (issue
 * 23): [model] php.target_latency_ms T, the longest a visitor should wait for a PHP page before a
 * quick refusal is the better answer, less the page's own time t ([model] php.page_ms): a request
 * that waited T - t is served by T. 0: no bound (T = 0). php_target_ms() is T, from
 * [services] apache.proxy_fcgi.target_latency_ms where that deprecated alias is set. */
unsigned php_target_ms(const struct context *ctx);
unsigned php_wait_ms(const struct context *ctx);
/* nginx's: [tier] nginx.fastcgi_wait (seconds) where an admin sets one, else php_wait_ms(). */
unsigned nginx_wait_ms(const struct context *ctx);
/* Every module's unstage hook: no temp file a stage hook wrote is left. */
void modules_unstage(const struct context *ctx);
/* The swapfile the configuration names (swap.path, or the swap module's default for it), read
 * through the swap module's typed settings; NULL (logged) for a value validation refuses. For
 * init/, which needs it before the facts exist. */
const char *memprov_swap_path(const struct config *config);
/* Memprov's swapfile in a state (the swap module's record): path or NULL, and its size. */
const char *memprov_swap_recorded(const struct config *state, uint64_t *ret_size);
/* The module that applies actions of this type, or NULL for the generic ones. */
const struct module *module_for_action(enum action_type type);
