/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "util.h"

static void *check(void *p)
{
        if (!p) {
                fputs("memprov: out of memory\n", stderr);
                abort();
        }
        return p;
}

void *xmalloc(size_t n)
{
        return check(malloc(n ? n : 1));
}

void *xcalloc(size_t n, size_t size)
{
        return check(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
        return check(realloc(p, n ? n : 1));
}

char *xstrdup(const char *s)
{
        return check(strdup(s));
}

char *xasprintf(const char *fmt, ...)
{
        char *s = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return check(r < 0 ? NULL : s);
}
