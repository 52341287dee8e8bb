/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The action kinds' journal operations (issue 20 item 3): the field a kind's records name it by
 * and, after an apply, the event an action is (swap created or resized, unit disabled or enabled,
 * a managed file left alone), with its MESSAGE_ID from catalog/memprov.catalog. lib/plan-kinds.c's
 * rows point here; lib/journal-events.c sends what they say without switching on the type.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <syslog.h>

#include "journal.h"
#include "plan-kinds.h"
#include "size.h"
#include "util.h"

static void event_field(struct action_event *ev, const char *fmt, ...) _printf_(2, 3);
static void event_field(struct action_event *ev, const char *fmt, ...)
{
        va_list ap;

        if (ev->n_fields >= ELEMENTSOF(ev->fields))
                abort(); /* a kind with more fields than the struct holds: a bug */
        va_start(ap, fmt);
        if (vasprintf(&ev->fields[ev->n_fields], fmt, ap) < 0)
                abort();
        va_end(ap);
        ev->n_fields++;
}

/* --- the field a kind's records name it by --- */

char *kind_path_subject(const struct action *a)
{
        return a->path ? xasprintf("MEMPROV_PATH=%s", a->path) : NULL;
}

char *kind_swap_subject(const struct action *a)
{
        return a->swap.path ? xasprintf("MEMPROV_PATH=%s", a->swap.path) : NULL;
}

char *kind_unit_subject(const struct action *a)
{
        return a->unit ? xasprintf("MEMPROV_UNIT=%s", a->unit) : NULL;
}

/* --- the events --- */

bool kind_swap_event(const struct action *a, struct action_event *ev)
{
        char b1[32], b2[32];
        bool resized = a->swap.op == SWAP_RESIZE;

        if (!a->changed || (a->swap.op != SWAP_CREATE && !resized))
                return false;
        ev->priority = LOG_INFO;
        ev->id = resized ? MEMPROV_MESSAGE_SWAP_RESIZED : MEMPROV_MESSAGE_SWAP_CREATED;
        event_field(ev, "MEMPROV_PATH=%s", a->swap.path);
        event_field(ev, "MEMPROV_SWAP_BYTES=%" PRIu64, a->swap.size_bytes);
        if (resized) {
                event_field(ev, "MEMPROV_OLD_SWAP_BYTES=%" PRIu64, a->swap.old_size_bytes);
                ev->message = xasprintf("swapfile %s resized from %s to %s", a->swap.path,
                                        format_size(a->swap.old_size_bytes, b1),
                                        format_size(a->swap.size_bytes, b2));
        } else
                ev->message = xasprintf("swapfile %s created, %s, active and in fstab",
                                        a->swap.path, format_size(a->swap.size_bytes, b1));
        return true;
}

bool kind_unit_event(const struct action *a, struct action_event *ev)
{
        bool disabled = a->unit_op == UNIT_DISABLE;

        if (!a->changed)
                return false;
        ev->priority = LOG_INFO;
        ev->id = disabled ? MEMPROV_MESSAGE_UNIT_DISABLED : MEMPROV_MESSAGE_UNIT_ENABLED;
        event_field(ev, "MEMPROV_UNIT=%s", a->unit);
        ev->message = xasprintf("%s %s%s%s", a->unit, disabled ? "disabled" : "enabled again",
                                a->note ? ": " : "", a->note ? a->note : "");
        return true;
}

/* A managed file or link left alone: the admin's, said once with its own MESSAGE_ID. */
bool kind_file_event(const struct action *a, struct action_event *ev)
{
        if (!a->skip || !a->path)
                return false;
        ev->priority = LOG_NOTICE;
        ev->id = MEMPROV_MESSAGE_FILE_KEPT;
        event_field(ev, "MEMPROV_PATH=%s", a->path);
        ev->message = xasprintf("%s left alone: %s", a->path,
                                a->note ? a->note : "changed since memprov wrote it");
        return true;
}

bool action_event(const struct action *a, struct action_event *ret)
{
        const struct action_kind *k = action_kind(a->type);

        *ret = (struct action_event){0};
        return k->event && k->event(a, ret);
}

void action_event_done(struct action_event *ev)
{
        free(ev->message);
        for (size_t i = 0; i < ev->n_fields; i++)
                free(ev->fields[i]);
        *ev = (struct action_event){0};
}
