/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The run's mode, decided in one place. Two pure steps:
 *  1. mode_command(): which command the options name (a plain run, --rerun, --status, --undo,
 *     --cat-config) and whether every other option given makes sense with it (a table of the
 *     options each command allows); a combination that does not is refused with what to type.
 *  2. mode_decide(): from that command and what the machine's state says, what this run does.
 * --dry-run is not a mode: it shows what the command typed would do, in the mode it would do it.
 */
#pragma once

#include <stdbool.h>

#include "../lib/options.h"

enum run_mode {
        MODE_PROVISION,  /* plan and apply (first boot, a re-tier, a new instance, --rerun) */
        MODE_REPORT,     /* provisioned and nothing asks for more: say so, change nothing */
        MODE_UNDONE,     /* --undo put this machine back and nothing since asks again */
        MODE_STATUS,     /* --status */
        MODE_UNDO,       /* --undo */
        MODE_CAT_CONFIG, /* --cat-config */
        _MODE_MAX,
};

/* What the machine's state says, gathered before the mode is decided: facts, no policy. */
enum machine_flags {
        MACHINE_PROVISIONED = 1 << 0,    /* a state record (memprov provisioned it) */
        MACHINE_INTENT_PENDING = 1 << 1, /* an intent record: a run that did not finish */
        MACHINE_NEW_INSTANCE = 1 << 2,   /* cloud-init's instance id differs from the state's */
        MACHINE_RESIZED = 1 << 3,        /* RAM or disk changed and memprov.on_resize = rerun */
        MACHINE_UNDONE = 1 << 4,         /* --undo's marker holds for this instance */
        MACHINE_UNDO_PENDING = 1 << 5,   /* the intent record is an --undo's that did not finish */
};

/* The command the options name, or NULL with *ret_why set to a message that says what is wrong
 * and what to type instead. Pure: options_parse() logs the message. */
bool mode_command(const struct options *o, enum command *ret, const char **ret_why);
enum run_mode mode_decide(enum command command, unsigned machine_flags);
const char *mode_name(enum run_mode mode);
const char *command_name(enum command command);
