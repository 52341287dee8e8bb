/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libmount parses fstab and formats memprov's entry, but libmount rewrites every line when it
 * writes a table; to keep the admin's tabs, comments and missing final newline byte for byte,
 * memprov splices whole lines instead: append one entry, or drop exactly the lines it added.
 */
#include <libmount/libmount.h>
#include <sys/stat.h>

#include "../lib/facts.h"
#include "../lib/fsutil.h"
#include "../lib/log.h"
#include "swap.h"

#define FSTAB        "/etc/fstab"
#define FSTAB_MARKER "# memprov swapfile: managed by memprov, see memprov(8)"

/* Whether one fstab line is a swap entry for path, as libmount reads it. */
static bool line_is_swap_for(const char *line, size_t len, const char *path)
{
        struct libmnt_table *tb;
        struct libmnt_fs *fs = NULL;
        bool match = false;
        FILE *f;

        if (len == 0 || !memmem(line, len, path, strlen(path)))
                return false;
        tb = mnt_new_table();
        f = fmemopen((void *)line, len, "r");
        if (tb && f && mnt_table_parse_stream(tb, f, FSTAB) == 0 &&
            mnt_table_first_fs(tb, &fs) == 0)
                match = mnt_fs_is_swaparea(fs) && mnt_fs_streq_srcpath(fs, path);
        if (f)
                fclose(f);
        mnt_unref_table(tb);
        return match;
}

/* The entry as libmount formats it, so escaping follows fstab(5). */
static char *format_entry(const char *path)
{
        struct libmnt_table *tb = mnt_new_table();
        struct libmnt_fs *fs = mnt_new_fs();
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!tb || !fs || !f || mnt_fs_set_source(fs, path) < 0 ||
            mnt_fs_set_target(fs, "none") < 0 || mnt_fs_set_fstype(fs, "swap") < 0 ||
            mnt_fs_set_options(fs, "sw") < 0 || mnt_table_add_fs(tb, fs) < 0 ||
            mnt_table_write_file(tb, f) < 0) {
                if (f)
                        fclose(f);
                free(buf);
                buf = NULL;
        } else if (fclose(f) != 0) {
                free(buf);
                buf = NULL;
        }
        mnt_unref_fs(fs);
        mnt_unref_table(tb);
        return buf;
}

/* A line libmount cannot read stays byte for byte: the facts warned about it once, naming the
 * line, and every line here is matched on its own (line_is_swap_for), so a garbage line is
 * neither memprov's entry nor in the way of finding it. */
static int read_fstab(int rootfd, const char *root, char **data, size_t *size, mode_t *mode)
{
        struct stat st;
        int r;

        r = root_lstat(rootfd, FSTAB, &st);
        *mode = r == 0 ? (st.st_mode & 07777) : 0644;
        r = root_read_file(rootfd, FSTAB, data, size);
        if (r == -ENOENT) {
                *data = xstrdup("");
                *size = 0;
                return 0;
        }
        return r < 0 ? log_error_errno(r, "%s%s", root, FSTAB) : 0;
}

static bool data_has_swap(const char *data, size_t size, const char *path)
{
        for (const char *line = data, *end; line < data + size; line = end + 1) {
                end = memchr(line, '\n', (size_t)(data + size - line));
                end = end ? end : data + size;
                if (line_is_swap_for(line, (size_t)(end - line), path))
                        return true;
        }
        return false;
}

/* The fstab with path's entry added (*ret NULL: it has one already). Sizes, not strlen(): an
 * admin's line may hold a NUL byte, and every byte of it is kept. */
static int fstab_with_swap(int rootfd, const char *root, const char *path, char **ret,
                           size_t *ret_size, mode_t *ret_mode)
{
        _cleanup_free_ char *data = NULL, *entry = NULL, *tail = NULL;
        size_t size, n;
        char *out;
        int r;

        *ret = NULL;
        r = read_fstab(rootfd, root, &data, &size, ret_mode);
        if (r < 0 || data_has_swap(data, size, path))
                return r < 0 ? r : 0;
        entry = format_entry(path);
        if (!entry)
                return log_error("cannot format the fstab entry for %s", path);
        /* An fstab without a final newline gets one before memprov's marker and none after its
         * entry, so that fstab_remove_swap() gives back the last byte as it was. */
        if (size > 0 && data[size - 1] != '\n') {
                entry[strcspn(entry, "\n")] = '\0';
                tail = xasprintf("\n%s\n%s", FSTAB_MARKER, entry);
        } else
                tail = xasprintf("%s\n%s", FSTAB_MARKER, entry);
        n = strlen(tail);
        out = xmalloc(size + n + 1);
        memcpy(out, data, size);
        memcpy(out + size, tail, n + 1);
        *ret = out;
        *ret_size = size + n;
        return 0;
}

int fstab_stage_swap(int rootfd, const char *root, const char *path)
{
        _cleanup_free_ char *out = NULL;
        size_t size;
        mode_t mode;
        int r;

        r = fstab_with_swap(rootfd, root, path, &out, &size, &mode);
        if (r < 0 || !out)
                return r;
        r = root_stage_file(rootfd, FSTAB, out, size, mode);
        return r < 0 ? log_error_errno(r, "cannot write %s%s", root, FSTAB) : 0;
}

/* Whether the staged temp file holds exactly out: this run staged it before its syncfs. */
static bool staged_is(int rootfd, const char *out, size_t out_size)
{
        _cleanup_free_ char *staged = NULL, *tmp_path = NULL;
        char tmp[NAME_MAX + 1];
        size_t size;

        if (temp_name("fstab", tmp) < 0)
                return false;
        tmp_path = xasprintf("/etc/%s", tmp);
        return root_read_file(rootfd, tmp_path, &staged, &size) == 0 && size == out_size &&
               memcmp(staged, out, size) == 0;
}

int fstab_ensure_swap(int rootfd, const char *root, const char *path, bool *changed)
{
        _cleanup_free_ char *out = NULL;
        size_t size;
        mode_t mode;
        int r;

        *changed = false;
        r = fstab_with_swap(rootfd, root, path, &out, &size, &mode);
        if (r < 0)
                return r;
        if (!out) {
                root_discard_staged(rootfd, FSTAB);
                return 0;
        }
        /* Staged and synced with the run's other files (fstab_stage_swap): only the rename is
         * left, ordered after the swapfile's rename by the filesystem's journal (create_swapfile
         * says why). Anything else (fstab changed since): temp file, fsync, rename. */
        r = staged_is(rootfd, out, size) ? root_commit_file(rootfd, FSTAB)
                                         : root_write_file(rootfd, FSTAB, out, size, mode);
        if (r < 0)
                return log_error_errno(r, "cannot write %s%s", root, FSTAB);
        *changed = true;
        return 0;
}

int fstab_remove_swap(int rootfd, const char *root, const char *path, bool *changed)
{
        _cleanup_free_ char *data = NULL, *out = NULL;
        size_t size, n = 0, marker_len = strlen(FSTAB_MARKER);
        char *prev = NULL;
        mode_t mode;
        int r;

        *changed = false;
        r = read_fstab(rootfd, root, &data, &size, &mode);
        if (r < 0)
                return r;
        out = xmalloc(size + 1);
        for (char *line = data, *end; line < data + size; line = end + 1) {
                size_t len;
                end = memchr(line, '\n', (size_t)(data + size - line));
                end = end ? end : data + size;
                len = (size_t)(end - line) + (end < data + size);
                if (line_is_swap_for(line, (size_t)(end - line), path)) {
                        /* Drop memprov's marker right above its entry, nothing else. */
                        if (prev && n >= marker_len + 1 &&
                            (size_t)(line - prev) == marker_len + 1 &&
                            memcmp(prev, FSTAB_MARKER, marker_len) == 0)
                                n -= marker_len + 1;
                        /* The file's last line, without a newline: the newline memprov put
                         * before its marker goes too (fstab_with_swap). */
                        if (end == data + size && n > 0 && out[n - 1] == '\n')
                                n--;
                        *changed = true;
                } else {
                        memcpy(out + n, line, len);
                        n += len;
                }
                prev = line;
        }
        if (!*changed)
                return 0;
        r = root_write_file(rootfd, FSTAB, out, n, mode);
        if (r < 0)
                return log_error_errno(r, "cannot write %s%s", root, FSTAB);
        return 0;
}

int fstab_drop_moved(const struct context *ctx, const char *path)
{
        const char *old = ctx->state ? config_str(ctx->state, "swap", "path", NULL) : NULL;
        struct stat st;
        bool changed;

        if (!old || streq(old, path) || root_lstat(ctx->rootfd, old, &st) != -ENOENT)
                return 0;
        return fstab_remove_swap(ctx->rootfd, ctx->root, old, &changed);
}

int swap_stage(const struct context *ctx, const struct action *a)
{
        int staged, r;

        /* Removal writes no new entry; a resize in place adds and drops its side file's lines
         * in between, so the staged bytes would not match: fstab_ensure_swap() writes them. */
        if (a->swap.op == SWAP_NONE || a->swap.op == SWAP_REMOVE || !a->swap.path ||
            (a->swap.op == SWAP_RESIZE && streq(a->swap.old_path, a->swap.path)))
                return 0;
        staged = swap_stage_file(ctx, a);
        if (staged < 0)
                return staged;
        r = fstab_stage_swap(ctx->rootfd, ctx->root, a->swap.path);
        return r < 0 ? r : staged;
}

void swap_unstage(const struct context *ctx)
{
        root_discard_staged(ctx->rootfd, FSTAB);
        swap_unstage_file(ctx);
}
