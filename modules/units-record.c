/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The units module's record in the state (and in the intent record, the same form): a section
 * [unit NAME] per unit memprov disabled, memprov = disabled with its links (link1..linkN, the
 * "PATH TARGET" lines to put back) or released once the admin took it over. */
#include "../lib/log.h"
#include "../lib/state.h"
#include "units-files.h"
#include "units.h"

#define STATE_LINKS_MAX 64

const char *units_recorded_in(const struct config *record, const char *unit, const char *key)
{
        _cleanup_free_ char *section = xasprintf("unit %s", unit);

        return record ? config_str(record, section, key, NULL) : NULL;
}

int units_recorded_links(const struct config *record, const char *unit, struct unit_links *ret)
{
        _cleanup_free_ char *text = xstrdup("");

        for (int i = 1; i <= STATE_LINKS_MAX; i++) {
                char key[16], *next;
                const char *link;
                snprintf(key, sizeof(key), "link%d", i);
                link = units_recorded_in(record, unit, key);
                if (!link)
                        break;
                next = xasprintf("%s%s\n", text, link);
                free(text);
                text = next;
        }
        if (unit_links_parse(text, ret) < 0)
                return log_error("%s: [unit %s]: malformed link", STATE_PATH, unit);
        return 0;
}

static const struct action *unit_action(const struct plan *p, const char *unit)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].type == ACTION_UNIT && streq(p->actions[i].unit, unit))
                        return &p->actions[i];
        return NULL;
}

static void record_disabled(const struct context *ctx, const struct action *a, struct config *state)
{
        _cleanup_free_ char *section = xasprintf("unit %s", a->unit);
        _cleanup_(unit_links_done) struct unit_links links = {0};

        config_set(state, section, "memprov", STATE_DISABLED, "state");
        config_set(state, section, "group", units_group_of(ctx, a->unit), "state");
        config_set(state, section, "prior", "enabled", "state");
        if (unit_links_parse(a->content, &links) < 0)
                return;
        for (size_t i = 0; i < links.n && i < STATE_LINKS_MAX; i++) {
                _cleanup_free_ char *value =
                    xasprintf("%s %s", links.links[i].path, links.links[i].target);
                char key[16];
                snprintf(key, sizeof(key), "link%zu", i + 1);
                config_set(state, section, key, value, "state");
        }
}

/* [unit NAME]: memprov = disabled (with the links to put back) or released; a unit memprov
 * enabled again, or that the admin took over before it was re-enabled, is forgotten. */
void units_record(const struct context *ctx, const struct plan *p, struct config *state)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];
                _cleanup_free_ char *section = NULL;
                if (a->type != ACTION_UNIT || a->unit_op != UNIT_DISABLE)
                        continue;
                if (!a->skip) {
                        record_disabled(ctx, a, state);
                        continue;
                }
                section = xasprintf("unit %s", a->unit);
                config_set(state, section, "memprov", STATE_RELEASED, "state");
                config_set(state, section, "group", units_group_of(ctx, a->unit), "state");
        }
        for (size_t i = 0; i < ctx->state->n_settings; i++) {
                const struct setting *s = &ctx->state->settings[i];
                if (startswith(s->section, "unit ") &&
                    !unit_action(p, s->section + strlen("unit ")))
                        config_set(state, s->section, s->key, s->value, "state");
        }
}
