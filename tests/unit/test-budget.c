/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sizing model's invariants (lib/budget.h), over many RAM sizes, vCPUs and service sets. */
#include <fcntl.h>

#include "../../lib/util.h"
#include "../../lib/budget.h"
#include "../../lib/size.h"
#include "../../modules/module.h"
#include "test.h"

/* A fixed-seed generator: the same cases on every run, no global state. */
static uint64_t next_random(uint64_t *state)
{
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        return *state >> 33;
}

static const struct budget_model shipped = {
    .vcpus = 1,
    .children_per_vcpu = 4,
    .steady_percent = 90,
    .burst_percent = 25,
    .swap_percent = 25,
    .connection_reserve = 10,
};

/* A database, a web server and 1-3 PHP masters with 1-12 pools each, some pools the admin's. */
static void random_budget(struct budget *b, uint64_t *seed)
{
        size_t masters = 1 + next_random(seed) % 3;
        struct budget_line *l;

        *b = (struct budget){
            .ram = (256 + next_random(seed) % (64 * 1024)) * MIB,
            .reserve = (next_random(seed) % 1024) * MIB,
            .model = shipped,
        };
        b->model.vcpus = 1 + (unsigned)(next_random(seed) % 16);
        b->model.swap = (next_random(seed) % 4096) * MIB;
        l = budget_add(b, "mysqld", "max_connections", 1 + (unsigned)(next_random(seed) % 300), 10,
                       1, (next_random(seed) % 1024) * MIB, 256 * KIB);
        l->role = ROLE_DB;
        budget_add(b, "apache", "MaxRequestWorkers", 50, 10, 10, 4 * MIB, 1 * MIB);
        for (size_t m = 0; m < masters; m++) {
                unsigned pools = 1 + (unsigned)(next_random(seed) % 12);
                int master;
                l = budget_add(b, "php", "process.max", 1, 2, 1, 56 * MIB, 28 * MIB);
                l->floor = 2;
                l->role = ROLE_PHP;
                l->weight = pools;
                l->burst = (64 + next_random(seed) % 512) * MIB;
                master = (int)(l - b->lines);
                for (unsigned p = 0; p < pools; p++) {
                        l = budget_add(b, "pool", "pm.max_children", 1, 1, 1, 0, 0);
                        l->role = ROLE_POOL;
                        l->parent = master;
                }
        }
}

TEST(budget_invariant_random_sets)
{
        uint64_t seed = 42;
        unsigned bad_floor = 0, bad_cpu = 0, bad_steady = 0, bad_conn = 0, bad_share = 0,
                 unnamed = 0;

        for (int i = 0; i < 20000; i++) {
                struct budget b;
                bool at_floor = false;
                random_budget(&b, &seed);
                budget_fit(&b);
                for (size_t j = 0; j < b.n_lines; j++) {
                        const struct budget_line *l = &b.lines[j];
                        if (l->role == ROLE_PHP) {
                                if (l->count < l->floor)
                                        bad_floor++;
                                if (l->count > l->bounds[BOUND_CPU] && l->bound != BOUND_FLOOR)
                                        bad_cpu++;
                                at_floor = at_floor || l->bound == BOUND_FLOOR;
                        }
                        if (l->role == ROLE_DB &&
                            l->count < budget_php_children(&b) + b.model.connection_reserve)
                                bad_conn++;
                        if (l->role == ROLE_POOL &&
                            (l->count < 1 || (uint64_t)l->count * b.lines[l->parent].weight <
                                                 b.lines[l->parent].count))
                                bad_share++;
                        if (l->setting && l->bound == BOUND_NONE)
                                unnamed++;
                }
                /* Unless a floor raised a count, the typical costs fit the steady share. */
                if (!at_floor && budget_total(&b) > b.steady_room)
                        bad_steady++;
        }
        CHECK_U64(bad_floor, 0);
        CHECK_U64(bad_cpu, 0);
        CHECK_U64(bad_steady, 0);
        CHECK_U64(bad_conn, 0);
        CHECK_U64(bad_share, 0);
        CHECK_U64(unnamed, 0);
}

TEST(budget_more_ram_or_cpus_never_lowers_a_count)
{
        uint64_t seed = 7;
        unsigned regressions = 0;

        for (int i = 0; i < 2000; i++) {
                struct budget small, large;
                random_budget(&small, &seed);
                large = small;
                large.ram = small.ram + (next_random(&seed) % 4096) * MIB;
                large.model.vcpus = small.model.vcpus + (unsigned)(next_random(&seed) % 3);
                budget_fit(&small);
                budget_fit(&large);
                for (size_t j = 0; j < small.n_lines; j++)
                        if (large.lines[j].count < small.lines[j].count)
                                regressions++;
        }
        CHECK_U64(regressions, 0);
}

/* The 512M LAMP of issue 18 (below) with swap bytes of disk swap: MariaDB 72M, Apache 51.5M at
 * 50 workers, one PHP master (56M) with one pool, Debian's 128M memory_limit. */
static void lamp_512m(struct budget *b, uint64_t swap)
{
        struct budget_line *l;

        *b = (struct budget){.ram = 512 * MIB, .reserve = 112 * MIB, .model = shipped};
        b->model.swap = swap;
        l = budget_add(b, "mysqld", "max_connections", 50, 10, 1, 72 * MIB, 256 * KIB);
        l->role = ROLE_DB;
        budget_add(b, "apache", "MaxRequestWorkers", 50, 10, 10, 4 * MIB, 1 * MIB);
        l = budget_add(b, "php 8.2", "process.max", 1, 2, 1, 56 * MIB, 28 * MIB);
        l->role = ROLE_PHP;
        l->weight = 1;
        l->floor = 2;
        l->burst = 128 * MIB;
        l = budget_add(b, "php 8.2 www", "pm.max_children", 1, 1, 1, 0, 0);
        l->role = ROLE_POOL;
        l->parent = 2;
}

/* The 512M LAMP of issue 18 by hand: 112M reserve, MariaDB 72M, Apache 51.5M, a master with 32M
 * OPcache; at 1 vCPU the cpu bound (4) binds, steady allows 5, burst 7: a quarter of the
 * children at their 28M plus Debian's 128M heap, 1G swap: (512M + 256M - 309M fixed) /
 * (0.75 x 28M + 0.25 x (28M + 128M) + 256K) = 7.6 (8 when a burst child was max(128M, 28M));
 * at 2 vCPUs steady binds. */
TEST(budget_lamp_512m_by_hand)
{
        struct budget b;
        struct budget_line *l;
        char why[256];

        lamp_512m(&b, 1 * GIB);
        CHECK(budget_fit(&b));
        CHECK_U64(budget_count(&b, "php 8.2", 0), 4);
        CHECK(budget_find(&b, "php 8.2")->bound == BOUND_CPU);
        CHECK_U64(budget_find(&b, "php 8.2")->bounds[BOUND_STEADY], 5);
        CHECK_U64(budget_find(&b, "php 8.2")->bounds[BOUND_BURST], 7);
        CHECK_U64(budget_count(&b, "php 8.2 www", 0), 4);
        CHECK_U64(budget_count(&b, "mysqld", 0), 50);
        CHECK(budget_find(&b, "mysqld")->bound == BOUND_TIER);
        budget_explain(&b, budget_find(&b, "php 8.2"), why, sizeof(why));
        CHECK_STR(why, "cpu 4 (4 x 1 vCPU), steady 5, burst 7, floor 2");
        b.model.vcpus = 2;
        CHECK(budget_fit(&b));
        CHECK_U64(budget_count(&b, "php 8.2", 0), 5);
        CHECK(budget_find(&b, "php 8.2")->bound == BOUND_STEADY);
        /* php.max_children 3: a cap on the master's children across its pools, said so. */
        l = &b.lines[2];
        l->bound = BOUND_CONFIG;
        l->wanted = 3;
        CHECK(budget_fit(&b));
        CHECK_U64(budget_count(&b, "php 8.2", 0), 3);
        CHECK_U64(budget_count(&b, "php 8.2 www", 0), 3);
        CHECK(budget_find(&b, "php 8.2")->bound == BOUND_CONFIG);
        budget_explain(&b, budget_find(&b, "php 8.2"), why, sizeof(why));
        CHECK_STR(why,
                  "cpu 8 (4 x 2 vCPU), steady 5, burst 7, floor 2, config 3 (php.max_children, "
                  "per master)");
}

/* The same 512M LAMP with a 234M zram0 as its only swap (the load image's zram-generator
 * device, min(ram / 2, 4096) MiB of a 469M MemTotal): zram's pages stay in RAM compressed 2:1
 * (zram.rst), so it counts 117M, not 234M. Burst: (512M + 25% x 234M - 309M) / 60.25M = 4.3
 * counting zram whole (as disk swap of that size still counts), (512M + 25% x 117M - 309M) /
 * 60.25M = 3.9 counting what it saves. */
TEST(budget_zram_counts_at_what_it_saves)
{
        struct budget b;

        lamp_512m(&b, 234 * MIB);
        CHECK(budget_fit(&b)); /* disk swap: whole */
        CHECK_U64(budget_swap_cushion(&b.model), 234 * MIB);
        CHECK_U64(budget_find(&b, "php 8.2")->bounds[BOUND_BURST], 4);
        b.model.zram = 234 * MIB;
        b.model.compression_ratio = 2;
        CHECK(budget_fit(&b));
        CHECK_U64(budget_swap_cushion(&b.model), 117 * MIB);
        CHECK_U64(b.burst_room, 512 * MIB + 117 * MIB / 100 * 25);
        CHECK_U64(budget_find(&b, "php 8.2")->bounds[BOUND_BURST], 3);
        b.model.compression_ratio = 0; /* zram counts nothing */
        CHECK_U64(budget_swap_cushion(&b.model), 0);
        b.model.zram = 2 * GIB; /* more zram than swap (a container's capped swap): at most swap */
        b.model.compression_ratio = 2;
        CHECK_U64(budget_swap_cushion(&b.model), 117 * MIB);
}

/* The same 512M LAMP with 1G of disk swap behind zswap (the 512M tier on a generic kernel,
 * max_pool_percent 20): a burst's quarter of the swap, 256M, goes to zswap's pool first, which
 * keeps it in RAM at 2:1 up to 20% of RAM, 102.4M; so it frees 153.6M, not 256M. Burst: (512M +
 * 256M - 309M) / 60.25M = 7.6 before, (512M + 153.6M - 309M) / 60.25M = 5.9 now: 1.7 children
 * fewer. With 256M of swap the pool is not the limit: its 64M share keeps 32M (as zram would). */
TEST(budget_zswap_pool_counts_out)
{
        struct budget b;
        uint64_t share = 1 * GIB / 100 * 25, pool = 512 * MIB / 100 * 20;

        lamp_512m(&b, 1 * GIB);
        b.model.compression_ratio = 2;
        CHECK(budget_fit(&b));
        CHECK_U64(budget_burst_swap(&b.model), share);
        CHECK_U64(budget_find(&b, "php 8.2")->bounds[BOUND_BURST], 7);
        b.model.zswap_pool = pool;
        CHECK(budget_fit(&b));
        CHECK_U64(budget_burst_swap(&b.model), share - pool);
        CHECK_U64(b.burst_room, 512 * MIB + share - pool);
        CHECK_U64(budget_find(&b, "php 8.2")->bounds[BOUND_BURST], 5);
        CHECK(budget_find(&b, "php 8.2")->bound == BOUND_CPU); /* 1 vCPU: 4 */
        b.model.vcpus = 2;
        CHECK(budget_fit(&b));
        CHECK_U64(budget_count(&b, "php 8.2", 0), 5);
        b.model.swap = 256 * MIB;
        CHECK_U64(budget_burst_swap(&b.model), 256 * MIB / 100 * 25 - 256 * MIB / 100 * 25 / 2);
        b.model.compression_ratio = 0; /* no compression trusted: the pool frees nothing */
        CHECK_U64(budget_burst_swap(&b.model), 0);
        b.model.swap = 1 * GIB;
        CHECK_U64(budget_burst_swap(&b.model), share - pool);
}

/* 64G at 16 vCPUs with 11 pools over two masters: the cpu bound per master, each pool an equal
 * share rounded up, and max_connections above every child + the reserve (issue 18: 512
 * children against 300 connections before). */
TEST(budget_panel_connections_cover_every_child)
{
        struct budget b = {.ram = 64 * GIB, .reserve = 8 * GIB, .model = shipped};
        struct budget_line *l;
        int masters[2];

        b.model.vcpus = 16;
        l = budget_add(&b, "mysqld", "max_connections", 50, 10, 1, 16 * GIB, 256 * KIB);
        l->role = ROLE_DB;
        for (int m = 0; m < 2; m++) {
                l = budget_add(&b, m ? "php 8.2" : "php 7.4", "process.max", 1, 2, 1, 150 * MIB,
                               28 * MIB);
                l->role = ROLE_PHP;
                l->weight = m ? 8 : 3;
                l->burst = 256 * MIB;
                masters[m] = (int)(l - b.lines);
                for (unsigned p = 0; p < l->weight; p++) {
                        struct budget_line *pool =
                            budget_add(&b, "pool", "pm.max_children", 1, 1, 1, 0, 0);
                        pool->role = ROLE_POOL;
                        pool->parent = masters[m];
                }
        }
        CHECK(budget_fit(&b));
        CHECK_U64(b.lines[masters[0]].count, 64);
        CHECK_U64(b.lines[masters[1]].count, 64);
        CHECK_U64(b.lines[masters[1] + 1].count, 8);
        CHECK_U64(b.lines[masters[0] + 1].count, 22);
        CHECK_U64(budget_count(&b, "mysqld", 0), 128 + 10);
        CHECK(budget_find(&b, "mysqld")->bound == BOUND_CHILDREN);
}

/* An admin's process.max and an admin's max_connections are what runs: kept and named. */
TEST(budget_respects_admin_values)
{
        struct budget b = {.ram = 8 * GIB, .reserve = 1 * GIB, .model = shipped};
        struct budget_line *l;

        l = budget_add(&b, "mysqld", "max_connections", 50, 10, 1, 1 * GIB, 256 * KIB);
        l->role = ROLE_DB;
        l->bound = BOUND_ADMIN;
        l->count = l->wanted = 5;
        l = budget_add(&b, "php", "process.max", 1, 2, 1, 56 * MIB, 28 * MIB);
        l->role = ROLE_PHP;
        l->weight = 1;
        l->bound = BOUND_ADMIN;
        l->count = l->wanted = 1;
        CHECK(budget_fit(&b));
        CHECK_U64(budget_count(&b, "php", 0), 1);
        CHECK_U64(budget_count(&b, "mysqld", 0), 5);
        CHECK_U64(budget_find(&b, "mysqld")->bounds[BOUND_CHILDREN], 11);
        CHECK_U64(budget_count(&b, "nosuch", 99), 99);
}

/* RAM too small for even the floors: the floor wins, named, and the budget says it does not
 * fit. */
TEST(budget_floor_when_nothing_fits)
{
        struct budget b = {.ram = 256 * MIB, .reserve = 200 * MIB, .model = shipped};
        struct budget_line *l;

        l = budget_add(&b, "php", "process.max", 1, 2, 1, 56 * MIB, 28 * MIB);
        l->role = ROLE_PHP;
        l->weight = 1;
        l->floor = 2;
        l->burst = 128 * MIB;
        CHECK(!budget_fit(&b));
        CHECK_U64(budget_count(&b, "php", 0), 2);
        CHECK(budget_find(&b, "php")->bound == BOUND_FLOOR);
}

/* memory_limit = -1 (PHP_UNLIMITED, UINT64_MAX) once wrapped the burst sum round to a small
 * cost. An unlimited child counts at the RAM: the 512M LAMP above with its pool unlimited keeps
 * 3 children (burst: (768M - 309M) / (0.75 x 28M + 0.25 x 512M + 256K)), not the 8 of 128M. */
TEST(budget_unlimited_child_counts_at_ram)
{
        struct budget b = {.ram = 512 * MIB, .reserve = 112 * MIB, .model = shipped};
        struct budget_line *l;

        CHECK_U64(budget_limit_cost(UINT64_MAX, 512 * MIB), 512 * MIB);
        CHECK_U64(budget_limit_cost(1 * GIB, 512 * MIB), 512 * MIB);
        CHECK_U64(budget_limit_cost(128 * MIB, 512 * MIB), 128 * MIB);
        CHECK_U64(size_add(UINT64_MAX, 1), UINT64_MAX);
        CHECK_U64(size_add(UINT64_MAX - 2, 1), UINT64_MAX - 1);
        CHECK_U64(size_mul(1ULL << 40, 1ULL << 40), UINT64_MAX);
        CHECK_U64(size_mul(3, 5 * MIB), 15 * MIB);
        b.model.swap = 1 * GIB;
        l = budget_add(&b, "mysqld", "max_connections", 50, 10, 1, 72 * MIB, 256 * KIB);
        l->role = ROLE_DB;
        budget_add(&b, "apache", "MaxRequestWorkers", 50, 10, 10, 4 * MIB, 1 * MIB);
        l = budget_add(&b, "php 8.2", "process.max", 1, 2, 1, 56 * MIB, 28 * MIB);
        l->role = ROLE_PHP;
        l->weight = 1;
        l->floor = 2;
        l->burst = UINT64_MAX;
        CHECK(budget_fit(&b));
        CHECK_U64(budget_count(&b, "php 8.2", 0), 3);
        CHECK(budget_find(&b, "php 8.2")->bound == BOUND_BURST);
        /* A line no module clamped, with a huge fixed cost: the sums saturate, the floor holds. */
        l = budget_add(&b, "huge", NULL, 1, 1, 1, UINT64_MAX - 1, 0);
        CHECK(!budget_fit(&b));
        CHECK_U64(budget_total(&b), UINT64_MAX);
        CHECK_U64(budget_count(&b, "php 8.2", 0), 2);
        CHECK(budget_find(&b, "php 8.2")->bound == BOUND_FLOOR);
}
