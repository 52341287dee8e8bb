/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fstab as libmount reads it for memprov, then every entry's fields as the swap module reads them.
 */
#include <libmount/libmount.h>

#include "../../lib/facts.h"
#include "../../lib/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct libmnt_table *tb = NULL;
        struct libmnt_iter *it;
        struct libmnt_fs *fs;

        if (fstab_parse_text((const char *)data, size, "fuzz.fstab", &tb) < 0)
                return 0;
        it = mnt_new_iter(MNT_ITER_FORWARD);
        while (it && mnt_table_next_fs(tb, it, &fs) == 0) {
                (void)mnt_fs_is_swaparea(fs);
                (void)mnt_fs_get_source(fs);
                (void)mnt_fs_get_options(fs);
                (void)mnt_fs_get_tag(fs, &(const char *){NULL}, &(const char *){NULL});
        }
        mnt_free_iter(it);
        mnt_unref_table(tb);
        return 0;
}
