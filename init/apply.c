/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/statvfs.h>

#include "../lib/fssync.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "../modules/module.h"
#include "apply.h"
#include "intent.h"
#include "preflight.h"

static bool plan_has_path(const struct plan *p, const char *path)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].path && streq(p->actions[i].path, path))
                        return true;
        return false;
}

/* A file memprov recorded: its removal, or kept (and said so) when the admin changed it. */
static void plan_remove_recorded(const struct context *ctx, struct plan *p, const struct setting *s,
                                 const char *why, const char *why_kept)
{
        enum managed_state state = managed_path_state(ctx, s);
        struct action *a;

        /* One behind a folder the admin made a symbolic link reads as missing: planned all the
         * same, for init/preflight.c preflight_links() to leave it and say why. */
        if (state == MANAGED_MISSING && root_check_writable_path(ctx->rootfd, s->key) != -ELOOP)
                return;
        a = plan_add(p, ACTION_REMOVE_FILE, "core");
        a->path = xstrdup(s->key);
        if (state != MANAGED_EDITED)
                a->note = xstrdup(why);
        else
                action_skip(a, why_kept);
}

static void review_stale_in(const struct context *ctx, struct plan *p, const struct config *record)
{
        for (size_t i = 0; record && i < record->n_settings; i++) {
                const struct setting *s = &record->settings[i];
                if (is_managed_record(s) && !plan_has_path(p, s->key))
                        plan_remove_recorded(ctx, p, s, "no longer wanted at this tier",
                                             "no longer wanted, but changed since: left alone");
        }
}

/* The state's files, and those an interrupted run may have written (its intent record). */
static void review_stale(const struct context *ctx, struct plan *p)
{
        review_stale_in(ctx, p, ctx->state);
        review_stale_in(ctx, p, ctx->intent);
}

void plan_review(const struct context *ctx, struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action_kind *k = action_kind(p->actions[i].type);
                if (k->review)
                        k->review(ctx, &p->actions[i]);
        }
        review_stale(ctx, p);
}

void plan_undo_files(const struct context *ctx, struct plan *p)
{
        for (size_t i = 0; i < ctx->state->n_settings; i++)
                if (is_managed_record(&ctx->state->settings[i]))
                        plan_remove_recorded(ctx, p, &ctx->state->settings[i], "as memprov left it",
                                             "edited by the admin since memprov wrote it: kept");
}

/* Every file the plan writes goes to its temp file first, and one syncfs makes them all
 * durable: each rename below then swaps in a complete file, without one journal commit per
 * file (issue 11: per-file fsyncs were most of the run's cost). The swap module's stage hook
 * adds a first boot's swapfile (signature written) and the fstab with its entry: a first boot
 * on one journaled filesystem then flushes once in all, this syncfs (intent_complete says when
 * the end of the run needs one more; a swapfile on another filesystem than /etc is fsynced with
 * its folder, swap-file.c). */
static int stage_writes(const struct context *ctx, struct plan *p)
{
        int r;

        for (size_t i = 0; i < p->n_actions; i++) {
                struct action *a = &p->actions[i];
                const struct action_kind *k = action_kind(a->type);
                const struct module *m = k->stage ? NULL : module_for_action(a->type);
                int (*stage)(const struct context *, const struct action *) = k->stage ? k->stage
                                                                              : m      ? m->stage
                                                                                       : NULL;

                if (!stage || a->skip)
                        continue;
                r = stage(ctx, a);
                if (r < 0) {
                        a->reached = a->failed = true;
                        return r;
                }
                a->staged = r > 0;
        }
        return 0;
}

static void discard_staged(const struct context *ctx, const struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action_kind *k = action_kind(p->actions[i].type);
                if (k->unstage)
                        k->unstage(ctx, &p->actions[i]);
        }
        modules_unstage(ctx);
}

/* The kind's own apply (files and links), or the module's that plans it. */
static int apply_one(const struct context *ctx, struct action *a)
{
        const struct action_kind *k = action_kind(a->type);
        const struct module *m;

        if (k->apply)
                return k->apply(ctx, a);
        m = module_for_action(a->type);
        if (!m)
                return log_error("no module applies action type %d", (int)a->type);
        return m->apply(ctx, a);
}

int apply_plan(const struct context *ctx, struct plan *p, const struct config *intent)
{
        struct statvfs sv;
        bool changed = false;
        int r;

        /* A read-only root is refused before the first change, so nothing is half done. */
        if (fstatvfs(ctx->rootfd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
                return log_error("%s is on a read-only filesystem; nothing changed",
                                 ctx->root[0] ? ctx->root : "/");
        r = preflight(ctx, p);
        if (r < 0)
                return r;
        /* Intent and every file's new bytes under temp names, one syncfs, the intent record in
         * place: only then the first change. */
        r = intent ? intent_stage(ctx->rootfd, intent) : 0;
        if (r == 0)
                r = stage_writes(ctx, p);
        if (r == 0 && (r = root_sync(ctx->rootfd)) < 0)
                log_error_errno(r, "syncfs %s", ctx->root[0] ? ctx->root : "/");
        if (r == 0 && intent)
                r = intent_commit(ctx->rootfd);
        for (size_t i = 0; r == 0 && i < p->n_actions; i++) {
                struct action *a = &p->actions[i];
                a->reached = true;
                /* Reload systemd only for what this run changed (it is the last action). */
                if (a->skip || (a->type == ACTION_DAEMON_RELOAD && !changed))
                        continue;
                r = apply_one(ctx, a);
                a->failed = r < 0;
                changed = changed || a->changed;
        }
        /* A failed staging leaves no temp file behind, the intent record's included (issue 21,
         * item 9); once renamed into place the record stays, for the next run to finish. */
        if (r < 0) {
                discard_staged(ctx, p);
                if (intent)
                        intent_sweep(ctx->rootfd);
        }
        return r;
}

/* A file left alone because the admin edited it (or kept it at --undo) keeps its record, so
 * that later runs still know it as edited (and do not take the memprov header left in it for
 * memprov's own). */
static void carry_over_record(const struct context *ctx, const char *path, struct config *state)
{
        static const char *const sections[] = {STATE_FILES, STATE_LINKS};
        const struct config *records[3];

        file_records(ctx, records);
        for (size_t i = 0; i < ELEMENTSOF(sections); i++)
                for (size_t j = 0; j < ELEMENTSOF(records); j++) {
                        const char *v =
                            records[j] ? config_str(records[j], sections[i], path, NULL) : NULL;
                        if (v) {
                                config_set(state, sections[i], path, v, "state");
                                break;
                        }
                }
}

void record_files(const struct context *ctx, const struct plan *p, struct config *state)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];
                const struct action_kind *k = action_kind(a->type);
                _cleanup_free_ char *value = NULL;

                if (a->skip && a->path)
                        carry_over_record(ctx, a->path, state);
                if (!k->record_value || a->skip)
                        continue;
                value = k->record_value(a);
                config_set(state, k->record_section, a->path, value, "state");
        }
}
