/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/stat.h>

#include "../../init/metrics-gauges.h"
#include "../../lib/fsutil.h"
#include "../../lib/util.h"
#include "test.h"

static unsigned count(const char *text, const char *needle)
{
        unsigned n = 0;

        for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
                n++;
        return n;
}

/* Fixtures shaped like the kernel's files: cgroup v2 memory.events for php8.2-fpm, v1
 * memory.oom_control for mariadb, no cgroup for apache2 (not running). */
TEST(metrics_gauges_read_the_kernels_files)
{
        _cleanup_free_ char *dir = test_mkdtemp(), *cg = NULL, *proc = NULL, *sys = NULL;
        _cleanup_free_ char *text = NULL;
        struct config state = {0};
        size_t size = 0;
        FILE *f;

        cg = xasprintf("%s/cgroup", dir);
        proc = xasprintf("%s/proc", dir);
        sys = xasprintf("%s/sys", dir);
        CHECK(mkdir(cg, 0755) == 0 && mkdir(proc, 0755) == 0 && mkdir(sys, 0755) == 0);
        test_write(cg, "system.slice/php8.2-fpm.service/memory.events",
                   "low 0\nhigh 12\nmax 3\noom 2\noom_kill 2\noom_group_kill 0\n");
        test_write(cg, "memory/system.slice/mariadb.service/memory.oom_control",
                   "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
        test_write(proc, "pressure/memory",
                   "some avg10=1.50 avg60=0.75 avg300=0.25 total=1234\n"
                   "full avg10=0.50 avg60=0.10 avg300=0.05 total=99\n");
        test_write(proc, "vmstat", "nr_free_pages 1\npswpin 17\npswpout 42\nzswpin 3\nzswpout 5\n");
        test_write(proc, "swaps",
                   "Filename Type Size Used Priority\n/dev/zram0 partition 262140 0 100\n");
        test_write(sys, "module/zswap/parameters/enabled", "N\n");
        config_set(&state, "files", "/etc/systemd/system/php8.2-fpm.service.d/memprov.conf", "x",
                   "state");
        config_set(&state, "files", "/etc/systemd/system/php8.2-fpm.service.d/memprov-oom.conf",
                   "x", "state");
        config_set(&state, "files", "/etc/systemd/system/mariadb.service.d/memprov-oom.conf", "x",
                   "state");
        config_set(&state, "files", "/etc/systemd/system/apache2.service.d/memprov-oom.conf", "x",
                   "state");
        config_set(&state, "files", "/etc/sysctl.d/60-memprov.conf", "x", "state");

        f = open_memstream(&text, &size);
        metrics_print_gauges(f, &(struct gauge_sources){.cgroup = cg, .proc = proc, .sys = sys},
                             &state);
        fclose(f);
        CHECK(strstr(text, "memprov_service_oom_kills_total{unit=\"php8.2-fpm.service\"} 2\n"));
        CHECK(strstr(text, "memprov_service_oom_kills_total{unit=\"mariadb.service\"} 1\n"));
        CHECK(!strstr(text, "apache2.service"));
        /* one series per unit though it has two drop-ins; one HELP/TYPE per family */
        CHECK_U64(count(text, "{unit=\"php8.2-fpm.service\"}"), 1);
        CHECK_U64(count(text, "# TYPE memprov_service_oom_kills_total counter\n"), 1);
        CHECK(strstr(text, "memprov_memory_pressure_ratio{kind=\"some\",window=\"10s\"} 0.0150\n"));
        CHECK(
            strstr(text, "memprov_memory_pressure_ratio{kind=\"full\",window=\"300s\"} 0.0005\n"));
        CHECK(strstr(text, "memprov_swap_in_pages_total 17\n"));
        CHECK(strstr(text, "memprov_swap_out_pages_total 42\n"));
        CHECK(strstr(text, "memprov_zswap_out_pages_total 5\n"));
        CHECK(strstr(text, "memprov_cushion_active{kind=\"zswap\"} 0\n"));
        CHECK(strstr(text, "memprov_cushion_active{kind=\"zram\"} 1\n"));
        config_done(&state);
        test_rmtree(dir);
}
