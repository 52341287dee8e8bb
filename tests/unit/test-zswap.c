/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "../../lib/cushion.h"
#include "test.h"

/* zstd over lz4 over the kernel's default; the bits follow cushion_compressors[]. */
TEST(zswap_compressor_preference)
{
        CHECK_STR(cushion_compressors[0], "zstd");
        CHECK_STR(cushion_compressors[1], "lz4");
        CHECK_STR(cushion_pick_compressor(1u << 0 | 1u << 1), "zstd");
        CHECK_STR(cushion_pick_compressor(1u << 1), "lz4");
        CHECK_STR(cushion_pick_compressor(1u << 0), "zstd");
        CHECK(cushion_pick_compressor(0) == NULL);
}
