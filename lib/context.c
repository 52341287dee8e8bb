/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "context.h"

const char *tier_value(const struct context *ctx, const char *key)
{
        return ctx->tier ? config_str(ctx->config, ctx->tier, key, NULL) : NULL;
}
