/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The events of an applied plan as journal records (lib/journal.h). */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <syslog.h>

#include "journal.h"
#include "size.h"
#include "util.h"

/* The fields every event of the run carries, then up to 6 of the event's own. */
struct event {
        char *fields[8];
        size_t n;
};

static void event_add(struct event *e, const char *fmt, ...) _printf_(2, 3);
static void event_add(struct event *e, const char *fmt, ...)
{
        va_list ap;

        if (e->n >= ELEMENTSOF(e->fields))
                return;
        va_start(ap, fmt);
        if (vasprintf(&e->fields[e->n], fmt, ap) < 0)
                abort();
        va_end(ap);
        e->n++;
}

static void event_send(struct event *e, int priority, const char *id, const char *message)
{
        (void)journal_send(priority, id, message, (const char *const *)e->fields, e->n);
        for (size_t i = 0; i < e->n; i++)
                free(e->fields[i]);
        e->n = 0;
}

static void event_start(struct event *e, const struct plan *p)
{
        event_add(e, "MEMPROV_TIER=%s", p->tier ? p->tier : "");
        event_add(e, "MEMPROV_RAM_BYTES=%" PRIu64, p->ram_bytes);
        if (p->container)
                event_add(e, "MEMPROV_CONTAINER=%s", p->container);
}

/* The budget module's JSON ("budget": {"lines": [{service, setting, wanted, count}]}). */
static void budget_events(const struct plan *p)
{
        json_object *budget, *lines;

        if (!p->extra || !json_object_object_get_ex(p->extra, "budget", &budget) ||
            !json_object_object_get_ex(budget, "lines", &lines))
                return;
        for (size_t i = 0; i < json_object_array_length(lines); i++) {
                json_object *l = json_object_array_get_idx(lines, i), *v;
                const char *service = "", *setting = NULL;
                int64_t wanted = 0, count = 0;
                if (json_object_object_get_ex(l, "service", &v))
                        service = json_object_get_string(v);
                if (json_object_object_get_ex(l, "setting", &v) && v)
                        setting = json_object_get_string(v);
                if (json_object_object_get_ex(l, "wanted", &v))
                        wanted = json_object_get_int64(v);
                if (json_object_object_get_ex(l, "count", &v))
                        count = json_object_get_int64(v);
                /* A cache that got less room than it wanted was not lowered: it grew. */
                if (json_object_object_get_ex(l, "role", &v) && v &&
                    streq(json_object_get_string(v), "cache"))
                        continue;
                if (!setting || count >= wanted)
                        continue;
                /* The sizing model (issue 18): not "to fit in RAM", but the bound that set it
                 * (cpu, steady, burst) below the cap php.max_children put on a master. */
                const char *bound = "model";
                if (json_object_object_get_ex(l, "bound", &v) && v)
                        bound = json_object_get_string(v);
                _cleanup_free_ char *msg = xasprintf("budget: %s %s lowered from %" PRId64
                                                     " to %" PRId64 " by the %s bound",
                                                     service, setting, wanted, count, bound);
                struct event e = {0};
                event_start(&e, p);
                event_add(&e, "MEMPROV_SERVICE=%s", service);
                event_add(&e, "MEMPROV_SETTING=%s", setting);
                event_add(&e, "MEMPROV_WANTED=%" PRId64, wanted);
                event_add(&e, "MEMPROV_VALUE=%" PRId64, count);
                event_send(&e, LOG_NOTICE, MEMPROV_MESSAGE_BUDGET_LOWERED, msg);
        }
}

/* An applied action that is one of the events (its kind's row says, lib/plan-events.c): its
 * record, with its MESSAGE_ID. */
static bool send_action_event(const struct plan *p, const struct action *a)
{
        struct action_event ev;
        struct event e = {0};

        if (!action_event(a, &ev))
                return false;
        event_start(&e, p);
        for (size_t i = 0; i < ev.n_fields; i++)
                event_add(&e, "%s", ev.fields[i]);
        event_send(&e, ev.priority, ev.id, ev.message);
        action_event_done(&ev);
        return true;
}

void journal_plan_events(const struct plan *p)
{
        if (!journal_active())
                return;
        for (size_t i = 0; i < p->n_actions; i++)
                (void)send_action_event(p, &p->actions[i]);
        budget_events(p);
}

/* Each line of text as one record: the run's fields and, for an action's line, what it is
 * about. The listing's indentation is for a terminal, not for a record. */
static void line_records(const struct plan *p, const struct action *a, int priority,
                         const char *text)
{
        for (const char *l = text; *l;) {
                size_t len = strcspn(l, "\n"), lead = strspn(l, " ");
                struct event e = {0};

                if (lead < len) {
                        _cleanup_free_ char *line = xasprintf("%.*s", (int)(len - lead), l + lead);
                        const struct action_kind *k = a ? action_kind(a->type) : NULL;
                        _cleanup_free_ char *subject = k && k->subject ? k->subject(a) : NULL;
                        event_start(&e, p);
                        if (subject)
                                event_add(&e, "%s", subject);
                        event_send(&e, priority, NULL, line);
                }
                l += len + (l[len] == '\n');
        }
}

/* What plan_print_* writes, as a string. */
static char *listing_part(const struct plan *p, const struct action *a, bool applied)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                abort();
        if (a)
                plan_print_action(a, applied, f);
        else
                plan_print_header(p, f);
        if (fclose(f) != 0)
                abort();
        return buf;
}

void journal_plan_listing(const struct plan *p, bool applied)
{
        _cleanup_free_ char *header = listing_part(p, NULL, applied);

        line_records(p, NULL, LOG_INFO, header);
        for (size_t i = 0; i < p->n_actions; i++) {
                const struct action *a = &p->actions[i];
                bool stopped = applied && (a->failed || !a->reached);

                if (applied && send_action_event(p, a))
                        continue;
                _cleanup_free_ char *line = listing_part(p, a, applied);
                line_records(p, a, stopped ? LOG_WARNING : LOG_INFO, line);
        }
        for (size_t i = 0; i < p->n_notes; i++) {
                _cleanup_free_ char *note = xasprintf("note    %s", p->notes[i]);
                line_records(p, NULL, LOG_INFO, note);
        }
        if (p->text)
                line_records(p, NULL, LOG_INFO, p->text);
        if (applied)
                budget_events(p);
}
