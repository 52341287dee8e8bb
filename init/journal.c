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
        return state_save_to(rootfd, JOURNAL_PATH, intent);
}

int journal_end(int rootfd)
{
        int r = root_remove_file(rootfd, JOURNAL_PATH);

        if (r < 0 && r != -ENOENT)
                return log_error_errno(r, "cannot remove %s", JOURNAL_PATH);
        return 0;
}
