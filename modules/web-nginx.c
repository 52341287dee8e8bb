/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nginx: installed (the binary and /etc/nginx/nginx.conf), Debian's layout (sites-enabled) or
 * EL's (conf.d only), enabled, and what its workers are. nginx's configuration is neither ini nor
 * anything a Debian C library parses: a small tokenizer reads the grammar nginx's own
 * (ngx_conf_file.c) does for what matters here: words, "quoted" and 'quoted' strings with
 * backslash escapes, '#' comments, statements ending in ';', blocks in '{' '}'. `include` is
 * followed as nginx does (a path relative to /etc/nginx, a glob in its last component, matches in
 * glob(3)'s order, read in the context of the include), for where fastcgi_pass sends requests:
 * the PHP-FPM pools nginx uses (issue 23).
 */
#include <fnmatch.h>
#include <sys/stat.h>

#include "../lib/chase.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/phpini.h"
#include "web.h"

#define NGINX_CONF "/etc/nginx/nginx.conf"
/* nginx.org, ngx_core_module: "Default: worker_processes 1;"; ngx_event_core_module:
 * "Default: worker_connections 512;". Debian's nginx.conf (nginx-common 1.22.1) sets auto and
 * 768. */
#define NGINX_DEFAULT_WORKERS     1
#define NGINX_DEFAULT_CONNECTIONS 512
#define MAX_DEPTH                 16
#define NGINX_PREFIX              "/etc/nginx"
/* nginx itself has no limit (an include cycle never ends); these only stop a hostile root. */
#define MAX_FILES         256
#define MAX_INCLUDE_DEPTH 8
#define MAX_UPSTREAM      32
#define WORD_MAX          128

/* One reading of nginx.conf and every file it includes. */
struct conf_walk {
        int rootfd; /* -1: includes are not followed (nginx_parse_conf) */
        unsigned vcpus, files;
        struct nginx_server *ret;
        bool failed;     /* a file could not be parsed: what nginx runs with is unknown */
        bool incomplete; /* an included file is missing (nginx would not start): its passes */
        char passes[NGINX_MAX_FASTCGI][WORD_MAX]; /* fastcgi_pass arguments as written */
        size_t n_passes;
        struct {
                char upstream[64], server[WORD_MAX];
        } servers[MAX_UPSTREAM]; /* upstream NAME { server ADDRESS; } */
        size_t n_servers;
};

struct conf_parser {
        struct conf_walk *walk;
        const char *p, *path;
        unsigned line, include_depth;
        /* The statement being read: its first two words and the line it starts on. */
        char words[2][WORD_MAX];
        size_t n_words;
        bool word_too_long;
        unsigned stmt_line;
        char blocks[MAX_DEPTH][16]; /* the enclosing blocks' names ("" for one too long) */
        size_t depth;
        char upstream[64]; /* the upstream block's name, while blocks[depth - 1] is "upstream" */
};

/* The next word into buf (cut words are marked too long), or the punctuation in *ret_punct.
 * 0 at the end, 1 for a token, -EINVAL for an unterminated quote. */
static int next_token(struct conf_parser *c, char buf[static WORD_MAX], char *ret_punct)
{
        size_t n = 0;

        *ret_punct = 0;
        for (;;) {
                while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')
                        c->line += *c->p++ == '\n';
                if (*c->p != '#')
                        break;
                while (*c->p && *c->p != '\n')
                        c->p++;
        }
        if (!*c->p)
                return 0;
        if (strchr(";{}", *c->p)) {
                *ret_punct = *c->p++;
                return 1;
        }
        if (*c->p == '"' || *c->p == '\'') {
                char quote = *c->p++;
                for (; *c->p && *c->p != quote; c->p++) {
                        if (*c->p == '\\' && c->p[1])
                                c->p++;
                        c->line += *c->p == '\n';
                        if (n < WORD_MAX - 1)
                                buf[n++] = *c->p;
                        else
                                c->word_too_long = true;
                }
                if (!*c->p)
                        return -EINVAL;
                c->p++;
        } else
                for (; *c->p && !strchr(" \t\r\n;{}#", *c->p); c->p++) {
                        if (*c->p == '\\' && c->p[1])
                                c->p++;
                        if (n < WORD_MAX - 1)
                                buf[n++] = *c->p;
                        else
                                c->word_too_long = true;
                }
        buf[n] = '\0';
        return 1;
}

static int parse_count(const char *s, uint64_t *ret)
{
        return isdigit_str(s) && strlen(s) < 10 ? (*ret = strtoull(s, NULL, 10), 0) : -EINVAL;
}

static void parse_text(struct conf_walk *w, const char *text, const char *path,
                       const struct conf_parser *outer);

/* One fastcgi target, "unix:" dropped from a socket path, once. */
static void add_target(struct nginx_server *ret, const char *target)
{
        if (startswith(target, "unix:"))
                target += strlen("unix:");
        for (size_t i = 0; i < ret->n_fastcgi; i++)
                if (streq(ret->fastcgi[i], target))
                        return;
        if (ret->n_fastcgi == NGINX_MAX_FASTCGI || strlen(target) >= sizeof(ret->fastcgi[0])) {
                ret->fastcgi_known = false;
                return;
        }
        snprintf(ret->fastcgi[ret->n_fastcgi++], sizeof(ret->fastcgi[0]), "%s", target);
}

static bool in_block(const struct conf_parser *c, const char *name)
{
        return c->depth > 0 && streq(c->blocks[c->depth - 1], name);
}

/* include PATH: PATH relative to nginx's prefix, a glob in its last component only (every
 * distribution's nginx.conf and site uses DIR/PATTERN), each match read in the context of
 * the include statement. A file that cannot be read stops nginx (`nginx -t` fails): the other
 * files are still read for the workers, but where fastcgi_pass sends requests becomes unknown. */
static void include(struct conf_parser *c, const char *arg)
{
        struct conf_walk *w = c->walk;
        _cleanup_free_ char *path =
            arg[0] == '/' ? xstrdup(arg) : xasprintf(NGINX_PREFIX "/%s", arg);
        _cleanup_(names_freep) char **names = NULL;
        char *slash = strrchr(path, '/');
        int r;

        if (w->rootfd < 0)
                return;
        if (c->include_depth >= MAX_INCLUDE_DEPTH || w->files >= MAX_FILES) {
                log_warning("%s:%u: include %s: includes nested too deep or too many files",
                            c->path, c->stmt_line, arg);
                w->failed = true;
                return;
        }
        if (strpbrk(slash, "*?[")) {
                *slash = '\0';
                r = chase_list_dir(w->rootfd, path[0] ? path : "/", "", &names);
                if (r == -ENOENT)
                        return; /* glob(3) with no match: nginx reads nothing */
                if (r < 0) {
                        log_warning("%s:%u: include %s: %s", c->path, c->stmt_line, arg,
                                    chase_strerror(r));
                        w->failed = true;
                        return;
                }
        }
        for (size_t i = 0; names ? names[i] != NULL : i == 0; i++) {
                _cleanup_free_ char *file =
                    names ? xasprintf("%s/%s", path, names[i]) : xstrdup(path);
                _cleanup_free_ char *text = NULL;
                struct conf_parser inner = *c;

                if (names && fnmatch(slash + 1, names[i], FNM_PERIOD) != 0)
                        continue;
                w->files++;
                r = chase_read_file(w->rootfd, file, &text, NULL);
                if (r < 0) {
                        log_warning("%s:%u: include %s: %s", c->path, c->stmt_line, file,
                                    chase_strerror(r));
                        w->incomplete = true;
                        continue;
                }
                inner.include_depth++;
                parse_text(w, text, file, &inner);
        }
}

static void statement(struct conf_parser *c)
{
        struct conf_walk *w = c->walk;
        struct nginx_server *ret = w->ret;
        uint64_t v;

        if (c->n_words < 2 || c->word_too_long)
                return;
        if (streq(c->words[0], "include") && c->n_words == 2) {
                /* Debian's and EL's nginx.conf include conf.d's *.conf files in http. */
                if (c->depth == 1 && streq(c->blocks[0], "http") &&
                    (streq(c->words[1], NGINX_PREFIX "/conf.d/*.conf") ||
                     streq(c->words[1], "conf.d/*.conf")))
                        ret->conf_d_in_http = true;
                include(c, c->words[1]);
        } else if (streq(c->words[0], "fastcgi_pass") && c->n_words == 2) {
                if (w->n_passes < NGINX_MAX_FASTCGI)
                        snprintf(w->passes[w->n_passes++], WORD_MAX, "%s", c->words[1]);
                else
                        w->failed = true;
        } else if (in_block(c, "upstream") && streq(c->words[0], "server")) {
                if (w->n_servers < MAX_UPSTREAM) {
                        snprintf(w->servers[w->n_servers].upstream, 64, "%s", c->upstream);
                        snprintf(w->servers[w->n_servers++].server, WORD_MAX, "%s", c->words[1]);
                } else
                        w->failed = true;
        } else if (c->n_words != 2)
                return;
        else if (c->depth == 0 && streq(c->words[0], "worker_processes")) {
                ret->worker_processes_auto = streq(c->words[1], "auto");
                if (ret->worker_processes_auto)
                        v = w->vcpus;
                else if (parse_count(c->words[1], &v) < 0 || v == 0) {
                        log_warning("%s:%u: worker_processes %s: not a count or auto; unknown",
                                    c->path, c->stmt_line, c->words[1]);
                        ret->workers = (struct effective_value){0};
                        return;
                }
                effective_set(&ret->workers, v, SOURCE_DISTRO, c->path, c->stmt_line);
        } else if (c->depth == 1 && streq(c->blocks[0], "events") &&
                   streq(c->words[0], "worker_connections") && parse_count(c->words[1], &v) == 0)
                effective_set(&ret->worker_connections, v, SOURCE_DISTRO, c->path, c->stmt_line);
}

/* One file's text, inside the blocks of outer (NULL: the main context). An included file must
 * leave its blocks balanced, as nginx requires. */
static void parse_text(struct conf_walk *w, const char *text, const char *path,
                       const struct conf_parser *outer)
{
        struct conf_parser c = {.walk = w};
        const char *why = NULL;
        char word[WORD_MAX], punct;
        size_t base;
        int r;

        if (outer)
                c = *outer;
        c.p = text;
        c.path = path;
        c.line = 1;
        c.n_words = 0;
        base = c.depth;
        while (!why && !w->failed && (r = next_token(&c, word, &punct)) > 0) {
                if (!punct) {
                        if (c.n_words == 0) {
                                c.stmt_line = c.line;
                                c.word_too_long = false;
                        }
                        if (c.n_words < 2)
                                memcpy(c.words[c.n_words], word, sizeof(word));
                        c.n_words++;
                        continue;
                }
                if (punct == ';')
                        statement(&c);
                else if (punct == '{') {
                        if (c.depth == MAX_DEPTH)
                                why = "blocks nested too deep";
                        else
                                snprintf(c.blocks[c.depth++], sizeof(c.blocks[0]), "%s",
                                         c.n_words > 0 && strlen(c.words[0]) < sizeof(c.blocks[0])
                                             ? c.words[0]
                                             : "");
                        /* A name too long for memprov's buffer matches no fastcgi_pass. */
                        if (!why && in_block(&c, "upstream"))
                                snprintf(c.upstream, sizeof(c.upstream), "%.*s",
                                         (int)sizeof(c.upstream) - 1,
                                         c.n_words > 1 ? c.words[1] : "");
                } else if (c.n_words > 0 || c.depth == base)
                        why = "unexpected \"}\"";
                else
                        c.depth--;
                c.n_words = 0;
        }
        if (!why && !w->failed && r < 0)
                why = "a quoted string without its closing quote";
        else if (!why && !w->failed && (c.n_words > 0 || c.depth > base))
                why = "unexpected end of file (a missing \";\" or \"}\")";
        if (why) {
                log_warning("%s:%u: %s; nginx's workers and PHP-FPM pools are unknown", path,
                            c.line, why);
                w->failed = true;
        }
}

/* fastcgi_pass targets: unix:PATH, an upstream's servers, or HOST:PORT as written. A variable
 * ($fpm) is decided per request: unknown. */
static void resolve_passes(struct conf_walk *w)
{
        struct nginx_server *ret = w->ret;

        ret->n_fastcgi = 0;
        ret->fastcgi_known = !w->failed && !w->incomplete;
        for (size_t i = 0; i < w->n_passes && ret->fastcgi_known; i++) {
                const char *t = w->passes[i];
                size_t matched = 0;

                if (strchr(t, '$')) {
                        ret->fastcgi_known = false;
                        break;
                }
                for (size_t k = 0; k < w->n_servers; k++)
                        if (streq(w->servers[k].upstream, t)) {
                                add_target(ret, w->servers[k].server);
                                matched++;
                        }
                if (!matched)
                        add_target(ret, t);
        }
        if (!ret->fastcgi_known)
                ret->n_fastcgi = 0;
}

static void walk_conf(struct conf_walk *w, const char *text, const char *path)
{
        struct nginx_server *ret = w->ret;

        effective_set(&ret->workers, NGINX_DEFAULT_WORKERS, SOURCE_DEFAULT, NULL, 0);
        effective_set(&ret->worker_connections, NGINX_DEFAULT_CONNECTIONS, SOURCE_DEFAULT, NULL, 0);
        ret->worker_processes_auto = false;
        ret->conf_d_in_http = false;
        parse_text(w, text, path, NULL);
        if (w->failed) {
                ret->workers = ret->worker_connections = (struct effective_value){0};
                ret->worker_processes_auto = false;
        }
        ret->worker_processes = (unsigned)ret->workers.value;
        resolve_passes(w);
}

void nginx_parse_conf(const char *text, const char *path, unsigned vcpus, struct nginx_server *ret)
{
        _cleanup_free_ struct conf_walk *w = xcalloc(1, sizeof(*w));

        *w = (struct conf_walk){.rootfd = -1, .vcpus = vcpus, .ret = ret};
        walk_conf(w, text, path);
}

int nginx_detect(const struct context *ctx, struct services *services)
{
        struct nginx_server *ret = &services->nginx;
        _cleanup_free_ struct conf_walk *w = NULL;
        _cleanup_free_ char *text = NULL;
        struct stat st;
        int r;

        *ret = (struct nginx_server){0};
        if (root_lstat(ctx->rootfd, "/usr/sbin/nginx", &st) < 0)
                return 0;
        r = chase_read_file(ctx->rootfd, NGINX_CONF, &text, NULL);
        if (r == -ENOENT)
                return 0; /* the binary alone (a removed, not purged, nginx-common) does not run */
        ret->installed = true;
        ret->debian = root_lstat(ctx->rootfd, "/etc/nginx/sites-enabled", &st) == 0;
        if (r < 0) {
                log_warning("%s: %s; nginx's workers are unknown", NGINX_CONF, chase_strerror(r));
                return 0;
        }
        w = xcalloc(1, sizeof(*w));
        *w = (struct conf_walk){.rootfd = ctx->rootfd, .vcpus = ctx->facts->vcpus, .ret = ret};
        walk_conf(w, text, NGINX_CONF);
        return 0;
}
