/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the configuration of what runs under the root (/ or --root DIR) the way the machine
 * booted from it would: symbolic links are followed, an absolute target starts again at the root.
 * Debian's tools make links there on purpose (a2enmod: mods-enabled/php8.2.load ->
 * ../mods-available/php8.2.load; phpenmod: fpm/conf.d/10-opcache.ini ->
 * /etc/php/8.2/mods-available/opcache.ini). A link that climbs above the root is refused
 * (-EXDEV), never clamped: a target memprov cannot place inside the image names nothing it should
 * read. Only for reading; what memprov writes goes through fsutil.h, which follows no link.
 */
#pragma once

#include <dirent.h>
#include <limits.h>
#include <stddef.h>

/* The most links one resolution follows (the kernel's MAXSYMLINKS): more is -ELOOP. */
#define CHASE_MAX_LINKS 40

/* Resolves path (absolute, inside the root) to the directory holding its last component (an
 * O_PATH descriptor) and that component's name, which is not a link (links are followed to the
 * end). -ENOENT for a missing component (also a dangling link), -EXDEV for a link or ".." that
 * leaves the root, -ELOOP for too many links, -ENAMETOOLONG beyond PATH_MAX. */
int chase_in_root(int rootfd, const char *path, int *ret_dirfd, char ret_name[static NAME_MAX + 1]);
/* root_read_file() with links followed inside the root: only a regular file is read. */
int chase_read_file(int rootfd, const char *path, char **ret, size_t *ret_size);
/* root_opendir() with links followed inside the root. */
int chase_opendir(int rootfd, const char *dir, DIR **ret);
/* fsutil_strerror() plus the words for -EXDEV. */
const char *chase_strerror(int r);

/* The names in dir (links followed inside the root) that end in suffix, hidden ones left out,
 * sorted as glob(3) and PHP's scandir sort them in the C locale (strcmp): NULL-terminated, freed
 * with names_free(). */
int chase_list_dir(int rootfd, const char *dir, const char *suffix, char ***ret);
void names_free(char **names);
static inline void names_freep(char ***names)
{
        names_free(*names);
}
