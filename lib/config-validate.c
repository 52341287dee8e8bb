/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Checking a merged configuration against the modules' key tables, with errors an admin can act
 * on: an invalid value names its origin (FILE:LINE, user-data key, --set), says what is valid and
 * offers the nearest valid word; an unknown section is named as a section, an unknown key as a
 * key, each with the nearest known name. And --cat-config's listing.
 */
#include "config.h"
#include "log.h"
#include "size.h"
#include "util.h"

#define NAME_MAX_LEN 64 /* longer words are never near misses of memprov's short names */

static const char *const bool_words[] = {"yes", "no", "true", "false", "on", "off", NULL};
static const char *const auto_none_words[] = {"auto", "none", NULL};
static const char *const auto_words[] = {"auto", NULL};

/* The shared checkers' words: what each accepts. */
static const struct {
        int (*check)(const char *value);
        const char *valid;
        const char *const *values;
} shared[] = {
    {check_size, "a size with a unit: K, M, G or T (binary), such as 512M or 2G", NULL},
    {check_size_auto_none,
     "auto, none (or 0), or a size with a unit: K, M, G or T (binary), such as 512M or 2G",
     auto_none_words},
    {check_bool, "yes or no (also true/false, on/off, 1/0)", bool_words},
    {check_percent_auto, "auto or a whole number from 0 to 100", auto_words},
    {check_uint, "a whole number from 0 to 2147483647, without sign or leading zero", NULL},
    {check_abs_path,
     "an absolute path naming the file directly: no \".\" or \"..\", no spaces or backslashes, "
     "no trailing slash",
     NULL},
    {check_name_list, "names of letters, digits, '@', '.', '_' and '-', separated by spaces", NULL},
};

static const char *const on_resize_words[] = {"rerun", "report", NULL};
/* modules/units.c's groups (a unit test checks that check_unit_selection takes each). */
static const char *const unit_words[] = {"auto",    "none",         "proftpd", "bind", "postgres",
                                         "mailman", "spamassassin", "clamav",  NULL};
static const char *const pm_words[] = {"ondemand", "dynamic", "static", NULL};
static const char *const zswap_words[] = {"auto", "yes", "no", NULL};
static const char *const memory_high_words[] = {"auto", "no", NULL};

#define SWAPPINESS_VALID "auto or a whole number from 0 to 200, without sign or leading zero"

/* Keys whose module checks them itself: what they accept, in words. */
static const struct {
        const char *section, *key; /* section "tier": every tier */
        const char *valid;
        const char *const *values;
} key_help[] = {
    {"memprov", "on_resize", "rerun or report", on_resize_words},
    {"units", "disable",
     "auto, none, the groups proftpd, bind, postgres, mailman, spamassassin, clamav, or unit "
     "names such as postgresql.service, separated by spaces",
     unit_words},
    {"units", "keep",
     "the groups proftpd, bind, postgres, mailman, spamassassin, clamav, or unit names such as "
     "postgresql.service, separated by spaces",
     unit_words},
    {"tier", "units.disable",
     "auto, none, the groups proftpd, bind, postgres, mailman, spamassassin, clamav, or unit "
     "names, separated by spaces",
     unit_words},
    {"unit-groups", NULL, "unit names or templates such as postgresql@*.service", NULL},
    {"tier", "php.pm", "ondemand, dynamic or static", pm_words},
    {"tier", "php.opcache.memory_consumption", "a whole number of MiB, at least 8M", NULL},
    {"tier", "php.process_idle_timeout", "a number with an optional s, m, h or d", NULL},
    {"services", "php.process_control_timeout", "a number with an optional s, m, h or d", NULL},
    {"tier", "mysqld.innodb_flush_log_at_trx_commit", "0, 1 or 2", NULL},
    {"tier", "mysqld.query_cache_type", "0, 1 or 2", NULL},
    {"swap", "zswap", "auto, yes or no", zswap_words},
    {"tier", "zswap.max_pool_percent", "a whole number from 1 to 100", NULL},
    {"oom", "memory_high", "auto, no or a size with a unit such as 512M", memory_high_words},
    {"oom", "restart_sec", "a number with an optional ms, s or min", NULL},
    {"oom", "ssh", "an oom_score_adj: a whole number from -1000 to 1000", NULL},
    {"oom", "database", "an oom_score_adj: a whole number from -1000 to 1000", NULL},
    {"oom", "web", "an oom_score_adj: a whole number from -1000 to 1000", NULL},
    {"oom", "php", "an oom_score_adj: a whole number from -1000 to 1000", NULL},
    /* modules/sysctl.c check_swappiness: the kernel's range since Linux 5.8 (vm.rst). */
    {"sysctl", "swappiness", SWAPPINESS_VALID, auto_words},
    {"tier", "swappiness", SWAPPINESS_VALID, auto_words},
    {"tier", "swappiness_db", SWAPPINESS_VALID, auto_words},
    {"tier", "swappiness_compressed", SWAPPINESS_VALID, auto_words},
    {"tier", "swappiness_db_compressed", SWAPPINESS_VALID, auto_words},
};

/* "tier" and "consumer" stand for a family of sections: [tier 1G], [consumer redis]. */
static bool section_matches(const char *pattern, const char *section)
{
        if (streq(pattern, "tier") || streq(pattern, "consumer"))
                return startswith(section, pattern) && section[strlen(pattern)] == ' ' &&
                       section[strlen(pattern) + 1] != '\0';
        return streq(pattern, section);
}

const struct config_key *config_key_lookup(const struct config_key *const *lists,
                                           const char *section, const char *key)
{
        for (; lists && *lists; lists++)
                for (const struct config_key *k = *lists; k->section; k++)
                        if (streq(k->key, key) && section_matches(k->section, section))
                                return k;
        return NULL;
}

static bool section_known(const struct config_key *const *lists, const char *section)
{
        for (; *lists; lists++)
                for (const struct config_key *k = *lists; k->section; k++)
                        if (section_matches(k->section, section))
                                return true;
        return false;
}

/* Levenshtein distance, for words up to NAME_MAX_LEN (longer: "far"). */
static size_t edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b), row[NAME_MAX_LEN + 1];

        if (la > NAME_MAX_LEN || lb > NAME_MAX_LEN)
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
                        if (up + 1 < best)
                                best = up + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        diag = up;
                        row[j] = best;
                }
        }
        return row[lb];
}

const char *config_nearest(const char *word, const char *const *candidates, size_t n)
{
        size_t best = SIZE_MAX, limit = strlen(word) / 3 > 2 ? strlen(word) / 3 : 2;
        const char *nearest = NULL;

        for (size_t i = 0; i < n && candidates[i]; i++) {
                size_t d = edit_distance(word, candidates[i]);
                /* A prefix is a near miss too: "postgresql" for the group "postgres". */
                if (d > limit &&
                    (startswith(word, candidates[i]) || startswith(candidates[i], word)))
                        d = limit;
                if (d <= limit && d < best && d > 0) {
                        best = d;
                        nearest = candidates[i];
                }
        }
        return nearest;
}

/* The known keys of section (or the known sections when section is NULL), to suggest from. */
static size_t known_names(const struct config_key *const *lists, const char *section,
                          const char **names, size_t max)
{
        size_t n = 0;

        for (; *lists; lists++)
                for (const struct config_key *k = *lists; k->section && n < max; k++) {
                        const char *name = section ? k->key : k->section;
                        bool seen = false;
                        if (section && !section_matches(k->section, section))
                                continue;
                        for (size_t i = 0; i < n && !seen; i++)
                                seen = streq(names[i], name);
                        if (!seen)
                                names[n++] = name;
                }
        return n;
}

const char *config_key_valid(const struct config_key *k, const char *const **ret_values)
{
        for (size_t i = 0; i < ELEMENTSOF(key_help); i++)
                if (streq(key_help[i].section, k->section) &&
                    (!key_help[i].key || streq(key_help[i].key, k->key))) {
                        *ret_values = key_help[i].values;
                        return key_help[i].valid;
                }
        for (size_t i = 0; i < ELEMENTSOF(shared); i++)
                if (shared[i].check == k->check) {
                        *ret_values = shared[i].values;
                        return shared[i].valid;
                }
        *ret_values = NULL;
        return NULL;
}

/* The first word of value that is not a valid word but near one: its suggestion. */
static const char *value_suggestion(const char *value, const char *const *values,
                                    const char **ret_word, char *buf, size_t size)
{
        size_t n = 0;

        while (values && values[n])
                n++;
        for (const char *p = value; values && *p;) {
                size_t len = strcspn(p, " ,");
                const char *near;
                if (len > 0 && len < size) {
                        memcpy(buf, p, len);
                        buf[len] = '\0';
                        near = config_nearest(buf, values, n);
                        if (near) {
                                *ret_word = buf;
                                return near;
                        }
                }
                p += len;
                p += strspn(p, " ,");
        }
        return NULL;
}

static int invalid_value(const struct setting *s, const struct config_key *k)
{
        const char *const *values = NULL, *valid = config_key_valid(k, &values), *word = NULL,
                          *near;
        char buf[NAME_MAX_LEN + 1];

        if (strchr(s->value, '\n'))
                return log_error("%s: invalid value for %s.%s: a value is one line", s->origin,
                                 s->section, s->key);
        /* "size = 2048": bytes or MiB? memprov does not guess (dphys-swapfile reads MiB). */
        if ((k->check == check_size || k->check == check_size_auto_none) && isdigit_str(s->value) &&
            !streq(s->value, "0"))
                return log_error("%s: invalid value for %s.%s: \"%s\" has no unit (%sM is MiB; "
                                 "K, M, G and T are binary units)",
                                 s->origin, s->section, s->key, s->value, s->value);
        near = value_suggestion(s->value, values, &word, buf, sizeof(buf));
        if (near)
                return log_error("%s: invalid value for %s.%s: \"%s\" (valid: %s; did you mean "
                                 "\"%s\" for \"%s\"?)",
                                 s->origin, s->section, s->key, s->value,
                                 valid ? valid : "see memprov.conf(5)", near, word);
        return log_error("%s: invalid value for %s.%s: \"%s\" (valid: %s)", s->origin, s->section,
                         s->key, s->value, valid ? valid : "see memprov.conf(5)");
}

static void unknown(const struct config *c, size_t i, const struct config_key *const *lists)
{
        const struct setting *s = &c->settings[i];
        const char *names[256], *near;
        size_t n;

        if (!section_known(lists, s->section)) {
                /* Once per section and origin file: its first key says it. */
                for (size_t j = 0; j < i; j++)
                        if (streq(c->settings[j].section, s->section))
                                return;
                n = known_names(lists, NULL, names, ELEMENTSOF(names));
                near = config_nearest(s->section, names, n);
                log_warning("%s: unknown section [%s], its keys ignored%s%s%s", s->origin,
                            s->section, near ? " (did you mean [" : "", near ? near : "",
                            near ? "]?)" : "");
                return;
        }
        n = known_names(lists, s->section, names, ELEMENTSOF(names));
        near = config_nearest(s->key, names, n);
        log_warning("%s: unknown key %s in [%s], ignored%s%s%s", s->origin, s->key, s->section,
                    near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
}

/* The key tables indexed by key name for one validation: open addressing, at most half full.
 * Matching each of ~550 settings against every table in turn was a sixth of a run's
 * instructions (callgrind, make bench's profile). */
struct key_index {
        const struct config_key **slots;
        size_t mask;
};

static size_t key_hash(const char *key)
{
        uint64_t h = 14695981039346656037ULL; /* FNV-1a */

        for (const char *p = key; *p; p++)
                h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        return (size_t)h;
}

static void key_index_build(struct key_index *x, const struct config_key *const *lists)
{
        size_t n = 0, size = 64;

        for (const struct config_key *const *l = lists; l && *l; l++)
                for (const struct config_key *k = *l; k->section; k++)
                        n++;
        while (size < 2 * n)
                size *= 2;
        x->slots = xmalloc(size * sizeof(*x->slots));
        memset(x->slots, 0, size * sizeof(*x->slots));
        x->mask = size - 1;
        /* In table order, so that the first match along a key's probe sequence is the one
         * config_key_lookup() would find first. */
        for (const struct config_key *const *l = lists; l && *l; l++)
                for (const struct config_key *k = *l; k->section; k++) {
                        size_t i;
                        if (!k->key)
                                continue; /* matches no key, as in config_key_lookup() */
                        i = key_hash(k->key) & x->mask;
                        while (x->slots[i])
                                i = (i + 1) & x->mask;
                        x->slots[i] = k;
                }
}

/* The same answer as config_key_lookup(), from the index. */
static const struct config_key *key_index_lookup(const struct key_index *x, const char *section,
                                                 const char *key)
{
        for (size_t i = key_hash(key) & x->mask; x->slots[i]; i = (i + 1) & x->mask)
                if (streq(x->slots[i]->key, key) && section_matches(x->slots[i]->section, section))
                        return x->slots[i];
        return NULL;
}

int config_validate(const struct config *c, const struct config_key *const *key_lists)
{
        struct key_index x;
        int r = 0;

        key_index_build(&x, key_lists);
        for (size_t i = 0; i < c->n_settings; i++) {
                const struct setting *s = &c->settings[i];
                const struct config_key *k;
                uint64_t tier_size;

                if (startswith(s->section, "tier ") && parse_size(s->section + 5, &tier_size) < 0) {
                        r = log_error("%s: [%s]: tier name must be a memory size such as 1G",
                                      s->origin, s->section);
                        break;
                }
                k = key_index_lookup(&x, s->section, s->key);
                if (!k) {
                        unknown(c, i, key_lists);
                        continue;
                }
                if (strchr(s->value, '\n') || (k->check && k->check(s->value) < 0) ||
                    ((k->check == check_size || k->check == check_size_auto_none) &&
                     isdigit_str(s->value) && !streq(s->value, "0"))) {
                        r = invalid_value(s, k);
                        break;
                }
        }
        free(x.slots);
        return r;
}

/* Sections in the order they first appear, each key with where its value came from. */
void config_print(const struct config *c, FILE *f)
{
        for (size_t i = 0; i < c->n_settings; i++) {
                const char *section = c->settings[i].section;
                bool first = true;
                for (size_t j = 0; j < i && first; j++)
                        first = !streq(c->settings[j].section, section);
                if (!first)
                        continue;
                fprintf(f, "%s[%s]\n", i ? "\n" : "", section);
                for (size_t j = i; j < c->n_settings; j++) {
                        const struct setting *s = &c->settings[j];
                        if (streq(s->section, section))
                                fprintf(f, "%s = %s  # %s\n", s->key, s->value, s->origin);
                }
        }
}
