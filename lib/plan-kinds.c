/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Each action kind's operations in one row (issue 20 item 3), as systemd's unit vtables
 * (src/core/service.c) and tmpfiles' create_item() keep a type's behaviour together: its verb,
 * its line in the listing, its part of --json, whether the machine already is as it wants, what
 * applying it would change for --status, and for files and links their review, staging, apply
 * and --diff (lib/plan-files.c), the paths preflight checks, and its journal records and event
 * (lib/plan-events.c). Printing, the journal, init/compare.c, init/apply.c, init/preflight.c,
 * --diff and --status look the row up instead of switching on the type.
 */
#include <json-c/json.h>

#include "context.h"
#include "kernel-param.h"
#include "plan-kinds.h"
#include "size.h"
#include "util.h"

const char *swap_op_name(enum swap_op op)
{
        static const char *const names[] = {
            [SWAP_NONE] = "none",     [SWAP_KEEP] = "keep",     [SWAP_CREATE] = "create",
            [SWAP_RESIZE] = "resize", [SWAP_REMOVE] = "remove",
        };
        return names[op];
}

static const char *swap_op_done(enum swap_op op)
{
        static const char *const names[] = {
            [SWAP_NONE] = "none",      [SWAP_KEEP] = "kept",      [SWAP_CREATE] = "created",
            [SWAP_RESIZE] = "resized", [SWAP_REMOVE] = "removed",
        };
        return names[op];
}

/* --- verbs: what the action does, planned or done --- */

/* A kind whose verb depends on the action; the others' are fixed (struct action_kind.verbs). */
static const char *unit_verb(const struct action *a, bool applied)
{
        return a->unit_op == UNIT_DISABLE ? (applied ? "disabled" : "disable")
                                          : (applied ? "enabled" : "enable");
}

static const char *service_verb(const struct action *a, bool applied)
{
        if (a->unit_op == UNIT_START)
                return applied ? "started" : "start";
        if (a->unit_op == UNIT_STOP)
                return applied ? "stopped" : "stop";
        return a->unit_op == UNIT_RESTART ? (applied ? "restarted" : "restart")
                                          : (applied ? "reloaded" : "reload");
}

/* memprov's swapfile kept where the machine lacks part of it (its fstab line, or swapon on the
 * running system): "restore" in every mode, the listing, --json, --status and the journal alike
 * (issue 20 item 4); kept as it is, it is "unchanged" (action_verb). */
static const char *swap_verb(const struct action *a, bool applied)
{
        if (a->swap.op == SWAP_KEEP)
                return applied ? "restored" : "restore";
        return applied ? swap_op_done(a->swap.op) : swap_op_name(a->swap.op);
}

/* --- the listing's line after the verb --- */

static void path_print(const struct action *a, FILE *out)
{
        fprintf(out, " %s", a->path);
}

static void write_print(const struct action *a, FILE *out)
{
        fprintf(out, " %s (%04o)", a->path, (unsigned)a->mode);
}

static void link_print(const struct action *a, FILE *out)
{
        fprintf(out, " %s -> %s", a->path, a->target);
}

static void key_print(const struct action *a, FILE *out)
{
        fprintf(out, " %s = %s", a->key, a->value);
}

static void unit_print(const struct action *a, FILE *out)
{
        fprintf(out, " %s", a->unit);
}

static void reload_print(const struct action *a, FILE *out)
{
        (void)a;
        fputs(" daemon", out);
}

static void swap_print(const struct action *a, FILE *out)
{
        char b1[32], b2[32];

        fprintf(out, " %s", a->swap.path ? a->swap.path : "-");
        if (a->swap.op != SWAP_NONE && a->swap.op != SWAP_REMOVE)
                fprintf(out, " %s", format_size(a->swap.size_bytes, b1));
        if (a->swap.op == SWAP_RESIZE)
                fprintf(out, " (was %s)", format_size(a->swap.old_size_bytes, b2));
}

/* --- the one comparison with the machine (init/compare.h) --- */

/* Whether the kernel file a sysctl or zswap action sets already holds its value. Under --root
 * the drop-in carries it to the next boot (deferred). */
static bool live_matches(const struct context *ctx, const struct action *a)
{
        if (!ctx->live)
                return false;
        _cleanup_free_ char *path =
            a->type == ACTION_SYSCTL ? sysctl_key_path(a->key) : zswap_param_path(a->key);
        _cleanup_free_ char *now = kernel_param_read(path);

        return now && streq(now, a->value);
}

/* memprov's swapfile kept as it is: so when fstab names it and, on the running system, it is
 * swapped on (else the apply puts the line back or turns it on). */
static bool swap_as_planned(const struct context *ctx, const struct action *a)
{
        if (a->swap.op == SWAP_NONE)
                return true;
        if (a->swap.op != SWAP_KEEP)
                return false;
        for (size_t i = 0; i < ctx->facts->n_swaps; i++) {
                const struct swap_entry *e = &ctx->facts->swaps[i];
                if (streq(e->path, a->swap.path) || streq(e->resolved, a->swap.path))
                        return e->in_fstab && (!ctx->live || e->active);
        }
        return false;
}

/* Files and links: plan_review() compared them, where the file is read once. */
static bool reviewed(const struct context *ctx, const struct action *a)
{
        (void)ctx;
        return a->as_planned;
}

/* A reload and the live steps after it never show as a change of their own: they are the
 * consequences of a file written, shown as that write. */
static const struct action_kind kinds[] = {
    [ACTION_WRITE_FILE] = {.column = "file",
                           .verbs = {"write", "written"},
                           .print = write_print,
                           .json = kind_file_json,
                           .as_planned = reviewed,
                           .touches_files = true,
                           .change = kind_write_change,
                           .change_kind = "file",
                           .change_name = kind_path_name,
                           .record_section = STATE_FILES,
                           .record_value = kind_write_record,
                           .review = kind_write_review,
                           .stage = kind_write_stage,
                           .unstage = kind_write_unstage,
                           .apply = kind_write_apply,
                           .diff = kind_write_diff,
                           .subject = kind_path_subject,
                           .event = kind_file_event},
    [ACTION_REMOVE_FILE] = {.column = "file",
                            .verbs = {"remove", "removed"},
                            .print = path_print,
                            .json = kind_file_json,
                            .touches_files = true,
                            .change = kind_remove_change,
                            .change_kind = "file",
                            .change_name = kind_path_name,
                            .apply = kind_remove_apply,
                            .diff = kind_remove_diff,
                            .subject = kind_path_subject,
                            .event = kind_file_event},
    [ACTION_SYMLINK] = {.column = "file",
                        .verbs = {"link", "linked"},
                        .print = link_print,
                        .json = kind_file_json,
                        .as_planned = reviewed,
                        .touches_files = true,
                        .change = kind_link_change,
                        .change_kind = "link",
                        .change_name = kind_path_name,
                        .record_section = STATE_LINKS,
                        .record_value = kind_link_record,
                        .review = kind_link_review,
                        .apply = kind_link_apply,
                        .subject = kind_path_subject,
                        .event = kind_file_event},
    [ACTION_SWAP] = {.column = "swap",
                     .verb = swap_verb,
                     .print = swap_print,
                     .json = kind_swap_json,
                     .as_planned = swap_as_planned,
                     .change = kind_swap_change,
                     .change_kind = "swap",
                     .change_op = kind_swap_change_op,
                     .change_name = kind_swap_name,
                     .change_json = kind_swap_change_json,
                     .each_path = kind_swap_paths,
                     .subject = kind_swap_subject,
                     .event = kind_swap_event},
    [ACTION_SYSCTL] = {.column = "sysctl",
                       .verbs = {"set", "set"},
                       .print = key_print,
                       .json = kind_sysctl_json,
                       .as_planned = live_matches,
                       .change = kind_sysctl_change,
                       .change_kind = "sysctl",
                       .change_name = kind_key_name,
                       .change_json = kind_key_change_json},
    [ACTION_ZSWAP] = {.column = "zswap",
                      .verbs = {"set", "set"},
                      .print = key_print,
                      .json = kind_zswap_json,
                      .as_planned = live_matches,
                      .change = kind_zswap_change,
                      .change_kind = "zswap",
                      .change_name = kind_key_name,
                      .change_json = kind_key_change_json},
    [ACTION_UNIT] = {.column = "unit",
                     .verb = unit_verb,
                     .print = unit_print,
                     .json = kind_unit_json,
                     .touches_files = true,
                     .change = kind_unit_change,
                     .change_kind = "unit",
                     .change_name = kind_unit_name,
                     .each_path = kind_unit_paths,
                     .subject = kind_unit_subject,
                     .event = kind_unit_event},
    [ACTION_DAEMON_RELOAD] = {.column = "systemd",
                              .verbs = {"reload", "reloaded"},
                              .print = reload_print,
                              .json = kind_reload_json},
    [ACTION_SERVICE_LIVE] = {.column = "service",
                             .verb = service_verb,
                             .print = unit_print,
                             .json = kind_live_json,
                             .subject = kind_unit_subject},
    [ACTION_SQL_LIVE] = {.column = "service",
                         .verbs = {"set live", "set live"},
                         .print = path_print,
                         .json = kind_live_json,
                         .subject = kind_path_subject},
};

/* A new type without its row fails the build here, not at run time. */
_Static_assert(ELEMENTSOF(kinds) == ACTION_TYPE_MAX, "every action type has its row in kinds[]");

const char *action_kind_verb(const struct action *a, bool applied)
{
        const struct action_kind *k = &kinds[a->type];

        return k->verb ? k->verb(a, applied) : k->verbs[applied];
}

const struct action_kind *action_kind(enum action_type type)
{
        return &kinds[type];
}

const char *action_verb(const struct action *a, bool applied)
{
        if (a->skip)
                return "skip";
        /* An apply that stopped on an error never reached the actions after it. */
        if (applied && !a->reached)
                return "not done";
        if (applied && a->failed)
                return "failed";
        if (applied && a->incomplete)
                return "incomplete";
        /* What the run would print, in a --dry-run too: one comparison (init/compare.h). */
        if (a->deferred)
                return "deferred";
        if ((applied && !a->changed) || (!applied && a->as_planned))
                return a->type == ACTION_SWAP && a->swap.op == SWAP_NONE ? "none" : "unchanged";
        return action_kind_verb(a, applied);
}

void plan_print_action(const struct action *a, bool applied, FILE *out)
{
        const struct action_kind *k = &kinds[a->type];

        fprintf(out, "  %-7s %-9s", k->column, action_verb(a, applied));
        k->print(a, out);
        fprintf(out, a->note ? "  # %s\n" : "\n", a->note);
}
