/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>

#include "../../lib/cloudinit.h"
#include "../../lib/util.h"
#include "../../modules/module.h"
#include "test.h"

#define FIXTURES "tests/fixtures/cloud-init"

static char *slurp(const char *path, size_t *size)
{
        FILE *f = fopen(path, "re");
        char *buf = calloc(1, 65536);
        size_t n;

        if (!f || !buf)
                abort();
        n = fread(buf, 1, 65535, f);
        fclose(f);
        if (size)
                *size = n;
        return buf;
}

static const struct config_key *const *keys(void)
{
        static const struct config_key *lists[MEMPROV_KEY_LISTS_MAX];

        memprov_config_keys(lists);
        return lists;
}

static int validate(const struct config *c)
{
        return config_validate(c, keys());
}

static int parse_yaml(const char *text, struct config *c)
{
        return cloudinit_parse_yaml(text, strlen(text), "test.yaml", keys(), c);
}

static void check_fixture_settings(const struct config *c)
{
        CHECK_STR(config_str(c, "memprov", "enabled", NULL), "true");
        CHECK_STR(config_str(c, "swap", "size", NULL), "2G");
        CHECK_STR(config_str(c, "swap", "path", NULL), "/swapfile");
        CHECK_STR(config_str(c, "sysctl", "swappiness", NULL), "15");
        CHECK_STR(config_str(c, "units", "disable", NULL), "auto exim4.service");
        CHECK_STR(config_str(c, "units", "keep", NULL), "postgres bind");
        CHECK_STR(config_str(c, "tier 1G", "swappiness", NULL), "20");
        CHECK_STR(config_str(c, "tier 1G", "units.disable", NULL), "proftpd clamav");
        CHECK_STR(config_get(c, "units", "keep")->origin, "user-data memprov.units.keep");
        CHECK_STR(config_get(c, "memprov", "enabled")->origin, "user-data memprov.enabled");
        CHECK(config_get(c, "memprov", "hostname") == NULL);
}

/* cloud-init's JSON rendering and the YAML it came from give the same settings. */
TEST(cloudinit_json_and_yaml_agree)
{
        _cleanup_free_ char *json = slurp(FIXTURES "/combined-cloud-config.json", NULL);
        size_t size;
        _cleanup_free_ char *yaml = slurp(FIXTURES "/cloud-config.txt", &size);
        struct config a = {0}, b = {0};

        CHECK(cloudinit_parse_json(json, "json", keys(), &a) == 0);
        CHECK(cloudinit_parse_yaml(yaml, size, "yaml", keys(), &b) == 0);
        check_fixture_settings(&a);
        check_fixture_settings(&b);
        CHECK_U64(a.n_settings, b.n_settings);
        for (size_t i = 0; i < a.n_settings; i++) {
                const struct setting *s = &a.settings[i];
                CHECK_STR(config_str(&b, s->section, s->key, NULL), s->value);
        }
        CHECK(validate(&a) == 0);
        config_done(&a);
        config_done(&b);
}

TEST(cloudinit_yaml_scalars_as_cloud_init_reads_them)
{
        struct config c = {0};

        CHECK(parse_yaml("memprov:\n  enabled: off\n  swap: {add: 'yes', size: \"no\"}\n", &c) ==
              0);
        CHECK_STR(config_str(&c, "memprov", "enabled", NULL), "false");
        CHECK_STR(config_str(&c, "swap", "add", NULL), "yes");
        CHECK_STR(config_str(&c, "swap", "size", NULL), "no");
        config_done(&c);
        /* No memprov: key, an empty document: nothing, and no error. */
        CHECK(parse_yaml("#cloud-config\npackages: [htop]\n", &c) == 0);
        CHECK(parse_yaml("", &c) == 0);
        CHECK(cloudinit_parse_json("{\"packages\": []}", "json", keys(), &c) == 0);
        CHECK_U64(c.n_settings, 0);
}

/* Each bad input: an error, either reading it (and then the configuration is exactly as it
 * was: no half-read layer) or validating it (and then memprov stops before planning). */
static void check_rejected_yaml(const char *text)
{
        struct config c = {0};
        int r;

        config_set(&c, "swap", "size", "1G", "before");
        r = parse_yaml(text, &c);
        if (r < 0) {
                CHECK_U64(c.n_settings, 1);
                CHECK_STR(config_str(&c, "swap", "size", NULL), "1G");
        } else if (validate(&c) >= 0) {
                test_current->failures++;
                fprintf(stderr, "  accepted: %s\n", strchr(text, '\n') + 1);
        }
        test_current->checks++;
        config_done(&c);
}

TEST(cloudinit_bad_userdata_rejected)
{
        /* not a mapping */
        check_rejected_yaml("memprov: 5\n");
        check_rejected_yaml("memprov: [a, b]\n");
        check_rejected_yaml("memprov:\n");
        check_rejected_yaml("- memprov\n");
        /* wrong types, nested too deep */
        check_rejected_yaml("memprov:\n  swap:\n    size: {value: 2G}\n");
        check_rejected_yaml("memprov:\n  swap:\n    size:\n");
        check_rejected_yaml("memprov:\n  units:\n    disable: [[proftpd]]\n");
        check_rejected_yaml("memprov:\n  units:\n    disable: [{a: [[[[[[b]]]]]]}]\n");
        check_rejected_yaml("memprov:\n  enabled: [yes]\n");
        check_rejected_yaml("memprov:\n  swap:\n    size: [2G]\n");
        check_rejected_yaml("memprov:\n  enabled: maybe\n");
        check_rejected_yaml("memprov:\n  swap:\n    size: 2G\n  ? [complex]\n  : key\n");
        /* unknown service names, names with slashes or newlines */
        check_rejected_yaml("memprov:\n  units:\n    disable: [proftpd, nosuchgroup]\n");
        check_rejected_yaml("memprov:\n  units:\n    keep: [../../etc/passwd]\n");
        check_rejected_yaml("memprov:\n  units:\n    disable: \"clamav\\nbind\"\n");
        check_rejected_yaml("memprov:\n  units:\n    disable: |\n      clamav\n      bind\n");
        check_rejected_yaml("memprov:\n  units:\n    disable: [\"clamav bind\"]\n");
        check_rejected_yaml("memprov:\n  unit-groups:\n    bind: [/etc/named.service]\n");
        check_rejected_yaml("memprov:\n  etc/passwd:\n    x: 1\n");
        check_rejected_yaml("memprov:\n  swap:\n    \"size = 1G\\n[x]\": 1\n");
        /* sizes out of range */
        check_rejected_yaml("memprov:\n  swap:\n    size: 99999999999999T\n");
        check_rejected_yaml("memprov:\n  swap:\n    size: -1G\n");
        check_rejected_yaml("memprov:\n  sysctl:\n    swappiness: 201\n");
        /* not YAML at all */
        check_rejected_yaml("memprov: {swap: [\n");
}

TEST(cloudinit_bad_json_rejected)
{
        static const char *const bad[] = {
            "{\"memprov\": \"yes\"}",
            "{\"memprov\": {\"swap\": {\"size\": null}}}",
            "{\"memprov\": {\"swap\": {\"size\": {\"a\": 1}}}}",
            "{\"memprov\": {\"units\": {\"keep\": [\"bind\", [\"x\"]]}}}",
            "{\"memprov\": {\"units\": {\"keep\": \"bi\\u0000nd\"}}}",
            "{\"memprov\": {\"swap\": {\"path\": \"/swap\\nfile\"}}}",
            "{\"memprov\": {\"units\": {\"disable\": [\"nosuchgroup\"]}}}",
            "[1, 2]",
            "{\"memprov\": ",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct config c = {0};
                int r = cloudinit_parse_json(bad[i], "json", keys(), &c);
                if (r == 0)
                        r = validate(&c);
                CHECK(r < 0);
                config_done(&c);
        }
}

TEST(cloudinit_unknown_keys_warn_only)
{
        struct config c = {0};

        CHECK(parse_yaml("memprov:\n  colour: blue\n  swap:\n    flavour: big\n  nosuch:\n"
                         "    k: v\n",
                         &c) == 0);
        CHECK(validate(&c) == 0);
        CHECK_STR(config_str(&c, "swap", "flavour", NULL), "big");
        config_done(&c);
}

/* A known section given a value (or a [memprov] key given a mapping) is a wrong type: an error
 * while reading, as the README says, not an unknown key that only warns. */
TEST(cloudinit_wrong_types_are_errors)
{
        static const char *const bad[] = {
            "memprov:\n  swap: 2G\n",   "memprov:\n  sysctl: [10]\n",    "memprov:\n  units:\n",
            "memprov:\n  tier 1G: 5\n", "memprov:\n  enabled: {a: 1}\n",
        };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct config c = {0};
                CHECK(parse_yaml(bad[i], &c) < 0);
                CHECK_U64(c.n_settings, 0);
                config_done(&c);
        }
}

static char *nested(size_t levels, const char *open, const char *inner, const char *close)
{
        size_t lo = strlen(open), lc = strlen(close), li = strlen(inner);
        char *s = malloc(32 + levels * (lo + lc) + li), *p;

        if (!s)
                abort();
        p = stpcpy(s, "memprov:\n  swap: ");
        for (size_t i = 0; i < levels; i++)
                p = stpcpy(p, open);
        p = stpcpy(p, inner);
        for (size_t i = 0; i < levels; i++)
                p = stpcpy(p, close);
        stpcpy(p, "\n");
        return s;
}

/* The nesting limit applies while parsing (libyaml's loader is quadratic in the depth): 100k
 * levels are one error; 30 levels outside any setting still parse. */
TEST(cloudinit_yaml_nesting_limit)
{
        _cleanup_free_ char *flow = nested(100000, "[", "x", "]");
        _cleanup_free_ char *maps = nested(100000, "{a: ", "1", "}");
        _cleanup_free_ char *ok = nested(30, "[", "x", "]");
        struct config c = {0};

        CHECK(parse_yaml(flow, &c) < 0);
        CHECK(parse_yaml(maps, &c) < 0);
        CHECK_U64(c.n_settings, 0);
        memcpy(ok, "whatever", 7); /* "memprov" -> "whateve": not memprov's key */
        CHECK(parse_yaml(ok, &c) == 0);
        CHECK_U64(c.n_settings, 0);
        config_done(&c);
}

/* Aliases share the anchored node: a billion laughs costs what its text costs. */
TEST(cloudinit_yaml_aliases)
{
        struct config c = {0};

        CHECK(parse_yaml("size: &s 2G\ng: &g [proftpd, bind]\nmemprov:\n  swap: {size: *s}\n"
                         "  units: {disable: *g}\n",
                         &c) == 0);
        CHECK_STR(config_str(&c, "swap", "size", NULL), "2G");
        CHECK_STR(config_str(&c, "units", "disable", NULL), "proftpd bind");
        config_done(&c);
        CHECK(parse_yaml("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a]\n"
                         "c: &c [*b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c]\n"
                         "e: &e [*d, *d, *d, *d, *d, *d]\nmemprov:\n  units: {disable: *e}\n",
                         &c) < 0);
        CHECK(parse_yaml("memprov: &m {swap: *m}\n", &c) < 0);
        CHECK(parse_yaml("memprov: {swap: {size: *nosuch}}\n", &c) < 0);
        CHECK_U64(c.n_settings, 0);
        config_done(&c);
}

/* Defaults < /etc < user-data < --set, each layer replacing the earlier value. */
TEST(cloudinit_precedence)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *etc = NULL;
        _cleanup_close_ int rootfd = -1;
        struct config c = {0};

        test_write(dir, "etc/memprov/memprov.conf",
                   "[swap]\nsize = 1G\npath = /etc-swap\n"
                   "[sysctl]\nswappiness = 40\n");
        test_write(dir, "run/cloud-init/combined-cloud-config.json",
                   "{\"memprov\": {\"swap\": {\"size\": \"3G\"}, \"sysctl\": "
                   "{\"swappiness\": 50}}}");
        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        etc = xasprintf("%s/etc/memprov/memprov.conf", dir);
        config_set(&c, "swap", "size", "auto", "defaults");
        config_set(&c, "swap", "add", "no", "defaults");
        CHECK(config_load_file(&c, etc) == 0);
        CHECK(cloudinit_load_userdata(rootfd, dir, keys(), &c) == 0);
        CHECK(config_set_assignment(&c, "sysctl.swappiness=60", "--set") == 0);
        CHECK_STR(config_str(&c, "swap", "add", NULL), "no");
        CHECK_STR(config_str(&c, "swap", "path", NULL), "/etc-swap");
        CHECK_STR(config_str(&c, "swap", "size", NULL), "3G");
        CHECK_STR(config_get(&c, "swap", "size")->origin, "user-data memprov.swap.size");
        CHECK_STR(config_str(&c, "sysctl", "swappiness", NULL), "60");
        config_done(&c);
        test_rmtree(dir);
}

static const char *link_cfg(const char *dir)
{
        static char path[4096];

        snprintf(path, sizeof(path), "%s/var/lib/cloud/instance/cloud-config.txt", dir);
        return path;
}

/* Without the JSON (cloud-init < 23.3), the YAML behind the instance link. */
TEST(cloudinit_yaml_through_instance_link)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *link = NULL;
        _cleanup_close_ int rootfd = -1;
        struct config c = {0};

        test_write(dir, "var/lib/cloud/instances/i-1/cloud-config.txt",
                   "memprov:\n  swap:\n    size: 2G\n");
        test_write(dir, "etc/secret/cloud-config.txt", "memprov:\n  swap:\n    size: 9G\n");
        link = xasprintf("%s/var/lib/cloud/instance", dir);
        CHECK(symlink("/var/lib/cloud/instances/i-1", link) == 0);
        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        CHECK(cloudinit_load_userdata(rootfd, dir, keys(), &c) == 0);
        CHECK_STR(config_str(&c, "swap", "size", NULL), "2G");
        config_done(&c);
        /* A link anywhere but instances/ID is refused, not followed. */
        CHECK(unlink(link) == 0 && symlink("../../../etc/secret", link) == 0);
        CHECK(cloudinit_load_userdata(rootfd, dir, keys(), &c) < 0);
        CHECK(unlink(link) == 0 && symlink("instances/../../../../etc/secret", link) == 0);
        CHECK(cloudinit_load_userdata(rootfd, dir, keys(), &c) < 0);
        CHECK_U64(c.n_settings, 0);
        /* No cloud-init at all: nothing, no error. */
        CHECK(unlink(link) == 0);
        CHECK(cloudinit_load_userdata(rootfd, dir, keys(), &c) == 0);
        config_done(&c);
        /* A real directory instead of the link is read in place. */
        test_write(dir, "var/lib/cloud/instance/cloud-config.txt",
                   "memprov:\n  swap:\n    size: 3G\n");
        CHECK(cloudinit_load_userdata(rootfd, dir, keys(), &c) == 0);
        CHECK_STR(config_str(&c, "swap", "size", NULL), "3G");
        config_done(&c);
        /* ... but not through a symlink inside it. */
        CHECK(unlink(link_cfg(dir)) == 0 &&
              symlink("/etc/secret/cloud-config.txt", link_cfg(dir)) == 0);
        CHECK(cloudinit_load_userdata(rootfd, dir, keys(), &c) < 0);
        CHECK_U64(c.n_settings, 0);
        test_rmtree(dir);
}

/* A regular file where cloud-init keeps its link: an error that says what is there. */
TEST(cloudinit_instance_that_is_a_file)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        _cleanup_close_ int rootfd = -1;
        struct config c = {0};

        test_write(dir, "var/lib/cloud/instance", "not a directory\n");
        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        CHECK(cloudinit_load_userdata(rootfd, dir, keys(), &c) < 0);
        CHECK_U64(c.n_settings, 0);
        test_rmtree(dir);
}

TEST(cloudinit_instance_id_decides_first_boot)
{
        _cleanup_free_ char *dir = test_mkdtemp(),
                            *json = slurp(FIXTURES "/instance-data.json", NULL);
        _cleanup_close_ int rootfd = -1;
        struct cloudinit_meta m = {0};
        struct config state = {0}, fresh = {0};

        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        cloudinit_read_meta(rootfd, dir, &m);
        CHECK(m.instance_id == NULL);
        config_set(&state, "memprov", "tier", "1G", "state");
        CHECK(!cloudinit_new_instance(&m, &state)); /* no cloud-init: the state decides */
        test_write(dir, "run/cloud-init/instance-data.json", json);
        cloudinit_read_meta(rootfd, dir, &m);
        CHECK_STR(m.instance_id, "iid-memprov-test-1");
        CHECK_STR(m.cloud_name, "nocloud");
        CHECK_STR(m.platform, "nocloud");
        CHECK(cloudinit_new_instance(&m, &state)); /* a baked image: no id recorded */
        cloudinit_record_meta(&m, &state);
        CHECK(!cloudinit_new_instance(&m, &state));
        config_set(&state, "memprov", "instance_id", "iid-other", "state");
        CHECK(cloudinit_new_instance(&m, &state));  /* a snapshot booted as a new instance */
        CHECK(!cloudinit_new_instance(&m, &fresh)); /* no state: first boot anyway */
        cloudinit_meta_done(&m);
        test_write(dir, "run/cloud-init/instance-data.json",
                   "{\"v1\": {\"instance_id\": \"i-1\\nx = y\"}}");
        cloudinit_read_meta(rootfd, dir, &m);
        CHECK(m.instance_id == NULL);
        cloudinit_meta_done(&m);
        config_done(&state);
        test_rmtree(dir);
}
