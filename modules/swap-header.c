/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The swap signature memprov writes itself, the page `mkswap -L memprov` writes on a fresh
 * file: the kernel's swap header version 1 (include/linux/swap.h, union swap_header: 1024
 * bytes of boot bits, then version, last_page, nr_badpages, sws_uuid[16], sws_volume[16]) in an
 * otherwise zero first page that ends with the magic "SWAPSPACE2" (mm/swapfile.c reads it
 * there, at PAGE_SIZE - 10). Spawning mkswap cost an exec and an fsync of its own per swapfile;
 * this page becomes durable with the run's syncfs instead (swap-file.c). Byte for byte the same
 * as mkswap's for the same size and UUID: tests/unit/test-swap-header.c compares them.
 */
#include <stddef.h>
#include <sys/random.h>
#include <unistd.h>

#include "swap.h"

/* The kernel's swap_header.info, native byte order as the kernel reads it. */
struct swap_header_info {
        uint32_t version;
        uint32_t last_page;
        uint32_t nr_badpages;
        uint8_t sws_uuid[16];
        char sws_volume[16];
};
#define SWAP_INFO_OFFSET 1024
#define SWAP_MAGIC       "SWAPSPACE2"
/* mkswap refuses areas under 10 pages (MIN_GOODPAGES in util-linux's mkswap.c). */
#define SWAP_MIN_PAGES 10

int swap_header_build(uint64_t size, const uint8_t uuid[static 16], char **ret_page,
                      size_t *ret_size)
{
        long page_size = sysconf(_SC_PAGESIZE);
        struct swap_header_info info = {.version = 1};
        uint64_t pages;
        char *page;

        if (page_size < (long)(SWAP_INFO_OFFSET + sizeof(info) + strlen(SWAP_MAGIC)))
                return -EINVAL;
        pages = size / (uint64_t)page_size;
        if (pages < SWAP_MIN_PAGES || pages - 1 > UINT32_MAX)
                return -EINVAL;
        info.last_page = (uint32_t)(pages - 1);
        memcpy(info.sws_uuid, uuid, sizeof(info.sws_uuid));
        _Static_assert(sizeof(SWAP_LABEL) <= sizeof(info.sws_volume), "the label fits");
        memcpy(info.sws_volume, SWAP_LABEL, sizeof(SWAP_LABEL));
        page = calloc(1, (size_t)page_size);
        if (!page)
                return -ENOMEM;
        memcpy(page + SWAP_INFO_OFFSET, &info, sizeof(info));
        memcpy(page + page_size - strlen(SWAP_MAGIC), SWAP_MAGIC, strlen(SWAP_MAGIC));
        *ret_page = page;
        *ret_size = (size_t)page_size;
        return 0;
}

/* A random (version 4) UUID, as mkswap's libuuid makes one. */
static int random_uuid(uint8_t uuid[static 16])
{
        ssize_t n = getrandom(uuid, 16, 0);

        if (n != 16)
                return n < 0 ? -errno : -EIO;
        uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
        uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
        return 0;
}

int swap_header_write(int fd, uint64_t size)
{
        _cleanup_free_ char *page = NULL;
        uint8_t uuid[16];
        size_t page_size;
        ssize_t n;
        int r;

        r = random_uuid(uuid);
        if (r == 0)
                r = swap_header_build(size, uuid, &page, &page_size);
        if (r < 0)
                return r;
        n = pwrite(fd, page, page_size, 0);
        if (n < 0)
                return -errno;
        return (size_t)n == page_size ? 0 : -EIO;
}
