/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <time.h>

#include "../lib/config.h"
#include "../lib/container.h"
#include "../lib/facts.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/state.h"
#include "../modules/module.h"
#include "metrics-gauges.h"
#include "metrics.h"

struct metrics {
        uint64_t ram_bytes, provisioned_ram_bytes, swap_bytes;
        const char *tier, *swap_path, *container;
        bool swap_active;
        unsigned files, files_drifted, units_disabled;
        bool last_run_known;
        uint64_t last_run, last_run_success;
};

/* A managed file that is missing, or no longer what memprov wrote (hash in the state). */
static bool file_drifted(int rootfd, const char *path, const char *recorded)
{
        _cleanup_free_ char *current = NULL;
        char hex[17];
        size_t size;

        if (root_read_file(rootfd, path, &current, &size) < 0)
                return true;
        snprintf(hex, sizeof(hex), "%016" PRIx64, hash64(current, size));
        return !startswith(recorded, hex);
}

static bool link_drifted(int rootfd, const char *path, const char *recorded)
{
        _cleanup_close_ int dirfd = -1;
        size_t len = strcspn(recorded, " ");
        const char *name;
        char target[4096];
        ssize_t n;

        if (root_open_parent(rootfd, path, false, &dirfd, &name) < 0)
                return true;
        n = readlinkat(dirfd, name, target, sizeof(target));
        return n < 0 || (size_t)n != len || memcmp(target, recorded, len) != 0;
}

static bool swap_is_active(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/swaps", "re");
        char line[4096];

        while (f && fgets(line, sizeof(line), f))
                if (startswith(line, path) &&
                    (line[strlen(path)] == ' ' || line[strlen(path)] == '\t'))
                        return true;
        return false;
}

static void metrics_gather(const struct options *o, int rootfd, const struct config *state,
                           uint64_t ram_bytes, struct metrics *m)
{
        const char *source;

        /* The run's own reading when it got that far (read once per run). */
        m->ram_bytes = ram_bytes ? ram_bytes : o->assume_ram;
        if (!m->ram_bytes && read_nominal_ram(NULL, &m->ram_bytes, &source) < 0)
                m->ram_bytes = 0;
        m->provisioned_ram_bytes = state_u64(state, "memprov", "ram_bytes");
        m->container = o->root ? NULL : container_detect(NULL);
        m->tier = config_str(state, "memprov", "tier", NULL);
        m->swap_path = memprov_swap_recorded(state, &m->swap_bytes);
        m->swap_active = m->swap_path && !o->root && swap_is_active(m->swap_path);
        for (size_t i = 0; i < state->n_settings; i++) {
                const struct setting *s = &state->settings[i];
                if (streq(s->section, STATE_FILES) || streq(s->section, STATE_LINKS)) {
                        m->files++;
                        if (streq(s->section, STATE_FILES) ? file_drifted(rootfd, s->key, s->value)
                                                           : link_drifted(rootfd, s->key, s->value))
                                m->files_drifted++;
                } else if (startswith(s->section, "unit ") && streq(s->key, "memprov") &&
                           streq(s->value, "disabled"))
                        m->units_disabled++;
        }
}

void metrics_print_label_value(FILE *f, const char *v)
{
        for (; *v; v++) {
                if (*v == '\\' || *v == '"')
                        fputc('\\', f);
                if (*v == '\n')
                        fputs("\\n", f);
                else
                        fputc(*v, f);
        }
}

static void print_metric(FILE *f, const char *name, const char *help, uint64_t value)
{
        fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s %" PRIu64 "\n", name, help, name, name,
                value);
}

/* The last provisioning run, as the file says: --status refreshes the gauges, not these. */
static bool previous_value(int rootfd, const char *name, uint64_t *ret)
{
        _cleanup_free_ char *text = NULL;
        size_t size, n = strlen(name);

        if (root_read_file(rootfd, METRICS_FILE, &text, &size) < 0)
                return false;
        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, name, n) == 0 && p[n] == ' ')
                        return sscanf(p + n + 1, "%" SCNu64, ret) == 1;
        return false;
}

static void metrics_print(FILE *f, const struct metrics *m)
{
        fprintf(f, "# HELP memprov_info The memory tier memprov provisioned (1 per machine).\n"
                   "# TYPE memprov_info gauge\nmemprov_info{tier=\"");
        metrics_print_label_value(f, m->tier ? m->tier : "");
        fprintf(f, "\",version=\"%s\"} 1\n", MEMPROV_VERSION);
        print_metric(f, "memprov_ram_bytes", "Nominal RAM of the machine now.", m->ram_bytes);
        fprintf(f,
                "# HELP memprov_container 1 in a container (named as systemd-detect-virt "
                "--container names it), else 0.\n# TYPE memprov_container gauge\n"
                "memprov_container{name=\"%s\"} %d\n",
                m->container ?: "none", !!m->container);
        print_metric(f, "memprov_provisioned_ram_bytes",
                     "Nominal RAM memprov last provisioned for (0: never).",
                     m->provisioned_ram_bytes);
        print_metric(f, "memprov_resize_pending",
                     "1 when the RAM changed since memprov provisioned (run memprov --rerun).",
                     m->provisioned_ram_bytes && m->ram_bytes != m->provisioned_ram_bytes);
        print_metric(f, "memprov_swap_size_bytes", "Size of memprov's swapfile (0: none).",
                     m->swap_bytes);
        print_metric(f, "memprov_swap_active", "1 when memprov's swapfile is in use.",
                     m->swap_active);
        if (m->last_run_known) {
                print_metric(f, "memprov_last_run_timestamp_seconds",
                             "When memprov last ran (Unix time; --status does not count).",
                             m->last_run);
                print_metric(f, "memprov_last_run_success", "1 when memprov's last run succeeded.",
                             m->last_run_success);
        }
        print_metric(f, "memprov_metrics_timestamp_seconds",
                     "When this file was written (every run and every memprov --status).",
                     (uint64_t)time(NULL));
        print_metric(f, "memprov_files_managed", "Files and links memprov manages.", m->files);
        print_metric(f, "memprov_files_drifted",
                     "Managed files or links edited by the admin or missing since memprov wrote "
                     "them.",
                     m->files_drifted);
        print_metric(f, "memprov_units_disabled", "Units memprov disabled (and still owns).",
                     m->units_disabled);
}

void metrics_update(const struct options *o, int result, uint64_t ram_bytes)
{
        _cleanup_(config_done) struct config state = {0};
        _cleanup_close_ int rootfd = -1;
        _cleanup_free_ char *text = NULL;
        struct metrics m = {0};
        struct stat st;
        size_t size = 0;
        FILE *f;
        int r;

        rootfd = open(o->root ? o->root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0 || root_lstat(rootfd, METRICS_DIR, &st) < 0 || !S_ISDIR(st.st_mode))
                return;
        /* A state memprov cannot read still gets a metrics file: the run's result matters most. */
        (void)state_load(rootfd, o->root ? o->root : "", &state);
        metrics_gather(o, rootfd, &state, ram_bytes, &m);
        if (o->status)
                m.last_run_known =
                    previous_value(rootfd, "memprov_last_run_timestamp_seconds", &m.last_run) &&
                    previous_value(rootfd, "memprov_last_run_success", &m.last_run_success);
        else {
                m.last_run_known = true;
                m.last_run = (uint64_t)time(NULL);
                m.last_run_success = result >= 0;
        }
        f = open_memstream(&text, &size);
        if (!f)
                return (void)log_warning_errno(errno, "cannot write %s", METRICS_FILE);
        metrics_print(f, &m);
        if (!o->root)
                metrics_print_gauges(f,
                                     &(struct gauge_sources){.cgroup = "/sys/fs/cgroup",
                                                             .proc = "/proc",
                                                             .sys = "/sys"},
                                     &state);
        if (fclose(f) != 0)
                return (void)log_warning_errno(errno, "cannot write %s", METRICS_FILE);
        /* Atomic (temp file, rename) but not flushed: the file describes this run and every run
         * writes it again, so a power cut that loses it loses nothing the next run would not
         * rewrite; a flush here would cost two journal commits per run for no state (issue 11). */
        r = root_stage_file(rootfd, METRICS_FILE, text, size, 0644);
        if (r == 0)
                r = root_commit_file(rootfd, METRICS_FILE);
        /* --status is for anyone: without the right to write, it just leaves the file. */
        if (r < 0 && !(o->status && (r == -EACCES || r == -EPERM || r == -EROFS)))
                log_warning_errno(r, "cannot write %s%s", o->root ? o->root : "", METRICS_FILE);
}
