/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory budget: OS reserve + every installed service's worst case must fit in RAM. Each
 * service adds lines (fixed cost + count x cost each); budget_fit() lowers the scalable counts
 * (max_connections, MaxRequestWorkers, pm.max_children) proportionally, never below their floors.
 * The budget is a pure function of (facts, config, ctx->services): every module recomputes the
 * same numbers, detecting nothing. Each service module adds its lines through its budget hook
 * (modules/module.h, budget_compute()); this file is only the ledger.
 */
#pragma once

#include <stdint.h>

#include "context.h"

#define BUDGET_MAX_LINES 32

struct budget_line {
        char id[80];         /* what modules look up: "mysqld", "apache", "php 8.2 www" */
        char service[64];    /* for the table: "mariadb 10.11", "apache2 event", "php8.2 [www]" */
        const char *setting; /* NULL for a fixed cost without a count */
        unsigned wanted;     /* the tier's count */
        unsigned count;      /* after budget_fit() */
        unsigned floor;      /* never below, a multiple of step */
        unsigned step;       /* counts move in multiples of this (ThreadsPerChild), >= 1 */
        uint64_t fixed;      /* bytes independent of count */
        uint64_t each;       /* bytes per counted process, thread or connection */
};

struct budget {
        uint64_t ram;
        uint64_t reserve;
        struct budget_line lines[BUDGET_MAX_LINES];
        size_t n_lines;
        bool fits; /* false when even the floors do not fit */
};

/* Adds a line with count = wanted rounded down to step and floor rounded up to it. */
struct budget_line *budget_add(struct budget *b, const char *id, const char *setting,
                               unsigned wanted, unsigned floor, unsigned step, uint64_t fixed,
                               uint64_t each);
uint64_t budget_line_total(const struct budget_line *l);
uint64_t budget_total(const struct budget *b);
/* Lowers counts until reserve + total <= ram or every count is at its floor. */
bool budget_fit(struct budget *b);
const struct budget_line *budget_find(const struct budget *b, const char *id);
/* The fitted count for id, or def when the line does not exist. */
unsigned budget_count(const struct budget *b, const char *id, unsigned def);

/* [services] enabled: whether memprov sizes MySQL/MariaDB, Apache and PHP-FPM at all (their
 * drop-ins and the budget). The OOM drop-ins have their own switch, [oom] enabled. */
bool service_sizing_enabled(const struct context *ctx);

/* Cost lookups shared by the service modules: the tier's value, else [budget], else def. */
uint64_t service_size(const struct context *ctx, const char *key, uint64_t def);
unsigned service_uint(const struct context *ctx, const char *key, unsigned def);
