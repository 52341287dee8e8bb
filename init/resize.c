/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A resize re-tiers at boot: after a downsize the bigger tier's buffer pool, workers and
 * children would otherwise stay on less RAM until someone runs memprov --rerun, which is the
 * OOM this tool exists to prevent. [memprov] on_resize = report keeps the old behaviour (log
 * and wait for the admin).
 */
#include "../lib/log.h"
#include "../lib/size.h"
#include "../lib/state.h"
#include "resize.h"

bool resize_pending(const struct context *ctx)
{
        uint64_t ram = state_u64(ctx->state, "memprov", "ram_bytes");
        uint64_t disk = state_u64(ctx->state, "memprov", "disk_bytes");
        bool ram_changed = ram != ctx->facts->ram_bytes;
        bool disk_changed = ctx->facts->fs_known && disk != ctx->facts->swapfs.size_bytes;

        /* memprov.on_resize = report: report_changes() says what changed. */
        return (ram_changed || disk_changed) &&
               streq(config_str(ctx->config, "memprov", "on_resize", "rerun"), "rerun");
}

void resize_log(const struct context *ctx)
{
        uint64_t ram = state_u64(ctx->state, "memprov", "ram_bytes");
        uint64_t disk = state_u64(ctx->state, "memprov", "disk_bytes");
        char b1[32], b2[32];

        if (ram != ctx->facts->ram_bytes)
                log_info("RAM changed from %s to %s since memprov provisioned this machine: "
                         "provisioning again (memprov.on_resize = rerun)",
                         format_size(ram, b1), format_size(ctx->facts->ram_bytes, b2));
        if (ctx->facts->fs_known && disk != ctx->facts->swapfs.size_bytes)
                log_info("the swapfile's filesystem changed from %s to %s: provisioning again "
                         "(memprov.on_resize = rerun)",
                         format_size(disk, b1), format_size(ctx->facts->swapfs.size_bytes, b2));
}
