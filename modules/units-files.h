/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit files under the root, read and changed without systemd: what `systemctl --root=DIR
 * disable` does (remove every symlink under /etc/systemd/system that names, or leads to, a unit
 * being disabled, its Also= units included, then the directories left empty), and the reverse
 * for links memprov itself removed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define UNIT_CONFIG_DIR "/etc/systemd/system"

/* A symlink systemctl enable made: path (root-relative) -> target as written in the link. */
struct unit_link {
        char *path;
        char *target;
};

struct unit_links {
        struct unit_link *links;
        size_t n;
};

void unit_links_done(struct unit_links *l);
/* "PATH TARGET" lines, the form kept in the plan and the state. */
char *unit_links_format(const struct unit_links *l);
int unit_links_parse(const char *text, struct unit_links *ret);

/* systemd's rules for a unit name: a prefix of [A-Za-z0-9:_.\-], an optional "@instance"
 * (empty for a template), and a known type suffix; at most 255 characters. */
bool unit_name_is_valid(const char *name);
bool unit_name_is_template(const char *name);
/* "foo@bar.service" -> "foo@.service"; NULL when name has no instance. */
char *unit_name_template(const char *name);
/* A valid unit name that is in names itself or through its template ("foo@bar.service" listed
 * by "foo@.service"): the name half of systemctl's test for a link to a unit being disabled
 * (install.c remove_marked_symlinks_fd()); the callers add where the link leads. */
bool unit_name_listed(char *const *names, const char *name);

/* A unit file for name in /etc, /usr/lib or /lib systemd/system (a mask does not count). */
bool unit_installed(int rootfd, const char *name);
/* Masked in /etc or /run (a link to /dev/null or an empty file). */
bool unit_masked(int rootfd, const char *name);
/* Installed, not masked, and enabled: a link `systemctl enable` made under /etc/systemd/system
 * (what `systemctl disable` would remove), so boot starts it (units-consumers.c). */
bool unit_enabled(int rootfd, const char *name);
/* The unit's Also= units, recursively, that are installed and not masked; NULL-terminated. */
char **unit_also(int rootfd, const char *name);
/* The first folder in /etc/systemd/system that is a symbolic link (NAME.wants/, .requires/,
 * .upholds/) and holds a link to the unit or one of its Also= units, as "FOLDER -> TARGET";
 * NULL when there is none. Boot follows such a folder, systemctl disable does not, and memprov
 * changes nothing through it (units-dirs.c). */
char *unit_dir_link(int rootfd, const char *unit);

/* NULL-terminated string lists. */
void strv_free(char **v);
void strv_freep(char ***v);
#define _cleanup_strv_ _cleanup_(strv_freep)
bool strv_contains(char *const *v, const char *s);
char **strv_push(char **v, const char *s);
/* Words separated by spaces, tabs or commas (never NULL). */
char **strv_split(const char *v);

/* The links `systemctl disable` would remove for names (NULL-terminated). Nothing changes. */
int unit_links_to_disable(int rootfd, char *const *names, struct unit_links *ret);
/* Removes the links (each only if it still points where it did) and the directories left
 * empty; *ret_changed says whether anything was removed. */
int unit_links_remove(int rootfd, const struct unit_links *l, bool *ret_changed);
/* Puts back links removed earlier (those missing only). */
int unit_links_restore(int rootfd, const struct unit_links *l, bool *ret_changed);
