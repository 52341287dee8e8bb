/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The swapfile: sizing policy, creation by filesystem type, resize, fstab entry. */
#pragma once

#include <stdint.h>

#include "../lib/util.h"
#include "module.h"

#define SWAP_DEFAULT_PATH "/swapfile"
#define SWAP_MIN_BYTES    (256 * MIB)
#define SWAP_ROUNDING     (64 * MIB)

extern const struct module swap_module;

/* [swap] and the tier's swap, typed: parsed once per call from the module's one key list, which
 * holds each key's default (modules/swap.c SWAP_KEYS). */
struct swap_settings {
        const char *path;             /* swap.path */
        struct config_size size;      /* swap.size */
        struct config_size tier_size; /* the tier table's swap (auto when it has none) */
        bool add;                     /* swap.add */
        bool image;                   /* swap.image */
};
/* 0, or -EINVAL (logged) for a value validation should have refused. */
int swap_settings(const struct context *ctx, struct swap_settings *ret);
/* The same from a configuration alone, before the run has facts to pick a tier by (tier NULL:
 * tier_size stays auto): what init/ needs to know before facts_gather() (memprov_swap_path). */
int swap_settings_config(const struct config *config, const char *tier, struct swap_settings *ret);
/* Memprov's swapfile as the state records it (swap_record): its path, or NULL when the state
 * names none, and its size in bytes (0 when none). */
const char *swap_recorded(const struct config *state, uint64_t *ret_size);

/* The policy's wish for ram bytes of RAM, before the filesystem's say. */
uint64_t swap_target_bytes(uint64_t ram);
/* min(target, avail/4, avail - max(2G, fs/10)) rounded down to 64 MiB; 0 under 256 MiB.
 * explicit: an admin-given size skips the avail/4 share but keeps the free-space reserve. */
uint64_t swap_cap_bytes(uint64_t target, uint64_t fs_size, uint64_t avail, bool explicit_size);
/* The swap the machine will have after this run (memprov's swapfile as planned + other swap),
 * in a container at most what its cgroup allows: the sizing model's swap. */
uint64_t swap_expected_bytes(const struct context *ctx);
/* Why this filesystem cannot hold a swapfile, or NULL. */
const char *swap_fs_refusal(const struct fs_facts *fs);
/* Whether a resize from old to new is worth it: more than max(256 MiB, 10%). */
bool swap_resize_wanted(uint64_t old_size, uint64_t new_size);

int swap_apply(const struct context *ctx, struct action *a);
/* Before the run's syncfs: a new swapfile (SWAP_CREATE where nothing is) made under its temp
 * name, so that apply only renames it and swaps it on. 1 when made, 0 when apply makes it. */
int swap_stage_file(const struct context *ctx, const struct action *a);
/* The temp file of swap.path, if any: never swapped on, so it can go. */
void swap_unstage_file(const struct context *ctx);

/* The first page of a swap area of size bytes labelled SWAP_LABEL (swap-header.c): -EINVAL
 * when size is under 10 pages or beyond the header's reach. */
int swap_header_build(uint64_t size, const uint8_t uuid[static 16], char **ret_page,
                      size_t *ret_size);
/* Writes that page, with a random UUID, at the start of fd. */
int swap_header_write(int fd, uint64_t size);

/* The label memprov gives its swap areas: how a later run knows its own work. */
#define SWAP_LABEL         "memprov"
#define SWAP_RESIZE_SUFFIX ".memprov-resize"
/* A swapfile under construction: ".NAME" SWAP_TEMP_SUFFIX beside NAME (swap-file.c). */
#define SWAP_TEMP_SUFFIX ".memprov-new"
enum { SWAP_FILE_ABSENT, SWAP_FILE_OURS, SWAP_FILE_FOREIGN, SWAP_FILE_ADOPTABLE };
/* SWAP_FILE_* for path under the root (size filled for OURS), or -errno (-ELOOP: a symlinked
 * directory on the way). An unlabelled swapfile of memprov 0.1.0 that the state vouches for
 * counts as OURS (swap-own.c). */
int swap_file_kind(const struct context *ctx, const char *path, uint64_t *ret_size);
/* The disk space memprov's own leftovers next to path take (a stopped run's temp files and
 * resize side file), which the apply sweeps before it makes a swapfile (swap-own.c). */
uint64_t swap_leftover_bytes(const struct context *ctx, const char *path);
/* Whether path is such a 0.1.0 swapfile, still to be labelled. */
bool swap_adoptable(const struct context *ctx, const char *path);
/* Labels the state's swapfile when it is adoptable (else nothing): 0 or -errno, logged. */
int swap_adopt(const struct context *ctx);
/* 0 when path is absent or memprov's swap area; else logs an error naming path, -errno. */
int swap_refuse_foreign(const struct context *ctx, const char *path);

/* fstab, edited line by line so every other byte survives; parsed with libmount. */
int fstab_ensure_swap(int rootfd, const char *root, const char *path, bool *changed);
/* Before the run's syncfs: the fstab with path's entry, under its temp name, so that
 * fstab_ensure_swap() later only renames it (no fsync of its own). */
int fstab_stage_swap(int rootfd, const char *root, const char *path);
/* Before the syncfs that precedes the first change: what the swap action will write, staged;
 * swap_unstage() removes it (struct module's stage and unstage). */
int swap_stage(const struct context *ctx, const struct action *a);
void swap_unstage(const struct context *ctx);
int fstab_remove_swap(int rootfd, const char *root, const char *path, bool *changed);
/* A swap.path move stopped after the old file was removed leaves the old path's line, which
 * names nothing now: when the state's swapfile is not path and is gone, its line goes. */
int fstab_drop_moved(const struct context *ctx, const char *path);
