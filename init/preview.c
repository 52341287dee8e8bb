/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "../lib/diff.h"
#include "../lib/fsutil.h"
#include "../lib/util.h"
#include "preview.h"

void plan_print_diffs(const struct context *ctx, const struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];
                _cleanup_free_ char *current = NULL;
                size_t size = 0;

                if (a->skip || (a->type != ACTION_WRITE_FILE && a->type != ACTION_REMOVE_FILE))
                        continue;
                if (root_read_file(ctx->rootfd, a->path, &current, &size) < 0)
                        current = NULL; /* absent (or unreadable): shown as a new file */
                if (a->type == ACTION_WRITE_FILE)
                        diff_unified(stdout, a->path, current, size, a->content, a->content_size);
                else if (current)
                        diff_unified(stdout, a->path, current, size, NULL, 0);
        }
}

void plan_show(const struct context *ctx, const struct plan *p)
{
        if (ctx->opts->json)
                plan_print_json(p, !ctx->opts->dry_run, stdout);
        else
                plan_print_text(p, !ctx->opts->dry_run, stdout);
        if (ctx->opts->diff)
                plan_print_diffs(ctx, p);
}
