/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The read side of fsutil: only regular files are read, nothing blocks, no link is followed. */
#include <fcntl.h>
#include <sys/stat.h>

#include "../../lib/config.h"
#include "../../lib/fsutil.h"
#include "../../lib/util.h"
#include "test.h"

static char *path_in(const char *dir, const char *name)
{
        char *p = NULL;

        if (asprintf(&p, "%s/%s", dir, name) < 0)
                abort();
        return p;
}

TEST(fsutil_reads_only_regular_files)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *fifo = path_in(dir, "etc/fifo");
        _cleanup_free_ char *big = path_in(dir, "etc/big");
        _cleanup_close_ int rootfd = -1, fd = -1;
        char *text = NULL;
        size_t size;

        test_write(dir, "etc/file", "[swap]\nsize = 1G\n");
        test_write(dir, "etc/dir/x", "");
        CHECK(mkfifo(fifo, 0600) == 0);
        CHECK(symlinkat("file", AT_FDCWD, fifo) < 0); /* exists already */
        {
                _cleanup_free_ char *link = path_in(dir, "etc/link");
                CHECK(symlink("/etc/passwd", link) == 0);
        }
        fd = open(big, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        CHECK(fd >= 0 && ftruncate(fd, READ_MAX + 1) == 0); /* sparse: costs nothing */
        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

        CHECK(root_read_file(rootfd, "/etc/file", &text, &size) == 0 && size == 17);
        free(text);
        CHECK(root_read_file(rootfd, "/etc/fifo", &text, &size) ==
              -EBADFD); /* no writer: would block */
        CHECK(root_read_file(rootfd, "/etc/dir", &text, &size) == -EISDIR);
        CHECK(root_read_file(rootfd, "/etc/link", &text, &size) == -ELOOP);
        CHECK(root_read_file(rootfd, "/etc/big", &text, &size) == -EFBIG);
        CHECK(root_read_file(rootfd, "/etc/none", &text, &size) == -ENOENT);
        CHECK(read_regular_at(AT_FDCWD, "/dev/zero", true, READ_MAX, &text, &size) == -EBADFD);
        CHECK(strstr(fsutil_strerror(-EBADFD), "not a regular file") != NULL);
        test_rmtree(dir);
}

/* A conf.d symlink is refused, not followed: under --root it could name the build host's files. */
TEST(fsutil_conf_d_symlink_refused)
{
        _cleanup_free_ char *dir = test_mkdtemp(),
                            *link = path_in(dir, "etc/memprov/conf.d/5.conf");
        _cleanup_close_ int rootfd = -1;
        struct config c = {0};

        test_write(dir, "etc/memprov/conf.d/1.conf", "[swap]\nsize = 1G\n");
        CHECK(symlink("/etc/shadow", link) == 0);
        rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        CHECK(config_load_root_dir(&c, rootfd, dir, "/etc/memprov/conf.d") == -ELOOP);
        CHECK(config_load_root_file(&c, rootfd, dir, "/etc/memprov/conf.d/5.conf") == -ELOOP);
        CHECK(config_load_root_file(&c, rootfd, dir, "/etc/memprov/none.conf") == -ENOENT);
        config_done(&c);
        test_rmtree(dir);
}
