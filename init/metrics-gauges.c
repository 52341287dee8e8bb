/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>

#include "../lib/fsutil.h"
#include "../lib/util.h"
#include "../lib/log.h"
#include "../lib/plan.h"
#include "metrics-gauges.h"

static char *read_text(const char *path)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char *text = NULL;
        size_t size = 0;

        if (!f || read_fd(fileno(f), 1 << 20, &text, &size) < 0)
                return NULL;
        return text;
}

/* "KEY N" on a line of its own (memory.events, memory.oom_control, /proc/vmstat). */
static bool find_u64(const char *text, const char *key, uint64_t *ret)
{
        size_t n = strlen(key);

        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, key, n) == 0 && p[n] == ' ')
                        return sscanf(p + n + 1, "%" SCNu64, ret) == 1;
        return false;
}

/* The units memprov manages: those it wrote a drop-in for (/etc/systemd/system/UNIT.d/). */
static char **managed_units(const struct config *state, size_t *ret_n)
{
        static const char prefix[] = "/etc/systemd/system/";
        char **units = NULL;
        size_t n = 0;

        for (size_t i = 0; i < state->n_settings; i++) {
                const struct setting *s = &state->settings[i];
                const char *name, *end;
                bool seen = false;
                if (!streq(s->section, STATE_FILES) || !startswith(s->key, prefix))
                        continue;
                name = s->key + strlen(prefix);
                end = strstr(name, ".d/");
                if (!end || strchr(end + 3, '/'))
                        continue;
                for (size_t j = 0; j < n && !seen; j++)
                        seen = strlen(units[j]) == (size_t)(end - name) &&
                               strncmp(units[j], name, (size_t)(end - name)) == 0;
                if (seen)
                        continue;
                units = xrealloc(units, (n + 1) * sizeof(*units));
                units[n++] = strndup(name, (size_t)(end - name));
        }
        *ret_n = n;
        return units;
}

/* The unit's OOM kills: cgroup v2 memory.events, else v1 memory.oom_control (Linux 4.13+).
 * Counted since the unit's cgroup was made (a restart starts again at 0); false when the unit
 * has no cgroup now (not running). */
static bool unit_oom_kills(const struct gauge_sources *src, const char *unit, uint64_t *ret)
{
        _cleanup_free_ char *v2 = xasprintf("%s/system.slice/%s/memory.events", src->cgroup, unit);
        _cleanup_free_ char *v1 =
            xasprintf("%s/memory/system.slice/%s/memory.oom_control", src->cgroup, unit);
        const char *const paths[] = {v2, v1};

        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                _cleanup_free_ char *text = read_text(paths[i]);
                if (text && find_u64(text, "oom_kill", ret))
                        return true;
        }
        return false;
}

static void print_oom_kills(FILE *f, const struct gauge_sources *src, const struct config *state)
{
        size_t n = 0;
        char **units = managed_units(state, &n);
        bool header = false;

        for (size_t i = 0; i < n; i++) {
                uint64_t kills;
                if (unit_oom_kills(src, units[i], &kills)) {
                        if (!header)
                                fputs("# HELP memprov_service_oom_kills_total Processes the "
                                      "kernel OOM killer killed in the unit's cgroup since it "
                                      "started (memory.events oom_kill).\n"
                                      "# TYPE memprov_service_oom_kills_total counter\n",
                                      f);
                        header = true;
                        fputs("memprov_service_oom_kills_total{unit=\"", f);
                        metrics_print_label_value(f, units[i]);
                        fprintf(f, "\"} %" PRIu64 "\n", kills);
                }
                free(units[i]);
        }
        free(units);
}

/* /proc/pressure/memory: "some avg10=0.00 avg60=0.00 avg300=0.00 total=N", then "full ...". */
static void print_pressure(FILE *f, const struct gauge_sources *src)
{
        _cleanup_free_ char *path = xasprintf("%s/pressure/memory", src->proc);
        _cleanup_free_ char *text = read_text(path);
        bool header = false;

        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                char kind[8];
                double avg10, avg60, avg300;
                if (sscanf(p, "%7s avg10=%lf avg60=%lf avg300=%lf", kind, &avg10, &avg60,
                           &avg300) != 4 ||
                    (!streq(kind, "some") && !streq(kind, "full")))
                        continue;
                if (!header)
                        fputs("# HELP memprov_memory_pressure_ratio Share of time tasks waited "
                              "for memory (PSI, /proc/pressure/memory), averaged over the "
                              "window.\n# TYPE memprov_memory_pressure_ratio gauge\n",
                              f);
                header = true;
                fprintf(f, "memprov_memory_pressure_ratio{kind=\"%s\",window=\"10s\"} %.4f\n", kind,
                        avg10 / 100);
                fprintf(f, "memprov_memory_pressure_ratio{kind=\"%s\",window=\"300s\"} %.4f\n",
                        kind, avg300 / 100);
        }
}

/* /proc/vmstat: pswpin/pswpout count pages read from and written to swap devices (zram
 * included); pages zswap keeps never reach them, so zswpin/zswpout (Linux 6.3+) too. */
static void print_swap_activity(FILE *f, const struct gauge_sources *src)
{
        static const struct {
                const char *key, *name, *help;
        } counters[] = {
            {"pswpin", "memprov_swap_in_pages_total", "Pages read from swap devices (vmstat)."},
            {"pswpout", "memprov_swap_out_pages_total", "Pages written to swap devices (vmstat)."},
            {"zswpin", "memprov_zswap_in_pages_total", "Pages loaded back from zswap (vmstat)."},
            {"zswpout", "memprov_zswap_out_pages_total", "Pages stored in zswap (vmstat)."},
        };
        _cleanup_free_ char *path = xasprintf("%s/vmstat", src->proc);
        _cleanup_free_ char *text = read_text(path);

        for (size_t i = 0; text && i < ELEMENTSOF(counters); i++) {
                uint64_t v;
                if (find_u64(text, counters[i].key, &v))
                        fprintf(f, "# HELP %s %s\n# TYPE %s counter\n%s %" PRIu64 "\n",
                                counters[i].name, counters[i].help, counters[i].name,
                                counters[i].name, v);
        }
}

/* zswap: enabled = Y. zram: a /dev/zram* line in /proc/swaps (active swap on it). */
static void print_cushion(FILE *f, const struct gauge_sources *src)
{
        _cleanup_free_ char *zswap_path = xasprintf("%s/module/zswap/parameters/enabled", src->sys);
        _cleanup_free_ char *swaps_path = xasprintf("%s/swaps", src->proc);
        _cleanup_free_ char *zswap = read_text(zswap_path), *swaps = read_text(swaps_path);
        bool zram = false;

        for (const char *p = swaps; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                zram = zram || startswith(p, "/dev/zram");
        fputs("# HELP memprov_cushion_active 1 when the compressed swap of that kind is active "
              "(zswap enabled; a zram device in /proc/swaps).\n"
              "# TYPE memprov_cushion_active gauge\n",
              f);
        fprintf(f, "memprov_cushion_active{kind=\"zswap\"} %d\n",
                zswap && startswith(zswap, "Y") ? 1 : 0);
        fprintf(f, "memprov_cushion_active{kind=\"zram\"} %d\n", zram ? 1 : 0);
}

void metrics_print_gauges(FILE *f, const struct gauge_sources *src, const struct config *state)
{
        print_oom_kills(f, src, state);
        print_pressure(f, src);
        print_swap_activity(f, src);
        print_cushion(f, src);
}
