/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The customer's settings (cloud-init user-data's memprov: key) are reviewed as a whole before
 * they join the provider's configuration (issue 20 item 8, issue 21 item 3): a customer may choose
 * sizes and policies, but only what is safe for a customer to choose where a setting names a path
 * or a unit. The provider's /etc and --set keep their freedom.
 */
#pragma once

#include "config.h"

/* The provider's allow-list of folders a user-data swap.path may be in (memprov.conf(5)). */
#define USERDATA_SECTION      "userdata"
#define USERDATA_SWAP_FOLDERS "swap_folders"

/* 0: ud may join the configuration. -EINVAL: an error in it (each logged, naming its key); the
 * caller sets ALL of ud aside and provisions with the provider's configuration. -EBADMSG: the
 * customer's intent cannot be known (memprov.enabled is not a boolean): change nothing. */
int userdata_review(const struct config *ud, const struct config *provider,
                    const struct config_key *const *keys);
/* Whether path is a folder list entry's file: its parent is one of the folders (exact). */
bool userdata_swap_path_allowed(const char *path, const char *folders);
int check_abs_folder_list(const char *v); /* absolute folders separated by spaces */
