/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "../../lib/plan.h"
#include "../../lib/util.h"
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
