/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/uio.h>

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
        for (size_t i = 0; i < n && k < ELEMENTSOF(iov); i++)
                iov[k++] = (struct iovec){(char *)fields[i], strlen(fields[i])};
        return journal.api.sd_journal_sendv(iov, (int)k);
}
