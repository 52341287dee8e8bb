/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The INI layer: libinih fed from a buffer, then every key's check and the tier lookup. */
#include "../../lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct config c = {0};
        char tier[64];

        if (config_parse_text(&c, (const char *)data, size, "fuzz.conf") == 0) {
                (void)config_validate(&c, fuzz_keys());
                (void)tier_select(&c, 1024ULL * 1024 * 1024, tier);
                (void)config_size(&c, "swap", "size", 0);
                (void)config_int(&c, "sysctl", "swappiness", 0);
                (void)config_bool(&c, "memprov", "enabled", true);
                (void)config_set_assignment(&c, "swap.size=1G", "--set");
        }
        config_done(&c);
        return 0;
}
