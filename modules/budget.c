/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The budget's table in the plan: notes where it lowered a count, the table, and its JSON. */
#include <inttypes.h>
#include <json-c/json.h>

#include "../lib/log.h"
#include "../lib/size.h"
#include "budget.h"

/* MiB with at most one decimal, G from 10G: estimates, not exact sizes. */
static const char *budget_size(uint64_t bytes, char buf[static 32])
{
        bool gib = bytes >= 10 * GIB;
        double v = (double)bytes / (double)(gib ? GIB : MIB);
        size_t len;

        snprintf(buf, 32, "%.1f", v);
        len = strlen(buf);
        if (len > 2 && streq(buf + len - 2, ".0"))
                buf[len - 2] = '\0';
        strcat(buf, gib ? "G" : "M");
        return buf;
}

/* What the burst counted of compressed swap, for the table's last line: a zram device at what
 * it saves, the share less what zswap's pool keeps in RAM; "" without either. */
static const char *cushion_why(const struct budget_model *m, char buf[static 192])
{
        uint64_t share = budget_swap_cushion(m) / 100 * m->swap_percent;
        char s1[32], s2[32], s3[32];
        int n = 0;

        buf[0] = '\0';
        if (m->zram && m->swap)
                n = snprintf(buf, 192, "; of %s swap, zram's %s counts at what it saves (%u:1)",
                             budget_size(m->swap, s1), budget_size(MIN(m->zram, m->swap), s2),
                             m->compression_ratio);
        if (m->zswap_pool && share && n >= 0 && n < 192)
                snprintf(buf + n, 192 - (size_t)n,
                         "; zswap's pool keeps %s of that share in RAM (min(pool %s, %s / %u))",
                         budget_size(share - budget_burst_swap(m), s1),
                         budget_size(m->zswap_pool, s2), budget_size(share, s3),
                         m->compression_ratio);
        return buf;
}

static void budget_text(const struct budget *b, struct plan *p)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        char s1[32], s2[32], s3[32], why[256], cushion[192];

        if (!f)
                abort();
        fprintf(f, "  budget  %-24s %-22s %9s %8s %8s %8s  %s\n", "service", "setting", "count",
                "each", "fixed", "total", "bound");
        fprintf(f, "  budget  %-24s %-22s %9s %8s %8s %8s\n", "os", "reserve", "-", "-",
                budget_size(b->reserve, s1), s1);
        for (size_t i = 0; i < b->n_lines; i++) {
                const struct budget_line *l = &b->lines[i];
                char count[24] = "-";
                if (l->setting)
                        snprintf(count, sizeof(count), l->role == ROLE_CACHE ? "+%u" : "%u",
                                 l->count);
                fprintf(f, "  budget  %-24s %-22s %9s %8s %8s %8s  %s\n", l->service,
                        l->setting ? l->setting : "-", count,
                        l->each ? budget_size(l->each, s1) : "-",
                        l->fixed ? budget_size(l->fixed, s2) : "-",
                        budget_line_total(l) ? budget_size(budget_line_total(l), s3) : "-",
                        l->setting ? budget_bound_name(l->bound) : "");
        }
        fprintf(f, "  budget  %-24s %-22s %9s %8s %8s %8s of %s RAM%s\n", "sum", "typical", "", "",
                "", budget_size(budget_total(b), s1), format_size(b->ram, s2),
                b->fits ? "" : " (does not fit)");
        /* mysqltuner-style: which bound set each number, and what every bound allowed. */
        for (size_t i = 0; i < b->n_lines; i++) {
                const struct budget_line *l = &b->lines[i];
                if (!l->setting || l->role == ROLE_POOL || l->role == ROLE_FIXED)
                        continue;
                budget_explain(b, l, why, sizeof(why));
                if (l->role == ROLE_CACHE)
                        fprintf(f, "  [--] %s %s grown by %s: %s (MiB: %s)\n", l->service,
                                l->setting, budget_size(budget_line_total(l), s1),
                                budget_bound_name(l->bound), why);
                else
                        fprintf(f, "  [--] %s %s = %u: %s%s%s%s\n", l->service, l->setting,
                                l->count, budget_bound_name(l->bound), why[0] ? " (" : "", why,
                                why[0] ? ")" : "");
        }
        if (b->steady_room)
                fprintf(f,
                        "  [--] steady: typical costs within %u%% of RAM (%s); burst: %u%% of the "
                        "children at memory_limit within RAM + %u%% of %s swap (%s)%s\n",
                        b->model.steady_percent, budget_size(b->steady_room, s1),
                        b->model.burst_percent, b->model.swap_percent,
                        budget_size(budget_swap_cushion(&b->model), s2),
                        budget_size(b->burst_room, s3), cushion_why(&b->model, cushion));
        fclose(f);
        free(p->text);
        p->text = TAKE_PTR(buf);
}

static const char *const role_names[_ROLE_MAX] = {
    [ROLE_FIXED] = "fixed", [ROLE_PHP] = "php",     [ROLE_POOL] = "pool",
    [ROLE_DB] = "database", [ROLE_CACHE] = "cache",
};

static json_object *budget_json(const struct budget *b)
{
        json_object *o = json_object_new_object(), *lines = json_object_new_array();
        char why[256];

        json_object_object_add(o, "ram_bytes", json_object_new_uint64(b->ram));
        json_object_object_add(o, "reserve_bytes", json_object_new_uint64(b->reserve));
        json_object_object_add(o, "total_bytes", json_object_new_uint64(budget_total(b)));
        json_object_object_add(o, "fits", json_object_new_boolean(b->fits));
        json_object_object_add(o, "vcpus", json_object_new_int64(b->model.vcpus));
        json_object_object_add(o, "swap_bytes", json_object_new_uint64(b->model.swap));
        json_object_object_add(o, "zram_bytes", json_object_new_uint64(b->model.zram));
        json_object_object_add(o, "burst_swap_bytes",
                               json_object_new_uint64(budget_swap_cushion(&b->model)));
        json_object_object_add(o, "zswap_pool_bytes", json_object_new_uint64(b->model.zswap_pool));
        json_object_object_add(o, "steady_room_bytes", json_object_new_uint64(b->steady_room));
        json_object_object_add(o, "burst_room_bytes", json_object_new_uint64(b->burst_room));
        for (size_t i = 0; i < b->n_lines; i++) {
                const struct budget_line *l = &b->lines[i];
                json_object *j = json_object_new_object(), *bounds = json_object_new_object();
                json_object_object_add(j, "id", json_object_new_string(l->id));
                json_object_object_add(j, "role", json_object_new_string(role_names[l->role]));
                json_object_object_add(j, "service", json_object_new_string(l->service));
                json_object_object_add(j, "setting",
                                       l->setting ? json_object_new_string(l->setting) : NULL);
                json_object_object_add(j, "count", json_object_new_int64(l->count));
                json_object_object_add(j, "wanted", json_object_new_int64(l->wanted));
                json_object_object_add(j, "floor", json_object_new_int64(l->floor));
                json_object_object_add(j, "each_bytes", json_object_new_uint64(l->each));
                json_object_object_add(j, "burst_bytes", json_object_new_uint64(l->burst));
                json_object_object_add(j, "fixed_bytes", json_object_new_uint64(l->fixed));
                json_object_object_add(j, "total_bytes",
                                       json_object_new_uint64(budget_line_total(l)));
                json_object_object_add(
                    j, "bound",
                    l->setting ? json_object_new_string(budget_bound_name(l->bound)) : NULL);
                for (enum budget_bound k = BOUND_TIER; k < _BOUND_MAX; k++)
                        if (l->bounds[k])
                                json_object_object_add(bounds, budget_bound_name(k),
                                                       json_object_new_int64(l->bounds[k]));
                json_object_object_add(j, "bounds", bounds);
                budget_explain(b, l, why, sizeof(why));
                json_object_object_add(j, "why", json_object_new_string(why));
                json_object_array_add(lines, j);
        }
        json_object_object_add(o, "lines", lines);
        return o;
}

static void budget_notes(const struct budget *b, struct plan *p)
{
        char s1[32], s2[32];

        for (size_t i = 0; i < b->n_lines; i++) {
                const struct budget_line *l = &b->lines[i];
                if (l->setting && l->role != ROLE_CACHE && l->count < l->wanted)
                        plan_note(p, "budget: %s %s %u, not the configured %u (%s bound%s)",
                                  l->service, l->setting, l->count, l->wanted,
                                  budget_bound_name(l->bound),
                                  l->bounds[BOUND_CONFIG]
                                      ? "; php.max_children caps each PHP-FPM master's "
                                        "children across all its pools"
                                      : "");
                if (l->role == ROLE_DB && l->bound == BOUND_ADMIN &&
                    l->count < l->bounds[BOUND_CHILDREN])
                        plan_note(p,
                                  "budget: %s max_connections = %u (an admin's file) is below "
                                  "the %u PHP processes + reserve that may connect",
                                  l->service, l->count, l->bounds[BOUND_CHILDREN]);
        }
        if (!b->fits)
                plan_note(p,
                          "budget: even at their floors the services' typical use is %s of %s "
                          "RAM; expect swapping or OOM kills (remove a service or add RAM)",
                          format_size(budget_total(b), s1), format_size(b->ram, s2));
}

static int check_percent(const char *v)
{
        return check_uint(v) == 0 && atol(v) <= 100 ? 0 : -EINVAL;
}

static int budget_plan(const struct context *ctx, struct plan *p)
{
        struct budget b;
        int r;

        if (!service_sizing_enabled(ctx)) {
                plan_note(p, "services: not sized ([services] enabled = no): the database, web "
                             "server and PHP-FPM keep their own settings");
                return 0;
        }
        r = budget_compute(ctx, &b);
        if (r < 0)
                return r;
        if (b.n_lines == 0)
                return 0;
        budget_notes(&b, p);
        budget_text(&b, p);
        if (!p->extra)
                p->extra = json_object_new_object();
        json_object_object_add(p->extra, "budget", budget_json(&b));
        return 0;
}

static const struct config_key budget_keys[] = {
    {"tier", "os_reserve", check_size},
    {"budget", "mysqld.base", check_size},
    {"budget", "mysqld.connection", check_size},
    {"budget", "mysqld.performance_schema", check_size},
    {"budget", "mysqld.min_connections", check_uint},
    {"budget", "apache.base", check_size},
    {"budget", "apache.prefork.child", check_size},
    {"budget", "apache.thread", check_size},
    {"budget", "apache.process", check_size},
    {"budget", "apache.min_workers", check_uint},
    {"budget", "php.base", check_size},
    {"budget", "php.child", check_size},
    {"budget", "php.min_children", check_uint},
    {"budget", "php.opcache.max", check_size},
    {"budget", "nginx.base", check_size},
    {"budget", "nginx.worker", check_size},
    {"model", "php.children_per_vcpu", check_uint},
    {"model", "steady_percent", check_percent},
    {"model", "burst_percent", check_percent},
    {"model", "burst_swap_percent", check_percent},
    {"model", "compression_ratio", check_uint},
    {"model", "connection_reserve", check_uint},
    {"model", "php.target_latency_ms", check_uint},
    {0},
};

const struct module budget_module = {
    .name = "budget",
    .keys = budget_keys,
    .plan = budget_plan,
};
