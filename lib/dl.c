/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <string.h>

#include "dl.h"

int dl_load(const char *lib, const struct dl_symbol *symbols, size_t n, void *api,
            void **ret_handle, const char **ret_error)
{
        void *dl = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

        if (!dl) {
                *ret_error = dlerror();
                return -ENOENT;
        }
        for (size_t i = 0; i < n; i++) {
                void *sym = dlsym(dl, symbols[i].name);
                if (!sym) {
                        *ret_error = symbols[i].name;
                        dlclose(dl);
                        return -ELIBBAD;
                }
                memcpy((char *)api + symbols[i].offset, &sym, sizeof(sym));
        }
        *ret_handle = dl;
        return 0;
}
