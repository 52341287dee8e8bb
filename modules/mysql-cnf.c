/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The database server's option files as mariadbd/mysqld read them (MariaDB's mysys/my_default.c
 * and the "Configuring MariaDB with Option Files" page; MySQL 8.0 manual 6.2.2.2 "Using Option
 * Files"), checked against the real my_print_defaults and mariadbd --print-defaults
 * (tests/integration/inputs-db.sh):
 * - /etc/my.cnf, then /etc/mysql/my.cnf (Debian: a link through /etc/alternatives to
 *   mariadb.cnf or mysql.cnf, resolved inside the root by lib/chase.h; a link that leaves the
 *   root is not read);
 * - "!include FILE" and "!includedir DIR" (DIR's *.cnf in strcmp order: MariaDB's my_default.c
 *   lists DIR with my_dir(MY_WANT_SORT), sorted by mysys/my_lib.c's comp_names, a strcmp of the
 *   names; MySQL 8.0's my_default.cc calls my_dir without MY_DONT_SORT, which sorts the same,
 *   though its manual 6.2.2.2 says "MySQL makes no guarantee about the order in which option
 *   files in the directory are read"), at any place in a file and up to 10 levels deep; an
 *   included file starts outside any group, and the including file's group carries on after it;
 * - group names compare without case; an option before any group ends that file (the server
 *   says "Found option without preceding group" and reads on in the next file);
 * - "key = value", "key" alone, "# comment" after a value outside quotes, quotes removed;
 * - later wins. The option names take - or _, a "loose-" prefix, and for booleans "skip-",
 *   "disable-" and "enable-".
 * memprov's own 99-memprov.cnf is not read (the inputs are what the server does without it); an
 * option set by a file the server reads after it is marked in after_memprov. Digits sort before
 * letters, so on EL the packages' files in /etc/my.cnf.d (mariadb-server.cnf, MariaDB's own
 * server.cnf, mysql-server.cnf, client.cnf) come after 99-memprov.cnf. As shipped they set no
 * option memprov sizes (Fedora/EL's mariadb-server.cnf: datadir, socket, log-error, pid-file;
 * MariaDB's support-files/rpm/server.cnf: empty groups and comments), so memprov's values are
 * the server's; they are the files EL points admins at, so an option set there is the admin's,
 * and it wins as any admin's later file does: memprov leaves it out of its drop-in, the budget
 * counts it and the plan says why (mysql-options.c). A name sorting after them (zz-) would
 * silently override those admin values instead. An admin's value read before the drop-in (an
 * admin's file, or an edit to a package's file such as Debian's 50-server.cnf, told by dpkg's
 * conffile checksum: check_packaged) wins the same way: it is marked in admin_before.
 */
#include "../lib/chase.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "mysql.h"

/* MariaDB's max_recursion_level (mysys/my_default.c): deeper includes are an error. */
#define CNF_MAX_DEPTH 10
/* Enough for any real layering (Debian's has 9 files); a loop of includes stops here. */
#define CNF_MAX_FILES 256

struct cnf_reader {
        const struct context *ctx;
        int rootfd;
        const char *root;
        struct db_server *db;
        const char *dropin_dir; /* where 99-memprov.cnf is (or would be), no trailing slash */
        bool past_memprov;      /* the server has read memprov's drop-in by now */
        unsigned n_files;
        bool version_asked; /* for a [mysqld-X.Y] group: asked only then */
        struct mysql_conffiles conffiles;
        char datadir[256];
};

/* Whether the server reads group: 1 yes, 0 no, -1 only for one version (the caller asks
 * version_matches() at the group's first option: Debian's 50-server.cnf has an empty
 * [mariadb-10.11], and asking the version costs a spawn). */
static int group_matches(struct cnf_reader *rd, const char *group)
{
        static const char *const mariadb[] = {"mysqld",   "server",        "mariadb",
                                              "mariadbd", "client-server", "galera"};
        static const char *const versioned[] = {"mysqld-", "mariadb-", "mariadbd-"};
        bool maria = rd->db->flavor == DB_MARIADB;

        if (!strcasecmp(group, "mysqld") || !strcasecmp(group, "server"))
                return 1;
        for (size_t i = 0; maria && i < ELEMENTSOF(mariadb); i++)
                if (!strcasecmp(group, mariadb[i]))
                        return 1;
        /* [mysqld-8.0] (MySQL 8.0 manual 6.2.2.2), [mariadb-10.11] and its kind (MariaDB's
         * `mariadbd --help --verbose` lists "mysqld-10.11 mariadb-10.11 mariadbd-10.11"). */
        for (size_t i = 0; i < ELEMENTSOF(versioned); i++)
                if ((i == 0 || maria) && !strncasecmp(group, versioned[i], strlen(versioned[i])))
                        return -1;
        return 0;
}

/* A version's group, [mysqld-8.0] or [mariadb-10.11]; MariaDB 11.8 also reads the major alone
 * ("mariadb-11 ... mariadbd-11" in its --help --verbose), never "mysqld-11". */
static bool version_matches(struct cnf_reader *rd, const char *group)
{
        struct db_server *db = rd->db;
        const char *suffix = strchr(group, '-') + 1;
        char version[16];

        if (!db->version_known && !rd->version_asked) {
                rd->version_asked = true;
                mysql_ask_version(rd->ctx, db);
        }
        if (!db->version_known) {
                log_debug("[%s]: server version unknown, group not read", group);
                return false;
        }
        snprintf(version, sizeof(version), "%u.%u", db->major, db->minor);
        if (streq(suffix, version))
                return true;
        snprintf(version, sizeof(version), "%u", db->major);
        return db->flavor == DB_MARIADB && db->major >= 11 &&
               strncasecmp(group, "mysqld-", 7) != 0 && streq(suffix, version);
}

static void set_option(struct cnf_reader *rd, const char *path, unsigned line, const char *key,
                       const char *value)
{
        struct effective_value *ev;
        uint64_t n;
        int neg, o = mysql_option_lookup(key, &neg);

        if (o < 0)
                return;
        if (o == MYSQL_OPTION_DATADIR) {
                if (value && value[0] == '/' && strlen(value) < sizeof(rd->datadir))
                        snprintf(rd->datadir, sizeof(rd->datadir), "%s", value);
                return;
        }
        if (mysql_option_value(o, neg, value, &n) < 0) {
                /* The server refuses such a line; the model keeps the value before it. */
                log_warning("%s%s:%u: %s: \"%s\" is not %s", rd->root, path, line, key,
                            value ? value : "", mysql_option_expects(o));
                return;
        }
        ev = &rd->db->opt[o];
        rd->db->edited &= ~(1u << o);
        rd->db->unverified &= ~(1u << o);
        ev->value = n;
        ev->source = mysql_distro_file(path) ? SOURCE_DISTRO : SOURCE_ADMIN;
        snprintf(ev->origin, sizeof(ev->origin), "%s:%u", path, line);
        if (rd->past_memprov)
                rd->db->after_memprov |= 1u << o;
        else
                rd->db->after_memprov &= ~(1u << o);
}

/* The value after '=': blanks around it, a "# comment" outside quotes and the quotes go. */
static char *clean_value(char *v)
{
        char quote = 0, *end;

        v += strspn(v, " \t");
        for (char *p = v; *p; p++) {
                if ((*p == '\'' || *p == '"') && (!quote || quote == *p))
                        quote = quote ? 0 : *p;
                else if (*p == '#' && !quote) {
                        *p = '\0';
                        break;
                }
        }
        end = v + strlen(v);
        while (end > v && isspace((unsigned char)end[-1]))
                *--end = '\0';
        if (end - v >= 2 && (*v == '\'' || *v == '"') && end[-1] == *v) {
                end[-1] = '\0';
                v++;
        }
        return v;
}

static int read_file(struct cnf_reader *rd, const char *path, unsigned depth);

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* At the drop-in's place the server reads memprov's values over everything before: from there
 * on what a file sets is after memprov's (after_memprov). Each time, should the directory be
 * included twice. */
static void pass_dropin(struct cnf_reader *rd)
{
        rd->db->after_memprov = 0;
        rd->db->dropin_read = true;
        rd->past_memprov = true;
}

/* dir's *.cnf in strcmp order (my_dir with MY_WANT_SORT); memprov's own file in its directory
 * is skipped, its place noted. */
static int read_dir(struct cnf_reader *rd, const char *dir, unsigned depth)
{
        _cleanup_(closedirp) DIR *d = NULL;
        char **names = NULL;
        size_t n = 0, len = strlen(dir);
        bool ours, passed = false;
        struct dirent *de;
        int r;

        while (len > 1 && dir[len - 1] == '/')
                len--;
        ours =
            rd->dropin_dir && strlen(rd->dropin_dir) == len && !strncmp(dir, rd->dropin_dir, len);
        r = chase_opendir(rd->rootfd, dir, &d);
        if (r == -ENOENT)
                return r; /* the server skips a missing directory silently */
        if (r < 0)
                return log_warning("%s%s: not read: %s", rd->root, dir, chase_strerror(r)), r;
        while ((de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (l > 4 && streq(de->d_name + l - 4, ".cnf") && n < CNF_MAX_FILES) {
                        names = xrealloc(names, (n + 1) * sizeof(*names));
                        names[n++] = xstrdup(de->d_name);
                }
        }
        if (n)
                qsort(names, n, sizeof(*names), compare_names);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *path = xasprintf("%.*s/%s", (int)len, dir, names[i]);
                if (ours && !passed && strcmp(names[i], MYSQL_DROPIN) >= 0)
                        pass_dropin(rd), passed = true;
                if (!(ours && streq(names[i], MYSQL_DROPIN)))
                        read_file(rd, path, depth + 1);
                free(names[i]);
        }
        free(names);
        if (ours && !passed)
                pass_dropin(rd); /* every file sorted before it: the drop-in is last */
        return 0;
}

static void directive(struct cnf_reader *rd, const char *path, unsigned line, char *s,
                      unsigned depth)
{
        const char *arg;
        bool dir;

        if (startswith(s, "!includedir") && isspace((unsigned char)s[strlen("!includedir")]))
                dir = true, arg = s + strlen("!includedir");
        else if (startswith(s, "!include") && isspace((unsigned char)s[strlen("!include")]))
                dir = false, arg = s + strlen("!include");
        else {
                log_warning("%s%s:%u: unknown directive, ignored (the server knows !include and "
                            "!includedir)",
                            rd->root, path, line);
                return;
        }
        arg = clean_value((char *)arg);
        if (arg[0] != '/') {
                log_warning("%s%s:%u: %s: not an absolute path, not followed", rd->root, path, line,
                            arg);
                return;
        }
        if (depth + 1 > CNF_MAX_DEPTH) {
                log_warning("%s%s:%u: includes nested more than %d deep, not followed", rd->root,
                            path, line, CNF_MAX_DEPTH);
                return;
        }
        if (dir)
                read_dir(rd, arg, depth);
        else
                read_file(rd, arg, depth + 1);
}

/* A package's file holds the distribution's values only as the package installed it: the
 * options whose value is still this file's become the admin's when dpkg's checksum differs
 * (an edit; issue 18: the admin's word wins) or when dpkg records none to compare (EL, a file
 * no package owns here): the packages memprov knows ship no sized option in these files
 * (mysql-conffile.c), so a value there without dpkg's word that it is shipped was written by
 * someone. Asked only when such a file sets an option memprov sizes. */
static void check_packaged(struct cnf_reader *rd, const char *path)
{
        struct db_server *db = rd->db;
        size_t len = strlen(path);
        unsigned mask = 0;
        int r;

        if (!mysql_distro_file(path))
                return;
        for (int o = 0; o < _DB_OPT_MAX; o++)
                if (db->opt[o].source == SOURCE_DISTRO && !strncmp(db->opt[o].origin, path, len) &&
                    db->opt[o].origin[len] == ':')
                        mask |= 1u << o;
        if (!mask)
                return;
        r = mysql_conffile_changed(rd->ctx, &rd->conffiles, path);
        if (r == 0)
                return;
        for (int o = 0; o < _DB_OPT_MAX; o++)
                if (mask & (1u << o))
                        db->opt[o].source = SOURCE_ADMIN;
        if (r > 0)
                db->edited |= mask;
        else
                db->unverified |= mask;
}

static int parse_text(struct cnf_reader *rd, const char *path, char *text, unsigned depth)
{
        char *line, *save = NULL;
        bool grouped = false;
        int matched = 0;
        char group[64];
        unsigned n = 0;

        /* strtok would merge empty lines and the line numbers would drift: split by hand. */
        for (line = text; line; line = save) {
                char *s, *eq;
                save = strchr(line, '\n');
                if (save)
                        *save++ = '\0';
                n++;
                s = line + strspn(line, " \t\r");
                s[strcspn(s, "\r")] = '\0';
                if (!*s || *s == '#' || *s == ';')
                        continue;
                if (*s == '!') {
                        directive(rd, path, n, s, depth);
                        continue;
                }
                if (*s == '[') {
                        char *end = strchr(s, ']');
                        if (!end) {
                                log_warning("%s%s:%u: a group without its ]: the server stops "
                                            "reading this file here",
                                            rd->root, path, n);
                                return -EINVAL;
                        }
                        *end = '\0';
                        s = clean_value(s + 1);
                        grouped = true;
                        matched = group_matches(rd, s);
                        snprintf(group, sizeof(group), "%s", s);
                        continue;
                }
                if (!grouped) {
                        log_warning("%s%s:%u: an option before any [group]: the server stops "
                                    "reading this file here",
                                    rd->root, path, n);
                        return -EINVAL;
                }
                if (matched < 0)
                        matched = version_matches(rd, group);
                if (!matched)
                        continue;
                eq = strchr(s, '=');
                if (eq)
                        *eq = '\0';
                set_option(rd, path, n, clean_value(s), eq ? clean_value(eq + 1) : NULL);
        }
        return 0;
}

static int read_file(struct cnf_reader *rd, const char *path, unsigned depth)
{
        _cleanup_free_ char *text = NULL;
        int r;

        if (++rd->n_files > CNF_MAX_FILES)
                return log_warning("%s%s: more than %d option files, not read", rd->root, path,
                                   CNF_MAX_FILES);
        r = chase_read_file(rd->rootfd, path, &text, NULL);
        if (r == -ENOENT)
                return r;
        if (r < 0)
                return log_warning("%s%s: not read: %s", rd->root, path, chase_strerror(r)), r;
        r = parse_text(rd, path, text, depth);
        check_packaged(rd, path); /* what the server read up to a line that ended the file */
        return r;
}

int mysql_read_options(const struct context *ctx, struct db_server *db, char datadir[static 256])
{
        /* The files mariadbd and mysqld read by default on Debian and EL (`mariadbd --help`:
         * "/etc/my.cnf /etc/mysql/my.cnf ~/.my.cnf"); the server's ~/.my.cnf is left out (the
         * mysql user's home is /nonexistent on Debian). */
        static const char *const files[] = {"/etc/my.cnf", "/etc/mysql/my.cnf"};
        struct cnf_reader rd = {
            .ctx = ctx,
            .rootfd = ctx->rootfd,
            .root = ctx->root,
            .db = db,
            .dropin_dir = db->dropin_dir,
        };

        for (int o = 0; o < _DB_OPT_MAX; o++)
                db->opt[o] = (struct effective_value){0};
        db->after_memprov = db->admin_before = db->edited = db->unverified = 0;
        db->dropin_read = false;
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                read_file(&rd, files[i], 0);
        free(rd.conffiles.text);
        /* Debian's and EL's default datadir (the servers' compiled-in one on both). */
        snprintf(datadir, 256, "%s", rd.datadir[0] ? rd.datadir : "/var/lib/mysql");
        mysql_read_persisted(ctx, db, datadir); /* MySQL 8's SET PERSIST, read last */
        for (int o = 0; o < _DB_OPT_MAX; o++)
                if (db->opt[o].source == SOURCE_ADMIN && !(db->after_memprov & (1u << o)))
                        db->admin_before |= 1u << o;
        mysql_fill_defaults(db);
        return 0;
}
