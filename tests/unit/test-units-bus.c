/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The online path against a stand-in for systemd's Manager: a child process serving the same
 * methods with the same D-Bus signatures on a socketpair, as systemd serves its private socket
 * (peer to peer, no bus daemon). sd-bus refuses a call whose signature does not match, so this
 * proves the calls memprov makes and how it reads the replies; the real systemd is exercised in
 * the booted VM.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>

#include "../../lib/util.h"
#include "../../modules/units-bus.h"
#include "test.h"

#define SD_PATH  "/org/freedesktop/systemd1"
#define SD_IFACE "org.freedesktop.systemd1.Manager"

/* One line per call, in the order the calls arrive. */
static void log_call(void *userdata, char *line)
{
        FILE *log = userdata;

        fprintf(log, "%s\n", line);
        fflush(log);
        free(line);
}

static int method_disable(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        _cleanup_free_ char *first = NULL;
        sd_bus_message *reply = NULL;
        char **names = NULL;
        int runtime, r;

        (void)error;
        r = sd_bus_message_read_strv(m, &names);
        if (r >= 0)
                r = sd_bus_message_read(m, "b", &runtime);
        if (r < 0)
                return r;
        first = xstrdup(names && names[0] ? names[0] : "");
        for (char **n = names; n && *n; n++)
                free(*n);
        free(names);
        log_call(userdata,
                 xasprintf("DisableUnitFiles %s %s", first, runtime ? "runtime" : "persistent"));
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append(reply, "a(sss)", 1, "unlink",
                                          "/etc/systemd/system/multi-user.target.wants/x.service",
                                          "");
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        return r;
}

static int method_job(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *name, *mode;
        int r = sd_bus_message_read(m, "ss", &name, &mode);

        if (r < 0)
                return r;
        log_call(userdata, xasprintf("%s %s %s", sd_bus_message_get_member(m), name, mode));
        if (streq(name, "notloaded.service"))
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchUnit",
                                         "Unit %s not loaded.", name);
        return sd_bus_reply_method_return(m, "o", "/org/freedesktop/systemd1/job/1");
}

static int append_unit(sd_bus_message *reply, const char *name)
{
        return sd_bus_message_append(reply, "(ssssssouso)", name, "PostgreSQL Cluster", "loaded",
                                     "active", "running", "", "/org/freedesktop/systemd1/unit/x", 0,
                                     "", "/");
}

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        sd_bus_message *reply = NULL;
        char **states = NULL, **patterns = NULL;
        int r;

        (void)error;
        r = sd_bus_message_read_strv(m, &states);
        if (r >= 0)
                r = sd_bus_message_read_strv(m, &patterns);
        if (r >= 0)
                log_call(userdata, xasprintf("ListUnitsByPatterns %s", patterns[0]));
        if (r >= 0)
                r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ssssssouso)");
        if (r >= 0)
                r = append_unit(reply, "postgresql@15-main.service");
        if (r >= 0)
                r = append_unit(reply, "postgresql@16-main.service");
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        sd_bus_message_unref(reply);
        for (char **p = states; p && *p; p++)
                free(*p);
        for (char **p = patterns; p && *p; p++)
                free(*p);
        free(states);
        free(patterns);
        return r;
}

static int method_reload(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        (void)error;
        log_call(userdata, xstrdup("Reload"));
        return sd_bus_reply_method_return(m, "");
}

static int method_get_unit(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *name;
        int r = sd_bus_message_read(m, "s", &name);

        if (r < 0)
                return r;
        log_call(userdata, xasprintf("GetUnit %s", name));
        if (streq(name, "notloaded.service"))
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchUnit",
                                         "Unit %s not loaded.", name);
        return sd_bus_reply_method_return(m, "o", "/org/freedesktop/systemd1/unit/x");
}

static int get_active_state(sd_bus *bus, const char *path, const char *interface,
                            const char *property, sd_bus_message *reply, void *userdata,
                            sd_bus_error *error)
{
        (void)bus, (void)path, (void)interface, (void)property, (void)userdata, (void)error;
        return sd_bus_message_append(reply, "s", "active");
}

/* systemd's Unit interface, as much as memprov reads: ActiveState. */
static const sd_bus_vtable unit_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("ActiveState", "s", get_active_state, 0, 0),
    SD_BUS_VTABLE_END,
};

static const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("DisableUnitFiles", "asb", "a(sss)", method_disable, 0),
    SD_BUS_METHOD("StopUnit", "ss", "o", method_job, 0),
    SD_BUS_METHOD("StartUnit", "ss", "o", method_job, 0),
    SD_BUS_METHOD("ListUnitsByPatterns", "asas", "a(ssssssouso)", method_list, 0),
    SD_BUS_METHOD("Reload", "", "", method_reload, 0),
    SD_BUS_METHOD("GetUnit", "s", "o", method_get_unit, 0),
    SD_BUS_METHOD("ReloadOrTryRestartUnit", "ss", "o", method_job, 0),
    SD_BUS_METHOD("TryRestartUnit", "ss", "o", method_job, 0),
    SD_BUS_VTABLE_END,
};

/* The child: serves until the client hangs up, logging each call to log. */
static void serve(int fd, FILE *log)
{
        sd_bus *bus = NULL;
        sd_id128_t id;
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_fd(bus, fd, fd);
        if (r >= 0)
                r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_set_server(bus, 1, id);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, SD_PATH, SD_IFACE, manager_vtable, log);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1/unit/x",
                                             "org.freedesktop.systemd1.Unit", unit_vtable, log);
        if (r >= 0)
                r = sd_bus_start(bus);
        while (r >= 0) {
                r = sd_bus_process(bus, NULL);
                if (r == 0)
                        r = sd_bus_wait(bus, UINT64_MAX);
        }
        _exit(0);
}

static sd_bus *connect_client(int fd)
{
        sd_bus *bus = NULL;

        if (sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 || sd_bus_start(bus) < 0)
                return NULL;
        return bus;
}

TEST(units_bus_calls_match_systemd_manager)
{
        int sv[2], logpipe[2];
        char buf[4096] = "";
        bool changed = false;
        struct units_bus *ub = NULL;
        sd_bus *bus;
        ssize_t n;
        pid_t pid;

        CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
        CHECK(pipe(logpipe) == 0);
        pid = fork();
        if (pid == 0) {
                close(sv[0]);
                close(logpipe[0]);
                serve(sv[1], fdopen(logpipe[1], "w"));
        }
        close(sv[1]);
        close(logpipe[1]);
        bus = connect_client(sv[0]);
        CHECK(bus != NULL);
        CHECK(units_bus_wrap(bus, &ub) == 0);
        CHECK(units_bus_disable(ub, "proftpd.service", &changed) == 0);
        CHECK(changed);
        CHECK(units_bus_stop(ub, "proftpd.service") == 0);
        CHECK(units_bus_stop(ub, "notloaded.service") == 0); /* not loaded: nothing to stop */
        CHECK(units_bus_stop(ub, "postgresql@.service") == 0);
        CHECK(units_bus_start(ub, "proftpd.service") == 0);
        CHECK(units_bus_start(ub, "notloaded.service") < 0);
        CHECK(units_bus_reload(ub) == 0);
        /* --rerun's live reload: the state, the job (its object gone: finished), the state. */
        _cleanup_free_ char *state = NULL, *gone = NULL;
        CHECK(units_bus_active_state(ub, "apache2.service", &state) == 0);
        CHECK_STR(state, "active");
        CHECK(units_bus_active_state(ub, "notloaded.service", &gone) == 0);
        CHECK_STR(gone, "inactive");
        CHECK(units_bus_reload_or_restart(ub, "apache2.service", false) == 0);
        CHECK(units_bus_reload_or_restart(ub, "mariadb.service", true) == 0);
        units_bus_close(ub);
        waitpid(pid, NULL, 0);
        n = read(logpipe[0], buf, sizeof(buf) - 1);
        close(logpipe[0]);
        buf[n > 0 ? n : 0] = '\0';
        CHECK_STR(buf, "DisableUnitFiles proftpd.service persistent\n"
                       "StopUnit proftpd.service replace\n"
                       "StopUnit notloaded.service replace\n"
                       "ListUnitsByPatterns postgresql@*.service\n"
                       "StopUnit postgresql@15-main.service replace\n"
                       "StopUnit postgresql@16-main.service replace\n"
                       "StartUnit proftpd.service replace\n"
                       "StartUnit notloaded.service replace\n"
                       "Reload\n"
                       "GetUnit apache2.service\n"
                       "GetUnit notloaded.service\n"
                       "ReloadOrTryRestartUnit apache2.service replace\n"
                       "TryRestartUnit mariadb.service replace\n");
}
