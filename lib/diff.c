/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Line diff by longest common subsequence (a table of old x new lines): memprov's files are
 * drop-ins of tens of lines, so the table stays small; past DIFF_TABLE_MAX cells the whole old
 * text is shown replaced by the new one, which is still a correct (if long) unified diff.
 */
#include <stdint.h>

#include "diff.h"
#include "util.h"

#define DIFF_CONTEXT   3
#define DIFF_TABLE_MAX (4u * 1024 * 1024)

struct line {
        const char *s;
        size_t len; /* without the newline */
        bool eol;   /* ends with a newline (only the last line may not) */
};

struct lines {
        struct line *v;
        size_t n;
};

static struct lines split_lines(const char *text, size_t size)
{
        struct lines l = {0};

        for (const char *p = text, *end = text + size; text && p < end;) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                l.v = xrealloc(l.v, (l.n + 1) * sizeof(*l.v));
                l.v[l.n++] = (struct line){p, (size_t)((nl ? nl : end) - p), nl != NULL};
                p = nl ? nl + 1 : end;
        }
        return l;
}

static bool line_eq(const struct line *a, const struct line *b)
{
        return a->len == b->len && a->eol == b->eol && memcmp(a->s, b->s, a->len) == 0;
}

/* The edit script: ' ' both, '-' old only, '+' new only, in order. */
static char *edit_script(const struct lines *a, const struct lines *b, size_t *ret_n)
{
        size_t n = a->n, m = b->n, k = 0;
        char *ops = xmalloc(n + m + 1);
        uint32_t *t;

        if ((n + 1) * (m + 1) > DIFF_TABLE_MAX) {
                memset(ops, '-', n);
                memset(ops + n, '+', m);
                *ret_n = n + m;
                return ops;
        }
        /* t[i][j]: the LCS length of a[i..] and b[j..]. */
        t = xcalloc((n + 1) * (m + 1), sizeof(*t));
        for (size_t i = n; i-- > 0;)
                for (size_t j = m; j-- > 0;)
                        t[i * (m + 1) + j] =
                            line_eq(&a->v[i], &b->v[j])
                                ? t[(i + 1) * (m + 1) + j + 1] + 1
                                : MAX(t[(i + 1) * (m + 1) + j], t[i * (m + 1) + j + 1]);
        for (size_t i = 0, j = 0; i < n || j < m;) {
                if (i < n && j < m && line_eq(&a->v[i], &b->v[j])) {
                        ops[k++] = ' ';
                        i++;
                        j++;
                } else if (i < n &&
                           (j == m || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1])) {
                        ops[k++] = '-'; /* deletions first, as diff -u prints them */
                        i++;
                } else {
                        ops[k++] = '+';
                        j++;
                }
        }
        free(t);
        *ret_n = k;
        return ops;
}

static void print_line(FILE *out, char op, const struct line *l)
{
        fprintf(out, "%c%.*s\n", op, (int)l->len, l->s);
        if (!l->eol)
                fputs("\\ No newline at end of file\n", out);
}

/* Ops [from, to) as one hunk; i and j are the old and new line indexes at from. */
static void print_hunk(FILE *out, const char *ops, size_t from, size_t to, size_t i, size_t j,
                       const struct lines *a, const struct lines *b)
{
        size_t ol = 0, nl = 0;

        for (size_t k = from; k < to; k++) {
                ol += ops[k] != '+';
                nl += ops[k] != '-';
        }
        fprintf(out, "@@ -%zu,%zu +%zu,%zu @@\n", ol ? i + 1 : i, ol, nl ? j + 1 : j, nl);
        for (size_t k = from; k < to; k++) {
                print_line(out, ops[k], ops[k] == '+' ? &b->v[j] : &a->v[i]);
                i += ops[k] != '+';
                j += ops[k] != '-';
        }
}

void diff_unified(FILE *out, const char *path, const char *old, size_t old_size, const char *new,
                  size_t new_size)
{
        struct lines a = split_lines(old, old_size), b = split_lines(new, new_size);
        size_t n, i = 0, j = 0;
        char *ops = edit_script(&a, &b, &n);
        bool header = false;

        for (size_t k = 0; k < n;) {
                size_t from, to, last;
                if (ops[k] == ' ') {
                        i++;
                        j++;
                        k++;
                        continue;
                }
                /* A change at k: the hunk runs until DIFF_CONTEXT*2 unchanged lines in a row. */
                from = k >= DIFF_CONTEXT ? k - DIFF_CONTEXT : 0;
                last = k;
                for (to = k; to < n && to - last <= 2 * DIFF_CONTEXT + 1; to++)
                        if (ops[to] != ' ')
                                last = to;
                to = MIN(n, last + 1 + DIFF_CONTEXT);
                if (!header) {
                        fprintf(out, "--- %s\n+++ %s\n", old ? path : "/dev/null",
                                new ? path : "/dev/null");
                        header = true;
                }
                print_hunk(out, ops, from, to, i - (k - from), j - (k - from), &a, &b);
                for (; k < to; k++) {
                        i += ops[k] != '+';
                        j += ops[k] != '-';
                }
        }
        free(ops);
        free(a.v);
        free(b.v);
}
