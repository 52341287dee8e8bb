/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/userdata.c: where a customer's swap.path may go (issue 21 item 3). */
#include "../../lib/userdata.h"
#include "test.h"

TEST(userdata_swap_path_allowed)
{
        static const struct {
                const char *path, *folders;
                bool allowed;
        } cases[] = {
            {"/swapfile", "/ /swap", true},
            {"/swap/file", "/ /swap", true},
            {"/swap/a/file", "/ /swap", false}, /* directly in the folder only */
            {"/srv/swapfile", "/ /swap", false},
            {"/etc/memprov/conf.d/x.conf", "/ /swap", false},
            {"/etc/ssh/sshd_config.d/x.conf", "/ /swap /etc/ssh/sshd_config.d", false},
            {"/var/lib/memprov/state", "/var/lib/memprov", false},
            {"/etc", "/", false},
            {"/usr", "/", false},
            {"/boot", "/", false},
            {"/srv/swapfile", "/srv", true},
            {"/srvx/swapfile", "/srv", false},
            {"/swapfile", "", false},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                bool got = userdata_swap_path_allowed(cases[i].path, cases[i].folders);
                CHECK(got == cases[i].allowed);
                if (got != cases[i].allowed)
                        fprintf(stderr, "  %s in \"%s\"\n", cases[i].path, cases[i].folders);
        }
        CHECK(check_abs_folder_list("/ /swap") == 0);
        CHECK(check_abs_folder_list("swap") < 0);
        CHECK(check_abs_folder_list("/a/../etc") < 0);
}
