/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The web tier's readers (issue 18): the bytes as a PHP-FPM master's php.ini, its
 * php-fpm.conf and a pool file, and as nginx.conf, in a scratch root, detected as memprov
 * detects them; and as PHP quantities. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/iniread.h"
#include "../../lib/util.h"
#include "../../modules/phpfpm.h"
#include "../../modules/web.h"
#include "fuzz.h"

static char root[] = "/tmp/memprov-fuzz-web.XXXXXX";
static int rootfd = -1;
static const char *const files[] = {
    "/usr/sbin/php-fpm8.2",           "/usr/sbin/nginx",
    "/etc/php/8.2/fpm/php.ini",       "/etc/php/8.2/fpm/php-fpm.conf",
    "/etc/php/8.2/fpm/pool.d/a.conf", "/etc/php/8.2/fpm/conf.d/10-x.ini",
    "/etc/nginx/nginx.conf",
};
static const char *const dirs[] = {"/usr",
                                   "/usr/sbin",
                                   "/etc",
                                   "/etc/php",
                                   "/etc/php/8.2",
                                   "/etc/php/8.2/fpm",
                                   "/etc/php/8.2/fpm/pool.d",
                                   "/etc/php/8.2/fpm/conf.d",
                                   "/etc/nginx"};

static void remove_root(void)
{
        char path[300];

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                snprintf(path, sizeof(path), "%s%s", root, files[i]);
                unlink(path);
        }
        for (size_t i = ELEMENTSOF(dirs); i > 0; i--) {
                snprintf(path, sizeof(path), "%s%s", root, dirs[i - 1]);
                rmdir(path);
        }
        rmdir(root);
}

static void put(const char *path, const uint8_t *data, size_t size)
{
        char full[256];
        FILE *f;

        snprintf(full, sizeof(full), "%s%s", root, path);
        f = fopen(full, "we");
        if (!f)
                abort();
        if (size)
                fwrite(data, 1, size, f);
        fclose(f);
}

static void quantity(const struct ini_item *it, void *userdata)
{
        uint64_t v;
        bool b;

        (void)userdata;
        (void)php_parse_quantity(it->value, &v);
        (void)php_parse_bool(it->value, &b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct facts facts = {.vcpus = 2};
        static struct services services;
        struct context ctx;
        char *text = fuzz_text(data, size);
        unsigned line;

        if (rootfd < 0) {
                char dir[300];
                if (!mkdtemp(root))
                        abort();
                atexit(remove_root);
                for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                        snprintf(dir, sizeof(dir), "%s%s", root, dirs[i]);
                        mkdir(dir, 0755);
                }
                rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (rootfd < 0)
                        abort();
        }
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                put(files[i], data, size);
        ctx = (struct context){.rootfd = rootfd, .root = root, .facts = &facts};
        (void)phpfpm_detect(&ctx, &services);
        (void)nginx_detect(&ctx, &services);
        (void)ini_parse_php(text, size, quantity, NULL, &line);
        free(text);
        return 0;
}
