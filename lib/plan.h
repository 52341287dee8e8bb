/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plan: what each module wants the machine to look like, as a list of generic actions.
 * Planning never changes the system; apply performs the actions, each compare-then-change.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct json_object;

enum action_type {
        ACTION_WRITE_FILE,  /* path, content, mode: a file memprov manages */
        ACTION_REMOVE_FILE, /* path: a managed file no longer wanted */
        ACTION_SYMLINK,     /* path -> target (e.g. a2enconf's conf-enabled link) */
        ACTION_SWAP,        /* the swapfile and its fstab entry: see modules/swap.h */
        ACTION_SYSCTL,      /* key = value, live in /proc/sys */
        ACTION_UNIT,        /* unit: enable or disable */
        ACTION_DAEMON_RELOAD,
        /* After a --rerun on the running system, once the files are written and systemd has
         * reloaded: the new settings of a running service made live. */
        ACTION_SERVICE_LIVE, /* unit, unit_op UNIT_RELOAD or UNIT_RESTART (if it is running) */
        ACTION_SQL_LIVE,     /* path: the database drop-in (content: new, value: before) */
        ACTION_ZSWAP,        /* key = value, live in /sys/module/zswap/parameters */
        ACTION_TYPE_MAX,     /* not a type: the count, which lib/plan-kinds.c's table matches */
};

enum swap_op { SWAP_NONE, SWAP_KEEP, SWAP_CREATE, SWAP_RESIZE, SWAP_REMOVE };

struct swap_action {
        enum swap_op op;
        char *path;
        uint64_t size_bytes;     /* target */
        uint64_t old_size_bytes; /* memprov's current file, on resize */
        char *old_path;          /* memprov's current file when the path changed */
        char *fstype;
        bool live;        /* swapon/swapoff (not under --root) */
        char *extra_path; /* set by apply: a second file left active by a resize */
};

/* UNIT_START/UNIT_STOP (ACTION_SERVICE_LIVE): a unit a generator makes from a file memprov
 * writes (zram-generator's dev-zram0.swap), started if it is not running or stopped, on every
 * run on a running systemd, the boot run included, after the reload that re-ran the generator. */
enum unit_op { UNIT_DISABLE, UNIT_ENABLE, UNIT_RELOAD, UNIT_RESTART, UNIT_START, UNIT_STOP };

struct action {
        enum action_type type;
        const char *module;
        char *path;
        char *content;
        size_t content_size;
        mode_t mode;
        char *target;      /* symlink target */
        char *key, *value; /* sysctl, zswap */
        char *old_value;   /* sysctl: the value before memprov first set it (kept for --undo) */
        char *unit;
        enum unit_op unit_op;
        struct swap_action swap;
        char *note;      /* why, for the plan output */
        bool skip;       /* planned but left alone (e.g. the admin edited the file) */
        bool as_planned; /* set by review and plan_compare (init/compare.h): the machine already
                          * is as this action wants (a file has these bytes and mode) */
        bool staged;   /* set by apply: the new bytes (or new swapfile) wait under the temp name */
        bool changed;  /* set by apply */
        bool deferred; /* takes effect at the root's next boot (under --root), not now */
        bool reached;  /* set by apply: false for the actions after the one that failed */
        bool failed;   /* set by apply: this action's error stopped the apply */
        bool incomplete; /* set by apply: done in part (logged); the state records what is
                          * left for the next run, then the run exits non-zero */
};

struct plan {
        uint64_t ram_bytes;
        char *tier;
        const char *container, *ram_source; /* facts: the container (NULL: none), RAM's origin */
        unsigned vcpus;                     /* facts: the vCPUs counted ... */
        const char *vcpus_source;           /* ... and why (struct facts) */
        struct action *actions;
        size_t n_actions;
        char **notes; /* findings worth telling the admin: what was respected, capped, refused */
        size_t n_notes;
        struct json_object *extra; /* module-specific JSON sections, e.g. "budget" */
        char *text;                /* module-specific text (e.g. the budget table), after notes */
};

struct facts;
/* The facts every mode's plan carries, from this run's facts: RAM and where it was read, the
 * container, the vCPUs and how they were counted. */
void plan_set_facts(struct plan *p, const struct facts *f);
struct action *plan_add(struct plan *p, enum action_type type, const char *module);
struct action *plan_add_file(struct plan *p, const char *module, const char *path, mode_t mode,
                             char *content);
/* Several modules may want systemd reloaded; under TCG one reload costs seconds of boot, so the
 * plan keeps a single one, after every other action but the live ones (ACTION_SERVICE_LIVE,
 * ACTION_SQL_LIVE), which follow it. */
void plan_merge_reloads(struct plan *p);
void plan_note(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The JSON object p->extra[name], made on first use: modules add their parts to one section
 * ("inputs": "database", "consumers", ...). */
struct json_object *plan_extra_object(struct plan *p, const char *name);
void plan_done(struct plan *p);
/* Whether apply left an action done only in part (action.incomplete). */
bool plan_incomplete(const struct plan *p);
void plan_print_text(const struct plan *p, bool applied, FILE *out);
/* plan_print_text's parts: the "RAM ..., tier ..." line, one action's line. */
void plan_print_header(const struct plan *p, FILE *out);
void plan_print_action(const struct action *a, bool applied, FILE *out);
void plan_print_json(const struct plan *p, bool applied, FILE *out);
const char *swap_op_name(enum swap_op op);

/* An applied action's journal event (lib/journal-events.c sends it with the run's fields): its
 * MESSAGE_ID (catalog/memprov.catalog), priority, message and its own "FIELD=value" fields. */
struct action_event {
        const char *id;
        int priority;
        char *message;
        char *fields[3];
        size_t n_fields;
};

struct context;
/* What one action kind does in every view, in one row of lib/plan-kinds.c (issue 20 item 3):
 * printing, --json, the journal, the comparison with the machine, staging, applying, --diff
 * and --status look the row up instead of switching on the type. A kind without apply() is
 * applied by the module that plans it (module_for_action); files and links have their own
 * operations (lib/plan-files.c). */
struct action_kind {
        const char *column; /* the listing's second column: "file", "swap", "unit", ... */
        /* What the action does, planned and done ("write", "written"), once it does something;
         * verb(), when set, says it for kinds where it depends on the action. */
        const char *verbs[2];
        const char *(*verb)(const struct action *a, bool applied);
        /* The listing's line after the verb (" PATH (0644)"). */
        void (*print)(const struct action *a, FILE *out);
        /* Its part of the --json plan or result object. */
        void (*json)(struct json_object *root, const struct action *a, bool applied);
        /* Whether the machine already is as it wants; NULL: never (planned only when the
         * machine differs, or a consequence of another change). */
        bool (*as_planned)(const struct context *ctx, const struct action *a);
        /* A change systemd's reload (and the live steps after it) follow. */
        bool touches_files;
        /* What applying it would change, in words (NULL: nothing to show); and as values for
         * --status --json: kind, op (NULL: the planned verb), name, and its own fields. */
        char *(*change)(const struct action *a);
        const char *change_kind;
        const char *(*change_op)(const struct action *a);
        const char *(*change_name)(const struct action *a);
        void (*change_json)(struct json_object *o, const struct action *a);
        /* What the state records of an applied action (init/apply.c record_files): the value
         * under record_section, keyed by its path; NULL: the module's record hook does it. */
        const char *record_section;
        char *(*record_value)(const struct action *a);
        /* Before the comparison (init/apply.c plan_review): whether the file is memprov's to
         * change (else skipped, with the reason) and already as wanted (as_planned), read once. */
        void (*review)(const struct context *ctx, struct action *a);
        /* Before the run's one syncfs: the new bytes under the temp name; 1 when staged
         * (action.staged), 0 when nothing needs staging, or -errno (logged). unstage() drops
         * that temp file after a failed run. NULL: the module's stage hook, if any. */
        int (*stage)(const struct context *ctx, const struct action *a);
        void (*unstage)(const struct context *ctx, const struct action *a);
        /* The change itself, compare-then-change: 0 or -errno (logged); NULL: the module's. */
        int (*apply)(const struct context *ctx, struct action *a);
        /* --diff: the file as it is against what the action leaves, as a unified diff. */
        void (*diff)(const struct context *ctx, const struct action *a, FILE *out);
        /* Every path it writes, each passed to check() before the first change (init/preflight.c)
         * until one fails, whose result it returns; NULL: its path, if it has one. */
        int (*each_path)(const struct context *ctx, const struct action *a,
                         int (*check)(const struct context *ctx, const char *path));
        /* The journal: the "FIELD=value" its records name it by (MEMPROV_PATH or MEMPROV_UNIT;
         * NULL: none), and after an apply, whether it is an event (ret filled; the caller frees
         * message and fields). */
        char *(*subject)(const struct action *a);
        bool (*event)(const struct action *a, struct action_event *ret);
};
/* An applied action's event, if it is one (struct action_kind.event). */
bool action_event(const struct action *a, struct action_event *ret);
void action_event_done(struct action_event *ev);
const struct action_kind *action_kind(enum action_type type);
/* The word the listing and --json give an action: skip, not done, failed, incomplete,
 * deferred, unchanged, or its kind's verb. */
const char *action_verb(const struct action *a, bool applied);
/* Its kind's verb for a, planned (applied false) or done. */
const char *action_kind_verb(const struct action *a, bool applied);

/* The state keeps one line per managed path (struct action_kind's record_value):
 * [files] PATH = HASH MODE MODULE and [links] PATH = TARGET MODULE. Paths are keys, not section
 * names, because inih cuts section names at 50 characters. */
#define STATE_FILES "files"
#define STATE_LINKS "links"

/* A file or link the state records (struct setting of STATE_FILES or STATE_LINKS), as it is
 * now: what memprov wrote (or a run that did not finish was writing), changed, or gone. */
struct config;
struct setting;
enum managed_state { MANAGED_AS_WRITTEN, MANAGED_EDITED, MANAGED_MISSING };
bool is_managed_record(const struct setting *s);
enum managed_state managed_path_state(const struct context *ctx, const struct setting *s);
/* The records that know a managed file: the state, the intent record of a run that did not
 * finish, and the files an --undo kept because the admin had edited them (init/undo.h). */
void file_records(const struct context *ctx, const struct config *ret[static 3]);
/* Planned but left alone, with why as its note. */
void action_skip(struct action *a, const char *why);

#define MANAGED_HEADER "# Managed by memprov"
/* The managed-file header line in the file's comment syntax ("#" or ";"), then the body from
 * fmt. The caller owns the result. */
char *managed_file(const char *comment, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Whether content starts with memprov's header (in any comment syntax). */
bool is_managed_content(const char *content);
