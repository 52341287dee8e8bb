/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "intent.h"

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
        int r = root_commit_file(rootfd, INTENT_PATH);

        return r < 0 ? log_error_errno(r, "cannot write %s", INTENT_PATH) : 0;
}

int intent_complete(int rootfd, const struct config *state)
{
        int r;

        /* The state's bytes and everything the run changed on the root's filesystem are
         * durable (one syncfs) before the state is renamed into place and the intent record goes.
         * Should those two not reach the disk, the intent record is still there and the next run
         * finishes again, changing nothing. */
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

void intent_sweep(int rootfd)
{
        root_discard_staged(rootfd, INTENT_PATH);
}
