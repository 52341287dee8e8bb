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

static void budget_text(const struct budget *b, struct plan *p)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        char s1[32], s2[32], s3[32];

        if (!f)
                abort();
        fprintf(f, "  budget  %-24s %-22s %9s %8s %8s %8s\n", "service", "setting", "count", "each",
                "fixed", "total");
        fprintf(f, "  budget  %-24s %-22s %9s %8s %8s %8s\n", "os", "reserve", "-", "-",
                budget_size(b->reserve, s1), s1);
        for (size_t i = 0; i < b->n_lines; i++) {
                const struct budget_line *l = &b->lines[i];
                char count[24] = "-";
                if (l->setting)
                        snprintf(count, sizeof(count), l->count < l->wanted ? "%u<%u" : "%u",
                                 l->count, l->wanted);
                fprintf(f, "  budget  %-24s %-22s %9s %8s %8s %8s\n", l->service,
                        l->setting ? l->setting : "-", count,
                        l->setting ? budget_size(l->each, s1) : "-",
                        l->fixed ? budget_size(l->fixed, s2) : "-",
                        budget_size(budget_line_total(l), s3));
        }
        fprintf(f, "  budget  %-24s %-22s %9s %8s %8s %8s of %s RAM%s\n", "sum", "", "", "", "",
                budget_size(budget_total(b), s1), format_size(b->ram, s2),
                b->fits ? "" : " (does not fit)");
        fclose(f);
        free(p->text);
        p->text = TAKE_PTR(buf);
}

static json_object *budget_json(const struct budget *b)
{
        json_object *o = json_object_new_object(), *lines = json_object_new_array();

        json_object_object_add(o, "ram_bytes", json_object_new_uint64(b->ram));
        json_object_object_add(o, "reserve_bytes", json_object_new_uint64(b->reserve));
        json_object_object_add(o, "total_bytes", json_object_new_uint64(budget_total(b)));
        json_object_object_add(o, "fits", json_object_new_boolean(b->fits));
        for (size_t i = 0; i < b->n_lines; i++) {
                const struct budget_line *l = &b->lines[i];
                json_object *j = json_object_new_object();
                json_object_object_add(j, "service", json_object_new_string(l->service));
                json_object_object_add(j, "setting",
                                       l->setting ? json_object_new_string(l->setting) : NULL);
                json_object_object_add(j, "count", json_object_new_int64(l->count));
                json_object_object_add(j, "wanted", json_object_new_int64(l->wanted));
                json_object_object_add(j, "floor", json_object_new_int64(l->floor));
                json_object_object_add(j, "each_bytes", json_object_new_uint64(l->each));
                json_object_object_add(j, "fixed_bytes", json_object_new_uint64(l->fixed));
                json_object_object_add(j, "total_bytes",
                                       json_object_new_uint64(budget_line_total(l)));
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
                if (l->setting && l->count < l->wanted)
                        plan_note(p, "budget: %s %s lowered from %u to %u to fit in %s of RAM",
                                  l->service, l->setting, l->wanted, l->count,
                                  format_size(b->ram, s1));
        }
        if (!b->fits)
                plan_note(p,
                          "budget: even at their floors the services need %s of %s RAM; "
                          "expect swapping or OOM kills (remove a service or add RAM)",
                          format_size(budget_total(b), s1), format_size(b->ram, s2));
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
    {"budget", "mysqld.tmp_table_size", check_size},
    {"budget", "mysqld.join_buffer_size", check_size},
    {"budget", "mysqld.binlog_cache_size", check_size},
    {"budget", "mysqld.thread_stack", check_size},
    {"budget", "mysqld.sort_buffer_size", check_size},
    {"budget", "mysqld.read_buffer_size", check_size},
    {"budget", "mysqld.read_rnd_buffer_size", check_size},
    {"budget", "mysqld.net_buffer_length", check_size},
    {"budget", "mysqld.min_connections", check_uint},
    {"budget", "apache.base", check_size},
    {"budget", "apache.prefork.child", check_size},
    {"budget", "apache.thread", check_size},
    {"budget", "apache.process", check_size},
    {"budget", "apache.min_workers", check_uint},
    {"budget", "php.base", check_size},
    {"budget", "php.child", check_size},
    {"budget", "php.min_children", check_uint},
    {0},
};

const struct module budget_module = {
    .name = "budget",
    .keys = budget_keys,
    .plan = budget_plan,
};
