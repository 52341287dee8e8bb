/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>

#include "../lib/fssync.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "intent.h"
#include "undo.h"

int intent_load(int rootfd, const char *root, struct config *ret)
{
        return state_load_from(rootfd, root, INTENT_PATH, ret);
}

bool intent_pending(const struct config *intent)
{
        return intent->n_settings > 0;
}

int intent_stage(int rootfd, const struct config *intent)
{
        return state_stage(rootfd, INTENT_PATH, intent);
}

int intent_commit(int rootfd)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        int r;

        r = root_commit_file(rootfd, INTENT_PATH);
        if (r < 0)
                return log_error_errno(r, "cannot write %s", INTENT_PATH);
        /* The record's rename must be on disk before the run's first change is. On one
         * filesystem that commits in order it is: any later change that reached the disk
         * brought it along. Where /var/lib/memprov is a filesystem of its own (or /etc's does
         * not commit in order: ext2, ext4 without a journal), /etc's journal can commit the
         * first change while the rename still waits for its own filesystem's next commit; a
         * power cut in between left changes no record speaks for (issue 21, item 2: the units
         * memprov disabled then look like the admin's). fsync(2) of the folder commits the
         * rename (ext4 and xfs commit the transaction holding it; ext2 writes the folder's
         * blocks). */
        if (root_commits_in_order(rootfd))
                return 0;
        r = root_open_parent(rootfd, INTENT_PATH, false, &dirfd, &name);
        if (r == 0)
                r = fsync_dir(dirfd);
        return r < 0 ? log_error_errno(r, "cannot flush %s", INTENT_PATH) : 0;
}

/* The intent record renamed over the state: both saved and removed in one step. */
static int intent_becomes_state(int rootfd)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        int r;

        r = root_open_parent(rootfd, STATE_PATH, false, &dirfd, &name);
        if (r == 0 && renameat(dirfd, strrchr(INTENT_PATH, '/') + 1, dirfd, name) < 0)
                r = -errno;
        return r < 0 ? log_error_errno(r, "cannot rename %s to %s", INTENT_PATH, STATE_PATH) : 0;
}

int intent_complete(int rootfd, const struct config *intent, const struct config *state)
{
        int r;

        /* The usual end: the run leaves the state it meant to leave, whose bytes the intent
         * record holds, durable since the run's first syncfs. Where the filesystem commits in
         * order, renaming the record over the state needs no flush: that rename cannot reach
         * the disk before the run's changes do, and should a crash lose it, the intent record
         * is still there and the next run (at the next boot at the latest) finishes again,
         * changing nothing. Elsewhere one syncfs puts the run's changes on disk first. */
        if (intent && state_same(intent, state)) {
                if (!root_commits_in_order(rootfd) && (r = root_sync(rootfd)) < 0)
                        return log_error_errno(r, "syncfs");
                return intent_becomes_state(rootfd);
        }
        /* A state other than the intent (the run did less than it meant to): its bytes and
         * everything the run changed are durable (one syncfs) before the state is renamed into
         * place and the intent record goes. Should those two not reach the disk, the intent
         * record is still there and the next run finishes again, changing nothing. */
        r = state_stage(rootfd, STATE_PATH, state);
        if (r < 0)
                return r;
        r = root_sync(rootfd);
        if (r < 0)
                return log_error_errno(r, "syncfs");
        r = root_commit_file(rootfd, STATE_PATH);
        if (r < 0)
                return log_error_errno(r, "cannot write %s", STATE_PATH);
        r = root_remove_file(rootfd, INTENT_PATH);
        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "cannot remove %s", INTENT_PATH);
        return 0;
}

bool intent_is_undo(const struct config *intent)
{
        return config_bool(intent, "memprov", "undo", false);
}

int intent_remove(int rootfd)
{
        int r = root_remove_file(rootfd, INTENT_PATH);

        return r < 0 && r != -ENOENT ? log_error_errno(r, "cannot remove %s", INTENT_PATH) : 0;
}

void intent_sweep(int rootfd)
{
        root_discard_staged(rootfd, INTENT_PATH);
        /* An --undo stopped before its record was in place staged its marker, and nothing else. */
        root_discard_staged(rootfd, UNDONE_PATH);
}
