/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The services memprov sizes, detected once per run before planning: asking the database server
 * its version means spawning it (or dpkg-query), which costs more than all of planning. Modules
 * read the result through ctx->services and never detect again.
 */
#pragma once

#include "apache.h"
#include "mysql.h"
#include "phpfpm.h"

struct services {
        struct db_server db;
        struct web_server web;
        struct php_fpms php;
};

int services_detect(const struct context *ctx, struct services *ret);
