/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "../lib/util.h"
#include "mode.h"

/* The options besides the command, as bits, so that the table below can say which it allows. */
enum option_bits {
        OPT_DRY_RUN = 1 << 0,
        OPT_JSON = 1 << 1,
        OPT_DIFF = 1 << 2,
        OPT_RESTART_SERVICES = 1 << 3,
        OPT_ROOT = 1 << 4,
        OPT_ASSUME = 1 << 5, /* --assume-ram, --assume-disk, --assume-cpus */
        OPT_CONFIG = 1 << 6, /* --config, --set */
};

static const struct command_info {
        const char *name;
        unsigned allowed;
} commands[_COMMAND_MAX] = {
    /* A plain run provisions: its --json is the result of a change nobody previewed, so a plain
     * --json must be --dry-run --json (below). */
    [COMMAND_BOOT] = {"memprov",
                      OPT_DRY_RUN | OPT_JSON | OPT_DIFF | OPT_ROOT | OPT_ASSUME | OPT_CONFIG},
    [COMMAND_RERUN] = {"--rerun", OPT_DRY_RUN | OPT_JSON | OPT_DIFF | OPT_RESTART_SERVICES |
                                      OPT_ROOT | OPT_ASSUME | OPT_CONFIG},
    /* --status only reads: a dry run of it is the same run. */
    [COMMAND_STATUS] = {"--status", OPT_JSON | OPT_ROOT | OPT_ASSUME | OPT_CONFIG},
    /* --undo puts back what the state records: --assume-* are accepted (scripts pass one set of
     * options to every command) and change nothing in it. */
    [COMMAND_UNDO] = {"--undo",
                      OPT_DRY_RUN | OPT_JSON | OPT_DIFF | OPT_ROOT | OPT_ASSUME | OPT_CONFIG},
    [COMMAND_CAT_CONFIG] = {"--cat-config", OPT_ROOT | OPT_CONFIG},
};

static const struct {
        unsigned bit;
        const char *name;
} option_names[] = {
    {OPT_DRY_RUN, "--dry-run"},
    {OPT_JSON, "--json"},
    {OPT_DIFF, "--diff"},
    {OPT_RESTART_SERVICES, "--restart-services"},
    {OPT_ROOT, "--root"},
    {OPT_ASSUME, "--assume-ram, --assume-disk and --assume-cpus"},
    {OPT_CONFIG, "--config and --set"},
};

static unsigned option_bits(const struct options *o)
{
        return (o->dry_run ? OPT_DRY_RUN : 0) | (o->json ? OPT_JSON : 0) |
               (o->diff ? OPT_DIFF : 0) | (o->restart_services ? OPT_RESTART_SERVICES : 0) |
               (o->root ? OPT_ROOT : 0) |
               (o->assume_ram || o->assume_disk || o->assume_cpus ? OPT_ASSUME : 0) |
               (o->config_file || o->n_assignments ? OPT_CONFIG : 0);
}

/* The message for an option the command does not take: what that option is for. */
static const char *refusal(enum command command, unsigned bit)
{
        if (bit == OPT_RESTART_SERVICES)
                return "--restart-services goes with --rerun (memprov --rerun --restart-services)";
        switch (command) {
        case COMMAND_STATUS:
                return bit == OPT_DRY_RUN || bit == OPT_DIFF
                           ? "--status changes nothing: it takes no --dry-run or --diff"
                           : "--status does not take that option";
        case COMMAND_CAT_CONFIG:
                return "--cat-config only prints the configuration: it takes --root, --config "
                       "and --set";
        default:
                return "option not valid here (see memprov --help)";
        }
}

bool mode_command(const struct options *o, enum command *ret, const char **ret_why)
{
        enum command command = COMMAND_BOOT;
        unsigned bits = option_bits(o), n = o->rerun + o->status + o->undo + o->cat_config;

        if (n > 1) {
                *ret_why = "--rerun, --status, --undo and --cat-config exclude each other";
                return false;
        }
        if (o->rerun)
                command = COMMAND_RERUN;
        else if (o->status)
                command = COMMAND_STATUS;
        else if (o->undo)
                command = COMMAND_UNDO;
        else if (o->cat_config)
                command = COMMAND_CAT_CONFIG;

        for (size_t i = 0; i < ELEMENTSOF(option_names); i++)
                if ((bits & option_names[i].bit) &&
                    !(commands[command].allowed & option_names[i].bit)) {
                        *ret_why = refusal(command, option_names[i].bit);
                        return false;
                }
        if (command == COMMAND_BOOT && (bits & OPT_JSON) && !(bits & OPT_DRY_RUN)) {
                *ret_why = "--json alone would provision this machine: use --dry-run --json for "
                           "the plan, --status --json for the report, or --rerun --json to "
                           "provision and print the result";
                return false;
        }
        if ((bits & OPT_DIFF) && !(bits & OPT_DRY_RUN)) {
                *ret_why = "--diff needs --dry-run (it previews what would be written)";
                return false;
        }
        if ((bits & OPT_DIFF) && (bits & OPT_JSON)) {
                *ret_why = "--diff prints text; --json carries each file's content instead";
                return false;
        }
        *ret = command;
        *ret_why = NULL;
        return true;
}

enum run_mode mode_decide(enum command command, unsigned machine)
{
        switch (command) {
        case COMMAND_RERUN:
                return MODE_PROVISION;
        case COMMAND_STATUS:
                return MODE_STATUS;
        case COMMAND_UNDO:
                return MODE_UNDO;
        case COMMAND_CAT_CONFIG:
                return MODE_CAT_CONFIG;
        case COMMAND_BOOT:
        case _COMMAND_MAX:
                break;
        }
        /* A run that did not finish is finished first, whatever else the state says: an --undo
         * as an --undo (issue 21, item 6), anything else by provisioning. */
        if (machine & MACHINE_UNDO_PENDING)
                return MODE_UNDO;
        if (machine & MACHINE_INTENT_PENDING)
                return MODE_PROVISION;
        if (machine & MACHINE_PROVISIONED)
                return machine & (MACHINE_NEW_INSTANCE | MACHINE_RESIZED) ? MODE_PROVISION
                                                                          : MODE_REPORT;
        return machine & MACHINE_UNDONE ? MODE_UNDONE : MODE_PROVISION;
}

const char *mode_name(enum run_mode mode)
{
        static const char *const names[_MODE_MAX] = {
            [MODE_PROVISION] = "provision", [MODE_REPORT] = "report",
            [MODE_UNDONE] = "undone",       [MODE_STATUS] = "status",
            [MODE_UNDO] = "undo",           [MODE_CAT_CONFIG] = "cat-config",
        };

        return mode < _MODE_MAX ? names[mode] : "?";
}

const char *command_name(enum command command)
{
        return command < _COMMAND_MAX ? commands[command].name : "?";
}
