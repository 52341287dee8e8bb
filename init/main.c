/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memprov: facts -> config -> plan -> apply -> state. */
#include <fcntl.h>
#include <inttypes.h>

#include "../lib/cloudinit.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/size.h"
#include "../lib/state.h"
#include "../lib/userdata.h"
#include "../lib/util.h"
#include "../modules/module.h"
#include "apply.h"
#include "compare.h"
#include "intent.h"
#include "lock.h"
#include "metrics.h"
#include "mode.h"
#include "options.h"
#include "preflight.h"
#include "resize.h"
#include "preview.h"
#include "status.h"
#include "undo.h"

#define ETC_CONF   "/etc/memprov/memprov.conf"
#define ETC_CONF_D "/etc/memprov/conf.d"

/* The customer's layer, reviewed whole before it joins the provider's c (lib/userdata.h). An
 * error in it sets all of it aside: the machine is still provisioned, with the provider's
 * configuration, and the run ends non-zero (*ret_set_aside). User-data that cannot be parsed, or
 * an enabled that is not a boolean, changes nothing. */
static int load_userdata(int rootfd, const char *root, const struct config_key *const *keys,
                         struct config *c, bool *ret_set_aside)
{
        _cleanup_(config_done) struct config ud = {0};
        int r;

        r = cloudinit_load_userdata(rootfd, root, keys, &ud);
        if (r == 0)
                r = userdata_review(&ud, c, keys);
        /* -EUCLEAN: a section or key of the wrong shape (lib/cloudinit.h), read no further. */
        if (r == -EUCLEAN || (r == -EINVAL && ud.n_settings > 0)) {
                char count[32] = "";
                if (r == -EINVAL)
                        snprintf(count, sizeof(count), "%zu ", ud.n_settings);
                log_error("user-data: all %smemprov settings set aside for the error above; "
                          "provisioning with the provider's configuration "
                          "(memprov --cat-config shows it)",
                          count);
                *ret_set_aside = true;
                return 0;
        }
        if (r < 0)
                return r;
        for (size_t i = 0; i < ud.n_settings; i++)
                config_set(c, ud.settings[i].section, ud.settings[i].key, ud.settings[i].value,
                           ud.settings[i].origin);
        return 0;
}

static int load_config(const struct options *o, int rootfd, const char *root, struct config *c,
                       bool *ret_set_aside)
{
        const struct config_key *keys[MEMPROV_KEY_LISTS_MAX];
        char tier[64], **masks;
        int r;

        memprov_config_keys(keys);
        /* Shipped defaults come with this binary, not from the root it provisions; a link to
         * /dev/null of the same name in the root's conf.d masks one. */
        masks = config_root_dir_masks(rootfd, ETC_CONF_D);
        r = config_load_dir_masked(c, o->defaults_dir, masks);
        config_masks_free(masks);
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
                r = load_userdata(rootfd, root, keys, c, ret_set_aside);
        for (unsigned i = 0; r == 0 && i < o->n_assignments; i++)
                r = config_set_assignment(c, o->assignments[i], "--set");
        if (r < 0)
                return r;
        /* --cat-config shows what was read, an invalid value included: the error follows. */
        if (o->command == COMMAND_CAT_CONFIG)
                config_print(c, stdout);
        return config_validate(c, keys);
}

static int make_plan(const struct context *ctx, struct plan *p)
{
        _cleanup_free_ char *unseen =
            container_unseen_note(ctx->facts->container, ctx->facts->container_unseen);
        int r;

        plan_set_facts(p, ctx->facts);
        p->tier = xstrdup(ctx->tier + strlen("tier "));
        if (unseen)
                plan_note(p, "%s", unseen);
        for (size_t i = 0; memprov_modules[i]; i++) {
                r = memprov_modules[i]->plan(ctx, p);
                if (r < 0)
                        return r;
        }
        /* Review first: a stale drop-in it removes wants the same one systemd reload. */
        plan_review(ctx, p);
        preflight_links(ctx, p);
        plan_merge_reloads(p);
        /* The one comparison with the machine every mode reads (init/compare.h). */
        plan_compare(ctx, p);
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

/* One run: what every mode reads. */
struct run {
        struct context ctx;
        struct cloudinit_meta meta;
        struct services services;
        unsigned machine; /* enum machine_flags */
};

/* MODE_REPORT: a provisioned machine that nothing asks to provision again. */
static int report_changes(struct run *rn)
{
        const struct context *ctx = &rn->ctx;
        uint64_t ram = state_u64(ctx->state, "memprov", "ram_bytes");
        uint64_t disk = state_u64(ctx->state, "memprov", "disk_bytes");
        char b1[32], b2[32];
        bool changed = false;

        if (!ctx->opts->dry_run) {
                intent_sweep(ctx->rootfd);
                modules_unstage(ctx); /* a stopped run's staged files (the swap module's fstab) */
        }
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

/* MODE_UNDONE */
static int report_undone(struct run *rn)
{
        (void)rn;
        log_info("memprov --undo put this machine back; nothing changed (memprov --rerun "
                 "provisions it again)");
        return 0;
}

/* Why a plain run provisions a machine memprov has seen before. */
static void log_reason(const struct context *ctx, const struct cloudinit_meta *meta,
                       unsigned machine)
{
        struct stat st;

        if (ctx->opts->command != COMMAND_BOOT)
                return;
        if (machine & MACHINE_INTENT_PENDING)
                log_info("a run did not finish: provisioning again to finish it");
        else if (machine & MACHINE_NEW_INSTANCE)
                log_info("cloud-init instance %s is not the one memprov provisioned (%s): "
                         "provisioning as on first boot",
                         meta->instance_id,
                         config_str(ctx->state, "memprov", "instance_id", "none recorded"));
        else if (machine & MACHINE_RESIZED)
                resize_log(ctx);
        else if (!(machine & MACHINE_PROVISIONED) && root_lstat(ctx->rootfd, UNDONE_PATH, &st) == 0)
                log_info("memprov --undo ran on another cloud-init instance: provisioning");
}

/* MODE_PROVISION */
static int provision(struct run *rn)
{
        const struct context *ctx = &rn->ctx;
        const struct cloudinit_meta *meta = &rn->meta;
        _cleanup_(config_done) struct config intent = {0}, new_state = {0};
        struct plan p = {0};
        int r;

        log_reason(ctx, meta, rn->machine);
        /* Only planning needs the services: a report spawns nothing. */
        r = services_detect(ctx, &rn->services);
        if (r == 0)
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

/* MODE_STATUS */
static int status(struct run *rn)
{
        int r = services_detect(&rn->ctx, &rn->services);

        return r < 0 ? r : status_run(&rn->ctx, make_plan);
}

/* MODE_UNDO. Where an interrupted --undo is finished, too. */
static int undo(struct run *rn)
{
        return undo_run(&rn->ctx, &rn->meta);
}

/* What each mode does; which mode a run is in comes from init/mode.c alone. */
static int (*const mode_run[_MODE_MAX])(struct run *rn) = {
    [MODE_PROVISION] = provision,
    [MODE_REPORT] = report_changes,
    [MODE_UNDONE] = report_undone,
    [MODE_STATUS] = status,
    [MODE_UNDO] = undo,
};

/* The facts about memprov's own records that decide the mode (init/mode.h). */
static unsigned machine_flags(const struct context *ctx, const struct cloudinit_meta *meta)
{
        unsigned m = 0;

        if (state_present(ctx->state))
                m |= MACHINE_PROVISIONED;
        if (intent_pending(ctx->intent))
                m |= MACHINE_INTENT_PENDING;
        if (intent_is_undo(ctx->intent))
                m |= MACHINE_UNDO_PENDING;
        if ((m & MACHINE_PROVISIONED) && cloudinit_new_instance(meta, ctx->state))
                m |= MACHINE_NEW_INSTANCE;
        if ((m & MACHINE_PROVISIONED) && resize_pending(ctx))
                m |= MACHINE_RESIZED;
        if (!(m & MACHINE_PROVISIONED) && undone_check(ctx, meta))
                m |= MACHINE_UNDONE;
        return m;
}

/* An image's RAM is not the build host's (issue 20 item 5): under --root without --assume-ram,
 * the RAM memprov recorded when it provisioned the image stands in for it. With neither, a run
 * that plans (a plain run or --rerun, --dry-run included: it previews that run) is refused: the
 * host's RAM would size the image for the build machine. --status and --undo read the state. */
static int root_ram(const struct options *o, const struct config *state, struct options *eff)
{
        uint64_t recorded = state_u64(state, "memprov", "ram_bytes");

        *eff = *o;
        if (!o->root || o->assume_ram)
                return 0;
        if (recorded) {
                eff->assume_ram = recorded;
                log_debug("--root: planning for the RAM recorded in the image's state");
                return 0;
        }
        if (o->command != COMMAND_BOOT && o->command != COMMAND_RERUN)
                return 0;
        return log_error("--root %s: the image records no RAM and this host's is not "
                         "the image's: give --assume-ram SIZE, the RAM of the "
                         "machines it is for (nothing changed)",
                         o->root);
}

static int run(const struct options *o_cmdline, uint64_t *ret_ram_bytes)
{
        struct options eff;
        const struct options *o = o_cmdline;
        _cleanup_(config_done) struct config config = {0}, state = {0}, intent = {0}, kept = {0};
        _cleanup_close_ int rootfd = -1, lockfd = -1;
        struct facts facts = {0};
        struct run rn = {.ctx = {.opts = o, .root = o->root ? o->root : "", .live = !o->root}};
        struct context *ctx = &rn.ctx;
        enum run_mode mode;
        bool set_aside = false;
        const char *swap_path;
        char tier[64];
        int r;

        rootfd = open(o->root ? o->root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return log_error_errno(errno, "%s", o->root ? o->root : "/");
        r = load_config(o, rootfd, ctx->root, &config, &set_aside);
        /* MODE_CAT_CONFIG needs the configuration alone: load_config() printed it. */
        if (r < 0 || o->command == COMMAND_CAT_CONFIG)
                return r;
        if (!config_bool(&config, "memprov", "enabled", true)) {
                log_info("disabled by configuration (memprov.enabled = no); nothing changed");
                return 0;
        }
        /* Before the state is read: a run that may change the machine reads what the one
         * before it left, never what it is still writing. */
        if (!o->dry_run && !o->status && (r = lock_take(rootfd, ctx->root, &lockfd)) < 0)
                return r;
        r = state_load(rootfd, ctx->root, &state);
        if (r == 0)
                r = intent_load(rootfd, ctx->root, &intent);
        if (r == 0)
                r = undone_load_kept(rootfd, ctx->root, &kept);
        if (r < 0)
                return r;
        cloudinit_read_meta(rootfd, ctx->root, &rn.meta);
        r = root_ram(o_cmdline, &state, &eff);
        if (r < 0)
                goto finish;
        o = rn.ctx.opts = &eff;
        swap_path = memprov_swap_path(&config);
        r = swap_path ? facts_gather(o, rootfd, swap_path, &facts) : -EINVAL;
        if (r < 0)
                goto finish;
        ctx->rootfd = rootfd;
        ctx->facts = &facts;
        ctx->config = &config;
        ctx->state = &state;
        ctx->intent = &intent;
        ctx->kept = &kept;
        ctx->tier = tier_select(&config, facts.ram_bytes, tier);
        ctx->services = &rn.services;

        rn.machine = machine_flags(ctx, &rn.meta);
        mode = mode_decide(o->command, rn.machine);
        log_debug("mode %s (%s, machine flags 0x%x)", mode_name(mode), command_name(o->command),
                  rn.machine);
        r = mode_run[mode](&rn);
        /* The unit fails visibly: the customer's settings were not applied (logged above). */
        if (r == 0 && set_aside && mode != MODE_STATUS)
                r = log_error("provisioned without the user-data's memprov settings (set aside: "
                              "see above); exiting with an error");
        *ret_ram_bytes = facts.ram_bytes;
finish:
        facts_done(&facts);
        cloudinit_meta_done(&rn.meta);
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
                /* --status too: it refreshes the gauges (run it from a timer or the node
                 * exporter's textfile cron), keeping the last run's result. */
                if (!o.dry_run)
                        metrics_update(&o, r, ram_bytes);
        } else if (r > 0)
                r = 0; /* --help, --version */
        options_done(&o);
        /* A positive r is --status's documented exit status. */
        return r < 0 ? EXIT_FAILURE : r;
}
