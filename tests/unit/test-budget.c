/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The budget invariant, over many RAM sizes and service sets. */
#include <fcntl.h>

#include "../../lib/util.h"
#include "../../lib/budget.h"
#include "../../modules/module.h"
#include "test.h"

/* A fixed-seed generator: the same cases on every run, no global state. */
static uint64_t next_random(uint64_t *state)
{
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        return *state >> 33;
}

static void random_budget(struct budget *b, uint64_t *seed)
{
        size_t n = next_random(seed) % 12;

        *b = (struct budget){
            .ram = (128 + next_random(seed) % (64 * 1024)) * MIB,
            .reserve = (next_random(seed) % 2048) * MIB,
        };
        for (size_t i = 0; i < n; i++) {
                bool fixed_only = next_random(seed) % 5 == 0;
                budget_add(b, "x", fixed_only ? NULL : "count",
                           1 + (unsigned)(next_random(seed) % 800),
                           (unsigned)(next_random(seed) % 20),
                           1 + (unsigned)(next_random(seed) % (i % 3 ? 1 : 50)),
                           (next_random(seed) % 1024) * MIB,
                           fixed_only ? 0 : (next_random(seed) % (64 * 1024)) * KIB);
        }
}

static bool all_at_floor(const struct budget *b)
{
        for (size_t i = 0; i < b->n_lines; i++)
                if (b->lines[i].count != b->lines[i].floor)
                        return false;
        return true;
}

TEST(budget_invariant_random_sets)
{
        uint64_t seed = 42;
        unsigned bad_bounds = 0, bad_fit = 0, bad_floor = 0, bad_step = 0;

        for (int i = 0; i < 20000; i++) {
                struct budget b;
                random_budget(&b, &seed);
                budget_fit(&b);
                /* fits <=> the sum is within RAM; not fitting only with every count at its floor */
                if (b.fits != (budget_total(&b) <= b.ram))
                        bad_fit++;
                if (!b.fits && !all_at_floor(&b))
                        bad_floor++;
                for (size_t j = 0; j < b.n_lines; j++) {
                        const struct budget_line *l = &b.lines[j];
                        if (l->count < l->floor || l->count > l->wanted)
                                bad_bounds++;
                        if (l->count % l->step != 0)
                                bad_step++;
                }
        }
        CHECK_U64(bad_fit, 0);
        CHECK_U64(bad_floor, 0);
        CHECK_U64(bad_bounds, 0);
        CHECK_U64(bad_step, 0);
}

TEST(budget_more_ram_never_lowers_a_count)
{
        uint64_t seed = 7;
        unsigned regressions = 0;

        for (int i = 0; i < 2000; i++) {
                struct budget small, large;
                random_budget(&small, &seed);
                large = small;
                large.ram = small.ram + (next_random(&seed) % 4096) * MIB;
                budget_fit(&small);
                budget_fit(&large);
                for (size_t j = 0; j < small.n_lines; j++)
                        if (large.lines[j].count < small.lines[j].count)
                                regressions++;
        }
        CHECK_U64(regressions, 0);
}

TEST(budget_untouched_when_it_fits)
{
        struct budget b = {.ram = 1 * GIB, .reserve = 100 * MIB};

        budget_add(&b, "php", "pm.max_children", 10, 2, 1, 24 * MIB, 32 * MIB);
        CHECK(budget_fit(&b));
        CHECK_U64(b.lines[0].count, 10);
        CHECK_U64(budget_total(&b), 100 * MIB + 24 * MIB + 320 * MIB);
}

TEST(budget_lowers_to_floors_and_says_it_does_not_fit)
{
        struct budget b = {.ram = 512 * MIB, .reserve = 112 * MIB};

        budget_add(&b, "php a", "pm.max_children", 50, 2, 1, 0, 256 * MIB);
        budget_add(&b, "apache", "MaxRequestWorkers", 150, 10, 25, 8 * MIB, 1 * MIB);
        CHECK(!budget_fit(&b));
        CHECK_U64(b.lines[0].count, 2);
        /* the floor of 10 workers rounds up to one child of 25 threads */
        CHECK_U64(b.lines[1].count, 25);
}

TEST(budget_threaded_counts_are_multiples_of_threads_per_child)
{
        struct budget b = {.ram = 600 * MIB, .reserve = 112 * MIB};
        const struct budget_line *l;

        budget_add(&b, "apache", "MaxRequestWorkers", 50, 10, 12, 8 * MIB, 2 * MIB);
        budget_add(&b, "php", "pm.max_children", 20, 2, 1, 24 * MIB, 32 * MIB);
        CHECK(budget_fit(&b));
        l = budget_find(&b, "apache");
        CHECK(l && l->wanted == 48 && l->count % 12 == 0 && l->count >= 12);
        CHECK(budget_total(&b) <= b.ram);
        CHECK_U64(budget_count(&b, "php", 0) < 20, 1);
        CHECK_U64(budget_count(&b, "nosuch", 99), 99);
}

TEST(budget_respects_an_admin_count_below_the_floor)
{
        struct budget b = {.ram = 8 * GIB};

        budget_add(&b, "php", "pm.max_children", 1, 2, 1, 0, 32 * MIB);
        CHECK(budget_fit(&b));
        CHECK_U64(b.lines[0].count, 1);
}
