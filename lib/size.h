/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Byte sizes as admins write them: 512M, 2G, 1.5G, 4096 (bytes), with optional "iB"/"B". */
#pragma once

#include <stdint.h>

/* Binary units (K = 1024). Returns 0, -EINVAL on malformed input, -ERANGE on overflow. */
int parse_size(const char *s, uint64_t *ret);
/* Formats into buf as the largest exact-ish unit, e.g. "1G", "1536M", "300K". */
const char *format_size(uint64_t bytes, char buf[static 32]);
