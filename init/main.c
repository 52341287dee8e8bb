/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memprov: facts -> config -> plan -> apply -> state. */
#include <fcntl.h>
#include <inttypes.h>

#include "../lib/cloudinit.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "../lib/state.h"
#include "../lib/util.h"
#include "../modules/module.h"
#include "apply.h"
#include "intent.h"
#include "metrics.h"
#include "options.h"
#include "resize.h"
#include "preview.h"
#include "status.h"
#include "undo.h"

#define ETC_CONF   "/etc/memprov/memprov.conf"
#define ETC_CONF_D "/etc/memprov/conf.d"

static int load_config(const struct options *o, int rootfd, const char *root, struct config *c)
{
        const struct config_key *keys[MEMPROV_KEY_LISTS_MAX];
        char tier[64];
        int r;

        memprov_config_keys(keys);
        /* Shipped defaults come with this binary, not from the root it provisions. */
        r = config_load_dir(c, o->defaults_dir);
        if (r == 0 && !tier_select(c, 0, tier))
                r = log_error("no tier table in %s (is memprov installed? see --defaults)",
                              o->defaults_dir);
        if (r == 0 && (r = config_load_root_file(c, rootfd, root, ETC_CONF)) == -ENOENT)
                r = 0;
        if (r == 0)
                r = config_load_root_dir(c, rootfd, root, ETC_CONF_D);
        if (r == 0 && o->config_file && (r = config_load_file(c, o->config_file)) == -ENOENT)
                r = log_error("%s: no such file", o->config_file);
        if (r == 0)
                r = cloudinit_load_userdata(rootfd, root, keys, c);
        for (unsigned i = 0; r == 0 && i < o->n_assignments; i++)
                r = config_set_assignment(c, o->assignments[i], "--set");
        if (r < 0)
                return r;
        return config_validate(c, keys);
}

static int make_plan(const struct context *ctx, struct plan *p)
{
        int r;

        p->ram_bytes = ctx->facts->ram_bytes;
        p->tier = xstrdup(ctx->tier + strlen("tier "));
        for (size_t i = 0; memprov_modules[i]; i++) {
                r = memprov_modules[i]->plan(ctx, p);
                if (r < 0)
                        return r;
        }
        /* Review first: a stale drop-in it removes wants the same one systemd reload. */
        plan_review(ctx, p);
        plan_merge_reloads(p);
        return 0;
}

static void record_state(const struct context *ctx, const struct plan *p,
                         const struct cloudinit_meta *meta, struct config *state)
{
        config_set(state, "memprov", "version", MEMPROV_VERSION, "state");
        cloudinit_record_meta(meta, state);
        state_set_u64(state, "memprov", "ram_bytes", ctx->facts->ram_bytes);
        state_set_u64(state, "memprov", "disk_bytes", ctx->facts->swapfs.size_bytes);
        config_set(state, "memprov", "tier", p->tier, "state");
        for (size_t i = 0; memprov_modules[i]; i++)
                if (memprov_modules[i]->record)
                        memprov_modules[i]->record(ctx, p, state);
        record_files(ctx, p, state);
}

/* Without --rerun a provisioned machine is only checked: say what changed since. */
static int report_changes(const struct context *ctx)
{
        uint64_t ram = state_u64(ctx->state, "memprov", "ram_bytes");
        uint64_t disk = state_u64(ctx->state, "memprov", "disk_bytes");
        char b1[32], b2[32];
        bool changed = false;

        if (ram != ctx->facts->ram_bytes) {
                log_info("RAM changed from %s to %s since memprov provisioned this machine",
                         format_size(ram, b1), format_size(ctx->facts->ram_bytes, b2));
                changed = true;
        }
        if (ctx->facts->fs_known && disk != ctx->facts->swapfs.size_bytes) {
                log_info("the swapfile's filesystem changed from %s to %s", format_size(disk, b1),
                         format_size(ctx->facts->swapfs.size_bytes, b2));
                changed = true;
        }
        if (changed)
                log_info("run memprov --rerun to provision for the new size "
                         "(memprov.on_resize = report)");
        else
                log_info("already provisioned (tier %s); nothing changed",
                         config_str(ctx->state, "memprov", "tier", "?"));
        return 0;
}

static int provision(const struct context *ctx, const struct cloudinit_meta *meta)
{
        _cleanup_(config_done) struct config intent = {0}, new_state = {0};
        struct plan p = {0};
        int r;

        r = make_plan(ctx, &p);
        if (r == 0 && !ctx->opts->dry_run) {
                /* Intent first: what this run will record, in case it does not get there. */
                record_state(ctx, &p, meta, &intent);
                r = apply_plan(ctx, &p, &intent);
                if (r == 0) {
                        record_state(ctx, &p, meta, &new_state);
                        r = intent_complete(ctx->rootfd, &intent, &new_state);
                        if (r == 0)
                                r = undone_clear(ctx);
                        /* Logged where it happened; the state says what is left. */
                        if (r == 0 && plan_incomplete(&p))
                                r = -EAGAIN;
                }
        }
        if (r == 0 || !ctx->opts->dry_run)
                plan_show(ctx, &p);
        plan_done(&p);
        return r;
}

static int run(const struct options *o, uint64_t *ret_ram_bytes)
{
        _cleanup_(config_done) struct config config = {0}, state = {0}, intent = {0};
        _cleanup_(cloudinit_meta_done) struct cloudinit_meta meta = {0};
        _cleanup_close_ int rootfd = -1;
        struct services services = {0};
        struct facts facts = {0};
        struct context ctx = {.opts = o, .root = o->root ? o->root : "", .live = !o->root};
        char tier[64];
        int r;

        rootfd = open(o->root ? o->root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return log_error_errno(errno, "%s", o->root ? o->root : "/");
        r = load_config(o, rootfd, ctx.root, &config);
        if (r < 0)
                return r;
        if (!config_bool(&config, "memprov", "enabled", true)) {
                log_info("disabled by configuration (memprov.enabled = no); nothing changed");
                return 0;
        }
        r = state_load(rootfd, ctx.root, &state);
        if (r == 0)
                r = intent_load(rootfd, ctx.root, &intent);
        if (r < 0)
                return r;
        cloudinit_read_meta(rootfd, ctx.root, &meta);
        r = facts_gather(o, rootfd, config_str(&config, "swap", "path", "/swapfile"), &facts);
        if (r < 0)
                return r;
        ctx.rootfd = rootfd;
        ctx.facts = &facts;
        ctx.config = &config;
        ctx.state = &state;
        ctx.intent = &intent;
        ctx.tier = tier_select(&config, facts.ram_bytes, tier);
        ctx.services = &services;
        if (o->status) {
                r = services_detect(&ctx, &services);
                if (r == 0)
                        r = status_run(&ctx, make_plan);
        } else if (o->undo)
                r = undo_run(&ctx, &meta);
        else if (state_present(&state) && !o->rerun && !o->dry_run && !intent_pending(&intent) &&
                 !cloudinit_new_instance(&meta, &state) && !resize_wants_rerun(&ctx)) {
                intent_sweep(rootfd);
                modules_unstage(&ctx); /* a stopped run's staged files (the swap module's fstab) */
                r = report_changes(&ctx);
        } else if (!state_present(&state) && !o->rerun && !o->dry_run && !intent_pending(&intent) &&
                   undone_check(&ctx, &meta))
                r = 0;
        else {
                /* Only planning needs the services: --status and a check spawn nothing. */
                r = services_detect(&ctx, &services);
                if (r == 0)
                        r = provision(&ctx, &meta);
        }
        *ret_ram_bytes = facts.ram_bytes;
        facts_done(&facts);
        return r;
}

int main(int argc, char **argv)
{
        struct options o;
        int r;

        /* Under systemd stdout is a pipe to the journal: line by line, so each line carries the
         * time it was written, and interleaves rightly with the log on stderr. */
        setvbuf(stdout, NULL, _IOLBF, 0);
        r = options_parse(argc, argv, &o);
        if (r == 0) {
                log_set_max_level(o.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
                uint64_t ram_bytes = 0;
                r = run(&o, &ram_bytes);
                if (!o.dry_run && !o.status)
                        metrics_update(&o, r, ram_bytes);
        } else if (r > 0)
                r = 0; /* --help, --version */
        options_done(&o);
        /* A positive r is --status's documented exit status. */
        return r < 0 ? EXIT_FAILURE : r;
}
