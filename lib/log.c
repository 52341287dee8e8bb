/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "log.h"

/* The one piece of mutable state beside the parsed options: set once from --verbose. */
static enum log_level max_level = LOG_LEVEL_INFO;

void log_set_max_level(enum log_level level)
{
        max_level = level;
}

int log_full(enum log_level level, int error, const char *fmt, ...)
{
        static const char *const prefix[] = {
            [LOG_LEVEL_ERROR] = "error: ",
            [LOG_LEVEL_WARNING] = "warning: ",
            [LOG_LEVEL_INFO] = "",
            [LOG_LEVEL_DEBUG] = "debug: ",
        };
        int saved = errno;
        va_list ap;

        error = error < 0 ? -error : error;
        if (level <= max_level) {
                fprintf(stderr, "memprov: %s", prefix[level]);
                va_start(ap, fmt);
                vfprintf(stderr, fmt, ap);
                va_end(ap);
                if (error > 0)
                        fprintf(stderr, ": %s", strerror(error));
                fputc('\n', stderr);
        }
        errno = saved;
        return error > 0 ? -error : -EINVAL;
}
