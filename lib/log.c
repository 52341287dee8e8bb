/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <syslog.h>

#include "journal.h"
#include "log.h"

/* Mutable state beside the parsed options: this, set once from --verbose, and the journal sink
 * (lib/journal.c), decided once on first use. */
static enum log_level max_level = LOG_LEVEL_INFO;

void log_set_max_level(enum log_level level)
{
        max_level = level;
}

/* One record per line: the priority, ERRNO, and for an error the MESSAGE_ID the catalog
 * explains. */
_printf_(3, 0) static void log_to_journal(enum log_level level, int error, const char *fmt,
                                          va_list ap)
{
        static const int priority[] = {
            [LOG_LEVEL_ERROR] = LOG_ERR,
            [LOG_LEVEL_WARNING] = LOG_WARNING,
            [LOG_LEVEL_INFO] = LOG_INFO,
            [LOG_LEVEL_DEBUG] = LOG_DEBUG,
        };
        _cleanup_free_ char *text = NULL, *msg = NULL, *errno_field = NULL;
        const char *fields[1];

        if (vasprintf(&text, fmt, ap) < 0)
                abort();
        msg = error > 0 ? xasprintf("%s: %s", text, strerror(error)) : xstrdup(text);
        if (error > 0)
                fields[0] = errno_field = xasprintf("ERRNO=%d", error);
        if (journal_send(priority[level], level == LOG_LEVEL_ERROR ? MEMPROV_MESSAGE_ERROR : NULL,
                         msg, fields, error > 0 ? 1 : 0) < 0)
                fprintf(stderr, "memprov: %s%s\n", level == LOG_LEVEL_ERROR ? "error: " : "", msg);
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
        if (level <= max_level && journal_active()) {
                va_start(ap, fmt);
                log_to_journal(level, error, fmt, ap);
                va_end(ap);
        } else if (level <= max_level) {
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
