/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "../lib/journal.h"
#include "../lib/util.h"
#include "preview.h"

void plan_print_diffs(const struct context *ctx, const struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];
                const struct action_kind *k = action_kind(a->type);

                if (!a->skip && k->diff)
                        k->diff(ctx, a, stdout);
        }
}

void plan_show(const struct context *ctx, const struct plan *p)
{
        bool applied = !ctx->opts->dry_run;

        /* Under systemd the listing is the journal's: a record per line, the events with their
         * MESSAGE_ID in place of their lines. --json is for a program reading it whole. */
        if (!ctx->opts->json && journal_stdout()) {
                journal_plan_listing(p, applied);
                return;
        }
        if (ctx->opts->json)
                plan_print_json(p, applied, stdout);
        else
                plan_print_text(p, applied, stdout);
        if (applied)
                journal_plan_events(p);
        if (ctx->opts->diff)
                plan_print_diffs(ctx, p);
}
