/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "../../lib/config.h"
#include "../../lib/util.h"
#include "../../modules/module.h"
#include "test.h"

static int validate(const struct config *c)
{
        const struct config_key *keys[MEMPROV_KEY_LISTS_MAX];

        memprov_config_keys(keys);
        return config_validate(c, keys);
}

static char *path_in(const char *dir, const char *name)
{
        char *p = NULL;

        if (asprintf(&p, "%s/%s", dir, name) < 0)
                abort();
        return p;
}

/* Shipped defaults < /etc/memprov/memprov.conf < conf.d in lexical order < --set. */
TEST(config_layering)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *etc = NULL, *etc_d = NULL;
        struct config c = {0};

        test_write(dir, "defaults/00-defaults.conf",
                   "[swap]\nsize = auto\npath = /swapfile\n"
                   "[tier 1G]\nswappiness = 30\n");
        test_write(dir, "etc/memprov.conf", "[swap]\nsize = 1G\n");
        test_write(dir, "etc/conf.d/20-b.conf", "[swap]\nsize = 3G\n");
        test_write(dir, "etc/conf.d/10-a.conf",
                   "[swap]\nsize = 2G\npath = /var/swap\n"
                   "[tier 1G]\nswappiness = 5\n");
        test_write(dir, "etc/conf.d/ignored.txt", "[swap]\nsize = 9G\n");
        etc = path_in(dir, "defaults");
        CHECK(config_load_dir(&c, etc) == 0);
        free(etc);
        etc = path_in(dir, "etc/memprov.conf");
        etc_d = path_in(dir, "etc/conf.d");
        CHECK(config_load_file(&c, etc) == 0);
        CHECK(config_load_dir(&c, etc_d) == 0);
        CHECK_STR(config_str(&c, "swap", "size", NULL), "3G");
        CHECK_STR(config_str(&c, "swap", "path", NULL), "/var/swap");
        CHECK_STR(config_str(&c, "tier 1G", "swappiness", NULL), "5");
        CHECK(strstr(config_get(&c, "swap", "size")->origin, "20-b.conf:2") != NULL);
        CHECK(config_set_assignment(&c, "swap.size=4G", "--set") == 0);
        CHECK_U64(config_size(&c, "swap", "size", 0), 4 * GIB);
        CHECK(config_set_assignment(&c, "tier 1G.swappiness=7", "--set") == 0);
        CHECK_U64((uint64_t)config_int(&c, "tier 1G", "swappiness", 0), 7);
        CHECK(config_set_assignment(&c, "tier 1G.php.pm=dynamic", "--set") == 0);
        CHECK_STR(config_str(&c, "tier 1G", "php.pm", NULL), "dynamic");
        CHECK(config_set_assignment(&c, "nodot=1", "--set") < 0);
        CHECK(config_set_assignment(&c, ".key=1", "--set") < 0);
        CHECK(config_set_assignment(&c, "swap.=1", "--set") < 0);
        CHECK(validate(&c) == 0);
        config_done(&c);
        test_rmtree(dir);
}

TEST(config_bad_values_name_file_and_line)
{
        static const char *const bad[] = {
            "[swap]\nsize = lots\n",
            "[swap]\npath = relative/path\n",
            "[swap]\npath = /a/../etc\n",
            "[swap]\nadd = maybe\n",
            "[sysctl]\nswappiness = 201\n",
            "[sysctl]\nswappiness = -1\n",
            "[tier big]\nswap = 1G\n",
            "[memprov]\nenabled = 2\n",
            "[swap]\npath = /with space\n",
            /* the kernel reads 010 as octal 8 and refuses 0099: memprov refuses both */
            "[sysctl]\nswappiness = 010\n",
            "[sysctl]\nswappiness = 0099\n",
            "[sysctl]\nswappiness = +5\n",
            "[tier 1G]\nmysqld.max_connections = 08\n",
            "[oom]\nssh = -0900\n",
            "[oom]\nssh = -0\n",
        };
        _cleanup_free_ char *dir = test_mkdtemp(), *file = path_in(dir, "bad.conf");

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct config c = {0};
                test_write(dir, "bad.conf", bad[i]);
                CHECK(config_load_file(&c, file) == 0);
                CHECK(validate(&c) == -EINVAL);
                config_done(&c);
        }
        test_rmtree(dir);
}

TEST(config_numbers_plain_decimal)
{
        long n;

        CHECK(parse_decimal("0", &n) == 0 && n == 0);
        CHECK(parse_decimal("100", &n) == 0 && n == 100);
        CHECK(parse_decimal("-900", &n) == 0 && n == -900);
        CHECK(parse_decimal("010", &n) < 0);
        CHECK(parse_decimal("00", &n) < 0);
        CHECK(parse_decimal(" 5", &n) < 0);
        CHECK(parse_decimal("5 ", &n) < 0);
        CHECK(parse_decimal("", &n) < 0);
        CHECK(parse_decimal("-", &n) < 0);
        CHECK(parse_decimal("0x10", &n) < 0);
        CHECK(parse_decimal("99999999999999999999", &n) < 0);
        CHECK(check_percent_auto("0") == 0);
        CHECK(check_percent_auto("100") == 0);
        CHECK(check_percent_auto("-0") < 0);
}

TEST(config_syntax_errors)
{
        static const char *const bad[] = {
            "[swap\nsize = 1G\n",
            "[swap]\njust words\n",
        };
        _cleanup_free_ char *dir = test_mkdtemp(), *file = path_in(dir, "bad.conf");
        char longline[5000];

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct config c = {0};
                test_write(dir, "bad.conf", bad[i]);
                CHECK(config_load_file(&c, file) == -EINVAL);
                config_done(&c);
        }
        memset(longline, 'x', sizeof(longline) - 2);
        memcpy(longline, "[swap]\npath=/", 13);
        longline[sizeof(longline) - 2] = '\n';
        longline[sizeof(longline) - 1] = '\0';
        test_write(dir, "bad.conf", longline);
        struct config c = {0};
        CHECK(config_load_file(&c, file) == -EINVAL);
        config_done(&c);
        test_rmtree(dir);
}

TEST(config_unknown_key_is_a_warning)
{
        struct config c = {0};

        config_set(&c, "swap", "sise", "1G", "test:1");
        config_set(&c, "nosuch", "key", "x", "test:2");
        CHECK(validate(&c) == 0);
        config_done(&c);
}

TEST(tier_selection)
{
        struct config c = {0};
        char buf[64];

        config_set(&c, "tier 512M", "swap", "auto", "t");
        config_set(&c, "tier 1G", "swap", "auto", "t");
        config_set(&c, "tier 2G", "swap", "auto", "t");
        config_set(&c, "tier 16G", "swap", "auto", "t");
        CHECK_STR(tier_select(&c, 256 * MIB, buf), "tier 512M");
        CHECK_STR(tier_select(&c, 512 * MIB, buf), "tier 512M");
        CHECK_STR(tier_select(&c, 1 * GIB - 1, buf), "tier 512M");
        CHECK_STR(tier_select(&c, 1 * GIB, buf), "tier 1G");
        CHECK_STR(tier_select(&c, 3 * GIB, buf), "tier 2G");
        CHECK_STR(tier_select(&c, 64 * GIB, buf), "tier 16G");
        config_done(&c);
        CHECK(tier_select(&c, 1 * GIB, buf) == NULL);
}

TEST(abs_path_check)
{
        CHECK(check_abs_path("/swapfile") == 0);
        CHECK(check_abs_path("/var/lib/swap/file.1") == 0);
        CHECK(check_abs_path("swapfile") < 0);
        CHECK(check_abs_path("/") < 0);
        CHECK(check_abs_path("/a/") < 0);
        CHECK(check_abs_path("/a//b") < 0);
        CHECK(check_abs_path("/a/./b") < 0);
        CHECK(check_abs_path("/a/..") < 0);
        CHECK(check_abs_path("/../etc") < 0);
        CHECK(check_abs_path("/a b") < 0);
        CHECK(check_abs_path("/a\tb") < 0);
        CHECK(check_abs_path("/.swap") == 0);
        CHECK(check_abs_path("/..swap") == 0);
}

/* One allocation per setting (lib/config.c setting_fill): a setting replaced with its own
 * strings, a thousand settings past every growth step, origins past the stack buffer. */
TEST(config_settings_storage)
{
        struct config c = {0};
        const struct setting *s;
        char section[32], key[32], path[400];

        config_set(&c, "swap", "size", "1G", "a:1");
        s = config_get(&c, "swap", "size");
        config_set(&c, s->section, s->key, s->value, s->origin);
        s = config_get(&c, "swap", "size");
        CHECK_STR(s->value, "1G");
        CHECK_STR(s->origin, "a:1");
        for (int i = 0; i < 1000; i++) {
                snprintf(section, sizeof(section), "s%d", i % 7);
                snprintf(key, sizeof(key), "k%d", i);
                config_set(&c, section, key, key, "t");
        }
        CHECK_U64(c.n_settings, 1001);
        CHECK_STR(config_str(&c, "s3", "k500", NULL), "k500");
        CHECK_STR(config_str(&c, "s5", "k999", NULL), "k999"); /* 999 % 7 */
        CHECK(config_get(&c, "s0", "k500") == NULL);
        config_done(&c);

        memset(path, 'p', sizeof(path) - 1);
        path[0] = '/';
        path[sizeof(path) - 1] = '\0';
        CHECK(config_parse_text(&c, "# x\n\n[swap]\nsize = 2G\n", 22, path) == 0);
        s = config_get(&c, "swap", "size");
        CHECK(s && strlen(s->origin) == strlen(path) + 2 && streq(s->origin + strlen(path), ":4"));
        config_done(&c);
}

/* config_validate() finds keys through an index: the same key in a plain section and in the
 * tier family, each checked by its own entry. */
TEST(config_validate_same_key_in_two_sections)
{
        struct config c = {0};

        config_set(&c, "sysctl", "swappiness", "35", "t:1");
        config_set(&c, "tier 1G", "swappiness", "auto", "t:2");
        CHECK(validate(&c) == 0);
        config_set(&c, "tier 1G", "swappiness", "201", "t:2");
        CHECK(validate(&c) < 0);
        config_set(&c, "tier 1G", "swappiness", "20", "t:2");
        config_set(&c, "sysctl", "swappiness", "x", "t:1");
        CHECK(validate(&c) < 0);
        config_done(&c);
}
