/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "fsutil.h"
#include "log.h"
#include "spawn.h"
#include "util.h"

extern char **environ;

const char *find_program(const char *const *candidates)
{
        for (; *candidates; candidates++)
                if (access(*candidates, X_OK) == 0)
                        return *candidates;
        return NULL;
}

int spawn_wait(char *const argv[])
{
        posix_spawn_file_actions_t fa;
        pid_t pid;
        int status, r;

        /* mkswap prints its banner on stdout; memprov's stdout carries the plan or JSON. */
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                return log_error_errno(r, "cannot run %s", argv[0]);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return log_error_errno(errno, "waitpid %s", argv[0]);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFEXITED(status))
                return log_error("%s failed with exit status %d", argv[0], WEXITSTATUS(status));
        return log_error("%s killed by signal %d", argv[0], WTERMSIG(status));
}

int spawn_output(char *const argv[], size_t max, char **ret)
{
        return spawn_output_stdin(argv, -1, max, ret);
}

int spawn_output_stdin(char *const argv[], int in_fd, size_t max, char **ret)
{
        _cleanup_free_ char *out = NULL;
        posix_spawn_file_actions_t fa;
        _cleanup_close_ int rfd = -1;
        int fds[2], status, r;
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        rfd = fds[0];
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        if (in_fd >= 0)
                posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
        r = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        close(fds[1]);
        if (r != 0)
                return -r;
        r = read_fd(rfd, max, &out, NULL);
        /* A program cut off early gets EPIPE instead of blocking on a full pipe. */
        close(TAKE_FD(rfd));
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (r < 0)
                return r;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return -EIO;
        *ret = TAKE_PTR(out);
        return 0;
}
