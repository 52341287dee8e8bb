/* SPDX-License-Identifier: GPL-2.0-or-later */
/* LD_PRELOAD for qemu in the load test (tests/load/run-cell) only: a listen() backlog below
 * Apache's own is raised to it.
 *
 * Why: qemu's user-mode port forward (libslirp) listens on the host with a backlog of 1
 * (libslirp 4.7.0, Debian 12's libslirp0: src/socket.c tcpx_listen calls listen(s, 1); `ss -ltn`
 * shows Send-Q 1 on a --hostfwd port). wrk opening 100 connections at once overflows that queue
 * on the host, before any packet reaches the guest: the host kernel drops the handshake's last
 * ACK (or answers with a SYN cookie), the client believes it is connected and its request waits
 * for a retransmission, often past the test's timeout. A real VPS has no such queue in front of
 * it: clients meet Apache's listen queue (ListenBacklog, 511 by default, Apache's mpm_common
 * documentation). So the forward gets that same depth; everything behind it (the guest's kernel,
 * Apache, PHP-FPM, MariaDB) is untouched, and run-cell counts the host's and the guest's listen
 * queue overflows per step so either side's drops show. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

#define APACHE_LISTEN_BACKLOG 511

int listen(int fd, int backlog)
{
        static int (*real_listen)(int, int);

        if (!real_listen)
                real_listen = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");
        if (!real_listen) {
                errno = ENOSYS;
                return -1;
        }
        return real_listen(fd, backlog < APACHE_LISTEN_BACKLOG ? APACHE_LISTEN_BACKLOG : backlog);
}
