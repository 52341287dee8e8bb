/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>

#include "fsutil.h"
#include "kernel-param.h"
#include "util.h"

char *sysctl_key_path(const char *key)
{
        char *path = xasprintf("/proc/sys/%s", key);

        for (char *p = path + strlen("/proc/sys/"); *p; p++)
                if (*p == '.')
                        *p = '/';
        return path;
}

char *zswap_param_path(const char *key)
{
        return xasprintf(ZSWAP_PARAMS_DIR "/%s", key);
}

char *kernel_param_read(const char *path)
{
        _cleanup_close_ int fd = -1;
        char *value = NULL;
        size_t size;

        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || read_fd(fd, 4096, &value, &size) < 0)
                return NULL;
        value[strcspn(value, "\n")] = '\0';
        return value;
}
