/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <systemd/sd-bus.h>

#include "../init/log.h"
#include "../init/util.h"
#include "units-bus.h"
#include "units-files.h"

#define SD_DEST             "org.freedesktop.systemd1"
#define SD_PATH             "/org/freedesktop/systemd1"
#define SD_IFACE            "org.freedesktop.systemd1.Manager"
#define SYSTEMD_PRIVATE     "unix:path=/run/systemd/private"
#define RELOAD_TIMEOUT_USEC (300ULL * 1000000ULL)

static int open_private(sd_bus **ret)
{
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, SYSTEMD_PRIVATE);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r < 0) {
                sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

int units_bus_open(sd_bus **ret)
{
        int r = open_private(ret);

        if (r >= 0)
                return 0;
        log_debug("systemd's private socket: %s; trying the system bus", strerror(-r));
        r = sd_bus_open_system(ret);
        if (r < 0)
                return log_error_errno(r, "cannot connect to systemd (private socket or system "
                                          "bus)");
        return 0;
}

static int call_failed(int r, sd_bus_error *error, const char *what, const char *unit)
{
        r = log_error_errno(r, "%s %s: %s", what, unit,
                            error->message ? error->message : "D-Bus call failed");
        sd_bus_error_free(error);
        return r;
}

int units_bus_disable(sd_bus *bus, const char *unit, bool *ret_changed)
{
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *type, *path, *source;
        int r;

        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_IFACE, "DisableUnitFiles", &error, &reply,
                               "asb", 1, unit, 0);
        if (r < 0)
                return call_failed(r, &error, "cannot disable", unit);
        r = sd_bus_message_enter_container(reply, 'a', "(sss)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sss)", &type, &path, &source)) > 0) {
                log_debug("systemd: %s %s", type, path);
                *ret_changed = true;
        }
        sd_bus_message_unref(reply);
        return r < 0 ? log_error_errno(r, "cannot disable %s: bad reply", unit) : 0;
}

static int stop_one(sd_bus *bus, const char *unit)
{
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_IFACE, "StopUnit", &error, NULL, "ss",
                               unit, "replace");
        if (r < 0 && sd_bus_error_has_name(&error, "org.freedesktop.systemd1.NoSuchUnit")) {
                sd_bus_error_free(&error);
                return 0;
        }
        if (r < 0)
                return call_failed(r, &error, "cannot stop", unit);
        log_debug("systemd: stop job queued for %s", unit);
        return 0;
}

/* The loaded instances of a template: "foo@.service" -> units matching "foo@*.service". */
static int stop_instances(sd_bus *bus, const char *template)
{
        _cleanup_free_ char *pattern = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *req = NULL, *reply = NULL;
        const char *at = strchr(template, '@'), *name;
        int r;

        pattern = xasprintf("%.*s*%s", (int)(at + 1 - template), template, at + 1);
        r = sd_bus_message_new_method_call(bus, &req, SD_DEST, SD_PATH, SD_IFACE,
                                           "ListUnitsByPatterns");
        if (r >= 0)
                r = sd_bus_message_append_strv(req, (char *[]){NULL});
        if (r >= 0)
                r = sd_bus_message_append_strv(req, (char *[]){pattern, NULL});
        if (r >= 0)
                r = sd_bus_call(bus, req, 0, &error, &reply);
        sd_bus_message_unref(req);
        if (r < 0)
                return call_failed(r, &error, "cannot list", pattern);
        r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(ssssssouso)", &name, NULL, NULL, NULL,
                                                  NULL, NULL, NULL, NULL, NULL, NULL)) > 0)
                r = stop_one(bus, name);
        sd_bus_message_unref(reply);
        return r < 0 ? r : 0;
}

int units_bus_stop(sd_bus *bus, const char *unit)
{
        return unit_name_is_template(unit) ? stop_instances(bus, unit) : stop_one(bus, unit);
}

int units_bus_start(sd_bus *bus, const char *unit)
{
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, SD_DEST, SD_PATH, SD_IFACE, "StartUnit", &error, NULL, "ss",
                               unit, "replace");
        return r < 0 ? call_failed(r, &error, "cannot start", unit) : 0;
}

int units_bus_reload(sd_bus *bus)
{
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *req = NULL;
        int r;

        /* A reload on a slow first boot can outlast sd-bus's default 25 s timeout. */
        r = sd_bus_message_new_method_call(bus, &req, SD_DEST, SD_PATH, SD_IFACE, "Reload");
        if (r >= 0)
                r = sd_bus_call(bus, req, RELOAD_TIMEOUT_USEC, &error, NULL);
        sd_bus_message_unref(req);
        return r < 0 ? call_failed(r, &error, "cannot reload", "systemd") : 0;
}
