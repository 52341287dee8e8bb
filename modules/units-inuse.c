/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unused means unused (issue 18 item 5): a tier disables its unit groups only when what they
 * serve can be read as empty under the root. A BIND that serves zones of its own, a PostgreSQL
 * cluster with user databases, a Mailman with lists is in use: disabling it would take a site's
 * DNS, data or lists offline. Only the groups a tier selects are checked; an admin's explicit
 * [units] disable is obeyed (units.c).
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>

#include "../lib/chase.h"
#include "../lib/log.h"
#include "units-files.h"
#include "units.h"

#define NAMED_MAX_FILES 64
#define NAMED_MAX_DEPTH 10

/* The zones the packages themselves ship: Debian's named.conf.default-zones and EL's named.conf
 * and named.rfc1912.zones (the root hints and RFC 1912's localhost and broadcast zones). */
static bool default_zone(const char *name)
{
        static const char *const zones[] = {
            ".",
            "localhost",
            "localhost.localdomain",
            "127.in-addr.arpa",
            "0.in-addr.arpa",
            "255.in-addr.arpa",
            "1.0.0.127.in-addr.arpa",
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
        };

        for (size_t i = 0; i < ELEMENTSOF(zones); i++)
                if (!strcasecmp(name, zones[i]))
                        return true;
        return false;
}

struct named_scan {
        int rootfd;
        unsigned files;
        unsigned zones;  /* zone statements beyond the packages' own */
        char first[160]; /* FILE:LINE of the first of them */
};

/* The next token of named.conf's grammar (named.conf(5)): a quoted string, one of {};, or a
 * word; comments in C, C++ and shell style are skipped. NULL at the end. */
static char *next_token(char **p, unsigned *line, char buf[static 256])
{
        char *s = *p;
        size_t n = 0;

        for (;;) {
                while (*s && isspace((unsigned char)*s))
                        *line += *s++ == '\n';
                if (*s == '#' || (s[0] == '/' && s[1] == '/'))
                        s += strcspn(s, "\n");
                else if (s[0] == '/' && s[1] == '*') {
                        char *end = strstr(s + 2, "*/");
                        for (char *c = s; c < (end ? end : s + strlen(s)); c++)
                                *line += *c == '\n';
                        s = end ? end + 2 : s + strlen(s);
                } else
                        break;
        }
        if (!*s)
                return NULL;
        if (*s == '"') {
                for (s++; *s && *s != '"'; s++) {
                        *line += *s == '\n';
                        if (n < 255)
                                buf[n++] = *s;
                }
                s += *s == '"';
        } else if (strchr("{};", *s))
                buf[n++] = *s++;
        else
                while (*s && !isspace((unsigned char)*s) && !strchr("{};\"", *s) && n < 255)
                        buf[n++] = *s++;
        buf[n] = '\0';
        *p = s;
        return buf;
}

static void scan_named(struct named_scan *sc, const char *path, unsigned depth)
{
        _cleanup_free_ char *text = NULL;
        char tok[256], name[256], *p;
        unsigned line = 1, at;
        int r;

        if (depth > NAMED_MAX_DEPTH || ++sc->files > NAMED_MAX_FILES)
                return;
        r = chase_read_file(sc->rootfd, path, &text, NULL);
        if (r < 0) {
                if (r != -ENOENT)
                        log_debug("%s: not read: %s", path, chase_strerror(r));
                return;
        }
        p = text;
        while (next_token(&p, &line, tok)) {
                if (streq(tok, "include")) {
                        /* BIND reads a relative include from its working directory, which the
                         * options' directory sets later: only absolute ones are followed. */
                        if (next_token(&p, &line, tok) && tok[0] == '/')
                                scan_named(sc, tok, depth + 1);
                        continue;
                }
                if (!streq(tok, "zone"))
                        continue;
                at = line;
                if (!next_token(&p, &line, tok))
                        break;
                snprintf(name, sizeof(name), "%s", tok);
                /* A zone statement: name, an optional class, then its block. response-policy's
                 * `zone "rpz";` names one defined elsewhere. */
                if (!next_token(&p, &line, tok))
                        break;
                if (!streq(tok, "{") && (!next_token(&p, &line, tok) || !streq(tok, "{")))
                        continue;
                if (default_zone(name))
                        continue;
                if (sc->zones++ == 0)
                        snprintf(sc->first, sizeof(sc->first), "%s:%u", path, at);
        }
}

static char *bind_in_use(int rootfd)
{
        /* Debian's /etc/bind/named.conf, EL's /etc/named.conf. */
        static const char *const confs[] = {"/etc/bind/named.conf", "/etc/named.conf"};
        struct named_scan sc = {.rootfd = rootfd};

        for (size_t i = 0; i < ELEMENTSOF(confs) && sc.zones == 0; i++)
                scan_named(&sc, confs[i], 0);
        if (!sc.zones)
                return NULL;
        return xasprintf("serves %u zone%s of its own (%s)", sc.zones, sc.zones == 1 ? "" : "s",
                         sc.first);
}

/* Subdirectories of dir whose name is a number >= min (or any name but skip, when min is 0). */
static unsigned count_entries(int rootfd, const char *dir, unsigned long min, const char *skip)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        unsigned n = 0;

        if (chase_opendir(rootfd, dir, &d) < 0)
                return 0;
        while ((de = readdir(d))) {
                struct stat st;
                if (de->d_name[0] == '.' || streq(de->d_name, skip) ||
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISDIR(st.st_mode))
                        continue;
                if (min && !(isdigit_str(de->d_name) && strtoul(de->d_name, NULL, 10) >= min))
                        continue;
                n++;
        }
        return n;
}

/* The subdirectories of dir (dir/NAME), or with sub, dir/NAME/sub, added to *list once. */
static void add_children(int rootfd, const char *dir, const char *sub, char ***list)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        if (chase_opendir(rootfd, dir, &d) < 0)
                return;
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = NULL;
                if (de->d_name[0] == '.')
                        continue;
                path = sub ? xasprintf("%s/%s/%s", dir, de->d_name, sub)
                           : xasprintf("%s/%s", dir, de->d_name);
                if (!strv_contains(*list, path))
                        *list = strv_push(*list, path);
        }
}

/* Debian's clusters may keep their data elsewhere: postgresql.conf's data_directory
 * ("data_directory = '/srv/pg/15/main'", postgresql.conf(5) syntax: name, optional =, a value
 * in single quotes, # comments). */
static void add_data_directories(int rootfd, char ***list)
{
        _cleanup_strv_ char **versions = strv_split(""), **confs = strv_split("");

        add_children(rootfd, "/etc/postgresql", NULL, &versions);
        for (char **v = versions; *v; v++)
                add_children(rootfd, *v, "postgresql.conf", &confs);
        for (char **c = confs; *c; c++) {
                _cleanup_free_ char *text = NULL;
                char *line, *save = NULL;
                if (chase_read_file(rootfd, *c, &text, NULL) < 0)
                        continue;
                for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        char *v = line + strspn(line, " \t"), *end;
                        if (!startswith(v, "data_directory"))
                                continue;
                        v += strlen("data_directory");
                        v += strspn(v, " \t=");
                        if (*v != '\'' || !(end = strchr(v + 1, '\'')) || v[1] != '/')
                                continue;
                        *end = '\0';
                        if (!strv_contains(*list, v + 1))
                                *list = strv_push(*list, v + 1);
                }
        }
}

/* A database's directory in base/ is named after its OID (PostgreSQL's "Database File Layout");
 * template1 (1), template0 and postgres (4 and 5 since 15, below 16384 before) are initdb's,
 * every database created later has an OID from FirstNormalObjectId, 16384, on (transam.h). */
static char *postgres_in_use(int rootfd)
{
        /* Debian: /var/lib/postgresql/VERSION/CLUSTER and each cluster's data_directory; EL:
         * /var/lib/pgsql/data and /var/lib/pgsql/VERSION/data (PGDG). */
        _cleanup_strv_ char **versions = strv_split(""), **clusters = strv_split("");
        const char *where = NULL;
        unsigned total = 0;

        add_children(rootfd, "/var/lib/postgresql", NULL, &versions);
        for (char **v = versions; *v; v++)
                add_children(rootfd, *v, NULL, &clusters);
        clusters = strv_push(clusters, "/var/lib/pgsql/data");
        add_children(rootfd, "/var/lib/pgsql", "data", &clusters);
        add_data_directories(rootfd, &clusters);
        for (char **c = clusters; *c; c++) {
                _cleanup_free_ char *base = xasprintf("%s/base", *c);
                unsigned n = count_entries(rootfd, base, 16384, NULL);
                if (n && !where)
                        where = *c;
                total += n;
        }
        if (!total)
                return NULL;
        return xasprintf("%u user database%s (%s/base)", total, total == 1 ? "" : "s", where);
}

/* Mailman 3 keeps a directory per list in list_data_dir (Debian's mailman.cfg:
 * $var_dir/lists, var_dir /var/lib/mailman3); Mailman 2 one per list in /var/lib/mailman/lists,
 * where the site list "mailman" is the one every installation needs. */
static char *mailman_in_use(int rootfd)
{
        static const struct {
                const char *dir, *site;
        } dirs[] = {{"/var/lib/mailman3/lists", NULL}, {"/var/lib/mailman/lists", "mailman"}};

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                unsigned n = count_entries(rootfd, dirs[i].dir, 0, dirs[i].site);
                if (n)
                        return xasprintf("has %u list%s (%s)", n, n == 1 ? "" : "s", dirs[i].dir);
        }
        return NULL;
}

char *units_group_in_use(const struct context *ctx, const char *group)
{
        if (streq(group, "bind"))
                return bind_in_use(ctx->rootfd);
        if (streq(group, "postgres"))
                return postgres_in_use(ctx->rootfd);
        if (streq(group, "mailman"))
                return mailman_in_use(ctx->rootfd);
        return NULL; /* proftpd, spamassassin, clamav: nothing to read that says "in use" */
}

static void units_in_use_json(struct plan *p, const char *group, const char *why, bool kept)
{
        json_object *inputs = plan_extra_object(p, "inputs"), *in_use, *o;

        if (!json_object_object_get_ex(inputs, "units_in_use", &in_use)) {
                in_use = json_object_new_object();
                json_object_object_add(inputs, "units_in_use", in_use);
        }
        o = json_object_new_object();
        json_object_object_add(o, "why", json_object_new_string(why));
        json_object_object_add(o, "kept", json_object_new_boolean(kept));
        json_object_object_add(in_use, group, o);
}

/* A tier's group that is in use stays (units-inuse.c says why, in the plan and in --json); one the
 * admin names in [units] disable is disabled all the same, and the plan says it is in use. */
bool units_keep_in_use(const struct context *ctx, struct plan *p, const char *item)
{
        _cleanup_strv_ char **explicit =
            strv_split(config_str(ctx->config, "units", "disable", "auto"));
        _cleanup_free_ char *why = units_group_in_use(ctx, item);

        if (!why)
                return false;
        if (strv_contains(explicit, item)) {
                units_in_use_json(p, item, why, false);
                plan_note(p, "%s is in use (%s), disabled as [units] disable asks", item, why);
                return false;
        }
        units_in_use_json(p, item, why, true);
        plan_note(p, "%s kept: %s", item, why);
        return true;
}
