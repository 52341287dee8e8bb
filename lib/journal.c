/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cgroup.h"
#include "dl.h"
#include "journal.h"
#include "util.h"

#define LIBSYSTEMD "libsystemd.so.0"

struct journal_api {
        int (*sd_journal_sendv)(const struct iovec *iov, int n);
};

static const struct dl_symbol journal_symbols[] = {
    DL_SYMBOL(struct journal_api, sd_journal_sendv),
};

/* The log's and the plan listing's sinks, decided once on first use, like the log level: the
 * one other piece of mutable state. The library stays loaded until exit. */
static struct {
        bool decided, loaded, err, out;
        struct journal_api api;
        char *unit_field; /* "OBJECT_SYSTEMD_UNIT=memprov.service", or NULL */
} journal;

/* JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd connected; it only counts for a
 * descriptor that is still that stream (a child whose output was redirected inherits the
 * variable). With StandardOutput= and StandardError= both journal, both are one stream. */
static bool fd_is_journal(int fd)
{
        const char *e = getenv("JOURNAL_STREAM");
        uint64_t dev, ino;
        struct stat st;
        int n = 0;

        if (!e || sscanf(e, "%" SCNu64 ":%" SCNu64 "%n", &dev, &ino, &n) != 2 || e[n] != '\0')
                return false;
        return fstat(fd, &st) == 0 && (uint64_t)st.st_dev == dev && (uint64_t)st.st_ino == ino;
}

/* Each record names memprov's unit itself. journald finds a record's unit from the sender's
 * cgroup in /proc/PID when it reads the record, and memprov sends its listing in the last
 * milliseconds before it exits: a record read after the exit has no _SYSTEMD_UNIT (on cgroup
 * v1 a zombie is in the root cgroup: systemd commit 7c52627446e3, "journald: correctly
 * attribute log messages also with cgroupsv1", whose fallback serves stdout streams only), so
 * `systemctl status memprov` and `journalctl -u memprov.service` lost every line but PID 1's
 * Starting and Finished (tests/container/lxc.sh, with journald stopped while memprov runs).
 * journalctl -u matches OBJECT_SYSTEMD_UNIT= of a record sent by UID 0, "messages from
 * authorized daemons about this service" (systemd's add_matches_for_unit(),
 * systemd.journal-fields(7)); memprov's own cgroup, read while it runs, names the unit: the
 * last component of its path in systemd's tree (lib/cgroup.c), a system service's. */
static char *own_unit_field(void)
{
        _cleanup_free_ char *path = cgroup_own_path(NULL);
        const char *unit = path ? strrchr(path, '/') : NULL;
        size_t n;

        if (!unit || strstr(path, "/user@"))
                return NULL;
        unit++;
        n = strlen(unit);
        if (n <= strlen(".service") || !streq(unit + n - strlen(".service"), ".service"))
                return NULL;
        return xasprintf("OBJECT_SYSTEMD_UNIT=%s", unit);
}

static void journal_decide(void)
{
        void *dl;
        const char *error;

        if (journal.decided)
                return;
        journal.decided = true;
        journal.err = fd_is_journal(STDERR_FILENO);
        journal.out = fd_is_journal(STDOUT_FILENO);
        journal.loaded = (journal.err || journal.out) &&
                         dl_load(LIBSYSTEMD, journal_symbols, ELEMENTSOF(journal_symbols),
                                 &journal.api, &dl, &error) == 0;
        if (journal.loaded && getuid() == 0)
                journal.unit_field = own_unit_field();
}

bool journal_active(void)
{
        journal_decide();
        return journal.loaded && journal.err;
}

bool journal_stdout(void)
{
        journal_decide();
        return journal.loaded && journal.out;
}

int journal_send(int priority, const char *message_id, const char *message,
                 const char *const *fields, size_t n)
{
        _cleanup_free_ char *msg = xasprintf("MESSAGE=%s", message);
        _cleanup_free_ char *id = message_id ? xasprintf("MESSAGE_ID=%s", message_id) : NULL;
        char prio[16];
        struct iovec iov[32];
        size_t k = 0;

        journal_decide();
        if (!journal.loaded)
                return -ENOTCONN;
        snprintf(prio, sizeof(prio), "PRIORITY=%d", priority);
        iov[k++] = (struct iovec){msg, strlen(msg)};
        iov[k++] = (struct iovec){prio, strlen(prio)};
        iov[k++] = (struct iovec){(char *)"SYSLOG_IDENTIFIER=memprov",
                                  strlen("SYSLOG_IDENTIFIER=memprov")};
        if (id)
                iov[k++] = (struct iovec){id, strlen(id)};
        if (journal.unit_field)
                iov[k++] = (struct iovec){journal.unit_field, strlen(journal.unit_field)};
        for (size_t i = 0; i < n && k < ELEMENTSOF(iov); i++)
                iov[k++] = (struct iovec){(char *)fields[i], strlen(fields[i])};
        return journal.api.sd_journal_sendv(iov, (int)k);
}
