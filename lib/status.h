/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --status: what memprov set, as it is now. Modules add one item per thing they set (the
 * swapfile, a sysctl, a unit they disabled); init adds the managed files and prints the lot.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct status_item {
        char *kind;   /* "swap", "sysctl", "file", "unit" */
        char *name;   /* what: a path, a key, a unit */
        char *state;  /* short, e.g. "as written", "still disabled" */
        char *detail; /* or NULL */
        bool drift;   /* changed since memprov set it */
};

struct status {
        struct status_item *items;
        size_t n_items;
};

void status_add(struct status *st, const char *kind, const char *name, const char *state,
                bool drift, char *detail);
void status_done(struct status *st);
