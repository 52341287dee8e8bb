/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Issue 18's web inputs: links resolved inside the root, Apache, PHP-FPM and nginx as they run. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../lib/chase.h"
#include "../../lib/util.h"
#include "../../modules/module.h"
#include "test.h"

static void test_link(const char *dir, const char *target, const char *path)
{
        _cleanup_free_ char *full = xasprintf("%s/%s", dir, path);

        if (symlink(target, full) < 0)
                abort();
}

/* Detection only: what services_detect() reads from the root at dir. */
static void detect(const char *dir, struct services *s)
{
        struct facts facts = {.ram_bytes = 1024ULL << 20, .distro = DISTRO_DEBIAN, .vcpus = 2};
        int rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct context ctx = {.rootfd = rootfd, .root = dir, .facts = &facts, .services = s};

        if (rootfd < 0 || services_detect(&ctx, s) < 0)
                abort();
        close(rootfd);
}

TEST(chase_follows_links_inside_the_root)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *outside = test_mkdtemp();
        _cleanup_free_ char *text = NULL, *escape = NULL;
        int rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), dirfd = -1;
        char name[NAME_MAX + 1];

        test_write(dir, "etc/a/mods-available/x.load", "relative\n");
        test_write(dir, "etc/a/mods-available/y.ini", "absolute\n");
        test_write(dir, "etc/a/mods-enabled/.keep", "");
        test_write(outside, "secret", "outside\n");
        test_link(dir, "../mods-available/x.load", "etc/a/mods-enabled/x.load");
        test_link(dir, "/etc/a/mods-available/y.ini", "etc/a/mods-enabled/y.ini");
        test_link(dir, "../../../../../../../../../../secret", "etc/a/mods-enabled/up.load");
        escape = xasprintf("%s/secret", outside);
        test_link(dir, escape, "etc/a/mods-enabled/abs-outside.load");
        test_link(dir, "loop2", "etc/a/mods-enabled/loop1");
        test_link(dir, "loop1", "etc/a/mods-enabled/loop2");
        test_link(dir, "missing.load", "etc/a/mods-enabled/dangling.load");
        test_link(dir, "/etc/a", "etc/linked-dir");

        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/x.load", &text, NULL) == 0);
        CHECK(text && streq(text, "relative\n"));
        free(text);
        text = NULL;
        /* An absolute target names a path in the root, as in the booted image. */
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/y.ini", &text, NULL) == 0);
        CHECK(text && streq(text, "absolute\n"));
        free(text);
        text = NULL;
        CHECK(chase_read_file(rootfd, "/etc/linked-dir/mods-enabled/x.load", &text, NULL) == 0);
        free(text);
        text = NULL;
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/up.load", &text, NULL) == -EXDEV);
        /* The host's path of that name is not read: inside the root it does not exist. */
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/abs-outside.load", &text, NULL) ==
              -ENOENT);
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/loop1", &text, NULL) == -ELOOP);
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled/dangling.load", &text, NULL) == -ENOENT);
        CHECK(chase_read_file(rootfd, "/../etc/a/mods-available/x.load", &text, NULL) == -EXDEV);
        CHECK(chase_read_file(rootfd, "/etc/a/mods-enabled", &text, NULL) == -EISDIR);
        CHECK(chase_in_root(rootfd, "/", &dirfd, name) == 0 && streq(name, "."));
        if (dirfd >= 0)
                close(dirfd);
        CHECK(strstr(chase_strerror(-EXDEV), "out of the root") != NULL);
        close(rootfd);
        test_rmtree(dir);
        test_rmtree(outside);
}

/* a2enmod's layout exactly: mods-enabled holds relative links into mods-available. */
TEST(apache_mod_php_through_a2enmod_links)
{
        _cleanup_free_ char *dir = test_mkdtemp();
        struct services s;

        test_write(dir, "usr/sbin/apache2", "");
        test_write(dir, "etc/apache2/mods-available/mpm_prefork.load",
                   "# Conflicts: mpm_event mpm_worker\n"
                   "LoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\n");
        test_write(dir, "etc/apache2/mods-available/php8.2.load",
                   "# Conflicts: php5\n# Depends: mpm_prefork\n"
                   "LoadModule php_module /usr/lib/apache2/modules/libphp8.2.so\n");
        test_write(dir, "etc/apache2/mods-available/php8.2.conf",
                   "<FilesMatch \".+\\.ph(?:ar|p|tml)$\">\n");
        test_write(dir, "etc/apache2/mods-enabled/.placeholder", "");
        test_link(dir, "../mods-available/mpm_prefork.load",
                  "etc/apache2/mods-enabled/mpm_prefork.load");
        test_link(dir, "../mods-available/php8.2.load", "etc/apache2/mods-enabled/php8.2.load");
        test_link(dir, "../mods-available/php8.2.conf", "etc/apache2/mods-enabled/php8.2.conf");
        detect(dir, &s);
        CHECK(s.web.installed && s.web.debian);
        CHECK(s.web.mpm == MPM_PREFORK);
        CHECK(s.web.mod_php);
        CHECK_STR(s.web.mod_php_version, "8.2");
        test_rmtree(dir);
}
