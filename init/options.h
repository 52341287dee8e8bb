/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "../lib/options.h"

/* 0 to go on, 1 when --help/--version was handled, negative errno (logged) on bad usage. */
int options_parse(int argc, char **argv, struct options *ret);
void options_done(struct options *o);
