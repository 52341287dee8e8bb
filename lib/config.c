/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <sys/stat.h>

#include "config-internal.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "size.h"
#include "util.h"

void config_done(struct config *c)
{
        for (size_t i = 0; i < c->n_settings; i++)
                free(c->settings[i].section); /* one block: see setting_fill() */
        free(c->settings);
        free(c->index);
        *c = (struct config){0};
}

/* FNV-1a over section, a NUL, key. */
static size_t setting_hash(const char *section, const char *key)
{
        uint64_t h = 14695981039346656037ULL;

        for (const char *p = section;; p++) {
                h = (h ^ (unsigned char)*p) * 1099511628211ULL;
                if (!*p)
                        break;
        }
        for (const char *p = key; *p; p++)
                h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        return (size_t)h;
}

/* The index slot that holds (section, key), or the free slot where it belongs. */
static size_t *index_slot(const struct config *c, const char *section, const char *key)
{
        size_t mask = c->index_size - 1, i = setting_hash(section, key) & mask;

        for (;; i = (i + 1) & mask) {
                size_t *slot = &c->index[i];
                const struct setting *s = *slot ? &c->settings[*slot - 1] : NULL;
                if (!s || (streq(s->section, section) && streq(s->key, key)))
                        return slot;
        }
}

static void index_grow(struct config *c)
{
        free(c->index);
        c->index_size = c->index_size ? c->index_size * 2 : 64;
        c->index = xmalloc(c->index_size * sizeof(*c->index));
        memset(c->index, 0, c->index_size * sizeof(*c->index));
        for (size_t i = 0; i < c->n_settings; i++)
                *index_slot(c, c->settings[i].section, c->settings[i].key) = i + 1;
}

static struct setting *find(const struct config *c, const char *section, const char *key)
{
        size_t *slot = c->index_size ? index_slot(c, section, key) : NULL;

        return slot && *slot ? &c->settings[*slot - 1] : NULL;
}

/* A setting's four strings in one allocation, section first (freed through s->section): ~550
 * shipped settings cost one malloc and one free each, not four (callgrind, make bench's profile).
 * The strings may point into the block being replaced. */
static void setting_fill(struct setting *s, const char *section, const char *key, const char *value,
                         const char *origin)
{
        size_t ls = strlen(section) + 1, lk = strlen(key) + 1, lv = strlen(value) + 1,
               lo = strlen(origin) + 1;
        char *block = xmalloc(ls + lk + lv + lo), *old = s->section;

        s->section = memcpy(block, section, ls);
        s->key = memcpy(block + ls, key, lk);
        s->value = memcpy(block + ls + lk, value, lv);
        s->origin = memcpy(block + ls + lk + lv, origin, lo);
        free(old);
}

void config_set(struct config *c, const char *section, const char *key, const char *value,
                const char *origin)
{
        struct setting *s = find(c, section, key);

        if (s) {
                setting_fill(s, section, key, value, origin);
                return;
        }
        /* Capacity doubles at each power of two: 16, 32, 64... (not a realloc per setting). */
        if (c->n_settings < 16 ? c->n_settings == 0 : (c->n_settings & (c->n_settings - 1)) == 0)
                c->settings = xrealloc(c->settings,
                                       (c->n_settings < 16 ? 16 : c->n_settings * 2) * sizeof(*s));
        s = &c->settings[c->n_settings++];
        *s = (struct setting){0};
        setting_fill(s, section, key, value, origin);
        /* At most half full, so a probe ends soon at a free slot. */
        if (c->n_settings * 2 > c->index_size)
                index_grow(c);
        else
                *index_slot(c, s->section, s->key) = c->n_settings;
}

struct ini_source {
        const char *next, *end; /* what the reader has not handed to inih yet */
        const char *path;
        struct config *config;
        unsigned line;
        bool too_long;
        bool inline_hash; /* "key = value  # comment": see strip_inline_comment() */
};

/* Debian's libinih is built with INI_INLINE_COMMENT_PREFIXES ";" only (a compile-time setting of
 * the library, /usr/include/ini.h), so "size = 2G   # auto..." would set size to "2G   # auto...".
 * A '#' after a space or tab ends the line here, as ';' does in inih: no memprov value holds
 * " #" (sizes, numbers, names and paths without spaces). Memprov's own records (the state) are
 * read without it. */
static void strip_inline_comment(char *line)
{
        for (char *p = line + 1; *p; p++)
                if (*p == '#' && (p[-1] == ' ' || p[-1] == '\t')) {
                        strcpy(p, strchr(p, '\n') ? "\n" : "");
                        return;
                }
}

/* inih as packaged in Debian does not pass line numbers to the handler: count them here. The text
 * comes from a buffer read with read_regular_at(), never from a FILE* inih opens itself. */
static char *config_ini_reader(char *buf, int size, void *stream)
{
        struct ini_source *src = stream;
        const char *nl;
        size_t len;

        if (src->next >= src->end)
                return NULL;
        nl = memchr(src->next, '\n', (size_t)(src->end - src->next));
        len = nl ? (size_t)(nl - src->next) + 1 : (size_t)(src->end - src->next);
        src->line++;
        if (len > (size_t)size - 1) {
                src->too_long = true;
                return NULL;
        }
        memcpy(buf, src->next, len);
        buf[len] = '\0';
        src->next += len;
        if (src->inline_hash)
                strip_inline_comment(buf);
        return buf;
}

static int config_ini_handler(void *user, const char *section, const char *key, const char *value)
{
        struct ini_source *src = user;
        size_t len = strlen(src->path);
        char buf[256], digits[16], *p = digits + sizeof(digits);
        _cleanup_free_ char *heap = NULL;
        char *origin = buf;

        /* "PATH:LINE" without printf: vasprintf for each of ~550 shipped settings was a tenth of
         * a run's instructions (callgrind, make bench's profile). */
        *--p = '\0';
        for (unsigned n = src->line;; n /= 10) {
                *--p = (char)('0' + n % 10);
                if (n < 10)
                        break;
        }
        if (len + 1 + sizeof(digits) > sizeof(buf))
                origin = heap = xmalloc(len + 1 + sizeof(digits));
        memcpy(origin, src->path, len);
        origin[len] = ':';
        strcpy(origin + len + 1, p);
        config_set(src->config, section, key, value, origin);
        return 1;
}

static int config_parse(struct config *c, const char *text, size_t size, const char *path,
                        bool inline_hash)
{
        struct ini_source src = {.next = text,
                                 .end = text + size,
                                 .path = path,
                                 .config = c,
                                 .inline_hash = inline_hash};
        const char *nul = memchr(text, '\0', size);
        int r;

        /* inih would end the line at a NUL and read the rest as if it were not there. */
        if (nul) {
                for (const char *p = text; p < nul; p++)
                        src.line += *p == '\n';
                return log_error("%s:%u: a NUL byte: not a text file", path, src.line + 1);
        }
        /* Debian's inih takes its limits at run time: lines up to 4 KiB (state lines carry
         * paths), read into a heap buffer. Section names stay capped at 50 by inih itself. */
        ini_use_stack = false;
        ini_max_line = 4096;
        r = ini_parse_stream(config_ini_reader, &src, config_ini_handler, &src);
        if (src.too_long)
                return log_error("%s:%u: line too long", path, src.line);
        if (r > 0)
                return log_error("%s:%d: syntax error (expected [section] or key = value)", path,
                                 r);
        if (r < 0)
                return log_error("%s: cannot parse", path);
        return 0;
}

int config_parse_text(struct config *c, const char *text, size_t size, const char *path)
{
        return config_parse(c, text, size, path, false);
}

/* display: the path as the operator knows it (with --root's prefix). */
int config_load_at(struct config *c, int dirfd, const char *name, bool follow, const char *display)
{
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = read_regular_at(dirfd, name, follow, READ_MAX, &text, &size);
        if (r == -ENOENT)
                return -ENOENT;
        if (r < 0) {
                log_error("%s: %s", display, fsutil_strerror(r));
                return r;
        }
        return config_parse(c, text, size, display, true);
}

int config_load_file(struct config *c, const char *path)
{
        return config_load_at(c, AT_FDCWD, path, true, path);
}

int config_load_root_file(struct config *c, int rootfd, const char *root, const char *path)
{
        _cleanup_free_ char *display = xasprintf("%s%s", root, path);
        _cleanup_close_ int dirfd = -1;
        const char *name;
        int r;

        r = root_open_parent(rootfd, path, false, &dirfd, &name);
        if (r == -ENOENT)
                return -ENOENT;
        if (r < 0) {
                log_error("%s: %s", display, fsutil_strerror(r));
                return r;
        }
        return config_load_at(c, dirfd, name, false, display);
}

int config_set_assignment(struct config *c, const char *assignment, const char *origin)
{
        const char *eq = strchr(assignment, '='), *dot;
        _cleanup_free_ char *lhs = NULL;

        if (!eq)
                return log_error("%s %s: expected SECTION.KEY=VALUE", origin, assignment);
        lhs = strndup(assignment, (size_t)(eq - assignment));
        /* Section names have no dots ("tier 1G"); keys may ("php.pm"): split at the first. */
        dot = lhs ? strchr(lhs, '.') : NULL;
        if (!dot || dot == lhs || dot[1] == '\0')
                return log_error("%s %s: expected SECTION.KEY=VALUE", origin, assignment);
        lhs[dot - lhs] = '\0';
        config_set(c, lhs, dot + 1, eq + 1, origin);
        return 0;
}

const struct setting *config_get(const struct config *c, const char *section, const char *key)
{
        return find(c, section, key);
}

const char *config_str(const struct config *c, const char *section, const char *key,
                       const char *def)
{
        const struct setting *s = find(c, section, key);

        return s ? s->value : def;
}

uint64_t config_size(const struct config *c, const char *section, const char *key, uint64_t def)
{
        const char *v = config_str(c, section, key, NULL);
        uint64_t n;

        return v && parse_size(v, &n) == 0 ? n : def;
}

long config_int(const struct config *c, const char *section, const char *key, long def)
{
        const char *v = config_str(c, section, key, NULL);
        char *end;
        long n;

        if (!v || !*v)
                return def;
        errno = 0;
        n = strtol(v, &end, 10);
        return errno || *end ? def : n;
}

bool config_bool(const struct config *c, const char *section, const char *key, bool def)
{
        const char *v = config_str(c, section, key, NULL);
        bool b;

        return v && parse_bool(v, &b) == 0 ? b : def;
}

int config_settings_parse(const struct config *c, const char *tier,
                          const struct config_setting *rows, void *dst)
{
        for (const struct config_setting *r = rows; r->section; r++) {
                const char *section = streq(r->section, "tier") ? tier : r->section;
                const struct setting *s = section ? find(c, section, r->key) : NULL;
                const char *v = s ? s->value : r->def;

                if (v && r->parse(v, (char *)dst + r->offset) < 0)
                        return log_error("%s: invalid value for %s.%s: \"%s\"",
                                         s ? s->origin : "memprov's default",
                                         section ? section : r->section, r->key, v);
        }
        return 0;
}

const char *tier_select(const struct config *c, uint64_t ram_bytes, char section[static 64])
{
        uint64_t best = 0, smallest = UINT64_MAX, size;
        const char *best_name = NULL, *smallest_name = NULL;

        for (size_t i = 0; i < c->n_settings; i++) {
                const char *name = c->settings[i].section;
                if (!startswith(name, "tier ") || parse_size(name + 5, &size) < 0)
                        continue;
                if (size <= ram_bytes && (!best_name || size > best)) {
                        best = size;
                        best_name = name;
                }
                if (size < smallest) {
                        smallest = size;
                        smallest_name = name;
                }
        }
        if (!best_name)
                best_name = smallest_name;
        if (!best_name)
                return NULL;
        snprintf(section, 64, "%s", best_name);
        return section;
}
