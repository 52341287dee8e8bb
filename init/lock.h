/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One run at a time: every run that may change the machine holds an exclusive flock(2) from
 * before it reads the state until it exits. Without it a boot run and an admin's --rerun started
 * a fraction of a second apart both read the state before either wrote it, and the second took
 * the units the first had disabled for the admin's (issue 21, item 1).
 */
#pragma once

/* Live: /run/memprov.lock. --root DIR: DIR itself. A second run waits up to
 * LOCK_WAIT_SEC (or $MEMPROV_LOCK_WAIT_SEC) for the first, then refuses, naming the holder's
 * pid (logged). *ret_fd holds the lock until closed (or the process ends). */
int lock_take(int rootfd, const char *root, int *ret_fd);
