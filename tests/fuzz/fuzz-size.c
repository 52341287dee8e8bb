/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sizes and the other value checks: a size that parses prints back as the same number of bytes
 * (to the precision format_size keeps). */
#include "../../lib/size.h"
#include "../../lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *text = fuzz_text(data, size);
        uint64_t bytes, again;
        char buf[32];
        long n;
        bool b;

        if (parse_size(text, &bytes) == 0) {
                format_size(bytes, buf);
                /* One decimal rounds up: within 0.05P of 2^64 that is 16384.0P, beyond any
                 * size (and any disk); every other size reads back. */
                if (parse_size(buf, &again) < 0) {
                        if (bytes < UINT64_MAX - (1ULL << 50) / 10)
                                abort();
                } else if (!strchr(buf, '.') && again != bytes)
                        abort(); /* exact when a whole number of a unit */
        }
        (void)check_size_auto_none(text);
        (void)check_percent_auto(text);
        (void)check_uint(text);
        (void)check_abs_path(text);
        (void)check_name_list(text);
        (void)parse_bool(text, &b);
        if (parse_decimal(text, &n) == 0 && (text[0] == '0' ? text[1] != '\0' : text[0] == '+'))
                abort(); /* "010" or "+1" must never pass */
        return 0;
}
