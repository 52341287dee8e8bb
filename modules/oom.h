/* SPDX-License-Identifier: GPL-2.0-or-later */
/* systemd drop-ins: OOMScoreAdjust, Restart= and MemoryHigh= for the detected services. */
#pragma once

#include "module.h"

extern const struct module oom_module;
