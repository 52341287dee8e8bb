/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The gauges a fleet watches for memory trouble, read from the running kernel at every run and
 * every --status (issue 23): OOM kills per service memprov manages (its cgroup's memory.events
 * oom_kill, v2; memory.oom_control oom_kill, v1), the machine's memory pressure (PSI,
 * Documentation/accounting/psi.rst), swap-in/out totals (/proc/vmstat) and whether the
 * compressed-swap cushion (zswap or zram) is active. Only on the running system: under --root
 * they would describe the host.
 */
#pragma once

#include <stdio.h>

#include "../lib/config.h"

/* Root of the cgroup hierarchies, /proc and /sys (tests point them at fixtures). */
struct gauge_sources {
        const char *cgroup; /* /sys/fs/cgroup */
        const char *proc;   /* /proc */
        const char *sys;    /* /sys */
};

/* The Prometheus text of the gauges, for the units memprov manages (from state's files). */
void metrics_print_gauges(FILE *f, const struct gauge_sources *src, const struct config *state);

/* A Prometheus label value, with backslash, double quote and newline escaped (the text format's
 * rule); defined in metrics.c, shared by both writers of the file. */
void metrics_print_label_value(FILE *f, const char *v);
