/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <sys/stat.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "sysctl.h"

/* PostgreSQL's server binary lives in a versioned directory that the client creates too. */
static bool postgres_installed(int rootfd)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        if (root_opendir(rootfd, "/usr/lib/postgresql", &d) < 0)
                return false;
        while ((de = readdir(d))) {
                _cleanup_free_ char *server =
                    xasprintf("/usr/lib/postgresql/%s/bin/postgres", de->d_name);
                struct stat st;
                if (de->d_name[0] != '.' && root_lstat(rootfd, server, &st) == 0)
                        return true;
        }
        return false;
}

/* MySQL/MariaDB as services_detect() found it once for this run; PostgreSQL here (EL keeps
 * its server in /usr/bin, Debian in a versioned directory). */
bool database_installed(const struct context *ctx)
{
        struct stat st;

        return ctx->services->db.flavor != DB_NONE ||
               root_lstat(ctx->rootfd, "/usr/bin/postgres", &st) == 0 ||
               postgres_installed(ctx->rootfd);
}

static int sysctl_write_live(const char *key, const char *value, bool *changed)
{
        char path[256], current[64] = "";
        _cleanup_close_ int fd = -1;
        ssize_t n;

        snprintf(path, sizeof(path), "/proc/sys/%s", key);
        for (char *p = path + strlen("/proc/sys/"); *p; p++)
                if (*p == '.')
                        *p = '/';
        fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(errno, "%s", path);
        n = read(fd, current, sizeof(current) - 1);
        if (n > 0 && (size_t)n == strlen(value) + 1 &&
            strncmp(current, value, (size_t)n - 1) == 0) {
                *changed = false;
                return 0;
        }
        if (lseek(fd, 0, SEEK_SET) < 0 || write_all(fd, value, strlen(value)) < 0)
                return log_error_errno(errno, "cannot set %s", path);
        *changed = true;
        return 0;
}

static int sysctl_plan(const struct context *ctx, struct plan *p)
{
        const char *v = config_str(ctx->config, "sysctl", "swappiness", "auto");
        bool db = database_installed(ctx);
        struct action *a;

        if (streq(v, "auto"))
                v = tier_value(ctx, db ? "swappiness_db" : "swappiness");
        if (!v || streq(v, "auto")) {
                plan_note(p, "the tier table has no swappiness; vm.swappiness left alone");
                return 0;
        }
        a = plan_add_file(p, "sysctl", SYSCTL_DROPIN, 0644,
                          managed_file("#", "vm.swappiness = %s\n", v));
        a->note = xasprintf("%s installed", db ? "a database is" : "no database");
        a = plan_add(p, ACTION_SYSCTL, "sysctl");
        a->key = xstrdup("vm.swappiness");
        a->value = xstrdup(v);
        if (!ctx->live)
                a->note = xstrdup("applied at next boot by systemd-sysctl");
        return 0;
}

static const struct config_key sysctl_keys[] = {
    {"sysctl", "swappiness", check_percent_auto},
    {"tier", "swappiness", check_percent_auto},
    {"tier", "swappiness_db", check_percent_auto},
    {0},
};

/* Under --root the drop-in alone takes effect at the image's next boot. */
static int sysctl_apply(const struct context *ctx, struct action *a)
{
        return ctx->live ? sysctl_write_live(a->key, a->value, &a->changed) : 0;
}

const struct module sysctl_module = {
    .name = "sysctl",
    .keys = sysctl_keys,
    .plan = sysctl_plan,
    .action_types = 1u << ACTION_SYSCTL,
    .apply = sysctl_apply,
};
