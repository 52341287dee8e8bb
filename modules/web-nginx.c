/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nginx: installed (the binary and /etc/nginx/nginx.conf), Debian's layout (sites-enabled) or
 * EL's (conf.d only), enabled, and what its workers are. nginx's configuration is neither ini nor
 * anything a Debian C library parses: a small tokenizer reads the grammar nginx's own
 * (ngx_conf_file.c) does for what matters here: words, "quoted" and 'quoted' strings with
 * backslash escapes, '#' comments, statements ending in ';', blocks in '{' '}'.
 */
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

struct conf_parser {
        const char *p, *path;
        unsigned line;
        /* The statement being read: its first two words and the line it starts on. */
        char words[2][64];
        size_t n_words;
        bool word_too_long;
        unsigned stmt_line;
        char blocks[MAX_DEPTH][16]; /* the enclosing blocks' names ("" for one too long) */
        size_t depth;
};

/* The next word into buf (cut words are marked too long), or the punctuation in *ret_punct.
 * 0 at the end, 1 for a token, -EINVAL for an unterminated quote. */
static int next_token(struct conf_parser *c, char buf[static 64], char *ret_punct)
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
                        if (n < 63)
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
                        if (n < 63)
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

static void statement(struct conf_parser *c, unsigned vcpus, struct nginx_server *ret)
{
        uint64_t v;

        if (c->n_words != 2 || c->word_too_long)
                return;
        if (c->depth == 0 && streq(c->words[0], "worker_processes")) {
                ret->worker_processes_auto = streq(c->words[1], "auto");
                if (ret->worker_processes_auto)
                        v = vcpus;
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

void nginx_parse_conf(const char *text, const char *path, unsigned vcpus, struct nginx_server *ret)
{
        struct conf_parser c = {.p = text, .path = path, .line = 1};
        const char *why = NULL;
        char word[64], punct;
        int r;

        effective_set(&ret->workers, NGINX_DEFAULT_WORKERS, SOURCE_DEFAULT, NULL, 0);
        effective_set(&ret->worker_connections, NGINX_DEFAULT_CONNECTIONS, SOURCE_DEFAULT, NULL, 0);
        ret->worker_processes_auto = false;
        while (!why && (r = next_token(&c, word, &punct)) > 0) {
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
                        statement(&c, vcpus, ret);
                else if (punct == '{') {
                        if (c.depth == MAX_DEPTH)
                                why = "blocks nested too deep";
                        else
                                snprintf(c.blocks[c.depth++], sizeof(c.blocks[0]), "%s",
                                         c.n_words > 0 && strlen(c.words[0]) < sizeof(c.blocks[0])
                                             ? c.words[0]
                                             : "");
                } else if (c.n_words > 0 || c.depth == 0)
                        why = "unexpected \"}\"";
                else
                        c.depth--;
                c.n_words = 0;
        }
        if (!why && r < 0)
                why = "a quoted string without its closing quote";
        else if (!why && (c.n_words > 0 || c.depth > 0))
                why = "unexpected end of file (a missing \";\" or \"}\")";
        if (why) {
                log_warning("%s:%u: %s; nginx's workers are unknown", path, c.line, why);
                ret->workers = ret->worker_connections = (struct effective_value){0};
                ret->worker_processes_auto = false;
        }
        ret->worker_processes = (unsigned)ret->workers.value;
}

/* `systemctl enable nginx` links multi-user.target.wants/nginx.service (WantedBy= of Debian's
 * and EL's nginx.service); `systemctl mask` links nginx.service to /dev/null. */
static bool nginx_enabled(int rootfd)
{
        struct stat st;
        char target[16];
        _cleanup_close_ int dirfd = -1;
        const char *name;
        ssize_t n;

        if (root_open_parent(rootfd, "/etc/systemd/system/nginx.service", false, &dirfd, &name) ==
            0) {
                n = readlinkat(dirfd, name, target, sizeof(target) - 1);
                if (n > 0 && (target[n] = '\0', streq(target, "/dev/null")))
                        return false;
        }
        return root_lstat(rootfd, "/etc/systemd/system/multi-user.target.wants/nginx.service",
                          &st) == 0;
}

int nginx_detect(const struct context *ctx, struct services *services)
{
        struct nginx_server *ret = &services->nginx;
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
        ret->enabled = nginx_enabled(ctx->rootfd);
        if (r < 0) {
                log_warning("%s: %s; nginx's workers are unknown", NGINX_CONF, chase_strerror(r));
                return 0;
        }
        nginx_parse_conf(text, NGINX_CONF, ctx->facts->vcpus, ret);
        return 0;
}
