/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>

#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "../lib/util.h"
#include "units-files.h"

#define CHASE_MAX 32 /* symlink hops, as the kernel's MAXSYMLINKS */
#define WALK_MAX  8  /* directory depth below /etc/systemd/system */
#define ALSO_MAX  16

static const char *const unit_dirs[] = {UNIT_CONFIG_DIR, "/usr/lib/systemd/system",
                                        "/lib/systemd/system"};

void strv_free(char **v)
{
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}

void strv_freep(char ***v)
{
        strv_free(*v);
}

static size_t strv_length(char *const *v)
{
        size_t n = 0;

        while (v && v[n])
                n++;
        return n;
}

bool strv_contains(char *const *v, const char *s)
{
        for (; v && *v; v++)
                if (streq(*v, s))
                        return true;
        return false;
}

char **strv_push(char **v, const char *s)
{
        size_t n = strv_length(v);

        v = xrealloc(v, (n + 2) * sizeof(char *));
        v[n] = xstrdup(s);
        v[n + 1] = NULL;
        return v;
}

char **strv_split(const char *v)
{
        _cleanup_free_ char *copy = xstrdup(v ? v : "");
        char **words = xcalloc(1, sizeof(char *)), *save = NULL;

        for (char *w = strtok_r(copy, " ,\t", &save); w; w = strtok_r(NULL, " ,\t", &save))
                words = strv_push(words, w);
        return words;
}

bool unit_name_is_valid(const char *name)
{
        static const char *const suffixes[] = {".service", ".socket", ".target",    ".timer",
                                               ".path",    ".mount",  ".automount", ".swap",
                                               ".slice",   ".scope",  ".device"};
        const char *dot = strrchr(name, '.'), *at = strchr(name, '@');
        bool known = false;

        if (!dot || dot == name || strlen(name) > 255)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                known = known || streq(dot, suffixes[i]);
        if (!known || at == name || (at && (at > dot || strchr(at + 1, '@'))))
                return false;
        for (const char *p = name; p < dot; p++)
                if (!isalnum((unsigned char)*p) && !strchr(":-_.\\@", *p))
                        return false;
        return true;
}

bool unit_name_is_template(const char *name)
{
        const char *at = strchr(name, '@');

        return at && at[1] == '.';
}

char *unit_name_template(const char *name)
{
        const char *at = strchr(name, '@'), *dot = strrchr(name, '.');

        if (!at || !dot || at + 1 >= dot)
                return NULL;
        return xasprintf("%.*s%s", (int)(at + 1 - name), name, dot);
}

static bool regular_file(int rootfd, const char *dir, const char *name)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, name);
        struct stat st;

        return root_lstat(rootfd, path, &st) == 0 && S_ISREG(st.st_mode);
}

/* readlink of path, the link itself reached without following any other. */
static int read_link(int rootfd, const char *path, char **ret)
{
        _cleanup_close_ int dirfd = -1;
        const char *name;
        char buf[PATH_MAX];
        ssize_t n;
        int r;

        r = root_open_parent(rootfd, path, false, &dirfd, &name);
        if (r < 0)
                return r;
        n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        *ret = xstrdup(buf);
        return 0;
}

bool unit_installed(int rootfd, const char *name)
{
        /* In /etc only a real file counts: a link there is an alias, a mask or a linked unit. */
        for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", unit_dirs[i], name);
                struct stat st;
                if (root_lstat(rootfd, path, &st) < 0)
                        continue;
                if (S_ISREG(st.st_mode) && (i > 0 || st.st_size > 0))
                        return true;
                if (S_ISLNK(st.st_mode) && i > 0)
                        return true;
        }
        return false;
}

bool unit_masked(int rootfd, const char *name)
{
        static const char *const dirs[] = {UNIT_CONFIG_DIR, "/run/systemd/system"};

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dirs[i], name), *target = NULL;
                struct stat st;
                if (root_lstat(rootfd, path, &st) < 0)
                        continue;
                if (S_ISREG(st.st_mode) && st.st_size == 0)
                        return true;
                if (S_ISLNK(st.st_mode) && read_link(rootfd, path, &target) == 0 &&
                    streq(target, "/dev/null"))
                        return true;
        }
        return false;
}

/* The Also= names in the [Install] section of the unit's file (the first one found). */
static char **install_also(int rootfd, const char *name)
{
        _cleanup_free_ char *text = NULL;
        char **also = NULL, *save = NULL;
        bool install = false;

        for (size_t i = 0; i < ELEMENTSOF(unit_dirs) && !text; i++) {
                _cleanup_free_ char *path = xasprintf("%s/%s", unit_dirs[i], name);
                if (!regular_file(rootfd, unit_dirs[i], name) ||
                    root_read_file(rootfd, path, &text, NULL) < 0)
                        text = NULL;
        }
        for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
             line = strtok_r(NULL, "\n", &save)) {
                char *wsave = NULL;
                line += strspn(line, " \t");
                if (line[0] == '[')
                        install = startswith(line, "[Install]");
                if (!install || !startswith(line, "Also="))
                        continue;
                for (char *w = strtok_r(line + 5, " \t", &wsave); w;
                     w = strtok_r(NULL, " \t", &wsave))
                        if (unit_name_is_valid(w) && !strv_contains(also, w))
                                also = strv_push(also, w);
        }
        return also;
}

char **unit_also(int rootfd, const char *name)
{
        char **seen = strv_push(NULL, name), **result = NULL;

        /* Breadth first over Also= chains; seen stops cycles (a.service Also=b, b Also=a). */
        for (size_t i = 0; seen[i] && i < ALSO_MAX; i++) {
                char **also = install_also(rootfd, seen[i]);
                for (char **a = also; a && *a; a++) {
                        if (strv_contains(seen, *a))
                                continue;
                        seen = strv_push(seen, *a);
                        if (unit_installed(rootfd, *a) && !unit_masked(rootfd, *a))
                                result = strv_push(result, *a);
                }
                strv_free(also);
        }
        strv_free(seen);
        return result;
}

/* dir + "/" + rel with "." and ".." resolved lexically, as a symlink target is read. */
static char *path_join_normalize(const char *dir, const char *rel)
{
        _cleanup_free_ char *joined = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", dir, rel);
        char *out = xmalloc(strlen(joined) + 2), *save = NULL;
        size_t len = 0;

        for (char *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (streq(c, "."))
                        continue;
                if (streq(c, "..")) {
                        while (len > 0 && out[--len] != '/')
                                ;
                        continue;
                }
                len += (size_t)sprintf(out + len, "/%s", c);
        }
        if (len == 0)
                out[len++] = '/';
        out[len] = '\0';
        return out;
}

/* Where a link leads inside the root, following links as far as they can be read. */
static char *chase(int rootfd, const char *path)
{
        char *cur = xstrdup(path), *target = NULL;

        for (int i = 0; i < CHASE_MAX && read_link(rootfd, cur, &target) == 0; i++) {
                char *slash = strrchr(cur, '/'), *next;
                *slash = '\0';
                next = path_join_normalize(cur[0] ? cur : "/", target);
                free(target);
                target = NULL;
                free(cur);
                cur = next;
        }
        return cur;
}

bool unit_name_listed(char *const *names, const char *name)
{
        _cleanup_free_ char *template = NULL;

        if (!unit_name_is_valid(name))
                return false;
        if (strv_contains(names, name))
                return true;
        template = unit_name_template(name);
        return template && strv_contains(names, template);
}

/* systemd's remove_marked_symlinks_fd() test: the link's name, its template, or where it
 * leads (full path or file name) is marked. */
static bool link_marked(int rootfd, char *const *marked, const char *path, const char *name)
{
        _cleanup_free_ char *dest = NULL;

        if (!unit_name_is_valid(name))
                return false;
        if (unit_name_listed(marked, name))
                return true;
        dest = chase(rootfd, path);
        return strv_contains(marked, dest) || strv_contains(marked, strrchr(dest, '/') + 1);
}

static bool links_contain(const struct unit_links *l, const char *path)
{
        for (size_t i = 0; i < l->n; i++)
                if (streq(l->links[i].path, path))
                        return true;
        return false;
}

static void links_add(struct unit_links *l, const char *path, char *target)
{
        l->links = xrealloc(l->links, (l->n + 1) * sizeof(*l->links));
        l->links[l->n++] = (struct unit_link){.path = xstrdup(path), .target = target};
}

static int walk(int rootfd, const char *dir, unsigned depth, char ***marked, struct unit_links *l)
{
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        r = root_opendir(rootfd, dir, &d);
        if (r < 0)
                return r == -ENOENT || r == -ELOOP || r == -ENOTDIR ? 0 : r;
        while ((de = readdir(d))) {
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name), *target = NULL;
                struct stat st;
                if (streq(de->d_name, ".") || streq(de->d_name, "..") ||
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode) && depth < WALK_MAX) {
                        r = walk(rootfd, path, depth + 1, marked, l);
                        if (r < 0)
                                return r;
                }
                if (!S_ISLNK(st.st_mode) || links_contain(l, path) ||
                    !link_marked(rootfd, *marked, path, de->d_name) ||
                    read_link(rootfd, path, &target) < 0)
                        continue;
                links_add(l, path, TAKE_PTR(target));
                /* A removed link is marked in turn, so links to it go too. */
                *marked = strv_push(*marked, path);
        }
        return 0;
}

static int link_cmp(const void *a, const void *b)
{
        return strcmp(((const struct unit_link *)a)->path, ((const struct unit_link *)b)->path);
}

int unit_links_to_disable(int rootfd, char *const *names, struct unit_links *ret)
{
        char **marked = NULL;
        struct unit_links l = {0};
        size_t before;
        int r;

        for (char *const *n = names; *n; n++)
                marked = strv_push(marked, *n);
        /* systemd restarts its walk after each removal; walking until nothing new is found
         * reaches the same set. */
        do {
                before = l.n;
                r = walk(rootfd, UNIT_CONFIG_DIR, 0, &marked, &l);
        } while (r == 0 && l.n > before);
        strv_free(marked);
        if (r < 0) {
                unit_links_done(&l);
                return r;
        }
        if (l.n > 1)
                qsort(l.links, l.n, sizeof(*l.links), link_cmp);
        *ret = l;
        return 0;
}

/* systemd's rmdir_parents(): directories left empty, up to /etc/systemd/system itself. */
static void remove_empty_parents(int rootfd, const char *path)
{
        _cleanup_free_ char *dir = xstrdup(path);
        char *slash;

        while ((slash = strrchr(dir, '/')) && slash > dir) {
                _cleanup_close_ int parentfd = -1;
                const char *name;
                *slash = '\0';
                if (!startswith(dir, UNIT_CONFIG_DIR "/"))
                        return;
                if (root_open_parent(rootfd, dir, false, &parentfd, &name) < 0 ||
                    unlinkat(parentfd, name, AT_REMOVEDIR) < 0)
                        return;
        }
}

int unit_links_remove(int rootfd, const struct unit_links *l, bool *ret_changed)
{
        for (size_t i = 0; i < l->n; i++) {
                _cleanup_free_ char *current = NULL;
                _cleanup_close_ int dirfd = -1;
                const char *name;
                int r;

                r = read_link(rootfd, l->links[i].path, &current);
                if (r == -ENOENT) {
                        /* Gone already (a run stopped between unlink and rmdir): the folder
                         * goes as it would have. */
                        remove_empty_parents(rootfd, l->links[i].path);
                        continue;
                }
                if (r == 0 && !streq(current, l->links[i].target))
                        continue; /* changed since the plan: not memprov's to remove */
                if (r == 0)
                        r = root_open_parent(rootfd, l->links[i].path, false, &dirfd, &name);
                if (r == 0 && unlinkat(dirfd, name, 0) < 0)
                        r = -errno;
                if (r < 0)
                        return log_error_errno(r, "cannot remove %s", l->links[i].path);
                log_debug("removed %s", l->links[i].path);
                remove_empty_parents(rootfd, l->links[i].path);
                *ret_changed = true;
        }
        return 0;
}

int unit_links_restore(int rootfd, const struct unit_links *l, bool *ret_changed)
{
        for (size_t i = 0; i < l->n; i++) {
                _cleanup_free_ char *current = NULL;
                int r = read_link(rootfd, l->links[i].path, &current);

                if (r == 0 || r != -ENOENT)
                        continue; /* present (the admin's now, whatever it says) */
                r = root_symlink(rootfd, l->links[i].target, l->links[i].path);
                if (r < 0)
                        return log_error_errno(r, "cannot link %s", l->links[i].path);
                log_debug("linked %s -> %s", l->links[i].path, l->links[i].target);
                *ret_changed = true;
        }
        return 0;
}

void unit_links_done(struct unit_links *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->links[i].path);
                free(l->links[i].target);
        }
        free(l->links);
        *l = (struct unit_links){0};
}

char *unit_links_format(const struct unit_links *l)
{
        char *s = xstrdup("");

        for (size_t i = 0; i < l->n; i++) {
                char *next = xasprintf("%s%s %s\n", s, l->links[i].path, l->links[i].target);
                free(s);
                s = next;
        }
        return s;
}

/* Only links memprov could have made: under /etc/systemd/system, named like a unit. */
static bool link_path_ok(const char *path)
{
        const char *name = strrchr(path, '/');

        return startswith(path, UNIT_CONFIG_DIR "/") && !strstr(path, "/../") &&
               !strstr(path, "/./") && unit_name_is_valid(name + 1);
}

int unit_links_parse(const char *text, struct unit_links *ret)
{
        _cleanup_free_ char *copy = xstrdup(text);
        struct unit_links l = {0};
        char *save = NULL;

        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *space = strchr(line, ' ');
                if (!space || space[1] == '\0')
                        goto bad;
                *space = '\0';
                if (!link_path_ok(line))
                        goto bad;
                links_add(&l, line, xstrdup(space + 1));
        }
        *ret = l;
        return 0;
bad:
        unit_links_done(&l);
        return -EINVAL;
}
