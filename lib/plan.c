/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <json-c/json.h>
#include <stdarg.h>

#include "facts.h"
#include "plan.h"
#include "size.h"
#include "util.h"

struct action *plan_add(struct plan *p, enum action_type type, const char *module)
{
        struct action *a;

        p->actions = xrealloc(p->actions, (p->n_actions + 1) * sizeof(*a));
        a = &p->actions[p->n_actions++];
        *a = (struct action){.type = type, .module = module};
        return a;
}

struct action *plan_add_file(struct plan *p, const char *module, const char *path, mode_t mode,
                             char *content)
{
        struct action *a = plan_add(p, ACTION_WRITE_FILE, module);

        a->path = xstrdup(path);
        a->mode = mode;
        a->content = content;
        a->content_size = strlen(content);
        return a;
}

static bool is_live(const struct action *a)
{
        return a->type == ACTION_SERVICE_LIVE || a->type == ACTION_SQL_LIVE;
}

void plan_merge_reloads(struct plan *p)
{
        size_t kept = 0, reloads = 0, n_live = 0;
        _cleanup_free_ struct action *live = xcalloc(p->n_actions + 1, sizeof(*live));

        for (size_t i = 0; i < p->n_actions; i++) {
                if (p->actions[i].type == ACTION_DAEMON_RELOAD) {
                        free(p->actions[i].note);
                        reloads++;
                        continue;
                }
                if (is_live(&p->actions[i])) {
                        live[n_live++] = p->actions[i];
                        continue;
                }
                p->actions[kept++] = p->actions[i];
        }
        p->n_actions = kept;
        if (reloads > 0)
                plan_add(p, ACTION_DAEMON_RELOAD, "core");
        for (size_t i = 0; i < n_live; i++)
                *plan_add(p, live[i].type, live[i].module) = live[i];
}

struct json_object *plan_extra_object(struct plan *p, const char *name)
{
        json_object *o;

        if (!p->extra)
                p->extra = json_object_new_object();
        if (!json_object_object_get_ex(p->extra, name, &o)) {
                o = json_object_new_object();
                json_object_object_add(p->extra, name, o);
        }
        return o;
}

void plan_note(struct plan *p, const char *fmt, ...)
{
        va_list ap;
        char *s = NULL;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        if (!s)
                return;
        p->notes = xrealloc(p->notes, (p->n_notes + 1) * sizeof(char *));
        p->notes[p->n_notes++] = s;
}

bool plan_incomplete(const struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++)
                if (p->actions[i].incomplete)
                        return true;
        return false;
}

void plan_done(struct plan *p)
{
        for (size_t i = 0; i < p->n_actions; i++) {
                struct action *a = &p->actions[i];
                free(a->path);
                free(a->content);
                free(a->target);
                free(a->key);
                free(a->value);
                free(a->old_value);
                free(a->unit);
                free(a->note);
                free(a->swap.path);
                free(a->swap.old_path);
                free(a->swap.fstype);
                free(a->swap.extra_path);
        }
        for (size_t i = 0; i < p->n_notes; i++)
                free(p->notes[i]);
        free(p->actions);
        free(p->notes);
        free(p->tier);
        free(p->text);
        if (p->extra)
                json_object_put(p->extra);
        *p = (struct plan){0};
}

void plan_set_facts(struct plan *p, const struct facts *f)
{
        p->ram_bytes = f->ram_bytes;
        p->ram_source = f->ram_source;
        p->container = f->container;
        p->vcpus = f->vcpus;
        p->vcpus_source = f->vcpus_source;
}

void plan_print_header(const struct plan *p, FILE *out)
{
        char b[32];

        fprintf(out, "RAM %s, tier %s", format_size(p->ram_bytes, b), p->tier ? p->tier : "-");
        if (p->container)
                fprintf(out, ", container %s (RAM from %s)", p->container, p->ram_source);
        if (p->vcpus)
                fprintf(out, ", %u vCPU%s (%s)", p->vcpus, p->vcpus == 1 ? "" : "s",
                        p->vcpus_source);
        fputc('\n', out);
}

void plan_print_text(const struct plan *p, bool applied, FILE *out)
{
        plan_print_header(p, out);
        for (size_t i = 0; i < p->n_actions; i++)
                plan_print_action(&p->actions[i], applied, out);
        for (size_t i = 0; i < p->n_notes; i++)
                fprintf(out, "  note    %s\n", p->notes[i]);
        if (p->text)
                fputs(p->text, out);
}

void plan_print_json(const struct plan *p, bool applied, FILE *out)
{
        json_object *root = json_object_new_object(), *notes = json_object_new_array();

        json_object_object_add(root, "applied", json_object_new_boolean(applied));
        json_object_object_add(root, "ram_bytes", json_object_new_uint64(p->ram_bytes));
        json_object_object_add(root, "tier", p->tier ? json_object_new_string(p->tier) : NULL);
        /* Where ram_bytes came from ("memory blocks", "cgroup memory.max", "--assume-ram"...):
         * the text header's "RAM from", so a script need not parse that line. */
        json_object_object_add(root, "ram_source",
                               p->ram_source ? json_object_new_string(p->ram_source) : NULL);
        json_object_object_add(root, "container",
                               p->container ? json_object_new_string(p->container) : NULL);
        json_object_object_add(root, "vcpus", json_object_new_uint64(p->vcpus));
        json_object_object_add(root, "vcpus_source",
                               p->vcpus_source ? json_object_new_string(p->vcpus_source) : NULL);
        json_object_object_add(root, "swap", NULL);
        json_object_object_add(root, "sysctl", json_object_new_object());
        json_object_object_add(root, "files", json_object_new_array());
        json_object_object_add(root, "units", json_object_new_array());
        for (size_t i = 0; i < p->n_actions; i++)
                action_kind(p->actions[i].type)->json(root, &p->actions[i], applied);
        for (size_t i = 0; i < p->n_notes; i++)
                json_object_array_add(notes, json_object_new_string(p->notes[i]));
        json_object_object_add(root, "notes", notes);
        if (p->extra) {
                json_object_object_foreach(p->extra, k, v)
                    json_object_object_add(root, k, json_object_get(v));
        }
        fprintf(out, "%s\n",
                json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
}

char *managed_file(const char *comment, const char *fmt, ...)
{
        _cleanup_free_ char *body = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&body, fmt, ap);
        va_end(ap);
        if (r < 0)
                abort();
        return xasprintf("%s%s: regenerated by memprov --rerun; put your own settings in "
                         "/etc/memprov (see memprov(8)).\n%s",
                         comment, MANAGED_HEADER + 1, body);
}

bool is_managed_content(const char *content)
{
        return content && (content[0] == '#' || content[0] == ';') &&
               startswith(content + 1, MANAGED_HEADER + 1);
}
