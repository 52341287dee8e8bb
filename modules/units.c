/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The units module's plan, undo and status: which units to disable or enable again, from the
 * configuration (units-select.c) and the state's record (units-record.c); units-apply.c carries
 * the actions out. */
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "units-files.h"
#include "units.h"

/* The links that disabling unit (with its Also= units) removes, as the plan shows them. */
static int links_for(const struct context *ctx, const char *unit, struct unit_links *ret)
{
        _cleanup_strv_ char **names = unit_also(ctx->rootfd, unit);
        int r;

        names = strv_push(names, unit);
        r = unit_links_to_disable(ctx->rootfd, names, ret);
        if (r < 0)
                return log_error_errno(r, "%s%s", ctx->root, UNIT_CONFIG_DIR);
        return 0;
}

static struct action *add_unit_action(struct plan *p, const char *unit, enum unit_op op,
                                      const struct unit_links *links, char *note)
{
        struct action *a = plan_add(p, ACTION_UNIT, "units");

        a->unit = xstrdup(unit);
        a->unit_op = op;
        a->content = links ? unit_links_format(links) : xstrdup("");
        a->content_size = strlen(a->content);
        a->note = note;
        return a;
}

static int plan_disable(const struct context *ctx, struct plan *p, const char *unit,
                        const char *why)
{
        const char *state = units_recorded_in(ctx->state, unit, "memprov");
        _cleanup_(unit_links_done) struct unit_links links = {0};
        _cleanup_free_ char *where = NULL;
        int r;

        if (streq(state, STATE_RELEASED))
                return 0;
        if (unit_masked(ctx->rootfd, unit)) {
                if (streq(state, STATE_DISABLED))
                        add_unit_action(p, unit, UNIT_DISABLE, NULL,
                                        xstrdup("masked since memprov disabled it: left alone"))
                            ->skip = true;
                return 0;
        }
        /* Linked through a symlinked NAME.wants/: boot starts it, and memprov changes nothing
         * through a link it did not make (units-dirs.c). A state's record carries over. */
        where = unit_dir_link(ctx->rootfd, unit);
        if (where) {
                plan_note(p,
                          "unit %s left enabled: linked in %s, a symbolic link (boot follows "
                          "it, systemctl disable does not, memprov changes nothing through it); "
                          "make it a real folder to let memprov disable the unit",
                          unit, where);
                return 0;
        }
        /* A run that did not finish was disabling it (its intent record says so): finish that, with
         * the links that run found, so the record matches an uninterrupted run's. */
        if (!state && streq(units_recorded_in(ctx->intent, unit, "memprov"), STATE_DISABLED)) {
                r = units_recorded_links(ctx->intent, unit, &links);
                if (r == 0 && links.n > 0) {
                        add_unit_action(p, unit, UNIT_DISABLE, &links, xstrdup(why));
                        return 0;
                }
                unit_links_done(&links);
                links = (struct unit_links){0};
        }
        r = links_for(ctx, unit, &links);
        if (r < 0)
                return r;
        if (streq(state, STATE_DISABLED)) {
                /* Still disabled: the record carries over. Enabled again: the admin's call. */
                if (links.n > 0)
                        add_unit_action(p, unit, UNIT_DISABLE, NULL,
                                        xstrdup("enabled again since memprov disabled it: "
                                                "left alone"))
                            ->skip = true;
                return 0;
        }
        if (links.n == 0) {
                log_debug("%s: not enabled (disabled by the admin, or nothing to disable)", unit);
                return 0;
        }
        add_unit_action(p, unit, UNIT_DISABLE, &links, xstrdup(why));
        return 0;
}

static char *why_disabled(const struct context *ctx, const char *item)
{
        _cleanup_strv_ char **tier = strv_split(tier_value(ctx, "units.disable"));
        const struct setting *s = config_get(ctx->config, "units", "disable");

        if (strv_contains(tier, item) || !s)
                return xasprintf("%s, not kept on tier %s; [units] keep overrides", item,
                                 ctx->tier + strlen("tier "));
        return xasprintf("%s, from %s", item, s->origin);
}

static bool any_installed(const struct context *ctx, char *const *units)
{
        for (char *const *u = units; *u; u++)
                if (unit_installed(ctx->rootfd, *u))
                        return true;
        return false;
}

/* The units to disable now, planned; *ret_wanted lists them for the re-enable pass. */
static int plan_disables(const struct context *ctx, struct plan *p, char ***ret_wanted)
{
        _cleanup_strv_ char **items = units_selected(ctx);
        _cleanup_strv_ char **keep = strv_split(config_str(ctx->config, "units", "keep", ""));
        char **wanted = strv_split("");
        int r = 0;

        for (char **item = items; r == 0 && *item; item++) {
                _cleanup_strv_ char **units = NULL;
                _cleanup_free_ char *why = NULL;
                if (strv_contains(keep, *item))
                        continue;
                units = units_of_item(ctx, *item);
                if (!any_installed(ctx, units))
                        continue; /* a group is acted on only when one of its units is installed */
                if (units_keep_in_use(ctx, p, *item))
                        continue;
                why = why_disabled(ctx, *item);
                for (char **u = units; r == 0 && *u; u++) {
                        if (strv_contains(keep, *u) || strv_contains(wanted, *u) ||
                            !unit_installed(ctx->rootfd, *u))
                                continue;
                        wanted = strv_push(wanted, *u);
                        r = plan_disable(ctx, p, *u, why);
                }
        }
        *ret_wanted = wanted;
        return r;
}

/* Whether the links present are a run's that stopped part way rather than the admin's, so that
 * enabling unit again is completed from the record, not inferred from the links found (issue 21,
 * item 4: named.service and its bind9.service alias stopped between two links). The pending
 * intent record says so: a --rerun's forgets a unit exactly when that run enabled it
 * (units_record); an --undo's lists as disabled every unit that --undo enables; for an --undo
 * (undoing), a run's that lists the unit as disabled was removing its links. */
static bool enable_underway(const struct context *ctx, const char *unit, bool undoing)
{
        const char *recorded_now;

        if (!ctx->intent || ctx->intent->n_settings == 0)
                return false;
        recorded_now = units_recorded_in(ctx->intent, unit, "memprov");
        if (undoing || config_bool(ctx->intent, "memprov", "undo", false))
                return recorded_now && streq(recorded_now, STATE_DISABLED);
        return !recorded_now;
}

/* why: the note for the enable (--undo), or NULL for "no longer disabled at this tier". */
/* The first recorded link whose folder is now reached through a symbolic link, said in words. */
static char *links_behind_link(const struct context *ctx, const struct unit_links *l)
{
        for (size_t i = 0; i < l->n; i++)
                if (root_check_writable_path(ctx->rootfd, l->links[i].path) == -ELOOP)
                        return xasprintf("a folder on the way to %s is a symbolic link",
                                         l->links[i].path);
        return NULL;
}

static int plan_enable(const struct context *ctx, struct plan *p, const char *unit, const char *why)
{
        _cleanup_(unit_links_done) struct unit_links now = {0}, links = {0};
        _cleanup_free_ char *where = NULL;
        int r;

        if (unit_masked(ctx->rootfd, unit) || !unit_installed(ctx->rootfd, unit)) {
                add_unit_action(p, unit, UNIT_ENABLE, NULL,
                                xstrdup("masked or removed since memprov disabled it: left "
                                        "alone"))
                    ->skip = true;
                return 0;
        }
        r = links_for(ctx, unit, &now);
        if (r == 0 && now.n > 0 && !enable_underway(ctx, unit, why != NULL)) {
                add_unit_action(p, unit, UNIT_ENABLE, NULL,
                                xstrdup("enabled again by the admin already"))
                    ->skip = true;
                return 0;
        }
        if (r == 0)
                r = units_recorded_links(ctx->state, unit, &links);
        if (r == 0 && (where = links_behind_link(ctx, &links))) {
                /* Not put back through an admin's symlinked folder; the record carries over. */
                plan_note(p,
                          "unit %s not enabled again: %s; memprov makes no link through a link "
                          "it did not make (systemctl enable %s would)",
                          unit, where, unit);
                return 0;
        }
        if (r == 0)
                add_unit_action(p, unit, UNIT_ENABLE, &links,
                                why ? xasprintf("%s, %s", units_group_of(ctx, unit), why)
                                    : xasprintf("%s, no longer disabled at tier %s",
                                                units_group_of(ctx, unit),
                                                ctx->tier + strlen("tier ")));
        return r;
}

/* Re-enables only what memprov disabled, and only when the policy no longer wants it off. */
static int plan_enables(const struct context *ctx, struct plan *p, char *const *wanted)
{
        for (size_t i = 0; i < ctx->state->n_settings; i++) {
                const struct setting *s = &ctx->state->settings[i];
                const char *unit = s->section + strlen("unit ");
                int r;

                if (!startswith(s->section, "unit ") || !streq(s->key, "memprov") ||
                    !streq(s->value, STATE_DISABLED) || strv_contains(wanted, unit))
                        continue;
                _cleanup_free_ char *in_use = units_group_in_use(ctx, units_group_of(ctx, unit));
                _cleanup_free_ char *why = in_use ? xasprintf("in use: %s", in_use) : NULL;
                r = plan_enable(ctx, p, unit, why);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* systemd reads unit files again once, when this module's actions from first on change any. */
static void plan_reload_if_changed(const struct context *ctx, struct plan *p, size_t first)
{
        for (size_t i = first; i < p->n_actions; i++)
                if (!p->actions[i].skip) {
                        if (units_online(ctx))
                                plan_add(p, ACTION_DAEMON_RELOAD, "units");
                        return;
                }
}

static int units_plan(const struct context *ctx, struct plan *p)
{
        _cleanup_strv_ char **wanted = NULL;
        size_t first = p->n_actions;
        int r;

        units_plan_consumers(ctx, p);
        r = plan_disables(ctx, p, &wanted);
        if (r == 0)
                r = plan_enables(ctx, p, wanted);
        if (r < 0)
                return r;
        plan_reload_if_changed(ctx, p, first);
        return 0;
}

/* --undo: every unit memprov disabled and nobody touched since is enabled again. */
static int units_undo(const struct context *ctx, struct plan *p)
{
        size_t first = p->n_actions;
        int r;

        for (size_t i = 0; i < ctx->state->n_settings; i++) {
                const struct setting *s = &ctx->state->settings[i];
                if (!startswith(s->section, "unit ") || !streq(s->key, "memprov") ||
                    !streq(s->value, STATE_DISABLED))
                        continue;
                r = plan_enable(ctx, p, s->section + strlen("unit "), "disabled by memprov");
                if (r < 0)
                        return r;
        }
        plan_reload_if_changed(ctx, p, first);
        return 0;
}

/* --status: each unit memprov disabled, still so or taken over by the admin. */
static void units_status(const struct context *ctx, struct status *st)
{
        for (size_t i = 0; i < ctx->state->n_settings; i++) {
                const struct setting *s = &ctx->state->settings[i];
                const char *unit = s->section + strlen("unit ");
                _cleanup_(unit_links_done) struct unit_links links = {0};
                _cleanup_free_ char *where = NULL;

                if (!startswith(s->section, "unit ") || !streq(s->key, "memprov"))
                        continue;
                if (streq(s->value, STATE_RELEASED))
                        status_add(st, "unit", unit, "released", "left to the admin", false,
                                   xstrdup("changed by the admin after memprov disabled it"));
                else if (unit_masked(ctx->rootfd, unit))
                        status_add(st, "unit", unit, "masked", "masked by the admin", true, NULL);
                else if (!unit_installed(ctx->rootfd, unit))
                        status_add(st, "unit", unit, "removed", "removed", true, NULL);
                else if ((links_for(ctx, unit, &links) == 0 && links.n > 0) ||
                         (where = unit_dir_link(ctx->rootfd, unit)))
                        status_add(st, "unit", unit, "enabled", "enabled again by the admin", true,
                                   NULL);
                else
                        status_add(st, "unit", unit, "disabled", "still disabled", false,
                                   xstrdup(units_group_of(ctx, unit)));
        }
}

const struct module units_module = {
    .name = "units",
    .keys = units_keys,
    .detect = units_detect,
    .plan = units_plan,
    .action_types = 1u << ACTION_UNIT | 1u << ACTION_DAEMON_RELOAD | 1u << ACTION_SERVICE_LIVE,
    .apply = units_apply_action,
    .record = units_record,
    .undo = units_undo,
    .status = units_status,
};
