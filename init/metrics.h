/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fleet metrics: where the Prometheus node exporter's textfile directory exists under the root
 * (/var/lib/prometheus/node-exporter, Debian's prometheus-node-exporter default), every run
 * that may change the machine leaves memprov.prom there, written atomically, in the text
 * exposition format: node_exporter serves it with the machine's other metrics. memprov
 * --status writes it too (the last provisioning run's result kept), refreshing the live gauges
 * (init/metrics-gauges.h): run it from a systemd timer or the node exporter's textfile cron.
 */
#pragma once

#include <stdint.h>

#include "../lib/options.h"

#define METRICS_DIR  "/var/lib/prometheus/node-exporter"
#define METRICS_FILE METRICS_DIR "/memprov.prom"

/* After a run (or --status) that ended with result (0 or negative errno). Reads the state the run
 * left; never fails the run: a metrics problem is a warning. ram_bytes: the nominal RAM the run
 * read (0: it did not get that far, read it here). */
void metrics_update(const struct options *o, int result, uint64_t ram_bytes);
