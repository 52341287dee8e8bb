/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every module sees while planning or applying. Read-only for modules. */
#pragma once

#include <stdbool.h>

#include "config.h"
#include "facts.h"
#include "options.h"

struct services;

struct context {
        const struct options *opts;
        int rootfd;       /* "/" or --root, opened O_PATH */
        const char *root; /* "" for the running system, else --root */
        bool live;        /* running system: swapon, /proc/sys and D-Bus allowed */
        const struct facts *facts;
        const struct config *config;
        const struct config *state; /* previous run's state (empty when none) */
        /* What a run that did not finish meant to record (empty when none): init/intent.c. */
        const struct config *intent;
        /* The files an --undo kept because the admin had edited them, with memprov's records
         * of them (the undone marker, init/undo.h; empty or NULL when none): still theirs. */
        const struct config *kept;
        const char *tier; /* tier section, e.g. "tier 1G" */
        /* Detected once before planning (lib/services.h): modules never detect again. */
        const struct services *services;
};

/* The tier table's value for key, with the config's same key in section override winning. */
const char *tier_value(const struct context *ctx, const char *key);
