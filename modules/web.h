/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The web tier's inputs as memprov read them (issue 18): nginx's detection (nginx has no module
 * of its own yet; issue 23 writes its drop-ins), and for --dry-run the PHP-FPM masters and pools,
 * Apache's MPM and mod_php, and nginx in --json's "inputs" ("php", "apache", "nginx"), each value
 * with its source and origin FILE:LINE, with notes in the text plan where a value is the admin's
 * or could not be read.
 */
#pragma once

#include "module.h"

/* web-nginx.c: installed, enabled, worker_processes, worker_connections. */
int nginx_detect(const struct context *ctx, struct services *services);
/* nginx's configuration syntax, the main context's worker_processes and the events block's
 * worker_connections; vcpus stands for "auto". Exposed for the tests. */
void nginx_parse_conf(const char *text, const char *path, unsigned vcpus, struct nginx_server *ret);

extern const struct module web_inputs_module;
