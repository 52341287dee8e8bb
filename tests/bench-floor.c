/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-floor SWAPFILE SIZE FSTAB: the floor for memprov's swap case (issue 20, "a floor worth
 * beating"): the same system calls memprov makes for a swapfile, with the same durability, and
 * nothing else: create the file 0600, fallocate it, pwrite the kernel's swap header (version 1,
 * as modules/swap-header.c builds it), write fstab's new text to a temp file beside it, one
 * syncfs of the filesystem that holds them, swapon, rename the temp file over fstab and fsync
 * its folder. No configuration, no plan, no state: what memprov costs beyond this is its own.
 * SIZE in bytes or with a K, M or G suffix. Exit status 0 on success.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/swap.h>
#include <unistd.h>

#define SWAP_INFO_OFFSET 1024

static int fail(const char *what)
{
        fprintf(stderr, "bench-floor: %s: %s\n", what, strerror(errno));
        return 1;
}

static uint64_t parse_size(const char *s)
{
        char *end;
        uint64_t n = strtoull(s, &end, 10);

        switch (*end) {
        case 'G':
                return n << 30;
        case 'M':
                return n << 20;
        case 'K':
                return n << 10;
        default:
                return n;
        }
}

int main(int argc, char **argv)
{
        long page_size = sysconf(_SC_PAGESIZE);
        uint32_t info[3] = {1, 0, 0}; /* version, last_page, nr_badpages */
        uint8_t uuid[16];
        char tmp[4096], *page, *old = NULL, *dir, *slash;
        size_t old_size = 0;
        uint64_t size;
        FILE *f;
        int fd, out, dfd;

        if (argc != 4)
                return fprintf(stderr, "usage: bench-floor SWAPFILE SIZE FSTAB\n"), 2;
        size = parse_size(argv[2]);
        fd = open(argv[1], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return fail(argv[1]);
        if (fallocate(fd, 0, 0, (off_t)size) < 0)
                return fail("fallocate");
        page = calloc(1, (size_t)page_size);
        if (!page || getrandom(uuid, sizeof(uuid), 0) != sizeof(uuid))
                return fail("header");
        info[1] = (uint32_t)(size / (uint64_t)page_size - 1);
        memcpy(page + SWAP_INFO_OFFSET, info, sizeof(info));
        memcpy(page + SWAP_INFO_OFFSET + sizeof(info), uuid, sizeof(uuid));
        memcpy(page + page_size - 10, "SWAPSPACE2", 10);
        if (pwrite(fd, page, (size_t)page_size, 0) != page_size)
                return fail("pwrite");

        /* fstab: the old text and memprov's line, into a temp file in the same folder. */
        f = fopen(argv[3], "re");
        if (f) {
                old = malloc(1 << 16);
                old_size = old ? fread(old, 1, 1 << 16, f) : 0;
                fclose(f);
        }
        snprintf(tmp, sizeof(tmp), "%s.memprov-floor", argv[3]);
        out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0)
                return fail(tmp);
        if ((old_size && write(out, old, old_size) != (ssize_t)old_size) ||
            dprintf(out,
                    "# memprov swapfile: managed by memprov, see memprov(8)\n%s none swap sw 0 0\n",
                    argv[1]) < 0)
                return fail("write");
        /* One syncfs: the swapfile's blocks and header and fstab's new text, with their metadata.
         */
        if (syncfs(fd) < 0)
                return fail("syncfs");
        if (swapon(argv[1], 0) < 0)
                return fail("swapon");
        if (rename(tmp, argv[3]) < 0)
                return fail("rename");
        dir = strdup(argv[3]);
        slash = dir ? strrchr(dir, '/') : NULL;
        if (slash)
                *slash = '\0';
        dfd = open(slash && *dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || fsync(dfd) < 0)
                return fail("fsync of fstab's folder");
        return 0;
}
