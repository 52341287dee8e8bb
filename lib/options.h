/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parsed command line: the one piece of state every layer reads (init/options.c fills it). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct options {
        bool rerun;
        bool dry_run;
        bool json;
        bool verbose;
        bool status;
        bool undo;
        bool restart_services;     /* --restart-services: see lib/live.h */
        bool diff;                 /* with --dry-run: each file's change as a unified diff */
        const char *root;          /* NULL: the running system */
        const char *defaults_dir;  /* shipped defaults and tier table */
        char *defaults_from_build; /* a checkout's conf.d, for a binary in its build dir */
        const char *config_file;   /* --config, layered after /etc */
        uint64_t assume_ram;       /* 0: measure */
        uint64_t assume_disk;      /* 0: measure */
        unsigned assume_cpus;      /* 0: measure */
        char **assignments;        /* --set SECTION.KEY=VALUE, in order */
        unsigned n_assignments;
};
