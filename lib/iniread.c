/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ini.h>
#include <strings.h>

#include "iniread.h"
#include "util.h"

/* libinih's fixed section buffer (MAX_SECTION in ini.c): a longer name is cut without a word. */
#define INIH_MAX_SECTION 50

struct ini_src {
        const char *next, *end;
        unsigned line, bad_line;
        int bad; /* why bad_line stopped the reading */
        ini_item_fn fn;
        void *userdata;
};

/* Counts lines (Debian's inih passes none to the handler) and drops leading blanks, which inih
 * would take for the continuation of the previous value where PHP reads a new setting. */
static char *php_ini_reader(char *buf, int size, void *stream)
{
        struct ini_src *src = stream;
        const char *nl, *start, *close;
        size_t len;

        if (src->next >= src->end || src->bad_line)
                return NULL;
        nl = memchr(src->next, '\n', (size_t)(src->end - src->next));
        len = nl ? (size_t)(nl - src->next) + 1 : (size_t)(src->end - src->next);
        start = src->next;
        src->next += len;
        src->line++;
        while (len > 0 && (*start == ' ' || *start == '\t')) {
                start++;
                len--;
        }
        close = len > 0 && *start == '[' ? memchr(start, ']', len) : NULL;
        if (len > (size_t)size - 1 || (close && close - start - 1 >= INIH_MAX_SECTION)) {
                src->bad_line = src->line;
                src->bad = len > (size_t)size - 1 ? -E2BIG : -ENAMETOOLONG;
                return NULL;
        }
        memcpy(buf, start, len);
        buf[len] = '\0';
        return buf;
}

static int php_ini_handler(void *user, const char *section, const char *key, const char *value)
{
        struct ini_src *src = user;
        size_t len = strlen(value);
        _cleanup_free_ char *unquoted = NULL;

        if (len >= 2 && (value[0] == '"' || value[0] == '\'') && value[len - 1] == value[0]) {
                unquoted = xstrdup(value + 1);
                unquoted[len - 2] = '\0';
                value = unquoted;
        }
        src->fn(&(struct ini_item){section, key, value, src->line}, src->userdata);
        return 1;
}

int ini_parse_php(const char *text, size_t size, ini_item_fn fn, void *userdata, unsigned *ret_line)
{
        struct ini_src src = {.next = text, .end = text + size, .fn = fn, .userdata = userdata};
        const char *nul = memchr(text, '\0', size);
        int r;

        if (nul)
                src.end = nul; /* read up to it, then say where it is */
        ini_use_stack = false;
        ini_max_line = 4096;
        r = ini_parse_stream(php_ini_reader, &src, php_ini_handler, &src);
        if (src.bad_line) {
                *ret_line = src.bad_line;
                return src.bad;
        }
        if (r == 0 && nul) {
                *ret_line = src.line + 1;
                return -EBADMSG;
        }
        if (r == 0)
                return 0;
        *ret_line = r > 0 ? (unsigned)r : 1;
        return -EINVAL;
}

const char *ini_strerror(int r)
{
        switch (-r) {
        case E2BIG:
                return "a line longer than 4 KiB";
        case ENAMETOOLONG:
                return "a [section] name longer than 49 characters";
        case EBADMSG:
                return "a NUL byte: not a text file";
        default:
                return "not ini syntax PHP reads ([section] or key = value)";
        }
}

int php_parse_quantity(const char *s, uint64_t *ret)
{
        uint64_t v = 0, mult = 1;
        const char *p = s;

        if (streq(s, "-1")) {
                *ret = PHP_UNLIMITED;
                return 0;
        }
        if (*p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (v > (UINT64_MAX - 9) / 10)
                        return -EINVAL;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        switch (*p) {
        case 'k':
        case 'K':
                mult = 1024;
                p++;
                break;
        case 'm':
        case 'M':
                mult = 1024 * 1024;
                p++;
                break;
        case 'g':
        case 'G':
                mult = 1024 * 1024 * 1024;
                p++;
                break;
        }
        if (*p != '\0' || v > UINT64_MAX / mult || v * mult == PHP_UNLIMITED)
                return -EINVAL;
        *ret = v * mult;
        return 0;
}

int php_parse_bool(const char *s, bool *ret)
{
        static const char *const yes[] = {"1", "on", "yes", "true"};
        static const char *const no[] = {"0", "off", "no", "false", "none", ""};

        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(s, yes[i]) == 0)
                        return *ret = true, 0;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(s, no[i]) == 0)
                        return *ret = false, 0;
        return -EINVAL;
}
