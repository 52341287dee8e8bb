/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Structured records for the systemd journal. When memprov's stderr or stdout is the journal
 * (systemd sets JOURNAL_STREAM to the stream's "device:inode" for a unit with
 * StandardOutput=/StandardError=journal), libsystemd is loaded and each log line, each line of
 * the plan listing and each event becomes one record with memprov's fields and, for the events
 * below, a MESSAGE_ID that catalog/memprov.catalog explains (journalctl -x). Without a journal
 * nothing is loaded and the plain lines stay.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"

/* Keep in sync with catalog/memprov.catalog (tests/integration/journal.sh checks). */
#define MEMPROV_MESSAGE_SWAP_CREATED   "75e71f6cf10f4d648bd84a3147c57f18"
#define MEMPROV_MESSAGE_SWAP_RESIZED   "c7b9429d38a84fe78f7e80c812ba9b90"
#define MEMPROV_MESSAGE_UNIT_DISABLED  "d15069287ce94d1cb004a26c08180f83"
#define MEMPROV_MESSAGE_UNIT_ENABLED   "24cb54b2173f4823979a2264033852c0"
#define MEMPROV_MESSAGE_BUDGET_LOWERED "88c1ac06fae341e594c5c69d610b16fb"
#define MEMPROV_MESSAGE_FILE_KEPT      "1dfb59158c7240f9824d0aae6e91441c"
#define MEMPROV_MESSAGE_ERROR          "8ae7ec3ef60f45268661b5e22cd86019"

/* Whether stderr (the log) is the journal and libsystemd could be loaded (decided on first
 * call, with journal_stdout()). */
bool journal_active(void);
/* Whether stdout (the plan listing) is the journal and libsystemd could be loaded. */
bool journal_stdout(void);
/* One record: MESSAGE, PRIORITY (syslog level), MESSAGE_ID when not NULL, and n more
 * "FIELD=value" strings. 0 or negative errno; logs nothing (the log itself calls this). */
int journal_send(int priority, const char *message_id, const char *message,
                 const char *const *fields, size_t n);
/* After an applied plan: one record per event (swap created or resized, unit disabled or
 * enabled, budget lowered, managed file left alone), with MEMPROV_TIER and MEMPROV_RAM_BYTES.
 * Does nothing without a journal. */
void journal_plan_events(const struct plan *p);
/* The plan listing as records instead of plain lines on stdout (when journal_stdout()): one
 * record per line with MEMPROV_TIER, MEMPROV_RAM_BYTES and the line's MEMPROV_PATH or
 * MEMPROV_UNIT; after an apply an event's line is its event record (one record per event, not
 * a plain copy beside it), and the budget events follow. */
void journal_plan_listing(const struct plan *p, bool applied);
