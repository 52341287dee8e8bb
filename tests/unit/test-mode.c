/* SPDX-License-Identifier: GPL-2.0-or-later */
/* init/mode.c: the table of commands and the options each takes, and the mode each state gives. */
#include "../../init/mode.h"
#include "test.h"

static const char *why_of(const struct options *o, enum command *cmd)
{
        const char *why = NULL;

        if (mode_command(o, cmd, &why))
                return NULL;
        return why ? why : "(refused without a reason)";
}

TEST(mode_command_table)
{
        static const struct {
                struct options o;
                int command; /* -1: refused */
                const char *why_contains;
        } cases[] = {
            {{0}, COMMAND_BOOT, NULL},
            {{.dry_run = true}, COMMAND_BOOT, NULL},
            {{.dry_run = true, .json = true}, COMMAND_BOOT, NULL},
            {{.dry_run = true, .diff = true}, COMMAND_BOOT, NULL},
            {{.root = "/img", .assume_ram = 1}, COMMAND_BOOT, NULL},
            /* Issue 20 item 1: --json alone names the three commands that take it. */
            {{.json = true}, -1, "--dry-run --json"},
            {{.json = true}, -1, "--status --json"},
            {{.json = true}, -1, "--rerun --json"},
            {{.restart_services = true}, -1, "memprov --rerun --restart-services"},
            {{.dry_run = true, .restart_services = true}, -1, "--rerun"},
            {{.status = true, .restart_services = true}, -1, "--rerun"},
            {{.rerun = true, .restart_services = true}, COMMAND_RERUN, NULL},
            {{.rerun = true, .json = true}, COMMAND_RERUN, NULL},
            {{.rerun = true, .dry_run = true, .diff = true}, COMMAND_RERUN, NULL},
            {{.status = true}, COMMAND_STATUS, NULL},
            {{.status = true, .json = true}, COMMAND_STATUS, NULL},
            {{.status = true, .dry_run = true}, -1, "--status changes nothing"},
            {{.status = true, .assume_ram = 1}, COMMAND_STATUS, NULL},
            {{.undo = true}, COMMAND_UNDO, NULL},
            {{.undo = true, .dry_run = true, .json = true}, COMMAND_UNDO, NULL},
            {{.undo = true, .assume_ram = 1}, COMMAND_UNDO, NULL},
            {{.cat_config = true}, COMMAND_CAT_CONFIG, NULL},
            {{.cat_config = true, .n_assignments = 1}, COMMAND_CAT_CONFIG, NULL},
            {{.cat_config = true, .json = true}, -1, "--cat-config"},
            {{.status = true, .undo = true}, -1, "exclude each other"},
            {{.rerun = true, .undo = true}, -1, "exclude each other"},
            {{.rerun = true, .cat_config = true}, -1, "exclude each other"},
            {{.diff = true}, -1, "--diff needs --dry-run"},
            {{.rerun = true, .diff = true}, -1, "--diff needs --dry-run"},
            {{.dry_run = true, .diff = true, .json = true}, -1, "--diff prints text"},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                enum command cmd = _COMMAND_MAX;
                const char *why = why_of(&cases[i].o, &cmd);
                if (cases[i].command < 0) {
                        CHECK(why && strstr(why, cases[i].why_contains));
                        if (!why || !strstr(why, cases[i].why_contains))
                                fprintf(stderr, "  case %zu: \"%s\"\n", i,
                                        why ? why : "(accepted)");
                } else {
                        CHECK(!why);
                        CHECK_U64(cmd, (unsigned)cases[i].command);
                        if (why)
                                fprintf(stderr, "  case %zu: refused: %s\n", i, why);
                }
        }
}

TEST(mode_decide_table)
{
        static const struct {
                enum command command;
                unsigned machine;
                enum run_mode mode;
        } cases[] = {
            /* First boot, and a boot after an interrupted first boot. */
            {COMMAND_BOOT, 0, MODE_PROVISION},
            {COMMAND_BOOT, MACHINE_INTENT_PENDING, MODE_PROVISION},
            /* A reboot: report only, unless something asks to provision again. */
            {COMMAND_BOOT, MACHINE_PROVISIONED, MODE_REPORT},
            {COMMAND_BOOT, MACHINE_PROVISIONED | MACHINE_RESIZED, MODE_PROVISION},
            {COMMAND_BOOT, MACHINE_PROVISIONED | MACHINE_NEW_INSTANCE, MODE_PROVISION},
            {COMMAND_BOOT, MACHINE_PROVISIONED | MACHINE_INTENT_PENDING, MODE_PROVISION},
            /* After --undo: stays put back until --rerun; an unfinished run still finishes. */
            {COMMAND_BOOT, MACHINE_UNDONE, MODE_UNDONE},
            {COMMAND_BOOT, MACHINE_UNDONE | MACHINE_INTENT_PENDING, MODE_PROVISION},
            {COMMAND_RERUN, MACHINE_UNDONE, MODE_PROVISION},
            {COMMAND_RERUN, MACHINE_PROVISIONED, MODE_PROVISION},
            {COMMAND_RERUN, 0, MODE_PROVISION},
            {COMMAND_STATUS, 0, MODE_STATUS},
            {COMMAND_STATUS, MACHINE_PROVISIONED | MACHINE_RESIZED, MODE_STATUS},
            {COMMAND_UNDO, MACHINE_PROVISIONED, MODE_UNDO},
            {COMMAND_UNDO, 0, MODE_UNDO},
            {COMMAND_CAT_CONFIG, MACHINE_PROVISIONED, MODE_CAT_CONFIG},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                enum run_mode m = mode_decide(cases[i].command, cases[i].machine);
                CHECK_STR(mode_name(m), mode_name(cases[i].mode));
        }
}
