/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Byte sizes as admins write them: 512M, 2G, 1.5G, 4096 (bytes), with optional "iB"/"B". */
#pragma once

#include <stdint.h>

/* Binary units (K = 1024). Returns 0, -EINVAL on malformed input, -ERANGE on overflow. */
int parse_size(const char *s, uint64_t *ret);
/* For people: a whole number of the largest unit that divides it, below 10240 of it ("1G",
 * "1536M", "300K"), else one decimal in the largest unit that fits ("251.9G", "1.5K"). */
const char *format_size(uint64_t bytes, char buf[static 32]);
/* For a daemon's configuration: exact, a whole number of a unit ("1536M") or plain bytes. */
const char *format_size_exact(uint64_t bytes, char buf[static 32]);

/* Sums and products of sizes that saturate at UINT64_MAX instead of wrapping: an admin's
 * memory_limit of 1000000G, or -1 (UINT64_MAX), must make a cost large, never small. */
static inline uint64_t size_add(uint64_t a, uint64_t b)
{
        uint64_t s;

        return __builtin_add_overflow(a, b, &s) ? UINT64_MAX : s;
}

static inline uint64_t size_mul(uint64_t a, uint64_t b)
{
        uint64_t p;

        return __builtin_mul_overflow(a, b, &p) ? UINT64_MAX : p;
}
