/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <json-c/json.h>
#include <stdarg.h>

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

const char *swap_op_name(enum swap_op op)
{
        static const char *const names[] = {
            [SWAP_NONE] = "none",     [SWAP_KEEP] = "keep",     [SWAP_CREATE] = "create",
            [SWAP_RESIZE] = "resize", [SWAP_REMOVE] = "remove",
        };
        return names[op];
}

static const char *swap_op_done(enum swap_op op)
{
        static const char *const names[] = {
            [SWAP_NONE] = "none",      [SWAP_KEEP] = "kept",      [SWAP_CREATE] = "created",
            [SWAP_RESIZE] = "resized", [SWAP_REMOVE] = "removed",
        };
        return names[op];
}

static const char *verb(const struct action *a, bool applied)
{
        if (a->skip)
                return "skip";
        /* An apply that stopped on an error never reached the actions after it. */
        if (applied && !a->reached)
                return "not done";
        if (applied && a->failed)
                return "failed";
        if (applied && a->incomplete)
                return "incomplete";
        /* What the run would print, in a --dry-run too: one comparison (init/compare.h). */
        if (a->deferred)
                return "deferred";
        if ((applied && !a->changed) || (!applied && a->as_planned))
                return a->type == ACTION_SWAP && a->swap.op == SWAP_NONE ? "none" : "unchanged";
        switch (a->type) {
        case ACTION_WRITE_FILE:
                return applied ? "written" : "write";
        case ACTION_REMOVE_FILE:
                return applied ? "removed" : "remove";
        case ACTION_SYMLINK:
                return applied ? "linked" : "link";
        case ACTION_SYSCTL:
        case ACTION_ZSWAP:
                return "set";
        case ACTION_UNIT:
                return a->unit_op == UNIT_DISABLE ? (applied ? "disabled" : "disable")
                                                  : (applied ? "enabled" : "enable");
        case ACTION_DAEMON_RELOAD:
                return applied ? "reloaded" : "reload";
        case ACTION_SERVICE_LIVE:
                if (a->unit_op == UNIT_START)
                        return applied ? "started" : "start";
                if (a->unit_op == UNIT_STOP)
                        return applied ? "stopped" : "stop";
                return a->unit_op == UNIT_RESTART ? (applied ? "restarted" : "restart")
                                                  : (applied ? "reloaded" : "reload");
        case ACTION_SQL_LIVE:
                return "set live";
        case ACTION_SWAP:
                return applied ? swap_op_done(a->swap.op) : swap_op_name(a->swap.op);
        }
        return "?";
}

void plan_print_action(const struct action *a, bool applied, FILE *out)
{
        char b1[32], b2[32];

        switch (a->type) {
        case ACTION_SWAP:
                fprintf(out, "  swap    %-9s %s", verb(a, applied),
                        a->swap.path ? a->swap.path : "-");
                if (a->swap.op != SWAP_NONE && a->swap.op != SWAP_REMOVE)
                        fprintf(out, " %s", format_size(a->swap.size_bytes, b1));
                if (a->swap.op == SWAP_RESIZE)
                        fprintf(out, " (was %s)", format_size(a->swap.old_size_bytes, b2));
                break;
        case ACTION_SYSCTL:
                fprintf(out, "  sysctl  %-9s %s = %s", verb(a, applied), a->key, a->value);
                break;
        case ACTION_ZSWAP:
                fprintf(out, "  zswap   %-9s %s = %s", verb(a, applied), a->key, a->value);
                break;
        case ACTION_UNIT:
                fprintf(out, "  unit    %-9s %s", verb(a, applied), a->unit);
                break;
        case ACTION_DAEMON_RELOAD:
                fprintf(out, "  systemd %-9s daemon", verb(a, applied));
                break;
        case ACTION_SERVICE_LIVE:
                fprintf(out, "  service %-9s %s", verb(a, applied), a->unit);
                break;
        case ACTION_SQL_LIVE:
                fprintf(out, "  service %-9s %s", verb(a, applied), a->path);
                break;
        case ACTION_SYMLINK:
                fprintf(out, "  file    %-9s %s -> %s", verb(a, applied), a->path, a->target);
                break;
        default:
                fprintf(out, "  file    %-9s %s", verb(a, applied), a->path);
                if (a->type == ACTION_WRITE_FILE)
                        fprintf(out, " (%04o)", (unsigned)a->mode);
        }
        fprintf(out, a->note ? "  # %s\n" : "\n", a->note);
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

static json_object *swap_json(const struct action *a, bool applied)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "path",
                               a->swap.path ? json_object_new_string(a->swap.path) : NULL);
        json_object_object_add(o, "size_bytes", json_object_new_uint64(a->swap.size_bytes));
        json_object_object_add(o, "action", json_object_new_string(swap_op_name(a->swap.op)));
        if (applied) {
                json_object_object_add(o, "result", json_object_new_string(verb(a, applied)));
                json_object_object_add(o, "changed", json_object_new_boolean(a->changed));
        }
        if (a->swap.op == SWAP_RESIZE)
                json_object_object_add(o, "old_size_bytes",
                                       json_object_new_uint64(a->swap.old_size_bytes));
        if (a->note)
                json_object_object_add(o, "note", json_object_new_string(a->note));
        return o;
}

static json_object *file_json(const struct action *a, bool applied)
{
        json_object *o = json_object_new_object();
        char mode[8];

        snprintf(mode, sizeof(mode), "%04o", (unsigned)a->mode);
        json_object_object_add(o, "path", json_object_new_string(a->path));
        if (a->type == ACTION_WRITE_FILE)
                json_object_object_add(o, "mode", json_object_new_string(mode));
        if (a->type == ACTION_SYMLINK)
                json_object_object_add(o, "target", json_object_new_string(a->target));
        if (a->type == ACTION_WRITE_FILE)
                json_object_object_add(
                    o, "content", json_object_new_string_len(a->content, (int)a->content_size));
        json_object_object_add(o, "action", json_object_new_string(verb(a, false)));
        if (applied) {
                json_object_object_add(o, "result", json_object_new_string(verb(a, applied)));
                json_object_object_add(o, "changed", json_object_new_boolean(a->changed));
        }
        if (a->note)
                json_object_object_add(o, "note", json_object_new_string(a->note));
        return o;
}

static void add_action_json(json_object *root, const struct action *a, bool applied)
{
        json_object *o;

        switch (a->type) {
        case ACTION_SWAP:
                json_object_object_add(root, "swap", swap_json(a, applied));
                break;
        case ACTION_SYSCTL:
                json_object_object_get_ex(root, "sysctl", &o);
                json_object_object_add(o, a->key, json_object_new_string(a->value));
                break;
        case ACTION_UNIT:
                json_object_object_get_ex(root, "units", &o);
                json_object *u = json_object_new_object();
                json_object_object_add(u, "name", json_object_new_string(a->unit));
                json_object_object_add(u, "action", json_object_new_string(verb(a, false)));
                if (applied) {
                        json_object_object_add(u, "result",
                                               json_object_new_string(verb(a, applied)));
                        json_object_object_add(u, "changed", json_object_new_boolean(a->changed));
                }
                if (a->note)
                        json_object_object_add(u, "note", json_object_new_string(a->note));
                json_object_array_add(o, u);
                break;
        case ACTION_DAEMON_RELOAD:
                json_object_object_add(root, "daemon_reload", json_object_new_boolean(true));
                break;
        case ACTION_SERVICE_LIVE:
        case ACTION_SQL_LIVE:
                if (!json_object_object_get_ex(root, "live", &o)) {
                        o = json_object_new_array();
                        json_object_object_add(root, "live", o);
                }
                json_object *l = json_object_new_object();
                json_object_object_add(l, "target",
                                       json_object_new_string(a->unit ? a->unit : a->path));
                json_object_object_add(l, "action", json_object_new_string(verb(a, false)));
                if (applied)
                        json_object_object_add(l, "changed", json_object_new_boolean(a->changed));
                if (a->note)
                        json_object_object_add(l, "note", json_object_new_string(a->note));
                json_object_array_add(o, l);
                break;
        case ACTION_ZSWAP:
                if (!json_object_object_get_ex(root, "zswap", &o)) {
                        o = json_object_new_object();
                        json_object_object_add(root, "zswap", o);
                }
                json_object_object_add(o, a->key, json_object_new_string(a->value));
                break;
        default:
                json_object_object_get_ex(root, "files", &o);
                json_object_array_add(o, file_json(a, applied));
        }
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
                add_action_json(root, &p->actions[i], applied);
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
