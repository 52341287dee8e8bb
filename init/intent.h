/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The intent record: before its first change a run writes the state it means to leave
 * (/var/lib/memprov/intent, atomically, durably) and removes it after the state is saved. A
 * record found at start-up is a run that did not finish: the next run, plain or --rerun,
 * provisions again (finishing or undoing each half-done step), and takes the record's word
 * for what that run wrote (files it may have written, units it may have disabled, its
 * swapfile), so it ends where the interrupted run would have ended.
 */
#pragma once

#include "../lib/config.h"

#define INTENT_PATH "/var/lib/memprov/intent"

/* A missing intent record is not an error: *ret stays empty. */
int intent_load(int rootfd, const char *root, struct config *ret);
bool intent_pending(const struct config *intent);
/* Writes the intent record's temp file (intent: the new state as planned); it becomes durable with
 * the run's first syncfs, together with every file the run writes, and intent_commit()
 * renames it into place before the first change, durably: on one filesystem that commits in
 * order any later change on disk brings the rename along; elsewhere its folder is fsynced. */
int intent_stage(int rootfd, const struct config *intent);
int intent_commit(int rootfd);
/* Saves the state after the run and removes the intent record (the one this run staged, or
 * NULL): the run is complete. */
int intent_complete(int rootfd, const struct config *intent, const struct config *state);
/* Whether the record is an --undo's (init/undo.c): a run that finds it finishes the undo. */
bool intent_is_undo(const struct config *intent);
/* The record removed, once what it speaks for is on disk (-ENOENT is not an error). */
int intent_remove(int rootfd);
/* A run killed while writing its intent record left only that record's temp file (and an
 * --undo's, its marker's): removed. */
void intent_sweep(int rootfd);
