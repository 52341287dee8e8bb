/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nginx's back-pressure to PHP-FPM, in a file of memprov's own (issue 23). */
#pragma once

#include "module.h"

/* Debian's and EL's nginx.conf include conf.d/ (every *.conf file) inside http {}. */
#define NGINX_SNIPPET "/etc/nginx/conf.d/memprov.conf"

extern const struct module nginx_module;
