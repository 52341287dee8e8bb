/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which sites send their PHP to which PHP-FPM socket through fcgi://localhost (issue 23), so that
 * Apache's back-pressure can cap each site on its own worker (apache-proxy.c) instead of all of
 * them on the one fcgi://localhost every Debian and EL handler resolves to.
 *
 * httpd offers no library that reads its configuration outside the server, so this reads the
 * little it needs the way httpd's own reader does (server/util.c: ap_cfg_getline() joins a line
 * ending in a backslash with the next and trims it, a line starting with '#' is a comment;
 * ap_getword_conf() takes a word "quoted" or 'quoted' with backslash escapes, or up to white
 * space; directive and section names are case-insensitive):
 * - the files httpd includes with a wildcard, in its order (ap_process_fnmatch_configs() sorts
 *   the matches with strcmp): Debian's apache2.conf includes the *.conf files of conf-enabled,
 *   then of sites-enabled (IncludeOptional), EL's httpd.conf those of conf.d;
 * - per <VirtualHost>: its DocumentRoot and a SetHandler "proxy:unix:SOCKET|fcgi://localhost";
 *   outside one, the server's SetHandler (Debian's conf-enabled/php8.2-fpm.conf, EL's
 *   conf.d/php.conf), which every vhost without its own handler inherits.
 * What is not read is not capped (its requests reach the socket as before, queued in PHP-FPM's
 * backlog): an Include inside a site file, a DocumentRoot or socket with a ${VARIABLE}, <If>
 * and <IfModule> conditions (taken as true, as on every distribution's default), and a handler
 * naming another host than localhost.
 */
#include <strings.h>

#include "../lib/chase.h"
#include "../lib/log.h"
#include "apache.h"

#define HANDLER_PREFIX "proxy:unix:"
#define HANDLER_WORKER "|fcgi://localhost"
#define WORD_MAX       512

struct sites_reader {
        struct web_server *w;
        bool in_vhost;
        bool other_proxy; /* the vhost's PHP goes to another proxy handler: not capped */
        char docroot[WORD_MAX], socket[WORD_MAX]; /* the vhost's */
        char server_socket[WORD_MAX];             /* the server's handler, "" none */
        bool server_sockets_differ;               /* two server handlers: which one applies? */
};

/* ap_getword_conf(): the next word from *p into buf ("" at the end of the line). */
static void next_word(const char **p, char buf[static WORD_MAX])
{
        size_t n = 0;
        char quote = 0;

        *p += strspn(*p, " \t");
        if (**p == '"' || **p == '\'')
                quote = *(*p)++;
        for (; **p && (quote ? **p != quote : !strchr(" \t", **p)); (*p)++) {
                if (quote && **p == '\\' && (*p)[1] == quote)
                        (*p)++;
                if (n < WORD_MAX - 1)
                        buf[n++] = **p;
        }
        if (quote && **p)
                (*p)++;
        buf[n] = '\0';
}

/* "proxy:unix:SOCKET|fcgi://localhost[/...]": the socket into ret, else -EINVAL. */
static int handler_socket(const char *handler, char ret[static WORD_MAX])
{
        const char *bar;

        if (strncasecmp(handler, HANDLER_PREFIX, strlen(HANDLER_PREFIX)) != 0)
                return -EINVAL;
        handler += strlen(HANDLER_PREFIX);
        bar = strchr(handler, '|');
        if (!bar || bar == handler ||
            strncasecmp(bar, HANDLER_WORKER, strlen(HANDLER_WORKER)) != 0 ||
            !strchr("/", bar[strlen(HANDLER_WORKER)]))
                return -EINVAL;
        snprintf(ret, WORD_MAX, "%.*s", (int)(bar - handler), handler);
        return 0;
}

static bool usable(const char *s, size_t size)
{
        return s[0] == '/' && strlen(s) < size && !strpbrk(s, "$\"' \t\\") && strcmp(s, "/") != 0;
}

/* </VirtualHost>: the site, once per DocumentRoot (the first vhost naming it wins its socket). */
static void vhost_done(struct sites_reader *r)
{
        struct web_server *w = r->w;
        struct apache_site *s;
        size_t len = strlen(r->docroot);

        while (len > 1 && r->docroot[len - 1] == '/')
                r->docroot[--len] = '\0';
        if (r->other_proxy || !usable(r->docroot, sizeof(s->docroot)) ||
            (r->socket[0] && !usable(r->socket, sizeof(s->socket))))
                return;
        for (size_t i = 0; i < w->n_sites; i++)
                if (streq(w->sites[i].docroot, r->docroot))
                        return;
        if (w->n_sites == APACHE_MAX_SITES)
                return;
        s = &w->sites[w->n_sites++];
        snprintf(s->docroot, sizeof(s->docroot), "%.*s", (int)sizeof(s->docroot) - 1, r->docroot);
        snprintf(s->socket, sizeof(s->socket), "%.*s", (int)sizeof(s->socket) - 1,
                 r->socket); /* "": the server's (usable() checked the length) */
}

static void line(struct sites_reader *r, const char *p)
{
        char word[WORD_MAX], arg[WORD_MAX], socket[WORD_MAX];

        next_word(&p, word);
        if (strncasecmp(word, "<VirtualHost", strlen("<VirtualHost")) == 0) {
                r->in_vhost = true;
                r->docroot[0] = r->socket[0] = '\0';
                r->other_proxy = false;
                return;
        }
        if (strncasecmp(word, "</VirtualHost", strlen("</VirtualHost")) == 0) {
                if (r->in_vhost)
                        vhost_done(r);
                r->in_vhost = false;
                return;
        }
        next_word(&p, arg);
        if (strcasecmp(word, "DocumentRoot") == 0 && r->in_vhost)
                snprintf(r->docroot, sizeof(r->docroot), "%s", arg);
        else if (strcasecmp(word, "SetHandler") != 0)
                return;
        else if (handler_socket(arg, socket) < 0)
                r->other_proxy |= r->in_vhost && strncasecmp(arg, "proxy:", 6) == 0;
        else if (r->in_vhost)
                snprintf(r->socket, sizeof(r->socket), "%s", socket);
        else if (!r->server_socket[0])
                snprintf(r->server_socket, sizeof(r->server_socket), "%s", socket);
        else if (!streq(r->server_socket, socket))
                r->server_sockets_differ = true;
}

/* ap_cfg_getline(): logical lines, a trailing backslash joining the next. */
static void read_text(struct sites_reader *r, char *text)
{
        _cleanup_free_ char *joined = xstrdup("");

        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l;
             l = strtok_r(NULL, "\n", &save)) {
                size_t n = strlen(l);
                char *all;

                while (n > 0 && strchr(" \t\r", l[n - 1]))
                        l[--n] = '\0';
                all = xasprintf("%s%s", joined, l);
                free(joined);
                joined = all;
                if (n > 0 && l[n - 1] == '\\') {
                        joined[strlen(joined) - 1] = '\0';
                        continue;
                }
                if (joined[strspn(joined, " \t")] != '#')
                        line(r, joined);
                joined[0] = '\0';
        }
}

void apache_sites_read(int rootfd, struct web_server *w)
{
        static const char *const debian[] = {"/etc/apache2/conf-enabled",
                                             "/etc/apache2/sites-enabled", NULL};
        static const char *const el[] = {"/etc/httpd/conf.d", NULL};
        _cleanup_free_ struct sites_reader *r = xcalloc(1, sizeof(*r));

        r->w = w;
        w->n_sites = 0;
        for (const char *const *dir = w->debian ? debian : el; *dir; dir++) {
                _cleanup_(names_freep) char **names = NULL;
                int k = chase_list_dir(rootfd, *dir, ".conf", &names);

                if (k < 0) {
                        if (k != -ENOENT)
                                log_warning("%s: %s; its sites are not read", *dir,
                                            chase_strerror(k));
                        continue;
                }
                for (size_t i = 0; names[i]; i++) {
                        _cleanup_free_ char *path = xasprintf("%s/%s", *dir, names[i]);
                        _cleanup_free_ char *text = NULL;

                        k = chase_read_file(rootfd, path, &text, NULL);
                        if (k == -ENOENT)
                                continue; /* a dangling link: httpd's IncludeOptional skips it */
                        if (k < 0) {
                                log_warning("%s: %s; its sites are not read", path,
                                            chase_strerror(k));
                                continue;
                        }
                        r->in_vhost = false;
                        read_text(r, text);
                }
        }
        /* A vhost without its own handler takes the server's; with none (or two that differ),
         * it sends no PHP to a known socket. */
        for (size_t i = 0; i < w->n_sites;) {
                struct apache_site *s = &w->sites[i];

                if (!s->socket[0] && r->server_socket[0] && !r->server_sockets_differ &&
                    usable(r->server_socket, sizeof(s->socket)))
                        snprintf(s->socket, sizeof(s->socket), "%.*s", (int)sizeof(s->socket) - 1,
                                 r->server_socket);
                if (s->socket[0])
                        i++;
                else
                        memmove(s, s + 1, (--w->n_sites - i) * sizeof(*s));
        }
}
