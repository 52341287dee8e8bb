/* SPDX-License-Identifier: GPL-2.0-or-later */
/* User-data as YAML (cloud-config.txt): libyaml events to JSON, then the memprov: key. */
#include "../../lib/cloudinit.h"
#include "../../lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct config c = {0};

        if (cloudinit_parse_yaml((const char *)data, size, "fuzz.yaml", fuzz_keys(), &c) == 0)
                (void)config_validate(&c, fuzz_keys());
        config_done(&c);
        return 0;
}
