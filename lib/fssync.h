/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Flushing what a run wrote: the folders it writes in are /etc and /var/lib/memprov. */
#pragma once

#include <stdbool.h>

/* syncfs of each filesystem holding /etc or /var/lib/memprov under the root (once each). */
int root_sync(int rootfd);
/* Whether /etc and /var/lib/memprov are on one filesystem that puts its changes on disk in the
 * order they were made: there a rename in /var/lib/memprov that reached the disk brought every
 * earlier change in /etc along, and needs no syncfs before it to come after them. */
bool root_commits_in_order(int rootfd);
