/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr. Errors are logged once, where they are handled. */
#pragma once

#include "util.h"

enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARNING, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

void log_set_max_level(enum log_level level);
int log_full(enum log_level level, int error, const char *fmt, ...) _printf_(3, 4);

/* Each returns -abs(error) so that callers can write: return log_error_errno(r, "..."). */
#define log_error_errno(e, ...)   log_full(LOG_LEVEL_ERROR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full(LOG_LEVEL_WARNING, (e), __VA_ARGS__)
#define log_error(...)            log_full(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...)          log_full(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_info(...)             log_full(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...)            log_full(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
