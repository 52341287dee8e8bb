/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "budget.h"
#include "size.h"
#include "util.h"

struct budget_line *budget_add(struct budget *b, const char *id, const char *setting,
                               unsigned wanted, unsigned floor, unsigned step, uint64_t fixed,
                               uint64_t each)
{
        struct budget_line *l;

        if (b->n_lines >= BUDGET_MAX_LINES)
                return NULL;
        l = &b->lines[b->n_lines++];
        step = MAX(step, 1u);
        *l = (struct budget_line){
            .setting = setting, .step = step, .fixed = fixed, .each = each, .parent = -1};
        /* An admin's count below the floor is respected: the floor only limits memprov. */
        l->wanted = MAX(wanted / step * step, step);
        l->floor = MIN((floor + step - 1) / step * step, l->wanted);
        l->count = l->wanted;
        l->bound = setting ? BOUND_TIER : BOUND_NONE;
        snprintf(l->id, sizeof(l->id), "%s", id);
        return l;
}

uint64_t budget_line_total(const struct budget_line *l)
{
        return size_add(l->fixed, size_mul(l->count, l->each));
}

/* PHP's manual (ini.core, memory_limit): "the maximum amount of memory in bytes that a script is
 * allowed to allocate ... to have no memory limit, set this directive to -1". No process holds
 * more RAM than the machine has: an unlimited child, or one whose limit is above the RAM, is
 * counted at the RAM. So one such pool brings its master's burst bound down (towards the floor
 * on a small machine) rather than wrapping the burst sum round to a small number. */
uint64_t budget_limit_cost(uint64_t limit, uint64_t ram)
{
        return ram ? MIN(limit, ram) : limit;
}

uint64_t budget_burst_child(const struct budget_line *l, uint64_t ram)
{
        /* base + memory_limit counts the typical request's heap twice (measured: PHP-FPM's
         * last request memory 6M at most in the 512M WordPress cell, images/README.md), a few
         * MiB over; max(memory_limit, base) was a child's base, about 20M, under. */
        return budget_limit_cost(size_add(l->each, l->burst), ram);
}

uint64_t budget_total(const struct budget *b)
{
        uint64_t sum = b->reserve;

        for (size_t i = 0; i < b->n_lines; i++)
                sum = size_add(sum, budget_line_total(&b->lines[i]));
        return sum;
}

uint64_t budget_free(const struct budget *b)
{
        uint64_t total = budget_total(b);

        return b->ram > total ? b->ram - total : 0;
}

/* A line whose count the model sets (a PHP master or mod_php that no admin value fixes). */
static bool model_sized(const struct budget_line *l)
{
        return l->role == ROLE_PHP && l->bound != BOUND_ADMIN;
}

/* What the counts the model does not set cost, and what one model-sized child costs on top of
 * them (typical, and in a burst), averaged over the masters by their pools. The database's
 * connections are counted at the tier's max_connections and the reserve, plus one per child: an
 * overestimate of at most the tier's count of idle connections, so the bounds never need the
 * final max_connections they decide. */
struct child_costs {
        uint64_t fixed;  /* everything but the model-sized children */
        uint64_t each;   /* a typical child, with its database connection */
        uint64_t burst;  /* a child in a burst: each, or memory_limit for the burst share */
        unsigned weight; /* pools of the model-sized masters */
};

static struct child_costs child_costs(const struct budget *b)
{
        struct child_costs c = {.fixed = b->reserve};
        uint64_t db_each = 0, each_sum = 0, burst_sum = 0;

        for (size_t i = 0; i < b->n_lines; i++) {
                const struct budget_line *l = &b->lines[i];
                if (l->role == ROLE_DB) {
                        db_each = l->each;
                        c.fixed = size_add(
                            c.fixed, size_add(l->fixed, size_mul((uint64_t)l->wanted +
                                                                     b->model.connection_reserve,
                                                                 l->each)));
                } else if (model_sized(l)) {
                        c.fixed = size_add(c.fixed, l->fixed);
                        c.weight += l->weight;
                        each_sum = size_add(each_sum, size_mul(l->weight, l->each));
                        burst_sum =
                            size_add(burst_sum, size_mul(l->weight, budget_burst_child(l, b->ram)));
                } else if (l->role == ROLE_CACHE)
                        c.fixed =
                            size_add(c.fixed, l->fixed); /* caches take what the children leave */
                else if (l->role != ROLE_POOL)
                        c.fixed = size_add(c.fixed, budget_line_total(l));
        }
        if (c.weight == 0)
                return c;
        c.each = size_add(each_sum / c.weight, db_each);
        /* The mean child in a burst: burst_percent of them at memory_limit, the rest typical. */
        c.burst = size_add(size_add(size_mul(each_sum, 100 - b->model.burst_percent),
                                    size_mul(burst_sum, b->model.burst_percent)) /
                               (100 * (uint64_t)c.weight),
                           db_each);
        return c;
}

uint64_t budget_swap_cushion(const struct budget_model *m)
{
        uint64_t zram = MIN(m->zram, m->swap);

        return m->swap - (m->compression_ratio ? zram / m->compression_ratio : zram);
}

uint64_t budget_burst_swap(const struct budget_model *m)
{
        uint64_t share = budget_swap_cushion(m) / 100 * m->swap_percent;
        uint64_t held = m->compression_ratio ? share / m->compression_ratio : share;

        return share - MIN(m->zswap_pool, held);
}

static unsigned children_in(uint64_t room, uint64_t fixed, uint64_t each)
{
        if (room <= fixed || each == 0)
                return 0;
        return (unsigned)MIN((room - fixed) / each, (uint64_t)UINT32_MAX / 2);
}

/* The PHP children of the masters the model sizes: each master's share (by pools) of what
 * the steady and burst bounds allow across the machine, at most k x vCPUs, at least its floor. */
static void fit_php(struct budget *b)
{
        const struct budget_model *m = &b->model;
        struct child_costs c = child_costs(b);
        unsigned steady, burst;

        b->steady_room = b->ram / 100 * m->steady_percent;
        b->burst_room = size_add(b->ram, budget_burst_swap(m));
        if (c.weight == 0)
                return;
        steady = children_in(b->steady_room, c.fixed, c.each);
        burst = children_in(b->burst_room, c.fixed, c.burst);
        for (size_t i = 0; i < b->n_lines; i++) {
                struct budget_line *l = &b->lines[i];
                unsigned n, cap = l->bound == BOUND_CONFIG ? l->wanted : 0;
                if (!model_sized(l))
                        continue;
                memset(l->bounds, 0, sizeof(l->bounds));
                l->bounds[BOUND_CONFIG] = cap;
                l->bounds[BOUND_CPU] = MAX(m->children_per_vcpu * MAX(m->vcpus, 1u), 1u);
                l->bounds[BOUND_STEADY] = (unsigned)((uint64_t)steady * l->weight / c.weight);
                l->bounds[BOUND_BURST] = (unsigned)((uint64_t)burst * l->weight / c.weight);
                l->bounds[BOUND_FLOOR] = l->floor;
                n = l->bounds[BOUND_CPU];
                l->bound = BOUND_CPU;
                if (l->bounds[BOUND_STEADY] < n)
                        n = l->bounds[BOUND_STEADY], l->bound = BOUND_STEADY;
                if (l->bounds[BOUND_BURST] < n)
                        n = l->bounds[BOUND_BURST], l->bound = BOUND_BURST;
                if (n < l->floor)
                        n = l->floor, l->bound = BOUND_FLOOR;
                /* The admin's cap in memprov's configuration wins over every bound. */
                if (cap && cap < n)
                        n = cap, l->bound = BOUND_CONFIG;
                n = MAX(n / l->step * l->step, l->step);
                l->count = n;
                /* "wanted" is the admin's cap where one is set: the plan says when the model
                 * gave fewer; otherwise the model's own count. */
                l->wanted = MAX(cap, n);
        }
}

/* Each pool's share of its master's cap (the master's [global] process.max caps them all): an
 * equal share rounded up, at least one; a pool's own pm.max_children (the admin's) stays. */
static void fit_pools(struct budget *b)
{
        for (size_t i = 0; i < b->n_lines; i++) {
                struct budget_line *l = &b->lines[i];
                const struct budget_line *master;
                if (l->role != ROLE_POOL || l->bound == BOUND_ADMIN || l->parent < 0)
                        continue;
                master = &b->lines[l->parent];
                l->count = l->wanted = MAX(
                    (master->count + MAX(master->weight, 1u) - 1) / MAX(master->weight, 1u), 1u);
                l->bound = BOUND_SHARE;
        }
}

unsigned budget_php_children(const struct budget *b)
{
        unsigned n = 0;

        for (size_t i = 0; i < b->n_lines; i++)
                if (b->lines[i].role == ROLE_PHP)
                        n += b->lines[i].count;
        return n;
}

/* max_connections: every PHP process may hold a connection, plus the reserve for the admin,
 * cron and backups; never below it, and never below the tier's value. */
static void fit_db(struct budget *b)
{
        unsigned need = budget_php_children(b) + b->model.connection_reserve;

        for (size_t i = 0; i < b->n_lines; i++) {
                struct budget_line *l = &b->lines[i];
                if (l->role != ROLE_DB)
                        continue;
                l->bounds[BOUND_CHILDREN] = need;
                if (l->bound == BOUND_ADMIN)
                        continue;
                l->bounds[BOUND_TIER] = l->wanted;
                l->bound = need > l->wanted ? BOUND_CHILDREN : BOUND_TIER;
                l->count = MAX(need, l->wanted);
        }
}

/* Caches grow into the RAM the steady bound leaves, in line order, each up to what it wants:
 * RAM goes to caches, not to more children than the bounds allow (issue 18). */
static void fit_caches(struct budget *b)
{
        for (size_t i = 0; i < b->n_lines; i++) {
                struct budget_line *l = &b->lines[i];
                uint64_t total = 0, room;
                if (l->role != ROLE_CACHE || l->each == 0)
                        continue;
                l->count = 0;
                for (size_t j = 0; j < b->n_lines; j++)
                        total = size_add(total, budget_line_total(&b->lines[j]));
                total = size_add(total, b->reserve);
                room = b->steady_room > total ? (b->steady_room - total) / l->each : 0;
                l->bounds[BOUND_ROOM] = (unsigned)MIN(room, (uint64_t)UINT32_MAX / 2);
                l->bounds[BOUND_WANTED] = l->wanted;
                l->count = (unsigned)MIN(room, (uint64_t)l->wanted);
                l->bound = l->count < l->wanted ? BOUND_ROOM : BOUND_WANTED;
        }
}

bool budget_fit(struct budget *b)
{
        fit_php(b);
        fit_pools(b);
        fit_db(b);
        fit_caches(b);
        return b->fits = budget_total(b) <= b->ram;
}

const struct budget_line *budget_find(const struct budget *b, const char *id)
{
        for (size_t i = 0; i < b->n_lines; i++)
                if (streq(b->lines[i].id, id))
                        return &b->lines[i];
        return NULL;
}

void budget_pool_id(const char *version, const char *pool, char buf[static 80])
{
        snprintf(buf, 80, "php %s %s", version[0] ? version : "-", pool);
}

unsigned budget_count(const struct budget *b, const char *id, unsigned def)
{
        const struct budget_line *l = budget_find(b, id);

        return l ? l->count : def;
}

static const char *const bound_names[_BOUND_MAX] = {
    [BOUND_NONE] = "-",        [BOUND_TIER] = "tier",         [BOUND_CPU] = "cpu",
    [BOUND_STEADY] = "steady", [BOUND_BURST] = "burst",       [BOUND_FLOOR] = "floor",
    [BOUND_ADMIN] = "admin",   [BOUND_CHILDREN] = "children", [BOUND_SHARE] = "share",
    [BOUND_CONFIG] = "config", [BOUND_ROOM] = "room",         [BOUND_WANTED] = "wanted",
};

const char *budget_bound_name(enum budget_bound bound)
{
        return bound < _BOUND_MAX ? bound_names[bound] : "-";
}

void budget_explain(const struct budget *b, const struct budget_line *l, char *buf, size_t size)
{
        size_t n = 0;

        buf[0] = '\0';
        for (enum budget_bound k = BOUND_TIER; k < _BOUND_MAX && n < size; k++) {
                if (!l->bounds[k])
                        continue;
                if (k == BOUND_CPU)
                        n += snprintf(buf + n, size - n, "%scpu %u (%u x %u vCPU)", n ? ", " : "",
                                      l->bounds[k], b->model.children_per_vcpu, b->model.vcpus);
                else if (k == BOUND_CONFIG)
                        /* php.max_children: one cap per PHP-FPM master (process.max), across
                         * all its pools, not per pool (phpfpm.c). */
                        n += snprintf(buf + n, size - n,
                                      "%sconfig %u (php.max_children, per master)", n ? ", " : "",
                                      l->bounds[k]);
                else if (k == BOUND_CHILDREN)
                        n += snprintf(buf + n, size - n, "%schildren %u (%u PHP + %u reserve)",
                                      n ? ", " : "", l->bounds[k],
                                      l->bounds[k] - b->model.connection_reserve,
                                      b->model.connection_reserve);
                else
                        n += snprintf(buf + n, size - n, "%s%s %u", n ? ", " : "",
                                      budget_bound_name(k), l->bounds[k]);
        }
}

bool service_sizing_enabled(const struct context *ctx)
{
        return config_bool(ctx->config, "services", "enabled", true);
}

uint64_t service_size(const struct context *ctx, const char *key, uint64_t def)
{
        const char *v = tier_value(ctx, key);
        uint64_t n;

        if (!v)
                v = config_str(ctx->config, "budget", key, NULL);
        return v && parse_size(v, &n) == 0 ? n : def;
}

unsigned service_uint(const struct context *ctx, const char *key, unsigned def)
{
        const char *v = tier_value(ctx, key);
        long n;

        if (!v)
                v = config_str(ctx->config, "budget", key, NULL);
        if (!v || check_uint(v) < 0)
                return def;
        n = strtol(v, NULL, 10);
        return (unsigned)n;
}
