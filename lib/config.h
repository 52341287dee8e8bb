/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration: one list of (section, key, value, origin) settings, filled layer by layer
 * (shipped defaults < /etc/memprov/memprov.conf < /etc/memprov/conf.d/\*.conf < --config <
 * user-data < command line), the later layer replacing the earlier value. The shipped tier table
 * is data in the same format: sections named "tier SIZE".
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct setting {
        char *section;
        char *key;
        char *value;
        char *origin; /* "FILE:LINE", "--set", "user-data memprov.swap.size" */
};

struct config {
        struct setting *settings;
        size_t n_settings;
        /* Open-addressing index of settings by (section, key): slot holds position + 1, 0 is
         * free. Loading ~500 defaults searched linearly was half the plan's instructions. */
        size_t *index;
        size_t index_size; /* a power of two, or 0 */
};

/* A key a module understands, and how its value is checked (0 or -EINVAL). */
struct config_key {
        const char *section; /* "tier" matches every "tier SIZE" section */
        const char *key;
        int (*check)(const char *value);
};

/* A key parsed once into a module's typed settings struct, its default beside it, so no call
 * site reads a string with a default of its own (systemd's oomd parse_config() tables). A module
 * lists each key once and projects the list into its config_key rows (validation) and these. */
struct config_setting {
        const char *section; /* "tier": the run's tier section */
        const char *key;
        const char *def; /* the value when no layer sets the key (NULL: parse is not called) */
        int (*parse)(const char *value, void *dst);
        size_t offset; /* of the destination in the settings struct */
};

/* A size key that also takes auto and none: check_size_auto_none's values, typed. */
enum config_size_kind { CONFIG_SIZE_AUTO, CONFIG_SIZE_NONE, CONFIG_SIZE_BYTES };
struct config_size {
        enum config_size_kind kind;
        uint64_t bytes; /* CONFIG_SIZE_BYTES ("0" is 0 bytes, which callers read as none) */
};

void config_done(struct config *c);
void config_set(struct config *c, const char *section, const char *key, const char *value,
                const char *origin);
/* INI text (size bytes, a NUL inside is an error); errors name path and line. */
int config_parse_text(struct config *c, const char *text, size_t size, const char *path);
/* Parses one INI file, a path on this machine (the shipped defaults, --config): only a regular
 * file is read, without blocking. -ENOENT (not logged) when absent; other errors are logged. */
int config_load_file(struct config *c, const char *path);
/* The same for a path inside the root, reached without following any symlink. */
int config_load_root_file(struct config *c, int rootfd, const char *root, const char *path);
/* Every *.conf in dir, in lexical order; a missing dir is not an error; a symlinked .conf is,
 * but for a link to /dev/null (skipped). Files read by these calls take "# comment" after a
 * value (a '#' after a space or tab), as the README's examples do. */
int config_load_dir(struct config *c, const char *dir);
/* The same, skipping the names in masks (NULL-terminated; may be NULL). */
int config_load_dir_masked(struct config *c, const char *dir, char *const *masks);
/* The *.conf names in dir (inside the root) that are symlinks to /dev/null: they mask the
 * shipped defaults of that name. Never NULL; free with config_masks_free(). */
char **config_root_dir_masks(int rootfd, const char *dir);
void config_masks_free(char **masks);
int config_load_root_dir(struct config *c, int rootfd, const char *root, const char *dir);
/* "section.key=value" from the command line. */
int config_set_assignment(struct config *c, const char *assignment, const char *origin);
/* Warns about unknown sections and keys (with a "did you mean" for a near miss), fails
 * (logged, naming the origin, what is valid and the nearest valid word) on the first malformed
 * value. */
int config_validate(const struct config *c, const struct config_key *const *key_lists);
/* The key's entry in key_lists, or NULL. */
const struct config_key *config_key_lookup(const struct config_key *const *key_lists,
                                           const char *section, const char *key);
/* The candidate nearest to word (edit distance at most 2, or a third of its length, or a
 * prefix), or NULL. */
const char *config_nearest(const char *word, const char *const *candidates, size_t n);
/* What a key accepts, in words, and the words themselves (NULL-terminated, or NULL). */
const char *config_key_valid(const struct config_key *k, const char *const **ret_values);
/* The merged configuration as INI text, each setting with its origin (--cat-config). */
void config_print(const struct config *c, FILE *f);

const struct setting *config_get(const struct config *c, const char *section, const char *key);
const char *config_str(const struct config *c, const char *section, const char *key,
                       const char *def);
/* Typed getters for validated settings; fall back to def when unset. */
uint64_t config_size(const struct config *c, const char *section, const char *key, uint64_t def);
long config_int(const struct config *c, const char *section, const char *key, long def);
bool config_bool(const struct config *c, const char *section, const char *key, bool def);

/* Tiers: "tier SIZE" sections. tier_select picks the largest tier whose SIZE <= ram (or the
 * smallest tier). Returns NULL when the configuration has no tier table. */
const char *tier_select(const struct config *c, uint64_t ram_bytes, char section[static 64]);
/* Fills the settings struct at dst from rows (terminated by a NULL section): each key's value
 * in c (a "tier" row: in the section tier, when not NULL), else the row's default. Values were
 * validated (config_validate); a value parse refuses all the same is logged (-EINVAL). Strings
 * point into c or the rows: valid while c is. */
int config_settings_parse(const struct config *c, const char *tier,
                          const struct config_setting *rows, void *dst);
/* A module's keys are one X-macro table, X(section, key, check, default, parser, field); these
 * expand a row into its struct config_key (what validation checks) and, for the settings struct
 * TYPE, its struct config_setting (what config_settings_parse fills). */
#define CONFIG_KEY_ROW(section, key, check, def, parse, field) {section, key, check},
#define CONFIG_SETTING_ROW(type, section, key, check, def, parse, field)                           \
        {section, key, def, parse, offsetof(type, field)},
/* Parsers for config_setting rows: into const char *, bool and struct config_size. */
int config_parse_string(const char *v, void *dst);
int config_parse_bool(const char *v, void *dst);
int config_parse_size_auto_none(const char *v, void *dst);
/* Checkers shared by modules. */
int check_size(const char *v);
int check_size_auto_none(const char *v); /* "auto", "none", "0" or a size */
int check_bool(const char *v);
int check_percent_auto(const char *v); /* "auto" or 0..100 */
int check_uint(const char *v); /* 0..INT_MAX, plain decimal: no sign, space or leading zero */
/* A plain decimal with an optional minus (no "+", space or leading zero: "010" is an error). */
int parse_decimal(const char *v, long *ret);
int check_abs_path(const char *v);
int check_name_list(const char *v); /* space or comma separated names [A-Za-z0-9@._-] */
int parse_bool(const char *v, bool *ret);
