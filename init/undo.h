/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "../lib/cloudinit.h"
#include "../lib/context.h"

/* Left by --undo in place of the state: boot does not provision the machine again. */
#define UNDONE_PATH "/var/lib/memprov/undone"

/* memprov --undo: plans (and unless --dry-run applies) the way back to the machine as it was
 * before memprov, through the same executor as provisioning. */
int undo_run(const struct context *ctx, const struct cloudinit_meta *meta);
/* Whether --undo put this machine back and nothing since asks for provisioning again (a new
 * cloud-init instance does). Logs nothing: the run's mode says what it does about it. */
bool undone_check(const struct context *ctx, const struct cloudinit_meta *meta);
/* The undone marker's records of the files --undo kept for the admin (ret stays empty when
 * there is none): theirs until they remove them. */
int undone_load_kept(int rootfd, const char *root, struct config *ret);
/* After provisioning again: the marker goes. */
int undone_clear(const struct context *ctx);
