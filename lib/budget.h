/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sizing model (issue 18). Each installed service adds lines to a budget through its module's
 * budget hook (modules/module.h, budget_compute()): a fixed cost and, for a counted setting, a
 * cost per process, thread or connection, all typical (measured) costs, not worst cases. Then
 * budget_fit() sets the counts memprov chooses from bounds, each a small pure function over data
 * from conf.d ([model], [budget]):
 * - cpu: a PHP-FPM master's children (all its pools) at most k x vCPUs;
 * - steady: the typical costs of everything fit in a share of RAM, with no swapping;
 * - burst: with a share of the children at their effective memory_limit, it all fits in RAM plus
 *   a share of the swap (swap is the cushion for the rare fat request);
 * - floor: never fewer than the floor, whatever the bounds say;
 * - admin: a value the admin set where it wins over memprov's (a pool's own pm.max_children, a
 *   later cnf's max_connections, php-fpm.conf's process.max) is budgeted, not overridden.
 * The database's connections follow the children: max_connections >= every PHP child (PHP-FPM
 * and mod_php) + a reserve for admin and cron. Each line records the bound that set its count and
 * what every bound allowed, for the plan's explanation. Pure: no I/O, the same numbers in every
 * module of a run.
 */
#pragma once

#include <stdint.h>

#include "context.h"

#define BUDGET_MAX_LINES 48

/* What a line's count means to the model. */
enum budget_role {
        ROLE_FIXED, /* a fixed cost, or a count the model keeps (the tier's or the admin's) */
        ROLE_PHP,   /* the PHP processes of one master (or Apache's mod_php children) */
        ROLE_POOL,  /* one pool's share of its master's children (cost counted by the master) */
        ROLE_DB,    /* the database's connections: at least every PHP child + the reserve */
        ROLE_CACHE, /* a cache that grows into the room the steady bound leaves: fixed is its
                       least size, count x each what it gets on top, up to wanted */
        _ROLE_MAX,
};

/* Which bound set a count (budget_bound_name()). */
enum budget_bound {
        BOUND_NONE,
        BOUND_TIER,     /* the tier table's value, no bound applies */
        BOUND_CPU,      /* k x vCPUs */
        BOUND_STEADY,   /* typical costs within a share of RAM */
        BOUND_BURST,    /* a share of children at memory_limit within RAM + a share of swap */
        BOUND_FLOOR,    /* raised to the floor */
        BOUND_ADMIN,    /* the admin's own value, which wins */
        BOUND_CHILDREN, /* max_connections: the PHP children + the reserve */
        BOUND_SHARE,    /* a pool's share of its master's cap */
        BOUND_CONFIG,   /* memprov's configuration caps it (php.max_children in /etc/memprov) */
        BOUND_ROOM,     /* a cache: what the steady bound leaves free */
        BOUND_WANTED,   /* a cache: all it wants (the data's size) */
        _BOUND_MAX,
};

struct budget_line {
        char id[80];         /* what modules look up: "mysqld", "apache", "php 8.2 www" */
        char service[64];    /* for the table: "mariadb 10.11", "apache2 event", "php8.2 [www]" */
        const char *setting; /* NULL for a fixed cost without a count */
        enum budget_role role;
        unsigned wanted; /* the tier's (or admin's) count; the model's lines: its result */
        unsigned count;  /* after budget_fit() */
        unsigned floor;  /* never below, a multiple of step */
        unsigned step;   /* counts move in multiples of this (ThreadsPerChild), >= 1 */
        uint64_t fixed;  /* bytes independent of count */
        uint64_t each;   /* typical bytes per counted process, thread or connection */
        uint64_t burst;  /* ROLE_PHP: a child's Zend heap at its effective memory_limit, on top of
                          * each (budget_burst_child()) */
        unsigned weight; /* ROLE_PHP: its pools (the masters share the RAM bounds by pools) */
        int parent;      /* ROLE_POOL: index of its master's line */
        enum budget_bound bound;
        unsigned bounds[_BOUND_MAX]; /* what each bound allowed (0: not applied) */
};

/* The model's constants ([model] in conf.d, with their sources there). */
struct budget_model {
        unsigned vcpus;
        unsigned children_per_vcpu; /* k of the cpu bound */
        unsigned steady_percent;    /* share of RAM (after the OS reserve) typical costs may use */
        unsigned burst_percent;     /* share of the children at memory_limit at once */
        unsigned swap_percent;      /* share of the swap the burst may use */
        uint64_t swap;              /* the swap this machine will have */
        /* Of swap, the zram devices' size: their pages are "compressed and stored in memory
         * itself" (Documentation/admin-guide/blockdev/zram.rst), so a page there still costs
         * 1/compression_ratio of a page of RAM (budget_swap_cushion()). */
        uint64_t zram;
        /* The RAM zswap's compressed pool may hold (max_pool_percent of RAM, lib/cushion.h;
         * 0: no zswap): the pages a burst swaps out sit there first (budget_burst_swap()). */
        uint64_t zswap_pool;
        /* [model] compression_ratio: N of N:1, for zram's and zswap's pages alike (the same
         * compressors and zsmalloc; zram.rst: "we expect a 2:1 compression ratio"). */
        unsigned compression_ratio;
        unsigned connection_reserve;
        unsigned page_ms; /* [model] php.page_ms: one PHP page on this vCPU (0: unknown) */
};

struct budget {
        uint64_t ram;
        uint64_t reserve;
        struct budget_model model;
        struct budget_line lines[BUDGET_MAX_LINES];
        size_t n_lines;
        bool fits; /* false when even the floors do not fit in RAM (steady) */
        uint64_t steady_room, burst_room; /* what the steady and burst bounds had */
};

/* The swap the burst bound counts: disk swap whole, zram at what it saves, its size less the
 * RAM its compressed pages take (size / ratio); a ratio of 0 counts zram as nothing. Counting a
 * zram device at its size counted that RAM twice: once as RAM, once as swap. */
uint64_t budget_swap_cushion(const struct budget_model *m);
/* The RAM the burst bound's share of that swap frees: the share less what zswap's pool keeps of
 * it in RAM, min(pool, share / ratio) (the pool takes the pages first and writes the rest on to
 * the disk when full). Counting the share whole counted the pool's RAM twice, as zram's was. */
uint64_t budget_burst_swap(const struct budget_model *m);

/* Adds a ROLE_FIXED line with count = wanted rounded down to step and floor rounded up to it. */
struct budget_line *budget_add(struct budget *b, const char *id, const char *setting,
                               unsigned wanted, unsigned floor, unsigned step, uint64_t fixed,
                               uint64_t each);
uint64_t budget_line_total(const struct budget_line *l);
/* What one child at memory_limit costs the burst bound: the limit, but never more than the RAM.
 * An unlimited child (memory_limit = -1, PHP_UNLIMITED) counts at the RAM: the most it can hold
 * before the kernel reclaims it into swap or its cgroup's MemoryMax stops it. */
uint64_t budget_limit_cost(uint64_t limit, uint64_t ram);
/* A ROLE_PHP child in a burst: its typical cost plus its heap at memory_limit, at most the RAM.
 * PHP's memory_limit bounds the Zend allocator's heap only (Zend/zend_alloc.c: the limit is
 * checked against heap->real_size, the chunks and huge blocks the Zend MM mapped), not the
 * process's code, shared libraries or its libraries' own malloc, which the typical cost holds. */
uint64_t budget_burst_child(const struct budget_line *l, uint64_t ram);
uint64_t budget_total(const struct budget *b);
/* Sets every ROLE_PHP, ROLE_POOL and ROLE_DB count from the bounds; fits when the steady sum is
 * within RAM. */
bool budget_fit(struct budget *b);
const struct budget_line *budget_find(const struct budget *b, const char *id);
/* The ROLE_POOL line id of PHP-FPM version's pool ("" for EL's unversioned php-fpm):
 * "php 8.2 www". PHP-FPM's budget writes it, Apache's back-pressure reads it. */
void budget_pool_id(const char *version, const char *pool, char buf[static 80]);
/* The fitted count for id, or def when the line does not exist. */
unsigned budget_count(const struct budget *b, const char *id, unsigned def);
const char *budget_bound_name(enum budget_bound bound);
/* "cpu 4 (4 x 1 vCPU), steady 5, burst 7": what each bound allowed, for the plan. */
void budget_explain(const struct budget *b, const struct budget_line *l, char *buf, size_t size);
/* PHP processes over every ROLE_PHP line. */
unsigned budget_php_children(const struct budget *b);
/* RAM the steady sum leaves free (0 when it does not fit): what caches may grow into. */
uint64_t budget_free(const struct budget *b);

/* [services] enabled: whether memprov sizes MySQL/MariaDB, Apache and PHP-FPM at all (their
 * drop-ins and the budget). The OOM drop-ins have their own switch, [oom] enabled. */
bool service_sizing_enabled(const struct context *ctx);

/* Cost lookups shared by the service modules: the tier's value, else [budget], else def. */
uint64_t service_size(const struct context *ctx, const char *key, uint64_t def);
unsigned service_uint(const struct context *ctx, const char *key, unsigned def);
