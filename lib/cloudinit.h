/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cloud-init as an input: the user-data "memprov:" mapping as a configuration layer (after /etc
 * and --config, before --set) and the instance metadata, whose instance id tells a first boot of
 * a new instance (an image or a snapshot booted again) from a reboot. Every path is under the root.
 *
 * The mapping mirrors the INI: section -> key -> value, a list becoming the INI's space-separated
 * list and booleans and numbers their text; a plain value at the top (such as "enabled: false")
 * belongs to [memprov]. Origins read "user-data memprov.SECTION.KEY".
 */
#pragma once

#include <stddef.h>

#include "config.h"

/* cloud-init >= 23.3 writes the merged cloud-config as JSON; older releases only as YAML. */
#define CLOUDINIT_COMBINED_JSON "/run/cloud-init/combined-cloud-config.json"
#define CLOUDINIT_INSTANCE_LINK "/var/lib/cloud/instance"
#define CLOUDINIT_INSTANCES_DIR "/var/lib/cloud/instances"
#define CLOUDINIT_CLOUD_CONFIG  "cloud-config.txt"
#define CLOUDINIT_INSTANCE_DATA "/run/cloud-init/instance-data.json"

struct cloudinit_meta {
        char *instance_id; /* NULL: no cloud-init metadata */
        char *cloud_name;
        char *platform;
};

/* Adds the user-data settings to c. No cloud-init files or no memprov: key is not an error.
 * Malformed user-data: one error naming the key (logged), c unchanged, and -EUCLEAN when the
 * memprov: mapping is there but one of its sections or keys has the wrong shape (a list where a
 * mapping belongs, nesting too deep: the customer's settings can be set aside whole), -EINVAL
 * when the customer's intent is unknowable (not YAML or JSON, memprov: not a mapping, enabled
 * not a plain value). keys (may be NULL) tell which keys take a list; values are checked later
 * by config_validate(). */
int cloudinit_load_userdata(int rootfd, const char *root, const struct config_key *const *keys,
                            struct config *c);
/* The parsers behind it, on a whole document; source names it in parse errors. */
int cloudinit_parse_json(const char *text, const char *source, const struct config_key *const *keys,
                         struct config *c);
int cloudinit_parse_yaml(const char *text, size_t size, const char *source,
                         const struct config_key *const *keys, struct config *c);
/* YAML text to the JSON tree cloud-init would render (NULL for an empty document); a document
 * nested deeper than json-c reads, or not valid YAML, is one logged error. */
struct json_object;
int cloudinit_yaml_to_json(const char *text, size_t size, const char *source,
                           struct json_object **ret);

/* Missing or unreadable metadata leaves *ret empty (a warning when it is malformed). */
void cloudinit_read_meta(int rootfd, const char *root, struct cloudinit_meta *ret);
void cloudinit_meta_done(struct cloudinit_meta *m);
/* Whether the state was written on another instance (or before cloud-init named one). Pure. */
bool cloudinit_new_instance(const struct cloudinit_meta *m, const struct config *state);
void cloudinit_record_meta(const struct cloudinit_meta *m, struct config *state);
