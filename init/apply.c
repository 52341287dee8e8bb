/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <sys/statvfs.h>

#include "../lib/fssync.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "../modules/module.h"
#include "apply.h"
#include "intent.h"
#include "preflight.h"

static bool recorded_hash_is(const struct config *record, const char *path, const char *hex)
{
        const char *recorded = record ? config_str(record, STATE_FILES, path, NULL) : NULL;

        return recorded && startswith(recorded, hex) &&
               (recorded[16] == ' ' || recorded[16] == '\0');
}

/* The records that know a managed file: the state, the intent record of a run that did not
 * finish, and the files an --undo kept because the admin had edited them (init/undo.h). */
static void file_records(const struct context *ctx, const struct config *ret[static 3])
{
        ret[0] = ctx->state;
        ret[1] = ctx->intent;
        ret[2] = ctx->kept;
}

/* Whether the file on disk is what memprov last wrote, or what a run that did not finish was
 * writing (its intent record), or memprov's when no record knows the file. A file an --undo
 * kept for the admin stays theirs (its record holds memprov's hash, not theirs) until they
 * remove it or put memprov's bytes back (issue 20 item 2). Never without memprov's header,
 * whatever a record says: every file memprov writes opens with it, and a forged or damaged
 * record's hash alone must not make another file memprov's to overwrite or remove. */
static bool file_is_ours(const struct context *ctx, const char *path, const char *current,
                         size_t size)
{
        const struct config *records[3];
        bool known = false;
        char hex[17];

        if (!is_managed_content(current))
                return false;
        file_records(ctx, records);
        for (size_t i = 0; i < ELEMENTSOF(records); i++)
                known = known || (records[i] && config_str(records[i], STATE_FILES, path, NULL));
        if (!known)
                return true;
        snprintf(hex, sizeof(hex), "%016" PRIx64, hash64(current, size));
        for (size_t i = 0; i < ELEMENTSOF(records); i++)
                if (recorded_hash_is(records[i], path, hex))
                        return true;
        return false;
}

static void skip_action(struct action *a, const char *why)
{
        a->skip = true;
        free(a->note);
        a->note = xstrdup(why);
}

static void review_write(const struct context *ctx, struct action *a)
{
        _cleanup_free_ char *current = NULL;
        struct stat st;
        size_t size;

        /* Never write through (or over) a symlink or a special file memprov did not expect. */
        if (root_lstat(ctx->rootfd, a->path, &st) == 0 && !S_ISREG(st.st_mode))
                return skip_action(a, "not a regular file (a symlink?): left alone");
        if (root_read_file(ctx->rootfd, a->path, &current, &size) < 0)
                return;
        if (size == a->content_size && memcmp(current, a->content, size) == 0) {
                /* Read once here: staging then skips the file without reading it again. */
                a->as_planned = (st.st_mode & 07777) == a->mode;
                return;
        }
        if (!file_is_ours(ctx, a->path, current, size))
                skip_action(a, "not written by memprov, or edited since: left alone "
                               "(remove it to let memprov write it)");
}

static bool plan_has_path(const struct plan *p, const char *path)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].path && streq(p->actions[i].path, path))
                        return true;
        return false;
}

/* Whether path is still the symlink to target that memprov made. */
static bool link_is_ours(const struct context *ctx, const char *path, const char *target)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        char current[4096];
        ssize_t n;

        if (root_open_parent(ctx->rootfd, path, false, &dirfd, &name) < 0)
                return false;
        n = readlinkat(dirfd, name, current, sizeof(current) - 1);
        return n >= 0 && (size_t)n == strlen(target) && memcmp(current, target, (size_t)n) == 0;
}

static void review_symlink(const struct context *ctx, struct action *a)
{
        struct stat st;

        if (root_lstat(ctx->rootfd, a->path, &st) < 0)
                return;
        if (link_is_ours(ctx, a->path, a->target))
                a->as_planned = true;
        else
                skip_action(a, "exists and is not memprov's link: left alone");
}

enum managed_state managed_path_state(const struct context *ctx, const struct setting *s)
{
        _cleanup_free_ char *current = NULL, *target = NULL;
        struct stat st;
        size_t size;

        if (streq(s->section, STATE_LINKS)) {
                target = strndup(s->value, strcspn(s->value, " "));
                if (!target)
                        abort();
                if (root_lstat(ctx->rootfd, s->key, &st) < 0)
                        return MANAGED_MISSING;
                return link_is_ours(ctx, s->key, target) ? MANAGED_AS_WRITTEN : MANAGED_EDITED;
        }
        if (root_lstat(ctx->rootfd, s->key, &st) < 0)
                return MANAGED_MISSING;
        if (!S_ISREG(st.st_mode) || root_read_file(ctx->rootfd, s->key, &current, &size) < 0)
                return MANAGED_EDITED;
        return file_is_ours(ctx, s->key, current, size) ? MANAGED_AS_WRITTEN : MANAGED_EDITED;
}

bool is_managed_record(const struct setting *s)
{
        return streq(s->section, STATE_FILES) || streq(s->section, STATE_LINKS);
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
                skip_action(a, why_kept);
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
                if (p->actions[i].type == ACTION_WRITE_FILE)
                        review_write(ctx, &p->actions[i]);
                else if (p->actions[i].type == ACTION_SYMLINK)
                        review_symlink(ctx, &p->actions[i]);
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

static bool write_needed(const struct context *ctx, const struct action *a)
{
        _cleanup_free_ char *current = NULL;
        struct stat st;
        size_t size;

        return !(root_read_file(ctx->rootfd, a->path, &current, &size) == 0 &&
                 size == a->content_size && memcmp(current, a->content, size) == 0 &&
                 root_lstat(ctx->rootfd, a->path, &st) == 0 && (st.st_mode & 07777) == a->mode);
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
                const struct module *m = module_for_action(a->type);
                if (m && m->stage && !a->skip) {
                        r = m->stage(ctx, a);
                        if (r < 0) {
                                a->reached = a->failed = true;
                                return r;
                        }
                        a->staged = r > 0;
                }
                if (a->type != ACTION_WRITE_FILE || a->skip || a->as_planned ||
                    !write_needed(ctx, a))
                        continue;
                r = root_stage_file(ctx->rootfd, a->path, a->content, a->content_size, a->mode);
                if (r < 0) {
                        a->reached = a->failed = true;
                        return log_error_errno(r, "cannot write %s%s", ctx->root, a->path);
                }
                a->staged = true;
        }
        return 0;
}

static void discard_staged(const struct context *ctx, const struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].type == ACTION_WRITE_FILE)
                        root_discard_staged(ctx->rootfd, p->actions[i].path);
        modules_unstage(ctx);
}

static int apply_write(const struct context *ctx, struct action *a)
{
        int r;

        /* Not staged: the file already held these bytes when the run staged (read then). */
        if (!a->staged)
                return 0;
        r = root_commit_file(ctx->rootfd, a->path);
        if (r == -ENOENT) /* not staged: the file changed under the run */
                r = root_write_file(ctx->rootfd, a->path, a->content, a->content_size, a->mode);
        if (r < 0)
                return log_error_errno(r, "cannot write %s%s", ctx->root, a->path);
        a->changed = true;
        return 0;
}

static int apply_remove(const struct context *ctx, struct action *a)
{
        int r = root_remove_file(ctx->rootfd, a->path);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "cannot remove %s%s", ctx->root, a->path);
        a->changed = true;
        return 0;
}

static int apply_symlink(const struct context *ctx, struct action *a)
{
        int r;

        if (link_is_ours(ctx, a->path, a->target))
                return 0;
        r = root_symlink(ctx->rootfd, a->target, a->path);
        if (r < 0)
                return log_error_errno(r, "cannot link %s%s", ctx->root, a->path);
        a->changed = true;
        return 0;
}

static int apply_one(const struct context *ctx, struct action *a)
{
        switch (a->type) {
        case ACTION_WRITE_FILE:
                return apply_write(ctx, a);
        case ACTION_REMOVE_FILE:
                return apply_remove(ctx, a);
        case ACTION_SYMLINK:
                return apply_symlink(ctx, a);
        default:
                break;
        }
        /* Every other type belongs to the module that plans it. */
        const struct module *m = module_for_action(a->type);
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
