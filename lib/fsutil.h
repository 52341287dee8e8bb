/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files under the root (/ or --root DIR), reached one component at a time with O_NOFOLLOW so
 * that no symlink is followed and nothing escapes the root: a symlink anywhere on a path memprov
 * writes is an error (-ELOOP), never silently followed. One code path on every kernel.
 */
#pragma once

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Opens the directory holding path's last component; *ret_name points into path. */
int root_open_parent(int rootfd, const char *path, bool create, int *ret_dirfd,
                     const char **ret_name);
int root_open_dir(int rootfd, const char *dir, bool create, int *ret_fd);
/* The same, opened for readdir(3). */
int root_opendir(int rootfd, const char *dir, DIR **ret);
/* The most memprov reads of any one file. Its largest inputs are cloud-init's JSON renderings of
 * user-data (EC2 caps user-data at 16 KiB); 8 MiB is a guess with ample room, not a measurement. */
#define READ_MAX (8 * 1024 * 1024)
/* -ENOENT when absent. *ret is NUL-terminated. Only a regular file is read (-EISDIR, -ELOOP for a
 * symlink, -EBADFD for a FIFO, device or socket; -EFBIG beyond READ_MAX), and nothing blocks. */
int root_read_file(int rootfd, const char *path, char **ret, size_t *ret_size);
/* The same for name in dirfd (AT_FDCWD: a path as given); follow: whether a symlink as the last
 * component is followed (only for a path the operator names on the command line). */
int read_regular_at(int dirfd, const char *name, bool follow, size_t max, char **ret,
                    size_t *ret_size);
/* 0 for a regular file, else the error read_regular_at() returns for it. */
int verify_regular(const struct stat *st);
/* strerror() with words for the refusals above ("not a regular file", ...). */
const char *fsutil_strerror(int r);
/* Atomic: temp file in the same directory, fsync, rename. The rename becomes durable with the
 * next root_sync() (one syncfs per run instead of one journal commit per directory). */
int root_write_file(int rootfd, const char *path, const char *data, size_t size, mode_t mode);
/* Two-step writes, for many files with one sync: root_stage_file() writes path's temp file
 * (no fsync), root_sync() makes every staged file durable at once, root_commit_file() renames
 * one into place (-ENOENT when nothing was staged), root_discard_staged() drops one. */
int root_stage_file(int rootfd, const char *path, const char *data, size_t size, mode_t mode);
int root_commit_file(int rootfd, const char *path);
void root_discard_staged(int rootfd, const char *path);
int root_remove_file(int rootfd, const char *path);
/* 0 when every existing directory on path is a real directory (no symlink, no file): what
 * root_write_file() would accept, checked without changing anything. */
int root_check_writable_path(int rootfd, const char *path);
/* The fixed temp name root_write_file() uses for name (".#NAME.memprov-tmp"). */
int temp_name(const char *name, char buf[static NAME_MAX + 1]);
int root_lstat(int rootfd, const char *path, struct stat *st);
int root_symlink(int rootfd, const char *target, const char *path);
int write_all(int fd, const void *data, size_t size);
/* fd's contents to EOF, NUL-terminated; -EFBIG beyond max bytes. */
int read_fd(int fd, size_t max, char **ret, size_t *ret_size);
int fsync_dir(int dirfd);
/* Change detection for managed files (not a security hash). */
uint64_t hash64(const void *data, size_t size);
