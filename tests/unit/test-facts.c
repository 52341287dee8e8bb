/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <unistd.h>

#include "../../lib/facts.h"
#include "../../lib/util.h"
#include "test.h"

static uint64_t ram_from(const char *dir, const char *sysfs, const char *meminfo)
{
        char s[512], z[512], m[512];
        const char *source = NULL;
        uint64_t ram = 0;

        snprintf(s, sizeof(s), "%s/%s", dir, sysfs);
        snprintf(z, sizeof(z), "%s/zoneinfo", dir);
        snprintf(m, sizeof(m), "%s/%s", dir, meminfo);
        if (read_nominal_ram(&(struct ram_sources){s, z, m}, &ram, &source) < 0)
                return 0;
        return ram;
}

/* A /proc/zoneinfo whose zones hold these many present pages (the lines around them as the
 * kernel prints them). */
static void write_zoneinfo(const char *dir, uint64_t dma, uint64_t dma32, uint64_t normal)
{
        _cleanup_free_ char *text = xasprintf(
            "Node 0, zone      DMA\n  per-node stats\n      nr_inactive_anon 1\n"
            "  pages free     3\n        boost    0\n        spanned  4095\n"
            "        present  %llu\n        managed  3840\n"
            "Node 0, zone    DMA32\n  pages free     5\n        spanned  1044480\n"
            "        present  %llu\n        present_early_pages 7\n        managed  772915\n"
            "Node 0, zone   Normal\n  pages free     9\n        present  %llu\n"
            "Node 0, zone  Movable\n  pages free     0\n        present  0\n",
            (unsigned long long)dma, (unsigned long long)dma32, (unsigned long long)normal);

        test_write(dir, "zoneinfo", text);
}

TEST(nominal_ram_from_memory_blocks)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), block = 128 * MIB;

        /* 8 blocks of 128M, one offline (the kernel no longer counts its pages as present), the
         * BIOS holes of the first block missing too: 7 * 128M. */
        test_write(dir, "mem/block_size_bytes", "8000000\n");
        test_write(dir, "meminfo", "MemTotal:        1000000 kB\n");
        write_zoneinfo(dir, 3998, 3 * block / page - 3998 - 97, 4 * block / page);
        CHECK_U64(ram_from(dir, "mem", "meminfo"), 7 * 128 * MIB);
        /* Exactly 7 blocks, and one page more (a block is online whole: 8). */
        write_zoneinfo(dir, 0, 3 * block / page, 4 * block / page);
        CHECK_U64(ram_from(dir, "mem", "meminfo"), 7 * 128 * MIB);
        write_zoneinfo(dir, 1, 3 * block / page, 4 * block / page);
        CHECK_U64(ram_from(dir, "mem", "meminfo"), 8 * 128 * MIB);
        /* 2 GiB blocks (large x86 machines): 15.9 GiB present is 16 GiB. */
        test_write(dir, "mem/block_size_bytes", "80000000\n");
        write_zoneinfo(dir, 3998, 4 * GIB / page, 12 * GIB / page - 26000);
        CHECK_U64(ram_from(dir, "mem", "meminfo"), 16 * GIB);
        test_rmtree(dir);
}

/* Memory blocks but no present pages to read: MemTotal, rounded up to 128 MiB. */
TEST(nominal_ram_blocks_without_zoneinfo)
{
        _cleanup_free_ char *dir = test_mkdtemp();

        test_write(dir, "mem/block_size_bytes", "8000000\n");
        test_write(dir, "meminfo", "MemTotal:        1000000 kB\n");
        CHECK_U64(ram_from(dir, "mem", "meminfo"), 1024 * MIB);
        test_write(dir, "zoneinfo", "Node 0, zone      DMA\n        present  0\n");
        CHECK_U64(ram_from(dir, "mem", "meminfo"), 1024 * MIB);
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
