/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf.d folders: every *.conf in lexical order, symlinks refused but for /dev/null masks. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-internal.h"
#include "fsutil.h"
#include "log.h"
#include "util.h"

static int conf_filter(const struct dirent *de)
{
        size_t len = strlen(de->d_name);

        return de->d_name[0] != '.' && len > 5 && streq(de->d_name + len - 5, ".conf");
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

static bool is_masked(char *const *masks, const char *name)
{
        for (; masks && *masks; masks++)
                if (streq(*masks, name))
                        return true;
        return false;
}

/* Whether name in d is a symlink to /dev/null: it masks the shipped file of that name, as in
 * sysctl.d and tmpfiles.d. */
static bool is_mask(DIR *d, const char *name)
{
        char target[16];
        ssize_t n = readlinkat(dirfd(d), name, target, sizeof(target));

        return n == (ssize_t)strlen("/dev/null") && memcmp(target, "/dev/null", (size_t)n) == 0;
}

/* Every *.conf in d, in lexical order, each opened in d itself with O_NOFOLLOW: a symlink in a
 * conf.d is refused, never followed (under --root it could point at the build host's files),
 * except a link to /dev/null, which is skipped (it masks). Names in masks are skipped too. */
static int config_load_opened_dir(struct config *c, DIR *d, const char *display, char *const *masks)
{
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        int r = 0;

        errno = 0;
        while ((de = readdir(d)))
                if (conf_filter(de)) {
                        names = xrealloc(names, (n + 1) * sizeof(*names));
                        names[n++] = xstrdup(de->d_name);
                }
        if (errno)
                r = log_error_errno(errno, "%s", display);
        if (n)
                qsort(names, n, sizeof(*names), compare_names);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", display, names[i]);
                struct stat st;
                if (is_masked(masks, names[i])) {
                        log_debug("%s: masked by a link to /dev/null in /etc/memprov/conf.d", path);
                        continue;
                }
                if (fstatat(dirfd(d), names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISLNK(st.st_mode)) {
                        if (is_mask(d, names[i]))
                                continue;
                        log_error("%s: a symbolic link: memprov follows none in its configuration "
                                  "(only a link to /dev/null is allowed: it masks the shipped "
                                  "file of that name)",
                                  path);
                        r = -ELOOP;
                        break;
                }
                r = config_load_at(c, dirfd(d), names[i], false, path);
        }
        free_names(names, n);
        return r == -ENOENT ? 0 : r; /* removed while listed */
}

int config_load_dir_masked(struct config *c, const char *dir, char *const *masks)
{
        _cleanup_(closedirp) DIR *d = opendir(dir);

        if (!d)
                return errno == ENOENT ? 0 : log_error_errno(errno, "%s", dir);
        return config_load_opened_dir(c, d, dir, masks);
}

int config_load_dir(struct config *c, const char *dir)
{
        return config_load_dir_masked(c, dir, NULL);
}

int config_load_root_dir(struct config *c, int rootfd, const char *root, const char *dir)
{
        _cleanup_free_ char *display = xasprintf("%s%s", root, dir);
        _cleanup_(closedirp) DIR *d = NULL;
        int r;

        r = root_opendir(rootfd, dir, &d);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error("%s: %s", display, fsutil_strerror(r));
        return config_load_opened_dir(c, d, display, NULL);
}

char **config_root_dir_masks(int rootfd, const char *dir)
{
        _cleanup_(closedirp) DIR *d = NULL;
        char **masks = xmalloc(sizeof(char *));
        struct dirent *de;
        size_t n = 0;

        masks[0] = NULL;
        if (root_opendir(rootfd, dir, &d) < 0)
                return masks; /* config_load_root_dir() says why */
        while ((de = readdir(d)))
                if (conf_filter(de) && is_mask(d, de->d_name)) {
                        masks = xrealloc(masks, (n + 2) * sizeof(char *));
                        masks[n++] = xstrdup(de->d_name);
                        masks[n] = NULL;
                }
        return masks;
}

void config_masks_free(char **masks)
{
        for (char **m = masks; m && *m; m++)
                free(*m);
        free(masks);
}
