/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <json-c/json.h>

#include "../lib/iniread.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "web.h"

/* {"value", "source", "origin"}; a PHP size of -1 (no limit) stays -1. */
static json_object *value_json(const struct effective_value *v)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "value",
                               v->value == PHP_UNLIMITED ? json_object_new_int(-1)
                                                         : json_object_new_uint64(v->value));
        json_object_object_add(o, "source", json_object_new_string(value_source_name(v->source)));
        json_object_object_add(o, "origin",
                               v->origin[0] ? json_object_new_string(v->origin) : NULL);
        return o;
}

static const char *limit_text(const struct effective_value *v, char buf[static 32])
{
        return v->value == PHP_UNLIMITED ? "-1 (no limit)" : format_size(v->value, buf);
}

static json_object *pool_json(const struct php_pool *pool)
{
        json_object *o = json_object_new_object(), *pm = json_object_new_object();

        json_object_object_add(o, "name", json_object_new_string(pool->name));
        json_object_object_add(o, "memory_limit", value_json(&pool->memory_limit));
        json_object_object_add(o, "memory_limit_locked",
                               json_object_new_boolean(pool->memory_limit_locked));
        json_object_object_add(pm, "value", pool->pm[0] ? json_object_new_string(pool->pm) : NULL);
        json_object_object_add(pm, "origin",
                               pool->pm_origin[0] ? json_object_new_string(pool->pm_origin) : NULL);
        json_object_object_add(o, "pm", pm);
        json_object_object_add(o, "max_children", value_json(&pool->max_children));
        json_object_object_add(o, "listen",
                               pool->listen[0] ? json_object_new_string(pool->listen) : NULL);
        return o;
}

static void php_inputs(const struct php_fpms *fpms, struct plan *p, json_object *inputs)
{
        json_object *list = json_object_new_array();
        char size[32];

        for (size_t i = 0; i < fpms->n; i++) {
                const struct php_fpm *f = &fpms->v[i];
                json_object *o = json_object_new_object(), *pools = json_object_new_array();
                json_object *opcache = json_object_new_object();
                json_object_object_add(o, "version", json_object_new_string(f->version));
                json_object_object_add(o, "unit", json_object_new_string(f->unit));
                json_object_object_add(o, "pool_dir", json_object_new_string(f->pool_dir));
                json_object_object_add(o, "ini_memory_limit", value_json(&f->ini_memory_limit));
                json_object_object_add(opcache, "enabled",
                                       json_object_new_boolean(f->opcache_enabled));
                json_object_object_add(opcache, "memory_consumption",
                                       value_json(&f->opcache_memory));
                json_object_object_add(o, "opcache", opcache);
                json_object_object_add(o, "process_max", value_json(&f->process_max));
                for (size_t j = 0; j < f->n_pools; j++) {
                        const struct php_pool *pool = &f->pools[j];
                        json_object_array_add(pools, pool_json(pool));
                        /* The text names what is not the distribution's: a panel's or an
                         * admin's limit, and what could not be read. */
                        if (pool->memory_limit.source == SOURCE_UNKNOWN)
                                plan_note(p,
                                          "php %s pool %s: memory_limit not known (see the "
                                          "warning above)",
                                          f->version, pool->name);
                        else if (pool->memory_limit.source == SOURCE_ADMIN)
                                plan_note(p, "php %s pool %s: memory_limit %s%s (%s)", f->version,
                                          pool->name, limit_text(&pool->memory_limit, size),
                                          pool->memory_limit_locked ? ", php_admin_value: scripts "
                                                                      "cannot raise it"
                                                                    : "",
                                          pool->memory_limit.origin);
                }
                json_object_object_add(o, "pools", pools);
                json_object_array_add(list, o);
        }
        json_object_object_add(inputs, "php", list);
}

static void apache_inputs(const struct web_server *w, struct plan *p, json_object *inputs)
{
        json_object *o;
        char size[32];

        if (!w->installed)
                return;
        o = json_object_new_object();
        json_object_object_add(o, "layout", json_object_new_string(w->debian ? "debian" : "el"));
        json_object_object_add(o, "enabled", json_object_new_boolean(w->enabled));
        json_object_object_add(o, "mpm", json_object_new_string(mpm_name(w->mpm)));
        json_object_object_add(o, "mod_php", json_object_new_boolean(w->mod_php));
        if (w->mod_php) {
                json_object_object_add(
                    o, "mod_php_version",
                    w->mod_php_version[0] ? json_object_new_string(w->mod_php_version) : NULL);
                json_object_object_add(o, "mod_php_memory_limit",
                                       value_json(&w->mod_php_memory_limit));
                if (w->mod_php_memory_limit.source == SOURCE_UNKNOWN)
                        plan_note(p, "apache: mod_php %s loaded, its memory_limit not known",
                                  w->mod_php_version);
                else
                        plan_note(p, "apache: mod_php %s loaded (%s MPM), memory_limit %s (%s)",
                                  w->mod_php_version, mpm_name(w->mpm),
                                  limit_text(&w->mod_php_memory_limit, size),
                                  w->mod_php_memory_limit.origin[0] ? w->mod_php_memory_limit.origin
                                                                    : "PHP's default");
        }
        json_object_object_add(inputs, "apache", o);
}

static void nginx_inputs(const struct nginx_server *n, unsigned vcpus, struct plan *p,
                         json_object *inputs)
{
        json_object *o, *w;

        if (!n->installed)
                return;
        o = json_object_new_object();
        json_object_object_add(o, "layout", json_object_new_string(n->debian ? "debian" : "el"));
        json_object_object_add(o, "enabled", json_object_new_boolean(n->enabled));
        w = value_json(&n->workers);
        json_object_object_add(w, "auto", json_object_new_boolean(n->worker_processes_auto));
        json_object_object_add(o, "worker_processes", w);
        json_object_object_add(o, "worker_connections", value_json(&n->worker_connections));
        json_object_object_add(inputs, "nginx", o);
        if (n->workers.source == SOURCE_UNKNOWN)
                plan_note(p, "nginx: %s, its workers not known",
                          n->enabled ? "enabled" : "not enabled (not budgeted)");
        else
                plan_note(p, "nginx: %s, worker_processes %u%s (%s)",
                          n->enabled ? "enabled" : "installed, not enabled (not budgeted)",
                          n->worker_processes,
                          n->worker_processes_auto
                              ? (vcpus == n->worker_processes ? " (auto: the vCPUs)" : " (auto)")
                              : "",
                          n->workers.origin[0] ? n->workers.origin : "nginx's default");
}

static int web_inputs_plan(const struct context *ctx, struct plan *p)
{
        const struct services *s = ctx->services;
        json_object *inputs;

        if (s->php.n == 0 && !s->web.installed && !s->nginx.installed)
                return 0;
        inputs = plan_extra_object(p, "inputs");
        php_inputs(&s->php, p, inputs);
        apache_inputs(&s->web, p, inputs);
        nginx_inputs(&s->nginx, ctx->facts->vcpus, p, inputs);
        return 0;
}

const struct module web_inputs_module = {
    .name = "inputs-web",
    .detect = nginx_detect,
    .plan = web_inputs_plan,
};
