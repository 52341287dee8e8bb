/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/util.h"
#include "../../modules/module.h"
#include "test.h"

struct test_result *test_current;
static struct test_case *tests;

void test_register(struct test_case *t)
{
        struct test_case **p = &tests;

        /* Sorted by name so the output order does not depend on link order. */
        while (*p && strcmp((*p)->name, t->name) < 0)
                p = &(*p)->next;
        t->next = *p;
        *p = t;
}

char *test_mkdtemp(void)
{
        char *dir = strdup("/tmp/memprov-unit.XXXXXX");

        if (!dir || !mkdtemp(dir))
                abort();
        return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

void test_rmtree(const char *dir)
{
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void test_write(const char *dir, const char *path, const char *content)
{
        char full[4096];
        FILE *f;

        snprintf(full, sizeof(full), "%s/%s", dir, path);
        for (char *p = full + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                mkdir(full, 0755);
                *p = '/';
        }
        f = fopen(full, "we");
        if (!f)
                abort();
        fputs(content, f);
        fclose(f);
}

/* With an argument, only the tests whose name starts with it (integration scripts run the ones
 * that need a real server they started). */
int main(int argc, char **argv)
{
        unsigned passed = 0, failed = 0;

        for (struct test_case *t = tests; t; t = t->next) {
                struct test_result r = {0};
                if (argc > 1 && strncmp(t->name, argv[1], strlen(argv[1])) != 0)
                        continue;
                test_current = &r;
                t->fn();
                if (r.failures == 0) {
                        printf("ok - %s (%u checks)\n", t->name, r.checks);
                        passed++;
                } else {
                        printf("not ok - %s (%u of %u checks failed)\n", t->name, r.failures,
                               r.checks);
                        failed++;
                }
                fflush(stdout);
        }
        printf("unit: %u passed, %u failed\n", passed, failed);
        return failed ? 1 : 0;
}

void test_symlink(const char *dir, const char *target, const char *path)
{
        _cleanup_free_ char *full = xasprintf("%s/%s", dir, path);

        if (symlink(target, full) < 0)
                abort();
}

void test_enable_unit(const char *dir, const char *unit)
{
        _cleanup_free_ char *file = xasprintf("usr/lib/systemd/system/%s", unit);
        _cleanup_free_ char *target = xasprintf("/%s", file);
        _cleanup_free_ char *link =
            xasprintf("etc/systemd/system/multi-user.target.wants/%s", unit);
        _cleanup_free_ char *placeholder =
            xasprintf("%s/etc/systemd/system/multi-user.target.wants/.p", dir);

        test_write(dir, file,
                   "[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n");
        test_write(dir, placeholder + strlen(dir) + 1, ""); /* the directory */
        unlink(placeholder);
        test_symlink(dir, target, link);
}

void test_detect_services(const char *dir, struct services *s)
{
        struct facts facts = {.ram_bytes = 1024ULL << 20, .distro = DISTRO_DEBIAN, .vcpus = 2};
        int rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct context ctx = {.rootfd = rootfd, .root = dir, .facts = &facts, .services = s};

        if (rootfd < 0 || services_detect(&ctx, s) < 0)
                abort();
        close(rootfd);
}
