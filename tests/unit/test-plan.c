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
