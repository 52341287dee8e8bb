/* SPDX-License-Identifier: GPL-2.0-or-later */
/* User-data as cloud-init's JSON rendering (combined-cloud-config.json). */
#include "../../lib/cloudinit.h"
#include "../../lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *text = fuzz_text(data, size);
        struct config c = {0};

        if (cloudinit_parse_json(text, "fuzz.json", fuzz_keys(), &c) == 0)
                (void)config_validate(&c, fuzz_keys());
        config_done(&c);
        return 0;
}
