/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "fsutil.h"
#include "log.h"
#include "state.h"
#include "util.h"

int state_load(int rootfd, const char *root, struct config *ret)
{
        return state_load_from(rootfd, root, STATE_PATH, ret);
}

int state_load_from(int rootfd, const char *root, const char *file, struct config *ret)
{
        _cleanup_free_ char *path = xasprintf("%s%s", root, file);
        struct stat st;
        int r;

        /* Refuse a state reached through a symlink rather than trusting where it points. */
        r = root_lstat(rootfd, file, &st);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "%s", path);
        if (!S_ISREG(st.st_mode))
                return log_error("%s: not a regular file", path);
        r = config_load_file(ret, path);
        return r == -ENOENT ? 0 : r;
}

bool state_present(const struct config *state)
{
        return config_get(state, "memprov", "tier") != NULL;
}

void state_set_u64(struct config *state, const char *section, const char *key, uint64_t value)
{
        char buf[32];

        snprintf(buf, sizeof(buf), "%" PRIu64, value);
        config_set(state, section, key, buf, "state");
}

uint64_t state_u64(const struct config *state, const char *section, const char *key)
{
        const char *v = config_str(state, section, key, NULL);

        return v ? strtoull(v, NULL, 10) : 0;
}

static bool section_seen(const struct config *c, size_t upto, const char *section)
{
        for (size_t i = 0; i < upto; i++)
                if (streq(c->settings[i].section, section))
                        return true;
        return false;
}

int state_save(int rootfd, const struct config *state)
{
        return state_save_to(rootfd, STATE_PATH, state);
}

static int save(int rootfd, const char *file, const struct config *state, bool staged)
{
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&buf, &size);
        if (!f)
                return log_error_errno(errno, "state");
        fputs("# memprov state: what memprov changed on this machine. Written by memprov.\n", f);
        for (size_t i = 0; i < state->n_settings; i++) {
                const char *section = state->settings[i].section;
                if (section_seen(state, i, section))
                        continue;
                fprintf(f, "\n[%s]\n", section);
                for (size_t j = i; j < state->n_settings; j++)
                        if (streq(state->settings[j].section, section))
                                fprintf(f, "%s = %s\n", state->settings[j].key,
                                        state->settings[j].value);
        }
        if (fclose(f) != 0)
                return log_error_errno(errno, "state");
        r = staged ? root_stage_file(rootfd, file, buf, size, 0644)
                   : root_write_file(rootfd, file, buf, size, 0644);
        if (r < 0)
                return log_error_errno(r, "cannot write %s", file);
        return 0;
}

int state_save_to(int rootfd, const char *file, const struct config *state)
{
        return save(rootfd, file, state, false);
}

int state_stage(int rootfd, const char *file, const struct config *state)
{
        return save(rootfd, file, state, true);
}
