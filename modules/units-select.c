/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the configuration says about units: the keys and their checks, the unit groups
 * ([unit-groups], conf.d/30-units.conf) and which groups or units [units] disable and the tier's
 * units.disable select. Read by the plan (units.c) and the record (units-record.c). */
#include "../lib/log.h"
#include "units-files.h"
#include "units.h"

#define GROUPS_SECTION "unit-groups"

static const char *const group_names[] = {
    "proftpd", "bind", "postgres", "mailman", "spamassassin", "clamav", NULL,
};

static bool is_group(const char *s)
{
        for (size_t i = 0; group_names[i]; i++)
                if (streq(group_names[i], s))
                        return true;
        return false;
}

int check_unit_selection(const char *v)
{
        _cleanup_strv_ char **words = NULL;

        if (check_name_list(v) < 0)
                return -EINVAL;
        words = strv_split(v);
        for (char **w = words; *w; w++)
                if (!streq(*w, "auto") && !streq(*w, "none") && !is_group(*w) &&
                    !unit_name_is_valid(*w))
                        return -EINVAL;
        return 0;
}

/* "postgresql@*.service" stands for the template: disabling it disables every instance. */
static char *pattern_unit(const char *pattern)
{
        const char *star = strstr(pattern, "@*.");

        if (!star)
                return xstrdup(pattern);
        return xasprintf("%.*s@%s", (int)(star - pattern), pattern, star + 2);
}

int check_unit_patterns(const char *v)
{
        _cleanup_strv_ char **words = NULL;

        words = strv_split(v);
        for (char **w = words; *w; w++) {
                _cleanup_free_ char *unit = pattern_unit(*w);
                if (strchr(unit, '*') || !unit_name_is_valid(unit))
                        return -EINVAL;
        }
        return 0;
}

/* [units] disable with "auto" standing for the tier's list. */
char **units_selected(const struct context *ctx)
{
        _cleanup_strv_ char **config =
            strv_split(config_str(ctx->config, "units", "disable", "auto"));
        char **out = strv_split("");

        for (char **w = config; *w; w++) {
                _cleanup_strv_ char **tier = NULL;
                if (!streq(*w, "auto")) {
                        if (!streq(*w, "none") && !strv_contains(out, *w))
                                out = strv_push(out, *w);
                        continue;
                }
                tier = strv_split(tier_value(ctx, "units.disable"));
                for (char **t = tier; *t; t++)
                        if (!streq(*t, "auto") && !streq(*t, "none") && !strv_contains(out, *t))
                                out = strv_push(out, *t);
        }
        return out;
}

/* A group's units ("name@*.service" as its template), or the unit itself. */
char **units_of_item(const struct context *ctx, const char *item)
{
        _cleanup_strv_ char **patterns = NULL;
        char **units = strv_split("");

        if (!is_group(item))
                return strv_push(units, item);
        patterns = strv_split(config_str(ctx->config, GROUPS_SECTION, item, ""));
        for (char **p = patterns; *p; p++) {
                _cleanup_free_ char *unit = pattern_unit(*p);
                if (!strv_contains(units, unit))
                        units = strv_push(units, unit);
        }
        return units;
}

const char *units_group_of(const struct context *ctx, const char *unit)
{
        for (size_t i = 0; group_names[i]; i++) {
                _cleanup_strv_ char **units = units_of_item(ctx, group_names[i]);
                if (strv_contains(units, unit))
                        return group_names[i];
        }
        return unit;
}

const struct config_key units_keys[] = {
    {"units", "disable", check_unit_selection},
    {"units", "keep", check_unit_selection},
    {"tier", "units.disable", check_unit_selection},
    {GROUPS_SECTION, "proftpd", check_unit_patterns},
    {GROUPS_SECTION, "bind", check_unit_patterns},
    {GROUPS_SECTION, "postgres", check_unit_patterns},
    {GROUPS_SECTION, "mailman", check_unit_patterns},
    {GROUPS_SECTION, "spamassassin", check_unit_patterns},
    {GROUPS_SECTION, "clamav", check_unit_patterns},
    /* conf.d/25-consumers.conf: other memory consumers and their costs (units-consumers.c). */
    {"consumer", "units", check_unit_patterns},
    {"consumer", "cost", check_size},
    {"consumer", "source", NULL},
    {0},
};
