/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memprov.conf(5) documents exactly the keys the code accepts: every (section, key) of the
 * modules' config_key tables has an entry in the page, and every entry in the page is a key
 * the tables accept. An entry is a ".B KEY" line right after ".TP" under a '.SH "[SECTION]"'
 * heading; "[tier SIZE]" stands for every tier section, as "tier" does in the tables.
 */
#include "../../lib/util.h"
#include "../../modules/module.h"
#include "test.h"

#define MAN_PAGE "man/memprov.conf.5"

struct man_key {
        char section[64];
        char key[128];
};

/* The section a .SH heading names: "[swap]" -> "swap", "[tier SIZE]" -> "tier", "[consumer
 * NAME]" -> "consumer", else "". */
static void heading_section(const char *line, char section[static 64])
{
        const char *open = strchr(line, '['), *close = open ? strchr(open, ']') : NULL;
        size_t n;

        section[0] = '\0';
        if (!open || !close)
                return;
        n = MIN((size_t)(close - open - 1), (size_t)63);
        memcpy(section, open + 1, n);
        section[n] = '\0';
        section[strcspn(section, " ")] = '\0'; /* a family: [tier SIZE], [consumer NAME] */
}

static size_t read_man_keys(struct man_key *keys, size_t max)
{
        char line[512], section[64] = "";
        bool after_tp = false;
        size_t n = 0;
        FILE *f = fopen(MAN_PAGE, "re");

        CHECK(f != NULL);
        if (!f)
                return 0;
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = '\0';
                if (startswith(line, ".SH "))
                        heading_section(line, section);
                else if (after_tp && section[0] && startswith(line, ".B ") && n < max) {
                        snprintf(keys[n].section, sizeof(keys[n].section), "%s", section);
                        snprintf(keys[n].key, sizeof(keys[n].key), "%.*s",
                                 (int)strcspn(line + 3, " "), line + 3);
                        n++;
                }
                after_tp = streq(line, ".TP");
        }
        fclose(f);
        return n;
}

static bool section_is(const char *table_section, const char *man_section)
{
        return streq(table_section, man_section);
}

TEST(conf_man_page_lists_every_key_the_code_accepts)
{
        const struct config_key *lists[MEMPROV_KEY_LISTS_MAX];
        struct man_key man[512];
        size_t n_man = read_man_keys(man, ELEMENTSOF(man)), n_code = 0;

        memprov_config_keys(lists);
        CHECK(n_man > 0);
        for (size_t l = 0; lists[l]; l++)
                for (const struct config_key *k = lists[l]; k->section; k++) {
                        bool found = false;
                        n_code++;
                        for (size_t i = 0; i < n_man && !found; i++)
                                found = section_is(k->section, man[i].section) &&
                                        streq(k->key, man[i].key);
                        if (!found)
                                fprintf(stderr, "  %s: no entry for [%s] %s\n", MAN_PAGE,
                                        k->section, k->key);
                        CHECK(found);
                }
        for (size_t i = 0; i < n_man; i++) {
                bool found = false;
                for (size_t l = 0; lists[l] && !found; l++)
                        for (const struct config_key *k = lists[l]; k->section && !found; k++)
                                found = section_is(k->section, man[i].section) &&
                                        streq(k->key, man[i].key);
                if (!found)
                        fprintf(stderr, "  %s: [%s] %s is not a key memprov accepts\n", MAN_PAGE,
                                man[i].section, man[i].key);
                CHECK(found);
        }
        /* Each key documented once: a duplicate would hide a missing one from a count. */
        CHECK_U64(n_man, n_code);
}
