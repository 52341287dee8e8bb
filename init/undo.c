/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --undo: each module plans the way back for what it changed (module.h's undo hook), the
 * recorded files and links are removed unless the admin changed them since, and the state
 * goes. The same executor as provisioning carries it out, so --dry-run previews it and a second
 * --undo, with no state left, changes nothing.
 */
#include <fcntl.h>

#include "../lib/fssync.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "../modules/module.h"
#include "apply.h"
#include "intent.h"
#include "options.h"
#include "preflight.h"
#include "preview.h"
#include "undo.h"

/* Whether --undo kept path because a folder on its way is a symbolic link the admin made
 * (init/preflight.c preflight_links(), modules/sysctl.c), not because the admin edited it. */
static bool kept_behind_link(const struct context *ctx, const char *path)
{
        return root_check_writable_path(ctx->rootfd, path) == -ELOOP;
}

/* The undone marker: what boot reads to leave the machine alone, and the records of the files
 * this --undo kept: those the admin had edited, and those behind a folder they made a symbolic
 * link, each under its own reason. They stay the admin's: a later --rerun leaves an edited one
 * alone (init/apply.c file_is_ours) until the admin removes it (issue 20 item 2); one behind a
 * link keeps memprov's bytes, so its record still knows it as memprov's once the folder is real. */
static char *undone_marker(const struct context *ctx, const struct cloudinit_meta *meta,
                           const struct plan *p)
{
        _cleanup_free_ char *files = xstrdup(""), *linked = xstrdup(""), *links = xstrdup("");

        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];
                const char *v;
                char **to, *joined;
                if (!a->skip || a->type != ACTION_REMOVE_FILE)
                        continue;
                v = config_str(ctx->state, STATE_FILES, a->path, NULL);
                to = kept_behind_link(ctx, a->path) ? &linked : &files;
                if (!v) {
                        v = config_str(ctx->state, STATE_LINKS, a->path, NULL);
                        to = &links;
                }
                if (!v)
                        continue;
                joined = xasprintf("%s%s = %s\n", *to, a->path, v);
                free(*to);
                *to = joined;
        }
        return xasprintf("# memprov --undo put this machine back as it was before memprov.\n"
                         "# Boot leaves it so; memprov --rerun provisions it again.\n"
                         "[memprov]\nundone = yes\ninstance_id = %s\n%s%s%s%s%s%s",
                         meta->instance_id ? meta->instance_id : "",
                         files[0]    ? "\n# Edited by the admin, kept by --undo: theirs until "
                                       "they remove them.\n[files]\n"
                         : linked[0] ? "\n[files]\n"
                                     : "",
                         files,
                         linked[0] ? "# Left by --undo in a folder reached through a symbolic link "
                                     "the admin made (memprov removes nothing through one).\n"
                                   : "",
                         linked, links[0] ? "[links]\n" : "", links);
}

static int plan_undo(const struct context *ctx, const struct cloudinit_meta *meta, struct plan *p)
{
        struct action *a;
        int r;

        /* The header and --json carry this run's facts, as every mode's do (the container,
         * the vCPUs), and name what is undone: the RAM and tier memprov provisioned for. */
        plan_set_facts(p, ctx->facts);
        p->ram_bytes = state_u64(ctx->state, "memprov", "ram_bytes");
        p->ram_source = "state";
        p->tier = xstrdup(config_str(ctx->state, "memprov", "tier", "?"));
        plan_undo_files(ctx, p);
        for (size_t i = 0; memprov_modules[i]; i++)
                if (memprov_modules[i]->undo && (r = memprov_modules[i]->undo(ctx, p)) < 0)
                        return r;
        preflight_links(ctx, p);
        plan_merge_reloads(p);
        /* The marker before the state goes: a crash between them leaves a machine that boot
         * does not provision again and a second --undo completes. */
        a = plan_add_file(p, "core", UNDONE_PATH, 0644, undone_marker(ctx, meta, p));
        a->note = xstrdup("so that the next boot does not provision again");
        a = plan_add(p, ACTION_REMOVE_FILE, "core");
        a->path = xstrdup(STATE_PATH);
        a->note = xstrdup("memprov's record of this machine");
        plan_note(p, "services read the removed drop-ins when they next start (reboot, or "
                     "restart them)");
        return 0;
}

/* A drop-in directory the undo leaves empty goes too (systemd ignores an empty one, but a
 * machine that never ran memprov has none): each folder of a drop-in the record lists, so that
 * an undo finished by a later run (the drop-ins already gone) removes them as well. */
static void remove_empty_dropin_dirs(const struct context *ctx, const struct config *record)
{
        for (size_t i = 0; i < record->n_settings; i++) {
                const struct setting *s = &record->settings[i];
                _cleanup_free_ char *dir = NULL;
                _cleanup_close_ int dirfd = -1;
                const char *name;
                char *slash;

                if (!streq(s->section, STATE_FILES) || !startswith(s->key, "/etc/systemd/system/"))
                        continue;
                dir = xstrdup(s->key);
                slash = strrchr(dir, '/');
                *slash = '\0';
                if (slash - dir < 2 || !streq(slash - 2, ".d"))
                        continue;
                if (root_open_parent(ctx->rootfd, dir, false, &dirfd, &name) == 0 &&
                    unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOTEMPTY &&
                    errno != ENOENT && errno != ENOTDIR) /* ENOTDIR: an admin's symbolic link */
                        log_warning_errno(errno, "cannot remove %s%s", ctx->root, dir);
        }
}

/* The temp files a run stopped before its renames left (staged: lib/fsutil.h) go with it. */
static void discard_staged(const struct context *ctx, const struct config *record)
{
        for (size_t i = 0; i < record->n_settings; i++)
                if (streq(record->settings[i].section, STATE_FILES))
                        root_discard_staged(ctx->rootfd, record->settings[i].key);
        modules_unstage(ctx);
}

/* What --undo takes away: the state, and what a run that did not finish may have changed beyond
 * it (its intent record: a first boot stopped before it saved a state, a --rerun stopped part
 * way), marked as an --undo's. Written as the intent record before the undo's first change, it
 * is what a run that finds it finishes (issue 21, items 4-6). */
static void undo_record(const struct context *ctx, struct config *ret)
{
        const struct config *from[] = {ctx->state, ctx->intent};

        for (size_t i = 0; i < ELEMENTSOF(from); i++)
                for (size_t j = 0; from[i] && j < from[i]->n_settings; j++) {
                        const struct setting *s = &from[i]->settings[j];
                        if (!config_get(ret, s->section, s->key))
                                config_set(ret, s->section, s->key, s->value, "state");
                }
        config_set(ret, "memprov", "undo", "yes", "state");
}

int undo_run(const struct context *ctx, const struct cloudinit_meta *meta)
{
        _cleanup_(config_done) struct config record = {0};
        struct context c = *ctx;
        struct plan p = {0};
        int r;

        if (!state_present(ctx->state) && !intent_pending(ctx->intent)) {
                log_info("nothing to undo: no %s%s (memprov has not provisioned this machine, or "
                         "--undo already ran)",
                         ctx->root, STATE_PATH);
                return 0;
        }
        if (intent_is_undo(ctx->intent))
                log_info("memprov --undo did not finish (%s%s): finishing it", ctx->root,
                         INTENT_PATH);
        else if (!state_present(ctx->state))
                log_info("a memprov run did not finish (%s%s): undoing what it may have changed",
                         ctx->root, INTENT_PATH);
        undo_record(ctx, &record);
        c.state = &record;
        r = plan_undo(&c, meta, &p);
        if (r == 0 && !ctx->opts->dry_run) {
                discard_staged(&c, &record);
                r = apply_plan(&c, &p, &record);
                remove_empty_dropin_dirs(&c, &record);
                /* The record goes once the undo is on disk: lost before, it is finished again. */
                if (r == 0)
                        r = root_sync(ctx->rootfd);
                if (r == 0)
                        r = intent_remove(ctx->rootfd);
        }
        if (r == 0 || !ctx->opts->dry_run)
                plan_show(ctx, &p);
        for (size_t i = 0; r == 0 && i < p.n_actions; i++)
                if (p.actions[i].skip && p.actions[i].type == ACTION_REMOVE_FILE)
                        log_info("%s%s: %s", ctx->root, p.actions[i].path,
                                 kept_behind_link(&c, p.actions[i].path)
                                     ? p.actions[i].note
                                     : "edited by the admin since memprov wrote it; kept");
        plan_done(&p);
        return r;
}

bool undone_check(const struct context *ctx, const struct cloudinit_meta *meta)
{
        _cleanup_(config_done) struct config marker = {0};
        const char *instance;
        struct stat st;

        /* Read inside the root like every other file: no link followed, a regular file only. */
        if (root_lstat(ctx->rootfd, UNDONE_PATH, &st) < 0 || !S_ISREG(st.st_mode) ||
            config_load_root_file(&marker, ctx->rootfd, ctx->root, UNDONE_PATH) < 0)
                return false;
        instance = config_str(&marker, "memprov", "instance_id", "");
        /* A new instance (an image booted again) is provisioned as on a first boot. */
        return !(meta->instance_id && instance[0] && !streq(instance, meta->instance_id));
}

int undone_load_kept(int rootfd, const char *root, struct config *ret)
{
        struct stat st;
        int r;

        /* Read inside the root like every other file: no link followed, a regular file only. */
        if (root_lstat(rootfd, UNDONE_PATH, &st) < 0 || !S_ISREG(st.st_mode))
                return 0;
        r = config_load_root_file(ret, rootfd, root, UNDONE_PATH);
        /* A damaged marker (logged by the load) keeps nothing: the files' headers then decide. */
        if (r < 0)
                config_done(ret);
        return 0;
}

int undone_clear(const struct context *ctx)
{
        int r = root_remove_file(ctx->rootfd, UNDONE_PATH);

        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "cannot remove %s%s", ctx->root, UNDONE_PATH);
        return 0;
}
