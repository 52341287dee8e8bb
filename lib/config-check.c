/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The value checks modules name in their config_key lists. */
#include <limits.h>

#include "config.h"
#include "size.h"
#include "util.h"

int parse_bool(const char *v, bool *ret)
{
        static const char *const yes[] = {"1", "yes", "true", "on"};
        static const char *const no[] = {"0", "no", "false", "off"};

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0)
                        return *ret = true, 0;
                if (strcasecmp(v, no[i]) == 0)
                        return *ret = false, 0;
        }
        return -EINVAL;
}

int check_size(const char *v)
{
        uint64_t n;

        return parse_size(v, &n);
}

int check_size_auto_none(const char *v)
{
        return streq(v, "auto") || streq(v, "none") ? 0 : check_size(v);
}

int check_bool(const char *v)
{
        bool b;

        return parse_bool(v, &b);
}

/* Decimal digits as every reader of memprov's output reads them alike: no sign, space or leading
 * zero. The kernel's sysctl parser (proc_dointvec, base 0) and older systemd (safe_atoi, base 0)
 * read "010" as octal 8 and refuse "0099"; MariaDB, Apache and PHP read it as 10. memprov refuses
 * it rather than guess which the admin meant. */
int parse_decimal(const char *v, long *ret)
{
        const char *digits = v[0] == '-' ? v + 1 : v;
        char *end;
        long n;

        if (!isdigit_str(digits) || (digits[0] == '0' && (digits[1] || digits != v)))
                return -EINVAL;
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno || *end)
                return -EINVAL;
        *ret = n;
        return 0;
}

int check_uint(const char *v)
{
        long n;

        return parse_decimal(v, &n) < 0 || n < 0 || n > INT_MAX ? -EINVAL : 0;
}

int check_percent_auto(const char *v)
{
        long n;

        if (streq(v, "auto"))
                return 0;
        return parse_decimal(v, &n) < 0 || n < 0 || n > 100 ? -EINVAL : 0;
}

int check_abs_path(const char *v)
{
        size_t len = strlen(v);

        if (v[0] != '/' || len < 2 || len >= PATH_MAX || v[len - 1] == '/' || strstr(v, "//"))
                return -EINVAL;
        /* No "." or ".." component: the path must name the file directly. */
        for (const char *p = v; p; p = strchr(p + 1, '/'))
                if (startswith(p, "/.") &&
                    (p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))
                        return -EINVAL;
        for (const char *p = v; *p; p++)
                if ((unsigned char)*p < 0x21 || *p == '\\' || (unsigned char)*p == 0x7f)
                        return -EINVAL;
        return 0;
}

int check_name_list(const char *v)
{
        for (const char *p = v; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-, ",
                            *p))
                        return -EINVAL;
        return 0;
}

int config_parse_string(const char *v, void *dst)
{
        *(const char **)dst = v;
        return 0;
}

int config_parse_bool(const char *v, void *dst)
{
        return parse_bool(v, dst);
}

int config_parse_size_auto_none(const char *v, void *dst)
{
        struct config_size *ret = dst;

        if (streq(v, "auto") || streq(v, "none")) {
                *ret =
                    (struct config_size){streq(v, "auto") ? CONFIG_SIZE_AUTO : CONFIG_SIZE_NONE, 0};
                return 0;
        }
        ret->kind = CONFIG_SIZE_BYTES;
        return parse_size(v, &ret->bytes);
}
