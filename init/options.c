/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <getopt.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/config.h"
#include "../lib/log.h"
#include "mode.h"
#include "options.h"
#include "../lib/size.h"
#include "../lib/util.h"

#ifndef MEMPROV_VERSION
#define MEMPROV_VERSION "0"
#endif
#ifndef MEMPROV_DEFAULTS_DIR
#define MEMPROV_DEFAULTS_DIR "/usr/lib/memprov"
#endif

static void help(void)
{
        printf("Usage: memprov [OPTIONS]\n"
               "Size swap, vm.swappiness and memory-hungry services for this machine's RAM.\n"
               "Provisions on first boot; a later boot provisions again after a RAM or disk\n"
               "resize (memprov.on_resize = rerun) and otherwise changes nothing.\n\n"
               "  --rerun              provision again (after a resize) and make it live\n"
               "  --restart-services   with --rerun: restart what a reload cannot update\n"
               "  --dry-run            show what the command would do, change nothing\n"
               "  --json               with --dry-run, --status or --rerun: print as JSON\n"
               "  --status             summarise what memprov set and what changed since\n"
               "                       (exit status: see memprov(8))\n"
               "  --undo               put the machine back as it was before memprov\n"
               "  --diff               with --dry-run: show each file's change as a diff\n"
               "  --cat-config         print the merged configuration, each key's origin\n"
               "  --root DIR           operate on an offline root (image baking)\n"
               "  --assume-ram SIZE    plan as if the machine had SIZE of RAM\n"
               "  --assume-disk SIZE   plan as if the swapfile's filesystem were SIZE\n"
               "  --assume-cpus N      plan as if the machine had N vCPUs\n"
               "  --config FILE        read FILE after /etc/memprov\n"
               "  --set SECTION.KEY=VALUE  override one setting (repeatable)\n"
               "  --defaults DIR       shipped defaults (default " MEMPROV_DEFAULTS_DIR ",\n"
               "                       or a checkout's conf.d for its build/memprov)\n"
               "  --verbose            log every step\n"
               "  --version, --help\n"
               "Sizes take K, M, G or T suffixes (binary). See memprov(8).\n");
}

static int parse_size_arg(const char *opt, const char *arg, uint64_t *ret)
{
        if (parse_size(arg, ret) < 0 || *ret == 0)
                return log_error("%s: invalid size \"%s\" (expected e.g. 1G, 512M)", opt, arg);
        return 0;
}

static int parse_cpus_arg(const char *arg, unsigned *ret)
{
        unsigned long n;
        char *end;

        errno = 0;
        n = strtoul(arg, &end, 10);
        if (errno != 0 || end == arg || *end != '\0' || n == 0 || n > 4096 || arg[0] == '-')
                return log_error("--assume-cpus: invalid count \"%s\" (expected 1 to 4096)", arg);
        *ret = (unsigned)n;
        return 0;
}

enum {
        ARG_RERUN = 0x100,
        ARG_DRY_RUN,
        ARG_JSON,
        ARG_ROOT,
        ARG_ASSUME_RAM,
        ARG_ASSUME_DISK,
        ARG_ASSUME_CPUS,
        ARG_CONFIG,
        ARG_SET,
        ARG_DEFAULTS,
        ARG_VERBOSE,
        ARG_VERSION,
        ARG_HELP,
        ARG_STATUS,
        ARG_RESTART_SERVICES,
        ARG_UNDO,
        ARG_DIFF,
        ARG_CAT_CONFIG,
};

static const struct option longopts[] = {
    {"rerun", no_argument, NULL, ARG_RERUN},
    {"restart-services", no_argument, NULL, ARG_RESTART_SERVICES},
    {"dry-run", no_argument, NULL, ARG_DRY_RUN},
    {"json", no_argument, NULL, ARG_JSON},
    {"status", no_argument, NULL, ARG_STATUS},
    {"undo", no_argument, NULL, ARG_UNDO},
    {"diff", no_argument, NULL, ARG_DIFF},
    {"cat-config", no_argument, NULL, ARG_CAT_CONFIG},
    {"root", required_argument, NULL, ARG_ROOT},
    {"assume-ram", required_argument, NULL, ARG_ASSUME_RAM},
    {"assume-disk", required_argument, NULL, ARG_ASSUME_DISK},
    {"assume-cpus", required_argument, NULL, ARG_ASSUME_CPUS},
    {"config", required_argument, NULL, ARG_CONFIG},
    {"set", required_argument, NULL, ARG_SET},
    {"defaults", required_argument, NULL, ARG_DEFAULTS},
    {"verbose", no_argument, NULL, ARG_VERBOSE},
    {"version", no_argument, NULL, ARG_VERSION},
    {"help", no_argument, NULL, ARG_HELP},
    {},
};

static int parse_one(int c, struct options *o)
{
        switch (c) {
        case ARG_RERUN:
                o->rerun = true;
                return 0;
        case ARG_DRY_RUN:
                o->dry_run = true;
                return 0;
        case ARG_RESTART_SERVICES:
                o->restart_services = true;
                return 0;
        case ARG_JSON:
                o->json = true;
                return 0;
        case ARG_STATUS:
                o->status = true;
                return 0;
        case ARG_UNDO:
                o->undo = true;
                return 0;
        case ARG_DIFF:
                o->diff = true;
                return 0;
        case ARG_CAT_CONFIG:
                o->cat_config = true;
                return 0;
        case ARG_VERBOSE:
                o->verbose = true;
                return 0;
        case ARG_ROOT:
                o->root = optarg;
                return 0;
        case ARG_CONFIG:
                o->config_file = optarg;
                return 0;
        case ARG_DEFAULTS:
                o->defaults_dir = optarg;
                return 0;
        case ARG_ASSUME_RAM:
                return parse_size_arg("--assume-ram", optarg, &o->assume_ram);
        case ARG_ASSUME_DISK:
                return parse_size_arg("--assume-disk", optarg, &o->assume_disk);
        case ARG_ASSUME_CPUS:
                return parse_cpus_arg(optarg, &o->assume_cpus);
        case ARG_SET:
                o->assignments = xrealloc(o->assignments, (o->n_assignments + 1) * sizeof(char *));
                o->assignments[o->n_assignments++] = optarg;
                return 0;
        case ARG_VERSION:
                printf("memprov %s\n", MEMPROV_VERSION);
                return 1;
        case ARG_HELP:
                help();
                return 1;
        default:
                return log_error("unknown option (see memprov --help)");
        }
}

/*
 * A binary run from a checkout's build directory (build/memprov, build-asan/memprov) takes the
 * checkout's conf.d, so `./build/memprov --dry-run` works without --defaults. Only then: the
 * binary's directory is named build or build-*, its parent holds this project's sources
 * (init/main.c) and conf.d/10-tiers.conf, and the binary and that conf.d have one owner. An
 * installed binary (/usr/sbin) never matches, so it never picks up another conf.d.
 */
static char *build_tree_defaults(void)
{
        char exe[4096], *dir, *base;
        _cleanup_free_ char *conf = NULL, *tiers = NULL, *src = NULL, *top = NULL;
        struct stat st_exe, st_conf, st_src;
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

        if (n <= 0)
                return NULL;
        exe[n] = '\0';
        if (stat(exe, &st_exe) < 0)
                return NULL;
        dir = dirname(exe);
        base = strrchr(dir, '/');
        if (!base || (!streq(base + 1, "build") && !startswith(base + 1, "build-")))
                return NULL;
        top = xasprintf("%.*s", (int)(base - dir), dir);
        conf = xasprintf("%s/conf.d", top);
        tiers = xasprintf("%s/10-tiers.conf", conf);
        src = xasprintf("%s/init/main.c", top);
        if (stat(conf, &st_conf) < 0 || !S_ISDIR(st_conf.st_mode) || access(tiers, R_OK) < 0 ||
            stat(src, &st_src) < 0 || st_conf.st_uid != st_exe.st_uid)
                return NULL;
        return TAKE_PTR(conf);
}

int options_parse(int argc, char **argv, struct options *ret)
{
        struct options o = {0};
        const char *why;
        int c, r = 0;

        opterr = 0;
        while (r == 0 && (c = getopt_long(argc, argv, "", longopts, NULL)) >= 0) {
                if (c == '?')
                        r = log_error("unknown or incomplete option %s (see memprov --help)",
                                      argv[optind - 1]);
                else
                        r = parse_one(c, &o);
        }
        if (r == 0 && optind < argc)
                r = log_error("unexpected argument \"%s\" (see memprov --help)", argv[optind]);
        if (r == 0 && o.root && o.root[0] != '/')
                r = log_error("--root needs an absolute path, got \"%s\"", o.root);
        if (r == 0 && !mode_command(&o, &o.command, &why))
                r = log_error("%s", why);
        if (r == 0 && !o.defaults_dir && (o.defaults_from_build = build_tree_defaults()))
                o.defaults_dir = o.defaults_from_build;
        if (r == 0 && !o.defaults_dir)
                o.defaults_dir = MEMPROV_DEFAULTS_DIR;
        if (r == 0 && o.root && streq(o.root, "/"))
                o.root = NULL;
        *ret = o;
        return r;
}

void options_done(struct options *o)
{
        free(o->defaults_from_build);
        o->defaults_from_build = NULL;
        free(o->assignments);
        o->assignments = NULL;
}
