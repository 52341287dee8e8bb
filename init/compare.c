/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <json-c/json.h>

#include "../lib/util.h"
#include "compare.h"

void plan_compare(const struct context *ctx, struct plan *p)
{
        bool any_file = false;

        for (size_t i = 0; i < p->n_actions; i++) {
                struct action *a = &p->actions[i];
                const struct action_kind *k = action_kind(a->type);
                a->as_planned = !a->skip && k->as_planned && k->as_planned(ctx, a);
                if (!a->skip && !a->as_planned && k->touches_files)
                        any_file = true;
        }
        /* systemd's reload (and the live steps after it) follow a changed unit file or link. */
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].type == ACTION_DAEMON_RELOAD)
                        p->actions[i].as_planned = !any_file;
}

char *action_change(const struct action *a)
{
        const struct action_kind *k = action_kind(a->type);

        return a->skip || a->as_planned || !k->change ? NULL : k->change(a);
}

json_object *action_change_json(const struct action *a)
{
        const struct action_kind *k = action_kind(a->type);
        _cleanup_free_ char *words = action_change(a);
        json_object *o;

        if (!words)
                return NULL;
        o = json_object_new_object();
        json_object_object_add(o, "kind", json_object_new_string(k->change_kind));
        json_object_object_add(
            o, "op",
            json_object_new_string(k->change_op ? k->change_op(a) : action_kind_verb(a, false)));
        json_object_object_add(o, "name", json_object_new_string(k->change_name(a)));
        if (k->change_json)
                k->change_json(o, a);
        return o;
}
