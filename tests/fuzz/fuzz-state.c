/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state file (/var/lib/memprov/state): parsed and checked as state_load() does, then read as
 * the run reads it. */
#include "../../lib/cloudinit.h"
#include "../../lib/state.h"
#include "../../lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct cloudinit_meta meta = {.instance_id = (char *)"i-fuzz"};
        struct config state = {0};

        if (state_parse(&state, (const char *)data, size, "fuzz-state") == 0) {
                (void)state_present(&state);
                (void)state_u64(&state, "memprov", "ram_bytes");
                (void)state_u64(&state, "swap", "size");
                (void)cloudinit_new_instance(&meta, &state);
                state_set_u64(&state, "memprov", "ram_bytes", 1);
        }
        config_done(&state);
        return 0;
}
