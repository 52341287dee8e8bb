/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <ftw.h>

#include "../../lib/spawn.h"
#include "../../lib/state.h"
#include "../../lib/util.h"
#include "../../modules/units-files.h"
#include "../../modules/units.h"
#include "test.h"

#define FIXTURE_UNITS "tests/fixtures/units/lib"
#define SYSTEMCTL     "/usr/bin/systemctl"

/* Every unit a Debian 12 package enables on installation, as its postinst does. */
static const char *const enabled_units[] = {
    "proftpd.service",
    "named.service",
    "named-resolvconf.service",
    "postgresql.service",
    "postgresql@15-main.service",
    "clamav-daemon.service",
    "clamav-freshclam.service",
    "spamd.service",
    "mailman3.service",
    "mailman3-web.service",
    "spamassassin-maintenance.timer",
};

TEST(unit_name_validation)
{
        static const char *const valid[] = {
            "proftpd.service",     "postgresql@15-main.service",
            "postgresql@.service", "clamd@scan.service",
            "sockets.target",      "dev-disk-by\\x2duuid.swap",
            "a:b_c.d-e.socket",
        };
        static const char *const invalid[] = {
            "",
            "proftpd",
            ".service",
            "proftpd.exe",
            "@x.service",
            "a@b@c.service",
            "../etc/passwd.service",
            "a/b.service",
            "a b.service",
            "a\nb.service",
            "proftpd.service\n",
            "*.service",
        };

        for (size_t i = 0; i < ELEMENTSOF(valid); i++)
                CHECK(unit_name_is_valid(valid[i]));
        for (size_t i = 0; i < ELEMENTSOF(invalid); i++)
                CHECK(!unit_name_is_valid(invalid[i]));
        CHECK(unit_name_is_template("postgresql@.service"));
        CHECK(!unit_name_is_template("postgresql@15-main.service"));
        free(unit_name_template("postgresql@15-main.service"));
        CHECK(unit_name_template("postgresql.service") == NULL);
}

TEST(unit_selection_accepts_groups_and_unit_names_only)
{
        CHECK(check_unit_selection("proftpd bind postgres mailman spamassassin clamav") == 0);
        CHECK(check_unit_selection("auto exim4.service, clamd@scan.service") == 0);
        CHECK(check_unit_selection("none") == 0);
        CHECK(check_unit_selection("") == 0);
        CHECK(check_unit_selection("ftp") < 0);
        CHECK(check_unit_selection("proftpd ../../bin/sh") < 0);
        CHECK(check_unit_selection("/etc/systemd/system/proftpd.service") < 0);
        CHECK(check_unit_selection("proftpd\nbind") < 0);
        CHECK(check_unit_patterns("postgresql.service postgresql@*.service") == 0);
        CHECK(check_unit_patterns("clamav") < 0);
        CHECK(check_unit_patterns("*.service") < 0);
        CHECK(check_unit_patterns("postgresql@*") < 0);
}

static int run(char *const argv[])
{
        return spawn_wait(argv);
}

/* A root with the fixture's unit files and the packages' default enablement. The units sit
 * under usr/lib with lib -> usr/lib, a merged /usr as Debian 12 and 13 install it: systemd 257
 * (Debian 13) no longer reads /lib/systemd/system, systemd 252 (Debian 12) reads both. */
static char *make_root(void)
{
        char *dir = test_mkdtemp();
        _cleanup_free_ char *root_opt = xasprintf("--root=%s", dir);
        _cleanup_free_ char *etc = xasprintf("%s/etc", dir), *usr = xasprintf("%s/usr", dir);
        _cleanup_free_ char *lib = xasprintf("%s/lib", dir);

        mkdir(etc, 0755);
        mkdir(usr, 0755);
        CHECK(run((char *[]){"/bin/cp", "-a", FIXTURE_UNITS, usr, NULL}) == 0);
        CHECK(symlink("usr/lib", lib) == 0);
        for (size_t i = 0; i < ELEMENTSOF(enabled_units); i++)
                CHECK(run((char *[]){SYSTEMCTL, root_opt, "--quiet", "enable",
                                     (char *)enabled_units[i], NULL}) == 0);
        return dir;
}

static char *tree_listing;
static size_t tree_prefix_len;

static int list_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        char target[4096] = "";
        char *next;
        ssize_t n;

        (void)flag;
        (void)ftw;
        if (S_ISLNK(st->st_mode) && (n = readlink(path, target, sizeof(target) - 1)) > 0)
                target[n] = '\0';
        next = xasprintf("%s%s %o %s\n", tree_listing, path + tree_prefix_len, st->st_mode, target);
        free(tree_listing);
        tree_listing = next;
        return 0;
}

static int line_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every path under root/etc with its mode and link target, in a stable order. */
static char *listing(const char *root)
{
        _cleanup_free_ char *etc = xasprintf("%s/etc", root);
        _cleanup_free_ char *sorted = NULL;
        char *lines[512], *save = NULL, *out;
        size_t n = 0;

        tree_listing = xstrdup("");
        tree_prefix_len = strlen(root);
        nftw(etc, list_one, 16, FTW_PHYS);
        for (char *l = strtok_r(tree_listing, "\n", &save); l && n < 512;
             l = strtok_r(NULL, "\n", &save))
                lines[n++] = l;
        qsort(lines, n, sizeof(char *), line_cmp);
        out = xstrdup("");
        for (size_t i = 0; i < n; i++) {
                char *next = xasprintf("%s%s\n", out, lines[i]);
                free(out);
                out = next;
        }
        free(tree_listing);
        tree_listing = NULL;
        return out;
}

/* memprov's offline disable of unit, against `systemctl --root disable unit` on a copy. */
static void check_against_systemctl(const char *unit, void (*setup)(const char *root))
{
        _cleanup_free_ char *ours = make_root(), *oracle = make_root();
        _cleanup_free_ char *root_opt = xasprintf("--root=%s", oracle);
        _cleanup_free_ char *a = NULL, *b = NULL;
        _cleanup_close_ int rootfd = open(ours, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_strv_ char **names = NULL;
        struct unit_links links = {0};
        bool changed = false;

        if (setup) {
                setup(ours);
                setup(oracle);
        }
        names = strv_push(unit_also(rootfd, unit), unit);
        CHECK(unit_links_to_disable(rootfd, names, &links) == 0);
        CHECK(unit_links_remove(rootfd, &links, &changed) == 0);
        CHECK(run((char *[]){SYSTEMCTL, root_opt, "--quiet", "disable", (char *)unit, NULL}) == 0);
        a = listing(ours);
        b = listing(oracle);
        CHECK(strcmp(a, b) == 0);
        if (strcmp(a, b) != 0)
                fprintf(stderr, "  %s: memprov left\n%s  systemctl left\n%s", unit, a, b);
        unit_links_done(&links);
        test_rmtree(ours);
        test_rmtree(oracle);
}

TEST(unit_offline_disable_matches_systemctl)
{
        static const char *const units[] = {
            "proftpd.service",
            "named.service",
            "named-resolvconf.service",
            "postgresql.service",
            "postgresql@.service",
            "postgresql@15-main.service",
            "clamav-daemon.service",
            "clamav-daemon.socket",
            "clamav-freshclam.service",
            "spamd.service",
            "mailman3.service",
            "mailman3-web.service",
            "spamassassin-maintenance.timer",
        };

        CHECK(access(SYSTEMCTL, X_OK) == 0);
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                check_against_systemctl(units[i], NULL);
}

/* An admin's relative link and a link to the alias: both lead to named.service. */
static void add_indirect_links(const char *root)
{
        _cleanup_free_ char *link = NULL, *chain = NULL;

        link = xasprintf("%s/etc/systemd/system/multi-user.target.wants/dns.service", root);
        CHECK(symlink("../../../../lib/systemd/system/named.service", link) == 0);
        chain = xasprintf("%s/etc/systemd/system/dns2.service", root);
        CHECK(symlink("/etc/systemd/system/bind9.service", chain) == 0);
}

TEST(unit_offline_disable_follows_relative_and_chained_links)
{
        _cleanup_free_ char *root = make_root();
        _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct unit_links links = {0};
        bool changed = false;

        _cleanup_free_ char *before = NULL, *after = NULL;

        check_against_systemctl("named.service", add_indirect_links);
        add_indirect_links(root);
        before = listing(root);
        CHECK(unit_links_to_disable(rootfd, (char *[]){"named.service", NULL}, &links) == 0);
        CHECK_U64(links.n, 4);
        CHECK(unit_links_remove(rootfd, &links, &changed) == 0 && changed);
        /* Putting them back gives the same links, and a second time changes nothing. */
        changed = false;
        CHECK(unit_links_restore(rootfd, &links, &changed) == 0 && changed);
        after = listing(root);
        CHECK_STR(after, before);
        changed = false;
        CHECK(unit_links_restore(rootfd, &links, &changed) == 0 && !changed);
        unit_links_done(&links);
        test_rmtree(root);
}

TEST(unit_installed_and_masked)
{
        _cleanup_free_ char *root = make_root(), *opt = xasprintf("--root=%s", root);
        _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_strv_ char **also = NULL;

        CHECK(unit_installed(rootfd, "proftpd.service"));
        CHECK(unit_installed(rootfd, "postgresql@.service"));
        CHECK(!unit_installed(rootfd, "bind9.service")); /* an alias, not a unit file */
        CHECK(!unit_installed(rootfd, "clamd@.service"));
        CHECK(!unit_masked(rootfd, "spamd.service"));
        CHECK(run((char *[]){SYSTEMCTL, opt, "--quiet", "mask", "spamd.service", NULL}) == 0);
        CHECK(unit_masked(rootfd, "spamd.service"));
        also = unit_also(rootfd, "clamav-daemon.service");
        CHECK(also && streq(also[0], "clamav-daemon.socket") && !also[1]);
        test_rmtree(root);
}

/* The units module on a root: plan at a tier, apply, record; returns the new state. */
struct units_run {
        const char *root;
        int rootfd;
        struct config *config;
        const struct config *state;
        const char *tier;
        struct plan plan;
};

static void plan_apply_record(struct units_run *u, struct config *new_state)
{
        struct options opts = {.root = u->root};
        struct facts facts = {.systemd_running = false};
        struct context ctx = {.opts = &opts,
                              .rootfd = u->rootfd,
                              .root = u->root,
                              .live = false,
                              .facts = &facts,
                              .config = u->config,
                              .state = u->state,
                              .tier = u->tier};

        u->plan = (struct plan){0};
        CHECK(units_module.plan(&ctx, &u->plan) == 0);
        for (size_t i = 0; i < u->plan.n_actions; i++)
                if (!u->plan.actions[i].skip)
                        CHECK(units_apply(&ctx, &u->plan.actions[i]) == 0);
        units_module.record(&ctx, &u->plan, new_state);
}

static const struct action *find_action(const struct plan *p, const char *unit)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].type == ACTION_UNIT && streq(p->actions[i].unit, unit))
                        return &p->actions[i];
        return NULL;
}

static bool planned(const struct plan *p, const char *unit, enum unit_op op)
{
        const struct action *a = find_action(p, unit);

        return a && a->unit_op == op && !a->skip;
}

TEST(units_rerun_reenables_only_what_memprov_disabled)
{
        _cleanup_free_ char *root = make_root(), *opt = xasprintf("--root=%s", root);
        _cleanup_free_ char *original = NULL, *now = NULL;
        struct config config = {0}, s1 = {0}, s2 = {0}, s3 = {0}, s4 = {0};
        struct units_run u = {.root = root, .config = &config};

        u.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        CHECK(config_load_file(&config, "conf.d/30-units.conf") == 0);
        CHECK(run((char *[]){SYSTEMCTL, opt, "--quiet", "mask", "spamd.service", NULL}) == 0);
        CHECK(run((char *[]){SYSTEMCTL, opt, "--quiet", "disable", "clamav-freshclam.service",
                             NULL}) == 0);
        original = listing(root);

        /* First boot at 1G: every enabled unit of every group, not the masked or the
         * admin-disabled one. */
        u.state = &s1; /* empty */
        u.tier = "tier 1G";
        plan_apply_record(&u, &s2);
        CHECK(planned(&u.plan, "proftpd.service", UNIT_DISABLE));
        CHECK(planned(&u.plan, "named.service", UNIT_DISABLE));
        CHECK(planned(&u.plan, "postgresql.service", UNIT_DISABLE));
        CHECK(planned(&u.plan, "clamav-daemon.service", UNIT_DISABLE));
        CHECK(planned(&u.plan, "mailman3-web.service", UNIT_DISABLE));
        CHECK(!find_action(&u.plan, "spamd.service"));
        CHECK(!find_action(&u.plan, "clamav-freshclam.service"));
        CHECK_STR(config_str(&s2, "unit proftpd.service", "memprov", NULL), "disabled");
        CHECK_STR(config_str(&s2, "unit proftpd.service", "prior", NULL), "enabled");
        CHECK(config_str(&s2, "unit clamav-daemon.service", "link2", NULL) != NULL);
        plan_done(&u.plan);

        /* The admin enables ProFTPD again; a rerun at 1G leaves it alone from then on. */
        CHECK(run((char *[]){SYSTEMCTL, opt, "--quiet", "enable", "proftpd.service", NULL}) == 0);
        u.state = &s2;
        plan_apply_record(&u, &s3);
        CHECK(find_action(&u.plan, "proftpd.service") &&
              find_action(&u.plan, "proftpd.service")->skip);
        CHECK(!find_action(&u.plan, "named.service")); /* still disabled: nothing to do */
        CHECK_STR(config_str(&s3, "unit proftpd.service", "memprov", NULL), "released");
        CHECK_STR(config_str(&s3, "unit named.service", "memprov", NULL), "disabled");
        plan_done(&u.plan);

        /* A rerun at 8G enables what memprov disabled, and the unit files are as before. */
        u.state = &s3;
        u.tier = "tier 8G";
        plan_apply_record(&u, &s4);
        CHECK(planned(&u.plan, "named.service", UNIT_ENABLE));
        CHECK(planned(&u.plan, "postgresql@.service", UNIT_ENABLE));
        CHECK(!find_action(&u.plan, "proftpd.service"));
        CHECK(!find_action(&u.plan, "spamd.service"));
        CHECK(!find_action(&u.plan, "clamav-freshclam.service"));
        CHECK(config_get(&s4, "unit named.service", "memprov") == NULL);
        CHECK_STR(config_str(&s4, "unit proftpd.service", "memprov", NULL), "released");
        now = listing(root);
        CHECK_STR(now, original);
        plan_done(&u.plan);

        close(u.rootfd);
        config_done(&config);
        config_done(&s2);
        config_done(&s3);
        config_done(&s4);
        test_rmtree(root);
}

TEST(units_keep_and_explicit_disable)
{
        _cleanup_free_ char *root = make_root();
        struct config config = {0}, empty = {0}, s = {0};
        struct units_run u = {.root = root, .config = &config, .state = &empty};

        u.rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        CHECK(config_load_file(&config, "conf.d/30-units.conf") == 0);
        config_set(&config, "units", "keep", "clamav mailman3.service",
                   "user-data memprov.units.keep");
        u.tier = "tier 1G";
        u.plan = (struct plan){0};
        plan_apply_record(&u, &s);
        CHECK(planned(&u.plan, "proftpd.service", UNIT_DISABLE));
        CHECK(planned(&u.plan, "mailman3-web.service", UNIT_DISABLE));
        CHECK(!find_action(&u.plan, "mailman3.service"));
        CHECK(!find_action(&u.plan, "clamav-daemon.service"));
        plan_done(&u.plan);
        config_done(&s);

        /* At 16G nothing by default; disable = auto UNIT adds one unit (with its Also=). */
        config_set(&config, "units", "disable", "auto clamav-daemon.service", "--set");
        u.tier = "tier 16G";
        plan_apply_record(&u, &s);
        CHECK(planned(&u.plan, "clamav-daemon.service", UNIT_DISABLE));
        CHECK_U64(u.plan.n_actions, 1);
        CHECK(strstr(u.plan.actions[0].content, "clamav-daemon.socket") != NULL);
        plan_done(&u.plan);
        close(u.rootfd);
        config_done(&config);
        config_done(&s);
        test_rmtree(root);
}
