/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file kinds' own operations (issue 20 item 3): how a managed file or link is reviewed
 * against the machine, staged before the run's one syncfs, applied, discarded after a failed
 * run and shown by --diff. lib/plan-kinds.c's rows for ACTION_WRITE_FILE, ACTION_REMOVE_FILE and
 * ACTION_SYMLINK point here, so init/apply.c and init/preview.c walk the plan without switching
 * on the type. The other kinds are applied by the module that plans them (modules/module.h).
 */
#include <inttypes.h>

#include "context.h"
#include "diff.h"
#include "fsutil.h"
#include "log.h"
#include "plan-kinds.h"
#include "util.h"

static bool recorded_hash_is(const struct config *record, const char *path, const char *hex)
{
        const char *recorded = record ? config_str(record, STATE_FILES, path, NULL) : NULL;

        return recorded && startswith(recorded, hex) &&
               (recorded[16] == ' ' || recorded[16] == '\0');
}

void file_records(const struct context *ctx, const struct config *ret[static 3])
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

void action_skip(struct action *a, const char *why)
{
        a->skip = true;
        free(a->note);
        a->note = xstrdup(why);
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

/* --- review: the admin's file stays theirs; a file already as wanted is read once --- */

void kind_write_review(const struct context *ctx, struct action *a)
{
        _cleanup_free_ char *current = NULL;
        struct stat st;
        size_t size;

        /* Never write through (or over) a symlink or a special file memprov did not expect. */
        if (root_lstat(ctx->rootfd, a->path, &st) == 0 && !S_ISREG(st.st_mode))
                return action_skip(a, "not a regular file (a symlink?): left alone");
        if (root_read_file(ctx->rootfd, a->path, &current, &size) < 0)
                return;
        if (size == a->content_size && memcmp(current, a->content, size) == 0) {
                /* Read once here: staging then skips the file without reading it again. */
                a->as_planned = (st.st_mode & 07777) == a->mode;
                return;
        }
        if (!file_is_ours(ctx, a->path, current, size))
                action_skip(a, "not written by memprov, or edited since: left alone "
                               "(remove it to let memprov write it)");
}

void kind_link_review(const struct context *ctx, struct action *a)
{
        struct stat st;

        if (root_lstat(ctx->rootfd, a->path, &st) < 0)
                return;
        if (link_is_ours(ctx, a->path, a->target))
                a->as_planned = true;
        else
                action_skip(a, "exists and is not memprov's link: left alone");
}

/* --- stage, apply, unstage --- */

static bool write_needed(const struct context *ctx, const struct action *a)
{
        _cleanup_free_ char *current = NULL;
        struct stat st;
        size_t size;

        return !(root_read_file(ctx->rootfd, a->path, &current, &size) == 0 &&
                 size == a->content_size && memcmp(current, a->content, size) == 0 &&
                 root_lstat(ctx->rootfd, a->path, &st) == 0 && (st.st_mode & 07777) == a->mode);
}

int kind_write_stage(const struct context *ctx, const struct action *a)
{
        int r;

        if (a->as_planned || !write_needed(ctx, a))
                return 0;
        r = root_stage_file(ctx->rootfd, a->path, a->content, a->content_size, a->mode);
        if (r < 0)
                return log_error_errno(r, "cannot write %s%s", ctx->root, a->path);
        return 1;
}

void kind_write_unstage(const struct context *ctx, const struct action *a)
{
        root_discard_staged(ctx->rootfd, a->path);
}

int kind_write_apply(const struct context *ctx, struct action *a)
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

int kind_remove_apply(const struct context *ctx, struct action *a)
{
        int r = root_remove_file(ctx->rootfd, a->path);

        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "cannot remove %s%s", ctx->root, a->path);
        a->changed = true;
        return 0;
}

int kind_link_apply(const struct context *ctx, struct action *a)
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

/* --- --diff: the file as it is against what the action leaves --- */

static void file_diff(const struct context *ctx, const struct action *a, bool keep, FILE *out)
{
        _cleanup_free_ char *current = NULL;
        size_t size = 0;

        if (root_read_file(ctx->rootfd, a->path, &current, &size) < 0)
                current = NULL; /* absent (or unreadable): shown as a new file */
        if (keep)
                diff_unified(out, a->path, current, size, a->content, a->content_size);
        else if (current)
                diff_unified(out, a->path, current, size, NULL, 0);
}

void kind_write_diff(const struct context *ctx, const struct action *a, FILE *out)
{
        file_diff(ctx, a, true, out);
}

void kind_remove_diff(const struct context *ctx, const struct action *a, FILE *out)
{
        file_diff(ctx, a, false, out);
}

/* --- the paths an action writes, for the checks before the first change --- */

int kind_swap_paths(const struct context *ctx, const struct action *a,
                    int (*check)(const struct context *ctx, const char *path))
{
        int r = a->path ? check(ctx, a->path) : 0;

        return r == 0 && a->swap.path ? check(ctx, a->swap.path) : r;
}

/* A unit's links, one "PATH TARGET" line each in its content. */
int kind_unit_paths(const struct context *ctx, const struct action *a,
                    int (*check)(const struct context *ctx, const char *path))
{
        _cleanup_free_ char *copy = xstrdup(a->content ? a->content : "");
        char *save = NULL;
        int r = a->path ? check(ctx, a->path) : 0;

        for (char *line = strtok_r(copy, "\n", &save); r == 0 && line;
             line = strtok_r(NULL, "\n", &save)) {
                line[strcspn(line, " ")] = '\0';
                r = check(ctx, line);
        }
        return r;
}
