/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A NAME.wants/, NAME.requires/ or NAME.upholds/ folder in /etc/systemd/system that is itself a
 * symbolic link (an admin's layout: the folder kept in a configuration repository and linked in).
 * systemd's two halves read it differently (systemd 252, Debian 12's; the same in systemd's main):
 * - at boot the manager follows it: src/shared/dropin.c unit_file_add_dir() chase()s each
 *   NAME.wants/ path before reading it, so every unit linked in the folder it leads to starts;
 * - `systemctl disable` does not: src/shared/install.c remove_marked_symlinks_fd() enters only
 *   DT_DIR entries (openat O_NOFOLLOW) and takes a DT_LNK entry for a unit's link only when its
 *   name is a unit name, which NAME.wants is not. Measured with systemctl 252 --root on the
 *   packages' unit files: with /etc/systemd/system/multi-user.target.wants -> /srv/wants,
 *   `systemctl is-enabled proftpd.service` says "disabled" and `systemctl disable named.service`
 *   leaves /srv/wants/named.service; both still start at boot.
 * memprov writes through no link it did not make (lib/fsutil.h), so it removes no link in such a
 * folder and puts none back there: the unit is named in the plan and left as it is, whole (half
 * disabling it, its alias gone and its boot link kept, would change how it is reached and not
 * whether it starts). Read as boot reads it (links followed inside the root, lib/chase.h), a unit
 * linked there is enabled (unit_enabled()).
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "../lib/chase.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "units-files.h"

static bool dependency_dir(const char *name)
{
        static const char *const suffixes[] = {".wants", ".requires", ".upholds"};
        size_t n = strlen(name);

        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t k = strlen(suffixes[i]);
                if (n > k && streq(name + n - k, suffixes[i]))
                        return true;
        }
        return false;
}

/* systemctl's test for a link to a unit being disabled (units-files.c link_marked()): its name,
 * its template, or the name of the file it leads to (one hop: what the link says). */
static bool entry_names(int dirfd, const char *entry, char *const *names)
{
        char target[PATH_MAX];
        const char *base;
        ssize_t n;

        if (!unit_name_is_valid(entry))
                return false;
        if (unit_name_listed(names, entry))
                return true;
        n = readlinkat(dirfd, entry, target, sizeof(target) - 1);
        if (n <= 0)
                return false;
        target[n] = '\0';
        base = strrchr(target, '/');
        return strv_contains(names, base ? base + 1 : target);
}

/* Whether the folder path (a link, as found) holds a link to one of names. */
static bool folder_names(int rootfd, const char *path, char *const *names)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        r = chase_opendir(rootfd, path, &d);
        if (r < 0) {
                log_debug("%s: %s; not read", path, chase_strerror(r));
                return false;
        }
        while ((de = readdir(d)))
                if (entry_names(dirfd(d), de->d_name, names))
                        return true;
        return false;
}

char *unit_dir_link(int rootfd, const char *unit)
{
        _cleanup_strv_ char **names = unit_also(rootfd, unit);
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        names = strv_push(names, unit);
        if (root_opendir(rootfd, UNIT_CONFIG_DIR, &d) < 0)
                return NULL; /* as unit_links_to_disable(): no folder, nothing enabled there */
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                char target[PATH_MAX];
                struct stat st;
                ssize_t n;
                if (!dependency_dir(de->d_name) ||
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISLNK(st.st_mode))
                        continue;
                path = xasprintf("%s/%s", UNIT_CONFIG_DIR, de->d_name);
                n = readlinkat(dirfd(d), de->d_name, target, sizeof(target) - 1);
                if (n <= 0 || !folder_names(rootfd, path, names))
                        continue;
                target[n] = '\0';
                return xasprintf("%s -> %s", path, target);
        }
        return NULL;
}
