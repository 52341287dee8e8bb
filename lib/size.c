/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <inttypes.h>

#include "size.h"
#include "util.h"

static int unit_shift(const char *u, unsigned *shift)
{
        static const char units[] = "BKMGTP";
        const char *p;

        if (*u == '\0') {
                *shift = 0;
                return 0;
        }
        p = strchr(units, toupper((unsigned char)*u));
        if (!p)
                return -EINVAL;
        *shift = (unsigned)(p - units) * 10;
        u++;
        /* Accept K, KB, KiB (all binary): admins write all three. */
        if (*p != 'B' && (streq(u, "iB") || streq(u, "ib")))
                return 0;
        if (*p != 'B' && (streq(u, "B") || streq(u, "b")))
                return 0;
        return *u == '\0' ? 0 : -EINVAL;
}

int parse_size(const char *s, uint64_t *ret)
{
        uint64_t whole = 0, frac = 0, frac_div = 1;
        unsigned shift;
        const char *p = s;

        if (!s || !isdigit((unsigned char)*p))
                return -EINVAL;
        for (; isdigit((unsigned char)*p); p++) {
                if (whole > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                whole = whole * 10 + (uint64_t)(*p - '0');
        }
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
                for (; isdigit((unsigned char)*p); p++)
                        if (frac_div < 1000000) {
                                frac = frac * 10 + (uint64_t)(*p - '0');
                                frac_div *= 10;
                        }
        }
        if (unit_shift(p, &shift) < 0)
                return -EINVAL;
        if (shift >= 64 || whole > (UINT64_MAX >> shift))
                return -ERANGE;
        *ret = (whole << shift) + (uint64_t)(((__uint128_t)frac << shift) / frac_div);
        return 0;
}

/* A whole number of some unit, in the largest such unit; below 10240 of it when readable is
 * asked for (264212084K is not read at a glance: 251.9G is). */
static bool format_whole(uint64_t bytes, bool readable, char buf[static 32])
{
        static const char units[] = "KMGTP";

        for (int i = (int)sizeof(units) - 2; i >= 0; i--) {
                uint64_t unit = 1ULL << (10 * (i + 1));
                if (bytes >= unit && bytes % unit == 0) {
                        if (readable && bytes / unit >= 10240)
                                return false;
                        snprintf(buf, 32, "%" PRIu64 "%c", bytes / unit, units[i]);
                        return true;
                }
        }
        return false;
}

const char *format_size_exact(uint64_t bytes, char buf[static 32])
{
        if (!format_whole(bytes, false, buf))
                snprintf(buf, 32, "%" PRIu64, bytes);
        return buf;
}

const char *format_size(uint64_t bytes, char buf[static 32])
{
        static const char units[] = "KMGTP";
        int i;

        if (format_whole(bytes, true, buf))
                return buf;
        /* Not a whole number of any unit (or too many of it): one decimal in the largest unit
         * that fits. */
        for (i = (int)sizeof(units) - 2; i >= 0; i--) {
                uint64_t unit = 1ULL << (10 * (i + 1));
                if (bytes >= unit) {
                        snprintf(buf, 32, "%.1f%c", (double)bytes / (double)unit, units[i]);
                        return buf;
                }
        }
        snprintf(buf, 32, "%" PRIu64 "B", bytes);
        return buf;
}
