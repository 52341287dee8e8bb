/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * YAML user-data to the JSON tree cloud-init would render of it, read as libyaml's event stream so
 * that the nesting limit applies while parsing: libyaml's document loader (and its parser on its
 * own, 0.2.5) takes time quadratic in the nesting depth, 100k levels in 200 KB cost minutes.
 */
#include <json-c/json.h>
#include <yaml.h>

#include "cloudinit.h"
#include "log.h"
#include "util.h"

/* json-c's own limit (JSON_TOKENER_DEFAULT_DEPTH, json_tokener.h): user-data deeper than this
 * cannot reach memprov as combined-cloud-config.json either, so both routes refuse it alike. */
#define YAML_MAX_DEPTH 32

struct yaml_reader {
        yaml_parser_t parser;
        const char *source;
        json_object *anchors; /* name -> node: an alias shares the node, it is never copied */
};

static int next_event(struct yaml_reader *y, yaml_event_t *e)
{
        if (yaml_parser_parse(&y->parser, e))
                return 0;
        return log_error("%s:%zu: not valid YAML: %s", y->source, y->parser.problem_mark.line + 1,
                         y->parser.problem ? y->parser.problem : "syntax error");
}

/* How PyYAML (YAML 1.1, what cloud-init reads) resolves a plain scalar, so that a value means the
 * same whether memprov reads the YAML or cloud-init's JSON rendering of it. */
static json_object *yaml_plain_scalar(const char *v)
{
        static const char *const yes[] = {"yes",  "Yes", "YES", "true", "True",
                                          "TRUE", "on",  "On",  "ON"};
        static const char *const no[] = {"no",    "No",  "NO",  "false", "False",
                                         "FALSE", "off", "Off", "OFF"};

        if (!*v || streq(v, "~") || streq(v, "null") || streq(v, "Null") || streq(v, "NULL"))
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (streq(v, yes[i]))
                        return json_object_new_boolean(1);
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (streq(v, no[i]))
                        return json_object_new_boolean(0);
        return json_object_new_string(v);
}

static json_object *scalar_node(const yaml_event_t *e)
{
        const char *text = (const char *)e->data.scalar.value;

        /* A NUL inside: kept whole, so that the value check sees and refuses it. */
        if (strlen(text) != e->data.scalar.length)
                return json_object_new_string_len(text, (int)e->data.scalar.length);
        if (e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
                return yaml_plain_scalar(text);
        return json_object_new_string(text);
}

static int read_node(struct yaml_reader *y, yaml_event_t *first, unsigned depth, json_object **ret);

/* The value's events up to its end; e is the node's first event (consumed by the caller). */
static int read_collection(struct yaml_reader *y, bool mapping, unsigned depth, json_object **ret)
{
        json_object *o = mapping ? json_object_new_object() : json_object_new_array();
        yaml_event_t e;
        size_t line;
        int r;

        for (;;) {
                json_object *key = NULL, *value = NULL;
                if ((r = next_event(y, &e)) < 0)
                        break;
                if (e.type == YAML_SEQUENCE_END_EVENT || e.type == YAML_MAPPING_END_EVENT) {
                        yaml_event_delete(&e);
                        *ret = o;
                        return 0;
                }
                if (!mapping) {
                        r = read_node(y, &e, depth + 1, &value);
                        if (r < 0)
                                break;
                        json_object_array_add(o, value);
                        continue;
                }
                line = e.start_mark.line + 1; /* read_node() consumes e */
                r = read_node(y, &e, depth + 1, &key);
                if (r == 0 && (json_object_is_type(key, json_type_object) ||
                               json_object_is_type(key, json_type_array) || !key))
                        r = log_error("%s:%zu: only plain keys, values, lists and mappings are "
                                      "allowed",
                                      y->source, line);
                if (r == 0 && (r = next_event(y, &e)) == 0)
                        r = read_node(y, &e, depth + 1, &value);
                if (r == 0)
                        json_object_object_add(o, json_object_get_string(key), value);
                json_object_put(key);
                if (r < 0)
                        break;
        }
        json_object_put(o);
        return r;
}

static int read_alias(struct yaml_reader *y, const yaml_event_t *e, json_object **ret)
{
        json_object *target;

        if (!json_object_object_get_ex(y->anchors, (const char *)e->data.alias.anchor, &target))
                return log_error("%s:%zu: not valid YAML: undefined alias", y->source,
                                 e->start_mark.line + 1);
        *ret = json_object_get(target);
        return 0;
}

/* Consumes first (and every event of the node it starts). */
static int read_node(struct yaml_reader *y, yaml_event_t *first, unsigned depth, json_object **ret)
{
        const yaml_char_t *anchor = NULL;
        int r = 0;

        *ret = NULL;
        switch (first->type) {
        case YAML_SCALAR_EVENT:
                anchor = first->data.scalar.anchor;
                *ret = scalar_node(first);
                break;
        case YAML_ALIAS_EVENT:
                r = read_alias(y, first, ret);
                break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
                if (depth > YAML_MAX_DEPTH) {
                        r = log_error("%s:%zu: nested deeper than %d levels", y->source,
                                      first->start_mark.line + 1, YAML_MAX_DEPTH);
                        break;
                }
                anchor = first->type == YAML_SEQUENCE_START_EVENT
                             ? first->data.sequence_start.anchor
                             : first->data.mapping_start.anchor;
                /* The anchor is known only once the node is complete: a node cannot contain an
                 * alias to itself (PyYAML builds such a loop; memprov refuses it). */
                r = read_collection(y, first->type == YAML_MAPPING_START_EVENT, depth, ret);
                break;
        default:
                r = log_error("%s:%zu: not valid YAML: unexpected event", y->source,
                              first->start_mark.line + 1);
        }
        if (r == 0 && anchor)
                json_object_object_add(y->anchors, (const char *)anchor, json_object_get(*ret));
        yaml_event_delete(first);
        return r;
}

static int read_document(struct yaml_reader *y, json_object **ret)
{
        yaml_event_t e;
        int r;

        *ret = NULL;
        if ((r = next_event(y, &e)) < 0) /* STREAM-START */
                return r;
        yaml_event_delete(&e);
        if ((r = next_event(y, &e)) < 0)
                return r;
        if (e.type != YAML_DOCUMENT_START_EVENT) { /* STREAM-END: no document at all */
                yaml_event_delete(&e);
                return 0;
        }
        yaml_event_delete(&e);
        if ((r = next_event(y, &e)) < 0)
                return r;
        r = read_node(y, &e, 1, ret);
        /* The document must end well; what a second document holds is not read (cloud-init
         * reads one). */
        if (r == 0 && (r = next_event(y, &e)) == 0)
                yaml_event_delete(&e);
        if (r < 0) {
                json_object_put(*ret);
                *ret = NULL;
        }
        return r;
}

int cloudinit_yaml_to_json(const char *text, size_t size, const char *source, json_object **ret)
{
        struct yaml_reader y = {.source = source};
        int r;

        if (!yaml_parser_initialize(&y.parser))
                return log_error_errno(ENOMEM, "%s", source);
        yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, size);
        y.anchors = json_object_new_object();
        r = read_document(&y, ret);
        json_object_put(y.anchors);
        yaml_parser_delete(&y.parser);
        return r;
}
