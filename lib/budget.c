/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "budget.h"
#include "size.h"
#include "util.h"

/* Fitting steps: counts move from floor (0) to wanted (BUDGET_SCALE) together. */
#define BUDGET_SCALE 1000

struct budget_line *budget_add(struct budget *b, const char *id, const char *setting,
                               unsigned wanted, unsigned floor, unsigned step, uint64_t fixed,
                               uint64_t each)
{
        struct budget_line *l;

        if (b->n_lines >= BUDGET_MAX_LINES)
                return NULL;
        l = &b->lines[b->n_lines++];
        step = MAX(step, 1u);
        *l = (struct budget_line){.setting = setting, .step = step, .fixed = fixed, .each = each};
        /* An admin's count below the floor is respected: the floor only limits memprov. */
        l->wanted = MAX(wanted / step * step, step);
        l->floor = MIN((floor + step - 1) / step * step, l->wanted);
        l->count = l->wanted;
        snprintf(l->id, sizeof(l->id), "%s", id);
        return l;
}

uint64_t budget_line_total(const struct budget_line *l)
{
        return l->fixed + (uint64_t)l->count * l->each;
}

uint64_t budget_total(const struct budget *b)
{
        uint64_t sum = b->reserve;

        for (size_t i = 0; i < b->n_lines; i++)
                sum += budget_line_total(&b->lines[i]);
        return sum;
}

static void budget_scale(struct budget *b, unsigned scale)
{
        for (size_t i = 0; i < b->n_lines; i++) {
                struct budget_line *l = &b->lines[i];
                uint64_t extra = (uint64_t)(l->wanted - l->floor) * scale / BUDGET_SCALE;
                l->count = l->floor + (unsigned)(extra / l->step * l->step);
        }
}

/* The largest common scale that fits, found by bisection: totals grow with the scale. */
bool budget_fit(struct budget *b)
{
        unsigned lo = 0, hi = BUDGET_SCALE;

        budget_scale(b, BUDGET_SCALE);
        if (budget_total(b) <= b->ram)
                return b->fits = true;
        while (lo < hi) {
                unsigned mid = (lo + hi + 1) / 2;
                budget_scale(b, mid);
                if (budget_total(b) <= b->ram)
                        lo = mid;
                else
                        hi = mid - 1;
        }
        budget_scale(b, lo);
        return b->fits = budget_total(b) <= b->ram;
}

const struct budget_line *budget_find(const struct budget *b, const char *id)
{
        for (size_t i = 0; i < b->n_lines; i++)
                if (streq(b->lines[i].id, id))
                        return &b->lines[i];
        return NULL;
}

unsigned budget_count(const struct budget *b, const char *id, unsigned def)
{
        const struct budget_line *l = budget_find(b, id);

        return l ? l->count : def;
}

bool service_sizing_enabled(const struct context *ctx)
{
        return config_bool(ctx->config, "services", "enabled", true);
}

uint64_t service_size(const struct context *ctx, const char *key, uint64_t def)
{
        const char *v = tier_value(ctx, key);
        uint64_t n;

        if (!v)
                v = config_str(ctx->config, "budget", key, NULL);
        return v && parse_size(v, &n) == 0 ? n : def;
}

unsigned service_uint(const struct context *ctx, const char *key, unsigned def)
{
        const char *v = tier_value(ctx, key);
        long n;

        if (!v)
                v = config_str(ctx->config, "budget", key, NULL);
        if (!v || check_uint(v) < 0)
                return def;
        n = strtol(v, NULL, 10);
        return (unsigned)n;
}
