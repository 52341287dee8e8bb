/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nginx in front of PHP-FPM (issue 23): a request that cannot reach a PHP child within a bound is
 * refused at once instead of waiting for fastcgi_read_timeout (60 s). Two halves, both in files
 * memprov owns, never the admin's server blocks:
 * - unix sockets (Debian's and EL's pools): nginx connects without blocking, and Linux answers a
 *   connect to a unix socket whose listen queue is full with EAGAIN at once (unix_stream_connect()
 *   with a zero send timeout); nginx takes that as a refused connect (ngx_event_connect_peer():
 *   "Linux returns EAGAIN instead of ECONNREFUSED for unix sockets if listen queue is full") and
 *   answers 502 at once. So the bound is the queue: phpfpm.c gives the pools nginx uses a
 *   listen.backlog of about the requests their children serve within the wait (not PHP-FPM's 511).
 * - TCP (listen = 127.0.0.1:9000): a full queue drops the SYN and connect() waits for the
 *   retransmissions; fastcgi_connect_timeout bounds that wait (nginx.org ngx_http_fastcgi_module:
 *   "Defines a timeout for establishing a connection with a FastCGI server. ... cannot usually
 *   exceed 75 seconds"; default 60s), after which nginx answers 504.
 * fastcgi_connect_timeout is valid in http, server and location; written at http level (conf.d is
 * included there), so an admin's own value in a server or location wins. fastcgi_read_timeout is
 * left alone: it bounds each read of a running request, and WordPress's updates run for minutes.
 * nginx answers 502/504, not Apache's 503: it has no directive that sets the status of a refused
 * upstream connect, and an http-level error_page would send the request to a URI of the admin's
 * sites (WordPress's try_files hands unknown URIs back to PHP).
 */
#include "../lib/live.h"
#include "../lib/log.h"
#include "nginx.h"

static int nginx_plan(const struct context *ctx, struct plan *p)
{
        const struct nginx_server *n = &ctx->services->nginx;
        unsigned wait_ms = nginx_wait_ms(ctx), wait;
        struct action *a;

        if (!n->installed || !service_sizing_enabled(ctx) || wait_ms == 0)
                return 0;
        /* Whole seconds, 1 to 75 ("cannot usually exceed 75 seconds"), rounded up. */
        wait = MIN(MAX((wait_ms + 999) / 1000, 1u), 75u);
        if (!n->conf_d_in_http) {
                plan_note(p,
                          "nginx: /etc/nginx/nginx.conf does not include /etc/nginx/conf.d/ in "
                          "http {}; %s not written (fastcgi_connect_timeout stays nginx's)",
                          NGINX_SNIPPET);
                return 0;
        }
        a = plan_add_file(p, "nginx", NGINX_SNIPPET, 0644,
                          managed_file("#",
                                       "# A PHP-FPM pool that accepts no connection within %us: "
                                       "504 then, not after 60s.\n"
                                       "fastcgi_connect_timeout %us;\n",
                                       wait, wait));
        a->note = xasprintf("fastcgi_connect_timeout %us (nginx's default 60s): the wait for a PHP "
                            "child, php.target_latency_ms less php.page_ms%s",
                            wait,
                            tier_value(ctx, "nginx.fastcgi_wait") ? " (nginx.fastcgi_wait "
                                                                    "overrides it)"
                                                                  : "");
        /* After --rerun: nginx re-reads its configuration on reload (SIGHUP, Debian's and EL's
         * ExecReload), gracefully. */
        if (live_wanted(ctx) && live_file_changes(ctx, a, NULL))
                live_plan_unit(p, "nginx", a, "nginx.service", UNIT_RELOAD)->note =
                    xstrdup("nginx reloads gracefully: new connections get the new timeout");
        return 0;
}

/* nginx: "Default: fastcgi_connect_timeout 60s;", and "cannot usually exceed 75 seconds". */
static int check_wait(const char *v)
{
        return check_uint(v) == 0 && atoi(v) >= 1 && atoi(v) <= 75 ? 0 : -EINVAL;
}

static const struct config_key nginx_keys[] = {
    {"tier", "nginx.fastcgi_wait", check_wait},
    {"model", "php.page_ms", check_uint},
    {0},
};

const struct module nginx_module = {
    .name = "nginx",
    .keys = nginx_keys,
    .plan = nginx_plan,
};
