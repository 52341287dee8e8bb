/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal: before its first change a run writes the state it means to leave
 * (/var/lib/memprov/journal, atomically, durably) and removes it after the state is saved. A
 * journal found at start-up is a run that did not finish: the next run, plain or --rerun,
 * provisions again (finishing or undoing each half-done step), and takes the journal's word
 * for what that run wrote (files it may have written, units it may have disabled, its
 * swapfile), so it ends where the interrupted run would have ended.
 */
#pragma once

#include "../lib/config.h"

#define JOURNAL_PATH "/var/lib/memprov/journal"

/* A missing journal is not an error: *ret stays empty. */
int journal_load(int rootfd, const char *root, struct config *ret);
bool journal_pending(const struct config *journal);
/* Writes the journal's temp file (intent: the new state as planned); it becomes durable with
 * the run's first syncfs, together with every file the run writes, and journal_commit()
 * renames it into place before the first change. Filesystems commit metadata in order, so
 * once any later change is on disk, so is the journal. */
int journal_stage(int rootfd, const struct config *intent);
int journal_commit(int rootfd);
/* Saves the state after the run and removes the journal: the run is complete. */
int journal_complete(int rootfd, const struct config *state);
/* A run killed while writing its journal left only the journal's temp file: removed. */
void journal_sweep(int rootfd);
