/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <limits.h>

#include "../lib/cushion.h"
#include "../lib/log.h"
#include "apache.h"
#include "budget.h"
#include "module.h"
#include "../lib/userdata.h"
#include "mysql.h"
#include "nginx.h"
#include "oom.h"
#include "phpfpm.h"
#include "swap.h"
#include "sysctl.h"
#include "units-files.h"
#include "units.h"
#include "web.h"
#include "zram.h"
#include "zswap.h"

const struct module *const memprov_modules[] = {
    &swap_module,   &zswap_module,      &zram_module,   &sysctl_module, &units_module,
    &budget_module, &mysql_module,      &apache_module, &phpfpm_module, &nginx_module,
    &oom_module,    &web_inputs_module, NULL,
};

/* What a boot run does when RAM or the swapfile's filesystem changed: see init/resize.c. */
static int check_on_resize(const char *v)
{
        return streq(v, "rerun") || streq(v, "report") ? 0 : -EINVAL;
}

static const struct config_key core_keys[] = {
    {"memprov", "enabled", check_bool},
    {"memprov", "on_resize", check_on_resize},
    /* After --rerun, restart services where a reload cannot apply everything: lib/live.h. */
    {"services", "restart", check_bool},
    /* No: no service drop-ins and no budget (lib/budget.h). */
    {"services", "enabled", check_bool},
    /* The provider's allow-list for a user-data swap.path: lib/userdata.h. */
    {"userdata", "swap_folders", check_abs_folder_list},
    {0},
};

/* The core's list, one per module and the terminator must fit: fail the build, not silently. */
_Static_assert(ELEMENTSOF(memprov_modules) + 1 <= MEMPROV_KEY_LISTS_MAX,
               "raise MEMPROV_KEY_LISTS_MAX");

void memprov_config_keys(const struct config_key *lists[static MEMPROV_KEY_LISTS_MAX])
{
        size_t n = 0;

        lists[n++] = core_keys;
        for (size_t i = 0; memprov_modules[i]; i++)
                if (memprov_modules[i]->keys)
                        lists[n++] = memprov_modules[i]->keys;
        lists[n] = NULL;
}

int services_detect(const struct context *ctx, struct services *ret)
{
        struct services s = {0};
        int r;

        for (size_t i = 0; memprov_modules[i]; i++)
                if (memprov_modules[i]->detect) {
                        r = memprov_modules[i]->detect(ctx, &s);
                        if (r < 0)
                                return r;
                }
        /* Whether a web server's unit is enabled is the units module's reading (units-files.c);
         * the web modules do not include another module's header, so it is asked here, once
         * every module has detected. Only enabled web servers are budgeted and sized. */
        if (s.web.installed)
                s.web.enabled =
                    unit_enabled(ctx->rootfd, s.web.debian ? "apache2.service" : "httpd.service");
        if (s.nginx.installed)
                s.nginx.enabled = unit_enabled(ctx->rootfd, "nginx.service");
        *ret = s;
        return 0;
}

/* The RAM zswap's pool may hold where zswap will sit in front of the disk swap this machine
 * will have (swap_expected_bytes, as the burst bound counts it), else 0. */
static uint64_t zswap_pool_bytes(const struct context *ctx, uint64_t swap, uint64_t zram)
{
        _cleanup_(cushion_done) struct cushion c = {0};

        if (cushion_decide_swap(ctx, swap > zram, &c) < 0 || !c.zswap_pool_percent)
                return 0;
        return ctx->facts->ram_bytes / 100 * c.zswap_pool_percent;
}

/* The model's constants: [model] in conf.d (20-services.conf names the source of each). */
static struct budget_model budget_model(const struct context *ctx)
{
        const struct config *c = ctx->config;
        uint64_t swap = swap_expected_bytes(ctx), present = zram_present_bytes(ctx);
        uint64_t zram = zram_budget_bytes(ctx, swap > present);

        /* The zram live this boot after the run, in place of the present device's. */
        if (zram != present)
                swap = swap - MIN(present, swap) + zram;

        return (struct budget_model){
            .vcpus = MAX(ctx->facts->vcpus, 1u),
            .children_per_vcpu = (unsigned)config_int(c, "model", "php.children_per_vcpu", 4),
            .steady_percent = (unsigned)MIN(config_int(c, "model", "steady_percent", 90), 100),
            .burst_percent = (unsigned)MIN(config_int(c, "model", "burst_percent", 25), 100),
            .swap_percent = (unsigned)MIN(config_int(c, "model", "burst_swap_percent", 25), 100),
            .swap = swap,
            .zram = zram,
            .zswap_pool = zswap_pool_bytes(ctx, swap, zram),
            .compression_ratio = (unsigned)MIN(config_int(c, "model", "compression_ratio", 2), 100),
            .connection_reserve = (unsigned)config_int(c, "model", "connection_reserve", 10),
            .page_ms = (unsigned)MIN(config_int(c, "model", "php.page_ms", 250), (long)UINT_MAX),
        };
}

#define ALIAS_TARGET_MS "apache.proxy_fcgi.target_latency_ms"

unsigned php_target_ms(const struct context *ctx)
{
        long v = config_get(ctx->config, "services", ALIAS_TARGET_MS)
                     ? config_int(ctx->config, "services", ALIAS_TARGET_MS, 10000)
                     : config_int(ctx->config, "model", "php.target_latency_ms", 10000);

        return v < 0 ? 10000u : (unsigned)MIN(v, (long)UINT_MAX);
}

unsigned php_wait_ms(const struct context *ctx)
{
        unsigned target = php_target_ms(ctx);
        long v = config_int(ctx->config, "model", "php.page_ms", 250);
        unsigned page = v < 1 ? 1u : (unsigned)MIN(v, (long)UINT_MAX);

        if (target == 0)
                return 0;
        /* A target within one page still lets a request wait one page (Apache's acquire too). */
        return target > page ? target - page : page;
}

unsigned nginx_wait_ms(const struct context *ctx)
{
        const char *wait = tier_value(ctx, "nginx.fastcgi_wait");

        return wait ? (unsigned)atoi(wait) * 1000 : php_wait_ms(ctx);
}

int budget_compute(const struct context *ctx, struct budget *ret)
{
        int r;

        *ret = (struct budget){
            .ram = ctx->facts->ram_bytes,
            .reserve = service_size(ctx, "os_reserve", 128 * MIB),
            .model = budget_model(ctx),
        };
        for (size_t i = 0; memprov_modules[i]; i++)
                if (memprov_modules[i]->budget) {
                        r = memprov_modules[i]->budget(ctx, ret);
                        if (r < 0)
                                return r;
                }
        /* nginx, where its unit is enabled (the multi-user.target.wants link, in the image under
         * --root): its master and worker_processes workers ("auto": the vCPUs). An nginx that is
         * installed but not enabled (an Apache host with nginx-common pulled in, or a LEMP image
         * whose first boot has not switched it on) runs no process at boot and costs nothing. */
        if (ctx->services->nginx.enabled) {
                unsigned workers = ctx->services->nginx.worker_processes ?: ret->model.vcpus;
                struct budget_line *l =
                    budget_add(ret, "nginx", NULL, 1, 1, 1,
                               service_size(ctx, "nginx.base", 1 * MIB) +
                                   (uint64_t)workers * service_size(ctx, "nginx.worker", 3 * MIB),
                               0);
                if (l)
                        snprintf(l->service, sizeof(l->service), "nginx (%u workers)", workers);
        }
        /* Other installed and enabled consumers, each at its cost from conf.d/25-consumers.conf
         * (measured idle, or named there). */
        for (size_t i = 0; i < ctx->services->n_consumers; i++) {
                const struct consumer *c = &ctx->services->consumers[i];
                struct budget_line *l = budget_add(ret, c->name, NULL, 1, 1, 1, c->cost, 0);
                if (l)
                        snprintf(l->service, sizeof(l->service), "%s", c->name);
        }
        budget_fit(ret);
        return 0;
}

void modules_unstage(const struct context *ctx)
{
        for (size_t i = 0; memprov_modules[i]; i++)
                if (memprov_modules[i]->unstage)
                        memprov_modules[i]->unstage(ctx);
}

const struct module *module_for_action(enum action_type type)
{
        for (size_t i = 0; memprov_modules[i]; i++)
                if (memprov_modules[i]->action_types & (1u << type))
                        return memprov_modules[i];
        return NULL;
}

const char *memprov_swap_path(const struct config *config)
{
        struct swap_settings set;

        return swap_settings_config(config, NULL, &set) < 0 ? NULL : set.path;
}

const char *memprov_swap_recorded(const struct config *state, uint64_t *ret_size)
{
        return swap_recorded(state, ret_size);
}
