/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct options {
        bool rerun;
        bool dry_run;
        bool json;
        bool verbose;
        bool status;
        const char *root;         /* NULL: the running system */
        const char *defaults_dir; /* shipped defaults and tier table */
        const char *config_file;  /* --config, layered after /etc */
        uint64_t assume_ram;      /* 0: measure */
        uint64_t assume_disk;     /* 0: measure */
        char **assignments;       /* --set SECTION.KEY=VALUE, in order */
        unsigned n_assignments;
};

/* 0 to go on, 1 when --help/--version was handled, negative errno (logged) on bad usage. */
int options_parse(int argc, char **argv, struct options *ret);
void options_done(struct options *o);
