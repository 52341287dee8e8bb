/* SPDX-License-Identifier: GPL-2.0-or-later */
/* memprov's swap signature against util-linux's: the first page byte for byte as
 * `mkswap -L memprov -U UUID` writes it on a file of the same size, and libblkid reads it back
 * as a swap area with memprov's label and UUID. */
#include <blkid/blkid.h>
#include <fcntl.h>
#include <unistd.h>

#include "../../lib/spawn.h"
#include "../../lib/util.h"
#include "../../modules/swap.h"
#include "test.h"

static const uint8_t uuid[16] = {0x0b, 0x1e, 0x2c, 0x3d, 0x4e, 0x5f, 0x4a, 0x6b,
                                 0x8c, 0x7d, 0x9e, 0x0f, 0x1a, 0x2b, 0x3c, 0x4d};
#define UUID_TEXT "0b1e2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

/* A file of size bytes, allocated (mkswap warns about holes) and 0600 (and about modes). */
static int make_file(const char *path, uint64_t size)
{
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        if (fd >= 0 && posix_fallocate(fd, 0, (off_t)size) != 0) {
                close(fd);
                return -1;
        }
        return fd;
}

static void check_probe(const char *path)
{
        blkid_probe pr = blkid_new_probe_from_filename(path);
        const char *v = NULL;

        CHECK(pr && blkid_probe_enable_superblocks(pr, 1) == 0 &&
              blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_LABEL |
                                                        BLKID_SUBLKS_UUID) == 0 &&
              blkid_do_safeprobe(pr) == 0);
        CHECK(pr && blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0 && streq(v, "swap"));
        CHECK(pr && blkid_probe_lookup_value(pr, "LABEL", &v, NULL) == 0 && streq(v, SWAP_LABEL));
        CHECK(pr && blkid_probe_lookup_value(pr, "UUID", &v, NULL) == 0 && streq(v, UUID_TEXT));
        if (pr)
                blkid_free_probe(pr);
}

TEST(swap_header_as_mkswap_writes_it)
{
        static const char *const candidates[] = {"/usr/sbin/mkswap", "/sbin/mkswap", NULL};
        const char *mkswap = find_program(candidates);
        /* Not a whole number of pages: both round down. */
        static const uint64_t sizes[] = {40 * 4096, 64 * MIB + 4096 * 3 + 123};
        _cleanup_free_ char *dir = test_mkdtemp();

        CHECK(mkswap != NULL);
        for (size_t i = 0; mkswap && i < ELEMENTSOF(sizes); i++) {
                _cleanup_free_ char *ref = xasprintf("%s/ref", dir),
                                    *ours = xasprintf("%s/ours", dir);
                _cleanup_free_ char *page = NULL, *ref_page = NULL;
                size_t size = 0;
                int fd;

                fd = make_file(ref, sizes[i]);
                CHECK(fd >= 0);
                close(fd);
                CHECK(spawn_wait((char *const[]){(char *)mkswap, (char *)"-q", (char *)"-L",
                                                 (char *)SWAP_LABEL, (char *)"-U",
                                                 (char *)UUID_TEXT, ref, NULL}) == 0);
                CHECK(swap_header_build(sizes[i], uuid, &page, &size) == 0);
                CHECK_U64(size, (uint64_t)sysconf(_SC_PAGESIZE));
                ref_page = xmalloc(size);
                fd = open(ref, O_RDONLY | O_CLOEXEC);
                CHECK(fd >= 0 && pread(fd, ref_page, size, 0) == (ssize_t)size);
                close(fd);
                CHECK(page && memcmp(page, ref_page, size) == 0);

                /* The same page written by memprov: libblkid sees memprov's swap area. */
                fd = make_file(ours, sizes[i]);
                CHECK(fd >= 0 && pwrite(fd, page, size, 0) == (ssize_t)size);
                close(fd);
                check_probe(ours);
        }
        test_rmtree(dir);
}

TEST(swap_header_refuses_tiny_areas)
{
        char *page = NULL;
        size_t size = 0;

        CHECK(swap_header_build(9 * (uint64_t)sysconf(_SC_PAGESIZE), uuid, &page, &size) ==
              -EINVAL);
        CHECK(page == NULL);
}
