/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --status: what memprov set, as it is now. Modules add one item per thing they set (the
 * swapfile, a sysctl, a unit they disabled); init adds the managed files and prints the lot.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct status_item {
        char *kind;       /* "swap", "sysctl", "file", "unit" */
        char *name;       /* what: a path, a key, a unit */
        const char *code; /* the state as a value for --json, e.g. "as_written", "disabled" */
        char *state;      /* the same in words, e.g. "as written", "still disabled" */
        char *detail;     /* or NULL */
        bool drift;       /* changed since memprov set it */
        /* Values for --json where the kind has them (the words above say the same). */
        bool has_size;
        uint64_t size_bytes, recorded_bytes; /* swap: now, and as memprov made it */
        char *value, *set;                   /* sysctl: now (NULL: unread), memprov's */
};

struct status {
        struct status_item *items;
        size_t n_items;
};

/* code: a static word (lowercase, '_'); detail: owned by the status from here on (may be
 * NULL). The item returned takes the kind's values. */
struct status_item *status_add(struct status *st, const char *kind, const char *name,
                               const char *code, const char *state, bool drift, char *detail);
void status_done(struct status *st);
