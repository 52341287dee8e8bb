/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>

#include "cloudinit.h"
#include "fsutil.h"
#include "log.h"
#include "util.h"

/* memprov -> section -> key -> list -> item: anything deeper is a mistake, not a setting. */
#define USERDATA_MAX_DEPTH 4
#define NAME_MAX_LEN       128

static bool name_char_ok(char c, const char *extra)
{
        return isalnum((unsigned char)c) || (c && strchr(extra, c));
}

/* Section names include tiers ("tier 1G"); neither names a file, so no slash. */
static bool section_name_ok(const char *s)
{
        size_t len = strlen(s);

        if (len == 0 || len > NAME_MAX_LEN || s[0] == ' ' || s[len - 1] == ' ')
                return false;
        for (; *s; s++)
                if (!name_char_ok(*s, " _.@-"))
                        return false;
        return true;
}

static bool key_name_ok(const char *s)
{
        size_t len = strlen(s);

        if (len == 0 || len > NAME_MAX_LEN)
                return false;
        for (; *s; s++)
                if (!name_char_ok(*s, "_.-"))
                        return false;
        return true;
}

/* A value goes into an INI line: no control characters (newlines above all), no NUL inside. */
static bool value_ok(const char *s, size_t len)
{
        if (strlen(s) != len)
                return false;
        for (; *s; s++)
                if ((unsigned char)*s < 0x20 || *s == 0x7f)
                        return false;
        return true;
}

static const char *type_word(json_object *o)
{
        switch (json_object_get_type(o)) {
        case json_type_object:
                return "a mapping";
        case json_type_array:
                return "a list";
        case json_type_null:
                return "no value";
        default:
                return "a value";
        }
}

static int scalar_text(json_object *o, const char *origin, const char **ret)
{
        switch (json_object_get_type(o)) {
        case json_type_boolean:
                *ret = json_object_get_boolean(o) ? "true" : "false";
                return 0;
        case json_type_int:
        case json_type_double:
        case json_type_string:
                *ret = json_object_get_string(o);
                if (json_object_is_type(o, json_type_string) &&
                    !value_ok(*ret, (size_t)json_object_get_string_len(o)))
                        return log_error("%s: control characters (such as a newline) are not "
                                         "allowed in a value",
                                         origin);
                return 0;
        case json_type_object:
        case json_type_array:
                return log_error("%s: nested too deep (expected a value or a list of values, "
                                 "got %s)",
                                 origin, type_word(o));
        default:
                return log_error("%s: expected a value or a list of values, got %s", origin,
                                 type_word(o));
        }
}

/* A list becomes the INI's space-separated list, so each item must be one word. */
static int list_text(json_object *list, const char *origin, char **ret)
{
        _cleanup_free_ char *joined = xstrdup("");
        size_t n = json_object_array_length(list);

        for (size_t i = 0; i < n; i++) {
                const char *item;
                char *next;
                int r = scalar_text(json_object_array_get_idx(list, i), origin, &item);
                if (r < 0)
                        return r;
                if (!*item || strpbrk(item, " ,\t"))
                        return log_error("%s: list item \"%s\" is not a single name", origin, item);
                next = xasprintf("%s%s%s", joined, i ? " " : "", item);
                free(joined);
                joined = next;
        }
        *ret = TAKE_PTR(joined);
        return 0;
}

/* A list only where the key takes one: its check accepts two words where it accepts one. */
static int check_list_allowed(const struct config_key *const *keys, const char *section,
                              const char *key, json_object *list, const char *origin)
{
        const struct config_key *k = config_key_lookup(keys, section, key);
        _cleanup_free_ char *probe = NULL;
        const char *first;

        if (!k || !k->check || json_object_array_length(list) == 0)
                return 0;
        first = json_object_get_string(json_object_array_get_idx(list, 0));
        if (!first || k->check(first) < 0)
                return 0; /* a bad item: config_validate() names the value */
        probe = xasprintf("%s %s", first, first);
        if (k->check(probe) < 0)
                return log_error("%s: expected a single value, got a list", origin);
        return 0;
}

static int add_setting(struct config *out, const struct config_key *const *keys,
                       const char *section, const char *key, json_object *v, const char *path)
{
        _cleanup_free_ char *origin = xasprintf("user-data memprov.%s", path);
        _cleanup_free_ char *joined = NULL;
        const char *text;
        int r;

        if (!key_name_ok(key))
                return log_error("%s: \"%s\" is not a key name (letters, digits, '_', '.', '-')",
                                 origin, key);
        if (json_object_is_type(v, json_type_array)) {
                r = list_text(v, origin, &joined);
                if (r == 0)
                        r = check_list_allowed(keys, section, key, v, origin);
                text = joined;
        } else
                r = scalar_text(v, origin, &text);
        if (r < 0)
                return r;
        config_set(out, section, key, text, origin);
        return 0;
}

static int add_section(struct config *out, const struct config_key *const *keys,
                       const char *section, json_object *settings)
{
        if (!section_name_ok(section))
                return log_error("user-data memprov.%s: \"%s\" is not a section name (letters, "
                                 "digits, ' ', '_', '.', '@', '-')",
                                 section, section);
        json_object_object_foreach(settings, key, v)
        {
                _cleanup_free_ char *path = xasprintf("%s.%s", section, key);
                int r = add_setting(out, keys, section, key, v, path);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool is_section(const struct config_key *const *keys, const char *name)
{
        if (startswith(name, "tier "))
                return true;
        for (; keys && *keys; keys++)
                for (const struct config_key *k = *keys; k->section; k++)
                        if (streq(k->section, name))
                                return true;
        return false;
}

/* The memprov: value: sections as mappings, plain values for [memprov] itself. A known section
 * given a value, or a [memprov] key given a mapping, is the wrong type: an error, as the README
 * says, not an unknown key. */
static int add_userdata(struct config *out, const struct config_key *const *keys,
                        json_object *memprov)
{
        int r;

        if (!json_object_is_type(memprov, json_type_object))
                return log_error("user-data memprov: expected a mapping of sections, got %s",
                                 type_word(memprov));
        json_object_object_foreach(memprov, name, v)
        {
                bool mapping = json_object_is_type(v, json_type_object);
                if (!mapping && is_section(keys, name))
                        r = log_error("user-data memprov.%s: expected a mapping of settings, "
                                      "got %s",
                                      name, type_word(v));
                else if (mapping && config_key_lookup(keys, "memprov", name))
                        r = log_error("user-data memprov.%s: expected a value, got a mapping",
                                      name);
                else if (mapping)
                        r = add_section(out, keys, name, v);
                else
                        r = add_setting(out, keys, "memprov", name, v, name);
                /* A wrong shape under memprov: costs the customer's settings (set aside by the
                 * caller), except in enabled: whether memprov may run at all is then unknown. */
                if (r < 0)
                        return streq(name, "enabled") ? r : -EUCLEAN;
        }
        return 0;
}

/* Only a complete, valid layer reaches c: a bad key leaves the configuration as it was. */
static void merge_layer(struct config *c, const struct config *layer)
{
        for (size_t i = 0; i < layer->n_settings; i++) {
                const struct setting *s = &layer->settings[i];
                config_set(c, s->section, s->key, s->value, s->origin);
        }
}

static int add_userdata_document(struct config *c, const struct config_key *const *keys,
                                 json_object *doc, const char *source)
{
        _cleanup_(config_done) struct config layer = {0};
        json_object *memprov = NULL;
        int r;

        if (!doc || !json_object_is_type(doc, json_type_object))
                return log_error("%s: the cloud-config is not a mapping", source);
        if (!json_object_object_get_ex(doc, "memprov", &memprov))
                return 0;
        r = add_userdata(&layer, keys, memprov);
        if (r < 0)
                return r;
        merge_layer(c, &layer);
        log_debug("%s: %zu settings from the memprov: key", source, layer.n_settings);
        return 0;
}

int cloudinit_parse_json(const char *text, const char *source, const struct config_key *const *keys,
                         struct config *c)
{
        enum json_tokener_error err = json_tokener_success;
        json_object *doc = json_tokener_parse_verbose(text, &err);
        int r;

        if (!doc && err != json_tokener_success)
                return log_error("%s: not valid JSON: %s", source, json_tokener_error_desc(err));
        r = add_userdata_document(c, keys, doc, source);
        json_object_put(doc);
        return r;
}

int cloudinit_parse_yaml(const char *text, size_t size, const char *source,
                         const struct config_key *const *keys, struct config *c)
{
        json_object *doc = NULL;
        int r;

        r = cloudinit_yaml_to_json(text, size, source, &doc);
        if (r < 0)
                return r;
        if (!doc)
                return 0; /* an empty document */
        r = add_userdata_document(c, keys, doc, source);
        json_object_put(doc);
        return r;
}

/* /var/lib/cloud/instance is cloud-init's symlink to instances/ID: the one link memprov follows,
 * and only to a directory directly in instances/. */
static int cloud_config_path(int rootfd, char **ret)
{
        _cleanup_close_ int dirfd = -1;
        const char *name, *id;
        char target[PATH_MAX];
        ssize_t n;
        int r;

        r = root_open_parent(rootfd, CLOUDINIT_INSTANCE_LINK, false, &dirfd, &name);
        if (r < 0)
                return r;
        n = readlinkat(dirfd, name, target, sizeof(target) - 1);
        if (n < 0 && errno == EINVAL) {
                /* Not a symlink: a real directory (an image that copied the instance, a tool
                 * that replaced the link) is read in place; anything else is refused. */
                struct stat st;
                if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                *ret = xasprintf("%s/%s", CLOUDINIT_INSTANCE_LINK, CLOUDINIT_CLOUD_CONFIG);
                return 0;
        }
        if (n < 0)
                return -errno;
        target[n] = '\0';
        id = startswith(target, CLOUDINIT_INSTANCES_DIR "/")
                 ? target + strlen(CLOUDINIT_INSTANCES_DIR "/")
             : startswith(target, "instances/") ? target + strlen("instances/")
                                                : NULL;
        if (!id || !*id || strchr(id, '/') || streq(id, ".") || streq(id, ".."))
                return -ELOOP;
        *ret = xasprintf("%s/%s/%s", CLOUDINIT_INSTANCES_DIR, id, CLOUDINIT_CLOUD_CONFIG);
        return 0;
}

int cloudinit_load_userdata(int rootfd, const char *root, const struct config_key *const *keys,
                            struct config *c)
{
        _cleanup_free_ char *text = NULL, *yaml_path = NULL, *source = NULL;
        size_t size;
        int r;

        r = root_read_file(rootfd, CLOUDINIT_COMBINED_JSON, &text, &size);
        if (r == 0) {
                source = xasprintf("%s%s", root, CLOUDINIT_COMBINED_JSON);
                return cloudinit_parse_json(text, source, keys, c);
        }
        if (r != -ENOENT)
                return log_error("%s%s: %s", root, CLOUDINIT_COMBINED_JSON, fsutil_strerror(r));
        r = cloud_config_path(rootfd, &yaml_path);
        if (r == -ENOENT)
                return 0;
        if (r == -ENOTDIR || r == -ELOOP)
                return log_error("%s%s: neither cloud-init's symlink to a directory in %s nor a "
                                 "directory; user-data not read",
                                 root, CLOUDINIT_INSTANCE_LINK, CLOUDINIT_INSTANCES_DIR);
        if (r < 0)
                return log_error("%s%s: %s", root, CLOUDINIT_INSTANCE_LINK, fsutil_strerror(r));
        source = xasprintf("%s%s", root, yaml_path);
        r = root_read_file(rootfd, yaml_path, &text, &size);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error("%s: %s", source, fsutil_strerror(r));
        return cloudinit_parse_yaml(text, size, source, keys, c);
}

/* Metadata values are written into the state: printable words only. */
static char *meta_string(json_object *v1, const char *key)
{
        json_object *o;
        const char *s;

        if (!json_object_object_get_ex(v1, key, &o) || !json_object_is_type(o, json_type_string))
                return NULL;
        s = json_object_get_string(o);
        if (!*s || strlen(s) > 255 || strlen(s) != (size_t)json_object_get_string_len(o))
                return NULL;
        for (const char *p = s; *p; p++)
                if (!name_char_ok(*p, "._:@/+-"))
                        return NULL;
        return xstrdup(s);
}

void cloudinit_read_meta(int rootfd, const char *root, struct cloudinit_meta *ret)
{
        _cleanup_free_ char *text = NULL;
        json_object *doc, *v1;
        size_t size;
        int r;

        *ret = (struct cloudinit_meta){0};
        r = root_read_file(rootfd, CLOUDINIT_INSTANCE_DATA, &text, &size);
        if (r < 0) {
                if (r != -ENOENT)
                        log_warning("%s%s: %s", root, CLOUDINIT_INSTANCE_DATA, fsutil_strerror(r));
                return;
        }
        doc = json_tokener_parse(text);
        if (doc && json_object_object_get_ex(doc, "v1", &v1)) {
                ret->instance_id = meta_string(v1, "instance_id");
                ret->cloud_name = meta_string(v1, "cloud_name");
                ret->platform = meta_string(v1, "platform");
        }
        if (!ret->instance_id)
                log_warning("%s%s: no usable v1.instance_id; first boot is decided by the state "
                            "alone",
                            root, CLOUDINIT_INSTANCE_DATA);
        json_object_put(doc);
}

void cloudinit_meta_done(struct cloudinit_meta *m)
{
        free(m->instance_id);
        free(m->cloud_name);
        free(m->platform);
        *m = (struct cloudinit_meta){0};
}

bool cloudinit_new_instance(const struct cloudinit_meta *m, const struct config *state)
{
        const char *recorded = config_str(state, "memprov", "instance_id", NULL);

        if (!m->instance_id || !config_get(state, "memprov", "tier"))
                return false;
        return !streq(recorded, m->instance_id);
}

void cloudinit_record_meta(const struct cloudinit_meta *m, struct config *state)
{
        if (m->instance_id)
                config_set(state, "memprov", "instance_id", m->instance_id, "state");
        if (m->cloud_name)
                config_set(state, "memprov", "cloud_name", m->cloud_name, "state");
        if (m->platform)
                config_set(state, "memprov", "platform", m->platform, "state");
}
