/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shipped tier table above 16G follows the scaling rule written next to it
 * (conf.d/20-services.conf): its own tiers, not the 16G values, with every key 16G sets.
 */
#include "../../lib/config.h"
#include "../../lib/size.h"
#include "../../lib/util.h"
#include "test.h"

static uint64_t tier_size_value(const struct config *c, const char *tier, const char *key)
{
        return config_size(c, tier, key, 0);
}

TEST(tiers_above_16g_have_their_own_values)
{
        struct config c = {0};
        char buf[64];

        CHECK(config_load_dir(&c, "conf.d") == 0);
        CHECK_STR(tier_select(&c, 32 * GIB, buf), "tier 32G");
        CHECK_STR(tier_select(&c, 48 * GIB, buf), "tier 32G");
        CHECK_STR(tier_select(&c, 64 * GIB, buf), "tier 64G");
        CHECK_STR(tier_select(&c, 256 * GIB, buf), "tier 64G");
        /* The database's quarter of RAM; the OS reserve an eighth, from 2G on. */
        for (uint64_t g = 16; g <= 64; g *= 2) {
                char tier[32];
                snprintf(tier, sizeof(tier), "tier %" PRIu64 "G", g);
                CHECK_U64(tier_size_value(&c, tier, "mysqld.innodb_buffer_pool_size"), g * GIB / 4);
                CHECK_U64(tier_size_value(&c, tier, "os_reserve"), g * GIB / 8);
        }
        /* Capacity doubles per doubling of RAM (prefork x1.6); connections stay at 300. */
        CHECK(config_int(&c, "tier 32G", "php.max_children", 0) ==
              2 * config_int(&c, "tier 16G", "php.max_children", 0));
        CHECK(config_int(&c, "tier 64G", "php.max_children", 0) ==
              2 * config_int(&c, "tier 32G", "php.max_children", 0));
        CHECK(config_int(&c, "tier 64G", "apache.event.MaxRequestWorkers", 0) ==
              4 * config_int(&c, "tier 16G", "apache.event.MaxRequestWorkers", 0));
        CHECK(config_int(&c, "tier 64G", "apache.prefork.MaxRequestWorkers", 0) >
              config_int(&c, "tier 32G", "apache.prefork.MaxRequestWorkers", 0));
        CHECK(config_int(&c, "tier 64G", "mysqld.max_connections", 0) == 300);
        config_done(&c);
}

TEST(tiers_above_16g_set_every_key_16g_sets)
{
        struct config c = {0};

        CHECK(config_load_dir(&c, "conf.d") == 0);
        for (size_t i = 0; i < c.n_settings; i++) {
                const struct setting *s = &c.settings[i];
                if (!streq(s->section, "tier 16G"))
                        continue;
                if (!config_get(&c, "tier 32G", s->key) || !config_get(&c, "tier 64G", s->key))
                        fprintf(stderr, "  tier 32G or 64G lacks %s\n", s->key);
                CHECK(config_get(&c, "tier 32G", s->key) && config_get(&c, "tier 64G", s->key));
        }
        config_done(&c);
}
