/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Other memory consumers (Redis, memcached, Postfix, Dovecot, ...): the [consumer NAME] table in
 * conf.d/25-consumers.conf names each one's units and its measured cost. One that is installed
 * and enabled under the root (a unit file, and a link `systemctl enable` made: what `systemctl
 * disable` would remove, read as units-files.c reads it) goes into services->consumers for the
 * sizing model to count. A masked unit is not enabled. The web servers (Apache, nginx) are
 * budgeted by the same test (unit_enabled()).
 */
#include <json-c/json.h>

#include "../lib/log.h"
#include "../lib/size.h"
#include "units-files.h"
#include "units.h"

#define CONSUMER_SECTION "consumer "

bool unit_enabled(int rootfd, const char *unit)
{
        _cleanup_(unit_links_done) struct unit_links links = {0};
        char *names[] = {(char *)unit, NULL};
        char *where;

        if (!unit_installed(rootfd, unit) || unit_masked(rootfd, unit))
                return false;
        if (unit_links_to_disable(rootfd, names, &links) == 0 && links.n > 0)
                return true;
        /* Linked through a symlinked NAME.wants/ folder: boot follows it (units-dirs.c). */
        free(where = unit_dir_link(rootfd, unit));
        return where != NULL;
}

static bool seen(const struct services *s, const char *name)
{
        for (size_t i = 0; i < s->n_consumers; i++)
                if (streq(s->consumers[i].name, name))
                        return true;
        return false;
}

/* Every [consumer NAME] the configuration has (shipped, the admin's, user-data), in order. */
int units_detect(const struct context *ctx, struct services *services)
{
        const struct config *c = ctx->config;

        services->n_consumers = 0;
        if (!c)
                return 0; /* a caller that only asks about the services (tests) */
        for (size_t i = 0; i < c->n_settings; i++) {
                const char *section = c->settings[i].section, *name;
                _cleanup_strv_ char **units = NULL;
                struct consumer *k;
                if (!startswith(section, CONSUMER_SECTION))
                        continue;
                name = section + strlen(CONSUMER_SECTION);
                if (seen(services, name))
                        continue;
                if (strlen(name) >= sizeof(k->name)) {
                        log_warning("[%s]: a consumer's name has at most %zu characters; ignored",
                                    section, sizeof(k->name) - 1);
                        continue;
                }
                if (services->n_consumers == MAX_CONSUMERS) {
                        log_warning("[%s]: more than %d consumers; ignored", section,
                                    MAX_CONSUMERS);
                        break;
                }
                units = strv_split(config_str(c, section, "units", ""));
                for (char **u = units; *u; u++) {
                        if (strlen(*u) >= sizeof(k->unit) || !unit_enabled(ctx->rootfd, *u))
                                continue;
                        k = &services->consumers[services->n_consumers++];
                        *k = (struct consumer){.cost = config_size(c, section, "cost", 0)};
                        snprintf(k->name, sizeof(k->name), "%s", name);
                        snprintf(k->unit, sizeof(k->unit), "%s", *u);
                        break;
                }
        }
        return 0;
}

/* The plan's inputs: "consumers" in --json (with each cost's source), one note in the text. */
void units_plan_consumers(const struct context *ctx, struct plan *p)
{
        const struct services *s = ctx->services;
        json_object *list;
        _cleanup_free_ char *text = xstrdup("");

        if (!s)
                return;
        list = json_object_new_array();
        for (size_t i = 0; i < s->n_consumers; i++) {
                const struct consumer *k = &s->consumers[i];
                _cleanup_free_ char *section = xasprintf(CONSUMER_SECTION "%s", k->name);
                const struct setting *cost = config_get(ctx->config, section, "cost");
                json_object *o = json_object_new_object();
                char size[32], *next;

                json_object_object_add(o, "name", json_object_new_string(k->name));
                json_object_object_add(o, "unit", json_object_new_string(k->unit));
                json_object_object_add(o, "cost_bytes", json_object_new_uint64(k->cost));
                json_object_object_add(
                    o, "source",
                    json_object_new_string(config_str(ctx->config, section, "source", "")));
                json_object_object_add(o, "origin",
                                       cost ? json_object_new_string(cost->origin) : NULL);
                json_object_array_add(list, o);
                next = xasprintf("%s%s%s (%s) %s", text, i ? ", " : "", k->name, k->unit,
                                 format_size(k->cost, size));
                free(text);
                text = next;
        }
        json_object_object_add(plan_extra_object(p, "inputs"), "consumers", list);
        if (s->n_consumers)
                plan_note(p, "other memory consumers counted: %s", text);
}
