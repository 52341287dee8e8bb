/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "fsutil.h"
#include "log.h"
#include "state.h"
#include "util.h"

/* memprov writes numbers as plain decimals (state_set_u64): anything else was not written by it. */
static bool u64_ok(const char *v)
{
        char *end;

        if (!isdigit_str(v) || (v[0] == '0' && v[1]))
                return false;
        errno = 0;
        (void)strtoull(v, &end, 10);
        return errno == 0 && *end == '\0';
}

/* The values a run acts on (removes, resizes, compares): a state edited by hand or damaged is
 * refused, naming the line, rather than acted on. Unknown sections are a module's own. */
static int state_check(const struct config *state)
{
        static const char *const numbers[][2] = {
            {"memprov", "ram_bytes"},
            {"memprov", "disk_bytes"},
            {"swap", "size_bytes"},
        };
        static const char *const paths[][2] = {{"swap", "path"}, {"swap", "extra_path"}};

        for (size_t i = 0; i < ELEMENTSOF(numbers); i++) {
                const struct setting *s = config_get(state, numbers[i][0], numbers[i][1]);
                if (s && !u64_ok(s->value))
                        return log_error("%s: %s.%s is not a number: \"%s\"", s->origin, s->section,
                                         s->key, s->value);
        }
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                const struct setting *s = config_get(state, paths[i][0], paths[i][1]);
                if (s && check_abs_path(s->value) < 0)
                        return log_error("%s: %s.%s is not an absolute path: \"%s\"", s->origin,
                                         s->section, s->key, s->value);
        }
        for (size_t i = 0; i < state->n_settings; i++) {
                const struct setting *s = &state->settings[i];
                if (!streq(s->section, "files") && !streq(s->section, "links"))
                        continue;
                if (check_abs_path(s->key) < 0)
                        return log_error("%s: [%s] %s is not an absolute path", s->origin,
                                         s->section, s->key);
                if (!state_path_plannable(s->key))
                        return log_error("%s: [%s] %s is not a file memprov writes (its files are "
                                         "under /etc and carry \"memprov\" in their name); not "
                                         "acted on",
                                         s->origin, s->section, s->key);
        }
        return 0;
}

/* Every file and link memprov's modules write is under /etc and named for memprov (60-memprov.conf,
 * 99-memprov.cnf, zz-memprov.conf, memprov-zswap.conf, conf-enabled/memprov.conf): a record
 * naming anything else was not written by memprov and is never removed (issue 21, item 8: a
 * forged [files] line naming /etc/shadow made --rerun delete it). The file's own header is
 * checked again before a removal (init/apply.c). */
bool state_path_plannable(const char *path)
{
        const char *base = strrchr(path, '/');

        return startswith(path, "/etc/") && base && strstr(base + 1, "memprov");
}

/* A state memprov writes opens with STATE_HEAD and closes with STATE_END; one that opens so and
 * does not close so was cut short (or damaged) and would silently forget what it no longer
 * lists (the units memprov disabled). A state without STATE_HEAD is memprov 0.1.0's, which had
 * no end line: read as before. */
#define STATE_HEAD "# memprov state, format 2: what memprov changed on this machine.\n"
#define STATE_END  "\n# end of memprov state\n"

static int check_complete(const char *text, size_t size, const char *display)
{
        size_t head = strlen(STATE_HEAD), end = strlen(STATE_END);

        if (size < head || memcmp(text, STATE_HEAD, head) != 0)
                return 0;
        if (size >= head + end && memcmp(text + size - end, STATE_END, end) == 0)
                return 0;
        return log_error("%s: incomplete (it does not end with \"# end of memprov state\"): cut "
                         "short or damaged, so not acted on; remove it only if this machine "
                         "should be provisioned as new",
                         display);
}

int state_parse(struct config *ret, const char *text, size_t size, const char *display)
{
        _cleanup_(config_done) struct config state = {0};
        int r;

        /* Whole before anything else: a state cut mid-line is first of all cut short. */
        r = check_complete(text, size, display);
        if (r == 0)
                r = config_parse_text(&state, text, size, display);
        if (r == 0)
                r = state_check(&state);
        if (r < 0)
                return r;
        *ret = state;
        state = (struct config){0};
        return 0;
}

int state_load(int rootfd, const char *root, struct config *ret)
{
        return state_load_from(rootfd, root, STATE_PATH, ret);
}

int state_load_from(int rootfd, const char *root, const char *file, struct config *ret)
{
        _cleanup_free_ char *display = xasprintf("%s%s", root, file), *text = NULL;
        size_t size;
        int r;

        /* Reached without following any symlink and only if a regular file: a state placed
         * through a link is refused rather than trusted. */
        r = root_read_file(rootfd, file, &text, &size);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error("%s: %s", display, fsutil_strerror(r));
        return state_parse(ret, text, size, display);
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

/* The state's bytes as memprov writes them; NULL when out of memory. */
static char *format(const struct config *state, size_t *ret_size)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        fputs(STATE_HEAD, f);
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
        fputs(STATE_END, f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        *ret_size = size;
        return buf;
}

static int save(int rootfd, const char *file, const struct config *state, bool staged)
{
        size_t size = 0;
        _cleanup_free_ char *buf = format(state, &size);
        int r;

        if (!buf)
                return log_error_errno(ENOMEM, "state");
        r = staged ? root_stage_file(rootfd, file, buf, size, 0644)
                   : root_write_file(rootfd, file, buf, size, 0644);
        if (r < 0)
                return log_error_errno(r, "cannot write %s", file);
        return 0;
}

bool state_same(const struct config *a, const struct config *b)
{
        size_t size_a = 0, size_b = 0;
        _cleanup_free_ char *text_a = format(a, &size_a), *text_b = format(b, &size_b);

        return text_a && text_b && size_a == size_b && memcmp(text_a, text_b, size_a) == 0;
}

int state_save_to(int rootfd, const char *file, const struct config *state)
{
        return save(rootfd, file, state, false);
}

int state_stage(int rootfd, const char *file, const struct config *state)
{
        return save(rootfd, file, state, true);
}
