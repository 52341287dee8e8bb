/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <dlfcn.h>
#include <stddef.h>
#include <time.h>
#include <systemd/sd-bus.h>

#include "../lib/dl.h"
#include "../lib/log.h"
#include "../lib/util.h"
#include "units-bus.h"
#include "units-files.h"

#define SD_DEST             "org.freedesktop.systemd1"
#define SD_PATH             "/org/freedesktop/systemd1"
#define SD_IFACE            "org.freedesktop.systemd1.Manager"
#define SD_UNIT_IFACE       "org.freedesktop.systemd1.Unit"
#define SD_JOB_IFACE        "org.freedesktop.systemd1.Job"
#define JOB_TIMEOUT_SEC     90
#define SYSTEMD_PRIVATE     "unix:path=/run/systemd/private"
#define RELOAD_TIMEOUT_USEC (300ULL * 1000000ULL)
#define LIBSYSTEMD          "libsystemd.so.0"

/* The sd-bus calls memprov makes, resolved from libsystemd when a connection is opened. */
struct sd_api {
        typeof(sd_bus_new) *sd_bus_new;
        typeof(sd_bus_set_address) *sd_bus_set_address;
        typeof(sd_bus_start) *sd_bus_start;
        typeof(sd_bus_open_system) *sd_bus_open_system;
        typeof(sd_bus_unref) *sd_bus_unref;
        typeof(sd_bus_flush_close_unref) *sd_bus_flush_close_unref;
        typeof(sd_bus_call) *sd_bus_call;
        typeof(sd_bus_call_method) *sd_bus_call_method;
        typeof(sd_bus_error_free) *sd_bus_error_free;
        typeof(sd_bus_error_has_name) *sd_bus_error_has_name;
        typeof(sd_bus_message_new_method_call) *sd_bus_message_new_method_call;
        typeof(sd_bus_message_append_strv) *sd_bus_message_append_strv;
        typeof(sd_bus_message_enter_container) *sd_bus_message_enter_container;
        typeof(sd_bus_message_read) *sd_bus_message_read;
        typeof(sd_bus_message_unref) *sd_bus_message_unref;
        typeof(sd_bus_get_property_string) *sd_bus_get_property_string;
};

struct units_bus {
        void *dl;
        struct sd_api api;
        sd_bus *bus;
};

#define SYM(name) DL_SYMBOL(struct sd_api, name)
static const struct dl_symbol sd_symbols[] = {
    SYM(sd_bus_new),
    SYM(sd_bus_set_address),
    SYM(sd_bus_start),
    SYM(sd_bus_open_system),
    SYM(sd_bus_unref),
    SYM(sd_bus_flush_close_unref),
    SYM(sd_bus_call),
    SYM(sd_bus_call_method),
    SYM(sd_bus_error_free),
    SYM(sd_bus_error_has_name),
    SYM(sd_bus_message_new_method_call),
    SYM(sd_bus_message_append_strv),
    SYM(sd_bus_message_enter_container),
    SYM(sd_bus_message_read),
    SYM(sd_bus_message_unref),
    SYM(sd_bus_get_property_string),
};

static int load_libsystemd(struct units_bus **ret)
{
        struct units_bus *b = xcalloc(1, sizeof(*b));
        const char *error;
        int r;

        r = dl_load(LIBSYSTEMD, sd_symbols, ELEMENTSOF(sd_symbols), &b->api, &b->dl, &error);
        if (r < 0) {
                free(b);
                return r == -ENOENT
                           ? log_error("cannot load %s to talk to systemd: %s", LIBSYSTEMD, error)
                           : log_error_errno(r, "%s has no %s", LIBSYSTEMD, error);
        }
        *ret = b;
        return 0;
}

void units_bus_close(struct units_bus *b)
{
        if (!b)
                return;
        if (b->bus)
                b->api.sd_bus_flush_close_unref(b->bus);
        dlclose(b->dl);
        free(b);
}

int units_bus_wrap(sd_bus *bus, struct units_bus **ret)
{
        int r = load_libsystemd(ret);

        if (r == 0)
                (*ret)->bus = bus;
        return r;
}

static int open_private(struct units_bus *b)
{
        sd_bus *bus = NULL;
        int r;

        r = b->api.sd_bus_new(&bus);
        if (r >= 0)
                r = b->api.sd_bus_set_address(bus, SYSTEMD_PRIVATE);
        if (r >= 0)
                r = b->api.sd_bus_start(bus);
        if (r < 0) {
                b->api.sd_bus_unref(bus);
                return r;
        }
        b->bus = bus;
        return 0;
}

int units_bus_open(struct units_bus **ret)
{
        struct units_bus *b;
        int r;

        r = load_libsystemd(&b);
        if (r < 0)
                return r;
        r = open_private(b);
        if (r < 0) {
                log_debug("systemd's private socket: %s; trying the system bus", strerror(-r));
                r = b->api.sd_bus_open_system(&b->bus);
        }
        if (r < 0) {
                units_bus_close(b);
                return log_error_errno(r, "cannot connect to systemd (private socket or system "
                                          "bus)");
        }
        *ret = b;
        return 0;
}

static int call_failed(struct units_bus *b, int r, sd_bus_error *error, const char *what,
                       const char *unit)
{
        r = log_error_errno(r, "%s %s: %s", what, unit,
                            error->message ? error->message : "D-Bus call failed");
        b->api.sd_bus_error_free(error);
        return r;
}

int units_bus_disable(struct units_bus *b, const char *unit, bool *ret_changed)
{
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *type, *path, *source;
        int r;

        r = b->api.sd_bus_call_method(b->bus, SD_DEST, SD_PATH, SD_IFACE, "DisableUnitFiles",
                                      &error, &reply, "asb", 1, unit, 0);
        if (r < 0)
                return call_failed(b, r, &error, "cannot disable", unit);
        r = b->api.sd_bus_message_enter_container(reply, 'a', "(sss)");
        while (r >= 0 &&
               (r = b->api.sd_bus_message_read(reply, "(sss)", &type, &path, &source)) > 0) {
                log_debug("systemd: %s %s", type, path);
                *ret_changed = true;
        }
        b->api.sd_bus_message_unref(reply);
        return r < 0 ? log_error_errno(r, "cannot disable %s: bad reply", unit) : 0;
}

static int stop_one(struct units_bus *b, const char *unit)
{
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = b->api.sd_bus_call_method(b->bus, SD_DEST, SD_PATH, SD_IFACE, "StopUnit", &error, NULL,
                                      "ss", unit, "replace");
        if (r < 0 && b->api.sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit")) {
                b->api.sd_bus_error_free(&error);
                return 0;
        }
        if (r < 0)
                return call_failed(b, r, &error, "cannot stop", unit);
        log_debug("systemd: stop job queued for %s", unit);
        return 0;
}

/* The loaded instances of a template: "foo@.service" -> units matching "foo@*.service". */
static int stop_instances(struct units_bus *b, const char *template)
{
        _cleanup_free_ char *pattern = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *req = NULL, *reply = NULL;
        const char *at = strchr(template, '@'), *name;
        int r;

        pattern = xasprintf("%.*s*%s", (int)(at + 1 - template), template, at + 1);
        r = b->api.sd_bus_message_new_method_call(b->bus, &req, SD_DEST, SD_PATH, SD_IFACE,
                                                  "ListUnitsByPatterns");
        if (r >= 0)
                r = b->api.sd_bus_message_append_strv(req, (char *[]){NULL});
        if (r >= 0)
                r = b->api.sd_bus_message_append_strv(req, (char *[]){pattern, NULL});
        if (r >= 0)
                r = b->api.sd_bus_call(b->bus, req, 0, &error, &reply);
        b->api.sd_bus_message_unref(req);
        if (r < 0)
                return call_failed(b, r, &error, "cannot list", pattern);
        r = b->api.sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        while (r >= 0 &&
               (r = b->api.sd_bus_message_read(reply, "(ssssssouso)", &name, NULL, NULL, NULL, NULL,
                                               NULL, NULL, NULL, NULL, NULL)) > 0)
                r = stop_one(b, name);
        b->api.sd_bus_message_unref(reply);
        return r < 0 ? r : 0;
}

int units_bus_stop(struct units_bus *b, const char *unit)
{
        return unit_name_is_template(unit) ? stop_instances(b, unit) : stop_one(b, unit);
}

int units_bus_start(struct units_bus *b, const char *unit)
{
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = b->api.sd_bus_call_method(b->bus, SD_DEST, SD_PATH, SD_IFACE, "StartUnit", &error, NULL,
                                      "ss", unit, "replace");
        return r < 0 ? call_failed(b, r, &error, "cannot start", unit) : 0;
}

int units_bus_reload(struct units_bus *b)
{
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *req = NULL;
        int r;

        /* A reload on a slow first boot can outlast sd-bus's default 25 s timeout. */
        r = b->api.sd_bus_message_new_method_call(b->bus, &req, SD_DEST, SD_PATH, SD_IFACE,
                                                  "Reload");
        if (r >= 0)
                r = b->api.sd_bus_call(b->bus, req, RELOAD_TIMEOUT_USEC, &error, NULL);
        b->api.sd_bus_message_unref(req);
        return r < 0 ? call_failed(b, r, &error, "cannot reload", "systemd") : 0;
}

/* The unit's ActiveState ("active", "inactive", ...); "inactive" for a unit not loaded. */
int units_bus_active_state(struct units_bus *b, const char *unit, char **ret)
{
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *path;
        int r;

        r = b->api.sd_bus_call_method(b->bus, SD_DEST, SD_PATH, SD_IFACE, "GetUnit", &error, &reply,
                                      "s", unit);
        if (r < 0 && b->api.sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit")) {
                b->api.sd_bus_error_free(&error);
                *ret = xstrdup("inactive");
                return 0;
        }
        if (r < 0)
                return call_failed(b, r, &error, "cannot look up", unit);
        r = b->api.sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = b->api.sd_bus_get_property_string(b->bus, SD_DEST, path, SD_UNIT_IFACE,
                                                      "ActiveState", &error, ret);
        b->api.sd_bus_message_unref(reply);
        return r < 0 ? call_failed(b, r, &error, "cannot read the state of", unit) : 0;
}

/* Until systemd has finished the job (its object is gone), or JOB_TIMEOUT_SEC. */
static int wait_job(struct units_bus *b, const char *job, const char *unit)
{
        for (unsigned i = 0; i < JOB_TIMEOUT_SEC * 10; i++) {
                sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_free_ char *state = NULL;
                int r = b->api.sd_bus_get_property_string(b->bus, SD_DEST, job, SD_JOB_IFACE,
                                                          "State", &error, &state);
                b->api.sd_bus_error_free(&error);
                if (r < 0)
                        return 0; /* the job object is gone: done */
                nanosleep(&(struct timespec){.tv_nsec = 100 * 1000 * 1000}, NULL);
        }
        return log_error("%s: systemd's job did not finish in %d s", unit, JOB_TIMEOUT_SEC);
}

int units_bus_reload_or_restart(struct units_bus *b, const char *unit, bool restart)
{
        const char *method = restart ? "TryRestartUnit" : "ReloadOrTryRestartUnit";
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        _cleanup_free_ char *job = NULL;
        const char *path;
        int r;

        r = b->api.sd_bus_call_method(b->bus, SD_DEST, SD_PATH, SD_IFACE, method, &error, &reply,
                                      "ss", unit, "replace");
        if (r < 0)
                return call_failed(b, r, &error, restart ? "cannot restart" : "cannot reload",
                                   unit);
        r = b->api.sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                job = xstrdup(path);
        b->api.sd_bus_message_unref(reply);
        if (r < 0)
                return log_error_errno(r, "%s %s: bad reply", method, unit);
        log_debug("systemd: %s %s: job %s", method, unit, job);
        return wait_job(b, job, unit);
}
