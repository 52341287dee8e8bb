/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Refusals before the first change: every path a plan will write is resolved under the root
 * (no symlinked or non-directory folder on the way) before apply touches anything. */
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "intent.h"
#include "preflight.h"

static int check_path(const struct context *ctx, const char *path)
{
        int r = root_check_writable_path(ctx->rootfd, path);

        if (r == -ELOOP)
                return log_error("%s%s: a directory on the way is a symlink; refusing before any "
                                 "change, nothing changed",
                                 ctx->root, path);
        if (r < 0)
                return log_error_errno(r, "%s%s: refusing before any change, nothing changed",
                                       ctx->root, path);
        return 0;
}

/* The link paths of a unit action ("PATH TARGET" lines). */
static int check_unit_links(const struct context *ctx, const struct action *a)
{
        _cleanup_free_ char *copy = xstrdup(a->content ? a->content : "");
        char *save = NULL;
        int r = 0;

        for (char *line = strtok_r(copy, "\n", &save); r == 0 && line;
             line = strtok_r(NULL, "\n", &save)) {
                line[strcspn(line, " ")] = '\0';
                r = check_path(ctx, line);
        }
        return r;
}

/* Every path the plan writes, resolved before the first change: a refusal changes nothing. */
int preflight(const struct context *ctx, struct plan *p)
{
        static const char *const always[] = {STATE_PATH, INTENT_PATH, "/etc/fstab"};
        int r = 0;

        for (size_t i = 0; r == 0 && i < ELEMENTSOF(always); i++)
                r = check_path(ctx, always[i]);
        for (size_t i = 0; r == 0 && i < p->n_actions; i++) {
                struct action *a = &p->actions[i];
                if (a->skip)
                        continue;
                if (a->path)
                        r = check_path(ctx, a->path);
                if (r == 0 && a->type == ACTION_SWAP && a->swap.path)
                        r = check_path(ctx, a->swap.path);
                if (r == 0 && a->type == ACTION_UNIT)
                        r = check_unit_links(ctx, a);
                /* The plan output names the refused action; every other one is "not done". */
                a->reached = a->failed = r < 0;
        }
        return r;
}
