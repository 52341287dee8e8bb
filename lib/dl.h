/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Libraries memprov needs only sometimes (libsystemd: the bus for units, the journal for
 * structured logging) are loaded with dlopen when first needed, so that the binary runs, and
 * provisions, where they are missing.
 */
#pragma once

#include <stddef.h>

struct dl_symbol {
        const char *name;
        size_t offset; /* of the function pointer in the caller's API struct */
};
#define DL_SYMBOL(api_type, sym)                                                                   \
        {                                                                                          \
#sym, offsetof(api_type, sym)                                                      \
        }

/* Loads lib and stores every symbol's address at its offset in api. On failure nothing stays
 * loaded, nothing is logged and *ret_error says why (dlerror's text or the missing symbol). */
int dl_load(const char *lib, const struct dl_symbol *symbols, size_t n, void *api,
            void **ret_handle, const char **ret_error);
