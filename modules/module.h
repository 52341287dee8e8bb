/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One provisioning step per module. plan() turns (facts, config, previous state) into actions and
 * never changes the system; it may read files under the root. Generic actions are applied by
 * init/apply.c; a module that owns an action type (swap, units) also provides its apply().
 */
#pragma once

#include "../init/context.h"
#include "../init/plan.h"

#define MANAGED_HEADER "# Managed by memprov"

struct module {
        const char *name;
        const struct config_key *keys; /* terminated by {0} */
        int (*plan)(const struct context *ctx, struct plan *plan);
        /* Optional: record what apply did in the new state. */
        void (*record)(const struct context *ctx, const struct plan *plan, struct config *state);
};

/* NULL-terminated, in the order modules plan and apply. */
extern const struct module *const memprov_modules[];
/* The key lists of the core and every module, NULL-terminated, for config_validate(). */
#define MEMPROV_KEY_LISTS_MAX 16
void memprov_config_keys(const struct config_key *lists[static MEMPROV_KEY_LISTS_MAX]);

/* The managed-file header line in the file's comment syntax ("#" or ";"), then the body from
 * fmt. The caller owns the result. */
char *managed_file(const char *comment, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether content starts with memprov's header (in any comment syntax). */
bool is_managed_content(const char *content);
