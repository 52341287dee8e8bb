/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "status.h"
#include "util.h"

struct status_item *status_add(struct status *st, const char *kind, const char *name,
                               const char *code, const char *state, bool drift, char *detail)
{
        st->items = xrealloc(st->items, (st->n_items + 1) * sizeof(*st->items));
        st->items[st->n_items] = (struct status_item){
            .kind = xstrdup(kind),
            .name = xstrdup(name),
            .code = code,
            .state = xstrdup(state),
            .detail = detail,
            .drift = drift,
        };
        return &st->items[st->n_items++];
}

void status_done(struct status *st)
{
        for (size_t i = 0; i < st->n_items; i++) {
                free(st->items[i].kind);
                free(st->items[i].name);
                free(st->items[i].state);
                free(st->items[i].detail);
                free(st->items[i].value);
                free(st->items[i].set);
        }
        free(st->items);
        *st = (struct status){0};
}
