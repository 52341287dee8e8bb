/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Configuration an admin can trust (issue 20 item 6): the README's inline comments, sizes with a
 * unit, what is valid and "did you mean", /dev/null masks, --cat-config's origins. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/config.h"
#include "../../lib/util.h"
#include "../../modules/module.h"
#include "../../modules/units.h"
#include "test.h"

static int validate(const struct config *c)
{
        const struct config_key *keys[MEMPROV_KEY_LISTS_MAX];

        memprov_config_keys(keys);
        return config_validate(c, keys);
}

static const struct config_key *key(const char *section, const char *name)
{
        const struct config_key *keys[MEMPROV_KEY_LISTS_MAX];

        memprov_config_keys(keys);
        return config_key_lookup(keys, section, name);
}

static char *path_in(const char *dir, const char *name)
{
        char *p = NULL;

        if (asprintf(&p, "%s/%s", dir, name) < 0)
                abort();
        return p;
}

/* The README's example as written: "size = 2G            # auto ..." is 2G. */
TEST(config_inline_hash_comments)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *file = path_in(dir, "local.conf");
        struct config c = {0};

        test_write(
            dir, "local.conf",
            "[swap]\nsize = 2G            # auto (the policy), none, or a size\n"
            "path = /swapfile\n[tier 1G]            # one value\nphp.max_children = 6\t# six\n"
            "[units]\nkeep = postgres      # never disable PostgreSQL\n");
        CHECK(config_load_file(&c, file) == 0);
        CHECK_STR(config_str(&c, "swap", "size", NULL), "2G");
        CHECK_STR(config_str(&c, "tier 1G", "php.max_children", NULL), "6");
        CHECK_STR(config_str(&c, "units", "keep", NULL), "postgres");
        CHECK(validate(&c) == 0);
        config_done(&c);
        /* memprov's own records keep every byte. */
        CHECK(config_parse_text(&c, "[files]\n/a = x #y\n", 18, "state") == 0);
        CHECK_STR(config_str(&c, "files", "/a", NULL), "x #y");
        config_done(&c);
        test_rmtree(dir);
}

TEST(config_size_needs_a_unit)
{
        static const char *const cases[][2] = {
            {"2048", "-"}, {"2048M", "ok"}, {"0", "ok"}, {"none", "ok"}, {"2G", "ok"},
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct config c = {0};
                config_set(&c, "swap", "size", cases[i][0], "test:1");
                CHECK((validate(&c) == 0) == streq(cases[i][1], "ok"));
                config_done(&c);
        }
}

TEST(config_did_you_mean)
{
        static const char *const groups[] = {"auto", "none", "postgres", "proftpd", NULL};
        static const char *const sections[] = {"swap", "sysctl", "units", NULL};
        const char *const *values = NULL;
        const struct config_key *k;

        CHECK_STR(config_nearest("postgresql", groups, 4), "postgres");
        CHECK_STR(config_nearest("swapp", sections, 3), "swap");
        CHECK_STR(config_nearest("unit", sections, 3), "units");
        CHECK(config_nearest("nginx", groups, 4) == NULL);
        CHECK(config_nearest("postgres", groups, 4) == NULL); /* valid: no suggestion */
        /* Every key a module checks itself says what it accepts. */
        k = key("units", "keep");
        CHECK(k && config_key_valid(k, &values) && values);
        /* The words offered for units are words check_unit_selection takes. */
        for (size_t i = 0; values && values[i]; i++)
                CHECK(check_unit_selection(values[i]) == 0);
        k = key("swap", "add");
        CHECK(k && strstr(config_key_valid(k, &values), "yes or no"));
        k = key("memprov", "on_resize");
        CHECK(k && strstr(config_key_valid(k, &values), "rerun or report"));
}

/* A link to /dev/null in /etc/memprov/conf.d masks the shipped file of that name. */
TEST(config_dev_null_masks)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *shipped = path_in(dir, "usr"),
                            *mask = path_in(dir, "etc/memprov/conf.d/30-units.conf");
        _cleanup_close_ int rootfd = -1;
        struct config c = {0};
        char **masks;

        test_write(dir, "usr/00-defaults.conf", "[swap]\nsize = auto\n");
        test_write(dir, "usr/30-units.conf", "[units]\ndisable = auto\n");
        test_write(dir, "etc/memprov/conf.d/10-local.conf", "[swap]\nsize = 1G\n");
        CHECK(symlink("/dev/null", mask) == 0);
        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        masks = config_root_dir_masks(rootfd, "/etc/memprov/conf.d");
        CHECK(masks[0] && streq(masks[0], "30-units.conf") && !masks[1]);
        CHECK(config_load_dir_masked(&c, shipped, masks) == 0);
        CHECK(config_load_root_dir(&c, rootfd, dir, "/etc/memprov/conf.d") == 0);
        CHECK(config_get(&c, "units", "disable") == NULL);
        CHECK_STR(config_str(&c, "swap", "size", NULL), "1G");
        config_masks_free(masks);
        config_done(&c);
        test_rmtree(dir);
}

TEST(config_print_origins)
{
        struct config c = {0};
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        config_set(&c, "swap", "size", "auto", "/usr/lib/memprov/00-defaults.conf:3");
        config_set(&c, "sysctl", "swappiness", "20", "/etc/memprov/memprov.conf:2");
        config_set(&c, "swap", "size", "2G", "user-data memprov.swap.size");
        config_set(&c, "swap", "add", "yes", "--set");
        config_print(&c, f);
        fclose(f);
        CHECK_STR(text, "[swap]\nsize = 2G  # user-data memprov.swap.size\nadd = yes  # --set\n"
                        "\n[sysctl]\nswappiness = 20  # /etc/memprov/memprov.conf:2\n");
        free(text);
        config_done(&c);
}
