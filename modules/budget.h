/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The budget's table in the plan (the ledger itself is lib/budget.h). */
#pragma once

#include "module.h"

extern const struct module budget_module;
