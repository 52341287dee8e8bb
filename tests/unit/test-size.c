/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "../../lib/size.h"
#include "../../lib/util.h"
#include "test.h"

TEST(parse_size_valid)
{
        static const struct {
                const char *s;
                uint64_t v;
        } cases[] = {
            {"0", 0},
            {"4096", 4096},
            {"1K", 1024},
            {"1k", 1024},
            {"512M", 512 * MIB},
            {"512MB", 512 * MIB},
            {"512MiB", 512 * MIB},
            {"2G", 2 * GIB},
            {"1.5G", 1536 * MIB},
            {"0.5M", 512 * KIB},
            {"1T", 1024 * GIB},
            {"100B", 100},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                uint64_t v = 1;
                CHECK(parse_size(cases[i].s, &v) == 0);
                CHECK_U64(v, cases[i].v);
        }
}

TEST(parse_size_invalid)
{
        static const char *const bad[] = {"",    "G",   "-1G",  "1X",   "1GG", "1.G",
                                          " 1G", "1G ", "1,5G", "0x10", "1e9", "auto"};
        uint64_t v;

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                CHECK(parse_size(bad[i], &v) == -EINVAL);
        CHECK(parse_size("99999999999999999999", &v) == -ERANGE);
        CHECK(parse_size("20000000000T", &v) == -ERANGE);
}

TEST(format_size_units)
{
        char buf[32];

        CHECK_STR(format_size(1 * GIB, buf), "1G");
        CHECK_STR(format_size(1536 * MIB, buf), "1536M");
        CHECK_STR(format_size(512 * MIB, buf), "512M");
        CHECK_STR(format_size(300 * KIB, buf), "300K");
        CHECK_STR(format_size(1000, buf), "1000B");
        CHECK_STR(format_size(1500, buf), "1.5K");
        /* A disk of 252G less a little: not 264212084K (issue 20). */
        CHECK_STR(format_size(270553174016ULL, buf), "252.0G");
        CHECK_STR(format_size(264212084ULL * KIB, buf), "252.0G");
        CHECK_STR(format_size(10239 * MIB, buf), "10239M");
        CHECK_STR(format_size(10240 * MIB, buf), "10G");
        CHECK_STR(format_size(20000 * MIB, buf), "19.5G");
        CHECK_STR(format_size_exact(20000 * MIB, buf), "20000M");
        CHECK_STR(format_size_exact(264212084ULL * KIB, buf), "264212084K");
        CHECK_STR(format_size_exact(1000, buf), "1000");
}
