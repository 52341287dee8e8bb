/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /var/lib/memprov/state: what memprov did, as INI read back with the same parser as the
 * configuration. Sections: [memprov] (version, ram_bytes, disk_bytes, tier, instance),
 * [swap] (path, size_bytes, extra_path), [files] (PATH = HASH MODE MODULE), [links]
 * (PATH = TARGET MODULE), [unit NAME] (see modules/units.c).
 */
#pragma once

#include "config.h"

#define STATE_PATH "/var/lib/memprov/state"

/* A missing state is not an error: *ret stays empty. A state that is not a regular file, not
 * INI, cut short (no end line), or whose numbers and paths memprov could not have written is an
 * error (logged). */
int state_load(int rootfd, const char *root, struct config *ret);
/* The same on text already read; *ret is set only on success. */
int state_parse(struct config *ret, const char *text, size_t size, const char *display);
int state_save(int rootfd, const struct config *state);
/* The same for another file in the state's format (the journal of a run in progress). */
int state_load_from(int rootfd, const char *root, const char *file, struct config *ret);
int state_save_to(int rootfd, const char *file, const struct config *state);
/* Only writes file's temp file (root_stage_file): root_sync() and root_commit_file() follow. */
int state_stage(int rootfd, const char *file, const struct config *state);
bool state_present(const struct config *state);
/* Whether path is one memprov's modules could have written (under /etc, "memprov" in its name). */
bool state_path_plannable(const char *path);
/* Whether the two would be written as the same bytes. */
bool state_same(const struct config *a, const struct config *b);
void state_set_u64(struct config *state, const char *section, const char *key, uint64_t value);
uint64_t state_u64(const struct config *state, const char *section, const char *key);
