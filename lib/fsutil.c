/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/random.h>
#include <sys/xattr.h>

#include "fsutil.h"
#include "util.h"

static int open_component(int dirfd, const char *name, bool create)
{
        int fd;

        if (streq(name, ".") || streq(name, ".."))
                return -EINVAL;
        fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && create) {
                if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
                        return -errno;
                fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        /* O_NOFOLLOW|O_PATH on a symlink opens the link itself: O_DIRECTORY turns it into ENOTDIR.
         */
        if (fd < 0 && errno == ENOTDIR) {
                struct stat st;
                if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                        return -ELOOP;
        }
        return fd < 0 ? -errno : fd;
}

/* The whole of dir in one openat2() where the kernel has it, under the walk's rules (no link
 * followed, "." and ".." refused): 1 syscall instead of 2 per component. -EAGAIN: walk instead
 * (no openat2, or it failed: the walk creates what is missing and gives the precise error). */
static int open_dir_at_once(int rootfd, const char *dir)
{
#ifdef SYS_openat2
        struct open_how how = {
            .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long fd;

        for (const char *c = dir; (c = strstr(c, "/.")); c++)
                if (c[2] == '/' || c[2] == '\0' || (c[2] == '.' && (c[3] == '/' || c[3] == '\0')))
                        return -EAGAIN;
        fd = syscall(SYS_openat2, rootfd, dir, &how, sizeof(how));
        return fd >= 0 ? (int)fd : -EAGAIN;
#else
        return -EAGAIN;
#endif
}

int root_open_dir(int rootfd, const char *dir, bool create, int *ret_fd)
{
        char buf[PATH_MAX], *save = NULL, *comp;
        _cleanup_close_ int fd = -1;

        if (dir[0] != '/' || strlen(dir) >= sizeof(buf))
                return -EINVAL;
        fd = open_dir_at_once(rootfd, dir);
        if (fd >= 0) {
                *ret_fd = TAKE_FD(fd);
                return 0;
        }
        strcpy(buf, dir);
        fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        for (comp = strtok_r(buf, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
                int next = open_component(fd, comp, create);
                if (next < 0)
                        return next;
                close(fd);
                fd = next;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int root_opendir(int rootfd, const char *dir, DIR **ret)
{
        _cleanup_close_ int pathfd = -1, fd = -1;
        int r;

        r = root_open_dir(rootfd, dir, false, &pathfd);
        if (r < 0)
                return r;
        /* O_PATH descriptors cannot be read: reopen the directory itself. */
        fd = openat(pathfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret = fdopendir(fd);
        if (!*ret)
                return -errno;
        TAKE_FD(fd);
        return 0;
}

int root_open_parent(int rootfd, const char *path, bool create, int *ret_dirfd,
                     const char **ret_name)
{
        const char *slash = strrchr(path, '/');
        char dir[PATH_MAX];

        if (!slash || slash[1] == '\0' || streq(slash + 1, ".") || streq(slash + 1, "..") ||
            (size_t)(slash - path) >= sizeof(dir))
                return -EINVAL;
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        *ret_name = slash + 1;
        return root_open_dir(rootfd, dir[0] ? dir : "/", create, ret_dirfd);
}

int read_fd(int fd, size_t max, char **ret, size_t *ret_size)
{
        size_t size = 0, alloc = 4096;
        _cleanup_free_ char *buf = xmalloc(alloc);
        ssize_t n;

        for (;;) {
                if (alloc - size < 2)
                        buf = xrealloc(buf, alloc *= 2);
                n = read(fd, buf + size, alloc - size - 1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                size += (size_t)n;
                if (size > max)
                        return -EFBIG;
        }
        buf[size] = '\0';
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = size;
        return 0;
}

int verify_regular(const struct stat *st)
{
        /* The codes systemd's stat_verify_regular() uses; fsutil_strerror() words them. */
        if (S_ISDIR(st->st_mode))
                return -EISDIR;
        if (S_ISLNK(st->st_mode))
                return -ELOOP;
        return S_ISREG(st->st_mode) ? 0 : -EBADFD;
}

int read_regular_at(int dirfd, const char *name, bool follow, size_t max, char **ret,
                    size_t *ret_size)
{
        _cleanup_close_ int fd = -1;
        struct stat st;
        int r;

        /* Look before opening: opening a device can have effects of its own (a tape rewinds). */
        if (fstatat(dirfd, name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        r = verify_regular(&st);
        if (r < 0)
                return r;
        /* O_NONBLOCK: should a FIFO replace the file after the look, open() does not wait for a
         * writer; the fstat() below then refuses it. */
        fd = openat(dirfd, name,
                    O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        r = verify_regular(&st);
        if (r < 0)
                return r;
        if ((uint64_t)st.st_size > max)
                return -EFBIG;
        return read_fd(fd, max, ret, ret_size);
}

/* The directory holding path's last component, resolved by the kernel where it has openat2
 * (Linux 5.6): RESOLVE_IN_ROOT keeps ".." and absolute names inside the root, and
 * RESOLVE_NO_SYMLINKS refuses any link on the way (-ELOOP), the same rule as the walk one
 * component at a time that root_open_parent() does, and does where openat2 is missing
 * (ENOSYS) or filtered (EPERM). */
static int open_parent_in_root(int rootfd, const char *path, int *ret_dirfd, const char **ret_name)
{
#ifdef SYS_openat2
        struct open_how how = {
            .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
            .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        const char *slash = strrchr(path, '/');
        char dir[PATH_MAX];
        long fd;

        if (path[0] != '/' || !slash || slash[1] == '\0' || streq(slash + 1, ".") ||
            streq(slash + 1, "..") || (size_t)(slash - path) >= sizeof(dir))
                return -EINVAL;
        memcpy(dir, path, (size_t)(slash - path));
        dir[slash - path] = '\0';
        fd = syscall(SYS_openat2, rootfd, dir[0] ? dir : "/", &how, sizeof(how));
        if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) {
                if (fd < 0)
                        return -errno;
                *ret_dirfd = (int)fd;
                *ret_name = slash + 1;
                return 0;
        }
#endif
        return root_open_parent(rootfd, path, false, ret_dirfd, ret_name);
}

int root_read_file(int rootfd, const char *path, char **ret, size_t *ret_size)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        int r;

        r = open_parent_in_root(rootfd, path, &dirfd, &name);
        if (r < 0)
                return r;
        return read_regular_at(dirfd, name, false, READ_MAX, ret, ret_size);
}

const char *fsutil_strerror(int r)
{
        switch (-r) {
        case EBADFD:
                return "not a regular file (a FIFO, device or socket)";
        case ELOOP:
                return "a symbolic link on the path (memprov follows none)";
        case EISDIR:
                return "a directory, not a file";
        case EFBIG:
                return "too large (memprov reads at most 8 MiB)";
        default:
                return strerror(-r);
        }
}

int write_all(int fd, const void *data, size_t size)
{
        const char *p = data;

        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                size -= (size_t)n;
        }
        return 0;
}

/* The owner and extended attributes (SELinux label, ACLs, an admin's own) of the file a write
 * replaces, given to its temp file: a rename must not reset them to root's and none (issue 21,
 * item 9: --undo replaced fstab's owner and xattrs). A filesystem without xattrs has none. */
static int copy_attrs(int from, int to)
{
        _cleanup_free_ char *names = NULL;
        struct stat st;
        ssize_t n;

        if (fstat(from, &st) < 0 || fchown(to, st.st_uid, st.st_gid) < 0)
                return -errno;
        n = flistxattr(from, NULL, 0);
        if (n <= 0)
                return n < 0 && errno != ENOTSUP ? -errno : 0;
        names = xmalloc((size_t)n);
        n = flistxattr(from, names, (size_t)n);
        if (n < 0)
                return -errno;
        for (const char *k = names; k < names + n; k += strlen(k) + 1) {
                _cleanup_free_ char *value = NULL;
                ssize_t len = fgetxattr(from, k, NULL, 0);
                if (len < 0)
                        return -errno;
                value = xmalloc((size_t)len + 1);
                len = fgetxattr(from, k, value, (size_t)len);
                if (len < 0 || fsetxattr(to, k, value, (size_t)len, 0) < 0)
                        return -errno;
        }
        return 0;
}

/* like: the file being replaced (its owner and xattrs are kept), or -1. */
static int write_temp(int dirfd, const char *tmp, const char *data, size_t size, mode_t mode,
                      int like, bool sync)
{
        _cleanup_close_ int fd = -1;
        int r;

        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        r = write_all(fd, data, size);
        if (r == 0 && like >= 0)
                r = copy_attrs(like, fd);
        if (r == 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r == 0 && sync && fsync(fd) < 0)
                r = -errno;
        return r;
}

/* The temp name is fixed, not random: a run killed between create and rename leaves at most
 * one leftover per file, which the next run's write of the same file replaces. */
int temp_name(const char *name, char buf[static NAME_MAX + 1])
{
        if (snprintf(buf, NAME_MAX + 1, ".#%.200s.memprov-tmp", name) > NAME_MAX)
                return -ENAMETOOLONG;
        return 0;
}

/* Opens path's directory (made when missing) and names its temp file; refuses a symlink or a
 * special file at path. */
static int open_for_write(int rootfd, const char *path, int *ret_dirfd, const char **ret_name,
                          char tmp[static NAME_MAX + 1])
{
        _cleanup_close_ int dirfd = -1;
        struct stat st;
        int r;

        r = root_open_parent(rootfd, path, true, &dirfd, ret_name);
        if (r < 0)
                return r;
        if (fstatat(dirfd, *ret_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
                return S_ISLNK(st.st_mode) ? -ELOOP : -EEXIST;
        r = temp_name(*ret_name, tmp);
        if (r < 0)
                return r;
        *ret_dirfd = TAKE_FD(dirfd);
        return 0;
}

static int stage(int rootfd, const char *path, const char *data, size_t size, mode_t mode,
                 bool sync, bool commit)
{
        _cleanup_close_ int dirfd = -1, like = -1;
        const char *name;
        char tmp[NAME_MAX + 1];
        int r;

        r = open_for_write(rootfd, path, &dirfd, &name, tmp);
        if (r < 0)
                return r;
        if (unlinkat(dirfd, tmp, 0) < 0 && errno != ENOENT)
                return -errno;
        /* open_for_write refused anything but a regular file at path. */
        like = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        r = write_temp(dirfd, tmp, data, size, mode, like, sync);
        if (r == 0 && commit && renameat(dirfd, tmp, dirfd, name) < 0)
                r = -errno;
        if (r < 0)
                unlinkat(dirfd, tmp, 0);
        return r;
}

int root_write_file(int rootfd, const char *path, const char *data, size_t size, mode_t mode)
{
        return stage(rootfd, path, data, size, mode, true, true);
}

int root_stage_file(int rootfd, const char *path, const char *data, size_t size, mode_t mode)
{
        return stage(rootfd, path, data, size, mode, false, false);
}

int root_commit_file(int rootfd, const char *path)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        char tmp[NAME_MAX + 1];
        int r;

        r = open_for_write(rootfd, path, &dirfd, &name, tmp);
        if (r < 0)
                return r;
        return renameat(dirfd, tmp, dirfd, name) < 0 ? -errno : 0;
}

void root_discard_staged(int rootfd, const char *path)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        char tmp[NAME_MAX + 1];

        if (root_open_parent(rootfd, path, false, &dirfd, &name) == 0 && temp_name(name, tmp) == 0)
                (void)unlinkat(dirfd, tmp, 0);
}

/* Directories are reached with O_PATH, which cannot be fsync'ed: reopen for that. */
int fsync_dir(int dirfd)
{
        _cleanup_close_ int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        return fsync(fd) < 0 && errno != EINVAL ? -errno : 0;
}

int root_check_writable_path(int rootfd, const char *path)
{
        char buf[PATH_MAX], *save = NULL, *comp, *next;
        _cleanup_close_ int fd = -1;

        if (path[0] != '/' || strlen(path) >= sizeof(buf))
                return -EINVAL;
        strcpy(buf, path);
        /* The common case, every folder there: one openat2 of the parent says so. */
        *strrchr(buf, '/') = '\0';
        fd = open_dir_at_once(rootfd, buf[0] ? buf : "/");
        if (fd >= 0)
                return 0;
        strcpy(buf, path);
        fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        /* Every directory on the way must be a real directory; the first missing one ends the
         * walk (memprov creates the rest). The last component is the file's own business. */
        for (comp = strtok_r(buf, "/", &save); comp; comp = next) {
                int sub;
                next = strtok_r(NULL, "/", &save);
                if (!next)
                        break;
                sub = open_component(fd, comp, false);
                if (sub == -ENOENT)
                        return 0;
                if (sub < 0)
                        return sub;
                close(fd);
                fd = sub;
        }
        return 0;
}

int root_remove_file(int rootfd, const char *path)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        int r;

        r = root_open_parent(rootfd, path, false, &dirfd, &name);
        if (r < 0)
                return r;
        return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
}

int root_lstat(int rootfd, const char *path, struct stat *st)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        int r;

        r = root_open_parent(rootfd, path, false, &dirfd, &name);
        if (r < 0)
                return r;
        return fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

int root_symlink(int rootfd, const char *target, const char *path)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        int r;

        r = root_open_parent(rootfd, path, true, &dirfd, &name);
        if (r < 0)
                return r;
        return symlinkat(target, dirfd, name) < 0 ? -errno : 0;
}

uint64_t hash64(const void *data, size_t size)
{
        const unsigned char *p = data;
        uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

        for (size_t i = 0; i < size; i++) {
                h ^= p[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}
