/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "fsutil.h"
#include "log.h"
#include "state.h"
#include "util.h"

int state_load(int rootfd, const char *root, struct config *ret)
{
        /* Reached without following any symlink and only if a regular file: a state placed
         * through a link is refused rather than trusted. */
        int r = config_load_root_file(ret, rootfd, root, STATE_PATH);

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
        r = root_write_file(rootfd, STATE_PATH, buf, size, 0644);
        if (r < 0)
                return log_error_errno(r, "cannot write %s", STATE_PATH);
        return 0;
}
