/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "services.h"

int services_detect(const struct context *ctx, struct services *ret)
{
        struct services s = {0};
        int r;

        r = mysql_detect(ctx, &s.db);
        if (r >= 0)
                r = apache_detect(ctx, &s.web);
        if (r >= 0)
                r = phpfpm_detect(ctx, &s.php);
        if (r < 0)
                return r;
        *ret = s;
        return 0;
}
