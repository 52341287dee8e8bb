/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <limits.h>

#include "log.h"
#include "userdata.h"
#include "util.h"

/* Never a customer's swapfile, whatever the provider's allow-list says: memprov's own files and
 * the places where a large file breaks the system or another daemon's configuration (a
 * multi-hundred-MiB file in /etc/ssh/sshd_config.d stops sshd: issue 21 item 3). */
static const char *const forbidden[] = {
    "/etc",
    "/usr",
    "/boot",
    "/var/lib/memprov",
    "/var/lib/cloud",
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/lib",
    "/lib64",
    "/bin",
    "/sbin",
    "/root",
    "/var/lib/systemd",
    "/var/spool",
    "/home",
};

/* Whether path is dir or inside it. */
static bool under(const char *path, const char *dir)
{
        size_t n = strlen(dir);

        return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool parent_is(const char *path, const char *folder, size_t folder_len)
{
        const char *slash = strrchr(path, '/');
        size_t parent_len = slash ? (size_t)(slash - path) : 0;

        /* "/" is the folder of "/swapfile", whose parent as text is empty. */
        if (folder_len == 1 && folder[0] == '/')
                return slash == path;
        return parent_len == folder_len && strncmp(path, folder, folder_len) == 0;
}

bool userdata_swap_path_allowed(const char *path, const char *folders)
{
        for (size_t i = 0; i < ELEMENTSOF(forbidden); i++)
                if (under(path, forbidden[i]))
                        return false;
        for (const char *p = folders; p && *p;) {
                size_t len = strcspn(p, " \t,");
                if (len > 0 && parent_is(path, p, len))
                        return true;
                p += len;
                p += strspn(p, " \t,");
        }
        return false;
}

int check_abs_folder_list(const char *v)
{
        for (const char *p = v; *p;) {
                size_t len = strcspn(p, " \t,");
                char folder[PATH_MAX];
                if (len >= sizeof(folder))
                        return -EINVAL;
                memcpy(folder, p, len);
                folder[len] = '\0';
                if (len > 0 && !streq(folder, "/") && check_abs_path(folder) < 0)
                        return -EINVAL;
                p += len;
                p += strspn(p, " \t,");
        }
        return 0;
}

/* User-data may disable the shipped groups and services or timers by name, never a unit the
 * machine needs to boot or to be reached (a customer's "disable: ssh.service" is a lockout the
 * provider's support then has to undo from the console). */
static bool unit_allowed(const char *unit, size_t len)
{
        static const char *const essential[] = {
            "ssh",   "sshd",         "cloud-",  "systemd-", "dbus", "networking", "NetworkManager",
            "getty", "serial-getty", "memprov", "ifup",     "udev", "polkit",     "cron",
        };
        const char *dot = memrchr(unit, '.', len);

        if (!dot)
                return true; /* a group, auto or none: config_validate() checks the name */
        if (!(len - (size_t)(dot - unit) == strlen(".service") &&
              strncmp(dot, ".service", 8) == 0) &&
            !(len - (size_t)(dot - unit) == strlen(".timer") && strncmp(dot, ".timer", 6) == 0))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(essential); i++)
                if (strncmp(unit, essential[i], strlen(essential[i])) == 0)
                        return false;
        return true;
}

static bool units_allowed(const char *v)
{
        for (const char *p = v; *p;) {
                size_t len = strcspn(p, " \t,");
                if (len > 0 && !unit_allowed(p, len))
                        return false;
                p += len;
                p += strspn(p, " \t,");
        }
        return true;
}

/* Settings a customer may not choose at all, or only within limits: each logged. */
static int confine(const struct setting *s, const struct config *provider)
{
        const char *folders = config_str(provider, USERDATA_SECTION, USERDATA_SWAP_FOLDERS, "/");

        if (streq(s->section, USERDATA_SECTION) || streq(s->section, "unit-groups") ||
            startswith(s->section, "consumer "))
                return log_error("%s: [%s] is the provider's to set (in /etc/memprov), not "
                                 "user-data's",
                                 s->origin, s->section);
        if (streq(s->section, "swap") && streq(s->key, "path") &&
            !userdata_swap_path_allowed(s->value, folders))
                return log_error("%s: \"%s\": from user-data a swapfile goes directly in one of "
                                 "the provider's folders (%s = %s), never under /etc, /usr, "
                                 "/boot or memprov's own /var/lib/memprov",
                                 s->origin, s->value, USERDATA_SECTION "." USERDATA_SWAP_FOLDERS,
                                 folders);
        if ((streq(s->key, "disable") && streq(s->section, "units")) ||
            (streq(s->key, "units.disable") && startswith(s->section, "tier ")))
                if (!units_allowed(s->value))
                        return log_error("%s: \"%s\": from user-data memprov disables the unit "
                                         "groups and services or timers by name, never one the "
                                         "machine needs to boot or be reached (ssh, cloud-init, "
                                         "systemd-*, networking, getty, cron...)",
                                         s->origin, s->value);
        return 0;
}

int userdata_review(const struct config *ud, const struct config *provider,
                    const struct config_key *const *keys)
{
        const char *enabled = config_str(ud, "memprov", "enabled", NULL);
        bool b;
        int r = 0;

        if (ud->n_settings == 0)
                return 0;
        if (enabled && parse_bool(enabled, &b) < 0)
                return log_error("%s: \"%s\" is not yes or no: whether memprov may run here is "
                                 "unknown, so it changes nothing",
                                 config_get(ud, "memprov", "enabled")->origin, enabled),
                       -EBADMSG;
        for (size_t i = 0; i < ud->n_settings; i++)
                if (confine(&ud->settings[i], provider) < 0)
                        r = -EINVAL;
        if (r == 0)
                r = config_validate(ud, keys);
        return r < 0 ? -EINVAL : 0;
}
