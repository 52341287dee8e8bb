/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One component at a time, as systemd's chase() with a root does, rather than one openat2():
 * RESOLVE_IN_ROOT would clamp a ".." above the root to the root and RESOLVE_BENEATH refuses every
 * absolute target, and phpenmod's links are all absolute. The walk costs two syscalls per
 * component for the few dozen configuration files a run reads.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "chase.h"
#include "fsutil.h"
#include "util.h"

/* The rest of the path after a link is its target followed by what came after the link. */
static int splice_link(int dirfd, const char *name, char todo[static PATH_MAX], size_t *pos)
{
        char target[PATH_MAX], next[PATH_MAX];
        ssize_t n;

        n = readlinkat(dirfd, name, target, sizeof(target));
        if (n < 0)
                return -errno;
        if ((size_t)n >= sizeof(target))
                return -ENAMETOOLONG;
        if (n == 0)
                return -ENOENT;
        target[n] = '\0';
        if (snprintf(next, sizeof(next), "%s%s", target, todo + *pos) >= (int)sizeof(next))
                return -ENAMETOOLONG;
        strcpy(todo, next);
        *pos = 0;
        return 0;
}

int chase_in_root(int rootfd, const char *path, int *ret_dirfd, char ret_name[static NAME_MAX + 1])
{
        _cleanup_close_ int fd = -1;
        unsigned depth = 0, links = 0;
        char todo[PATH_MAX];
        size_t pos = 0;
        int r;

        if (path[0] != '/')
                return -EINVAL;
        if (strlen(path) >= sizeof(todo))
                return -ENAMETOOLONG;
        strcpy(todo, path);
        fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        for (;;) {
                char name[NAME_MAX + 1];
                struct stat st;
                size_t len;
                bool last;
                int next;

                pos += strspn(todo + pos, "/");
                len = strcspn(todo + pos, "/");
                if (len > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(name, todo + pos, len);
                name[len] = '\0';
                pos += len;
                last = todo[pos + strspn(todo + pos, "/")] == '\0';
                if (len == 0 || streq(name, ".")) {
                        if (!last)
                                continue;
                        strcpy(name, ".");
                } else if (streq(name, "..")) {
                        /* depth counts the real directories entered below the root. */
                        if (depth == 0)
                                return -EXDEV;
                        next = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (next < 0)
                                return -errno;
                        close(fd);
                        fd = next;
                        depth--;
                        if (!last)
                                continue;
                        strcpy(name, ".");
                } else {
                        if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                                return -errno;
                        if (S_ISLNK(st.st_mode)) {
                                if (++links > CHASE_MAX_LINKS)
                                        return -ELOOP;
                                r = splice_link(fd, name, todo, &pos);
                                if (r < 0)
                                        return r;
                                if (todo[0] == '/') {
                                        next = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
                                        if (next < 0)
                                                return -errno;
                                        close(fd);
                                        fd = next;
                                        depth = 0;
                                }
                                continue;
                        }
                }
                if (last) {
                        strcpy(ret_name, name);
                        *ret_dirfd = TAKE_FD(fd);
                        return 0;
                }
                /* O_NOFOLLOW: a link put in place since the look is not entered (ENOTDIR). */
                next = openat(fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (next < 0)
                        return -errno;
                close(fd);
                fd = next;
                depth++;
        }
}

int chase_read_file(int rootfd, const char *path, char **ret, size_t *ret_size)
{
        _cleanup_close_ int dirfd = -1;
        char name[NAME_MAX + 1];
        int r;

        r = chase_in_root(rootfd, path, &dirfd, name);
        if (r < 0)
                return r;
        return read_regular_at(dirfd, name, false, READ_MAX, ret, ret_size);
}

int chase_opendir(int rootfd, const char *dir, DIR **ret)
{
        _cleanup_close_ int dirfd = -1, fd = -1;
        char name[NAME_MAX + 1];
        int r;

        r = chase_in_root(rootfd, dir, &dirfd, name);
        if (r < 0)
                return r;
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret = fdopendir(fd);
        if (!*ret)
                return -errno;
        TAKE_FD(fd);
        return 0;
}

const char *chase_strerror(int r)
{
        switch (-r) {
        case EXDEV:
                return "a symbolic link on the path leads out of the root (memprov reads only "
                       "inside it)";
        case ELOOP:
                return "too many symbolic links on the path (a loop?)";
        default:
                return fsutil_strerror(r);
        }
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

int chase_list_dir(int rootfd, const char *dir, const char *suffix, char ***ret)
{
        _cleanup_(closedirp) DIR *d = NULL;
        char **names = NULL;
        size_t n = 0, sl = strlen(suffix);
        struct dirent *de;
        int r;

        r = chase_opendir(rootfd, dir, &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (de->d_name[0] == '.' || len <= sl || !streq(de->d_name + len - sl, suffix))
                        continue;
                names = xrealloc(names, (n + 2) * sizeof(*names));
                names[n++] = xstrdup(de->d_name);
        }
        if (!names)
                names = xcalloc(1, sizeof(*names));
        names[n] = NULL;
        qsort(names, n, sizeof(*names), compare_names);
        *ret = names;
        return 0;
}

void names_free(char **names)
{
        for (char **p = names; p && *p; p++)
                free(*p);
        free(names);
}
