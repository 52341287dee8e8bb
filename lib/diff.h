/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A unified diff (diff -u, 3 lines of context) of two texts, for --dry-run --diff. */
#pragma once

#include <stddef.h>
#include <stdio.h>

/* old or new NULL: the file does not exist on that side (labelled /dev/null). Prints nothing
 * when both are the same. */
void diff_unified(FILE *out, const char *path, const char *old, size_t old_size, const char *new,
                  size_t new_size);
