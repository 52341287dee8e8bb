/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The action kinds' --json and --status operations (lib/plan-json.c) the file kinds' own
 * (lib/plan-files.c) and the journal's (lib/plan-events.c), which lib/plan-kinds.c's table names:
 * internal to lib/plan*.c. */
#pragma once

#include "plan.h"

void kind_file_json(struct json_object *root, const struct action *a, bool applied);
void kind_swap_json(struct json_object *root, const struct action *a, bool applied);
void kind_sysctl_json(struct json_object *root, const struct action *a, bool applied);
void kind_zswap_json(struct json_object *root, const struct action *a, bool applied);
void kind_unit_json(struct json_object *root, const struct action *a, bool applied);
void kind_reload_json(struct json_object *root, const struct action *a, bool applied);
void kind_live_json(struct json_object *root, const struct action *a, bool applied);
char *kind_write_change(const struct action *a);
char *kind_link_change(const struct action *a);
char *kind_remove_change(const struct action *a);
char *kind_sysctl_change(const struct action *a);
char *kind_zswap_change(const struct action *a);
char *kind_unit_change(const struct action *a);
char *kind_swap_change(const struct action *a);
const char *kind_swap_change_op(const struct action *a);
const char *kind_path_name(const struct action *a);
const char *kind_key_name(const struct action *a);
const char *kind_unit_name(const struct action *a);
const char *kind_swap_name(const struct action *a);
void kind_key_change_json(struct json_object *o, const struct action *a);
void kind_swap_change_json(struct json_object *o, const struct action *a);
char *kind_write_record(const struct action *a);
char *kind_link_record(const struct action *a);
void kind_write_review(const struct context *ctx, struct action *a);
void kind_link_review(const struct context *ctx, struct action *a);
int kind_write_stage(const struct context *ctx, const struct action *a);
void kind_write_unstage(const struct context *ctx, const struct action *a);
int kind_write_apply(const struct context *ctx, struct action *a);
int kind_remove_apply(const struct context *ctx, struct action *a);
int kind_link_apply(const struct context *ctx, struct action *a);
void kind_write_diff(const struct context *ctx, const struct action *a, FILE *out);
void kind_remove_diff(const struct context *ctx, const struct action *a, FILE *out);
int kind_swap_paths(const struct context *ctx, const struct action *a,
                    int (*check)(const struct context *ctx, const char *path));
int kind_unit_paths(const struct context *ctx, const struct action *a,
                    int (*check)(const struct context *ctx, const char *path));
char *kind_path_subject(const struct action *a);
char *kind_swap_subject(const struct action *a);
char *kind_unit_subject(const struct action *a);
bool kind_swap_event(const struct action *a, struct action_event *ev);
bool kind_unit_event(const struct action *a, struct action_event *ev);
bool kind_file_event(const struct action *a, struct action_event *ev);
