/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Each action kind's part of --json (the plan or the result) and of --status's "rerun would":
 * the rows of lib/plan-kinds.c's table point here. */
#include <inttypes.h>
#include <json-c/json.h>

#include "fsutil.h"
#include "plan-kinds.h"
#include "size.h"
#include "util.h"

/* --- --json: each kind's part of the plan or result object --- */

/* "action", and after an apply "result" and "changed", then "note": every listed kind's tail. */
static void add_outcome(json_object *o, const struct action *a, bool applied, bool result)
{
        json_object_object_add(o, "action", json_object_new_string(action_verb(a, false)));
        if (applied) {
                if (result)
                        json_object_object_add(o, "result",
                                               json_object_new_string(action_verb(a, applied)));
                json_object_object_add(o, "changed", json_object_new_boolean(a->changed));
        }
        if (a->note)
                json_object_object_add(o, "note", json_object_new_string(a->note));
}

/* root[name] as a container of type t, made on first use. */
static json_object *section(json_object *root, const char *name, json_type t)
{
        json_object *o;

        if (!json_object_object_get_ex(root, name, &o) || !json_object_is_type(o, t)) {
                o = t == json_type_array ? json_object_new_array() : json_object_new_object();
                json_object_object_add(root, name, o);
        }
        return o;
}

void kind_file_json(json_object *root, const struct action *a, bool applied)
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
        add_outcome(o, a, applied, true);
        json_object_array_add(section(root, "files", json_type_array), o);
}

void kind_swap_json(json_object *root, const struct action *a, bool applied)
{
        json_object *o = json_object_new_object();

        json_object_object_add(o, "path",
                               a->swap.path ? json_object_new_string(a->swap.path) : NULL);
        json_object_object_add(o, "size_bytes", json_object_new_uint64(a->swap.size_bytes));
        /* The listing's word, as for files and units: "unchanged" for a swapfile kept as it
         * is, "restore" for one whose fstab line or swapon is put back. */
        json_object_object_add(o, "action", json_object_new_string(action_verb(a, false)));
        if (applied) {
                json_object_object_add(o, "result", json_object_new_string(action_verb(a, true)));
                json_object_object_add(o, "changed", json_object_new_boolean(a->changed));
        }
        if (a->swap.op == SWAP_RESIZE)
                json_object_object_add(o, "old_size_bytes",
                                       json_object_new_uint64(a->swap.old_size_bytes));
        if (a->note)
                json_object_object_add(o, "note", json_object_new_string(a->note));
        json_object_object_add(root, "swap", o);
}

void kind_sysctl_json(json_object *root, const struct action *a, bool applied)
{
        (void)applied;
        json_object_object_add(section(root, "sysctl", json_type_object), a->key,
                               json_object_new_string(a->value));
}

void kind_zswap_json(json_object *root, const struct action *a, bool applied)
{
        (void)applied;
        json_object_object_add(section(root, "zswap", json_type_object), a->key,
                               json_object_new_string(a->value));
}

void kind_unit_json(json_object *root, const struct action *a, bool applied)
{
        json_object *u = json_object_new_object();

        json_object_object_add(u, "name", json_object_new_string(a->unit));
        add_outcome(u, a, applied, true);
        json_object_array_add(section(root, "units", json_type_array), u);
}

void kind_reload_json(json_object *root, const struct action *a, bool applied)
{
        (void)a, (void)applied;
        json_object_object_add(root, "daemon_reload", json_object_new_boolean(true));
}

void kind_live_json(json_object *root, const struct action *a, bool applied)
{
        json_object *l = json_object_new_object();

        json_object_object_add(l, "target", json_object_new_string(a->unit ? a->unit : a->path));
        add_outcome(l, a, applied, false);
        json_object_array_add(section(root, "live", json_type_array), l);
}

/* --- what applying it would change, for --status --- */

char *kind_write_change(const struct action *a)
{
        return xasprintf("write %s", a->path);
}

char *kind_link_change(const struct action *a)
{
        return xasprintf("link %s", a->path);
}

char *kind_remove_change(const struct action *a)
{
        return xasprintf("remove %s", a->path);
}

char *kind_sysctl_change(const struct action *a)
{
        return a->deferred ? NULL : xasprintf("set %s = %s", a->key, a->value);
}

char *kind_zswap_change(const struct action *a)
{
        return a->deferred ? NULL : xasprintf("set zswap %s = %s", a->key, a->value);
}

char *kind_unit_change(const struct action *a)
{
        return xasprintf("%s %s", action_kind_verb(a, false), a->unit);
}

char *kind_swap_change(const struct action *a)
{
        char b1[32], b2[32];

        if (a->swap.op == SWAP_CREATE)
                return xasprintf("create swapfile %s of %s", a->swap.path,
                                 format_size(a->swap.size_bytes, b1));
        if (a->swap.op == SWAP_RESIZE)
                return xasprintf("resize swapfile %s to %s (now %s)", a->swap.path,
                                 format_size(a->swap.size_bytes, b1),
                                 format_size(a->swap.old_size_bytes, b2));
        if (a->swap.op == SWAP_REMOVE)
                return xasprintf("remove swapfile %s", a->swap.path);
        if (a->swap.op == SWAP_KEEP)
                return xasprintf("restore swapfile %s (its fstab line%s)", a->swap.path,
                                 a->swap.live ? " and swapon" : "");
        return NULL;
}

/* --status --json's "op" for a swap change: the listing's planned word ("restore" for its
 * fstab line or swapon put back). */
const char *kind_swap_change_op(const struct action *a)
{
        return action_kind_verb(a, false);
}

const char *kind_path_name(const struct action *a)
{
        return a->path;
}

const char *kind_key_name(const struct action *a)
{
        return a->key;
}

const char *kind_unit_name(const struct action *a)
{
        return a->unit;
}

const char *kind_swap_name(const struct action *a)
{
        return a->swap.path;
}

void kind_key_change_json(json_object *o, const struct action *a)
{
        json_object_object_add(o, "value", json_object_new_string(a->value));
}

void kind_swap_change_json(json_object *o, const struct action *a)
{
        if (a->swap.op != SWAP_REMOVE)
                json_object_object_add(o, "size_bytes", json_object_new_uint64(a->swap.size_bytes));
        if (a->swap.op == SWAP_RESIZE)
                json_object_object_add(o, "old_size_bytes",
                                       json_object_new_uint64(a->swap.old_size_bytes));
}

/* --- the state's record --- */

/* A file: its bytes' hash, mode and module, to tell later whether the admin changed it. */
char *kind_write_record(const struct action *a)
{
        return xasprintf("%016" PRIx64 " %04o %s", hash64(a->content, a->content_size),
                         (unsigned)a->mode, a->module);
}

char *kind_link_record(const struct action *a)
{
        return xasprintf("%s %s", a->target, a->module);
}
