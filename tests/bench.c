/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench-run CMD [ARGS...] [-- CMD ...]: runs each command in turn and prints the summed wall
 * time in microseconds, the largest peak RSS in KiB and the summed CPU time (user + system, the
 * command and the children it waited for) in microseconds: "WALL_US PEAK_KIB CPU_US". The CPU
 * time varies less than the wall time on a shared machine. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static long long now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int run(char **argv, long long *wall_us, long *peak_kib, long long *cpu_us)
{
        struct rusage ru;
        long long start = now_us();
        pid_t pid;
        int status;

        posix_spawn_file_actions_t fa;

        /* Only the measurements go to stdout. */
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
                perror(argv[0]);
                return -1;
        }
        if (wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
                fprintf(stderr, "%s failed\n", argv[0]);
                return -1;
        }
        *wall_us += now_us() - start;
        *cpu_us += (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec +
                   ru.ru_stime.tv_usec;
        if (ru.ru_maxrss > *peak_kib)
                *peak_kib = ru.ru_maxrss;
        return 0;
}

int main(int argc, char **argv)
{
        long long wall_us = 0, cpu_us = 0;
        long peak_kib = 0;
        int start = 1;

        for (int i = 1; i <= argc; i++) {
                if (i < argc && strcmp(argv[i], "--") != 0)
                        continue;
                argv[i < argc ? i : argc] = NULL;
                if (i > start && run(argv + start, &wall_us, &peak_kib, &cpu_us) < 0)
                        return 1;
                start = i + 1;
        }
        printf("%lld %ld %lld\n", wall_us, peak_kib, cpu_us);
        return 0;
}
