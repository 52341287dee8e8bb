/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "../../lib/state.h"
#include "../../modules/module.h"
#include "../../modules/swap.h"
#include "test.h"

/* The policy's target: below 4G min(2R, max(R, 2G)); 4G..16G: 4G; above: sqrt, at most 16G. */
TEST(swap_target_policy)
{
        static const struct {
                uint64_t ram, swap;
        } cases[] = {
            {256 * MIB, 512 * MIB}, {512 * MIB, 1 * GIB},  {1 * GIB, 2 * GIB},
            {1536 * MIB, 2 * GIB},  {2 * GIB, 2 * GIB},    {3 * GIB, 3 * GIB},
            {4 * GIB, 4 * GIB},     {8 * GIB, 4 * GIB},    {16 * GIB, 4 * GIB},
            {24 * GIB, 5 * GIB},    {32 * GIB, 6 * GIB},   {64 * GIB, 8 * GIB},
            {128 * GIB, 11 * GIB},  {256 * GIB, 16 * GIB}, {1024 * GIB, 16 * GIB},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                CHECK_U64(swap_target_bytes(cases[i].ram), cases[i].swap);
}

/* min(target, avail/4, avail - max(2G, fs/10)) rounded down to 64M; under 256M: none. */
TEST(swap_cap_by_filesystem)
{
        static const struct {
                uint64_t target, fs, avail, expect;
                bool explicit_size;
        } cases[] = {
            {2 * GIB, 25 * GIB, 20 * GIB, 2 * GIB, false},      /* plenty of room */
            {2 * GIB, 10 * GIB, 6 * GIB, 1536 * MIB, false},    /* avail/4 */
            {2 * GIB, 10 * GIB, 3 * GIB, 768 * MIB, false},     /* avail/4 = 768M */
            {2 * GIB, 100 * GIB, 11 * GIB, 1 * GIB, false},     /* 11G - 10G reserve */
            {2 * GIB, 10 * GIB, 2 * GIB + 200 * MIB, 0, false}, /* 200M left: none */
            {2 * GIB, 10 * GIB, 2 * GIB, 0, false},             /* all reserved */
            {2 * GIB, 10 * GIB, 1 * GIB, 0, false},
            {1 * GIB, 10 * GIB, 4 * GIB + 100 * MIB, 1024 * MIB, false},
            {1000 * MIB, 40 * GIB, 40 * GIB, 960 * MIB, false}, /* rounded to 64M */
            {2 * GIB, 10 * GIB, 2 * GIB + 255 * MIB, 0, false}, /* 255M < 256M */
            {2 * GIB, 10 * GIB, 2 * GIB + 256 * MIB, 256 * MIB, false},
            {8 * GIB, 20 * GIB, 12 * GIB, 8 * GIB, true}, /* explicit: no avail/4 share */
            {8 * GIB, 20 * GIB, 6 * GIB, 4 * GIB, true},  /* but the reserve holds */
            {8 * GIB, 20 * GIB, 6 * GIB, 1536 * MIB, false},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                CHECK_U64(swap_cap_bytes(cases[i].target, cases[i].fs, cases[i].avail,
                                         cases[i].explicit_size),
                          cases[i].expect);
}

TEST(swap_resize_threshold)
{
        CHECK(!swap_resize_wanted(2 * GIB, 2 * GIB));
        CHECK(!swap_resize_wanted(2 * GIB, 2 * GIB + 256 * MIB)); /* exactly 256M: no */
        CHECK(swap_resize_wanted(2 * GIB, 2 * GIB + 320 * MIB));
        CHECK(!swap_resize_wanted(8 * GIB, 8 * GIB + 768 * MIB)); /* < 10% of 8G */
        CHECK(swap_resize_wanted(8 * GIB, 9 * GIB));
        CHECK(swap_resize_wanted(4 * GIB, 2 * GIB));
}

TEST(swap_filesystem_refusal)
{
        struct fs_facts fs = {.fstype = (char *)"ext4", .devices = 1};

        CHECK(swap_fs_refusal(&fs) == NULL);
        fs.fstype = (char *)"xfs";
        CHECK(swap_fs_refusal(&fs) == NULL);
        fs.fstype = (char *)"btrfs";
        CHECK(swap_fs_refusal(&fs) == NULL);
        fs.devices = 2;
        CHECK(swap_fs_refusal(&fs) != NULL);
        fs.devices = 1;
        fs.readonly = true;
        CHECK(swap_fs_refusal(&fs) != NULL);
        fs.readonly = false;
        static const char *const refused[] = {"tmpfs", "overlay",  "nfs",  "nfs4",
                                              "zfs",   "squashfs", "vfat", "fuse.sshfs"};
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
                fs.fstype = (char *)refused[i];
                CHECK(swap_fs_refusal(&fs) != NULL);
        }
}

/* swap_settings(): the key list's defaults are the shipped conf.d's; a tier's swap and the
 * admin's values typed. */
TEST(swap_settings_typed)
{
        struct config empty = {0}, shipped = {0};
        struct context ctx = {.config = &empty, .tier = "tier 1G"};
        struct swap_settings d, s;

        CHECK(swap_settings(&ctx, &d) == 0);
        CHECK_STR(d.path, SWAP_DEFAULT_PATH);
        CHECK(d.size.kind == CONFIG_SIZE_AUTO && d.tier_size.kind == CONFIG_SIZE_AUTO);
        CHECK(!d.add && !d.image);
        CHECK(config_load_dir(&shipped, "conf.d") == 0);
        ctx.config = &shipped;
        CHECK(swap_settings(&ctx, &s) == 0);
        CHECK_STR(s.path, d.path);
        CHECK(s.size.kind == d.size.kind && s.add == d.add && s.image == d.image);
        config_done(&shipped);

        config_set(&empty, "swap", "size", "2G", "t");
        config_set(&empty, "swap", "add", "yes", "t");
        config_set(&empty, "tier 1G", "swap", "none", "t");
        ctx.config = &empty;
        CHECK(swap_settings(&ctx, &s) == 0);
        CHECK(s.size.kind == CONFIG_SIZE_BYTES);
        CHECK_U64(s.size.bytes, 2 * GIB);
        CHECK(s.tier_size.kind == CONFIG_SIZE_NONE && s.add && !s.image);
        ctx.tier = NULL; /* no tier table: the tier's swap is auto */
        CHECK(swap_settings(&ctx, &s) == 0);
        CHECK(s.tier_size.kind == CONFIG_SIZE_AUTO);
        config_done(&empty);
}

/* What init/ reads before the facts: swap.path through the typed settings (default and the
 * admin's), and the state's swapfile as swap_record() wrote it. */
TEST(swap_path_for_init)
{
        struct config c = {0}, state = {0};
        uint64_t size = 1;

        CHECK_STR(memprov_swap_path(&c), SWAP_DEFAULT_PATH);
        config_set(&c, "swap", "path", "/var/swap", "t");
        CHECK_STR(memprov_swap_path(&c), "/var/swap");
        CHECK(memprov_swap_recorded(&state, &size) == NULL);
        CHECK_U64(size, 0);
        config_set(&state, "swap", "path", "/var/swap", "state");
        state_set_u64(&state, "swap", "size_bytes", 2 * GIB);
        CHECK_STR(memprov_swap_recorded(&state, &size), "/var/swap");
        CHECK_U64(size, 2 * GIB);
        config_done(&c);
        config_done(&state);
}
