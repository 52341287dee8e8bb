/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "journal.h"

int journal_load(int rootfd, const char *root, struct config *ret)
{
        return state_load_from(rootfd, root, JOURNAL_PATH, ret);
}

bool journal_pending(const struct config *journal)
{
        return journal->n_settings > 0;
}

int journal_begin(int rootfd, const struct config *intent)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        int r;

        r = state_save_to(rootfd, JOURNAL_PATH, intent);
        if (r < 0)
                return r;
        /* Durable before the first change it announces: the rename too, not just the bytes. */
        r = root_open_parent(rootfd, JOURNAL_PATH, false, &dirfd, &name);
        if (r == 0)
                r = fsync_dir(dirfd);
        return r < 0 ? log_error_errno(r, "fsync %s", JOURNAL_PATH) : 0;
}

int journal_end(int rootfd)
{
        int r;

        /* Everything the run changed on the root's filesystem (renames, links, the state) is
         * durable before the journal that would finish it goes: one syncfs. */
        r = root_sync(rootfd);
        if (r < 0)
                return log_error_errno(r, "syncfs");
        r = root_remove_file(rootfd, JOURNAL_PATH);

        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "cannot remove %s", JOURNAL_PATH);
        return 0;
}

void journal_sweep(int rootfd)
{
        root_discard_staged(rootfd, JOURNAL_PATH);
}
