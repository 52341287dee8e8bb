/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer targets (make fuzz): each feeds one parser the bytes it is given. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/config.h"
#include "../../modules/module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as the C string a parser wants (a NUL inside stays: parsers must cope). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);

        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

static inline const struct config_key *const *fuzz_keys(void)
{
        static const struct config_key *lists[MEMPROV_KEY_LISTS_MAX];

        if (!lists[0])
                memprov_config_keys(lists);
        return lists;
}
