/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "../../lib/facts.h"
#include "../../lib/util.h"
#include "test.h"

static uint64_t ram_from(const char *dir, const char *sysfs, const char *meminfo)
{
        char s[512], m[512];
        const char *source = NULL;
        uint64_t ram = 0;

        snprintf(s, sizeof(s), "%s/%s", dir, sysfs);
        snprintf(m, sizeof(m), "%s/%s", dir, meminfo);
        if (read_nominal_ram(s, m, &ram, &source) < 0)
                return 0;
        return ram;
}

TEST(nominal_ram_from_memory_blocks)
{
        _cleanup_free_ char *dir = test_mkdtemp();

        /* 8 blocks of 128M, one offline: 7 * 128M. */
        test_write(dir, "mem/block_size_bytes", "8000000\n");
        for (int i = 0; i < 8; i++) {
                char p[64];
                snprintf(p, sizeof(p), "mem/memory%d/online", i);
                test_write(dir, p, i == 3 ? "0\n" : "1\n");
        }
        test_write(dir, "mem/memory_foo/online", "1\n");
        test_write(dir, "meminfo", "MemTotal:        1000000 kB\n");
        CHECK_U64(ram_from(dir, "mem", "meminfo"), 7 * 128 * MIB);
        test_rmtree(dir);
}

/* A "1 GB" plan whose kernel shows 960 MiB counts as 1 GiB. */
TEST(nominal_ram_from_memtotal)
{
        _cleanup_free_ char *dir = test_mkdtemp();

        test_write(dir, "meminfo", "MemFree:  1 kB\nMemTotal:         983040 kB\n");
        CHECK_U64(ram_from(dir, "nosysfs", "meminfo"), 1 * GIB);
        test_write(dir, "meminfo", "MemTotal:         480000 kB\n");
        CHECK_U64(ram_from(dir, "nosysfs", "meminfo"), 512 * MIB);
        test_write(dir, "meminfo", "MemTotal:         4194304 kB\n");
        CHECK_U64(ram_from(dir, "nosysfs", "meminfo"), 4 * GIB);
        test_write(dir, "meminfo", "nothing useful\n");
        CHECK_U64(ram_from(dir, "nosysfs", "meminfo"), 0);
        test_rmtree(dir);
}
