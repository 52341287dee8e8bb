/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* Runs argv[0] (an absolute path, never looked up through a shell or PATH) and waits.
 * Returns 0 on exit status 0; logs and returns a negative errno otherwise. Output is kept
 * quiet unless the program fails. */
int spawn_wait(char *const argv[]);
/* Runs argv[0] like spawn_wait() to ask it for a fact: its stdout, NUL-terminated, in *ret
 * (stderr discarded). -EFBIG when it writes more than max bytes, -EIO when it fails. Does not
 * log: callers decide whether an unanswered question matters. */
int spawn_output(char *const argv[], size_t max, char **ret);
/* spawn_output() with in_fd (read from its current offset) as the program's stdin; -1: the
 * caller's stdin, as spawn_output(). */
int spawn_output_stdin(char *const argv[], int in_fd, size_t max, char **ret);
/* The first of the candidate paths that exists and is executable, or NULL. */
const char *find_program(const char *const *candidates);
