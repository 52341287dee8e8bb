/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "../../lib/plan.h"
#include "../../lib/util.h"
#include "../../modules/module.h"
#include "test.h"

/* However many modules ask for a daemon-reload, the plan keeps one, after everything else. */
TEST(plan_merges_reloads)
{
        struct plan p = {0};

        plan_add(&p, ACTION_DAEMON_RELOAD, "units");
        plan_add_file(&p, "oom", "/etc/a", 0644, xstrdup("a\n"));
        plan_add(&p, ACTION_DAEMON_RELOAD, "oom")->note = xstrdup("why");
        plan_add_file(&p, "oom", "/etc/b", 0644, xstrdup("b\n"));
        plan_merge_reloads(&p);
        CHECK_U64(p.n_actions, 3);
        CHECK(p.actions[0].type == ACTION_WRITE_FILE);
        CHECK(p.actions[1].type == ACTION_WRITE_FILE);
        CHECK(p.actions[2].type == ACTION_DAEMON_RELOAD);
        CHECK_STR(p.actions[1].path, "/etc/b");
        plan_done(&p);

        plan_add_file(&p, "oom", "/etc/a", 0644, xstrdup("a\n"));
        plan_merge_reloads(&p);
        CHECK_U64(p.n_actions, 1);
        plan_done(&p);
}

/* --rerun's live actions run after systemd has reloaded, in the order the modules planned them. */
TEST(plan_live_actions_follow_the_reload)
{
        struct plan p = {0};

        plan_add_file(&p, "apache", "/etc/a", 0644, xstrdup("a\n"));
        plan_add(&p, ACTION_SERVICE_LIVE, "apache")->unit = xstrdup("apache2.service");
        plan_add(&p, ACTION_SQL_LIVE, "mysql")->path = xstrdup("/etc/m");
        plan_add_file(&p, "oom", "/etc/b", 0644, xstrdup("b\n"));
        plan_add(&p, ACTION_DAEMON_RELOAD, "oom");
        plan_merge_reloads(&p);
        CHECK_U64(p.n_actions, 5);
        CHECK_STR(p.actions[1].path, "/etc/b");
        CHECK(p.actions[2].type == ACTION_DAEMON_RELOAD);
        CHECK(p.actions[3].type == ACTION_SERVICE_LIVE);
        CHECK_STR(p.actions[3].unit, "apache2.service");
        CHECK(p.actions[4].type == ACTION_SQL_LIVE);
        plan_done(&p);
}

static char *action_line(const struct action *a, bool applied)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        plan_print_action(a, applied, f);
        fclose(f);
        return buf;
}

/* Issue 12: after an apply the swap line says what happened, as the file lines do; an apply
 * that stopped marks the actions it never reached "not done", not "unchanged". */
TEST(plan_line_says_what_happened)
{
        struct plan p = {0};
        struct action *a = plan_add(&p, ACTION_SWAP, "swap");
        char *line;

        a->swap.op = SWAP_CREATE;
        a->swap.path = xstrdup("/swapfile");
        a->swap.size_bytes = 1ULL << 30;
        line = action_line(a, false);
        CHECK_STR(line, "  swap    create    /swapfile 1G\n");
        free(line);
        a->reached = a->changed = true;
        line = action_line(a, true);
        CHECK_STR(line, "  swap    created   /swapfile 1G\n");
        free(line);
        a->swap.op = SWAP_RESIZE;
        a->swap.old_size_bytes = 512ULL << 20;
        line = action_line(a, true);
        CHECK_STR(line, "  swap    resized   /swapfile 1G (was 512M)\n");
        free(line);
        a = plan_add_file(&p, "sysctl", "/etc/s", 0644, xstrdup("s\n"));
        line = action_line(a, true);
        CHECK_STR(line, "  file    not done  /etc/s (0644)\n");
        free(line);
        plan_done(&p);
}

/* Every action kind has the operations every view calls (lib/plan-kinds.c): a listing column,
 * a verb planned and done, its line and its JSON; a kind that --status can show has its words
 * and its kind and name there, and a recorded kind its state section. */
TEST(action_kinds_complete)
{
        for (int t = 0; t < ACTION_TYPE_MAX; t++) {
                const struct action_kind *k = action_kind((enum action_type)t);
                struct action a = {.type = (enum action_type)t};

                CHECK(k->column && strlen(k->column) <= 7);
                CHECK(k->verb || (k->verbs[0] && k->verbs[1]));
                CHECK(action_kind_verb(&a, false) && action_kind_verb(&a, true));
                CHECK(k->print && k->json);
                CHECK(!k->change || (k->change_kind && k->change_name));
                CHECK(!k->record_value == !k->record_section);
                /* One applier per kind: its own apply (files, links) or one module's. */
                CHECK(!k->apply != !module_for_action((enum action_type)t));
                CHECK(!k->stage || (k->apply && k->unstage));
                /* A recorded file or link is reviewed first: the admin's stays theirs. */
                CHECK(!k->record_section || k->review);
        }
}
