/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The parsed command line: the one piece of state every layer reads (init/options.c fills it). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* What the run was asked to do (init/mode.c decides it from the flags below). */
enum command {
        COMMAND_BOOT,       /* no command option: provision once, then report */
        COMMAND_RERUN,      /* --rerun */
        COMMAND_STATUS,     /* --status */
        COMMAND_UNDO,       /* --undo */
        COMMAND_CAT_CONFIG, /* --cat-config */
        _COMMAND_MAX,
};

struct options {
        enum command command; /* from the flags, by mode_command() */
        bool rerun;
        bool dry_run;
        bool json;
        bool verbose;
        bool status;
        bool undo;
        bool cat_config;
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
