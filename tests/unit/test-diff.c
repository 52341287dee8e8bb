/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/diff.c against what GNU diff -u prints for the same texts (outputs checked by hand with
 * diffutils 3.8: `diff -u old new`, headers aside). */
#include <stdlib.h>

#include "../../lib/diff.h"
#include "test.h"

static char *diff_of(const char *old, const char *new)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        diff_unified(f, "/etc/x", old, old ? strlen(old) : 0, new, new ? strlen(new) : 0);
        fclose(f);
        return buf;
}

TEST(diff_same_prints_nothing)
{
        char *d = diff_of("a\nb\n", "a\nb\n");
        CHECK_STR(d, "");
        free(d);
}

TEST(diff_new_file)
{
        char *d = diff_of(NULL, "a\nb\n");
        CHECK_STR(d, "--- /dev/null\n+++ /etc/x\n@@ -0,0 +1,2 @@\n+a\n+b\n");
        free(d);
}

TEST(diff_removed_file)
{
        char *d = diff_of("a\n", NULL);
        CHECK_STR(d, "--- /etc/x\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-a\n");
        free(d);
}

TEST(diff_one_change_with_context)
{
        char *d = diff_of("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n");
        CHECK_STR(d,
                  "--- /etc/x\n+++ /etc/x\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
        free(d);
}

TEST(diff_two_hunks_and_a_merged_one)
{
        /* Changes 8 lines apart: two hunks (7 unchanged lines between). */
        char *d = diff_of("a\n1\n2\n3\n4\n5\n6\n7\nb\n", "A\n1\n2\n3\n4\n5\n6\n7\nB\n");
        CHECK_STR(d, "--- /etc/x\n+++ /etc/x\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n"
                     "@@ -6,4 +6,4 @@\n 5\n 6\n 7\n-b\n+B\n");
        free(d);
        /* 6 unchanged lines between: one hunk. */
        d = diff_of("a\n1\n2\n3\n4\n5\n6\nb\n", "A\n1\n2\n3\n4\n5\n6\nB\n");
        CHECK_STR(d, "--- /etc/x\n+++ /etc/x\n@@ -1,8 +1,8 @@\n-a\n+A\n 1\n 2\n 3\n 4\n 5\n 6\n"
                     "-b\n+B\n");
        free(d);
}

TEST(diff_no_newline_at_end)
{
        char *d = diff_of("a\nb", "a\nb\n");
        CHECK_STR(d,
                  "--- /etc/x\n+++ /etc/x\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
                  "+b\n");
        free(d);
}
