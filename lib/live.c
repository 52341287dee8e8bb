/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "live.h"
#include "fsutil.h"
#include "util.h"

bool live_wanted(const struct context *ctx)
{
        const struct options *o = ctx->opts;

        return ctx->live && ctx->facts->systemd_running && o->rerun && !o->assume_ram &&
               !o->assume_disk;
}

bool live_restart_wanted(const struct context *ctx)
{
        return ctx->opts->restart_services ||
               config_bool(ctx->config, "services", "restart", false);
}

bool live_file_changes(const struct context *ctx, const struct action *file, char **ret_old)
{
        _cleanup_free_ char *current = NULL;
        size_t size = 0;
        bool changes;

        if (root_read_file(ctx->rootfd, file->path, &current, &size) < 0)
                current = xstrdup("");
        changes = size != file->content_size || memcmp(current, file->content, size) != 0;
        if (ret_old)
                *ret_old = TAKE_PTR(current);
        return changes;
}

struct action *live_plan_unit(struct plan *p, const char *module, const struct action *file,
                              const char *unit, enum unit_op op)
{
        struct action *a;
        char *path = xstrdup(file->path), *content = xstrdup(file->content);
        size_t size = file->content_size;

        a = plan_add(p, ACTION_SERVICE_LIVE, module); /* file may move: copied first */
        a->unit = xstrdup(unit);
        a->unit_op = op;
        a->path = path;
        a->content = content;
        a->content_size = size;
        return a;
}

bool live_file_in_place(const struct context *ctx, const char *path, const char *content,
                        size_t size)
{
        _cleanup_free_ char *current = NULL;
        size_t current_size;

        return root_read_file(ctx->rootfd, path, &current, &current_size) == 0 &&
               current_size == size && memcmp(current, content, size) == 0;
}

const char *live_first_unit(const struct context *ctx, const char *const *units)
{
        static const char *const dirs[] = {"/etc/systemd/system", "/usr/lib/systemd/system",
                                           "/lib/systemd/system"};

        for (; *units; units++)
                for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                        _cleanup_free_ char *path = xasprintf("%s/%s", dirs[i], *units);
                        struct stat st;
                        if (root_lstat(ctx->rootfd, path, &st) == 0 && S_ISREG(st.st_mode))
                                return *units;
                }
        return NULL;
}
